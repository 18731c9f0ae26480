/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logblk core: the placement and garbage-collection logic of a
 * log-structured block device, as portable integer C.
 *
 * The same code runs in the kernel (kernel/examples/logblk), in the
 * host-side replayer (user/logblk) and in the host unit tests, so a trace
 * replayed on the host gives exactly the device's write amplification.
 *
 * Model (see docs/logblk.md):
 *  - nr_lblocks logical blocks map to physical blocks ("slots"), grouped in
 *    nr_segs segments of seg_blocks slots. Writes go out of place: each
 *    block is appended to the open segment of the stream its placement
 *    policy chooses; a segment is sealed when full.
 *  - Time is counted in user-written blocks ("ticks"): the core keeps the
 *    clock itself, so a replay of the same requests sees the same times.
 *  - GC collects one sealed victim at a time (greedy or cost-benefit),
 *    appends its valid blocks to the streams the policy chooses for moved
 *    data and frees it. Foreground GC runs in the write path whenever a
 *    user write needs a segment and no more than LB_GC_RESERVE are free;
 *    background GC is the caller's choice (lb_gc_one()).
 *  - A sealed segment whose last valid block dies is freed at once.
 *
 * The caller supplies all memory (lb_mem_size(), lb_init()) and serializes
 * every call on one device. Nothing here allocates, locks, sleeps or uses
 * floating point.
 */
#ifndef ML_CORE_LB_CORE_H
#define ML_CORE_LB_CORE_H

#include "ml_core_types.h"

#define LB_MAX_STREAMS		8	/* open segments at most */
#define LB_GC_RESERVE		LB_MAX_STREAMS	/* free segments only GC may take */
/* Segments never counted as data capacity: open ones, the GC reserve, slack. */
#define LB_SPARE_SEGS		(LB_MAX_STREAMS + LB_GC_RESERVE + 2)
#define LB_MIN_SEG_BLOCKS	16
#define LB_MAX_SEG_BLOCKS	65536
#define LB_NONE			0xffffffffu	/* no slot, no segment, unmapped */
#define LB_CLASS_NONE		0xffu	/* write hint: let the policy choose */
#define LB_CLASS_POLICY		0xfeu	/* gc_class: move it as the policy would */
#define LB_HOTCOLD_CLASSES	4
/*
 * The learned placement's classes: 0 (the longest lives) .. 3 by lifetime,
 * and LB_CLASS_LOG, the blocks of a circular log (each rewritten one lap
 * later), which get a stream no policy uses, LB_LOG_STREAM.
 */
#define LB_CLASS_LOG		LB_HOTCOLD_CLASSES
#define LB_LOG_STREAM		(LB_MAX_STREAMS - 1)

/* Where user writes and GC-moved blocks go. */
enum lb_placement {
	LB_PLACE_MIXED = 0,	/* P1: one stream, moved blocks mixed in */
	LB_PLACE_GCSEP = 1,	/* P2: one user stream, one GC stream */
	LB_PLACE_HOTCOLD = 2,	/* P3x: update-count classes, moved blocks by class */
	LB_PLACE_SEPBIT = 3,	/* P4: SepBIT (FAST'22) */
	LB_PLACE_COUNT = 4,
};

/* How GC chooses its victim among sealed segments. */
enum lb_victim_sel {
	LB_VICTIM_GREEDY = 0,	/* fewest valid blocks */
	LB_VICTIM_CB = 1,	/* cost-benefit: (1 - u) * age / (1 + u) */
	LB_VICTIM_COUNT = 2,
};

enum lb_seg_state {
	LB_SEG_FREE = 0,
	LB_SEG_OPEN = 1,
	LB_SEG_SEALED = 2,
};

/**
 * struct lb_geometry - the shape of a device
 * @nr_lblocks: logical blocks the device exports
 * @seg_blocks: blocks per segment, LB_MIN_SEG_BLOCKS..LB_MAX_SEG_BLOCKS
 * @nr_segs: physical segments, more than LB_SPARE_SEGS
 *
 * Data capacity is (nr_segs - LB_SPARE_SEGS) * seg_blocks blocks. When
 * that is below @nr_lblocks the device is thin: a write that would map a
 * block beyond it fails with -ENOSPC until discards free space.
 */
struct lb_geometry {
	u32 nr_lblocks;
	u32 seg_blocks;
	u32 nr_segs;
};

/* lb_block.flags */
#define LB_BLK_HINTED	(1u << 0)	/* @cls came from the caller: GC keeps it */

/**
 * struct lb_block - what the core remembers of a logical block
 * @last_write: tick of the block's last user write
 * @prev_interval: ticks between its last two user writes, 0 = none
 * @writes: user writes of the block, saturating
 * @gc_moves: times GC moved the live version, saturating
 * @cls: the class (stream) chosen at the last user write
 * @flags: LB_BLK_*
 *
 * History survives a discard: it describes the logical address.
 */
struct lb_block {
	u64 last_write;
	u64 prev_interval;
	u32 writes;
	u16 gc_moves;
	u8 cls;
	u8 flags;
};

/**
 * struct lb_seg - a physical segment
 * @newest: newest user-write tick of any block appended to it
 * @opened: tick at which it was opened
 * @valid: live blocks in it
 * @fill: slots written since it was opened
 * @state: enum lb_seg_state
 * @stream: the stream that opened it
 * @pad: zero
 */
struct lb_seg {
	u64 newest;
	u64 opened;
	u32 valid;
	u32 fill;
	u8 state;
	u8 stream;
	u8 pad[6];
};

/**
 * struct lb_stats - cumulative counters of a device
 * @user_writes: blocks written by users
 * @gc_writes: blocks moved by GC
 * @write_reqs: write requests accepted
 * @discard_reqs: discard requests
 * @discarded: mapped blocks unmapped by discards
 * @gc_fg: victims collected in the write path
 * @gc_bg: victims collected by lb_gc_one(d, true)
 * @dead_freed: sealed segments freed because no valid block was left
 * @nospc: write requests refused for lack of space
 * @policy_switches: placement or victim changes
 * @stream_user: user blocks per stream
 * @stream_gc: moved blocks per stream
 */
struct lb_stats {
	u64 user_writes;
	u64 gc_writes;
	u64 write_reqs;
	u64 discard_reqs;
	u64 discarded;
	u64 gc_fg;
	u64 gc_bg;
	u64 dead_freed;
	u64 nospc;
	u64 policy_switches;
	u64 stream_user[LB_MAX_STREAMS];
	u64 stream_gc[LB_MAX_STREAMS];
};

/**
 * struct lb_death - a live version of a block that died
 * @lba: the logical block
 * @lifetime: ticks from its user write to its death
 * @gc_moves: times GC moved it (its own write amplification)
 * @cls: class chosen at its user write
 * @flags: its lb_block.flags
 * @discarded: killed by a discard, not by an overwrite
 */
struct lb_death {
	u32 lba;
	u64 lifetime;
	u16 gc_moves;
	u8 cls;
	u8 flags;
	bool discarded;
};

/**
 * struct lb_ops - callbacks of the caller, called with its lock held
 * @move: GC moved the contents of slot @from to slot @to; copy the data
 * @death: a live version died (issue: learning from observed lifetimes)
 * @gc_class: GC is about to move @lba: return the stream to move it to,
 *	below LB_MAX_STREAMS; LB_CLASS_POLICY to move it where the placement
 *	policy moves the blocks it placed; or LB_CLASS_NONE for the default:
 *	a block whose class the caller chose (LB_BLK_HINTED) stays in its
 *	class, any other goes where the policy says. Lets a learned placement
 *	(or the replayer's oracle) decide again where a block goes when it is
 *	moved.
 *
 * Any may be NULL.
 */
struct lb_ops {
	void (*move)(void *priv, u32 from, u32 to);
	void (*death)(void *priv, const struct lb_death *death);
	unsigned int (*gc_class)(void *priv, u32 lba, const struct lb_block *b);
};

/**
 * struct lb_dev - the state of one device; fields are read-only outside core
 * @g: geometry
 * @max_valid: data capacity in blocks
 * @mapped: mapped logical blocks
 * @nr_free: free segments (the top of @free_list)
 * @now: the clock: user blocks written so far
 * @place: enum lb_placement in force
 * @victim: enum lb_victim_sel in force
 * @l2p: logical block -> slot, LB_NONE when unmapped
 * @p2l: slot -> the logical block last written there
 * @blk: per logical block history
 * @seg: per segment state
 * @free_list: free segments, a stack
 * @open: the open segment of each stream, LB_NONE if none
 * @hotcold_th4: update-count class thresholds (x 1/4 of the mean count)
 * @sb_ell: SepBIT's lifespan threshold l in ticks, U64_MAX = infinite
 * @sb_sum: SepBIT: lifespans summed in the current batch
 * @sb_n: SepBIT: reclaimed class-1 segments in the current batch
 * @stats: counters
 * @ops: callbacks
 * @priv: passed to @ops
 */
struct lb_dev {
	struct lb_geometry g;
	u32 max_valid;
	u32 mapped;
	u32 nr_free;
	u64 now;
	u8 place;
	u8 victim;
	u32 *l2p;
	u32 *p2l;
	struct lb_block *blk;
	struct lb_seg *seg;
	u32 *free_list;
	u32 open[LB_MAX_STREAMS];
	u32 hotcold_th4[LB_HOTCOLD_CLASSES - 1];
	u64 sb_ell;
	u64 sb_sum;
	u32 sb_n;
	struct lb_stats stats;
	const struct lb_ops *ops;
	void *priv;
};

/* Geometry and setup. */
u32 lb_nr_segs_for_op(u32 nr_lblocks, u32 seg_blocks, u32 op_pct);
const char *lb_geometry_error(const struct lb_geometry *g);
size_t lb_mem_size(const struct lb_geometry *g);
int lb_init(struct lb_dev *d, const struct lb_geometry *g, void *mem,
	    size_t len, const struct lb_ops *ops, void *priv);

/* Policies. */
int lb_set_policy(struct lb_dev *d, unsigned int place, unsigned int victim);
const char *lb_place_name(unsigned int place);
const char *lb_victim_name(unsigned int victim);
int lb_parse_place(const char *s, size_t len);
int lb_parse_victim(const char *s, size_t len);
int lb_parse_policy(const char *s, size_t len, unsigned int *place,
		    unsigned int *victim);
const char *lb_policy_name(unsigned int place, unsigned int victim);
unsigned int lb_class_stream(const struct lb_dev *d, unsigned int cls);

/* I/O. */
int lb_write_begin(struct lb_dev *d, u32 lba, u32 nr);
int lb_write_block(struct lb_dev *d, u32 lba, unsigned int hint, u32 *slot);
int lb_discard(struct lb_dev *d, u32 lba, u32 nr);
u32 lb_lookup(const struct lb_dev *d, u32 lba);

/* Garbage collection. */
int lb_gc_one(struct lb_dev *d, bool background);
bool lb_gc_wanted(const struct lb_dev *d, u32 free_target);

/* Reporting and checking. */
u64 lb_waf_milli(u64 user_writes, u64 gc_writes);
int lb_cmp_mul(u64 a, u64 b, u64 c, u64 d);
const char *lb_check(const struct lb_dev *d);

/* Internal to core/lb_*.c: placement and victim decisions (lb_policy.c). */
unsigned int lb_user_stream(struct lb_dev *d, u32 lba, unsigned int hint);
unsigned int lb_gc_stream(const struct lb_dev *d, u32 lba, u32 victim);
u32 lb_pick_victim(const struct lb_dev *d);
void lb_policy_reclaimed(struct lb_dev *d, u32 seg);
void lb_policy_reset(struct lb_dev *d);

#endif /* ML_CORE_LB_CORE_H */
