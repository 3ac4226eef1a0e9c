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
 * only part of it; from then on vn_vprot keeps one value per page.
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
#include "vm/vm_alloc.h"

struct segvn_data {
	int		vn_fd;		/* backing file, or -1: anonymous */
	off_t		vn_offset;	/* file offset of s_base */
	int		vn_type;	/* MAP_SHARED or MAP_PRIVATE */
	unsigned	vn_prot;	/* protection when vn_vprot is NULL */
	unsigned	vn_maxprot;	/* ceiling for setprot */
	unsigned char	*vn_vprot;	/* per-page protection, or NULL */
	atomic_size_t	vn_softlockcnt;	/* pages pinned by F_SOFTLOCK */
	char		*vn_name;	/* for dump; may be NULL */
};

static struct seg_ops segvn_ops;

static inline struct segvn_data *
segvn_data(const struct seg *seg)
{
	return (seg->s_data);
}

static inline size_t
segvn_page(const struct seg *seg, caddr_t addr)
{
	return (btop((size_t)(addr - seg->s_base)));
}

static unsigned
segvn_prot_at(const struct seg *seg, size_t page)
{
	const struct segvn_data *vn = segvn_data(seg);

	return (vn->vn_vprot != NULL ? vn->vn_vprot[page] : vn->vn_prot);
}

static void
segvn_data_free(struct segvn_data *vn)
{
	if (vn == NULL)
		return;
	if (vn->vn_fd >= 0)
		(void) close(vn->vn_fd);
	vm_free(vn->vn_vprot);
	vm_free(vn->vn_name);
	vm_free(vn);
}

/*
 * A copy of vn's state for a segment of npages starting first pages into
 * vn's range.  Returns NULL with errno set.
 */
static struct segvn_data *
segvn_data_clone(const struct segvn_data *vn, size_t first, size_t npages)
{
	struct segvn_data *nvn;

	nvn = vm_zalloc(sizeof (*nvn));
	if (nvn == NULL)
		return (NULL);
	nvn->vn_fd = -1;
	nvn->vn_offset = vn->vn_offset + (off_t)ptob(first);
	nvn->vn_type = vn->vn_type;
	nvn->vn_prot = vn->vn_prot;
	nvn->vn_maxprot = vn->vn_maxprot;
	if (vn->vn_name != NULL &&
	    (nvn->vn_name = vm_strdup(vn->vn_name)) == NULL)
		goto fail;
	if (vn->vn_vprot != NULL) {
		nvn->vn_vprot = vm_zalloc(npages);
		if (nvn->vn_vprot == NULL)
			goto fail;
		memcpy(nvn->vn_vprot, vn->vn_vprot + first, npages);
	}
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
	vn->vn_prot = a->prot;
	vn->vn_maxprot = maxprot;
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

static int
segvn_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	struct segvn_data *vn = segvn_data(seg), *nvn;
	caddr_t end = addr + len, segend = seg->s_base + seg->s_size;
	struct seg *nseg;
	size_t first, npages;
	int err;

	assert(addr >= seg->s_base && end <= segend && len > 0);
	if (atomic_load(&vn->vn_softlockcnt) != 0)
		return (EBUSY);

	if (addr == seg->s_base && end == segend) {
		if ((err = hat_unload(addr, len)) != 0)
			return (err);
		seg_free(seg);
		return (0);
	}
	if (addr == seg->s_base || end == segend) {
		if ((err = hat_unload(addr, len)) != 0)
			return (err);
		if (addr == seg->s_base) {
			/* Head trim: the base moves up, order is kept. */
			if (vn->vn_vprot != NULL)
				memmove(vn->vn_vprot, vn->vn_vprot + btop(len),
				    btop(seg->s_size - len));
			seg->s_base = end;
			vn->vn_offset += (off_t)len;
		}
		seg->s_size -= len;
		as_segtree_changed(seg->s_as);
		return (0);
	}

	/* Split: [base, addr) stays, [end, segend) becomes a new segment.
	 * Everything that can fail happens before the host pages go. */
	first = segvn_page(seg, end);
	npages = btop((size_t)(segend - end));
	if ((nvn = segvn_data_clone(vn, first, npages)) == NULL)
		return (errno);
	if ((nseg = seg_alloc(seg->s_as, end, (size_t)(segend - end))) ==
	    NULL) {
		segvn_data_free(nvn);
		return (ENOMEM);
	}
	if ((err = hat_unload(addr, len)) != 0) {
		seg_discard(nseg);
		segvn_data_free(nvn);
		return (err);
	}
	seg_attach(nseg, &segvn_ops, nvn);
	seg->s_size = (size_t)(addr - seg->s_base);
	return (0);
}

/* What each access needs. */
static unsigned
segvn_rw_prot(enum seg_rw rw)
{
	switch (rw) {
	case S_READ:
		return (PROT_READ);
	case S_WRITE:
		return (PROT_WRITE);
	case S_EXEC:
		return (PROT_EXEC);
	case S_OTHER:
		break;
	}
	return (0);
}

/* True when every page of the range allows need. */
static bool
segvn_allows(const struct seg *seg, caddr_t addr, size_t len, unsigned need)
{
	size_t p, first = segvn_page(seg, addr), n = btop(len);

	for (p = first; p < first + n; p++) {
		if ((segvn_prot_at(seg, p) & need) != need)
			return (false);
		if (segvn_data(seg)->vn_vprot == NULL)
			break;	/* uniform: one page says it all */
	}
	return (true);
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
	if (!segvn_allows(seg, addr, len, segvn_rw_prot(rw)))
		return (FC_PROT);
	if ((err = segvn_check_backing(seg, addr, len)) != 0)
		return (FC_MAKE_ERR(err));
	if (type == F_INVAL) {
		/* Only accessible pages can be brought in (S_OTHER asks for
		 * no access, so inaccessible pages are simply left alone). */
		if (!segvn_allows(seg, addr, len,
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
	struct segvn_data *vn = segvn_data(seg);
	size_t first = segvn_page(seg, addr), npages = btop(seg->s_size);
	bool whole = (addr == seg->s_base && len == seg->s_size);
	unsigned char *vprot = vn->vn_vprot;
	int err;

	if ((prot & ~vn->vn_maxprot) != 0)
		return (EACCES);
	/* Allocate before touching the host, so a failure changes nothing. */
	if (!whole && vprot == NULL) {
		if ((vprot = vm_zalloc(npages)) == NULL)
			return (ENOMEM);
		memset(vprot, (int)vn->vn_prot, npages);
	}
	if ((err = hat_chgprot(addr, len, prot)) != 0) {
		if (vprot != vn->vn_vprot)
			vm_free(vprot);
		return (err);
	}
	(void) pthread_mutex_lock(&seg->s_lock);
	if (whole) {
		vm_free(vn->vn_vprot);
		vn->vn_vprot = NULL;
		vn->vn_prot = prot;
	} else {
		memset(vprot + first, (int)prot, btop(len));
		vn->vn_vprot = vprot;
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (0);
}

static int
segvn_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segvn_allows(seg, addr, len, prot) ? 0 : EACCES);
}

static int
segvn_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	size_t i, first = segvn_page(seg, addr);

	for (i = 0; i < btop(len); i++)
		protv[i] = segvn_prot_at(seg, first + i);
	return (0);
}

static int
segvn_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	caddr_t target = addr + delta;

	if (target < seg->s_base || target >= seg->s_base + seg->s_size)
		return (-1);
	return (segvn_prot_at(seg, segvn_page(seg, addr)) ==
	    segvn_prot_at(seg, segvn_page(seg, target)) ? 0 : -1);
}

static int
segvn_sync(struct seg *seg, caddr_t addr, size_t len, int flags)
{
	(void) seg;
	return (hat_sync(addr, len, flags));
}

static int
segvn_incore(struct seg *seg, caddr_t addr, size_t len, unsigned char *vec)
{
	(void) seg;
	return (hat_incore(addr, len, vec));
}

static int
segvn_lockop(struct seg *seg, caddr_t addr, size_t len, int op)
{
	(void) seg;
	if (op == MC_LOCK)
		return (hat_lock(addr, len));
	if (op == MC_UNLOCK)
		return (hat_unlock(addr, len));
	return (EINVAL);
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

static int
segvn_advise(struct seg *seg, caddr_t addr, size_t len, int behav)
{
	(void) seg;
	return (hat_advise(addr, len, behav));
}

static void
segvn_dump(struct seg *seg, char *buf, size_t len)
{
	const struct segvn_data *vn = segvn_data(seg);
	unsigned p = vn->vn_prot;

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
	    vn->vn_vprot != NULL ? " (per-page prot)" : "");
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
	if (copy && !segvn_allows(seg, seg->s_base, seg->s_size, PROT_READ))
		return (ENOTSUP);
	if ((nvn = segvn_data_clone(vn, 0, btop(seg->s_size))) == NULL)
		return (errno);
	if ((err = segvn_load(newseg, nvn,
	    copy ? PROT_READ | PROT_WRITE : vn->vn_prot)) != 0) {
		segvn_data_free(nvn);
		return (err);
	}
	if (copy) {
		memcpy(newseg->s_base, seg->s_base, seg->s_size);
		if ((err = hat_chgprot(newseg->s_base, newseg->s_size,
		    vn->vn_prot)) != 0) {
			hat_unload_nofail(newseg->s_base, newseg->s_size);
			segvn_data_free(nvn);
			return (err);
		}
	}
	if (nvn->vn_vprot != NULL) {
		size_t p;

		for (p = 0; p < btop(seg->s_size); p++) {
			if (nvn->vn_vprot[p] != nvn->vn_prot)
				(void) hat_chgprot(newseg->s_base + ptob(p),
				    PAGESIZE, nvn->vn_vprot[p]);
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
	.sync = segvn_sync,
	.incore = segvn_incore,
	.lockop = segvn_lockop,
	.getprot = segvn_getprot,
	.getoffset = segvn_getoffset,
	.gettype = segvn_gettype,
	.advise = segvn_advise,
	.dump = segvn_dump,
	/* pagelock: ENOTSUP by default; copies pin with F_SOFTLOCK. */
	.capable = segvn_capable,
};
