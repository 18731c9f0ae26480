// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the logblk trace format and replayer (user/logblk):
 * a replay gives exactly what the core gives when driven directly, policy
 * switches and background-GC records are honoured, and malformed traces
 * are refused with an error.
 */
#include <stdlib.h>
#include <unistd.h>
#include "lb_replay.h"
#include "mltest.h"

static char path[] = "/tmp/test_lb_replay.XXXXXX";

static u64 rng = 0x9E3779B97F4A7C15ULL;
static u64 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Drive a device directly with random requests, policy switches and
 * background GC while writing the same events to a trace, as the kernel
 * does. Returns the device's final stats in @st.
 */
static int make_trace(struct lb_geometry *g, u32 steps, struct lb_stats *st,
		      u64 *nospc)
{
	struct lbt_writer w;
	struct lbt_header h;
	struct lb_dev d;
	size_t len = lb_mem_size(g);
	void *mem = aligned_alloc(8, (len + 7) & ~(size_t)7);
	int ret;

	*nospc = 0;
	if (!mem || lb_init(&d, g, mem, len, NULL, NULL))
		return -1;
	lb_set_policy(&d, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	d.stats.policy_switches = 0;
	lbt_header_init(&h, g->nr_lblocks, g->seg_blocks, g->nr_segs,
			LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	ret = lbt_open_write(&w, path, &h);
	for (u32 i = 0; !ret && i < steps; i++) {
		u64 r = next();
		u32 op = r % 100, lba = (u32)((r >> 8) % g->nr_lblocks);
		u32 n = 1 + (u32)((r >> 40) % 4), slot;
		unsigned int hint = (r >> 50) % 8 == 0 ? (unsigned int)((r >> 53) % 8) : 0xff;

		if (n > g->nr_lblocks - lba)
			n = g->nr_lblocks - lba;
		if (i == steps / 2)
			lbt_put(&w, LBT_MARK, 0, 0, 0);
		if (op < 85) {
			if (op < 60)
				lba %= g->nr_lblocks / 8;
			lbt_put(&w, LBT_WRITE, 0, lba, n);
			if (lb_write_begin(&d, lba, n) == -ENOSPC) {
				(*nospc)++;
				continue;
			}
			/* The caller's classes, for the admitted writes only. */
			if (hint != LB_CLASS_NONE)
				lbt_put(&w, LBT_CLASS, (u8)hint, lba, n);
			for (u32 b = 0; b < n; b++)
				if (lb_write_block(&d, lba + b, hint, &slot))
					ret = -1;
		} else if (op < 93) {
			lbt_put(&w, LBT_DISCARD, 0, lba, n);
			lb_discard(&d, lba, n);
		} else if (op < 98) {
			/* The kernel's background GC: collect if wanted, record it. */
			if (lb_gc_wanted(&d, LB_GC_RESERVE + 4)) {
				lb_gc_one(&d, true);
				lbt_put(&w, LBT_GC, 0, 0, LB_GC_RESERVE + 4);
			}
		} else {
			unsigned int p = (r >> 8) % LB_PLACE_COUNT, v = (r >> 16) % 2;

			lb_set_policy(&d, p, v);
			lbt_put(&w, LBT_POLICY, (u8)p, 0, v);
		}
	}
	if (lbt_close_write(&w))
		ret = -1;
	*st = d.stats;
	free(mem);
	return ret;
}

static void test_replay_equals_device(void)
{
	struct lb_geometry g = { 3000, 32, 90 };	/* thin: 72 * 32 < 3000 */
	struct lb_stats dev;
	struct lbr_trace t;
	struct lbr_opts o;
	struct lbr_result r;
	u64 nospc;

	MT_REQUIRE(make_trace(&g, 50000, &dev, &nospc) == 0);
	MT_REQUIRE(lbr_load(path, &t) == 0);
	MT_CHECK_EQ(t.h.nr_lblocks, 3000);
	MT_CHECK_EQ(t.h.place, LB_PLACE_HOTCOLD);
	lbr_opts_from_trace(&t, &o);
	o.check = true;
	MT_REQUIRE(lbr_run(&t, &o, &r) == 0);
	MT_CHECK(!memcmp(&r.total, &dev, sizeof(dev)), "every counter equal");
	MT_CHECK_EQ(r.total.user_writes, dev.user_writes);
	MT_CHECK_EQ(r.total.gc_writes, dev.gc_writes);
	MT_CHECK_EQ(r.total.gc_bg, dev.gc_bg);
	MT_CHECK(dev.gc_bg > 0 && dev.policy_switches > 0 && nospc > 0);
	MT_CHECK_EQ(r.nospc_reqs, nospc);
	MT_CHECK(r.has_mark);
	MT_CHECK(r.at_mark.user_writes > 0 && r.at_mark.user_writes < r.total.user_writes);
	MT_CHECK(r.deaths > 0);
	/* Forcing one policy ignores the switches and gives other figures. */
	o.place = LB_PLACE_MIXED;
	o.victim = LB_VICTIM_GREEDY;
	o.follow_policy = false;
	MT_REQUIRE(lbr_run(&t, &o, &r) == 0);
	MT_CHECK_EQ(r.total.policy_switches, 0);
	MT_CHECK(r.total.gc_writes != dev.gc_writes);
	/* Without background-GC records there is no background GC. */
	o.bg_gc = false;
	MT_REQUIRE(lbr_run(&t, &o, &r) == 0);
	MT_CHECK_EQ(r.total.gc_bg, 0);
	MT_CHECK(r.total.gc_fg > 0);
	lbr_free(&t);
}

static void test_replay_bad_geometry(void)
{
	struct lb_geometry g = { 1000, 16, 100 };
	struct lb_stats dev;
	struct lbr_trace t;
	struct lbr_opts o;
	struct lbr_result r;
	u64 nospc;

	MT_REQUIRE(make_trace(&g, 100, &dev, &nospc) == 0);
	MT_REQUIRE(lbr_load(path, &t) == 0);
	lbr_opts_from_trace(&t, &o);
	o.g.nr_segs = 5;
	MT_CHECK_EQ(lbr_run(&t, &o, &r), -EINVAL);
	lbr_free(&t);
}

static void write_file(const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(p, 1, len, f);
	fclose(f);
}

static void test_malformed(void)
{
	struct {
		struct lbt_header h;
		struct lbt_rec r[2];
	} f;
	struct lbr_trace t;

	lbt_header_init(&f.h, 100, 16, 40, 0, 0);
	memset(f.r, 0, sizeof(f.r));
	f.r[0].op = LBT_WRITE;
	f.r[0].len = 1;
	f.r[1] = f.r[0];
	write_file(&f, sizeof(f));
	MT_REQUIRE(lbr_load(path, &t) == 0);
	MT_CHECK_EQ(t.nr, 2);
	lbr_free(&t);

	write_file(&f, sizeof(f) - 3);		/* truncated record */
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
	write_file(&f, 20);			/* truncated header */
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
	f.r[1].op = 9;				/* unknown op */
	write_file(&f, sizeof(f));
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
	f.r[1].op = LBT_WRITE;
	f.r[1].flags = 1;			/* flags must be zero */
	write_file(&f, sizeof(f));
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
	f.r[1].flags = 0;
	f.h.reserved[3] = 1;
	write_file(&f, sizeof(f));
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
	f.h.reserved[3] = 0;
	f.h.magic[0] = 'X';
	write_file(&f, sizeof(f));
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
	f.h.magic[0] = 'L';
	f.h.version = LBT_VERSION + 1;
	write_file(&f, sizeof(f));
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
	MT_CHECK_EQ(lbr_load("/nonexistent/trace", &t), -ENOENT);
}

/*
 * A version 1 trace (the write's arg was its class) reads as version 2: the
 * write with no lifetime hint, then a CLASS record for all its blocks.
 */
static void test_version1(void)
{
	struct {
		struct lbt_header h;
		struct lbt_rec r[2];
	} f;
	struct lbr_trace t;

	lbt_header_init(&f.h, 100, 16, 40, 0, 0);
	f.h.version = 1;
	memset(f.r, 0, sizeof(f.r));
	f.r[0].op = LBT_WRITE;
	f.r[0].arg = 3;
	f.r[0].lba = 10;
	f.r[0].len = 4;
	f.r[1] = f.r[0];
	f.r[1].arg = LBT_CLASS_NONE;
	write_file(&f, sizeof(f));
	MT_REQUIRE(lbr_load(path, &t) == 0);
	MT_REQUIRE(t.nr == 3);
	MT_CHECK(t.recs[0].op == LBT_WRITE && t.recs[0].arg == 0 && t.recs[0].len == 4);
	MT_CHECK(t.recs[1].op == LBT_CLASS && t.recs[1].arg == 3 && t.recs[1].lba == 10 &&
		 t.recs[1].len == 4);
	MT_CHECK(t.recs[2].op == LBT_WRITE && t.recs[2].arg == 0);
	lbr_free(&t);
	/* Version 1 knows no op past MARK. */
	f.r[1].op = LBT_CLASS;
	write_file(&f, sizeof(f));
	MT_CHECK_EQ(lbr_load(path, &t), -EINVAL);
}

/* Records out of range stop the replay with an error, not a crash. */
static void test_bad_records(void)
{
	struct lb_geometry g = { 100, 16, 40 };
	struct lbt_writer w;
	struct lbt_header h;
	struct lbr_trace t;
	struct lbr_opts o;
	struct lbr_result r;
	static const struct { u8 op, arg; u64 lba; u32 len; } bad[] = {
		{ LBT_WRITE, 0xff, 100, 1 },
		{ LBT_WRITE, 0xff, 99, 2 },
		{ LBT_WRITE, 0xff, 1ULL << 33, 1 },
		{ LBT_CLASS, 8, 0, 1 },		/* a class beyond the streams */
		{ LBT_CLASS, 1, 2, 4 },		/* beyond the write */
		{ LBT_CLASS, 1, 90, 1 },	/* not the write's */
		{ LBT_DISCARD, 0, 50, 60 },
		{ LBT_POLICY, 7, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lbt_header_init(&h, g.nr_lblocks, g.seg_blocks, g.nr_segs, 0, 0);
		MT_REQUIRE(lbt_open_write(&w, path, &h) == 0);
		lbt_put(&w, LBT_WRITE, 0xff, 0, 4);
		lbt_put(&w, bad[i].op, bad[i].arg, bad[i].lba, bad[i].len);
		MT_REQUIRE(lbt_close_write(&w) == 0);
		MT_REQUIRE(lbr_load(path, &t) == 0);
		lbr_opts_from_trace(&t, &o);
		MT_CHECK(lbr_run(&t, &o, &r) < 0, "bad record %zu refused", i);
		/* A bad CLASS record stops its write before any block of it. */
		MT_CHECK_EQ(r.total.user_writes, bad[i].op == LBT_CLASS ? 0 : 4);
		lbr_free(&t);
	}
}

int main(int argc, char **argv)
{
	int fd;

	/* A name of its own: a PID may repeat across namespaces sharing /tmp. */
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	mt_filter(argc, argv);
	MT_RUN(test_replay_equals_device);
	MT_RUN(test_replay_bad_geometry);
	MT_RUN(test_malformed);
	MT_RUN(test_version1);
	MT_RUN(test_bad_records);
	unlink(path);
	return mt_summary();
}
