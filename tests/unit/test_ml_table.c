// SPDX-License-Identifier: GPL-2.0
/* Host tests of core/ml_table: every validation rule, its errno, and lookup. */
#include <stdlib.h>
#include "ml_table.h"
#include "mltest.h"

static const struct ml_table_schema schema = {
	.nr_actions = 2,
	.max_entries = 100,
	.min = { 0, -50 },
	.max = { 1000, 50 },
};

/* A valid table of @n entries with keys 10, 20, ... in an 8-byte aligned buffer. */
static struct ml_lib_table *make(u32 n, u64 *len)
{
	struct ml_lib_table *t;
	struct ml_lib_table_entry *e;
	u32 i;

	*len = sizeof(*t) + (u64)n * sizeof(*e);
	t = calloc(1, *len + 64);
	t->size = sizeof(*t);
	t->format = ML_LIB_TABLE_FORMAT;
	t->version = 7;
	t->ttl_ms = 100;
	t->nr_entries = n;
	t->nr_actions = 2;
	e = (struct ml_lib_table_entry *)(t + 1);
	for (i = 0; i < n; i++) {
		e[i].key = 10 * (i + 1);
		e[i].values[0] = i;
		e[i].values[1] = -(s64)(i % 50);
	}
	return t;
}

static struct ml_lib_table_entry *entries(struct ml_lib_table *t)
{
	return (struct ml_lib_table_entry *)((u8 *)t + t->size);
}

static int check(struct ml_lib_table *t, u64 len)
{
	struct ml_table_info info;

	return ml_table_validate(t, len, &schema, &info);
}

static void test_valid(void)
{
	struct ml_table_info info;
	u64 len;
	struct ml_lib_table *t = make(5, &len);

	MT_CHECK_EQ(ml_table_validate(t, len, &schema, &info), 0);
	MT_CHECK_EQ(info.version, 7);
	MT_CHECK_EQ(info.ttl_ms, 100);
	MT_CHECK_EQ(info.nr_entries, 5);
	MT_CHECK_EQ(info.nr_actions, 2);
	MT_CHECK(!info.has_fallback, "no fallback");
	MT_CHECK(info.entries == entries(t), "entries point into the blob");
	free(t);

	t = make(0, &len);
	MT_CHECK_EQ(check(t, len), 0);
	t->flags = ML_LIB_TABLE_FALLBACK;
	t->fallback[0] = 1000;
	t->fallback[1] = -50;
	MT_CHECK_EQ(ml_table_validate(t, len, &schema, &info), 0);
	MT_CHECK(info.has_fallback && info.fallback[0] == 1000 && info.fallback[1] == -50,
		 "fallback");
	free(t);

	t = make(100, &len);
	MT_CHECK_EQ(check(t, len), 0);
	free(t);
}

static void test_header_rules(void)
{
	u64 len;
	struct ml_lib_table *t = make(3, &len);

	t->format = 2;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->format = 0;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->format = ML_LIB_TABLE_FORMAT;
	t->version = 0;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->version = 1;
	t->flags = 2;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->flags = 0;
	t->reserved = 1;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->reserved = 0;
	t->nr_actions = 1;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->nr_actions = 5;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->nr_actions = 2;
	t->size = sizeof(*t) - 8;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->size = sizeof(*t) + 4;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->size = 0xffffffffu;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->size = sizeof(*t);
	MT_CHECK_EQ(check(t, len), 0);
	free(t);
}

static void test_bigger_header(void)
{
	/* A newer, larger header: fine if its unknown bytes are zero. */
	u64 len;
	struct ml_lib_table *t = make(2, &len), *big;
	u64 blen = len + 16;

	big = calloc(1, blen);
	memcpy(big, t, sizeof(*t));
	big->size = sizeof(*t) + 16;
	memcpy((u8 *)big + big->size, t + 1, len - sizeof(*t));
	MT_CHECK_EQ(check(big, blen), 0);
	((u8 *)big)[sizeof(*t) + 3] = 1;
	MT_CHECK_EQ(check(big, blen), -E2BIG);
	free(big);
	free(t);
}

static void test_length_rules(void)
{
	u64 len;
	struct ml_lib_table *t = make(3, &len);

	MT_CHECK_EQ(check(t, len - 1), -EINVAL);	/* truncated entry */
	MT_CHECK_EQ(check(t, len - sizeof(struct ml_lib_table_entry)), -EINVAL);
	MT_CHECK_EQ(check(t, len + 8), -EINVAL);	/* trailing bytes */
	MT_CHECK_EQ(check(t, sizeof(*t) - 1), -EINVAL);	/* truncated header */
	MT_CHECK_EQ(check(t, 0), -EINVAL);
	MT_CHECK_EQ(ml_table_validate(NULL, len, &schema, &(struct ml_table_info){ 0 }), -EINVAL);
	MT_CHECK_EQ(ml_table_validate((u8 *)t + 4, len, &schema, &(struct ml_table_info){ 0 }),
		    -EINVAL);	/* misaligned */
	t->nr_entries = 0xffffffffu;	/* no overflow of n x entry size */
	MT_CHECK_EQ(check(t, len), -E2BIG);
	t->nr_entries = 101;
	MT_CHECK_EQ(check(t, len), -E2BIG);
	t->nr_entries = 4;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	free(t);
}

static void test_too_many_entries(void)
{
	u64 len;
	struct ml_lib_table *t = make(101, &len);

	MT_CHECK_EQ(check(t, len), -E2BIG);
	free(t);
}

static void test_key_order(void)
{
	u64 len;
	struct ml_lib_table *t = make(4, &len);
	struct ml_lib_table_entry *e = entries(t);

	e[2].key = e[1].key;	/* duplicate */
	MT_CHECK_EQ(check(t, len), -EINVAL);
	e[2].key = e[1].key - 1;	/* descending */
	MT_CHECK_EQ(check(t, len), -EINVAL);
	e[2].key = e[1].key + 1;
	MT_CHECK_EQ(check(t, len), 0);
	e[0].key = 0;
	e[3].key = UINT64_MAX;	/* extremes are fine */
	MT_CHECK_EQ(check(t, len), 0);
	free(t);
}

static void test_value_rules(void)
{
	u64 len;
	struct ml_lib_table *t = make(4, &len);
	struct ml_lib_table_entry *e = entries(t);

	e[3].values[0] = 1001;
	MT_CHECK_EQ(check(t, len), -ERANGE);
	e[3].values[0] = -1;
	MT_CHECK_EQ(check(t, len), -ERANGE);
	e[3].values[0] = 1000;
	e[3].values[1] = 51;
	MT_CHECK_EQ(check(t, len), -ERANGE);
	e[3].values[1] = INT64_MIN;
	MT_CHECK_EQ(check(t, len), -ERANGE);
	e[3].values[1] = -50;
	MT_CHECK_EQ(check(t, len), 0);
	e[1].values[2] = 1;	/* padding past nr_actions */
	MT_CHECK_EQ(check(t, len), -EINVAL);
	e[1].values[2] = 0;
	e[1].values[3] = -1;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	e[1].values[3] = 0;

	/* fallback: checked when flagged, must be zero when not */
	t->fallback[1] = 1;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	t->flags = ML_LIB_TABLE_FALLBACK;
	MT_CHECK_EQ(check(t, len), 0);
	t->fallback[0] = 5000;
	MT_CHECK_EQ(check(t, len), -ERANGE);
	t->fallback[0] = 0;
	t->fallback[3] = 9;
	MT_CHECK_EQ(check(t, len), -EINVAL);
	free(t);
}

static void test_garbage_never_accepted(void)
{
	/* Random bytes: never accepted, never a crash (ASan watches). */
	u64 x = 12345;
	int i, accepted = 0;

	for (i = 0; i < 20000; i++) {
		u64 len = 8 * (x % 80);
		u64 *buf = malloc(len + 8);
		u64 k;

		for (k = 0; k < len / 8; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[k] = x;
		}
		if (len >= 8 && i % 2)
			((u32 *)buf)[0] = sizeof(struct ml_lib_table);
		if (len >= 8 && i % 3)
			((u32 *)buf)[1] = ML_LIB_TABLE_FORMAT;
		accepted += check((struct ml_lib_table *)buf, len) == 0;
		free(buf);
		x += i;
	}
	MT_CHECK_EQ(accepted, 0);
}

static void test_blob_version(void)
{
	u64 len;
	struct ml_lib_table *t = make(1, &len);

	MT_CHECK_EQ(ml_table_blob_version(t, len), 7);
	MT_CHECK_EQ(ml_table_blob_version(t, 16), 7);
	MT_CHECK_EQ(ml_table_blob_version(t, 15), 0);
	MT_CHECK_EQ(ml_table_blob_version(NULL, 100), 0);
	free(t);
}

static void test_find(void)
{
	u64 len;
	struct ml_lib_table *t = make(100, &len);
	struct ml_lib_table_entry *e = entries(t);
	u64 k;

	for (k = 0; k <= 1010; k++) {
		const struct ml_lib_table_entry *f = ml_table_find(e, 100, k);

		if (k && k % 10 == 0 && k <= 1000)
			MT_CHECK(f && f->key == k && f->values[0] == (s64)(k / 10 - 1),
				 "key %llu", (unsigned long long)k);
		else
			MT_CHECK(!f, "key %llu must miss", (unsigned long long)k);
	}
	MT_CHECK(!ml_table_find(e, 0, 10), "empty table");
	MT_CHECK(ml_table_find(e, 1, 10) == &e[0], "one entry");
	MT_CHECK(!ml_table_find(e, 1, UINT64_MAX), "past the end");
	e[99].key = UINT64_MAX;
	MT_CHECK(ml_table_find(e, 100, UINT64_MAX) == &e[99], "max key");
	free(t);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_valid);
	MT_RUN(test_header_rules);
	MT_RUN(test_bigger_header);
	MT_RUN(test_length_rules);
	MT_RUN(test_too_many_entries);
	MT_RUN(test_key_order);
	MT_RUN(test_value_rules);
	MT_RUN(test_garbage_never_accepted);
	MT_RUN(test_blob_version);
	MT_RUN(test_find);
	return mt_summary();
}
