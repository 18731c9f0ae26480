/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model_build: turn trained models, given as plain arrays, into the integer
 * model blobs of <linux/ml_lib_model.h> that ML_LIB_IOC_PUSH loads.
 *
 * Every builder checks its input, lays the blob out, then runs the same
 * verifier as the kernel (core/ml_model.c) on the result, so a blob it
 * returns is one the kernel accepts (given a matching schema). The blob is
 * allocated 8-byte aligned; release it with free().
 *
 * Return values are 0 or a negative errno: -EINVAL malformed input (a cycle
 * or shared node in a tree, a child out of range, widths that do not chain),
 * -E2BIG over a hard limit, -ERANGE a value out of range (see
 * docs/models.md), -ENOMEM.
 */
#ifndef ML_USER_MODEL_BUILD_H
#define ML_USER_MODEL_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ml_lib_model.h>

/*
 * One decision tree in the array form most learners use (scikit-learn's
 * tree_, for one): node 0 is the root; node i is a leaf when left[i] < 0,
 * else the walk goes to left[i] when x[feature[i]] <= threshold[i] and to
 * right[i] otherwise. Any node order; every node must be reachable once.
 */
struct ml_build_tree {
	unsigned int nr_nodes;
	const int32_t *left;
	const int32_t *right;
	const uint16_t *feature;	/* read for splits */
	const int64_t *threshold;	/* read for splits */
	const int64_t *value;		/* [nr_nodes][nr_outputs], read for leaves */
};

struct ml_build_forest {
	uint64_t version;		/* non-zero */
	unsigned int nr_inputs;
	unsigned int nr_outputs;
	unsigned int nr_trees;
	const struct ml_build_tree *trees;
	unsigned int combine;		/* ML_LIB_MODEL_SUM or ML_LIB_MODEL_MEAN */
	unsigned int shift;
	const int64_t *base;		/* nr_outputs values, or NULL for zeros */
};

struct ml_build_linear {
	uint64_t version;
	unsigned int nr_inputs;
	unsigned int nr_outputs;
	const int32_t *weights;		/* [nr_outputs][nr_inputs] */
	const int64_t *bias;		/* nr_outputs values, or NULL for zeros */
	unsigned int shift;
};

struct ml_build_layer {
	unsigned int nr_out;
	unsigned int shift;
	unsigned int activation;	/* ML_LIB_MODEL_ACT_NONE or _RELU */
	const int32_t *bias;		/* nr_out values, or NULL for zeros */
	const int16_t *weights;		/* [nr_out][nr_in], row by row */
};

struct ml_build_mlp {
	uint64_t version;
	unsigned int nr_inputs;
	unsigned int out_lshift;
	const uint8_t *in_shift;	/* nr_inputs values, or NULL for zeros */
	unsigned int nr_layers;		/* the last layer's nr_out is the model's nr_outputs */
	const struct ml_build_layer *layers;
};

int ml_build_forest(const struct ml_build_forest *desc, void **blob, size_t *len);
int ml_build_linear(const struct ml_build_linear *desc, void **blob, size_t *len);
int ml_build_mlp(const struct ml_build_mlp *desc, void **blob, size_t *len);

/*
 * Quantize a real linear model y_j = sum_i w[j][i] x_i + b[j] (integer
 * features x) to fixed point: picks the largest shift (at most
 * ML_LIB_MODEL_MAX_SHIFT) at which every weight, rounded, fits __s32 and
 * every bias fits __s64, and folds a rounding half into the biases so that
 * the model's >> rounds to nearest. Fills desc->weights' and desc->bias'
 * storage (@qw: nr_outputs * nr_inputs, @qb: nr_outputs) and desc->shift.
 * Returns 0, or -ERANGE when a weight is not finite or too large even at
 * shift 0.
 */
int ml_build_linear_quantize(const double *w, const double *b,
			     unsigned int nr_inputs, unsigned int nr_outputs,
			     int32_t *qw, int64_t *qb, unsigned int *shift);

/*
 * The integer threshold equivalent to "x <= t" for integer x: floor(t),
 * saturated to the int64 range. Returns -ERANGE for NaN.
 */
int ml_build_threshold(double t, int64_t *out);

#endif /* ML_USER_MODEL_BUILD_H */
