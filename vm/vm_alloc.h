/*
 * vm_alloc.h -- the core's allocator wrappers.
 *
 * Every allocation of the portable core goes through these, so that tests
 * can fail the Nth one (inject.h).  They return NULL with errno ENOMEM.
 */
#ifndef PORTHOLE_VM_ALLOC_H
#define PORTHOLE_VM_ALLOC_H

#include <stddef.h>

void	*vm_zalloc(size_t size);
void	*vm_zalloc_array(size_t nmemb, size_t size);
/*
 * A zeroed table of size bytes, cache-line aligned; tables of a huge page
 * or more are huge-page aligned and advised to use huge pages.  Free with
 * vm_free_table and the same size.
 */
void	*vm_zalloc_table(size_t size);
void	vm_free_table(void *ptr, size_t size);
char	*vm_strdup(const char *s);
void	vm_free(void *ptr);

#endif /* PORTHOLE_VM_ALLOC_H */
