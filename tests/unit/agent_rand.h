/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random numbers of the agent's host tests: xorshift64* and a Gaussian
 * (Box-Muller). Seeded: every run draws the same numbers.
 */
#ifndef AGENT_RAND_H
#define AGENT_RAND_H

#include <math.h>
#include <stdint.h>

static inline uint64_t agent_rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static inline double agent_gauss(uint64_t *s)
{
	double u1 = ((agent_rnd(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
	double u2 = ((agent_rnd(s) >> 11) + 1) * (1.0 / 9007199254740992.0);

	return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

#endif /* AGENT_RAND_H */
