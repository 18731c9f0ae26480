// SPDX-License-Identifier: GPL-2.0
/*
 * What the agent deploys: artifacts (tables, blobs, decisions), the
 * held-out split, the off-policy scoring of the held-out set and the
 * deploy rule (vetting, support, margin, confidence, recency, forgetting,
 * bandwidth).
 */
#include <math.h>
#include <stdio.h>
#include "heldout.h"
#include "mltest.h"

static struct ml_lib_schema schema;

static void schema_init(void)
{
	memset(&schema, 0, sizeof(schema));
	schema.nr_actions = 1;
	schema.actions[0].min = 0;
	schema.actions[0].max = 1000;
	schema.actions[0].def = 500;
}

static struct ml_lib_table_entry entry(uint64_t key, int64_t v)
{
	return (struct ml_lib_table_entry){ .key = key, .values = { v } };
}

static int64_t decide(const struct mlag_artifact *a, uint64_t key)
{
	int64_t v[ML_LIB_MAX_ACTIONS];

	mlag_artifact_decide(a, &schema, key, NULL, v);
	return v[0];
}

/* --- artifacts ----------------------------------------------------------- */

static void test_artifact_table(void)
{
	struct ml_lib_table_entry e[4] = { entry(9, 1), entry(2, 500), entry(4, 1000),
					   entry(1, 0) };
	struct mlag_artifact a = { 0 }, b = { 0 }, none = { 0 };

	schema_init();
	MT_REQUIRE(mlag_artifact_table(&a, &schema, e, 4) == 0);
	/* Sorted, and the entry equal to the fallback (the default) dropped. */
	MT_CHECK_EQ(a.nr_entries, 3);
	MT_CHECK(a.entries[0].key == 1 && a.entries[1].key == 4 && a.entries[2].key == 9);
	MT_CHECK(a.has_fallback && a.fallback[0] == 500);
	MT_CHECK_EQ(decide(&a, 9), 1);
	MT_CHECK_EQ(decide(&a, 2), 500);
	MT_CHECK_EQ(decide(&a, 77), 500);
	MT_CHECK_EQ(decide(&none, 9), 500);
	MT_CHECK_EQ(decide(NULL, 9), 500);
	MT_CHECK_EQ(mlag_artifact_copy(&b, &a), 0);
	MT_CHECK(mlag_artifact_equal(&a, &b));
	b.entries[0].values[0] = 2;
	MT_CHECK(!mlag_artifact_equal(&a, &b));
	MT_CHECK(!mlag_artifact_equal(&a, &none));
	MT_CHECK(mlag_artifact_equal(&none, &none));
	/* Rejected: nothing changed. */
	e[0] = entry(4, 3);
	MT_CHECK_EQ(mlag_artifact_table(&a, &schema, e, 4), -EINVAL);	/* duplicate */
	e[0] = entry(8, 1001);
	MT_CHECK_EQ(mlag_artifact_table(&a, &schema, e, 4), -EINVAL);	/* range */
	e[0] = entry(8, -1);
	MT_CHECK_EQ(mlag_artifact_table(&a, &schema, e, 4), -EINVAL);
	e[0] = entry(8, 1);
	e[0].values[1] = 5;						/* past nr_actions */
	MT_CHECK_EQ(mlag_artifact_table(&a, &schema, e, 4), -EINVAL);
	MT_CHECK_EQ(a.nr_entries, 3);
	MT_CHECK_EQ(decide(&a, 9), 1);
	mlag_artifact_free(&a);
	mlag_artifact_free(&b);
}

static void test_artifact_blob(void)
{
	struct ml_lib_table_entry e[3] = { entry(3, 30), entry(1, 10), entry(2, 20) };
	struct mlag_artifact a = { 0 }, b = { 0 }, none = { 0 };
	const struct ml_lib_table *t;
	uint64_t version = 0;
	size_t len;
	void *blob;

	schema_init();
	MT_REQUIRE(mlag_artifact_table(&a, &schema, e, 3) == 0);
	MT_REQUIRE(mlag_artifact_blob(&a, 42, 9000, &blob, &len, NULL) == 0);
	t = blob;
	MT_CHECK_EQ(len, sizeof(*t) + 3 * sizeof(struct ml_lib_table_entry));
	MT_CHECK(t->size == sizeof(*t) && t->format == ML_LIB_TABLE_FORMAT);
	MT_CHECK(t->version == 42 && t->ttl_ms == 9000 && t->nr_entries == 3);
	MT_CHECK(t->flags == ML_LIB_TABLE_FALLBACK && t->fallback[0] == 500);
	MT_CHECK_EQ(mlag_artifact_from_blob(&b, &schema, blob, len, &version), 0);
	MT_CHECK_EQ(version, 42);
	MT_CHECK(mlag_artifact_equal(&a, &b));
	/* Truncated, padded, garbage, unsorted: refused, @b untouched. */
	MT_CHECK_EQ(mlag_artifact_from_blob(&b, &schema, blob, len - 1, NULL), -EINVAL);
	MT_CHECK_EQ(mlag_artifact_from_blob(&b, &schema, blob, 7, NULL), -EINVAL);
	((struct ml_lib_table *)blob)->format = 99;
	MT_CHECK_EQ(mlag_artifact_from_blob(&b, &schema, blob, len, NULL), -EINVAL);
	((struct ml_lib_table *)blob)->format = ML_LIB_TABLE_FORMAT;
	((struct ml_lib_table_entry *)(t + 1))[2].key = 1;
	MT_CHECK_EQ(mlag_artifact_from_blob(&b, &schema, blob, len, NULL), -EINVAL);
	MT_CHECK(mlag_artifact_equal(&a, &b));
	free(blob);
	MT_CHECK_EQ(mlag_artifact_blob(&none, 1, 0, &blob, &len, NULL), -EINVAL);
	mlag_artifact_free(&a);
	mlag_artifact_free(&b);
}

static void test_split(void)
{
	unsigned int held = 0;

	for (uint64_t id = 1; id <= 100000; id++) {
		held += mlag_heldout_pick(id, 200);
		MT_CHECK(mlag_heldout_pick(id, 200) == mlag_heldout_pick(id, 200));
		MT_CHECK(!mlag_heldout_pick(id, 0));
		MT_CHECK(mlag_heldout_pick(id, 1000));
	}
	MT_CHECK(held > 19000 && held < 21000, "%u of 100000 held out", held);
}

/* --- the judge ------------------------------------------------------------ */

struct bench {
	struct mlag_heldout *h;
	struct mlag_keyseq keys;
	struct mlag_deploy_rule rule;
};

static void bench_init(struct bench *b)
{
	schema_init();
	memset(b, 0, sizeof(*b));
	mlag_heldout_create(10000, &b->h);
	b->rule = (struct mlag_deploy_rule){
		.margin = 0.02, .z = 1, .min_support = 2, .half_life = 1e9,
	};
}

static void bench_free(struct bench *b)
{
	mlag_heldout_destroy(b->h);
	mlag_keyseq_free(&b->keys);
}

/* @n held-out outcomes of key @key applying @v at cost @cost (+-@spread). */
static void add(struct bench *b, uint64_t key, int64_t v, double cost, double spread,
		unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct mlag_example ex = { .key = key, .heldout = 1 };

		ex.key_seq = mlag_keyseq_next(&b->keys, key);
		ex.values[0] = v;
		ex.cost = (int64_t)llround(cost + (i % 2 ? spread : -spread));
		mlag_heldout_add(b->h, &ex);
	}
}

static void table(struct mlag_artifact *a, const struct ml_lib_table_entry *e, size_t n)
{
	mlag_artifact_free(a);
	if (mlag_artifact_table(a, &schema, e, n))
		abort();
}

static void test_judge_better_and_worse(void)
{
	struct ml_lib_table_entry e[4] = { entry(0, 100), entry(1, 200), entry(2, 300),
					   entry(3, 400) };
	struct mlag_artifact cand = { 0 }, none = { 0 };
	struct mlag_verdict v;
	struct bench b;

	bench_init(&b);
	for (uint64_t k = 0; k < 4; k++) {
		add(&b, k, 500, 100, 5, 20);
		add(&b, k, 100 * (int64_t)(k + 1), 10, 5, 20);
	}
	table(&cand, e, 4);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(v.deploy, "%s", v.why);
	MT_CHECK_EQ(v.keys, 4);
	MT_CHECK_EQ(v.keys_differ, 4);
	MT_CHECK_EQ(v.keys_compared, 4);
	MT_CHECK_EQ(v.keys_reverted, 0);
	MT_CHECK(fabs(v.cand_score - 10) < 1e-6 && fabs(v.cur_score - 100) < 1e-6,
		 "%f %f", v.cand_score, v.cur_score);
	MT_CHECK(fabs(v.delta + 90) < 1e-6 && fabs(v.base - 100) < 1e-6);
	MT_CHECK(v.se > 0 && v.se < 5, "se %f", v.se);
	MT_CHECK_EQ(cand.nr_entries, 4);	/* nothing vetted away */

	/* Deployed now: the old default is the candidate, and it is worse. */
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &none, &cand, &v), 0);
	MT_CHECK(!v.deploy);
	MT_CHECK(strstr(v.why, "not better"), "%s", v.why);
	/* The same artifact: no change. */
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &cand, &v), 0);
	MT_CHECK(!v.deploy && !v.keys_differ && strstr(v.why, "no change"), "%s", v.why);
	mlag_artifact_free(&cand);
	bench_free(&b);
}

static void test_judge_vets_unsupported(void)
{
	struct ml_lib_table_entry e[3] = { entry(0, 100), entry(1, 200), entry(7, 900) };
	struct mlag_artifact cand = { 0 }, none = { 0 };
	struct mlag_verdict v;
	struct bench b;

	bench_init(&b);
	add(&b, 0, 500, 100, 5, 20);
	add(&b, 0, 100, 10, 5, 20);
	add(&b, 1, 500, 100, 5, 20);
	add(&b, 1, 200, 10, 5, 1);	/* below min_support */
	table(&cand, e, 3);		/* key 7: never held out */
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(v.deploy, "%s", v.why);
	MT_CHECK_EQ(v.keys_compared, 1);
	MT_CHECK_EQ(v.keys_reverted, 2);
	MT_CHECK_EQ(v.keys_differ, 3);
	/* Only the supported change remains. */
	MT_CHECK_EQ(cand.nr_entries, 1);
	MT_CHECK_EQ(decide(&cand, 0), 100);
	MT_CHECK_EQ(decide(&cand, 1), 500);
	MT_CHECK_EQ(decide(&cand, 7), 500);

	/* Nothing supported at all. */
	table(&cand, e + 1, 2);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(!v.deploy && strstr(v.why, "no held-out support"), "%s", v.why);
	MT_CHECK_EQ(cand.nr_entries, 0);
	mlag_artifact_free(&cand);
	bench_free(&b);
}

static void test_judge_margin_and_confidence(void)
{
	struct ml_lib_table_entry e[1] = { entry(0, 100) };
	struct mlag_artifact cand = { 0 }, none = { 0 };
	struct mlag_verdict v;
	struct bench b;

	/* 1% better, margin 2%: no. */
	bench_init(&b);
	add(&b, 0, 500, 1000, 0, 50);
	add(&b, 0, 100, 990, 0, 50);
	table(&cand, e, 1);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(!v.deploy && strstr(v.why, "not better"), "%s", v.why);
	b.rule.margin = 0.005;
	table(&cand, e, 1);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(v.deploy, "%s", v.why);
	bench_free(&b);

	/* 10% better but very noisy, few examples: not beyond z * se. */
	bench_init(&b);
	add(&b, 0, 500, 100, 80, 4);
	add(&b, 0, 100, 90, 80, 4);
	table(&cand, e, 1);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(!v.deploy && strstr(v.why, "confidence"), "%s (se %f)", v.why, v.se);
	b.rule.z = 0;
	table(&cand, e, 1);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(v.deploy, "%s", v.why);
	mlag_artifact_free(&cand);
	bench_free(&b);
}

/* After the subsystem changes, the new outcomes must win. */
static void test_judge_recency_and_forget(void)
{
	struct ml_lib_table_entry e[1] = { entry(0, 100) };
	struct mlag_artifact cand = { 0 }, none = { 0 };
	struct mlag_verdict v;
	struct bench b;

	/* Old (many): 100 was great. New (fewer): 100 is terrible. */
	bench_init(&b);
	add(&b, 0, 500, 100, 5, 400);
	add(&b, 0, 100, 10, 5, 400);
	add(&b, 0, 500, 100, 5, 100);
	add(&b, 0, 100, 300, 5, 100);
	table(&cand, e, 1);
	/* Without recency, the old data still make 100 look good. */
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(v.deploy, "%s %f %f", v.why, v.cand_score, v.cur_score);
	/* With a half-life of 50 outcomes of the key, the new data win. */
	b.rule.half_life = 50;
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(!v.deploy && v.cand_score > v.cur_score, "%s %f %f", v.why,
		 v.cand_score, v.cur_score);
	bench_free(&b);

	/* forget(): the same without recency. */
	bench_init(&b);
	add(&b, 0, 500, 100, 5, 200);
	add(&b, 0, 100, 10, 5, 200);
	mlag_heldout_forget(b.h, 0.01);
	add(&b, 0, 500, 100, 5, 20);
	add(&b, 0, 100, 300, 5, 20);
	MT_CHECK_EQ(mlag_heldout_count(b.h), 440);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(!v.deploy && v.cand_score > 200, "%s %f", v.why, v.cand_score);
	mlag_artifact_free(&cand);
	bench_free(&b);
}

static void test_judge_bandwidth(void)
{
	struct ml_lib_table_entry e[1] = { entry(0, 100) };
	struct mlag_artifact cand = { 0 }, none = { 0 };
	struct mlag_verdict v;
	struct bench b;

	bench_init(&b);
	add(&b, 0, 500, 100, 5, 20);
	add(&b, 0, 98, 10, 5, 10);
	add(&b, 0, 103, 12, 5, 10);
	table(&cand, e, 1);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(!v.deploy && v.keys_reverted == 1, "%s", v.why);
	b.rule.bandwidth[0] = 3;
	table(&cand, e, 1);
	MT_CHECK_EQ(mlag_heldout_judge(b.h, &schema, &b.keys, &b.rule, &cand, &none, &v), 0);
	MT_CHECK(v.deploy && fabs(v.cand_score - 11) < 1e-6, "%s %f", v.why, v.cand_score);
	mlag_artifact_free(&cand);
	bench_free(&b);
}

/* The ring keeps the newest examples. */
static void test_heldout_bounded(void)
{
	struct mlag_heldout *h;
	struct ml_lib_table_entry e[1] = { entry(0, 100) };
	struct mlag_artifact cand = { 0 }, none = { 0 };
	struct mlag_keyseq keys = { 0 };
	struct mlag_deploy_rule rule = { .margin = 0, .z = 0, .min_support = 1,
					 .half_life = 1e9 };
	struct mlag_verdict v;

	schema_init();
	MT_CHECK_EQ(mlag_heldout_create(0, &h), -EINVAL);
	MT_REQUIRE(mlag_heldout_create(100, &h) == 0);
	for (int i = 0; i < 1000; i++) {
		struct mlag_example ex = { .key = 0, .cost = i < 900 ? 1 : 50 };

		ex.key_seq = mlag_keyseq_next(&keys, 0);
		ex.values[0] = i % 2 ? 100 : 500;
		if (ex.values[0] == 500)
			ex.cost = 20;
		mlag_heldout_add(h, &ex);
	}
	MT_CHECK_EQ(mlag_heldout_count(h), 100);
	MT_CHECK_EQ(mlag_keyseq_get(&keys, 0), 1000);
	MT_CHECK_EQ(mlag_keyseq_get(&keys, 1), 0);
	table(&cand, e, 1);
	MT_CHECK_EQ(mlag_heldout_judge(h, &schema, &keys, &rule, &cand, &none, &v), 0);
	/* Only the last 100 (100 costs 50 there) count. */
	MT_CHECK(!v.deploy && fabs(v.cand_score - 50) < 1e-6, "%f", v.cand_score);
	mlag_artifact_free(&cand);
	mlag_heldout_destroy(h);
	mlag_keyseq_free(&keys);
}

static void test_deploy_decide(void)
{
	struct mlag_deploy_rule r = { .margin = 0.1, .z = 2 };
	struct {
		uint32_t differ, compared;
		double delta, base, se;
		bool deploy;
	} c[] = {
		{ 0, 0, 0, 0, 0, false },
		{ 3, 0, 0, 0, 0, false },
		{ 3, 3, -5, 100, 1, false },	/* 5% < margin */
		{ 3, 3, -20, 100, 15, false },	/* beyond margin, not 2 se */
		{ 3, 3, -20, 100, 9, true },
		{ 3, 3, 20, 100, 1, false },
		{ 3, 3, -20, -100, 1, true },	/* negative costs: |base| */
	};

	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct mlag_verdict v = {
			.keys_differ = c[i].differ, .keys_compared = c[i].compared,
			.delta = c[i].delta, .base = c[i].base, .se = c[i].se,
		};

		mlag_deploy_decide(&r, &v);
		MT_CHECK(v.deploy == c[i].deploy && v.why, "case %u: %s", i, v.why);
	}
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_artifact_table);
	MT_RUN(test_artifact_blob);
	MT_RUN(test_split);
	MT_RUN(test_judge_better_and_worse);
	MT_RUN(test_judge_vets_unsupported);
	MT_RUN(test_judge_margin_and_confidence);
	MT_RUN(test_judge_recency_and_forget);
	MT_RUN(test_judge_bandwidth);
	MT_RUN(test_heldout_bounded);
	MT_RUN(test_deploy_decide);
	return mt_summary();
}
