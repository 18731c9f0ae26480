/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay of a logblk trace through the device's own core logic
 * (core/lb_core.c, core/lb_feat.c, core/ml_model.c): the same requests give
 * the same placement, the same GC and the same write amplification as on
 * the device.
 *
 * Besides the device's own choices (as captured, or a forced human policy),
 * a replay can place every write with a given model (what the kernel does
 * with that model at full share) or with the oracle, which knows each
 * version's true death from the future of the trace.
 */
#ifndef LB_REPLAY_H
#define LB_REPLAY_H

#include "lb_core.h"
#include "lb_place.h"
#include "lb_trace.h"

struct lbr_trace {
	struct lbt_header h;
	struct lbt_rec *recs;
	size_t nr;
	uint64_t *death;	/* per block written, in order: the tick its version
				 * dies at (UINT64_MAX: never); lbr_deaths() */
	uint64_t nr_blocks;
	uint64_t death_capacity;	/* the data capacity @death was computed for */
};

int lbr_load(const char *path, struct lbr_trace *t);
void lbr_free(struct lbr_trace *t);
int lbr_deaths(struct lbr_trace *t, const struct lb_geometry *g);

/* Where the classes of user writes come from. */
enum lbr_place {
	LBR_AS_TRACED,		/* the trace's CLASS records, its MODEL and MODE records */
	LBR_POLICY,		/* the policy alone (CLASS, MODEL, MODE records ignored) */
	LBR_MODEL,		/* @model for every write and every GC move */
	LBR_ORACLE,		/* the true time to the next death, in @oracle classes */
};

/* The oracle's classes: thresholds base * ratio^i ticks, @classes streams. */
struct lbr_oracle {
	double base;
	double ratio;
	unsigned int classes;	/* 2 .. LB_MAX_STREAMS */
};

/*
 * The in-sample fit (lbr_best_fit()): the learner's kind of model (a tree
 * for user writes and one for GC moves, joined on LBF_MOVED, leaves
 * classed by thresholds base * ratio^i ticks) fitted on the trace's own
 * true lifetimes, which no learner knows: what the features can tell about
 * a block's life, at best, for one model over the whole trace.
 */
struct lbr_fit {
	double base;
	double ratio;
	bool log;		/* leaves of a circular log get the log class */
	unsigned int leaves;
	size_t rows[2];		/* rows fitted: user writes, GC moves */
};

struct lbr_rows;

/* Models by version, for the MODEL records of a captured learning run. */
struct lbr_models {
	const char *dir;	/* files DIR/VERSION.mlm; NULL: none */
	const struct lbp_model *one;	/* or this one for any version but 0 */
};

struct lbr_opts {
	struct lb_geometry g;
	unsigned int place;	/* placement at the start */
	unsigned int victim;	/* victim selection at the start */
	bool follow_policy;	/* apply LBT_POLICY records */
	bool bg_gc;		/* apply LBT_GC records */
	bool check;		/* verify every invariant of the device at the end */
	enum lbr_place how;
	const struct lbp_model *model;	/* LBR_MODEL */
	struct lbr_oracle oracle;	/* LBR_ORACLE */
	struct lbr_models models;	/* LBR_AS_TRACED: the models of MODEL records */
	struct lbr_rows *rows;	/* LBR_POLICY: collect the fit's rows (lbr_best_fit()) */
	uint64_t series;	/* print "tick WAF" every this many user blocks (0: no) */
	FILE *series_out;
};

struct lbr_result {
	struct lb_stats total;	/* at the end */
	struct lb_stats at_mark;	/* at the last LBT_MARK */
	bool has_mark;
	uint64_t nospc_reqs;	/* write requests the device refused */
	uint64_t deaths;	/* live versions that died */
	uint64_t death_moves;	/* GC moves of those versions */
	uint32_t mapped;	/* mapped blocks at the end */
	uint32_t free_segs;	/* free segments at the end */
	/* LBR_AS_TRACED with models: the trace's ML classes checked against them. */
	uint64_t ml_blocks;	/* blocks the trace gives an ML class */
	uint64_t ml_checked;	/* of those, recomputed with the model in force */
	uint64_t ml_mismatch;	/* recomputed class differs from the trace's */
	uint64_t models_missing;	/* MODEL records whose model was not found */
	uint64_t gc_advised;	/* GC moves placed by a model */
};

int lbr_run(const struct lbr_trace *t, const struct lbr_opts *o,
	    struct lbr_result *res);
void lbr_opts_from_trace(const struct lbr_trace *t, struct lbr_opts *o);
/* The best oracle of a small grid (by window WAF): its figures, classes, victim. */
int lbr_best_oracle(struct lbr_trace *t, const struct lbr_opts *o,
		    struct lbr_result *res, struct lbr_oracle *best, unsigned int *victim);
/* The best in-sample fit of a small grid (by window WAF), from the policy @o names. */
int lbr_best_fit(struct lbr_trace *t, const struct lbr_opts *o,
		 struct lbr_result *res, struct lbr_fit *best, unsigned int *victim);

#endif /* LB_REPLAY_H */
