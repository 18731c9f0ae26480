// SPDX-License-Identifier: GPL-2.0
/*
 * tree_bench: the cost of fitting the lifetime learner's regression tree
 * (user/logblk/lb_tree.c), against the straightforward histogram fit it
 * replaced, side by side in one run on the same rows.
 *
 * The learner fits four trees a round (two configurations, user writes and
 * GC moves, each on up to max_rows / 2 rows), in mlagentd, which under
 * emulation has to keep up with the device: training was half of its time.
 * lbt_fit() builds a node's histograms in one pass over its rows and only
 * for the smaller child (the larger's by subtraction), in integers (the
 * targets in fixed point: under emulation floating point is a helper call
 * per operation; tree.sh runs this under qemu-x86_64 too). The reference here
 * is the earlier fit: one pass over the node's rows per feature, for every
 * node, a frozen copy of lb_tree.c's grow() as it was (its split search
 * and partition repeat the current one's by design: the baseline must
 * not change when lb_tree.c does). Both must give the same tree; the
 * bench says so, or fails.
 *
 * usage: tree_bench [ROWS [DEPTH [REPEAT]]]   (default 65536 6 10)
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lb_tree.h"

#define NF	15	/* the placement's features (core/lb_feat.h: LBF_NR) */

struct ref {
	struct lbt_tree *t;
	const struct lbt_data *d;
	const struct lbt_params *p;
};

/* The earlier fit: a histogram pass over the node's rows per feature. */
static int ref_grow(struct ref *F, size_t *idx, size_t n, unsigned int depth)
{
	const struct lbt_data *d = F->d;
	struct lbt_tree *t = F->t;
	double sw = 0, sy = 0, syy = 0, best = 1e-12;
	int me = (int)t->nr_nodes++, bf = -1, bt = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		sw += 1;
		sy += d->y[idx[i]];
		syy += d->y[idx[i]] * d->y[idx[i]];
	}
	t->left[me] = -1;
	t->right[me] = -1;
	t->feature[me] = 0;
	t->threshold[me] = 0;
	t->mean[me] = sw > 0 ? sy / sw : 0;
	t->sd[me] = sw > 0 && syy / sw > t->mean[me] * t->mean[me] ?
		sqrt(syy / sw - t->mean[me] * t->mean[me]) : 0;
	t->weight[me] = sw;
	if (depth >= F->p->max_depth || sw < 2 * F->p->min_leaf ||
	    t->nr_nodes + 2 > LBT_TREE_MAX_NODES)
		return me;
	for (unsigned int f = 0; f < F->p->nr_features; f++) {
		double hw[LBT_TREE_BINS] = { 0 }, hy[LBT_TREE_BINS] = { 0 };
		double lw = 0, ly = 0;

		for (i = 0; i < n; i++) {
			unsigned int b = d->x[idx[i] * d->stride + f];

			hw[b] += 1;
			hy[b] += d->y[idx[i]];
		}
		for (unsigned int b = 0; b + 1 < LBT_TREE_BINS; b++) {
			double rw, ry, gain;

			lw += hw[b];
			ly += hy[b];
			rw = sw - lw;
			ry = sy - ly;
			if (lw < F->p->min_leaf || rw < F->p->min_leaf)
				continue;
			gain = ly * ly / lw + ry * ry / rw - sy * sy / sw;
			if (gain > best) {
				best = gain;
				bf = (int)f;
				bt = (int)b;
			}
		}
	}
	if (bf < 0)
		return me;
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
	t->left[me] = ref_grow(F, idx, i, depth + 1);
	t->right[me] = ref_grow(F, idx + i, n - i, depth + 1);
	return me;
}

/* Not inlined: callgrind counts it by name. */
static __attribute__((noinline)) int ref_fit(struct lbt_tree *t, const struct lbt_data *d, const struct lbt_params *p)
{
	struct ref F = { .t = t, .d = d, .p = p };
	size_t *idx = malloc(d->n * sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		idx[i] = i;
	t->nr_nodes = 0;
	ref_grow(&F, idx, d->n, 0);
	free(idx);
	return 0;
}

/*
 * Rows like the learner's: small bins, a few features carrying most of a
 * log2-lifetime target (recency, rate, region), the rest noise.
 */
static void make_rows(uint8_t *x, float *y, size_t n)
{
	uint64_t r = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < n; i++) {
		double v = 8;

		for (unsigned int f = 0; f < NF; f++) {
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			x[i * NF + f] = (uint8_t)(r % (f < 4 ? 64 : 8 + f));
		}
		v += 0.1 * x[i * NF + 0] - 0.05 * x[i * NF + 1] + (x[i * NF + 2] > 40 ? 2 : 0);
		v += (x[i * NF + 3] & 1) * 0.5 + (double)(r >> 40) / (1 << 24);
		/* On lbt_fit()'s grid: both fits then sum exactly. */
		y[i] = (float)ldexp(round(ldexp(v, LBT_TREE_Y_SHIFT)), -LBT_TREE_Y_SHIFT);
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool same_tree(const struct lbt_tree *a, const struct lbt_tree *b)
{
	if (a->nr_nodes != b->nr_nodes)
		return false;
	for (unsigned int i = 0; i < a->nr_nodes; i++)
		if (a->left[i] != b->left[i] || a->right[i] != b->right[i] ||
		    (a->left[i] >= 0 && (a->feature[i] != b->feature[i] ||
					 a->threshold[i] != b->threshold[i])) ||
		    a->mean[i] != b->mean[i])
			return false;
	return true;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 65536;
	unsigned int depth = argc > 2 ? (unsigned int)atoi(argv[2]) : 6;
	int rep = argc > 3 ? atoi(argv[3]) : 10;
	static struct lbt_tree t_new, t_ref;
	double best_new = 1e30, best_ref = 1e30;
	uint8_t *x = malloc(n * NF);
	float *y = malloc(n * sizeof(*y));
	struct lbt_data d = { .n = n, .stride = NF, .x = x, .y = y };
	struct lbt_params p = { .max_depth = depth, .min_leaf = n / 1000 > 20 ? n / 1000 : 20,
				.feature_mask = (1u << NF) - 1, .nr_features = NF };

	if (!x || !y || n < 1000 || depth < 1 || depth > 8 || rep < 1) {
		fprintf(stderr, "usage: tree_bench [ROWS >= 1000 [DEPTH 1..8 [REPEAT >= 1]]]\n");
		return 2;
	}
	make_rows(x, y, n);
	/* Interleaved, best of @rep each: the machine is shared and noisy. */
	for (int i = 0; i < rep; i++) {
		double t0 = now_ms(), t1, t2;

		if (lbt_fit(&t_new, &d, &p))
			return 1;
		t1 = now_ms();
		if (ref_fit(&t_ref, &d, &p))
			return 1;
		t2 = now_ms();
		if (t1 - t0 < best_new)
			best_new = t1 - t0;
		if (t2 - t1 < best_ref)
			best_ref = t2 - t1;
	}
	printf("tree fit, %zu rows x %d features, depth %u, %u leaves (best of %d):\n", n, NF,
	       depth, lbt_leaves(&t_new), rep);
	printf("  one pass per feature and node (before):  %8.2f ms\n", best_ref);
	printf("  one pass per node, smaller child, ints:  %8.2f ms\n", best_new);
	printf("  ratio before / now: %.2f; the same tree: %s\n", best_ref / best_new,
	       same_tree(&t_new, &t_ref) ? "yes" : "NO");
	free(x);
	free(y);
	return same_tree(&t_new, &t_ref) ? 0 : 1;
}
