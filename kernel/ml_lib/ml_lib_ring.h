/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ml_lib: the producer side of the rings, inline because it is the hot
 * path of ml_lib_publish(), ml_lib_decide() and ml_lib_outcome(). The
 * protocol is in core/ml_ring.h.
 */
#ifndef _ML_LIB_RING_H
#define _ML_LIB_RING_H

#include <linux/irq_work.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "ml_lib_internal.h"
#include "ml_ring.h"

/**
 * ml_lib_ring_reserve() - the slot for the next record of a ring
 * @r: the ring of this CPU; local interrupts disabled
 *
 * Nothing is visible to the consumer until ml_lib_ring_commit().
 *
 * Return: the slot, or NULL when the ring is full (the drop is counted in
 * the ring's control page).
 */
static inline void *ml_lib_ring_reserve(struct ml_lib_ring *r)
{
	u64 tail = ml_ring_load_acquire(&r->ctl->tail);

	if (!ml_ring_has_room(r->head, tail, r->nr_records)) {
		r->dropped++;
		WRITE_ONCE(r->ctl->dropped, r->dropped);
		return NULL;
	}
	r->tail_seen = tail;
	return (u8 *)r->ctl + ml_ring_slot_offset(r->head, r->nr_records, r->record_size);
}

/**
 * ml_lib_ring_commit() - publish the record written to the reserved slot
 * @p: the proxy, to count wake-ups
 * @rs: the rings of @r
 * @r: the ring; local interrupts still disabled since the reserve
 */
static inline void ml_lib_ring_commit(struct ml_lib_proxy *p, struct ml_lib_rings *rs,
				      struct ml_lib_ring *r)
{
	u64 used_before = ml_ring_used(r->head, r->tail_seen);

	WRITE_ONCE(r->head, r->head + 1);
	ml_ring_store_release(&r->ctl->head, r->head);
	if (ml_ring_reaches_watermark(used_before, r->watermark) &&
	    irq_work_queue(&rs->wake_work))
		ml_lib_count(this_cpu_ptr(p->pcpu), wakeups);
}

/**
 * ml_lib_fb_reserve() - a zeroed feedback record on this CPU's feedback ring
 * @p: the proxy
 * @rs: its current rings
 * @type: enum ml_lib_feedback_type
 * @ring: set to the ring, for ml_lib_ring_commit()
 *
 * Context: local interrupts disabled.
 * Return: the record, or NULL when the ring is full (counted as
 * feedback_dropped).
 */
static inline struct ml_lib_feedback *ml_lib_fb_reserve(struct ml_lib_proxy *p,
							struct ml_lib_rings *rs, u16 type,
							struct ml_lib_ring **ring)
{
	struct ml_lib_ring *r = &rs->ring[ml_ring_feedback_index(smp_processor_id(),
								 rs->nr_cpus)];
	struct ml_lib_feedback *fb = ml_lib_ring_reserve(r);

	if (!fb) {
		ml_lib_count(this_cpu_ptr(p->pcpu), feedback_dropped);
		return NULL;
	}
	memset(fb, 0, sizeof(*fb));
	fb->ts_ns = ktime_get_mono_fast_ns();
	fb->type = type;
	*ring = r;
	return fb;
}

#endif /* _ML_LIB_RING_H */
