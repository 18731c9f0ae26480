// SPDX-License-Identifier: GPL-2.0
/*
 * logblk core: the map, segments, writes, discards and garbage collection;
 * see lb_core.h. Placement and victim decisions are in lb_policy.c.
 *
 * Why GC can always make room (docs/logblk.md has the long form): let
 * A = free segments * seg_blocks + room left in open segments. User writes
 * take one block of A each; a GC victim with v < seg_blocks valid blocks
 * gives back seg_blocks - v. A user block is appended only while more than
 * LB_GC_RESERVE segments are free, so A >= LB_GC_RESERVE * seg_blocks when
 * any victim starts, and a victim in progress can need a fresh segment for
 * at most LB_MAX_STREAMS streams: with LB_GC_RESERVE = LB_MAX_STREAMS a
 * free one is always there. Open segments stay open across policy changes,
 * so no room is thrown away. Data capacity leaves two segments of slack
 * beyond open segments and the reserve, so while the reserve is reached
 * some sealed segment holds garbage and a victim exists.
 */
#include "lb_core.h"

#define LB_ALIGN8(x)	(((x) + 7) & ~(u64)7)

/**
 * lb_nr_segs_for_op() - physical segments for an over-provisioning ratio
 * @nr_lblocks: logical blocks
 * @seg_blocks: blocks per segment, non-zero
 * @op_pct: physical space beyond the logical size, percent of the latter
 *
 * The open segments and the GC reserve come out of the over-provisioned
 * space: utilization is nr_lblocks / (result * seg_blocks).
 *
 * Return: floor(nr_lblocks * (100 + op_pct) / 100 / seg_blocks), saturated
 * to U32_MAX.
 */
u32 lb_nr_segs_for_op(u32 nr_lblocks, u32 seg_blocks, u32 op_pct)
{
	u64 segs = (u64)nr_lblocks * (100 + (u64)op_pct) / 100 / seg_blocks;

	return segs > U32_MAX ? U32_MAX : (u32)segs;
}

/**
 * lb_geometry_error() - why a geometry cannot be used
 * @g: the geometry
 *
 * Return: NULL if @g is usable, else a short reason.
 */
const char *lb_geometry_error(const struct lb_geometry *g)
{
	u64 slots = (u64)g->nr_segs * g->seg_blocks;

	if (g->seg_blocks < LB_MIN_SEG_BLOCKS || g->seg_blocks > LB_MAX_SEG_BLOCKS)
		return "segment size out of range (16..65536 blocks)";
	if (g->nr_lblocks == 0 || g->nr_lblocks >= LB_NONE)
		return "logical size out of range";
	if (g->nr_segs <= LB_SPARE_SEGS)
		return "too few segments (the open streams and the GC reserve need 18)";
	if (slots >= LB_NONE)
		return "too many physical blocks (at most 2^32 - 2)";
	return NULL;
}

/* Byte offsets of the arrays in the caller's memory, each 8-byte aligned. */
struct lb_layout {
	u64 l2p, p2l, free_list, blk, seg, end;
};

static void lb_layout(const struct lb_geometry *g, struct lb_layout *l)
{
	u64 n = g->nr_lblocks, slots = (u64)g->nr_segs * g->seg_blocks;

	l->l2p = 0;
	l->p2l = LB_ALIGN8(l->l2p + n * sizeof(u32));
	l->free_list = LB_ALIGN8(l->p2l + slots * sizeof(u32));
	l->blk = LB_ALIGN8(l->free_list + (u64)g->nr_segs * sizeof(u32));
	l->seg = LB_ALIGN8(l->blk + n * sizeof(struct lb_block));
	l->end = LB_ALIGN8(l->seg + (u64)g->nr_segs * sizeof(struct lb_seg));
}

/**
 * lb_mem_size() - bytes of memory lb_init() needs for a geometry
 * @g: the geometry
 *
 * Return: the size, or 0 if the geometry is unusable or the size does not
 * fit a size_t.
 */
size_t lb_mem_size(const struct lb_geometry *g)
{
	struct lb_layout l;

	if (lb_geometry_error(g))
		return 0;
	lb_layout(g, &l);
	if (l.end > (u64)SIZE_MAX)
		return 0;
	return (size_t)l.end;
}

/**
 * lb_init() - set up an empty device
 * @d: the device
 * @g: its geometry
 * @mem: lb_mem_size(@g) bytes, 8-byte aligned, owned by the caller
 * @len: bytes at @mem
 * @ops: callbacks, may be NULL
 * @priv: passed to @ops
 *
 * Every logical block starts unmapped (it reads as zeros). The policy is
 * P1 (mixed, greedy) until lb_set_policy().
 *
 * Return: 0, or -EINVAL for a bad geometry or too little memory.
 */
int lb_init(struct lb_dev *d, const struct lb_geometry *g, void *mem,
	    size_t len, const struct lb_ops *ops, void *priv)
{
	struct lb_layout l;
	u8 *base = mem;
	u64 slots, i;

	if (lb_geometry_error(g) || !mem || ((uintptr_t)mem & 7))
		return -EINVAL;
	lb_layout(g, &l);
	if (len < l.end)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->g = *g;
	slots = (u64)g->nr_segs * g->seg_blocks;
	d->max_valid = (g->nr_segs - LB_SPARE_SEGS) * g->seg_blocks;
	d->l2p = (u32 *)(base + l.l2p);
	d->p2l = (u32 *)(base + l.p2l);
	d->free_list = (u32 *)(base + l.free_list);
	d->blk = (struct lb_block *)(base + l.blk);
	d->seg = (struct lb_seg *)(base + l.seg);
	for (i = 0; i < g->nr_lblocks; i++)
		d->l2p[i] = LB_NONE;
	for (i = 0; i < slots; i++)
		d->p2l[i] = LB_NONE;
	memset(d->blk, 0, (size_t)g->nr_lblocks * sizeof(struct lb_block));
	memset(d->seg, 0, (size_t)g->nr_segs * sizeof(struct lb_seg));
	/* A stack popped from the top: segment 0 is used first. */
	for (i = 0; i < g->nr_segs; i++)
		d->free_list[i] = g->nr_segs - 1 - (u32)i;
	d->nr_free = g->nr_segs;
	for (i = 0; i < LB_MAX_STREAMS; i++)
		d->open[i] = LB_NONE;
	d->hotcold_th4[0] = 2;		/* 1/2 of the mean update count */
	d->hotcold_th4[1] = 8;		/* 2x */
	d->hotcold_th4[2] = 32;		/* 8x */
	d->place = LB_PLACE_MIXED;
	d->victim = LB_VICTIM_GREEDY;
	lb_policy_reset(d);
	d->ops = ops;
	d->priv = priv;
	return 0;
}

/**
 * lb_set_policy() - change placement and victim selection
 * @d: the device
 * @place: enum lb_placement
 * @victim: enum lb_victim_sel
 *
 * Takes effect with the next block placed. Open segments stay open: the
 * new policy appends to whichever streams it uses.
 *
 * Return: 0, or -EINVAL for an unknown policy.
 */
int lb_set_policy(struct lb_dev *d, unsigned int place, unsigned int victim)
{
	if (place >= LB_PLACE_COUNT || victim >= LB_VICTIM_COUNT)
		return -EINVAL;
	if (place == d->place && victim == d->victim)
		return 0;
	if (place != d->place) {
		d->place = place;
		lb_policy_reset(d);
	}
	d->victim = victim;
	d->stats.policy_switches++;
	return 0;
}

/**
 * lb_lookup() - where a logical block lives
 * @d: the device
 * @lba: the logical block, below nr_lblocks
 *
 * Return: its slot, or LB_NONE when unmapped (or @lba out of range).
 */
u32 lb_lookup(const struct lb_dev *d, u32 lba)
{
	return lba < d->g.nr_lblocks ? d->l2p[lba] : LB_NONE;
}

static void lb_free_seg(struct lb_dev *d, u32 s)
{
	struct lb_seg *sg = &d->seg[s];

	lb_policy_reclaimed(d, s);
	sg->state = LB_SEG_FREE;
	sg->valid = 0;
	sg->fill = 0;
	d->free_list[d->nr_free++] = s;
}

static void lb_open_seg(struct lb_dev *d, unsigned int st)
{
	u32 s = d->free_list[--d->nr_free];
	struct lb_seg *sg = &d->seg[s];

	sg->state = LB_SEG_OPEN;
	sg->stream = st;
	sg->fill = 0;
	sg->valid = 0;
	sg->newest = 0;
	sg->opened = d->now;
	d->open[st] = s;
}

/* Append @lba to the open segment of stream @st, which must have room. */
static u32 lb_append(struct lb_dev *d, unsigned int st, u32 lba)
{
	u32 s = d->open[st];
	struct lb_seg *sg = &d->seg[s];
	u32 slot = s * d->g.seg_blocks + sg->fill;

	sg->fill++;
	sg->valid++;
	d->p2l[slot] = lba;
	d->l2p[lba] = slot;
	if (d->blk[lba].last_write > sg->newest)
		sg->newest = d->blk[lba].last_write;
	if (sg->fill == d->g.seg_blocks) {
		sg->state = LB_SEG_SEALED;
		d->open[st] = LB_NONE;
	}
	return slot;
}

/* The live version of @lba dies: unmap it, report it, free a dead segment. */
static void lb_kill(struct lb_dev *d, u32 lba, bool discarded)
{
	struct lb_block *b = &d->blk[lba];
	u32 s = d->l2p[lba] / d->g.seg_blocks;
	struct lb_seg *sg = &d->seg[s];

	d->l2p[lba] = LB_NONE;
	d->mapped--;
	sg->valid--;
	if (d->ops && d->ops->death) {
		struct lb_death dt = {
			.lba = lba,
			.lifetime = d->now - b->last_write,
			.gc_moves = b->gc_moves,
			.cls = b->cls,
			.flags = b->flags,
			.discarded = discarded,
		};

		d->ops->death(d->priv, &dt);
	}
	if (sg->state == LB_SEG_SEALED && sg->valid == 0) {
		lb_free_seg(d, s);
		d->stats.dead_freed++;
	}
}

/* Make sure stream @st has room for one more block. */
static int lb_make_room(struct lb_dev *d, unsigned int st)
{
	if (d->open[st] != LB_NONE)
		return 0;
	if (d->nr_free == 0)
		return -EIO;	/* impossible by the reserve argument at the top */
	lb_open_seg(d, st);
	return 0;
}

/**
 * lb_gc_one() - collect one victim segment
 * @d: the device
 * @background: count it as background GC (else foreground)
 *
 * Return: 0 if a victim was collected, -EAGAIN if no sealed segment holds
 * garbage, -EIO if a moved block found no free segment (a core bug).
 */
int lb_gc_one(struct lb_dev *d, bool background)
{
	u32 seg_blocks = d->g.seg_blocks;
	u32 v = lb_pick_victim(d), i, first;
	struct lb_seg *sg;

	if (v == LB_NONE)
		return -EAGAIN;
	sg = &d->seg[v];
	first = v * seg_blocks;
	for (i = 0; i < sg->fill && sg->valid; i++) {
		u32 from = first + i, lba = d->p2l[from], to;
		unsigned int st;

		if (lba >= d->g.nr_lblocks || d->l2p[lba] != from)
			continue;
		st = lb_gc_stream(d, lba, v);
		if (lb_make_room(d, st))
			return -EIO;
		sg->valid--;
		to = lb_append(d, st, lba);
		if (d->ops && d->ops->move)
			d->ops->move(d->priv, from, to);
		if (d->blk[lba].gc_moves < 0xffff)
			d->blk[lba].gc_moves++;
		d->stats.gc_writes++;
		d->stats.stream_gc[st]++;
	}
	lb_free_seg(d, v);
	if (background)
		d->stats.gc_bg++;
	else
		d->stats.gc_fg++;
	return 0;
}

/**
 * lb_gc_wanted() - whether background GC has work
 * @d: the device
 * @free_target: free segments background GC aims for
 *
 * Return: true when fewer than @free_target segments are free.
 */
bool lb_gc_wanted(const struct lb_dev *d, u32 free_target)
{
	return d->nr_free < free_target;
}

/**
 * lb_write_begin() - admit a write request
 * @d: the device
 * @lba: first logical block
 * @nr: blocks
 *
 * Checks the range and that the blocks it maps anew fit the data capacity,
 * so the request either fails whole or every lb_write_block() of it
 * succeeds.
 *
 * Return: 0, -EINVAL for a bad range, -ENOSPC if the device is full.
 */
int lb_write_begin(struct lb_dev *d, u32 lba, u32 nr)
{
	u32 i, fresh = 0;

	if (nr == 0 || lba >= d->g.nr_lblocks || nr > d->g.nr_lblocks - lba)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		fresh += d->l2p[lba + i] == LB_NONE;
	if ((u64)d->mapped + fresh > d->max_valid) {
		d->stats.nospc++;
		return -ENOSPC;
	}
	d->stats.write_reqs++;
	return 0;
}

/**
 * lb_write_block() - place one user block
 * @d: the device
 * @lba: the logical block
 * @hint: its class (stream) chosen by the caller, or LB_CLASS_NONE to let
 *	the placement policy choose. A hinted block keeps its class when GC
 *	moves it.
 * @slot: out: where the caller must write the block's data
 *
 * May run foreground GC first (the ops->move callback copies data).
 *
 * Return: 0, -EINVAL for a bad @lba or @hint, -ENOSPC if the device is
 * full, -EIO if GC found no room (a core bug; the old version is lost).
 */
int lb_write_block(struct lb_dev *d, u32 lba, unsigned int hint, u32 *slot)
{
	struct lb_block *b;
	unsigned int st;
	int err;

	if (lba >= d->g.nr_lblocks ||
	    (hint != LB_CLASS_NONE && hint >= LB_MAX_STREAMS))
		return -EINVAL;
	b = &d->blk[lba];
	if (d->l2p[lba] == LB_NONE && d->mapped >= d->max_valid)
		return -ENOSPC;
	st = lb_user_stream(d, lba, hint);
	if (d->l2p[lba] != LB_NONE)
		lb_kill(d, lba, false);
	if (b->writes)
		b->prev_interval = d->now - b->last_write;
	b->last_write = d->now;
	if (b->writes < U32_MAX)
		b->writes++;
	b->gc_moves = 0;
	b->cls = st;
	b->flags = hint != LB_CLASS_NONE ? LB_BLK_HINTED : 0;
	while (d->nr_free <= LB_GC_RESERVE) {
		err = lb_gc_one(d, false);
		if (err)
			return -EIO;
	}
	err = lb_make_room(d, st);
	if (err)
		return err;
	d->mapped++;
	*slot = lb_append(d, st, lba);
	d->now++;
	d->stats.user_writes++;
	d->stats.stream_user[st]++;
	return 0;
}

/**
 * lb_discard() - unmap a range; its blocks read as zeros afterwards
 * @d: the device
 * @lba: first logical block
 * @nr: blocks
 *
 * Return: 0, or -EINVAL for a bad range.
 */
int lb_discard(struct lb_dev *d, u32 lba, u32 nr)
{
	u32 i;

	if (nr == 0 || lba >= d->g.nr_lblocks || nr > d->g.nr_lblocks - lba)
		return -EINVAL;
	d->stats.discard_reqs++;
	for (i = 0; i < nr; i++) {
		if (d->l2p[lba + i] != LB_NONE) {
			lb_kill(d, lba + i, true);
			d->stats.discarded++;
		}
	}
	return 0;
}

/**
 * lb_waf_milli() - write amplification x 1000
 * @user_writes: user blocks written
 * @gc_writes: blocks moved by GC
 *
 * Return: (user + gc) * 1000 / user, rounded to nearest; 0 when no user
 * block was written.
 */
u64 lb_waf_milli(u64 user_writes, u64 gc_writes)
{
	u64 total = user_writes + gc_writes;

	if (!user_writes)
		return 0;
	/* Exact for any count below 2^53 blocks, i.e. always in practice. */
	if (total <= U64_MAX / 1000)
		return (total * 1000 + user_writes / 2) / user_writes;
	return total / (user_writes / 1000 ? user_writes / 1000 : 1);
}

/**
 * lb_check() - verify every invariant of the device (slow: O(size))
 * @d: the device
 *
 * Checks that the map is a bijection between mapped logical blocks and
 * live slots, that valid counts, the mapped count and the free list agree
 * with it, and that open segments belong to their streams.
 *
 * Return: NULL if consistent, else what is wrong.
 */
const char *lb_check(const struct lb_dev *d)
{
	u32 seg_blocks = d->g.seg_blocks, s, i, mapped = 0, nfree = 0;

	for (i = 0; i < d->g.nr_lblocks; i++) {
		u32 slot = d->l2p[i];

		if (slot == LB_NONE)
			continue;
		mapped++;
		if (slot / seg_blocks >= d->g.nr_segs)
			return "l2p points past the last segment";
		if (d->p2l[slot] != i)
			return "p2l does not point back to the logical block";
		s = slot / seg_blocks;
		if (slot % seg_blocks >= d->seg[s].fill ||
		    d->seg[s].state == LB_SEG_FREE)
			return "logical block mapped to an unwritten slot";
	}
	if (mapped != d->mapped)
		return "mapped count is wrong";
	if (d->mapped > d->max_valid)
		return "more blocks mapped than the data capacity";
	for (s = 0; s < d->g.nr_segs; s++) {
		const struct lb_seg *sg = &d->seg[s];
		u32 valid = 0;

		for (i = 0; i < sg->fill; i++) {
			u32 slot = s * seg_blocks + i, lba = d->p2l[slot];

			if (lba < d->g.nr_lblocks && d->l2p[lba] == slot)
				valid++;
		}
		if (sg->state == LB_SEG_FREE) {
			nfree++;
			if (sg->valid || sg->fill)
				return "free segment with data";
			continue;
		}
		if (valid != sg->valid)
			return "segment valid count is wrong";
		if (sg->fill > seg_blocks)
			return "segment overfilled";
		if (sg->state == LB_SEG_SEALED && sg->fill != seg_blocks)
			return "sealed segment not full";
		if (sg->state == LB_SEG_SEALED && sg->valid == 0)
			return "dead sealed segment not freed";
		if (sg->state == LB_SEG_OPEN &&
		    (sg->stream >= LB_MAX_STREAMS || d->open[sg->stream] != s))
			return "open segment not held by its stream";
	}
	if (nfree != d->nr_free)
		return "free count is wrong";
	for (i = 0; i < d->nr_free; i++) {
		s = d->free_list[i];
		if (s >= d->g.nr_segs || d->seg[s].state != LB_SEG_FREE)
			return "free list holds a segment in use";
	}
	for (i = 0; i < LB_MAX_STREAMS; i++) {
		s = d->open[i];
		if (s != LB_NONE &&
		    (s >= d->g.nr_segs || d->seg[s].state != LB_SEG_OPEN ||
		     d->seg[s].stream != i))
			return "stream holds a segment that is not its open one";
	}
	return NULL;
}
