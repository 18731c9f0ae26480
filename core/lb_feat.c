// SPDX-License-Identifier: GPL-2.0
/*
 * logblk learned placement: features of a block at a user write and at a
 * GC move; see lb_feat.h and docs/logblk.md ("Learned placement").
 *
 * Why these features. On the study's workloads the only signal in a
 * block's history is its write rate (docs/logblk.md, "Origin"); what
 * separates a learned placement from the update-count heuristic is how
 * fast it notices that the rate changed. So the block's own history comes
 * in four views at different memories: the interval that is ending now
 * (LBF_AGE), the one before (LBF_PREV), a recency-weighted mean of all of
 * them (LBF_EWL) and the plain count (LBF_COUNT, LBF_RCOUNT); LBF_REL
 * compares the first with the third ("is this block overdue?"), which is
 * what tells, at a GC move, a block that went cold from one that is merely
 * between two writes. LBF_DRIFT describes the device rather than the block:
 * the mean LBF_AGE of the last few thousand writes jumps when the hot set
 * moves, so a model can learn that a long-unwritten block written right
 * then is likely to be part of the new hot set; LBF_PHASE counts such jumps
 * (LBF_DRIFT two bins above its slow average) since the block's last write,
 * which tells a block of a hot set that moved away. LBF_MOVES counts the
 * times GC moved the block's version: a version that survived moves is
 * likely to be cold. Request size, sequential run, region and the bio's
 * lifetime hint are the structure file systems and databases give their
 * writes.
 *
 * Half-log2 bins (two per octave) keep every feature below 64, so a
 * histogram tree splits on them exactly and a model's thresholds are small
 * integers.
 */
#include "lb_feat.h"

#ifndef min_t
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#endif

/**
 * lbf_hl2() - half-log2 bin of a positive count
 * @x: the value
 *
 * Return: 0 for 0; else 1 + 2 * floor(log2(x)) + the bit below the top
 * one, capped at LBF_BINS - 1. So 1 -> 1, 2 -> 3, 3 -> 4, 4 -> 5, 6 -> 6.
 */
unsigned int lbf_hl2(u64 x)
{
	unsigned int k, v;

	if (!x)
		return 0;
	k = 63 - __builtin_clzll(x);
	v = 1 + 2 * k + (k ? (unsigned int)(x >> (k - 1)) & 1 : 0);
	return v < LBF_BINS - 1 ? v : LBF_BINS - 1;
}

/**
 * lbf_init() - reset the feature state of a device and its blocks
 * @s: the device-wide state
 * @blocks: per-block state, @nr_lblocks entries
 * @nr_lblocks: logical blocks
 */
void lbf_init(struct lbf_dev *s, struct lbf_block *blocks, u32 nr_lblocks)
{
	memset(s, 0, sizeof(*s));
	s->seq_next = U64_MAX;
	memset(blocks, 0, (size_t)nr_lblocks * sizeof(*blocks));
}

/**
 * lbf_request() - a write request starts
 * @s: the device-wide state
 * @lba: its first block
 * @nr: its blocks
 * @hint: the bio's write-lifetime hint (enum rw_hint; values above 7 are
 *	taken as 7)
 *
 * Call once per request, before lbf_user() for its blocks, in the order
 * the device applies requests (also for requests it refuses for space, so
 * that a replay of the trace follows).
 */
void lbf_request(struct lbf_dev *s, u32 lba, u32 nr, unsigned int hint)
{
	if (s->seq_next == lba)
		s->seq_run = s->seq_run < U32_MAX ? s->seq_run + 1 : U32_MAX;
	else
		s->seq_run = 0;
	s->seq_next = (u64)lba + nr;
	s->size = (u8)lbf_hl2(nr);
	s->hint = (u8)(hint < 7 ? hint : 7);
}

/* Writes of a block relative to the device's mean, x64, half-log2. */
static unsigned int lbf_rcount(u64 writes, u64 tick, u32 nr_lblocks)
{
	/* mean x 256 = (tick + 1) * 256 / nr_lblocks; tick < 2^55 always */
	u64 mean256 = ((tick + 1) << 8) / nr_lblocks;

	if (writes > (1ull << 40))
		writes = 1ull << 40;
	return lbf_hl2((writes << 14) / (mean256 ? mean256 : 1));
}

static unsigned int lbf_rel(unsigned int age, unsigned int ewl_x4)
{
	int v;

	if (!age || !ewl_x4)
		return 0;
	v = (int)age - (int)(ewl_x4 + 2) / 4 + LBF_REL_ZERO;
	return v < 1 ? 1 : v > LBF_BINS - 1 ? LBF_BINS - 1 : v;
}

static unsigned int lbf_drift(u64 drift)
{
	u64 v = (drift + (1ull << 19)) >> 20;

	return v < LBF_BINS - 1 ? (unsigned int)v : LBF_BINS - 1;
}

static unsigned int lbf_region(u32 lba, u32 nr_lblocks)
{
	return (unsigned int)((u64)lba * LBF_REGIONS / nr_lblocks);
}

/**
 * lbf_commit() - apply the state change of a user write with features @f
 * @s: the device-wide state
 * @fb: the per-block state of the device
 * @lba: the block
 * @f: the write's features, as lbf_user() computed them
 *
 * lbf_user() calls it; a learner that receives the features of a
 * device's writes as samples calls it to follow the device's state.
 */
void lbf_commit(struct lbf_dev *s, struct lbf_block *fb, u32 lba, const s64 *f)
{
	struct lbf_block *x = &fb[lba];
	u64 age = (u64)f[LBF_AGE];

	/* The interval ending now joins the block's mean (weight 1/4). */
	if (age)
		x->ewl = x->ewl ? (u8)((3 * x->ewl + 4 * age + 2) / 4) : (u8)(4 * age);
	x->size = (u8)f[LBF_SIZE];
	x->seq = (u8)f[LBF_SEQ];
	x->hint = (u8)f[LBF_HINT];
	/* A never-written block (no age) counts as the oldest possible. */
	s->drift = s->drift - (s->drift >> LBF_DRIFT_SHIFT) +
		((age ? age : LBF_BINS - 1) << (20 - LBF_DRIFT_SHIFT));
	s->slow = s->slow - (s->slow >> 16) + ((age ? age : LBF_BINS - 1) << 4);
	if (!s->raised && s->drift > s->slow + (2ull << 20)) {
		s->raised = 1;
		s->phase++;
	} else if (s->raised && s->drift < s->slow + (1ull << 20)) {
		s->raised = 0;
	}
	x->phase = s->phase;
}

/**
 * lbf_user() - the features of a user write, and the state it leaves
 * @s: the device-wide state (lbf_request() called for the request)
 * @fb: the per-block state of the device
 * @d: the device, before the block is written
 * @lba: the block
 * @tick: the device clock the block will be written at
 * @f: out: LBF_NR values
 *
 * Updates the block's and the device's state as the write is applied:
 * call it once per block written, in order.
 */
void lbf_user(struct lbf_dev *s, struct lbf_block *fb, const struct lb_dev *d,
	      u32 lba, u64 tick, s64 *f)
{
	const struct lb_block *b = &d->blk[lba];
	const struct lbf_block *x = &fb[lba];
	unsigned int age = b->writes ? lbf_hl2(tick - b->last_write) : 0;

	f[LBF_AGE] = age;
	f[LBF_PREV] = b->writes > 1 ? lbf_hl2(b->prev_interval) : 0;
	f[LBF_COUNT] = lbf_hl2((u64)b->writes + 1);
	f[LBF_RCOUNT] = lbf_rcount((u64)b->writes + 1, tick, d->g.nr_lblocks);
	f[LBF_EWL] = x->ewl ? (x->ewl + 2) / 4 : 0;
	f[LBF_REL] = lbf_rel(age, x->ewl);
	f[LBF_DRIFT] = lbf_drift(s->drift);
	f[LBF_SIZE] = s->size;
	f[LBF_SEQ] = lbf_hl2(s->seq_run);
	f[LBF_REGION] = lbf_region(lba, d->g.nr_lblocks);
	f[LBF_HINT] = s->hint;
	f[LBF_MOVED] = 0;
	f[LBF_MOVES] = b->writes ? lbf_hl2(b->gc_moves) : 0;
	f[LBF_PHASE] = b->writes ? min_t(u8, (u8)(s->phase - x->phase), 3) : 3;
	f[LBF_TICK] = (s64)tick;

	lbf_commit(s, fb, lba, f);
}

/**
 * lbf_moved() - the features of a block GC is about to move
 * @s: the device-wide state
 * @fb: the per-block state of the device
 * @d: the device
 * @lba: the block, mapped
 * @f: out: LBF_NR values
 *
 * The block's own history as of now: LBF_AGE is the time since its last
 * user write, LBF_PREV the interval that write ended; LBF_SIZE, LBF_SEQ and
 * LBF_HINT are its last write's. Nothing is updated.
 */
void lbf_moved(const struct lbf_dev *s, const struct lbf_block *fb,
	       const struct lb_dev *d, u32 lba, s64 *f)
{
	const struct lb_block *b = &d->blk[lba];
	const struct lbf_block *x = &fb[lba];
	unsigned int age = lbf_hl2(d->now - b->last_write);

	f[LBF_AGE] = age;
	f[LBF_PREV] = b->writes > 1 ? lbf_hl2(b->prev_interval) : 0;
	f[LBF_COUNT] = lbf_hl2(b->writes);
	f[LBF_RCOUNT] = lbf_rcount(b->writes, d->now, d->g.nr_lblocks);
	f[LBF_EWL] = x->ewl ? (x->ewl + 2) / 4 : 0;
	f[LBF_REL] = lbf_rel(age, x->ewl);
	f[LBF_DRIFT] = lbf_drift(s->drift);
	f[LBF_SIZE] = x->size;
	f[LBF_SEQ] = x->seq;
	f[LBF_REGION] = lbf_region(lba, d->g.nr_lblocks);
	f[LBF_HINT] = x->hint;
	f[LBF_MOVED] = 1;
	f[LBF_MOVES] = lbf_hl2(b->gc_moves);
	f[LBF_PHASE] = min_t(u8, (u8)(s->phase - x->phase), 3);
	f[LBF_TICK] = (s64)d->now;
}

static const char *const lbf_names[LBF_NR] = {
	[LBF_AGE] = "age",
	[LBF_PREV] = "prev",
	[LBF_COUNT] = "count",
	[LBF_RCOUNT] = "rcount",
	[LBF_EWL] = "ewl",
	[LBF_REL] = "rel",
	[LBF_DRIFT] = "drift",
	[LBF_SIZE] = "size",
	[LBF_SEQ] = "seq",
	[LBF_REGION] = "region",
	[LBF_HINT] = "hint",
	[LBF_MOVED] = "moved",
	[LBF_MOVES] = "moves",
	[LBF_PHASE] = "phase",
	[LBF_TICK] = "tick",
};

/**
 * lbf_name() - the schema name of a feature
 * @feature: enum lbf_feature
 *
 * Return: the name, or "?".
 */
const char *lbf_name(unsigned int feature)
{
	return feature < LBF_NR ? lbf_names[feature] : "?";
}
