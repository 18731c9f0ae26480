/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-arm cost statistics in integer arithmetic.
 *
 * An accumulator only grows: outcome count, modular 64-bit sum of costs and
 * modular 128-bit sum of squared costs. The statistics of a window are the
 * difference of two snapshots, which is exact (modular arithmetic) as long as
 * the window holds fewer than 2^32 outcomes, whatever happened before it.
 * Costs are clamped to +-ML_STATS_COST_MAX, so no sum can overflow within
 * such a window. Accumulators of several CPUs merge by addition.
 *
 * Means are reported in thousandths (milli) of a cost unit, variances in
 * millionths (milli squared), saturated to U64_MAX.
 */
#ifndef ML_CORE_STATS_H
#define ML_CORE_STATS_H

#include "ml_core_types.h"

#define ML_STATS_COST_MAX	((s64)0x7fffffff)

struct ml_stats_acc {
	u64 n;		/* outcomes */
	u64 sum;	/* sum of costs, two's complement, modulo 2^64 */
	u64 sq_lo;	/* sum of squared costs, modulo 2^128: low word */
	u64 sq_hi;	/* high word */
};

/* A window's statistics, as the mode controller reads them. */
struct ml_stats_summary {
	u64 n;
	s64 mean_milli;		/* mean cost x 1000, rounded toward zero */
	u64 var_milli2;		/* population variance x 10^6, saturated */
};

s64 ml_stats_clamp_cost(s64 cost);
void ml_stats_add(struct ml_stats_acc *acc, s64 cost);
void ml_stats_merge(struct ml_stats_acc *dst, const struct ml_stats_acc *src);
void ml_stats_window(struct ml_stats_acc *win, const struct ml_stats_acc *now,
		     const struct ml_stats_acc *then);
void ml_stats_summarize(const struct ml_stats_acc *acc,
			struct ml_stats_summary *sum);

/* Efficiency when it cannot be computed (an arm without outcomes, a default mean <= 0). */
#define ML_STATS_EFFICIENCY_UNKNOWN	(-1)

s32 ml_stats_efficiency_bp(const struct ml_stats_summary *ml,
			   const struct ml_stats_summary *def);

u64 ml_isqrt64(u64 x);
u64 ml_stats_stddev_milli(const struct ml_stats_summary *s);

#endif /* ML_CORE_STATS_H */
