/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logblk: a RAM-backed, log-structured block device whose placement and
 * garbage collection are core/lb_core.c. See docs/logblk.md.
 */
#ifndef _LOGBLK_H
#define _LOGBLK_H

#include <linux/blk-mq.h>
#include <linux/rwsem.h>
#include <linux/workqueue.h>
#include "lb_core.h"
#include "lb_feat.h"
#include <uapi/linux/ml_lib.h>

struct ml_lib_proxy;

#define LOGBLK_BLOCK_SHIFT	12
#define LOGBLK_BLOCK_SIZE	(1u << LOGBLK_BLOCK_SHIFT)
#define LOGBLK_SECTOR_SHIFT	(LOGBLK_BLOCK_SHIFT - SECTOR_SHIFT)

/* Trace event kinds: the record ops of the trace format (docs/logblk.md). */
enum logblk_event_op {
	LOGBLK_EV_WRITE = 1,	/* arg: the bio's write-lifetime hint; lba, len */
	LOGBLK_EV_DISCARD = 2,	/* lba, len */
	LOGBLK_EV_GC = 3,	/* background GC collected one victim; len: free target */
	LOGBLK_EV_POLICY = 4,	/* arg: placement; len: victim selection */
	LOGBLK_EV_MARK = 5,	/* a measurement window starts */
	LOGBLK_EV_CLASS = 6,	/* arg: the class of blocks lba .. lba + len - 1 */
	LOGBLK_EV_MODEL = 7,	/* lba: the placement model's version now, 0 = none */
	LOGBLK_EV_MODE = 8,	/* arg: the placement proxy's mode now */
};

#define LOGBLK_CLASS_POLICY	(-1)	/* the placement action: as the policy would */
#define LOGBLK_MAX_REQ_BLOCKS	256	/* blocks of a write request (1 MiB) decided */

/**
 * struct logblk_pblk - the decision of a block's live version
 * @id: its decision id, 0 = none (written in EMERGENCY)
 * @version: low 32 bits of the model or table version of its advice
 * @applied: the class applied, -1 = the policy's
 * @advice: the ML advice, -1 = the policy's (or none)
 * @flags: LOGBLK_PB_*, and the advice's enum ml_lib_source
 * @pad: zero
 */
struct logblk_pblk {
	u64 id;
	u32 version;
	s8 applied;
	s8 advice;
	u8 flags;
	u8 pad;
};

/* One block of the write request being decided. */
struct logblk_preq {
	struct logblk_pblk pb;
	u8 hint;		/* its stream, LB_CLASS_NONE: the policy's */
};

/**
 * struct logblk_place - the learned placement (logblk_place.c); under the
 *	device lock
 * @proxy: the "logblk/placement" ml_lib proxy
 * @fs: the device-wide feature state
 * @fb: per-block feature state
 * @pb: per-block decision of the live version
 * @req: the write request being decided
 * @plain_ops: the core's callbacks without the placement's (for EMERGENCY)
 * @mode: the proxy's mode for the current request
 * @trace_model: the model version last recorded in the trace
 * @decisions: decisions made, per arm
 * @gc_advised: GC moves placed by the model
 * @outcomes: outcomes fed back
 * @mem_bytes: kernel memory of this state
 */
struct logblk_place {
	struct ml_lib_proxy *proxy;
	struct lbf_dev fs;
	struct lbf_block *fb;
	struct logblk_pblk *pb;
	struct logblk_preq req[LOGBLK_MAX_REQ_BLOCKS];
	const struct lb_ops *plain_ops;
	u8 mode;
	u64 trace_model;
	u64 decisions[2];
	u64 gc_advised;
	u64 outcomes;
	u64 mem_bytes;
};

/**
 * struct logblk - one device
 * @lock: serializes the core state and the data it maps. Writes,
 *	discards, GC, policy changes and marks take it for writing; reads
 *	and statistics for reading. A sleeping lock: requests are queued
 *	with BLK_MQ_F_BLOCKING and GC copies up to a segment of data.
 * @core: placement and GC state (core/lb_core.c), under @lock
 * @core_mem: the core's arrays
 * @data: the physical blocks, nr_segs * seg_blocks * 4 KiB
 * @events: events emitted so far; the sequence number of the last one
 * @mark: @core.stats at the last mark
 * @bg_free: free segments background GC keeps, 0 = no background GC
 * @gc_wq: where background GC runs
 * @gc_work: background GC
 * @proxy: the "logblk/trace" ml_lib proxy: the event stream as a data set
 * @place: the learned placement, NULL when loaded with place_proxy=0
 * @tag_set: the blk-mq tag set
 * @disk: the gendisk, "logblk0"
 */
struct logblk {
	struct rw_semaphore lock;
	struct lb_dev core;
	void *core_mem;
	u8 *data;
	u64 events;
	struct lb_stats mark;
	u32 bg_free;
	struct workqueue_struct *gc_wq;
	struct work_struct gc_work;
	struct ml_lib_proxy *proxy;
	struct logblk_place *place;
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
};

extern const struct blk_mq_ops logblk_mq_ops;
extern const struct lb_ops logblk_place_core_ops;
extern const struct attribute_group *logblk_attr_groups[];

void logblk_event(struct logblk *lb, u8 op, u8 arg, u64 lba, u32 len);
void logblk_gc_work(struct work_struct *work);
void logblk_kick_gc(struct logblk *lb);
int logblk_proxy_create(struct logblk *lb);
void logblk_proxy_destroy(struct logblk *lb);
void logblk_proxy_publish(struct logblk *lb, u8 op, u8 arg, u64 lba, u32 len);
int logblk_place_create(struct logblk *lb);
void logblk_place_destroy(struct logblk *lb);
void logblk_place_request(struct logblk *lb, u32 lba, u32 nr, unsigned int hint);
void logblk_place_decide(struct logblk *lb, u32 lba, u32 nr);

/* Does the learned placement decide this request (not in EMERGENCY)? */
static inline bool logblk_place_active(const struct logblk *lb)
{
	return lb->place && lb->place->mode != ML_LIB_MODE_EMERGENCY;
}

/* The stream of block @i of the request decided last (an active placement). */
static inline u8 logblk_place_hint(const struct logblk *lb, u32 i)
{
	return i < LOGBLK_MAX_REQ_BLOCKS ? lb->place->req[i].hint : LB_CLASS_NONE;
}

/*
 * Block @i of the request was written at @lba (an active placement): its
 * live version is now the one decided in req[@i].
 */
static inline void logblk_place_written(struct logblk *lb, u32 i, u32 lba)
{
	struct logblk_place *pl = lb->place;

	if (i < LOGBLK_MAX_REQ_BLOCKS)
		pl->pb[lba] = pl->req[i].pb;
	else
		pl->pb[lba].id = 0;
}
void logblk_place_death(struct logblk *lb, const struct lb_death *dt);
unsigned int logblk_place_gc_class(struct logblk *lb, u32 lba, const struct lb_block *b);

#endif /* _LOGBLK_H */
