// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of core/lb_core.c and core/lb_policy.c: map consistency,
 * valid counts and GC invariants under random load, forward progress at
 * full capacity, space accounting, and each policy's decisions on crafted
 * cases.
 */
#include <stdlib.h>
#include "lb_core.h"
#include "mltest.h"

struct tdev {
	struct lb_dev d;
	void *mem;
	u64 *data;		/* contents of each slot: (lba << 32) | version */
	u32 *ver;		/* last version written per lba, 0 = none */
	u64 deaths, death_moves, discard_deaths;
	u64 last_lifetime;
};

static void t_move(void *priv, u32 from, u32 to)
{
	struct tdev *t = priv;

	t->data[to] = t->data[from];
}

static void t_death(void *priv, const struct lb_death *dt)
{
	struct tdev *t = priv;

	t->deaths++;
	t->death_moves += dt->gc_moves;
	t->discard_deaths += dt->discarded;
	t->last_lifetime = dt->lifetime;
}

static const struct lb_ops t_ops = { .move = t_move, .death = t_death };

static int tdev_init(struct tdev *t, u32 n, u32 seg_blocks, u32 nr_segs)
{
	struct lb_geometry g = { n, seg_blocks, nr_segs };
	size_t len = lb_mem_size(&g);

	memset(t, 0, sizeof(*t));
	if (!len)
		return -EINVAL;
	t->mem = aligned_alloc(8, (len + 7) & ~(size_t)7);
	t->data = calloc((size_t)nr_segs * seg_blocks, sizeof(*t->data));
	t->ver = calloc(n, sizeof(*t->ver));
	if (!t->mem || !t->data || !t->ver)
		return -ENOMEM;
	return lb_init(&t->d, &g, t->mem, len, &t_ops, t);
}

static void tdev_free(struct tdev *t)
{
	free(t->mem);
	free(t->data);
	free(t->ver);
}

static u32 version_counter;

/* Write [lba, lba + nr) as one request, like the device does. */
static int tdev_write(struct tdev *t, u32 lba, u32 nr, unsigned int hint)
{
	int ret = lb_write_begin(&t->d, lba, nr);

	for (u32 i = 0; !ret && i < nr; i++) {
		u32 slot;

		ret = lb_write_block(&t->d, lba + i, hint, &slot);
		if (!ret) {
			t->ver[lba + i] = ++version_counter;
			t->data[slot] = ((u64)(lba + i) << 32) | t->ver[lba + i];
		}
	}
	return ret;
}

static int tdev_discard(struct tdev *t, u32 lba, u32 nr)
{
	int ret = lb_discard(&t->d, lba, nr);

	for (u32 i = 0; !ret && i < nr; i++)
		t->ver[lba + i] = 0;
	return ret;
}

/* Every logical block maps to the data last written to it, or nowhere. */
static const char *tdev_verify(const struct tdev *t)
{
	for (u32 lba = 0; lba < t->d.g.nr_lblocks; lba++) {
		u32 slot = lb_lookup(&t->d, lba);

		if (!t->ver[lba] && slot != LB_NONE)
			return "unwritten or discarded block is mapped";
		if (t->ver[lba] && slot == LB_NONE)
			return "written block is unmapped";
		if (t->ver[lba] && t->data[slot] != (((u64)lba << 32) | t->ver[lba]))
			return "block maps to the wrong data";
	}
	return lb_check(&t->d);
}

static u64 rng = 0x243F6A8885A308D3ULL;
static u64 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u32 rnd_below(u32 n)
{
	return (u32)(next() % n);
}

static void test_geometry(void)
{
	struct lb_geometry ok = { 1000, 16, 100 };
	struct lb_geometry small_seg = { 1000, 8, 100 };
	struct lb_geometry few = { 1000, 16, LB_SPARE_SEGS };
	struct lb_geometry empty = { 0, 16, 100 };
	struct lb_geometry huge = { 1000, 65536, 70000 };
	struct lb_dev d;
	u64 buf[8];

	MT_CHECK(lb_geometry_error(&ok) == NULL);
	MT_CHECK(lb_geometry_error(&small_seg) != NULL);
	MT_CHECK(lb_geometry_error(&few) != NULL);
	MT_CHECK(lb_geometry_error(&empty) != NULL);
	MT_CHECK(lb_geometry_error(&huge) != NULL, "2^32 slots do not fit");
	MT_CHECK_EQ(lb_mem_size(&few), 0);
	MT_CHECK(lb_mem_size(&ok) >= 1000 * (4 + sizeof(struct lb_block)) + 1600 * 4);
	MT_CHECK_EQ(lb_init(&d, &ok, buf, sizeof(buf), NULL, NULL), -EINVAL);
	MT_CHECK_EQ(lb_nr_segs_for_op(65536, 256, 18), 302);
	MT_CHECK_EQ(lb_nr_segs_for_op(65536, 256, 33), 340);
	MT_CHECK_EQ(lb_nr_segs_for_op(0xffffffffu, 1, 1000), U32_MAX);
}

static void test_init_state(void)
{
	struct tdev t;

	MT_REQUIRE(!tdev_init(&t, 1000, 16, 100));
	MT_CHECK_EQ(t.d.nr_free, 100);
	MT_CHECK_EQ(t.d.mapped, 0);
	MT_CHECK_EQ(t.d.max_valid, (100 - LB_SPARE_SEGS) * 16);
	MT_CHECK_EQ(lb_lookup(&t.d, 0), LB_NONE);
	MT_CHECK_EQ(lb_lookup(&t.d, 999), LB_NONE);
	MT_CHECK_EQ(lb_lookup(&t.d, 1000), LB_NONE);
	MT_CHECK(lb_check(&t.d) == NULL);
	MT_CHECK_EQ(t.d.place, LB_PLACE_MIXED);
	tdev_free(&t);
}

static void test_cmp_mul(void)
{
	for (int i = 0; i < 100000; i++) {
		u64 a = next(), b = next(), c = next(), d = next();
		unsigned __int128 l, r;
		int want;

		if (i & 1) {	/* small values, equal products likely */
			a &= 0xff;
			b &= 0xff;
			c &= 0xff;
			d &= 0xff;
		}
		l = (unsigned __int128)a * b;
		r = (unsigned __int128)c * d;
		want = l < r ? -1 : l > r;
		if (lb_cmp_mul(a, b, c, d) != want) {
			MT_CHECK_EQ(lb_cmp_mul(a, b, c, d), want);
			return;
		}
	}
	MT_CHECK_EQ(lb_cmp_mul(U64_MAX, U64_MAX, U64_MAX, U64_MAX), 0);
	MT_CHECK_EQ(lb_cmp_mul(U64_MAX, 2, 2, U64_MAX), 0);
	MT_CHECK_EQ(lb_cmp_mul(U64_MAX, 3, 2, U64_MAX), 1);
}

static void test_write_overwrite_discard(void)
{
	struct tdev t;
	u32 s0, s1;

	MT_REQUIRE(!tdev_init(&t, 1000, 16, 100));
	MT_CHECK_EQ(tdev_write(&t, 5, 3, LB_CLASS_NONE), 0);
	MT_CHECK_EQ(t.d.mapped, 3);
	MT_CHECK_EQ(t.d.now, 3);
	s0 = lb_lookup(&t.d, 5);
	MT_CHECK(s0 != LB_NONE);
	MT_CHECK_EQ(t.d.seg[s0 / 16].valid, 3);
	MT_CHECK_EQ(t.d.blk[5].writes, 1);
	MT_CHECK_EQ(tdev_write(&t, 5, 1, LB_CLASS_NONE), 0);
	s1 = lb_lookup(&t.d, 5);
	MT_CHECK(s1 != s0, "writes go out of place");
	MT_CHECK_EQ(t.d.mapped, 3);
	MT_CHECK_EQ(t.d.seg[s0 / 16].valid, 3);	/* same open segment */
	MT_CHECK_EQ(t.d.seg[s0 / 16].fill, 4);
	MT_CHECK_EQ(t.d.blk[5].writes, 2);
	MT_CHECK_EQ(t.d.blk[5].prev_interval, 3);
	MT_CHECK_EQ(t.d.blk[5].last_write, 3);
	MT_CHECK_EQ(t.deaths, 1);
	MT_CHECK_EQ(t.last_lifetime, 3);
	MT_CHECK_EQ(tdev_discard(&t, 0, 7), 0);	/* 5 and 6 are mapped */
	MT_CHECK_EQ(t.d.mapped, 1);
	MT_CHECK_EQ(lb_lookup(&t.d, 5), LB_NONE);
	MT_CHECK_EQ(lb_lookup(&t.d, 7), s0 + 2);
	MT_CHECK_EQ(t.d.stats.discarded, 2);
	MT_CHECK_EQ(t.d.stats.discard_reqs, 1);
	MT_CHECK_EQ(t.discard_deaths, 2);
	MT_CHECK_EQ(t.d.now, 4);	/* discards do not advance the clock */
	MT_CHECK_EQ(t.d.blk[5].writes, 2);	/* history survives a discard */
	MT_CHECK_EQ(t.d.stats.user_writes, 4);
	MT_CHECK_EQ(t.d.stats.write_reqs, 2);
	MT_CHECK(tdev_verify(&t) == NULL);
	/* Bad ranges change nothing. */
	MT_CHECK_EQ(lb_write_begin(&t.d, 998, 3), -EINVAL);
	MT_CHECK_EQ(lb_write_begin(&t.d, 1000, 1), -EINVAL);
	MT_CHECK_EQ(lb_write_begin(&t.d, 0, 0), -EINVAL);
	MT_CHECK_EQ(lb_discard(&t.d, 999, 2), -EINVAL);
	MT_CHECK_EQ(lb_discard(&t.d, 0xfffffff0u, 0x20), -EINVAL);
	MT_CHECK_EQ(lb_write_block(&t.d, 1000, LB_CLASS_NONE, &s0), -EINVAL);
	MT_CHECK_EQ(lb_write_block(&t.d, 1, LB_MAX_STREAMS, &s0), -EINVAL);
	MT_CHECK_EQ(t.d.stats.write_reqs, 2);
	MT_CHECK_EQ(t.d.stats.discard_reqs, 1);
	MT_CHECK_EQ(t.d.mapped, 1);
	MT_CHECK(tdev_verify(&t) == NULL);
	tdev_free(&t);
}

static void test_dead_segment_freed(void)
{
	struct tdev t;
	u32 free0;

	MT_REQUIRE(!tdev_init(&t, 1000, 16, 100));
	MT_CHECK_EQ(tdev_write(&t, 0, 32, LB_CLASS_NONE), 0);	/* two sealed segments */
	free0 = t.d.nr_free;
	MT_CHECK_EQ(free0, 98);
	MT_CHECK_EQ(t.d.seg[0].state, LB_SEG_SEALED);
	MT_CHECK_EQ(tdev_discard(&t, 0, 15), 0);
	MT_CHECK_EQ(t.d.nr_free, free0);	/* one valid block left */
	MT_CHECK_EQ(tdev_write(&t, 15, 1, LB_CLASS_NONE), 0);	/* the last one dies */
	MT_CHECK_EQ(t.d.stats.dead_freed, 1);
	MT_CHECK_EQ(t.d.seg[0].state, LB_SEG_OPEN);	/* freed, then reused by the write */
	MT_CHECK_EQ(t.d.stats.gc_writes, 0);
	MT_CHECK(tdev_verify(&t) == NULL);
	tdev_free(&t);
}

/* A thin device: more logical blocks than data capacity. */
static void test_nospc(void)
{
	struct tdev t;
	u32 cap, i;

	MT_REQUIRE(!tdev_init(&t, 2000, 16, 40));
	cap = t.d.max_valid;
	MT_CHECK_EQ(cap, (40 - LB_SPARE_SEGS) * 16);
	for (i = 0; i < cap; i += 8)
		MT_REQUIRE(tdev_write(&t, i, 8, LB_CLASS_NONE) == 0, "block %u", i);
	MT_CHECK_EQ(t.d.mapped, cap);
	MT_CHECK_EQ(tdev_write(&t, cap, 1, LB_CLASS_NONE), -ENOSPC);
	MT_CHECK_EQ(t.d.stats.nospc, 1);
	/* A request that maps anything new fails whole, overwrites still work. */
	MT_CHECK_EQ(tdev_write(&t, cap - 4, 8, LB_CLASS_NONE), -ENOSPC);
	MT_CHECK_EQ(t.d.mapped, cap);
	for (i = 0; i < 20 * cap; i++)
		MT_REQUIRE(tdev_write(&t, rnd_below(cap), 1, LB_CLASS_NONE) == 0,
			   "overwrite %u at full capacity", i);
	MT_CHECK(t.d.stats.gc_fg > 0);
	MT_CHECK(tdev_verify(&t) == NULL);
	/* Discard makes room again. */
	MT_CHECK_EQ(tdev_discard(&t, 0, 8), 0);
	MT_CHECK_EQ(tdev_write(&t, cap, 8, LB_CLASS_NONE), 0);
	MT_CHECK_EQ(tdev_write(&t, cap + 8, 1, LB_CLASS_NONE), -ENOSPC);
	MT_CHECK(tdev_verify(&t) == NULL);
	tdev_free(&t);
}

/*
 * Random writes, discards, hints on all streams, policy switches and
 * background GC on a small device kept full: invariants hold after every
 * step, no request fails but for space, and every block reads back.
 */
static void run_stress(u32 n, u32 seg_blocks, u32 nr_segs, u32 steps, bool hints)
{
	struct tdev t;
	u32 i;

	MT_REQUIRE(!tdev_init(&t, n, seg_blocks, nr_segs));
	for (i = 0; i < steps; i++) {
		u64 r = next();
		u32 op = r % 100, lba = (u32)((r >> 8) % n);
		u32 len = 1 + (u32)((r >> 40) % 8);
		unsigned int hint = LB_CLASS_NONE;
		int ret = 0;

		if (len > n - lba)
			len = n - lba;
		if (hints && (r >> 50) % 4 == 0)
			hint = (unsigned int)((r >> 52) % LB_MAX_STREAMS);
		if (op < 80) {
			/* Skewed: a quarter of the space takes most writes. */
			if (op < 60)
				lba %= n / 4 > len ? n / 4 - len : 1;
			ret = tdev_write(&t, lba, len, hint);
			MT_REQUIRE(ret == 0 || ret == -ENOSPC, "write: %d at step %u", ret, i);
		} else if (op < 90) {
			MT_REQUIRE(tdev_discard(&t, lba, len) == 0);
		} else if (op < 95) {
			ret = lb_gc_one(&t.d, true);
			MT_REQUIRE(ret == 0 || ret == -EAGAIN, "bg gc: %d", ret);
		} else {
			unsigned int place = (r >> 8) % LB_PLACE_COUNT;
			unsigned int victim = (r >> 16) % LB_VICTIM_COUNT;

			MT_REQUIRE(lb_set_policy(&t.d, place, victim) == 0);
		}
		if (i % 97 == 0 || i == steps - 1) {
			const char *why = tdev_verify(&t);

			MT_REQUIRE(why == NULL, "step %u: %s", i, why);
		}
	}
	MT_CHECK(t.d.stats.gc_fg + t.d.stats.gc_bg > 100, "GC ran");
	MT_CHECK(t.d.stats.policy_switches > 10);
	{
		u64 su = 0, sg = 0;

		for (int s = 0; s < LB_MAX_STREAMS; s++) {
			su += t.d.stats.stream_user[s];
			sg += t.d.stats.stream_gc[s];
		}
		MT_CHECK_EQ(su, t.d.stats.user_writes);
		MT_CHECK_EQ(sg, t.d.stats.gc_writes);
	}
	tdev_free(&t);
}

static void test_stress_thin(void)
{
	/* Thin: the logical size exceeds the data capacity, so it stays full. */
	run_stress(900, 16, 60, 60000, true);
}

static void test_stress_op(void)
{
	run_stress(600, 16, 60, 60000, false);
}

static void test_stress_min_device(void)
{
	/* The smallest device: one data segment beyond the spare ones. */
	run_stress(64, 16, LB_SPARE_SEGS + 1, 20000, true);
}

static void test_gc_counts(void)
{
	struct tdev t;
	u64 moved_per_stream = 0;

	MT_REQUIRE(!tdev_init(&t, 800, 16, 80));
	for (u32 i = 0; i < 800; i += 16)
		MT_REQUIRE(tdev_write(&t, i, 16, LB_CLASS_NONE) == 0);
	for (u32 i = 0; i < 20000; i++)
		MT_REQUIRE(tdev_write(&t, rnd_below(800), 1, LB_CLASS_NONE) == 0);
	for (int s = 0; s < LB_MAX_STREAMS; s++)
		moved_per_stream += t.d.stats.stream_gc[s];
	MT_CHECK_EQ(moved_per_stream, t.d.stats.gc_writes);
	MT_CHECK_EQ(t.d.stats.user_writes, 800 + 20000);
	MT_CHECK_EQ(t.d.stats.stream_user[0], 800 + 20000);	/* P1: one stream */
	MT_CHECK(t.d.stats.gc_writes > 0);
	MT_CHECK(t.d.nr_free > LB_GC_RESERVE);
	/* Every death reports the moves of its version; moves of live ones remain. */
	MT_CHECK(t.death_moves <= t.d.stats.gc_writes);
	MT_CHECK(tdev_verify(&t) == NULL);
	tdev_free(&t);
}

static void test_waf_milli(void)
{
	MT_CHECK_EQ(lb_waf_milli(0, 0), 0);
	MT_CHECK_EQ(lb_waf_milli(1000, 0), 1000);
	MT_CHECK_EQ(lb_waf_milli(3, 1), 1333);
	MT_CHECK_EQ(lb_waf_milli(3, 2), 1667);
	MT_CHECK_EQ(lb_waf_milli(U64_MAX / 4, U64_MAX / 4), 2000);
}

static void test_determinism(void)
{
	struct tdev a, b;

	MT_REQUIRE(!tdev_init(&a, 700, 32, 40));
	MT_REQUIRE(!tdev_init(&b, 700, 32, 40));
	lb_set_policy(&a.d, LB_PLACE_SEPBIT, LB_VICTIM_CB);
	lb_set_policy(&b.d, LB_PLACE_SEPBIT, LB_VICTIM_CB);
	for (u32 i = 0; i < 30000; i++) {
		u64 r = next();
		u32 lba = (u32)(r % 700);

		if (r >> 60 == 0) {
			tdev_discard(&a, lba, 1);
			tdev_discard(&b, lba, 1);
		} else {
			tdev_write(&a, lba, 1, LB_CLASS_NONE);
			tdev_write(&b, lba, 1, LB_CLASS_NONE);
		}
	}
	MT_CHECK(!memcmp(&a.d.stats, &b.d.stats, sizeof(a.d.stats)));
	MT_CHECK(!memcmp(a.d.l2p, b.d.l2p, 700 * sizeof(u32)));
	MT_CHECK(!memcmp(a.d.seg, b.d.seg, 40 * sizeof(struct lb_seg)));
	tdev_free(&a);
	tdev_free(&b);
}

/* Sealed segment s with @valid live blocks and newest user write @newest. */
static void craft_seg(struct lb_dev *d, u32 s, u32 valid, u64 newest)
{
	d->seg[s].state = LB_SEG_SEALED;
	d->seg[s].fill = d->g.seg_blocks;
	d->seg[s].valid = valid;
	d->seg[s].newest = newest;
}

static void test_victim_greedy(void)
{
	struct tdev t;

	MT_REQUIRE(!tdev_init(&t, 1000, 100, 100));
	MT_CHECK_EQ(lb_pick_victim(&t.d), LB_NONE);
	craft_seg(&t.d, 3, 100, 0);	/* no garbage: never a victim */
	MT_CHECK_EQ(lb_pick_victim(&t.d), LB_NONE);
	craft_seg(&t.d, 7, 60, 0);
	craft_seg(&t.d, 9, 40, 0);
	craft_seg(&t.d, 11, 40, 0);
	t.d.now = 1000;
	MT_CHECK_EQ(lb_pick_victim(&t.d), 9);	/* fewest valid, lowest number on ties */
	t.d.seg[11].valid = 39;
	MT_CHECK_EQ(lb_pick_victim(&t.d), 11);
	t.d.seg[20].state = LB_SEG_OPEN;	/* open segments are never victims */
	t.d.seg[20].valid = 0;
	MT_CHECK_EQ(lb_pick_victim(&t.d), 11);
	tdev_free(&t);
}

static void test_victim_cost_benefit(void)
{
	struct tdev t;

	MT_REQUIRE(!tdev_init(&t, 1000, 100, 100));
	lb_set_policy(&t.d, LB_PLACE_MIXED, LB_VICTIM_CB);
	t.d.now = 1000;
	/* u = 0.5, age 101: 0.5 * 101 / 1.5 = 33.7 */
	craft_seg(&t.d, 2, 50, 900);
	/* u = 0.25, age 11: 0.75 * 11 / 1.25 = 6.6 */
	craft_seg(&t.d, 4, 25, 990);
	MT_CHECK_EQ(lb_pick_victim(&t.d), 2);	/* old half-full beats young quarter-full */
	/* u = 0.9, age 1001: 0.1 * 1001 / 1.9 = 52.7 */
	craft_seg(&t.d, 6, 90, 0);
	MT_CHECK_EQ(lb_pick_victim(&t.d), 6);
	/* Exact ties: u = 0.5 age 101 on a lower number wins. */
	craft_seg(&t.d, 1, 50, 900);
	t.d.seg[6].state = LB_SEG_FREE;
	MT_CHECK_EQ(lb_pick_victim(&t.d), 1);
	/* Greedy on the same segments takes the fewest valid. */
	lb_set_policy(&t.d, LB_PLACE_MIXED, LB_VICTIM_GREEDY);
	MT_CHECK_EQ(lb_pick_victim(&t.d), 4);
	/* Huge ages do not overflow the comparison. */
	lb_set_policy(&t.d, LB_PLACE_MIXED, LB_VICTIM_CB);
	t.d.seg[1].state = LB_SEG_FREE;
	t.d.seg[2].state = LB_SEG_FREE;
	t.d.seg[4].state = LB_SEG_FREE;
	t.d.now = U64_MAX - 10;
	craft_seg(&t.d, 8, 99, 0);		/* age ~2^64, u = 0.99 */
	craft_seg(&t.d, 9, 1, U64_MAX / 2);	/* age ~2^63, u = 0.01 */
	MT_CHECK_EQ(lb_pick_victim(&t.d), 9);
	tdev_free(&t);
}

static void test_policy_p1_p2(void)
{
	struct tdev t;

	MT_REQUIRE(!tdev_init(&t, 800, 16, 70));
	lb_set_policy(&t.d, LB_PLACE_GCSEP, LB_VICTIM_CB);
	for (u32 i = 0; i < 30000; i++)
		MT_REQUIRE(tdev_write(&t, rnd_below(800), 1, LB_CLASS_NONE) == 0);
	MT_CHECK_EQ(t.d.stats.stream_user[0], 30000);
	MT_CHECK_EQ(t.d.stats.stream_gc[1], t.d.stats.gc_writes);
	MT_CHECK(t.d.stats.gc_writes > 0);
	MT_CHECK_EQ(lb_gc_stream(&t.d, 0, 0), 1);
	lb_set_policy(&t.d, LB_PLACE_MIXED, LB_VICTIM_GREEDY);
	MT_CHECK_EQ(lb_gc_stream(&t.d, 0, 0), 0);
	MT_CHECK_EQ(lb_user_stream(&t.d, 0, LB_CLASS_NONE), 0);
	MT_CHECK(tdev_verify(&t) == NULL);
	tdev_free(&t);
}

static void test_policy_hotcold(void)
{
	struct tdev t;

	MT_REQUIRE(!tdev_init(&t, 1000, 16, 100));
	lb_set_policy(&t.d, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	t.d.now = 3999;		/* mean count at this write: 4000 / 1000 = 4 */
	t.d.blk[1].writes = 0;	/* 1 / 4 = 0.25 */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 0);
	t.d.blk[1].writes = 1;	/* 2 / 4 = 0.5: reaches 1/2 */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 1);
	t.d.blk[1].writes = 6;	/* 7 / 4 = 1.75 */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 1);
	t.d.blk[1].writes = 7;	/* 8 / 4 = 2 */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 2);
	t.d.blk[1].writes = 30;	/* 31 / 4 = 7.75 */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 2);
	t.d.blk[1].writes = 31;	/* 32 / 4 = 8 */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 3);
	/* GC uses the current count, this write not included. */
	t.d.blk[1].writes = 31;	/* 31 / 4 */
	MT_CHECK_EQ(lb_gc_stream(&t.d, 1, 0), 2);
	t.d.blk[1].writes = 32;
	MT_CHECK_EQ(lb_gc_stream(&t.d, 1, 0), 3);
	t.d.blk[1].writes = 0xffffffffu;	/* saturated counts stay hot */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 3);
	tdev_free(&t);
}

/* On a hot/cold workload P3x separates: streams 0 and 3 both get data. */
static void test_policy_hotcold_separates(void)
{
	struct tdev t;

	MT_REQUIRE(!tdev_init(&t, 1000, 16, 100));
	lb_set_policy(&t.d, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	for (u32 i = 0; i < 1000; i += 50)
		MT_REQUIRE(tdev_write(&t, i, 50, LB_CLASS_NONE) == 0);
	for (u32 i = 0; i < 40000; i++) {
		u64 r = next();
		u32 lba = (r & 15) < 14 ? (u32)((r >> 8) % 50) : (u32)(50 + (r >> 8) % 950);

		MT_REQUIRE(tdev_write(&t, lba, 1, LB_CLASS_NONE) == 0);
	}
	MT_CHECK(t.d.stats.stream_user[3] > 20000, "hot blocks in the hottest class");
	MT_CHECK(t.d.stats.stream_user[0] + t.d.stats.stream_user[1] > 0);
	MT_CHECK_EQ(t.d.stats.stream_gc[4] + t.d.stats.stream_gc[5], 0);
	MT_CHECK(t.d.blk[3].cls == 3 && t.d.blk[900].cls <= 1);
	MT_CHECK(tdev_verify(&t) == NULL);
	tdev_free(&t);
}

static void test_policy_sepbit(void)
{
	struct tdev t;
	u32 s;

	MT_REQUIRE(!tdev_init(&t, 1000, 16, 100));
	lb_set_policy(&t.d, LB_PLACE_SEPBIT, LB_VICTIM_GREEDY);
	MT_CHECK_EQ(t.d.sb_ell, U64_MAX);
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 1);	/* a first write is class 2 */
	MT_REQUIRE(tdev_write(&t, 1, 1, LB_CLASS_NONE) == 0);
	/* An update while l is infinite: class 1. */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 0);
	t.d.sb_ell = 100;
	t.d.now = 100;		/* block 1 written at tick 0: lifespan 100, not < l */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 1);
	t.d.now = 99;
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 0);
	MT_REQUIRE(tdev_discard(&t, 1, 1) == 0);
	/* Nothing is invalidated by a write after a discard. */
	MT_CHECK_EQ(lb_user_stream(&t.d, 1, LB_CLASS_NONE), 1);
	/* GC: out of a class-1 segment to stream 2, else by age. */
	t.d.blk[2].last_write = 0;
	t.d.seg[5].stream = 0;
	MT_CHECK_EQ(lb_gc_stream(&t.d, 2, 5), 2);
	t.d.seg[5].stream = 1;
	t.d.now = 399;
	MT_CHECK_EQ(lb_gc_stream(&t.d, 2, 5), 3);
	t.d.now = 400;
	MT_CHECK_EQ(lb_gc_stream(&t.d, 2, 5), 4);
	t.d.now = 1599;
	MT_CHECK_EQ(lb_gc_stream(&t.d, 2, 5), 4);
	t.d.now = 1600;
	MT_CHECK_EQ(lb_gc_stream(&t.d, 2, 5), 5);
	/* l: the mean lifespan of each batch of 16 reclaimed class-1 segments. */
	lb_policy_reset(&t.d);
	t.d.now = 5000;
	for (s = 0; s < 16; s++) {
		t.d.seg[20 + s].stream = 0;
		t.d.seg[20 + s].opened = 5000 - 100 * (s + 1);	/* lifespans 100..1600 */
		lb_policy_reclaimed(&t.d, 20 + s);
		if (s < 15)
			MT_CHECK_EQ(t.d.sb_ell, U64_MAX);
	}
	MT_CHECK_EQ(t.d.sb_ell, 850);
	t.d.seg[40].stream = 1;		/* class-2 segments do not count */
	t.d.seg[40].opened = 0;
	lb_policy_reclaimed(&t.d, 40);
	MT_CHECK_EQ(t.d.sb_n, 0);
	/* A placement change forgets l. */
	lb_set_policy(&t.d, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	lb_set_policy(&t.d, LB_PLACE_SEPBIT, LB_VICTIM_GREEDY);
	MT_CHECK_EQ(t.d.sb_ell, U64_MAX);
	tdev_free(&t);
}

/* SepBIT learns a finite l on a real run, and uses GC streams 2..5. */
static void test_policy_sepbit_run(void)
{
	struct tdev t;

	MT_REQUIRE(!tdev_init(&t, 2000, 16, 160));
	lb_set_policy(&t.d, LB_PLACE_SEPBIT, LB_VICTIM_GREEDY);
	for (u32 i = 0; i < 2000; i += 40)
		MT_REQUIRE(tdev_write(&t, i, 40, LB_CLASS_NONE) == 0);
	for (u32 i = 0; i < 60000; i++) {
		u64 r = next();
		u32 lba = (r & 15) < 12 ? (u32)((r >> 8) % 200) : (u32)(200 + (r >> 8) % 1800);

		MT_REQUIRE(tdev_write(&t, lba, 1, LB_CLASS_NONE) == 0);
	}
	MT_CHECK(t.d.sb_ell != U64_MAX && t.d.sb_ell > 0);
	MT_CHECK_EQ(t.d.stats.stream_gc[0] + t.d.stats.stream_gc[1], 0);
	MT_CHECK(t.d.stats.stream_gc[2] > 0);
	MT_CHECK_EQ(t.d.stats.stream_user[2] + t.d.stats.stream_user[3], 0);
	MT_CHECK(tdev_verify(&t) == NULL);
	tdev_free(&t);
}

static void test_hint_class(void)
{
	struct tdev t;
	u32 slot;

	MT_REQUIRE(!tdev_init(&t, 800, 16, 70));
	lb_set_policy(&t.d, LB_PLACE_GCSEP, LB_VICTIM_GREEDY);
	for (u32 i = 0; i < 800; i += 16)
		MT_REQUIRE(tdev_write(&t, i, 16, 6) == 0);	/* everything hinted 6 */
	MT_CHECK_EQ(t.d.stats.stream_user[6], 800);
	MT_CHECK(t.d.blk[0].flags & LB_BLK_HINTED);
	MT_CHECK_EQ(t.d.blk[0].cls, 6);
	slot = lb_lookup(&t.d, 0);
	MT_CHECK_EQ(t.d.seg[slot / 16].stream, 6);
	/* Hot unhinted overwrites of the first half; GC keeps the rest in 6. */
	for (u32 i = 0; i < 20000; i++)
		MT_REQUIRE(tdev_write(&t, rnd_below(400), 1, LB_CLASS_NONE) == 0);
	MT_CHECK(t.d.stats.stream_gc[6] > 0, "hinted blocks were moved within their class");
	MT_CHECK_EQ(lb_gc_stream(&t.d, 700, 0), 6);
	MT_CHECK_EQ(lb_gc_stream(&t.d, 1, 0), 1);	/* unhinted blocks follow the policy */
	MT_CHECK(!(t.d.blk[1].flags & LB_BLK_HINTED));
	MT_CHECK(tdev_verify(&t) == NULL);
	/*
	 * The learned placement's classes share the policy's streams, but
	 * the log class has one no policy uses.
	 */
	for (unsigned int p = 0; p < LB_PLACE_COUNT; p++) {
		lb_set_policy(&t.d, p, LB_VICTIM_GREEDY);
		MT_CHECK_EQ(lb_class_stream(&t.d, LB_CLASS_LOG), LB_LOG_STREAM);
		for (unsigned int c = 0; c < LB_HOTCOLD_CLASSES; c++)
			MT_CHECK(lb_class_stream(&t.d, c) != LB_LOG_STREAM, "placement %u class %u",
				 p, c);
	}
	tdev_free(&t);
}

static void test_policy_switch(void)
{
	struct tdev t;
	u32 open0;

	MT_REQUIRE(!tdev_init(&t, 800, 16, 70));
	MT_CHECK_EQ(lb_set_policy(&t.d, LB_PLACE_COUNT, 0), -EINVAL);
	MT_CHECK_EQ(lb_set_policy(&t.d, 0, LB_VICTIM_COUNT), -EINVAL);
	MT_CHECK_EQ(t.d.stats.policy_switches, 0);
	MT_CHECK_EQ(lb_set_policy(&t.d, LB_PLACE_MIXED, LB_VICTIM_GREEDY), 0);
	MT_CHECK_EQ(t.d.stats.policy_switches, 0);	/* no change, no switch */
	MT_REQUIRE(tdev_write(&t, 0, 5, LB_CLASS_NONE) == 0);
	open0 = t.d.open[0];
	MT_CHECK_EQ(lb_set_policy(&t.d, LB_PLACE_SEPBIT, LB_VICTIM_CB), 0);
	MT_CHECK_EQ(t.d.stats.policy_switches, 1);
	MT_CHECK_EQ(t.d.open[0], open0);	/* open segments stay open */
	MT_CHECK_EQ(t.d.seg[open0].fill, 5);
	MT_CHECK(lb_check(&t.d) == NULL);
	tdev_free(&t);
}

static void test_names(void)
{
	unsigned int p = 9, v = 9;

	MT_CHECK_EQ(lb_parse_policy("p3x\n", 4, &p, &v), 0);
	MT_CHECK(p == LB_PLACE_HOTCOLD && v == LB_VICTIM_CB);
	MT_CHECK_EQ(lb_parse_policy("p4", 2, &p, &v), 0);
	MT_CHECK(p == LB_PLACE_SEPBIT && v == LB_VICTIM_GREEDY);
	MT_CHECK_EQ(lb_parse_policy("p3", 2, &p, &v), -EINVAL);
	MT_CHECK_EQ(lb_parse_policy("p3x ", 4, &p, &v), -EINVAL);
	MT_CHECK_EQ(lb_parse_policy("", 0, &p, &v), -EINVAL);
	MT_CHECK_EQ(lb_parse_place("sepbit\n", 7), LB_PLACE_SEPBIT);
	MT_CHECK_EQ(lb_parse_place("sepbitx", 7), -EINVAL);
	MT_CHECK_EQ(lb_parse_victim("cb", 2), LB_VICTIM_CB);
	MT_CHECK_EQ(lb_parse_victim("c", 1), -EINVAL);
	MT_CHECK(!strcmp(lb_place_name(LB_PLACE_GCSEP), "gcsep"));
	MT_CHECK(!strcmp(lb_place_name(99), "?"));
	MT_CHECK(!strcmp(lb_victim_name(LB_VICTIM_GREEDY), "greedy"));
	MT_CHECK(!strcmp(lb_policy_name(LB_PLACE_MIXED, LB_VICTIM_GREEDY), "p1"));
	MT_CHECK(lb_policy_name(LB_PLACE_MIXED, LB_VICTIM_CB) == NULL);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_geometry);
	MT_RUN(test_init_state);
	MT_RUN(test_cmp_mul);
	MT_RUN(test_write_overwrite_discard);
	MT_RUN(test_dead_segment_freed);
	MT_RUN(test_nospc);
	MT_RUN(test_stress_thin);
	MT_RUN(test_stress_op);
	MT_RUN(test_stress_min_device);
	MT_RUN(test_gc_counts);
	MT_RUN(test_waf_milli);
	MT_RUN(test_determinism);
	MT_RUN(test_victim_greedy);
	MT_RUN(test_victim_cost_benefit);
	MT_RUN(test_policy_p1_p2);
	MT_RUN(test_policy_hotcold);
	MT_RUN(test_policy_hotcold_separates);
	MT_RUN(test_policy_sepbit);
	MT_RUN(test_policy_sepbit_run);
	MT_RUN(test_hint_class);
	MT_RUN(test_policy_switch);
	MT_RUN(test_names);
	return mt_summary();
}
