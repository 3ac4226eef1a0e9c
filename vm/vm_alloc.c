/*
 * vm_alloc.c -- allocation wrappers with fault injection (vm_alloc.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include "vm/inject.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

void *
vm_zalloc(size_t size)
{
	return (vm_zalloc_array(1, size));
}

void *
vm_zalloc_array(size_t nmemb, size_t size)
{
	void *p;

	if (vm_inject_fail(VM_INJECT_ALLOC)) {
		errno = ENOMEM;
		return (NULL);
	}
	p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);
	if (p == NULL)
		errno = ENOMEM;
	return (p);
}

/* Tables this big get huge-page alignment and advice. */
#define	VM_TABLE_HUGE	((size_t)2 << 20)

void *
vm_zalloc_table(size_t size)
{
	size_t align = size >= VM_TABLE_HUGE ? VM_TABLE_HUGE : 64;
	void *p;

	if (vm_inject_fail(VM_INJECT_ALLOC)) {
		errno = ENOMEM;
		return (NULL);
	}
	if (posix_memalign(&p, align, size == 0 ? 1 : size) != 0) {
		errno = ENOMEM;
		return (NULL);
	}
#ifdef MADV_HUGEPAGE
	/* Advice only: a host without transparent huge pages says no. */
	if (align == VM_TABLE_HUGE)
		(void) madvise(p, P2ROUNDUP(size, VM_TABLE_HUGE),
		    MADV_HUGEPAGE);
#endif
	memset(p, 0, size);
	return (p);
}

void
vm_free_table(void *ptr, size_t size)
{
	(void) size;
	free(ptr);
}

char *
vm_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p;

	p = vm_zalloc(len);
	if (p != NULL)
		memcpy(p, s, len);
	return (p);
}

void
vm_free(void *ptr)
{
	free(ptr);
}
