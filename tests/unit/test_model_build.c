// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of user/models/model_build: the blob layout it writes, the bad
 * input it refuses (with no leak: ASan checks every error path), and the
 * quantization helpers.
 */
#include <math.h>
#include <stdint.h>
#include "ml_model.h"
#include "model_build.h"
#include "mltest.h"

/* x0 <= 10 ? 100 : (x1 <= -5 ? -50 : 7), in a non-pre-order numbering. */
static int32_t t_left[] = { 3, 4, -1, -1, -1 };
static int32_t t_right[] = { 1, 2, -1, -1, -1 };
static uint16_t t_feature[] = { 0, 1, 0, 0, 0 };
static int64_t t_threshold[] = { 10, -5, 0, 0, 0 };
static int64_t t_value[] = { 0, 0, 7, 100, -50 };

static struct ml_build_tree hand(void)
{
	return (struct ml_build_tree){ 5, t_left, t_right, t_feature, t_threshold, t_value };
}

static struct ml_build_forest forest_of(const struct ml_build_tree *t, unsigned int n)
{
	return (struct ml_build_forest){ .version = 1, .nr_inputs = 2, .nr_outputs = 1,
					 .nr_trees = n, .trees = t };
}

static int build_forest(const struct ml_build_forest *f)
{
	void *p = NULL;
	size_t len;
	int err = ml_build_forest(f, &p, &len);

	free(p);
	return err;
}

static void test_forest_layout(void)
{
	struct ml_build_tree t = hand();
	struct ml_build_forest f = forest_of(&t, 1);
	const struct ml_lib_model *h;
	const struct ml_lib_model_forest *fh;
	const struct ml_lib_model_node *n;
	const int64_t *leaves;
	void *p;
	size_t len;

	MT_REQUIRE(ml_build_forest(&f, &p, &len) == 0);
	MT_CHECK(((uintptr_t)p & 7) == 0, "blob not 8-byte aligned");
	h = p;
	MT_CHECK_EQ(h->size, sizeof(*h));
	MT_CHECK_EQ(h->magic, ML_LIB_MODEL_MAGIC);
	MT_CHECK_EQ(h->format, ML_LIB_MODEL_FORMAT);
	MT_CHECK_EQ(h->total_len, len);
	MT_CHECK_EQ(h->kind, ML_LIB_MODEL_FOREST);
	MT_CHECK_EQ(len, sizeof(*h) + sizeof(*fh) + 8 + 5 * sizeof(*n) + 3 * 8);
	fh = (const void *)(h + 1);
	MT_CHECK_EQ(fh->nr_trees, 1);
	MT_CHECK_EQ(fh->nr_nodes, 5);
	MT_CHECK_EQ(fh->nr_leaves, 3);
	n = (const void *)((const char *)(fh + 1) + 8);
	leaves = (const void *)(n + 5);
	/* Pre-order: root, its left leaf, the right split, then its two leaves. */
	MT_CHECK(n[0].feature == 0 && n[0].threshold == 10 && n[0].target == 2);
	MT_CHECK(n[1].feature == ML_LIB_MODEL_LEAF && leaves[n[1].target] == 100);
	MT_CHECK(n[2].feature == 1 && n[2].threshold == -5 && n[2].target == 4);
	MT_CHECK(n[3].feature == ML_LIB_MODEL_LEAF && leaves[n[3].target] == -50);
	MT_CHECK(n[4].feature == ML_LIB_MODEL_LEAF && leaves[n[4].target] == 7);
	free(p);
}

static void test_forest_bad_trees(void)
{
	struct ml_build_tree t = hand();
	int32_t left[5], right[5];

	t.left = left;
	t.right = right;
	/* A cycle: node 1's left child is the root. */
	memcpy(left, t_left, sizeof(left));
	memcpy(right, t_right, sizeof(right));
	left[1] = 0;
	MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 2,
		.nr_outputs = 1, .nr_trees = 1, .trees = &t }), -EINVAL);
	/* A shared node: both children of node 1 are node 4 (node 2 unreachable). */
	memcpy(left, t_left, sizeof(left));
	right[1] = 4;
	MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 2,
		.nr_outputs = 1, .nr_trees = 1, .trees = &t }), -EINVAL);
	/* A child out of range, and a split with only one child. */
	memcpy(right, t_right, sizeof(right));
	right[0] = 5;
	MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 2,
		.nr_outputs = 1, .nr_trees = 1, .trees = &t }), -EINVAL);
	right[0] = -1;
	MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 2,
		.nr_outputs = 1, .nr_trees = 1, .trees = &t }), -EINVAL);
	/* An unreachable node: the tree says it has 6 nodes. */
	memcpy(right, t_right, sizeof(right));
	{
		int32_t l6[6] = { 3, 4, -1, -1, -1, -1 }, r6[6] = { 1, 2, -1, -1, -1, -1 };
		uint16_t f6[6] = { 0 };
		int64_t th6[6] = { 0 }, v6[6] = { 0 };
		struct ml_build_tree t6 = { 6, l6, r6, f6, th6, v6 };

		MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 2,
			.nr_outputs = 1, .nr_trees = 1, .trees = &t6 }), -EINVAL);
	}
	/* A split on a feature the model does not have: the verifier says so. */
	t.left = t_left;
	t.right = t_right;
	MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 1,
		.nr_outputs = 1, .nr_trees = 1, .trees = &t }), -EINVAL);
}

/* A right-leaning chain of @splits splits; leaves carry their depth. */
static int build_chain(unsigned int splits)
{
	int32_t left[64], right[64];
	uint16_t feature[64] = { 0 };
	int64_t threshold[64], value[64];
	struct ml_build_tree t = { 2 * splits + 1, left, right, feature, threshold, value };

	for (unsigned int i = 0; i < 2 * splits + 1; i++) {
		left[i] = right[i] = -1;
		threshold[i] = i;
		value[i] = i;
	}
	for (unsigned int i = 0; i < splits; i++) {
		left[2 * i] = 2 * i + 1;
		right[2 * i] = 2 * i + 2;
	}
	return build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 1,
		.nr_outputs = 1, .nr_trees = 1, .trees = &t });
}

static void test_forest_limits(void)
{
	struct ml_build_tree t = hand(), many[ML_LIB_MODEL_MAX_TREES + 1];
	struct ml_build_forest f = forest_of(&t, 1);
	int64_t big[5];

	MT_CHECK_EQ(build_chain(ML_LIB_MODEL_MAX_DEPTH), 0);
	MT_CHECK_EQ(build_chain(ML_LIB_MODEL_MAX_DEPTH + 1), -E2BIG);
	for (unsigned int i = 0; i <= ML_LIB_MODEL_MAX_TREES; i++)
		many[i] = t;
	MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 2,
		.nr_outputs = 1, .nr_trees = ML_LIB_MODEL_MAX_TREES, .trees = many }), 0);
	MT_CHECK_EQ(build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 2,
		.nr_outputs = 1, .nr_trees = ML_LIB_MODEL_MAX_TREES + 1, .trees = many }), -E2BIG);
	f.nr_trees = 0;
	MT_CHECK_EQ(build_forest(&f), -EINVAL);
	f = forest_of(&t, 1);
	f.nr_outputs = 0;
	MT_CHECK_EQ(build_forest(&f), -EINVAL);
	f.nr_outputs = ML_LIB_MAX_ACTIONS + 1;
	MT_CHECK_EQ(build_forest(&f), -E2BIG);
	f = forest_of(&t, 1);
	f.nr_inputs = ML_LIB_MAX_FEATURES + 1;
	MT_CHECK_EQ(build_forest(&f), -E2BIG);
	f = forest_of(&t, 1);
	f.combine = 2;
	MT_CHECK_EQ(build_forest(&f), -EINVAL);
	f = forest_of(&t, 1);
	f.shift = ML_LIB_MODEL_MAX_SHIFT + 1;
	MT_CHECK_EQ(build_forest(&f), -ERANGE);
	f = forest_of(&t, 1);
	f.version = 0;
	MT_CHECK_EQ(build_forest(&f), -EINVAL);
	/* A leaf value beyond ML_LIB_MODEL_MAX_VALUE: refused by the verifier. */
	memcpy(big, t_value, sizeof(big));
	big[2] = ML_LIB_MODEL_MAX_VALUE + 1;
	t.value = big;
	f = forest_of(&t, 1);
	MT_CHECK_EQ(build_forest(&f), -ERANGE);
	t = hand();
	t.nr_nodes = 0;
	MT_CHECK_EQ(build_forest(&f), -EINVAL);
	t.nr_nodes = ML_LIB_MODEL_MAX_NODES + 1;
	MT_CHECK_EQ(build_forest(&f), -E2BIG);
}

static void test_linear(void)
{
	static const int32_t w[] = { 1, -2, 3, -4, 5, -6 };
	static const int64_t bias[] = { 100, -100 };
	struct ml_build_linear l = { .version = 9, .nr_inputs = 3, .nr_outputs = 2,
				     .weights = w, .bias = bias, .shift = 2 };
	const struct ml_lib_model_linear *lh;
	void *p = NULL;
	size_t len;

	MT_REQUIRE(ml_build_linear(&l, &p, &len) == 0);
	MT_CHECK_EQ(len, sizeof(struct ml_lib_model) + sizeof(*lh) + 24);
	lh = (const void *)((const char *)p + sizeof(struct ml_lib_model));
	MT_CHECK_EQ(lh->shift, 2);
	MT_CHECK_EQ(lh->bias[0], 100);
	MT_CHECK_EQ(lh->bias[1], -100);
	MT_CHECK(!memcmp(lh + 1, w, sizeof(w)), "weights not copied in order");
	free(p);

	l.shift = ML_LIB_MODEL_MAX_SHIFT + 1;
	MT_CHECK_EQ(ml_build_linear(&l, &p, &len), -ERANGE);
	l.shift = 0;
	l.weights = NULL;
	MT_CHECK_EQ(ml_build_linear(&l, &p, &len), -EINVAL);
	l.weights = w;
	l.nr_outputs = 0;
	MT_CHECK_EQ(ml_build_linear(&l, &p, &len), -EINVAL);
	l.nr_outputs = 1;
	l.nr_inputs = ML_LIB_MAX_FEATURES + 1;
	MT_CHECK_EQ(ml_build_linear(&l, &p, &len), -E2BIG);
	/* No inputs: a constant model, the bias shifted. */
	l = (struct ml_build_linear){ .version = 1, .nr_outputs = 1, .bias = bias, .shift = 2 };
	MT_REQUIRE(ml_build_linear(&l, &p, &len) == 0);
	{
		struct ml_model m;
		s64 y;

		MT_REQUIRE(ml_model_verify(&m, p, len, NULL) == 0);
		ml_model_run(&m, NULL, &y);
		MT_CHECK_EQ(y, 25);
	}
	free(p);
}

static void test_mlp(void)
{
	static const int16_t w0[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, w1[] = { 1, -1, 32767 };
	static const int32_t b0[] = { 10, 20, 30 };
	struct ml_build_layer layers[] = {
		{ .nr_out = 3, .activation = ML_LIB_MODEL_ACT_RELU, .bias = b0, .weights = w0 },
		{ .nr_out = 1, .weights = w1 },
	};
	struct ml_build_mlp d = { .version = 1, .nr_inputs = 3, .nr_layers = 2, .layers = layers };
	struct ml_build_layer bad[] = { layers[0], layers[1] };
	const struct ml_lib_model_layer *ly;
	const int32_t *bias;
	const int64_t *words;
	void *p = NULL;
	size_t len;

	MT_REQUIRE(ml_build_mlp(&d, &p, &len) == 0);
	/* header, mlp header, 2 layer descriptors, then per layer the biases
	 * (padded to 8) and (nr_out + 1) / 2 x nr_in weight words */
	MT_CHECK_EQ(len, sizeof(struct ml_lib_model) + 24 + 16 + (16 + 2 * 3 * 8) + (8 + 1 * 3 * 8));
	ly = (const void *)((const char *)p + sizeof(struct ml_lib_model) + 24);
	MT_CHECK(ly[0].nr_in == 3 && ly[0].nr_out == 3 && ly[0].activation == ML_LIB_MODEL_ACT_RELU);
	MT_CHECK(ly[1].nr_in == 3 && ly[1].nr_out == 1);
	bias = (const void *)(ly + 2);
	MT_CHECK(bias[0] == 10 && bias[1] == 20 && bias[2] == 30 && bias[3] == 0);
	words = (const void *)(bias + 4);
	/* outputs 0 and 1 share words; output 2 pairs with a zero phantom */
	MT_CHECK_EQ(words[0], 1 + 4 * (1LL << 32));
	MT_CHECK_EQ(words[2], 3 + 6 * (1LL << 32));
	MT_CHECK_EQ(words[3], 7);
	MT_CHECK_EQ(words[5], 9);
	free(p);

	d.nr_layers = 0;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -EINVAL);
	d.nr_layers = ML_LIB_MODEL_MAX_LAYERS + 1;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -E2BIG);
	d.nr_layers = 2;
	d.out_lshift = ML_LIB_MODEL_MAX_OUT_LSHIFT + 1;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -ERANGE);
	d.out_lshift = 0;
	d.in_shift = (const uint8_t[]){ 0, ML_LIB_MODEL_MAX_IN_SHIFT + 1, 0 };
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -ERANGE);
	d.in_shift = NULL;
	d.nr_inputs = ML_LIB_MAX_FEATURES + 1;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -E2BIG);
	d.nr_inputs = 3;
	d.layers = bad;
	bad[0].nr_out = ML_LIB_MODEL_MAX_WIDTH + 1;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -E2BIG);
	bad[0] = layers[0];
	bad[0].nr_out = 0;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -EINVAL);
	bad[0] = layers[0];
	bad[0].weights = NULL;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -EINVAL);
	bad[0] = layers[0];
	bad[0].activation = 2;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -EINVAL);
	bad[0] = layers[0];
	bad[0].shift = ML_LIB_MODEL_MAX_LAYER_SHIFT + 1;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -ERANGE);
	bad[0] = layers[0];
	bad[1].nr_out = ML_LIB_MAX_ACTIONS + 1;
	MT_CHECK_EQ(ml_build_mlp(&d, &p, &len), -E2BIG);
	/* Weights whose sum could overflow an s32 accumulator: the verifier refuses. */
	{
		static const int16_t big[] = { 32767, 32767, 32767 };
		struct ml_build_layer one = { .nr_out = 1, .weights = big };
		struct ml_build_mlp m1 = { .version = 1, .nr_inputs = 3, .nr_layers = 1,
					   .layers = &one };

		MT_CHECK_EQ(ml_build_mlp(&m1, &p, &len), -ERANGE);
	}
}

static void test_linear_quantize(void)
{
	static const double w[] = { 0.5, -0.25 }, b[] = { 3.3 };
	struct ml_build_linear l = { .version = 1, .nr_inputs = 2, .nr_outputs = 1 };
	int32_t qw[2];
	int64_t qb[1];
	unsigned int shift;
	struct ml_model m;
	void *p;
	size_t len;

	MT_REQUIRE(ml_build_linear_quantize(w, b, 2, 1, qw, qb, &shift) == 0);
	MT_CHECK_EQ(shift, 31);	/* 0.5 x 2^31 fits s32, 0.5 x 2^32 does not */
	MT_CHECK_EQ(qw[0], 1 << 30);
	MT_CHECK_EQ(qw[1], -(1 << 29));
	l.weights = qw;
	l.bias = qb;
	l.shift = shift;
	MT_REQUIRE(ml_build_linear(&l, &p, &len) == 0);
	MT_REQUIRE(ml_model_verify(&m, p, len, NULL) == 0);
	/* Outputs are the real model's values rounded to nearest. */
	for (s64 x0 = -50; x0 <= 50; x0 += 7) {
		for (s64 x1 = -50; x1 <= 50; x1 += 3) {
			s64 x[2] = { x0, x1 }, y;
			double real = 0.5 * x0 - 0.25 * x1 + 3.3;

			ml_model_run(&m, x, &y);
			MT_CHECK(fabs((double)y - real) <= 0.5 + 1e-9, "x=(%lld,%lld): %lld vs %f",
				 (long long)x0, (long long)x1, (long long)y, real);
		}
	}
	free(p);

	MT_CHECK_EQ(ml_build_linear_quantize((const double[]){ 1e10, 0 }, b, 2, 1, qw, qb, &shift),
		    -ERANGE);
	MT_CHECK_EQ(ml_build_linear_quantize((const double[]){ NAN, 0 }, b, 2, 1, qw, qb, &shift),
		    -ERANGE);
	MT_CHECK_EQ(ml_build_linear_quantize(w, (const double[]){ INFINITY }, 2, 1, qw, qb, &shift),
		    -ERANGE);
	/* Large weights: shift 0, plain rounding. */
	MT_REQUIRE(ml_build_linear_quantize((const double[]){ 2e9, -1.4 }, (const double[]){ 0 },
					    2, 1, qw, qb, &shift) == 0);
	MT_CHECK_EQ(shift, 0);
	MT_CHECK_EQ(qw[0], 2000000000);
	MT_CHECK_EQ(qw[1], -1);
	MT_CHECK_EQ(qb[0], 0);
}

static void test_threshold(void)
{
	int64_t t;

	MT_CHECK(ml_build_threshold(2.5, &t) == 0 && t == 2);
	MT_CHECK(ml_build_threshold(-2.5, &t) == 0 && t == -3);
	MT_CHECK(ml_build_threshold(7.0, &t) == 0 && t == 7);
	MT_CHECK(ml_build_threshold(1e300, &t) == 0 && t == INT64_MAX);
	MT_CHECK(ml_build_threshold(-1e300, &t) == 0 && t == INT64_MIN);
	MT_CHECK(ml_build_threshold(-0x1p63, &t) == 0 && t == INT64_MIN);
	MT_CHECK(ml_build_threshold(0x1p63, &t) == 0 && t == INT64_MAX);
	MT_CHECK(ml_build_threshold(INFINITY, &t) == 0 && t == INT64_MAX);
	MT_CHECK_EQ(ml_build_threshold(NAN, &t), -ERANGE);
	/* For integers, x <= t and x <= floor(t) agree. */
	for (double d = -5; d <= 5; d += 0.25) {
		MT_REQUIRE(ml_build_threshold(d, &t) == 0);
		for (int64_t x = -7; x <= 7; x++)
			MT_CHECK((x <= d) == (x <= t), "x=%lld t=%f", (long long)x, d);
	}
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_forest_layout);
	MT_RUN(test_forest_bad_trees);
	MT_RUN(test_forest_limits);
	MT_RUN(test_linear);
	MT_RUN(test_mlp);
	MT_RUN(test_linear_quantize);
	MT_RUN(test_threshold);
	return mt_summary();
}
