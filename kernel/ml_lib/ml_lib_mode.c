// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: mode transitions and the periodic evaluation of a proxy.
 *
 * The mode follows from the proxy's state, in this order:
 *	stopped, no agent, or critical (declared by the subsystem or
 *	estimated by ops->estimate_state)	-> EMERGENCY
 *	a mode pinned by an admin		-> that mode
 *	otherwise				-> the controller's choice
 *						   (LEARNING after attach/reinit)
 * ml_lib_mode_update() recomputes it after every event and records a
 * transition, with the event as its reason, when the mode changes.
 *
 * ml_lib_proxy_evaluate() runs every eval_interval_ms from a work item
 * while an agent is attached (without one the proxy is in EMERGENCY and
 * nobody reads the reports, so an idle proxy costs no wake-ups): the
 * per-arm statistics of the window since the last report, the efficiency,
 * the subsystem's state. The automatic mode controller plugs in there.
 */
#include "ml_lib_internal.h"
#include "ml_lib_trace.h"

static u8 ml_lib_target_mode(struct ml_lib_proxy *p)
{
	if (!p->started || !p->agent || READ_ONCE(p->critical) || p->state_critical)
		return ML_LIB_MODE_EMERGENCY;
	if (p->pin != ML_LIB_MODE_AUTO)
		return p->pin;
	return p->auto_mode;
}

static void ml_lib_mode_transition(struct ml_lib_proxy *p, u8 new,
				   enum ml_lib_reason reason)
{
	u8 old = p->mode;

	WRITE_ONCE(p->mode, new);
	p->reason = reason;
	atomic64_inc(&p->mode_changes);
	atomic64_inc(&p->transitions[reason]);
	trace_ml_lib_mode(p->id, old, new, reason, p->efficiency_bp);
	ml_lib_fb_emit_mode(p, old, new, reason);
	if (p->ops && p->ops->mode_changed)
		p->ops->mode_changed(p, old, new, reason);
}

/**
 * ml_lib_mode_update() - recompute a proxy's mode after an event
 * @p: the proxy, its lock held, not dead
 * @reason: the event, recorded as the reason if the mode changes
 */
void ml_lib_mode_update(struct ml_lib_proxy *p, enum ml_lib_reason reason)
{
	u8 new;

	lockdep_assert_held(&p->lock);
	if (p->dead)
		return;
	new = ml_lib_target_mode(p);
	if (new != p->mode)
		ml_lib_mode_transition(p, new, reason);
}

/**
 * ml_lib_set_mode_locked() - an admin pins a mode, or unpins with "auto"
 * @p: the proxy, its lock held
 * @mode: enum ml_lib_mode or ML_LIB_MODE_AUTO
 *
 * The pinned mode holds against the controller and attachments; safety
 * (stopped, no agent, critical) still forces EMERGENCY meanwhile.
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
	ml_lib_mode_update(p, ML_LIB_REASON_ADMIN);
	return 0;
}

/**
 * ml_lib_set_critical() - the subsystem declares or clears a critical state
 * @proxy: the proxy
 * @critical: true while the subsystem must run its default algorithm only
 *
 * Decisions take the default arm from the moment the call returns. The
 * mode transition to EMERGENCY (reason CRITICAL), or out of it when the
 * state clears (reason COOLDOWN), follows from a work item.
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
	ml_lib_mode_update(p, READ_ONCE(p->critical) ? ML_LIB_REASON_CRITICAL
						     : ML_LIB_REASON_COOLDOWN);
	mutex_unlock(&p->lock);
}

/**
 * ml_lib_proxy_evaluate() - one evaluation window of a proxy
 * @p: the proxy, its lock held
 *
 * Summarizes each arm's outcomes since the last report, updates the
 * efficiency (ML mean cost x 10000 / default mean cost, -1 when unknown)
 * and reports it on the feedback ring when the window has outcomes; then
 * asks the subsystem whether it is critical.
 */
void ml_lib_proxy_evaluate(struct ml_lib_proxy *p)
{
	struct ml_stats_summary s[ML_LIB_ARM_COUNT];
	struct ml_lib_fb_efficiency e = { 0 };
	struct ml_lib_counters now;
	int arm;

	lockdep_assert_held(&p->lock);
	if (p->dead)
		return;

	ml_lib_counters_read(p, &now);
	for (arm = 0; arm < ML_LIB_ARM_COUNT; arm++) {
		struct ml_stats_acc win;

		ml_stats_window(&win, &now.acc[arm], &p->eval_last[arm]);
		ml_stats_summarize(&win, &s[arm]);
		e.outcomes[arm] = s[arm].n;
		e.mean_milli[arm] = s[arm].mean_milli;
	}
	if (s[ML_LIB_ARM_ML].n || s[ML_LIB_ARM_DEFAULT].n) {
		p->efficiency_bp = ml_stats_efficiency_bp(&s[ML_LIB_ARM_ML],
							  &s[ML_LIB_ARM_DEFAULT]);
		e.efficiency_bp = p->efficiency_bp;
		ml_lib_fb_emit_efficiency(p, &e);
		memcpy(p->eval_last, now.acc, sizeof(p->eval_last));
	}

	if (p->ops && p->ops->estimate_state) {
		bool critical = p->ops->estimate_state(p);

		if (critical != p->state_critical) {
			p->state_critical = critical;
			ml_lib_mode_update(p, critical ? ML_LIB_REASON_CRITICAL
						       : ML_LIB_REASON_COOLDOWN);
		}
	}
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
