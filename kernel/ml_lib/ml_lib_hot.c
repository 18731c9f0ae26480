// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: the hot paths, ml_lib_publish(), ml_lib_decide() and
 * ml_lib_outcome().
 *
 * They run in any context but NMI, never sleep, never allocate and take no
 * lock. Each runs with local interrupts disabled from start to end: every
 * write goes to this CPU's data (and this CPU is the only producer of its
 * rings), and the section is an RCU read-side critical section, which
 * synchronize_rcu() and kvfree_rcu() wait for (RCU flavours are one since
 * Linux 4.20), so the rings and the table are read with
 * rcu_dereference_sched() and no rcu_read_lock() is needed. The mode and
 * shares are read with READ_ONCE().
 */
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/timekeeping.h>

#include "ml_lib_internal.h"
#include "ml_lib_ring.h"
#include "ml_rand.h"
#include "ml_record.h"

/*
 * Write one sample to this CPU's sample ring. Local interrupts disabled,
 * @rs the proxy's current rings.
 */
static int ml_lib_sample_write(struct ml_lib_proxy *p, struct ml_lib_rings *rs,
			       struct ml_lib_pcpu *pc, u64 key,
			       const s64 *features, u64 decision_id)
{
	struct ml_lib_ring *r = &rs->ring[smp_processor_id()];
	s64 buf[ML_LIB_MAX_FEATURES];
	void *rec;
	u32 i;

	if (p->ops && p->ops->preprocess_sample) {
		for (i = 0; i < p->nr_features; i++)
			buf[i] = features[i];
		if (!p->ops->preprocess_sample(p, key, buf)) {
			ml_lib_count(pc, filtered);
			return -ECANCELED;
		}
		features = buf;
	}
	rec = ml_lib_ring_reserve(r);
	if (!rec) {
		ml_lib_count(pc, dropped);
		return -ENOBUFS;
	}
	ml_sample_fill(rec, ktime_get_mono_fast_ns(), key, decision_id, features,
		       p->nr_features);
	ml_lib_ring_commit(p, rs, r);
	ml_lib_count(pc, published);
	return 0;
}

/**
 * ml_lib_table_advice() - the ML values of a table for a key
 * @t: the current table, read with local interrupts disabled
 * @key: the key
 * @d: the decision: its source, version and advice are set when the table
 *	is fresh and has an entry for @key or a fallback
 *
 * Return: true when @d got advice.
 */
static inline bool ml_lib_table_advice(const struct ml_lib_table_rcu *t, u64 key,
				       struct ml_lib_decision *d)
{
	const struct ml_lib_table_entry *e;

	if (t->expiring && time_after(jiffies, t->expires))
		return false;
	e = ml_table_find(t->info.entries, t->info.nr_entries, key);
	if (e) {
		memcpy(d->advice, e->values, sizeof(d->advice));
		d->source = ML_LIB_SRC_TABLE;
	} else if (t->info.has_fallback) {
		memcpy(d->advice, t->info.fallback, sizeof(d->advice));
		d->source = ML_LIB_SRC_FALLBACK;
	} else {
		return false;
	}
	d->version = t->info.version;
	return true;
}

/**
 * ml_lib_publish() - publish one sample of a proxy's data set
 * @proxy: the proxy
 * @key: the subsystem's discrete context (a block group, a file class, ...)
 * @features: the schema's nr_features values (may be NULL when there are none)
 *
 * The sample goes to this CPU's sample ring, where the agent reads it. It
 * is never waited for: a full ring drops it.
 * Context: any context except NMI; never sleeps.
 *
 * Return: 0 when written; -EAGAIN when the proxy is stopped; -EINVAL for
 * NULL @features when the schema has features; -ENOTCONN when
 * no agent is attached (counted as unconsumed); -ECANCELED when
 * ops->preprocess_sample() filtered it (counted as filtered); -ENOBUFS when
 * the ring was full (counted as dropped).
 */
int ml_lib_publish(struct ml_lib_proxy *proxy, u64 key, const s64 *features)
{
	struct ml_lib_proxy *p = proxy;
	struct ml_lib_rings *rs;
	struct ml_lib_pcpu *pc;
	unsigned long flags;
	int ret;

	if (!READ_ONCE(p->started))
		return -EAGAIN;
	if (unlikely(!features && p->nr_features))
		return -EINVAL;
	local_irq_save(flags);
	pc = this_cpu_ptr(p->pcpu);
	rs = rcu_dereference_sched(p->rings);
	if (rs) {
		ret = ml_lib_sample_write(p, rs, pc, key, features, 0);
	} else {
		ml_lib_count(pc, unconsumed);
		ret = -ENOTCONN;
	}
	local_irq_restore(flags);
	return ret;
}
EXPORT_SYMBOL_GPL(ml_lib_publish);

/**
 * ml_lib_decide() - make one decision
 * @proxy: the proxy
 * @key: the discrete context the decision is for
 * @features: the schema's nr_features values (may be NULL when there are
 *	none); published with the decision id when the proxy has
 *	ML_LIB_PROXY_SAMPLE_DECISIONS (not when NULL)
 * @decision: filled in: the arm to apply, its values, the ML advice and a
 *	non-zero id to pass to ml_lib_outcome()
 *
 * The ML values come from the current integer model, run on @features
 * with each output clamped to its action's range; without a model, from
 * the current recommendation table: its entry for @key, else its fallback
 * entry. There are none when there is neither, the table expired, or the
 * proxy is in EMERGENCY (stopped, no agent, critical). The arm is
 * drawn at random with the ML share of the current mode; without ML values
 * it is the default arm whatever the draw. In LEARNING with a share of 0
 * (advice mode) the ML values are only recorded: default arm,
 * ML_LIB_OUTCOME_SHADOW.
 * Context: any context except NMI; never sleeps.
 */
void ml_lib_decide(struct ml_lib_proxy *proxy, u64 key, const s64 *features,
		   struct ml_lib_decision *decision)
{
	struct ml_lib_proxy *p = proxy;
	struct ml_lib_decision *d = decision;
	const struct ml_lib_model_rcu *m;
	const struct ml_lib_table_rcu *t;
	struct ml_lib_rings *rs;
	struct ml_lib_pcpu *pc;
	unsigned long flags;
	u8 mode;

	d->key = key;
	d->version = 0;
	d->arm = ML_LIB_ARM_DEFAULT;
	d->source = ML_LIB_SRC_NONE;
	d->flags = 0;
	memcpy(d->values, p->defaults, sizeof(d->values));
	memset(d->advice, 0, sizeof(d->advice));

	local_irq_save(flags);
	mode = READ_ONCE(p->mode);
	if (mode != ML_LIB_MODE_EMERGENCY && !READ_ONCE(p->critical)) {
		m = rcu_dereference_sched(p->model);
		t = m ? NULL : rcu_dereference_sched(p->table);
		if (m)
			ml_lib_model_advice(m, p, features, d);
		else if (t)
			ml_lib_table_advice(t, key, d);
	}

	pc = this_cpu_ptr(p->pcpu);
	if (d->source != ML_LIB_SRC_NONE) {
		u32 share = READ_ONCE(p->share_bp[mode]);

		if (mode == ML_LIB_MODE_LEARNING && !share) {
			d->flags |= ML_LIB_OUTCOME_SHADOW;
		} else if (ml_rand_draw_bp(this_cpu_ptr(&ml_lib_rand_state), share)) {
			d->arm = ML_LIB_ARM_ML;
			memcpy(d->values, d->advice, sizeof(d->values));
		}
	}
	d->id = ml_decision_id(pc->seq++, smp_processor_id(), nr_cpu_ids);
	u64_stats_update_begin(&pc->sync);
	pc->c.decisions[d->arm]++;
	u64_stats_update_end(&pc->sync);

	if ((p->flags & ML_LIB_PROXY_SAMPLE_DECISIONS) && READ_ONCE(p->started) &&
	    (features || !p->nr_features)) {
		rs = rcu_dereference_sched(p->rings);
		if (rs)
			ml_lib_sample_write(p, rs, pc, key, features, d->id);
		else
			ml_lib_count(pc, unconsumed);
	}
	local_irq_restore(flags);
}
EXPORT_SYMBOL_GPL(ml_lib_decide);

/* The outcome of @decision, with @label when @flags has ML_LIB_OUTCOME_LABEL. */
static void ml_lib_outcome_common(struct ml_lib_proxy *p, const struct ml_lib_decision *d,
				  s64 cost, s64 label, u8 flags)
{
	struct ml_lib_fb_outcome *o;
	struct ml_lib_feedback *fb;
	struct ml_lib_rings *rs;
	struct ml_lib_ring *r;
	struct ml_lib_pcpu *pc;
	unsigned long irqflags;
	u8 arm = d->arm < ML_LIB_ARM_COUNT ? d->arm : ML_LIB_ARM_DEFAULT;

	cost = ml_stats_clamp_cost(cost);
	local_irq_save(irqflags);
	pc = this_cpu_ptr(p->pcpu);
	u64_stats_update_begin(&pc->sync);
	ml_stats_add(&pc->c.acc[arm], cost);
	u64_stats_update_end(&pc->sync);

	rs = rcu_dereference_sched(p->rings);
	if (rs) {
		fb = ml_lib_fb_reserve(p, rs, ML_LIB_FB_OUTCOME, &r);
		if (fb) {
			o = &fb->outcome;
			o->decision_id = d->id;
			o->key = d->key;
			o->cost = cost;
			o->version = d->version;
			o->arm = arm;
			o->source = d->source;
			o->flags = (d->flags & ML_LIB_OUTCOME_SHADOW) | flags;
			memcpy(o->values, d->values, sizeof(o->values));
			memcpy(o->advice, d->advice, sizeof(o->advice));
			o->label = label;
			ml_lib_ring_commit(p, rs, r);
		}
	}
	local_irq_restore(irqflags);
}

/**
 * ml_lib_outcome() - report the cost of a decision
 * @proxy: the proxy
 * @decision: the decision, as ml_lib_decide() filled it (the subsystem may
 *	have overwritten @values with what its default algorithm really did)
 * @cost: the cost, lower is better; clamped to +-ML_LIB_COST_MAX
 *
 * The cost goes into the per-arm statistics of the decision's arm (the
 * default arm for advice-only decisions) and, with the applied values and
 * the advice, to this CPU's feedback ring.
 * Context: any context except NMI; never sleeps.
 */
void ml_lib_outcome(struct ml_lib_proxy *proxy,
		    const struct ml_lib_decision *decision, s64 cost)
{
	ml_lib_outcome_common(proxy, decision, cost, 0, 0);
}
EXPORT_SYMBOL_GPL(ml_lib_outcome);

/**
 * ml_lib_outcome_label() - report the cost of a decision and what was observed
 * @proxy: the proxy
 * @decision: the decision, as for ml_lib_outcome()
 * @cost: the cost, lower is better; clamped to +-ML_LIB_COST_MAX
 * @label: a quantity the subsystem observed with the outcome, which a
 *	supervised learner may predict from the decision's features (logblk:
 *	how long the block it placed lived)
 *
 * As ml_lib_outcome(); the feedback record also carries @label, with
 * ML_LIB_OUTCOME_LABEL in its flags.
 * Context: any context except NMI; never sleeps.
 */
void ml_lib_outcome_label(struct ml_lib_proxy *proxy,
			  const struct ml_lib_decision *decision, s64 cost, s64 label)
{
	ml_lib_outcome_common(proxy, decision, cost, label, ML_LIB_OUTCOME_LABEL);
}
EXPORT_SYMBOL_GPL(ml_lib_outcome_label);

/**
 * ml_lib_advise() - the ML values for features, without a decision
 * @proxy: the proxy
 * @key: the discrete context
 * @features: the schema's nr_features values (may be NULL when there are none)
 * @values: out: the ML values (nr_actions of them), when there is advice
 *
 * For choices that follow a decision already made: logblk asks where GC
 * should move a block the ML arm placed. The values come from the model or
 * the table as for ml_lib_decide(), whatever the mode's share; nothing is
 * counted, published or fed back, and no decision id is spent. There is no
 * advice in EMERGENCY (or while the subsystem is critical) and without a
 * fresh table or a model.
 * Context: any context except NMI; never sleeps.
 *
 * Return: the version of the model or table the values came from
 * (non-zero), or 0 when there is no advice (@values untouched).
 */
u64 ml_lib_advise(struct ml_lib_proxy *proxy, u64 key, const s64 *features,
		  s64 *values)
{
	struct ml_lib_proxy *p = proxy;
	const struct ml_lib_model_rcu *m;
	const struct ml_lib_table_rcu *t;
	struct ml_lib_decision d;
	unsigned long irqflags;
	u8 mode;

	d.source = ML_LIB_SRC_NONE;
	d.version = 0;
	local_irq_save(irqflags);
	mode = READ_ONCE(p->mode);
	if (mode != ML_LIB_MODE_EMERGENCY && !READ_ONCE(p->critical)) {
		m = rcu_dereference_sched(p->model);
		t = m ? NULL : rcu_dereference_sched(p->table);
		if (m)
			ml_lib_model_advice(m, p, features, &d);
		else if (t)
			ml_lib_table_advice(t, key, &d);
	}
	local_irq_restore(irqflags);
	if (d.source == ML_LIB_SRC_NONE)
		return 0;
	memcpy(values, d.advice, p->nr_actions * sizeof(*values));
	return d.version;
}
EXPORT_SYMBOL_GPL(ml_lib_advise);
