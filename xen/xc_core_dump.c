/*
 * xc_core_dump.c - dump a live domain to an xc-core file the way `xl
 * dump-core` does (see xc_core_dump.h), through xen_physmem's batched
 * reads and the xc-core writer.
 *
 * The domain facts xl writes that xen_domain_info() does not give (the
 * shared info frame, the highest vCPU id, the p2m and the host's highest
 * RAM frame) are asked of libxenctrl here, with the connection's silent
 * logger, so nothing is printed.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xen/xen_impl.h"		/* xenctrl.h before xenguest.h */
#include "xen/xc_core_dump.h"
#include "xen/xen_physmem.h"

#include <xenforeignmemory.h>
#include <xenguest.h>
#include <xen/hvm/e820.h>
#include <xen/version.h>

/* Frames xl never dumps from a PVH/HVM guest: the VGA and MMIO holes. */
#define XCD_VGA_FIRST		UINT64_C(0xa0)
#define XCD_VGA_END		UINT64_C(0xc0)
#define XCD_MMIO_FIRST		((uint64_t)HVM_BELOW_4G_MMIO_START >> 12)
#define XCD_MMIO_END		((UINT64_C(1) << 32) >> 12)

/* Where xl puts each field of the XEN_VERSION descriptor. */
#define XCD_XV_EXTRA		16
#define XCD_XV_COMPILE		32
#define XCD_XV_CAPS		176
#define XCD_XV_CHANGESET	1200
#define XCD_XV_PLATFORM		1264
#define XCD_XV_PAGESIZE		1272

_Static_assert(XCD_XV_COMPILE - XCD_XV_EXTRA == sizeof(xen_extraversion_t),
    "XEN_VERSION layout");
_Static_assert(XCD_XV_CAPS - XCD_XV_COMPILE == sizeof(xen_compile_info_t),
    "XEN_VERSION layout");
_Static_assert(XCD_XV_CHANGESET - XCD_XV_CAPS ==
    sizeof(xen_capabilities_info_t), "XEN_VERSION layout");
_Static_assert(XCD_XV_PLATFORM - XCD_XV_CHANGESET ==
    sizeof(xen_changeset_info_t), "XEN_VERSION layout");
_Static_assert(XCD_XV_PAGESIZE - XCD_XV_PLATFORM ==
    sizeof(xen_platform_parameters_t), "XEN_VERSION layout");
_Static_assert(XCD_XV_PAGESIZE + 8 == XC_CORE_XEN_VERSION_SIZE,
    "XEN_VERSION layout");

/* One dump in progress. */
struct xcd {
	struct xen_handle		*d_xh;
	uint32_t			d_domid;
	xc_domaininfo_t			d_info;
	bool				d_hvm;
	unsigned int			d_width;
	vcpu_guest_context_any_t	*d_ctxt;
	uint64_t			d_nvcpus;
	unsigned char			d_shinfo[XC_CORE_PAGE_SIZE];
	bool				d_have_shinfo;
	unsigned char			d_xv[XC_CORE_XEN_VERSION_SIZE];
	uint64_t			*d_pfns;
	uint64_t			*d_gmfns;
	uint64_t			d_n;
	struct xen_physmem		*d_pm;
};

static void
xcd_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int
xcd_fail(struct xcd *d, struct xen_err *err, int e, const char *what)
{
	char tail[300];

	if (e == 0)
		e = EIO;
	return xen_err_set(err, e, "dumping domain %" PRIu32 ": %s: %s%s",
	    d->d_domid, what, strerror(e), xen__logger_tail(&d->d_xh->xh_log,
	    tail, sizeof(tail)));
}

static int
xcd_info(struct xcd *d, struct xen_err *err)
{
	xc_interface *xch = d->d_xh->xh_xc;
	int rc;

	rc = xc_domain_getinfolist(xch, d->d_domid, 1, &d->d_info);
	if (rc < 0)
		return xcd_fail(d, err, errno, "getting domain information");
	if (rc != 1 || d->d_info.domain != d->d_domid)
		return xen_err_set(err, ENOENT, "no domain with id %" PRIu32
		    " (xl list shows the existing ones)", d->d_domid);
	d->d_hvm = (d->d_info.flags & XEN_DOMINF_hvm_guest) != 0;
	if (d->d_hvm) {
		d->d_width = 8;		/* xl uses the tools' word size */
	} else if (xc_domain_get_guest_width(xch, d->d_domid,
	    &d->d_width) != 0) {
		return xcd_fail(d, err, errno, "getting the guest width");
	} else if (d->d_width != 4 && d->d_width != 8) {
		return xen_err_set(err, ENOTSUP, "dumping domain %" PRIu32
		    ": guest width %u is not supported", d->d_domid,
		    d->d_width);
	}
	return 0;
}

/* Every vCPU context Xen gives, in vCPU order (as xl collects them). */
static int
xcd_vcpus(struct xcd *d, struct xen_err *err)
{
	uint64_t n = (uint64_t)d->d_info.max_vcpu_id + 1, i;

	d->d_ctxt = calloc((size_t)n, sizeof(*d->d_ctxt));
	if (d->d_ctxt == NULL)
		return xen_err_set(err, ENOMEM, "dumping domain %" PRIu32
		    ": out of memory for %" PRIu64 " vCPU contexts",
		    d->d_domid, n);
	for (i = 0; i < n; i++) {
		if (xc_vcpu_getcontext(d->d_xh->xh_xc, d->d_domid,
		    (uint32_t)i, &d->d_ctxt[d->d_nvcpus]) == 0)
			d->d_nvcpus++;
		else
			memset(&d->d_ctxt[d->d_nvcpus], 0,
			    sizeof(*d->d_ctxt));
	}
	if (d->d_nvcpus == 0)
		return xcd_fail(d, err, errno != 0 ? errno : EIO, "no vCPU "
		    "context could be read");
	return 0;
}

/* The shared info frame: needed for PV, optional for PVH/HVM as in xl. */
static int
xcd_shared_info(struct xcd *d, struct xen_err *err)
{
	struct xen__logger log;
	xenforeignmemory_handle *fmem;
	xen_pfn_t frame = (xen_pfn_t)d->d_info.shared_info_frame;
	void *p = NULL;
	int merr = 0, e;

	xen__logger_init(&log);
	fmem = xenforeignmemory_open(&log.xl_vtable, 0);
	if (fmem == NULL) {
		e = errno != 0 ? errno : EACCES;
		return xen_err_set(err, e, "dumping domain %" PRIu32
		    ": opening /dev/xen/privcmd: %s: %s", d->d_domid,
		    strerror(e), xen__privcmd_hint(e));
	}
	if (xenforeignmemory_restrict(fmem, (domid_t)d->d_domid) == 0)
		p = xenforeignmemory_map(fmem, d->d_domid, PROT_READ, 1,
		    &frame, &merr);
	if (p != NULL && merr == 0) {
		memcpy(d->d_shinfo, p, XC_CORE_PAGE_SIZE);
		d->d_have_shinfo = true;
	}
	e = p == NULL ? (errno != 0 ? errno : EIO) : merr < 0 ? -merr : merr;
	if (p != NULL)
		xenforeignmemory_unmap(fmem, p, 1);
	xenforeignmemory_close(fmem);
	if (!d->d_have_shinfo && !d->d_hvm)
		return xen_err_set(err, e, "dumping domain %" PRIu32
		    ": mapping its shared info frame 0x%" PRIx64 ": %s",
		    d->d_domid, (uint64_t)frame, strerror(e));
	return 0;
}

/*
 * The XEN_VERSION descriptor, filled as xl fills it: a failing query
 * leaves it and the fields after it zero.
 */
static void
xcd_xen_version(struct xcd *d)
{
	xc_interface *xch = d->d_xh->xh_xc;
	xen_extraversion_t extra;
	xen_compile_info_t compile;
	xen_capabilities_info_t caps;
	xen_changeset_info_t changeset;
	xen_platform_parameters_t platform;
	int v;

	memset(d->d_xv, 0, sizeof(d->d_xv));
	if ((v = xc_version(xch, XENVER_version, NULL)) < 0)
		return;
	xcd_le64(d->d_xv, (uint64_t)v >> 16);
	xcd_le64(d->d_xv + 8, (uint64_t)v & 0xffff);
	memset(&extra, 0, sizeof(extra));
	if (xc_version(xch, XENVER_extraversion, &extra) < 0)
		return;
	memcpy(d->d_xv + XCD_XV_EXTRA, &extra, sizeof(extra));
	memset(&compile, 0, sizeof(compile));
	if (xc_version(xch, XENVER_compile_info, &compile) < 0)
		return;
	memcpy(d->d_xv + XCD_XV_COMPILE, &compile, sizeof(compile));
	memset(&caps, 0, sizeof(caps));
	if (xc_version(xch, XENVER_capabilities, &caps) < 0)
		return;
	memcpy(d->d_xv + XCD_XV_CAPS, &caps, sizeof(caps));
	memset(&changeset, 0, sizeof(changeset));
	if (xc_version(xch, XENVER_changeset, &changeset) < 0)
		return;
	memcpy(d->d_xv + XCD_XV_CHANGESET, &changeset, sizeof(changeset));
	memset(&platform, 0, sizeof(platform));
	if (xc_version(xch, XENVER_platform_parameters, &platform) < 0)
		return;
	memcpy(d->d_xv + XCD_XV_PLATFORM, &platform, sizeof(platform));
	if ((v = xc_version(xch, XENVER_pagesize, NULL)) < 0)
		return;
	xcd_le64(d->d_xv + XCD_XV_PAGESIZE, (uint64_t)v);
	/* xl's 32-bit quirk: pagesize follows a 4-byte virt_start there. */
	if (d->d_width < 8)
		memmove(d->d_xv + XCD_XV_PAGESIZE - 4,
		    d->d_xv + XCD_XV_PAGESIZE, 8);
}

static int
xcd_alloc_list(struct xcd *d, uint64_t n, bool gmfns, struct xen_err *err)
{
	if (n > SIZE_MAX / sizeof(uint64_t))
		return xen_err_set(err, EFBIG, "dumping domain %" PRIu32
		    ": %" PRIu64 " frames do not fit in memory", d->d_domid, n);
	d->d_pfns = malloc(n > 0 ? (size_t)n * sizeof(uint64_t) : 1);
	if (gmfns)
		d->d_gmfns = malloc(n > 0 ? (size_t)n * sizeof(uint64_t) : 1);
	if (d->d_pfns == NULL || (gmfns && d->d_gmfns == NULL))
		return xen_err_set(err, ENOMEM, "dumping domain %" PRIu32
		    ": out of memory for a list of %" PRIu64 " frames",
		    d->d_domid, n);
	return 0;
}

/* PV: every p2m entry naming a machine frame, in pfn order. */
static int
xcd_list_pv(struct xcd *d, struct xen_err *err)
{
	xc_interface *xch = d->d_xh->xh_xc;
	struct xc_domain_meminfo minfo;
	unsigned long max_mfn;
	uint64_t i, m;
	int rc = -1;

	if (xc_maximum_ram_page(xch, &max_mfn) < 0)
		return xcd_fail(d, err, errno, "getting the host's highest "
		    "RAM frame");
	memset(&minfo, 0, sizeof(minfo));
	if (xc_map_domain_meminfo(xch, d->d_domid, &minfo) < 0)
		return xcd_fail(d, err, errno != 0 ? errno : EIO, "reading "
		    "its p2m table (xc_map_domain_meminfo)");
	if (xcd_alloc_list(d, minfo.p2m_size, true, err) < 0)
		goto out;
	for (i = 0; i < minfo.p2m_size; i++) {
		if (minfo.guest_width == 8) {
			m = ((const uint64_t *)minfo.p2m_table)[i];
			if (m == UINT64_MAX)
				continue;
		} else {
			m = ((const uint32_t *)minfo.p2m_table)[i];
			if (m == UINT32_MAX)
				continue;
		}
		if (m > max_mfn)
			continue;
		d->d_pfns[d->d_n] = i;
		d->d_gmfns[d->d_n] = m;
		d->d_n++;
	}
	rc = 0;
out:
	xc_unmap_domain_meminfo(xch, &minfo);
	return rc;
}

/*
 * PVH/HVM: every gfn that may hold memory, as xl's memory map has it.  Not
 * xen_physmem_present(): that answers whether Xen maps a page at a gfn,
 * and in the MMIO hole it does for pages that are not RAM (a device
 * model's video memory, grant and shared-info frames the guest placed
 * there), which xl leaves out.  Gfns with nothing behind them need no
 * probe either: their read fails (ENXIO) and the writer leaves them out,
 * where a probe would map every frame twice.
 */
static int
xcd_list_hvm(struct xcd *d, struct xen_err *err)
{
	xen_pfn_t nr;
	uint64_t i;

	if (xc_domain_nr_gpfns(d->d_xh->xh_xc, d->d_domid, &nr) < 0)
		return xcd_fail(d, err, errno, "getting its highest gfn");
	if (xcd_alloc_list(d, nr, false, err) < 0)
		return -1;
	for (i = 0; i < nr; i++) {
		if ((i >= XCD_VGA_FIRST && i < XCD_VGA_END) ||
		    (i >= XCD_MMIO_FIRST && i < XCD_MMIO_END))
			continue;
		d->d_pfns[d->d_n++] = i;
	}
	return 0;
}

static int
xcd_read(void *arg, uint64_t first, const uint64_t *pfns, size_t count,
    void *buf, int *errs, struct xen_err *err)
{
	struct xcd *d = arg;

	(void)first;
	return xen_physmem_read_pages(d->d_pm, pfns, count, buf, errs,
	    err) < 0 ? -1 : 0;
}

int
xc_core_dump(struct xen_handle *xh, uint32_t domid, int fd, const char *name,
    const struct xc_core_dump_opts *opts, struct xc_core_dump_stats *stats,
    struct xen_err *err)
{
	struct xc_core_write_opts wo;
	struct xc_core_write_stats ws;
	struct xcd *d;
	int rc = -1, e;

	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (xh == NULL || fd < 0)
		return xen_err_set(err, EINVAL, "xc_core_dump: %s",
		    xh == NULL ? "NULL handle" : "bad file descriptor");
	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return xen_err_set(err, EINVAL, "refusing to dump domain %"
		    PRIu32 ": dom0 and special domains are not supported",
		    domid);
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return xen_err_set(err, ENOMEM, "dumping domain %" PRIu32
		    ": out of memory", domid);
	d->d_xh = xh;
	d->d_domid = domid;
	memset(&ws, 0, sizeof(ws));

	if (xcd_info(d, err) < 0 || xcd_vcpus(d, err) < 0 ||
	    xcd_shared_info(d, err) < 0)
		goto out;
	xcd_xen_version(d);
	if ((d->d_hvm ? xcd_list_hvm(d, err) : xcd_list_pv(d, err)) < 0)
		goto out;
	d->d_pm = xen_physmem_open(xh, domid, err);
	if (d->d_pm == NULL)
		goto out;

	memset(&wo, 0, sizeof(wo));
	wo.wo_hvm = d->d_hvm;
	wo.wo_machine = d->d_width == 8 ? XC_CORE_EM_X86_64 : XC_CORE_EM_386;
	wo.wo_pfns = d->d_pfns;
	wo.wo_gmfns = d->d_gmfns;
	wo.wo_nr_pages = d->d_n;
	wo.wo_max_pages = d->d_info.tot_pages;
	wo.wo_prstatus = d->d_ctxt;
	wo.wo_prstatus_entsize = sizeof(*d->d_ctxt);
	wo.wo_nr_vcpus = d->d_nvcpus;
	wo.wo_shared_info = d->d_have_shinfo ? d->d_shinfo : NULL;
	wo.wo_xen_version = d->d_xv;
	wo.wo_xen_version_len = sizeof(d->d_xv);
	wo.wo_read = xcd_read;
	wo.wo_read_arg = d;
	wo.wo_batch = XEN_PHYSMEM_BATCH;
	if (opts != NULL) {
		wo.wo_progress = opts->do_progress;
		wo.wo_progress_arg = opts->do_progress_arg;
	}
	rc = xc_core_write(fd, name, &wo, &ws, err);
out:
	e = errno;
	if (stats != NULL) {
		stats->ds_hvm = d->d_hvm;
		stats->ds_guest_width = d->d_width;
		stats->ds_tot_pages = d->d_info.tot_pages;
		stats->ds_candidates = d->d_n;
		stats->ds_nr_vcpus = d->d_nvcpus;
		stats->ds_shared_info = d->d_have_shinfo;
		stats->ds_shared_info_frame = d->d_info.shared_info_frame;
		stats->ds_write = ws;
	}
	xen_physmem_close(d->d_pm);
	free(d->d_pfns);
	free(d->d_gmfns);
	free(d->d_ctxt);
	free(d);
	errno = e;
	return rc;
}

struct xcd_file_arg {
	struct xen_handle		*fa_xh;
	uint32_t			fa_domid;
	const struct xc_core_dump_opts	*fa_opts;
	struct xc_core_dump_stats	*fa_stats;
};

static int
xcd_fill(int fd, const char *name, void *arg, struct xen_err *err)
{
	struct xcd_file_arg *fa = arg;

	return xc_core_dump(fa->fa_xh, fa->fa_domid, fd, name, fa->fa_opts,
	    fa->fa_stats, err);
}

int
xc_core_dump_file(struct xen_handle *xh, uint32_t domid, const char *path,
    unsigned int flags, const struct xc_core_dump_opts *opts,
    struct xc_core_dump_stats *stats, struct xen_err *err)
{
	struct xcd_file_arg fa = { xh, domid, opts, stats };

	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	if (xh == NULL)
		return xen_err_set(err, EINVAL, "xc_core_dump_file: NULL "
		    "handle");
	return xc_core_file_atomic(path, flags, xcd_fill, &fa, err);
}
