// SPDX-License-Identifier: GPL-2.0
/*
 * logblk core: placement and victim-selection policies; see lb_core.h.
 *
 * The policies follow the GC simulator gcsim (docs/logblk.md, "Origin")
 * in integer arithmetic:
 *
 *  P1 mixed:   every block to stream 0 (user and GC-moved alike).
 *  P2 gcsep:   user blocks to stream 0, GC-moved blocks to stream 1.
 *  P3x hotcold: four classes by the block's update count relative to the
 *              mean count (thresholds 1/2, 2 and 8 times the mean); user
 *              and moved blocks alike go to their class's stream.
 *  P4 sepbit:  SepBIT (Wang et al., FAST'22): an update whose invalidated
 *              version lived less than l goes to class 1 (stream 0), other
 *              user writes to class 2 (stream 1); blocks moved out of a
 *              class-1 segment go to stream 2, others by age since their
 *              user write: < 4l stream 3, < 16l stream 4, else stream 5.
 *              l is the mean lifespan of each batch of 16 reclaimed
 *              class-1 segments (infinite before the first batch).
 *
 * A caller-supplied class (the write hint) overrides the user-write
 * decision of any policy, and GC keeps a hinted block in its class: that is
 * the hook through which a learned model places data.
 */
#include "lb_core.h"

#define LB_SEPBIT_BATCH	16

/*
 * Products of a segment's fill terms and an age, or of a count and the
 * clock, need up to 98 bits: compare them in 128-bit integers, which GCC
 * and Clang provide on every 64-bit target (the kernel's __u128). A 128-bit
 * multiplication is inline code; no division is ever done in 128 bits.
 */
#ifndef __SIZEOF_INT128__
#error "logblk's core needs 128-bit integers (a 64-bit target)"
#endif

/**
 * lb_cmp_mul() - compare two 128-bit products exactly
 * @a: first factor of the left product
 * @b: second factor of the left product
 * @c: first factor of the right product
 * @d: second factor of the right product
 *
 * Return: -1, 0 or 1 as a * b is less than, equal to or greater than c * d.
 */
int lb_cmp_mul(u64 a, u64 b, u64 c, u64 d)
{
	unsigned __int128 l = (unsigned __int128)a * b;
	unsigned __int128 r = (unsigned __int128)c * d;

	return l < r ? -1 : l > r;
}

static u64 lb_sat_mul(u64 a, u64 b)
{
	return a && b > U64_MAX / a ? U64_MAX : a * b;
}

/*
 * Update-count class of a block written @writes times at clock @now:
 * the number of thresholds th4[i] / 4 that writes / mean reaches, where
 * the mean count is (now + 1) / nr_lblocks.
 */
static unsigned int lb_hotcold_class(const struct lb_dev *d, u64 writes,
				     u64 now)
{
	unsigned int c = 0;

	while (c < LB_HOTCOLD_CLASSES - 1 &&
	       lb_cmp_mul(writes * 4, d->g.nr_lblocks, d->hotcold_th4[c],
			  now + 1) >= 0)
		c++;
	return c;
}

/**
 * lb_user_stream() - the stream of a user write, before it is applied
 * @d: the device
 * @lba: the logical block about to be written
 * @hint: the caller's class, or LB_CLASS_NONE
 *
 * Return: a stream below LB_MAX_STREAMS.
 */
unsigned int lb_user_stream(struct lb_dev *d, u32 lba, unsigned int hint)
{
	const struct lb_block *b = &d->blk[lba];

	if (hint != LB_CLASS_NONE)
		return hint;
	switch (d->place) {
	case LB_PLACE_HOTCOLD:
		/* This write included: writes + 1 at tick now. */
		return lb_hotcold_class(d, (u64)b->writes + 1, d->now);
	case LB_PLACE_SEPBIT:
		/* The lifespan of the version this write invalidates. */
		if (d->l2p[lba] != LB_NONE && d->now - b->last_write < d->sb_ell)
			return 0;
		return 1;
	default:
		return 0;
	}
}

/*
 * The streams of the learned placement's classes (0 = the longest lives),
 * per placement policy: each class shares the stream of the policy's
 * blocks of about the same temperature, so that the policy's blocks (the
 * default arm of a learned placement, and the data written before a model)
 * and the model's fill the same segments, and no stream is left open and
 * unused (an open segment holds free space).
 */
static const u8 lb_class_streams[LB_PLACE_COUNT][LB_HOTCOLD_CLASSES] = {
	[LB_PLACE_MIXED] = { 0, 1, 2, 3 },	/* stream 0: everything */
	[LB_PLACE_GCSEP] = { 1, 2, 3, 0 },	/* 0: user writes, 1: moved blocks */
	[LB_PLACE_HOTCOLD] = { 0, 1, 2, 3 },	/* the same classes */
	[LB_PLACE_SEPBIT] = { 5, 4, 1, 0 },	/* 0: short-lived user, 5: oldest moved */
};

/**
 * lb_class_stream() - the stream of a class of the learned placement
 * @d: the device (its placement policy decides)
 * @cls: the class, 0 (the longest lives) .. LB_HOTCOLD_CLASSES - 1, or
 *	LB_CLASS_LOG: a stream of its own, where blocks that die in the order
 *	they were written fill segments that die whole
 *
 * Return: a stream below LB_MAX_STREAMS.
 */
unsigned int lb_class_stream(const struct lb_dev *d, unsigned int cls)
{
	if (cls == LB_CLASS_LOG)
		return LB_LOG_STREAM;
	if (cls >= LB_HOTCOLD_CLASSES)
		cls = LB_HOTCOLD_CLASSES - 1;
	return lb_class_streams[d->place < LB_PLACE_COUNT ? d->place : 0][cls];
}

/**
 * lb_gc_stream() - the stream of a block GC moves
 * @d: the device
 * @lba: the logical block being moved
 * @victim: the segment it is moved out of
 *
 * Return: a stream below LB_MAX_STREAMS.
 */
unsigned int lb_gc_stream(const struct lb_dev *d, u32 lba, u32 victim)
{
	const struct lb_block *b = &d->blk[lba];
	unsigned int cls;
	u64 age;

	cls = d->ops && d->ops->gc_class ? d->ops->gc_class(d->priv, lba, b) : LB_CLASS_NONE;
	if (cls < LB_MAX_STREAMS)
		return cls;
	if ((b->flags & LB_BLK_HINTED) && cls != LB_CLASS_POLICY)
		return b->cls;
	switch (d->place) {
	case LB_PLACE_GCSEP:
		return 1;
	case LB_PLACE_HOTCOLD:
		/* The current class: writes so far, at tick now. */
		return lb_hotcold_class(d, b->writes, d->now);
	case LB_PLACE_SEPBIT:
		if (d->seg[victim].stream == 0)
			return 2;
		age = d->now - b->last_write;
		if (age < lb_sat_mul(4, d->sb_ell))
			return 3;
		if (age < lb_sat_mul(16, d->sb_ell))
			return 4;
		return 5;
	default:
		return 0;
	}
}

/*
 * Is sealed segment a (valid va, age aa) a better cost-benefit victim than
 * b? Score (1 - u) * age / (1 + u) with u = valid / seg_blocks, compared
 * exactly by cross-multiplication:
 * (S - va) * aa * (S + vb) > (S - vb) * ab * (S + va).
 */
static bool lb_cb_better(u64 seg_blocks, u64 va, u64 aa, u64 vb, u64 ab)
{
	return lb_cmp_mul((seg_blocks - va) * (seg_blocks + vb), aa,
			  (seg_blocks - vb) * (seg_blocks + va), ab) > 0;
}

/**
 * lb_pick_victim() - choose the sealed segment GC collects next
 * @d: the device
 *
 * Greedy takes the fewest valid blocks; cost-benefit the highest
 * (1 - u) * age / (1 + u), age = ticks since the newest user write of any
 * block appended to the segment, plus one. Ties go to the lowest segment
 * number. A segment with no garbage is never chosen.
 *
 * Return: the segment, or LB_NONE if no sealed segment holds garbage.
 */
u32 lb_pick_victim(const struct lb_dev *d)
{
	u32 seg_blocks = d->g.seg_blocks, best = LB_NONE, s;
	u64 best_age = 0;

	for (s = 0; s < d->g.nr_segs; s++) {
		const struct lb_seg *sg = &d->seg[s];
		u64 age;

		if (sg->state != LB_SEG_SEALED || sg->valid >= seg_blocks)
			continue;
		if (d->victim == LB_VICTIM_GREEDY) {
			if (best == LB_NONE || sg->valid < d->seg[best].valid)
				best = s;
			continue;
		}
		age = d->now - sg->newest + 1;
		if (best == LB_NONE ||
		    lb_cb_better(seg_blocks, sg->valid, age,
				 d->seg[best].valid, best_age)) {
			best = s;
			best_age = age;
		}
	}
	return best;
}

/**
 * lb_policy_reclaimed() - a sealed segment is about to be freed
 * @d: the device
 * @seg: the segment (collected by GC or dead)
 *
 * SepBIT learns its lifespan threshold l from reclaimed class-1 segments.
 */
void lb_policy_reclaimed(struct lb_dev *d, u32 seg)
{
	if (d->place != LB_PLACE_SEPBIT || d->seg[seg].stream != 0)
		return;
	d->sb_sum += d->now - d->seg[seg].opened;
	if (++d->sb_n == LB_SEPBIT_BATCH) {
		d->sb_ell = d->sb_sum / LB_SEPBIT_BATCH;
		d->sb_sum = 0;
		d->sb_n = 0;
	}
}

/**
 * lb_policy_reset() - forget what a policy learned (on a placement change)
 * @d: the device
 */
void lb_policy_reset(struct lb_dev *d)
{
	d->sb_ell = U64_MAX;
	d->sb_sum = 0;
	d->sb_n = 0;
}

static const char *const lb_place_names[LB_PLACE_COUNT] = {
	[LB_PLACE_MIXED] = "mixed",
	[LB_PLACE_GCSEP] = "gcsep",
	[LB_PLACE_HOTCOLD] = "hotcold",
	[LB_PLACE_SEPBIT] = "sepbit",
};

static const char *const lb_victim_names[LB_VICTIM_COUNT] = {
	[LB_VICTIM_GREEDY] = "greedy",
	[LB_VICTIM_CB] = "cb",
};

/* The named policies of docs/logblk.md: placement with its usual victim. */
static const struct {
	const char *name;
	u8 place;
	u8 victim;
} lb_named[] = {
	{ "p1", LB_PLACE_MIXED, LB_VICTIM_GREEDY },
	{ "p2", LB_PLACE_GCSEP, LB_VICTIM_CB },
	{ "p3x", LB_PLACE_HOTCOLD, LB_VICTIM_CB },
	{ "p4", LB_PLACE_SEPBIT, LB_VICTIM_GREEDY },
	{ NULL, 0, 0 },
};

/**
 * lb_place_name() - name of a placement
 * @place: enum lb_placement
 *
 * Return: the name, or "?" if unknown.
 */
const char *lb_place_name(unsigned int place)
{
	return place < LB_PLACE_COUNT ? lb_place_names[place] : "?";
}

/**
 * lb_victim_name() - name of a victim selection
 * @victim: enum lb_victim_sel
 *
 * Return: the name, or "?" if unknown.
 */
const char *lb_victim_name(unsigned int victim)
{
	return victim < LB_VICTIM_COUNT ? lb_victim_names[victim] : "?";
}

/* Does s[0..len) spell name (a trailing newline allowed, as sysfs gives)? */
static bool lb_word_is(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len && s[len - 1] == '\n')
		len--;
	return len == n && !memcmp(s, name, n);
}

/* Index of the name s[0..len) in names[0..n), or -EINVAL. */
static int lb_find_name(const char *const *names, int n, const char *s,
			size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (lb_word_is(s, len, names[i]))
			return i;
	return -EINVAL;
}

/**
 * lb_parse_place() - parse a placement name
 * @s: the text, not necessarily NUL-terminated; a trailing newline is ignored
 * @len: its length
 *
 * Return: enum lb_placement, or -EINVAL.
 */
int lb_parse_place(const char *s, size_t len)
{
	return lb_find_name(lb_place_names, LB_PLACE_COUNT, s, len);
}

/**
 * lb_parse_victim() - parse a victim-selection name
 * @s: the text; a trailing newline is ignored
 * @len: its length
 *
 * Return: enum lb_victim_sel, or -EINVAL.
 */
int lb_parse_victim(const char *s, size_t len)
{
	return lb_find_name(lb_victim_names, LB_VICTIM_COUNT, s, len);
}

/**
 * lb_parse_policy() - parse a named policy ("p1", "p2", "p3x", "p4")
 * @s: the text; a trailing newline is ignored
 * @len: its length
 * @place: out: its placement
 * @victim: out: its victim selection
 *
 * Return: 0, or -EINVAL for an unknown name (outputs untouched).
 */
int lb_parse_policy(const char *s, size_t len, unsigned int *place,
		    unsigned int *victim)
{
	size_t i;

	for (i = 0; lb_named[i].name; i++) {
		if (lb_word_is(s, len, lb_named[i].name)) {
			*place = lb_named[i].place;
			*victim = lb_named[i].victim;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * lb_policy_name() - the named policy a pair is, if any
 * @place: enum lb_placement
 * @victim: enum lb_victim_sel
 *
 * Return: "p1" .. "p4", or NULL when the pair is not a named policy.
 */
const char *lb_policy_name(unsigned int place, unsigned int victim)
{
	size_t i;

	for (i = 0; lb_named[i].name; i++)
		if (lb_named[i].place == place && lb_named[i].victim == victim)
			return lb_named[i].name;
	return NULL;
}
