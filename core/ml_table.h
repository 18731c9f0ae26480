/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recommendation tables: validation of a pushed blob against a proxy's
 * action schema, and key lookup.
 *
 * A table blob (struct ml_lib_table, then its entries; see the ABI header)
 * comes from user space and is trusted in nothing. ml_table_validate()
 * checks every byte that has a meaning and every byte that must be zero;
 * a blob it accepts can be searched with ml_table_find() in O(log n).
 */
#ifndef ML_CORE_TABLE_H
#define ML_CORE_TABLE_H

#include "ml_abi.h"

/* What a table is checked against: the proxy's action schema. */
struct ml_table_schema {
	u32 nr_actions;			/* 1 .. ML_LIB_MAX_ACTIONS */
	u32 max_entries;		/* at most ML_LIB_MAX_TABLE_ENTRIES */
	s64 min[ML_LIB_MAX_ACTIONS];
	s64 max[ML_LIB_MAX_ACTIONS];
};

/* A validated table: pointers into the blob. */
struct ml_table_info {
	u64 version;
	u32 ttl_ms;
	u32 nr_entries;
	u32 nr_actions;
	bool has_fallback;
	const __s64 *fallback;		/* ABI type: __s64, which user space defines apart from s64 */
	const struct ml_lib_table_entry *entries;
};

int ml_table_validate(const void *blob, u64 len, const struct ml_table_schema *schema,
		      struct ml_table_info *info);
u64 ml_table_blob_version(const void *blob, u64 len);

/**
 * ml_table_find() - binary search of a validated table (inline: it is on
 * the decision path)
 * @entries: entries, strictly ascending by key
 * @nr_entries: number of entries
 * @key: the key to look up
 *
 * Return: the entry for @key, or NULL.
 */
static inline const struct ml_lib_table_entry *
ml_table_find(const struct ml_lib_table_entry *entries, u32 nr_entries, u64 key)
{
	u32 lo = 0, hi = nr_entries;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (entries[mid].key < key)
			lo = mid + 1;
		else if (entries[mid].key > key)
			hi = mid;
		else
			return &entries[mid];
	}
	return NULL;
}

#endif /* ML_CORE_TABLE_H */
