// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: mode transitions and the periodic evaluation of a proxy.
 *
 * The mode is the choice of the proxy's controller (core/ml_mode.c, see
 * docs/modes.md): safety triggers (stopped, no agent, critical, a silent
 * agent, stale recommendations, a burst of rejected pushes) force
 * EMERGENCY and a cool-down; an admin's pin holds a mode against the
 * evidence; otherwise windows of outcomes promote and demote.
 * ml_lib_mode_update() runs the controller after every event and from the
 * periodic evaluation, and records each transition with the controller's
 * reason; each closed window updates the efficiency and is reported.
 *
 * ml_lib_proxy_evaluate() runs every eval_interval_ms from a work item
 * while an agent is attached (without one the proxy is in EMERGENCY and
 * nobody reads the reports, so an idle proxy costs no wake-ups): it asks
 * the subsystem whether it is critical, then runs the controller.
 */
#include <linux/jiffies.h>

#include "ml_lib_internal.h"
#include "ml_lib_trace.h"

/*
 * The new mode is published last, with release semantics: a lockless reader
 * that sees it (sysfs) also sees its reason, the counters and the feedback
 * record; readers under the lock see the whole transition or none of it. The
 * subsystem's hook runs after the transition.
 */
static void ml_lib_mode_transition(struct ml_lib_proxy *p, u8 new,
				   enum ml_lib_reason reason)
{
	u8 old = p->mode;

	WRITE_ONCE(p->reason, reason);
	atomic64_inc(&p->mode_changes);
	atomic64_inc(&p->transitions[reason]);
	trace_ml_lib_mode(p->id, old, new, reason, p->efficiency_bp);
	ml_lib_fb_emit_mode(p, old, new, reason);
	/* Last: pairs with the acquire of lockless readers (mode_show()). */
	smp_store_release(&p->mode, new);
	if (p->ops && p->ops->mode_changed)
		p->ops->mode_changed(p, old, new, reason);
}

/*
 * The current recommendations expired and none replaced them: the table
 * did, and no model (which does not expire, and takes precedence) decides.
 * Under the lock.
 */
static bool ml_lib_recs_stale(struct ml_lib_proxy *p)
{
	const struct ml_lib_table_rcu *t;

	if (rcu_access_pointer(p->model))
		return false;
	t = rcu_dereference_protected(p->table, lockdep_is_held(&p->lock));
	return t && t->expiring && time_after(jiffies, t->expires);
}

/* What the controller sees now. Under the lock. */
static void ml_lib_mode_inputs(struct ml_lib_proxy *p, struct ml_mode_inputs *in)
{
	struct ml_lib_counters c;

	ml_lib_counters_read(p, &c);
	memset(in, 0, sizeof(*in));
	in->now_ms = jiffies64_to_msecs(get_jiffies_64());
	memcpy(in->acc, c.acc, sizeof(in->acc));
	/* Tables and models alike are the agent's recommendations. */
	in->recs_accepted = atomic64_read(&p->recs_accepted) +
			    atomic64_read(&p->models_accepted);
	in->recs_rejected = atomic64_read(&p->recs_rejected) +
			    atomic64_read(&p->models_rejected);
	if (p->agent)
		in->heartbeat_age_ms =
			jiffies_to_msecs(jiffies - READ_ONCE(p->agent->heartbeat));
	in->pin = p->pin;
	in->started = p->started;
	in->attached = !!p->agent;
	in->critical = READ_ONCE(p->critical) || p->state_critical;
	in->stale = ml_lib_recs_stale(p);
}

/* A closed window: the efficiency it measured, reported on the feedback ring. */
static void ml_lib_report_window(struct ml_lib_proxy *p, const struct ml_mode_window *w)
{
	struct ml_lib_fb_efficiency e = { .efficiency_bp = w->efficiency_bp };
	int arm;

	for (arm = 0; arm < ML_LIB_ARM_COUNT; arm++) {
		e.outcomes[arm] = w->arm[arm].n;
		e.mean_milli[arm] = w->arm[arm].mean_milli;
	}
	WRITE_ONCE(p->efficiency_bp, w->efficiency_bp);
	ml_lib_fb_emit_efficiency(p, &e);
}

static void ml_lib_mode_apply(struct ml_lib_proxy *p, const struct ml_mode_report *rep)
{
	if (rep->window_closed)
		ml_lib_report_window(p, &rep->window);
	if (rep->reason != ML_LIB_REASON_NONE)
		ml_lib_mode_transition(p, rep->mode, rep->reason);
}

/**
 * ml_lib_mode_update() - run the mode controller of a proxy
 * @p: the proxy, its lock held
 *
 * Called after every event that may change the mode (attach, detach,
 * start, stop, a pin, a critical state) and from the periodic evaluation.
 * Records the transition the controller chose, if any, with its reason,
 * and reports the window it closed, if any.
 */
void ml_lib_mode_update(struct ml_lib_proxy *p)
{
	struct ml_mode_inputs in;
	struct ml_mode_report rep;

	lockdep_assert_held(&p->lock);
	if (p->dead)
		return;
	ml_lib_mode_inputs(p, &in);
	ml_mode_step(&p->ctl, &p->ctl_params, &in, &rep);
	ml_lib_mode_apply(p, &rep);
}

/**
 * ml_lib_mode_reinit() - the proxy's statistics restart: forget the evidence
 * @p: the proxy, its lock held
 *
 * An unpinned proxy above LEARNING restarts in LEARNING (reason REINIT).
 */
void ml_lib_mode_reinit(struct ml_lib_proxy *p)
{
	struct ml_mode_report rep;

	lockdep_assert_held(&p->lock);
	if (p->dead)
		return;
	WRITE_ONCE(p->efficiency_bp, ML_STATS_EFFICIENCY_UNKNOWN);
	ml_mode_reinit(&p->ctl, jiffies64_to_msecs(get_jiffies_64()), p->pin, &rep);
	ml_lib_mode_apply(p, &rep);
	ml_lib_mode_update(p);
}

/**
 * ml_lib_set_mode_locked() - an admin pins a mode, or unpins with "auto"
 * @p: the proxy, its lock held
 * @mode: enum ml_lib_mode or ML_LIB_MODE_AUTO
 *
 * The pinned mode holds against the evidence; the safety triggers
 * (stopped, no agent, critical, heartbeat, stale, rejects) still force
 * EMERGENCY meanwhile. "auto" returns to the mode the controller chose.
 *
 * Return: 0, -EINVAL for an unknown mode, -ENODEV when @p is dead.
 */
int ml_lib_set_mode_locked(struct ml_lib_proxy *p, u8 mode)
{
	lockdep_assert_held(&p->lock);
	if (mode >= ML_LIB_MODE_COUNT && mode != ML_LIB_MODE_AUTO)
		return -EINVAL;
	if (p->dead)
		return -ENODEV;
	WRITE_ONCE(p->pin, mode);
	ml_lib_mode_update(p);
	return 0;
}

/**
 * ml_lib_set_critical() - the subsystem declares or clears a critical state
 * @proxy: the proxy
 * @critical: true while the subsystem must run its default algorithm only
 *
 * Decisions take the default arm from the moment the call returns. The
 * mode transition to EMERGENCY (reason CRITICAL) follows from a work item;
 * when the state clears, the proxy leaves EMERGENCY after the controller's
 * cool-down (reason COOLDOWN).
 * Context: any context except NMI.
 */
void ml_lib_set_critical(struct ml_lib_proxy *proxy, bool critical)
{
	if (READ_ONCE(proxy->critical) == critical)
		return;
	WRITE_ONCE(proxy->critical, critical);
	schedule_work(&proxy->mode_work);
}
EXPORT_SYMBOL_GPL(ml_lib_set_critical);

void ml_lib_mode_work(struct work_struct *work)
{
	struct ml_lib_proxy *p = container_of(work, struct ml_lib_proxy, mode_work);

	mutex_lock(&p->lock);
	ml_lib_mode_update(p);
	mutex_unlock(&p->lock);
}

/**
 * ml_lib_proxy_evaluate() - the periodic evaluation of a proxy
 * @p: the proxy, its lock held
 *
 * Asks the subsystem whether it is critical (ops->estimate_state), then
 * runs the controller: heartbeat age, table expiry, rejected pushes and the
 * outcomes since its windows started.
 */
void ml_lib_proxy_evaluate(struct ml_lib_proxy *p)
{
	lockdep_assert_held(&p->lock);
	if (p->dead)
		return;
	if (p->ops && p->ops->estimate_state)
		p->state_critical = p->ops->estimate_state(p);
	ml_lib_mode_update(p);
}

/* (Re)start the evaluation period of @p, its lock held: after an attach or a new interval. */
void ml_lib_reschedule_eval(struct ml_lib_proxy *p)
{
	lockdep_assert_held(&p->lock);
	if (p->agent && !p->dead)
		mod_delayed_work(system_wq, &p->eval_work,
				 msecs_to_jiffies(p->eval_interval_ms));
}

void ml_lib_eval_work(struct work_struct *work)
{
	struct ml_lib_proxy *p = container_of(to_delayed_work(work),
					      struct ml_lib_proxy, eval_work);

	mutex_lock(&p->lock);
	if (p->agent) {
		ml_lib_proxy_evaluate(p);
		if (!p->dead)
			queue_delayed_work(system_wq, &p->eval_work,
					   msecs_to_jiffies(p->eval_interval_ms));
	}
	mutex_unlock(&p->lock);
}
