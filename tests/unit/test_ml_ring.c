// SPDX-License-Identifier: GPL-2.0
/* Host tests of core/ml_ring.h: positions, slots, room, watermarks, mmap offsets. */
#include "ml_ring.h"
#include "mltest.h"

static void test_nr_valid(void)
{
	MT_CHECK(!ml_ring_nr_valid(0), "0");
	MT_CHECK(!ml_ring_nr_valid(ML_LIB_RING_MIN_RECORDS / 2), "below min");
	MT_CHECK(ml_ring_nr_valid(ML_LIB_RING_MIN_RECORDS), "min");
	MT_CHECK(!ml_ring_nr_valid(ML_LIB_RING_MIN_RECORDS + 1), "not a power of two");
	MT_CHECK(!ml_ring_nr_valid(3 * ML_LIB_RING_MIN_RECORDS), "not a power of two");
	MT_CHECK(ml_ring_nr_valid(4096), "4096");
	MT_CHECK(ml_ring_nr_valid(ML_LIB_RING_MAX_RECORDS), "max");
	MT_CHECK(!ml_ring_nr_valid(ML_LIB_RING_MAX_RECORDS * 2), "above max");
	MT_CHECK(!ml_ring_nr_valid(0x80000000u), "2^31");
	MT_CHECK(!ml_ring_nr_valid(0xffffffffu), "u32 max");
	MT_CHECK(ml_ring_nr_valid(ML_RING_DEFAULT_RECORDS), "default");
}

static void test_slots(void)
{
	MT_CHECK_EQ(ml_ring_slot(0, 64), 0);
	MT_CHECK_EQ(ml_ring_slot(63, 64), 63);
	MT_CHECK_EQ(ml_ring_slot(64, 64), 0);
	MT_CHECK_EQ(ml_ring_slot(UINT64_MAX, 64), 63);
	MT_CHECK_EQ(ml_ring_slot_offset(0, 64, 32), ML_LIB_RING_DATA_OFFSET);
	MT_CHECK_EQ(ml_ring_slot_offset(65, 64, 32), ML_LIB_RING_DATA_OFFSET + 32);
	/* The largest ring: no 32-bit overflow of slot x record size. */
	MT_CHECK(ml_ring_slot_offset(ML_LIB_RING_MAX_RECORDS - 1, ML_LIB_RING_MAX_RECORDS,
				     152 * 1024) ==
		 ML_LIB_RING_DATA_OFFSET + (u64)(ML_LIB_RING_MAX_RECORDS - 1) * 152 * 1024,
		 "64-bit offsets");
}

static void test_room_and_wrap(void)
{
	MT_CHECK(ml_ring_has_room(0, 0, 64), "empty");
	MT_CHECK(ml_ring_has_room(63, 0, 64), "one left");
	MT_CHECK(!ml_ring_has_room(64, 0, 64), "full");
	MT_CHECK(ml_ring_has_room(100, 40, 64), "60 used");
	/* Positions across the 64-bit wrap. */
	MT_CHECK_EQ(ml_ring_used(5, UINT64_MAX - 2), 8);
	MT_CHECK(ml_ring_has_room(5, UINT64_MAX - 2, 64), "across wrap");
	MT_CHECK(!ml_ring_has_room(61, UINT64_MAX - 2, 64), "full across wrap");
	/* A corrupted tail (ahead of head, or far behind) means full, never room. */
	MT_CHECK(!ml_ring_has_room(10, 11, 64), "tail ahead of head");
	MT_CHECK(!ml_ring_has_room(10, 20000, 64), "tail far ahead");
	MT_CHECK(!ml_ring_has_room(1000, 0, 64), "tail far behind");
	MT_CHECK_EQ(ml_ring_avail(10, 11, 64), 64);
	MT_CHECK_EQ(ml_ring_avail(10, 4, 64), 6);
}

static void test_watermark_once_per_crossing(void)
{
	u64 head = 0, tail = 0, hits = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		if (!ml_ring_has_room(head, tail, 256))
			break;
		hits += ml_ring_reaches_watermark(ml_ring_used(head, tail), 16);
		head++;
	}
	MT_CHECK_EQ(head, 256);
	MT_CHECK_EQ(hits, 1);
	/* Drained below the watermark, it fires again on the next crossing. */
	tail = head;
	for (i = 0; i < 20; i++) {
		hits += ml_ring_reaches_watermark(ml_ring_used(head, tail), 16);
		head++;
	}
	MT_CHECK_EQ(hits, 2);
	MT_CHECK(ml_ring_reaches_watermark(0, 1), "watermark 1 fires on the first record");
}

static void test_sizes(void)
{
	MT_CHECK_EQ(ml_ring_bytes(32, 64), 4096 + 2048);
	MT_CHECK_EQ(ml_ring_map_bytes(32, 64, 4096), 8192);
	MT_CHECK_EQ(ml_ring_map_bytes(32, 128, 4096), 8192);
	MT_CHECK_EQ(ml_ring_map_bytes(128, 4096, 4096), 4096 + 128 * 4096);
	MT_CHECK_EQ(ml_ring_map_bytes(24, 64, 65536), 65536);
	MT_CHECK(ml_ring_bytes(152, ML_LIB_RING_MAX_RECORDS) ==
		 4096 + 152ULL * ML_LIB_RING_MAX_RECORDS, "no overflow");
}

static void test_indices(void)
{
	MT_CHECK_EQ(ml_ring_count(4), 8);
	MT_CHECK_EQ(ml_ring_sample_index(3), 3);
	MT_CHECK_EQ(ml_ring_feedback_index(3, 4), 7);
	MT_CHECK_EQ(ml_ring_kind(3, 4), ML_LIB_RING_SAMPLES);
	MT_CHECK_EQ(ml_ring_kind(4, 4), ML_LIB_RING_FEEDBACK);
	MT_CHECK_EQ(ml_ring_cpu(6, 4), 2);
	MT_CHECK_EQ(ml_ring_cpu(1, 4), 1);
}

static void test_mmap_offsets(void)
{
	const u32 ncpu = 3;
	const u64 s = 3 * 4096, f = 5 * 4096;
	u32 i;

	for (i = 0; i < ml_ring_count(ncpu); i++) {
		u64 off = ml_ring_mmap_offset(i, ncpu, s, f);

		MT_CHECK_EQ(ml_ring_at_offset(off, ncpu, s, f), i);
		MT_CHECK_EQ(ml_ring_at_offset(off + 4096, ncpu, s, f), -1);
	}
	MT_CHECK_EQ(ml_ring_mmap_offset(0, ncpu, s, f), 0);
	MT_CHECK_EQ(ml_ring_mmap_offset(3, ncpu, s, f), 3 * s);
	MT_CHECK_EQ(ml_ring_mmap_offset(5, ncpu, s, f), 3 * s + 2 * f);
	MT_CHECK_EQ(ml_ring_at_offset(3 * s + 3 * f, ncpu, s, f), -1);
	MT_CHECK_EQ(ml_ring_at_offset(UINT64_MAX & ~4095ULL, ncpu, s, f), -1);
	MT_CHECK_EQ(ml_ring_at_offset(1, ncpu, s, f), -1);
}

static void test_acquire_release_roundtrip(void)
{
	struct ml_lib_ring_ctl ctl = { 0 };

	ml_ring_store_release(&ctl.head, 42);
	MT_CHECK_EQ(ml_ring_load_acquire(&ctl.head), 42);
	ml_ring_store_release(&ctl.tail, 41);
	MT_CHECK_EQ(ml_ring_load_acquire(&ctl.tail), 41);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_nr_valid);
	MT_RUN(test_slots);
	MT_RUN(test_room_and_wrap);
	MT_RUN(test_watermark_once_per_crossing);
	MT_RUN(test_sizes);
	MT_RUN(test_indices);
	MT_RUN(test_mmap_offsets);
	MT_RUN(test_acquire_release_roundtrip);
	return mt_summary();
}
