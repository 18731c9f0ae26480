// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of core/lb_feat.c, the features of logblk's learned
 * placement: the bins, each feature at a user write and at a GC move, the
 * state a write leaves, and that a learner following the features alone
 * (lbf_commit()) keeps the same state as the device.
 */
#include <stdlib.h>
#include "lb_feat.h"
#include "mltest.h"

struct dev {
	struct lb_dev d;
	void *mem;
	struct lbf_dev fs;
	struct lbf_block *fb;
};

static void dev_init(struct dev *x, u32 n)
{
	struct lb_geometry g = { n, 16, lb_nr_segs_for_op(n, 16, 50) };
	size_t len = lb_mem_size(&g);

	x->mem = aligned_alloc(8, (len + 7) & ~(size_t)7);
	x->fb = calloc(n, sizeof(*x->fb));
	MT_REQUIRE(x->mem && x->fb && lb_init(&x->d, &g, x->mem, len, NULL, NULL) == 0);
	lbf_init(&x->fs, x->fb, n);
}

static void dev_free(struct dev *x)
{
	free(x->mem);
	free(x->fb);
}

/* One single-block write request of @lba; its features in @f. */
static void write1(struct dev *x, u32 lba, s64 *f)
{
	u32 slot;

	lbf_request(&x->fs, lba, 1, 0);
	MT_REQUIRE(lb_write_begin(&x->d, lba, 1) == 0);
	lbf_user(&x->fs, x->fb, &x->d, lba, x->d.now, f);
	MT_REQUIRE(lb_write_block(&x->d, lba, LB_CLASS_NONE, &slot) == 0);
}

static void test_bins(void)
{
	static const struct { u64 x; unsigned int bin; } t[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 3 }, { 3, 4 }, { 4, 5 }, { 5, 5 }, { 6, 6 },
		{ 7, 6 }, { 8, 7 }, { 1000, 20 }, { 1u << 20, 41 }, { U64_MAX, LBF_BINS - 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		MT_CHECK(lbf_hl2(t[i].x) == t[i].bin, "hl2(%llu) = %u, want %u",
			 (unsigned long long)t[i].x, lbf_hl2(t[i].x), t[i].bin);
	for (u64 x = 1; x < 100000; x = x * 3 / 2 + 1)
		MT_CHECK(lbf_hl2(x) <= lbf_hl2(x + 1), "monotone at %llu", (unsigned long long)x);
	MT_CHECK(!strcmp(lbf_name(LBF_AGE), "age"));
	MT_CHECK(!strcmp(lbf_name(LBF_TICK), "tick"));
	MT_CHECK(!strcmp(lbf_name(LBF_NR), "?"));
}

static void test_request(void)
{
	struct lbf_dev s;
	struct lbf_block fb[1];

	lbf_init(&s, fb, 1);
	lbf_request(&s, 100, 8, 2);
	MT_CHECK_EQ(s.seq_run, 0);
	MT_CHECK_EQ(s.size, lbf_hl2(8));
	MT_CHECK_EQ(s.hint, 2);
	lbf_request(&s, 108, 4, 9);		/* continues: a run of 1 */
	MT_CHECK_EQ(s.seq_run, 1);
	MT_CHECK_EQ(s.hint, 7);			/* hints above 7 are 7 */
	lbf_request(&s, 112, 1, 0);
	MT_CHECK_EQ(s.seq_run, 2);
	lbf_request(&s, 5, 1, 0);		/* a jump ends the run */
	MT_CHECK_EQ(s.seq_run, 0);
}

static void test_user_write(void)
{
	struct dev x;
	s64 f[LBF_NR];

	dev_init(&x, 1024);
	write1(&x, 7, f);			/* first write of block 7 */
	MT_CHECK_EQ(f[LBF_AGE], 0);
	MT_CHECK_EQ(f[LBF_PREV], 0);
	MT_CHECK_EQ(f[LBF_COUNT], lbf_hl2(1));
	MT_CHECK_EQ(f[LBF_EWL], 0);
	MT_CHECK_EQ(f[LBF_REL], 0);
	MT_CHECK_EQ(f[LBF_MOVED], 0);
	MT_CHECK_EQ(f[LBF_TICK], 0);
	MT_CHECK_EQ(f[LBF_REGION], 7 * LBF_REGIONS / 1024);
	for (u32 i = 0; i < 99; i++)
		write1(&x, 200 + i, f);		/* 99 other blocks: tick 1..99 */
	write1(&x, 7, f);			/* tick 100: 100 since the first */
	MT_CHECK_EQ(f[LBF_TICK], 100);
	MT_CHECK_EQ(f[LBF_AGE], lbf_hl2(100));
	MT_CHECK_EQ(f[LBF_PREV], 0);		/* no interval before */
	MT_CHECK_EQ(f[LBF_COUNT], lbf_hl2(2));
	MT_CHECK_EQ(f[LBF_EWL], 0);		/* the interval ending now is not in it yet */
	MT_CHECK_EQ(x.fb[7].ewl, 4 * lbf_hl2(100));
	for (u32 i = 0; i < 9; i++)
		write1(&x, 300 + i, f);
	write1(&x, 7, f);			/* 10 after */
	MT_CHECK_EQ(f[LBF_AGE], lbf_hl2(10));
	MT_CHECK_EQ(f[LBF_PREV], lbf_hl2(100));
	MT_CHECK_EQ(f[LBF_EWL], lbf_hl2(100));
	MT_CHECK_EQ(f[LBF_REL], (s64)lbf_hl2(10) - lbf_hl2(100) + LBF_REL_ZERO);
	/* 3 writes against a mean of 111 / 1024, x64, exactly as integers. */
	MT_CHECK_EQ(f[LBF_RCOUNT], lbf_hl2((3ull << 14) / ((111ull << 8) / 1024)));
	MT_CHECK(f[LBF_RCOUNT] > lbf_hl2(64 * 20), "far above the mean");
	dev_free(&x);
}

/* First writes push LBF_DRIFT up; rewrites of recent blocks bring it down. */
static void test_drift_and_phase(void)
{
	struct dev x;
	s64 f[LBF_NR];
	u8 phase0;

	dev_init(&x, 65536);
	for (u32 i = 0; i < 20000; i++)
		write1(&x, i, f);
	MT_CHECK(f[LBF_DRIFT] > 50, "all first writes: drift %lld", (long long)f[LBF_DRIFT]);
	for (u32 i = 0; i < 120000; i++)
		write1(&x, i % 64, f);		/* a tiny hot set: ages of 64 */
	MT_CHECK(f[LBF_DRIFT] >= lbf_hl2(64) - 1 && f[LBF_DRIFT] <= lbf_hl2(64) + 1,
		 "drift %lld", (long long)f[LBF_DRIFT]);
	phase0 = x.fs.phase;
	for (u32 i = 0; i < 8000; i++)
		write1(&x, 20000 + i, f);	/* the hot set moves to unseen blocks */
	MT_CHECK(x.fs.phase != phase0, "a phase change was seen");
	write1(&x, 3, f);			/* a block of the old hot set */
	MT_CHECK(f[LBF_PHASE] >= 1);
	write1(&x, 27999, f);			/* a block of the new one */
	MT_CHECK_EQ(f[LBF_PHASE], 0);
	dev_free(&x);
}

/* Following the features alone keeps the device's state. */
static void test_commit_follows(void)
{
	struct dev x;
	struct lbf_dev s;
	struct lbf_block *fb = calloc(4096, sizeof(*fb));
	u64 r = 1;
	s64 f[LBF_NR];

	MT_REQUIRE(fb);
	dev_init(&x, 4096);
	lbf_init(&s, fb, 4096);
	for (u32 i = 0; i < 50000; i++) {
		u32 lba, n, slot;

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		lba = (u32)(r >> 33) % (r >> 62 ? 256 : 4096);
		n = 1 + (u32)(r >> 20) % 4;
		if (lba + n > 4096)
			n = 4096 - lba;
		lbf_request(&x.fs, lba, n, (unsigned int)(r >> 10) % 3);
		MT_REQUIRE(lb_write_begin(&x.d, lba, n) == 0);
		for (u32 b = 0; b < n; b++) {
			lbf_user(&x.fs, x.fb, &x.d, lba + b, x.d.now + b, f);
			lbf_commit(&s, fb, lba + b, f);
		}
		for (u32 b = 0; b < n; b++)
			MT_REQUIRE(lb_write_block(&x.d, lba + b, LB_CLASS_NONE, &slot) == 0);
	}
	MT_CHECK(!memcmp(fb, x.fb, 4096 * sizeof(*fb)), "per-block state equal");
	MT_CHECK_EQ(s.drift, x.fs.drift);
	MT_CHECK_EQ(s.slow, x.fs.slow);
	MT_CHECK_EQ(s.phase, x.fs.phase);
	free(fb);
	dev_free(&x);
}

static struct dev *moved_dev;
static s64 moved_f[LBF_NR];
static int moved_n;
static u64 moved_now;

static unsigned int record_move(void *priv, u32 lba, const struct lb_block *b)
{
	(void)priv;
	(void)b;
	if (!moved_n++) {
		lbf_moved(&moved_dev->fs, moved_dev->fb, &moved_dev->d, lba, moved_f);
		moved_now = moved_dev->d.now;
	}
	return LB_CLASS_NONE;
}

static void test_moved(void)
{
	static const struct lb_ops ops = { .gc_class = record_move };
	struct dev x;
	s64 f[LBF_NR];

	dev_init(&x, 1024);
	x.d.ops = &ops;
	moved_dev = &x;
	for (u32 i = 0; i < 1024; i++)
		write1(&x, i, f);
	/* Rewrite blocks at random: GC moves the live ones of its victims. */
	for (u32 i = 0, r = 1; i < 20000 && !moved_n; i++) {
		r = r * 1103515245u + 12345u;
		write1(&x, (r >> 8) % 1024, f);
	}
	MT_REQUIRE(moved_n > 0);
	MT_CHECK_EQ(moved_f[LBF_MOVED], 1);
	MT_CHECK_EQ(moved_f[LBF_TICK], (s64)moved_now);
	MT_CHECK(moved_f[LBF_AGE] > 0);
	MT_CHECK(moved_f[LBF_COUNT] >= (s64)lbf_hl2(1));
	MT_CHECK_EQ(moved_f[LBF_MOVES], 0);	/* its first move */
	dev_free(&x);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_bins);
	MT_RUN(test_request);
	MT_RUN(test_user_write);
	MT_RUN(test_drift_and_phase);
	MT_RUN(test_commit_follows);
	MT_RUN(test_moved);
	return mt_summary();
}
