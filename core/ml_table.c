// SPDX-License-Identifier: GPL-2.0
/*
 * Recommendation tables; see ml_table.h.
 *
 * The order of the checks is part of the ABI (docs/ABI.md): the header's
 * structure first (-EINVAL), then its size limits (-E2BIG), then the exact
 * length (-EINVAL), then every value: ordering and zero padding (-EINVAL)
 * before ranges (-ERANGE) within each entry, entries in order.
 */
#include "ml_table.h"

/* Are the @n bytes at @p all zero? */
static bool ml_table_zero(const void *p, u64 n)
{
	const u8 *b = (const u8 *)p;
	u64 i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Check one set of action values: -EINVAL for non-zero padding, -ERANGE out of range. */
static int ml_table_check_values(const __s64 *v, const struct ml_table_schema *s)
{
	u32 i;

	for (i = s->nr_actions; i < ML_LIB_MAX_ACTIONS; i++)
		if (v[i])
			return -EINVAL;
	for (i = 0; i < s->nr_actions; i++)
		if (v[i] < s->min[i] || v[i] > s->max[i])
			return -ERANGE;
	return 0;
}

/**
 * ml_table_validate() - check a table blob against an action schema
 * @blob: the blob, 8-byte aligned
 * @len: its length in bytes
 * @schema: the proxy's action schema
 * @info: filled in on success, with pointers into @blob
 *
 * Return: 0, or -EINVAL (malformed: truncated, trailing bytes, bad format,
 * version 0, unknown flags, non-zero reserved bytes or padding values, a
 * number of actions that differs from the schema, keys not strictly
 * ascending), -E2BIG (more entries than allowed, or a header larger than
 * known with non-zero bytes beyond), -ERANGE (a value outside its action's
 * [min, max]).
 */
int ml_table_validate(const void *blob, u64 len, const struct ml_table_schema *schema,
		      struct ml_table_info *info)
{
	const struct ml_lib_table *t = (const struct ml_lib_table *)blob;
	const struct ml_lib_table_entry *e;
	u32 i;
	int ret;

	if (!blob || ((uintptr_t)blob & 7))
		return -EINVAL;
	if (len < sizeof(*t) || t->size < sizeof(*t) || t->size > len || (t->size & 7))
		return -EINVAL;
	if (t->format != ML_LIB_TABLE_FORMAT || !t->version ||
	    (t->flags & ~ML_LIB_TABLE_FALLBACK) || t->reserved ||
	    t->nr_actions != schema->nr_actions)
		return -EINVAL;
	if (!ml_table_zero((const u8 *)blob + sizeof(*t), t->size - sizeof(*t)))
		return -E2BIG;
	if (t->nr_entries > schema->max_entries)
		return -E2BIG;
	if (len != t->size + (u64)t->nr_entries * sizeof(*e))
		return -EINVAL;

	if (t->flags & ML_LIB_TABLE_FALLBACK) {
		ret = ml_table_check_values(t->fallback, schema);
		if (ret)
			return ret;
	} else if (!ml_table_zero(t->fallback, sizeof(t->fallback))) {
		return -EINVAL;
	}

	e = (const struct ml_lib_table_entry *)((const u8 *)blob + t->size);
	for (i = 0; i < t->nr_entries; i++) {
		if (i && e[i].key <= e[i - 1].key)
			return -EINVAL;
		ret = ml_table_check_values(e[i].values, schema);
		if (ret)
			return ret;
	}

	info->version = t->version;
	info->ttl_ms = t->ttl_ms;
	info->nr_entries = t->nr_entries;
	info->nr_actions = t->nr_actions;
	info->has_fallback = t->flags & ML_LIB_TABLE_FALLBACK;
	info->fallback = t->fallback;
	info->entries = e;
	return 0;
}

/**
 * ml_table_blob_version() - the version a blob claims, for verdict records
 * @blob: the blob, 8-byte aligned
 * @len: its length in bytes
 *
 * Return: the version field, or 0 when the blob is too short to hold one.
 */
u64 ml_table_blob_version(const void *blob, u64 len)
{
	const struct ml_lib_table *t = (const struct ml_lib_table *)blob;

	if (!blob || len < __builtin_offsetof(struct ml_lib_table, version) + sizeof(t->version))
		return 0;
	return t->version;
}
