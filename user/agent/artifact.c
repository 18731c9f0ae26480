// SPDX-License-Identifier: GPL-2.0
/*
 * Artifacts: what a learner deploys, as the agent keeps, compares, scores
 * and stores it. The kernel's own blob format (libmlagent builds it) is the
 * stored form, so the store holds exactly what was pushed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mlagent.h>
#include "learner.h"

void mlag_artifact_free(struct mlag_artifact *a)
{
	if (!a)
		return;
	free(a->entries);
	free(a->blob);
	*a = (struct mlag_artifact){ 0 };
}

/* A verified copy of a model blob (the descriptor points into the copy). */
static int model_copy(struct mlag_artifact *t, const void *blob, size_t len,
		      const char **why)
{
	const char *rule = NULL;

	t->blob = malloc(len);
	if (!t->blob)
		return -ENOMEM;
	memcpy(t->blob, blob, len);
	t->len = len;
	if (ml_model_verify(&t->model, t->blob, len, &rule)) {
		free(t->blob);
		t->blob = NULL;
		if (why)
			*why = rule;
		return -EINVAL;
	}
	return 0;
}

int mlag_artifact_copy(struct mlag_artifact *dst, const struct mlag_artifact *src)
{
	struct mlag_artifact t = *src;
	int ret;

	t.entries = NULL;
	t.blob = NULL;
	if (src->nr_entries) {
		t.entries = malloc(src->nr_entries * sizeof(*t.entries));
		if (!t.entries)
			return -ENOMEM;
		memcpy(t.entries, src->entries, src->nr_entries * sizeof(*t.entries));
	}
	if (src->kind == MLAG_ART_MODEL) {
		ret = model_copy(&t, src->blob, src->len, NULL);
		if (ret) {
			free(t.entries);
			return ret;
		}
	}
	mlag_artifact_free(dst);
	*dst = t;
	return 0;
}

bool mlag_artifact_equal(const struct mlag_artifact *a, const struct mlag_artifact *b)
{
	const size_t v = offsetof(struct ml_lib_model, version);

	if (a->kind != b->kind)
		return false;
	if (a->kind == MLAG_ART_NONE)
		return true;
	if (a->kind == MLAG_ART_MODEL)	/* the same but for the version */
		return a->len == b->len && !memcmp(a->blob, b->blob, v) &&
		       !memcmp((char *)a->blob + v + 8, (char *)b->blob + v + 8,
			       a->len - v - 8);
	return a->nr_actions == b->nr_actions &&
	       a->nr_entries == b->nr_entries &&
	       a->has_fallback == b->has_fallback &&
	       !memcmp(a->fallback, b->fallback, sizeof(a->fallback)) &&
	       (!a->nr_entries ||
		!memcmp(a->entries, b->entries, a->nr_entries * sizeof(*a->entries)));
}

static const struct ml_lib_table_entry *find_entry(const struct mlag_artifact *a,
						   uint64_t key)
{
	size_t lo = 0, hi = a->nr_entries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->entries[mid].key == key)
			return &a->entries[mid];
		if (a->entries[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int mlag_artifact_decide(const struct mlag_artifact *a,
			 const struct ml_lib_schema *schema, uint64_t key,
			 const int64_t *features, int64_t *values)
{
	static const int64_t no_features[1];
	const struct ml_lib_table_entry *e;
	s64 out[ML_LIB_MAX_ACTIONS] = { 0 };
	unsigned int i;

	memset(values, 0, ML_LIB_MAX_ACTIONS * sizeof(*values));
	if (a && a->kind == MLAG_ART_MODEL) {
		/* As ml_lib_decide(): run, then clamp to the actions' ranges. */
		if (!features && schema->nr_features)
			return -ENODATA;
		ml_model_run(&a->model, features ? features : no_features, out);
		for (i = 0; i < schema->nr_actions && i < ML_LIB_MAX_ACTIONS; i++) {
			const struct ml_lib_action_desc *d = &schema->actions[i];

			values[i] = out[i] < d->min ? d->min : out[i] > d->max ? d->max : out[i];
		}
		return 0;
	}
	if (a && a->kind == MLAG_ART_TABLE) {
		e = find_entry(a, key);
		if (e) {
			memcpy(values, e->values, sizeof(e->values));
			return 0;
		}
		if (a->has_fallback) {
			memcpy(values, a->fallback, sizeof(a->fallback));
			return 0;
		}
	}
	for (i = 0; i < schema->nr_actions && i < ML_LIB_MAX_ACTIONS; i++)
		values[i] = schema->actions[i].def;
	return 0;
}

int mlag_artifact_model(struct mlag_artifact *a, const struct ml_lib_schema *schema,
			const void *blob, size_t len, const char **why)
{
	struct mlag_artifact t = { .kind = MLAG_ART_MODEL };
	int ret;

	if (!blob || !len)
		return -EINVAL;
	ret = model_copy(&t, blob, len, why);
	if (ret)
		return ret;
	/* The kernel's check against the schema: one input per feature, one
	 * output per action. */
	if (t.model.nr_inputs != schema->nr_features ||
	    t.model.nr_outputs != schema->nr_actions) {
		free(t.blob);
		if (why)
			*why = "inputs and outputs are not the schema's features and actions";
		return -EINVAL;
	}
	t.nr_actions = schema->nr_actions;
	mlag_artifact_free(a);
	*a = t;
	return 0;
}

const char *mlag_artifact_describe(const struct mlag_artifact *a, char *buf,
				   size_t len)
{
	static const char *const kinds[] = {
		[ML_LIB_MODEL_FOREST] = "forest", [ML_LIB_MODEL_LINEAR] = "linear",
		[ML_LIB_MODEL_MLP] = "MLP",
	};

	if (a->kind == MLAG_ART_TABLE)
		snprintf(buf, len, "table, %u entries", a->nr_entries);
	else if (a->kind == MLAG_ART_MODEL)
		snprintf(buf, len, "%s model, %u inputs",
			 a->model.kind < 4 && kinds[a->model.kind] ? kinds[a->model.kind] : "?",
			 a->model.nr_inputs);
	else
		snprintf(buf, len, "the default algorithm");
	return buf;
}

static int cmp_key(const void *x, const void *y)
{
	uint64_t a = ((const struct ml_lib_table_entry *)x)->key;
	uint64_t b = ((const struct ml_lib_table_entry *)y)->key;

	return a < b ? -1 : a > b;
}

int mlag_artifact_table(struct mlag_artifact *a, const struct ml_lib_schema *schema,
			const struct ml_lib_table_entry *entries, size_t nr)
{
	struct mlag_artifact t = {
		.kind = MLAG_ART_TABLE,
		.nr_actions = schema->nr_actions,
		.has_fallback = true,
	};
	size_t i, n = 0;
	unsigned int j;

	if (!schema->nr_actions || schema->nr_actions > ML_LIB_MAX_ACTIONS ||
	    nr > ML_LIB_MAX_TABLE_ENTRIES)
		return -EINVAL;
	for (j = 0; j < schema->nr_actions; j++)
		t.fallback[j] = schema->actions[j].def;
	if (nr) {
		t.entries = malloc(nr * sizeof(*t.entries));
		if (!t.entries)
			return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		for (j = 0; j < ML_LIB_MAX_ACTIONS; j++) {
			int64_t v = entries[i].values[j];

			if (j >= schema->nr_actions ? v != 0 :
			    v < schema->actions[j].min || v > schema->actions[j].max) {
				free(t.entries);
				return -EINVAL;
			}
		}
		if (!memcmp(entries[i].values, t.fallback, sizeof(t.fallback)))
			continue;
		t.entries[n++] = entries[i];
	}
	if (n)
		qsort(t.entries, n, sizeof(*t.entries), cmp_key);
	for (i = 1; i < n; i++) {
		if (t.entries[i].key == t.entries[i - 1].key) {
			free(t.entries);
			return -EINVAL;
		}
	}
	t.nr_entries = (uint32_t)n;
	if (!n) {
		free(t.entries);
		t.entries = NULL;
	}
	mlag_artifact_free(a);
	*a = t;
	return 0;
}

int mlag_artifact_blob(const struct mlag_artifact *a, uint64_t version,
		       uint32_t ttl_ms, void **blobp, size_t *lenp, uint32_t *kindp)
{
	struct ml_lib_table hdr = {
		.version = version,
		.ttl_ms = ttl_ms,
		.nr_actions = a->nr_actions,
		.flags = a->has_fallback ? ML_LIB_TABLE_FALLBACK : 0,
	};
	size_t len;
	void *blob;
	long n;

	if (a->kind == MLAG_ART_MODEL) {
		if (!version)
			return -EINVAL;
		blob = malloc(a->len);
		if (!blob)
			return -ENOMEM;
		memcpy(blob, a->blob, a->len);
		((struct ml_lib_model *)blob)->version = version;
		*blobp = blob;
		*lenp = a->len;
		if (kindp)
			*kindp = ML_LIB_PUSH_MODEL;
		return 0;
	}
	if (a->kind != MLAG_ART_TABLE)
		return -EINVAL;
	if (kindp)
		*kindp = ML_LIB_PUSH_TABLE;
	len = mla_table_size(a->nr_entries);
	if (!len)
		return -E2BIG;
	if (a->has_fallback)
		memcpy(hdr.fallback, a->fallback, sizeof(hdr.fallback));
	blob = malloc(len);
	if (!blob)
		return -ENOMEM;
	n = mla_table_build(&hdr, a->entries, a->nr_entries, blob, len);
	if (n < 0) {
		free(blob);
		return (int)n;
	}
	*blobp = blob;
	*lenp = len;
	return 0;
}

int mlag_artifact_from_blob(struct mlag_artifact *a, const struct ml_lib_schema *schema,
			    const void *blob, size_t len, uint64_t *version)
{
	struct mlag_artifact t = { .kind = MLAG_ART_TABLE };
	struct ml_lib_model mh;
	struct ml_lib_table hdr;
	size_t i;
	int ret;

	if (blob && len >= sizeof(mh)) {
		memcpy(&mh, blob, sizeof(mh));
		if (mh.magic == ML_LIB_MODEL_MAGIC) {
			ret = mlag_artifact_model(a, schema, blob, len, NULL);
			if (!ret && version)
				*version = mh.version;
			return ret;
		}
	}
	if (!blob || len < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, blob, sizeof(hdr));
	if (hdr.size != sizeof(hdr) || hdr.format != ML_LIB_TABLE_FORMAT ||
	    !hdr.nr_actions || hdr.nr_actions > ML_LIB_MAX_ACTIONS ||
	    hdr.nr_entries > ML_LIB_MAX_TABLE_ENTRIES ||
	    len != sizeof(hdr) + (size_t)hdr.nr_entries * sizeof(*t.entries))
		return -EINVAL;
	t.nr_actions = hdr.nr_actions;
	t.nr_entries = hdr.nr_entries;
	t.has_fallback = hdr.flags & ML_LIB_TABLE_FALLBACK;
	if (t.has_fallback)
		memcpy(t.fallback, hdr.fallback, sizeof(t.fallback));
	if (t.nr_entries) {
		t.entries = malloc(t.nr_entries * sizeof(*t.entries));
		if (!t.entries)
			return -ENOMEM;
		memcpy(t.entries, (const char *)blob + sizeof(hdr),
		       t.nr_entries * sizeof(*t.entries));
		for (i = 1; i < t.nr_entries; i++) {
			if (t.entries[i].key <= t.entries[i - 1].key) {
				free(t.entries);
				return -EINVAL;
			}
		}
	}
	mlag_artifact_free(a);
	*a = t;
	if (version)
		*version = hdr.version;
	return 0;
}

double mlag_recency(uint64_t age, double half_life)
{
	if (half_life <= 0)
		return 1.0;
	return exp2(-(double)age / half_life);
}
