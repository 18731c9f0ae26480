/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The learned placement of logblk in user space: a device (core/lb_core)
 * whose writes are classed by an integer model (core/ml_model) on the
 * features of core/lb_feat, exactly as the kernel's placement proxy does
 * (kernel/examples/logblk/logblk_place.c):
 *
 *  - a user write of the ML arm goes to the stream of the model's class
 *    (the output clamped to -1..LB_CLASS_LOG, -1 meaning "where the
 *    policy puts it"); of the default arm, where the policy puts it;
 *  - GC moves an ML-placed block to the class the model gives for its
 *    features at the move (LBF_MOVED = 1), or where the policy moves its
 *    own blocks for -1; without a model it keeps its class. In the
 *    kernel's RECOMMENDATION mode (@gc_all) the model also moves the
 *    blocks the policy placed, so that data written before the model
 *    does not stay organized by the old policy.
 *
 * The replayer, the learner's shadow device and the host tools use it; the
 * guest test checks it against the kernel bit for bit.
 */
#ifndef LB_PLACE_H
#define LB_PLACE_H

#include <stdbool.h>
#include "lb_core.h"
#include "lb_feat.h"
#include "ml_model.h"

/* Lifetime classes 0 (coldest) .. LBP_CLASSES - 1; then LB_CLASS_LOG. */
#define LBP_CLASSES	LB_HOTCOLD_CLASSES
#define LBP_POLICY	(-1)		/* the model's output meaning "as the policy would" */

/* A verified model and its blob. */
struct lbp_model {
	struct ml_model m;
	void *blob;
	size_t len;
};

int lbp_model_load(struct lbp_model *pm, const void *blob, size_t len, const char **why);
int lbp_model_read(struct lbp_model *pm, const char *path);
void lbp_model_free(struct lbp_model *pm);
/*
 * The model's output for features @f (LBF_NR values), clamped like the
 * kernel to LBP_POLICY .. LB_CLASS_LOG.
 */
int lbp_model_class(const struct lbp_model *pm, const s64 *f);
/*
 * The stream of a user write of @d the model classes @f (lb_class_stream()),
 * LB_CLASS_NONE for the policy's choice.
 */
unsigned int lbp_model_hint(const struct lbp_model *pm, const struct lb_dev *d,
			    const s64 *f);

/*
 * The learner's trees, by default (lbl_params_default()); the replayer's
 * fit (lbr_best_fit()) fits the same kind.
 */
#define LBP_TREE_DEPTH	6
#define LBP_MIN_LEAF	(1.0 / 200)	/* the share of the rows a leaf holds, at least */
#define LBP_MIN_LEAF_ROWS	20	/* and at least this many rows */
#define LBP_LOG_SD	0.15		/* a log's leaf: log2 lifetimes spread less (octaves) */
#define LBP_LOG_LIFE	0.125		/* and live less on average (device sizes) */

/*
 * How a compiled tree's leaf becomes a class (lbp_leaf_class(), the
 * leaf_value of lbt_compile()): thresholds @th[0 .. LBP_CLASSES - 2] in
 * ticks on the leaf's mean lifetime; a leaf whose log2 lifetimes spread
 * less than @log_sd with a mean below @log_mean is a circular log's
 * (LB_CLASS_LOG; @log_sd 0: never).
 */
struct lbp_leafmap {
	const double *th;
	double log_sd, log_mean;
};

struct lbt_tree;
int64_t lbp_leaf_class(const struct lbt_tree *t, unsigned int node, void *arg);

struct lbp_engine {
	struct lb_dev d;
	void *mem;			/* the core's arrays */
	size_t mem_len;
	struct lbf_dev fs;
	struct lbf_block *fb;		/* per block */
	const struct lbp_model *model;	/* GC advice for ML blocks; NULL: keep the class */
	bool gc_all;			/* the model also moves the policy's blocks
					 * (the kernel's RECOMMENDATION mode) */
	bool gc_off;			/* no placement at GC (the kernel's EMERGENCY) */
	/* Optional: replaces the model at GC (the replayer's oracle). */
	unsigned int (*gc_override)(void *priv, u32 lba, const struct lb_block *b);
	uint64_t gc_advised;		/* ML blocks GC moved on the model's advice */
	void (*death)(void *priv, const struct lb_death *dt);	/* optional */
	void (*moved)(void *priv, u32 lba);	/* optional: GC moved @lba */
	void *priv;
	struct lb_ops ops;
};

int lbp_init(struct lbp_engine *e, const struct lb_geometry *g, unsigned int place,
	     unsigned int victim);
void lbp_free(struct lbp_engine *e);
/* Copy the whole state of @src into @dst (same geometry, both initialized). */
void lbp_copy(struct lbp_engine *dst, const struct lbp_engine *src);

#endif /* LB_PLACE_H */
