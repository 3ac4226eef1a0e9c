/*
 * physmem_xc_core.c -- the xc-core image provider: a guest's frames as
 * `xl dump-core` (or porthole's writer) saved them.
 *
 * The file is opened and validated by the xc-core reader (xen/xc_core.h);
 * this file turns its pfn table into extents -- runs of frames that are
 * consecutive both as pfns and in .xen_pages -- and the file-extent core
 * (vm/physmem_file.c) maps them and answers present(): .xen_pages is page
 * aligned, so pages are mapped straight from the file.  Frames the file
 * lacks (never dumped, unreadable when dumped, xl's padding) are holes.
 *
 * Errors: physmem_xc_core_open returns NULL with errno and, when the caller
 * passed a buffer, the reader's sentence.  Non-goals: page sizes other
 * than the host's, compressed dumps, the vCPU and shared-info sections
 * (the guest layer reads those through the reader).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <porthole/physmem.h>
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"
#include "xen/xc_core.h"
#include "guest/image_impl.h"

struct physmem_xc_core {
	struct physmem_file	xcp_file;	/* first; fd: xcp_core's */
	struct xc_core		*xcp_core;
	char			*xcp_path;
	uint64_t		xcp_pages_off;
	bool			xcp_hvm;
	uint64_t		xcp_nr_valid;
};

static void
xccore_describe(const struct physmem *pm, char *buf, size_t len)
{
	const struct physmem_xc_core *x = pm->pm_data;

	(void) snprintf(buf, len, "xc-core %s (%s, %" PRIu64 " pages, %"
	    PRIu64 " frames, %zu runs)", x->xcp_path, x->xcp_hvm ? "hvm" :
	    "pv", x->xcp_nr_valid, pm->pm_nframes, x->xcp_file.pf_next);
}

static void
xccore_free(struct physmem_xc_core *x)
{
	xc_core_close(x->xcp_core);
	vm_free(x->xcp_path);
	vm_free(x->xcp_file.pf_ext);
	vm_free(x);
}

static void
xccore_destroy(struct physmem *pm)
{
	xccore_free(pm->pm_data);
}

static const struct physmem_ops physmem_xc_core_ops = {
	.name = "xc-core",
	.map = physmem_file_map,
	.present = physmem_file_present,
	.describe = xccore_describe,
	.destroy = xccore_destroy,
	.private_writes = true,
};

/*
 * Walk the pages in pfn order and build the extents into ex (when not
 * NULL); returns how many there are, or -1 with xe filled.
 */
static ssize_t
xccore_extent_walk(struct physmem_xc_core *x, struct physmem_extent *ex,
    struct xen_err *xe)
{
	const struct xc_core_info *ci = xc_core_info(x->xcp_core);
	uint64_t k, pfn, index, end_pfn = 0, end_index = 0;
	size_t n = 0;

	for (k = 0; k < ci->ci_nr_valid; k++) {
		if (xc_core_nth_by_pfn(x->xcp_core, k, &pfn, &index, xe) < 0)
			return (-1);
		if (n > 0 && pfn == end_pfn && index == end_index) {
			if (ex != NULL)
				ex[n - 1].pe_npages++;
		} else {
			if (ex != NULL) {
				ex[n].pe_gfn = pfn;
				ex[n].pe_npages = 1;
				ex[n].pe_off = x->xcp_pages_off +
				    index * PAGESIZE;
			}
			n++;
		}
		end_pfn = pfn + 1;
		end_index = index + 1;
	}
	return ((ssize_t)n);
}

/* The extents, from the reader's pfn order, bound to the dump's file. */
static int
xccore_extents(struct physmem_xc_core *x, struct xen_err *xe)
{
	struct physmem_extent *ex;
	ssize_t n;

	if ((n = xccore_extent_walk(x, NULL, xe)) < 0)
		return (-1);
	ex = vm_zalloc_array((size_t)n + 1, sizeof (*ex));
	if (ex == NULL)
		return (xen_err_set(xe, ENOMEM, "%s: out of memory for %zd "
		    "runs of frames", x->xcp_path, n));
	if (xccore_extent_walk(x, ex, xe) != n) {
		vm_free(ex);
		return (-1);
	}
	physmem_file_init(&x->xcp_file, xc_core_fd(x->xcp_core), ex,
	    (size_t)n);
	return (0);
}

/*
 * The provider over core, an open reader it takes over (closed on
 * failure too).  NULL with xe filled.
 */
struct physmem *
physmem_xc_core_adopt(struct xc_core *core, const char *path,
    struct xen_err *xe)
{
	struct physmem_xc_core *x;
	const struct xc_core_info *ci;
	struct physmem *pm;

	if ((x = vm_zalloc(sizeof (*x))) == NULL) {
		xc_core_close(core);
		(void) xen_err_set(xe, ENOMEM, "%s: out of memory", path);
		return (NULL);
	}
	x->xcp_core = core;
	if ((x->xcp_path = vm_strdup(path)) == NULL) {
		(void) xen_err_set(xe, ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	ci = xc_core_info(x->xcp_core);
	if (ci->ci_page_size != PAGESIZE) {
		(void) xen_err_set(xe, ENOTSUP, "%s: the dump's pages are %"
		    PRIu64 " bytes, this host's %zu: it cannot be mapped here",
		    path, ci->ci_page_size, (size_t)PAGESIZE);
		goto fail;
	}
	if (ci->ci_nr_valid == 0) {
		(void) xen_err_set(xe, EINVAL, "%s: the dump holds no guest "
		    "pages", path);
		goto fail;
	}
	/*
	 * The window maps frames piecemeal, so frames above 4 GiB (an HVM
	 * guest's memory above its MMIO hole) are no bar to a 32-bit host.
	 */
	if (ci->ci_pfn_limit > (UINT64_C(1) << 40)) {
		(void) xen_err_set(xe, EFBIG, "%s: pfn 0x%" PRIx64 " is beyond "
		    "2^40 frames, more than any x86 guest has", path,
		    ci->ci_pfn_limit - 1);
		goto fail;
	}
	x->xcp_pages_off = ci->ci_pages_offset;
	x->xcp_hvm = ci->ci_hvm;
	x->xcp_nr_valid = ci->ci_nr_valid;
	if (xccore_extents(x, xe) < 0)
		goto fail;
	if ((pm = physmem_create(&physmem_xc_core_ops, x,
	    ci->ci_pfn_limit)) == NULL) {
		(void) xen_err_set(xe, ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	return (pm);
fail:
	xccore_free(x);
	errno = xe->xe_errno;
	return (NULL);
}

static struct physmem *
xccore_open(const char *path, struct xen_err *xe)
{
	struct xc_core *core;

	if (path == NULL) {
		(void) xen_err_set(xe, EINVAL, "physmem_xc_core_open: NULL "
		    "path");
		return (NULL);
	}
	if ((core = xc_core_open(path, xe)) == NULL)
		return (NULL);
	return (physmem_xc_core_adopt(core, path, xe));
}

struct physmem *
physmem_xc_core_open(const char *path, char *errbuf, size_t errlen)
{
	struct xen_err xe;
	struct physmem *pm;

	xen_err_clear(&xe);
	pm = xccore_open(path, &xe);
	if (errbuf != NULL && errlen > 0)
		(void) snprintf(errbuf, errlen, "%s", pm == NULL ?
		    xen_err_msg(&xe) : "");
	if (pm == NULL)
		errno = xe.xe_errno != 0 ? xe.xe_errno : EIO;
	return (pm);
}
