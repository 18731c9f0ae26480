// SPDX-License-Identifier: GPL-2.0
/*
 * model_build: trained models (plain arrays) to integer model blobs; see
 * model_build.h.
 *
 * Written by hand because the format is ours: no library emits it. The
 * builders only lay bytes out and reject what they cannot represent; the
 * rules of the format are enforced once, by the kernel's own verifier,
 * which every builder runs on its result.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "ml_model.h"
#include "model_build.h"

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A zeroed, 8-byte aligned blob with its common header filled in. */
static void *blob_alloc(size_t len, unsigned int kind, uint64_t version,
			unsigned int nr_inputs, unsigned int nr_outputs)
{
	struct ml_lib_model *h;
	void *p;

	if (posix_memalign(&p, 8, len))
		return NULL;
	memset(p, 0, len);
	h = p;
	h->size = sizeof(*h);
	h->magic = ML_LIB_MODEL_MAGIC;
	h->version = version;
	h->total_len = (uint32_t)len;
	h->format = ML_LIB_MODEL_FORMAT;
	h->kind = (uint16_t)kind;
	h->nr_inputs = (uint16_t)nr_inputs;
	h->nr_outputs = (uint16_t)nr_outputs;
	return p;
}

/* Run the kernel's verifier on the result: hand out only loadable blobs. */
static int blob_finish(void *p, size_t len, void **blob, size_t *out_len)
{
	struct ml_model m;
	int err = ml_model_verify(&m, p, len, NULL);

	if (err) {
		free(p);
		return err;
	}
	*blob = p;
	*out_len = len;
	return 0;
}

/* Header checks shared by every kind, done before anything is sized. */
static int check_io(unsigned int nr_inputs, unsigned int nr_outputs)
{
	if (!nr_outputs)
		return -EINVAL;
	if (nr_inputs > ML_LIB_MAX_FEATURES || nr_outputs > ML_LIB_MAX_ACTIONS)
		return -E2BIG;
	return 0;
}

struct pending {
	int32_t src;		/* node of the learner's array */
	int32_t parent;		/* blob node whose right child this is, or -1 */
	unsigned int depth;
};

/*
 * Copy one tree into the blob in pre-order, starting at node *next and leaf
 * row *row. Detects cycles, shared and unreachable nodes, and children out
 * of range, which the blob format cannot express.
 */
static int emit_tree(const struct ml_build_tree *t, unsigned int nr_outputs,
		     struct ml_lib_model_node *nodes, int64_t *leaves,
		     uint32_t *next, uint32_t *row)
{
	struct pending *stack = malloc((2 * (size_t)t->nr_nodes + 1) * sizeof(*stack));
	bool *seen = calloc(t->nr_nodes, sizeof(*seen));
	unsigned int sp = 0, visited = 0;
	int err = 0;

	if (!stack || !seen) {
		err = -ENOMEM;
		goto out;
	}
	stack[sp++] = (struct pending){ 0, -1, 0 };
	while (sp) {
		struct pending p = stack[--sp];
		struct ml_lib_model_node *n;
		uint32_t dst = (*next)++;

		if (p.src < 0 || (unsigned int)p.src >= t->nr_nodes || seen[p.src]) {
			err = -EINVAL;
			goto out;
		}
		if (p.depth > ML_LIB_MODEL_MAX_DEPTH) {
			err = -E2BIG;
			goto out;
		}
		seen[p.src] = true;
		visited++;
		if (p.parent >= 0)
			nodes[p.parent].target = dst;
		n = &nodes[dst];
		if (t->left[p.src] < 0) {
			n->feature = ML_LIB_MODEL_LEAF;
			n->target = *row;
			memcpy(&leaves[(size_t)*row * nr_outputs],
			       &t->value[(size_t)p.src * nr_outputs],
			       nr_outputs * sizeof(int64_t));
			(*row)++;
			continue;
		}
		n->feature = t->feature[p.src];
		n->threshold = t->threshold[p.src];
		/* Left on top: it is emitted next, as pre-order wants. */
		stack[sp++] = (struct pending){ t->right[p.src], (int32_t)dst, p.depth + 1 };
		stack[sp++] = (struct pending){ t->left[p.src], -1, p.depth + 1 };
	}
	if (visited != t->nr_nodes)
		err = -EINVAL;
out:
	free(stack);
	free(seen);
	return err;
}

int ml_build_forest(const struct ml_build_forest *d, void **blob, size_t *len)
{
	struct ml_lib_model_forest *f;
	struct ml_lib_model_node *nodes;
	uint32_t *roots, next = 0, row = 0;
	size_t nr_nodes = 0, nr_leaves = 0, roots_len, total;
	int64_t *leaves;
	unsigned int t, i;
	void *p;
	int err;

	err = check_io(d->nr_inputs, d->nr_outputs);
	if (err)
		return err;
	if (!d->nr_trees || !d->trees)
		return -EINVAL;
	if (d->nr_trees > ML_LIB_MODEL_MAX_TREES)
		return -E2BIG;
	if (d->combine != ML_LIB_MODEL_SUM && d->combine != ML_LIB_MODEL_MEAN)
		return -EINVAL;
	if (d->shift > ML_LIB_MODEL_MAX_SHIFT)
		return -ERANGE;
	for (t = 0; t < d->nr_trees; t++) {
		const struct ml_build_tree *tr = &d->trees[t];

		if (!tr->nr_nodes)
			return -EINVAL;
		if (tr->nr_nodes > ML_LIB_MODEL_MAX_NODES)
			return -E2BIG;
		nr_nodes += tr->nr_nodes;
		for (i = 0; i < tr->nr_nodes; i++)
			nr_leaves += tr->left[i] < 0;
	}
	if (nr_nodes > ML_LIB_MODEL_MAX_NODES || nr_leaves > ML_LIB_MODEL_MAX_LEAVES)
		return -E2BIG;

	roots_len = align8(d->nr_trees * sizeof(uint32_t));
	total = sizeof(struct ml_lib_model) + sizeof(*f) + roots_len +
		nr_nodes * sizeof(*nodes) + nr_leaves * d->nr_outputs * sizeof(int64_t);
	if (total > ML_LIB_MAX_BLOB)
		return -E2BIG;
	p = blob_alloc(total, ML_LIB_MODEL_FOREST, d->version, d->nr_inputs, d->nr_outputs);
	if (!p)
		return -ENOMEM;
	f = (void *)((char *)p + sizeof(struct ml_lib_model));
	roots = (void *)(f + 1);
	nodes = (void *)((char *)roots + roots_len);
	leaves = (void *)(nodes + nr_nodes);
	f->nr_trees = (uint16_t)d->nr_trees;
	f->combine = (uint8_t)d->combine;
	f->shift = (uint8_t)d->shift;
	f->nr_nodes = (uint32_t)nr_nodes;
	f->nr_leaves = (uint32_t)nr_leaves;
	for (i = 0; d->base && i < d->nr_outputs; i++)
		f->base[i] = d->base[i];
	for (t = 0; t < d->nr_trees; t++) {
		roots[t] = next;
		err = emit_tree(&d->trees[t], d->nr_outputs, nodes, leaves, &next, &row);
		if (err) {
			free(p);
			return err;
		}
	}
	return blob_finish(p, total, blob, len);
}

int ml_build_linear(const struct ml_build_linear *d, void **blob, size_t *len)
{
	struct ml_lib_model_linear *l;
	size_t nw = (size_t)d->nr_inputs * d->nr_outputs, total;
	unsigned int j;
	void *p;
	int err;

	err = check_io(d->nr_inputs, d->nr_outputs);
	if (err)
		return err;
	if (nw && !d->weights)
		return -EINVAL;
	if (d->shift > ML_LIB_MODEL_MAX_SHIFT)
		return -ERANGE;
	total = sizeof(struct ml_lib_model) + sizeof(*l) + align8(nw * sizeof(int32_t));
	p = blob_alloc(total, ML_LIB_MODEL_LINEAR, d->version, d->nr_inputs, d->nr_outputs);
	if (!p)
		return -ENOMEM;
	l = (void *)((char *)p + sizeof(struct ml_lib_model));
	l->shift = (uint8_t)d->shift;
	for (j = 0; d->bias && j < d->nr_outputs; j++)
		l->bias[j] = d->bias[j];
	if (nw)
		memcpy(l + 1, d->weights, nw * sizeof(int32_t));
	return blob_finish(p, total, blob, len);
}

/* Bytes of the layers' sections; -errno for what the blob cannot hold. */
static int check_layers(const struct ml_build_mlp *d, size_t *data_len)
{
	unsigned int l, nin = d->nr_inputs;
	size_t n = 0;

	for (l = 0; l < d->nr_layers; l++) {
		const struct ml_build_layer *ly = &d->layers[l];

		if (!ly->nr_out || (nin && !ly->weights))
			return -EINVAL;
		if (ly->nr_out > ML_LIB_MODEL_MAX_WIDTH)
			return -E2BIG;
		if (ly->activation != ML_LIB_MODEL_ACT_NONE &&
		    ly->activation != ML_LIB_MODEL_ACT_RELU)
			return -EINVAL;
		if (ly->shift > ML_LIB_MODEL_MAX_LAYER_SHIFT)
			return -ERANGE;
		n += align8(ly->nr_out * sizeof(int32_t)) +
		     (size_t)(ly->nr_out + 1) / 2 * nin * sizeof(int64_t);
		nin = ly->nr_out;
	}
	*data_len = n;
	return 0;
}

/* Biases, then weights two outputs to a word: w[2q][i] + w[2q + 1][i] 2^32. */
static char *emit_layer(const struct ml_build_layer *ly, unsigned int nin, char *at)
{
	int32_t *bias = (int32_t *)at;
	int64_t *w = (int64_t *)(at + align8(ly->nr_out * sizeof(int32_t)));
	unsigned int q, i;

	if (ly->bias)
		memcpy(bias, ly->bias, ly->nr_out * sizeof(int32_t));
	for (q = 0; 2 * q < ly->nr_out; q++) {
		for (i = 0; i < nin; i++) {
			int64_t lo = ly->weights[(size_t)2 * q * nin + i], hi = 0;

			if (2 * q + 1 < ly->nr_out)
				hi = ly->weights[(size_t)(2 * q + 1) * nin + i];
			*w++ = lo + hi * ((int64_t)1 << 32);
		}
	}
	return (char *)w;
}

int ml_build_mlp(const struct ml_build_mlp *d, void **blob, size_t *len)
{
	struct ml_lib_model_layer *layers;
	struct ml_lib_model_mlp *mp;
	size_t data_len, total;
	unsigned int l, i, nin, nout;
	char *at;
	void *p;
	int err;

	if (!d->nr_layers || !d->layers)
		return -EINVAL;
	if (d->nr_layers > ML_LIB_MODEL_MAX_LAYERS)
		return -E2BIG;
	nout = d->layers[d->nr_layers - 1].nr_out;
	err = check_io(d->nr_inputs, nout);
	if (err)
		return err;
	if (d->out_lshift > ML_LIB_MODEL_MAX_OUT_LSHIFT)
		return -ERANGE;
	for (i = 0; d->in_shift && i < d->nr_inputs; i++)
		if (d->in_shift[i] > ML_LIB_MODEL_MAX_IN_SHIFT)
			return -ERANGE;
	err = check_layers(d, &data_len);
	if (err)
		return err;

	total = sizeof(struct ml_lib_model) + sizeof(*mp) +
		d->nr_layers * sizeof(*layers) + data_len;
	if (total > ML_LIB_MAX_BLOB)
		return -E2BIG;
	p = blob_alloc(total, ML_LIB_MODEL_MLP, d->version, d->nr_inputs, nout);
	if (!p)
		return -ENOMEM;
	mp = (void *)((char *)p + sizeof(struct ml_lib_model));
	mp->nr_layers = (uint8_t)d->nr_layers;
	mp->out_lshift = (uint8_t)d->out_lshift;
	if (d->in_shift)
		memcpy(mp->in_shift, d->in_shift, d->nr_inputs);
	layers = (void *)(mp + 1);
	at = (char *)(layers + d->nr_layers);
	for (l = 0, nin = d->nr_inputs; l < d->nr_layers; l++) {
		const struct ml_build_layer *ly = &d->layers[l];

		layers[l] = (struct ml_lib_model_layer){
			.nr_in = (uint16_t)nin,
			.nr_out = (uint16_t)ly->nr_out,
			.shift = (uint8_t)ly->shift,
			.activation = (uint8_t)ly->activation,
		};
		at = emit_layer(ly, nin, at);
		nin = ly->nr_out;
	}
	return blob_finish(p, total, blob, len);
}

int ml_build_linear_quantize(const double *w, const double *b,
			     unsigned int nr_inputs, unsigned int nr_outputs,
			     int32_t *qw, int64_t *qb, unsigned int *shift)
{
	size_t nw = (size_t)nr_inputs * nr_outputs, i;
	double max_w = 0, max_b = 0;
	int s;

	for (i = 0; i < nw; i++) {
		if (!isfinite(w[i]))
			return -ERANGE;
		max_w = fmax(max_w, fabs(w[i]));
	}
	for (i = 0; i < nr_outputs; i++) {
		if (!isfinite(b[i]))
			return -ERANGE;
		max_b = fmax(max_b, fabs(b[i]));
	}
	/* Largest shift with round(w 2^s) in s32 and |b 2^s| + 2^(s-1) < 2^62. */
	for (s = ML_LIB_MODEL_MAX_SHIFT; s >= 0; s--)
		if (ldexp(max_w, s) <= 2147483647.0 - 0.5 &&
		    ldexp(max_b, s) + ldexp(1, s) <= 0x1p62)
			break;
	if (s < 0)
		return -ERANGE;
	for (i = 0; i < nw; i++)
		qw[i] = (int32_t)llround(ldexp(w[i], s));
	for (i = 0; i < nr_outputs; i++)
		qb[i] = llround(ldexp(b[i], s)) + (s ? (int64_t)1 << (s - 1) : 0);
	*shift = (unsigned int)s;
	return 0;
}

int ml_build_threshold(double t, int64_t *out)
{
	if (isnan(t))
		return -ERANGE;
	if (t >= 0x1p63)
		*out = INT64_MAX;
	else if (t < -0x1p63)
		*out = INT64_MIN;
	else
		*out = (int64_t)floor(t);
	return 0;
}
