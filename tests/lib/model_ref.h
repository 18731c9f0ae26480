/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model_ref: a reference interpreter of integer model blobs, for the host
 * tests and the fuzzer to check core/ml_model.c against.
 *
 * Written independently of the executor and on purpose in another style:
 * fields are read at byte offsets with memcpy (no struct casts), trees are
 * walked recursively, every sum is a 128-bit integer, shifts are floor
 * divisions by powers of two, and saturation is explicit. It trusts that
 * the blob passed ml_model_verify(), but checks the verifier's central
 * promise itself: an MLP accumulator that leaves the s32 range aborts.
 */
#ifndef ML_TESTS_MODEL_REF_H
#define ML_TESTS_MODEL_REF_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ml_lib_model.h>

typedef __int128 ref_i128;

static inline int64_t ref_s64(const uint8_t *p)
{
	int64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t ref_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline int32_t ref_s32(const uint8_t *p)
{
	return (int32_t)ref_u32(p);
}

static inline uint16_t ref_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline size_t ref_pad8(size_t n)
{
	return n % 8 ? n + 8 - n % 8 : n;
}

/* floor(a / 2^s), by division (not by an arithmetic shift). */
static inline ref_i128 ref_floor_shift(ref_i128 a, unsigned int s)
{
	ref_i128 d = (ref_i128)1 << s, q = a / d;

	if (a % d != 0 && a < 0)
		q -= 1;
	return q;
}

static inline ref_i128 ref_clamp(ref_i128 v, ref_i128 lo, ref_i128 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Nodes visited by ref_run() (forests): at most the verifier's max_steps. */
static unsigned long ref_visits;

/*
 * Leaf row reached from node @i (recursive walk over 16-byte nodes), at
 * depth @depth; a walk deeper than the verifier allows aborts.
 */
static inline uint32_t ref_walk(const uint8_t *nodes, uint32_t i, const int64_t *x,
				unsigned int depth)
{
	const uint8_t *n = nodes + 16 * (size_t)i;
	uint16_t feature = ref_u16(n + 8);

	ref_visits++;
	if (depth > ML_LIB_MODEL_MAX_DEPTH) {
		fprintf(stderr, "model_ref: a tree walk is deeper than ML_LIB_MODEL_MAX_DEPTH\n");
		abort();
	}
	if (feature == 0xffff)
		return ref_u32(n + 12);
	if (x[feature] <= ref_s64(n))
		return ref_walk(nodes, i + 1, x, depth + 1);
	return ref_walk(nodes, ref_u32(n + 12), x, depth + 1);
}

static inline void ref_forest(const uint8_t *b, unsigned int nout,
			      const int64_t *x, int64_t *out)
{
	unsigned int ntrees = ref_u16(b), combine = b[2], shift = b[3];
	uint32_t nnodes = ref_u32(b + 4);
	const uint8_t *roots = b + 48;
	const uint8_t *nodes = roots + ref_pad8(4 * (size_t)ntrees);
	const uint8_t *leaves = nodes + 16 * (size_t)nnodes;

	for (unsigned int j = 0; j < nout; j++) {
		ref_i128 sum = 0, v;

		for (unsigned int t = 0; t < ntrees; t++) {
			uint32_t row = ref_walk(nodes, ref_u32(roots + 4 * t), x, 0);

			sum += ref_s64(leaves + 8 * ((size_t)row * nout + j));
		}
		if (combine == 1)
			sum /= ntrees;	/* C division: toward zero */
		v = ref_floor_shift(sum + ref_s64(b + 16 + 8 * j), shift);
		out[j] = (int64_t)v;
	}
}

static inline void ref_linear(const uint8_t *b, unsigned int nin, unsigned int nout,
			      const int64_t *x, int64_t *out)
{
	unsigned int shift = b[0];
	const uint8_t *w = b + 40;

	for (unsigned int j = 0; j < nout; j++) {
		ref_i128 acc = ref_s64(b + 8 + 8 * j);

		for (unsigned int i = 0; i < nin; i++)
			acc += (ref_i128)ref_s32(w + 4 * ((size_t)j * nin + i)) * x[i];
		out[j] = (int64_t)ref_clamp(ref_floor_shift(acc, shift), INT64_MIN, INT64_MAX);
	}
}

/* Weight w[j][i] of an MLP layer whose weight words start at @w. */
static inline int64_t ref_weight(const uint8_t *w, unsigned int nin, unsigned int j,
				 unsigned int i)
{
	int64_t word = ref_s64(w + 8 * ((size_t)(j / 2) * nin + i));
	int64_t lo = (int32_t)(uint32_t)(uint64_t)word;

	/* word = lo + hi * 2^32; the division is exact. */
	return j % 2 ? (int64_t)(((ref_i128)word - lo) / ((ref_i128)1 << 32)) : lo;
}

static inline void ref_mlp(const uint8_t *b, unsigned int nin, const int64_t *x,
			   int64_t *out)
{
	unsigned int nlayers = b[0], lshift = b[1];
	const uint8_t *layer = b + 24, *data = layer + 8 * nlayers;
	int64_t a[64] = { 0 }, y[64] = { 0 };

	for (unsigned int i = 0; i < nin; i++)
		a[i] = (int64_t)ref_clamp(ref_floor_shift(x[i], b[8 + i]), -32768, 32767);
	for (unsigned int l = 0; l < nlayers; l++, layer += 8) {
		unsigned int lin = ref_u16(layer), lout = ref_u16(layer + 2);
		unsigned int shift = layer[4], relu = layer[5] == 1;
		const uint8_t *bias = data, *w = data + ref_pad8(4 * (size_t)lout);

		for (unsigned int j = 0; j < lout; j++) {
			ref_i128 acc = ref_s32(bias + 4 * j), v;

			for (unsigned int i = 0; i < lin; i++)
				acc += (ref_i128)ref_weight(w, lin, j, i) * a[i];
			if (acc > INT32_MAX || acc < INT32_MIN) {
				fprintf(stderr, "model_ref: MLP accumulator %lld leaves s32\n",
					(long long)acc);
				abort();
			}
			v = ref_floor_shift(acc, shift);
			if (relu && v < 0)
				v = 0;
			if (l + 1 == nlayers)
				out[j] = (int64_t)(v * ((ref_i128)1 << lshift));
			else
				y[j] = (int64_t)ref_clamp(v, -32768, 32767);
		}
		memcpy(a, y, sizeof(a));
		data = w + 8 * (size_t)((lout + 1) / 2) * lin;
	}
}

/* Outputs of a verified blob for features @x (header read at fixed offsets). */
static inline void ref_run(const void *blob, const int64_t *x, int64_t *out)
{
	const uint8_t *h = blob, *body = h + ref_u32(h);
	unsigned int kind = ref_u16(h + 22), nin = ref_u16(h + 24), nout = ref_u16(h + 26);

	ref_visits = 0;
	if (kind == 1)
		ref_forest(body, nout, x, out);
	else if (kind == 2)
		ref_linear(body, nin, nout, x, out);
	else
		ref_mlp(body, nin, x, out);
}

#endif /* ML_TESTS_MODEL_REF_H */
