/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A histogram regression tree on small integer features, and its
 * compilation to the kernel's integer tree format.
 *
 * Features are bins 0..LBT_TREE_BINS-1 (core/lb_feat.c makes every feature
 * of the placement so); a split "x[f] <= t" is searched exactly over the
 * bins with one histogram of target sums per feature and node, which is
 * what LightGBM and XGBoost's "hist" method do, without their binning
 * step. The tree is small (depth <= 8, a few dozen leaves), so the kernel
 * evaluates it in a few dozen instructions. Why not a library: docs/logblk.md
 * ("Why a hand-written tree").
 */
#ifndef LB_TREE_H
#define LB_TREE_H

#include <stddef.h>
#include <stdint.h>

#define LBT_TREE_BINS		64
#define LBT_TREE_MAX_FEATURES	16
#define LBT_TREE_MAX_NODES	511
/* lbt_fit() reads targets to 2^-LBT_TREE_Y_SHIFT, below LBT_TREE_Y_MAX in magnitude. */
#define LBT_TREE_Y_SHIFT	16
#define LBT_TREE_Y_MAX		(1 << 14)	/* y << LBT_TREE_Y_SHIFT fits in 31 bits */

struct lbt_tree {
	unsigned int nr_nodes;
	int32_t left[LBT_TREE_MAX_NODES];	/* -1: leaf */
	int32_t right[LBT_TREE_MAX_NODES];
	uint16_t feature[LBT_TREE_MAX_NODES];
	int64_t threshold[LBT_TREE_MAX_NODES];	/* go left when x <= threshold */
	double mean[LBT_TREE_MAX_NODES];	/* mean target of the node */
	double sd[LBT_TREE_MAX_NODES];		/* standard deviation of the target */
	double weight[LBT_TREE_MAX_NODES];	/* training rows that reached it */
};

/* A training set: row i has features x[i * stride + f] (bins) and target y[i]. */
struct lbt_data {
	size_t n;
	unsigned int stride;
	const uint8_t *x;
	const float *y;
};

struct lbt_params {
	unsigned int max_depth;		/* 1 .. 8 */
	double min_leaf;		/* least rows in a leaf */
	uint32_t feature_mask;		/* bit f: feature f may be split on */
	unsigned int nr_features;	/* features per row (<= stride) */
};

int lbt_fit(struct lbt_tree *t, const struct lbt_data *d, const struct lbt_params *p);
/* The leaf a row of bins reaches; and one of s64 features (as the kernel). */
int lbt_leaf_u8(const struct lbt_tree *t, const uint8_t *x);
double lbt_predict_u8(const struct lbt_tree *t, const uint8_t *x);
unsigned int lbt_depth(const struct lbt_tree *t);
/* @t = "x[feature] <= threshold ? @a : @b"; -E2BIG if it has too many nodes. */
int lbt_join(struct lbt_tree *t, unsigned int feature, int64_t threshold,
	     const struct lbt_tree *a, const struct lbt_tree *b);
unsigned int lbt_leaves(const struct lbt_tree *t);

/*
 * Compile to an integer model blob (one tree, one output): leaf value
 * @leaf_value(@t, the leaf's node, @arg), which reads the leaf's mean,
 * spread and weight. @nr_inputs is the model's input count (the schema's
 * features). The blob passes the kernel's verifier; free() it.
 */
int lbt_compile(const struct lbt_tree *t, unsigned int nr_inputs, uint64_t version,
		int64_t (*leaf_value)(const struct lbt_tree *t, unsigned int node, void *arg),
		void *arg, void **blob, size_t *len);

#endif /* LB_TREE_H */
