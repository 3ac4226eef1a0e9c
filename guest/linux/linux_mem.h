/*
 * guest/linux/linux_mem.h -- guest memory as the Linux discovery readers
 * see it: one address space (physical memory, or the kernel image's
 * addresses) read through callbacks, and a translation callback for the
 * KASLR search.  linux_discover.c backs them with the guest handle; the
 * unit tests and fuzz targets back them with memory they build, so the
 * readers need no guest handle.
 *
 * Reads are all or nothing.  Scans are bounded by the range they are
 * given and by the space's end, skip what the space says cannot be read
 * (holes), and read in chunks, so a scan over memory with holes neither
 * stops at the first hole nor costs a call per byte.
 *
 * Errors: 0 or a positive errno: ENXIO (a hole), EFAULT (not mapped, or
 * beyond the space), EIO, EINVAL (a bad range).
 */
#ifndef PORTHOLE_GUEST_LINUX_MEM_H
#define PORTHOLE_GUEST_LINUX_MEM_H

#include <stddef.h>
#include <stdint.h>

#define	LK_PAGE_SIZE	4096u
#define	LK_SCAN_CHUNK	(1u << 20)	/* bytes a scan reads at once */

/*
 * An address space.
 *
 *	lm_read	copy len bytes at addr into buf: 0 or an errno.
 *	lm_skip	may be NULL: the first address >= addr that may be
 *		readable (addr itself when it may be), or lm_end when
 *		nothing at or after addr is.
 *	lm_end	one past the last address (0: the whole 64-bit space).
 */
struct lk_mem {
	int		(*lm_read)(void *arg, uint64_t addr, void *buf,
			    size_t len);
	uint64_t	(*lm_skip)(void *arg, uint64_t addr);
	void		*lm_arg;
	uint64_t	lm_end;
};

/*
 * A translation: lx_v2p(arg, va, &pa, &span) returns 0 with pa the
 * physical address of va and span the bytes from va to the end of its
 * page, or an errno with span the bytes from va that the walk found
 * unmapped (at least to the next 4 KiB boundary; more when a whole
 * table was missing).
 */
struct lk_v2p {
	int		(*lx_v2p)(void *arg, uint64_t va, uint64_t *pap,
			    uint64_t *spanp);
	void		*lx_arg;
};

/* Read len bytes at addr, checked against the space's end: 0 or errno. */
int	lk_mem_read(const struct lk_mem *m, uint64_t addr, void *buf,
	    size_t len);
/*
 * Read as much of len bytes at addr as can be read in one run, page by
 * page: the bytes read (0 when addr itself cannot be read).
 */
size_t	lk_mem_read_some(const struct lk_mem *m, uint64_t addr, void *buf,
	    size_t len);
/* Little-endian integers of 2, 4 or 8 bytes; a pointer of psize bytes. */
int	lk_mem_u16(const struct lk_mem *m, uint64_t addr, uint16_t *out);
int	lk_mem_u32(const struct lk_mem *m, uint64_t addr, uint32_t *out);
int	lk_mem_u64(const struct lk_mem *m, uint64_t addr, uint64_t *out);
int	lk_mem_ptr(const struct lk_mem *m, uint64_t addr, unsigned psize,
	    uint64_t *out);

/*
 * Call cb(arg, addr) for each address in [lo, hi) where the patlen bytes
 * of pat occur and addr % align == 0 (align 0 or 1: anywhere), in
 * ascending order.  A chunk that cannot be read is read page by page and
 * unreadable pages are passed over (an occurrence across one is not
 * seen).  cb returns 0 to go on, anything else to stop: returned.
 * Returns 0 at the end, or EINVAL (an empty pattern or range), ENOMEM.
 */
int	lk_mem_scan(const struct lk_mem *m, uint64_t lo, uint64_t hi,
	    const void *pat, size_t patlen, uint64_t align,
	    int (*cb)(void *arg, uint64_t addr), void *arg);

/*
 * The same for occurrences at the start of a 4 KiB page only, reading
 * patlen bytes per page (cheap over large memories).
 */
int	lk_mem_scan_pages(const struct lk_mem *m, uint64_t lo, uint64_t hi,
	    const void *pat, size_t patlen,
	    int (*cb)(void *arg, uint64_t addr), void *arg);

#endif /* PORTHOLE_GUEST_LINUX_MEM_H */
