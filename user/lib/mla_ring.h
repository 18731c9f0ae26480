/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The consumer side of an ml_lib ring (private to libmlagent).
 *
 * The protocol is the one of struct ml_lib_ring_ctl in <linux/ml_lib.h>:
 * the kernel writes a record, then stores @head with release semantics; the
 * consumer loads @head with acquire semantics, reads the records, then
 * stores @tail with release semantics. Positions count records and never
 * wrap; the slot of position p is p & (nr_records - 1), at byte
 * ML_LIB_RING_DATA_OFFSET + slot * record_size of the mapping.
 *
 * The control page is the one truth about the tail: a pass starts from it
 * (mla_ring_begin()), so that another consumer of the same mapping (a raw
 * loop, a forked child) and the library never disagree; during a pass the
 * consumer works on its copy in struct mla_ring.
 */
#ifndef MLA_RING_H
#define MLA_RING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ml_lib.h>

struct mla_ring {
	struct ml_lib_ring_ctl *ctl;
	const unsigned char *data;	/* the first slot */
	void *map;			/* the mmap()ed area, NULL when not ours */
	size_t map_len;
	uint64_t tail;			/* consumer position: ctl->tail during a pass */
	uint64_t mask;			/* nr_records - 1 */
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

/* Records the kernel has published: head with acquire semantics. */
static inline uint64_t mla_ring_head(const struct mla_ring *r)
{
	return __atomic_load_n(&r->ctl->head, __ATOMIC_ACQUIRE);
}

/* The record at position @pos (which must lie in [tail, head)). */
static inline const void *mla_ring_record(const struct mla_ring *r, uint64_t pos)
{
	return r->data + (size_t)(pos & r->mask) * r->record_size;
}

/*
 * Records from @pos that are contiguous in the slot array: at most @avail,
 * MLA_RUN_MAX, and the slots up to the end of the array.
 */
#define MLA_RUN_MAX	64u

static inline uint32_t mla_ring_run(const struct mla_ring *r, uint64_t pos,
				    uint64_t avail)
{
	uint64_t n = r->nr_records - (pos & r->mask);

	if (n > avail)
		n = avail;
	return (uint32_t)(n > MLA_RUN_MAX ? MLA_RUN_MAX : n);
}

/* Give the slots before @pos back to the kernel: tail with release semantics. */
static inline void mla_ring_release(struct mla_ring *r, uint64_t pos)
{
	r->tail = pos;
	__atomic_store_n(&r->ctl->tail, pos, __ATOMIC_RELEASE);
}

/*
 * Pending records: head - tail. A correct kernel never publishes more than
 * nr_records ahead of the tail; a larger gap means the shared page is
 * corrupt, reported as -EPROTO rather than read past the records.
 */
static inline int64_t mla_ring_pending(const struct mla_ring *r, uint64_t head)
{
	uint64_t n = head - r->tail;

	return n > r->nr_records ? -EPROTO : (int64_t)n;
}

#endif /* MLA_RING_H */
