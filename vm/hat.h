/*
 * hat.h -- host address translation: the only place the portable core
 * calls mmap, mprotect, munmap, shmat and their friends.
 *
 * Every driver loads and unloads host pages through these primitives
 * instead of calling mmap itself.  Loads always land at a fixed address
 * inside an address space's window (MAP_FIXED over our own reservation);
 * an unload puts a PROT_NONE reservation back, never a hole, so no other
 * mapping of the process can ever land inside the window.
 *
 * Errors: 0 or a positive errno.  Every call except hat_unload_nofail may
 * be failed by fault injection (inject.h, site VM_INJECT_HAT).
 */
#ifndef PORTHOLE_VM_HAT_H
#define PORTHOLE_VM_HAT_H

#include <stddef.h>
#include <sys/types.h>

/* Reserve len bytes anywhere: PROT_NONE, no swap reservation. */
int	hat_reserve(size_t len, void **basep);
/* Give a whole reservation back to the host (as_free only). */
void	hat_release(void *base, size_t len);

/* Anonymous memory; flags is MAP_SHARED or MAP_PRIVATE. */
int	hat_load_anon(void *addr, size_t len, unsigned prot, int flags);
/*
 * Zero pages: private anonymous memory with prot (PROT_READ or PROT_NONE,
 * never writable), so the host backs every page read with its one shared
 * zero page and a hole of any size costs page tables only.  What seg_nf
 * is made of, and what seg_kpm, seg_map and seg_mf put over holes.
 */
int	hat_load_zero(void *addr, size_t len, unsigned prot);
/* File or device pages; flags is MAP_SHARED or MAP_PRIVATE. */
int	hat_load_file(void *addr, size_t len, unsigned prot, int flags, int fd,
	    off_t offset);
/* A System V shared-memory segment (shmat at addr). */
int	hat_load_shm(void *addr, size_t len, int shmid, unsigned prot);
/* Detach a System V segment loaded by hat_load_shm and re-reserve. */
int	hat_unload_shm(void *addr, size_t len);

/* Back to a PROT_NONE reservation. */
int	hat_unload(void *addr, size_t len);
/* The same for rollback and teardown paths: never injected; aborts on a
 * host failure, since the window would otherwise have a hole. */
void	hat_unload_nofail(void *addr, size_t len);

int	hat_chgprot(void *addr, size_t len, unsigned prot);
int	hat_sync(void *addr, size_t len, int flags);
int	hat_lock(void *addr, size_t len);
int	hat_unlock(void *addr, size_t len);
int	hat_advise(void *addr, size_t len, int advice);
/* One byte per page: 1 when resident. */
int	hat_incore(void *addr, size_t len, unsigned char *vec);
/* Touch each page so that it is resident (read, or write when write).
 * The caller has checked that the access is allowed on every page. */
int	hat_prefault(void *addr, size_t len, int write);

#endif /* PORTHOLE_VM_HAT_H */
