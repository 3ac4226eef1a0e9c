/*
 * seg_dev.c -- mmap-able character devices and sysfs resource files (see
 * <porthole/seg_dev.h>).
 *
 * Purpose: device memory in the address space -- PCI BARs through sysfs
 * resourceN files, /dev/mem, /dev/zero-like devices.  The create function
 * opens the device (or duplicates the caller's descriptor), refuses what
 * is not a device, and loads the whole range with one hat_load_file; the
 * host maps device pages on access.
 *
 * Faults never touch the device: reading a device register can have side
 * effects, so F_INVAL only checks the protections (the host maps device
 * pages on access anyway) and F_SOFTLOCK only counts pins against unmap.
 *
 * The protection ceiling: no PROT_EXEC ever (device memory is not code);
 * PROT_WRITE when the mapping is private or the descriptor is open for
 * writing.  Protections are one value for the whole segment until a
 * setprot covers only part of it; then dv_prot keeps one per page
 * (vm/seg_prot.c).
 *
 * Non-goals: regular files (seg_vn maps them and checks their size; a
 * regular file is accepted only under /sys, or as a test stand-in with
 * SEGDEV_FILE_STANDIN), block devices (their pages are a file's pages),
 * device-specific ioctls.
 *
 * Ops that refuse:
 *	dup of a private segment	ENOTSUP: a private copy of device
 *			memory would need reading the device (side effects).
 *			A shared segment's copy maps the device again: real
 *			device memory is shared, but a device that makes new
 *			memory per mmap (/dev/zero) gives the copy new memory.
 *	pagelock	ENOTSUP (the default): copies pin with F_SOFTLOCK.
 * faulta does nothing (no read-ahead of device memory).
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include <porthole/seg_dev.h>
#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/seg_prot.h"
#include "vm/vm_alloc.h"

#ifndef SYSFS_MAGIC
#define	SYSFS_MAGIC	0x62656572
#endif

struct segdev_data {
	int		dv_fd;		/* the device */
	off_t		dv_offset;	/* device offset of s_base */
	int		dv_type;	/* MAP_SHARED or MAP_PRIVATE */
	struct seg_prot	dv_prot;	/* protections, ceiling */
	atomic_size_t	dv_softlockcnt;	/* pages pinned by F_SOFTLOCK */
	char		*dv_path;	/* for dump; may be NULL */
};

static struct seg_ops segdev_ops;

static inline struct segdev_data *
segdev_data(const struct seg *seg)
{
	return (seg->s_data);
}

static void
segdev_data_free(void *data)
{
	struct segdev_data *dv = data;

	if (dv == NULL)
		return;
	if (dv->dv_fd >= 0)
		(void) close(dv->dv_fd);
	segprot_fini(&dv->dv_prot);
	vm_free(dv->dv_path);
	vm_free(dv);
}

/*
 * A copy of seg's state for a segment of npages starting first pages into
 * seg's range, with its own descriptor.  Returns NULL with errno set.
 */
static void *
segdev_data_clone(const struct seg *seg, size_t first, size_t npages)
{
	const struct segdev_data *dv = segdev_data(seg);
	struct segdev_data *ndv;
	int err;

	if ((ndv = vm_zalloc(sizeof (*ndv))) == NULL)
		return (NULL);
	ndv->dv_fd = -1;
	ndv->dv_offset = dv->dv_offset + (off_t)ptob(first);
	ndv->dv_type = dv->dv_type;
	if (dv->dv_path != NULL &&
	    (ndv->dv_path = vm_strdup(dv->dv_path)) == NULL)
		goto fail;
	if (segprot_clone_range(&ndv->dv_prot, &dv->dv_prot, first,
	    npages) != 0)
		goto fail;
	if ((ndv->dv_fd = fcntl(dv->dv_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		goto fail;
	return (ndv);
fail:
	err = errno;
	segdev_data_free(ndv);
	errno = err;
	return (NULL);
}

/* True when fd is a file of sysfs (resource files are regular there). */
static bool
segdev_on_sysfs(int fd)
{
#ifdef __linux__
	struct statfs sfs;

	return (fstatfs(fd, &sfs) == 0 &&
	    (unsigned long)sfs.f_type == (unsigned long)SYSFS_MAGIC);
#else
	(void) fd;
	return (false);
#endif
}

/*
 * Check that fd is something seg_dev maps and that [offset, offset + len)
 * fits it.  Returns 0 or an errno.
 */
static int
segdev_check_fd(int fd, off_t offset, size_t len, int flags)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return (errno);
	if (S_ISCHR(st.st_mode))
		return (0);	/* the device driver checks the range */
	if (!S_ISREG(st.st_mode))
		return (ENODEV);
	if (!segdev_on_sysfs(fd) && (flags & SEGDEV_FILE_STANDIN) == 0)
		return (EINVAL);	/* a file: use seg_vn */
	/* A resource file's size is the size of what it maps. */
	if ((uint64_t)offset + len > (uint64_t)P2ROUNDUP(st.st_size,
	    PAGESIZE))
		return (ENXIO);
	return (0);
}

/* A name for the dump: the path, or what the descriptor points at. */
static char *
segdev_name(const char *path, int fd)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	if (path != NULL)
		return (vm_strdup(path));
	(void) snprintf(link, sizeof (link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof (target) - 1);
	if (n <= 0)
		(void) snprintf(target, sizeof (target), "(fd %d)", fd);
	else
		target[n] = '\0';
	return (vm_strdup(target));
}

int
segdev_create(struct seg *seg, void *create_args)
{
	const struct segdev_crargs *a = create_args;
	struct segdev_data *dv;
	int type, fl, err;

	seg_ops_register(&segdev_ops);
	if (a == NULL || (a->prot & ~PROT_ALL) != 0 ||
	    (a->flags & ~SEGDEV_FILE_STANDIN) != 0)
		return (EINVAL);
	type = a->type != 0 ? a->type : MAP_SHARED;
	if ((type != MAP_SHARED && type != MAP_PRIVATE) || a->offset < 0 ||
	    !IS_P2ALIGNED(a->offset, PAGESIZE) ||
	    seg->s_size > (uint64_t)INT64_MAX - (uint64_t)a->offset)
		return (EINVAL);
	if ((a->prot & PROT_EXEC) != 0)
		return (EACCES);

	if ((dv = vm_zalloc(sizeof (*dv))) == NULL)
		return (ENOMEM);
	dv->dv_fd = -1;
	dv->dv_offset = a->offset;
	dv->dv_type = type;
	if (a->path != NULL) {
		dv->dv_fd = open(a->path, ((a->prot & PROT_WRITE) ? O_RDWR :
		    O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (dv->dv_fd < 0) {
			err = errno == EISDIR ? ENODEV : errno;
			goto fail;
		}
	} else if ((dv->dv_fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		err = errno;
		goto fail;
	}
	if ((fl = fcntl(dv->dv_fd, F_GETFL)) < 0) {
		err = errno;
		goto fail;
	}
	segprot_init(&dv->dv_prot, a->prot,
	    type == MAP_SHARED && (fl & O_ACCMODE) == O_RDONLY ? PROT_READ :
	    PROT_READ | PROT_WRITE);
	if ((fl & O_ACCMODE) == O_WRONLY ||
	    (a->prot & ~dv->dv_prot.pr_maxprot) != 0) {
		err = EACCES;
		goto fail;
	}
	if ((err = segdev_check_fd(dv->dv_fd, a->offset, seg->s_size,
	    a->flags)) != 0)
		goto fail;
	if ((dv->dv_path = segdev_name(a->path, dv->dv_fd)) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	if ((err = hat_load_file(seg->s_base, seg->s_size, a->prot, type,
	    dv->dv_fd, a->offset)) != 0) {
		/* A failed fixed map may have dropped the reservation
		 * already (the host unmaps before the object can refuse):
		 * put it back. */
		hat_unload_nofail(seg->s_base, seg->s_size);
		goto fail;
	}
	seg_attach(seg, &segdev_ops, dv);
	return (0);
fail:
	segdev_data_free(dv);
	return (err);
}

static void
segdev_free(struct seg *seg)
{
	segdev_data_free(segdev_data(seg));
	seg->s_data = NULL;
}

/* The first len bytes are unmapped: the rest moves down. */
static void
segdev_trim_head(struct seg *seg, size_t len)
{
	struct segdev_data *dv = segdev_data(seg);

	segprot_trim_head(&dv->dv_prot, btop(len), btop(seg->s_size - len));
	dv->dv_offset += (off_t)len;
}

static const struct segprot_unmap_ops segdev_unmap_ops = {
	.su_ops = &segdev_ops,
	.su_clone = segdev_data_clone,
	.su_free = segdev_data_free,
	.su_trim_head = segdev_trim_head,
};

/* Whole, head or tail trim, or split: see segprot_unmap. */
static int
segdev_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	if (atomic_load(&segdev_data(seg)->dv_softlockcnt) != 0)
		return (EBUSY);
	return (segprot_unmap(seg, addr, len, &segdev_unmap_ops));
}

/* Protections only: touching device memory could have side effects. */
static faultcode_t
segdev_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segdev_data *dv = segdev_data(seg);
	size_t npages = btop(len);

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size);
	if (type == F_SOFTUNLOCK) {
		size_t old = atomic_fetch_sub(&dv->dv_softlockcnt, npages);

		assert(old >= npages);
		(void) old;
		return (0);
	}
	if (!segprot_allows(seg, &dv->dv_prot, addr, len, segprot_needed(rw)))
		return (FC_PROT);
	if (type == F_SOFTLOCK)
		(void) atomic_fetch_add(&dv->dv_softlockcnt, npages);
	return (0);
}

static faultcode_t
segdev_faulta(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (0);
}

static int
segdev_setprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	if ((prot & ~PROT_ALL) != 0)
		return (EINVAL);
	return (segprot_set(seg, &segdev_data(seg)->dv_prot, addr, len, prot));
}

static int
segdev_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_check(seg, &segdev_data(seg)->dv_prot, addr, len,
	    prot));
}

static int
segdev_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	segprot_get(seg, &segdev_data(seg)->dv_prot, addr, len, protv);
	return (0);
}

static int
segdev_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	return (segprot_kluster(seg, &segdev_data(seg)->dv_prot, addr,
	    delta));
}

static uint64_t
segdev_getoffset(struct seg *seg, caddr_t addr)
{
	return ((uint64_t)segdev_data(seg)->dv_offset +
	    (uint64_t)(addr - seg->s_base));
}

static int
segdev_gettype(struct seg *seg, caddr_t addr)
{
	(void) addr;
	return (segdev_data(seg)->dv_type);
}

static void
segdev_dump(struct seg *seg, char *buf, size_t len)
{
	const struct segdev_data *dv = segdev_data(seg);
	unsigned p = dv->dv_prot.pr_prot;

	(void) snprintf(buf, len, "dev %s off=%#llx %s %s%s-%s",
	    dv->dv_path != NULL ? dv->dv_path : "?",
	    (unsigned long long)dv->dv_offset,
	    dv->dv_type == MAP_SHARED ? "shared" : "private",
	    (p & PROT_READ) ? "r" : "-", (p & PROT_WRITE) ? "w" : "-",
	    dv->dv_prot.pr_vprot != NULL ? " (per-page prot)" : "");
}

static int
segdev_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg;
	return (cap == S_CAPABILITY_PARTIAL_UNMAP);
}

/* Map the device again at newseg (shared segments only). */
static int
segdev_dup(struct seg *seg, struct seg *newseg)
{
	struct segdev_data *ndv;
	int err;

	if (segdev_data(seg)->dv_type != MAP_SHARED)
		return (ENOTSUP);
	if ((ndv = segdev_data_clone(seg, 0, btop(seg->s_size))) == NULL)
		return (errno);
	if ((err = hat_load_file(newseg->s_base, newseg->s_size,
	    ndv->dv_prot.pr_prot, ndv->dv_type, ndv->dv_fd,
	    ndv->dv_offset)) != 0 ||
	    (err = segprot_apply(newseg, &ndv->dv_prot, newseg->s_base,
	    newseg->s_size, ndv->dv_prot.pr_prot)) != 0) {
		hat_unload_nofail(newseg->s_base, newseg->s_size);
		segdev_data_free(ndv);
		return (err);
	}
	seg_attach(newseg, &segdev_ops, ndv);
	return (0);
}

static struct seg_ops segdev_ops = {
	.name = "segdev_ops",
	.dup = segdev_dup,
	.unmap = segdev_unmap,
	.free = segdev_free,
	.fault = segdev_fault,
	.faulta = segdev_faulta,
	.setprot = segdev_setprot,
	.checkprot = segdev_checkprot,
	.kluster = segdev_kluster,
	.sync = seg_hat_sync,
	.incore = seg_hat_incore,
	.lockop = seg_hat_lockop,
	.getprot = segdev_getprot,
	.getoffset = segdev_getoffset,
	.gettype = segdev_gettype,
	.advise = seg_hat_advise,
	.dump = segdev_dump,
	/* pagelock: ENOTSUP by default; copies pin with F_SOFTLOCK. */
	.capable = segdev_capable,
};
