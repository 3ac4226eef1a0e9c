/*
 * seg_vn.c -- segments backed by a file or by anonymous memory, shared or
 * private (see <porthole/seg_vn.h>).
 *
 * The host kernel already demand-pages a file or anonymous mapping, so a
 * vn segment loads its whole range at create time and its fault op does
 * what the host cannot: check the access against the segment's (per page)
 * protections, refuse pages past the end of a file that shrank (instead of
 * a SIGBUS during a copy), prefault on F_INVAL and count F_SOFTLOCK pins
 * so that pinned pages are never unmapped under a copy.
 *
 * Protections are one value for the whole segment until a setprot covers
 * only part of it; from then on vn_prot keeps one value per page
 * (vm/seg_prot.c).
 *
 * Non-goals: copy-on-write sharing between address spaces (dup copies
 * private pages), anonymous shared segments across dup, pagelock.
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

#include <porthole/seg_vn.h>
#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/seg_prot.h"
#include "vm/vm_alloc.h"

struct segvn_data {
	int		vn_fd;		/* backing file, or -1: anonymous */
	off_t		vn_offset;	/* file offset of s_base */
	int		vn_type;	/* MAP_SHARED or MAP_PRIVATE */
	struct seg_prot	vn_prot;	/* protections, ceiling */
	atomic_size_t	vn_softlockcnt;	/* pages pinned by F_SOFTLOCK */
	char		*vn_name;	/* for dump; may be NULL */
};

static struct seg_ops segvn_ops;

static inline struct segvn_data *
segvn_data(const struct seg *seg)
{
	return (seg->s_data);
}

static void
segvn_data_free(void *data)
{
	struct segvn_data *vn = data;

	if (vn == NULL)
		return;
	if (vn->vn_fd >= 0)
		(void) close(vn->vn_fd);
	segprot_fini(&vn->vn_prot);
	vm_free(vn->vn_name);
	vm_free(vn);
}

/*
 * A copy of seg's state for a segment of npages starting first pages into
 * seg's range.  Returns NULL with errno set.
 */
static void *
segvn_data_clone(const struct seg *seg, size_t first, size_t npages)
{
	const struct segvn_data *vn = segvn_data(seg);
	struct segvn_data *nvn;

	nvn = vm_zalloc(sizeof (*nvn));
	if (nvn == NULL)
		return (NULL);
	nvn->vn_fd = -1;
	nvn->vn_offset = vn->vn_offset + (off_t)ptob(first);
	nvn->vn_type = vn->vn_type;
	if (vn->vn_name != NULL &&
	    (nvn->vn_name = vm_strdup(vn->vn_name)) == NULL)
		goto fail;
	if (segprot_clone_range(&nvn->vn_prot, &vn->vn_prot, first,
	    npages) != 0)
		goto fail;
	if (vn->vn_fd >= 0 &&
	    (nvn->vn_fd = fcntl(vn->vn_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		goto fail;
	return (nvn);
fail:
	{
		int err = errno;

		segvn_data_free(nvn);
		errno = err;
	}
	return (NULL);
}

static int
segvn_load(struct seg *seg, const struct segvn_data *vn, unsigned prot)
{
	if (vn->vn_fd < 0)
		return (hat_load_anon(seg->s_base, seg->s_size, prot,
		    vn->vn_type));
	return (hat_load_file(seg->s_base, seg->s_size, prot, vn->vn_type,
	    vn->vn_fd, vn->vn_offset));
}

int
segvn_create(struct seg *seg, void *create_args)
{
	const struct segvn_crargs *a = create_args;
	struct segvn_data *vn;
	unsigned maxprot;
	int err, fl;

	seg_ops_register(&segvn_ops);
	if (a == NULL || (a->type != MAP_SHARED && a->type != MAP_PRIVATE) ||
	    a->offset < 0 || !IS_P2ALIGNED(a->offset, PAGESIZE) ||
	    (a->prot & ~PROT_ALL) != 0 || (a->maxprot & ~PROT_ALL) != 0)
		return (EINVAL);
	maxprot = a->maxprot != 0 ? a->maxprot : PROT_ALL;
	if ((a->prot & ~maxprot) != 0)
		return (EINVAL);
	if (a->fd >= 0) {
		if ((fl = fcntl(a->fd, F_GETFL)) < 0)
			return (errno);
		if ((fl & O_ACCMODE) == O_WRONLY)
			return (EACCES);
		/* A shared mapping of a read-only file can never be written. */
		if (a->type == MAP_SHARED && (fl & O_ACCMODE) == O_RDONLY) {
			if (a->prot & PROT_WRITE)
				return (EACCES);
			maxprot &= ~PROT_WRITE;
		}
	}

	vn = vm_zalloc(sizeof (*vn));
	if (vn == NULL)
		return (ENOMEM);
	vn->vn_fd = -1;
	vn->vn_offset = a->offset;
	vn->vn_type = a->type;
	segprot_init(&vn->vn_prot, a->prot, maxprot);
	if (a->name != NULL && (vn->vn_name = vm_strdup(a->name)) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	if (a->fd >= 0 &&
	    (vn->vn_fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		err = errno;
		goto fail;
	}
	if ((err = segvn_load(seg, vn, a->prot)) != 0)
		goto fail;
	seg_attach(seg, &segvn_ops, vn);
	return (0);
fail:
	segvn_data_free(vn);
	return (err);
}

static void
segvn_free(struct seg *seg)
{
	segvn_data_free(segvn_data(seg));
	seg->s_data = NULL;
}

/* The first len bytes are unmapped: the rest moves down. */
static void
segvn_trim_head(struct seg *seg, size_t len)
{
	struct segvn_data *vn = segvn_data(seg);

	segprot_trim_head(&vn->vn_prot, btop(len), btop(seg->s_size - len));
	vn->vn_offset += (off_t)len;
}

static const struct segprot_unmap_ops segvn_unmap_ops = {
	.su_ops = &segvn_ops,
	.su_clone = segvn_data_clone,
	.su_free = segvn_data_free,
	.su_trim_head = segvn_trim_head,
};

static int
segvn_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	if (atomic_load(&segvn_data(seg)->vn_softlockcnt) != 0)
		return (EBUSY);
	return (segprot_unmap(seg, addr, len, &segvn_unmap_ops));
}

/* 0 when the file still backs the whole range, else an errno. */
static int
segvn_check_backing(const struct seg *seg, caddr_t addr, size_t len)
{
	const struct segvn_data *vn = segvn_data(seg);
	struct stat st;
	off_t last;

	if (vn->vn_fd < 0)
		return (0);
	if (fstat(vn->vn_fd, &st) != 0)
		return (errno);
	if (!S_ISREG(st.st_mode))
		return (0);	/* devices have no size to check */
	last = vn->vn_offset + (off_t)(addr - seg->s_base) + (off_t)len - 1;
	if (last >= (off_t)P2ROUNDUP(st.st_size, PAGESIZE))
		return (EFAULT);
	return (0);
}

static faultcode_t
segvn_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segvn_data *vn = segvn_data(seg);
	size_t npages = btop(len);
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size);
	if (type == F_SOFTUNLOCK) {
		size_t old = atomic_fetch_sub(&vn->vn_softlockcnt, npages);

		assert(old >= npages);
		(void) old;
		return (0);
	}
	if (!segprot_allows(seg, &vn->vn_prot, addr, len, segprot_needed(rw)))
		return (FC_PROT);
	if ((err = segvn_check_backing(seg, addr, len)) != 0)
		return (FC_MAKE_ERR(err));
	if (type == F_INVAL) {
		/* Only accessible pages can be brought in (S_OTHER asks for
		 * no access, so inaccessible pages are simply left alone). */
		if (!segprot_allows(seg, &vn->vn_prot, addr, len,
		    rw == S_WRITE ? PROT_WRITE : PROT_READ))
			return (0);
		err = hat_prefault(addr, len, rw == S_WRITE);
		return (err != 0 ? FC_MAKE_ERR(err) : 0);
	}
	/* F_SOFTLOCK: the host pages in on access; pin against unmap. */
	(void) atomic_fetch_add(&vn->vn_softlockcnt, npages);
	return (0);
}

static faultcode_t
segvn_faulta(struct seg *seg, caddr_t addr)
{
	int err = hat_advise((void *)P2ALIGN(addr, PAGESIZE), PAGESIZE,
	    MADV_WILLNEED);

	(void) seg;
	return (err != 0 ? FC_MAKE_ERR(err) : 0);
}

static int
segvn_setprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_set(seg, &segvn_data(seg)->vn_prot, addr, len, prot));
}

static int
segvn_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_check(seg, &segvn_data(seg)->vn_prot, addr, len,
	    prot));
}

static int
segvn_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	segprot_get(seg, &segvn_data(seg)->vn_prot, addr, len, protv);
	return (0);
}

static int
segvn_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	return (segprot_kluster(seg, &segvn_data(seg)->vn_prot, addr, delta));
}

static uint64_t
segvn_getoffset(struct seg *seg, caddr_t addr)
{
	return ((uint64_t)segvn_data(seg)->vn_offset +
	    (uint64_t)(addr - seg->s_base));
}

static int
segvn_gettype(struct seg *seg, caddr_t addr)
{
	(void) addr;
	return (segvn_data(seg)->vn_type);
}

static void
segvn_dump(struct seg *seg, char *buf, size_t len)
{
	const struct segvn_data *vn = segvn_data(seg);
	unsigned p = vn->vn_prot.pr_prot;
	char off[32] = "";

	if (vn->vn_fd >= 0)
		(void) snprintf(off, sizeof (off), " off=%#llx",
		    (unsigned long long)vn->vn_offset);
	(void) snprintf(buf, len, "%s %s %s%s%s%s %s%s",
	    vn->vn_fd >= 0 ? "file" : "anon",
	    vn->vn_type == MAP_SHARED ? "shared" : "private",
	    (p & PROT_READ) ? "r" : "-", (p & PROT_WRITE) ? "w" : "-",
	    (p & PROT_EXEC) ? "x" : "-", off,
	    vn->vn_name != NULL ? vn->vn_name : "",
	    vn->vn_prot.pr_vprot != NULL ? " (per-page prot)" : "");
}

static int
segvn_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg;
	return (cap == S_CAPABILITY_PARTIAL_UNMAP);
}

/*
 * Duplicate into newseg (same range, another address space).  Shared file
 * segments map the same file; private and anonymous ones get a copy of
 * the current contents, so later writes on either side stay apart.
 */
static int
segvn_dup(struct seg *seg, struct seg *newseg)
{
	struct segvn_data *vn = segvn_data(seg), *nvn;
	bool copy = (vn->vn_type == MAP_PRIVATE);
	int err;

	if (vn->vn_fd < 0 && vn->vn_type == MAP_SHARED)
		return (ENOTSUP);	/* no handle to share it by */
	if (copy && !segprot_allows(seg, &vn->vn_prot, seg->s_base,
	    seg->s_size, PROT_READ))
		return (ENOTSUP);
	/* The copy reads every page: a file that shrank would SIGBUS. */
	if (copy && (err = segvn_check_backing(seg, seg->s_base,
	    seg->s_size)) != 0)
		return (err);
	if ((nvn = segvn_data_clone(seg, 0, btop(seg->s_size))) == NULL)
		return (errno);
	if ((err = segvn_load(newseg, nvn,
	    copy ? PROT_READ | PROT_WRITE : vn->vn_prot.pr_prot)) != 0) {
		segvn_data_free(nvn);
		return (err);
	}
	if (copy) {
		memcpy(newseg->s_base, seg->s_base, seg->s_size);
		if ((err = hat_chgprot(newseg->s_base, newseg->s_size,
		    vn->vn_prot.pr_prot)) != 0) {
			hat_unload_nofail(newseg->s_base, newseg->s_size);
			segvn_data_free(nvn);
			return (err);
		}
	}
	if (nvn->vn_prot.pr_vprot != NULL) {
		size_t p;

		/* Best effort, page by page (unlike segprot_apply). */
		for (p = 0; p < btop(seg->s_size); p++) {
			unsigned pp = segprot_at(&nvn->vn_prot, p);

			if (pp != nvn->vn_prot.pr_prot)
				(void) hat_chgprot(newseg->s_base + ptob(p),
				    PAGESIZE, pp);
		}
	}
	seg_attach(newseg, &segvn_ops, nvn);
	return (0);
}

static struct seg_ops segvn_ops = {
	.name = "segvn_ops",
	.dup = segvn_dup,
	.unmap = segvn_unmap,
	.free = segvn_free,
	.fault = segvn_fault,
	.faulta = segvn_faulta,
	.setprot = segvn_setprot,
	.checkprot = segvn_checkprot,
	.kluster = segvn_kluster,
	.sync = seg_hat_sync,
	.incore = seg_hat_incore,
	.lockop = seg_hat_lockop,
	.getprot = segvn_getprot,
	.getoffset = segvn_getoffset,
	.gettype = segvn_gettype,
	.advise = seg_hat_advise,
	.dump = segvn_dump,
	/* pagelock: ENOTSUP by default; copies pin with F_SOFTLOCK. */
	.capable = segvn_capable,
};
