/*
 * hat.c -- host mapping primitives (hat.h) over POSIX mmap and friends.
 *
 * Non-goal: tracking what is loaded where.  The drivers own that; the hat
 * only turns their decisions into host calls and keeps the window whole.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "vm/hat.h"
#include "vm/inject.h"
#include "vm/seg.h"

#ifndef MAP_NORESERVE
#define	MAP_NORESERVE	0
#endif

#define	HAT_INJECT() do {						\
	if (vm_inject_fail(VM_INJECT_HAT))				\
		return (EAGAIN);					\
} while (0)

static int
hat_map_fixed(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	p = mmap(addr, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		int err = errno;

		/* The host may have dropped what was there before the
		 * object refused the map (sysfs does): put the reservation
		 * back so the window never has a hole. */
		hat_unload_nofail(addr, len);
		return (err);
	}
	if (p != addr) {
		/* MAP_FIXED never moves a mapping; be safe anyway. */
		hat_unload_nofail(p, len);
		return (EINVAL);
	}
	return (0);
}

int
hat_reserve(size_t len, void **basep)
{
	void *p;

	HAT_INJECT();
	p = mmap(NULL, len, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return (errno);
	*basep = p;
	return (0);
}

void
hat_release(void *base, size_t len)
{
	(void) munmap(base, len);
}

int
hat_load_anon(void *addr, size_t len, unsigned prot, int flags)
{
	HAT_INJECT();
	return (hat_map_fixed(addr, len, (int)prot, flags | MAP_ANONYMOUS,
	    -1, 0));
}

int
hat_load_zero(void *addr, size_t len, unsigned prot)
{
	if ((prot & ~(unsigned)PROT_READ) != 0)
		return (EINVAL);	/* a written page would stop being zero */
	return (hat_load_anon(addr, len, prot, MAP_PRIVATE));
}

int
hat_load_file(void *addr, size_t len, unsigned prot, int flags, int fd,
    off_t offset)
{
	HAT_INJECT();
	return (hat_map_fixed(addr, len, (int)prot, flags, fd, offset));
}

int
hat_load_shm(void *addr, size_t len, int shmid, unsigned prot)
{
	int shmflg = (prot & PROT_WRITE) ? 0 : SHM_RDONLY;
	void *p;

	HAT_INJECT();
#ifdef SHM_REMAP
	p = shmat(shmid, addr, shmflg | SHM_REMAP);
#else
	/* Without SHM_REMAP the reservation must be lifted first. */
	if (munmap(addr, len) != 0)
		return (errno);
	p = shmat(shmid, addr, shmflg);
#endif
	if (p == (void *)-1) {
		int err = errno;
#ifndef SHM_REMAP
		hat_unload_nofail(addr, len);
#endif
		return (err);
	}
	(void) len;
	return (0);
}

int
hat_unload_shm(void *addr, size_t len)
{
	HAT_INJECT();
	if (shmdt(addr) != 0)
		return (errno);
	hat_unload_nofail(addr, len);
	return (0);
}

int
hat_unload(void *addr, size_t len)
{
	HAT_INJECT();
	return (hat_map_fixed(addr, len, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
}

void
hat_unload_nofail(void *addr, size_t len)
{
	void *p;

	p = mmap(addr, len, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	if (p != addr)
		abort();	/* the window would have a hole */
}

int
hat_chgprot(void *addr, size_t len, unsigned prot)
{
	HAT_INJECT();
	return (mprotect(addr, len, (int)prot) == 0 ? 0 : errno);
}

int
hat_sync(void *addr, size_t len, int flags)
{
	HAT_INJECT();
	return (msync(addr, len, flags) == 0 ? 0 : errno);
}

int
hat_lock(void *addr, size_t len)
{
	HAT_INJECT();
	return (mlock(addr, len) == 0 ? 0 : errno);
}

int
hat_unlock(void *addr, size_t len)
{
	return (munlock(addr, len) == 0 ? 0 : errno);
}

int
hat_advise(void *addr, size_t len, int advice)
{
	HAT_INJECT();
	return (madvise(addr, len, advice) == 0 ? 0 : errno);
}

int
hat_incore(void *addr, size_t len, unsigned char *vec)
{
	size_t i, npages = len / PAGESIZE;

	if (mincore(addr, len, vec) != 0)
		return (errno);
	for (i = 0; i < npages; i++)
		vec[i] &= 1;
	return (0);
}

int
hat_prefault(void *addr, size_t len, int write)
{
	volatile unsigned char *p = addr;
	size_t off;

	HAT_INJECT();
#ifdef MADV_POPULATE_READ
	if (madvise(addr, len, write ? MADV_POPULATE_WRITE :
	    MADV_POPULATE_READ) == 0)
		return (0);
	if (errno != EINVAL)
		return (errno);
#endif
	/* Older hosts: touch each page (caller checked protections). */
	for (off = 0; off < len; off += PAGESIZE) {
		if (write)
			p[off] = p[off];
		else
			(void) p[off];
	}
	return (0);
}
