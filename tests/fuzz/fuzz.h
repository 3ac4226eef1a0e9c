/*
 * tests/fuzz/fuzz.h -- what a fuzz target provides besides libFuzzer's
 * entry point, so that one replay driver (fuzz_replay.c) can run it
 * without libFuzzer: over generated inputs in `make check` (any
 * compiler), over files, and to write the seed corpus `make fuzz` starts
 * from (inputs generated from source, never opaque binaries).
 *
 * A target aborts (FUZZ_ASSERT) on a broken invariant; sanitizers catch
 * the rest.
 */
#ifndef PORTHOLE_TESTS_FUZZ_H
#define PORTHOLE_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define	FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		(void) fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n",\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest input the replay driver asks a generator for. */
#define	FUZZ_GENERATE_MAX	(64 * 1024)

/* A well-formed input from seed (at most cap bytes); its length. */
size_t	fuzz_generate(uint64_t seed, uint8_t *buf, size_t cap);
/* Print what the inputs run so far exercised (one line to stderr). */
void	fuzz_report(void);
/* True when the inputs run so far reached the interesting paths. */
bool	fuzz_meaningful(void);

#endif /* PORTHOLE_TESTS_FUZZ_H */
