/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xorshift64: the deterministic pseudo-random numbers of tests, corpus
 * generators and benchmarks (Marsaglia's 13/7/17 variant). A fixed seed
 * makes every run draw the same numbers.
 */
#ifndef ML_TESTS_XORSHIFT_H
#define ML_TESTS_XORSHIFT_H

#include <stdint.h>

/* The next number of the sequence in *@state (which must not be 0). */
static inline uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

#endif /* ML_TESTS_XORSHIFT_H */
