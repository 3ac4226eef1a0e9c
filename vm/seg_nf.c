/*
 * seg_nf.c -- the "no fault" driver: a read-only zero page, repeated
 * (see <porthole/seg_nf.h>).
 *
 * Purpose: fill holes in guest memory so that bulk scans and dumps read
 * zeros instead of faulting.  The range is loaded as private anonymous
 * memory with at most PROT_READ: the host backs every page it reads with
 * its one shared zero page, so a hole of any size costs page tables only,
 * and since the protection ceiling is PROT_READ no page can ever be
 * written and so none ever gets memory of its own.
 *
 * Protections are one value for the whole segment until a setprot covers
 * only part of it (PROT_NONE over part of a hole); from then on nf_prot
 * keeps one value per page (vm/seg_prot.c).
 *
 * Non-goals: writable zero-fill memory (that is an anonymous seg_vn
 * segment), sharing a zero object across address spaces (dup loads fresh
 * zeros, which is the same thing).
 *
 * Ops that refuse:
 *	pagelock	ENOTSUP (the default): copies pin with F_SOFTLOCK,
 *			and there is no page worth handing out a pointer to.
 * Ops with a fixed answer: getoffset is 0 for every page (every page is
 * offset 0 of the one zero object), gettype is MAP_PRIVATE, sync does
 * nothing (a zero page is never dirty).
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <porthole/seg_nf.h>
#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/seg_prot.h"
#include "vm/vm_alloc.h"

/* The protection ceiling of every nf segment. */
#define	SEGNF_MAXPROT	PROT_READ

struct segnf_data {
	struct seg_prot	nf_prot;	/* ceiling SEGNF_MAXPROT */
	atomic_size_t	nf_softlockcnt;	/* pages pinned by F_SOFTLOCK */
	char		*nf_name;	/* for dump; may be NULL */
};

static struct seg_ops segnf_ops;

static inline struct segnf_data *
segnf_data(const struct seg *seg)
{
	return (seg->s_data);
}

static void
segnf_data_free(void *data)
{
	struct segnf_data *nf = data;

	if (nf == NULL)
		return;
	segprot_fini(&nf->nf_prot);
	vm_free(nf->nf_name);
	vm_free(nf);
}

/*
 * A copy of seg's state for a segment of npages starting first pages into
 * seg's range.  Returns NULL with errno set.
 */
static void *
segnf_data_clone(const struct seg *seg, size_t first, size_t npages)
{
	const struct segnf_data *nf = segnf_data(seg);
	struct segnf_data *nnf;

	nnf = vm_zalloc(sizeof (*nnf));
	if (nnf == NULL)
		return (NULL);
	if (segprot_clone_range(&nnf->nf_prot, &nf->nf_prot, first,
	    npages) != 0)
		goto fail;
	if (nf->nf_name != NULL &&
	    (nnf->nf_name = vm_strdup(nf->nf_name)) == NULL)
		goto fail;
	return (nnf);
fail:
	segnf_data_free(nnf);
	errno = ENOMEM;
	return (NULL);
}

/* 0 when prot is a protection an nf page may have, else an errno. */
static int
segnf_prot_ok(unsigned prot)
{
	if ((prot & ~PROT_ALL) != 0)
		return (EINVAL);
	if ((prot & ~SEGNF_MAXPROT) != 0)
		return (EACCES);
	return (0);
}

int
segnf_create(struct seg *seg, void *create_args)
{
	const struct segnf_crargs *a = create_args;
	struct segnf_data *nf;
	unsigned prot = a != NULL ? a->prot : PROT_READ;
	int err;

	seg_ops_register(&segnf_ops);
	if ((err = segnf_prot_ok(prot)) != 0)
		return (err);
	if ((nf = vm_zalloc(sizeof (*nf))) == NULL)
		return (ENOMEM);
	segprot_init(&nf->nf_prot, prot, SEGNF_MAXPROT);
	if (a != NULL && a->name != NULL &&
	    (nf->nf_name = vm_strdup(a->name)) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	if ((err = hat_load_zero(seg->s_base, seg->s_size, prot)) != 0) {
		/* A failed fixed map may have dropped the reservation
		 * already (the host unmaps before the object can refuse):
		 * put it back. */
		hat_unload_nofail(seg->s_base, seg->s_size);
		goto fail;
	}
	seg_attach(seg, &segnf_ops, nf);
	return (0);
fail:
	segnf_data_free(nf);
	return (err);
}

static void
segnf_free(struct seg *seg)
{
	segnf_data_free(segnf_data(seg));
	seg->s_data = NULL;
}

/* The first len bytes are unmapped: the rest moves down. */
static void
segnf_trim_head(struct seg *seg, size_t len)
{
	segprot_trim_head(&segnf_data(seg)->nf_prot, btop(len),
	    btop(seg->s_size - len));
}

static const struct segprot_unmap_ops segnf_unmap_ops = {
	.su_ops = &segnf_ops,
	.su_clone = segnf_data_clone,
	.su_free = segnf_data_free,
	.su_trim_head = segnf_trim_head,
};

/* Whole, head or tail trim, or split: see segprot_unmap. */
static int
segnf_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	assert(IS_P2ALIGNED(addr, PAGESIZE) && IS_P2ALIGNED(len, PAGESIZE));
	if (atomic_load(&segnf_data(seg)->nf_softlockcnt) != 0)
		return (EBUSY);
	return (segprot_unmap(seg, addr, len, &segnf_unmap_ops));
}

/*
 * Reads are served by the zero page; writes and executes never are
 * (FC_PROT, so as_write reports EACCES).  F_INVAL maps the zero page in
 * now; F_SOFTLOCK pins the range against unmap.
 */
static faultcode_t
segnf_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segnf_data *nf = segnf_data(seg);
	size_t npages = btop(len);
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size);
	if (type == F_SOFTUNLOCK) {
		size_t old = atomic_fetch_sub(&nf->nf_softlockcnt, npages);

		assert(old >= npages);
		(void) old;
		return (0);
	}
	if (!segprot_allows(seg, &nf->nf_prot, addr, len, segprot_needed(rw)))
		return (FC_PROT);
	if (type == F_INVAL) {
		/* S_OTHER on unreadable pages: nothing may touch them. */
		if (!segprot_allows(seg, &nf->nf_prot, addr, len, PROT_READ))
			return (0);
		err = hat_prefault(addr, len, 0);
		return (err != 0 ? FC_MAKE_ERR(err) : 0);
	}
	(void) atomic_fetch_add(&nf->nf_softlockcnt, npages);
	return (0);
}

/* Nothing to read ahead: the zero page is always resident. */
static faultcode_t
segnf_faulta(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (0);
}

static int
segnf_setprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	if ((prot & ~PROT_ALL) != 0)
		return (EINVAL);
	return (segprot_set(seg, &segnf_data(seg)->nf_prot, addr, len, prot));
}

static int
segnf_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_check(seg, &segnf_data(seg)->nf_prot, addr, len,
	    prot));
}

static int
segnf_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	segprot_get(seg, &segnf_data(seg)->nf_prot, addr, len, protv);
	return (0);
}

static int
segnf_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	return (segprot_kluster(seg, &segnf_data(seg)->nf_prot, addr, delta));
}

/* A zero page is never dirty: there is nothing to write back. */
static int
segnf_sync(struct seg *seg, caddr_t addr, size_t len, int flags)
{
	(void) seg, (void) addr, (void) len, (void) flags;
	return (0);
}

static uint64_t
segnf_getoffset(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (0);
}

static int
segnf_gettype(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (MAP_PRIVATE);
}

static void
segnf_dump(struct seg *seg, char *buf, size_t len)
{
	const struct segnf_data *nf = segnf_data(seg);

	(void) snprintf(buf, len, "zero %s %zu page%s%s%s%s",
	    (nf->nf_prot.pr_prot & PROT_READ) ? "r--" : "---",
	    btop(seg->s_size),
	    btop(seg->s_size) == 1 ? "" : "s",
	    nf->nf_name != NULL ? " " : "",
	    nf->nf_name != NULL ? nf->nf_name : "",
	    nf->nf_prot.pr_vprot != NULL ? " (per-page prot)" : "");
}

static int
segnf_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg;
	/* Faults never wait for I/O: the zero page is always there. */
	return (cap == S_CAPABILITY_PARTIAL_UNMAP ||
	    cap == S_CAPABILITY_NOMINFLT);
}

/* Zeros are zeros: the copy loads fresh ones with the same protections. */
static int
segnf_dup(struct seg *seg, struct seg *newseg)
{
	struct segnf_data *nnf;
	int err;

	if ((nnf = segnf_data_clone(seg, 0, btop(seg->s_size))) == NULL)
		return (errno);
	if ((err = hat_load_zero(newseg->s_base, newseg->s_size,
	    nnf->nf_prot.pr_prot)) != 0 ||
	    (err = segprot_apply(newseg, &nnf->nf_prot, newseg->s_base,
	    newseg->s_size, nnf->nf_prot.pr_prot)) != 0) {
		hat_unload_nofail(newseg->s_base, newseg->s_size);
		segnf_data_free(nnf);
		return (err);
	}
	seg_attach(newseg, &segnf_ops, nnf);
	return (0);
}

static struct seg_ops segnf_ops = {
	.name = "segnf_ops",
	.dup = segnf_dup,
	.unmap = segnf_unmap,
	.free = segnf_free,
	.fault = segnf_fault,
	.faulta = segnf_faulta,
	.setprot = segnf_setprot,
	.checkprot = segnf_checkprot,
	.kluster = segnf_kluster,
	.sync = segnf_sync,
	.incore = seg_hat_incore,
	.lockop = seg_hat_lockop,
	.getprot = segnf_getprot,
	.getoffset = segnf_getoffset,
	.gettype = segnf_gettype,
	.advise = seg_hat_advise,
	.dump = segnf_dump,
	/* pagelock: ENOTSUP by default; copies pin with F_SOFTLOCK. */
	.capable = segnf_capable,
};
