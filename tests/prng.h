/*
 * tests/prng.h -- the seeded generator the unit tests, the fuzz drivers
 * and the benchmarks share: xorshift64*, fast, and the same sequence on
 * every host, so that a failing seed replays anywhere.
 *
 * Non-goal: unpredictability (never for anything secret).
 */
#ifndef PORTHOLE_TESTS_PRNG_H
#define PORTHOLE_TESTS_PRNG_H

#include <stdint.h>

/* The next number of the sequence state is at (state never 0). */
static inline uint64_t
prng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (x * 0x2545F4914F6CDD1DULL);
}

/* A number in 0..n-1 (0 when n is 0). */
static inline uint64_t
prng_below(uint64_t *state, uint64_t n)
{
	return (n == 0 ? 0 : prng_next(state) % n);
}

#endif /* PORTHOLE_TESTS_PRNG_H */
