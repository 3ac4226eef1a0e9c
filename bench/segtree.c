/*
 * segtree.c -- segment lookup speed: as_findseg against the limit.
 *
 * For 10^3 .. 10^6 one-page segments (one-page gaps between them), side by
 * side in one run on the same addresses:
 *	as_findseg	the address space's lookup (hint, index, segtree),
 *			with the address-space lock held as illumos callers do
 *	avl only	the segtree alone (avl_find + avl_nearest)
 *	bsearch		binary search over a sorted array of the same
 *			segments: the lower bound a general lookup must meet
 *	tfind		glibc's tsearch tree, the way many tools keep ranges
 * for hint hits, sequential and random addresses; then as_map/as_unmap
 * rates beside tsearch/tdelete.  Ends with
 *	RATIO segtree_random_1e6 <as_findseg time / bsearch time>
 *
 * The segments use a bench-local driver that loads nothing: this measures
 * the segtree, not the host's mmap.
 */
#include "config.h"

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/as.h>
#include "bench/bench.h"
#include "vm/as.h"
#include "vm/seg.h"

#define	LOOKUPS		(2u << 20)	/* per measurement */
#define	REPEATS		3		/* best of */

static struct seg_ops bench_ops = { .name = "bench_ops" };

static int
bench_create(struct seg *seg, void *arg)
{
	(void) arg;
	seg_ops_register(&bench_ops);
	seg_attach(seg, &bench_ops, NULL);
	return (0);
}

/* The reference: bases and ends in sorted arrays. */
struct ref {
	uintptr_t	*bases;
	uintptr_t	*ends;
	struct seg	**segs;
	size_t		n;
};

static struct seg *
ref_bsearch(const struct ref *r, uintptr_t addr)
{
	const uintptr_t *base = r->bases;
	size_t n = r->n, half, i;

	if (n == 0 || addr < base[0])
		return (NULL);
	/* Branch-free lower bound of the last base <= addr. */
	while (n > 1) {
		half = n / 2;
		base = (base[half] <= addr) ? base + half : base;
		n -= half;
	}
	i = (size_t)(base - r->bases);
	return (addr < r->ends[i] ? r->segs[i] : NULL);
}

/* tsearch keys: a range; the probe is a one-byte range. */
struct tkey {
	uintptr_t	lo, hi;
	struct seg	*seg;
};

static int
tkey_compar(const void *a, const void *b)
{
	const struct tkey *x = a, *y = b;

	if (x->hi <= y->lo)
		return (-1);
	if (y->hi <= x->lo)
		return (1);
	return (0);
}

static struct seg *
avl_only_lookup(struct as *as, uintptr_t addr)
{
	struct seg key, *seg;
	avl_index_t where;

	key.s_base = (caddr_t)addr;
	if ((seg = avl_find(&as->a_segtree, &key, &where)) != NULL)
		return (seg);
	seg = avl_nearest(&as->a_segtree, where, AVL_BEFORE);
	if (seg != NULL && addr - (uintptr_t)seg->s_base < seg->s_size)
		return (seg);
	return (NULL);
}

enum method { M_AS, M_AVL, M_BSEARCH, M_TFIND, M_NMETHODS };
static const char *const method_names[M_NMETHODS] = {
	"as_findseg", "avl only", "bsearch", "tfind"
};

struct world {
	struct as	*as;
	struct ref	ref;
	void		*troot;
	struct tkey	*tkeys;
	size_t		n;
};

static volatile uintptr_t sink;

/* Seconds per lookup, best of REPEATS, over addrs[0..LOOKUPS). */
static double
measure(struct world *w, enum method m, const uintptr_t *addrs)
{
	double best = 1e9;
	int rep;

	for (rep = 0; rep < REPEATS; rep++) {
		uintptr_t acc = 0;
		double t0 = bench_now(), t;
		size_t i;

		switch (m) {
		case M_AS:
			as_enter(w->as, AS_READER);
			for (i = 0; i < LOOKUPS; i++)
				acc += (uintptr_t)as_findseg(w->as,
				    (void *)addrs[i], 0);
			as_exit(w->as);
			break;
		case M_AVL:
			for (i = 0; i < LOOKUPS; i++)
				acc += (uintptr_t)avl_only_lookup(w->as,
				    addrs[i]);
			break;
		case M_BSEARCH:
			for (i = 0; i < LOOKUPS; i++)
				acc += (uintptr_t)ref_bsearch(&w->ref,
				    addrs[i]);
			break;
		case M_TFIND:
			for (i = 0; i < LOOKUPS; i++) {
				struct tkey probe = { addrs[i], addrs[i] + 1,
				    NULL };
				struct tkey **hit = tfind(&probe, &w->troot,
				    tkey_compar);

				acc += hit != NULL ? (uintptr_t)(*hit)->seg : 0;
			}
			break;
		case M_NMETHODS:
			break;
		}
		t = (bench_now() - t0) / LOOKUPS;
		sink = acc;
		if (t < best)
			best = t;
	}
	return (best);
}

static void
tfree_noop(void *p)
{
	(void) p;
}

/* Build n one-page segments with one-page gaps; returns map seconds. */
static int
world_build(struct world *w, size_t n, size_t pagesize, double *map_secs,
    double *tsearch_secs)
{
	char *base;
	size_t i;
	double t0;

	memset(w, 0, sizeof (*w));
	w->n = n;
	w->as = as_alloc(2 * n * pagesize + pagesize);
	w->ref.bases = calloc(n, sizeof (uintptr_t));
	w->ref.ends = calloc(n, sizeof (uintptr_t));
	w->ref.segs = calloc(n, sizeof (struct seg *));
	w->tkeys = calloc(n, sizeof (struct tkey));
	if (w->as == NULL || w->ref.bases == NULL || w->ref.ends == NULL ||
	    w->ref.segs == NULL || w->tkeys == NULL)
		return (ENOMEM);
	w->ref.n = n;
	base = as_window_base(w->as);

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		if (as_map(w->as, base + 2 * i * pagesize, pagesize,
		    bench_create, NULL) != 0)
			return (errno);
	}
	*map_secs = bench_now() - t0;

	as_enter(w->as, AS_READER);
	for (i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)base + 2 * i * pagesize;

		w->ref.bases[i] = a;
		w->ref.ends[i] = a + pagesize;
		w->ref.segs[i] = as_segat(w->as, (void *)a);
		w->tkeys[i].lo = a;
		w->tkeys[i].hi = a + pagesize;
		w->tkeys[i].seg = w->ref.segs[i];
	}
	as_exit(w->as);

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		if (tsearch(&w->tkeys[i], &w->troot, tkey_compar) == NULL)
			return (ENOMEM);
	}
	*tsearch_secs = bench_now() - t0;
	return (0);
}

/* Tear down; returns unmap and tdelete seconds. */
static void
world_destroy(struct world *w, size_t pagesize, double *unmap_secs,
    double *tdelete_secs)
{
	char *base = as_window_base(w->as);
	double t0;
	size_t i;

	t0 = bench_now();
	for (i = 0; i < w->n; i++)
		(void) as_unmap(w->as, base + 2 * i * pagesize, pagesize);
	*unmap_secs = bench_now() - t0;
	t0 = bench_now();
	for (i = 0; i < w->n; i++)
		(void) tdelete(&w->tkeys[i], &w->troot, tkey_compar);
	*tdelete_secs = bench_now() - t0;
	tdestroy(w->troot, tfree_noop);
	as_free(w->as);
	free(w->ref.bases);
	free(w->ref.ends);
	free(w->ref.segs);
	free(w->tkeys);
}

int
main(void)
{
	static const size_t sizes[] = { 1000, 10000, 100000, 1000000 };
	static const char *const kinds[] = { "hint", "sequential", "random" };
	size_t pagesize = PAGESIZE, s, k, i;
	uintptr_t *addrs;
	double random_ratio_1e6 = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;

	bench_require_release_build("segtree");

	addrs = calloc(LOOKUPS, sizeof (uintptr_t));
	if (addrs == NULL)
		return (1);
	(void) printf("segtree lookups: ns per lookup (best of %d x %u), "
	    "ratio = as_findseg / bsearch\n\n", REPEATS, LOOKUPS);
	(void) printf("%9s %-10s %10s %10s %10s %10s %8s\n", "segments",
	    "pattern", method_names[M_AS], method_names[M_AVL],
	    method_names[M_BSEARCH], method_names[M_TFIND], "ratio");
	for (s = 0; s < sizeof (sizes) / sizeof (sizes[0]); s++) {
		size_t n = sizes[s];
		double t_map = 0, t_ts = 0, t_unmap = 0, t_td = 0;
		struct world w;
		int err;

		if ((err = world_build(&w, n, pagesize, &t_map, &t_ts)) != 0) {
			(void) fprintf(stderr, "segtree: building %zu "
			    "segments: %s\n", n, strerror(err));
			return (1);
		}
		for (k = 0; k < 3; k++) {
			double t[M_NMETHODS];
			enum method m;

			for (i = 0; i < LOOKUPS; i++) {
				size_t idx = k == 0 ? n / 2 : k == 1 ? i % n :
				    (size_t)(prng_next(&rng) % n);

				addrs[i] = w.ref.bases[idx] +
				    (prng_next(&rng) % pagesize);
			}
			for (m = 0; m < M_NMETHODS; m++)
				t[m] = measure(&w, m, addrs);
			(void) printf("%9zu %-10s %10.1f %10.1f %10.1f %10.1f "
			    "%8.2f\n", n, kinds[k], t[M_AS] * 1e9,
			    t[M_AVL] * 1e9, t[M_BSEARCH] * 1e9,
			    t[M_TFIND] * 1e9, t[M_AS] / t[M_BSEARCH]);
			if (n == 1000000 && k == 2)
				random_ratio_1e6 = t[M_AS] / t[M_BSEARCH];
		}
		world_destroy(&w, pagesize, &t_unmap, &t_td);
		(void) printf("%9zu %-10s as_map %.2f M/s, as_unmap %.2f M/s;"
		    " tsearch %.2f M/s, tdelete %.2f M/s\n", n, "updates",
		    n / t_map / 1e6, n / t_unmap / 1e6, n / t_ts / 1e6,
		    n / t_td / 1e6);
	}
	(void) printf("\n");
	bench_ratio("segtree_random_1e6", random_ratio_1e6);
	free(addrs);
	return (0);
}
