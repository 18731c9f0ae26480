// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: the per-CPU rings of an attachment, their mapping into the
 * agent, and batched wake-ups.
 *
 * Each possible CPU has one sample ring and one feedback ring (numbering and
 * protocol in core/ml_ring.h and docs/ABI.md). A ring is one vmalloc_user()
 * area: the control page, then the slots; the agent maps it whole with
 * remap_vmalloc_range(). The producer is always the ring's own CPU with
 * local interrupts disabled, so a ring has exactly one producer (NMI
 * context is not supported).
 *
 * Wake-ups are batched: the producer queues an irq_work only when a ring
 * reaches the watermark, and a timer wakes pollers every wakeup_ms when
 * records are pending below it.
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "ml_lib_internal.h"
#include "ml_lib_ring.h"
#include "ml_record.h"

static void ml_lib_rings_free(struct ml_lib_rings *rs)
{
	u32 i;

	for (i = 0; i < rs->nr_rings; i++)
		vfree(rs->ring[i].ctl);
	kvfree(rs);
}

void ml_lib_rings_put(struct ml_lib_rings *rs)
{
	if (refcount_dec_and_test(&rs->ref))
		ml_lib_rings_free(rs);
}

bool ml_lib_rings_pending(struct ml_lib_rings *rs)
{
	u32 i;

	for (i = 0; i < rs->nr_rings; i++) {
		struct ml_lib_ring *r = &rs->ring[i];

		if (READ_ONCE(r->head) != READ_ONCE(r->ctl->tail))
			return true;
	}
	return false;
}

/* Count a wake-up on this CPU (any context). */
static void ml_lib_count_wakeup(struct ml_lib_proxy *p)
{
	unsigned long flags;

	local_irq_save(flags);
	ml_lib_count(this_cpu_ptr(p->pcpu), wakeups);
	local_irq_restore(flags);
}

static void ml_lib_wake_work(struct irq_work *work)
{
	struct ml_lib_rings *rs = container_of(work, struct ml_lib_rings, wake_work);

	wake_up_interruptible(rs->wq);
}

static void ml_lib_wake_timer(struct timer_list *t)
{
	struct ml_lib_rings *rs = from_timer(rs, t, wake_timer);

	if (wq_has_sleeper(rs->wq) && ml_lib_rings_pending(rs)) {
		ml_lib_count_wakeup(rs->proxy);
		wake_up_interruptible(rs->wq);
	}
	mod_timer(&rs->wake_timer, jiffies + rs->wake_interval);
}

static int ml_lib_ring_init(struct ml_lib_ring *r, u32 kind, u32 record_size,
			    u32 nr, u32 watermark)
{
	r->kind = kind;
	r->record_size = record_size;
	r->nr_records = nr;
	r->watermark = watermark;
	r->map_bytes = ml_ring_map_bytes(record_size, nr, PAGE_SIZE);
	r->ctl = vmalloc_user(r->map_bytes);
	if (!r->ctl)
		return -ENOMEM;
	r->ctl->record_size = record_size;
	r->ctl->nr_records = nr;
	return 0;
}

/**
 * ml_lib_rings_alloc() - the rings of a new attachment
 * @p: the proxy
 * @sample_records: slots per sample ring, valid (ml_ring_nr_valid())
 * @feedback_records: slots per feedback ring, valid
 * @watermark: pending records that wake pollers, 0 = a quarter of each ring
 * @wakeup_ms: pending records wake pollers at least this often, >= 1
 * @wq: the pollers of the agent's file
 *
 * Return: the rings with one reference, or NULL.
 */
struct ml_lib_rings *ml_lib_rings_alloc(struct ml_lib_proxy *p, u32 sample_records,
					u32 feedback_records, u32 watermark,
					u32 wakeup_ms, wait_queue_head_t *wq)
{
	u32 ncpu = nr_cpu_ids, i;
	struct ml_lib_rings *rs;

	rs = kvzalloc(struct_size(rs, ring, ml_ring_count(ncpu)), GFP_KERNEL);
	if (!rs)
		return NULL;
	refcount_set(&rs->ref, 1);
	rs->proxy = p;
	rs->wq = wq;
	rs->nr_cpus = ncpu;
	rs->nr_rings = ml_ring_count(ncpu);
	rs->wake_interval = max(msecs_to_jiffies(wakeup_ms), 1UL);
	init_irq_work(&rs->wake_work, ml_lib_wake_work);
	timer_setup(&rs->wake_timer, ml_lib_wake_timer, 0);
	for (i = 0; i < ncpu; i++) {
		if (ml_lib_ring_init(&rs->ring[ml_ring_sample_index(i)], ML_LIB_RING_SAMPLES,
				     p->sample_size, sample_records,
				     watermark ? : sample_records / 4) ||
		    ml_lib_ring_init(&rs->ring[ml_ring_feedback_index(i, ncpu)],
				     ML_LIB_RING_FEEDBACK, ML_FEEDBACK_RECORD_SIZE,
				     feedback_records, watermark ? : feedback_records / 4)) {
			ml_lib_rings_free(rs);
			return NULL;
		}
	}
	rs->sample_map = rs->ring[0].map_bytes;
	rs->feedback_map = rs->ring[ncpu].map_bytes;
	mod_timer(&rs->wake_timer, jiffies + rs->wake_interval);
	return rs;
}

/*
 * Stop the wake-ups of rings no producer can reach any more (an RCU grace
 * period passed since they were unpublished).
 */
void ml_lib_rings_stop(struct ml_lib_rings *rs)
{
	timer_shutdown_sync(&rs->wake_timer);
	irq_work_sync(&rs->wake_work);
}

/* Emit a control-path feedback record, filled by @fill, if an agent is attached. */
static void ml_lib_fb_emit(struct ml_lib_proxy *p, u16 type,
			   void (*fill)(struct ml_lib_feedback *fb, const void *arg),
			   const void *arg)
{
	struct ml_lib_feedback *fb;
	struct ml_lib_rings *rs;
	struct ml_lib_ring *r;
	unsigned long flags;

	local_irq_save(flags);
	rs = rcu_dereference_sched(p->rings);
	if (rs) {
		fb = ml_lib_fb_reserve(p, rs, type, &r);
		if (fb) {
			fill(fb, arg);
			ml_lib_ring_commit(p, rs, r);
		}
	}
	local_irq_restore(flags);
}

static void ml_lib_fill_mode(struct ml_lib_feedback *fb, const void *arg)
{
	fb->mode = *(const struct ml_lib_fb_mode *)arg;
}

void ml_lib_fb_emit_mode(struct ml_lib_proxy *p, u8 old, u8 new, u16 reason)
{
	struct ml_lib_fb_mode m = {
		.old_mode = old,
		.new_mode = new,
		.reason = reason,
		.efficiency_bp = p->efficiency_bp,
	};

	ml_lib_fb_emit(p, ML_LIB_FB_MODE, ml_lib_fill_mode, &m);
}

static void ml_lib_fill_efficiency(struct ml_lib_feedback *fb, const void *arg)
{
	fb->efficiency = *(const struct ml_lib_fb_efficiency *)arg;
}

void ml_lib_fb_emit_efficiency(struct ml_lib_proxy *p,
			       const struct ml_lib_fb_efficiency *e)
{
	ml_lib_fb_emit(p, ML_LIB_FB_EFFICIENCY, ml_lib_fill_efficiency, e);
}

static void ml_lib_fill_verdict(struct ml_lib_feedback *fb, const void *arg)
{
	fb->verdict = *(const struct ml_lib_fb_verdict *)arg;
}

void ml_lib_fb_emit_verdict(struct ml_lib_proxy *p, u16 type, u64 version, int error)
{
	struct ml_lib_fb_verdict v = { .version = version, .error = error };

	ml_lib_fb_emit(p, type, ml_lib_fill_verdict, &v);
}

void ml_lib_ring_fill_info(struct ml_lib_rings *rs, u32 index,
			   struct ml_lib_ring_info *info)
{
	const struct ml_lib_ring *r = &rs->ring[index];

	info->kind = r->kind;
	info->cpu = ml_ring_cpu(index, rs->nr_cpus);
	info->record_size = r->record_size;
	info->nr_records = r->nr_records;
	info->mmap_offset = ml_ring_mmap_offset(index, rs->nr_cpus, rs->sample_map,
						rs->feedback_map);
	info->mmap_size = r->map_bytes;
}

static void ml_lib_vm_open(struct vm_area_struct *vma)
{
	struct ml_lib_rings *rs = vma->vm_private_data;

	refcount_inc(&rs->ref);
}

static void ml_lib_vm_close(struct vm_area_struct *vma)
{
	ml_lib_rings_put(vma->vm_private_data);
}

static const struct vm_operations_struct ml_lib_vm_ops = {
	.open = ml_lib_vm_open,
	.close = ml_lib_vm_close,
};

/**
 * ml_lib_rings_mmap() - map one ring of an attachment
 * @rs: the attachment's rings
 * @vma: the mapping: it must start at a ring's mmap_offset and be no larger
 *	than its mmap_size; never executable
 *
 * The mapping holds a reference to the rings, so they outlive a detach
 * until they are unmapped.
 *
 * Return: 0, -EINVAL for an offset or size that is not a ring's, -EPERM
 * for an executable mapping, or remap_vmalloc_range()'s error.
 */
int ml_lib_rings_mmap(struct ml_lib_rings *rs, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct ml_lib_ring *r;
	s64 index;
	int ret;

	if (vma->vm_pgoff > (U64_MAX >> PAGE_SHIFT))
		return -EINVAL;
	index = ml_ring_at_offset((u64)vma->vm_pgoff << PAGE_SHIFT, rs->nr_cpus,
				  rs->sample_map, rs->feedback_map);
	if (index < 0)
		return -EINVAL;
	r = &rs->ring[index];
	if (size > r->map_bytes)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	vm_flags_clear(vma, VM_MAYEXEC);
	ret = remap_vmalloc_range(vma, r->ctl, 0);
	if (ret)
		return ret;
	vma->vm_private_data = rs;
	vma->vm_ops = &ml_lib_vm_ops;
	refcount_inc(&rs->ref);
	return 0;
}
