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

struct ml_lib_proxy;

#define LOGBLK_BLOCK_SHIFT	12
#define LOGBLK_BLOCK_SIZE	(1u << LOGBLK_BLOCK_SHIFT)
#define LOGBLK_SECTOR_SHIFT	(LOGBLK_BLOCK_SHIFT - SECTOR_SHIFT)

/* Trace event kinds: the record ops of the trace format (docs/logblk.md). */
enum logblk_event_op {
	LOGBLK_EV_WRITE = 1,	/* arg: class hint; lba, len */
	LOGBLK_EV_DISCARD = 2,	/* lba, len */
	LOGBLK_EV_GC = 3,	/* background GC collected one victim; len: free target */
	LOGBLK_EV_POLICY = 4,	/* arg: placement; len: victim selection */
	LOGBLK_EV_MARK = 5,	/* a measurement window starts */
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
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
};

extern const struct blk_mq_ops logblk_mq_ops;
extern const struct attribute_group *logblk_attr_groups[];

void logblk_event(struct logblk *lb, u8 op, u8 arg, u64 lba, u32 len);
void logblk_gc_work(struct work_struct *work);
void logblk_kick_gc(struct logblk *lb);
int logblk_proxy_create(struct logblk *lb);
void logblk_proxy_destroy(struct logblk *lb);
void logblk_proxy_publish(struct logblk *lb, u8 op, u8 arg, u64 lba, u32 len);

#endif /* _LOGBLK_H */
