/*
 * bench.h -- what every benchmark shares: a monotonic clock, the seeded
 * generator (tests/prng.h), and the closing line format.
 *
 * Every benchmark compares side by side in one run and ends with one line
 * per comparison, "RATIO <name> <value>", for scripts to read.
 */
#ifndef PORTHOLE_BENCH_H
#define PORTHOLE_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tests/prng.h"

static inline double
bench_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

/*
 * This thread's CPU time, for CPU-bound steps: on a shared host wall
 * time would count the time other processes ran.
 */
static inline double
bench_cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return (bench_now());
	return ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

/*
 * Refuse to measure a debug build: there the verifier runs after every
 * change, which makes map-heavy benchmarks quadratic and every figure
 * meaningless.  Call first thing in main().
 */
static inline void
bench_require_release_build(const char *name)
{
#ifdef PH_DEBUG
	(void) fprintf(stderr, "%s: this build runs the address-space "
	    "verifier after every change (--enable-debug); configure without "
	    "--enable-debug to measure\n", name);
	exit(2);
#else
	(void) name;
#endif
}

static inline void
bench_ratio(const char *name, double value)
{
	(void) printf("RATIO %s %.3f\n", name, value);
}

#endif /* PORTHOLE_BENCH_H */
