// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzzer's seed corpus: valid models of every kind and shape,
 * built with user/models/model_build, each prefixed with 16 features.
 *
 *	gen_corpus DIR		write the seeds into DIR
 *	gen_corpus --check DIR	exit 1 unless DIR holds exactly these seeds
 *
 * The seeds are committed under tests/fuzz/corpus/model; `make check` runs
 * --check so that a format change cannot leave a stale corpus behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ml_model.h"
#include "model_build.h"
#include "xorshift.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t next(void)
{
	return xorshift64(&rng);
}

static int check_mode;
static int failures;

static void emit(const char *dir, const char *name, void *blob, size_t len, int err)
{
	int64_t x[ML_LIB_MAX_FEATURES];
	char path[4096];
	unsigned char *want, *have = NULL;
	size_t n = sizeof(x) + len, got = 0;
	FILE *f;

	if (err) {
		fprintf(stderr, "gen_corpus: %s: build failed: %s\n", name, strerror(-err));
		exit(2);
	}
	for (unsigned int i = 0; i < ML_LIB_MAX_FEATURES; i++)
		x[i] = (int64_t)(next() % 2001) - 1000;
	want = malloc(n);
	if (!want)
		exit(2);
	memcpy(want, x, sizeof(x));
	memcpy(want + sizeof(x), blob, len);
	free(blob);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (check_mode) {
		f = fopen(path, "rb");
		if (f) {
			have = malloc(n + 1);
			got = have ? fread(have, 1, n + 1, f) : 0;
			fclose(f);
		}
		if (!have || got != n || memcmp(have, want, n)) {
			fprintf(stderr, "gen_corpus: %s differs from what gen_corpus writes\n", path);
			failures++;
		}
		free(have);
	} else {
		f = fopen(path, "wb");
		if (!f || fwrite(want, 1, n, f) != n || fclose(f)) {
			fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
			exit(2);
		}
	}
	free(want);
}

/* A full tree of @depth, node numbering in pre-order. */
struct tree {
	int32_t left[1023], right[1023];
	uint16_t feature[1023];
	int64_t threshold[1023], value[1023 * ML_LIB_MAX_ACTIONS];
	unsigned int n;
};

static int32_t grow(struct tree *t, unsigned int depth, unsigned int nin, unsigned int nout)
{
	int32_t i = (int32_t)t->n++;

	t->left[i] = t->right[i] = -1;
	t->feature[i] = next() % nin;
	t->threshold[i] = (int64_t)(next() % 2001) - 1000;
	for (unsigned int j = 0; j < nout; j++)
		t->value[i * nout + j] = (int64_t)(next() % 20001) - 10000;
	if (depth) {
		t->left[i] = grow(t, depth - 1, nin, nout);
		t->right[i] = grow(t, depth - 1, nin, nout);
	}
	return i;
}

static void forest(const char *dir, const char *name, unsigned int ntrees, unsigned int depth,
		   unsigned int nin, unsigned int nout, unsigned int combine, unsigned int shift)
{
	static struct tree t[4];
	struct ml_build_tree bt[4];
	int64_t base[ML_LIB_MAX_ACTIONS] = { 3, -5, 7, -11 };
	struct ml_build_forest f = { .version = 1, .nr_inputs = nin, .nr_outputs = nout,
				     .nr_trees = ntrees, .trees = bt, .combine = combine,
				     .shift = shift, .base = base };
	void *blob = NULL;
	size_t len = 0;

	for (unsigned int k = 0; k < ntrees; k++) {
		t[k].n = 0;
		grow(&t[k], depth, nin, nout);
		bt[k] = (struct ml_build_tree){ t[k].n, t[k].left, t[k].right, t[k].feature,
						t[k].threshold, t[k].value };
	}
	emit(dir, name, blob, len, ml_build_forest(&f, &blob, &len));
}

static void linear(const char *dir, const char *name, unsigned int nin, unsigned int nout,
		   unsigned int shift)
{
	int32_t w[ML_LIB_MAX_FEATURES * ML_LIB_MAX_ACTIONS];
	int64_t b[ML_LIB_MAX_ACTIONS];
	struct ml_build_linear l = { .version = 2, .nr_inputs = nin, .nr_outputs = nout,
				     .weights = w, .bias = b, .shift = shift };
	void *blob = NULL;
	size_t len = 0;

	for (unsigned int i = 0; i < nin * nout; i++)
		w[i] = (int32_t)(next() % 200001) - 100000;
	for (unsigned int j = 0; j < nout; j++)
		b[j] = (int64_t)(next() % 2000001) - 1000000;
	emit(dir, name, blob, len, ml_build_linear(&l, &blob, &len));
}

static void mlp(const char *dir, const char *name, unsigned int nin, const unsigned int *widths,
		unsigned int nlayers, int lim_max)
{
	static int16_t w[ML_LIB_MODEL_MAX_LAYERS][ML_LIB_MODEL_MAX_WIDTH * ML_LIB_MODEL_MAX_WIDTH];
	static int32_t b[ML_LIB_MODEL_MAX_LAYERS][ML_LIB_MODEL_MAX_WIDTH];
	struct ml_build_layer layers[ML_LIB_MODEL_MAX_LAYERS];
	uint8_t in_shift[ML_LIB_MAX_FEATURES];
	struct ml_build_mlp d = { .version = 3, .nr_inputs = nin, .out_lshift = 2, .in_shift = in_shift, .nr_layers = nlayers,
				  .layers = layers };
	unsigned int width = nin;
	void *blob = NULL;
	size_t len = 0;

	for (unsigned int i = 0; i < nin; i++)
		in_shift[i] = next() % 4;
	for (unsigned int l = 0; l < nlayers; l++) {
		int lim = 60000 / (int)width < lim_max ? 60000 / (int)width : lim_max;

		for (unsigned int i = 0; i < width * widths[l]; i++)
			w[l][i] = (int16_t)((int)(next() % (2 * lim + 1)) - lim);
		for (unsigned int j = 0; j < widths[l]; j++)
			b[l][j] = (int32_t)(next() % 20001) - 10000;
		layers[l] = (struct ml_build_layer){ widths[l], 4 + l, l + 1 < nlayers, b[l], w[l] };
		width = widths[l];
	}
	emit(dir, name, blob, len, ml_build_mlp(&d, &blob, &len));
}

int main(int argc, char **argv)
{
	const char *dir;

	if (argc == 3 && !strcmp(argv[1], "--check")) {
		check_mode = 1;
		dir = argv[2];
	} else if (argc == 2) {
		dir = argv[1];
	} else {
		fprintf(stderr, "usage: gen_corpus [--check] DIR\n");
		return 2;
	}
	forest(dir, "tree-depth2", 1, 2, 2, 1, ML_LIB_MODEL_SUM, 0);
	forest(dir, "tree-depth8", 1, 8, 16, 1, ML_LIB_MODEL_SUM, 0);
	forest(dir, "forest-sum", 3, 3, 4, 2, ML_LIB_MODEL_SUM, 2);
	forest(dir, "forest-mean", 4, 4, 8, 4, ML_LIB_MODEL_MEAN, 1);
	linear(dir, "linear-16x1", 16, 1, 8);
	linear(dir, "linear-3x4", 3, 4, 0);
	linear(dir, "linear-0x1", 0, 1, 3);
	mlp(dir, "mlp-int8-16-32-1", 16, (const unsigned int[]){ 32, 1 }, 2, 127);
	mlp(dir, "mlp-int16-4-8-8-2", 4, (const unsigned int[]){ 8, 8, 2 }, 3, 32767);
	mlp(dir, "mlp-int8-4layers", 5, (const unsigned int[]){ 6, 7, 5, 3 }, 4, 127);
	return failures ? 1 : 0;
}
