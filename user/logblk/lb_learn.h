/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lb_learn: the learner of logblk's placement. It predicts how long a
 * block's version will live from the features the kernel computes
 * (core/lb_feat.c), turns the prediction into a class, and decides by
 * replaying the recent trace whether a new model should replace the
 * deployed one.
 *
 * What it is given (by mlagentd from the logblk/placement proxy, or by a
 * host tool from a trace):
 *  - lbl_write(): every block write the device decided, with its features
 *    (LBF_NR values; LBF_TICK orders them) and its decision id;
 *  - lbl_death(): a version that died, with its lifetime in ticks (the
 *    outcome's label). Overwrites are also seen as the next write of the
 *    block; deaths that no write explains are discards.
 *
 * What it keeps:
 *  - a window of the last few device sizes of writes, indexed by tick, with
 *    their features and, once known, their death;
 *  - shadow devices (core/lb_core) that follow the write stream a little
 *    behind (so that discards, which arrive as outcomes, are in order): one
 *    places with the device's default policy, one per candidate
 *    configuration with that configuration's models. Their GC moves give
 *    the training rows of the GC-time decision (LBF_MOVED = 1).
 *
 * Each round (every @round x N ticks, N = the device's blocks), for each
 * configuration (how far back, how much data, which class thresholds), a
 * new tree is trained on the newest data and placed in its shadow for the
 * writes that follow: every model is tested on writes it never saw
 * (prequential evaluation), replayed through core/lb_core and
 * core/ml_model exactly as the kernel would place them. The configuration
 * whose shadow had the lowest write amplification over the recent trace
 * (@judge_rounds rounds) is deployed, its newest model pushed, if that is
 * lower than the default policy's by @margin (and the deployed
 * configuration's by @switch_margin) in @persist judged rounds in a row
 * (for a first deployment, by any configuration, the best in the last
 * round deployed) and if its error on held-out lifetimes (a fixed share
 * of the writes no tree trains on) is not worse than the deployed model's
 * by more than @heldout_slack. While it stays
 * below the default, the deployed configuration's newest model is pushed
 * every round; once it is worse than the default by @margin (over the
 * window in @withdraw_rounds judged rounds in a row, or over the last
 * @persist rounds while the default's shadow improves by @margin on its
 * window), a model that leaves every block to the default policy (output
 * -1) is pushed instead: the learner withdraws, and deploys nothing for a
 * whole window after.
 */
#ifndef LB_LEARN_H
#define LB_LEARN_H

#include <stdint.h>
#include "lb_place.h"

#define LBL_MAX_CANDS	8

/* A candidate configuration; lengths in device sizes (N ticks). */
struct lbl_cand_cfg {
	double lag;		/* the newest rows are this old: labels seen for at least this long */
	double window;		/* rows span this much before that */
	double th_base;		/* class thresholds th_i = th_base * N * th_ratio^i */
	double th_ratio;
};

struct lbl_params {
	double round;		/* ticks between rounds, x N */
	unsigned int judge_rounds;	/* the judged window: this many rounds (<= 64) */
	double margin;		/* relative WAF gain over the default a configuration needs,
				 * and the loss that withdraws the deployed one */
	double switch_margin;	/* and over the deployed configuration, to replace it */
	unsigned int persist;	/* judged rounds in a row the same configuration must
				 * pass both margins before it is deployed (<= 64) */
	unsigned int withdraw_rounds;	/* judged rounds in a row the deployed one must be
					 * worse than the default by @margin (<= 64) */
	double heldout_slack;	/* held-out error may exceed the deployed's by this share */
	unsigned int depth;	/* tree depth */
	double min_leaf;	/* least share of the rows in a leaf */
	unsigned int max_rows;	/* rows per configuration (half for each tree) */
	unsigned int gc_keep;	/* one GC move in this many becomes a row */
	double censored;	/* octaves added to the label of a version still alive */
	double lag_share;	/* the shadow follows this share of N behind the newest write */
	double max_lag;		/* x N: a round judged further behind the newest write
				 * read deploys nothing and withdraws the deployed model */
	uint32_t feature_mask;	/* features the trees may split on (never LBF_TICK) */
	double log_sd;		/* a leaf whose log2 lifetimes spread less than this (standard
				 * deviation, octaves) is a log's: LB_CLASS_LOG; 0: never */
	double log_life;	/* ... if their mean is below this, x N */
	double phase_keep;	/* x N (<= 1): the writes after the last phase change that every
				 * training set keeps; 0: none */
	unsigned int nr_cands;
	struct lbl_cand_cfg cand[LBL_MAX_CANDS];
};

void lbl_params_default(struct lbl_params *p);

/* What one judged round found (for logs, the store and the demo). */
struct lbl_verdict {
	uint64_t tick;			/* round at this device tick */
	bool judged;			/* a full window was compared */
	bool deploy;			/* push configuration @chosen's newest model */
	bool withdraw;			/* push the model that leaves every block to the policy */
	int best;			/* index of the best configuration, -1: none */
	int deployed;			/* configuration deployed before, -1: none */
	int chosen;			/* configuration deployed after, -1: none */
	double waf_default;		/* over the window: the default policy's shadow */
	double waf_best;		/* the best configuration's shadow */
	double waf_cand[LBL_MAX_CANDS];
	double waf_default_recent;	/* over the last @persist rounds (NAN: not computed) */
	double waf_deployed_recent;	/* the deployed configuration's shadow, likewise */
	double err_deployed;		/* held-out error of the deployed model: mean
					 * squared error of the log2 lifetime */
	double err_best;		/* and of the newest model of the best */
	unsigned int streak;		/* rounds in a row @best has passed the margins */
	uint64_t window_writes;		/* writes in the window */
	uint64_t lag;			/* writes read beyond the round's tick */
	unsigned int leaves;		/* of the model to push */
	const char *why;		/* short reason; valid until the next lbl_step() */
};

struct lbl_stats {
	uint64_t writes;		/* lbl_write() calls */
	uint64_t deaths;		/* lbl_death() calls */
	uint64_t discards;		/* deaths no write explained */
	uint64_t holes;			/* ticks with no write (samples lost) */
	uint64_t late;			/* writes too old for the window */
	uint64_t rounds, judged, deployed, withdrawn;
	uint64_t shadow_tick;		/* the shadows have applied writes before this tick */
	uint64_t gc_rows;		/* GC-time rows taken from the shadows */
	uint64_t kept;			/* phase changes whose aftermath was kept */
	double train_ms;		/* time spent training in the last round */
};

struct lbl;

int lbl_create(const struct lb_geometry *g, unsigned int place, unsigned int victim,
	       const struct lbl_params *p, struct lbl **out);
void lbl_destroy(struct lbl *l);
void lbl_write(struct lbl *l, uint32_t lba, uint64_t decision_id, const int64_t *f);
void lbl_death(struct lbl *l, uint32_t lba, uint64_t decision_id, uint64_t lifetime);
/*
 * Long work (the shadows catching up, each configuration's training) calls
 * fn(arg) now and then, so that the agent can heartbeat (fn may be NULL).
 */
void lbl_set_keepalive(struct lbl *l, void (*fn)(void *arg), void *arg);
/* The device's default policy changed. */
void lbl_set_default(struct lbl *l, unsigned int place, unsigned int victim);
/*
 * Advance the shadows as far as the data allows, running at most one round
 * (call again to catch up). Returns 1 when a model should be pushed (*blob, *len: a
 * verified model blob of version 1, to be re-versioned by the caller;
 * free()), 0 when not, or a negative errno. *v describes the last round
 * (v may be NULL). A round returns as soon as it has the verdict and the
 * model to push; the configurations the verdict did not need train at
 * the next call, before the shadows go on (so call again soon).
 */
int lbl_step(struct lbl *l, struct lbl_verdict *v, void **blob, size_t *len);
/* The model now deployed in the kernel, from the store (NULL: none). */
int lbl_adopt(struct lbl *l, const void *blob, size_t len);
void lbl_get_stats(const struct lbl *l, struct lbl_stats *s);
/* Counters of shadow @i (0: the default policy, 1 + c: configuration c). */
int lbl_shadow_stats(const struct lbl *l, unsigned int i, struct lb_stats *st);

#endif /* LB_LEARN_H */
