// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of user/logblk/lb_tree.c: the histogram regression tree finds
 * the split that explains the target, respects its limits, joins, and
 * compiles to an integer model that the kernel's executor (core/ml_model.c)
 * runs to exactly the tree's leaves; and every split is the best one over
 * the rows that reach its node, as an exhaustive search finds it (the fit
 * derives most histograms by subtraction, which this checks).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lb_tree.h"
#include "ml_model.h"
#include "mltest.h"

#define NF	4
#define ROWS	20000

static uint8_t x[ROWS * NF];
static float y[ROWS];

/* y = 10 when feature 2 <= 17, else 20, plus a small effect of feature 0. */
static void make_data(void)
{
	uint64_t r = 7;

	for (size_t i = 0; i < ROWS; i++) {
		for (unsigned int f = 0; f < NF; f++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			x[i * NF + f] = (uint8_t)((r >> 33) % LBT_TREE_BINS);
		}
		y[i] = (x[i * NF + 2] <= 17 ? 10.0f : 20.0f) + (x[i * NF + 0] > 40 ? 1.0f : 0.0f);
	}
}

static const struct lbt_data data = { .n = ROWS, .stride = NF, .x = x, .y = y };

static void test_finds_the_split(void)
{
	static struct lbt_tree t;
	struct lbt_params p = { .max_depth = 1, .min_leaf = 10, .feature_mask = 0xf,
				.nr_features = NF };

	MT_REQUIRE(lbt_fit(&t, &data, &p) == 0);
	MT_CHECK_EQ(t.nr_nodes, 3);
	MT_CHECK_EQ(t.feature[0], 2);
	MT_CHECK_EQ(t.threshold[0], 17);
	MT_CHECK(fabs(t.mean[t.left[0]] - 10.3) < 0.1, "left mean %f", t.mean[t.left[0]]);
	MT_CHECK(fabs(t.mean[t.right[0]] - 20.3) < 0.1, "right mean %f", t.mean[t.right[0]]);
	/* Each side spreads by feature 0's effect: 1 with probability 23/64. */
	MT_CHECK(fabs(t.sd[t.left[0]] - sqrt(23.0 / 64 * 41 / 64)) < 0.02, "left sd %f",
		 t.sd[t.left[0]]);
	/* Deeper: the second effect is found under both sides. */
	p.max_depth = 2;
	MT_REQUIRE(lbt_fit(&t, &data, &p) == 0);
	MT_CHECK_EQ(lbt_depth(&t), 2);
	MT_CHECK_EQ(lbt_leaves(&t), 4);
	MT_CHECK_EQ(t.feature[t.left[0]], 0);
	MT_CHECK_EQ(t.threshold[t.left[0]], 40);
	/* Every leaf holds one target value now: no spread. */
	for (unsigned int i = 0; i < t.nr_nodes; i++)
		MT_CHECK(t.left[i] >= 0 || t.sd[i] < 1e-6, "leaf %u sd %f", i, t.sd[i]);
	/* A feature out of the mask is never used. */
	p.feature_mask = 0xf & ~(1u << 2);
	MT_REQUIRE(lbt_fit(&t, &data, &p) == 0);
	for (unsigned int i = 0; i < t.nr_nodes; i++)
		MT_CHECK(t.left[i] < 0 || t.feature[i] != 2);
}

static void test_limits(void)
{
	static struct lbt_tree t;
	struct lbt_params p = { .max_depth = 8, .min_leaf = ROWS / 4, .feature_mask = 0xf,
				.nr_features = NF };

	MT_REQUIRE(lbt_fit(&t, &data, &p) == 0);
	for (unsigned int i = 0; i < t.nr_nodes; i++)
		MT_CHECK(t.left[i] >= 0 || t.weight[i] >= ROWS / 4, "leaf %u weighs %f", i,
			 t.weight[i]);
	p.max_depth = 0;
	MT_CHECK_EQ(lbt_fit(&t, &data, &p), -EINVAL);
	p.max_depth = 9;
	MT_CHECK_EQ(lbt_fit(&t, &data, &p), -EINVAL);
	p.max_depth = 3;
	p.nr_features = NF + 1;
	MT_CHECK_EQ(lbt_fit(&t, &data, &p), -EINVAL);
	/* Targets the fixed point cannot hold are refused, the tree untouched. */
	p.nr_features = NF;
	t.nr_nodes = 7;
	for (int k = 0; k < 3; k++) {
		static float yb[ROWS];
		struct lbt_data bad = data;
		const float worst[] = { LBT_TREE_Y_MAX, -LBT_TREE_Y_MAX, NAN };

		memcpy(yb, data.y, sizeof(yb));
		yb[ROWS / 2] = worst[k];
		bad.y = yb;
		MT_CHECK_EQ(lbt_fit(&t, &bad, &p), -EINVAL);
		MT_CHECK_EQ(t.nr_nodes, 7);
		yb[ROWS / 2] = LBT_TREE_Y_MAX - 1;
		MT_CHECK_EQ(lbt_fit(&t, &bad, &p), 0);
		t.nr_nodes = 7;
	}
}

static int64_t as_int(const struct lbt_tree *t, unsigned int node, void *arg)
{
	(void)arg;
	return (int64_t)lround(t->mean[node] * 10);
}

/* The compiled model gives each row exactly its leaf's value. */
static void test_compile(void)
{
	static struct lbt_tree t, j;
	struct lbt_params p = { .max_depth = 6, .min_leaf = 50, .feature_mask = 0xf,
				.nr_features = NF };
	struct ml_model m;
	const char *why = NULL;
	void *blob;
	size_t len;

	MT_REQUIRE(lbt_fit(&t, &data, &p) == 0);
	MT_REQUIRE(lbt_compile(&t, NF + 2, 9, as_int, NULL, &blob, &len) == 0);
	MT_REQUIRE(ml_model_verify(&m, blob, len, &why) == 0);
	MT_CHECK_EQ(m.version, 9);
	MT_CHECK_EQ(m.nr_inputs, NF + 2);
	for (size_t i = 0; i < ROWS; i += 7) {
		s64 in[NF + 2] = { 0 }, out[ML_LIB_MAX_ACTIONS];

		for (unsigned int f = 0; f < NF; f++)
			in[f] = x[i * NF + f];
		ml_model_run(&m, in, out);
		MT_CHECK(out[0] == as_int(&t, (unsigned int)lbt_leaf_u8(&t, &x[i * NF]), NULL),
			 "row %zu", i);
	}
	free(blob);
	/* Joined under a split on feature 3: each side answers as its tree. */
	MT_REQUIRE(lbt_join(&j, 3, 31, &t, &t) == 0);
	MT_CHECK_EQ(j.nr_nodes, 2 * t.nr_nodes + 1);
	MT_CHECK_EQ(lbt_depth(&j), lbt_depth(&t) + 1);
	for (size_t i = 0; i < ROWS; i += 13) {
		MT_CHECK(lbt_predict_u8(&j, &x[i * NF]) == lbt_predict_u8(&t, &x[i * NF]));
		MT_CHECK(j.sd[lbt_leaf_u8(&j, &x[i * NF])] == t.sd[lbt_leaf_u8(&t, &x[i * NF])]);
	}
	MT_REQUIRE(lbt_compile(&j, NF, 1, as_int, NULL, &blob, &len) == 0);
	MT_CHECK(ml_model_verify(&m, blob, len, &why) == 0);
	free(blob);
	/* A tree too big to join is refused. */
	j.nr_nodes = LBT_TREE_MAX_NODES - 1;
	MT_CHECK_EQ(lbt_join(&j, 0, 0, &j, &t), -E2BIG);
}

/*
 * Noisy rows: every feature matters a little. The targets are on the
 * fit's grid (2^-LBT_TREE_Y_SHIFT), so that the sums below are exact.
 */
static void make_noisy(uint8_t *nx, float *ny)
{
	uint64_t r = 11;

	for (size_t i = 0; i < ROWS; i++) {
		double v = 0;

		for (unsigned int f = 0; f < NF; f++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			nx[i * NF + f] = (uint8_t)((r >> 33) % LBT_TREE_BINS);
			v += (f + 1) * sin(nx[i * NF + f] / (4.0 + f));
		}
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		v += (double)(r >> 40) / (1 << 24);
		ny[i] = (float)ldexp(round(ldexp(v, LBT_TREE_Y_SHIFT)), -LBT_TREE_Y_SHIFT);
	}
}

/* Does row @i reach node @n of @t? */
static bool reaches(const struct lbt_tree *t, const uint8_t *row, int n)
{
	int k = 0;

	while (k != n && t->left[k] >= 0)
		k = row[t->feature[k]] <= t->threshold[k] ? t->left[k] : t->right[k];
	return k == n;
}

/* The best gain over node @n's rows, by a search from scratch. */
static double best_gain(const struct lbt_data *d, const struct lbt_tree *t, int n,
			double min_leaf)
{
	double best = 0;

	for (unsigned int f = 0; f < NF; f++)
		for (unsigned int b = 0; b + 1 < LBT_TREE_BINS; b++) {
			double lw = 0, ly = 0, rw = 0, ry = 0, gain;

			for (size_t i = 0; i < d->n; i++) {
				const uint8_t *row = &d->x[i * NF];

				if (!reaches(t, row, n))
					continue;
				if (row[f] <= b) {
					lw++;
					ly += d->y[i];
				} else {
					rw++;
					ry += d->y[i];
				}
			}
			if (lw < min_leaf || rw < min_leaf)
				continue;
			gain = ly * ly / lw + ry * ry / rw - (ly + ry) * (ly + ry) / (lw + rw);
			if (gain > best)
				best = gain;
		}
	return best;
}

/* The gain of node @n's own split, over its rows. */
static double split_gain(const struct lbt_data *d, const struct lbt_tree *t, int n)
{
	double lw = 0, ly = 0, rw = 0, ry = 0;

	for (size_t i = 0; i < d->n; i++) {
		const uint8_t *row = &d->x[i * NF];

		if (!reaches(t, row, n))
			continue;
		if (row[t->feature[n]] <= t->threshold[n]) {
			lw++;
			ly += d->y[i];
		} else {
			rw++;
			ry += d->y[i];
		}
	}
	return ly * ly / lw + ry * ry / rw - (ly + ry) * (ly + ry) / (lw + rw);
}

static void test_best_splits(void)
{
	static uint8_t nx[ROWS * NF];
	static float ny[ROWS];
	static struct lbt_tree t;
	struct lbt_data d = { .n = ROWS, .stride = NF, .x = nx, .y = ny };
	struct lbt_params p = { .max_depth = 5, .min_leaf = 40, .feature_mask = 0xf,
				.nr_features = NF };
	unsigned int inner = 0;

	make_noisy(nx, ny);
	MT_REQUIRE(lbt_fit(&t, &d, &p) == 0);
	MT_CHECK_EQ(lbt_depth(&t), 5);
	for (unsigned int n = 0; n < t.nr_nodes; n++) {
		double want;

		if (t.left[n] < 0)
			continue;
		want = best_gain(&d, &t, (int)n, p.min_leaf);
		inner++;
		MT_CHECK(fabs(split_gain(&d, &t, (int)n) - want) <= 1e-9 * want,
			 "node %u: gain %.9g, best %.9g", n, split_gain(&d, &t, (int)n), want);
	}
	MT_CHECK(inner >= 20, "%u inner nodes", inner);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	make_data();
	MT_RUN(test_finds_the_split);
	MT_RUN(test_limits);
	MT_RUN(test_compile);
	MT_RUN(test_best_splits);
	return mt_summary();
}
