// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmlagent: building and pushing recommendation tables, pushing models.
 *
 * A table blob is struct ml_lib_table followed by its entries, strictly
 * ascending by key. The library sorts the caller's entries and rejects
 * what the kernel would reject for sure (duplicate keys, bad counts,
 * non-zero values past nr_actions), so that an agent learns about its own
 * mistakes without a round trip; the kernel still checks everything
 * (ranges against the schema, for instance).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mla_internal.h"

MLA_API size_t mla_table_size(size_t nr_entries)
{
	if (nr_entries > ML_LIB_MAX_TABLE_ENTRIES)
		return 0;
	return sizeof(struct ml_lib_table) +
	       nr_entries * sizeof(struct ml_lib_table_entry);
}

static int cmp_key(const void *a, const void *b)
{
	uint64_t ka = ((const struct ml_lib_table_entry *)a)->key;
	uint64_t kb = ((const struct ml_lib_table_entry *)b)->key;

	return ka < kb ? -1 : ka > kb;
}

/* Values past @nr_actions must be zero (the ABI keeps them for later). */
static int tail_is_zero(const __s64 *values, uint32_t nr_actions)
{
	uint32_t i;

	for (i = nr_actions; i < ML_LIB_MAX_ACTIONS; i++)
		if (values[i])
			return 0;
	return 1;
}

MLA_API long mla_table_build(const struct ml_lib_table *hdr,
			     const struct ml_lib_table_entry *entries,
			     size_t nr_entries, void *buf, size_t len)
{
	size_t need = mla_table_size(nr_entries);
	struct ml_lib_table *t = buf;
	struct ml_lib_table_entry *e;
	size_t i;

	if (!hdr || !buf || (nr_entries && !entries))
		return -EINVAL;
	if (!need)
		return -E2BIG;
	if (len < need)
		return -ENOSPC;
	if (!hdr->version || !hdr->nr_actions ||
	    hdr->nr_actions > ML_LIB_MAX_ACTIONS ||
	    (hdr->flags & ~ML_LIB_TABLE_FALLBACK) || hdr->reserved ||
	    !tail_is_zero(hdr->fallback, hdr->nr_actions) ||
	    (!(hdr->flags & ML_LIB_TABLE_FALLBACK) &&
	     !tail_is_zero(hdr->fallback, 0)))
		return -EINVAL;
	e = (struct ml_lib_table_entry *)(t + 1);
	/* memmove: the caller may build in place over its own entries. */
	if (nr_entries)
		memmove(e, entries, nr_entries * sizeof(*e));
	qsort(e, nr_entries, sizeof(*e), cmp_key);
	for (i = 0; i < nr_entries; i++)
		if (!tail_is_zero(e[i].values, hdr->nr_actions) ||
		    (i && e[i].key == e[i - 1].key))
			return -EINVAL;
	*t = *hdr;
	t->size = sizeof(*t);
	t->format = ML_LIB_TABLE_FORMAT;
	t->nr_entries = (uint32_t)nr_entries;
	return (long)need;
}

MLA_API int mla_push_blob(struct mla_ctx *ctx, uint32_t kind,
			  const void *blob, size_t len)
{
	struct ml_lib_push p = {
		.size = sizeof(p),
		.kind = kind,
		.data = (uintptr_t)blob,
		.len = len,
	};

	if (!ctx || !blob || !len)
		return -EINVAL;
	if (len > ML_LIB_MAX_BLOB)
		return -E2BIG;
	if (!ctx->proxy_id)
		return -ENOTCONN;
	return mla_ioctl(ctx, ML_LIB_IOC_PUSH, &p);
}

MLA_API int mla_push_table(struct mla_ctx *ctx, const struct ml_lib_table *hdr,
			   const struct ml_lib_table_entry *entries,
			   size_t nr_entries)
{
	size_t len = mla_table_size(nr_entries);
	void *blob;
	long n;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!len)
		return -E2BIG;
	if (!ctx->proxy_id)
		return -ENOTCONN;
	blob = malloc(len);
	if (!blob)
		return -ENOMEM;
	n = mla_table_build(hdr, entries, nr_entries, blob, len);
	ret = n < 0 ? (int)n : mla_push_blob(ctx, ML_LIB_PUSH_TABLE, blob, len);
	free(blob);
	return ret;
}

MLA_API int mla_push_model(struct mla_ctx *ctx, const void *blob, size_t len)
{
	return mla_push_blob(ctx, ML_LIB_PUSH_MODEL, blob, len);
}
