// SPDX-License-Identifier: GPL-2.0
/* Host tests of libmlagent's recommendation-table blobs (sorting, checks). */
#include <stdlib.h>
#include "mla_internal.h"
#include "mltest.h"

static struct ml_lib_table hdr2(void)
{
	return (struct ml_lib_table){ .version = 42, .ttl_ms = 1000,
				      .nr_actions = 2 };
}

static void test_size(void)
{
	MT_CHECK_EQ(mla_table_size(0), sizeof(struct ml_lib_table));
	MT_CHECK_EQ(mla_table_size(3), sizeof(struct ml_lib_table) +
		    3 * sizeof(struct ml_lib_table_entry));
	MT_CHECK_EQ(mla_table_size(ML_LIB_MAX_TABLE_ENTRIES + 1), 0);
	MT_CHECK(mla_table_size(ML_LIB_MAX_TABLE_ENTRIES) <= ML_LIB_MAX_BLOB,
		 "the largest table fits in a blob");
}

static void test_build_sorts(void)
{
	struct ml_lib_table_entry in[4] = {
		{ .key = 30, .values = { 3, -3 } },
		{ .key = 10, .values = { 1, -1 } },
		{ .key = UINT64_MAX, .values = { 9, -9 } },
		{ .key = 20, .values = { 2, -2 } },
	};
	struct ml_lib_table h = hdr2();
	size_t len = mla_table_size(4);
	unsigned char *buf = malloc(len);
	const struct ml_lib_table *t = (const void *)buf;
	const struct ml_lib_table_entry *e = (const void *)(t + 1);

	h.flags = ML_LIB_TABLE_FALLBACK;
	h.fallback[0] = 5;
	h.fallback[1] = 6;
	MT_CHECK_EQ(mla_table_build(&h, in, 4, buf, len), (long)len);
	MT_CHECK_EQ(t->size, sizeof(*t));
	MT_CHECK_EQ(t->format, ML_LIB_TABLE_FORMAT);
	MT_CHECK_EQ(t->version, 42);
	MT_CHECK_EQ(t->ttl_ms, 1000);
	MT_CHECK_EQ(t->flags, ML_LIB_TABLE_FALLBACK);
	MT_CHECK_EQ(t->nr_entries, 4);
	MT_CHECK_EQ(t->nr_actions, 2);
	MT_CHECK_EQ(t->fallback[1], 6);
	MT_CHECK_EQ(e[0].key, 10);
	MT_CHECK_EQ(e[0].values[1], -1);
	MT_CHECK_EQ(e[1].key, 20);
	MT_CHECK_EQ(e[2].key, 30);
	MT_CHECK_EQ(e[2].values[0], 3);
	MT_CHECK(e[3].key == UINT64_MAX, "unsigned order");
	MT_CHECK_EQ(in[0].key, 30);	/* the caller's array is untouched */
	/* Building in place over the caller's own entries works too. */
	memcpy(buf + sizeof(*t), in, sizeof(in));
	MT_CHECK_EQ(mla_table_build(&h, e, 4, buf, len), (long)len);
	MT_CHECK_EQ(e[0].key, 10);
	MT_CHECK(e[3].key == UINT64_MAX, "in place");
	free(buf);
}

static void test_build_rejects(void)
{
	struct ml_lib_table_entry in[3] = {
		{ .key = 1, .values = { 1, 1 } },
		{ .key = 2, .values = { 2, 2 } },
		{ .key = 1, .values = { 3, 3 } },
	};
	unsigned char buf[512];
	struct ml_lib_table h = hdr2();

	MT_CHECK_EQ(mla_table_build(&h, in, 3, buf, sizeof(buf)), -EINVAL);	/* duplicate */
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), (long)mla_table_size(2));
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, mla_table_size(2) - 1), -ENOSPC);
	MT_CHECK_EQ(mla_table_build(&h, in, ML_LIB_MAX_TABLE_ENTRIES + 1, buf, sizeof(buf)),
		    -E2BIG);
	h.version = 0;
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	h = hdr2();
	h.nr_actions = 0;
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	h.nr_actions = ML_LIB_MAX_ACTIONS + 1;
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	h = hdr2();
	h.flags = 2;
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	h = hdr2();
	h.reserved = 1;
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	h = hdr2();
	h.fallback[0] = 1;	/* fallback values without the fallback flag */
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	h = hdr2();
	h.flags = ML_LIB_TABLE_FALLBACK;
	h.fallback[2] = 1;	/* past nr_actions */
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	h = hdr2();
	in[1].values[3] = 7;	/* an entry's value past nr_actions */
	MT_CHECK_EQ(mla_table_build(&h, in, 2, buf, sizeof(buf)), -EINVAL);
	MT_CHECK_EQ(mla_table_build(NULL, in, 2, buf, sizeof(buf)), -EINVAL);
	MT_CHECK_EQ(mla_table_build(&h, NULL, 2, buf, sizeof(buf)), -EINVAL);
	/* No entries, a fallback only: a valid table. */
	h.flags = ML_LIB_TABLE_FALLBACK;
	MT_CHECK_EQ(mla_table_build(&h, NULL, 0, buf, sizeof(buf)),
		    (long)sizeof(struct ml_lib_table));
}

static void test_push_needs_attachment(void)
{
	struct mla_ctx *ctx = mla_ctx_new(-1);
	struct ml_lib_table h = hdr2();
	struct ml_lib_table_entry e = { .key = 1 };
	char blob[8] = { 0 };

	MT_CHECK_EQ(mla_push_table(ctx, &h, &e, 1), -ENOTCONN);
	MT_CHECK_EQ(mla_push_model(ctx, blob, sizeof(blob)), -ENOTCONN);
	MT_CHECK_EQ(mla_push_model(ctx, blob, 0), -EINVAL);
	MT_CHECK_EQ(mla_push_blob(ctx, ML_LIB_PUSH_MODEL, blob, ML_LIB_MAX_BLOB + 1ul), -E2BIG);
	MT_CHECK_EQ(mla_push_table(ctx, &h, &e, ML_LIB_MAX_TABLE_ENTRIES + 1), -E2BIG);
	MT_CHECK_EQ(mla_heartbeat(ctx), -ENOTCONN);
	MT_CHECK_EQ(mla_detach(ctx), -ENOTCONN);
	MT_CHECK(mla_attached_schema(ctx) == NULL, "no schema");
	MT_CHECK_EQ(mla_attached_id(ctx), 0);
	mla_close(ctx);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_size);
	MT_RUN(test_build_sorts);
	MT_RUN(test_build_rejects);
	MT_RUN(test_push_needs_attachment);
	return mt_summary();
}
