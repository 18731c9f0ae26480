/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * Index arithmetic of the mmap rings of /dev/ml_lib, shared by the kernel
 * (producer) and libmlagent (consumer).
 *
 * A ring is one control page (struct ml_lib_ring_ctl) followed by
 * nr_records slots of record_size bytes. Positions count records from 0 and
 * are never reduced: 64 bits do not wrap in practice, and head - tail is the
 * number of records in the ring even across a wrap. The slot of position p
 * is p & (nr_records - 1).
 *
 * Producer (kernel), on the ring's own CPU with local interrupts disabled:
 *	tail = ml_ring_load_acquire(&ctl->tail);
 *	if (!ml_ring_has_room(head, tail, nr)) drop and count;
 *	write the record at ml_ring_slot_offset(head, ...);
 *	ml_ring_store_release(&ctl->head, ++head);
 * Consumer (user space):
 *	head = ml_ring_load_acquire(&ctl->head);
 *	read records tail .. head - 1;
 *	ml_ring_store_release(&ctl->tail, head);
 * The acquire/release pairs order the record bytes against the positions
 * in both directions: the consumer never reads a slot before it is written,
 * and the producer never overwrites a slot before the consumer let it go.
 *
 * The rings of an attachment are numbered: index i < nr_cpus is the sample
 * ring of CPU i, index nr_cpus + i the feedback ring of CPU i. They are
 * mapped one after the other: sample rings first, then feedback rings, each
 * at a page-aligned offset.
 */
#ifndef ML_CORE_RING_H
#define ML_CORE_RING_H

#include "ml_abi.h"

#ifdef __KERNEL__
#include <asm/barrier.h>
/* Pairs with the other side's release: see the protocol above. */
#define ml_ring_load_acquire(p)		smp_load_acquire(p)
/* Pairs with the other side's acquire: see the protocol above. */
#define ml_ring_store_release(p, v)	smp_store_release(p, v)
#else
#define ml_ring_load_acquire(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ml_ring_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#endif

/* Slots per ring when the agent asks for 0. */
#define ML_RING_DEFAULT_RECORDS	4096u

/* Is @nr a valid number of slots: a power of two within the ABI's limits? */
static inline bool ml_ring_nr_valid(u32 nr)
{
	return nr >= ML_LIB_RING_MIN_RECORDS && nr <= ML_LIB_RING_MAX_RECORDS &&
	       (nr & (nr - 1)) == 0;
}

static inline u32 ml_ring_slot(u64 pos, u32 nr)
{
	return (u32)(pos & (nr - 1));
}

/* Byte offset, from the start of the ring (its control page), of position @pos. */
static inline u64 ml_ring_slot_offset(u64 pos, u32 nr, u32 record_size)
{
	return ML_LIB_RING_DATA_OFFSET + (u64)ml_ring_slot(pos, nr) * record_size;
}

/* Records in the ring. */
static inline u64 ml_ring_used(u64 head, u64 tail)
{
	return head - tail;
}

/*
 * May the producer write one more record? A tail the consumer corrupted
 * (ahead of head, or far behind) makes head - tail huge: the ring is then
 * full, and nothing else is ever derived from tail.
 */
static inline bool ml_ring_has_room(u64 head, u64 tail, u32 nr)
{
	return ml_ring_used(head, tail) < nr;
}

/*
 * Does writing one record into a ring that held @used_before records make
 * it reach @watermark? True once per crossing, not for every record above
 * the watermark: wake-ups come in batches.
 */
static inline bool ml_ring_reaches_watermark(u64 used_before, u32 watermark)
{
	return used_before + 1 == watermark;
}

/* Records the consumer may read: at most @nr, whatever it finds in head. */
static inline u64 ml_ring_avail(u64 head, u64 tail, u32 nr)
{
	u64 used = ml_ring_used(head, tail);

	return used > nr ? nr : used;
}

/* Bytes of a ring: the control page and the slots. */
static inline u64 ml_ring_bytes(u32 record_size, u32 nr)
{
	return ML_LIB_RING_DATA_OFFSET + (u64)record_size * nr;
}

/* Bytes of a ring's mapping: ml_ring_bytes() rounded up to @page_size, a power of two. */
static inline u64 ml_ring_map_bytes(u32 record_size, u32 nr, u64 page_size)
{
	return (ml_ring_bytes(record_size, nr) + page_size - 1) & ~(page_size - 1);
}

static inline u32 ml_ring_count(u32 nr_cpus)
{
	return 2 * nr_cpus;
}

static inline u32 ml_ring_sample_index(u32 cpu)
{
	return cpu;
}

static inline u32 ml_ring_feedback_index(u32 cpu, u32 nr_cpus)
{
	return nr_cpus + cpu;
}

/* Kind (enum ml_lib_ring_kind) and producing CPU of ring @index < 2 * @nr_cpus. */
static inline u32 ml_ring_kind(u32 index, u32 nr_cpus)
{
	return index < nr_cpus ? ML_LIB_RING_SAMPLES : ML_LIB_RING_FEEDBACK;
}

static inline u32 ml_ring_cpu(u32 index, u32 nr_cpus)
{
	return index < nr_cpus ? index : index - nr_cpus;
}

/*
 * mmap offset of ring @index, given the mapping sizes of one sample ring and
 * one feedback ring (both multiples of the page size).
 */
static inline u64 ml_ring_mmap_offset(u32 index, u32 nr_cpus, u64 sample_map,
				      u64 feedback_map)
{
	if (index < nr_cpus)
		return (u64)index * sample_map;
	return (u64)nr_cpus * sample_map + (u64)(index - nr_cpus) * feedback_map;
}

/*
 * The ring whose mapping starts at byte @offset, or -1 when no ring starts
 * there (an offset inside a ring, or past the last one).
 */
static inline s64 ml_ring_at_offset(u64 offset, u32 nr_cpus, u64 sample_map,
				    u64 feedback_map)
{
	u64 samples_end = (u64)nr_cpus * sample_map;

	if (offset < samples_end)
		return offset % sample_map ? -1 : (s64)(offset / sample_map);
	offset -= samples_end;
	if (offset % feedback_map || offset / feedback_map >= nr_cpus)
		return -1;
	return (s64)(nr_cpus + offset / feedback_map);
}

#endif /* ML_CORE_RING_H */
