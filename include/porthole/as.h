/*
 * porthole/as.h -- the address space: a window of the process's virtual
 * memory, handed out to segments run by segment drivers.
 *
 * An address space reserves one contiguous window (PROT_NONE, no swap
 * reservation) when it is allocated.  Every page of the window is either
 * reserved or belongs to exactly one segment.  Segments are created with
 * as_map(as, addr, len, create_function, create_args), as in illumos:
 * the create function (segvn_create, ...) binds a driver to the segment.
 *
 * Errors: every call returns -1 (or NULL) and sets errno, except where a
 * function says otherwise.  Copies (as_read/as_write) return the number of
 * bytes copied and the errno of the first page that could not be copied.
 *
 * Threads: every call is safe to make from several threads.  as_findseg and
 * as_segat return a segment that stays valid only while the caller holds
 * the address-space lock (as_enter/as_exit).
 */
#ifndef PORTHOLE_AS_H
#define PORTHOLE_AS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <porthole/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct as;
struct seg;

/* A driver's create function: binds ops and private data to seg. */
typedef int (*seg_create_fn)(struct seg *seg, void *create_args);

/* as_fault: what to do with the range. */
enum fault_type {
	F_INVAL,	/* fault the pages in */
	F_SOFTLOCK,	/* fault in and pin against unmap and eviction */
	F_SOFTUNLOCK	/* drop one pin taken by F_SOFTLOCK */
};

/* as_fault: the access being made. */
enum seg_rw {
	S_OTHER,
	S_READ,
	S_WRITE,
	S_EXEC
};

/* as_gap flags. */
#define	AS_GAP_LOW	0x0	/* first fit: lowest suitable address */
#define	AS_GAP_HIGH	0x1	/* last fit: highest suitable address */

/* as_ctl operations. */
enum as_ctl_op {
	AS_CTL_SYNC,	/* arg: MS_SYNC / MS_ASYNC / MS_INVALIDATE */
	AS_CTL_LOCK,	/* lock pages in memory (mlock); arg unused */
	AS_CTL_UNLOCK,	/* undo AS_CTL_LOCK; arg unused */
	AS_CTL_ADVISE	/* arg: an madvise() advice */
};

/* as_enter modes. */
#define	AS_READER	0
#define	AS_WRITER	1

/*
 * Allocate an address space with a window of window_size bytes (rounded up
 * to the page size); 0 picks AS_DEFAULT_WINDOW for the host.
 */
PH_EXPORT struct as *as_alloc(size_t window_size);
/* Unmap every segment and release the window.  NULL is allowed. */
PH_EXPORT void as_free(struct as *as);

PH_EXPORT void *as_window_base(const struct as *as);
PH_EXPORT size_t as_window_size(const struct as *as);
PH_EXPORT size_t as_nsegs(struct as *as);

/*
 * Create a segment over [addr, addr + len) with create_fn.  addr and len
 * must be page aligned, len > 0, the range inside the window and free.
 * Errors: EINVAL (alignment, zero length), ENOMEM (outside the window),
 * EEXIST (overlapping a segment), and whatever the driver's create reports.
 */
PH_EXPORT int as_map(struct as *as, void *addr, size_t len,
    seg_create_fn create_fn, void *create_args);

/*
 * Unmap [addr, addr + len).  Segments wholly inside go; segments that
 * straddle an end are trimmed or split where the driver allows it.
 * Nothing is changed when a segment cannot be unmapped, trimmed or split
 * (ENOTSUP).
 * A segment with pages pinned by F_SOFTLOCK refuses with EBUSY; segments
 * below it in the range are unmapped by then.  Unmapped pages inside the
 * range are fine.  Errors: EINVAL (alignment, zero length, outside the
 * window), ENOTSUP, EBUSY, or the driver's error.
 */
PH_EXPORT int as_unmap(struct as *as, void *addr, size_t len);

/*
 * Find a free range of len bytes aligned to align (a power of two, at
 * least the page size; 0 means the page size).  AS_GAP_LOW returns the
 * lowest such range, AS_GAP_HIGH the highest.  ENOMEM when none fits.
 */
PH_EXPORT int as_gap(struct as *as, size_t len, size_t align, int flags,
    void **addrp);

/* Take and drop the address-space lock (see as_findseg). */
PH_EXPORT void as_enter(struct as *as, int mode);
PH_EXPORT void as_exit(struct as *as);

/*
 * The segment containing addr, or (tail != 0) the first segment above addr
 * when none contains it; NULL when there is none.  The caller holds the
 * address-space lock.
 */
PH_EXPORT struct seg *as_findseg(struct as *as, const void *addr, int tail);
/* The segment containing addr or NULL.  The caller holds the lock. */
PH_EXPORT struct seg *as_segat(struct as *as, const void *addr);

/*
 * Fault the range in (F_INVAL), pin it (F_SOFTLOCK) or unpin it
 * (F_SOFTUNLOCK) for the access rw.  A failed F_SOFTLOCK leaves nothing
 * pinned.  Errors: EFAULT (a page of the range has no segment), EACCES
 * (the access is not allowed), or the driver's error.
 */
PH_EXPORT int as_fault(struct as *as, void *addr, size_t len,
    enum fault_type type, enum seg_rw rw);

/*
 * Set the protection of every page; the range must be fully mapped
 * (ENOMEM before anything changes).  Each segment applies it all or
 * nothing; when a segment refuses (EACCES above its maximum protection),
 * the segments below it in the range keep the new protection.
 */
PH_EXPORT int as_setprot(struct as *as, void *addr, size_t len,
    unsigned prot);
/* 0 when every page allows prot, else -1/EACCES (ENOMEM for a hole). */
PH_EXPORT int as_checkprot(struct as *as, void *addr, size_t len,
    unsigned prot);

PH_EXPORT int as_ctl(struct as *as, void *addr, size_t len,
    enum as_ctl_op op, int arg);

/*
 * One byte per page of the range in vec: 1 when the page is really
 * resident in the host, 0 otherwise.  ENOMEM for a range with holes.
 */
PH_EXPORT int as_incore(struct as *as, void *addr, size_t len,
    unsigned char *vec);

/*
 * Copy len bytes from the window at addr into buf (as_read) or from buf
 * into the window (as_write), faulting pages in first.  Returns the number
 * of bytes copied before the first page that could not be copied; *errp
 * (when not NULL) is set to 0 or to that page's errno.
 */
PH_EXPORT size_t as_read(struct as *as, const void *addr, void *buf,
    size_t len, int *errp);
PH_EXPORT size_t as_write(struct as *as, void *addr, const void *buf,
    size_t len, int *errp);

/*
 * A new address space with a copy of every segment at the same offset in
 * its own window (the driver's dup op: shared file segments share the
 * file, private ones get a copy).  NULL with errno (ENOTSUP when a driver
 * cannot duplicate its segment) and nothing left behind on failure.
 */
PH_EXPORT struct as *as_dup(struct as *as);

/*
 * Call cb for each segment in address order, under the address-space lock
 * (taken as reader: cb must not map or unmap).  A non-zero return from cb
 * stops the walk and is returned.
 */
PH_EXPORT int as_walk(struct as *as, int (*cb)(struct seg *, void *),
    void *arg);

/*
 * Check every invariant of the address space: segtree order and balance,
 * segments inside the window, page aligned, not overlapping, each bound to
 * registered ops.  0 when sound; otherwise -1/EINVAL with a reason in why.
 */
PH_EXPORT int as_verify(struct as *as, char *why, size_t whylen);

/* Segment accessors, valid while the segment is. */
PH_EXPORT void *seg_base(const struct seg *seg);
PH_EXPORT size_t seg_size(const struct seg *seg);
/* The driver's ops name, e.g. "segvn_ops". */
PH_EXPORT const char *seg_opsname(const struct seg *seg);
/* One line describing the segment (the driver's dump op). */
PH_EXPORT void seg_describe(struct seg *seg, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_AS_H */
