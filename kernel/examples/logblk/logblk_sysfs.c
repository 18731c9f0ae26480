// SPDX-License-Identifier: GPL-2.0
/*
 * logblk: sysfs knobs and statistics, one value per file, in
 * /sys/block/logblk0/logblk/ (documented in docs/logblk.md).
 *
 * Knobs: policy (p1 p2 p3x p4), placement, victim, bg_gc_segs, mark.
 * Counters: the core's struct lb_stats, cumulative since load, and the
 * write amplification since load and since the last mark.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include "logblk.h"

static struct logblk *dev_to_logblk(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

/* A counter of struct lb_stats: the attribute's var is its offset. */
static ssize_t logblk_stat_show(struct device *dev, struct device_attribute *attr,
				char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr, struct dev_ext_attribute, attr);
	struct logblk *lb = dev_to_logblk(dev);
	size_t off = (uintptr_t)ea->var;
	u64 v;

	down_read(&lb->lock);
	v = *(const u64 *)((const u8 *)&lb->core.stats + off);
	up_read(&lb->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

#define LOGBLK_STAT_ATTR(_name, _field)						\
	static struct dev_ext_attribute dev_attr_##_name = {			\
		__ATTR(_name, 0444, logblk_stat_show, NULL),			\
		(void *)offsetof(struct lb_stats, _field)			\
	}

LOGBLK_STAT_ATTR(user_writes, user_writes);
LOGBLK_STAT_ATTR(gc_writes, gc_writes);
LOGBLK_STAT_ATTR(write_reqs, write_reqs);
LOGBLK_STAT_ATTR(discard_reqs, discard_reqs);
LOGBLK_STAT_ATTR(discarded, discarded);
LOGBLK_STAT_ATTR(gc_fg, gc_fg);
LOGBLK_STAT_ATTR(gc_bg, gc_bg);
LOGBLK_STAT_ATTR(dead_freed, dead_freed);
LOGBLK_STAT_ATTR(nospc, nospc);
LOGBLK_STAT_ATTR(policy_switches, policy_switches);

LOGBLK_STAT_ATTR(stream0_user_writes, stream_user[0]);
LOGBLK_STAT_ATTR(stream0_gc_writes, stream_gc[0]);
LOGBLK_STAT_ATTR(stream1_user_writes, stream_user[1]);
LOGBLK_STAT_ATTR(stream1_gc_writes, stream_gc[1]);
LOGBLK_STAT_ATTR(stream2_user_writes, stream_user[2]);
LOGBLK_STAT_ATTR(stream2_gc_writes, stream_gc[2]);
LOGBLK_STAT_ATTR(stream3_user_writes, stream_user[3]);
LOGBLK_STAT_ATTR(stream3_gc_writes, stream_gc[3]);
LOGBLK_STAT_ATTR(stream4_user_writes, stream_user[4]);
LOGBLK_STAT_ATTR(stream4_gc_writes, stream_gc[4]);
LOGBLK_STAT_ATTR(stream5_user_writes, stream_user[5]);
LOGBLK_STAT_ATTR(stream5_gc_writes, stream_gc[5]);
LOGBLK_STAT_ATTR(stream6_user_writes, stream_user[6]);
LOGBLK_STAT_ATTR(stream6_gc_writes, stream_gc[6]);
LOGBLK_STAT_ATTR(stream7_user_writes, stream_user[7]);
LOGBLK_STAT_ATTR(stream7_gc_writes, stream_gc[7]);
static_assert(LB_MAX_STREAMS == 8, "one pair of stream attributes per stream");

/* Device state that is not a struct lb_stats counter. */
enum logblk_state {
	LOGBLK_NR_LBLOCKS,
	LOGBLK_SEG_BLOCKS,
	LOGBLK_NR_SEGS,
	LOGBLK_DATA_CAPACITY,
	LOGBLK_MAPPED,
	LOGBLK_FREE_SEGS,
	LOGBLK_EVENTS,
	LOGBLK_MARK_USER,
	LOGBLK_MARK_GC,
};

static ssize_t logblk_state_show(struct device *dev, struct device_attribute *attr,
				 char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr, struct dev_ext_attribute, attr);
	struct logblk *lb = dev_to_logblk(dev);
	const struct lb_dev *d = &lb->core;
	u64 v = 0;

	down_read(&lb->lock);
	switch ((uintptr_t)ea->var) {
	case LOGBLK_NR_LBLOCKS:
		v = d->g.nr_lblocks;
		break;
	case LOGBLK_SEG_BLOCKS:
		v = d->g.seg_blocks;
		break;
	case LOGBLK_NR_SEGS:
		v = d->g.nr_segs;
		break;
	case LOGBLK_DATA_CAPACITY:
		v = d->max_valid;
		break;
	case LOGBLK_MAPPED:
		v = d->mapped;
		break;
	case LOGBLK_FREE_SEGS:
		v = d->nr_free;
		break;
	case LOGBLK_EVENTS:
		v = lb->events;
		break;
	case LOGBLK_MARK_USER:
		v = lb->mark.user_writes;
		break;
	case LOGBLK_MARK_GC:
		v = lb->mark.gc_writes;
		break;
	}
	up_read(&lb->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

#define LOGBLK_STATE_ATTR(_name, _which)					\
	static struct dev_ext_attribute dev_attr_##_name = {			\
		__ATTR(_name, 0444, logblk_state_show, NULL),			\
		(void *)(_which)						\
	}

LOGBLK_STATE_ATTR(nr_lblocks, LOGBLK_NR_LBLOCKS);
LOGBLK_STATE_ATTR(seg_blocks, LOGBLK_SEG_BLOCKS);
LOGBLK_STATE_ATTR(nr_segs, LOGBLK_NR_SEGS);
LOGBLK_STATE_ATTR(data_capacity, LOGBLK_DATA_CAPACITY);
LOGBLK_STATE_ATTR(mapped, LOGBLK_MAPPED);
LOGBLK_STATE_ATTR(free_segs, LOGBLK_FREE_SEGS);
LOGBLK_STATE_ATTR(events, LOGBLK_EVENTS);
LOGBLK_STATE_ATTR(mark_user_writes, LOGBLK_MARK_USER);
LOGBLK_STATE_ATTR(mark_gc_writes, LOGBLK_MARK_GC);

static ssize_t logblk_emit_waf(char *buf, u64 user, u64 gc)
{
	u64 w = lb_waf_milli(user, gc);

	return sysfs_emit(buf, "%llu.%03llu\n", w / 1000, w % 1000);
}

static ssize_t waf_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct logblk *lb = dev_to_logblk(dev);
	u64 user, gc;

	down_read(&lb->lock);
	user = lb->core.stats.user_writes;
	gc = lb->core.stats.gc_writes;
	up_read(&lb->lock);
	return logblk_emit_waf(buf, user, gc);
}
static DEVICE_ATTR_RO(waf);

static ssize_t waf_window_show(struct device *dev, struct device_attribute *attr,
			       char *buf)
{
	struct logblk *lb = dev_to_logblk(dev);
	u64 user, gc;

	down_read(&lb->lock);
	user = lb->core.stats.user_writes - lb->mark.user_writes;
	gc = lb->core.stats.gc_writes - lb->mark.gc_writes;
	up_read(&lb->lock);
	return logblk_emit_waf(buf, user, gc);
}
static DEVICE_ATTR_RO(waf_window);

/* Apply a policy change and record it in the trace; lock held for writing. */
static int logblk_set_policy(struct logblk *lb, unsigned int place,
			     unsigned int victim)
{
	u64 before = lb->core.stats.policy_switches;
	int err = lb_set_policy(&lb->core, place, victim);

	if (!err && lb->core.stats.policy_switches != before)
		logblk_event(lb, LOGBLK_EV_POLICY, place, 0, victim);
	return err;
}

static ssize_t policy_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct logblk *lb = dev_to_logblk(dev);
	unsigned int place, victim;
	const char *name;

	down_read(&lb->lock);
	place = lb->core.place;
	victim = lb->core.victim;
	up_read(&lb->lock);
	name = lb_policy_name(place, victim);
	if (name)
		return sysfs_emit(buf, "%s\n", name);
	return sysfs_emit(buf, "%s/%s\n", lb_place_name(place), lb_victim_name(victim));
}

static ssize_t policy_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct logblk *lb = dev_to_logblk(dev);
	unsigned int place, victim;
	int err;

	if (lb_parse_policy(buf, count, &place, &victim))
		return -EINVAL;
	down_write(&lb->lock);
	err = logblk_set_policy(lb, place, victim);
	up_write(&lb->lock);
	return err ?: count;
}
static DEVICE_ATTR_RW(policy);

static ssize_t placement_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct logblk *lb = dev_to_logblk(dev);
	unsigned int place;

	down_read(&lb->lock);
	place = lb->core.place;
	up_read(&lb->lock);
	return sysfs_emit(buf, "%s\n", lb_place_name(place));
}

static ssize_t placement_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	struct logblk *lb = dev_to_logblk(dev);
	int place = lb_parse_place(buf, count), err;

	if (place < 0)
		return -EINVAL;
	down_write(&lb->lock);
	err = logblk_set_policy(lb, place, lb->core.victim);
	up_write(&lb->lock);
	return err ?: count;
}
static DEVICE_ATTR_RW(placement);

static ssize_t victim_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct logblk *lb = dev_to_logblk(dev);
	unsigned int victim;

	down_read(&lb->lock);
	victim = lb->core.victim;
	up_read(&lb->lock);
	return sysfs_emit(buf, "%s\n", lb_victim_name(victim));
}

static ssize_t victim_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct logblk *lb = dev_to_logblk(dev);
	int victim = lb_parse_victim(buf, count), err;

	if (victim < 0)
		return -EINVAL;
	down_write(&lb->lock);
	err = logblk_set_policy(lb, lb->core.place, victim);
	up_write(&lb->lock);
	return err ?: count;
}
static DEVICE_ATTR_RW(victim);

static ssize_t bg_gc_segs_show(struct device *dev, struct device_attribute *attr,
			       char *buf)
{
	struct logblk *lb = dev_to_logblk(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(lb->bg_free));
}

static ssize_t bg_gc_segs_store(struct device *dev, struct device_attribute *attr,
				const char *buf, size_t count)
{
	struct logblk *lb = dev_to_logblk(dev);
	u32 v;
	int err = kstrtou32(buf, 0, &v);

	if (err)
		return err;
	if (v > lb->core.g.nr_segs / 2)
		return -ERANGE;
	down_write(&lb->lock);
	WRITE_ONCE(lb->bg_free, v);
	logblk_kick_gc(lb);
	up_write(&lb->lock);
	return count;
}
static DEVICE_ATTR_RW(bg_gc_segs);

/* Writing 1 starts a measurement window: a MARK event and a snapshot. */
static ssize_t mark_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct logblk *lb = dev_to_logblk(dev);
	bool v;
	int err = kstrtobool(buf, &v);

	if (err)
		return err;
	if (!v)
		return -EINVAL;
	down_write(&lb->lock);
	lb->mark = lb->core.stats;
	logblk_event(lb, LOGBLK_EV_MARK, 0, 0, 0);
	up_write(&lb->lock);
	return count;
}
static DEVICE_ATTR_WO(mark);

/* The learned placement's counters (logblk_place.c), when it exists. */
enum logblk_place_stat {
	LOGBLK_PLACE_ML,
	LOGBLK_PLACE_DEFAULT,
	LOGBLK_PLACE_GC_ADVISED,
	LOGBLK_PLACE_OUTCOMES,
	LOGBLK_PLACE_MEM,
	LOGBLK_PLACE_MODEL,
};

static ssize_t logblk_place_show(struct device *dev, struct device_attribute *attr,
				 char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr, struct dev_ext_attribute, attr);
	struct logblk *lb = dev_to_logblk(dev);
	const struct logblk_place *pl = lb->place;
	u64 v = 0;

	down_read(&lb->lock);
	switch ((uintptr_t)ea->var) {
	case LOGBLK_PLACE_ML:
		v = pl->decisions[1];
		break;
	case LOGBLK_PLACE_DEFAULT:
		v = pl->decisions[0];
		break;
	case LOGBLK_PLACE_GC_ADVISED:
		v = pl->gc_advised;
		break;
	case LOGBLK_PLACE_OUTCOMES:
		v = pl->outcomes;
		break;
	case LOGBLK_PLACE_MEM:
		v = pl->mem_bytes;
		break;
	case LOGBLK_PLACE_MODEL:
		v = pl->trace_model;
		break;
	}
	up_read(&lb->lock);
	return sysfs_emit(buf, "%llu\n", v);
}

#define LOGBLK_PLACE_ATTR(_name, _which)					\
	static struct dev_ext_attribute dev_attr_##_name = {			\
		__ATTR(_name, 0444, logblk_place_show, NULL),			\
		(void *)(_which)						\
	}

LOGBLK_PLACE_ATTR(place_decisions_ml, LOGBLK_PLACE_ML);
LOGBLK_PLACE_ATTR(place_decisions_default, LOGBLK_PLACE_DEFAULT);
LOGBLK_PLACE_ATTR(place_gc_advised, LOGBLK_PLACE_GC_ADVISED);
LOGBLK_PLACE_ATTR(place_outcomes, LOGBLK_PLACE_OUTCOMES);
LOGBLK_PLACE_ATTR(place_mem_bytes, LOGBLK_PLACE_MEM);
LOGBLK_PLACE_ATTR(place_model, LOGBLK_PLACE_MODEL);

static struct attribute *logblk_attrs[] = {
	&dev_attr_policy.attr,
	&dev_attr_placement.attr,
	&dev_attr_victim.attr,
	&dev_attr_bg_gc_segs.attr,
	&dev_attr_mark.attr,
	&dev_attr_waf.attr,
	&dev_attr_waf_window.attr,
	&dev_attr_nr_lblocks.attr.attr,
	&dev_attr_seg_blocks.attr.attr,
	&dev_attr_nr_segs.attr.attr,
	&dev_attr_data_capacity.attr.attr,
	&dev_attr_mapped.attr.attr,
	&dev_attr_free_segs.attr.attr,
	&dev_attr_events.attr.attr,
	&dev_attr_mark_user_writes.attr.attr,
	&dev_attr_mark_gc_writes.attr.attr,
	&dev_attr_user_writes.attr.attr,
	&dev_attr_gc_writes.attr.attr,
	&dev_attr_write_reqs.attr.attr,
	&dev_attr_discard_reqs.attr.attr,
	&dev_attr_discarded.attr.attr,
	&dev_attr_gc_fg.attr.attr,
	&dev_attr_gc_bg.attr.attr,
	&dev_attr_dead_freed.attr.attr,
	&dev_attr_nospc.attr.attr,
	&dev_attr_policy_switches.attr.attr,
	&dev_attr_stream0_user_writes.attr.attr,
	&dev_attr_stream0_gc_writes.attr.attr,
	&dev_attr_stream1_user_writes.attr.attr,
	&dev_attr_stream1_gc_writes.attr.attr,
	&dev_attr_stream2_user_writes.attr.attr,
	&dev_attr_stream2_gc_writes.attr.attr,
	&dev_attr_stream3_user_writes.attr.attr,
	&dev_attr_stream3_gc_writes.attr.attr,
	&dev_attr_stream4_user_writes.attr.attr,
	&dev_attr_stream4_gc_writes.attr.attr,
	&dev_attr_stream5_user_writes.attr.attr,
	&dev_attr_stream5_gc_writes.attr.attr,
	&dev_attr_stream6_user_writes.attr.attr,
	&dev_attr_stream6_gc_writes.attr.attr,
	&dev_attr_stream7_user_writes.attr.attr,
	&dev_attr_stream7_gc_writes.attr.attr,
	&dev_attr_place_decisions_ml.attr.attr,
	&dev_attr_place_decisions_default.attr.attr,
	&dev_attr_place_gc_advised.attr.attr,
	&dev_attr_place_outcomes.attr.attr,
	&dev_attr_place_mem_bytes.attr.attr,
	&dev_attr_place_model.attr.attr,
	NULL,
};

/* The place_* files exist only with the placement proxy. */
static umode_t logblk_attr_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	struct logblk *lb = dev_to_logblk(kobj_to_dev(kobj));
	struct device_attribute *da = container_of(attr, struct device_attribute, attr);

	if (!lb->place && da->show == logblk_place_show)
		return 0;
	return attr->mode;
}

static const struct attribute_group logblk_attr_group = {
	.name = "logblk",
	.attrs = logblk_attrs,
	.is_visible = logblk_attr_visible,
};

const struct attribute_group *logblk_attr_groups[] = {
	&logblk_attr_group,
	NULL,
};

