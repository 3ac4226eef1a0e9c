/*
 * xen_physmem.c - map and read a live Xen domain's memory by guest frame
 * number (see xen_physmem.h).
 *
 * One mapping core, xen__map_batch(), serves every way in: map_at places
 * the caller's batch in the caller's reservation; read_pages and the
 * PVH/HVM presence probe place it in the binding's own reservation
 * (pm_bounce), use it, and put the reservation back (map_at and read_pages
 * share one loop over the batches, xen__map_batches()).  For one batch of
 * at most XEN_PHYSMEM_BATCH pages the core
 *	1. translates each pfn to the frame Xen wants (through the p2m for
 *	   PV); a pfn with no frame fails with ENXIO without asking Xen;
 *	2. maps each run of consecutive translated pages with one
 *	   xenforeignmemory_map2(MAP_FIXED) call (one privcmd MMAPBATCH_V2);
 *	   privcmd leaves a page whose frame failed inside the call's
 *	   mapping, where a touch raises SIGBUS, and refuses to split its
 *	   mappings (Linux forbids it since the XSA-fix "Forbid splitting"
 *	   of privcmd_close), so when only some frames of a call mapped the
 *	   whole mapping goes and the good frames are mapped again, one call
 *	   per run of them (xen__map_run);
 *	3. retries the runs of paged-out pages (ENOENT) with backoff;
 *	4. when nothing of the batch mapped, asks whether the domain still
 *	   lives: dying or gone makes every page ESRCH, and the binding dead
 *	   from then on.
 * Every page that failed ends as a PROT_NONE reservation, every page that
 * mapped in a mapping of mapped pages only.  libxenforeignmemory munmaps
 * the whole range when the ioctl fails as a whole (and a MAP_FIXED mmap
 * that fails may already have dropped what was there): the range gets its
 * reservation back before the error returns.
 *
 * Locking: pm_lock guards everything but the constants (pm_domid,
 * pm_type, the handles) and pm_refs (atomic).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "xen/xen_impl.h"		/* xenctrl.h before xenguest.h */
#include "xen/xen_physmem.h"

#include <xenforeignmemory.h>
#include <xenguest.h>

#ifndef MAP_NORESERVE
#define MAP_NORESERVE	0
#endif

/* Paged-out frames: retry this often, sleeping 1, 2, 4, ... ms between. */
#define XEN__PAGED_RETRIES	8

/* Domain ids from here up are special (DOMID_SELF, DOMID_IO, ...). */
#define XEN__DOMID_FIRST_RESERVED	0x7ff0u

/* PV p2m entries with these bits set name no frame of the guest's own. */
#define XEN__P2M64_BAD_BITS	((UINT64_C(1) << 62) | (UINT64_C(1) << 63))
#define XEN__P2M32_BAD_BITS	(UINT32_C(1) << 31)

/* errs[] of a page the core is about to map. */
#define XEN__TODO		(-1)

/* What the PVH/HVM presence probe knows of one batch-sized chunk. */
enum xen__chunk_state {
	XEN__CHUNK_UNKNOWN = 0,
	XEN__CHUNK_NONE,		/* no frame present */
	XEN__CHUNK_ALL,			/* every frame present */
	XEN__CHUNK_MIXED		/* see pm_chunk_bits[] */
};

#define XEN__CHUNK_BYTES	(XEN_PHYSMEM_BATCH / 8)

/*
 * pm_refs	references (xen_physmem_hold/close)
 * pm_xh	the binding's own connection to the hypervisor
 * pm_fmem	foreign-memory handle restricted to pm_domid
 * pm_minfo	PV only (pm_have_p2m): the mapped p2m table
 * pm_dead	the domain was seen dying or gone: every map fails (ESRCH)
 * pm_limit	see xen_physmem_pfn_limit()
 * pm_frames, pm_merr	one batch's frames and privcmd's per-frame errors
 * pm_errs	per-page results of a probe
 * pm_bounce	a PROT_NONE reservation of XEN_PHYSMEM_BATCH pages for reads
 *		and probes
 * pm_chunk, pm_chunk_bits	PVH/HVM probe results per chunk of
 *		XEN_PHYSMEM_BATCH pfns (pm_nchunks of them, made on first use)
 */
struct xen_physmem {
	pthread_mutex_t			pm_lock;
	atomic_uint			pm_refs;
	struct xen_handle		*pm_xh;
	uint32_t			pm_domid;
	enum xen_domain_type		pm_type;
	xenforeignmemory_handle		*pm_fmem;
	struct xen__logger		pm_log;
	struct xc_domain_meminfo	pm_minfo;
	bool				pm_have_p2m;
	bool				pm_dead;
	uint64_t			pm_limit;
	xen_pfn_t			*pm_frames;
	int				*pm_merr;
	int				*pm_errs;
	unsigned char			*pm_bounce;
	uint8_t				*pm_chunk;
	unsigned char			**pm_chunk_bits;
	size_t				pm_nchunks;
	struct xen_physmem_stats	pm_stats;
};

static int
xen__p2m_load(struct xen_physmem *pm, struct xen_err *err)
{
	char tail[300];
	int e;

	memset(&pm->pm_minfo, 0, sizeof(pm->pm_minfo));
	if (xc_map_domain_meminfo(pm->pm_xh->xh_xc, pm->pm_domid,
	    &pm->pm_minfo) < 0) {
		e = errno != 0 ? errno : EIO;
		return xen_err_set(err, e, "reading the p2m table of PV domain "
		    "%" PRIu32 " (xc_map_domain_meminfo): %s%s%s", pm->pm_domid,
		    strerror(e), xen__logger_tail(&pm->pm_xh->xh_log, tail,
		    sizeof(tail)), pm->pm_domid == 0 ? "" : ": a PV guest "
		    "publishes its p2m once its kernel has started, so a "
		    "domain created paused (xl create -p) and not yet run "
		    "cannot be mapped by pfn");
	}
	if (pm->pm_minfo.guest_width != 8 && pm->pm_minfo.guest_width != 4) {
		xc_unmap_domain_meminfo(pm->pm_xh->xh_xc, &pm->pm_minfo);
		return xen_err_set(err, ENOTSUP, "PV domain %" PRIu32 " has "
		    "guest width %u: only 32- and 64-bit guests are supported",
		    pm->pm_domid, pm->pm_minfo.guest_width);
	}
	pm->pm_have_p2m = true;
	pm->pm_limit = pm->pm_minfo.p2m_size;
	return 0;
}

static void
xen__p2m_unload(struct xen_physmem *pm)
{
	if (!pm->pm_have_p2m)
		return;
	xc_unmap_domain_meminfo(pm->pm_xh->xh_xc, &pm->pm_minfo);
	pm->pm_have_p2m = false;
}

/* Forget what the presence probe found (PVH/HVM). */
static void
xen__probe_forget(struct xen_physmem *pm)
{
	size_t c;

	for (c = 0; c < pm->pm_nchunks; c++)
		free(pm->pm_chunk_bits[c]);
	free(pm->pm_chunk_bits);
	free(pm->pm_chunk);
	pm->pm_chunk_bits = NULL;
	pm->pm_chunk = NULL;
	pm->pm_nchunks = 0;
}

/*
 * The frame to hand to Xen for pfn: the mfn for PV, the gfn otherwise.
 * Returns false when pfn has no frame.
 */
static bool
xen__frame_of(const struct xen_physmem *pm, uint64_t pfn, xen_pfn_t *framep)
{
	if (pfn >= pm->pm_limit)
		return false;
	if (!pm->pm_have_p2m) {
		*framep = (xen_pfn_t)pfn;
		return true;
	}
	if (pm->pm_minfo.guest_width == 8) {
		uint64_t m = ((const uint64_t *)pm->pm_minfo.p2m_table)[pfn];

		if (m == UINT64_MAX || (m & XEN__P2M64_BAD_BITS) != 0)
			return false;
		*framep = (xen_pfn_t)m;
	} else {
		uint32_t m = ((const uint32_t *)pm->pm_minfo.p2m_table)[pfn];

		if (m == UINT32_MAX || (m & XEN__P2M32_BAD_BITS) != 0)
			return false;
		*framep = (xen_pfn_t)m;
	}
	return true;
}

bool
xen_physmem_has_p2m(const struct xen_physmem *pm)
{
	return pm->pm_have_p2m;
}

bool
xen_physmem_pfn_to_mfn(const struct xen_physmem *pm, uint64_t pfn,
    uint64_t *mfnp)
{
	xen_pfn_t f;

	if (!pm->pm_have_p2m || !xen__frame_of(pm, pfn, &f))
		return false;
	*mfnp = (uint64_t)f;
	return true;
}

/*
 * Put a PROT_NONE reservation over npages pages at addr.  Aborts when the
 * host cannot: the caller's window would keep a hole or a SIGBUS trap.
 */
static void
xen__reserve(unsigned char *addr, size_t npages)
{
	void *p;

	p = mmap(addr, npages * XEN_PAGE_SIZE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	if (p != addr)
		abort();
}

/* Release everything a (possibly half-made) binding holds. */
static void
xen__destroy(struct xen_physmem *pm)
{
	xen__probe_forget(pm);
	if (pm->pm_xh != NULL)
		xen__p2m_unload(pm);
	if (pm->pm_fmem != NULL)
		xenforeignmemory_close(pm->pm_fmem);
	if (pm->pm_bounce != NULL)
		(void)munmap(pm->pm_bounce,
		    (size_t)XEN_PHYSMEM_BATCH * XEN_PAGE_SIZE);
	xen_close(pm->pm_xh);
	free(pm->pm_errs);
	free(pm->pm_merr);
	free(pm->pm_frames);
	(void)pthread_mutex_destroy(&pm->pm_lock);
	free(pm);
}

struct xen_physmem *
xen_physmem_open(struct xen_handle *xh, uint32_t domid, struct xen_err *err)
{
	return xen_physmem_open_flags(xh, domid, 0, err);
}

struct xen_physmem *
xen_physmem_open_flags(struct xen_handle *xh, uint32_t domid, int flags,
    struct xen_err *err)
{
	struct xen_physmem *pm;
	struct xen_domain_info di;
	char tail[300];
	void *p;
	int e;

	if (xh == NULL || (flags & ~XEN_PHYSMEM_ALLOW_DOM0) != 0) {
		xen_err_set(err, EINVAL, "xen_physmem_open: bad argument");
		return NULL;
	}
	if ((domid == 0 && !(flags & XEN_PHYSMEM_ALLOW_DOM0)) ||
	    domid >= XEN__DOMID_FIRST_RESERVED) {
		xen_err_set(err, EINVAL, "refusing to map the memory of "
		    "domain %" PRIu32 ": %s", domid, domid == 0 ?
		    "dom0 is only mapped when the caller allows it "
		    "explicitly" : "special domains are not supported");
		return NULL;
	}
	if (xen__getinfo(xh, domid, &di, err) < 0)
		return NULL;

	pm = calloc(1, sizeof(*pm));
	if (pm == NULL) {
		xen_err_set(err, ENOMEM, "out of memory binding domain %"
		    PRIu32, domid);
		return NULL;
	}
	(void)pthread_mutex_init(&pm->pm_lock, NULL);
	atomic_init(&pm->pm_refs, 1);
	pm->pm_domid = domid;
	pm->pm_type = di.di_type;
	xen__logger_init(&pm->pm_log);

	/*
	 * Our own connection (the caller's may close before we do), to the
	 * hypervisor only: nothing here asks xenstore.
	 */
	if ((pm->pm_xh = xen__open(false, err)) == NULL)
		goto fail;
	pm->pm_frames = calloc(XEN_PHYSMEM_BATCH, sizeof(*pm->pm_frames));
	pm->pm_merr = calloc(XEN_PHYSMEM_BATCH, sizeof(*pm->pm_merr));
	pm->pm_errs = calloc(XEN_PHYSMEM_BATCH, sizeof(*pm->pm_errs));
	if (pm->pm_frames == NULL || pm->pm_merr == NULL ||
	    pm->pm_errs == NULL) {
		xen_err_set(err, ENOMEM, "out of memory binding domain %"
		    PRIu32, domid);
		goto fail;
	}
	p = mmap(NULL, (size_t)XEN_PHYSMEM_BATCH * XEN_PAGE_SIZE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		xen_err_set(err, errno, "reserving %u pages to read domain %"
		    PRIu32 " through: %s", XEN_PHYSMEM_BATCH, domid,
		    strerror(errno));
		goto fail;
	}
	pm->pm_bounce = p;

	errno = 0;
	pm->pm_fmem = xenforeignmemory_open(&pm->pm_log.xl_vtable, 0);
	if (pm->pm_fmem == NULL) {
		e = errno != 0 ? errno : EACCES;
		xen_err_set(err, e, "opening /dev/xen/privcmd "
		    "(libxenforeignmemory) for domain %" PRIu32 ": %s: %s%s",
		    domid, strerror(e), xen__privcmd_hint(e),
		    xen__logger_tail(&pm->pm_log, tail, sizeof(tail)));
		goto fail;
	}
	if (xenforeignmemory_restrict(pm->pm_fmem, (domid_t)domid) < 0) {
		e = errno;
		xen_err_set(err, e, "restricting the privcmd handle to domain "
		    "%" PRIu32 ": %s: the dom0 kernel needs "
		    "IOCTL_PRIVCMD_RESTRICT (Linux 4.8 or later)", domid,
		    strerror(e));
		goto fail;
	}

	if (pm->pm_type == XEN_DOMAIN_PV) {
		if (xen__p2m_load(pm, err) < 0)
			goto fail;
	} else {
		pm->pm_limit = di.di_max_gpfn + 1;
	}
	xen_err_clear(err);
	return pm;

fail:
	e = errno;
	xen__destroy(pm);
	errno = e;
	return NULL;
}

void
xen_physmem_hold(struct xen_physmem *pm)
{
	(void)atomic_fetch_add(&pm->pm_refs, 1);
}

void
xen_physmem_close(struct xen_physmem *pm)
{
	int e = errno;

	if (pm == NULL)
		return;
	if (atomic_fetch_sub(&pm->pm_refs, 1) == 1)
		xen__destroy(pm);
	errno = e;
}

uint32_t
xen_physmem_domid(const struct xen_physmem *pm)
{
	return pm->pm_domid;
}

enum xen_domain_type
xen_physmem_type(const struct xen_physmem *pm)
{
	return pm->pm_type;
}

uint64_t
xen_physmem_pfn_limit(const struct xen_physmem *pm)
{
	return pm->pm_limit;
}

void
xen_physmem_stats(struct xen_physmem *pm, struct xen_physmem_stats *st)
{
	(void)pthread_mutex_lock(&pm->pm_lock);
	*st = pm->pm_stats;
	(void)pthread_mutex_unlock(&pm->pm_lock);
}

static void
xen__sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * True when the domain is dying or gone; the binding is then dead for
 * good.  A failure to ask concludes nothing.
 */
static bool
xen__domain_dead(struct xen_physmem *pm)
{
	struct xen_domain_info di;

	if (pm->pm_dead)
		return true;
	if (xen__getinfo(pm->pm_xh, pm->pm_domid, &di, NULL) < 0) {
		/* Gone: ENOENT, or ESRCH when no domain has a higher id. */
		if (errno == ENOENT || errno == ESRCH)
			pm->pm_dead = true;
	} else if (di.di_dying) {
		pm->pm_dead = true;
	}
	return pm->pm_dead;
}

/*
 * One privcmd call: map pages [i, j) at addr + i pages and store each
 * one's result in errs[].  Returns 0, or -1 with errno (described in err)
 * when the call failed as a whole.
 */
static int
xen__map_call(struct xen_physmem *pm, unsigned char *addr, size_t i,
    size_t j, int prot, int *errs, struct xen_err *err)
{
	unsigned char *at = addr + i * XEN_PAGE_SIZE;
	char tail[300];
	size_t k;
	void *p;
	int e;

	pm->pm_stats.ps_calls++;
	errno = 0;
	p = xenforeignmemory_map2(pm->pm_fmem, pm->pm_domid, at, prot,
	    MAP_FIXED, j - i, pm->pm_frames + i, pm->pm_merr + i);
	if (p == NULL) {
		e = errno != 0 ? errno : EIO;
		return xen_err_set(err, e, "mapping %zu frames of domain %"
		    PRIu32 " from frame 0x%" PRIx64 ": %s%s%s", j - i,
		    pm->pm_domid, (uint64_t)pm->pm_frames[i], strerror(e),
		    e == EPERM || e == EACCES ? ": Xen refused (is this dom0, "
		    "and the domain alive?)" : "",
		    xen__logger_tail(&pm->pm_log, tail, sizeof(tail)));
	}
	if (p != at)
		abort();	/* MAP_FIXED never moves a mapping */
	for (k = i; k < j; k++)
		errs[k] = pm->pm_merr[k] < 0 ? -pm->pm_merr[k] :
		    pm->pm_merr[k];
	return 0;
}

/* How many of pages [i, j) mapped. */
static size_t
xen__good(const int *errs, size_t i, size_t j)
{
	size_t k, good = 0;

	for (k = i; k < j; k++)
		good += errs[k] == 0;
	return good;
}

/*
 * Map pages [i, j) with one call.  Linux's privcmd refuses to split a
 * mapping (a partial munmap, mprotect or MAP_FIXED over it fails), so a
 * page whose frame failed cannot be cut out of its call's mapping: when
 * only some frames of the call mapped, its mapping goes whole, and the
 * frames that had mapped are mapped again, one call per run of them, and
 * one by one where a run mixes again.  Afterwards every page of [i, j) is
 * mapped (errs 0) in a mapping that holds only mapped pages, or a
 * PROT_NONE reservation.  Returns 0, or -1 with errno when a call failed
 * as a whole.
 */
static int
xen__map_run(struct xen_physmem *pm, unsigned char *addr, size_t i,
    size_t j, int prot, int *errs, struct xen_err *err)
{
	size_t a, b, k, good;

	if (xen__map_call(pm, addr, i, j, prot, errs, err) < 0)
		return -1;
	if ((good = xen__good(errs, i, j)) == j - i)
		return 0;
	xen__reserve(addr + i * XEN_PAGE_SIZE, j - i);
	for (a = i; good > 0 && a < j; a = b) {
		if (errs[a] != 0) {
			b = a + 1;
			continue;
		}
		for (b = a; b < j && errs[b] == 0; b++)
			;
		if (xen__map_call(pm, addr, a, b, prot, errs, err) < 0)
			return -1;
		if (xen__good(errs, a, b) == b - a)
			continue;
		xen__reserve(addr + a * XEN_PAGE_SIZE, b - a);
		for (k = a; k < b; k++) {
			if (errs[k] != 0)
				continue;
			if (xen__map_call(pm, addr, k, k + 1, prot, errs,
			    err) < 0)
				return -1;
			if (errs[k] != 0)
				xen__reserve(addr + k * XEN_PAGE_SIZE, 1);
		}
	}
	return 0;
}

/*
 * Map the pages of [0, n) whose errs[] is todo, a run of them at a time
 * (xen__map_run).  Returns 0, or -1 with errno.
 */
static int
xen__map_pages(struct xen_physmem *pm, unsigned char *addr, size_t n,
    int prot, int *errs, int todo, struct xen_err *err)
{
	size_t i, j;

	for (i = 0; i < n; i = j) {
		if (errs[i] != todo) {
			j = i + 1;
			continue;
		}
		for (j = i; j < n && errs[j] == todo; j++)
			;
		if (xen__map_run(pm, addr, i, j, prot, errs, err) < 0)
			return -1;
	}
	return 0;
}

static size_t
xen__count(const int *errs, size_t n, int value)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += errs[i] == value;
	return c;
}

/*
 * The core (see the top of the file): map n <= XEN_PHYSMEM_BATCH pages at
 * addr, page i holding pfns[i] (or first + i when pfns is NULL).  Returns
 * the number of pages that failed, or -1 with errno with the whole range
 * reserved again.  Caller holds pm_lock.
 */
static ssize_t
xen__map_batch(struct xen_physmem *pm, const uint64_t *pfns, uint64_t first,
    size_t n, unsigned char *addr, int prot, int *errs, struct xen_err *err)
{
	size_t i, attempted = 0, mapped, nfailed;
	unsigned int round, delay;
	xen_pfn_t frame;
	int e;

	for (i = 0; i < n; i++) {
		uint64_t pfn = pfns != NULL ? pfns[i] : first + i;

		if (pm->pm_dead) {
			errs[i] = ESRCH;
		} else if (!xen__frame_of(pm, pfn, &frame)) {
			errs[i] = ENXIO;
		} else {
			pm->pm_frames[i] = frame;
			errs[i] = XEN__TODO;
			attempted++;
		}
	}
	if (attempted > 0 &&
	    xen__map_pages(pm, addr, n, prot, errs, XEN__TODO, err) < 0)
		goto fail;
	for (round = 0, delay = 1; round < XEN__PAGED_RETRIES &&
	    xen__count(errs, n, ENOENT) > 0; round++, delay *= 2) {
		pm->pm_stats.ps_retries++;
		xen__sleep_ms(delay);
		if (xen__map_pages(pm, addr, n, prot, errs, ENOENT, err) < 0)
			goto fail;
	}

	mapped = xen__count(errs, n, 0);
	if (attempted > 0 && mapped == 0 &&
	    xen__count(errs, n, ENOENT) < attempted && xen__domain_dead(pm)) {
		for (i = 0; i < n; i++)
			errs[i] = ESRCH;
	}
	if (pm->pm_type != XEN_DOMAIN_PV) {
		/* Xen refuses a gfn with no page behind it with EINVAL. */
		for (i = 0; i < n; i++)
			if (errs[i] == EINVAL)
				errs[i] = ENXIO;
	}
	nfailed = n - mapped;
	pm->pm_stats.ps_frames += mapped;
	pm->pm_stats.ps_errors += nfailed;
	return (ssize_t)nfailed;

fail:
	e = errno;
	xen__reserve(addr, n);
	if (xen__domain_dead(pm)) {
		xen_err_set(err, ESRCH, "mapping frames of domain %" PRIu32
		    ": the domain is dying or gone", pm->pm_domid);
		e = ESRCH;
	}
	errno = e;
	return -1;
}

/* Describe the first page that failed in err. */
static void
xen__describe_failure(const struct xen_physmem *pm, const uint64_t *pfns,
    uint64_t first, const int *errs, size_t count, struct xen_err *err)
{
	uint64_t pfn;
	size_t i;

	for (i = 0; i < count && errs[i] == 0; i++)
		;
	if (i == count)
		return;
	pfn = pfns != NULL ? pfns[i] : first + i;
	switch (errs[i]) {
	case ENXIO:
		xen_err_set(err, ENXIO, "domain %" PRIu32 " has no frame behind "
		    "pfn 0x%" PRIx64 "%s", pm->pm_domid, pfn,
		    pfn >= pm->pm_limit ? " (beyond its memory)" :
		    " (a hole, or an invalid p2m entry)");
		break;
	case ENOENT:
		xen_err_set(err, ENOENT, "pfn 0x%" PRIx64 " of domain %" PRIu32
		    " stayed paged out after %d retries: try again later",
		    pfn, pm->pm_domid, XEN__PAGED_RETRIES);
		break;
	case ESRCH:
		xen_err_set(err, ESRCH, "pfn 0x%" PRIx64 " of domain %" PRIu32
		    ": the domain is dying or gone", pfn, pm->pm_domid);
		break;
	default:
		xen_err_set(err, errs[i], "mapping pfn 0x%" PRIx64 " of domain "
		    "%" PRIu32 ": %s", pfn, pm->pm_domid, strerror(errs[i]));
		break;
	}
}

/*
 * Map count frames in batches of XEN_PHYSMEM_BATCH (the core), frame i
 * being pfns[i] (or first + i when pfns is NULL), and describe the first
 * failure.  With at, page i goes to at + i pages and stays mapped; with
 * out (at NULL), each batch goes to pm_bounce, is copied to out + i pages
 * (zeros for a page that failed) and unmapped.  Returns the number of
 * frames that failed, or -1 with errno, every page of at reserved again.
 */
static ssize_t
xen__map_batches(struct xen_physmem *pm, const uint64_t *pfns, uint64_t first,
    size_t count, unsigned char *at, unsigned char *out, int prot, int *errs,
    struct xen_err *err)
{
	size_t base, n, i, nfailed = 0;
	ssize_t r;
	int e;

	xen_err_clear(err);
	(void)pthread_mutex_lock(&pm->pm_lock);
	for (base = 0; base < count; base += n) {
		n = count - base;
		if (n > XEN_PHYSMEM_BATCH)
			n = XEN_PHYSMEM_BATCH;
		r = xen__map_batch(pm, pfns != NULL ? pfns + base : NULL,
		    first + base, n, at != NULL ? at + base * XEN_PAGE_SIZE :
		    pm->pm_bounce, prot, errs + base, err);
		if (r < 0) {
			/* Earlier batches go too: all or nothing. */
			e = errno;
			if (at != NULL && base > 0)
				xen__reserve(at, base);
			(void)pthread_mutex_unlock(&pm->pm_lock);
			errno = e;
			return -1;
		}
		for (i = 0; out != NULL && i < n; i++) {
			unsigned char *dst = out + (base + i) * XEN_PAGE_SIZE;

			if (errs[base + i] == 0)
				memcpy(dst, pm->pm_bounce + i * XEN_PAGE_SIZE,
				    XEN_PAGE_SIZE);
			else
				memset(dst, 0, XEN_PAGE_SIZE);
		}
		if (out != NULL && (size_t)r < n)
			xen__reserve(pm->pm_bounce, n);	/* unmap */
		nfailed += (size_t)r;
	}
	if (nfailed > 0)
		xen__describe_failure(pm, pfns, first, errs, count, err);
	(void)pthread_mutex_unlock(&pm->pm_lock);
	return (ssize_t)nfailed;
}

static ssize_t
xen__map_at(struct xen_physmem *pm, const uint64_t *pfns, uint64_t first,
    size_t count, void *addr, int prot, int *errs, struct xen_err *err)
{
	if (pm == NULL || (count > 0 && (addr == NULL || errs == NULL)) ||
	    ((uintptr_t)addr & (XEN_PAGE_SIZE - 1)) != 0 ||
	    (prot != PROT_READ && prot != (PROT_READ | PROT_WRITE)) ||
	    (pfns == NULL && first + count < first))
		return xen_err_set(err, EINVAL, "xen_physmem_map_at: bad "
		    "argument");
	return xen__map_batches(pm, pfns, first, count, addr, NULL, prot, errs,
	    err);
}

ssize_t
xen_physmem_map_at(struct xen_physmem *pm, const uint64_t *pfns,
    size_t count, void *addr, int prot, int *errs, struct xen_err *err)
{
	if (count > 0 && pfns == NULL)
		return xen_err_set(err, EINVAL, "xen_physmem_map_at: NULL "
		    "pfns");
	return xen__map_at(pm, pfns, 0, count, addr, prot, errs, err);
}

ssize_t
xen_physmem_map_range_at(struct xen_physmem *pm, uint64_t first,
    size_t count, void *addr, int prot, int *errs, struct xen_err *err)
{
	return xen__map_at(pm, NULL, first, count, addr, prot, errs, err);
}

/*
 * Probe chunk c of a PVH/HVM domain: map its frames into pm_bounce and
 * keep which ones Xen mapped (or has paged out).  Caller holds pm_lock.
 */
static int
xen__probe_chunk(struct xen_physmem *pm, size_t c, struct xen_err *err)
{
	uint64_t first = (uint64_t)c * XEN_PHYSMEM_BATCH;
	size_t i, n, present = 0;
	unsigned char *bits;
	ssize_t r;

	if (pm->pm_chunk[c] != XEN__CHUNK_UNKNOWN)
		return 0;
	n = pm->pm_limit - first < XEN_PHYSMEM_BATCH ?
	    (size_t)(pm->pm_limit - first) : XEN_PHYSMEM_BATCH;
	r = xen__map_batch(pm, NULL, first, n, pm->pm_bounce, PROT_READ,
	    pm->pm_errs, err);
	if (r < 0)
		return -1;
	if ((size_t)r < n)
		xen__reserve(pm->pm_bounce, n);	/* unmap */
	pm->pm_stats.ps_probed += n;
	for (i = 0; i < n; i++)
		present += pm->pm_errs[i] == 0 || pm->pm_errs[i] == ENOENT;
	if (present == 0) {
		pm->pm_chunk[c] = XEN__CHUNK_NONE;
		return 0;
	}
	if (present == n) {
		pm->pm_chunk[c] = XEN__CHUNK_ALL;
		return 0;
	}
	if ((bits = calloc(1, XEN__CHUNK_BYTES)) == NULL)
		return xen_err_set(err, ENOMEM, "out of memory probing domain %"
		    PRIu32, pm->pm_domid);
	for (i = 0; i < n; i++)
		if (pm->pm_errs[i] == 0 || pm->pm_errs[i] == ENOENT)
			bits[i / 8] |= (unsigned char)(1u << (i % 8));
	pm->pm_chunk_bits[c] = bits;
	pm->pm_chunk[c] = XEN__CHUNK_MIXED;
	return 0;
}

/* The probed answer for pfn (< pm_limit): -1 with errno, 0 or 1. */
static int
xen__probed(struct xen_physmem *pm, uint64_t pfn, struct xen_err *err)
{
	size_t c = (size_t)(pfn / XEN_PHYSMEM_BATCH), i;

	if (xen__probe_chunk(pm, c, err) < 0)
		return -1;
	switch (pm->pm_chunk[c]) {
	case XEN__CHUNK_NONE:
		return 0;
	case XEN__CHUNK_ALL:
		return 1;
	default:
		i = (size_t)(pfn % XEN_PHYSMEM_BATCH);
		return (pm->pm_chunk_bits[c][i / 8] >> (i % 8)) & 1;
	}
}

int
xen_physmem_present(struct xen_physmem *pm, uint64_t pfn, uint64_t *runp,
    struct xen_err *err)
{
	uint64_t run, stop;
	xen_pfn_t frame;
	int answer, a;

	if (pm == NULL)
		return xen_err_set(err, EINVAL, "xen_physmem_present: NULL");
	(void)pthread_mutex_lock(&pm->pm_lock);
	if (pfn >= pm->pm_limit) {
		answer = 0;
		run = UINT64_MAX;
		goto out;
	}
	if (pm->pm_have_p2m) {
		/* PV: the p2m says, and reading it costs nothing. */
		answer = xen__frame_of(pm, pfn, &frame);
		for (run = pfn + 1; run < pm->pm_limit &&
		    xen__frame_of(pm, run, &frame) == (answer != 0); run++)
			;
		goto out;
	}
	if (pm->pm_chunk == NULL) {
		pm->pm_nchunks = (size_t)((pm->pm_limit + XEN_PHYSMEM_BATCH -
		    1) / XEN_PHYSMEM_BATCH);
		pm->pm_chunk = calloc(pm->pm_nchunks, 1);
		pm->pm_chunk_bits = calloc(pm->pm_nchunks,
		    sizeof(*pm->pm_chunk_bits));
		if (pm->pm_chunk == NULL || pm->pm_chunk_bits == NULL) {
			xen__probe_forget(pm);
			(void)pthread_mutex_unlock(&pm->pm_lock);
			return xen_err_set(err, ENOMEM, "out of memory probing "
			    "domain %" PRIu32, pm->pm_domid);
		}
	}
	if ((answer = xen__probed(pm, pfn, err)) < 0)
		goto fail;
	stop = pm->pm_limit - pfn > XEN_PHYSMEM_PROBE_AHEAD ?
	    pfn + XEN_PHYSMEM_PROBE_AHEAD : pm->pm_limit;
	for (run = pfn + 1; run < stop; run++) {
		if ((a = xen__probed(pm, run, err)) < 0)
			goto fail;
		if (a != answer)
			break;
	}
out:
	(void)pthread_mutex_unlock(&pm->pm_lock);
	if (runp != NULL)
		*runp = run;
	return answer;
fail:
	(void)pthread_mutex_unlock(&pm->pm_lock);
	return -1;
}

ssize_t
xen_physmem_read_pages(struct xen_physmem *pm, const uint64_t *pfns,
    size_t count, void *buf, int *errs, struct xen_err *err)
{
	if (pm == NULL || (count > 0 && (pfns == NULL || buf == NULL ||
	    errs == NULL)))
		return xen_err_set(err, EINVAL, "xen_physmem_read_pages: bad "
		    "argument");
	return xen__map_batches(pm, pfns, 0, count, NULL, buf, PROT_READ, errs,
	    err);
}
