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
/* Zeroed, aligned to align (a power of two, multiple of sizeof (void *)). */
void	*vm_zalloc_aligned(size_t align, size_t size);
char	*vm_strdup(const char *s);
void	vm_free(void *ptr);

#endif /* PORTHOLE_VM_ALLOC_H */
