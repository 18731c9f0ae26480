/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ml_lib_model: the format of the integer models that the agent pushes with
 * ML_LIB_IOC_PUSH (kind ML_LIB_PUSH_MODEL) and that the kernel executes in
 * ml_lib_decide() without user space and without the FPU.
 *
 * A model is one contiguous blob in native byte order, 8-byte aligned:
 *
 *	struct ml_lib_model		common header, @size bytes
 *	kind-specific body		starts at byte offset @size
 *
 * Three kinds of body:
 *
 *  - ML_LIB_MODEL_FOREST: decision trees (one tree is a forest of one).
 *	struct ml_lib_model_forest
 *	__u32 roots[nr_trees]			first node of each tree, zero-padded to 8 bytes
 *	struct ml_lib_model_node nodes[nr_nodes]	every tree, in pre-order
 *	__s64 leaves[nr_leaves][nr_outputs]	leaf values
 *
 *  - ML_LIB_MODEL_LINEAR: one fixed-point linear function per output.
 *	struct ml_lib_model_linear
 *	__s32 weights[nr_outputs][nr_inputs]	zero-padded to 8 bytes
 *
 *  - ML_LIB_MODEL_MLP: a small multi-layer perceptron of dense layers.
 *	struct ml_lib_model_mlp
 *	struct ml_lib_model_layer layers[nr_layers]
 *	then for each layer, in order:
 *	  __s32 bias[nr_out]			zero-padded to 8 bytes
 *	  __s64 weights[(nr_out + 1) / 2][nr_in]	int16 weights of two outputs
 *						per word (see ml_lib_model_mlp)
 *
 * The kernel verifies every byte before it uses a model (core/ml_model.c):
 * indexes in range, trees acyclic and within the depth and node limits,
 * sizes consistent, shifts bounded, accumulators provably free of overflow,
 * padding and reserved fields zero. Malformed: -EINVAL; over a hard limit:
 * -E2BIG; a numeric parameter outside its range: -ERANGE.
 * docs/models.md lists every rule and the exact arithmetic of inference.
 */
#ifndef _UAPI_LINUX_ML_LIB_MODEL_H
#define _UAPI_LINUX_ML_LIB_MODEL_H

#include <linux/types.h>
#include <linux/ml_lib.h>

#define ML_LIB_MODEL_MAGIC	0x646d6c6du	/* "mlmd" in little-endian memory */
#define ML_LIB_MODEL_FORMAT	1

/* Hard limits: a model beyond one of them is refused with -E2BIG. */
#define ML_LIB_MODEL_MAX_TREES	128	/* trees in a forest */
#define ML_LIB_MODEL_MAX_NODES	65536	/* nodes of all trees together */
#define ML_LIB_MODEL_MAX_LEAVES	65536	/* rows of leaf values */
#define ML_LIB_MODEL_MAX_DEPTH	16	/* splits on the path from a root to a leaf */
#define ML_LIB_MODEL_MAX_LAYERS	4	/* dense layers of an MLP, the output layer included */
#define ML_LIB_MODEL_MAX_WIDTH	64	/* inputs and outputs of one MLP layer */

/* Numeric ranges: a value outside one of them is refused with -ERANGE. */
#define ML_LIB_MODEL_MAX_VALUE	(1LL << 54)	/* |leaf value| and |forest base| */
#define ML_LIB_MODEL_MAX_SHIFT	62		/* forest and linear output shift */
#define ML_LIB_MODEL_MAX_IN_SHIFT	63	/* MLP input shift */
#define ML_LIB_MODEL_MAX_LAYER_SHIFT	31	/* MLP requantization shift */
#define ML_LIB_MODEL_MAX_OUT_LSHIFT	32	/* MLP output left shift */
#define ML_LIB_MODEL_WEIGHT_MAX	32767	/* MLP weights are int16 values */
#define ML_LIB_MODEL_WEIGHT_MIN	(-32768)
#define ML_LIB_MODEL_ACT_MAX	32767	/* MLP activations are __s16 ... */
#define ML_LIB_MODEL_ACT_MIN	(-32768)	/* ... saturated to this range */

enum ml_lib_model_kind {
	ML_LIB_MODEL_FOREST	= 1,
	ML_LIB_MODEL_LINEAR	= 2,
	ML_LIB_MODEL_MLP	= 3,
};

/*
 * The common header. @size is the size of the header as the producer knows
 * it; the body starts at byte @size. A larger @size than the kernel knows is
 * accepted if every byte it does not know is zero (-E2BIG otherwise).
 */
struct ml_lib_model {
	__u32 size;		/* sizeof(struct ml_lib_model); a multiple of 8 */
	__u32 magic;		/* ML_LIB_MODEL_MAGIC */
	__u64 version;		/* chosen by the agent, non-zero; reported in status and feedback */
	__u32 total_len;	/* bytes of the whole blob, header included */
	__u16 format;		/* ML_LIB_MODEL_FORMAT */
	__u16 kind;		/* enum ml_lib_model_kind */
	__u16 nr_inputs;	/* features read: 0 .. ML_LIB_MAX_FEATURES */
	__u16 nr_outputs;	/* values produced: 1 .. ML_LIB_MAX_ACTIONS */
	__u32 flags;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

/* How a forest combines the leaf values its trees reach. */
enum ml_lib_model_combine {
	ML_LIB_MODEL_SUM	= 0,	/* sum of the trees (boosting) */
	ML_LIB_MODEL_MEAN	= 1,	/* sum / nr_trees, rounded toward zero (bagging) */
};

/*
 * Forest output j, with l_t the leaf row tree t reaches:
 *	(combine(sum over t of leaves[l_t][j]) + base[j]) >> shift
 * |leaf values| and |base| are at most ML_LIB_MODEL_MAX_VALUE, so no sum can
 * overflow.
 */
struct ml_lib_model_forest {
	__u16 nr_trees;		/* 1 .. ML_LIB_MODEL_MAX_TREES */
	__u8 combine;		/* enum ml_lib_model_combine */
	__u8 shift;		/* arithmetic right shift, 0 .. ML_LIB_MODEL_MAX_SHIFT */
	__u32 nr_nodes;		/* nodes of all trees, 1 .. ML_LIB_MODEL_MAX_NODES */
	__u32 nr_leaves;	/* rows of leaf values, 1 .. ML_LIB_MODEL_MAX_LEAVES */
	__u32 reserved;		/* must be 0 */
	__s64 base[ML_LIB_MAX_ACTIONS];		/* added to output j; 0 past nr_outputs */
};

#define ML_LIB_MODEL_LEAF	0xffffu	/* node.feature of a leaf */

/*
 * A tree node. Trees are stored in pre-order: a split's left child is the
 * node right after it, its right child is @target; every node but a root
 * has exactly one parent, inside the same tree.
 */
struct ml_lib_model_node {
	__s64 threshold;	/* split: go left when x[feature] <= threshold; leaf: 0 */
	__u16 feature;		/* split: input index; ML_LIB_MODEL_LEAF for a leaf */
	__u16 reserved;		/* must be 0 */
	__u32 target;		/* split: right child's node index; leaf: its row of leaves */
};

/*
 * Linear output j, computed exactly (128-bit) and saturated to __s64:
 *	(bias[j] + sum over i of weights[j][i] * x[i]) >> shift
 */
struct ml_lib_model_linear {
	__u8 shift;		/* arithmetic right shift, 0 .. ML_LIB_MODEL_MAX_SHIFT */
	__u8 reserved[7];	/* must be 0 */
	__s64 bias[ML_LIB_MAX_ACTIONS];		/* in the scale of the products; 0 past nr_outputs */
};

enum ml_lib_model_activation {
	ML_LIB_MODEL_ACT_NONE	= 0,
	ML_LIB_MODEL_ACT_RELU	= 1,
};

/*
 * The MLP's input i is a_i = sat16(x[i] >> in_shift[i]) (sat16: saturate to
 * [ML_LIB_MODEL_ACT_MIN, ML_LIB_MODEL_ACT_MAX]). A layer computes, for each
 * of its outputs j, in __s32:
 *	y_j = (bias[j] + sum over i of w[j][i] * a_i) >> shift
 *	y_j = max(y_j, 0) with ML_LIB_MODEL_ACT_RELU
 * A hidden layer passes sat16(y_j) on; the last layer's y_j, times
 * 2^out_lshift, is the model's output j.
 *
 * Weights are int16 values (int8 ones are a special case), stored two
 * outputs to a word: weights[q][i] = w[2q][i] + w[2q + 1][i] * 2^32, with
 * w[2q + 1] = 0 when 2q + 1 = nr_out. The kernel multiplies such a word by
 * a_i once and so accumulates two outputs at a time, each in its own 32-bit
 * half; this is exact because the verifier requires, for every output,
 * |bias| + 32768 * sum over i of |w[j][i]| <= S32_MAX, so no __s32
 * accumulator can overflow (-ERANGE otherwise).
 */
struct ml_lib_model_mlp {
	__u8 nr_layers;		/* 1 .. ML_LIB_MODEL_MAX_LAYERS */
	__u8 out_lshift;	/* 0 .. ML_LIB_MODEL_MAX_OUT_LSHIFT */
	__u8 reserved[6];	/* must be 0 */
	__u8 in_shift[ML_LIB_MAX_FEATURES];	/* 0 .. ML_LIB_MODEL_MAX_IN_SHIFT; 0 past nr_inputs */
};

struct ml_lib_model_layer {
	__u16 nr_in;		/* the previous layer's nr_out, or the model's nr_inputs */
	__u16 nr_out;		/* 1 .. ML_LIB_MODEL_MAX_WIDTH; the last: the model's nr_outputs */
	__u8 shift;		/* arithmetic right shift, 0 .. ML_LIB_MODEL_MAX_LAYER_SHIFT */
	__u8 activation;	/* enum ml_lib_model_activation */
	__u16 reserved;		/* must be 0 */
};

#endif /* _UAPI_LINUX_ML_LIB_MODEL_H */
