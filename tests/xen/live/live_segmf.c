/*
 * live_segmf.c - live checks of seg_mf (the machine-frame segment driver)
 * and of the live physical-memory provider, against a running domain.
 *
 * The marker pages the guest printed (tests/xen/guest/marker.c) are the
 * known content: they are compared whole-page with what each mapping
 * shows.  Every other page of a running guest may change under us, so of
 * those only readability is compared.  Checks:
 *	segmf-range	markers through a gfn range, demand-faulted
 *	segmf-list	markers through a gfn list (a flat view), demand and
 *			prefault, one batch call each
 *	segmf-fill	demand faults and prefault: batch calls per kluster
 *			size, in seg_mf's and in xen_physmem's counters
 *	segmf-holes	a gfn past the end (and a PVH hole): per-page ENXIO,
 *			zeros with SEGMF_HOLES_ZERO; present() agrees
 *	segmf-readonly	a write through a read-only mapping kills a child
 *			with SIGSEGV; with write asked for, a child writes a
 *			marker byte back unchanged and lives
 *	segmf-dom0	dom0 refused unless allowed explicitly
 *	segmf-unmap	partial unmap, pins and incore on live frames
 *	segmf-destroy	a throwaway domain (xl create -p, never unpaused)
 *			destroyed while mapped: clean errors, mapped pages
 *			still readable, everything released after unmap
 *	live-kpm	the live provider through seg_kpm and seg_map equals
 *			xen_physmem reads (markers)
 *	segmf-grant-map	every grant the guest offers, through
 *			segmf_add_grefs read-only: whole pages, incore,
 *			stats, one gntdev handle opened on first use and
 *			closed with the segment
 *	segmf-grant-readonly	the read-only grant asked writable fails
 *			alone, with xen_grant_explain's sentence; the others
 *			map writable (a write shows in a second segment);
 *			setprot to read-only maps the refused one
 *	segmf-grant-partial	unmapping one grant page leaves the others
 *			readable and a reservation, no hole
 *	segmf-grant-mixed	marker frames and grants in one segment:
 *			grants over a unit of frames, faults, pins, setprot,
 *			dup refused, a frame back over a grant
 * The grant checks read the lines of the guest's granter program
 * (tests/xen/guest/granter.c: "GRANT <n> gref=<ref> rw=<0|1> text=<unit>",
 * "GRANTS-DONE <N>"; live_parse_grants) and skip when the guest offers
 * none.
 *
 * Privcmd mappings are not inherited by fork (the kernel marks them
 * VM_DONTCOPY): a child that must fault on a foreign mapping makes its own.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <porthole/as.h>
#include <porthole/physmem.h>
#include <porthole/physwin.h>
#include "seg_mf/physmem_live.h"
#include "seg_mf/seg_mf.h"
#include "tests/xen/live/live.h"
#include "xen/xen_domain.h"
#include "xen/xen_grant.h"
#include "xen/xen_physmem.h"

#define PG		XEN_PAGE_SIZE
/* Memory of the throwaway domain: the bed's guest kernel image alone
 * spans guest physical 16..74 MiB, so 32 MiB cannot hold it. */
#define DOOMED_MEM_MIB	96

/* What most checks start from: the domain bound, an address space. */
struct env {
	struct xen_physmem	*e_xp;
	struct as		*e_as;
	struct live_marker	e_m[LIVE_MAX_MARKERS];
	size_t			e_nm;
};

static void
env_close(struct env *e)
{
	as_free(e->e_as);
	xen_physmem_close(e->e_xp);
	memset(e, 0, sizeof(*e));
}

/* LIVE_OK, or a result to return (FAIL, or SKIP without markers). */
static int
env_open(struct live_ctx *ctx, struct env *e, bool markers)
{
	struct xen_err err;
	bool done;

	memset(e, 0, sizeof(*e));
	if (markers) {
		if (live_parse_markers(ctx->lc_console, e->e_m, &e->e_nm,
		    &done) < 0 || e->e_nm == 0 || !done)
			return live_skip("no marker lines on the guest's console "
			    "(run tests/xen/guest/marker in it)");
	}
	xen_err_clear(&err);
	e->e_xp = xen_physmem_open(ctx->lc_xh, ctx->lc_domid, &err);
	if (e->e_xp == NULL)
		return live_fail(&err, "binding domain memory");
	if ((e->e_as = as_alloc(0)) == NULL) {
		xen_physmem_close(e->e_xp);
		return live_failf("as_alloc: %s", strerror(errno));
	}
	return LIVE_OK;
}

static struct segmf_crargs
xen_args(struct env *e, enum segmf_frames frames, uint64_t first,
    const uint64_t *gfns, size_t kluster, unsigned prot)
{
	struct segmf_crargs a;

	memset(&a, 0, sizeof(a));
	a.pm = e->e_xp;
	a.frames = frames;
	a.first_gfn = first;
	a.gfns = gfns;
	a.kluster = kluster;
	a.prot = prot;
	return a;
}

/* Map npages with a in a free part of the window; NULL (said) on error. */
static unsigned char *
map_mf(struct env *e, struct segmf_crargs *a, size_t npages)
{
	void *addr;

	if (as_gap(e->e_as, npages * PG, 0, AS_GAP_LOW, &addr) < 0) {
		live_failf("as_gap of %zu pages: %s", npages, strerror(errno));
		return NULL;
	}
	if (as_map(e->e_as, addr, npages * PG, segmf_create, a) < 0) {
		live_failf("as_map of a seg_mf segment of %zu pages: %s", npages,
		    strerror(errno));
		return NULL;
	}
	return addr;
}

static bool
verify(struct env *e)
{
	char why[256] = "";

	if (as_verify(e->e_as, why, sizeof(why)) == 0)
		return true;
	live_failf("as_verify: %s", why);
	return false;
}

static struct segmf_stats
stats(struct env *e, const void *addr)
{
	struct segmf_stats st;

	memset(&st, 0, sizeof(st));
	if (segmf_stats(e->e_as, addr, &st) < 0)
		live_failf("segmf_stats: %s", strerror(errno));
	return st;
}

static double
mib_per_s(size_t pages, double s)
{
	return s > 0 ? (double)pages * PG / 1048576.0 / s : 0;
}

/* Markers through one range segment spanning them all, demand-faulted. */
static int
check_range(struct live_ctx *ctx)
{
	unsigned char page[PG], *base;
	uint64_t lo = UINT64_MAX, hi = 0, kl[LIVE_MAX_MARKERS];
	size_t i, j, nkl = 0, kluster = 64, npages;
	struct segmf_crargs a;
	struct segmf_stats st;
	struct env e;
	int rc, err, bad = 0;

	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	for (i = 0; i < e.e_nm; i++) {
		lo = e.e_m[i].m_pfn < lo ? e.e_m[i].m_pfn : lo;
		hi = e.e_m[i].m_pfn > hi ? e.e_m[i].m_pfn : hi;
	}
	npages = (size_t)(hi - lo + 1);
	a = xen_args(&e, SEGMF_FRAMES_RANGE, lo, NULL, kluster, PROT_READ);
	if ((base = map_mf(&e, &a, npages)) == NULL)
		goto out;
	for (i = 0; i < e.e_nm; i++) {
		size_t p = (size_t)(e.e_m[i].m_pfn - lo), k = p / kluster;

		if (as_read(e.e_as, base + p * PG, page, PG, &err) != PG) {
			bad += live_failf("marker %u: as_read: %s", e.e_m[i].m_index,
			    strerror(err)) != 0;
			continue;
		}
		bad += !live_marker_ok(&e.e_m[i], page, "a seg_mf range");
		bad += !live_marker_ok(&e.e_m[i], base + p * PG, "a pointer into "
		    "a seg_mf range");
		for (j = 0; j < nkl && kl[j] != k; j++)
			;
		if (j == nkl)
			kl[nkl++] = k;
	}
	st = stats(&e, base);
	printf("%zu markers in pfns 0x%" PRIx64 "..0x%" PRIx64 " (%zu pages)"
	    ": %" PRIu64 " batch calls for %zu klusters of %zu, %zu pages "
	    "mapped, %zu failed\n", e.e_nm, lo, hi, npages, st.ms_fills, nkl,
	    kluster, st.ms_resident, st.ms_failed);
	if (st.ms_fills != nkl)
		bad += live_failf("%" PRIu64 " batch calls, expected one per "
		    "kluster touched (%zu)", st.ms_fills, nkl) != 0;
	if (as_unmap(e.e_as, base, npages * PG) < 0)
		bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	bad += !verify(&e);
	rc = bad == 0 ? LIVE_OK : LIVE_FAIL;
out:
	env_close(&e);
	return base == NULL ? LIVE_FAIL : rc;
}

/* The markers as one flat buffer: a list view, last to first. */
static int
check_list(struct live_ctx *ctx)
{
	uint64_t gfns[LIVE_MAX_MARKERS + 1];
	unsigned char *buf = NULL, *base;
	int errs[LIVE_MAX_MARKERS + 1], rc, err, bad = 0;
	struct segmf_crargs a;
	struct segmf_stats st;
	size_t i, n;
	struct env e;
	int pass;

	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	n = e.e_nm + 1;
	for (i = 0; i < e.e_nm; i++)
		gfns[i] = e.e_m[e.e_nm - 1 - i].m_pfn;
	gfns[e.e_nm] = e.e_m[e.e_nm - 1].m_pfn;	/* a frame twice */
	if ((buf = malloc(n * PG)) == NULL) {
		rc = live_failf("out of memory");
		goto out;
	}
	for (pass = 0; pass < 2; pass++) {
		const char *how = pass == 0 ? "a demand-faulted gfn list" :
		    "a prefaulted gfn list";

		a = xen_args(&e, SEGMF_FRAMES_LIST, 0, gfns,
		    SEGMF_KLUSTER_MAX, PROT_READ);
		if (pass == 1) {
			a.flags = SEGMF_PREFAULT;
			a.errs = errs;
		}
		if ((base = map_mf(&e, &a, n)) == NULL) {
			bad++;
			break;
		}
		if (pass == 1) {
			for (i = 0; i < n; i++)
				if (errs[i] != 0)
					bad += live_failf("prefault: page %zu: %s",
					    i, strerror(errs[i])) != 0;
			if (stats(&e, base).ms_fills != 1)
				bad += live_failf("prefault made %" PRIu64 " batch "
				    "calls, expected 1",
				    stats(&e, base).ms_fills) != 0;
		}
		if (as_read(e.e_as, base, buf, n * PG, &err) != n * PG)
			bad += live_failf("%s: as_read: %s", how,
			    strerror(err)) != 0;
		for (i = 0; i < n && bad == 0; i++) {
			const struct live_marker *m = i < e.e_nm ?
			    &e.e_m[e.e_nm - 1 - i] : &e.e_m[e.e_nm - 1];

			bad += !live_marker_ok(m, buf + i * PG, how);
			bad += !live_marker_ok(m, base + i * PG, how);
		}
		st = stats(&e, base);
		printf("%s of %zu frames: %" PRIu64 " batch call(s), %zu "
		    "mapped\n", how, n, st.ms_fills, st.ms_resident);
		if (st.ms_fills != 1 || st.ms_resident != n)
			bad += live_failf("%s: %" PRIu64 " calls and %zu pages "
			    "mapped, expected 1 and %zu", how, st.ms_fills,
			    st.ms_resident, n) != 0;
		if (as_unmap(e.e_as, base, n * PG) < 0)
			bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	}
	bad += !verify(&e);
	rc = bad == 0 ? LIVE_OK : LIVE_FAIL;
out:
	free(buf);
	env_close(&e);
	return rc;
}

/*
 * One range of npages from first with kluster k, read whole through
 * as_read (demand) or prefaulted at create: check the batch calls made
 * (seg_mf's counter exactly, xen_physmem's at least as many) and the
 * marker at marker_page (or none: SIZE_MAX).
 */
static int
fill_case(struct env *e, uint64_t first, size_t npages, size_t k,
    bool prefault, const struct live_marker *m, size_t marker_page)
{
	struct xen_physmem_stats x0, x1;
	size_t want = (npages + k - 1) / k;
	struct segmf_crargs a;
	struct segmf_stats st;
	unsigned char *buf, *base;
	int *errs, err, bad = 0;
	double t0, t;
	size_t got;

	buf = malloc(npages * PG);
	errs = calloc(npages, sizeof(*errs));
	if (buf == NULL || errs == NULL) {
		free(buf);
		free(errs);
		return live_failf("out of memory");
	}
	a = xen_args(e, SEGMF_FRAMES_RANGE, first, NULL, k, PROT_READ);
	if (prefault) {
		a.flags = SEGMF_PREFAULT;
		a.errs = errs;
	}
	xen_physmem_stats(e->e_xp, &x0);
	t0 = live_now();
	if ((base = map_mf(e, &a, npages)) == NULL) {
		free(buf);
		free(errs);
		return LIVE_FAIL;
	}
	got = as_read(e->e_as, base, buf, npages * PG, &err);
	t = live_now() - t0;
	xen_physmem_stats(e->e_xp, &x1);
	st = stats(e, base);
	printf("  %s, kluster %4zu: %zu pages, %4" PRIu64 " batch calls "
	    "(privcmd %" PRIu64 "), %zu mapped, %zu failed, %.1f MiB/s\n",
	    prefault ? "prefault" : "demand  ", k, npages, st.ms_fills,
	    x1.ps_calls - x0.ps_calls, st.ms_resident, st.ms_failed,
	    mib_per_s(npages, t));
	if (got != npages * PG && st.ms_failed == 0)
		bad += live_failf("as_read stopped at byte %zu: %s", got,
		    strerror(err)) != 0;
	if (st.ms_fills != want)
		bad += live_failf("%" PRIu64 " batch calls, expected %zu",
		    st.ms_fills, want) != 0;
	if (x1.ps_calls - x0.ps_calls < want)
		bad += live_failf("privcmd saw %" PRIu64 " calls, fewer than %zu",
		    x1.ps_calls - x0.ps_calls, want) != 0;
	if (st.ms_frames + st.ms_errors != npages ||
	    st.ms_resident + st.ms_failed != npages)
		bad += live_failf("frames %" PRIu64 " + errors %" PRIu64 " and "
		    "resident %zu + failed %zu do not make %zu pages",
		    st.ms_frames, st.ms_errors, st.ms_resident, st.ms_failed,
		    npages) != 0;
	if (m != NULL && !live_marker_ok(m, base + marker_page * PG,
	    prefault ? "a prefaulted range" : "a demand-faulted range"))
		bad++;
	if (as_unmap(e->e_as, base, npages * PG) < 0)
		bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	free(buf);
	free(errs);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/* Batch calls per kluster, demand and prefault, around a marker. */
static int
check_fill(struct live_ctx *ctx)
{
	static const size_t klusters[] = { 1, 16, 256, 1024 };
	size_t npages = 2048, i, mp;
	uint64_t first;
	struct env e;
	int rc, bad = 0;

	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	first = e.e_m[0].m_pfn & ~(uint64_t)(npages - 1);
	mp = (size_t)(e.e_m[0].m_pfn - first);
	printf("pfns 0x%" PRIx64 "..0x%" PRIx64 " (marker %u at page %zu):"
	    "\n", first, first + npages - 1, e.e_m[0].m_index, mp);
	for (i = 0; i < sizeof(klusters) / sizeof(klusters[0]); i++) {
		bad += fill_case(&e, first, npages, klusters[i], false,
		    &e.e_m[0], mp) != LIVE_OK;
		bad += fill_case(&e, first, npages, klusters[i], true,
		    &e.e_m[0], mp) != LIVE_OK;
	}
	bad += !verify(&e);
	env_close(&e);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/*
 * A gfn without memory below the limit, or UINT64_MAX: xen_physmem_present
 * from `from` up (for PVH the frames past the guest's RAM).
 */
static uint64_t
find_hole(struct env *e, uint64_t from)
{
	uint64_t pfn = from, run, limit = xen_physmem_pfn_limit(e->e_xp);
	struct xen_err err;
	int i, r;

	for (i = 0; i < 16 && pfn < limit; i++, pfn = run) {
		xen_err_clear(&err);
		r = xen_physmem_present(e->e_xp, pfn, &run, &err);
		if (r < 0) {
			live_fail(&err, "xen_physmem_present");
			return UINT64_MAX;
		}
		if (r == 0)
			return pfn;
		if (run <= pfn)
			break;
	}
	return UINT64_MAX;
}

/* Map a single gfn that should be a hole: ENXIO, or zeros when asked. */
static int
hole_case(struct env *e, uint64_t gfn, const char *what)
{
	unsigned char page[PG], *base;
	struct segmf_crargs a;
	int errs[1], err, bad = 0, zero;

	for (zero = 0; zero < 2; zero++) {
		a = xen_args(e, SEGMF_FRAMES_RANGE, gfn, NULL, 1, PROT_READ);
		a.flags = zero ? SEGMF_HOLES_ZERO : 0;
		if ((base = map_mf(e, &a, 1)) == NULL)
			return LIVE_FAIL;
		memset(page, 0x55, PG);
		if (segmf_prefault(e->e_as, base, PG, errs) != 1 ||
		    errs[0] != ENXIO)
			bad += live_failf("%s gfn 0x%" PRIx64 ": prefault says %s, "
			    "expected ENXIO", what, gfn,
			    strerror(errs[0])) != 0;
		if (!zero) {
			if (as_read(e->e_as, base, page, PG, &err) != 0 ||
			    err != ENXIO)
				bad += live_failf("%s gfn 0x%" PRIx64 ": read: %s, "
				    "expected ENXIO", what, gfn,
				    strerror(err)) != 0;
		} else {
			size_t k;

			if (as_read(e->e_as, base, page, PG, &err) != PG)
				bad += live_failf("%s gfn 0x%" PRIx64 " with zeros: "
				    "%s", what, gfn, strerror(err)) != 0;
			for (k = 0; k < PG && page[k] == 0; k++)
				;
			if (k != PG)
				bad += live_failf("%s gfn 0x%" PRIx64 " reads "
				    "non-zero with SEGMF_HOLES_ZERO", what,
				    gfn) != 0;
		}
		if (as_unmap(e->e_as, base, PG) < 0)
			bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	}
	printf("%s gfn 0x%" PRIx64 ": ENXIO per page, zeros with the flag\n",
	    what, gfn);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/*
 * One batch across the edge of memory at gfn edge (frames below it
 * present, from it on holes): Xen maps some frames of the call and fails
 * the rest, which privcmd cannot cut out of the call's mapping, so the
 * good frames are mapped again on their own.  The good ones read, the
 * others fail per page, and everything unmaps.
 */
static int
mixed_case(struct env *e, uint64_t edge)
{
	struct xen_physmem_stats x0, x1;
	unsigned char page[PG], *base;
	struct segmf_crargs a;
	size_t i, n = 32, half = 16;
	int errs[32], err, bad = 0;

	a = xen_args(e, SEGMF_FRAMES_RANGE, edge - half, NULL, n, PROT_READ);
	a.flags = SEGMF_PREFAULT;
	a.errs = errs;
	xen_physmem_stats(e->e_xp, &x0);
	if ((base = map_mf(e, &a, n)) == NULL)
		return LIVE_FAIL;
	xen_physmem_stats(e->e_xp, &x1);
	for (i = 0; i < n; i++)
		if ((errs[i] == 0) != (i < half))
			bad += live_failf("gfn 0x%" PRIx64 " across the edge: %s",
			    edge - half + i, strerror(errs[i])) != 0;
	if (stats(e, base).ms_fills != 1)
		bad += live_failf("the edge took more than one batch call") != 0;
	if (as_read(e->e_as, base, page, PG, &err) != PG ||
	    as_read(e->e_as, base + (half - 1) * PG, page, PG, &err) != PG)
		bad += live_failf("a frame below the edge does not read: %s",
		    strerror(err)) != 0;
	if (as_read(e->e_as, base + half * PG, page, PG, &err) != 0 ||
	    err != ENXIO)
		bad += live_failf("a frame past the edge reads (%s)",
		    strerror(err)) != 0;
	if (as_unmap(e->e_as, base, n * PG) < 0)
		bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	printf("one batch across gfn 0x%" PRIx64 ": %zu mapped, %zu holes; "
	    "privcmd calls %" PRIu64 " (the good run mapped again on its "
	    "own)\n", edge, half, n - half, x1.ps_calls - x0.ps_calls);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

static int
check_holes(struct live_ctx *ctx)
{
	uint64_t limit, hole, run;
	unsigned char *base;
	struct segmf_crargs a;
	struct xen_err xerr;
	int errs[4], rc, bad = 0;
	size_t i;
	struct env e;

	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	limit = xen_physmem_pfn_limit(e.e_xp);

	/* Across the end: the two frames past it fail per page. */
	a = xen_args(&e, SEGMF_FRAMES_RANGE, limit - 2, NULL, 4, PROT_READ);
	if ((base = map_mf(&e, &a, 4)) == NULL) {
		env_close(&e);
		return LIVE_FAIL;
	}
	if (segmf_prefault(e.e_as, base, 4 * PG, errs) < 2 ||
	    errs[2] != ENXIO || errs[3] != ENXIO)
		bad += live_failf("pfns 0x%" PRIx64 "..+3 across the end (0x%"
		    PRIx64 "): results %d %d %d %d, expected ENXIO for the "
		    "last two", limit - 2, limit, errs[0], errs[1], errs[2],
		    errs[3]) != 0;
	if (as_unmap(e.e_as, base, 4 * PG) < 0)
		bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	bad += hole_case(&e, limit, "past the end:") != LIVE_OK;
	bad += hole_case(&e, limit + 12345, "far past the end:") != LIVE_OK;

	/* present() tells: every marker has memory, the end has none. */
	for (i = 0; i < e.e_nm; i++) {
		xen_err_clear(&xerr);
		if (xen_physmem_present(e.e_xp, e.e_m[i].m_pfn, &run,
		    &xerr) != 1)
			bad += live_failf("present(marker pfn 0x%" PRIx64 ") is not "
			    "1: %s", e.e_m[i].m_pfn,
			    xen_err_msg(&xerr)) != 0;
	}
	if (xen_physmem_present(e.e_xp, limit, &run, NULL) != 0)
		bad += live_failf("present(limit) is not 0") != 0;

	/* A hole inside: for PVH past the RAM (below 4 GiB). */
	hole = find_hole(&e, ctx->lc_info.di_tot_pages > 64 ?
	    ctx->lc_info.di_tot_pages - 64 : 0);
	if (hole != UINT64_MAX) {
		bad += hole_case(&e, hole, "a hole inside:") != LIVE_OK;
		if (hole >= 16 && xen_physmem_present(e.e_xp, hole - 16, &run,
		    NULL) == 1 && run == hole)
			bad += mixed_case(&e, hole) != LIVE_OK;
	}
	else if (ctx->lc_info.di_type != XEN_DOMAIN_PV)
		bad += live_failf("no hole found past the RAM of a %s guest",
		    xen_domain_type_name(ctx->lc_info.di_type)) != 0;
	else
		printf("no p2m hole inside this PV guest (none to test)\n");
	bad += !verify(&e);
	env_close(&e);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/*
 * In a child: bind the domain, map marker m (read-only or writable),
 * check it, tell the parent ('R' on fd), then write to it: the same byte
 * back when writable, a different one when not (which must kill us).
 */
static void
readonly_child(uint32_t domid, const struct live_marker *m, bool writable,
    int fd)
{
	struct rlimit nocore = { 0, 0 };
	struct xen_handle *xh;
	struct xen_err err;
	struct env e;
	struct segmf_crargs a;
	struct sigaction sa;
	unsigned char *p;
	volatile unsigned char *v;

	(void)setrlimit(RLIMIT_CORE, &nocore);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGSEGV, &sa, NULL);
	memset(&e, 0, sizeof(e));
	xen_err_clear(&err);
	if ((xh = xen_open(&err)) == NULL ||
	    (e.e_xp = xen_physmem_open(xh, domid, &err)) == NULL) {
		live_fail(&err, "child: binding the domain");
		_exit(3);
	}
	xen_close(xh);
	if ((e.e_as = as_alloc(0)) == NULL)
		_exit(3);
	a = xen_args(&e, SEGMF_FRAMES_RANGE, m->m_pfn, NULL, 1, writable ?
	    PROT_READ | PROT_WRITE : PROT_READ);
	if ((p = map_mf(&e, &a, 1)) == NULL ||
	    as_fault(e.e_as, p, PG, F_INVAL, S_READ) < 0 ||
	    !live_marker_ok(m, p, "a child's seg_mf mapping"))
		_exit(4);
	if (write(fd, "R", 1) != 1)
		_exit(5);
	v = p + 100;
	if (writable)
		*v = *v;		/* the guest's own byte, unchanged */
	else
		*v = (unsigned char)(*v ^ 0xff);
	if (!live_marker_ok(m, p, "a child's seg_mf mapping after the write"))
		_exit(6);
	_exit(0);
}

/* Run readonly_child; returns its wait status, *readp whether it read. */
static int
run_readonly_child(uint32_t domid, const struct live_marker *m,
    bool writable, bool *readp)
{
	int fds[2], status = -1;
	char c;
	pid_t pid;

	*readp = false;
	if (pipe(fds) < 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		readonly_child(domid, m, writable, fds[1]);
	}
	close(fds[1]);
	*readp = read(fds[0], &c, 1) == 1 && c == 'R';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static int
check_readonly(struct live_ctx *ctx)
{
	unsigned char one = 0, page[PG], *base;
	const struct live_marker *m;
	struct segmf_crargs a;
	struct xen_err xerr;
	struct env e;
	int rc, err, perr, status, bad = 0;
	bool read;

	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	m = &e.e_m[e.e_nm - 1];
	a = xen_args(&e, SEGMF_FRAMES_RANGE, m->m_pfn, NULL, 1, PROT_READ);
	if ((base = map_mf(&e, &a, 1)) == NULL) {
		env_close(&e);
		return LIVE_FAIL;
	}
	if (as_write(e.e_as, base + 100, &one, 1, &err) != 0 ||
	    err != EACCES)
		bad += live_failf("as_write through a read-only seg_mf segment: "
		    "%s, expected EACCES", strerror(err)) != 0;
	if (as_fault(e.e_as, base, PG, F_INVAL, S_WRITE) == 0 ||
	    errno != EACCES)
		bad += live_failf("as_fault S_WRITE on a read-only segment: not "
		    "EACCES") != 0;
	if (as_setprot(e.e_as, base, PG, PROT_READ | PROT_WRITE) == 0 ||
	    errno != EACCES)
		bad += live_failf("setprot above maxprot: not EACCES") != 0;
	(void)as_unmap(e.e_as, base, PG);

	status = run_readonly_child(ctx->lc_domid, m, false, &read);
	if (!read || !WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		bad += live_failf("a child writing through its read-only mapping: "
		    "%s, status 0x%x (expected killed by SIGSEGV)", read ?
		    "read the marker" : "did not read the marker",
		    status) != 0;
	else
		printf("read-only: the child read the marker, then its write "
		    "killed it with SIGSEGV\n");
	status = run_readonly_child(ctx->lc_domid, m, true, &read);
	if (!read || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bad += live_failf("a child writing a marker byte back through a "
		    "writable mapping: status 0x%x", status) != 0;
	else
		printf("writable: the child wrote a marker byte back and "
		    "lived\n");
	/* The guest's page is as it was. */
	xen_err_clear(&xerr);
	if (xen_physmem_read_pages(e.e_xp, &m->m_pfn, 1, page, &perr,
	    &xerr) != 0)
		bad += live_fail(&xerr, "reading the marker back") != 0;
	else
		bad += !live_marker_ok(m, page, "xen_physmem after the writes");
	bad += !verify(&e);
	env_close(&e);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

static int
check_dom0(struct live_ctx *ctx)
{
	struct xen_physmem *xp;
	struct xen_err err;
	struct segmf_crargs a;
	struct as *as;
	void *addr;
	int bad = 0;

	xen_err_clear(&err);
	xp = xen_physmem_open(ctx->lc_xh, 0, &err);
	if (xp != NULL || err.xe_errno != EINVAL ||
	    strstr(xen_err_msg(&err), "dom0") == NULL) {
		xen_physmem_close(xp);
		return live_failf("binding dom0 without asking: %s (expected "
		    "EINVAL naming dom0)", xp != NULL ? "bound" :
		    xen_err_msg(&err));
	}
	printf("xen_physmem_open(dom0): %s\n", xen_err_msg(&err));
	xen_err_clear(&err);
	if (xen_physmem_open(ctx->lc_xh, 0x7ff0, &err) != NULL ||
	    err.xe_errno != EINVAL)
		bad += live_failf("binding DOMID_SELF was not refused") != 0;

	/* Asked for: the binding may work; seg_mf still wants the flag. */
	xen_err_clear(&err);
	xp = xen_physmem_open_flags(ctx->lc_xh, 0, XEN_PHYSMEM_ALLOW_DOM0,
	    &err);
	if (xp == NULL) {
		printf("dom0 with XEN_PHYSMEM_ALLOW_DOM0: not bound here: %s\n",
		    xen_err_msg(&err));
		return bad == 0 ? LIVE_OK : LIVE_FAIL;
	}
	if ((as = as_alloc(0)) == NULL) {
		xen_physmem_close(xp);
		return live_failf("as_alloc: %s", strerror(errno));
	}
	memset(&a, 0, sizeof(a));
	a.pm = xp;
	a.frames = SEGMF_FRAMES_RANGE;
	a.first_gfn = 0x100;
	a.kluster = 1;
	a.prot = PROT_READ;
	addr = as_window_base(as);
	if (as_map(as, addr, PG, segmf_create, &a) == 0 || errno != EACCES)
		bad += live_failf("seg_mf over dom0 without SEGMF_ALLOW_DOM0: not "
		    "EACCES") != 0;
	a.flags = SEGMF_ALLOW_DOM0;
	if (as_map(as, addr, PG, segmf_create, &a) < 0)
		bad += live_failf("seg_mf over dom0 with SEGMF_ALLOW_DOM0: %s",
		    strerror(errno)) != 0;
	else
		printf("seg_mf over dom0: EACCES without SEGMF_ALLOW_DOM0, "
		    "created with it (nothing mapped)\n");
	as_free(as);
	xen_physmem_close(xp);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

static int
check_unmap(struct live_ctx *ctx)
{
	size_t npages = 64, kluster = 16, i, mp, resident = 0;
	size_t host_resident = 0;
	unsigned char vec[64], host[64], *base;
	uint64_t first;
	struct segmf_crargs a;
	struct segmf_stats st;
	struct env e;
	int errs[64], rc, bad = 0;

	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	first = e.e_m[0].m_pfn & ~(uint64_t)(npages - 1);
	mp = (size_t)(e.e_m[0].m_pfn - first);
	a = xen_args(&e, SEGMF_FRAMES_RANGE, first, NULL, kluster, PROT_READ);
	if ((base = map_mf(&e, &a, npages)) == NULL) {
		env_close(&e);
		return LIVE_FAIL;
	}
	if (as_incore(e.e_as, base, npages * PG, vec) < 0)
		bad += live_failf("as_incore: %s", strerror(errno)) != 0;
	for (i = 0; i < npages; i++)
		resident += vec[i];
	if (resident != 0)
		bad += live_failf("%zu pages incore before any fault", resident) != 0;
	/* Map the marker's kluster only. */
	if (as_fault(e.e_as, base + mp * PG, 1, F_INVAL, S_READ) < 0)
		bad += live_failf("fault on the marker: %s", strerror(errno)) != 0;
	(void)as_incore(e.e_as, base, npages * PG, vec);
	for (i = 0; i < npages; i++)
		if (vec[i] && i / kluster != mp / kluster)
			bad += live_failf("page %zu incore outside the faulted "
			    "kluster", i) != 0;
	/* Everything, with each page's result. */
	if (segmf_prefault(e.e_as, base, npages * PG, errs) < 0)
		bad += live_failf("segmf_prefault: %s", strerror(errno)) != 0;
	(void)as_incore(e.e_as, base, npages * PG, vec);
	(void)mincore(base, npages * PG, host);
	for (i = 0, resident = 0; i < npages; i++) {
		resident += vec[i];
		if (vec[i] != (errs[i] == 0))
			bad += live_failf("page %zu: incore %d but prefault says %s",
			    i, vec[i], strerror(errs[i])) != 0;
		host_resident += host[i] & 1;
	}
	/* mincore() knows nothing of privcmd mappings: the map tells. */
	printf("pfns 0x%" PRIx64 "+%zu: %zu mapped; the host's mincore() "
	    "calls %zu of them resident\n", first, npages, resident,
	    host_resident);
	st = stats(&e, base);
	if (st.ms_resident != resident)
		bad += live_failf("stats say %zu resident, incore %zu",
		    st.ms_resident, resident) != 0;

	/* Pinned: no unmap. */
	if (as_fault(e.e_as, base + mp * PG, PG, F_SOFTLOCK, S_READ) < 0)
		bad += live_failf("F_SOFTLOCK: %s", strerror(errno)) != 0;
	if (as_unmap(e.e_as, base, npages * PG) == 0 || errno != EBUSY)
		bad += live_failf("as_unmap of a pinned page: not EBUSY") != 0;
	(void)as_fault(e.e_as, base + mp * PG, PG, F_SOFTUNLOCK, S_READ);

	/*
	 * Cut 4 pages out of the middle of another kluster (a split going
	 * through a unit: privcmd cannot split its mapping, so the unit's
	 * other 12 pages go too); the marker's kluster stays mapped.
	 */
	{
		size_t mk = mp / kluster, ck = mk == 1 ? 2 : 1;
		size_t cut = ck * kluster + 4, k0 = ck * kluster;
		unsigned char *keep = base + mk * kluster * PG;
		struct xen_physmem_stats x0, x1;
		unsigned char copy[PG];
		int err;

		xen_physmem_stats(e.e_xp, &x0);
		if (as_unmap(e.e_as, base + cut * PG, 4 * PG) < 0)
			bad += live_failf("as_unmap of pages %zu..%zu: %s", cut,
			    cut + 3, strerror(errno)) != 0;
		bad += !verify(&e);
		if (as_nsegs(e.e_as) != 2)
			bad += live_failf("%zu segments after a split, expected 2",
			    as_nsegs(e.e_as)) != 0;
		if (!live_marker_ok(&e.e_m[0], base + mp * PG, "a pointer into a "
		    "seg_mf piece after a partial unmap"))
			bad++;
		if (as_read(e.e_as, base + mp * PG, copy, PG, &err) != PG ||
		    !live_marker_ok(&e.e_m[0], copy, "as_read of a seg_mf piece"))
			bad++;
		xen_physmem_stats(e.e_xp, &x1);
		if (x1.ps_calls != x0.ps_calls)
			bad += live_failf("the marker's piece asked Xen again (%"
			    PRIu64 " calls)", x1.ps_calls - x0.ps_calls) != 0;
		if (as_fault(e.e_as, base + cut * PG, 1, F_INVAL, S_READ) == 0 ||
		    errno != EFAULT)
			bad += live_failf("a cut-out page still faults in") != 0;
		(void)as_incore(e.e_as, keep, kluster * PG, vec);
		for (i = 0; i < kluster; i++)
			if (vec[i] != (errs[(size_t)(keep - base) / PG + i] ==
			    0))
				bad += live_failf("after the cut, page %zu: incore "
				    "%d", (size_t)(keep - base) / PG + i,
				    vec[i]) != 0;
		/* The cut unit's other pages: unmapped, then back. */
		(void)as_incore(e.e_as, base + k0 * PG, 4 * PG, vec);
		(void)as_incore(e.e_as, base + (cut + 4) * PG,
		    (kluster - 8) * PG, vec + 4);
		for (i = 0; i < kluster - 4; i++)
			if (vec[i] != 0)
				bad += live_failf("page %zu of the cut unit is still "
				    "mapped", i < 4 ? k0 + i : cut + i) != 0;
		if (as_read(e.e_as, base + k0 * PG, copy, PG, &err) != PG &&
		    errs[k0] == 0)
			bad += live_failf("page %zu does not fault in again: %s",
			    k0, strerror(err)) != 0;
		printf("incore and the stats agree; pages %zu..%zu cut out of "
		    "a unit (its other pages unmapped with them, faulting "
		    "in again), the marker's unit still mapped without "
		    "asking Xen again\n", cut, cut + 3);
	}
	if (as_unmap(e.e_as, base, npages * PG) < 0)
		bad += live_failf("as_unmap of the rest: %s", strerror(errno)) != 0;
	if (as_nsegs(e.e_as) != 0)
		bad += live_failf("%zu segments left", as_nsegs(e.e_as)) != 0;
	bad += !verify(&e);
	env_close(&e);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

static const char *
guest_kernel(void)
{
	static const char *const paths[] = {
		"/boot/vmlinux-guest", "/mnt/bed/vmlinux"
	};
	const char *env = getenv("PORTHOLE_GUEST_KERNEL");
	size_t i;

	if (env != NULL && access(env, R_OK) == 0)
		return env;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

/* Destroy the throwaway domain; xl's exit status. */
static int
doomed_destroy(const char *name)
{
	char *argv[] = { "xl", "destroy", (char *)name, NULL };

	return live_run(argv);
}

/* Show what xl sees (when something is not as expected). */
static void
show_xl_list(void)
{
	char *argv[] = { "xl", "list", NULL };

	(void)live_run(argv);
}

/*
 * Create a throwaway domain of type (PV or PVH), paused: it never runs.
 * Returns LIVE_OK with its name and domid, or LIVE_FAIL (said).
 */
static int
doomed_create(struct live_ctx *ctx, enum xen_domain_type type,
    const char *kernel, char *name, size_t namelen, uint32_t *domidp)
{
	char cfg[96], buf[1024];
	struct xen_err xerr;
	char *argv[] = { "xl", "create", "-p", cfg, NULL };
	FILE *f;
	int n, rc;

	snprintf(name, namelen, "porthole-doomed-%s-%d",
	    xen_domain_type_name(type), (int)getpid());
	snprintf(cfg, sizeof(cfg), "/tmp/%s.cfg", name);
	if ((f = fopen(cfg, "w")) == NULL)
		return live_failf("%s: %s", cfg, strerror(errno));
	n = snprintf(buf, sizeof(buf), "name=\"%s\"\ntype=\"%s\"\n"
	    "kernel=\"%s\"\nmemory=%d\nvcpus=1\n"
	    "extra=\"console=hvc0 quiet\"\non_crash=\"preserve\"\n%s", name,
	    xen_domain_type_name(type), kernel, DOOMED_MEM_MIB,
	    type == XEN_DOMAIN_PV ? "" : "cpuid=\"host,rdtscp=0\"\n");
	fwrite(buf, 1, (size_t)n, f);
	fclose(f);
	rc = live_run(argv);
	unlink(cfg);
	if (rc != 0) {
		(void)doomed_destroy(name);
		return live_failf("xl create -p of a %d MiB %s domain failed (exit "
		    "%d)", DOOMED_MEM_MIB, xen_domain_type_name(type), rc);
	}
	xen_err_clear(&xerr);
	if (xen_domain_resolve(ctx->lc_xh, name, domidp, &xerr) < 0) {
		(void)doomed_destroy(name);
		return live_fail(&xerr, "resolving the throwaway domain");
	}
	printf("throwaway %s domain %s is %" PRIu32 " (created paused, never "
	    "run)\n", xen_domain_type_name(type), name, *domidp);
	return LIVE_OK;
}

/*
 * Wait up to secs seconds for domid to disappear, saying so; true when it
 * did.
 */
static bool
wait_gone(struct live_ctx *ctx, uint32_t domid, double secs)
{
	struct timespec ts = { 0, 200000000 };
	struct xen_domain_info di;
	double t0 = live_now();

	memset(&di, 0, sizeof(di));
	for (;;) {
		/* Gone: ENOENT, or ESRCH when no domain has a higher id. */
		if (xen_domain_info(ctx->lc_xh, domid, &di, NULL) < 0 &&
		    (errno == ENOENT || errno == ESRCH)) {
			printf("domain %" PRIu32 " gone %.1f s after the "
			    "unmap\n", domid, live_now() - t0);
			return true;
		}
		if (live_now() - t0 >= secs)
			break;
		nanosleep(&ts, NULL);
	}
	live_failf("domain %" PRIu32 " still exists (%s) %.0f s after the unmap: "
	    "a mapping of it was not released", domid, di.di_dying ?
	    "dying" : "not even dying", secs);
	show_xl_list();
	{
		char cmd[256];
		char *argv[] = { "sh", "-c", cmd, NULL };

		snprintf(cmd, sizeof(cmd), "xl debug-keys q; xl dmesg | grep "
		    "-A8 'information for domain %" PRIu32 "' | tail -n 9; "
		    "ls -l /proc/*/fd 2>/dev/null | grep -c privcmd",
		    domid);
		(void)live_run(argv);
	}
	return false;
}

/*
 * The throwaway domid, mapped, destroyed while mapped: later faults fail
 * with ESRCH, pages mapped before stay readable, and once everything is
 * unmapped the domain goes away.  Destroys it in every case.
 */
static int
destroy_while_mapped(struct live_ctx *ctx, const char *name, uint32_t domid)
{
	size_t npages = 64, kluster = 16, i;
	unsigned char *base, saved[PG], page[PG], pattern[PG];
	struct xen_domain_info di;
	struct segmf_crargs a;
	struct segmf_stats st;
	struct xen_err xerr;
	uint64_t first = 0x800, pfn;
	struct env e;
	int errs[16], perr, err, rc, bad = 0;
	bool destroyed = false;

	memset(&e, 0, sizeof(e));
	xen_err_clear(&xerr);
	if ((e.e_xp = xen_physmem_open(ctx->lc_xh, domid, &xerr)) == NULL) {
		bad += live_fail(&xerr, "binding the throwaway domain") != 0;
		goto out;
	}
	if ((e.e_as = as_alloc(0)) == NULL) {
		bad += live_failf("as_alloc: %s", strerror(errno)) != 0;
		goto out;
	}
	a = xen_args(&e, SEGMF_FRAMES_RANGE, first, NULL, kluster,
	    PROT_READ | PROT_WRITE);
	if ((base = map_mf(&e, &a, npages)) == NULL) {
		bad++;
		goto out;
	}
	/* The first kluster mapped; a page of it is ours to write. */
	if (as_fault(e.e_as, base, kluster * PG, F_INVAL, S_WRITE) < 0) {
		bad += live_failf("faulting in the first kluster: %s",
		    strerror(errno)) != 0;
		goto out;
	}
	for (i = 0; i < PG; i++)
		pattern[i] = (unsigned char)(i * 7 + 3);
	memcpy(base + 3 * PG, pattern, PG);
	pfn = first + 3;
	xen_err_clear(&xerr);
	if (xen_physmem_read_pages(e.e_xp, &pfn, 1, page, &perr, &xerr) != 0)
		bad += live_fail(&xerr, "reading the written page") != 0;
	else if (memcmp(page, pattern, PG) != 0)
		bad += live_failf("a write through seg_mf did not reach the "
		    "domain's page") != 0;
	else
		printf("a write through a writable seg_mf page reached the "
		    "domain (read back through xen_physmem)\n");
	memcpy(saved, base + PG, PG);

	if ((rc = doomed_destroy(name)) != 0)
		bad += live_failf("xl destroy %s: exit %d", name, rc) != 0;
	destroyed = true;
	if (xen_domain_info(ctx->lc_xh, domid, &di, NULL) == 0)
		printf("after xl destroy: domain %" PRIu32 " %s\n", domid,
		    di.di_dying ? "dying (our mappings hold its frames)" :
		    "not dying");
	else
		printf("after xl destroy: domain %" PRIu32 " gone\n", domid);

	/* Later faults fail cleanly: ESRCH. */
	errno = 0;
	if (as_fault(e.e_as, base + kluster * PG, PG, F_INVAL, S_READ) == 0)
		bad += live_failf("a fault on the destroyed domain succeeded") != 0;
	else if (errno != ESRCH)
		bad += live_failf("a fault on the destroyed domain: %s, expected "
		    "ESRCH", strerror(errno)) != 0;
	else
		printf("a later fault: %s\n", strerror(errno));
	if (segmf_prefault(e.e_as, base + 2 * kluster * PG, kluster * PG,
	    errs) != (ssize_t)kluster)
		bad += live_failf("prefault on the destroyed domain did not fail "
		    "every page") != 0;
	for (i = 0; i < kluster; i++)
		if (errs[i] != ESRCH) {
			bad += live_failf("prefault page %zu: %s, expected ESRCH", i,
			    strerror(errs[i])) != 0;
			break;
		}
	xen_err_clear(&xerr);
	pfn = first + 40;
	if (xen_physmem_read_pages(e.e_xp, &pfn, 1, page, &perr, &xerr) != 1 ||
	    perr != ESRCH)
		bad += live_failf("xen_physmem_read_pages after destroy: %s",
		    xen_err_msg(&xerr)) != 0;
	else
		printf("xen_physmem: %s\n", xen_err_msg(&xerr));

	/* Mapped pages stay memory: read and compare, as_read too. */
	if (memcmp(base + PG, saved, PG) != 0)
		bad += live_failf("a page mapped before the destroy changed") != 0;
	if (as_read(e.e_as, base + 3 * PG, page, PG, &err) != PG ||
	    memcmp(page, pattern, PG) != 0)
		bad += live_failf("as_read of a mapped page after the destroy: %s",
		    strerror(err)) != 0;
	st = stats(&e, base);
	printf("after the destroy: %zu pages still mapped and readable, %zu "
	    "failed\n", st.ms_resident, st.ms_failed);
	if (st.ms_resident != kluster)
		bad += live_failf("%zu pages mapped, expected %zu", st.ms_resident,
		    kluster) != 0;
	if (as_unmap(e.e_as, base, npages * PG) < 0)
		bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	bad += !verify(&e);
out:
	env_close(&e);
	if (!destroyed)
		(void)doomed_destroy(name);
	/* With every mapping gone, Xen can finish destroying it. */
	if (!wait_gone(ctx, domid, 60))
		bad++;
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/*
 * A domain destroyed while mapped.  The throwaway has the type of the
 * domain under test and is created paused, never run.  A PV guest
 * publishes its p2m only once its kernel runs, so a never-run PV
 * throwaway must be refused clearly; the destroy-while-mapped part then
 * runs against a PVH throwaway (mapped through the same privcmd).
 */
static int
check_destroy(struct live_ctx *ctx)
{
	const char *kernel = guest_kernel();
	struct xen_physmem *xp;
	struct xen_err xerr;
	char name[64];
	uint32_t domid;
	int bad = 0, rc;

	if (kernel == NULL)
		return live_skip("no guest kernel (/boot/vmlinux-guest or "
		    "$PORTHOLE_GUEST_KERNEL) to build a throwaway domain");
	if (ctx->lc_info.di_type == XEN_DOMAIN_PV) {
		if ((rc = doomed_create(ctx, XEN_DOMAIN_PV, kernel, name,
		    sizeof(name), &domid)) != LIVE_OK)
			return rc;
		xen_err_clear(&xerr);
		xp = xen_physmem_open(ctx->lc_xh, domid, &xerr);
		if (xp != NULL) {
			xen_physmem_close(xp);
			bad += live_failf("a never-run PV domain was bound: it has "
			    "no p2m to translate through") != 0;
		} else if (strstr(xen_err_msg(&xerr), "p2m") == NULL ||
		    strstr(xen_err_msg(&xerr), "not yet run") == NULL) {
			bad += live_failf("binding a never-run PV domain: unclear "
			    "refusal: %s", xen_err_msg(&xerr)) != 0;
		} else {
			printf("never-run PV domain refused: %s\n",
			    xen_err_msg(&xerr));
		}
		if ((rc = doomed_destroy(name)) != 0)
			bad += live_failf("xl destroy %s: exit %d", name, rc) != 0;
		if (!wait_gone(ctx, domid, 60))
			bad++;
	}
	if ((rc = doomed_create(ctx, XEN_DOMAIN_PVH, kernel, name,
	    sizeof(name), &domid)) != LIVE_OK)
		return rc;
	bad += destroy_while_mapped(ctx, name, domid) != LIVE_OK;
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/* Markers through physwin over the live provider, kpm then seg_map. */
static int
check_kpm(struct live_ctx *ctx)
{
	static const enum physwin_mode modes[] = { PHYSWIN_KPM, PHYSWIN_MAP };
	unsigned char page[PG], ours[PG];
	struct physwin_opts o;
	struct physmem *pm;
	struct physwin *pw;
	struct xen_err xerr;
	char desc[160];
	uint64_t run;
	size_t i, k;
	struct env e;
	int rc, err, perr, bad = 0;

	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	if ((pm = physmem_live_open(e.e_xp)) == NULL) {
		env_close(&e);
		return live_failf("physmem_live_open: %s", strerror(errno));
	}
	physmem_describe(pm, desc, sizeof(desc));
	printf("provider: %s\n", desc);
	if (physmem_nframes(pm) != xen_physmem_pfn_limit(e.e_xp))
		bad += live_failf("%" PRIu64 " frames, xen_physmem says %" PRIu64,
		    physmem_nframes(pm),
		    xen_physmem_pfn_limit(e.e_xp)) != 0;
	for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		memset(&o, 0, sizeof(o));
		o.po_size = sizeof(o);
		o.po_mode = modes[k];
		if ((pw = physwin_open(e.e_as, pm, &o)) == NULL) {
			bad += live_failf("physwin_open (%s): %s", k == 0 ? "kpm" :
			    "map", strerror(errno)) != 0;
			continue;
		}
		for (i = 0; i < e.e_nm; i++) {
			const struct live_marker *m = &e.e_m[i];

			if (physwin_read(pw, m->m_pfn * PG, page, PG, &err) !=
			    PG) {
				bad += live_failf("physwin_read of marker %u: %s",
				    m->m_index, strerror(err)) != 0;
				continue;
			}
			bad += !live_marker_ok(m, page, k == 0 ?
			    "seg_kpm over the live provider" :
			    "seg_map over the live provider");
			xen_err_clear(&xerr);
			if (xen_physmem_read_pages(e.e_xp, &m->m_pfn, 1, ours,
			    &perr, &xerr) != 0)
				bad += live_fail(&xerr, "xen_physmem") != 0;
			else if (memcmp(ours, page, PG) != 0)
				bad += live_failf("marker %u: the window and "
				    "xen_physmem disagree", m->m_index) != 0;
			if (physmem_present(pm, m->m_pfn, &run) != 1)
				bad += live_failf("present(marker pfn) is not 1") !=
				    0;
		}
		printf("%zu markers through %s equal xen_physmem reads\n",
		    e.e_nm, k == 0 ? "seg_kpm" : "seg_map");
		physwin_close(pw);
	}
	if (physmem_present(pm, physmem_nframes(pm), &run) != 0)
		bad += live_failf("present(nframes) is not 0") != 0;
	physmem_rele(pm);
	if (as_nsegs(e.e_as) != 0)
		bad += live_failf("segments left after physwin_close") != 0;
	bad += !verify(&e);
	env_close(&e);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/* Open descriptors of the grant device (a segment's grant handle). */
static int
gntdev_fds(void)
{
	char path[300], target[256];
	struct dirent *de;
	ssize_t len;
	int n = 0;
	DIR *d;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += strstr(target, "gntdev") != NULL;
	}
	closedir(d);
	return n;
}

/* An EMPTY seg_mf segment of npages (read-only, writable at most). */
static unsigned char *
map_empty(struct env *e, size_t npages, size_t kluster)
{
	struct segmf_crargs a;

	a = xen_args(e, SEGMF_FRAMES_EMPTY, 0, NULL, kluster, PROT_READ);
	a.maxprot = PROT_READ | PROT_WRITE;
	return map_mf(e, &a, npages);
}

/* Add grants, saying why when any fails; the number that failed. */
static ssize_t
add_grefs(struct env *e, void *addr, const uint32_t *refs, size_t n,
    int flags, int *errs, struct xen_err *err)
{
	ssize_t r;
	size_t i;

	xen_err_clear(err);
	r = segmf_add_grefs(e->e_as, addr, refs, n, flags, errs, err);
	if (r < 0)
		live_failf("segmf_add_grefs of %zu grants: %s", n, xen_err_msg(err));
	for (i = 0; r > 0 && i < n; i++)
		if (errs[i] != 0)
			fprintf(stderr, "    ref %" PRIu32 ": %s\n", refs[i],
			    strerror(errs[i]));
	return r;
}

/*
 * The end of a grant check: unmap its segment of n pages at base; they
 * are reservations again, the segment's grant handle is closed (fds0
 * gntdev descriptors, as before the check) and the address space
 * verifies.  Closes e; the check's result, given bad problems so far.
 */
static int
grant_end(struct env *e, unsigned char *base, size_t n, int fds0, int bad)
{
	if (as_unmap(e->e_as, base, n * PG) < 0)
		bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	if (!live_reserved(base, n, "after the unmap"))
		bad++;
	if (gntdev_fds() != fds0)
		bad += live_failf("%d gntdev descriptors after the unmap, "
		    "expected %d", gntdev_fds(), fds0) != 0;
	bad += !verify(e);
	env_close(e);
	return bad == 0 ? LIVE_OK : LIVE_FAIL;
}

/*
 * Every grant through segmf_add_grefs, read-only, between two EMPTY
 * guard pages: the pages equal their text through a pointer and
 * as_read, incore and the stats say n grants mapped in one call, writes
 * are refused, adding them again uses the same handle, and the unmap
 * leaves reservations and closes the handle.
 */
static int
check_grant_map(struct live_ctx *ctx)
{
	uint32_t refs[LIVE_MAX_GRANTS];
	unsigned char vec[LIVE_MAX_GRANTS + 2], page[PG], one = 0, *base;
	struct segmf_stats st;
	struct xen_err xerr;
	struct live_grants gs;
	struct env e;
	int errs[LIVE_MAX_GRANTS], fds0, err, rc, bad = 0;
	size_t i, n;

	if ((rc = live_parse_grants(ctx->lc_console, &gs, 1, false)) != LIVE_OK)
		return rc;
	if ((rc = env_open(ctx, &e, false)) != LIVE_OK)
		return rc;
	n = gs.gs_n;
	for (i = 0; i < n; i++)
		refs[i] = gs.gs_grant[i].g_ref;
	fds0 = gntdev_fds();
	if ((base = map_empty(&e, n + 2, SEGMF_KLUSTER_MAX)) == NULL) {
		env_close(&e);
		return LIVE_FAIL;
	}
	if (gntdev_fds() != fds0)
		bad += live_failf("a grant handle was opened before any grant was "
		    "added") != 0;
	if (add_grefs(&e, base + PG, refs, n, 0, errs, &xerr) != 0) {
		bad++;
		goto out;
	}
	for (i = 0; i < n; i++) {
		bad += !live_grant_ok(&gs.gs_grant[i], base + (i + 1) * PG,
		    "a pointer into a seg_mf segment");
		if (as_read(e.e_as, base + (i + 1) * PG, page, PG, &err) != PG)
			bad += live_failf("as_read of grant page %zu: %s", i,
			    strerror(err)) != 0;
		else
			bad += !live_grant_ok(&gs.gs_grant[i], page, "as_read");
	}
	(void)as_incore(e.e_as, base, (n + 2) * PG, vec);
	for (i = 0; i < n + 2; i++)
		if (vec[i] != (i >= 1 && i <= n))
			bad += live_failf("page %zu: incore %d", i, vec[i]) != 0;
	st = stats(&e, base);
	printf("%zu grants of domain %" PRIu32 " through segmf_add_grefs: "
	    "%" PRIu64 " grant map call(s), %zu mapped, %" PRIu64 " frame "
	    "batches; gntdev descriptors %d -> %d\n", n, ctx->lc_domid,
	    st.ms_gref_maps, st.ms_gref_resident, st.ms_fills, fds0,
	    gntdev_fds());
	if (st.ms_grefs != n || st.ms_gref_resident != n ||
	    st.ms_resident != n || st.ms_gref_maps != 1 ||
	    st.ms_gref_mapped != n || st.ms_fills != 0)
		bad += live_failf("stats: %zu grant pages, %zu mapped, %" PRIu64
		    " calls, expected %zu, %zu, 1", st.ms_grefs,
		    st.ms_gref_resident, st.ms_gref_maps, n, n) != 0;
	if (gntdev_fds() != fds0 + 1)
		bad += live_failf("%d gntdev descriptors, expected %d (one handle "
		    "per segment)", gntdev_fds(), fds0 + 1) != 0;
	if (as_write(e.e_as, base + PG + 7, &one, 1, &err) != 0 ||
	    err != EACCES)
		bad += live_failf("as_write to a grant added read-only: %s, "
		    "expected EACCES", strerror(err)) != 0;
	/* Again over the same pages: the same handle maps them. */
	if (add_grefs(&e, base + PG, refs, n, 0, errs, &xerr) != 0)
		bad++;
	else if (gntdev_fds() != fds0 + 1 ||
	    stats(&e, base).ms_gref_maps != 2)
		bad += live_failf("adding the grants again opened another handle "
		    "or made more than one call") != 0;
	for (i = 0; i < n; i++)
		bad += !live_grant_ok(&gs.gs_grant[i], base + (i + 1) * PG,
		    "a segment whose grants were added again");
out:
	return grant_end(&e, base, n + 2, fds0, bad);
}

/*
 * The writable grants and the read-only one, all asked writable: only
 * the read-only one fails, with EACCES and xen_grant_explain's sentence
 * (from segmf_add_grefs and from segmf_explain); the others map
 * writable, and a byte written through one shows in a second segment
 * mapping the same grant read-only (then is put back).  setprot to
 * read-only maps the refused page.
 */
static int
check_grant_readonly(struct live_ctx *ctx)
{
	uint32_t refs[LIVE_MAX_GRANTS];
	unsigned char page[PG], *base, *view = NULL, old, flip, vec[1];
	struct xen_err xerr, want, why;
	const struct live_grant *ro, *rw0;
	struct xen_grant *gt;
	struct live_grants gs;
	struct env e;
	int errs[LIVE_MAX_GRANTS], fds0, err, rc, bad = 0;
	size_t i, n, rop;

	if ((rc = live_parse_grants(ctx->lc_console, &gs, 1, true)) != LIVE_OK)
		return rc;
	if ((rc = env_open(ctx, &e, false)) != LIVE_OK)
		return rc;
	ro = &gs.gs_grant[gs.gs_ro];
	rw0 = &gs.gs_grant[gs.gs_rw[0]];
	n = gs.gs_nrw + 1;
	rop = gs.gs_nrw;		/* the read-only grant's page */
	for (i = 0; i < gs.gs_nrw; i++)
		refs[i] = gs.gs_grant[gs.gs_rw[i]].g_ref;
	refs[rop] = ro->g_ref;
	fds0 = gntdev_fds();
	if ((base = map_empty(&e, n, SEGMF_KLUSTER_MAX)) == NULL) {
		env_close(&e);
		return LIVE_FAIL;
	}
	xen_err_clear(&xerr);
	if (segmf_add_grefs(e.e_as, base, refs, n, SEGMF_GREF_WRITE, errs,
	    &xerr) != 1) {
		bad += live_failf("segmf_add_grefs of %zu writable and the "
		    "read-only grant, writable: expected one failure: %s", n - 1,
		    xen_err_msg(&xerr)) != 0;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (errs[i] != (i == rop ? EACCES : 0))
			bad += live_failf("ref %" PRIu32 ": %s", refs[i],
			    strerror(errs[i])) != 0;
	printf("writable grants and the read-only one, asked writable: %s\n",
	    xen_err_msg(&xerr));
	/* The sentence is xen_grant's own. */
	xen_err_clear(&want);
	if ((gt = xen_grant_open(ctx->lc_domid, &want)) == NULL) {
		bad += live_fail(&want, "opening a grant handle to compare "
		    "sentences") != 0;
		goto out;
	}
	xen_grant_explain(gt, ro->g_ref, EACCES, &want);
	xen_grant_close(gt);
	if (xerr.xe_errno != EACCES || strcmp(xerr.xe_msg, want.xe_msg) != 0)
		bad += live_failf("segmf_add_grefs said \"%s\", xen_grant_explain "
		    "says \"%s\"", xerr.xe_msg, want.xe_msg) != 0;
	if (segmf_explain(e.e_as, base + rop * PG, &why) != EACCES ||
	    strcmp(why.xe_msg, want.xe_msg) != 0)
		bad += live_failf("segmf_explain of the refused page: \"%s\"",
		    why.xe_msg) != 0;
	if (as_read(e.e_as, base + rop * PG, page, PG, &err) != 0 ||
	    err != EACCES)
		bad += live_failf("as_read of the refused grant: %s, expected "
		    "EACCES", strerror(err)) != 0;
	for (i = 0; i < gs.gs_nrw; i++)
		bad += !live_grant_ok(&gs.gs_grant[gs.gs_rw[i]], base + i * PG,
		    "a writable seg_mf grant page");

	/* A write shows in a second segment mapping the grant read-only. */
	if ((view = map_empty(&e, 1, 1)) == NULL ||
	    add_grefs(&e, view, &rw0->g_ref, 1, 0, errs, &xerr) != 0) {
		bad++;
		goto out;
	}
	old = base[100];
	flip = (unsigned char)(old ^ 0x5a);
	if (as_write(e.e_as, base + 100, &flip, 1, &err) != 1)
		bad += live_failf("as_write to a writable grant: %s",
		    strerror(err)) != 0;
	else if (view[100] != flip)
		bad += live_failf("a write through one seg_mf grant page does not "
		    "show in another mapping of the grant") != 0;
	else
		printf("a byte written through a writable grant page shows in "
		    "a second segment's read-only mapping of the grant\n");
	if (as_write(e.e_as, base + 100, &old, 1, &err) != 1)
		bad += live_failf("putting the byte back: %s", strerror(err)) != 0;
	bad += !live_grant_ok(rw0, view, "the second segment after the write "
	    "was undone");

	/* Read-only, the refused grant maps. */
	if (as_setprot(e.e_as, base + rop * PG, PG, PROT_READ) < 0)
		bad += live_failf("setprot of the refused page: %s",
		    strerror(errno)) != 0;
	else if (as_read(e.e_as, base + rop * PG, page, PG, &err) != PG)
		bad += live_failf("as_read of the read-only grant after setprot: "
		    "%s", strerror(err)) != 0;
	else if (!live_grant_ok(ro, page, "setprot to read-only"))
		bad++;
	else if (as_incore(e.e_as, base + rop * PG, PG, vec) < 0 || !vec[0])
		bad += live_failf("the read-only grant is not incore") != 0;
	else
		printf("after setprot to read-only the read-only grant maps "
		    "and holds its text\n");
out:
	if (view != NULL && as_unmap(e.e_as, view, PG) < 0)
		bad += live_failf("as_unmap: %s", strerror(errno)) != 0;
	return grant_end(&e, base, n, fds0, bad);
}

/*
 * Partial unmaps of the writable grants mapped in one call between
 * guard pages: a middle grant page, then the first; after each the page
 * is a reservation and the other grants read their text.  A grant added
 * again into a piece maps, and unmapping everything closes the handle.
 */
static int
check_grant_partial(struct live_ctx *ctx)
{
	uint32_t refs[LIVE_MAX_GRANTS];
	unsigned char page[PG], *base, vec[LIVE_MAX_GRANTS];
	struct xen_err xerr;
	struct live_grants gs;
	struct env e;
	int errs[LIVE_MAX_GRANTS], fds0, err, rc, bad = 0;
	size_t i, n;

	if ((rc = live_parse_grants(ctx->lc_console, &gs, 3, false)) != LIVE_OK)
		return rc;
	if ((rc = env_open(ctx, &e, false)) != LIVE_OK)
		return rc;
	n = gs.gs_nrw;
	for (i = 0; i < n; i++)
		refs[i] = gs.gs_grant[gs.gs_rw[i]].g_ref;
	fds0 = gntdev_fds();
	if ((base = map_empty(&e, n + 2, SEGMF_KLUSTER_MAX)) == NULL) {
		env_close(&e);
		return LIVE_FAIL;
	}
	if (add_grefs(&e, base + PG, refs, n, 0, errs, &xerr) != 0) {
		bad++;
		goto out;
	}
	/* Grant 1 (page 2), in the middle of the call's pages. */
	if (as_unmap(e.e_as, base + 2 * PG, PG) < 0) {
		bad += live_failf("as_unmap of grant page 1: %s",
		    strerror(errno)) != 0;
		goto out;
	}
	bad += !verify(&e);
	if (as_nsegs(e.e_as) != 2)
		bad += live_failf("%zu segments after unmapping a middle page",
		    as_nsegs(e.e_as)) != 0;
	if (!live_reserved(base + 2 * PG, 1, "the unmapped grant page"))
		bad++;
	for (i = 0; i < n; i++) {
		if (i == 1)
			continue;
		bad += !live_grant_ok(&gs.gs_grant[gs.gs_rw[i]], base + (i + 1) * PG,
		    "a grant page beside an unmapped one");
		if (as_read(e.e_as, base + (i + 1) * PG, page, PG, &err) != PG)
			bad += live_failf("as_read of grant page %zu: %s", i,
			    strerror(err)) != 0;
	}
	(void)as_incore(e.e_as, base + 3 * PG, (n - 2) * PG, vec);
	for (i = 0; i < n - 2; i++)
		if (!vec[i])
			bad += live_failf("grant page %zu not incore after the cut",
			    i + 2) != 0;
	if (stats(&e, base + 3 * PG).ms_gref_resident != n - 2 ||
	    stats(&e, base).ms_gref_resident != 1)
		bad += live_failf("the pieces' stats do not count %zu and 1 grants",
		    n - 2) != 0;
	if (gntdev_fds() != fds0 + 1)
		bad += live_failf("%d gntdev descriptors after a split, expected %d "
		    "(the pieces share the handle)", gntdev_fds(),
		    fds0 + 1) != 0;
	printf("unmapped grant page 1 of %zu: a reservation, the others read "
	    "their text; one handle for both pieces\n", n);

	/* The first grant (the first piece's tail). */
	if (as_unmap(e.e_as, base + PG, PG) < 0)
		bad += live_failf("as_unmap of grant page 0: %s",
		    strerror(errno)) != 0;
	if (!live_reserved(base + PG, 2, "grant pages 0 and 1 unmapped"))
		bad++;
	for (i = 2; i < n; i++)
		bad += !live_grant_ok(&gs.gs_grant[gs.gs_rw[i]], base + (i + 1) * PG,
		    "after unmapping the first grant page too");

	/* Grant 0 again, over grant 2's page of the second piece. */
	if (add_grefs(&e, base + 3 * PG, &refs[0], 1, 0, errs, &xerr) != 0)
		bad++;
	else
		bad += !live_grant_ok(&gs.gs_grant[gs.gs_rw[0]], base + 3 * PG,
		    "a grant added over another one");
	if (gntdev_fds() != fds0 + 1)
		bad += live_failf("%d gntdev descriptors, expected %d",
		    gntdev_fds(), fds0 + 1) != 0;
out:
	return grant_end(&e, base, n + 2, fds0, bad);
}

/* Page p of the mixed segment: marker p / 2 (even) or grant p / 2 (odd). */
static bool
mixed_ok(const struct env *e, const struct live_grants *gs, const unsigned char
    *page, size_t p, const char *how)
{
	if (p % 2 == 0)
		return live_marker_ok(&e->e_m[p / 2], page, how);
	return live_grant_ok(&gs->gs_grant[p / 2], page, how);
}

/*
 * Marker frames and grants in one segment.  A list of 2k frames (each
 * marker twice) is prefaulted as one unit; grants added one by one over
 * the odd pages unload the unit, and the markers fault in again around
 * them.  Then: a pinned grant refuses unmap and new frames; as_dup is
 * refused; setprot PROT_NONE and back remaps frames and grants; a frame
 * added back over a grant shows its marker.
 */
static int
check_grant_mixed(struct live_ctx *ctx)
{
	uint64_t gfns[2 * LIVE_MAX_GRANTS];
	unsigned char *buf = NULL, *base, vec[2 * LIVE_MAX_GRANTS];
	int errs[2 * LIVE_MAX_GRANTS], fds0, err, rc, bad = 0;
	struct segmf_crargs a;
	struct segmf_stats st;
	struct xen_err xerr;
	struct live_grants gs;
	struct as *copy;
	struct env e;
	size_t i, k, n;

	if ((rc = live_parse_grants(ctx->lc_console, &gs, 1, false)) != LIVE_OK)
		return rc;
	if ((rc = env_open(ctx, &e, true)) != LIVE_OK)
		return rc;
	k = e.e_nm < gs.gs_n ? e.e_nm : gs.gs_n;
	n = 2 * k;
	for (i = 0; i < n; i++)
		gfns[i] = e.e_m[i / 2].m_pfn;
	fds0 = gntdev_fds();
	if ((buf = malloc(n * PG)) == NULL) {
		env_close(&e);
		return live_failf("out of memory");
	}
	a = xen_args(&e, SEGMF_FRAMES_LIST, 0, gfns, SEGMF_KLUSTER_MAX,
	    PROT_READ);
	a.flags = SEGMF_PREFAULT;
	a.errs = errs;
	if ((base = map_mf(&e, &a, n)) == NULL) {
		free(buf);
		env_close(&e);
		return LIVE_FAIL;
	}
	if (stats(&e, base).ms_resident != n)
		bad += live_failf("the prefault did not map all %zu frames",
		    n) != 0;
	for (i = 0; i < k; i++) {
		if (add_grefs(&e, base + (2 * i + 1) * PG, &gs.gs_grant[i].g_ref,
		    1, 0, errs, &xerr) != 0) {
			bad++;
			goto out;
		}
	}
	(void)as_incore(e.e_as, base, n * PG, vec);
	for (i = 0; i < n; i++)
		if (vec[i] != (i % 2 == 1))
			bad += live_failf("page %zu: incore %d after the grants went "
			    "over the unit of frames", i, vec[i]) != 0;
	if (as_read(e.e_as, base, buf, n * PG, &err) != n * PG) {
		bad += live_failf("as_read of the mixed segment: %s",
		    strerror(err)) != 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		bad += !mixed_ok(&e, &gs, buf + i * PG, i, "as_read of a "
		    "mixed segment");
		bad += !mixed_ok(&e, &gs, base + i * PG, i, "a pointer into "
		    "a mixed segment");
	}
	st = stats(&e, base);
	printf("%zu markers and %zu grants interleaved in one segment: %"
	    PRIu64 " frame batches (1 prefault, then one per frame between "
	    "grants), %" PRIu64 " grant maps, %zu of %zu pages mapped\n", k, k,
	    st.ms_fills, st.ms_gref_maps, st.ms_resident, st.ms_pages);
	if (st.ms_grefs != k || st.ms_gref_maps != k ||
	    st.ms_gref_resident != k || st.ms_resident != n ||
	    st.ms_fills != 1 + k || st.ms_frames != n + k)
		bad += live_failf("stats: %zu grants, %" PRIu64 " grant maps, %"
		    PRIu64 " frame batches of %" PRIu64 " frames, expected %zu, "
		    "%zu, %zu of %zu", st.ms_grefs, st.ms_gref_maps,
		    st.ms_fills, st.ms_frames, k, k, 1 + k, n + k) != 0;

	/* A pinned grant stays. */
	if (as_fault(e.e_as, base + PG, PG, F_SOFTLOCK, S_READ) < 0)
		bad += live_failf("F_SOFTLOCK on a grant page: %s",
		    strerror(errno)) != 0;
	if (as_unmap(e.e_as, base + PG, PG) == 0 || errno != EBUSY)
		bad += live_failf("as_unmap of a pinned grant: not EBUSY") != 0;
	if (segmf_add_gfns(e.e_as, base + PG, gfns, 1, NULL) == 0 ||
	    errno != EBUSY)
		bad += live_failf("a frame over a pinned grant: not EBUSY") != 0;
	(void)as_fault(e.e_as, base + PG, PG, F_SOFTUNLOCK, S_READ);

	/* Grant mappings are not copied. */
	errno = 0;
	if ((copy = as_dup(e.e_as)) != NULL || errno != ENOTSUP) {
		bad += live_failf("as_dup of a segment holding grants: %s, "
		    "expected ENOTSUP", copy != NULL ? "copied" :
		    strerror(errno)) != 0;
		as_free(copy);
	}

	/* Nothing mapped, then everything again: frames and grants. */
	if (as_setprot(e.e_as, base, n * PG, PROT_NONE) < 0)
		bad += live_failf("setprot PROT_NONE: %s", strerror(errno)) != 0;
	(void)as_incore(e.e_as, base, n * PG, vec);
	for (i = 0; i < n; i++)
		if (vec[i])
			bad += live_failf("page %zu incore under PROT_NONE",
			    i) != 0;
	if (!live_reserved(base, n, "a mixed segment under PROT_NONE"))
		bad++;
	if (as_setprot(e.e_as, base, n * PG, PROT_READ) < 0)
		bad += live_failf("setprot PROT_READ: %s", strerror(errno)) != 0;
	if (segmf_prefault(e.e_as, base, n * PG, errs) != 0)
		bad += live_failf("prefault after setprot: %s", strerror(errno)) != 0;
	for (i = 0; i < n; i++)
		bad += !mixed_ok(&e, &gs, base + i * PG, i, "a mixed segment "
		    "after setprot");

	/* A frame back over the first grant: its marker again. */
	if (segmf_add_gfns(e.e_as, base + PG, gfns, 1, errs) != 0)
		bad += live_failf("a frame over a grant: %s", strerror(errno)) != 0;
	else if (!live_marker_ok(&e.e_m[0], base + PG, "a frame added over a "
	    "grant"))
		bad++;
	else if (stats(&e, base).ms_grefs != k - 1)
		bad += live_failf("the grant page did not become a frame") != 0;
	else
		printf("pins, dup, setprot and a frame added over a grant "
		    "behave\n");
out:
	free(buf);
	return grant_end(&e, base, n, fds0, bad);
}

const struct live_check live_segmf_checks[] = {
	{ "segmf-range", "markers through a seg_mf gfn range (demand "
	    "faults, one batch per kluster)", check_range },
	{ "segmf-list", "markers as one flat seg_mf list view (demand and "
	    "prefault)", check_list },
	{ "segmf-fill", "batch calls per kluster (1, 16, 256, 1024), demand "
	    "and prefault", check_fill },
	{ "segmf-holes", "gfns past the end and in holes: ENXIO per page, "
	    "zeros by flag", check_holes },
	{ "segmf-readonly", "a write through a read-only mapping is SIGSEGV; "
	    "a writable one writes", check_readonly },
	{ "segmf-dom0", "dom0 refused unless allowed explicitly",
	    check_dom0 },
	{ "segmf-unmap", "partial unmap, pins and incore on live frames",
	    check_unmap },
	{ "segmf-destroy", "a domain destroyed while mapped fails cleanly",
	    check_destroy },
	{ "live-kpm", "the live provider through seg_kpm and seg_map equals "
	    "xen_physmem", check_kpm },
	{ "segmf-grant-map", "every grant the guest offers through "
	    "segmf_add_grefs, read-only, whole pages", check_grant_map },
	{ "segmf-grant-readonly", "the read-only grant asked writable fails "
	    "alone (EACCES, xen_grant's sentence)", check_grant_readonly },
	{ "segmf-grant-partial", "unmapping one grant page leaves the others "
	    "readable, a reservation", check_grant_partial },
	{ "segmf-grant-mixed", "marker frames and grants in one segment "
	    "(faults, pins, setprot, dup)", check_grant_mixed },
	{ NULL, NULL, NULL }
};
