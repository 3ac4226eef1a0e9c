/*
 * seg.h -- segments and the segment-driver ops vector.
 *
 * A segment is a page-aligned range of an address space's window run by
 * one driver.  The driver binds itself in its create function by setting
 * s_ops and s_data (seg_attach).  Every operation is dispatched through a
 * typed inline function (segop_fault(seg, ...)); the ops vector is
 * registered once (seg_ops_register), which fills each entry the driver
 * left NULL with a default that fails with ENOTSUP, so a missing op never
 * reports success and dispatch never tests for NULL.
 *
 * Invariants (checked by as_verify):
 *	s_base and s_size are page aligned, s_size > 0;
 *	[s_base, s_base + s_size) lies inside s_as's window;
 *	s_ops is registered.
 *
 * Locking: s_base, s_size and membership in the segtree change only under
 * the address-space lock held as writer.  s_lock guards the driver's
 * private state (s_data) against concurrent faults, which run with the
 * address-space lock held as reader.  Lock order: a_lock, then s_lock.
 *
 * Error conventions inside the core: ops return 0 or a positive errno;
 * fault ops return a faultcode_t (0 or an FC_* code).  Never -1/errno.
 */
#ifndef PORTHOLE_VM_SEG_H
#define PORTHOLE_VM_SEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/types.h>	/* caddr_t */

#include <porthole/as.h>
#include "vm/avl.h"

#define	PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC)

/*
 * Fault codes.  The low byte says what kind of failure; FC_OBJERR carries
 * an errno in the upper bits.
 */
typedef int faultcode_t;
#define	FC_HWERR	0x1	/* hardware (host) error */
#define	FC_ALIGN	0x2	/* misaligned access */
#define	FC_OBJERR	0x3	/* the backing object failed; see FC_ERRNO */
#define	FC_PROT		0x4	/* protection violation */
#define	FC_NOMAP	0x5	/* no mapping at the address */
#define	FC_NOSUPPORT	0x6	/* the driver cannot do this */
#define	FC_MAKE_ERR(e)	(((e) << 8) | FC_OBJERR)
#define	FC_CODE(fc)	((fc) & 0xff)
#define	FC_ERRNO(fc)	((unsigned)(fc) >> 8)

/* The errno a fault code stands for. */
int	fc_to_errno(faultcode_t fc);

/* lockop operations. */
#define	MC_LOCK		1
#define	MC_UNLOCK	2

/* capable() questions. */
typedef enum {
	S_CAPABILITY_NOMINFLT,	/* faults never block on I/O */
	S_CAPABILITY_PARTIAL_UNMAP /* may be trimmed or split by unmap */
} segcapability_t;

/* pagelock operations. */
enum lock_type {
	L_PAGELOCK,
	L_PAGEUNLOCK
};

struct seg;

struct seg_ops {
	const char	*name;		/* "segvn_ops": shown by the segtree */
	bool		registered;	/* set by seg_ops_register */
	/* Copy seg into newseg (same range in another address space). */
	int		(*dup)(struct seg *seg, struct seg *newseg);
	/* Unmap part or all of seg; may trim, split or free it. */
	int		(*unmap)(struct seg *seg, caddr_t addr, size_t len);
	/* Release private data; the segment is already out of the tree. */
	void		(*free)(struct seg *seg);
	faultcode_t	(*fault)(struct seg *seg, caddr_t addr, size_t len,
			    enum fault_type type, enum seg_rw rw);
	/* Start an asynchronous fault-ahead of the page at addr. */
	faultcode_t	(*faulta)(struct seg *seg, caddr_t addr);
	int		(*setprot)(struct seg *seg, caddr_t addr, size_t len,
			    unsigned prot);
	int		(*checkprot)(struct seg *seg, caddr_t addr, size_t len,
			    unsigned prot);
	/* 0 when the page at addr + delta can share a fault batch with addr. */
	int		(*kluster)(struct seg *seg, caddr_t addr, ssize_t delta);
	int		(*sync)(struct seg *seg, caddr_t addr, size_t len,
			    int flags);
	/* One byte per page into vec: 1 when resident. */
	int		(*incore)(struct seg *seg, caddr_t addr, size_t len,
			    unsigned char *vec);
	int		(*lockop)(struct seg *seg, caddr_t addr, size_t len,
			    int op);
	/* One PROT_* value per page into protv. */
	int		(*getprot)(struct seg *seg, caddr_t addr, size_t len,
			    unsigned *protv);
	/* Offset of addr in the backing object. */
	uint64_t	(*getoffset)(struct seg *seg, caddr_t addr);
	/* MAP_SHARED or MAP_PRIVATE, or 0 when neither applies. */
	int		(*gettype)(struct seg *seg, caddr_t addr);
	int		(*advise)(struct seg *seg, caddr_t addr, size_t len,
			    int behav);
	/* Describe the segment in one line (no newline). */
	void		(*dump)(struct seg *seg, char *buf, size_t len);
	int		(*pagelock)(struct seg *seg, caddr_t addr, size_t len,
			    void ***ppp, enum lock_type type, enum seg_rw rw);
	/* Non-zero when the driver has the capability. */
	int		(*capable)(struct seg *seg, segcapability_t cap);
};

struct seg {
	avl_node_t		s_tree;		/* a_segtree linkage */
	caddr_t			s_base;		/* first byte */
	size_t			s_size;		/* bytes, page multiple */
	struct as		*s_as;		/* owner */
	const struct seg_ops	*s_ops;		/* driver; set by create */
	void			*s_data;	/* driver private data */
	pthread_mutex_t		s_lock;		/* guards s_data */
};

/*
 * Fill the NULL entries of ops with defaults that fail with ENOTSUP.
 * Idempotent and thread safe; drivers call it from their create function.
 */
void	seg_ops_register(struct seg_ops *ops);

/*
 * Ops for drivers whose pages are plain host mappings (msync, mincore,
 * mlock/munlock, madvise through the hat): put them in the ops vector.
 */
int	seg_hat_sync(struct seg *seg, caddr_t addr, size_t len, int flags);
int	seg_hat_incore(struct seg *seg, caddr_t addr, size_t len,
	    unsigned char *vec);
int	seg_hat_lockop(struct seg *seg, caddr_t addr, size_t len, int op);
int	seg_hat_advise(struct seg *seg, caddr_t addr, size_t len, int behav);

/* False when the driver left unmap to the default (it cannot unmap). */
bool	seg_ops_can_unmap(const struct seg_ops *ops);

/*
 * Allocate a segment over [base, base + size) and insert it into as's
 * segtree.  The caller holds the address-space lock as writer and has
 * checked the range is free.  Returns NULL with errno ENOMEM.
 */
struct seg	*seg_alloc(struct as *as, caddr_t base, size_t size);
/* Bind a driver to seg: called by the create function. */
void	seg_attach(struct seg *seg, const struct seg_ops *ops, void *data);
/*
 * Remove seg from its address space's segtree, call the driver's free op
 * and release it.  The caller holds the address-space lock as writer.
 */
void	seg_free(struct seg *seg);
/* Remove from the tree and release, without calling the driver. */
void	seg_discard(struct seg *seg);

/* Page size of the host, cached. */
size_t	vm_pagesize(void);
#define	PAGESIZE	(vm_pagesize())
#define	PAGEOFFSET	(PAGESIZE - 1)
#define	PAGEMASK	(~(uintptr_t)PAGEOFFSET)
#define	P2ALIGN(x, a)	((uintptr_t)(x) & -(uintptr_t)(a))
#define	P2ROUNDUP(x, a)	(-(-(uintptr_t)(x) & -(uintptr_t)(a)))
#define	IS_P2ALIGNED(x, a) ((((uintptr_t)(x)) & ((uintptr_t)(a) - 1)) == 0)
#define	btop(x)		((size_t)(x) / PAGESIZE)
#define	ptob(x)		((size_t)(x) * PAGESIZE)

/* Typed dispatch. */
static inline int
segop_dup(struct seg *seg, struct seg *newseg)
{
	return (seg->s_ops->dup(seg, newseg));
}

static inline int
segop_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	return (seg->s_ops->unmap(seg, addr, len));
}

static inline void
segop_free(struct seg *seg)
{
	seg->s_ops->free(seg);
}

static inline faultcode_t
segop_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	return (seg->s_ops->fault(seg, addr, len, type, rw));
}

static inline faultcode_t
segop_faulta(struct seg *seg, caddr_t addr)
{
	return (seg->s_ops->faulta(seg, addr));
}

static inline int
segop_setprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (seg->s_ops->setprot(seg, addr, len, prot));
}

static inline int
segop_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (seg->s_ops->checkprot(seg, addr, len, prot));
}

static inline int
segop_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	return (seg->s_ops->kluster(seg, addr, delta));
}

static inline int
segop_sync(struct seg *seg, caddr_t addr, size_t len, int flags)
{
	return (seg->s_ops->sync(seg, addr, len, flags));
}

static inline int
segop_incore(struct seg *seg, caddr_t addr, size_t len, unsigned char *vec)
{
	return (seg->s_ops->incore(seg, addr, len, vec));
}

static inline int
segop_lockop(struct seg *seg, caddr_t addr, size_t len, int op)
{
	return (seg->s_ops->lockop(seg, addr, len, op));
}

static inline int
segop_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	return (seg->s_ops->getprot(seg, addr, len, protv));
}

static inline uint64_t
segop_getoffset(struct seg *seg, caddr_t addr)
{
	return (seg->s_ops->getoffset(seg, addr));
}

static inline int
segop_gettype(struct seg *seg, caddr_t addr)
{
	return (seg->s_ops->gettype(seg, addr));
}

static inline int
segop_advise(struct seg *seg, caddr_t addr, size_t len, int behav)
{
	return (seg->s_ops->advise(seg, addr, len, behav));
}

static inline void
segop_dump(struct seg *seg, char *buf, size_t len)
{
	seg->s_ops->dump(seg, buf, len);
}

static inline int
segop_pagelock(struct seg *seg, caddr_t addr, size_t len, void ***ppp,
    enum lock_type type, enum seg_rw rw)
{
	return (seg->s_ops->pagelock(seg, addr, len, ppp, type, rw));
}

static inline int
segop_capable(struct seg *seg, segcapability_t cap)
{
	return (seg->s_ops->capable(seg, cap));
}

#endif /* PORTHOLE_VM_SEG_H */
