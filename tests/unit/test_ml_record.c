// SPDX-License-Identifier: GPL-2.0
/* Host tests of core/ml_record.h: record sizes, sample layout, decision ids. */
#include "ml_record.h"
#include "mltest.h"

static void test_sizes(void)
{
	MT_CHECK_EQ(ml_sample_record_size(0), 24);
	MT_CHECK_EQ(ml_sample_record_size(1), 32);
	MT_CHECK_EQ(ml_sample_record_size(ML_LIB_MAX_FEATURES), 24 + 8 * ML_LIB_MAX_FEATURES);
	MT_CHECK_EQ(ML_FEEDBACK_RECORD_SIZE, 128);
	MT_CHECK_EQ(ml_sample_record_size(3) % 8, 0);
}

static void test_sample_fill(void)
{
	u64 buf[8];
	const s64 f[3] = { -1, 0, INT64_MAX };
	struct ml_lib_sample *s = (struct ml_lib_sample *)buf;

	memset(buf, 0xaa, sizeof(buf));
	ml_sample_fill(buf, 11, 22, 33, f, 3);
	MT_CHECK_EQ(s->ts_ns, 11);
	MT_CHECK_EQ(s->key, 22);
	MT_CHECK_EQ(s->decision_id, 33);
	MT_CHECK_EQ(s->features[0], -1);
	MT_CHECK_EQ(s->features[1], 0);
	MT_CHECK_EQ(s->features[2], INT64_MAX);
	MT_CHECK(buf[6] == 0xaaaaaaaaaaaaaaaaULL, "nothing written past the record");
	ml_sample_fill(buf, 1, 2, 3, NULL, 0);
	MT_CHECK_EQ(s->ts_ns, 1);
	MT_CHECK(buf[3] == (u64)-1, "no feature written");
}

static void test_decision_ids_unique(void)
{
	/* Every (cpu, seq) pair gives a distinct non-zero id that names its CPU. */
	static u8 seen[64 * 100 + 1];
	u32 ncpu, cpu;
	u64 seq;

	for (ncpu = 1; ncpu <= 64; ncpu *= 4) {
		memset(seen, 0, sizeof(seen));
		for (cpu = 0; cpu < ncpu; cpu++) {
			for (seq = 0; seq < 100; seq++) {
				u64 id = ml_decision_id(seq, cpu, ncpu);

				MT_REQUIRE(id != 0 && id <= (u64)ncpu * 100, "id %llu",
					   (unsigned long long)id);
				MT_CHECK(!seen[id], "id %llu twice", (unsigned long long)id);
				seen[id] = 1;
				MT_CHECK_EQ(ml_decision_cpu(id, ncpu), cpu);
			}
		}
	}
	/* 8192 CPUs (the largest NR_CPUS): ids stay distinct far into the sequence. */
	MT_CHECK(ml_decision_id(1ULL << 50, 8191, 8192) != ml_decision_id(1ULL << 50, 8190, 8192),
		 "large");
	MT_CHECK_EQ(ml_decision_cpu(ml_decision_id(1ULL << 50, 8191, 8192), 8192), 8191);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_sizes);
	MT_RUN(test_sample_fill);
	MT_RUN(test_decision_ids_unique);
	return mt_summary();
}
