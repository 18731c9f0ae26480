/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mode controller: automatic, evidence-based transitions between the
 * four modes of a proxy (EMERGENCY, LEARNING, COLLABORATION,
 * RECOMMENDATION).
 *
 * The caller (ml_lib.ko, or a simulation) calls ml_mode_step() periodically
 * and on events (attach, detach, a pin, a critical state), with the proxy's
 * cumulative per-arm cost accumulators and its trigger inputs. The
 * controller keeps the start of the current evidence window itself: a
 * window closes once it holds enough outcomes in total and in each arm, and
 * its statistics are exact (ml_stats_window()).
 *
 * Evidence: a closed window compares the arms' mean costs (lower is better)
 * with Welch's statistic z = (mean_default - mean_ml) / se, where
 * se = sqrt(s2_ml / n_ml + s2_default / n_default), in fixed point (x 1000).
 * Promotion (LEARNING -> COLLABORATION -> RECOMMENDATION, one step at a
 * time) needs z, computed on the improvement minus a relative margin, at or
 * above +z_promote in promote_windows consecutive windows (more after recent
 * demotions: a backoff). Demotion, straight to LEARNING, needs z at or below
 * -z_demote in demote_windows consecutive windows. The band between the two
 * thresholds holds the mode: hysteresis.
 *
 * Safety triggers (EMERGENCY, in this priority): an admin pin of EMERGENCY,
 * the proxy stopped, the subsystem critical, no agent, the agent's heartbeat
 * older than its timeout, stale recommendations, a burst of rejected
 * recommendations. They override an admin pin of any other mode. Leaving
 * EMERGENCY goes to LEARNING (or the pinned mode) once no trigger holds and
 * the cool-down that the automatic triggers (critical, heartbeat, stale,
 * rejects) arm has passed; an attach, a start or an admin's unpin ends an
 * emergency they caused at once.
 *
 * An admin's pin replaces the evidence: the proxy runs in the pinned mode,
 * its windows are measured and reported but not judged, and unpinning
 * returns it to the mode the controller had chosen (auto_mode).
 *
 * See docs/modes.md for the reasoning and the figures behind the defaults.
 */
#ifndef ML_CORE_MODE_H
#define ML_CORE_MODE_H

#include "ml_core_types.h"
#include "ml_stats.h"
#ifdef __KERNEL__
#include <uapi/linux/ml_lib.h>
#else
#include <linux/ml_lib.h>
#endif

/*
 * Windows without adverse evidence, in or above the mode a proxy was last
 * demoted from, that forgive one step of promotion backoff.
 */
#define ML_MODE_BACKOFF_DECAY_WINDOWS	16

/* z values are clamped to +-this (x 1000). */
#define ML_MODE_Z_MAX_MILLI		1000000000

/**
 * struct ml_mode_params - the tunables of one proxy's controller
 * @window_outcomes: a window closes after at least this many outcomes...
 * @min_arm_outcomes: ...and at least this many in each arm
 * @z_promote_milli: promotion threshold on z (x 1000)
 * @z_demote_milli: demotion threshold on -z (x 1000)
 * @promote_windows: consecutive promoting windows needed (before backoff)
 * @demote_windows: consecutive demoting windows needed
 * @margin_bp: ML must beat the default's mean by this fraction of it
 *	(basis points) on top of the confidence bound
 * @backoff_max: after each demotion the promotion windows double, up to
 *	promote_windows << backoff_max
 * @growth_max: an inconclusive evidence window doubles the next one, up to
 *	window_outcomes << growth_max (and min_arm_outcomes << growth_max)
 * @heartbeat_timeout_ms: EMERGENCY when the agent is silent longer
 * @cooldown_ms: time without triggers before leaving EMERGENCY
 * @reject_window: recommendation pushes per reject-rate window
 * @reject_min: rejected pushes in a window before the rate counts
 * @reject_rate_bp: EMERGENCY when rejected / pushed reaches this (bp)
 *
 * All fields are u32 so that one table (ml_mode_knobs) can validate them.
 */
struct ml_mode_params {
	u32 window_outcomes;
	u32 min_arm_outcomes;
	u32 z_promote_milli;
	u32 z_demote_milli;
	u32 promote_windows;
	u32 demote_windows;
	u32 margin_bp;
	u32 backoff_max;
	u32 growth_max;
	u32 heartbeat_timeout_ms;
	u32 cooldown_ms;
	u32 reject_window;
	u32 reject_min;
	u32 reject_rate_bp;
};

/**
 * struct ml_mode_knob - name, place and valid range of one parameter
 * @name: the sysfs file name
 * @offset: offsetof(struct ml_mode_params, field)
 * @min: smallest valid value
 * @max: largest valid value
 * @def: the default
 */
struct ml_mode_knob {
	const char *name;
	u32 offset;
	u32 min;
	u32 max;
	u32 def;
};

/* One knob per field of struct ml_mode_params, in its order. */
#define ML_MODE_NR_KNOBS	14

extern const struct ml_mode_knob ml_mode_knobs[ML_MODE_NR_KNOBS];

/**
 * struct ml_mode_inputs - what one evaluation sees
 * @now_ms: a monotonic clock
 * @acc: cumulative cost accumulators per arm (enum ml_lib_arm), merged
 *	over CPUs; they only grow until ml_mode_reinit()
 * @recs_accepted: cumulative recommendation pushes accepted
 * @recs_rejected: cumulative recommendation pushes rejected
 * @heartbeat_age_ms: since the agent's last sign of life
 * @pin: enum ml_lib_mode pinned by an admin, or ML_LIB_MODE_AUTO (any
 *	other value counts as ML_LIB_MODE_AUTO)
 * @started: the proxy is started
 * @attached: an agent is attached
 * @critical: the subsystem is critical (ml_lib_set_critical() or
 *	ops->estimate_state)
 * @stale: the current recommendations expired and none replaced them
 */
struct ml_mode_inputs {
	u64 now_ms;
	struct ml_stats_acc acc[ML_LIB_ARM_COUNT];
	u64 recs_accepted;
	u64 recs_rejected;
	u64 heartbeat_age_ms;
	u32 pin;
	bool started;
	bool attached;
	bool critical;
	bool stale;
};

/* What a closed window said. */
enum ml_mode_verdict {
	ML_MODE_NEUTRAL	= 0,	/* between the thresholds */
	ML_MODE_BETTER	= 1,	/* ML cheaper beyond margin + confidence bound */
	ML_MODE_WORSE	= 2,	/* ML dearer beyond the confidence bound */
};

/**
 * struct ml_mode_window - the statistics of one closed window
 * @arm: per-arm outcomes, mean and variance (enum ml_lib_arm)
 * @efficiency_bp: ML mean cost / default mean cost x 10000, as
 *	ml_stats_efficiency_bp(): ML_STATS_EFFICIENCY_UNKNOWN (-1) with an
 *	empty arm or a default mean <= 0, 0 for an ML mean <= 0
 * @z_milli: (mean_default - mean_ml) / se x 1000; positive: ML is cheaper
 * @verdict: enum ml_mode_verdict
 */
struct ml_mode_window {
	struct ml_stats_summary arm[ML_LIB_ARM_COUNT];
	s32 efficiency_bp;
	s32 z_milli;
	u8 verdict;
};

/**
 * struct ml_mode_state - one proxy's controller; zero it with ml_mode_init()
 * @mode: enum ml_lib_mode: the proxy's mode
 * @auto_mode: the mode the evidence chose (LEARNING to RECOMMENDATION):
 *	@mode unless an admin pinned another or a safety trigger holds
 * @reason: enum ml_lib_reason of the last transition
 * @cause: the last trigger seen while in EMERGENCY
 * @backoff: promotion needs promote_windows << backoff windows
 * @growth: the evidence window is window_outcomes << growth outcomes
 * @demoted_from: the mode of the last demotion
 * @have_base: @base and the reject base are set
 * @streak: consecutive promoting evidence windows
 * @adverse: consecutive demoting short windows
 * @calm: short windows without adverse evidence at or above @demoted_from
 * @entered_ms: when @mode was entered
 * @cooldown_until_ms: EMERGENCY holds at least until then
 * @windows: short windows closed since init
 * @transitions: transitions since init
 * @base: accumulators at the start of the current short window
 * @ev_base: accumulators at the start of the current evidence window
 * @rej_base_accepted: recs_accepted at the start of the reject window
 * @rej_base_rejected: recs_rejected at the start of the reject window
 * @last: the last closed short window (valid when @windows > 0)
 * @evidence: the last closed evidence window
 */
struct ml_mode_state {
	u8 mode;
	u8 auto_mode;
	u8 reason;
	u8 cause;
	u8 backoff;
	u8 demoted_from;
	u8 growth;
	bool have_base;
	u32 streak;
	u32 adverse;
	u32 calm;
	u64 entered_ms;
	u64 cooldown_until_ms;
	u64 windows;
	u64 transitions;
	struct ml_stats_acc base[ML_LIB_ARM_COUNT];
	struct ml_stats_acc ev_base[ML_LIB_ARM_COUNT];
	u64 rej_base_accepted;
	u64 rej_base_rejected;
	struct ml_mode_window last;
	struct ml_mode_window evidence;
};

/**
 * struct ml_mode_report - the result of one ml_mode_step()
 * @old_mode: the mode before the step
 * @mode: the mode after the step
 * @reason: enum ml_lib_reason of the transition; ML_LIB_REASON_NONE when
 *	@mode == @old_mode
 * @window_closed: @window holds a short window closed by this step
 * @window: the closed short window
 */
struct ml_mode_report {
	u8 old_mode;
	u8 mode;
	u16 reason;
	bool window_closed;
	struct ml_mode_window window;
};

void ml_mode_params_default(struct ml_mode_params *p);
int ml_mode_params_check(const struct ml_mode_params *p);
int ml_mode_param_set(struct ml_mode_params *p, unsigned int knob, u64 value);
u32 ml_mode_param_get(const struct ml_mode_params *p, unsigned int knob);
int ml_mode_knob_find(const char *name);

void ml_mode_init(struct ml_mode_state *st);
void ml_mode_reinit(struct ml_mode_state *st, u64 now_ms, u32 pin,
		    struct ml_mode_report *rep);
enum ml_lib_mode ml_mode_step(struct ml_mode_state *st,
			      const struct ml_mode_params *p,
			      const struct ml_mode_inputs *in,
			      struct ml_mode_report *rep);

void ml_mode_evaluate(const struct ml_stats_acc win[ML_LIB_ARM_COUNT],
		      const struct ml_mode_params *p,
		      struct ml_mode_window *w);

#endif /* ML_CORE_MODE_H */
