/*
 * introspect_v2p.c -- translation speed on a real guest, side by side:
 * bench/introspect runs it on the generated 1 GiB memory image, bench/live
 * on the test bed's live PV guest (paused under the guard).  The
 * addresses are pages the guest's kernel really maps (guest_space_mappings
 * over the kernel half of its page tables: module and vmalloc space,
 * and, in a PV guest, the direct map's frames), up to V2P_PAGES of them.
 * Each access is a translation as guest_vread makes it (guest__translate:
 * the handle's cache, else a walk reading page-table entries through the
 * physical window):
 *	hit		a working set of V2P_HOT pages, through the handle's
 *			translation cache, already filled
 *	miss		random pages of the whole set, the cache flushed
 *			before each (generation bump: every lookup probes,
 *			walks the page tables and fills)
 *	uncached	the same random pages through a handle opened with
 *			no translation cache (every lookup walks)
 *	read (hit)	an 8-byte guest_vread of the working set: the
 *			translation plus the data, a cache miss of the host's
 *			own caches more often than not
 * Each figure is the best of three passes, in thread CPU time.  Ends with
 *	RATIO <name> <uncached ns / hit ns>
 * (name: the caller's, e.g. v2p_cached_vs_uncached).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <porthole/guest.h>
#include <porthole/linux.h>
#include "bench/bench.h"
#include "bench/introspect_guest.h"
#include "guest/guest_impl.h"

#define	V2P_PAGES	65536	/* at most this many mapped pages */
#define	V2P_HOT		1024	/* the working set of the hit figure */
#define	V2P_ACCESSES	32768	/* accesses per pass */

static volatile uint64_t v2p_sink;

struct v2p_pages {
	uint64_t	*vp_va;
	size_t		vp_n;
};

static int
v2p_collect(const struct guest_mapping *m, void *arg)
{
	struct v2p_pages *vp = arg;
	uint64_t off;

	for (off = 0; off < m->gm_size && vp->vp_n < V2P_PAGES; off += 4096)
		vp->vp_va[vp->vp_n++] = m->gm_va + off;
	return (vp->vp_n < V2P_PAGES ? 0 : 1);
}

/*
 * One pass over vas, translating (read false) or reading 8 bytes: ns per
 * access, or -1 when one fails.
 */
static double
v2p_pass(struct guest *g, const struct guest_space *sp, const uint64_t *vas,
    size_t n, bool flush, bool read)
{
	struct guest_fault why;
	uint64_t word, acc = 0;
	double t0 = bench_cpu_now();
	size_t i;
	int e;

	for (i = 0; i < n; i++) {
		if (flush)
			guest_flush(g);
		if (read) {
			e = guest_vread(g, sp, vas[i], &word, sizeof (word),
			    &why) == sizeof (word) ? 0 : why.gf_errno;
		} else {
			e = guest__translate(g, sp, vas[i], &word);
		}
		if (e != 0) {
			(void) printf("v2p: %s %#" PRIx64 " failed: %s\n",
			    read ? "reading" : "translating", vas[i],
			    strerror(e));
			return (-1);
		}
		acc += word;
	}
	v2p_sink = acc;
	return ((bench_cpu_now() - t0) * 1e9 / (double)n);
}

static double
v2p_best(struct guest *g, const struct guest_space *sp, const uint64_t *vas,
    size_t n, bool flush, bool read)
{
	double best = -1;
	int k;

	for (k = 0; k < 3; k++) {
		double ns = v2p_pass(g, sp, vas, n, flush, read);

		if (ns < 0)
			return (-1);
		if (best < 0 || ns < best)
			best = ns;
	}
	return (best);
}

static void
v2p_line(const char *name, double ns)
{
	(void) printf("  %-40s %8.1f ns  %8.2f M/s\n", name, ns, 1e3 / ns);
}

/* The kernel half of the space's linear addresses. */
static uint64_t
v2p_kernel_start(const struct guest_space *sp)
{
	switch (sp->gs_mode) {
	case GUEST_PAGING_5LEVEL:
		return (0xff00000000000000ULL);
	case GUEST_PAGING_4LEVEL:
		return (0xffff800000000000ULL);
	default:
		return (0xc0000000ULL);
	}
}

void
bench_v2p(const char *spec, unsigned flags, const char *ratio)
{
	struct guest_tuning no_tlb = { .gt_no_tlb = true };
	struct linux_opts o = { .lo_size = sizeof (o) };
	struct v2p_pages vp = { NULL, 0 };
	uint64_t *hot = NULL, *cold = NULL, rng = 7, last;
	struct guest *g = NULL, *gn = NULL;
	struct linux_kernel *lk = NULL;
	const struct guest_space *sp;
	double hit, miss, uncached, read;
	char err[512];
	size_t i;

	if (spec == NULL) {
		(void) printf("v2p: skipped: no generated image (set "
		    "PORTHOLE_BENCH_IMAGE, or run `make images`)\n");
		return;
	}
	if ((g = guest_open(spec, flags, err, sizeof (err))) == NULL ||
	    (gn = guest__open_tuned(spec, flags & ~GUEST_OPEN_PAUSE, &no_tlb,
	    err, sizeof (err))) == NULL ||
	    (lk = linux_open(g, &o, err, sizeof (err))) == NULL) {
		(void) printf("v2p: skipped: %s\n", err);
		goto out;
	}
	sp = linux_kernel_space(lk);
	last = sp->gs_mode == GUEST_PAGING_4LEVEL ||
	    sp->gs_mode == GUEST_PAGING_5LEVEL ? UINT64_MAX : 0xffffffffULL;
	if ((vp.vp_va = malloc(V2P_PAGES * sizeof (uint64_t))) == NULL ||
	    (hot = malloc(V2P_ACCESSES * sizeof (uint64_t))) == NULL ||
	    (cold = malloc(V2P_ACCESSES * sizeof (uint64_t))) == NULL) {
		(void) printf("v2p: out of memory\n");
		goto out;
	}
	if (guest_space_mappings(g, sp, v2p_kernel_start(sp), last,
	    v2p_collect, &vp) < 0 || vp.vp_n < V2P_HOT) {
		(void) printf("v2p: skipped: the kernel maps %zu pages (%s)\n",
		    vp.vp_n, strerror(errno));
		goto out;
	}
	for (i = 0; i < V2P_ACCESSES; i++) {
		hot[i] = vp.vp_va[prng_next(&rng) % V2P_HOT * (vp.vp_n /
		    V2P_HOT)] + (prng_next(&rng) & 4088);
		cold[i] = vp.vp_va[prng_next(&rng) % vp.vp_n] +
		    (prng_next(&rng) & 4088);
	}
	(void) printf("translation on %s: %zu kernel pages mapped (of at most "
	    "%u)\n", spec, vp.vp_n, V2P_PAGES);
	if (v2p_pass(g, sp, hot, V2P_ACCESSES, false, false) < 0 ||	/* fill */
	    (hit = v2p_best(g, sp, hot, V2P_ACCESSES, false, false)) < 0 ||
	    (miss = v2p_best(g, sp, cold, V2P_ACCESSES, true, false)) < 0 ||
	    (uncached = v2p_best(gn, sp, cold, V2P_ACCESSES, false,
	    false)) < 0 ||
	    (read = v2p_best(g, sp, hot, V2P_ACCESSES, false, true)) < 0)
		goto out;
	v2p_line("hit (cached, working set of 1024 pages)", hit);
	v2p_line("miss (cache flushed before each)", miss);
	v2p_line("uncached (no translation cache)", uncached);
	v2p_line("read 8 bytes (hit, and the data)", read);
	bench_ratio(ratio, uncached / hit);
out:
	free(vp.vp_va);
	free(hot);
	free(cold);
	if (lk != NULL)
		linux_close(lk);
	if (gn != NULL)
		guest_close(gn);
	if (g != NULL)
		guest_close(g);
}
