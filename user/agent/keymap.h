/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keymap: a map from 64-bit keys to small dense indexes.
 *
 * The learners and the held-out set keep per-key state in arrays; this map
 * finds a key's slot. Open addressing with linear probing over a
 * power-of-two table of (key, index + 1) pairs, grown at 50% load. Entries
 * are never removed one by one (a learner that forgets keys rebuilds its
 * map), which keeps probing simple and correct.
 *
 * Why not a library: glib or a C++ container for one 60-line structure would
 * pull a large dependency into a static daemon; hsearch(3) is process-global.
 */
#ifndef MLAG_KEYMAP_H
#define MLAG_KEYMAP_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "array.h"

struct mlag_keymap {
	uint64_t *keys;
	uint32_t *slots;	/* index + 1; 0 = empty */
	uint32_t cap;		/* power of two, or 0 */
	uint32_t count;
};

/* A 64-bit mixer (splitmix64's finalizer): keys are often small integers. */
static inline uint64_t mlag_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static inline void mlag_keymap_free(struct mlag_keymap *m)
{
	free(m->keys);
	free(m->slots);
	*m = (struct mlag_keymap){ 0 };
}

/* The index stored for @key, or -1. */
static inline long mlag_keymap_get(const struct mlag_keymap *m, uint64_t key)
{
	uint32_t i;

	if (!m->cap)
		return -1;
	for (i = mlag_mix64(key) & (m->cap - 1); m->slots[i];
	     i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return (long)m->slots[i] - 1;
	return -1;
}

static inline int mlag_keymap_grow(struct mlag_keymap *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : 64, i, j;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uint32_t *slots = calloc(cap, sizeof(*slots));

	if (!keys || !slots || cap < m->cap) {
		free(keys);
		free(slots);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i])
			continue;
		for (j = mlag_mix64(m->keys[i]) & (cap - 1); slots[j];
		     j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		slots[j] = m->slots[i];
	}
	free(m->keys);
	free(m->slots);
	m->keys = keys;
	m->slots = slots;
	m->cap = cap;
	return 0;
}

/* Map @key to @index (which must be below UINT32_MAX); replaces an old one. */
static inline int mlag_keymap_put(struct mlag_keymap *m, uint64_t key,
				  uint32_t index)
{
	uint32_t i;

	if (index == UINT32_MAX)
		return -EOVERFLOW;
	if ((m->count + 1) * 2 > m->cap && mlag_keymap_grow(m))
		return -ENOMEM;
	for (i = mlag_mix64(key) & (m->cap - 1); m->slots[i];
	     i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->slots[i] = index + 1;
			return 0;
		}
	}
	m->keys[i] = key;
	m->slots[i] = index + 1;
	m->count++;
	return 0;
}

/*
 * A table of records by key: a keymap over a growing array of @size-byte
 * records, in the order they were added. Pointers into it are valid until
 * the next record is added.
 */
struct mlag_keyed {
	struct mlag_keymap map;
	void *items;
	size_t n, cap, size;
};

#define MLAG_KEYED_INIT(type)	{ .size = sizeof(type) }

static inline void *mlag_keyed_at(const struct mlag_keyed *t, size_t i)
{
	return (char *)t->items + i * t->size;
}

/* The record of @key, or NULL. */
static inline void *mlag_keyed_find(const struct mlag_keyed *t, uint64_t key)
{
	long i = mlag_keymap_get(&t->map, key);

	return i < 0 ? NULL : mlag_keyed_at(t, (size_t)i);
}

/*
 * The record of @key; a new one is appended, zeroed, and *@created set
 * (when not NULL), unless the table holds @max records already: NULL then,
 * and on ENOMEM.
 */
static inline void *mlag_keyed_get(struct mlag_keyed *t, uint64_t key, size_t max,
				   bool *created)
{
	void *r = mlag_keyed_find(t, key);

	if (created)
		*created = false;
	if (r)
		return r;
	if (t->n >= max || mlag_reserve(&t->items, &t->cap, t->n, t->size))
		return NULL;
	if (mlag_keymap_put(&t->map, key, (uint32_t)t->n))
		return NULL;
	r = mlag_keyed_at(t, t->n++);
	memset(r, 0, t->size);
	if (created)
		*created = true;
	return r;
}

static inline void mlag_keyed_free(struct mlag_keyed *t)
{
	mlag_keymap_free(&t->map);
	free(t->items);
	*t = (struct mlag_keyed){ .size = t->size };
}

#endif /* MLAG_KEYMAP_H */
