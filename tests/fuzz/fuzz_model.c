// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the model verifier and executor (core/ml_model.c),
 * built with ASan and UBSan.
 *
 * Input: 16 little-endian __s64 features (128 bytes, zero-padded when the
 * input is shorter), then the blob. The blob is copied to an allocation of
 * exactly its length, so any read past it is caught. For every blob:
 *  - the verifier returns 0, -EINVAL, -E2BIG or -ERANGE, names the rule it
 *    applied, and leaves the descriptor untouched when it refuses;
 * for every blob it accepts:
 *  - the executor, on the fuzzed features and on extreme ones, gives the
 *    outputs of the reference interpreter (tests/lib/model_ref.h), and the
 *    same outputs twice (determinism), walking no tree deeper than
 *    ML_LIB_MODEL_MAX_DEPTH nor more nodes than max_steps. UBSan checks
 *    that no sum overflows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ml_model.h"
#include "model_ref.h"

#define NR_X ML_LIB_MAX_FEATURES

static void check_run(const struct ml_model *m, const void *blob, const s64 *x)
{
	s64 y1[ML_LIB_MAX_ACTIONS], y2[ML_LIB_MAX_ACTIONS], ry[ML_LIB_MAX_ACTIONS];
	unsigned int j;

	ml_model_run(m, x, y1);
	ml_model_run(m, x, y2);
	ref_run(blob, x, ry);
	/* ref_run() walks every tree once per output. */
	if (m->kind == ML_LIB_MODEL_FOREST && ref_visits > (unsigned long)m->max_steps * m->nr_outputs) {
		fprintf(stderr, "fuzz_model: %lu node visits, max_steps %u\n", ref_visits, m->max_steps);
		abort();
	}
	for (j = 0; j < m->nr_outputs; j++) {
		if (y1[j] != ry[j] || y1[j] != y2[j]) {
			fprintf(stderr, "fuzz_model: output %u: executor %lld, again %lld, reference %lld\n",
				j, (long long)y1[j], (long long)y2[j], (long long)ry[j]);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	s64 x[NR_X] = { 0 }, ext[NR_X];
	size_t xlen = size < sizeof(x) ? size : sizeof(x), len = size - xlen;
	struct ml_model m, untouched;
	const char *why = NULL;
	void *blob;
	int err, i;

	memcpy(x, data, xlen);
	blob = malloc(len ? len : 1);
	if (!blob)
		return 0;
	memcpy(blob, data + xlen, len);
	memset(&m, 0x5a, sizeof(m));
	untouched = m;

	err = ml_model_verify(&m, blob, len, &why);
	if (err) {
		if ((err != -EINVAL && err != -E2BIG && err != -ERANGE) || !why ||
		    memcmp(&m, &untouched, sizeof(m))) {
			fprintf(stderr, "fuzz_model: bad refusal %d (%s)\n", err, why ? why : "no rule");
			abort();
		}
		free(blob);
		return 0;
	}
	if (m.nr_inputs > ML_LIB_MAX_FEATURES || !m.nr_outputs ||
	    m.nr_outputs > ML_LIB_MAX_ACTIONS || !m.version)
		abort();
	check_run(&m, blob, x);
	for (i = 0; i < NR_X; i++)
		ext[i] = S64_MAX;
	check_run(&m, blob, ext);
	for (i = 0; i < NR_X; i++)
		ext[i] = S64_MIN;
	check_run(&m, blob, ext);
	for (i = 0; i < NR_X; i++)
		ext[i] = i % 2 ? S64_MIN : S64_MAX;
	check_run(&m, blob, ext);
	free(blob);
	return 0;
}
