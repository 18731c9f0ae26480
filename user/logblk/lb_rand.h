/* SPDX-License-Identifier: GPL-2.0 */
/*
 * splitmix64: the random generator of the logblk workloads, the same as
 * the GC simulator's (docs/research), so a seed gives the same draws in
 * the generator, the application workloads and the simulator.
 */
#ifndef LB_RAND_H
#define LB_RAND_H

#include <stdint.h>

static inline uint64_t lb_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

#endif /* LB_RAND_H */
