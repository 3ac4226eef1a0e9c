/*
 * xen_grant.c - map grant references another domain offers to dom0, at a
 * fixed address inside the caller's reservation (see xen_grant.h).
 *
 * Why gntdev directly and not libxengnttab.  xengnttab_map_grant_refs()
 * lets the kernel choose the address and xengnttab_unmap() munmaps (a
 * hole in the caller's window).  Moving its mapping into place with
 * mremap() does not work on a PV dom0 (gntdev's use_ptemod mode): gntdev
 * hands Xen the machine address of each user PTE and watches the range
 * with an MMU notifier, so the move is an unmap of the old range; the
 * grants are dropped and the moved page faults (seen on the test bed's
 * Linux 6.1).  So we talk to /dev/xen/gntdev ourselves:
 * IOCTL_GNTDEV_MAP_GRANT_REF gives a file offset, and mmap(addr,
 * MAP_SHARED | MAP_FIXED, fd, offset) maps the grants over the caller's
 * reservation.  Unmapping maps PROT_NONE anonymous memory over the range
 * with MAP_FIXED: one atomic replacement, never a hole; the kernel drops
 * the grants as their pages go.
 *
 * Nothing to remember.  The gntdev slot (the offset) only serves to find
 * the grants for mmap; we release it at once with
 * IOCTL_GNTDEV_UNMAP_GRANT_REF.  The mapping holds its own reference, and
 * gntdev releases each grant when its page is unmapped, so the handle
 * keeps no table and unmapping needs no lookup.
 *
 * Batches.  One gntdev map per call (per XEN__GRANT_BATCH references)
 * costs one ioctl, one mmap and one grant-map hypercall; one per page
 * costs that per page and a VMA each.  Measured on the test bed (nested
 * Xen under TCG, PV dom0), 240 pages: 4-7 us a page in one batch, 180-210
 * us a page one by one.  But a batch is one VMA, and unmapping part of it
 * splits the VMA: gntdev handles that only since "xen/gntdev: Accommodate
 * VMA splitting" (Linux 6.1, and the stable updates of October 2022);
 * before, the first piece unmapped took the MMU notifier with it and the
 * rest of the grants were never unmapped properly.  A release string does
 * not show stable backports, so kernels older than 6.1 map page by page:
 * no VMA is ever split there.  (A gntdev map can also be mmapped only
 * once, so a batch's pages can never be mapped back one at a time.)  On an
 * auto-translated (PVH) dom0 gntdev releases a batch's grants only once
 * all its pages are unmapped.
 *
 * Per-reference errors.  gntdev maps a batch all or nothing: one bad
 * reference fails the whole mmap with EINVAL and says nothing of which.
 * Then we split the batch in halves and try again, down to single
 * references (about 2 k log2(n) refused attempts for k bad references
 * among n; on the test bed 240 pages with one bad reference map in a few
 * batch times, where page by page took 45 ms).  For each single reference
 * gntdev refuses we ask Xen why with a one-byte grant copy from it
 * (IOCTL_GNTDEV_GRANT_COPY, whose per-segment status is Xen's GNTST_*
 * code) and turn that into an errno (xen_grant.h).  Nothing of this runs
 * while references map.
 *
 * The one gap we cannot close: Linux removes what was at a MAP_FIXED
 * address before the driver's mmap runs, so a refused mmap leaves its
 * range unmapped until we reserve it again, right after.  We check with
 * mincore() that it is a hole and reserve it with MAP_FIXED_NOREPLACE, so
 * a mapping another thread placed there in that instant is never
 * clobbered (the call then fails with EBUSY).
 *
 * Non-goals: grant copy as a data path, unmap notifications, hosts whose
 * page size is not 4096 bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/sys/gntdev.h>

#include "xen/xen_grant.h"

#define XEN__GNTDEV_PATH	"/dev/xen/gntdev"
#define XEN__GPAGE		((size_t)XEN_GRANT_PAGE_SIZE)
/* References per gntdev map (gntdev's own limit is 65536 by default). */
#define XEN__GRANT_BATCH	1024

#ifndef MAP_NORESERVE
#define MAP_NORESERVE		0
#endif
/* Linux 4.17 and later; older kernels take it as a hint (checked below). */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define XEN__RESERVE_FLAGS	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

/*
 * gt_fd	the gntdev descriptor (read-write: writable grant mappings
 *		are MAP_SHARED and need it)
 * gt_domid	the granting domain
 * gt_batch	references per gntdev map: XEN__GRANT_BATCH when the
 *		kernel splits grant VMAs safely, else 1 (page by page)
 * gt_path	the device node, for messages
 */
struct xen_grant {
	int		gt_fd;
	uint32_t	gt_domid;
	size_t		gt_batch;
	char		gt_path[128];
};

/* Put a PROT_NONE reservation over [base, base + len), replacing it. */
static int
xen__grant_reserve(uintptr_t base, size_t len)
{
	void *p;

	p = mmap((void *)base, len, PROT_NONE, XEN__RESERVE_FLAGS | MAP_FIXED,
	    -1, 0);
	if (p == MAP_FAILED)
		return -1;
	return 0;
}

/*
 * After gntdev refused n pages at base: reserve them again if the kernel
 * left a hole (it removes the whole range before the driver runs).
 * Returns 0 when the range is reserved (again, or still), -1 with errno
 * EBUSY when another mapping took part of the hole first.
 */
static int
xen__grant_rereserve(uintptr_t base, size_t n)
{
	unsigned char vec[64];
	size_t len = n * XEN__GPAGE, done, chunk;
	bool hole = false;
	void *p;

	for (done = 0; done < n && !hole; done += chunk) {
		chunk = n - done < sizeof(vec) ? n - done : sizeof(vec);
		if (mincore((void *)(base + done * XEN__GPAGE),
		    chunk * XEN__GPAGE, vec) < 0 && errno == ENOMEM)
			hole = true;
	}
	if (!hole)
		return 0;	/* mapped: the reservation survived */
	p = mmap((void *)base, len, PROT_NONE,
	    XEN__RESERVE_FLAGS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == (void *)base)
		return 0;
	if (p != MAP_FAILED)
		(void) munmap(p, len);	/* a kernel without NOREPLACE */
	errno = EBUSY;
	return -1;
}

/*
 * Whether this kernel's gntdev survives a partial unmap of a multi-page
 * grant mapping: Linux 6.1 and later (see the top of this file).
 */
static bool
xen__grant_kernel_splits(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 1);
}

/*
 * Ask Xen about ref with a one-byte grant copy into our memory.  Returns
 * the GNTST_* status, or GNTST_general_error - 100 when the copy could not
 * be issued at all.
 */
#define XEN__PROBE_FAILED	(GNTST_general_error - 100)

static int
xen__grant_probe(const struct xen_grant *gt, uint32_t ref)
{
	struct ioctl_gntdev_grant_copy_segment seg;
	struct ioctl_gntdev_grant_copy copy;
	unsigned char byte = 0;

	memset(&seg, 0, sizeof(seg));
	seg.source.foreign.ref = ref;
	seg.source.foreign.offset = 0;
	seg.source.foreign.domid = (uint16_t)gt->gt_domid;
	seg.dest.virt = &byte;
	seg.len = 1;
	seg.flags = GNTCOPY_source_gref;
	memset(&copy, 0, sizeof(copy));
	copy.count = 1;
	copy.segments = &seg;
	if (ioctl(gt->gt_fd, IOCTL_GNTDEV_GRANT_COPY, &copy) < 0)
		return XEN__PROBE_FAILED;
	return seg.status;
}

/* Why gntdev could not map ref (it only said EINVAL): an errno. */
static int
xen__grant_diagnose(const struct xen_grant *gt, uint32_t ref, int mprot)
{
	switch (xen__grant_probe(gt, ref)) {
	case GNTST_okay:
		/* Readable, so what failed was the write access. */
		return (mprot & PROT_WRITE) ? EACCES : EIO;
	case GNTST_general_error:
		return ENOENT;	/* not granted to us: Xen says no more */
	case GNTST_bad_gntref:
		return ERANGE;
	case GNTST_bad_domain:
		return ESRCH;
	case GNTST_permission_denied:
		return EACCES;
	case GNTST_eagain:
		return EAGAIN;
	default:
		return EIO;
	}
}

static const char *
xen__grant_open_hint(int e)
{
	switch (e) {
	case ENOENT:
		return "no grant device: load the xen-gntdev module "
		    "(modprobe xen-gntdev) in dom0";
	case ENODEV:
	case ENXIO:
		return "the grant device has no driver: is this a Xen domain "
		    "with xen-gntdev loaded?";
	case EACCES:
	case EPERM:
		return "permission denied: run as root (or get read-write "
		    "access to the device)";
	default:
		return "check that dom0's kernel has gntdev";
	}
}

struct xen_grant *
xen_grant_open_device(const char *path, uint32_t domid, struct xen_err *err)
{
	struct xen_grant *gt;
	long pagesize;
	int e;

	if (path == NULL) {
		xen_err_set(err, EINVAL, "xen_grant_open_device: NULL path");
		return NULL;
	}
	if (domid >= DOMID_FIRST_RESERVED) {
		xen_err_set(err, EINVAL, "cannot map grants of domain %" PRIu32
		    ": it is a reserved domain id (0x%x and above)", domid,
		    (unsigned int)DOMID_FIRST_RESERVED);
		return NULL;
	}
	pagesize = sysconf(_SC_PAGESIZE);
	if (pagesize != (long)XEN__GPAGE) {
		xen_err_set(err, ENOTSUP, "cannot map grants of domain %"
		    PRIu32 ": the host page size is %ld bytes, grants are %zu",
		    domid, pagesize, XEN__GPAGE);
		return NULL;
	}
	gt = calloc(1, sizeof(*gt));
	if (gt == NULL) {
		xen_err_set(err, ENOMEM, "out of memory opening a grant handle "
		    "for domain %" PRIu32, domid);
		return NULL;
	}
	gt->gt_domid = domid;
	gt->gt_batch = xen__grant_kernel_splits() ? XEN__GRANT_BATCH : 1;
	snprintf(gt->gt_path, sizeof(gt->gt_path), "%s", path);
	gt->gt_fd = open(path, O_RDWR | O_CLOEXEC);
	if (gt->gt_fd < 0) {
		e = errno;
		xen_err_set(err, e, "opening %s to map grants of domain %"
		    PRIu32 ": %s: %s", path, domid, strerror(e),
		    xen__grant_open_hint(e));
		free(gt);
		errno = e;
		return NULL;
	}
	xen_err_clear(err);
	return gt;
}

struct xen_grant *
xen_grant_open(uint32_t domid, struct xen_err *err)
{
	return xen_grant_open_device(XEN__GNTDEV_PATH, domid, err);
}

void
xen_grant_close(struct xen_grant *gt)
{
	int e = errno;

	if (gt == NULL)
		return;
	(void) close(gt->gt_fd);
	free(gt);
	errno = e;
}

void
xen_grant_explain(const struct xen_grant *gt, uint32_t ref, int errnum,
    struct xen_err *err)
{
	uint32_t d = gt != NULL ? gt->gt_domid : UINT32_MAX;

	switch (errnum) {
	case 0:
		xen_err_clear(err);
		return;
	case ENOENT:
		xen_err_set(err, errnum, "domain %" PRIu32 " offers no grant "
		    "with reference %" PRIu32 " to dom0 (never granted, "
		    "revoked, or granted to another domain): check the "
		    "reference the guest published", d, ref);
		break;
	case ERANGE:
		xen_err_set(err, errnum, "grant reference %" PRIu32 " lies "
		    "beyond the grant table of domain %" PRIu32 ": the "
		    "reference is corrupt or belongs to another domain", ref,
		    d);
		break;
	case EACCES:
		xen_err_set(err, errnum, "grant reference %" PRIu32 " of "
		    "domain %" PRIu32 " may not be written (the guest granted "
		    "it read-only): map it without PROT_WRITE", ref, d);
		break;
	case EAGAIN:
		xen_err_set(err, errnum, "the page behind grant reference %"
		    PRIu32 " of domain %" PRIu32 " is paged out (Xen still "
		    "said 'try again' after the kernel's retries): try again "
		    "later", ref, d);
		break;
	case ESRCH:
		xen_err_set(err, errnum, "domain %" PRIu32 " does not exist "
		    "(any more), so its grant reference %" PRIu32 " cannot be "
		    "mapped: it may have been destroyed", d, ref);
		break;
	default:
		xen_err_set(err, errnum, "mapping grant reference %" PRIu32
		    " of domain %" PRIu32 " failed: %s: Xen's log (xl dmesg) "
		    "says why", ref, d, strerror(errnum));
		break;
	}
}

/*
 * Map the n references refs[] at base with one gntdev map.  Returns 0
 * when they are mapped, 1 when gntdev refused them (EINVAL: one of them
 * cannot be mapped, or n is over its limit; the range is reserved), or -1
 * with err filled when the call as a whole must fail (the range is
 * reserved, except for EBUSY).
 */
static int
xen__grant_map_run(struct xen_grant *gt, const uint32_t *refs, size_t n,
    uintptr_t base, int mprot, struct xen_err *err)
{
	struct ioctl_gntdev_map_grant_ref *map;
	struct ioctl_gntdev_unmap_grant_ref unmap;
	size_t i, size;
	void *p;
	int e, ue = 0;

	size = sizeof(*map) + (n - 1) * sizeof(map->refs[0]);
	map = calloc(1, size);
	if (map == NULL)
		return xen_err_set(err, ENOMEM, "out of memory mapping %zu "
		    "grants of domain %" PRIu32, n, gt->gt_domid);
	map->count = (uint32_t)n;
	for (i = 0; i < n; i++) {
		map->refs[i].domid = gt->gt_domid;
		map->refs[i].ref = refs[i];
	}
	if (ioctl(gt->gt_fd, IOCTL_GNTDEV_MAP_GRANT_REF, map) < 0) {
		e = errno;
		free(map);
		if (e == EINVAL && n > 1)
			return 1;	/* over gntdev's "limit" per map */
		return xen_err_set(err, e, "registering %zu grant references "
		    "of domain %" PRIu32 " (the first %" PRIu32 ") with %s "
		    "(IOCTL_GNTDEV_MAP_GRANT_REF): %s%s", n, gt->gt_domid,
		    refs[0], gt->gt_path, strerror(e), e == ENOTTY ? ": not a "
		    "gntdev device" : "");
	}
	p = mmap((void *)base, n * XEN__GPAGE, mprot, MAP_SHARED | MAP_FIXED,
	    gt->gt_fd, (off_t)map->index);
	e = p == MAP_FAILED ? errno : 0;

	/* The slot only served to find the grants; the mapping keeps them. */
	memset(&unmap, 0, sizeof(unmap));
	unmap.index = map->index;
	unmap.count = (uint32_t)n;
	free(map);
	if (ioctl(gt->gt_fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap) < 0)
		ue = errno;

	if (e == 0 && ue == 0)
		return 0;
	if (e == 0) {
		(void) xen__grant_reserve(base, n * XEN__GPAGE);
		return xen_err_set(err, ue, "releasing the gntdev slot of %zu "
		    "grants of domain %" PRIu32 ": %s", n, gt->gt_domid,
		    strerror(ue));
	}
	if (xen__grant_rereserve(base, n) < 0)
		return xen_err_set(err, EBUSY, "mapping %zu grants of domain %"
		    PRIu32 " at %p failed, and another mapping took part of "
		    "the range before it could be reserved again: do not map "
		    "into this range from other threads", n, gt->gt_domid,
		    (void *)base);
	if (e == EINVAL)
		return 1;
	if (e == ENOMEM)
		return xen_err_set(err, ENOMEM, "mapping %zu grants of domain %"
		    PRIu32 " (the first %" PRIu32 "): out of memory or of "
		    "mappings (vm.max_map_count)", n, gt->gt_domid, refs[0]);
	return xen_err_set(err, e, "mapping %zu grants of domain %" PRIu32
	    " (the first %" PRIu32 ") from %s: %s", n, gt->gt_domid, refs[0],
	    gt->gt_path, strerror(e));
}

/*
 * Map refs[0..n) (n <= XEN__GRANT_BATCH) at base, one gntdev map for the
 * whole run when it maps; when gntdev refuses, split the run in halves
 * and try each, down to single references, which are then diagnosed.  So
 * k bad references among n cost about 2 k log2(n) refused attempts, where
 * page by page would cost n maps.  Runs are taken in address order:
 * every page below the run being tried is done.  errs[i] as for
 * xen_grant_map_at().  Returns 0, or -1 with err filled when the call as
 * a whole must fail; *donep is then the number of pages handled before
 * the failure.
 */
static int
xen__grant_map_split(struct xen_grant *gt, const uint32_t *refs, size_t n,
    uintptr_t base, int mprot, int *errs, size_t *donep,
    struct xen_err *err)
{
	/* Pending runs: at most one right half per level, plus one. */
	struct {
		size_t	r_lo;
		size_t	r_n;
	} stack[2 * 12], run;
	size_t top = 0, half, i;
	int rc;

	stack[top].r_lo = 0;
	stack[top++].r_n = n;
	while (top > 0) {
		run = stack[--top];
		rc = xen__grant_map_run(gt, refs + run.r_lo, run.r_n,
		    base + run.r_lo * XEN__GPAGE, mprot, err);
		if (rc < 0) {
			*donep = run.r_lo;
			return -1;
		}
		if (rc == 0) {
			for (i = run.r_lo; i < run.r_lo + run.r_n; i++)
				errs[i] = 0;
			continue;
		}
		if (run.r_n == 1) {
			errs[run.r_lo] = xen__grant_diagnose(gt,
			    refs[run.r_lo], mprot);
			continue;
		}
		if (top + 2 > sizeof(stack) / sizeof(stack[0]))
			abort();	/* n was over XEN__GRANT_BATCH */
		half = run.r_n / 2;
		stack[top].r_lo = run.r_lo + half;
		stack[top++].r_n = run.r_n - half;
		stack[top].r_lo = run.r_lo;
		stack[top++].r_n = half;
	}
	*donep = n;
	return 0;
}

/* Check addr/count: page aligned, no wrap. */
static bool
xen__grant_range_ok(const void *addr, size_t count)
{
	uintptr_t base = (uintptr_t)addr;

	if (base == 0 || base % XEN__GPAGE != 0)
		return false;
	if (count > (UINTPTR_MAX - base) / XEN__GPAGE)
		return false;
	return true;
}

ssize_t
xen_grant_map_at(struct xen_grant *gt, const uint32_t *refs, size_t count,
    void *addr, int prot, int *errs, struct xen_err *err)
{
	uintptr_t base = (uintptr_t)addr;
	size_t i, n, done, failed = 0, first = 0;
	char more[96];
	int e, mprot;

	if (gt == NULL || (count > 0 && (refs == NULL || errs == NULL)))
		return xen_err_set(err, EINVAL, "xen_grant_map_at: NULL handle "
		    "or array");
	if ((prot & ~(PROT_READ | PROT_WRITE)) != 0)
		return xen_err_set(err, EINVAL, "mapping grants of domain %"
		    PRIu32 ": protection 0x%x: grants map readable or "
		    "read-write only", gt->gt_domid, (unsigned int)prot);
	if (!xen__grant_range_ok(addr, count) || count > SSIZE_MAX)
		return xen_err_set(err, EINVAL, "mapping %zu grants of domain %"
		    PRIu32 " at %p: the address must be page aligned and the "
		    "range must not wrap", count, gt->gt_domid, addr);
	mprot = PROT_READ | (prot & PROT_WRITE);

	for (done = 0; done < count; done += n) {
		n = count - done < gt->gt_batch ? count - done : gt->gt_batch;
		if (xen__grant_map_split(gt, refs + done, n,
		    base + done * XEN__GPAGE, mprot, errs + done, &i, err) < 0) {
			done += i;
			goto rollback;
		}
	}
	for (i = 0; i < count; i++)
		if (errs[i] != 0 && failed++ == 0)
			first = i;
	if (failed == 0) {
		xen_err_clear(err);
		return 0;
	}
	xen_grant_explain(gt, refs[first], errs[first], err);
	if (failed > 1 && err != NULL) {
		snprintf(more, sizeof(more), " (%zu of the %zu references "
		    "failed; errs[] says which)", failed, count);
		if (strlen(err->xe_msg) + strlen(more) < sizeof(err->xe_msg))
			strcat(err->xe_msg, more);
	}
	return (ssize_t)failed;

rollback:
	/* The pages before done are ours (mapped or reserved): reserve them. */
	e = errno;
	(void) xen_grant_unmap_at(gt, addr, done, NULL);
	for (i = 0; i < count; i++)
		errs[i] = 0;
	errno = e;
	return -1;
}

int
xen_grant_unmap_at(struct xen_grant *gt, void *addr, size_t count,
    struct xen_err *err)
{
	uintptr_t base = (uintptr_t)addr;
	size_t i, bad = 0, first = 0;
	int e = 0;

	if (gt == NULL)
		return xen_err_set(err, EINVAL, "xen_grant_unmap_at: NULL "
		    "handle");
	if (!xen__grant_range_ok(addr, count))
		return xen_err_set(err, EINVAL, "unmapping %zu grant pages of "
		    "domain %" PRIu32 " at %p: the address must be page "
		    "aligned and the range must not wrap", count, gt->gt_domid,
		    addr);
	if (count == 0 || xen__grant_reserve(base, count * XEN__GPAGE) == 0) {
		xen_err_clear(err);
		return 0;
	}
	/*
	 * Replacing the range at once may need VMA splits the host refuses
	 * (ENOMEM near vm.max_map_count, or out of memory): try page by page
	 * so that as much as possible is released.
	 */
	for (i = 0; i < count; i++) {
		if (xen__grant_reserve(base + i * XEN__GPAGE, XEN__GPAGE) < 0 &&
		    bad++ == 0) {
			e = errno;
			first = i;
		}
	}
	if (bad == 0) {
		xen_err_clear(err);
		return 0;
	}
	return xen_err_set(err, e, "putting the reservation back over %zu of "
	    "%zu grant pages of domain %" PRIu32 " failed, first at %p: %s: "
	    "those pages still map their grants; free memory or raise "
	    "vm.max_map_count and unmap again", bad, count, gt->gt_domid,
	    (void *)(base + first * XEN__GPAGE), strerror(e));
}
