/*
 * physmem_xc_core.c -- the xc-core image provider: a guest's frames as
 * `xl dump-core` (or porthole's writer) saved them.
 *
 * The file is opened and validated by the xc-core reader (xen/xc_core.h);
 * this file turns its pfn table into extents -- runs of frames that are
 * consecutive both as pfns and in .xen_pages -- and maps each run with one
 * hat file load: .xen_pages is page aligned, so pages are mapped straight
 * from the file, shared and read-only, or private (copy-on-write) when the
 * segment asks for write; the file is never written through a mapping.
 * Frames the file lacks (never dumped, unreadable when dumped, xl's
 * padding) are holes: map reports ENXIO for them and present() reports
 * runs as they are.  Frames past the file's current end (a file truncated
 * under us) fail with EIO instead of raising SIGBUS later.
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
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <porthole/physmem.h>
#include "vm/hat.h"
#include "vm/physmem.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"
#include "xen/xc_core.h"

#ifndef MAP_POPULATE
#define	MAP_POPULATE	0
#endif

/*
 * Frames [ex_pfn, ex_pfn + ex_npages) are pages ex_index .. of .xen_pages.
 * ex_block_end is the end of the run of present frames this extent
 * starts or continues (neighbouring extents may touch as pfns while
 * lying apart in the file).
 */
struct xccore_extent {
	uint64_t	ex_pfn;
	uint64_t	ex_npages;
	uint64_t	ex_index;
	uint64_t	ex_block_end;
};

struct physmem_xc_core {
	struct xc_core		*xcp_core;
	int			xcp_fd;		/* owned by xcp_core */
	char			*xcp_path;
	uint64_t		xcp_pages_off;
	struct xccore_extent	*xcp_ext;
	size_t			xcp_next;
	bool			xcp_hvm;
	uint64_t		xcp_nr_valid;
};

/* The first extent ending after gfn (xcp_next when none). */
static size_t
xccore_extent_after(const struct physmem_xc_core *x, uint64_t gfn)
{
	size_t lo = 0, hi = x->xcp_next;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct xccore_extent *e = &x->xcp_ext[mid];

		if (e->ex_pfn + e->ex_npages <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static int
xccore_present(const struct physmem *pm, uint64_t gfn, uint64_t *runp)
{
	const struct physmem_xc_core *x = pm->pm_data;
	size_t i = xccore_extent_after(x, gfn);

	if (i == x->xcp_next) {
		*runp = pm->pm_nframes;
		return (0);
	}
	if (x->xcp_ext[i].ex_pfn <= gfn) {
		*runp = x->xcp_ext[i].ex_block_end;
		return (1);
	}
	*runp = x->xcp_ext[i].ex_pfn;
	return (0);
}

static int
xccore_map(struct physmem *pm, uint64_t gfn, size_t npages, void *addr,
    unsigned prot, int *err)
{
	struct physmem_xc_core *x = pm->pm_data;
	int flags = ((prot & PROT_WRITE) ? MAP_PRIVATE : MAP_SHARED) |
	    MAP_POPULATE;
	uint64_t g = gfn, end = gfn + npages, run, file_pages, first;
	struct stat st;
	size_t i, k;
	int e;

	if (fstat(x->xcp_fd, &st) != 0)
		return (errno);
	file_pages = (uint64_t)st.st_size <= x->xcp_pages_off ? 0 :
	    ((uint64_t)st.st_size - x->xcp_pages_off) / PAGESIZE;
	k = xccore_extent_after(x, g);
	while (g < end) {
		const struct xccore_extent *ex = k < x->xcp_next ?
		    &x->xcp_ext[k] : NULL;

		if (ex == NULL || ex->ex_pfn > g) {
			/* A hole up to the next extent. */
			run = ex == NULL || ex->ex_pfn > end ? end : ex->ex_pfn;
			e = ENXIO;
		} else {
			run = ex->ex_pfn + ex->ex_npages;
			if (run > end)
				run = end;
			first = ex->ex_index + (g - ex->ex_pfn);
			e = 0;
			if (first >= file_pages)
				e = EIO;
			else if (first + (run - g) > file_pages)
				run = g + (file_pages - first);
			if (e == 0)
				e = hat_load_file((char *)addr + ptob(g - gfn),
				    ptob(run - g), prot, flags, x->xcp_fd,
				    (off_t)(x->xcp_pages_off +
				    first * PAGESIZE));
			if (run == ex->ex_pfn + ex->ex_npages)
				k++;
		}
		for (i = (size_t)(g - gfn); i < (size_t)(run - gfn); i++)
			err[i] = e;
		g = run;
	}
	return (0);
}

static void
xccore_describe(const struct physmem *pm, char *buf, size_t len)
{
	const struct physmem_xc_core *x = pm->pm_data;

	(void) snprintf(buf, len, "xc-core %s (%s, %" PRIu64 " pages, %"
	    PRIu64 " frames, %zu runs)", x->xcp_path, x->xcp_hvm ? "hvm" :
	    "pv", x->xcp_nr_valid, pm->pm_nframes, x->xcp_next);
}

static void
xccore_free(struct physmem_xc_core *x)
{
	xc_core_close(x->xcp_core);
	vm_free(x->xcp_path);
	vm_free(x->xcp_ext);
	vm_free(x);
}

static void
xccore_destroy(struct physmem *pm)
{
	xccore_free(pm->pm_data);
}

static const struct physmem_ops physmem_xc_core_ops = {
	.name = "xc-core",
	.map = xccore_map,
	.present = xccore_present,
	.describe = xccore_describe,
	.destroy = xccore_destroy,
};

/*
 * Walk the pages in pfn order and build the extents into ex (when not
 * NULL); returns how many there are, or -1 with xe filled.
 */
static ssize_t
xccore_extent_walk(struct physmem_xc_core *x, struct xccore_extent *ex,
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
				ex[n - 1].ex_npages++;
		} else {
			if (ex != NULL) {
				ex[n].ex_pfn = pfn;
				ex[n].ex_npages = 1;
				ex[n].ex_index = index;
			}
			n++;
		}
		end_pfn = pfn + 1;
		end_index = index + 1;
	}
	return ((ssize_t)n);
}

/* The extents from the reader's pfn order, and each one's block end. */
static int
xccore_extents(struct physmem_xc_core *x, struct xen_err *xe)
{
	struct xccore_extent *ex;
	ssize_t n;
	size_t i;

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
	for (i = (size_t)n; i-- > 0; ) {
		uint64_t end = ex[i].ex_pfn + ex[i].ex_npages;

		ex[i].ex_block_end = i + 1 < (size_t)n &&
		    ex[i + 1].ex_pfn == end ? ex[i + 1].ex_block_end : end;
	}
	x->xcp_ext = ex;
	x->xcp_next = (size_t)n;
	return (0);
}

static struct physmem *
xccore_open(const char *path, struct xen_err *xe)
{
	struct physmem_xc_core *x;
	const struct xc_core_info *ci;
	struct physmem *pm;

	if (path == NULL) {
		(void) xen_err_set(xe, EINVAL, "physmem_xc_core_open: NULL "
		    "path");
		return (NULL);
	}
	if ((x = vm_zalloc(sizeof (*x))) == NULL) {
		(void) xen_err_set(xe, ENOMEM, "%s: out of memory", path);
		return (NULL);
	}
	if ((x->xcp_path = vm_strdup(path)) == NULL) {
		(void) xen_err_set(xe, ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	if ((x->xcp_core = xc_core_open(path, xe)) == NULL)
		goto fail;
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
	if (ci->ci_pfn_limit > SIZE_MAX / PAGESIZE) {
		(void) xen_err_set(xe, EFBIG, "%s: pfn 0x%" PRIx64 " is beyond "
		    "this host's address space", path, ci->ci_pfn_limit - 1);
		goto fail;
	}
	x->xcp_fd = xc_core_fd(x->xcp_core);
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
