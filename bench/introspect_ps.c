/*
 * introspect_ps.c -- a full Linux process list, side by side, on a
 * guest handle's spec: bench/introspect runs it on the generated 1 GiB
 * memory image (tests/images, variant x64-1g; its path in
 * $PORTHOLE_BENCH_IMAGE, which `make bench` sets), bench/live on the test
 * bed's live PV guest ("xen:NAME", paused under the guard):
 *	cold		open the guest, discover the kernel with no profile
 *			cache (VMCOREINFO, kallsyms, BTF), list the processes
 *	warm		the list again, pages resident, translations cached
 *	no cache	the same list through a handle with no translation
 *			cache (every read walks the page tables)
 *	map per page	no translation cache and a one-page seg_map window:
 *			every page touched is mapped and unmapped, as tools
 *			without a physical window do (one map per page)
 * Each figure but cold is the best of several runs (wall clock).  Ends
 * with
 *	RATIO ps_warm_vs_map_per_page <map-per-page time / warm time>
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/guest.h>
#include <porthole/linux.h>
#include "bench/bench.h"
#include "bench/introspect_guest.h"
#include "guest/guest_impl.h"

#define	PS_RUNS		7

static int
count_cb(const struct linux_task *t, void *arg)
{
	(void) t;
	(*(unsigned *)arg)++;
	return (0);
}

/* One process list: seconds, the count to *np; -1 on failure. */
static double
ps_once(struct linux_kernel *lk, unsigned *np)
{
	double t0 = bench_now();

	*np = 0;
	if (linux_tasks(lk, count_cb, np) != 0)
		return (-1);
	return (bench_now() - t0);
}

static double
ps_best(struct linux_kernel *lk, unsigned *np)
{
	double best = -1;
	int i;

	for (i = 0; i < PS_RUNS; i++) {
		double t = ps_once(lk, np);

		if (t < 0)
			return (-1);
		if (best < 0 || t < best)
			best = t;
	}
	return (best);
}

/* Open spec with tuning t and the kernel in it (no profile cache). */
static struct linux_kernel *
ps_open(const char *image, unsigned flags, const struct guest_tuning *t,
    struct guest **gp)
{
	struct linux_opts o = { .lo_size = sizeof (o),
	    .lo_flags = LINUX_OPEN_NO_CACHE };
	char err[512];
	struct linux_kernel *lk;

	if ((*gp = guest__open_tuned(image, flags, t, err, sizeof (err))) ==
	    NULL) {
		(void) printf("ps: skipped: %s\n", err);
		return (NULL);
	}
	if ((lk = linux_open(*gp, &o, err, sizeof (err))) == NULL) {
		(void) printf("ps: skipped: %s\n", err);
		guest_close(*gp);
	}
	return (lk);
}

void
bench_ps(const char *image, unsigned flags)
{
	struct physwin_opts one_page = { .po_size = sizeof (one_page),
	    .po_mode = PHYSWIN_MAP, .po_slot = 4096, .po_nslots = 1 };
	struct guest_tuning no_tlb = { .gt_no_tlb = true };
	struct guest_tuning per_page = { .gt_window = &one_page,
	    .gt_no_tlb = true };
	struct linux_kernel *lk;
	struct guest *g;
	double t0, cold, warm, untlb, mpp;
	unsigned n = 0, n2 = 0, n3 = 0;

	if (image == NULL) {
		(void) printf("ps: skipped: no generated image (set "
		    "PORTHOLE_BENCH_IMAGE, or run `make images`)\n");
		return;
	}
	(void) printf("process list on %s\n", image);
	t0 = bench_now();
	if ((lk = ps_open(image, flags, NULL, &g)) == NULL)
		return;
	if (ps_once(lk, &n) < 0) {
		(void) printf("ps: failed: %s\n", strerror(errno));
		return;
	}
	cold = bench_now() - t0;
	warm = ps_best(lk, &n);
	(void) printf("  %-40s %10.3f ms  (%u processes, profile from %s)\n",
	    "cold (open, discovery, list)", cold * 1e3, n,
	    linux_profile_source(lk));
	(void) printf("  %-40s %10.3f ms\n", "warm", warm * 1e3);
	linux_close(lk);
	guest_close(g);

	if ((lk = ps_open(image, flags, &no_tlb, &g)) == NULL)
		return;
	(void) ps_once(lk, &n2);
	untlb = ps_best(lk, &n2);
	(void) printf("  %-40s %10.3f ms\n", "no translation cache", untlb *
	    1e3);
	linux_close(lk);
	guest_close(g);

	if ((lk = ps_open(image, flags, &per_page, &g)) == NULL)
		return;
	mpp = ps_best(lk, &n3);
	(void) printf("  %-40s %10.3f ms\n", "one map per page, no cache",
	    mpp * 1e3);
	linux_close(lk);
	guest_close(g);
	if (n2 != n || n3 != n || warm <= 0) {
		(void) printf("ps: the ways disagree (%u, %u, %u processes)\n",
		    n, n2, n3);
		return;
	}
	bench_ratio("ps_warm_vs_no_tlb", untlb / warm);
	bench_ratio("ps_warm_vs_map_per_page", mpp / warm);
}
