/*
 * seg_kp.c -- buffers and stacks with red zones (see <porthole/seg_kp.h>).
 *
 * Purpose: memory for code that must not corrupt its neighbours when it
 * goes wrong -- parsers of untrusted guest data and worker stacks.  A kp
 * segment is [guard_before][usable][guard_after]; the guards are never
 * loaded (they stay the window's PROT_NONE reservation), so a direct
 * overrun or underrun takes a host SIGSEGV at the first byte past either
 * end, and an access through the address space (as_read, as_write,
 * as_fault) fails with FC_PROT / EACCES.  The usable pages are anonymous
 * memory, or a shared mapping of a caller-supplied file so that a large
 * buffer can be paged out to it.
 *
 * Protections: the usable pages may be PROT_NONE, PROT_READ or
 * PROT_READ|PROT_WRITE, per page (kp_prot is per page from create on,
 * one byte per page of the whole segment, guards included and always 0;
 * see vm/seg_prot.c).  Guards cannot be opened:
 * a setprot other than PROT_NONE over a guard is EACCES.
 *
 * Non-goals: executable stacks (PROT_EXEC is EACCES), growing a stack,
 * sharing a buffer across address spaces: dup makes an anonymous copy of
 * the usable pages, even of a file-backed buffer.
 *
 * Ops that refuse:
 *	unmap of part	ENOTSUP, and capable(PARTIAL_UNMAP) says no: a trim
 *			or split would leave a buffer without a red zone.
 *	dup		ENOTSUP when a usable page is not readable (there is
 *			no way to copy it without changing its protection).
 *	pagelock	ENOTSUP (the default): copies pin with F_SOFTLOCK.
 * getoffset returns UINT64_MAX for a guard page (no backing at all), else
 * the offset in the backing file (file) or in the buffer (anonymous).
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <porthole/seg_kp.h>
#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/seg_prot.h"
#include "vm/vm_alloc.h"

/* Usable pages are never executable. */
#define	SEGKP_MAXPROT	(PROT_READ | PROT_WRITE)

struct segkp_data {
	size_t		kp_before;	/* guard pages below the buffer */
	size_t		kp_after;	/* guard pages above it */
	int		kp_fd;		/* backing file, or -1: anonymous */
	off_t		kp_offset;	/* file offset of the first usable page */
	struct seg_prot	kp_prot;	/* per page; guards PROT_NONE */
	atomic_size_t	kp_softlockcnt;	/* pages pinned by F_SOFTLOCK */
};

static struct seg_ops segkp_ops;

static inline struct segkp_data *
segkp_data(const struct seg *seg)
{
	return (seg->s_data);
}

/* The usable range: [*lop, *hip). */
static void
segkp_usable(const struct seg *seg, caddr_t *lop, caddr_t *hip)
{
	const struct segkp_data *kp = segkp_data(seg);

	*lop = seg->s_base + ptob(kp->kp_before);
	*hip = seg->s_base + seg->s_size - ptob(kp->kp_after);
}

/* True when [addr, addr + len) touches a guard page. */
static bool
segkp_touches_guard(const struct seg *seg, caddr_t addr, size_t len)
{
	caddr_t lo, hi;

	segkp_usable(seg, &lo, &hi);
	return (addr < lo || addr + len > hi);
}

/*
 * Clip [*addrp, *addrp + *lenp) to the usable range; false when nothing
 * of it is usable.
 */
static bool
segkp_clip(const struct seg *seg, caddr_t *addrp, size_t *lenp)
{
	caddr_t lo, hi, a = *addrp, e = *addrp + *lenp;

	segkp_usable(seg, &lo, &hi);
	if (a < lo)
		a = lo;
	if (e > hi)
		e = hi;
	if (a >= e)
		return (false);
	*addrp = a;
	*lenp = (size_t)(e - a);
	return (true);
}

static void
segkp_data_free(struct segkp_data *kp)
{
	if (kp == NULL)
		return;
	if (kp->kp_fd >= 0)
		(void) close(kp->kp_fd);
	segprot_fini(&kp->kp_prot);
	vm_free(kp);
}

size_t
segkp_len(const struct segkp_crargs *a)
{
	size_t before, after;

	if (a == NULL)
		return (0);
	before = a->guard_before != 0 ? a->guard_before : 1;
	after = a->guard_after != 0 ? a->guard_after : 1;
	return (ptob(before + after) + P2ROUNDUP(a->size, PAGESIZE));
}

void *
segkp_buffer(struct seg *seg, size_t *sizep)
{
	caddr_t lo, hi;

	if (seg == NULL || seg->s_ops != &segkp_ops) {
		errno = EINVAL;
		return (NULL);
	}
	segkp_usable(seg, &lo, &hi);
	if (sizep != NULL)
		*sizep = (size_t)(hi - lo);
	return (lo);
}

/*
 * Check a file for backing len bytes at offset, growing it when short.
 * Returns 0 or an errno.
 */
static int
segkp_check_file(int fd, off_t offset, size_t len)
{
	struct stat st;
	int fl;

	if (offset < 0 || !IS_P2ALIGNED(offset, PAGESIZE))
		return (EINVAL);
	if ((fl = fcntl(fd, F_GETFL)) < 0)
		return (errno);
	if ((fl & O_ACCMODE) != O_RDWR)
		return (EACCES);
	if (fstat(fd, &st) != 0)
		return (errno);
	if (!S_ISREG(st.st_mode))
		return (EINVAL);
	if (len > (uint64_t)INT64_MAX - (uint64_t)offset)
		return (EINVAL);
	if (st.st_size < offset + (off_t)len &&
	    ftruncate(fd, offset + (off_t)len) != 0)
		return (errno);
	return (0);
}

int
segkp_create(struct seg *seg, void *create_args)
{
	const struct segkp_crargs *a = create_args;
	struct segkp_data *kp;
	size_t before, after, npages = btop(seg->s_size), usable;
	caddr_t lo;
	int err;

	seg_ops_register(&segkp_ops);
	if (a == NULL || (a->prot & ~PROT_ALL) != 0)
		return (EINVAL);
	if ((a->prot & ~SEGKP_MAXPROT) != 0)
		return (EACCES);
	before = a->guard_before != 0 ? a->guard_before : 1;
	after = a->guard_after != 0 ? a->guard_after : 1;
	if (before >= npages || after >= npages - before)
		return (EINVAL);	/* no usable page left */
	usable = ptob(npages - before - after);
	if (a->size != 0 && a->size != usable)
		return (EINVAL);
	if (a->fd >= 0 && (err = segkp_check_file(a->fd, a->offset,
	    usable)) != 0)
		return (err);

	if ((kp = vm_zalloc(sizeof (*kp))) == NULL)
		return (ENOMEM);
	kp->kp_fd = -1;
	kp->kp_before = before;
	kp->kp_after = after;
	kp->kp_offset = a->fd >= 0 ? a->offset : 0;
	/* All PROT_NONE, then the usable pages get prot. */
	segprot_init(&kp->kp_prot, PROT_NONE, SEGKP_MAXPROT);
	if ((err = segprot_make_per_page(&kp->kp_prot, npages)) != 0)
		goto fail;
	memset(kp->kp_prot.pr_vprot + before, (int)a->prot, btop(usable));
	if (a->fd >= 0 &&
	    (kp->kp_fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		err = errno;
		goto fail;
	}
	/* The guards stay the window's PROT_NONE reservation. */
	lo = seg->s_base + ptob(before);
	if (kp->kp_fd >= 0)
		err = hat_load_file(lo, usable, a->prot, MAP_SHARED, kp->kp_fd,
		    kp->kp_offset);
	else
		err = hat_load_anon(lo, usable, a->prot, MAP_PRIVATE);
	if (err != 0) {
		/* A failed fixed map may have dropped the reservation
		 * already (the host unmaps before the object can refuse):
		 * put it back. */
		hat_unload_nofail(lo, usable);
		goto fail;
	}
	seg_attach(seg, &segkp_ops, kp);
	return (0);
fail:
	segkp_data_free(kp);
	return (err);
}

static void
segkp_free(struct seg *seg)
{
	segkp_data_free(segkp_data(seg));
	seg->s_data = NULL;
}

/* Whole segments only: a trim or split would lose a red zone. */
static int
segkp_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	struct segkp_data *kp = segkp_data(seg);
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size && len > 0);
	if (addr != seg->s_base || len != seg->s_size)
		return (ENOTSUP);
	if (atomic_load(&kp->kp_softlockcnt) != 0)
		return (EBUSY);
	if ((err = hat_unload(addr, len)) != 0)
		return (err);
	seg_free(seg);
	return (0);
}

/* True when every page of the range allows need. */
static bool
segkp_allows(const struct seg *seg, caddr_t addr, size_t len, unsigned need)
{
	return (segprot_allows(seg, &segkp_data(seg)->kp_prot, addr, len,
	    need));
}

/*
 * A guard page always faults with FC_PROT, whatever the access; a usable
 * page faults when its protection refuses the access.  F_INVAL prefaults
 * (readable pages only), F_SOFTLOCK pins against unmap.
 */
static faultcode_t
segkp_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segkp_data *kp = segkp_data(seg);
	size_t npages = btop(len);
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size);
	if (type == F_SOFTUNLOCK) {
		size_t old = atomic_fetch_sub(&kp->kp_softlockcnt, npages);

		assert(old >= npages);
		(void) old;
		return (0);
	}
	if (segkp_touches_guard(seg, addr, len))
		return (FC_PROT);
	if (!segkp_allows(seg, addr, len, segprot_needed(rw)))
		return (FC_PROT);
	if (type == F_INVAL) {
		if (!segkp_allows(seg, addr, len, PROT_READ))
			return (0);
		err = hat_prefault(addr, len, rw == S_WRITE);
		return (err != 0 ? FC_MAKE_ERR(err) : 0);
	}
	(void) atomic_fetch_add(&kp->kp_softlockcnt, npages);
	return (0);
}

static faultcode_t
segkp_faulta(struct seg *seg, caddr_t addr)
{
	caddr_t page = (caddr_t)P2ALIGN(addr, PAGESIZE);
	size_t len = PAGESIZE;
	int err;

	if (!segkp_clip(seg, &page, &len))
		return (FC_PROT);
	err = hat_advise(page, len, MADV_WILLNEED);
	return (err != 0 ? FC_MAKE_ERR(err) : 0);
}

/*
 * Guards stay PROT_NONE: asking for anything else over one is EACCES;
 * PROT_NONE over a range with guards applies to its usable part.
 */
static int
segkp_setprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	struct seg_prot *sp = &segkp_data(seg)->kp_prot;

	if ((prot & ~PROT_ALL) != 0)
		return (EINVAL);
	if ((prot & ~sp->pr_maxprot) != 0)
		return (EACCES);
	if (prot != PROT_NONE && segkp_touches_guard(seg, addr, len))
		return (EACCES);
	if (!segkp_clip(seg, &addr, &len))
		return (0);
	/* Never the whole segment (guards are clipped off): stays per page. */
	return (segprot_set(seg, sp, addr, len, prot));
}

static int
segkp_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_check(seg, &segkp_data(seg)->kp_prot, addr, len,
	    prot));
}

static int
segkp_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	segprot_get(seg, &segkp_data(seg)->kp_prot, addr, len, protv);
	return (0);
}

/* Usable pages of the same protection kluster; guards never do. */
static int
segkp_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	caddr_t target = addr + delta;

	if (target < seg->s_base || target >= seg->s_base + seg->s_size ||
	    segkp_touches_guard(seg, addr, 1) ||
	    segkp_touches_guard(seg, target, 1))
		return (-1);
	return (segprot_kluster(seg, &segkp_data(seg)->kp_prot, addr, delta));
}

static int
segkp_sync(struct seg *seg, caddr_t addr, size_t len, int flags)
{
	if (!segkp_clip(seg, &addr, &len))
		return (0);
	return (hat_sync(addr, len, flags));
}

static int
segkp_lockop(struct seg *seg, caddr_t addr, size_t len, int op)
{
	if (op != MC_LOCK && op != MC_UNLOCK)
		return (EINVAL);
	if (!segkp_clip(seg, &addr, &len))
		return (0);
	return (op == MC_LOCK ? hat_lock(addr, len) : hat_unlock(addr, len));
}

static uint64_t
segkp_getoffset(struct seg *seg, caddr_t addr)
{
	const struct segkp_data *kp = segkp_data(seg);
	caddr_t lo, hi;

	segkp_usable(seg, &lo, &hi);
	if (addr < lo || addr >= hi)
		return (UINT64_MAX);
	return ((uint64_t)kp->kp_offset + (uint64_t)(addr - lo));
}

static int
segkp_gettype(struct seg *seg, caddr_t addr)
{
	(void) addr;
	return (segkp_data(seg)->kp_fd >= 0 ? MAP_SHARED : MAP_PRIVATE);
}

static int
segkp_advise(struct seg *seg, caddr_t addr, size_t len, int behav)
{
	if (!segkp_clip(seg, &addr, &len))
		return (0);
	return (hat_advise(addr, len, behav));
}

static void
segkp_dump(struct seg *seg, char *buf, size_t len)
{
	const struct segkp_data *kp = segkp_data(seg);
	unsigned p = segprot_at(&kp->kp_prot, kp->kp_before);
	size_t i, usable = btop(seg->s_size) - kp->kp_before - kp->kp_after;
	bool uniform = true;
	char off[40] = "";

	for (i = kp->kp_before; i < kp->kp_before + usable; i++)
		uniform = uniform && segprot_at(&kp->kp_prot, i) == p;
	if (kp->kp_fd >= 0)
		(void) snprintf(off, sizeof (off), " off=%#llx",
		    (unsigned long long)kp->kp_offset);
	(void) snprintf(buf, len, "kp %s%s %s%s- %zu page%s guard %zu+%zu%s",
	    kp->kp_fd >= 0 ? "file" : "anon", off,
	    (p & PROT_READ) ? "r" : "-", (p & PROT_WRITE) ? "w" : "-",
	    usable, usable == 1 ? "" : "s", kp->kp_before, kp->kp_after,
	    uniform ? "" : " (per-page prot)");
}

static int
segkp_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg, (void) cap;
	return (0);
}

/*
 * The copy is anonymous, with the same guards and protections and a copy
 * of the usable pages (which must all be readable).
 */
static int
segkp_dup(struct seg *seg, struct seg *newseg)
{
	struct segkp_data *kp = segkp_data(seg), *nkp;
	caddr_t lo, hi, nlo;
	int err;

	segkp_usable(seg, &lo, &hi);
	if (!segkp_allows(seg, lo, (size_t)(hi - lo), PROT_READ))
		return (ENOTSUP);
	if ((nkp = vm_zalloc(sizeof (*nkp))) == NULL)
		return (ENOMEM);
	nkp->kp_fd = -1;
	nkp->kp_before = kp->kp_before;
	nkp->kp_after = kp->kp_after;
	if (segprot_clone_range(&nkp->kp_prot, &kp->kp_prot, 0,
	    btop(seg->s_size)) != 0) {
		segkp_data_free(nkp);
		return (ENOMEM);
	}
	nlo = newseg->s_base + (lo - seg->s_base);
	if ((err = hat_load_anon(nlo, (size_t)(hi - lo),
	    PROT_READ | PROT_WRITE, MAP_PRIVATE)) != 0) {
		hat_unload_nofail(nlo, (size_t)(hi - lo));
		segkp_data_free(nkp);
		return (err);
	}
	memcpy(nlo, lo, (size_t)(hi - lo));
	if ((err = segprot_apply(newseg, &nkp->kp_prot, nlo, (size_t)(hi - lo),
	    PROT_READ | PROT_WRITE)) != 0) {
		hat_unload_nofail(nlo, (size_t)(hi - lo));
		segkp_data_free(nkp);
		return (err);
	}
	seg_attach(newseg, &segkp_ops, nkp);
	return (0);
}

static struct seg_ops segkp_ops = {
	.name = "segkp_ops",
	.dup = segkp_dup,
	.unmap = segkp_unmap,
	.free = segkp_free,
	.fault = segkp_fault,
	.faulta = segkp_faulta,
	.setprot = segkp_setprot,
	.checkprot = segkp_checkprot,
	.kluster = segkp_kluster,
	.sync = segkp_sync,
	.incore = seg_hat_incore,
	.lockop = segkp_lockop,
	.getprot = segkp_getprot,
	.getoffset = segkp_getoffset,
	.gettype = segkp_gettype,
	.advise = segkp_advise,
	.dump = segkp_dump,
	/* pagelock: ENOTSUP by default; copies pin with F_SOFTLOCK. */
	.capable = segkp_capable,
};
