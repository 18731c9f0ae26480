// SPDX-License-Identifier: GPL-2.0
/*
 * Integer models: verifier and executor; see ml_model.h and docs/models.md.
 *
 * The verifier walks the blob once, front to back. Each rule rejects with
 * one errno: -EINVAL when the blob is malformed (bad magic or version, sizes
 * that do not add up, a reference outside its table, a broken tree, non-zero
 * padding or reserved bytes), -E2BIG when a count exceeds a hard limit, and
 * -ERANGE when a numeric parameter (shift, value, accumulator bound) is
 * outside its range. The first rule broken, in the order of this file,
 * decides the errno; @why names it.
 *
 * The executor trusts what the verifier proved: indexes are in range, every
 * tree walk ends at a leaf within ML_LIB_MODEL_MAX_DEPTH steps (a split's
 * children come after it in pre-order), and no sum can overflow.
 */
#include "ml_model.h"

#ifdef __KERNEL__
#include <linux/math64.h>
#else
static inline s64 div_s64(s64 dividend, s32 divisor)
{
	return dividend / divisor;
}
#endif

/*
 * Linear models sum products of 64-bit features and 32-bit weights exactly:
 * each product needs 95 bits. Every 64-bit target of the kernel (x86_64,
 * arm64, riscv64, ...) has a 128-bit integer type with inline add and
 * multiply; the division that 32-bit targets lack is never used.
 */
#ifndef __SIZEOF_INT128__
#error "integer models need a 64-bit target with __int128"
#endif

#define ML_MODEL_ACT_BOUND	32768	/* largest |activation| of an MLP */

/* Loop unrolling where the loop's own instructions rival its body's. */
#define ML_PRAGMA(x)	_Pragma(#x)
#define ML_UNROLL(n)	ML_PRAGMA(GCC unroll n)

#ifndef __KERNEL__
/* glibc's <sys/cdefs.h> has __always_inline but calls noinline otherwise. */
#define noinline __attribute_noinline__
/* The kernel's <linux/compiler_attributes.h> has it: see run_mlp(). */
#if __has_attribute(__uninitialized__)
#define __uninitialized __attribute__((__uninitialized__))
#else
#define __uninitialized
#endif
#endif

static int reject(const char **why, const char *rule, int err)
{
	if (why)
		*why = rule;
	return err;
}

static bool bytes_zero(const void *p, size_t n)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static bool value_in_range(s64 v)
{
	return v >= -ML_LIB_MODEL_MAX_VALUE && v <= ML_LIB_MODEL_MAX_VALUE;
}

/* Depth and pending right child of the splits above the node being checked. */
struct tree_walk {
	u32 right[ML_LIB_MODEL_MAX_DEPTH];
	u8 depth[ML_LIB_MODEL_MAX_DEPTH];
};

/*
 * Check that nodes [start, end) form one binary tree stored in pre-order:
 * each split's left child is the next node, its right child is the node
 * that follows the left subtree, and the tree uses every node of the range.
 * So every walk from the root moves to strictly larger indexes (no cycle)
 * and ends at a leaf. Sets *depth to the tree's depth (splits on its
 * longest path).
 */
static int verify_tree(const struct ml_model *m, u32 start, u32 end,
		       u32 nr_leaves, u32 *depth, const char **why)
{
	const struct ml_lib_model_node *nodes = m->forest.nodes;
	struct tree_walk w;
	u32 i = start, d = 0, sp = 0, deepest = 0;

	for (;;) {
		const struct ml_lib_model_node *n;

		/* i < end: the root is, and so is every child checked below. */
		n = &nodes[i];
		if (n->reserved)
			return reject(why, "node: non-zero reserved field", -EINVAL);
		if (n->feature == ML_LIB_MODEL_LEAF) {
			if (n->threshold)
				return reject(why, "leaf: non-zero threshold", -EINVAL);
			if (n->target >= nr_leaves)
				return reject(why, "leaf: row of leaf values out of range", -EINVAL);
			if (d > deepest)
				deepest = d;
			if (!sp)
				break;
			sp--;
			if (w.right[sp] != i + 1)
				return reject(why, "tree: right child not where pre-order puts it", -EINVAL);
			d = w.depth[sp];
			i++;
			continue;
		}
		if (n->feature >= m->nr_inputs)
			return reject(why, "split: feature index out of range", -EINVAL);
		if (n->target <= i + 1 || n->target >= end)
			return reject(why, "split: right child outside the nodes after its left child", -EINVAL);
		if (d >= ML_LIB_MODEL_MAX_DEPTH || sp >= ML_LIB_MODEL_MAX_DEPTH)
			return reject(why, "tree: deeper than ML_LIB_MODEL_MAX_DEPTH", -E2BIG);
		w.right[sp] = n->target;
		w.depth[sp] = d + 1;
		sp++;
		d++;
		i++;
	}
	if (i + 1 != end)
		return reject(why, "tree: nodes left over after the tree's last leaf", -EINVAL);
	*depth = deepest;
	return 0;
}

static int verify_forest(struct ml_model *m, const u8 *body, size_t blen,
			 const char **why)
{
	const struct ml_lib_model_forest *f = (const void *)body;
	size_t roots_len, nodes_len, leaves_len, i, nvals;
	u32 t, steps = 0;
	int err;

	if (blen < sizeof(*f))
		return reject(why, "forest: body shorter than its header", -EINVAL);
	if (f->reserved)
		return reject(why, "forest: non-zero reserved field", -EINVAL);
	if (f->combine != ML_LIB_MODEL_SUM && f->combine != ML_LIB_MODEL_MEAN)
		return reject(why, "forest: unknown combine mode", -EINVAL);
	if (!f->nr_trees || !f->nr_nodes || !f->nr_leaves)
		return reject(why, "forest: no trees, nodes or leaves", -EINVAL);
	if (f->nr_trees > ML_LIB_MODEL_MAX_TREES)
		return reject(why, "forest: more than ML_LIB_MODEL_MAX_TREES trees", -E2BIG);
	if (f->nr_nodes > ML_LIB_MODEL_MAX_NODES)
		return reject(why, "forest: more than ML_LIB_MODEL_MAX_NODES nodes", -E2BIG);
	if (f->nr_leaves > ML_LIB_MODEL_MAX_LEAVES)
		return reject(why, "forest: more than ML_LIB_MODEL_MAX_LEAVES leaf rows", -E2BIG);
	if (f->shift > ML_LIB_MODEL_MAX_SHIFT)
		return reject(why, "forest: shift above ML_LIB_MODEL_MAX_SHIFT", -ERANGE);
	if (!bytes_zero(&f->base[m->nr_outputs],
			(ML_LIB_MAX_ACTIONS - m->nr_outputs) * sizeof(f->base[0])))
		return reject(why, "forest: non-zero base past nr_outputs", -EINVAL);
	for (i = 0; i < m->nr_outputs; i++)
		if (!value_in_range(f->base[i]))
			return reject(why, "forest: |base| above ML_LIB_MODEL_MAX_VALUE", -ERANGE);

	/* The limits keep these products far below SIZE_MAX. */
	roots_len = align8(f->nr_trees * sizeof(u32));
	nodes_len = (size_t)f->nr_nodes * sizeof(struct ml_lib_model_node);
	nvals = (size_t)f->nr_leaves * m->nr_outputs;
	leaves_len = nvals * sizeof(s64);
	if (blen != sizeof(*f) + roots_len + nodes_len + leaves_len)
		return reject(why, "forest: body length differs from its sections", -EINVAL);

	m->forest.f = f;
	m->forest.roots = (const u32 *)(body + sizeof(*f));
	m->forest.nodes = (const void *)(body + sizeof(*f) + roots_len);
	m->forest.leaves = (const s64 *)(body + sizeof(*f) + roots_len + nodes_len);

	if (!bytes_zero(&m->forest.roots[f->nr_trees],
			roots_len - f->nr_trees * sizeof(u32)))
		return reject(why, "forest: non-zero padding after the roots", -EINVAL);
	for (i = 0; i < nvals; i++)
		if (!value_in_range(m->forest.leaves[i]))
			return reject(why, "forest: |leaf value| above ML_LIB_MODEL_MAX_VALUE", -ERANGE);
	if (m->forest.roots[0])
		return reject(why, "forest: the first tree does not start at node 0", -EINVAL);
	for (t = 0; t < f->nr_trees; t++) {
		u32 start = m->forest.roots[t], depth;
		u32 end = t + 1 < f->nr_trees ? m->forest.roots[t + 1] : f->nr_nodes;

		if (end <= start || end > f->nr_nodes)
			return reject(why, "forest: roots not increasing within the nodes", -EINVAL);
		err = verify_tree(m, start, end, f->nr_leaves, &depth, why);
		if (err)
			return err;
		steps += depth + 1;
	}
	m->max_steps = steps;
	m->forest.base0 = f->base[0];
	m->forest.shift = f->shift;
	if (m->nr_outputs > 1)
		m->exec = ML_MODEL_EXEC_FOREST;
	else if (f->nr_trees > 1)
		m->exec = ML_MODEL_EXEC_FOREST1;
	else
		m->exec = ML_MODEL_EXEC_TREE;
	return 0;
}

static int verify_linear(struct ml_model *m, const u8 *body, size_t blen,
			 const char **why)
{
	const struct ml_lib_model_linear *l = (const void *)body;
	size_t nw = (size_t)m->nr_inputs * m->nr_outputs;
	size_t wlen = align8(nw * sizeof(s32));

	if (blen < sizeof(*l))
		return reject(why, "linear: body shorter than its header", -EINVAL);
	if (!bytes_zero(l->reserved, sizeof(l->reserved)))
		return reject(why, "linear: non-zero reserved field", -EINVAL);
	if (l->shift > ML_LIB_MODEL_MAX_SHIFT)
		return reject(why, "linear: shift above ML_LIB_MODEL_MAX_SHIFT", -ERANGE);
	if (!bytes_zero(&l->bias[m->nr_outputs],
			(ML_LIB_MAX_ACTIONS - m->nr_outputs) * sizeof(l->bias[0])))
		return reject(why, "linear: non-zero bias past nr_outputs", -EINVAL);
	if (blen != sizeof(*l) + wlen)
		return reject(why, "linear: body length differs from its weights", -EINVAL);
	m->linear.l = l;
	m->linear.weights = (const s32 *)(body + sizeof(*l));
	if (!bytes_zero(&m->linear.weights[nw], wlen - nw * sizeof(s32)))
		return reject(why, "linear: non-zero padding after the weights", -EINVAL);
	m->max_steps = nw;
	m->exec = m->nr_outputs > 1 ? ML_MODEL_EXEC_LINEAR : ML_MODEL_EXEC_LINEAR1;
	m->linear.bias0_lo = (u64)l->bias[0];
	m->linear.bias0_hi = (u64)(l->bias[0] >> 63);
	m->linear.shift = l->shift;
	return 0;
}

/* Check the layer descriptors: widths chain from the inputs to the outputs. */
static int verify_layers(const struct ml_model *m,
			 const struct ml_lib_model_layer *layers, u8 nr_layers,
			 const char **why)
{
	u32 width = m->nr_inputs;
	u8 l;

	for (l = 0; l < nr_layers; l++) {
		const struct ml_lib_model_layer *ly = &layers[l];

		if (ly->reserved)
			return reject(why, "layer: non-zero reserved field", -EINVAL);
		if (ly->activation != ML_LIB_MODEL_ACT_NONE &&
		    ly->activation != ML_LIB_MODEL_ACT_RELU)
			return reject(why, "layer: unknown activation", -EINVAL);
		if (ly->nr_in != width)
			return reject(why, "layer: nr_in differs from the previous layer's nr_out", -EINVAL);
		if (!ly->nr_out)
			return reject(why, "layer: no outputs", -EINVAL);
		if (ly->nr_out > ML_LIB_MODEL_MAX_WIDTH)
			return reject(why, "layer: more than ML_LIB_MODEL_MAX_WIDTH outputs", -E2BIG);
		if (ly->shift > ML_LIB_MODEL_MAX_LAYER_SHIFT)
			return reject(why, "layer: shift above ML_LIB_MODEL_MAX_LAYER_SHIFT", -ERANGE);
		width = ly->nr_out;
	}
	if (width != m->nr_outputs)
		return reject(why, "layer: the last layer's nr_out differs from nr_outputs", -EINVAL);
	return 0;
}

/* Decode the two int16 weights of an MLP weight word: w = lo + hi * 2^32. */
static void weight_pair(s64 w, s64 *lo, s64 *hi)
{
	*lo = (s32)w;
	*hi = (s64)((u64)w - (u64)*lo) >> 32;
}

static bool weight_in_range(s64 w)
{
	return w >= ML_LIB_MODEL_WEIGHT_MIN && w <= ML_LIB_MODEL_WEIGHT_MAX;
}

/*
 * Check the weights of outputs 2q and 2q + 1 (@w, @nin words), and prove
 * their accumulators cannot overflow: |bias| + 32768 * sum |w| <= S32_MAX
 * for each, as activations never exceed 32768 in magnitude.
 */
static int verify_weight_row(const s64 *w, u32 nin, const s32 *bias, bool odd_last,
			     const char **why)
{
	s64 bound_lo = bias[0] < 0 ? -(s64)bias[0] : bias[0];
	s64 bound_hi = bias[1] < 0 ? -(s64)bias[1] : bias[1];
	u32 i;

	for (i = 0; i < nin; i++) {
		s64 lo, hi;

		weight_pair(w[i], &lo, &hi);
		if (odd_last && hi)
			return reject(why, "mlp: non-zero weight for the output past nr_out", -EINVAL);
		if (!weight_in_range(lo) || !weight_in_range(hi))
			return reject(why, "mlp: weight outside the int16 range", -ERANGE);
		bound_lo += (lo < 0 ? -lo : lo) * ML_MODEL_ACT_BOUND;
		bound_hi += (hi < 0 ? -hi : hi) * ML_MODEL_ACT_BOUND;
	}
	if (bound_lo > S32_MAX || bound_hi > S32_MAX)
		return reject(why, "mlp: |bias| + 32768 * sum |weights| exceeds S32_MAX", -ERANGE);
	return 0;
}

/* Locate each layer's bias and weights and check them. */
static int verify_layer_data(struct ml_model *m, const u8 *body, size_t blen,
			     size_t off, const char **why)
{
	const struct ml_lib_model_mlp *mp = m->mlp.m;
	u32 steps = 0;
	u8 l;

	for (l = 0; l < mp->nr_layers; l++) {
		const struct ml_lib_model_layer *ly = &m->mlp.layers[l];
		size_t bias_len = align8(ly->nr_out * sizeof(s32));
		u32 pairs = (ly->nr_out + 1) / 2, q;
		size_t wlen = (size_t)pairs * ly->nr_in * sizeof(s64);
		const s32 *bias = (const s32 *)(body + off);
		const s64 *w = (const s64 *)(body + off + bias_len);
		int err;

		if (blen - off < bias_len + wlen)
			return reject(why, "mlp: body shorter than its layers", -EINVAL);
		if (!bytes_zero(&bias[ly->nr_out], bias_len - ly->nr_out * sizeof(s32)))
			return reject(why, "mlp: non-zero padding after a layer's biases", -EINVAL);
		/* An odd layer's missing bias, bias[nr_out], is that zero padding. */
		for (q = 0; q < pairs; q++) {
			err = verify_weight_row(w + (size_t)q * ly->nr_in, ly->nr_in, &bias[2 * q],
						2 * q + 1 == ly->nr_out, why);
			if (err)
				return err;
		}
		m->mlp.bias[l] = bias;
		m->mlp.weights[l] = w;
		steps += pairs * ly->nr_in;
		off += bias_len + wlen;
	}
	if (off != blen)
		return reject(why, "mlp: bytes left over after the last layer", -EINVAL);
	m->max_steps = steps;
	m->exec = ML_MODEL_EXEC_MLP;
	return 0;
}

static int verify_mlp(struct ml_model *m, const u8 *body, size_t blen,
		      const char **why)
{
	const struct ml_lib_model_mlp *mp = (const void *)body;
	size_t layers_len;
	int err;
	u32 i;

	if (blen < sizeof(*mp))
		return reject(why, "mlp: body shorter than its header", -EINVAL);
	if (!bytes_zero(mp->reserved, sizeof(mp->reserved)))
		return reject(why, "mlp: non-zero reserved field", -EINVAL);
	if (!mp->nr_layers)
		return reject(why, "mlp: no layers", -EINVAL);
	if (mp->nr_layers > ML_LIB_MODEL_MAX_LAYERS)
		return reject(why, "mlp: more than ML_LIB_MODEL_MAX_LAYERS layers", -E2BIG);
	if (mp->out_lshift > ML_LIB_MODEL_MAX_OUT_LSHIFT)
		return reject(why, "mlp: out_lshift above ML_LIB_MODEL_MAX_OUT_LSHIFT", -ERANGE);
	if (!bytes_zero(&mp->in_shift[m->nr_inputs], ML_LIB_MAX_FEATURES - m->nr_inputs))
		return reject(why, "mlp: non-zero in_shift past nr_inputs", -EINVAL);
	for (i = 0; i < m->nr_inputs; i++)
		if (mp->in_shift[i] > ML_LIB_MODEL_MAX_IN_SHIFT)
			return reject(why, "mlp: in_shift above ML_LIB_MODEL_MAX_IN_SHIFT", -ERANGE);

	layers_len = mp->nr_layers * sizeof(struct ml_lib_model_layer);
	if (blen - sizeof(*mp) < layers_len)
		return reject(why, "mlp: body shorter than its layer descriptors", -EINVAL);
	m->mlp.m = mp;
	m->mlp.layers = (const void *)(body + sizeof(*mp));
	err = verify_layers(m, m->mlp.layers, mp->nr_layers, why);
	if (err)
		return err;
	return verify_layer_data(m, body, blen, sizeof(*mp) + layers_len, why);
}

/**
 * ml_model_verify() - check a model blob and describe it for ml_model_run()
 * @model: filled on success; left untouched on failure
 * @blob: the blob, 8-byte aligned; it must stay unchanged while @model is used
 * @len: bytes of the blob
 * @why: if not NULL, set on failure to a static string naming the broken rule
 *
 * Return: 0 if the blob is a valid model; -EINVAL if it is malformed, -E2BIG
 * if it exceeds a hard limit, -ERANGE if a numeric parameter is out of range.
 */
int ml_model_verify(struct ml_model *model, const void *blob, size_t len,
		    const char **why)
{
	const struct ml_lib_model *h = blob;
	struct ml_model m;
	const u8 *body;
	size_t blen;
	int err;

	if (len > ML_LIB_MAX_BLOB)
		return reject(why, "blob: larger than ML_LIB_MAX_BLOB", -E2BIG);
	if ((unsigned long)blob & 7)
		return reject(why, "blob: not 8-byte aligned", -EINVAL);
	if (len < sizeof(*h))
		return reject(why, "blob: shorter than the header", -EINVAL);
	if (h->magic != ML_LIB_MODEL_MAGIC)
		return reject(why, "header: bad magic", -EINVAL);
	if (h->format != ML_LIB_MODEL_FORMAT)
		return reject(why, "header: unknown format version", -EINVAL);
	if (h->size < sizeof(*h) || h->size % 8 || h->size > len)
		return reject(why, "header: size too small, unaligned or past the blob", -EINVAL);
	if (!bytes_zero((const u8 *)blob + sizeof(*h), h->size - sizeof(*h)))
		return reject(why, "header: non-zero bytes past the known header", -E2BIG);
	if (h->total_len != len)
		return reject(why, "header: total_len differs from the blob's length", -EINVAL);
	if (h->flags || h->reserved[0] || h->reserved[1])
		return reject(why, "header: non-zero flags or reserved field", -EINVAL);
	if (!h->version)
		return reject(why, "header: version 0", -EINVAL);
	if (!h->nr_outputs)
		return reject(why, "header: no outputs", -EINVAL);
	if (h->nr_outputs > ML_LIB_MAX_ACTIONS)
		return reject(why, "header: more than ML_LIB_MAX_ACTIONS outputs", -E2BIG);
	if (h->nr_inputs > ML_LIB_MAX_FEATURES)
		return reject(why, "header: more than ML_LIB_MAX_FEATURES inputs", -E2BIG);

	memset(&m, 0, sizeof(m));
	m.hdr = h;
	m.version = h->version;
	m.kind = h->kind;
	m.nr_inputs = h->nr_inputs;
	m.nr_outputs = h->nr_outputs;
	body = (const u8 *)blob + h->size;
	blen = len - h->size;
	switch (h->kind) {
	case ML_LIB_MODEL_FOREST:
		err = verify_forest(&m, body, blen, why);
		break;
	case ML_LIB_MODEL_LINEAR:
		err = verify_linear(&m, body, blen, why);
		break;
	case ML_LIB_MODEL_MLP:
		err = verify_mlp(&m, body, blen, why);
		break;
	default:
		err = reject(why, "header: unknown kind", -EINVAL);
		break;
	}
	if (!err)
		*model = m;
	return err;
}

/*
 * The executor. ml_model_verify() picked the path for the model's shape
 * (@exec) and copied the constants that path needs into the descriptor, so
 * ml_model_run() tests one byte and goes straight to the work. Instructions
 * count here: ml_lib_decide() runs a model per decision (bench/model/ counts
 * them per inference). Each shortcut below says why its result is exactly
 * the one docs/models.md specifies.
 */

/* The leaf that the walk from node @n reaches for @x; its target is its row. */
static __always_inline u32 tree_leaf(const struct ml_lib_model_node *nodes,
				     const struct ml_lib_model_node *n, const s64 *x)
{
	u32 f;

	/* At most ML_LIB_MODEL_MAX_DEPTH steps: see verify_tree(). */
	for (f = n->feature; f != ML_LIB_MODEL_LEAF; f = n->feature) {
		if (x[f] <= n->threshold)
			n++;
		else
			n = &nodes[n->target];
	}
	return n->target;
}

/*
 * One tree, one output: (leaf + base[0]) >> shift. The tree starts at node
 * 0 (verify_forest() requires roots[0] == 0) and the mean of one tree is its
 * sum, so there is no root to load and nothing to combine. |leaf|, |base|
 * <= 2^54: no overflow.
 */
static __always_inline void run_tree(const struct ml_model *m, const s64 *x, s64 *out)
{
	const struct ml_lib_model_node *nodes = m->forest.nodes;
	u32 row = tree_leaf(nodes, nodes, x);

	out[0] = (m->forest.leaves[row] + m->forest.base0) >> m->forest.shift;
}

/* |sum| <= nr_trees * 2^54 < 2^61 and |base| <= 2^54: no overflow. */
static __always_inline s64 forest_output(const struct ml_lib_model_forest *f,
					 s64 sum, u32 j)
{
	if (f->combine == ML_LIB_MODEL_MEAN)
		sum = div_s64(sum, f->nr_trees);
	return (sum + f->base[j]) >> f->shift;
}

/* Several trees, one output: one sum, no loop over outputs. */
static noinline void run_forest_one(const struct ml_model *m, const s64 *x, s64 *out)
{
	const struct ml_lib_model_forest *f = m->forest.f;
	const struct ml_lib_model_node *nodes = m->forest.nodes;
	const u32 *root = m->forest.roots, *end = root + f->nr_trees;
	s64 sum = 0;

	/* nr_trees >= 1 */
	do
		sum += m->forest.leaves[tree_leaf(nodes, &nodes[*root], x)];
	while (++root < end);
	out[0] = forest_output(f, sum, 0);
}

static noinline void run_forest(const struct ml_model *m, const s64 *x, s64 *out)
{
	const struct ml_lib_model_forest *f = m->forest.f;
	const struct ml_lib_model_node *nodes = m->forest.nodes;
	s64 sum[ML_LIB_MAX_ACTIONS] = { 0 };
	u32 t, j, nout = m->nr_outputs;

	for (t = 0; t < f->nr_trees; t++) {
		u32 row = tree_leaf(nodes, &nodes[m->forest.roots[t]], x);
		const s64 *v = &m->forest.leaves[(size_t)row * nout];

		for (j = 0; j < nout; j++)
			sum[j] += v[j];
	}
	for (j = 0; j < nout; j++)
		out[j] = forest_output(f, sum[j], j);
}

/* Add w[k] * x[k], which needs 95 bits, to the 128-bit sum: an imul, an add/adc pair. */
#define LINEAR_MAC(k)	(acc += (__int128)w[k] * x[k])

/*
 * One linear output, *out = sat64((bias + sum of w[i] x[i]) >> shift), the
 * sum exact: |bias| < 2^63 and 16 products below 2^94 fit in 128 bits.
 *
 * The products are straight-line blocks of 16, 8, 4, 2 and 1, each run when
 * its bit of @n is set (n <= ML_LIB_MAX_FEATURES = 16, so 16 comes alone):
 * a test per block and no loop counter. Each block is one chain of
 * multiply-accumulates at fixed offsets from @w and @x, which then advance.
 */
_Static_assert(ML_LIB_MAX_FEATURES == 16, "linear_row() has blocks for up to 16 inputs");
static __always_inline void linear_row(const s32 *w, const s64 *x, u32 n, __int128 bias,
				       u32 shift, s64 *out)
{
	__int128 acc = bias, v;

	if (n & 16) {
		LINEAR_MAC(0); LINEAR_MAC(1); LINEAR_MAC(2); LINEAR_MAC(3);
		LINEAR_MAC(4); LINEAR_MAC(5); LINEAR_MAC(6); LINEAR_MAC(7);
		LINEAR_MAC(8); LINEAR_MAC(9); LINEAR_MAC(10); LINEAR_MAC(11);
		LINEAR_MAC(12); LINEAR_MAC(13); LINEAR_MAC(14); LINEAR_MAC(15);
	} else {
		if (n & 8) {
			LINEAR_MAC(0); LINEAR_MAC(1); LINEAR_MAC(2); LINEAR_MAC(3);
			LINEAR_MAC(4); LINEAR_MAC(5); LINEAR_MAC(6); LINEAR_MAC(7);
			w += 8;
			x += 8;
		}
		if (n & 4) {
			LINEAR_MAC(0); LINEAR_MAC(1); LINEAR_MAC(2); LINEAR_MAC(3);
			w += 4;
			x += 4;
		}
		if (n & 2) {
			LINEAR_MAC(0); LINEAR_MAC(1);
			w += 2;
			x += 2;
		}
		if (n & 1)
			LINEAR_MAC(0);
	}
	/* shift <= 62: the & spares the compiler the 128-bit shift's >= 64 case. */
	v = acc >> (shift & 63);
	*out = v != (s64)v ? (v < 0 ? S64_MIN : S64_MAX) : (s64)v;
}

/* Several outputs (one output: ml_model_run() inlines linear_row()). */
static noinline void run_linear(const struct ml_model *m, const s64 *x, s64 *out)
{
	const struct ml_lib_model_linear *l = m->linear.l;
	u32 j, nin = m->nr_inputs;

	for (j = 0; j < m->nr_outputs; j++)
		linear_row(m->linear.weights + j * nin, x, nin, l->bias[j], l->shift, &out[j]);
}

/* An MLP input, saturated to the __s16 activation range. */
static __always_inline s16 saturate_act(s64 v)
{
	if (v > ML_LIB_MODEL_ACT_MAX)
		return ML_LIB_MODEL_ACT_MAX;
	if (v < ML_LIB_MODEL_ACT_MIN)
		return ML_LIB_MODEL_ACT_MIN;
	return (s16)v;
}

/*
 * A hidden output: max(v, @floor), then saturated to ML_LIB_MODEL_ACT_MAX.
 * @floor is 0 with ReLU and ML_LIB_MODEL_ACT_MIN without, which gives
 * max(v, 0) then sat16 (a non-negative value needs no lower bound), or
 * sat16, with the same instructions and no test of the activation.
 */
static __always_inline s16 hidden_act(s32 v, s32 floor)
{
	v = v < floor ? floor : v;
	return (s16)(v > ML_LIB_MODEL_ACT_MAX ? ML_LIB_MODEL_ACT_MAX : v);
}

/*
 * The sum of a[i] * w[i] for i in [-n, 0), in u64: products of activations
 * by weight words (two weights each, see mlp_pair()), wrapping. @w and @a
 * point past their last element and one index counts up from -n to 0 for
 * both: n % 8 words one at a time, then eight at a time, so that the loop
 * costs an add and a branch per eight words. The empty asm hides i from the
 * compiler, which would otherwise trade the one index for a pointer per
 * array, an add each and a compare. @by8 (a constant) says that n is a
 * non-zero multiple of 8: no words one at a time, no test before the first
 * eight.
 */
#define MLP_MAC(i)	((u64)(s64)a[i] * (u64)w[i])
static __always_inline u64 mlp_dot(const s64 *w, const s16 *a, long n, bool by8)
{
	u64 acc = 0;
	long i = -n;

	if (!by8) {
		for (; i & 7; i++)
			acc += MLP_MAC(i);
		if (!i)
			return acc;
	}
	do {
		acc += MLP_MAC(i) + MLP_MAC(i + 1) + MLP_MAC(i + 2) + MLP_MAC(i + 3) +
		       MLP_MAC(i + 4) + MLP_MAC(i + 5) + MLP_MAC(i + 6) + MLP_MAC(i + 7);
		__asm__("" : "+r" (i));
		i += 8;
	} while (i);
	return acc;
}

/*
 * The accumulators of outputs 2q and 2q + 1 (@w: their @nin weight words,
 * @bias: their biases) as the halves of one word: bias[0] + bias[1] 2^32 +
 * sum of a_i * (w[2q][i] + w[2q + 1][i] 2^32), in u64 so that the carries
 * between the halves wrap without undefined behaviour. Each half holds an
 * exact s32 (the verifier's bound), so the word's value is exact, whatever
 * the order of the wrapping additions.
 */
static __always_inline u64 mlp_pair(const s64 *w, const s16 *a, long nin,
				    const s32 *bias, bool by8)
{
	return (u64)(s64)bias[0] + ((u64)(s64)bias[1] << 32) +
	       mlp_dot(w + nin, a + nin, nin, by8);
}

/*
 * The two s32 halves of a pair accumulator acc = lo + hi * 2^32, shifted
 * right by @shift. The high half is (acc + 2^31) >> 32: adding 2^31 turns
 * lo's range [-2^31, 2^31) into [0, 2^32), which then cannot reach it.
 */
static __always_inline s32 pair_lo(u64 acc, u32 shift)
{
	return (s32)acc >> shift;
}

static __always_inline s32 pair_hi(u64 acc, u32 shift)
{
	return (s32)((acc + 0x80000000ULL) >> 32) >> shift;
}

static __always_inline void mlp_hidden_rows(const struct ml_lib_model_layer *ly,
					    const s32 *bias, const s64 *w,
					    const s16 *a, s16 *y, bool by8)
{
	long nin = ly->nr_in;
	u32 j, shift = ly->shift & 31;
	s32 floor = ly->activation == ML_LIB_MODEL_ACT_RELU ? 0 : ML_LIB_MODEL_ACT_MIN;

	for (j = 0; j < ly->nr_out; j += 2, w += nin) {
		u64 acc = mlp_pair(w, a, nin, &bias[j], by8);

		y[j] = hidden_act(pair_lo(acc, shift), floor);
		y[j + 1] = hidden_act(pair_hi(acc, shift), floor);
	}
}

/*
 * A hidden layer: @y from @a. The loop is there twice, for a width that is
 * a multiple of 8, as they usually are, and for any other, so that neither
 * tests it per output. An odd layer's last pair computes a phantom output
 * (zero weights and bias) into y[nr_out], a slot the buffer has as
 * ML_LIB_MODEL_MAX_WIDTH is even.
 */
_Static_assert(ML_LIB_MODEL_MAX_WIDTH % 2 == 0, "room for an odd layer's phantom output");
static void mlp_hidden(const struct ml_lib_model_layer *ly, const s32 *bias,
		       const s64 *w, const s16 *a, s16 *y)
{
	if (ly->nr_in && !(ly->nr_in & 7))
		mlp_hidden_rows(ly, bias, w, a, y, true);
	else
		mlp_hidden_rows(ly, bias, w, a, y, false);
}

static __always_inline s64 mlp_out_act(s32 v, bool relu, u32 lshift)
{
	/* |v| < 2^31 and lshift <= 32: the product fits in s64. */
	return (relu && v < 0 ? 0 : v) * ((s64)1 << lshift);
}

/* The output layer: @out, nr_out values, from @a. */
static void mlp_output(const struct ml_lib_model_layer *ly, u32 lshift,
		       const s32 *bias, const s64 *w, const s16 *a, s64 *out)
{
	long nin = ly->nr_in;
	u32 j, shift = ly->shift & 31;
	bool relu = ly->activation == ML_LIB_MODEL_ACT_RELU;

	for (j = 0; j < ly->nr_out; j += 2, w += nin) {
		u64 acc = mlp_pair(w, a, nin, &bias[j], false);

		out[j] = mlp_out_act(pair_lo(acc, shift), relu, lshift);
		if (j + 1 < ly->nr_out)
			out[j + 1] = mlp_out_act(pair_hi(acc, shift), relu, lshift);
	}
}

static noinline void run_mlp(const struct ml_model *m, const s64 *x, s64 *out)
{
	const struct ml_lib_model_mlp *mp = m->mlp.m;
	/* Each layer writes the slots the next one reads: no need to zero them. */
	s16 buf[2][ML_LIB_MODEL_MAX_WIDTH] __uninitialized;
	u32 i, l, last = mp->nr_layers - 1;

	for (i = 0; i < m->nr_inputs; i++)
		buf[0][i] = saturate_act(x[i] >> (mp->in_shift[i] & 63));
	for (l = 0; l < last; l++)
		mlp_hidden(&m->mlp.layers[l], m->mlp.bias[l], m->mlp.weights[l],
			   buf[l & 1], buf[!(l & 1)]);
	mlp_output(&m->mlp.layers[last], mp->out_lshift & 63, m->mlp.bias[last],
		   m->mlp.weights[last], buf[last & 1], out);
}

/**
 * ml_model_run() - infer the outputs of a verified model
 * @model: a model accepted by ml_model_verify()
 * @x: the features, @model->nr_inputs values
 * @out: receives @model->nr_outputs values
 *
 * Integer arithmetic only; no allocation, no recursion, at most
 * @model->max_steps steps; defined for every input. Deterministic: the same
 * model and features give the same outputs on every machine.
 */
void ml_model_run(const struct ml_model *model, const s64 *x, s64 *out)
{
	/*
	 * Direct branches, not a table of functions (an indirect call is a
	 * retpoline in the kernel). The two commonest shapes come first and
	 * are inlined; the others are tail calls.
	 */
	if (model->exec == ML_MODEL_EXEC_LINEAR1)
		linear_row(model->linear.weights, x, model->nr_inputs,
			   (__int128)((__uint128_t)model->linear.bias0_hi << 64 |
				      model->linear.bias0_lo),
			   model->linear.shift, out);
	else if (model->exec == ML_MODEL_EXEC_TREE)
		run_tree(model, x, out);
	else if (model->exec == ML_MODEL_EXEC_MLP)
		run_mlp(model, x, out);
	else if (model->exec == ML_MODEL_EXEC_FOREST1)
		run_forest_one(model, x, out);
	else if (model->exec == ML_MODEL_EXEC_LINEAR)
		run_linear(model, x, out);
	else
		run_forest(model, x, out);
}
