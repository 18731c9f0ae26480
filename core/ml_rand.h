/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, fast pseudo-random generator for arm draws and for the
 * deterministic noise of the example subsystems.
 *
 * xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift
 * generators, scrambled", 2016) over a 64-bit state that must not be zero,
 * seeded through splitmix64 so that any seed, 0 included, gives a good
 * state. Not cryptographic: the draws only need to be unbiased and cheap
 * (a few instructions, no shared state: each CPU owns one state).
 * The kernel's prandom is not used because its state is 16 bytes per CPU
 * with a heavier step, and core/ must also run in user space.
 */
#ifndef ML_CORE_RAND_H
#define ML_CORE_RAND_H

#include "ml_core_types.h"

#define ML_RAND_BP_ONE	10000u	/* one in basis points */

static inline u64 ml_rand_splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void ml_rand_seed(u64 *state, u64 seed)
{
	u64 x = seed;

	*state = ml_rand_splitmix64(&x);
	if (!*state)
		*state = 0x9e3779b97f4a7c15ULL;
}

static inline u64 ml_rand_next(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, @bound) for @bound > 0, by multiply-shift (bias < bound / 2^32). */
static inline u32 ml_rand_below(u64 *state, u32 bound)
{
	return (u32)(((ml_rand_next(state) >> 32) * bound) >> 32);
}

/*
 * True with probability @share_bp / 10000. Shares of 0 and of 10000 or more
 * are certain and consume no randomness.
 */
static inline bool ml_rand_draw_bp(u64 *state, u32 share_bp)
{
	if (!share_bp)
		return false;
	if (share_bp >= ML_RAND_BP_ONE)
		return true;
	return ml_rand_below(state, ML_RAND_BP_ONE) < share_bp;
}

#endif /* ML_CORE_RAND_H */
