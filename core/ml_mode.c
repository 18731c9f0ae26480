// SPDX-License-Identifier: GPL-2.0
/*
 * The mode controller; see ml_mode.h and docs/modes.md.
 *
 * Everything here is integer arithmetic with stated bounds: costs are
 * clamped to +-2^31 by ml_stats, so means x 1000 stay below 2^41, their
 * difference below 2^42, and every product below is checked against 2^63.
 */
#include "ml_mode.h"
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#else
#include <assert.h>
#endif

#define KNOB(field, lo, hi, dflt) \
	{ #field, offsetof(struct ml_mode_params, field), lo, hi, dflt }

/*
 * The defaults and their ranges; docs/modes.md explains each default.
 * Window sizes stay below 2^24 so that a grown window (<< growth_max) holds
 * fewer than 2^32 outcomes, the limit of exact window statistics.
 */
const struct ml_mode_knob ml_mode_knobs[ML_MODE_NR_KNOBS] = {
	KNOB(window_outcomes,		10, 1u << 24,	1000),
	KNOB(min_arm_outcomes,		10, 1u << 24,	100),
	KNOB(z_promote_milli,		1000, 10000,	3000),
	KNOB(z_demote_milli,		1000, 10000,	2500),
	KNOB(promote_windows,		1, 16,		2),
	KNOB(demote_windows,		1, 16,		1),
	KNOB(margin_bp,			0, 5000,	100),
	KNOB(backoff_max,		0, 6,		3),
	KNOB(growth_max,		0, 6,		4),
	KNOB(heartbeat_timeout_ms,	50, 3600000,	5000),
	KNOB(cooldown_ms,		0, 3600000,	10000),
	KNOB(reject_window,		1, 10000,	16),
	KNOB(reject_min,		1, 10000,	3),
	KNOB(reject_rate_bp,		1, 10000,	5000),
};

static_assert(sizeof(struct ml_mode_params) == ML_MODE_NR_KNOBS * sizeof(u32),
	      "every parameter has a knob");

static u32 *knob_field(struct ml_mode_params *p, unsigned int knob)
{
	return (u32 *)((char *)p + ml_mode_knobs[knob].offset);
}

/**
 * ml_mode_param_get() - the value of one parameter
 * @p: the parameters
 * @knob: index into ml_mode_knobs
 *
 * Return: the value, 0 for an unknown knob.
 */
u32 ml_mode_param_get(const struct ml_mode_params *p, unsigned int knob)
{
	if (knob >= ML_MODE_NR_KNOBS)
		return 0;
	return *knob_field((struct ml_mode_params *)p, knob);
}

/**
 * ml_mode_param_set() - set one parameter, within its range
 * @p: the parameters
 * @knob: index into ml_mode_knobs
 * @value: the new value
 *
 * Return: 0, or -EINVAL (no such knob, or out of range: nothing changed).
 */
int ml_mode_param_set(struct ml_mode_params *p, unsigned int knob, u64 value)
{
	if (knob >= ML_MODE_NR_KNOBS ||
	    value < ml_mode_knobs[knob].min || value > ml_mode_knobs[knob].max)
		return -EINVAL;
	*knob_field(p, knob) = (u32)value;
	return 0;
}

/**
 * ml_mode_knob_find() - the index of a knob by name
 * @name: the knob's name (its sysfs file name)
 *
 * Return: the index into ml_mode_knobs, or -EINVAL.
 */
int ml_mode_knob_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ML_MODE_NR_KNOBS; i++)
		if (!strcmp(ml_mode_knobs[i].name, name))
			return i;
	return -EINVAL;
}

/**
 * ml_mode_params_default() - the default parameters
 * @p: filled in
 */
void ml_mode_params_default(struct ml_mode_params *p)
{
	unsigned int i;

	for (i = 0; i < ML_MODE_NR_KNOBS; i++)
		*knob_field(p, i) = ml_mode_knobs[i].def;
}

/**
 * ml_mode_params_check() - are all parameters within their ranges?
 * @p: the parameters
 *
 * Return: 0, or -EINVAL.
 */
int ml_mode_params_check(const struct ml_mode_params *p)
{
	unsigned int i;

	for (i = 0; i < ML_MODE_NR_KNOBS; i++) {
		u32 v = ml_mode_param_get(p, i);

		if (v < ml_mode_knobs[i].min || v > ml_mode_knobs[i].max)
			return -EINVAL;
	}
	return 0;
}

/* Statistics of a window -------------------------------------------------- */

/* |mean x 1000| of clamped costs; a torn snapshot can claim more. */
#define MEAN_MILLI_MAX	(ML_STATS_COST_MAX * 1000)

static s64 clamp_mean(s64 m)
{
	if (m > MEAN_MILLI_MAX)
		return MEAN_MILLI_MAX;
	if (m < -MEAN_MILLI_MAX)
		return -MEAN_MILLI_MAX;
	return m;
}

/*
 * The window with every cost divided by 2^k (sums shifted): used when the
 * variance in milli^2 would saturate. z is a ratio of a difference of means
 * to a standard error, so a common scale leaves it unchanged; the shifted
 * sums are exact to within one unit of 2^k per outcome.
 */
static void acc_scale_down(struct ml_stats_acc *dst,
			   const struct ml_stats_acc *src, unsigned int k)
{
	dst->n = src->n;
	dst->sum = (u64)((s64)src->sum >> k);
	dst->sq_lo = (src->sq_lo >> (2 * k)) | (src->sq_hi << (64 - 2 * k));
	dst->sq_hi = src->sq_hi >> (2 * k);
}

#define SCALE_SHIFT	12	/* costs < 2^31 become < 2^19: variance x 10^6 < 2^58 */
#define VAR_SCALE_AT	(1ULL << 60)
#define PRECISION_SHIFT	20	/* se^2 in milli^2 x 2^20 when it fits */

/* d x 1000 x 2^half / se, clamped to +-ML_MODE_Z_MAX_MILLI: |d| < 2^43, half <= 10. */
static s32 z_milli(s64 d, u64 se, unsigned int half)
{
	u64 mag = d < 0 ? -(u64)d : (u64)d;
	u64 q;

	if (!se)
		q = mag ? ML_MODE_Z_MAX_MILLI : 0;
	else
		q = ((mag * 1000) << half) / se;
	if (q > ML_MODE_Z_MAX_MILLI)
		q = ML_MODE_Z_MAX_MILLI;
	return d < 0 ? -(s32)q : (s32)q;
}

static u64 sat_add(u64 a, u64 b)
{
	return a + b < a ? U64_MAX : a + b;
}

/*
 * The squared standard error of the difference of means, in milli^2 x
 * 2^(2 x *half), from per-arm variances (milli^2) and counts (n >= 2): each
 * variance over n - 1 (the unbiased variance over n). Small variances get
 * 20 more bits; each term stays below 2^63.
 */
static u64 se2_of(u64 v_ml, u64 n_ml, u64 v_def, u64 n_def, unsigned int *half)
{
	if (v_ml < (1ULL << (63 - PRECISION_SHIFT)) &&
	    v_def < (1ULL << (63 - PRECISION_SHIFT))) {
		*half = PRECISION_SHIFT / 2;
		return (v_ml << PRECISION_SHIFT) / (n_ml - 1) +
		       (v_def << PRECISION_SHIFT) / (n_def - 1);
	}
	*half = 0;
	return sat_add(v_ml / (n_ml - 1), v_def / (n_def - 1));
}

/**
 * ml_mode_evaluate() - the statistics and the verdict of one window
 * @win: per-arm window accumulators (enum ml_lib_arm)
 * @p: the thresholds
 * @w: filled in
 *
 * Two z statistics, both in fixed point (x 1000), both (mean_default -
 * mean_ml) / se, with different standard errors:
 *
 * - @w->z_milli, which decides demotion, pools the arms' variances
 *   weighted by their outcomes: se^2 = s2 (1/n_ml + 1/n_def), which is
 *   v_ml / n_def + v_def / n_ml. The arm with many outcomes, whose variance
 *   is well measured, sets the scale for both.
 * - the promotion z takes the improvement minus the margin over an se that
 *   gives both arms the larger of their two variances: it never
 *   underestimates the noise of either arm, at the price of some power.
 *
 * Why not Welch's se (each arm its own variance): with right-skewed costs
 * (rare, large spikes) the arm with few outcomes (ML while LEARNING, the
 * default while RECOMMENDATION) often catches fewer spikes than it should,
 * and then its mean and its variance look small together; Welch's z then
 * promotes, or demotes, on luck. docs/modes.md has the figures.
 */
void ml_mode_evaluate(const struct ml_stats_acc win[ML_LIB_ARM_COUNT],
		      const struct ml_mode_params *p, struct ml_mode_window *w)
{
	struct ml_stats_summary s[ML_LIB_ARM_COUNT];
	struct ml_stats_summary *ml = &w->arm[ML_LIB_ARM_ML];
	struct ml_stats_summary *def = &w->arm[ML_LIB_ARM_DEFAULT];
	s64 d, margin;
	u64 v_ml, v_def, v_max, se;
	unsigned int i, half;
	s32 zp;

	for (i = 0; i < ML_LIB_ARM_COUNT; i++) {
		ml_stats_summarize(&win[i], &w->arm[i]);
		w->arm[i].mean_milli = clamp_mean(w->arm[i].mean_milli);
		s[i] = w->arm[i];
	}

	w->efficiency_bp = ml_stats_efficiency_bp(ml, def);
	w->z_milli = 0;
	w->verdict = ML_MODE_NEUTRAL;
	if (ml->n < 2 || def->n < 2)
		return;

	if (ml->var_milli2 >= VAR_SCALE_AT || def->var_milli2 >= VAR_SCALE_AT) {
		for (i = 0; i < ML_LIB_ARM_COUNT; i++) {
			struct ml_stats_acc a;

			acc_scale_down(&a, &win[i], SCALE_SHIFT);
			ml_stats_summarize(&a, &s[i]);
			s[i].mean_milli = clamp_mean(s[i].mean_milli);
		}
	}
	v_ml = s[ML_LIB_ARM_ML].var_milli2;
	v_def = s[ML_LIB_ARM_DEFAULT].var_milli2;
	v_max = v_ml > v_def ? v_ml : v_def;
	d = s[ML_LIB_ARM_DEFAULT].mean_milli - s[ML_LIB_ARM_ML].mean_milli;

	se = ml_isqrt64(se2_of(v_def, ml->n, v_ml, def->n, &half));
	w->z_milli = z_milli(d, se, half);

	margin = s[ML_LIB_ARM_DEFAULT].mean_milli;
	margin = (s64)((margin < 0 ? -(u64)margin : (u64)margin) * p->margin_bp / 10000);
	se = ml_isqrt64(se2_of(v_max, ml->n, v_max, def->n, &half));
	zp = z_milli(d - margin, se, half);

	if (zp >= (s64)p->z_promote_milli)
		w->verdict = ML_MODE_BETTER;
	else if (w->z_milli <= -(s64)p->z_demote_milli)
		w->verdict = ML_MODE_WORSE;
}

/* The controller ---------------------------------------------------------- */

static void rebase_outcomes(struct ml_mode_state *st,
			    const struct ml_mode_inputs *in)
{
	memcpy(st->base, in->acc, sizeof(st->base));
	memcpy(st->ev_base, in->acc, sizeof(st->ev_base));
	st->growth = 0;
}

static void rebase_rejects(struct ml_mode_state *st,
			   const struct ml_mode_inputs *in)
{
	st->rej_base_accepted = in->recs_accepted;
	st->rej_base_rejected = in->recs_rejected;
}

/* Counters that went backwards belong to a re-initialized proxy. */
static bool counters_restarted(const struct ml_mode_state *st,
			       const struct ml_mode_inputs *in)
{
	unsigned int i;

	for (i = 0; i < ML_LIB_ARM_COUNT; i++)
		if (in->acc[i].n < st->base[i].n || in->acc[i].n < st->ev_base[i].n)
			return true;
	return in->recs_accepted < st->rej_base_accepted ||
	       in->recs_rejected < st->rej_base_rejected;
}

static u64 capped_delta(u64 now, u64 then)
{
	u64 d = now - then;

	return d > U32_MAX ? U32_MAX : d;
}

/*
 * A burst of rejected pushes: at least reject_min rejected and a rejected
 * share of at least reject_rate_bp among the pushes of the current reject
 * window. A burst is an event: it arms the cool-down and starts a new reject
 * window; so does a full window.
 */
static bool rejects_burst(struct ml_mode_state *st,
			  const struct ml_mode_params *p,
			  const struct ml_mode_inputs *in)
{
	u64 acc = capped_delta(in->recs_accepted, st->rej_base_accepted);
	u64 rej = capped_delta(in->recs_rejected, st->rej_base_rejected);
	bool burst = rej >= p->reject_min &&
		     rej * 10000 >= (u64)p->reject_rate_bp * (acc + rej);

	if (burst || acc + rej >= p->reject_window)
		rebase_rejects(st, in);
	return burst;
}

static u32 pinned_mode(const struct ml_mode_inputs *in)
{
	return in->pin < ML_LIB_MODE_COUNT ? in->pin : ML_LIB_MODE_AUTO;
}

/* The safety trigger that holds, by priority; ML_LIB_REASON_NONE if none. */
static enum ml_lib_reason trigger(const struct ml_mode_params *p,
				  const struct ml_mode_inputs *in, bool burst)
{
	if (pinned_mode(in) == ML_LIB_MODE_EMERGENCY)
		return ML_LIB_REASON_ADMIN;
	if (!in->started)
		return ML_LIB_REASON_STOPPED;
	if (in->critical)
		return ML_LIB_REASON_CRITICAL;
	if (!in->attached)
		return ML_LIB_REASON_DETACHED;
	if (in->heartbeat_age_ms > p->heartbeat_timeout_ms)
		return ML_LIB_REASON_HEARTBEAT;
	if (in->stale)
		return ML_LIB_REASON_STALE;
	if (burst)
		return ML_LIB_REASON_REJECTS;
	return ML_LIB_REASON_NONE;
}

/* Automatic triggers arm the cool-down; deliberate acts end at once. */
static bool arms_cooldown(enum ml_lib_reason r)
{
	return r == ML_LIB_REASON_CRITICAL || r == ML_LIB_REASON_HEARTBEAT ||
	       r == ML_LIB_REASON_STALE || r == ML_LIB_REASON_REJECTS;
}

static enum ml_lib_reason leave_reason(enum ml_lib_reason cause)
{
	switch (cause) {
	case ML_LIB_REASON_ADMIN:
		return ML_LIB_REASON_ADMIN;
	case ML_LIB_REASON_DETACHED:
		return ML_LIB_REASON_ATTACHED;
	case ML_LIB_REASON_STOPPED:
		return ML_LIB_REASON_STARTED;
	default:
		return ML_LIB_REASON_COOLDOWN;
	}
}

static void transition(struct ml_mode_state *st,
		       const struct ml_mode_inputs *in, enum ml_lib_mode to,
		       enum ml_lib_reason why, struct ml_mode_report *rep)
{
	st->mode = to;
	st->reason = why;
	st->entered_ms = in->now_ms;
	st->transitions++;
	st->streak = 0;
	st->adverse = 0;
	rebase_outcomes(st, in);
	rep->mode = to;
	rep->reason = why;
}

/* A transition the controller chose itself: it becomes its own mode too. */
static void transition_auto(struct ml_mode_state *st,
			    const struct ml_mode_inputs *in, enum ml_lib_mode to,
			    enum ml_lib_reason why, struct ml_mode_report *rep)
{
	st->auto_mode = to;
	transition(st, in, to, why, rep);
}

/*
 * Close the window that starts at @base if it holds at least
 * window_outcomes << @growth outcomes, and min_arm_outcomes << @growth in
 * each arm; evaluate it into @w and start the next one.
 */
static bool close_window(struct ml_stats_acc base[ML_LIB_ARM_COUNT],
			 unsigned int growth, const struct ml_mode_params *p,
			 const struct ml_mode_inputs *in, struct ml_mode_window *w)
{
	struct ml_stats_acc win[ML_LIB_ARM_COUNT];
	unsigned int i;

	for (i = 0; i < ML_LIB_ARM_COUNT; i++) {
		ml_stats_window(&win[i], &in->acc[i], &base[i]);
		if (win[i].n < (u64)p->min_arm_outcomes << growth)
			return false;
	}
	if (win[ML_LIB_ARM_DEFAULT].n + win[ML_LIB_ARM_ML].n <
	    (u64)p->window_outcomes << growth)
		return false;
	ml_mode_evaluate(win, p, w);
	memcpy(base, in->acc, sizeof(win));
	return true;
}

/* The short window: reported, and the evidence for demotion. */
static bool close_short(struct ml_mode_state *st, const struct ml_mode_params *p,
			const struct ml_mode_inputs *in, struct ml_mode_report *rep)
{
	if (!close_window(st->base, 0, p, in, &rep->window))
		return false;
	rep->window_closed = true;
	st->last = rep->window;
	st->windows++;
	return true;
}

static void demote(struct ml_mode_state *st, const struct ml_mode_params *p,
		   const struct ml_mode_inputs *in, struct ml_mode_report *rep)
{
	if (st->backoff < p->backoff_max)
		st->backoff++;
	st->demoted_from = st->mode;
	st->calm = 0;
	transition_auto(st, in, ML_LIB_MODE_LEARNING, ML_LIB_REASON_DEMOTED, rep);
}

/*
 * The short window, in auto mode: demote_windows consecutive verdicts of
 * WORSE demote at once. Windows without adverse evidence in or above the
 * mode of the last demotion forgive backoff.
 */
static bool judge_short(struct ml_mode_state *st, const struct ml_mode_params *p,
			const struct ml_mode_inputs *in, struct ml_mode_report *rep)
{
	if (rep->window.verdict == ML_MODE_WORSE) {
		st->adverse++;
		st->streak = 0;
		st->calm = 0;
	} else {
		st->adverse = 0;
		if (st->backoff && st->mode >= st->demoted_from &&
		    ++st->calm >= ML_MODE_BACKOFF_DECAY_WINDOWS) {
			st->backoff--;
			st->calm = 0;
		}
	}
	if (st->mode == ML_LIB_MODE_LEARNING || st->adverse < p->demote_windows)
		return false;
	demote(st, p, in, rep);
	return true;
}

/*
 * The evidence window, in auto mode. An inconclusive window doubles the
 * next one (up to << growth_max), so that a small difference is still
 * found: promote_windows << backoff consecutive verdicts of BETTER promote,
 * a verdict of WORSE demotes (it is as strong as demote_windows short ones
 * or stronger) and starts over at the short size.
 */
static void judge_evidence(struct ml_mode_state *st,
			   const struct ml_mode_params *p,
			   const struct ml_mode_inputs *in,
			   struct ml_mode_report *rep)
{
	u32 backoff = st->backoff < p->backoff_max ? st->backoff : p->backoff_max;

	if (!close_window(st->ev_base, st->growth, p, in, &st->evidence))
		return;
	switch (st->evidence.verdict) {
	case ML_MODE_BETTER:
		st->streak++;
		break;
	case ML_MODE_WORSE:
		st->streak = 0;
		st->growth = 0;
		if (st->mode > ML_LIB_MODE_LEARNING)
			demote(st, p, in, rep);
		return;
	default:
		st->streak = 0;
		if (st->growth < p->growth_max)
			st->growth++;
	}
	if (st->mode < ML_LIB_MODE_RECOMMENDATION &&
	    st->streak >= p->promote_windows << backoff)
		transition_auto(st, in, st->mode + 1, ML_LIB_REASON_PROMOTED, rep);
}

/**
 * ml_mode_init() - a controller for a new proxy: EMERGENCY, no agent yet
 * @st: the state to initialize
 */
void ml_mode_init(struct ml_mode_state *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = ML_LIB_MODE_EMERGENCY;
	st->auto_mode = ML_LIB_MODE_LEARNING;
	st->cause = ML_LIB_REASON_DETACHED;
}

/**
 * ml_mode_reinit() - forget all evidence (the proxy's statistics restart)
 * @st: the controller
 * @now_ms: the clock
 * @pin: enum ml_lib_mode pinned by an admin, or ML_LIB_MODE_AUTO
 * @rep: filled in; an unpinned proxy above LEARNING restarts in LEARNING
 *	(ML_LIB_REASON_REINIT), a pinned one keeps its mode
 */
void ml_mode_reinit(struct ml_mode_state *st, u64 now_ms, u32 pin,
		    struct ml_mode_report *rep)
{
	rep->old_mode = st->mode;
	rep->mode = st->mode;
	rep->reason = ML_LIB_REASON_NONE;
	rep->window_closed = false;
	st->have_base = false;
	st->streak = 0;
	st->adverse = 0;
	st->calm = 0;
	st->backoff = 0;
	st->demoted_from = 0;
	st->growth = 0;
	st->auto_mode = ML_LIB_MODE_LEARNING;
	if (pin >= ML_LIB_MODE_COUNT && st->mode > ML_LIB_MODE_LEARNING) {
		st->mode = ML_LIB_MODE_LEARNING;
		st->reason = ML_LIB_REASON_REINIT;
		st->entered_ms = now_ms;
		st->transitions++;
		rep->mode = st->mode;
		rep->reason = st->reason;
	}
}

/**
 * ml_mode_step() - one evaluation of the controller
 * @st: the controller
 * @p: its parameters (valid: ml_mode_params_check())
 * @in: what the proxy sees now
 * @rep: filled in: the transition, if any, and the window closed, if any
 *
 * Return: the mode after the step.
 */
enum ml_lib_mode ml_mode_step(struct ml_mode_state *st,
			      const struct ml_mode_params *p,
			      const struct ml_mode_inputs *in,
			      struct ml_mode_report *rep)
{
	enum ml_lib_reason trig;
	u32 pin = pinned_mode(in);

	rep->old_mode = st->mode;
	rep->mode = st->mode;
	rep->reason = ML_LIB_REASON_NONE;
	rep->window_closed = false;

	if (!st->have_base || counters_restarted(st, in)) {
		rebase_outcomes(st, in);
		rebase_rejects(st, in);
		st->have_base = true;
	}

	/* The reject window counts the pushes of the current agent only. */
	if (!in->attached)
		rebase_rejects(st, in);
	trig = trigger(p, in, rejects_burst(st, p, in));
	if (trig != ML_LIB_REASON_NONE) {
		if (arms_cooldown(trig))
			st->cooldown_until_ms = in->now_ms + p->cooldown_ms;
		st->cause = trig;
		/* Whatever the evidence said, the way back starts at LEARNING. */
		st->auto_mode = ML_LIB_MODE_LEARNING;
		if (st->mode != ML_LIB_MODE_EMERGENCY)
			transition(st, in, ML_LIB_MODE_EMERGENCY, trig, rep);
		return st->mode;
	}

	if (st->mode == ML_LIB_MODE_EMERGENCY) {
		if (in->now_ms >= st->cooldown_until_ms)
			transition(st, in, pin == ML_LIB_MODE_AUTO ? st->auto_mode : pin,
				   leave_reason(st->cause), rep);
		return st->mode;
	}

	if (pin != ML_LIB_MODE_AUTO) {
		/*
		 * Pinned: windows are still measured and reported, not judged;
		 * the controller's own mode waits for the unpin.
		 */
		if (pin != st->mode)
			transition(st, in, pin, ML_LIB_REASON_ADMIN, rep);
		else
			close_short(st, p, in, rep);
		st->streak = 0;
		st->adverse = 0;
		memcpy(st->ev_base, in->acc, sizeof(st->ev_base));
		return st->mode;
	}
	if (st->mode != st->auto_mode) {
		/* Unpinned: back to the mode the controller had chosen. */
		transition(st, in, st->auto_mode, ML_LIB_REASON_ADMIN, rep);
		return st->mode;
	}

	if (close_short(st, p, in, rep) && judge_short(st, p, in, rep))
		return st->mode;
	judge_evidence(st, p, in, rep);
	return st->mode;
}
