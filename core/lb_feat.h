/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logblk learned placement: the features of a block at a user write and
 * at a GC move, as integers.
 *
 * The kernel's placement proxy (kernel/examples/logblk/logblk_place.c)
 * computes them for every block it writes and every block GC moves for
 * the ML arm; the replayer (user/logblk) and the learner's shadow device
 * compute them from a trace with this same code, so that a model decides
 * exactly as in the kernel. Every feature but LBF_TICK is a small bin
 * (0..63) a tree splits on; LBF_TICK, the device clock, is carried so that
 * the learner can order samples and measure lifetimes, and no model may
 * use it.
 *
 * The per-block state is 4 bytes (struct lbf_block); the rest of a block's
 * history is the core's own (struct lb_block). Nothing here allocates,
 * locks or uses floating point; the caller serializes.
 */
#ifndef ML_CORE_LB_FEAT_H
#define ML_CORE_LB_FEAT_H

#include "lb_core.h"

/* The features, in the order of the placement proxy's schema. */
enum lbf_feature {
	LBF_AGE,	/* ticks since the block was last written, half-log2; 0 = never */
	LBF_PREV,	/* the interval before that, half-log2; 0 = none */
	LBF_COUNT,	/* user writes of the block, half-log2 */
	LBF_RCOUNT,	/* writes relative to the device's mean, half-log2 of x64 */
	LBF_EWL,	/* recency-weighted mean of its intervals, half-log2; 0 = none */
	LBF_REL,	/* LBF_AGE - LBF_EWL + 32: overdue (> 32) or early; 0 = none */
	LBF_DRIFT,	/* recency-weighted mean LBF_AGE of the device's recent writes */
	LBF_SIZE,	/* blocks in the write request, half-log2 */
	LBF_SEQ,	/* sequential run: requests in a row that continued the last */
	LBF_REGION,	/* which 64th of the device */
	LBF_HINT,	/* the bio's write-lifetime hint (enum rw_hint), 0..7 */
	LBF_MOVED,	/* 0: a user write; 1: GC moves the block */
	LBF_MOVES,	/* GC moves of its version (a user write: of the dying one) */
	LBF_PHASE,	/* the device's phase changes since its last write, 0..3 */
	LBF_TICK,	/* the device clock; never a model input */
	LBF_NR,
};

#define LBF_BINS	64	/* every binned feature is below this */
#define LBF_REL_ZERO	32	/* LBF_REL when the age equals the usual interval */
#define LBF_DRIFT_SHIFT	12	/* LBF_DRIFT weighs the last ~4096 writes */
#define LBF_REGIONS	64

/**
 * struct lbf_block - what the learned placement remembers of a block
 * @ewl: recency-weighted mean of its completed intervals in half-log2
 *	bins, x4; 0 = no interval yet
 * @size: LBF_SIZE of its last user write
 * @seq: LBF_SEQ of its last user write
 * @hint: LBF_HINT of its last user write
 * @phase: the device's phase counter at its last user write
 */
struct lbf_block {
	u8 ewl;
	u8 size;
	u8 seq;
	u8 hint;
	u8 phase;
};

/**
 * struct lbf_dev - device-wide state of the features
 * @drift: LBF_DRIFT x 2^20, a moving average over user writes
 * @slow: the same over about 2^16 writes: the level @drift is compared with
 * @phase: phase changes seen (wraps): @drift rose 2 bins above @slow
 * @raised: @drift is still above @slow + 1 bin since the last change
 * @seq_next: the block after the last write request, U64_MAX = none
 * @seq_run: write requests in a row that each continued the previous one
 * @size: LBF_SIZE of the current request
 * @hint: LBF_HINT of the current request
 */
struct lbf_dev {
	u64 drift;
	u64 slow;
	u8 phase;
	u8 raised;
	u64 seq_next;
	u32 seq_run;
	u8 size;
	u8 hint;
};

unsigned int lbf_hl2(u64 x);
void lbf_init(struct lbf_dev *s, struct lbf_block *blocks, u32 nr_lblocks);
void lbf_request(struct lbf_dev *s, u32 lba, u32 nr, unsigned int hint);
void lbf_user(struct lbf_dev *s, struct lbf_block *fb, const struct lb_dev *d,
	      u32 lba, u64 tick, s64 *f);
void lbf_commit(struct lbf_dev *s, struct lbf_block *fb, u32 lba, const s64 *f);
void lbf_moved(const struct lbf_dev *s, const struct lbf_block *fb,
	       const struct lb_dev *d, u32 lba, s64 *f);
const char *lbf_name(unsigned int feature);

#endif /* ML_CORE_LB_FEAT_H */
