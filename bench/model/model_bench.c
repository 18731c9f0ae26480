// SPDX-License-Identifier: GPL-2.0
/*
 * The inference workload that bench/model/run.sh counts with callgrind:
 *
 *	model_bench tree|linear|mlp N
 *
 * builds the model (a full depth-8 tree, a 16-feature linear model, or a
 * 16-32-1 MLP with int8-range weights), prepares N feature vectors, then calls ml_model_run()
 * N times. run.sh collects only inside ml_model_run(), so the figure is the
 * executor's own cost per inference. core/ml_model.c is compiled here with
 * the kernel's code-generation constraints (no FPU or vector registers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ml_model.h"
#include "model_build.h"
#include "xorshift.h"

static uint64_t rng = 0x853c49e6748fea9bULL;
static uint64_t next(void)
{
	return xorshift64(&rng);
}

static int64_t small(int64_t range)
{
	return (int64_t)(next() % (2 * (uint64_t)range + 1)) - range;
}

/* A full tree of depth 8 over 16 features, numbered in pre-order. */
static int32_t left[511], right[511];
static uint16_t feature[511];
static int64_t threshold[511], value[511];
static unsigned int nr_nodes;

static int32_t grow(unsigned int depth)
{
	int32_t i = (int32_t)nr_nodes++;

	left[i] = right[i] = -1;
	feature[i] = next() % 16;
	threshold[i] = small(1000);
	value[i] = small(100000);
	if (depth) {
		left[i] = grow(depth - 1);
		right[i] = grow(depth - 1);
	}
	return i;
}

static int build(const char *kind, void **blob, size_t *len)
{
	if (!strcmp(kind, "tree")) {
		struct ml_build_tree t;

		grow(8);
		t = (struct ml_build_tree){ nr_nodes, left, right, feature, threshold, value };
		return ml_build_forest(&(struct ml_build_forest){ .version = 1, .nr_inputs = 16,
			.nr_outputs = 1, .nr_trees = 1, .trees = &t }, blob, len);
	}
	if (!strcmp(kind, "linear")) {
		int32_t w[16];
		int64_t b = small(1 << 20);

		for (int i = 0; i < 16; i++)
			w[i] = (int32_t)small(1 << 16);
		return ml_build_linear(&(struct ml_build_linear){ .version = 1, .nr_inputs = 16,
			.nr_outputs = 1, .weights = w, .bias = &b, .shift = 16 }, blob, len);
	}
	if (!strcmp(kind, "mlp")) {
		static int16_t w0[32 * 16], w1[32];
		static int32_t b0[32], b1[1];
		static uint8_t in_shift[16];
		struct ml_build_layer layers[2] = {
			{ .nr_out = 32, .shift = 7, .activation = ML_LIB_MODEL_ACT_RELU,
			  .bias = b0, .weights = w0 },
			{ .nr_out = 1, .shift = 7, .bias = b1, .weights = w1 },
		};

		for (int i = 0; i < 32 * 16; i++)
			w0[i] = (int16_t)small(127);
		for (int i = 0; i < 32; i++) {
			w1[i] = (int16_t)small(127);
			b0[i] = (int32_t)small(1000);
		}
		return ml_build_mlp(&(struct ml_build_mlp){ .version = 1, .nr_inputs = 16,
			.in_shift = in_shift, .nr_layers = 2,
			.layers = layers }, blob, len);
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct ml_model m;
	int64_t (*x)[16], y, sum = 0;
	long n, i;
	void *blob;
	size_t len;
	int err;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: model_bench tree|linear|mlp N\n");
		return 2;
	}
	err = build(argv[1], &blob, &len);
	if (!err)
		err = ml_model_verify(&m, blob, len, NULL);
	if (err) {
		fprintf(stderr, "model_bench: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	x = malloc(n * sizeof(*x));
	if (!x)
		return 1;
	for (i = 0; i < n; i++)
		for (int f = 0; f < 16; f++)
			x[i][f] = small(1200);
	for (i = 0; i < n; i++) {
		ml_model_run(&m, x[i], &y);
		sum += y;
	}
	/* Print the outputs' sum so the calls cannot be optimized away. */
	printf("%s: %ld inferences, %zu-byte model, %u steps at most, output sum %lld\n",
	       argv[1], n, len, m.max_steps, (long long)sum);
	free(x);
	free(blob);
	return 0;
}
