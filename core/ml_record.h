/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of the records of the /dev/ml_lib rings, and decision ids.
 *
 * The record structs are ABI: their sizes and offsets are checked here at
 * compile time, in the kernel and in user space alike.
 */
#ifndef ML_CORE_RECORD_H
#define ML_CORE_RECORD_H

#include "ml_abi.h"

_Static_assert(sizeof(struct ml_lib_sample) == 24, "sample header is 24 bytes");
_Static_assert(sizeof(struct ml_lib_feedback) == 128, "feedback record is 128 bytes");
_Static_assert(sizeof(struct ml_lib_fb_outcome) <= 112, "outcome fits the union");
_Static_assert(__builtin_offsetof(struct ml_lib_fb_outcome, label) == 104,
	       "the label came after the first published outcome layout");
_Static_assert(sizeof(struct ml_lib_fb_efficiency) <= 112, "efficiency fits the union");
_Static_assert(__builtin_offsetof(struct ml_lib_ring_ctl, tail) == 64,
	       "head and tail on separate cache lines");
_Static_assert(sizeof(struct ml_lib_ring_ctl) <= ML_LIB_RING_DATA_OFFSET,
	       "control fits its page");
_Static_assert(sizeof(struct ml_lib_table) % 8 == 0, "table entries stay aligned");
_Static_assert(sizeof(struct ml_lib_table_entry) == 8 + 8 * ML_LIB_MAX_ACTIONS,
	       "table entry layout");

#define ML_FEEDBACK_RECORD_SIZE	((u32)sizeof(struct ml_lib_feedback))

/* Bytes of one sample record of a proxy with @nr_features features (a multiple of 8). */
static inline u32 ml_sample_record_size(u32 nr_features)
{
	return (u32)sizeof(struct ml_lib_sample) + nr_features * (u32)sizeof(s64);
}

/* Write a sample record into the slot at @rec. */
static inline void ml_sample_fill(void *rec, u64 ts_ns, u64 key, u64 decision_id,
				  const s64 *features, u32 nr_features)
{
	struct ml_lib_sample *s = (struct ml_lib_sample *)rec;
	u32 i;

	s->ts_ns = ts_ns;
	s->key = key;
	s->decision_id = decision_id;
	/* A few words: a loop, not a call to memcpy with a variable size (rep movsb). */
	for (i = 0; i < nr_features; i++)
		s->features[i] = features[i];
}

/*
 * Decision ids: the @seq-th decision (from 0) made on CPU @cpu of @nr_cpus
 * gets seq * nr_cpus + cpu + 1. Ids are non-zero and unique per proxy as
 * long as each CPU counts its own decisions (no shared counter, no shared
 * cache line), and 64 bits do not run out in practice.
 */
static inline u64 ml_decision_id(u64 seq, u32 cpu, u32 nr_cpus)
{
	return seq * nr_cpus + cpu + 1;
}

/* The CPU that made decision @id (non-zero). */
static inline u32 ml_decision_cpu(u64 id, u32 nr_cpus)
{
	return (u32)((id - 1) % nr_cpus);
}

#endif /* ML_CORE_RECORD_H */
