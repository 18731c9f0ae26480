// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: integer models pushed by the agent (ML_LIB_PUSH_MODEL), the
 * synthesized logic that ml_lib_decide() runs in the kernel.
 *
 * A push is copied, verified byte by byte by core/ml_model.c (formats,
 * indexes, tree shapes, hard limits, shifts, accumulator bounds), checked
 * against the proxy's schema (one input per feature, one output per
 * action), then made current with one RCU pointer swap; the old model is
 * freed after a grace period (kvfree_rcu(), nobody waits). ml_lib_decide()
 * runs the current model on the decision's features, without the FPU and
 * in a bounded number of steps, and clamps each output to its action's
 * range. A rejected push changes nothing but the rejection counter, a
 * tracepoint (naming the rule) and a verdict record on the feedback ring.
 *
 * A model takes precedence over a recommendation table; both are dropped
 * when the agent detaches, and on REINIT.
 */
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ml_lib_internal.h"
#include "ml_lib_trace.h"

/* What ml_lib_decide() passes a model of a proxy without features. */
static const s64 ml_lib_no_features[1];

static void ml_lib_model_verdict(struct ml_lib_proxy *p, u64 version, int error,
				 const char *rule)
{
	if (error) {
		atomic64_inc(&p->models_rejected);
		trace_ml_lib_model_rejected(p->id, version, error, rule);
	} else {
		atomic64_inc(&p->models_accepted);
		trace_ml_lib_model_accepted(p->id, version, 0, "");
	}
	ml_lib_fb_emit_verdict(p, ML_LIB_FB_MODEL, version, error);
}

/* The version a blob claims, for the verdict of a rejected one; 0 if none. */
static u64 ml_lib_model_blob_version(const void *blob, u64 len)
{
	const struct ml_lib_model *h = blob;

	return len >= offsetofend(struct ml_lib_model, version) ? h->version : 0;
}

/**
 * ml_lib_model_push() - the agent pushes an integer model
 * @ag: the agent's attachment (a reference held by the caller)
 * @data: user pointer to the blob (<linux/ml_lib_model.h>)
 * @len: its length
 *
 * Return: 0 when the model is current; -EINVAL (malformed, or its inputs
 * and outputs are not the schema's features and actions), -E2BIG (over a
 * hard limit), -ERANGE (a parameter out of range), -EFAULT, -ENOMEM, or
 * -ENODEV when the agent was detached meanwhile. docs/models.md lists the
 * rules.
 */
int ml_lib_model_push(struct ml_lib_agent *ag, const void __user *data, u64 len)
{
	struct ml_lib_proxy *p = ag->proxy;
	struct ml_lib_model_rcu *m, *old;
	const char *rule = NULL;
	int ret;

	if (len > ML_LIB_MAX_BLOB) {
		/* The verifier's first rule, applied before allocating for it. */
		mutex_lock(&p->lock);
		if (!ag->detached)
			ml_lib_model_verdict(p, 0, -E2BIG, "blob: larger than ML_LIB_MAX_BLOB");
		mutex_unlock(&p->lock);
		return -E2BIG;
	}
	m = kvmalloc(struct_size(m, blob, DIV_ROUND_UP(len, sizeof(u64))), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(m->blob, data, len)) {
		kvfree(m);
		return -EFAULT;
	}
	m->len = len;
	ret = ml_model_verify(&m->model, m->blob, len, &rule);
	if (!ret && (m->model.nr_inputs != p->nr_features ||
		     m->model.nr_outputs != p->nr_actions)) {
		ret = -EINVAL;
		rule = "schema: nr_inputs or nr_outputs differs from the proxy's";
	}

	mutex_lock(&p->lock);
	if (ag->detached) {
		mutex_unlock(&p->lock);
		kvfree(m);
		return -ENODEV;
	}
	if (ret) {
		ml_lib_model_verdict(p, ml_lib_model_blob_version(m->blob, len), ret, rule);
		mutex_unlock(&p->lock);
		kvfree(m);
		return ret;
	}
	old = rcu_replace_pointer(p->model, m, lockdep_is_held(&p->lock));
	if (old)
		kvfree_rcu(old, rcu);
	ml_lib_model_verdict(p, m->model.version, 0, NULL);
	mutex_unlock(&p->lock);
	return 0;
}

/* Drop the current model, if any; the proxy's lock held. */
void ml_lib_model_drop_locked(struct ml_lib_proxy *p)
{
	struct ml_lib_model_rcu *old;

	old = rcu_replace_pointer(p->model, NULL, lockdep_is_held(&p->lock));
	if (old)
		kvfree_rcu(old, rcu);
}

/* The version of the current model, 0 when none. */
u64 ml_lib_model_version(struct ml_lib_proxy *p)
{
	const struct ml_lib_model_rcu *m;
	u64 v = 0;

	rcu_read_lock();
	m = rcu_dereference(p->model);
	if (m)
		v = m->model.version;
	rcu_read_unlock();
	return v;
}

/**
 * ml_lib_model_advice() - the ML values of a model for a decision
 * @m: the current model, read with local interrupts disabled
 * @p: its proxy
 * @features: the decision's nr_features values, or NULL when there are none
 * @d: the decision: its advice (each output clamped to its action's
 *	[min, max]), source and version are set
 *
 * Context: any context except NMI; never sleeps. At most the model's
 * max_steps steps of integer arithmetic.
 */
void ml_lib_model_advice(const struct ml_lib_model_rcu *m, const struct ml_lib_proxy *p,
			 const s64 *features, struct ml_lib_decision *d)
{
	s64 out[ML_LIB_MAX_ACTIONS];
	u32 j;

	ml_model_run(&m->model, features ?: ml_lib_no_features, out);
	for (j = 0; j < p->nr_actions; j++)
		d->advice[j] = clamp(out[j], p->actions[j].min, p->actions[j].max);
	d->source = ML_LIB_SRC_MODEL;
	d->version = m->model.version;
}
