// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib benchmark, run in the guest (bench/ml_lib/run.sh): the cost of
 * ml_lib_publish() and ml_lib_decide() against baselines measured in the
 * same run (a per-CPU counter increment, and a memcpy of the bytes of one
 * 32-byte sample record), and the publish -> consume throughput with the
 * producer on CPU 0 and a consumer thread on CPU 1.
 *
 * The kernel loops run in ml_lib_testmod ("bench" commands, on its proxy
 * mltest/bench: one feature, one action; 32-byte sample records).
 */
#include <pthread.h>
#include <sched.h>
#include "../../tests/guest/ml_lib_guest.h"

#define N_OPS		100000
#define REPEAT		15
#define N_STREAM	2000000
#define STREAM_RING	65536

static struct mlg_agent agent;
static volatile int stop;
static __u64 consumed;

static double per_op(const char *key, __u64 n)
{
	return (double)mlg_result("bench", key) / n;
}

static void *consumer(void *arg)
{
	cpu_set_t set;
	__u64 n = 0;

	(void)arg;
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!stop)
		n += mlg_consume(&agent, 0, NULL, ~0ULL);
	n += mlg_consume(&agent, 0, NULL, ~0ULL);
	consumed = n;
	return NULL;
}

struct figures {
	double inc, cpy, clock, pub, dec;
	long long dropped;
};

static double min2(double a, double b)
{
	return a < b ? a : b;
}

/*
 * The kernel loops, REPEAT times: the least time of each is the figure
 * least disturbed by the other tenants of a shared machine.
 */
static int kernel_loops(struct figures *f)
{
	int r;

	for (r = 0; r < REPEAT; r++) {
		if (mlg_ctl("bench 0 %d", N_OPS)) {
			fprintf(stderr, "bench: the bench command failed: %s\n", strerror(errno));
			return -1;
		}
		if (!r)
			memset(f, 0x7f, sizeof(*f));
		f->inc = min2(f->inc, per_op("inc_ns", N_OPS));
		f->cpy = min2(f->cpy, per_op("memcpy_ns", N_OPS));
		f->clock = min2(f->clock, per_op("clock_ns", N_OPS));
		f->pub = min2(f->pub, per_op("publish_ns", N_OPS));
		f->dec = min2(f->dec, per_op("decide_ns", N_OPS));
		f->dropped = mlg_result("bench", "dropped");
		mlg_drain(&agent);
	}
	return 0;
}

static void line(const char *what, double ns, const struct figures *f)
{
	printf("  %-40s %8.1f ns/op  %6.1fx increment  %6.1fx memcpy\n", what, ns,
	       ns / f->inc, ns / f->cpy);
}

int main(void)
{
	struct ml_lib_table *t;
	struct figures plain, table;
	double cpy, secs, rate;
	__u64 len, published, dropped;
	long long t0, t1;
	pthread_t th;
	__u32 id = mlg_proxy_id("bench");
	int i;

	if (!id) {
		fprintf(stderr, "bench: load ml_lib_testmod first\n");
		return 1;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "bench: needs 2 CPUs\n");
		return 1;
	}
	/* A ring that holds every record of a per-op loop: no drops, no consumer. */
	if (mlg_attach(&agent, id, 1u << 20, 4096, 0, 0)) {
		fprintf(stderr, "bench: attach: %s\n", strerror(errno));
		return 1;
	}
	printf("ml_lib benchmark: %d operations per loop on CPU 0, best of %d, in the guest (TCG)\n",
	       N_OPS, REPEAT);
	if (kernel_loops(&plain))
		return 1;

	/* Decisions with a 64-entry table, half of them ML. */
	t = mlg_table(64, 1, 1, &len);
	for (i = 0; i < 64; i++) {
		mlg_entries(t)[i].key = i;
		mlg_entries(t)[i].values[0] = i;
	}
	if (mlg_push(agent.fd, t, len) || mlg_set_mode(agent.fd, 0, ML_LIB_MODE_COLLABORATION)) {
		fprintf(stderr, "bench: push/mode: %s\n", strerror(errno));
		return 1;
	}
	free(t);
	mlg_drain(&agent);
	if (kernel_loops(&table))
		return 1;
	cpy = min2(plain.cpy, table.cpy);
	plain.inc = table.inc = min2(plain.inc, table.inc);
	plain.cpy = table.cpy = cpy;
	printf("  %-40s %8.1f ns/op\n", "baseline: per-CPU counter increment", plain.inc);
	printf("  %-40s %8.1f ns/op\n", "baseline: memcpy of a 32-byte record", cpy);
	printf("  %-40s %8.1f ns/op  (the sample timestamp, part of a publish)\n",
	       "reference: ktime_get_mono_fast_ns()", min2(plain.clock, table.clock));
	line("ml_lib_publish (32-byte record)", min2(plain.pub, table.pub), &plain);
	line("ml_lib_decide, no table (default arm)", plain.dec, &plain);
	line("ml_lib_decide, 64-entry table, 50% ML", table.dec, &plain);
	if (plain.dropped || table.dropped)
		printf("  (unexpected: %lld samples dropped)\n", plain.dropped + table.dropped);
	mlg_close(&agent);

	/* Throughput: producer on CPU 0, consumer thread on CPU 1. */
	if (mlg_attach(&agent, id, STREAM_RING, 4096, 0, 0)) {
		fprintf(stderr, "bench: attach: %s\n", strerror(errno));
		return 1;
	}
	pthread_create(&th, NULL, consumer, NULL);
	t0 = mlg_now_ms();
	if (mlg_ctl("bench_publish 0 %d", N_STREAM)) {
		fprintf(stderr, "bench: bench_publish failed\n");
		return 1;
	}
	t1 = mlg_now_ms();
	stop = 1;
	pthread_join(th, NULL);
	published = mlg_result("bench", "published");
	dropped = mlg_result("bench", "dropped");
	secs = (t1 - t0) / 1000.0;
	rate = consumed / secs;
	printf("publish -> consume, %d records of 32 bytes, ring of %d, consumer on CPU 1:\n",
	       N_STREAM, STREAM_RING);
	printf("  %-40s %8.2f M records/s (%.1f%% dropped: ring full)\n", "consumed", rate / 1e6,
	       100.0 * dropped / N_STREAM);
	printf("  %-40s %8.2f M records/s\n", "offered by the producer", N_STREAM / secs / 1e6);
	printf("  %-40s %8.2f M records/s  ratio consumed/memcpy %.3f\n",
	       "baseline: 32-byte memcpy on CPU 0", 1e3 / cpy, rate / (1e9 / cpy));
	if (consumed != published) {
		fprintf(stderr, "bench: consumed %llu != published %llu\n",
			(unsigned long long)consumed, (unsigned long long)published);
		return 1;
	}
	mlg_close(&agent);
	return 0;
}
