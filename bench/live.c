/*
 * bench/live.c - reading a live Xen guest's memory: porthole against the
 * way existing tools do it, side by side in one run on the same guest.
 *
 * Run in dom0 as root (the test bed does it: make bench-xen):
 *	bench/live DOMAIN [RANDOM_READS]
 *
 * Full read of every frame the guest has (PV: the p2m's frames; PVH/HVM:
 * the frames Xen maps), copied into one buffer:
 *	seg_mf kluster K	a seg_mf segment over the whole pfn range,
 *				demand-faulted K frames per privcmd batch
 *				(K = 1, 16, 256, 1024), then copied out
 *	resident		the same copy again from mappings kept
 *				resident (the physical limit here: memcpy)
 *	map per page		one map-copy-unmap per frame, the way
 *				`xl dump-core` (xc_domain_dumpcore) and
 *				LibVMI's Xen driver read
 *	xl dump-core		the tool itself, to a file in dom0's tmpfs
 * Random 4 KiB reads of present frames, warm:
 *	porthole		from the resident seg_mf mappings (as_read)
 *	map per page		one map-copy-unmap per read
 *
 * Then the Linux process list of the same guest (introspect_ps.c: cold,
 * warm, no translation cache, one map per page), and translations of
 * pages its kernel maps (introspect_v2p.c: cache hit, miss, uncached).
 * Ends with
 *	RATIO live_read_vs_xl_dump_core	best seg_mf full read / xl dump-core
 *	RATIO live_random_vs_map_per_page	per-read time, map per page /
 *					porthole
 *	RATIO ps_warm_vs_map_per_page	(and ps_warm_vs_no_tlb)
 *	RATIO v2p_cached_vs_uncached	uncached / cache hit, per read
 * both throughput ratios (bigger is better for porthole).  The guest is
 * paused (under a pause guard) while it is read, so every method must
 * copy the same bytes: a method whose copy differs fails the run.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <porthole/as.h>

#include "bench/bench.h"
#include <porthole/guest.h>
#include "bench/introspect_guest.h"
#include "seg_mf/seg_mf.h"
#include "xen/xc_core.h"
#include "xen/xen_domain.h"
#include "xen/xen_err.h"
#include "xen/xen_pause.h"
#include "xen/xen_physmem.h"

#define LIVE_DEFAULT_RANDOM	4000
#define LIVE_CORE_PATH		"/tmp/porthole-bench.core"
#define MIB			(1024.0 * 1024.0)

static const size_t live_klusters[] = { 1, 16, 256, 1024 };
#define LIVE_NKLUSTERS	(sizeof(live_klusters) / sizeof(live_klusters[0]))

static void
die(const char *what, const struct xen_err *err)
{
	fprintf(stderr, "bench/live: %s: %s\n", what,
	    err != NULL ? xen_err_msg(err) : strerror(errno));
	exit(1);
}

/* The frames the guest has: present pfns below the limit. */
static uint64_t *
live_present_pfns(struct xen_physmem *pm, size_t *np)
{
	struct xen_err err;
	uint64_t limit = xen_physmem_pfn_limit(pm), pfn = 0, run, *v;
	size_t n = 0;
	int p;

	v = malloc(limit * sizeof(*v));
	if (v == NULL)
		die("allocating the frame list", NULL);
	while (pfn < limit) {
		xen_err_clear(&err);
		if ((p = xen_physmem_present(pm, pfn, &run, &err)) < 0)
			die("asking which frames exist", &err);
		if (run <= pfn || run > limit)
			run = limit;
		for (; pfn < run; pfn++) {
			if (p)
				v[n++] = pfn;
		}
	}
	*np = n;
	return v;
}

/*
 * Copy every present frame from the window at base into buf (one
 * as_read per run of consecutive pfns); what names the step in an error.
 */
static void
live_copy_present(struct as *as, void *base, const uint64_t *pfns, size_t n,
    unsigned char *buf, const char *what)
{
	size_t i, j;
	int e;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && pfns[j] == pfns[j - 1] + 1; j++)
			;
		if (as_read(as, (char *)base + pfns[i] * XEN_PAGE_SIZE,
		    buf + i * XEN_PAGE_SIZE, (j - i) * XEN_PAGE_SIZE, &e) !=
		    (j - i) * XEN_PAGE_SIZE) {
			errno = e;
			die(what, NULL);
		}
	}
}

/*
 * A seg_mf segment over [0, limit) filled on demand K frames per batch;
 * every present frame is copied into buf.  Returns seconds; the segment
 * stays mapped at *basep.
 */
static double
live_read_segmf(struct as *as, struct xen_physmem *pm, const uint64_t *pfns,
    size_t n, size_t kluster, unsigned char *buf, void **basep,
    struct segmf_stats *st)
{
	struct segmf_crargs a;
	uint64_t limit = xen_physmem_pfn_limit(pm);
	size_t len = (size_t)limit * XEN_PAGE_SIZE;
	void *base = as_window_base(as);
	double t0, t;

	memset(&a, 0, sizeof(a));
	a.pm = pm;
	a.frames = SEGMF_FRAMES_RANGE;
	a.first_gfn = 0;
	a.kluster = kluster;
	a.prot = PROT_READ;
	a.maxprot = PROT_READ;
	t0 = bench_now();
	if (as_map(as, base, len, segmf_create, &a) != 0)
		die("mapping the guest through seg_mf", NULL);
	live_copy_present(as, base, pfns, n, buf, "reading through seg_mf");
	t = bench_now() - t0;
	if (segmf_stats(as, base, st) != 0)
		die("segment counters", NULL);
	*basep = base;
	return t;
}

/* The present frames again, from the resident mappings. */
static double
live_read_resident(struct as *as, void *base, const uint64_t *pfns,
    size_t n, unsigned char *buf)
{
	double t0 = bench_now();

	live_copy_present(as, base, pfns, n, buf, "reading resident pages");
	return bench_now() - t0;
}

/* One map-copy-unmap per frame. */
static double
live_read_per_page(struct xen_physmem *pm, const uint64_t *pfns, size_t n,
    unsigned char *buf)
{
	struct xen_err err;
	double t0 = bench_now();
	size_t i;
	int e;

	for (i = 0; i < n; i++) {
		xen_err_clear(&err);
		if (xen_physmem_read_pages(pm, &pfns[i], 1,
		    buf + i * XEN_PAGE_SIZE, &e, &err) < 0)
			die("reading one page", &err);
	}
	return bench_now() - t0;
}

/* `xl dump-core` of the domain; its page count into *pagesp. */
static double
live_xl_dump_core(uint32_t domid, uint64_t *pagesp)
{
	const struct xc_core_info *ci;
	struct xc_core *core;
	struct xen_err err;
	char cmd[128];
	double t0, t;
	int rc;

	unlink(LIVE_CORE_PATH);
	snprintf(cmd, sizeof(cmd), "xl dump-core %" PRIu32 " %s >/dev/null",
	    domid, LIVE_CORE_PATH);
	t0 = bench_now();
	rc = system(cmd);
	t = bench_now() - t0;
	if (rc != 0) {
		fprintf(stderr, "bench/live: `%s` failed (status %d)\n", cmd,
		    rc);
		exit(1);
	}
	xen_err_clear(&err);
	if ((core = xc_core_open(LIVE_CORE_PATH, &err)) == NULL)
		die("reading xl's dump", &err);
	ci = xc_core_info(core);
	*pagesp = ci->ci_nr_pages;
	xc_core_close(core);
	unlink(LIVE_CORE_PATH);
	return t;
}

/* A digest of a copy, so methods are compared without a second buffer. */
static uint64_t
live_digest(const unsigned char *p, size_t len)
{
	const uint64_t *w = (const void *)p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	return h;
}

static void
live_row(const char *name, double bytes, double secs, double base_mibs)
{
	double mibs = bytes / MIB / secs;

	printf("  %-26s %9.3f s %10.1f MiB/s %9.2fx\n", name, secs, mibs,
	    base_mibs > 0 ? mibs / base_mibs : 1.0);
}

int
main(int argc, char **argv)
{
	struct xen_handle *xh;
	struct xen_physmem *pm;
	struct xen_pause *guard;
	struct xen_domain_info di;
	struct segmf_stats st;
	struct xen_err err;
	struct as *as;
	uint64_t *pfns, seed = 0x9e3779b97f4a7c15ULL, xl_pages;
	unsigned char *buf, page[XEN_PAGE_SIZE];
	uint64_t digest;
	size_t n, k, i, nrandom;
	double bytes, t, t_xl, xl_mibs, best = 0, t_pm, t_pp;
	void *base = NULL, *keep = NULL;
	uint32_t domid;
	int e;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench/live DOMAIN [RANDOM_READS]\n");
		return 2;
	}
	bench_require_release_build("bench/live");
	nrandom = argc == 3 ? strtoul(argv[2], NULL, 0) :
	    LIVE_DEFAULT_RANDOM;
	if (nrandom == 0)
		nrandom = LIVE_DEFAULT_RANDOM;

	xen_err_clear(&err);
	if ((xh = xen_open(&err)) == NULL)
		die("opening Xen", &err);
	if (xen_domain_resolve(xh, argv[1], &domid, &err) < 0)
		die("resolving the domain", &err);
	if (xen_domain_info(xh, domid, &di, &err) < 0)
		die("describing the domain", &err);
	if ((pm = xen_physmem_open(xh, domid, &err)) == NULL)
		die("binding the domain's memory", &err);
	if ((guard = xen_pause_take(xh, domid, 0, &err)) == NULL)
		die("pausing the domain", &err);
	pfns = live_present_pfns(pm, &n);
	bytes = (double)n * XEN_PAGE_SIZE;
	printf("bench/live: domain %" PRIu32 " (%s, %s): %zu present frames "
	    "(%.1f MiB) below pfn 0x%" PRIx64 "\n", domid, di.di_name,
	    xen_domain_type_name(di.di_type), n, bytes / MIB,
	    xen_physmem_pfn_limit(pm));
	if ((as = as_alloc((size_t)xen_physmem_pfn_limit(pm) *
	    XEN_PAGE_SIZE)) == NULL)
		die("reserving the window", NULL);

	/* xl first, cold, as an administrator would run it. */
	t_xl = live_xl_dump_core(domid, &xl_pages);
	xl_mibs = (double)xl_pages * XEN_PAGE_SIZE / MIB / t_xl;
	/* After xl: dom0's tmpfs held its dump until now. */
	if ((buf = malloc(n * XEN_PAGE_SIZE)) == NULL)
		die("allocating the copy buffer", NULL);

	printf("\nfull read, %zu frames:\n", n);
	printf("  %-26s %11s %16s %10s\n", "method", "time", "rate",
	    "vs xl");
	live_row("xl dump-core", (double)xl_pages * XEN_PAGE_SIZE, t_xl,
	    xl_mibs);
	t_pp = live_read_per_page(pm, pfns, n, buf);
	live_row("map per page", bytes, t_pp, xl_mibs);
	digest = live_digest(buf, n * XEN_PAGE_SIZE);
	for (k = 0; k < LIVE_NKLUSTERS; k++) {
		char name[40];

		t = live_read_segmf(as, pm, pfns, n, live_klusters[k], buf,
		    &base, &st);
		snprintf(name, sizeof(name), "seg_mf kluster %zu",
		    live_klusters[k]);
		live_row(name, bytes, t, xl_mibs);
		if (live_digest(buf, n * XEN_PAGE_SIZE) != digest) {
			fprintf(stderr, "bench/live: seg_mf kluster %zu read "
			    "differs from one map per page of the paused "
			    "guest\n", live_klusters[k]);
			return 1;
		}
		printf("    %" PRIu64 " batch calls, %" PRIu64 " frames, %"
		    PRIu64 " failed\n", st.ms_fills, st.ms_frames,
		    st.ms_errors);
		if (bytes / t > best)
			best = bytes / t;
		if (live_klusters[k] == SEGMF_KLUSTER_MAX) {
			keep = base;
		} else if (as_unmap(as, base, (size_t)
		    xen_physmem_pfn_limit(pm) * XEN_PAGE_SIZE) != 0) {
			die("unmapping the segment", NULL);
		}
	}
	t = live_read_resident(as, keep, pfns, n, buf);
	live_row("resident (copy only)", bytes, t, xl_mibs);

	/* Random 4 KiB reads of present frames, warm. */
	t_pm = bench_now();
	for (i = 0; i < nrandom; i++) {
		uint64_t pfn = pfns[prng_next(&seed) % n];

		if (as_read(as, (char *)keep + pfn * XEN_PAGE_SIZE, page,
		    XEN_PAGE_SIZE, &e) != XEN_PAGE_SIZE) {
			errno = e;
			die("random read through seg_mf", NULL);
		}
	}
	t_pm = (bench_now() - t_pm) / (double)nrandom;
	seed = 0x9e3779b97f4a7c15ULL;
	t_pp = bench_now();
	for (i = 0; i < nrandom; i++) {
		uint64_t pfn = pfns[prng_next(&seed) % n];

		xen_err_clear(&err);
		if (xen_physmem_read_pages(pm, &pfn, 1, page, &e, &err) < 0)
			die("random read, one map per page", &err);
	}
	t_pp = (bench_now() - t_pp) / (double)nrandom;
	printf("\nrandom 4 KiB reads, warm, %zu reads:\n", nrandom);
	printf("  %-26s %9.2f us/read\n", "seg_mf resident", t_pm * 1e6);
	printf("  %-26s %9.2f us/read\n", "map per page", t_pp * 1e6);
	printf("\n");
	bench_ratio("live_read_vs_xl_dump_core", best / MIB / xl_mibs);
	bench_ratio("live_random_vs_map_per_page", t_pp / t_pm);

	as_free(as);
	if (xen_pause_release(guard, &err) < 0)
		die("unpausing the domain", &err);
	{
		char spec[256];

		(void) snprintf(spec, sizeof (spec), "xen:%s", argv[1]);
		printf("\n");
		bench_ps(spec, GUEST_OPEN_PAUSE);
		printf("\n");
		bench_v2p(spec, GUEST_OPEN_PAUSE, "v2p_cached_vs_uncached");
	}
	free(buf);
	free(pfns);
	xen_physmem_close(pm);
	xen_close(xh);
	return 0;
}
