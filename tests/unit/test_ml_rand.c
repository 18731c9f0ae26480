// SPDX-License-Identifier: GPL-2.0
/* Host tests of core/ml_rand.h: seeding, determinism, bounds, share draws. */
#include "ml_rand.h"
#include "mltest.h"

static void test_seed_never_zero(void)
{
	u64 s;
	int i;

	for (i = 0; i < 1000; i++) {
		ml_rand_seed(&s, (u64)i);
		MT_CHECK(s != 0, "seed %d", i);
	}
	ml_rand_seed(&s, 0);
	MT_CHECK(ml_rand_next(&s) != 0 || ml_rand_next(&s) != 0, "seed 0 works");
}

static void test_deterministic(void)
{
	u64 a, b;
	int i;

	ml_rand_seed(&a, 1234);
	ml_rand_seed(&b, 1234);
	for (i = 0; i < 100; i++)
		MT_CHECK_EQ(ml_rand_next(&a), ml_rand_next(&b));
	ml_rand_seed(&b, 1235);
	MT_CHECK(ml_rand_next(&a) != ml_rand_next(&b), "different seeds differ");
}

static void test_below_bounds(void)
{
	u64 s;
	u32 hist[10] = { 0 };
	int i;

	ml_rand_seed(&s, 7);
	for (i = 0; i < 100000; i++) {
		u32 v = ml_rand_below(&s, 10);

		MT_REQUIRE(v < 10, "%u", v);
		hist[v]++;
	}
	for (i = 0; i < 10; i++)
		MT_CHECK(hist[i] > 9500 && hist[i] < 10500, "bucket %d: %u", i, hist[i]);
	for (i = 0; i < 1000; i++)
		MT_CHECK_EQ(ml_rand_below(&s, 1), 0);
	for (i = 0; i < 1000; i++)
		MT_CHECK(ml_rand_below(&s, 0xffffffffu) < 0xffffffffu, "u32 max bound");
}

static void test_draw_shares(void)
{
	static const u32 shares[] = { 1, 500, 1000, 5000, 9500, 9999 };
	u64 s;
	unsigned int k;
	int i;

	ml_rand_seed(&s, 99);
	for (i = 0; i < 1000; i++) {
		MT_CHECK(!ml_rand_draw_bp(&s, 0), "share 0");
		MT_CHECK(ml_rand_draw_bp(&s, 10000), "share 10000");
		MT_CHECK(ml_rand_draw_bp(&s, 0xffffffffu), "share above 10000");
	}
	for (k = 0; k < sizeof(shares) / sizeof(shares[0]); k++) {
		const int n = 200000;
		int hits = 0;
		long long expect = (long long)n * shares[k] / 10000;
		/* within 5 standard deviations (+2 for the tiny shares) */
		long long tol = 2 + 5 * (long long)__builtin_sqrt((double)expect);

		for (i = 0; i < n; i++)
			hits += ml_rand_draw_bp(&s, shares[k]);
		MT_CHECK(hits >= expect - tol && hits <= expect + tol,
			 "share %u: %d hits, expected %lld +- %lld", shares[k], hits, expect, tol);
	}
}

static void test_splitmix_known_values(void)
{
	/* Reference values of splitmix64 from state 0 (Vigna's splitmix64.c). */
	u64 x = 0;

	MT_CHECK(ml_rand_splitmix64(&x) == 0xe220a8397b1dcdafULL, "first");
	MT_CHECK(ml_rand_splitmix64(&x) == 0x6e789e6aa1b965f4ULL, "second");
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_seed_never_zero);
	MT_RUN(test_deterministic);
	MT_RUN(test_below_bounds);
	MT_RUN(test_draw_shares);
	MT_RUN(test_splitmix_known_values);
	return mt_summary();
}
