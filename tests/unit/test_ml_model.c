// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of core/ml_model: hand-computed models, random models against
 * the reference interpreter (tests/lib/model_ref.h), determinism, and one
 * case per verifier rule that breaks exactly that rule and expects its errno
 * (the table is checked against every reject() in core/ml_model.c).
 */
#include <stdint.h>
#include "ml_model.h"
#include "model_build.h"
#include "model_ref.h"
#include "mltest.h"
#include "xorshift.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	return xorshift64(&rng);
}

/* A random feature value, often an extreme one. */
static s64 rand_feature(void)
{
	switch (next() % 8) {
	case 0:
		return S64_MAX;
	case 1:
		return S64_MIN;
	case 2:
		return (s64)(next() % 64) - 32;
	case 3:
		return (s64)next() >> (next() % 63);
	default:
		return (s64)(next() % 2001) - 1000;
	}
}

/* A blob in a buffer with room to grow, as the mutations below need. */
struct blob {
	u8 *p;
	size_t len;
};

#define SLACK 256

static struct blob adopt(void *p, size_t len)
{
	struct blob b = { aligned_alloc(8, (len + SLACK + 7) & ~(size_t)7), len };

	if (!b.p)
		abort();
	memset(b.p, 0, len + SLACK);
	memcpy(b.p, p, len);
	free(p);
	return b;
}

static int verify(const struct blob *b, struct ml_model *m, const char **why)
{
	*why = NULL;
	return ml_model_verify(m, b->p, b->len, why);
}

static void run(const void *p, size_t len, const s64 *x, s64 *out)
{
	struct ml_model m;
	const char *why = NULL;
	int err = ml_model_verify(&m, p, len, &why);

	MT_CHECK(err == 0, "verify: %d (%s)", err, why ? why : "");
	if (!err)
		ml_model_run(&m, x, out);
}

/* ---- hand-computed models ---------------------------------------------- */

/*
 * x0 <= 10 ? 100 : (x1 <= -5 ? -50 : 7), given in an order that is not
 * pre-order, so the builder must reorder it.
 */
static const int32_t hand_left[] = { 3, 4, -1, -1, -1 };
static const int32_t hand_right[] = { 1, 2, -1, -1, -1 };
static const uint16_t hand_feature[] = { 0, 1, 0, 0, 0 };
static const int64_t hand_threshold[] = { 10, -5, 0, 0, 0 };
static const int64_t hand_value[] = { 0, 0, 7, 100, -50 };

static struct blob hand_tree(void)
{
	struct ml_build_tree t = { 5, hand_left, hand_right, hand_feature,
				   hand_threshold, hand_value };
	struct ml_build_forest f = { .version = 1, .nr_inputs = 2, .nr_outputs = 1,
				     .nr_trees = 1, .trees = &t };
	void *p;
	size_t len;

	if (ml_build_forest(&f, &p, &len))
		abort();
	return adopt(p, len);
}

static void test_tree_hand(void)
{
	static const struct { s64 x0, x1, y; } cases[] = {
		{ 10, 0, 100 }, { 11, -5, -50 }, { 11, -4, 7 },
		{ S64_MIN, S64_MAX, 100 }, { S64_MAX, S64_MIN, -50 }, { S64_MAX, S64_MAX, 7 },
	};
	struct blob b = hand_tree();
	struct ml_model m;
	const char *why;

	MT_REQUIRE(verify(&b, &m, &why) == 0, "%s", why);
	MT_CHECK_EQ(m.kind, ML_LIB_MODEL_FOREST);
	MT_CHECK_EQ(m.max_steps, 3);	/* depth 2: three node visits */
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s64 x[2] = { cases[i].x0, cases[i].x1 }, y = 0;

		ml_model_run(&m, x, &y);
		MT_CHECK_EQ(y, cases[i].y);
	}
	free(b.p);
}

/* Two stumps, two outputs: x0 <= 0 ? (10, -3) : (20, 4); x1 <= 5 ? (1, -4) : (-7, 0). */
static struct blob hand_forest(unsigned int combine, unsigned int shift, const int64_t *base)
{
	static const int32_t left[] = { 1, -1, -1 }, right[] = { 2, -1, -1 };
	static const uint16_t feat_a[] = { 0, 0, 0 }, feat_b[] = { 1, 0, 0 };
	static const int64_t thr_a[] = { 0, 0, 0 }, thr_b[] = { 5, 0, 0 };
	static const int64_t val_a[] = { 0, 0, 10, -3, 20, 4 };
	static const int64_t val_b[] = { 0, 0, 1, -4, -7, 0 };
	struct ml_build_tree t[2] = {
		{ 3, left, right, feat_a, thr_a, val_a },
		{ 3, left, right, feat_b, thr_b, val_b },
	};
	struct ml_build_forest f = { .version = 2, .nr_inputs = 2, .nr_outputs = 2,
				     .nr_trees = 2, .trees = t, .combine = combine,
				     .shift = shift, .base = base };
	void *p;
	size_t len;

	if (ml_build_forest(&f, &p, &len))
		abort();
	return adopt(p, len);
}

static void test_forest_sum_hand(void)
{
	static const int64_t base[] = { 1, -1 };
	struct blob b = hand_forest(ML_LIB_MODEL_SUM, 1, base);
	s64 x[2], y[2];

	/* (10 + 1 + 1, -3 - 4 - 1) >> 1 */
	x[0] = 0; x[1] = 5;
	run(b.p, b.len, x, y);
	MT_CHECK_EQ(y[0], 6);
	MT_CHECK_EQ(y[1], -4);
	/* (20 - 7 + 1, 4 + 0 - 1) >> 1 */
	x[0] = 1; x[1] = 6;
	run(b.p, b.len, x, y);
	MT_CHECK_EQ(y[0], 7);
	MT_CHECK_EQ(y[1], 1);
	/* (20 + 1 + 1, 4 - 4 - 1) >> 1: -1/2 floors to -1 */
	x[0] = 1; x[1] = 5;
	run(b.p, b.len, x, y);
	MT_CHECK_EQ(y[0], 11);
	MT_CHECK_EQ(y[1], -1);
	free(b.p);
}

static void test_forest_mean_hand(void)
{
	struct blob b = hand_forest(ML_LIB_MODEL_MEAN, 0, NULL);
	s64 x[2] = { 0, 5 }, y[2];

	/* (11, -7) / 2 rounds toward zero: (5, -3) */
	run(b.p, b.len, x, y);
	MT_CHECK_EQ(y[0], 5);
	MT_CHECK_EQ(y[1], -3);
	free(b.p);
}

static struct blob hand_linear(void)
{
	static const int32_t w[] = { 16, -32, 8, INT32_MAX, INT32_MAX, INT32_MIN };
	static const int64_t bias[] = { 8, 0 };
	struct ml_build_linear l = { .version = 3, .nr_inputs = 3, .nr_outputs = 2,
				     .weights = w, .bias = bias, .shift = 4 };
	void *p;
	size_t len;

	if (ml_build_linear(&l, &p, &len))
		abort();
	return adopt(p, len);
}

static void test_linear_hand(void)
{
	struct blob b = hand_linear();
	s64 y[2];

	/* (16 - 64 + 24 + 8) >> 4 = -16 >> 4 */
	run(b.p, b.len, (s64[]){ 1, 2, 3 }, y);
	MT_CHECK_EQ(y[0], -1);
	/* ((2^31 - 1) (1 + 2) - 2^31 x 3) >> 4 = -3 >> 4, exact */
	MT_CHECK_EQ(y[1], -1);
	run(b.p, b.len, (s64[]){ 0, 0, 0 }, y);
	MT_CHECK_EQ(y[0], 0);
	MT_CHECK_EQ(y[1], 0);
	/* -8 >> 4 floors to -1 */
	run(b.p, b.len, (s64[]){ -1, 0, 0 }, y);
	MT_CHECK_EQ(y[0], -1);
	/* Far beyond 64 bits: saturated, not wrapped. */
	run(b.p, b.len, (s64[]){ S64_MAX, S64_MAX, S64_MIN }, y);
	MT_CHECK_EQ(y[1], S64_MAX);
	run(b.p, b.len, (s64[]){ S64_MIN, S64_MIN, S64_MAX }, y);
	MT_CHECK_EQ(y[1], S64_MIN);
	/* 16 S64_MIN - 32 S64_MAX + 8 S64_MIN is below S64_MIN as well */
	run(b.p, b.len, (s64[]){ S64_MIN, S64_MAX, S64_MIN }, y);
	MT_CHECK_EQ(y[0], S64_MIN);
	free(b.p);
}

static void test_linear_exact_wide(void)
{
	/* One weight of 3 on S64_MAX / 4: the 128-bit sum comes back in range. */
	static const int32_t w[] = { 3, -2 };
	struct ml_build_linear l = { .version = 1, .nr_inputs = 2, .nr_outputs = 1,
				     .weights = w, .shift = 1 };
	s64 x[2] = { S64_MAX, S64_MAX }, y;
	void *p;
	size_t len;

	MT_REQUIRE(ml_build_linear(&l, &p, &len) == 0);
	/* (3 - 2) (2^63 - 1) >> 1: the intermediate 3 x (2^63 - 1) overflows s64 */
	run(p, len, x, &y);
	MT_CHECK_EQ(y, S64_MAX / 2);
	free(p);
}

static struct blob hand_mlp(void)
{
	static const int16_t w0[] = { 1, 2, -3, 1 }, w1[] = { 2, -1 };
	static const int32_t b0[] = { 1, 0 }, b1[] = { 5 };
	static const uint8_t in_shift[] = { 0, 2 };
	struct ml_build_layer layers[] = {
		{ .nr_out = 2, .shift = 1, .activation = ML_LIB_MODEL_ACT_RELU, .bias = b0, .weights = w0 },
		{ .nr_out = 1, .shift = 0, .activation = ML_LIB_MODEL_ACT_NONE, .bias = b1, .weights = w1 },
	};
	struct ml_build_mlp d = { .version = 4, .nr_inputs = 2, .out_lshift = 3, .in_shift = in_shift, .nr_layers = 2,
				  .layers = layers };
	void *p;
	size_t len;

	if (ml_build_mlp(&d, &p, &len))
		abort();
	return adopt(p, len);
}

static void test_mlp_hand(void)
{
	struct blob b = hand_mlp();
	s64 y;

	/* a = (3, 8 >> 2 = 2); h = relu((1 + 3 + 4) >> 1, (-9 + 2) >> 1) = (4, 0); (5 + 8) << 3 */
	run(b.p, b.len, (s64[]){ 3, 8 }, &y);
	MT_CHECK_EQ(y, 104);
	/* a0 saturates to 32767: h = (32768 >> 1, 0); (5 + 32768) << 3 */
	run(b.p, b.len, (s64[]){ 100000, 0 }, &y);
	MT_CHECK_EQ(y, 262184);
	/* a = (-1, -1 >> 2 = -1): h = relu(-2 >> 1, 2 >> 1) = (0, 1); (5 - 1) << 3 */
	run(b.p, b.len, (s64[]){ -1, -1 }, &y);
	MT_CHECK_EQ(y, 32);
	run(b.p, b.len, (s64[]){ S64_MIN, S64_MAX }, &y);
	/*
	 * a = (-32768, 32767): h0 = (1 - 32768 + 65534) >> 1 = 16383,
	 * h1 = sat16((98304 + 32767) >> 1) = 32767; (5 + 32766 - 32767) << 3
	 */
	MT_CHECK_EQ(y, 32);
	free(b.p);
}

static void test_mlp_hidden_saturates(void)
{
	static const int16_t w0[] = { 30000 }, w1[] = { 1 };
	struct ml_build_layer layers[] = {
		{ .nr_out = 1, .weights = w0 },
		{ .nr_out = 1, .weights = w1 },
	};
	struct ml_build_mlp d = { .version = 1, .nr_inputs = 1, .nr_layers = 2, .layers = layers };
	void *p;
	size_t len;
	s64 y;

	MT_REQUIRE(ml_build_mlp(&d, &p, &len) == 0);
	run(p, len, (s64[]){ 2 }, &y);
	MT_CHECK_EQ(y, 32767);
	run(p, len, (s64[]){ -2 }, &y);
	MT_CHECK_EQ(y, -32768);
	run(p, len, (s64[]){ 1 }, &y);
	MT_CHECK_EQ(y, 30000);
	free(p);
}

/* ---- random models against the reference -------------------------------- */

/*
 * A random tree in array form, nodes numbered in a random order. Returns
 * the number of nodes; @perm maps creation order to array index.
 */
struct rtree {
	unsigned int n;
	int32_t left[512], right[512];
	uint16_t feature[512];
	int64_t threshold[512];
	int64_t value[512 * ML_LIB_MAX_ACTIONS];
};

static void random_tree(struct rtree *t, unsigned int nin, unsigned int nout,
			unsigned int max_depth)
{
	unsigned int perm[511], count = 0, i;
	/* Grow breadth-first in creation order: slot c has children 2c+1, 2c+2. */
	int32_t kids[511][2];
	unsigned int depth[511];

	memset(kids, -1, sizeof(kids));
	depth[0] = 0;
	count = 1;
	for (i = 0; i < count; i++) {
		if (!nin || depth[i] >= max_depth || next() % 4 == 0)
			continue;
		kids[i][0] = (int32_t)count;
		kids[i][1] = (int32_t)count + 1;
		depth[count] = depth[count + 1] = depth[i] + 1;
		count += 2;
	}
	/* Random array positions, the root (creation 0) first. */
	for (i = 0; i < count; i++)
		perm[i] = i;
	for (i = count - 1; i > 1; i--) {
		unsigned int j = 1 + next() % i, tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
	t->n = count;
	for (i = 0; i < count; i++) {
		unsigned int at = perm[i];

		t->left[at] = kids[i][0] < 0 ? -1 : (int32_t)perm[kids[i][0]];
		t->right[at] = kids[i][1] < 0 ? -1 : (int32_t)perm[kids[i][1]];
		t->feature[at] = nin ? next() % nin : 0;
		t->threshold[at] = rand_feature();
		for (unsigned int j = 0; j < nout; j++)
			t->value[at * nout + j] = (s64)(next() % (2 * (u64)ML_LIB_MODEL_MAX_VALUE + 1)) -
						  ML_LIB_MODEL_MAX_VALUE;
	}
}

/* The leaf of an array-form tree reached by @x: a third, array-level reference. */
static unsigned int array_walk(const struct rtree *t, const s64 *x)
{
	unsigned int i = 0;

	while (t->left[i] >= 0)
		i = x[t->feature[i]] <= t->threshold[i] ? t->left[i] : t->right[i];
	return i;
}

static void check_against_ref(const void *p, size_t len, unsigned int nin,
			      unsigned int nout, int rounds)
{
	struct ml_model m;
	const char *why = NULL;

	MT_REQUIRE(ml_model_verify(&m, p, len, &why) == 0, "%s", why);
	for (int r = 0; r < rounds; r++) {
		s64 x[ML_LIB_MAX_FEATURES], y[ML_LIB_MAX_ACTIONS], ry[ML_LIB_MAX_ACTIONS];

		for (unsigned int i = 0; i < nin; i++)
			x[i] = rand_feature();
		ml_model_run(&m, x, y);
		ref_run(p, x, ry);
		for (unsigned int j = 0; j < nout; j++)
			MT_CHECK_EQ(y[j], ry[j]);
	}
}

static void test_random_forests(void)
{
	static struct rtree trees[8];

	for (int round = 0; round < 40; round++) {
		unsigned int nin = 1 + next() % ML_LIB_MAX_FEATURES;
		unsigned int nout = 1 + next() % ML_LIB_MAX_ACTIONS;
		unsigned int ntrees = 1 + next() % 8;
		struct ml_build_tree bt[8];
		int64_t base[ML_LIB_MAX_ACTIONS];
		struct ml_build_forest f = {
			.version = 1 + round, .nr_inputs = nin, .nr_outputs = nout,
			.nr_trees = ntrees, .trees = bt, .combine = next() % 2,
			.shift = next() % (ML_LIB_MODEL_MAX_SHIFT + 1), .base = base,
		};
		void *p;
		size_t len;

		for (unsigned int j = 0; j < nout; j++)
			base[j] = (s64)(next() % 2001) - 1000;
		for (unsigned int t = 0; t < ntrees; t++) {
			random_tree(&trees[t], nin, nout, 1 + next() % 8);
			bt[t] = (struct ml_build_tree){ trees[t].n, trees[t].left, trees[t].right,
				trees[t].feature, trees[t].threshold, trees[t].value };
		}
		MT_REQUIRE(ml_build_forest(&f, &p, &len) == 0);
		check_against_ref(p, len, nin, nout, 50);

		/* And against the learner's own arrays, for the sum of shift 0. */
		if (f.combine == ML_LIB_MODEL_SUM) {
			struct ml_model m;
			s64 x[ML_LIB_MAX_FEATURES], y[ML_LIB_MAX_ACTIONS];

			MT_REQUIRE(ml_model_verify(&m, p, len, NULL) == 0);
			for (unsigned int i = 0; i < nin; i++)
				x[i] = rand_feature();
			ml_model_run(&m, x, y);
			for (unsigned int j = 0; j < nout; j++) {
				s64 sum = base[j];

				for (unsigned int t = 0; t < ntrees; t++)
					sum += trees[t].value[array_walk(&trees[t], x) * nout + j];
				MT_CHECK_EQ(y[j], sum >> f.shift);
			}
		}
		free(p);
	}
}

static void test_random_linear(void)
{
	for (int round = 0; round < 40; round++) {
		unsigned int nin = next() % (ML_LIB_MAX_FEATURES + 1);
		unsigned int nout = 1 + next() % ML_LIB_MAX_ACTIONS;
		int32_t w[ML_LIB_MAX_FEATURES * ML_LIB_MAX_ACTIONS];
		int64_t bias[ML_LIB_MAX_ACTIONS];
		struct ml_build_linear l = { .version = 7, .nr_inputs = nin, .nr_outputs = nout,
					     .weights = w, .bias = bias,
					     .shift = next() % (ML_LIB_MODEL_MAX_SHIFT + 1) };
		void *p;
		size_t len;

		for (unsigned int i = 0; i < nin * nout; i++)
			w[i] = next() % 3 ? (int32_t)(next() % 2001) - 1000 : (int32_t)next();
		for (unsigned int j = 0; j < nout; j++)
			bias[j] = rand_feature();
		MT_REQUIRE(ml_build_linear(&l, &p, &len) == 0);
		check_against_ref(p, len, nin, nout, 50);
		free(p);
	}
}

/*
 * A random MLP with @nin inputs and @nlayers layers, hidden layers @width
 * wide (0: each of a random width), 1 to 4 outputs, input shifts below
 * @in_shifts, built into *@p with its number of outputs in *@nout; returns
 * ml_build_mlp()'s result. Weights and biases stay within the accumulator
 * bound: up to it (|bias| + 32768 * sum |w| up to S32_MAX) with @at_bound,
 * else int8- or int16-sized.
 */
static int random_mlp(unsigned int nin, unsigned int nlayers, unsigned int width,
		      unsigned int in_shifts, bool at_bound, void **p, size_t *len,
		      unsigned int *nout)
{
	static int16_t w[ML_LIB_MODEL_MAX_LAYERS][ML_LIB_MODEL_MAX_WIDTH * ML_LIB_MODEL_MAX_WIDTH];
	static int32_t b[ML_LIB_MODEL_MAX_LAYERS][ML_LIB_MODEL_MAX_WIDTH];
	struct ml_build_layer layers[ML_LIB_MODEL_MAX_LAYERS];
	uint8_t in_shift[ML_LIB_MAX_FEATURES];
	struct ml_build_mlp d = { .version = 9, .nr_inputs = nin,
				  .out_lshift = next() % 33, .in_shift = in_shift,
				  .nr_layers = nlayers, .layers = layers };
	unsigned int from = nin;

	for (unsigned int i = 0; i < nin; i++)
		in_shift[i] = next() % in_shifts;
	for (unsigned int l = 0; l < nlayers; l++) {
		unsigned int nout = l + 1 == nlayers ? 1 + next() % ML_LIB_MAX_ACTIONS :
				    width ? width : 1 + next() % ML_LIB_MODEL_MAX_WIDTH;
		/* At the bound: 32768 * 65535 + 32767 = S32_MAX. */
		int lim = from ? (at_bound ? 65535 : 60000) / (int)from : 1;
		int blim = at_bound ? 32767 : 1000000;

		if (lim > 32767)
			lim = 32767;
		if (!at_bound && next() % 2 && lim > 127)
			lim = 127;
		for (unsigned int i = 0; i < from * nout; i++)
			w[l][i] = (int16_t)((int)(next() % (2 * lim + 1)) - lim);
		for (unsigned int j = 0; j < nout; j++)
			b[l][j] = (int32_t)(next() % (2 * (u64)blim + 1)) - blim;
		layers[l] = (struct ml_build_layer){ nout, next() % 32, next() % 2, b[l], w[l] };
		from = nout;
	}
	*nout = from;
	return ml_build_mlp(&d, p, len);
}

static void test_random_mlp(void)
{
	for (int round = 0; round < 60; round++) {
		unsigned int nin = next() % (ML_LIB_MAX_FEATURES + 1);
		unsigned int nlayers = 1 + next() % ML_LIB_MODEL_MAX_LAYERS, nout;
		void *p;
		size_t len;

		MT_REQUIRE(random_mlp(nin, nlayers, 0, 64, false, &p, &len, &nout) == 0,
			   "round %d", round);
		check_against_ref(p, len, nin, nout, 50);
		free(p);
	}
}

/* ---- every executor ml_model_verify() can pick ------------------------- */

/*
 * A tree of exactly @depth splits: a spine of splits, each with a leaf on a
 * random side, the last one ending in two leaves (a lone leaf for depth 0).
 */
static void spine_tree(struct rtree *t, unsigned int nin, unsigned int depth)
{
	unsigned int i;

	t->n = 2 * depth + 1;
	for (i = 0; i < t->n; i++) {
		t->left[i] = t->right[i] = -1;
		t->feature[i] = nin ? next() % nin : 0;
		t->threshold[i] = rand_feature();
		t->value[i] = (s64)(next() % (2 * (u64)ML_LIB_MODEL_MAX_VALUE + 1)) -
			      ML_LIB_MODEL_MAX_VALUE;
	}
	/* Split 2k has the leaf 2k + 1 and the split (or last leaf) 2k + 2. */
	for (i = 0; i + 1 < t->n; i += 2) {
		bool leaf_left = next() % 2;

		t->left[i] = leaf_left ? i + 1 : i + 2;
		t->right[i] = leaf_left ? i + 2 : i + 1;
	}
}

static void check_exec(const void *p, size_t len, unsigned int exec)
{
	struct ml_model m;

	MT_REQUIRE(ml_model_verify(&m, p, len, NULL) == 0);
	MT_CHECK_EQ(m.exec, exec);
}

/* One tree, one output (ML_MODEL_EXEC_TREE): every depth, both combines. */
static void test_exec_tree(void)
{
	static struct rtree t;

	for (unsigned int depth = 0; depth <= ML_LIB_MODEL_MAX_DEPTH; depth++) {
		for (unsigned int k = 0; k < 4; k++) {
			unsigned int nin = 1 + next() % ML_LIB_MAX_FEATURES;
			int64_t base = (s64)(next() % (2 * (u64)ML_LIB_MODEL_MAX_VALUE + 1)) -
				       ML_LIB_MODEL_MAX_VALUE;
			struct ml_build_tree bt;
			struct ml_build_forest f = {
				.version = 1, .nr_inputs = nin, .nr_outputs = 1, .nr_trees = 1,
				.trees = &bt, .combine = k % 2,
				.shift = next() % (ML_LIB_MODEL_MAX_SHIFT + 1), .base = &base,
			};
			void *p;
			size_t len;

			/* A random bushy tree where it fits random_tree(), else a spine. */
			if (k >= 2 && depth <= 8)
				random_tree(&t, nin, 1, depth);
			else
				spine_tree(&t, nin, depth);
			bt = (struct ml_build_tree){ t.n, t.left, t.right, t.feature,
						     t.threshold, t.value };
			MT_REQUIRE(ml_build_forest(&f, &p, &len) == 0, "depth %u", depth);
			check_exec(p, len, ML_MODEL_EXEC_TREE);
			check_against_ref(p, len, nin, 1, 100);
			free(p);
		}
	}
}

/* Several trees and one output (FOREST1), or several outputs (FOREST). */
static void test_exec_forests(void)
{
	static struct rtree trees[8];

	for (unsigned int nout = 1; nout <= ML_LIB_MAX_ACTIONS; nout++) {
		for (unsigned int ntrees = 1; ntrees <= 8; ntrees++) {
			unsigned int nin = 1 + next() % ML_LIB_MAX_FEATURES;
			struct ml_build_tree bt[8];
			struct ml_build_forest f = {
				.version = 1, .nr_inputs = nin, .nr_outputs = nout,
				.nr_trees = ntrees, .trees = bt, .combine = next() % 2,
				.shift = next() % (ML_LIB_MODEL_MAX_SHIFT + 1),
			};
			void *p;
			size_t len;

			for (unsigned int t = 0; t < ntrees; t++) {
				random_tree(&trees[t], nin, nout, 1 + next() % 8);
				bt[t] = (struct ml_build_tree){ trees[t].n, trees[t].left,
					trees[t].right, trees[t].feature, trees[t].threshold,
					trees[t].value };
			}
			MT_REQUIRE(ml_build_forest(&f, &p, &len) == 0);
			check_exec(p, len, nout > 1 ? ML_MODEL_EXEC_FOREST :
				   ntrees > 1 ? ML_MODEL_EXEC_FOREST1 : ML_MODEL_EXEC_TREE);
			check_against_ref(p, len, nin, nout, 50);
			free(p);
		}
	}
}

/*
 * Linear models of every input count, so every combination of the blocks
 * of 16, 8, 4, 2 and 1 products, with one output (LINEAR1) and several
 * (LINEAR); extreme weights and biases, so sums far beyond 64 bits.
 */
static void test_exec_linear(void)
{
	for (unsigned int nin = 0; nin <= ML_LIB_MAX_FEATURES; nin++) {
		for (unsigned int nout = 1; nout <= ML_LIB_MAX_ACTIONS; nout++) {
			int32_t w[ML_LIB_MAX_FEATURES * ML_LIB_MAX_ACTIONS];
			int64_t bias[ML_LIB_MAX_ACTIONS];
			struct ml_build_linear l = {
				.version = 3, .nr_inputs = nin, .nr_outputs = nout,
				.weights = w, .bias = bias,
				.shift = next() % (ML_LIB_MODEL_MAX_SHIFT + 1),
			};
			void *p;
			size_t len;

			for (unsigned int i = 0; i < nin * nout; i++)
				w[i] = next() % 4 ? (int32_t)next() :
				       next() % 2 ? INT32_MIN : INT32_MAX;
			for (unsigned int j = 0; j < nout; j++)
				bias[j] = rand_feature();
			MT_REQUIRE(ml_build_linear(&l, &p, &len) == 0);
			check_exec(p, len, nout > 1 ? ML_MODEL_EXEC_LINEAR : ML_MODEL_EXEC_LINEAR1);
			check_against_ref(p, len, nin, nout, 100);
			free(p);
		}
	}
}

/*
 * MLPs with hidden layers of every width (those that are multiples of 8
 * take the path without one-at-a-time words), after 0 to 16 inputs, with
 * and without ReLU, 2 to 4 layers, all at their accumulator bound.
 */
static void test_exec_mlp(void)
{
	for (unsigned int width = 1; width <= ML_LIB_MODEL_MAX_WIDTH; width++) {
		unsigned int nin = width % (ML_LIB_MAX_FEATURES + 1), nlayers = 2 + width % 3;
		unsigned int nout;
		void *p;
		size_t len;

		MT_REQUIRE(random_mlp(nin, nlayers, width, 8, true, &p, &len, &nout) == 0,
			   "width %u", width);
		check_exec(p, len, ML_MODEL_EXEC_MLP);
		check_against_ref(p, len, nin, nout, 50);
		free(p);
	}
}

/* Same model, same features, same outputs: across runs and blob addresses. */
static void test_determinism(void)
{
	struct blob models[] = { hand_tree(), hand_forest(ML_LIB_MODEL_MEAN, 3, NULL),
				 hand_linear(), hand_mlp() };

	for (unsigned int k = 0; k < 4; k++) {
		struct ml_model m1, m2;
		void *copy = aligned_alloc(8, (models[k].len + 7) & ~(size_t)7);

		MT_REQUIRE(copy);
		memcpy(copy, models[k].p, models[k].len);
		MT_REQUIRE(ml_model_verify(&m1, models[k].p, models[k].len, NULL) == 0);
		MT_REQUIRE(ml_model_verify(&m2, copy, models[k].len, NULL) == 0);
		for (int r = 0; r < 200; r++) {
			s64 x[3] = { rand_feature(), rand_feature(), rand_feature() };
			s64 a[ML_LIB_MAX_ACTIONS] = { 0 }, b[ML_LIB_MAX_ACTIONS] = { 0 };
			s64 c[ML_LIB_MAX_ACTIONS] = { 0 };

			ml_model_run(&m1, x, a);
			ml_model_run(&m1, x, b);
			ml_model_run(&m2, x, c);
			MT_CHECK(!memcmp(a, b, sizeof(a)) && !memcmp(a, c, sizeof(a)));
		}
		free(copy);
		free(models[k].p);
	}
}

/* A newer, larger header with zeroed unknown bytes is accepted as the old one. */
static void test_larger_header(void)
{
	struct blob b = hand_linear();
	struct ml_lib_model *h = (void *)b.p;
	s64 y1[2], y2[2], x[3] = { 5, -6, 7 };

	run(b.p, b.len, x, y1);
	memmove(b.p + sizeof(*h) + 16, b.p + sizeof(*h), b.len - sizeof(*h));
	memset(b.p + sizeof(*h), 0, 16);
	b.len += 16;
	h->size += 16;
	h->total_len = b.len;
	run(b.p, b.len, x, y2);
	MT_CHECK_EQ(y1[0], y2[0]);
	MT_CHECK_EQ(y1[1], y2[1]);
	free(b.p);
}

/* ---- one case per verifier rule ----------------------------------------- */

static struct ml_lib_model *H(u8 *p)
{
	return (void *)p;
}

static u8 *body(u8 *p)
{
	return p + H(p)->size;
}

static struct ml_lib_model_forest *F(u8 *p)
{
	return (void *)body(p);
}

static u32 *roots(u8 *p)
{
	return (void *)(F(p) + 1);
}

static struct ml_lib_model_node *nodes(u8 *p)
{
	return (void *)((u8 *)roots(p) + ((F(p)->nr_trees * 4 + 7) & ~7u));
}

static s64 *leaves(u8 *p)
{
	return (void *)(nodes(p) + F(p)->nr_nodes);
}

static struct ml_lib_model_linear *L(u8 *p)
{
	return (void *)body(p);
}

static struct ml_lib_model_mlp *M(u8 *p)
{
	return (void *)body(p);
}

static struct ml_lib_model_layer *layer(u8 *p, unsigned int l)
{
	return (struct ml_lib_model_layer *)(M(p) + 1) + l;
}

/* Change the blob's length, keeping total_len consistent. */
static void set_len(u8 *p, size_t *len, size_t n)
{
	*len = n;
	H(p)->total_len = (u32)n;
}

/*
 * A forest written node by node, bypassing the builder's checks: one tree
 * per entry of @root (NULL: a single tree at 0), @nl leaf rows of one
 * output, each row's value its index.
 */
static struct blob raw_forest(const struct ml_lib_model_node *n, unsigned int nn,
			      const u32 *root, unsigned int ntrees, unsigned int nl)
{
	size_t roots_len = (ntrees * 4 + 7) & ~(size_t)7;
	size_t len = sizeof(struct ml_lib_model) + sizeof(struct ml_lib_model_forest) +
		     roots_len + nn * sizeof(*n) + nl * 8;
	struct blob b = { aligned_alloc(8, len + SLACK), len };

	memset(b.p, 0, len + SLACK);
	*H(b.p) = (struct ml_lib_model){ .size = sizeof(struct ml_lib_model),
		.magic = ML_LIB_MODEL_MAGIC, .version = 1, .total_len = len,
		.format = ML_LIB_MODEL_FORMAT, .kind = ML_LIB_MODEL_FOREST,
		.nr_inputs = 2, .nr_outputs = 1 };
	F(b.p)->nr_trees = ntrees;
	F(b.p)->nr_nodes = nn;
	F(b.p)->nr_leaves = nl;
	for (unsigned int t = 0; t < ntrees; t++)
		roots(b.p)[t] = root ? root[t] : 0;
	memcpy(nodes(b.p), n, nn * sizeof(*n));
	for (unsigned int i = 0; i < nl; i++)
		leaves(b.p)[i] = i;
	return b;
}

#define SPLIT(f, t, r) { .threshold = (t), .feature = (f), .target = (r) }
#define LEAF(row) { .feature = ML_LIB_MODEL_LEAF, .target = (row) }

/* A right-leaning chain: @splits splits, each with a leaf on its left. */
static struct blob chain_tree(unsigned int splits)
{
	struct ml_lib_model_node n[2 * 32 + 1];
	unsigned int i;

	for (i = 0; i < splits; i++) {
		n[2 * i] = (struct ml_lib_model_node)SPLIT(0, (s64)i, 2 * i + 2);
		n[2 * i + 1] = (struct ml_lib_model_node)LEAF(0);
	}
	n[2 * splits] = (struct ml_lib_model_node)LEAF(0);
	return raw_forest(n, 2 * splits + 1, NULL, 1, 1);
}

enum base {
	B_FOREST,	/* 2 trees, 2 outputs (hand_forest) */
	B_TREE,		/* 1 tree: its roots need padding (hand_tree) */
	B_LINEAR,	/* 3 inputs, 2 outputs (hand_linear) */
	B_LINEAR_ODD,	/* 3 inputs, 1 output: its weights need padding */
	B_MLP,		/* 2-2-1 (hand_mlp) */
	B_MLP1,		/* one layer 3 -> 1: an odd layer */
	B_RAW_PREORDER,	/* split(0, right=3), leaf, leaf, leaf: not pre-order */
	B_RAW_DEEP,	/* a chain of 17 splits */
	B_RAW_LEFTOVER,	/* split, leaf, leaf, then an unreachable leaf */
};

static struct blob make_base(enum base k)
{
	static const struct ml_lib_model_node preorder[] = {
		SPLIT(0, 0, 3), LEAF(0), LEAF(0), LEAF(0),
	};
	static const struct ml_lib_model_node leftover[] = {
		SPLIT(0, 0, 2), LEAF(0), LEAF(1), LEAF(0),
	};
	static const int16_t w1[] = { 3, -4, 5 };
	static const int32_t b1[] = { 7 };
	struct ml_build_layer one = { .nr_out = 1, .bias = b1, .weights = w1 };
	struct ml_build_mlp mlp1 = { .version = 5, .nr_inputs = 3, .nr_layers = 1, .layers = &one };
	static const int32_t lw[] = { 1, 2, 3 };
	struct ml_build_linear lin = { .version = 6, .nr_inputs = 3, .nr_outputs = 1, .weights = lw };
	void *p = NULL;
	size_t len = 0;

	switch (k) {
	case B_FOREST:
		return hand_forest(ML_LIB_MODEL_SUM, 0, NULL);
	case B_TREE:
		return hand_tree();
	case B_LINEAR:
		return hand_linear();
	case B_LINEAR_ODD:
		if (ml_build_linear(&lin, &p, &len))
			abort();
		return adopt(p, len);
	case B_MLP:
		return hand_mlp();
	case B_MLP1:
		if (ml_build_mlp(&mlp1, &p, &len))
			abort();
		return adopt(p, len);
	case B_RAW_PREORDER:
		return raw_forest(preorder, 4, NULL, 1, 1);
	case B_RAW_DEEP:
		return chain_tree(ML_LIB_MODEL_MAX_DEPTH + 1);
	case B_RAW_LEFTOVER:
		return raw_forest(leftover, 4, NULL, 1, 2);
	}
	abort();
}

struct rule_case {
	const char *rule;	/* the verifier's @why, exactly */
	int err;
	enum base base;
	void (*mutate)(u8 *p, size_t *len);
};

/* Mutations: each breaks one rule of an otherwise valid blob. */
static void m_none(u8 *p, size_t *len) { (void)p; (void)len; }
static void m_too_big(u8 *p, size_t *len) { (void)p; *len = ML_LIB_MAX_BLOB + 8; }
static void m_short(u8 *p, size_t *len) { (void)p; *len = sizeof(struct ml_lib_model) - 8; }
static void m_magic(u8 *p, size_t *len) { (void)len; H(p)->magic ^= 1; }
static void m_format(u8 *p, size_t *len) { (void)len; H(p)->format = 2; }
static void m_hsize_small(u8 *p, size_t *len) { (void)len; H(p)->size = 40; }
static void m_hsize_odd(u8 *p, size_t *len) { (void)len; H(p)->size += 4; }
static void m_hsize_past(u8 *p, size_t *len) { H(p)->size = (u32)*len + 8; }
static void m_hsize_junk(u8 *p, size_t *len)
{
	memmove(p + sizeof(struct ml_lib_model) + 8, p + sizeof(struct ml_lib_model),
		*len - sizeof(struct ml_lib_model));
	memset(p + sizeof(struct ml_lib_model), 0, 8);
	p[sizeof(struct ml_lib_model) + 3] = 1;
	H(p)->size += 8;
	set_len(p, len, *len + 8);
}
static void m_total_len(u8 *p, size_t *len) { (void)len; H(p)->total_len += 8; }
static void m_flags(u8 *p, size_t *len) { (void)len; H(p)->flags = 1; }
static void m_reserved0(u8 *p, size_t *len) { (void)len; H(p)->reserved[0] = 1; }
static void m_reserved1(u8 *p, size_t *len) { (void)len; H(p)->reserved[1] = 1ULL << 63; }
static void m_version(u8 *p, size_t *len) { (void)len; H(p)->version = 0; }
static void m_nout0(u8 *p, size_t *len) { (void)len; H(p)->nr_outputs = 0; }
static void m_nout_big(u8 *p, size_t *len) { (void)len; H(p)->nr_outputs = ML_LIB_MAX_ACTIONS + 1; }
static void m_nin_big(u8 *p, size_t *len) { (void)len; H(p)->nr_inputs = ML_LIB_MAX_FEATURES + 1; }
static void m_kind0(u8 *p, size_t *len) { (void)len; H(p)->kind = 0; }
static void m_kind4(u8 *p, size_t *len) { (void)len; H(p)->kind = 4; }

static void m_body_short(u8 *p, size_t *len) { set_len(p, len, H(p)->size + 16); }
static void m_f_reserved(u8 *p, size_t *len) { (void)len; F(p)->reserved = 1; }
static void m_f_combine(u8 *p, size_t *len) { (void)len; F(p)->combine = 2; }
static void m_f_trees0(u8 *p, size_t *len) { (void)len; F(p)->nr_trees = 0; }
static void m_f_nodes0(u8 *p, size_t *len) { (void)len; F(p)->nr_nodes = 0; }
static void m_f_leaves0(u8 *p, size_t *len) { (void)len; F(p)->nr_leaves = 0; }
static void m_f_trees_big(u8 *p, size_t *len) { (void)len; F(p)->nr_trees = ML_LIB_MODEL_MAX_TREES + 1; }
static void m_f_nodes_big(u8 *p, size_t *len) { (void)len; F(p)->nr_nodes = ML_LIB_MODEL_MAX_NODES + 1; }
static void m_f_leaves_big(u8 *p, size_t *len) { (void)len; F(p)->nr_leaves = ML_LIB_MODEL_MAX_LEAVES + 1; }
static void m_f_shift(u8 *p, size_t *len) { (void)len; F(p)->shift = ML_LIB_MODEL_MAX_SHIFT + 1; }
static void m_f_base_past(u8 *p, size_t *len) { (void)len; F(p)->base[2] = 1; }
static void m_f_base_big(u8 *p, size_t *len) { (void)len; F(p)->base[1] = -ML_LIB_MODEL_MAX_VALUE - 1; }
static void m_f_extra_leaf(u8 *p, size_t *len) { (void)len; F(p)->nr_leaves++; }
static void m_append8(u8 *p, size_t *len) { set_len(p, len, *len + 8); }
static void m_f_root_pad(u8 *p, size_t *len) { (void)len; roots(p)[1] = 1; }
static void m_f_leaf_big(u8 *p, size_t *len) { (void)len; leaves(p)[3] = ML_LIB_MODEL_MAX_VALUE + 1; }
static void m_f_root0(u8 *p, size_t *len) { (void)len; roots(p)[0] = 1; }
static void m_f_roots_order(u8 *p, size_t *len) { (void)len; roots(p)[1] = 0; }
static void m_f_roots_past(u8 *p, size_t *len) { (void)len; roots(p)[1] = F(p)->nr_nodes + 1; }
static void m_n_reserved(u8 *p, size_t *len) { (void)len; nodes(p)[1].reserved = 1; }
static void m_n_leaf_thr(u8 *p, size_t *len) { (void)len; nodes(p)[1].threshold = -1; }
static void m_n_leaf_row(u8 *p, size_t *len) { (void)len; nodes(p)[1].target = F(p)->nr_leaves; }
static void m_n_feature(u8 *p, size_t *len) { (void)len; nodes(p)[0].feature = H(p)->nr_inputs; }
static void m_n_right_self(u8 *p, size_t *len) { (void)len; nodes(p)[0].target = 0; }
static void m_n_right_left(u8 *p, size_t *len) { (void)len; nodes(p)[0].target = 1; }
static void m_n_right_past(u8 *p, size_t *len) { (void)len; nodes(p)[0].target = 3; }
static void m_n_cycle(u8 *p, size_t *len) { (void)len; nodes(p)[2].target = 0; }

static void m_l_reserved(u8 *p, size_t *len) { (void)len; L(p)->reserved[6] = 1; }
static void m_l_shift(u8 *p, size_t *len) { (void)len; L(p)->shift = ML_LIB_MODEL_MAX_SHIFT + 1; }
static void m_l_bias_past(u8 *p, size_t *len) { (void)len; L(p)->bias[3] = -1; }
static void m_l_short(u8 *p, size_t *len) { set_len(p, len, *len - 8); }
static void m_l_pad(u8 *p, size_t *len) { p[*len - 1] = 0x80; }

static void m_m_reserved(u8 *p, size_t *len) { (void)len; M(p)->reserved[0] = 1; }
static void m_m_layers0(u8 *p, size_t *len) { (void)len; M(p)->nr_layers = 0; }
static void m_m_layers_big(u8 *p, size_t *len) { (void)len; M(p)->nr_layers = ML_LIB_MODEL_MAX_LAYERS + 1; }
static void m_m_layers_short(u8 *p, size_t *len)
{
	M(p)->nr_layers = 4;
	set_len(p, len, H(p)->size + sizeof(struct ml_lib_model_mlp) + 16);
}
static void m_m_lshift(u8 *p, size_t *len) { (void)len; M(p)->out_lshift = ML_LIB_MODEL_MAX_OUT_LSHIFT + 1; }
static void m_m_inshift_past(u8 *p, size_t *len) { (void)len; M(p)->in_shift[2] = 1; }
static void m_m_inshift_big(u8 *p, size_t *len) { (void)len; M(p)->in_shift[1] = ML_LIB_MODEL_MAX_IN_SHIFT + 1; }
static void m_y_reserved(u8 *p, size_t *len) { (void)len; layer(p, 1)->reserved = 1; }
static void m_y_act(u8 *p, size_t *len) { (void)len; layer(p, 0)->activation = 2; }
static void m_y_nin(u8 *p, size_t *len) { (void)len; layer(p, 1)->nr_in = 3; }
static void m_y_nout0(u8 *p, size_t *len) { (void)len; layer(p, 0)->nr_out = 0; }
static void m_y_nout_big(u8 *p, size_t *len)
{
	(void)len;
	layer(p, 0)->nr_out = ML_LIB_MODEL_MAX_WIDTH + 1;
	layer(p, 1)->nr_in = ML_LIB_MODEL_MAX_WIDTH + 1;
}
static void m_y_shift(u8 *p, size_t *len) { (void)len; layer(p, 1)->shift = ML_LIB_MODEL_MAX_LAYER_SHIFT + 1; }
static void m_y_last(u8 *p, size_t *len) { (void)len; H(p)->nr_outputs = 2; }
static void m_y_data_short(u8 *p, size_t *len) { set_len(p, len, *len - 8); }
/*
 * hand_mlp's layer data: layer 0's 2 biases (8 bytes), its 1 x 2 weight
 * words, then layer 1's bias and its padding at bytes 24 and 28.
 */
static void m_y_pad(u8 *p, size_t *len) { (void)len; ((u8 *)(layer(p, 2)))[28] = 1; }
static s64 *mlp1_words(u8 *p)
{
	return (s64 *)((u8 *)layer(p, 1) + 8);
}
static void m_y_phantom(u8 *p, size_t *len) { (void)len; mlp1_words(p)[1] += 1LL << 32; }
static void m_y_w_lo(u8 *p, size_t *len) { (void)len; mlp1_words(p)[2] = 40000; }
static void m_y_w_hi(u8 *p, size_t *len)
{
	/* hand_mlp, layer 0: output 1's weight for input 0 becomes -40000. */
	s64 *w = (s64 *)((u8 *)layer(p, 2) + 8);

	(void)len;
	w[0] = (s32)w[0] - 40000 * (1LL << 32);
}
static void m_y_bound(u8 *p, size_t *len)
{
	/* B_MLP1: 32767 x 32768 x 2 leaves s32. */
	(void)len;
	mlp1_words(p)[0] = 32767;
	mlp1_words(p)[1] = -32767;
}
static void m_y_bound_bias(u8 *p, size_t *len)
{
	/* sum |w| = 12: a bias near S32_MAX tips it over. */
	s32 *bias = (s32 *)layer(p, 1);

	(void)len;
	bias[0] = INT32_MAX - 5 * 32768;
}

static const struct rule_case rules[] = {
	{ "blob: larger than ML_LIB_MAX_BLOB", -E2BIG, B_LINEAR, m_too_big },
	{ "blob: not 8-byte aligned", -EINVAL, B_LINEAR, m_none },	/* see test_rules() */
	{ "blob: shorter than the header", -EINVAL, B_LINEAR, m_short },
	{ "header: bad magic", -EINVAL, B_LINEAR, m_magic },
	{ "header: unknown format version", -EINVAL, B_FOREST, m_format },
	{ "header: size too small, unaligned or past the blob", -EINVAL, B_LINEAR, m_hsize_small },
	{ "header: size too small, unaligned or past the blob", -EINVAL, B_LINEAR, m_hsize_odd },
	{ "header: size too small, unaligned or past the blob", -EINVAL, B_LINEAR, m_hsize_past },
	{ "header: non-zero bytes past the known header", -E2BIG, B_MLP, m_hsize_junk },
	{ "header: total_len differs from the blob's length", -EINVAL, B_TREE, m_total_len },
	{ "header: non-zero flags or reserved field", -EINVAL, B_TREE, m_flags },
	{ "header: non-zero flags or reserved field", -EINVAL, B_TREE, m_reserved0 },
	{ "header: non-zero flags or reserved field", -EINVAL, B_TREE, m_reserved1 },
	{ "header: version 0", -EINVAL, B_MLP, m_version },
	{ "header: no outputs", -EINVAL, B_LINEAR, m_nout0 },
	{ "header: more than ML_LIB_MAX_ACTIONS outputs", -E2BIG, B_LINEAR, m_nout_big },
	{ "header: more than ML_LIB_MAX_FEATURES inputs", -E2BIG, B_FOREST, m_nin_big },
	{ "header: unknown kind", -EINVAL, B_FOREST, m_kind0 },
	{ "header: unknown kind", -EINVAL, B_FOREST, m_kind4 },

	{ "forest: body shorter than its header", -EINVAL, B_FOREST, m_body_short },
	{ "forest: non-zero reserved field", -EINVAL, B_FOREST, m_f_reserved },
	{ "forest: unknown combine mode", -EINVAL, B_FOREST, m_f_combine },
	{ "forest: no trees, nodes or leaves", -EINVAL, B_FOREST, m_f_trees0 },
	{ "forest: no trees, nodes or leaves", -EINVAL, B_FOREST, m_f_nodes0 },
	{ "forest: no trees, nodes or leaves", -EINVAL, B_FOREST, m_f_leaves0 },
	{ "forest: more than ML_LIB_MODEL_MAX_TREES trees", -E2BIG, B_FOREST, m_f_trees_big },
	{ "forest: more than ML_LIB_MODEL_MAX_NODES nodes", -E2BIG, B_FOREST, m_f_nodes_big },
	{ "forest: more than ML_LIB_MODEL_MAX_LEAVES leaf rows", -E2BIG, B_FOREST, m_f_leaves_big },
	{ "forest: shift above ML_LIB_MODEL_MAX_SHIFT", -ERANGE, B_FOREST, m_f_shift },
	{ "forest: non-zero base past nr_outputs", -EINVAL, B_FOREST, m_f_base_past },
	{ "forest: |base| above ML_LIB_MODEL_MAX_VALUE", -ERANGE, B_FOREST, m_f_base_big },
	{ "forest: body length differs from its sections", -EINVAL, B_FOREST, m_f_extra_leaf },
	{ "forest: body length differs from its sections", -EINVAL, B_FOREST, m_append8 },
	{ "forest: non-zero padding after the roots", -EINVAL, B_TREE, m_f_root_pad },
	{ "forest: |leaf value| above ML_LIB_MODEL_MAX_VALUE", -ERANGE, B_FOREST, m_f_leaf_big },
	{ "forest: the first tree does not start at node 0", -EINVAL, B_FOREST, m_f_root0 },
	{ "forest: roots not increasing within the nodes", -EINVAL, B_FOREST, m_f_roots_order },
	{ "forest: roots not increasing within the nodes", -EINVAL, B_FOREST, m_f_roots_past },
	{ "node: non-zero reserved field", -EINVAL, B_FOREST, m_n_reserved },
	{ "leaf: non-zero threshold", -EINVAL, B_FOREST, m_n_leaf_thr },
	{ "leaf: row of leaf values out of range", -EINVAL, B_FOREST, m_n_leaf_row },
	{ "split: feature index out of range", -EINVAL, B_FOREST, m_n_feature },
	{ "split: right child outside the nodes after its left child", -EINVAL, B_FOREST, m_n_right_self },
	{ "split: right child outside the nodes after its left child", -EINVAL, B_FOREST, m_n_right_left },
	{ "split: right child outside the nodes after its left child", -EINVAL, B_FOREST, m_n_right_past },
	{ "split: right child outside the nodes after its left child", -EINVAL, B_TREE, m_n_cycle },
	{ "tree: right child not where pre-order puts it", -EINVAL, B_RAW_PREORDER, m_none },
	{ "tree: deeper than ML_LIB_MODEL_MAX_DEPTH", -E2BIG, B_RAW_DEEP, m_none },
	{ "tree: nodes left over after the tree's last leaf", -EINVAL, B_RAW_LEFTOVER, m_none },

	{ "linear: body shorter than its header", -EINVAL, B_LINEAR, m_body_short },
	{ "linear: non-zero reserved field", -EINVAL, B_LINEAR, m_l_reserved },
	{ "linear: shift above ML_LIB_MODEL_MAX_SHIFT", -ERANGE, B_LINEAR, m_l_shift },
	{ "linear: non-zero bias past nr_outputs", -EINVAL, B_LINEAR, m_l_bias_past },
	{ "linear: body length differs from its weights", -EINVAL, B_LINEAR, m_l_short },
	{ "linear: body length differs from its weights", -EINVAL, B_LINEAR, m_append8 },
	{ "linear: non-zero padding after the weights", -EINVAL, B_LINEAR_ODD, m_l_pad },

	{ "mlp: body shorter than its header", -EINVAL, B_MLP, m_body_short },
	{ "mlp: non-zero reserved field", -EINVAL, B_MLP, m_m_reserved },
	{ "mlp: no layers", -EINVAL, B_MLP, m_m_layers0 },
	{ "mlp: more than ML_LIB_MODEL_MAX_LAYERS layers", -E2BIG, B_MLP, m_m_layers_big },
	{ "mlp: out_lshift above ML_LIB_MODEL_MAX_OUT_LSHIFT", -ERANGE, B_MLP, m_m_lshift },
	{ "mlp: non-zero in_shift past nr_inputs", -EINVAL, B_MLP, m_m_inshift_past },
	{ "mlp: in_shift above ML_LIB_MODEL_MAX_IN_SHIFT", -ERANGE, B_MLP, m_m_inshift_big },
	{ "mlp: body shorter than its layer descriptors", -EINVAL, B_MLP1, m_m_layers_short },
	{ "layer: non-zero reserved field", -EINVAL, B_MLP, m_y_reserved },
	{ "layer: unknown activation", -EINVAL, B_MLP, m_y_act },
	{ "layer: nr_in differs from the previous layer's nr_out", -EINVAL, B_MLP, m_y_nin },
	{ "layer: no outputs", -EINVAL, B_MLP, m_y_nout0 },
	{ "layer: more than ML_LIB_MODEL_MAX_WIDTH outputs", -E2BIG, B_MLP, m_y_nout_big },
	{ "layer: shift above ML_LIB_MODEL_MAX_LAYER_SHIFT", -ERANGE, B_MLP, m_y_shift },
	{ "layer: the last layer's nr_out differs from nr_outputs", -EINVAL, B_MLP, m_y_last },
	{ "mlp: body shorter than its layers", -EINVAL, B_MLP, m_y_data_short },
	{ "mlp: non-zero padding after a layer's biases", -EINVAL, B_MLP, m_y_pad },
	{ "mlp: non-zero weight for the output past nr_out", -EINVAL, B_MLP1, m_y_phantom },
	{ "mlp: weight outside the int16 range", -ERANGE, B_MLP1, m_y_w_lo },
	{ "mlp: weight outside the int16 range", -ERANGE, B_MLP, m_y_w_hi },
	{ "mlp: |bias| + 32768 * sum |weights| exceeds S32_MAX", -ERANGE, B_MLP1, m_y_bound },
	{ "mlp: |bias| + 32768 * sum |weights| exceeds S32_MAX", -ERANGE, B_MLP1, m_y_bound_bias },
	{ "mlp: bytes left over after the last layer", -EINVAL, B_MLP, m_append8 },
};

#define NR_RULES (sizeof(rules) / sizeof(rules[0]))

static void test_rules(void)
{
	for (unsigned int i = 0; i < NR_RULES; i++) {
		const struct rule_case *c = &rules[i];
		struct blob b = make_base(c->base);
		struct ml_model m, before;
		const char *why = NULL;
		u8 *at = b.p;
		int err;

		/* The unmutated raw bases are broken already; the others must pass. */
		if (c->mutate != m_none)
			MT_CHECK(ml_model_verify(&m, b.p, b.len, &why) == 0,
				 "base %d of case %u: %s", c->base, i, why);
		if (!strcmp(c->rule, "blob: not 8-byte aligned")) {
			memmove(b.p + 4, b.p, b.len);
			at = b.p + 4;
		}
		c->mutate(b.p, &b.len);
		memset(&before, 0xa5, sizeof(before));
		m = before;
		why = NULL;
		/* m_too_big lies about the length; the verifier must not read past it. */
		err = ml_model_verify(&m, at, b.len, &why);
		MT_CHECK(err == c->err, "case %u (%s): errno %d, want %d", i, c->rule, err, c->err);
		MT_CHECK(why && !strcmp(why, c->rule), "case %u: rule \"%s\", want \"%s\"",
			 i, why ? why : "(none)", c->rule);
		MT_CHECK(!memcmp(&m, &before, sizeof(m)), "case %u: a rejected blob wrote the model", i);
		free(b.p);
	}
}

/* Every reject() in core/ml_model.c has a case above, with the same errno. */
static void test_rules_cover_verifier(void)
{
	FILE *f = fopen(ML_MODEL_SRC, "r");
	char line[512];
	unsigned int found = 0;

	MT_REQUIRE(f, "%s: %s", ML_MODEL_SRC, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = strstr(line, "reject(why, \""), *e, *code;
		unsigned int i;
		bool covered = false;
		int err;

		if (!s)
			continue;
		s += strlen("reject(why, \"");
		e = strchr(s, '"');
		MT_REQUIRE(e);
		*e = '\0';
		code = strstr(e + 1, "-E");
		MT_REQUIRE(code, "no errno for %s", s);
		err = !strncmp(code, "-EINVAL", 7) ? -EINVAL : !strncmp(code, "-E2BIG", 6) ? -E2BIG :
		      !strncmp(code, "-ERANGE", 7) ? -ERANGE : 0;
		MT_CHECK(err, "rule \"%s\" returns an errno other than EINVAL, E2BIG, ERANGE", s);
		for (i = 0; i < NR_RULES; i++)
			if (!strcmp(rules[i].rule, s) && rules[i].err == err)
				covered = true;
		MT_CHECK(covered, "verifier rule \"%s\" has no test case", s);
		found++;
	}
	fclose(f);
	MT_CHECK(found >= 50, "only %u rules found in %s", found, ML_MODEL_SRC);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_tree_hand);
	MT_RUN(test_forest_sum_hand);
	MT_RUN(test_forest_mean_hand);
	MT_RUN(test_linear_hand);
	MT_RUN(test_linear_exact_wide);
	MT_RUN(test_mlp_hand);
	MT_RUN(test_mlp_hidden_saturates);
	MT_RUN(test_random_forests);
	MT_RUN(test_random_linear);
	MT_RUN(test_random_mlp);
	MT_RUN(test_exec_tree);
	MT_RUN(test_exec_forests);
	MT_RUN(test_exec_linear);
	MT_RUN(test_exec_mlp);
	MT_RUN(test_determinism);
	MT_RUN(test_larger_header);
	MT_RUN(test_rules);
	MT_RUN(test_rules_cover_verifier);
	return mt_summary();
}
