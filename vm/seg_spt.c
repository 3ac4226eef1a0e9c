/*
 * seg_spt.c -- System V shared memory (see <porthole/seg_spt.h>).
 *
 * Purpose: a snapshot of guest memory that other processes attach by key.
 * The create function finds or creates the shared-memory segment (shmget)
 * and attaches it at the segment's base (hat_load_shm: shmat with
 * SHM_REMAP over the window's reservation); unmap and free detach it
 * (hat_unload_shm puts the reservation back) and, when asked, remove it
 * (IPC_RMID) once no process has it attached any more (IPC_STAT says
 * shm_nattch is 0).  The host does the paging; faults only check the
 * segment's protections, prefault on F_INVAL and count F_SOFTLOCK pins.
 *
 * The protection ceiling is fixed by the attach: PROT_READ|PROT_WRITE for
 * a read-write attach (prot asked PROT_WRITE at create), else PROT_READ.
 * Protections are one value for the whole segment until a setprot covers
 * only part of it; from then on sp_prot keeps one value per page
 * (vm/seg_prot.c).
 *
 * Non-goals: resizing a shared-memory segment, attaching part of one,
 * SHM_LOCK (as_ctl lock pins this process's view with mlock instead),
 * executable shared memory.
 *
 * Ops that refuse:
 *	unmap of part	ENOTSUP, and capable(PARTIAL_UNMAP) says no: a System
 *			V attach is detached whole (shmdt), there is no way
 *			to give back part of it.
 *	pagelock	ENOTSUP (the default): copies pin with F_SOFTLOCK.
 * getoffset is the offset in the shared-memory segment; gettype is
 * MAP_SHARED.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include <porthole/seg_spt.h>
#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/seg_prot.h"
#include "vm/vm_alloc.h"

struct segspt_data {
	key_t		sp_key;
	int		sp_shmid;
	bool		sp_attached;	/* false once detached by unmap */
	bool		sp_remove;	/* IPC_RMID on the last detach */
	struct seg_prot	sp_prot;	/* ceiling: the attach's */
	atomic_size_t	sp_softlockcnt;	/* pages pinned by F_SOFTLOCK */
};

static struct seg_ops segspt_ops;

static inline struct segspt_data *
segspt_data(const struct seg *seg)
{
	return (seg->s_data);
}

static void
segspt_data_free(struct segspt_data *sp)
{
	if (sp == NULL)
		return;
	segprot_fini(&sp->sp_prot);
	vm_free(sp);
}

/* After a detach: remove the shared-memory segment if asked and unused. */
static void
segspt_remove_if_unused(const struct segspt_data *sp)
{
	struct shmid_ds ds;

	if (!sp->sp_remove)
		return;
	/* Gone already (another process removed it) is fine. */
	if (shmctl(sp->sp_shmid, IPC_STAT, &ds) == 0 && ds.shm_nattch == 0)
		(void) shmctl(sp->sp_shmid, IPC_RMID, NULL);
}

/*
 * Attach shmid over seg with the protections of sp.  Returns 0 or an
 * errno, with nothing attached on failure.
 */
static int
segspt_attach(struct seg *seg, const struct segspt_data *sp)
{
	int err;

	if ((err = hat_load_shm(seg->s_base, seg->s_size, sp->sp_shmid,
	    sp->sp_prot.pr_maxprot)) != 0) {
		/* A failed fixed map may have dropped the reservation
		 * already (the host unmaps before the object can refuse):
		 * put it back. */
		hat_unload_nofail(seg->s_base, seg->s_size);
		return (err);
	}
	/* The attach gave every page the ceiling. */
	if ((err = segprot_apply(seg, &sp->sp_prot, seg->s_base, seg->s_size,
	    sp->sp_prot.pr_maxprot)) != 0) {
		if (hat_unload_shm(seg->s_base, seg->s_size) != 0)
			hat_unload_nofail(seg->s_base, seg->s_size);
		return (err);
	}
	return (0);
}

int
segspt_create(struct seg *seg, void *create_args)
{
	const struct segspt_crargs *a = create_args;
	struct segspt_data *sp;
	struct shmid_ds ds;
	mode_t mode;
	int err;

	seg_ops_register(&segspt_ops);
	if (a == NULL || (a->prot & ~PROT_ALL) != 0)
		return (EINVAL);
	if ((a->prot & PROT_EXEC) != 0)
		return (EACCES);
	if (a->key == IPC_PRIVATE && !a->create)
		return (EINVAL);	/* nothing to find by that key */
	mode = a->mode != 0 ? (a->mode & 0777) : 0600;

	if ((sp = vm_zalloc(sizeof (*sp))) == NULL)
		return (ENOMEM);
	sp->sp_key = a->key;
	sp->sp_remove = a->remove_on_last_detach;
	segprot_init(&sp->sp_prot, a->prot, PROT_READ | (a->prot & PROT_WRITE));
	if (a->create)
		sp->sp_shmid = shmget(a->key, seg->s_size,
		    IPC_CREAT | IPC_EXCL | (int)mode);
	else
		sp->sp_shmid = shmget(a->key, 0, 0);
	if (sp->sp_shmid < 0) {
		err = errno;
		segspt_data_free(sp);
		return (err);
	}
	if (!a->create) {
		/* A bigger segment would spill out of ours when attached. */
		if (shmctl(sp->sp_shmid, IPC_STAT, &ds) != 0) {
			err = errno;
			goto fail;
		}
		if (P2ROUNDUP(ds.shm_segsz, PAGESIZE) != seg->s_size) {
			err = EINVAL;
			goto fail;
		}
	}
	if ((err = segspt_attach(seg, sp)) != 0)
		goto fail;
	sp->sp_attached = true;
	seg_attach(seg, &segspt_ops, sp);
	return (0);
fail:
	if (a->create)
		(void) shmctl(sp->sp_shmid, IPC_RMID, NULL);
	segspt_data_free(sp);
	return (err);
}

static void
segspt_free(struct seg *seg)
{
	struct segspt_data *sp = segspt_data(seg);

	if (sp->sp_attached) {
		/* Teardown cannot fail: replacing the attach with the
		 * reservation detaches it as well. */
		if (hat_unload_shm(seg->s_base, seg->s_size) != 0)
			hat_unload_nofail(seg->s_base, seg->s_size);
		sp->sp_attached = false;
		segspt_remove_if_unused(sp);
	}
	segspt_data_free(sp);
	seg->s_data = NULL;
}

/* Whole segments only: a System V attach is detached whole. */
static int
segspt_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	struct segspt_data *sp = segspt_data(seg);
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size && len > 0);
	if (addr != seg->s_base || len != seg->s_size)
		return (ENOTSUP);
	if (atomic_load(&sp->sp_softlockcnt) != 0)
		return (EBUSY);
	if ((err = hat_unload_shm(addr, len)) != 0)
		return (err);
	sp->sp_attached = false;
	segspt_remove_if_unused(sp);
	seg_free(seg);
	return (0);
}

static faultcode_t
segspt_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segspt_data *sp = segspt_data(seg);
	size_t npages = btop(len);
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size);
	if (type == F_SOFTUNLOCK) {
		size_t old = atomic_fetch_sub(&sp->sp_softlockcnt, npages);

		assert(old >= npages);
		(void) old;
		return (0);
	}
	if (!segprot_allows(seg, &sp->sp_prot, addr, len, segprot_needed(rw)))
		return (FC_PROT);
	if (type == F_INVAL) {
		if (!segprot_allows(seg, &sp->sp_prot, addr, len, PROT_READ))
			return (0);
		err = hat_prefault(addr, len, rw == S_WRITE);
		return (err != 0 ? FC_MAKE_ERR(err) : 0);
	}
	(void) atomic_fetch_add(&sp->sp_softlockcnt, npages);
	return (0);
}

static faultcode_t
segspt_faulta(struct seg *seg, caddr_t addr)
{
	int err = hat_advise((void *)P2ALIGN(addr, PAGESIZE), PAGESIZE,
	    MADV_WILLNEED);

	(void) seg;
	return (err != 0 ? FC_MAKE_ERR(err) : 0);
}

static int
segspt_setprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	if ((prot & ~PROT_ALL) != 0)
		return (EINVAL);
	return (segprot_set(seg, &segspt_data(seg)->sp_prot, addr, len, prot));
}

static int
segspt_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_check(seg, &segspt_data(seg)->sp_prot, addr, len,
	    prot));
}

static int
segspt_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	segprot_get(seg, &segspt_data(seg)->sp_prot, addr, len, protv);
	return (0);
}

static int
segspt_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	return (segprot_kluster(seg, &segspt_data(seg)->sp_prot, addr,
	    delta));
}

static uint64_t
segspt_getoffset(struct seg *seg, caddr_t addr)
{
	return ((uint64_t)(addr - seg->s_base));
}

static int
segspt_gettype(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (MAP_SHARED);
}

static void
segspt_dump(struct seg *seg, char *buf, size_t len)
{
	const struct segspt_data *sp = segspt_data(seg);
	unsigned p = sp->sp_prot.pr_prot;

	(void) snprintf(buf, len, "shm key=%#lx id=%d %s%s- %zu page%s%s%s",
	    (unsigned long)(unsigned)sp->sp_key, sp->sp_shmid,
	    (p & PROT_READ) ? "r" : "-", (p & PROT_WRITE) ? "w" : "-",
	    btop(seg->s_size), btop(seg->s_size) == 1 ? "" : "s",
	    sp->sp_remove ? " (remove on last detach)" : "",
	    sp->sp_prot.pr_vprot != NULL ? " (per-page prot)" : "");
}

static int
segspt_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg, (void) cap;
	return (0);
}

/* The copy attaches the same shared-memory segment: both see one data. */
static int
segspt_dup(struct seg *seg, struct seg *newseg)
{
	const struct segspt_data *sp = segspt_data(seg);
	struct segspt_data *nsp;
	int err;

	if ((nsp = vm_zalloc(sizeof (*nsp))) == NULL)
		return (ENOMEM);
	nsp->sp_key = sp->sp_key;
	nsp->sp_shmid = sp->sp_shmid;
	nsp->sp_remove = sp->sp_remove;
	if (segprot_clone_range(&nsp->sp_prot, &sp->sp_prot, 0,
	    btop(seg->s_size)) != 0) {
		segspt_data_free(nsp);
		return (ENOMEM);
	}
	if ((err = segspt_attach(newseg, nsp)) != 0) {
		segspt_data_free(nsp);
		return (err);
	}
	nsp->sp_attached = true;
	seg_attach(newseg, &segspt_ops, nsp);
	return (0);
}

static struct seg_ops segspt_ops = {
	.name = "segspt_ops",
	.dup = segspt_dup,
	.unmap = segspt_unmap,
	.free = segspt_free,
	.fault = segspt_fault,
	.faulta = segspt_faulta,
	.setprot = segspt_setprot,
	.checkprot = segspt_checkprot,
	.kluster = segspt_kluster,
	.sync = seg_hat_sync,
	.incore = seg_hat_incore,
	.lockop = seg_hat_lockop,
	.getprot = segspt_getprot,
	.getoffset = segspt_getoffset,
	.gettype = segspt_gettype,
	.advise = seg_hat_advise,
	.dump = segspt_dump,
	/* pagelock: ENOTSUP by default; copies pin with F_SOFTLOCK. */
	.capable = segspt_capable,
};
