/*
 * seg.c -- segment allocation, driver binding and the default ops.
 *
 * The defaults are what a driver gets for each op it leaves NULL: they
 * refuse with ENOTSUP (FC_NOSUPPORT for faults), so an op a driver does
 * not implement can never be mistaken for success.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

size_t
vm_pagesize(void)
{
	static _Atomic size_t pagesize;
	size_t ps = atomic_load_explicit(&pagesize, memory_order_relaxed);

	if (ps == 0) {
		long v = sysconf(_SC_PAGESIZE);

		ps = v > 0 ? (size_t)v : 4096;
		atomic_store_explicit(&pagesize, ps, memory_order_relaxed);
	}
	return (ps);
}

int
fc_to_errno(faultcode_t fc)
{
	switch (FC_CODE(fc)) {
	case 0:
		return (0);
	case FC_PROT:
		return (EACCES);
	case FC_NOMAP:
		return (EFAULT);
	case FC_ALIGN:
		return (EINVAL);
	case FC_NOSUPPORT:
		return (ENOTSUP);
	case FC_OBJERR:
		return (FC_ERRNO(fc) != 0 ? (int)FC_ERRNO(fc) : EIO);
	default:
		return (EIO);
	}
}

/* Default ops: each refuses. */

static int
seg_default_dup(struct seg *seg, struct seg *newseg)
{
	(void) seg, (void) newseg;
	return (ENOTSUP);
}

static int
seg_default_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	(void) seg, (void) addr, (void) len;
	return (ENOTSUP);
}

static void
seg_default_free(struct seg *seg)
{
	(void) seg;
}

static faultcode_t
seg_default_fault(struct seg *seg, caddr_t addr, size_t len,
    enum fault_type type, enum seg_rw rw)
{
	(void) seg, (void) addr, (void) len, (void) type, (void) rw;
	return (FC_NOSUPPORT);
}

static faultcode_t
seg_default_faulta(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (FC_NOSUPPORT);
}

static int
seg_default_range_op(struct seg *seg, caddr_t addr, size_t len,
    unsigned arg)
{
	(void) seg, (void) addr, (void) len, (void) arg;
	return (ENOTSUP);
}

static int
seg_default_range_intop(struct seg *seg, caddr_t addr, size_t len, int arg)
{
	(void) seg, (void) addr, (void) len, (void) arg;
	return (ENOTSUP);
}

static int
seg_default_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	(void) seg, (void) addr, (void) delta;
	return (-1);	/* never klusterable */
}

static int
seg_default_incore(struct seg *seg, caddr_t addr, size_t len,
    unsigned char *vec)
{
	(void) seg, (void) addr, (void) len, (void) vec;
	return (ENOTSUP);
}

static int
seg_default_getprot(struct seg *seg, caddr_t addr, size_t len,
    unsigned *protv)
{
	(void) seg, (void) addr, (void) len, (void) protv;
	return (ENOTSUP);
}

static uint64_t
seg_default_getoffset(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (0);
}

static int
seg_default_gettype(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (0);
}

static void
seg_default_dump(struct seg *seg, char *buf, size_t len)
{
	(void) snprintf(buf, len, "%s", seg->s_ops->name);
}

static int
seg_default_pagelock(struct seg *seg, caddr_t addr, size_t len, void ***ppp,
    enum lock_type type, enum seg_rw rw)
{
	(void) seg, (void) addr, (void) len, (void) ppp, (void) type,
	    (void) rw;
	return (ENOTSUP);
}

static int
seg_default_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg, (void) cap;
	return (0);
}

bool
seg_ops_can_unmap(const struct seg_ops *ops)
{
	return (ops->unmap != seg_default_unmap);
}

/*
 * Shared ops for drivers whose pages are plain host mappings: the host
 * does the work.  Errors are the host's.
 */
int
seg_hat_sync(struct seg *seg, caddr_t addr, size_t len, int flags)
{
	(void) seg;
	return (hat_sync(addr, len, flags));
}

int
seg_hat_incore(struct seg *seg, caddr_t addr, size_t len, unsigned char *vec)
{
	(void) seg;
	return (hat_incore(addr, len, vec));
}

int
seg_hat_lockop(struct seg *seg, caddr_t addr, size_t len, int op)
{
	(void) seg;
	if (op == MC_LOCK)
		return (hat_lock(addr, len));
	if (op == MC_UNLOCK)
		return (hat_unlock(addr, len));
	return (EINVAL);
}

int
seg_hat_advise(struct seg *seg, caddr_t addr, size_t len, int behav)
{
	(void) seg;
	return (hat_advise(addr, len, behav));
}

static pthread_mutex_t seg_ops_lock = PTHREAD_MUTEX_INITIALIZER;

void
seg_ops_register(struct seg_ops *ops)
{
	assert(ops->name != NULL);
	(void) pthread_mutex_lock(&seg_ops_lock);
	if (!ops->registered) {
#define	SEG_OPS_DEFAULT(op, fn)	if (ops->op == NULL) ops->op = fn
		SEG_OPS_DEFAULT(dup, seg_default_dup);
		SEG_OPS_DEFAULT(unmap, seg_default_unmap);
		SEG_OPS_DEFAULT(free, seg_default_free);
		SEG_OPS_DEFAULT(fault, seg_default_fault);
		SEG_OPS_DEFAULT(faulta, seg_default_faulta);
		SEG_OPS_DEFAULT(setprot, seg_default_range_op);
		SEG_OPS_DEFAULT(checkprot, seg_default_range_op);
		SEG_OPS_DEFAULT(kluster, seg_default_kluster);
		SEG_OPS_DEFAULT(sync, seg_default_range_intop);
		SEG_OPS_DEFAULT(incore, seg_default_incore);
		SEG_OPS_DEFAULT(lockop, seg_default_range_intop);
		SEG_OPS_DEFAULT(getprot, seg_default_getprot);
		SEG_OPS_DEFAULT(getoffset, seg_default_getoffset);
		SEG_OPS_DEFAULT(gettype, seg_default_gettype);
		SEG_OPS_DEFAULT(advise, seg_default_range_intop);
		SEG_OPS_DEFAULT(dump, seg_default_dump);
		SEG_OPS_DEFAULT(pagelock, seg_default_pagelock);
		SEG_OPS_DEFAULT(capable, seg_default_capable);
#undef SEG_OPS_DEFAULT
		ops->registered = true;
	}
	(void) pthread_mutex_unlock(&seg_ops_lock);
}

struct seg *
seg_alloc(struct as *as, caddr_t base, size_t size)
{
	struct seg *seg;

	assert(IS_P2ALIGNED(base, PAGESIZE) && IS_P2ALIGNED(size, PAGESIZE));
	assert(size > 0);
	seg = vm_zalloc(sizeof (*seg));
	if (seg == NULL)
		return (NULL);
	seg->s_base = base;
	seg->s_size = size;
	seg->s_as = as;
	(void) pthread_mutex_init(&seg->s_lock, NULL);
	avl_add(&as->a_segtree, seg);
	as_segtree_changed(as);
	return (seg);
}

void
seg_attach(struct seg *seg, const struct seg_ops *ops, void *data)
{
	assert(ops->registered);
	seg->s_ops = ops;
	seg->s_data = data;
}

void
seg_discard(struct seg *seg)
{
	struct as *as = seg->s_as;
	struct seg *expected = seg;

	avl_remove(&as->a_segtree, seg);
	(void) atomic_compare_exchange_strong(&as->a_seglast, &expected,
	    NULL);
	as_segtree_changed(as);
	(void) pthread_mutex_destroy(&seg->s_lock);
	vm_free(seg);
}

void
seg_free(struct seg *seg)
{
	if (seg->s_ops != NULL)
		segop_free(seg);
	seg_discard(seg);
}

/* Public accessors. */

void *
seg_base(const struct seg *seg)
{
	return (seg->s_base);
}

size_t
seg_size(const struct seg *seg)
{
	return (seg->s_size);
}

const char *
seg_opsname(const struct seg *seg)
{
	return (seg->s_ops != NULL ? seg->s_ops->name : "(unbound)");
}

void
seg_describe(struct seg *seg, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (seg->s_ops == NULL) {
		(void) snprintf(buf, len, "(unbound)");
		return;
	}
	segop_dump(seg, buf, len);
}
