/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The consumer side of an ml_lib ring (private to libmlagent), on top of
 * core/ml_ring.h: the index arithmetic and memory ordering the kernel's
 * producer uses too, so the two sides cannot drift apart.
 *
 * The protocol (see ml_ring.h and struct ml_lib_ring_ctl): the kernel writes
 * a record, then stores head with release semantics; the consumer loads
 * head with acquire semantics, reads the records, then stores tail with
 * release semantics. The control page is the one truth about the tail: a
 * pass starts from it (mla_ring_begin()), so that another consumer of the
 * same mapping (a raw loop, a forked child) and the library never disagree;
 * during a pass the consumer works on its copy in struct mla_ring.
 */
#ifndef MLA_RING_H
#define MLA_RING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "ml_ring.h"

struct mla_ring {
	struct ml_lib_ring_ctl *ctl;	/* the start of the ring's mapping */
	void *map;			/* the mmap()ed area, NULL when not ours */
	size_t map_len;
	uint64_t tail;			/* consumer position: ctl->tail during a pass */
	uint32_t record_size;
	uint32_t nr_records;
	uint32_t cpu;
	uint32_t kind;
};

/* Start a pass: our copy of the tail, from the control page (we write it). */
static inline uint64_t mla_ring_begin(struct mla_ring *r)
{
	r->tail = __atomic_load_n(&r->ctl->tail, __ATOMIC_RELAXED);
	return r->tail;
}

/* Records the kernel has published. */
static inline uint64_t mla_ring_head(const struct mla_ring *r)
{
	return ml_ring_load_acquire(&r->ctl->head);
}

/* The record at position @pos (which must lie in [tail, head)). */
static inline const void *mla_ring_record(const struct mla_ring *r, uint64_t pos)
{
	return (const unsigned char *)r->ctl +
	       ml_ring_slot_offset(pos, r->nr_records, r->record_size);
}

/*
 * Records from @pos that are contiguous in the slot array: at most @avail,
 * MLA_RUN_MAX, and the slots up to the end of the array.
 */
#define MLA_RUN_MAX	64u

static inline uint32_t mla_ring_run(const struct mla_ring *r, uint64_t pos,
				    uint64_t avail)
{
	uint64_t n = r->nr_records - ml_ring_slot(pos, r->nr_records);

	if (n > avail)
		n = avail;
	return (uint32_t)(n > MLA_RUN_MAX ? MLA_RUN_MAX : n);
}

/* Give the slots before @pos back to the kernel. */
static inline void mla_ring_release(struct mla_ring *r, uint64_t pos)
{
	r->tail = pos;
	ml_ring_store_release(&r->ctl->tail, pos);
}

/*
 * Pending records. A correct kernel never publishes more than nr_records
 * ahead of the tail; a larger gap means the shared page is corrupt, reported
 * as -EPROTO rather than read past the records.
 */
static inline int64_t mla_ring_pending(const struct mla_ring *r, uint64_t head)
{
	uint64_t n = ml_ring_used(head, r->tail);

	return n > r->nr_records ? -EPROTO : (int64_t)n;
}

#endif /* MLA_RING_H */
