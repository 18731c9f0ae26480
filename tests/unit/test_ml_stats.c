// SPDX-License-Identifier: GPL-2.0
/* Host tests of core/ml_stats: exact sums, windows, summaries, overflow. */
#include <math.h>
#include "ml_stats.h"
#include "mltest.h"

static u64 rng = 88172645463325252ULL;
static u64 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_empty(void)
{
	struct ml_stats_acc a = { 0 };
	struct ml_stats_summary s;

	ml_stats_summarize(&a, &s);
	MT_CHECK_EQ(s.n, 0);
	MT_CHECK_EQ(s.mean_milli, 0);
	MT_CHECK_EQ(s.var_milli2, 0);
}

static void test_small_exact(void)
{
	struct ml_stats_acc a = { 0 };
	struct ml_stats_summary s;

	/* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance 4. */
	static const s64 v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	for (unsigned int i = 0; i < 8; i++)
		ml_stats_add(&a, v[i]);
	ml_stats_summarize(&a, &s);
	MT_CHECK_EQ(s.n, 8);
	MT_CHECK_EQ(s.mean_milli, 5000);
	MT_CHECK_EQ(s.var_milli2, 4000000);
	MT_CHECK_EQ(ml_stats_stddev_milli(&s), 2000);
}

static void test_negative_and_fraction(void)
{
	struct ml_stats_acc a = { 0 };
	struct ml_stats_summary s;

	ml_stats_add(&a, -1);
	ml_stats_add(&a, -2);
	ml_stats_summarize(&a, &s);
	MT_CHECK_EQ(s.mean_milli, -1500);
	MT_CHECK_EQ(s.var_milli2, 250000);
	MT_CHECK_EQ(ml_stats_stddev_milli(&s), 500);
}

static void test_random_against_double(void)
{
	for (int round = 0; round < 50; round++) {
		struct ml_stats_acc a = { 0 };
		struct ml_stats_summary s;
		double sum = 0, sq = 0;
		int n = 1 + next() % 5000;
		s64 span = 1 + next() % 100000;

		for (int i = 0; i < n; i++) {
			s64 c = (s64)(next() % (2 * span)) - span;

			ml_stats_add(&a, c);
			sum += c;
			sq += (double)c * c;
		}
		ml_stats_summarize(&a, &s);
		double mean = sum / n, var = sq / n - mean * mean;

		MT_CHECK(fabs(s.mean_milli - mean * 1000) <= 1.0,
			 "mean %lld vs %f", (long long)s.mean_milli, mean * 1000);
		MT_CHECK(fabs((double)s.var_milli2 - var * 1e6) <= 1e-6 * var * 1e6 + 2,
			 "var %llu vs %f", (unsigned long long)s.var_milli2, var * 1e6);
	}
}

static void test_window_is_difference(void)
{
	struct ml_stats_acc a = { 0 }, then, w, b = { 0 };
	struct ml_stats_summary sw, sb;

	for (int i = 0; i < 1000; i++)
		ml_stats_add(&a, 1000000 + i);
	then = a;
	for (int i = 0; i < 300; i++) {
		s64 c = (s64)(next() % 50);

		ml_stats_add(&a, c);
		ml_stats_add(&b, c);
	}
	ml_stats_window(&w, &a, &then);
	ml_stats_summarize(&w, &sw);
	ml_stats_summarize(&b, &sb);
	MT_CHECK_EQ(sw.n, 300);
	MT_CHECK_EQ(sw.mean_milli, sb.mean_milli);
	MT_CHECK_EQ(sw.var_milli2, sb.var_milli2);
}

static void test_window_across_wraparound(void)
{
	/* Accumulators that already wrapped their 64-bit sums still give exact windows. */
	struct ml_stats_acc a = { .n = ~0ULL - 5, .sum = ~0ULL - 3, .sq_lo = ~0ULL - 1, .sq_hi = ~0ULL };
	struct ml_stats_acc then = a, w;
	struct ml_stats_summary s;

	for (int i = 0; i < 10; i++)
		ml_stats_add(&a, ML_STATS_COST_MAX);
	ml_stats_window(&w, &a, &then);
	ml_stats_summarize(&w, &s);
	MT_CHECK_EQ(s.n, 10);
	MT_CHECK_EQ(s.mean_milli, ML_STATS_COST_MAX * 1000);
	MT_CHECK_EQ(s.var_milli2, 0);
}

static void test_merge(void)
{
	struct ml_stats_acc cpu[4] = { 0 }, all = { 0 }, one = { 0 };
	struct ml_stats_summary s1, s2;

	for (int i = 0; i < 4000; i++) {
		s64 c = (s64)(next() % 1000) - 200;

		ml_stats_add(&cpu[i % 4], c);
		ml_stats_add(&one, c);
	}
	for (int i = 0; i < 4; i++)
		ml_stats_merge(&all, &cpu[i]);
	ml_stats_summarize(&all, &s1);
	ml_stats_summarize(&one, &s2);
	MT_CHECK_EQ(s1.n, s2.n);
	MT_CHECK_EQ(s1.mean_milli, s2.mean_milli);
	MT_CHECK_EQ(s1.var_milli2, s2.var_milli2);
}

static void test_extreme_costs_clamped(void)
{
	struct ml_stats_acc a = { 0 };
	struct ml_stats_summary s;

	MT_CHECK_EQ(ml_stats_clamp_cost(INT64_MAX), ML_STATS_COST_MAX);
	MT_CHECK_EQ(ml_stats_clamp_cost(INT64_MIN), -ML_STATS_COST_MAX);
	for (int i = 0; i < 100000; i++)
		ml_stats_add(&a, i & 1 ? INT64_MAX : INT64_MIN);
	ml_stats_summarize(&a, &s);
	MT_CHECK_EQ(s.n, 100000);
	MT_CHECK_EQ(s.mean_milli, 0);
	/* variance = COST_MAX^2 x 10^6 > 2^64: saturated, never wrapped */
	MT_CHECK(s.var_milli2 == UINT64_MAX, "var %llu", (unsigned long long)s.var_milli2);

	struct ml_stats_acc b = { 0 };
	for (int i = 0; i < 1000; i++)
		ml_stats_add(&b, INT64_MAX);
	ml_stats_summarize(&b, &s);
	MT_CHECK_EQ(s.mean_milli, ML_STATS_COST_MAX * 1000);
	MT_CHECK_EQ(s.var_milli2, 0);
}

static void test_torn_snapshot_gives_zero_variance(void)
{
	/* n counted but the squares not yet: never a negative (huge) variance. */
	struct ml_stats_acc a = { .n = 3, .sum = 30, .sq_lo = 200, .sq_hi = 0 };
	struct ml_stats_summary s;

	ml_stats_summarize(&a, &s);
	MT_CHECK_EQ(s.mean_milli, 10000);
	MT_CHECK_EQ(s.var_milli2, 0);
}

static void test_isqrt(void)
{
	MT_CHECK_EQ(ml_isqrt64(0), 0);
	MT_CHECK_EQ(ml_isqrt64(1), 1);
	MT_CHECK_EQ(ml_isqrt64(3), 1);
	MT_CHECK_EQ(ml_isqrt64(4), 2);
	MT_CHECK(ml_isqrt64(UINT64_MAX) == 0xffffffffULL, "isqrt(max)");
	for (int i = 0; i < 100000; i++) {
		u64 x = next() >> (next() % 64);
		u64 r = ml_isqrt64(x);

		MT_CHECK(r * r <= x && (r + 1) * (r + 1) > x, "isqrt(%llu) = %llu",
			 (unsigned long long)x, (unsigned long long)r);
		if (mt_case_failed)
			break;
	}
}

static void test_efficiency(void)
{
	struct ml_stats_summary ml = { .n = 10, .mean_milli = 800 };
	struct ml_stats_summary def = { .n = 10, .mean_milli = 1000 };

	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), 8000);
	ml.mean_milli = 1500;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), 15000);
	ml.mean_milli = -5;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), 0);
	ml.mean_milli = 0;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), 0);
	ml.mean_milli = 800;
	ml.n = 0;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), ML_STATS_EFFICIENCY_UNKNOWN);
	ml.n = 10;
	def.n = 0;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), ML_STATS_EFFICIENCY_UNKNOWN);
	def.n = 10;
	def.mean_milli = 0;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), ML_STATS_EFFICIENCY_UNKNOWN);
	def.mean_milli = -100;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), ML_STATS_EFFICIENCY_UNKNOWN);
	/* Extremes: saturated, never overflowed. */
	def.mean_milli = 1;
	ml.mean_milli = ML_STATS_COST_MAX * 1000;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), INT32_MAX);
	ml.mean_milli = INT64_MAX;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), INT32_MAX);
	def.mean_milli = INT64_MAX;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), 10000);
	ml.mean_milli = 1;
	MT_CHECK_EQ(ml_stats_efficiency_bp(&ml, &def), 0);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_empty);
	MT_RUN(test_small_exact);
	MT_RUN(test_negative_and_fraction);
	MT_RUN(test_random_against_double);
	MT_RUN(test_window_is_difference);
	MT_RUN(test_window_across_wraparound);
	MT_RUN(test_merge);
	MT_RUN(test_extreme_costs_clamped);
	MT_RUN(test_torn_snapshot_gives_zero_variance);
	MT_RUN(test_isqrt);
	MT_RUN(test_efficiency);
	return mt_summary();
}
