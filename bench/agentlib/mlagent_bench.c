// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark: consuming samples through libmlagent against a raw mmap loop,
 * side by side in one run (guest; see run.sh).
 *
 * The test module's "bench" proxy (1 feature: 32-byte records) fills the
 * sample ring of CPU 0 with N records (bench_publish), then one method
 * consumes them all, touching each record's key and feature, and is timed:
 *
 *	raw       a hand-written loop over a second mapping of the same ring:
 *	          head (acquire), read the slots, tail (release) once
 *	batches   mla_consume_batches(): the caller loops over runs of records
 *	iterator  mla_iter_begin() / mla_iter_next() (inline) / mla_iter_end()
 *	callback  mla_consume_samples(): one indirect call per record
 *
 * The methods take turns for several rounds; each prints the median of its
 * rounds in records per second, and the library's ratio to the raw loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "mlagent.h"

#define RING_RECORDS	(1u << 18)
#define ROUNDS		5
#define DEBUGFS_CTL	"/sys/kernel/debug/ml_lib_testmod/ctl"

enum { RAW, BATCHES, ITERATOR, CALLBACK, METHODS };
static const char *const method_names[METHODS] = {
	"raw mmap loop", "batches", "iterator", "callback",
};

static uint64_t sink;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int die(const char *what, int err)
{
	fprintf(stderr, "mlagent_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int publish(unsigned int n)
{
	char cmd[64];
	int fd = open(DEBUGFS_CTL, O_WRONLY), len, ret = 0;

	if (fd < 0)
		return -errno;
	len = snprintf(cmd, sizeof(cmd), "bench_publish 0 %u", n);
	if (write(fd, cmd, (size_t)len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static int on_sample(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	sink += s->key + (uint64_t)s->features[0];
	return 0;
}

static int on_batch(const struct mla_batch *b, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < b->count; i++) {
		const struct ml_lib_sample *s = mla_batch_record(b, i);

		sink += s->key + (uint64_t)s->features[0];
	}
	return 0;
}

/* The raw loop: what an agent without the library would write. */
struct raw_ring {
	struct ml_lib_ring_ctl *ctl;
	const unsigned char *data;
	uint32_t mask, record_size;
};

static unsigned long raw_consume(struct raw_ring *r)
{
	uint64_t tail = r->ctl->tail;
	uint64_t head = __atomic_load_n(&r->ctl->head, __ATOMIC_ACQUIRE);
	uint64_t pos;

	for (pos = tail; pos < head; pos++) {
		const struct ml_lib_sample *s = (const void *)(r->data +
				(size_t)(pos & r->mask) * r->record_size);

		sink += s->key + (uint64_t)s->features[0];
	}
	__atomic_store_n(&r->ctl->tail, head, __ATOMIC_RELEASE);
	return (unsigned long)(head - tail);
}

static int map_raw(struct mla_ctx *ctx, struct raw_ring *r)
{
	struct ml_lib_ring_info info = { .size = sizeof(info), .index = 0 };
	void *map;

	/* Ring 0: the sample ring of CPU 0 (checked, not assumed). */
	if (ioctl(mla_fd(ctx), ML_LIB_IOC_RING_INFO, &info))
		return -errno;
	if (info.kind != ML_LIB_RING_SAMPLES || info.cpu != 0)
		return -EPROTO;
	map = mmap(NULL, info.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   mla_fd(ctx), (off_t)info.mmap_offset);
	if (map == MAP_FAILED)
		return -errno;
	r->ctl = map;
	r->data = (const unsigned char *)map + ML_LIB_RING_DATA_OFFSET;
	r->mask = info.nr_records - 1;
	r->record_size = info.record_size;
	return 0;
}

static long consume(struct mla_ctx *ctx, struct raw_ring *raw, int method)
{
	struct mla_iter it;
	const struct ml_lib_sample *s;
	long n = 0;
	int ret;

	switch (method) {
	case RAW:
		return (long)raw_consume(raw);
	case BATCHES:
		return mla_consume_batches(ctx, ML_LIB_RING_SAMPLES, ~0u, on_batch, NULL);
	case CALLBACK:
		return mla_consume_samples(ctx, ~0u, on_sample, NULL);
	default:
		ret = mla_iter_begin(ctx, &it, ML_LIB_RING_SAMPLES);
		if (ret)
			return ret;
		while ((s = mla_iter_next(&it, NULL))) {
			sink += s->key + (uint64_t)s->features[0];
			n++;
		}
		mla_iter_end(&it);
		return n;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct mla_attach_opts o = { .sample_records = RING_RECORDS };
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : RING_RECORDS;
	double rate[METHODS][ROUNDS], median[METHODS];
	struct ml_lib_proxy_info info;
	struct raw_ring raw = { 0 };
	struct mla_ctx *ctx;
	int ret, round, m;

	if (n < 1 || n > RING_RECORDS)
		n = RING_RECORDS;
	ret = mla_open(NULL, &ctx);
	if (ret)
		return die("open /dev/ml_lib", ret);
	ret = mla_find(ctx, "mltest/bench", &info);
	if (ret)
		return die("find mltest/bench (is ml_lib_testmod loaded?)", ret);
	ret = mla_attach(ctx, info.id, &o);
	if (ret)
		return die("attach", ret);
	ret = map_raw(ctx, &raw);
	if (ret)
		return die("map the raw ring", ret);
	printf("consume throughput, %u records of %u bytes per round, %d rounds, median:\n",
	       n, raw.record_size, ROUNDS);
	for (round = 0; round < ROUNDS; round++) {
		for (m = 0; m < METHODS; m++) {
			double t0;
			long got;

			ret = publish(n);
			if (ret)
				return die("bench_publish", ret);
			if (mla_pending(ctx, ML_LIB_RING_SAMPLES) != n) {
				uint64_t dropped = 0;

				mla_ring_dropped(ctx, ML_LIB_RING_SAMPLES, &dropped);
				fprintf(stderr, "mlagent_bench: %ld records in the ring after publishing %u (%llu dropped)\n",
					mla_pending(ctx, ML_LIB_RING_SAMPLES), n,
					(unsigned long long)dropped);
				return 1;
			}
			t0 = now_s();
			got = consume(ctx, &raw, m);
			rate[m][round] = (double)got / (now_s() - t0);
			if (got != n)
				return die("consumed a wrong count", EPROTO);
		}
	}
	for (m = 0; m < METHODS; m++) {
		qsort(rate[m], ROUNDS, sizeof(double), cmp_double);
		median[m] = rate[m][ROUNDS / 2];
		printf("  %-14s %8.2f M records/s", method_names[m], median[m] / 1e6);
		if (m != RAW)
			printf("   ratio to raw %.2f", median[m] / median[RAW]);
		printf("\n");
	}
	printf("(checksum %llu)\n", (unsigned long long)sink);
	mla_close(ctx);
	return 0;
}
