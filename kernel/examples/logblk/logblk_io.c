// SPDX-License-Identifier: GPL-2.0
/*
 * logblk: request handling and background garbage collection.
 *
 * Every request runs to completion in ->queue_rq() under the device lock
 * (BLK_MQ_F_BLOCKING: the lock sleeps). A write asks the core for a slot
 * per block, which may first run foreground GC (data moves through
 * logblk_move()), then copies the block in. Reads of unmapped blocks
 * return zeros. Background GC collects one victim per lock hold, so
 * requests interleave with it.
 */
#include <linux/highmem.h>
#include "logblk.h"

#define CREATE_TRACE_POINTS
#include "logblk_trace.h"

/**
 * logblk_event() - emit one event of the device's trace; @lb->lock held
 * @lb: the device
 * @op: enum logblk_event_op
 * @arg: op-specific (write-lifetime hint, placement, class, mode)
 * @lba: first logical block, or 0
 * @len: blocks, or an op-specific value
 *
 * The event goes to the logblk:logblk_event tracepoint and, as a sample, to
 * the logblk/trace ml_lib proxy.
 */
void logblk_event(struct logblk *lb, u8 op, u8 arg, u64 lba, u32 len)
{
	lb->events++;
	trace_logblk_event(lb->events, op, arg, lba, len);
	logblk_proxy_publish(lb, op, arg, lba, len);
}

static u8 *logblk_slot(struct logblk *lb, u32 slot)
{
	return lb->data + ((size_t)slot << LOGBLK_BLOCK_SHIFT);
}

/**
 * logblk_kick_gc() - wake background GC if it has work; @lb->lock held
 * @lb: the device
 */
void logblk_kick_gc(struct logblk *lb)
{
	if (lb->bg_free && lb_gc_wanted(&lb->core, lb->bg_free))
		queue_work(lb->gc_wq, &lb->gc_work);
}

/**
 * logblk_gc_work() - background GC: collect victims until enough are free
 * @work: &logblk.gc_work
 */
void logblk_gc_work(struct work_struct *work)
{
	struct logblk *lb = container_of(work, struct logblk, gc_work);
	bool more = true;

	while (more) {
		down_write(&lb->lock);
		more = lb->bg_free && lb_gc_wanted(&lb->core, lb->bg_free) &&
			lb_gc_one(&lb->core, true) == 0;
		if (more)
			logblk_event(lb, LOGBLK_EV_GC, 0, 0, lb->bg_free);
		up_write(&lb->lock);
		cond_resched();
	}
}

static blk_status_t logblk_errno_status(int err)
{
	switch (err) {
	case 0:
		return BLK_STS_OK;
	case -ENOSPC:
		return BLK_STS_NOSPC;
	default:
		return BLK_STS_IOERR;
	}
}

static blk_status_t logblk_write(struct logblk *lb, struct request *rq,
				 u32 lba, u32 nr)
{
	u8 hint = rq->bio ? min_t(u8, rq->bio->bi_write_hint, 7) : 0;
	struct req_iterator iter;
	struct bio_vec bv;
	u32 boff = 0, i = 0;
	u8 *dst = NULL;
	bool place;
	int err;

	down_write(&lb->lock);
	/* The mode for the request first: its MODE record precedes the write. */
	if (lb->place)
		logblk_place_request(lb, lba, nr, hint);
	logblk_event(lb, LOGBLK_EV_WRITE, hint, lba, nr);
	err = lb_write_begin(&lb->core, lba, nr);
	if (err)
		goto out;
	place = logblk_place_active(lb);
	if (place)
		logblk_place_decide(lb, lba, nr);
	rq_for_each_segment(bv, rq, iter) {
		u32 done = 0;

		while (done < bv.bv_len) {
			u32 n = min(bv.bv_len - done, LOGBLK_BLOCK_SIZE - boff);

			if (!boff) {
				unsigned int cls = place ? logblk_place_hint(lb, i) : LB_CLASS_NONE;
				u32 slot;

				err = lb_write_block(&lb->core, lba + i, cls, &slot);
				/* Admitted by lb_write_begin(): only a core bug fails here. */
				if (WARN_ON_ONCE(err))
					goto out;
				if (place)
					logblk_place_written(lb, i, lba + i);
				dst = logblk_slot(lb, slot);
			}
			memcpy_from_page(dst + boff, bv.bv_page, bv.bv_offset + done, n);
			done += n;
			boff += n;
			if (boff == LOGBLK_BLOCK_SIZE) {
				boff = 0;
				i++;
			}
		}
	}
	logblk_kick_gc(lb);
out:
	up_write(&lb->lock);
	return logblk_errno_status(err);
}

static blk_status_t logblk_read(struct logblk *lb, struct request *rq, u32 lba)
{
	struct req_iterator iter;
	struct bio_vec bv;
	u32 boff = 0, i = 0;
	const u8 *src = NULL;

	down_read(&lb->lock);
	rq_for_each_segment(bv, rq, iter) {
		u32 done = 0;

		while (done < bv.bv_len) {
			u32 n = min(bv.bv_len - done, LOGBLK_BLOCK_SIZE - boff);

			if (!boff) {
				u32 slot = lb_lookup(&lb->core, lba + i);

				src = slot == LB_NONE ? NULL : logblk_slot(lb, slot);
			}
			if (src)
				memcpy_to_page(bv.bv_page, bv.bv_offset + done, src + boff, n);
			else
				memzero_page(bv.bv_page, bv.bv_offset + done, n);
			done += n;
			boff += n;
			if (boff == LOGBLK_BLOCK_SIZE) {
				boff = 0;
				i++;
			}
		}
	}
	up_read(&lb->lock);
	return BLK_STS_OK;
}

/* Discard and write-zeroes: unmapped blocks read as zeros. */
static blk_status_t logblk_discard(struct logblk *lb, u32 lba, u32 nr)
{
	int err;

	down_write(&lb->lock);
	logblk_event(lb, LOGBLK_EV_DISCARD, 0, lba, nr);
	err = lb_discard(&lb->core, lba, nr);
	up_write(&lb->lock);
	return logblk_errno_status(err);
}

static blk_status_t logblk_queue_rq(struct blk_mq_hw_ctx *hctx,
				    const struct blk_mq_queue_data *bd)
{
	struct logblk *lb = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	sector_t pos = blk_rq_pos(rq);
	u32 bytes = blk_rq_bytes(rq);
	u32 lba = pos >> LOGBLK_SECTOR_SHIFT, nr = bytes >> LOGBLK_BLOCK_SHIFT;
	blk_status_t st;

	blk_mq_start_request(rq);
	/* The block layer keeps requests to the 4 KiB logical block size. */
	if (req_op(rq) != REQ_OP_FLUSH &&
	    ((pos | (bytes >> SECTOR_SHIFT)) & ((1u << LOGBLK_SECTOR_SHIFT) - 1))) {
		st = BLK_STS_IOERR;
		goto done;
	}
	switch (req_op(rq)) {
	case REQ_OP_READ:
		st = logblk_read(lb, rq, lba);
		break;
	case REQ_OP_WRITE:
		st = logblk_write(lb, rq, lba, nr);
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		st = logblk_discard(lb, lba, nr);
		break;
	case REQ_OP_FLUSH:
		st = BLK_STS_OK;	/* RAM: nothing is volatile */
		break;
	default:
		st = BLK_STS_NOTSUPP;
		break;
	}
done:
	blk_mq_end_request(rq, st);
	return BLK_STS_OK;
}

const struct blk_mq_ops logblk_mq_ops = {
	.queue_rq = logblk_queue_rq,
};
