// SPDX-License-Identifier: GPL-2.0
/* A histogram regression tree on binned features; see lb_tree.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lb_tree.h"
#include "model_build.h"

/*
 * Targets in fixed point, 2^-LBT_TREE_Y_SHIFT apart: the histograms are
 * integer sums.
 * Why: under emulation (the guest's agent runs under TCG) every floating
 * point operation is a call into a soft-float helper, and with double
 * histograms a fit of 65,536 rows at depth 6 took 160-270 ms there (under
 * qemu-x86_64) against 10 ms natively: most of a round's training. Now
 * 37-61 ms (bench/logblk/tree.sh). A target 2^-17 off changes a log2
 * lifetime by nothing a class can see.
 *
 * A node's histograms: rows and target sum per feature and bin.
 */
struct hist {
	uint32_t n[LBT_TREE_MAX_FEATURES][LBT_TREE_BINS];
	int64_t y[LBT_TREE_MAX_FEATURES][LBT_TREE_BINS];
};

struct fit {
	struct lbt_tree *t;
	const struct lbt_data *d;
	const struct lbt_params *p;
	size_t *idx;
	int32_t *yq;				/* the targets in fixed point */
	unsigned int nr_feat;			/* the features that may be split on */
	unsigned int feat[LBT_TREE_MAX_FEATURES];
	struct hist h[8];			/* scratch per depth below max_depth (<= 8): grow() */
};

/* The histograms of rows idx[0..n), in one pass, each row's bins read together. */
static void hist_build(const struct fit *F, struct hist *h, const size_t *idx, size_t n)
{
	const struct lbt_data *d = F->d;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		size_t r = idx[i];
		const uint8_t *x = d->x + r * d->stride;
		int64_t y = F->yq[r];

		for (unsigned int k = 0; k < F->nr_feat; k++) {
			unsigned int b = x[F->feat[k]];

			h->n[k][b]++;
			h->y[k][b] += y;
		}
	}
}

/* @h -= @s, bin by bin. */
static void hist_sub(const struct fit *F, struct hist *h, const struct hist *s)
{
	for (unsigned int k = 0; k < F->nr_feat; k++)
		for (unsigned int b = 0; b < LBT_TREE_BINS; b++) {
			h->n[k][b] -= s->n[k][b];
			h->y[k][b] -= s->y[k][b];
		}
}

/*
 * Grow the node for rows idx[0..n) at depth @depth, whose histograms are
 * @h (NULL: it cannot split); return its index.
 *
 * Why like this: the histograms were half of the agent's time in a guest.
 * They are built in one pass over the rows (a pass per feature read every
 * row once per feature, through the index), and only for the smaller
 * child: the larger one's are the parent's minus the smaller's, as in
 * LightGBM. The smaller child's go to the scratch of the next depth, the
 * larger's replace the parent's (done with them); a node's subtree only
 * writes the scratch of depths below its own, so both stay valid until
 * their child is grown.
 */
static int grow(struct fit *F, size_t *idx, size_t n, unsigned int depth, struct hist *h)
{
	const struct lbt_data *d = F->d;
	struct lbt_tree *t = F->t;
	const double one = 1 << LBT_TREE_Y_SHIFT;
	double sw = (double)n, sy, mean, var, best = 1e-12;
	int me = (int)t->nr_nodes++, bf = -1, bt = 0;
	struct hist *hl = NULL, *hr = NULL;
	unsigned __int128 syy = 0;
	int64_t isy = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		int64_t y = F->yq[idx[i]];

		isy += y;
		syy += (unsigned __int128)(y * y);
	}
	sy = (double)isy / one;
	mean = n ? sy / sw : 0;
	var = n ? (double)syy / (one * one) / sw - mean * mean : 0;
	t->left[me] = -1;
	t->right[me] = -1;
	t->feature[me] = 0;
	t->threshold[me] = 0;
	t->mean[me] = mean;
	t->sd[me] = var > 0 ? sqrt(var) : 0;
	t->weight[me] = sw;
	/* Room for two children, depth left, and rows for two leaves. */
	if (!h || depth >= F->p->max_depth || sw < 2 * F->p->min_leaf ||
	    t->nr_nodes + 2 > LBT_TREE_MAX_NODES)
		return me;
	for (unsigned int k = 0; k < F->nr_feat; k++) {
		const uint32_t *hn = h->n[k];
		const int64_t *hy = h->y[k];
		uint32_t ln = 0;
		int64_t ly = 0;

		for (unsigned int b = 0; b + 1 < LBT_TREE_BINS; b++) {
			double lw, rw, l, r, gain;

			/* An empty bin splits as the one before it did. */
			if (!hn[b])
				continue;
			ln += hn[b];
			ly += hy[b];
			lw = ln;
			rw = sw - lw;
			if (lw < F->p->min_leaf || rw < F->p->min_leaf)
				continue;
			l = (double)ly / one;
			r = sy - l;
			/* Reduction of the squared error. */
			gain = l * l / lw + r * r / rw - sy * sy / sw;
			if (gain > best) {
				best = gain;
				bf = (int)F->feat[k];
				bt = (int)b;
			}
		}
	}
	if (bf < 0)
		return me;
	/* Partition: rows going left first. */
	i = 0;
	j = n;
	while (i < j) {
		if (d->x[idx[i] * d->stride + bf] <= bt) {
			i++;
		} else {
			size_t x = idx[i];

			idx[i] = idx[--j];
			idx[j] = x;
		}
	}
	t->feature[me] = (uint16_t)bf;
	t->threshold[me] = bt;
	if (depth + 1 < F->p->max_depth) {
		struct hist *small = &F->h[depth + 1];

		if (i <= n - i) {
			hist_build(F, small, idx, i);
			hl = small;
			hr = h;
		} else {
			hist_build(F, small, idx + i, n - i);
			hl = h;
			hr = small;
		}
		hist_sub(F, h, small);
	}
	t->left[me] = grow(F, idx, i, depth + 1, hl);
	t->right[me] = grow(F, idx + i, n - i, depth + 1, hr);
	return me;
}

/**
 * lbt_fit() - fit a regression tree
 * @t: the tree, overwritten
 * @d: the training set (every x below LBT_TREE_BINS, every y finite and
 *     below LBT_TREE_Y_MAX in magnitude; the fit reads y to
 *     2^-LBT_TREE_Y_SHIFT)
 * @p: parameters
 *
 * Return: 0; -EINVAL for bad parameters, no rows or a target out of
 * range; -ENOMEM.
 */
int lbt_fit(struct lbt_tree *t, const struct lbt_data *d, const struct lbt_params *p)
{
	struct fit *F;
	size_t i;
	int ret = 0;

	if (!d->n || !p->max_depth || p->max_depth > 8 || !p->nr_features ||
	    p->nr_features > LBT_TREE_MAX_FEATURES || p->nr_features > d->stride)
		return -EINVAL;
	F = calloc(1, sizeof(*F));
	if (!F)
		return -ENOMEM;
	F->idx = malloc(d->n * sizeof(*F->idx));
	F->yq = malloc(d->n * sizeof(*F->yq));
	if (!F->idx || !F->yq) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < d->n; i++) {
		if (!(fabsf(d->y[i]) < LBT_TREE_Y_MAX)) {
			ret = -EINVAL;
			goto out;
		}
		F->yq[i] = (int32_t)lrint((double)d->y[i] * (1 << LBT_TREE_Y_SHIFT));
		F->idx[i] = i;
	}
	F->t = t;
	F->d = d;
	F->p = p;
	for (unsigned int f = 0; f < p->nr_features; f++)
		if (p->feature_mask >> f & 1)
			F->feat[F->nr_feat++] = f;
	t->nr_nodes = 0;
	hist_build(F, &F->h[0], F->idx, d->n);
	grow(F, F->idx, d->n, 0, &F->h[0]);
out:
	free(F->yq);
	free(F->idx);
	free(F);
	return ret;
}

int lbt_leaf_u8(const struct lbt_tree *t, const uint8_t *x)
{
	int n = 0;

	while (t->left[n] >= 0)
		n = x[t->feature[n]] <= t->threshold[n] ? t->left[n] : t->right[n];
	return n;
}

double lbt_predict_u8(const struct lbt_tree *t, const uint8_t *x)
{
	return t->mean[lbt_leaf_u8(t, x)];
}

static unsigned int depth_of(const struct lbt_tree *t, int n)
{
	unsigned int l, r;

	if (t->left[n] < 0)
		return 0;
	l = depth_of(t, t->left[n]);
	r = depth_of(t, t->right[n]);
	return 1 + (l > r ? l : r);
}

unsigned int lbt_depth(const struct lbt_tree *t)
{
	return t->nr_nodes ? depth_of(t, 0) : 0;
}

static void copy_nodes(struct lbt_tree *t, const struct lbt_tree *a, unsigned int off)
{
	for (unsigned int i = 0; i < a->nr_nodes; i++) {
		unsigned int j = off + i;

		t->left[j] = a->left[i] < 0 ? -1 : a->left[i] + (int32_t)off;
		t->right[j] = a->right[i] < 0 ? -1 : a->right[i] + (int32_t)off;
		t->feature[j] = a->feature[i];
		t->threshold[j] = a->threshold[i];
		t->mean[j] = a->mean[i];
		t->sd[j] = a->sd[i];
		t->weight[j] = a->weight[i];
	}
}

int lbt_join(struct lbt_tree *t, unsigned int feature, int64_t threshold,
	     const struct lbt_tree *a, const struct lbt_tree *b)
{
	if (!a->nr_nodes || !b->nr_nodes || 1 + a->nr_nodes + b->nr_nodes > LBT_TREE_MAX_NODES)
		return -E2BIG;
	t->nr_nodes = 1 + a->nr_nodes + b->nr_nodes;
	t->left[0] = 1;
	t->right[0] = (int32_t)(1 + a->nr_nodes);
	t->feature[0] = (uint16_t)feature;
	t->threshold[0] = threshold;
	t->weight[0] = a->weight[0] + b->weight[0];
	t->mean[0] = t->weight[0] > 0 ?
		(a->mean[0] * a->weight[0] + b->mean[0] * b->weight[0]) / t->weight[0] : 0;
	t->sd[0] = 0;	/* an inner node: no model reads it */
	copy_nodes(t, a, 1);
	copy_nodes(t, b, 1 + a->nr_nodes);
	return 0;
}

unsigned int lbt_leaves(const struct lbt_tree *t)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < t->nr_nodes; i++)
		n += t->left[i] < 0;
	return n;
}

/**
 * lbt_compile() - the tree as a kernel integer model
 * @t: the tree
 * @nr_inputs: the model's inputs (the proxy's features)
 * @version: the model version, non-zero
 * @leaf_value: maps a leaf (its node in @t) to its integer output
 * @arg: passed to @leaf_value
 * @blob: out: the blob (free())
 * @len: out: its length
 *
 * Return: 0 or a negative errno from the builder (model_build.h).
 */
int lbt_compile(const struct lbt_tree *t, unsigned int nr_inputs, uint64_t version,
		int64_t (*leaf_value)(const struct lbt_tree *t, unsigned int node, void *arg),
		void *arg, void **blob, size_t *len)
{
	int64_t value[LBT_TREE_MAX_NODES];
	struct ml_build_tree bt = {
		.nr_nodes = t->nr_nodes,
		.left = t->left,
		.right = t->right,
		.feature = t->feature,
		.threshold = t->threshold,
		.value = value,
	};
	struct ml_build_forest f = {
		.version = version,
		.nr_inputs = nr_inputs,
		.nr_outputs = 1,
		.nr_trees = 1,
		.trees = &bt,
		.combine = ML_LIB_MODEL_SUM,
	};

	if (!t->nr_nodes)
		return -EINVAL;
	for (unsigned int i = 0; i < t->nr_nodes; i++)
		value[i] = t->left[i] < 0 ? leaf_value(t, i, arg) : 0;
	return ml_build_forest(&f, blob, len);
}
