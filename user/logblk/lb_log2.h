/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log2 of a count in fixed point, from a table and integer arithmetic.
 *
 * Why not libm's log2(): the lifetime learner labels a few hundred
 * thousand rows a round (lb_learn.c), and under emulation (the guest's
 * agent runs under TCG) log2() is dozens of soft-float helper calls each,
 * a tenth of a second a round, while the device keeps writing. The table
 * holds log2(1 + i / 256); between two entries the step is linear: off by
 * less than 3e-6, a fifth of the tree fit's grid (2^-16, lb_tree.c).
 */
#ifndef LB_LOG2_H
#define LB_LOG2_H

#include <math.h>
#include <stdint.h>

#define LB_LOG2_SHIFT	24	/* fraction bits of the result */

struct lb_log2 {
	int32_t tab[257];
};

static inline void lb_log2_init(struct lb_log2 *t)
{
	for (unsigned int i = 0; i <= 256; i++)
		t->tab[i] = (int32_t)lrint(log2(1 + i / 256.0) * (1 << LB_LOG2_SHIFT));
}

/* log2(@v) << LB_LOG2_SHIFT, @v >= 1. */
static inline int64_t lb_log2_fixed(const struct lb_log2 *t, uint64_t v)
{
	unsigned int e = 63 - (unsigned int)__builtin_clzll(v);
	uint64_t m = v << (63 - e);			/* the top bit at 63 */
	unsigned int i = (unsigned int)(m >> 55) & 0xff;
	int64_t f = (int64_t)(m >> 39 & 0xffff);	/* the 16 bits below i */
	int64_t a = t->tab[i], b = t->tab[i + 1];

	return ((int64_t)e << LB_LOG2_SHIFT) + a + (((b - a) * f) >> 16);
}

#endif
