/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integer models: the verifier and the executor of the blobs described in
 * <linux/ml_lib_model.h>.
 *
 * ml_model_verify() checks every byte of a blob once and fills a small
 * descriptor that points into the blob; ml_model_run() then executes the
 * blob itself through that descriptor, so the kernel keeps no second
 * representation of a model. Inference uses integer arithmetic only, no
 * recursion and no allocation, and its number of steps is bounded by the
 * verified limits (@max_steps). Every result is defined for every input:
 * sums cannot overflow (bounded values, 128-bit accumulators, or an
 * accumulator bound the verifier proves) and outputs saturate.
 *
 * The same source runs in ml_lib.ko, in user space (the agent verifies
 * before it pushes) and in the host tests and fuzzer.
 */
#ifndef ML_CORE_MODEL_H
#define ML_CORE_MODEL_H

#include "ml_core_types.h"
#ifdef __KERNEL__
#include <uapi/linux/ml_lib_model.h>
#else
#include <linux/ml_lib_model.h>
#endif

/**
 * enum ml_model_exec - the executor of a verified model, chosen by its shape
 * @ML_MODEL_EXEC_TREE: a forest of one tree with one output, the common
 *	decision tree: no root to load, no loop over trees, nothing to combine
 * @ML_MODEL_EXEC_LINEAR1: a linear model with one output
 * @ML_MODEL_EXEC_LINEAR: a linear model with several outputs
 * @ML_MODEL_EXEC_MLP: a multi-layer perceptron
 * @ML_MODEL_EXEC_FOREST1: a forest of several trees with one output
 * @ML_MODEL_EXEC_FOREST: any other forest
 *
 * ml_model_verify() picks it; ml_model_run() branches on it once. Each
 * executor computes exactly what docs/models.md specifies for the kind; the
 * shape only spares it work that cannot apply.
 */
enum ml_model_exec {
	ML_MODEL_EXEC_TREE,
	ML_MODEL_EXEC_LINEAR1,
	ML_MODEL_EXEC_LINEAR,
	ML_MODEL_EXEC_MLP,
	ML_MODEL_EXEC_FOREST1,
	ML_MODEL_EXEC_FOREST,
};

/**
 * struct ml_model - a verified model: the blob and pointers into it
 * @hdr: the blob's header (the blob itself)
 * @version: the agent's version of the model, non-zero
 * @kind: enum ml_lib_model_kind
 * @nr_inputs: features read by ml_model_run()
 * @nr_outputs: values written by ml_model_run()
 * @max_steps: worst-case work of one inference: node visits of a forest,
 *	multiplies of a linear model (one per weight) or an MLP (one per
 *	weight word, which holds two weights)
 * @exec: enum ml_model_exec, the executor ml_model_verify() picked for the
 *	model's shape, so that ml_model_run() tests one byte to find it
 * @forest: sections of a forest (ML_LIB_MODEL_FOREST)
 * @forest.f: the forest header
 * @forest.roots: first node of each tree
 * @forest.nodes: all nodes
 * @forest.leaves: leaf values, nr_outputs per row
 * @forest.base0: @forest.f->base[0], copied for ML_MODEL_EXEC_TREE
 * @forest.shift: @forest.f->shift, copied for ML_MODEL_EXEC_TREE
 * @linear: sections of a linear model (ML_LIB_MODEL_LINEAR)
 * @linear.l: the linear header
 * @linear.weights: nr_inputs weights per output
 * @linear.bias0_lo: @linear.l->bias[0] as a 128-bit value, its low word, ...
 * @linear.bias0_hi: ... and its high word (the sign), for ML_MODEL_EXEC_LINEAR1
 * @linear.shift: @linear.l->shift, copied for ML_MODEL_EXEC_LINEAR1
 * @mlp: sections of an MLP (ML_LIB_MODEL_MLP)
 * @mlp.m: the MLP header
 * @mlp.layers: the layer descriptors
 * @mlp.bias: each layer's biases
 * @mlp.weights: each layer's weight words
 */
struct ml_model {
	const struct ml_lib_model *hdr;
	u64 version;
	u16 kind;
	u16 nr_inputs;
	u16 nr_outputs;
	u8 exec;
	u32 max_steps;
	union {
		struct {
			const struct ml_lib_model_forest *f;
			const u32 *roots;
			const struct ml_lib_model_node *nodes;
			const s64 *leaves;
			s64 base0;
			u8 shift;
		} forest;
		struct {
			const struct ml_lib_model_linear *l;
			const s32 *weights;
			u64 bias0_lo;
			u64 bias0_hi;
			u8 shift;
		} linear;
		struct {
			const struct ml_lib_model_mlp *m;
			const struct ml_lib_model_layer *layers;
			const s32 *bias[ML_LIB_MODEL_MAX_LAYERS];
			const s64 *weights[ML_LIB_MODEL_MAX_LAYERS];
		} mlp;
	};
};

int ml_model_verify(struct ml_model *model, const void *blob, size_t len,
		    const char **why);
void ml_model_run(const struct ml_model *model, const s64 *x, s64 *out);

#endif /* ML_CORE_MODEL_H */
