// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: recommendation tables pushed by the agent.
 *
 * A push is copied, validated against the action schema (core/ml_table.c),
 * offered to ops->validate_recommendation(), then made current with one RCU
 * pointer swap; the old table is freed after a grace period (kvfree_rcu(),
 * nobody waits). ml_lib_decide() reads the current table under RCU. A
 * rejected push changes nothing but the rejection counter, a tracepoint and
 * a verdict record on the feedback ring.
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ml_lib_internal.h"
#include "ml_lib_trace.h"

static void ml_lib_table_view(const struct ml_lib_table_rcu *t,
			      struct ml_lib_table_view *v)
{
	v->version = t->info.version;
	v->nr_entries = t->info.nr_entries;
	v->nr_actions = t->info.nr_actions;
	v->has_fallback = t->info.has_fallback;
	v->fallback = t->info.fallback;
	v->entries = t->info.entries;
}

static void ml_lib_table_verdict(struct ml_lib_proxy *p, u64 version, int error)
{
	if (error) {
		atomic64_inc(&p->recs_rejected);
		trace_ml_lib_rec_rejected(p->id, version, error);
	} else {
		atomic64_inc(&p->recs_accepted);
		trace_ml_lib_rec_accepted(p->id, version, 0);
	}
	ml_lib_fb_emit_verdict(p, ML_LIB_FB_TABLE, version, error);
}

/**
 * ml_lib_table_push() - the agent pushes a recommendation table
 * @ag: the agent's attachment (a reference held by the caller)
 * @data: user pointer to the blob
 * @len: its length
 *
 * Return: 0 when the table is current; -E2BIG (larger than
 * ML_LIB_MAX_BLOB, too many entries), -EINVAL (malformed), -ERANGE (a value
 * out of its action's range), the error of ops->validate_recommendation(),
 * -EFAULT, -ENOMEM, or -ENODEV when the agent was detached meanwhile.
 */
int ml_lib_table_push(struct ml_lib_agent *ag, const void __user *data, u64 len)
{
	struct ml_lib_proxy *p = ag->proxy;
	struct ml_lib_table_rcu *t, *old;
	struct ml_lib_table_view view;
	int ret;

	if (len > ML_LIB_MAX_BLOB || len < sizeof(struct ml_lib_table)) {
		ret = len > ML_LIB_MAX_BLOB ? -E2BIG : -EINVAL;
		mutex_lock(&p->lock);
		if (!ag->detached)
			ml_lib_table_verdict(p, 0, ret);
		mutex_unlock(&p->lock);
		return ret;
	}
	t = kvzalloc(struct_size(t, blob, DIV_ROUND_UP(len, sizeof(u64))), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	if (copy_from_user(t->blob, data, len)) {
		kvfree(t);
		return -EFAULT;
	}
	t->len = len;
	ret = ml_table_validate(t->blob, len, &p->table_schema, &t->info);

	mutex_lock(&p->lock);
	if (ag->detached) {
		mutex_unlock(&p->lock);
		kvfree(t);
		return -ENODEV;
	}
	if (!ret && p->ops && p->ops->validate_recommendation) {
		ml_lib_table_view(t, &view);
		ret = p->ops->validate_recommendation(p, &view);
		/* An op that returns garbage still rejects. */
		if (ret > 0 || ret < -MAX_ERRNO)
			ret = -EINVAL;
	}
	if (ret) {
		ml_lib_table_verdict(p, ml_table_blob_version(t->blob, len), ret);
		mutex_unlock(&p->lock);
		kvfree(t);
		return ret;
	}
	if (t->info.ttl_ms) {
		t->expiring = true;
		t->expires = jiffies + msecs_to_jiffies(t->info.ttl_ms);
	}
	old = rcu_replace_pointer(p->table, t, lockdep_is_held(&p->lock));
	if (old)
		kvfree_rcu(old, rcu);
	ml_lib_table_verdict(p, t->info.version, 0);
	if (p->ops && p->ops->apply_recommendation) {
		ml_lib_table_view(t, &view);
		p->ops->apply_recommendation(p, &view);
	}
	mutex_unlock(&p->lock);
	return 0;
}

/* Drop the current table, if any; the proxy's lock held. */
void ml_lib_table_drop_locked(struct ml_lib_proxy *p)
{
	struct ml_lib_table_rcu *old;

	old = rcu_replace_pointer(p->table, NULL, lockdep_is_held(&p->lock));
	if (old)
		kvfree_rcu(old, rcu);
}

/* The version of the current table, 0 when none. */
u64 ml_lib_table_version(struct ml_lib_proxy *p)
{
	const struct ml_lib_table_rcu *t;
	u64 v = 0;

	rcu_read_lock();
	t = rcu_dereference(p->table);
	if (t)
		v = t->info.version;
	rcu_read_unlock();
	return v;
}
