/*
 * introspect.c -- x86 virtual-to-physical translation speed, side by side
 * in one run:
 *	hit		through the translation cache, a working set that
 *			fits it (1024 pages of a 4096-entry cache)
 *	miss		through the cache, random pages of a 4 GiB range
 *			(every lookup misses: probe, 4-level walk, fill)
 *	uncached	the walk alone, the same random pages
 *	uncached kpm	the walk alone, page-table entries read with
 *			physwin_read from a raw image through seg_kpm
 *	hit 1 GiB	through the cache, random addresses in 1 GiB pages
 *			(the third probe: a kernel direct map)
 * The guest is synthetic: a 4-level page table mapping 4 GiB with 4 KiB
 * pages (2048 page tables, 8 MiB, more than a host's L2) and 64 GiB with
 * 1 GiB pages, held in memory (a provider that returns page pointers, as
 * seg_kpm-backed providers will) and, for the kpm line, written to a raw
 * image in $TMPDIR.  Each figure is the best of three runs, in thread
 * CPU time.  Then the process list of a generated Linux image
 * (introspect_ps.c), and translations of the pages its kernel maps
 * (introspect_v2p.c).  Ends with
 *	RATIO v2p_cached_vs_uncached <uncached ns / hit ns>
 *	RATIO ps_warm_vs_map_per_page <map-per-page time / warm time>
 *	RATIO v2p_image_cached_vs_uncached <the same on the image>
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <porthole/porthole.h>
#include "bench/bench.h"
#include "bench/introspect_guest.h"
#include "guest/x86_paging.h"
#include "guest/x86_tlb.h"

#define	PAGE		4096ULL
#define	VA_BASE		0x00007f0000000000ULL
#define	VA_PAGES	(1ULL << 20)		/* 4 GiB of 4 KiB pages */
#define	NPDS		4
#define	NPTS		(VA_PAGES / 512)
#define	FIRST_PT	(2 + NPDS)
#define	BIG_BASE	0xffff888000000000ULL	/* 1 GiB pages here */
#define	BIG_PAGES	64ULL
#define	BIG_PDPT	(FIRST_PT + NPTS)
#define	NFRAMES		(BIG_PDPT + 1)
#define	HIT_SET		1024
#define	NADDRS		(1u << 16)

static uint64_t *mem;		/* NFRAMES frames of 512 entries */
static volatile uint64_t sink;

static const void *
mem_page(void *arg, uint64_t gpa, int *errp)
{
	uint64_t gfn = gpa >> 12;

	(void) arg;
	if (gfn >= NFRAMES) {
		*errp = EFAULT;
		return (NULL);
	}
	return (mem + gfn * 512);
}

static int
kpm_read(void *arg, uint64_t gpa, void *buf, size_t len)
{
	int err = 0;

	if (physwin_read(arg, gpa, buf, len, &err) != len)
		return (err != 0 ? err : EIO);
	return (0);
}

static void
build_tables(void)
{
	const uint64_t pwu = X86_PTE_P | X86_PTE_W | X86_PTE_U;
	uint64_t i, pml4i = (VA_BASE >> 39) & 511;

	mem[pml4i] = (1 * PAGE) | pwu;
	for (i = 0; i < NPDS; i++)
		mem[512 + i] = ((2 + i) * PAGE) | pwu;
	for (i = 0; i < NPTS; i++)
		mem[(2 + i / 512) * 512 + i % 512] = ((FIRST_PT + i) * PAGE) |
		    pwu;
	/* Data frames are scattered: the walk never reads them. */
	for (i = 0; i < VA_PAGES; i++)
		mem[FIRST_PT * 512 + i] = ((0x100000 + i * 7) * PAGE) | pwu |
		    X86_PTE_NX;
	mem[(BIG_BASE >> 39) & 511] = (BIG_PDPT * PAGE) | X86_PTE_P |
	    X86_PTE_W;
	for (i = 0; i < BIG_PAGES; i++)
		mem[BIG_PDPT * 512 + i] = (i << 30) | X86_PTE_P | X86_PTE_W |
		    X86_PTE_PS;
}

/* Translate every address in vas, rounds times; ns per translation. */
static double
run_once(const struct x86_paging *xp, const struct x86_physread *pr,
    struct x86_tlb *tlb, const uint64_t *vas, size_t n, unsigned rounds)
{
	struct x86_xlate xl;
	uint64_t acc = 0;
	double t0, t1;
	unsigned r;
	size_t i;

	t0 = bench_cpu_now();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			if (x86_translate(xp, pr, tlb, 0, vas[i], &xl, NULL) !=
			    X86_FAULT_NONE) {
				(void) fprintf(stderr, "translation of %#" PRIx64
				    " failed\n", vas[i]);
				exit(1);
			}
			acc += xl.xl_pa;
		}
	}
	t1 = bench_cpu_now();
	sink = acc;
	return ((t1 - t0) * 1e9 / ((double)n * rounds));
}

/* The best of three runs: the machine may be shared. */
static double
run(const struct x86_paging *xp, const struct x86_physread *pr,
    struct x86_tlb *tlb, const uint64_t *vas, size_t n, unsigned rounds)
{
	double best = 0;
	int k;

	for (k = 0; k < 3; k++) {
		double ns = run_once(xp, pr, tlb, vas, n, rounds);

		if (k == 0 || ns < best)
			best = ns;
	}
	return (best);
}

static void
line(const char *name, double ns)
{
	(void) printf("%-28s %8.1f ns  %8.2f M/s\n", name, ns, 1e3 / ns);
}

/* The tables as a raw image, opened through physwin; NULL on failure. */
static struct physwin *
open_kpm(struct as **asp, struct physmem **pmp)
{
	const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	size_t bytes = NFRAMES * PAGE;
	struct physwin *pw = NULL;
	char path[4096];
	int fd;

	(void) snprintf(path, sizeof (path), "%s/ph-introspect.XXXXXX", tmp);
	if ((fd = mkstemp(path)) < 0)
		return (NULL);
	if (write(fd, mem, bytes) != (ssize_t)bytes) {
		(void) close(fd);
		(void) unlink(path);
		return (NULL);
	}
	(void) close(fd);
	*pmp = physmem_raw_open(path, NULL, 0);
	(void) unlink(path);
	if (*pmp == NULL)
		return (NULL);
	if ((*asp = as_alloc(0)) != NULL)
		pw = physwin_open(*asp, *pmp, NULL);
	return (pw);
}

int
main(void)
{
	struct x86_paging xp;
	struct x86_physread pr = { .pr_page = mem_page };
	struct x86_tlb *tlb;
	struct x86_tlb_stats ts;
	uint64_t *hot, *cold, *big, rng = 42;
	double hit, miss, uncached, kpm = 0, bighit;
	struct as *as = NULL;
	struct physmem *pm = NULL;
	struct physwin *pw;
	size_t i;

	bench_require_release_build("bench/introspect");
	mem = calloc(NFRAMES * 512, sizeof (uint64_t));
	hot = malloc(NADDRS * sizeof (uint64_t));
	cold = malloc(NADDRS * sizeof (uint64_t));
	big = malloc(NADDRS * sizeof (uint64_t));
	if (mem == NULL || hot == NULL || cold == NULL || big == NULL ||
	    x86_paging_init_mode(&xp, X86_PAGING_4LEVEL, false, true,
	    NULL) != 0 || (tlb = x86_tlb_create(4096)) == NULL) {
		(void) fprintf(stderr, "bench/introspect: setup failed\n");
		return (1);
	}
	build_tables();
	for (i = 0; i < NADDRS; i++) {
		hot[i] = VA_BASE + (prng_next(&rng) % HIT_SET) * PAGE * 3 +
		    (prng_next(&rng) & 4095);
		cold[i] = VA_BASE + (prng_next(&rng) % VA_PAGES) * PAGE +
		    (prng_next(&rng) & 4095);
		big[i] = BIG_BASE + prng_next(&rng) % (BIG_PAGES << 30);
	}

	(void) printf("x86 4-level translation, %u addresses per pass\n",
	    NADDRS);
	(void) run(&xp, &pr, tlb, hot, NADDRS, 1);	/* fill */
	hit = run(&xp, &pr, tlb, hot, NADDRS, 100);
	line("hit (4 KiB pages)", hit);
	(void) run(&xp, &pr, tlb, big, NADDRS, 1);
	bighit = run(&xp, &pr, tlb, big, NADDRS, 100);
	line("hit (1 GiB pages)", bighit);
	miss = run(&xp, &pr, tlb, cold, NADDRS, 10);
	line("miss (probe, walk, fill)", miss);
	uncached = run(&xp, &pr, NULL, cold, NADDRS, 10);
	line("uncached (walk)", uncached);
	if ((pw = open_kpm(&as, &pm)) != NULL) {
		struct x86_physread kpr = { .pr_read = kpm_read, .pr_arg = pw };

		(void) run(&xp, &kpr, NULL, cold, NADDRS, 1);	/* fault in */
		kpm = run(&xp, &kpr, NULL, cold, NADDRS, 3);
		line("uncached (walk via kpm)", kpm);
		physwin_close(pw);
	} else
		(void) printf("uncached (walk via kpm): skipped: %s\n",
		    strerror(errno));
	if (as != NULL)
		as_free(as);
	if (pm != NULL)
		physmem_rele(pm);
	x86_tlb_stats(tlb, &ts);
	(void) printf("cache: %zu entries, %" PRIu64 " fills, %" PRIu64
	    " flushes\n", ts.ts_entries, ts.ts_fills, ts.ts_flushes);
	bench_ratio("v2p_cached_vs_uncached", uncached / hit);
	if (kpm > 0)
		bench_ratio("v2p_cached_vs_uncached_kpm", kpm / hit);
	x86_tlb_destroy(tlb);
	free(mem);
	free(hot);
	free(cold);
	free(big);
	bench_ps(getenv("PORTHOLE_BENCH_IMAGE"), 0);
	(void) printf("\n");
	bench_v2p(getenv("PORTHOLE_BENCH_IMAGE"), 0,
	    "v2p_image_cached_vs_uncached");
	return (0);
}
