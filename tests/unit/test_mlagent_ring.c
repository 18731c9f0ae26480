// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libmlagent's ring consumer, against rings laid out in
 * ordinary memory exactly as the kernel lays them out (control page, then
 * the slots) and filled by a producer that follows the protocol of
 * struct ml_lib_ring_ctl (record written, then head stored with release).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include "mla_internal.h"
#include "mltest.h"

#define NR_FEATURES 3
#define SAMPLE_SIZE 48		/* 24 + 3 * 8 */

struct fake_ring {
	struct ml_lib_ring_info info;
	void *mem;
};

static struct fake_ring fake_ring(uint32_t kind, uint32_t cpu, uint32_t nr,
				  uint32_t record_size)
{
	struct fake_ring f = {
		.info = {
			.size = sizeof(f.info), .kind = kind, .cpu = cpu,
			.record_size = record_size, .nr_records = nr,
			.mmap_size = ML_LIB_RING_DATA_OFFSET +
				     (uint64_t)nr * record_size,
		},
	};
	struct ml_lib_ring_ctl *ctl;

	if (posix_memalign(&f.mem, 4096, (size_t)f.info.mmap_size))
		abort();
	memset(f.mem, 0, (size_t)f.info.mmap_size);
	ctl = f.mem;
	ctl->record_size = record_size;
	ctl->nr_records = nr;
	return f;
}

static struct ml_lib_ring_ctl *ctl_of(struct fake_ring *f)
{
	return f->mem;
}

/* The kernel's side: write one sample, then publish it. 0, or -1 when full. */
static int produce_sample(struct fake_ring *f, uint64_t key)
{
	struct ml_lib_ring_ctl *ctl = ctl_of(f);
	uint64_t head = ctl->head;
	uint64_t tail = __atomic_load_n(&ctl->tail, __ATOMIC_ACQUIRE);
	struct ml_lib_sample *s;
	int i;

	if (head - tail >= ctl->nr_records) {
		ctl->dropped++;
		return -1;
	}
	s = (void *)((char *)f->mem + ML_LIB_RING_DATA_OFFSET +
		     (head & (ctl->nr_records - 1)) * ctl->record_size);
	s->ts_ns = key * 10;
	s->key = key;
	s->decision_id = key + 1;
	for (i = 0; i < NR_FEATURES; i++)
		s->features[i] = (int64_t)(key * 100 + (uint64_t)i);
	__atomic_store_n(&ctl->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

static int sample_ok(const struct ml_lib_sample *s)
{
	int i;

	if (s->ts_ns != s->key * 10 || s->decision_id != s->key + 1)
		return 0;
	for (i = 0; i < NR_FEATURES; i++)
		if (s->features[i] != (int64_t)(s->key * 100 + (uint64_t)i))
			return 0;
	return 1;
}

struct setup {
	struct mla_ctx *ctx;
	struct fake_ring s[2], f[2];
};

/* Two CPUs: sample rings of @nr slots, feedback rings of 64 slots. */
static void setup(struct setup *t, uint32_t nr)
{
	int cpu;

	t->ctx = mla_ctx_new(-1);
	t->ctx->schema.nr_features = NR_FEATURES;
	t->ctx->proxy_id = 7;
	for (cpu = 0; cpu < 2; cpu++) {
		t->s[cpu] = fake_ring(ML_LIB_RING_SAMPLES, cpu, nr, SAMPLE_SIZE);
		t->f[cpu] = fake_ring(ML_LIB_RING_FEEDBACK, cpu, 64,
				      sizeof(struct ml_lib_feedback));
		mla_ctx_add_ring(t->ctx, &t->s[cpu].info, t->s[cpu].mem, NULL);
		mla_ctx_add_ring(t->ctx, &t->f[cpu].info, t->f[cpu].mem, NULL);
	}
}

static void teardown(struct setup *t)
{
	int cpu;

	mla_close(t->ctx);
	for (cpu = 0; cpu < 2; cpu++) {
		free(t->s[cpu].mem);
		free(t->f[cpu].mem);
	}
}

struct seen {
	unsigned int n;
	uint64_t last[2];	/* last key per CPU + 1 */
	int bad;		/* records out of order or corrupt */
	unsigned int stop_after;	/* > 0: return 1 at this record */
	unsigned int fail_at;	/* > 0: return -EIO at this record */
};

static int on_sample(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	struct seen *c = arg;

	if (c->fail_at && c->n + 1 == c->fail_at)
		return -EIO;
	if (cpu > 1 || !sample_ok(s) || s->key + 1 <= c->last[cpu])
		c->bad++;
	else
		c->last[cpu] = s->key + 1;
	c->n++;
	return c->stop_after && c->n == c->stop_after;
}

static void test_add_ring_checks(void)
{
	struct mla_ctx *ctx = mla_ctx_new(-1);
	struct fake_ring f = fake_ring(ML_LIB_RING_SAMPLES, 0, 64, SAMPLE_SIZE);
	struct ml_lib_ring_info i;

	ctx->schema.nr_features = NR_FEATURES;
	i = f.info;
	i.nr_records = 48;	/* not a power of two */
	MT_CHECK_EQ(mla_ctx_add_ring(ctx, &i, f.mem, NULL), -EPROTO);
	i = f.info;
	i.record_size = 40;	/* too small for 3 features */
	MT_CHECK_EQ(mla_ctx_add_ring(ctx, &i, f.mem, NULL), -EPROTO);
	i = f.info;
	i.mmap_size -= 1;	/* slots do not fit */
	MT_CHECK_EQ(mla_ctx_add_ring(ctx, &i, f.mem, NULL), -EPROTO);
	i = f.info;
	i.kind = 2;
	MT_CHECK_EQ(mla_ctx_add_ring(ctx, &i, f.mem, NULL), -EPROTO);
	i = f.info;
	ctl_of(&f)->nr_records = 128;	/* control page disagrees */
	MT_CHECK_EQ(mla_ctx_add_ring(ctx, &i, f.mem, NULL), -EPROTO);
	ctl_of(&f)->nr_records = 64;
	MT_CHECK_EQ(mla_ctx_add_ring(ctx, &i, f.mem, NULL), 0);
	MT_CHECK_EQ(ctx->nr_rings[ML_LIB_RING_SAMPLES], 1);
	mla_close(ctx);
	free(f.mem);
}

static void test_not_attached(void)
{
	struct mla_ctx *ctx = mla_ctx_new(-1);
	struct mla_iter it;
	struct seen c = { 0 };
	uint64_t d;

	MT_CHECK_EQ(mla_consume_samples(ctx, 10, on_sample, &c), -ENOTCONN);
	MT_CHECK_EQ(mla_iter_begin(ctx, &it, ML_LIB_RING_FEEDBACK), -ENOTCONN);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), -ENOTCONN);
	MT_CHECK_EQ(mla_ring_dropped(ctx, ML_LIB_RING_SAMPLES, &d), -ENOTCONN);
	MT_CHECK_EQ(mla_wait(ctx, 0), -ENOTCONN);
	MT_CHECK_EQ(mla_pending(ctx, 5), -EINVAL);
	MT_CHECK_EQ(mla_consume_samples(NULL, 10, on_sample, &c), -EINVAL);
	mla_close(ctx);
}

static void test_consume_contents_and_order(void)
{
	struct setup t;
	struct seen c = { 0 };
	uint64_t k;

	setup(&t, 64);
	for (k = 0; k < 40; k++)
		produce_sample(&t.s[k % 2], k);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 40);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_FEEDBACK), 0);
	MT_CHECK_EQ(mla_wait(t.ctx, 0), 1);	/* pending: no poll */
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 1000, on_sample, &c), 40);
	MT_CHECK_EQ(c.n, 40);
	MT_CHECK_EQ(c.bad, 0);
	MT_CHECK_EQ(c.last[0], 39);	/* key 38 was CPU 0's last */
	MT_CHECK_EQ(c.last[1], 40);
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 20);
	MT_CHECK_EQ(ctl_of(&t.s[1])->tail, 20);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 0);
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 1000, on_sample, &c), 0);
	teardown(&t);
}

static void test_wraparound(void)
{
	struct setup t;
	struct seen c = { 0 };
	uint64_t k = 0;
	int round, got = 0;

	setup(&t, 64);
	/* 10 rounds of 50 records through 64 slots: every slot is reused. */
	for (round = 0; round < 10; round++) {
		int i;

		for (i = 0; i < 50; i++, k++)
			MT_CHECK_EQ(produce_sample(&t.s[0], k), 0);
		if (round % 2) {	/* the iterator, every other round */
			struct mla_iter it;
			const struct ml_lib_sample *s;
			unsigned int cpu;

			MT_REQUIRE(mla_iter_begin(t.ctx, &it, ML_LIB_RING_SAMPLES) == 0);
			while ((s = mla_iter_next(&it, &cpu))) {
				on_sample(s, cpu, &c);
				got++;
			}
			mla_iter_end(&it);
		} else {
			got += mla_consume_samples(t.ctx, 1000, on_sample, &c);
		}
	}
	MT_CHECK_EQ(got, 500);
	MT_CHECK_EQ(c.bad, 0);
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 500);
	teardown(&t);
}

static void test_full_ring_drops(void)
{
	struct setup t;
	struct seen c = { 0 };
	uint64_t k, dropped = 0;

	setup(&t, 64);
	for (k = 0; k < 100; k++)
		produce_sample(&t.s[1], k);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 64);
	MT_CHECK_EQ(mla_ring_dropped(t.ctx, ML_LIB_RING_SAMPLES, &dropped), 0);
	MT_CHECK_EQ(dropped, 36);
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 1000, on_sample, &c), 64);
	MT_CHECK_EQ(c.last[1], 64);	/* keys 0..63 kept, 64..99 dropped */
	MT_CHECK_EQ(c.bad, 0);
	teardown(&t);
}

static void test_max_and_fairness(void)
{
	struct setup t;
	struct seen c = { 0 };
	uint64_t k;

	setup(&t, 64);
	for (k = 0; k < 20; k++) {
		produce_sample(&t.s[0], k);
		produce_sample(&t.s[1], k);
	}
	/* A pass of 10 takes from one ring; the next pass starts at the other. */
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 10, on_sample, &c), 10);
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 10, on_sample, &c), 10);
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 10);
	MT_CHECK_EQ(ctl_of(&t.s[1])->tail, 10);
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 0, on_sample, &c), 0);
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 1000, on_sample, &c), 20);
	MT_CHECK_EQ(c.bad, 0);
	teardown(&t);
}

static void test_callback_stop_and_error(void)
{
	struct setup t;
	struct seen c = { .stop_after = 5 };
	uint64_t k;

	setup(&t, 64);
	for (k = 0; k < 10; k++)
		produce_sample(&t.s[0], k);
	/* A positive return stops after the record: it is consumed. */
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 100, on_sample, &c), 5);
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 5);
	/* A negative return stops before it: the record stays. */
	c.stop_after = 0;
	c.fail_at = 8;
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 100, on_sample, &c), -EIO);
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 7);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 3);
	c.fail_at = 0;
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 100, on_sample, &c), 3);
	MT_CHECK_EQ(c.n, 10);
	MT_CHECK_EQ(c.bad, 0);
	teardown(&t);
}

static void test_release_batching(void)
{
	struct setup t;
	struct mla_iter it;
	uint64_t k;
	int i;

	setup(&t, 256);
	for (k = 0; k < 200; k++)
		produce_sample(&t.s[0], k);
	MT_REQUIRE(mla_iter_begin(t.ctx, &it, ML_LIB_RING_SAMPLES) == 0);
	for (i = 0; i < 65; i++)
		MT_REQUIRE(mla_iter_next(&it, NULL) != NULL);
	/* Slots go back to the kernel during a long pass, not only at the end. */
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 64);
	mla_iter_end(&it);
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 65);
	teardown(&t);
}

static void test_iterator(void)
{
	struct setup t;
	struct mla_iter it;
	const struct ml_lib_sample *s;
	uint64_t last[2] = { 0, 0 }, k;
	unsigned int cpu, n = 0;
	int bad = 0;

	setup(&t, 64);
	for (k = 0; k < 30; k++)
		produce_sample(&t.s[k % 3 == 0], k);
	MT_REQUIRE(mla_iter_begin(t.ctx, &it, ML_LIB_RING_SAMPLES) == 0);
	/* Records published after begin are left for the next pass. */
	produce_sample(&t.s[0], 1000);
	while ((s = mla_iter_next(&it, &cpu))) {
		if (!sample_ok(s) || s->key + 1 <= last[cpu])
			bad++;
		last[cpu] = s->key + 1;
		n++;
	}
	MT_CHECK(mla_iter_next(&it, &cpu) == NULL, "stays at the end");
	mla_iter_end(&it);
	MT_CHECK_EQ(n, 30);
	MT_CHECK_EQ(bad, 0);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 1);
	/* An iteration ended early gives back only what it returned. */
	for (k = 0; k < 5; k++)
		produce_sample(&t.s[0], 2000 + k);
	MT_REQUIRE(mla_iter_begin(t.ctx, &it, ML_LIB_RING_SAMPLES) == 0);
	s = mla_iter_next(&it, &cpu);
	MT_REQUIRE(s != NULL);
	MT_CHECK_EQ(s->key, 1000);
	s = mla_iter_next(&it, &cpu);
	MT_REQUIRE(s != NULL);
	MT_CHECK_EQ(s->key, 2000);
	mla_iter_end(&it);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 4);
	MT_CHECK(mla_iter_next(&it, &cpu) == NULL, "ended iterator");
	teardown(&t);
}

static int count_fb(const struct ml_lib_feedback *f, unsigned int cpu, void *arg)
{
	(void)cpu;
	*(uint64_t *)arg += f->type;
	return 0;
}

static void test_feedback(void)
{
	struct setup t;
	uint64_t sum = 0;
	int cpu, i;

	setup(&t, 64);
	for (cpu = 0; cpu < 2; cpu++) {
		struct ml_lib_ring_ctl *ctl = ctl_of(&t.f[cpu]);
		struct ml_lib_feedback *f = (void *)((char *)t.f[cpu].mem +
						     ML_LIB_RING_DATA_OFFSET);

		for (i = 0; i < 3; i++)
			f[i].type = ML_LIB_FB_MODE;
		__atomic_store_n(&ctl->head, 3, __ATOMIC_RELEASE);
	}
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_FEEDBACK), 6);
	MT_CHECK_EQ(mla_consume_feedback(t.ctx, 100, count_fb, &sum), 6);
	MT_CHECK_EQ(sum, 6 * ML_LIB_FB_MODE);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 0);
	teardown(&t);
}

static void test_corrupt_ring(void)
{
	struct setup t;
	struct seen c = { 0 };
	struct mla_iter it;

	setup(&t, 64);
	/* A head more than a ring ahead of the tail is never read. */
	__atomic_store_n(&ctl_of(&t.s[1])->head, 65, __ATOMIC_RELEASE);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), -EPROTO);
	MT_CHECK_EQ(mla_wait(t.ctx, 0), -EPROTO);
	c.n = 0;
	MT_CHECK(mla_consume_samples(t.ctx, 100, on_sample, &c) == -EPROTO ||
		 mla_consume_samples(t.ctx, 100, on_sample, &c) == -EPROTO,
		 "consume reports the corrupt ring");
	MT_CHECK_EQ(c.n, 0);
	MT_REQUIRE(mla_iter_begin(t.ctx, &it, ML_LIB_RING_SAMPLES) == 0);
	MT_CHECK(mla_iter_next(&it, NULL) == NULL, "corrupt ring skipped");
	mla_iter_end(&it);
	teardown(&t);
}

struct batches {
	unsigned int calls, records, max_count, bad;
	uint64_t next;		/* key expected next (one CPU) */
	int fail_at_call;	/* > 0: return -EIO at this call */
	int stop_at_call;	/* > 0: return 1 at this call */
};

static int on_batch(const struct mla_batch *b, void *arg)
{
	struct batches *c = arg;
	unsigned int i;

	c->calls++;
	if (c->fail_at_call && (int)c->calls == c->fail_at_call)
		return -EIO;
	if (b->kind != ML_LIB_RING_SAMPLES || b->cpu != 0 || !b->count ||
	    b->record_size != SAMPLE_SIZE)
		c->bad++;
	if (b->count > c->max_count)
		c->max_count = b->count;
	for (i = 0; i < b->count; i++) {
		const struct ml_lib_sample *s = mla_batch_record(b, i);

		if (!sample_ok(s) || s->key != c->next)
			c->bad++;
		c->next = s->key + 1;
	}
	c->records += b->count;
	return c->stop_at_call && (int)c->calls == c->stop_at_call;
}

static void test_batches(void)
{
	struct setup t;
	struct batches c = { 0 };
	uint64_t k;

	setup(&t, 256);
	/* Move the ring's positions so that the records wrap around its end. */
	for (k = 0; k < 200; k++)
		produce_sample(&t.s[0], k);
	MT_CHECK_EQ(mla_consume_batches(t.ctx, ML_LIB_RING_SAMPLES, ~0u, on_batch, &c), 200);
	MT_CHECK_EQ(c.max_count, 64);
	MT_CHECK_EQ(c.bad, 0);
	for (k = 200; k < 400; k++)	/* slots 200..255, then 0..143 */
		produce_sample(&t.s[0], k);
	c.calls = 0;
	c.records = 0;
	c.fail_at_call = 2;
	/* A negative return leaves its whole batch in the ring. */
	MT_CHECK_EQ(mla_consume_batches(t.ctx, ML_LIB_RING_SAMPLES, ~0u, on_batch, &c), -EIO);
	MT_CHECK_EQ(c.records, 56);	/* the run up to the end of the slots */
	MT_CHECK_EQ(ctl_of(&t.s[0])->tail, 256);
	c.fail_at_call = 0;
	c.calls = 0;
	c.stop_at_call = 1;
	/* A positive return stops after its batch. */
	MT_CHECK_EQ(mla_consume_batches(t.ctx, ML_LIB_RING_SAMPLES, ~0u, on_batch, &c), 64);
	c.stop_at_call = 0;
	/* max cuts a batch. */
	MT_CHECK_EQ(mla_consume_batches(t.ctx, ML_LIB_RING_SAMPLES, 10, on_batch, &c), 10);
	MT_CHECK_EQ(mla_consume_batches(t.ctx, ML_LIB_RING_SAMPLES, ~0u, on_batch, &c), 70);
	MT_CHECK_EQ(c.next, 400);
	MT_CHECK_EQ(c.bad, 0);
	MT_CHECK_EQ(mla_consume_batches(t.ctx, 3, ~0u, on_batch, &c), -EINVAL);
	MT_CHECK_EQ(mla_consume_batches(t.ctx, ML_LIB_RING_SAMPLES, ~0u, NULL, &c), -EINVAL);
	teardown(&t);
}

/* The control page's tail is the truth: a raw loop may consume too. */
static void test_tail_from_control_page(void)
{
	struct setup t;
	struct seen c = { 0 };
	uint64_t k;

	setup(&t, 64);
	for (k = 0; k < 60; k++)
		produce_sample(&t.s[0], k);
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 10, on_sample, &c), 10);
	/* Someone else consumes 30 more through the same mapping. */
	__atomic_store_n(&ctl_of(&t.s[0])->tail, 40, __ATOMIC_RELEASE);
	MT_CHECK_EQ(mla_pending(t.ctx, ML_LIB_RING_SAMPLES), 20);
	for (k = 60; k < 100; k++)	/* fits: 40 slots were given back */
		MT_CHECK_EQ(produce_sample(&t.s[0], k), 0);
	c.last[0] = 40;
	MT_CHECK_EQ(mla_consume_samples(t.ctx, 1000, on_sample, &c), 60);
	MT_CHECK_EQ(c.last[0], 100);
	MT_CHECK_EQ(c.bad, 0);
	teardown(&t);
}

/* A producer thread and the consumer at once: no lost, torn or reordered record. */
#define STRESS_RECORDS 200000

static void *producer(void *arg)
{
	struct fake_ring *f = arg;
	uint64_t k;

	for (k = 0; k < STRESS_RECORDS; k++)
		produce_sample(f, k);
	return NULL;
}

static void test_concurrent_producer(void)
{
	struct setup t;
	struct seen c = { 0 };
	pthread_t th;
	uint64_t dropped = 0;
	int done = 0;

	setup(&t, 64);
	MT_REQUIRE(pthread_create(&th, NULL, producer, &t.s[0]) == 0);
	while (!done) {
		done = __atomic_load_n(&ctl_of(&t.s[0])->head, __ATOMIC_ACQUIRE) +
		       __atomic_load_n(&ctl_of(&t.s[0])->dropped, __ATOMIC_RELAXED) >=
		       STRESS_RECORDS;
		mla_consume_samples(t.ctx, 1000, on_sample, &c);
	}
	pthread_join(th, NULL);
	mla_consume_samples(t.ctx, 1000, on_sample, &c);
	mla_ring_dropped(t.ctx, ML_LIB_RING_SAMPLES, &dropped);
	MT_CHECK_EQ(c.bad, 0);
	MT_CHECK_EQ(c.n + dropped, STRESS_RECORDS);
	MT_CHECK(c.n > 0, "consumed something");
	teardown(&t);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_add_ring_checks);
	MT_RUN(test_not_attached);
	MT_RUN(test_consume_contents_and_order);
	MT_RUN(test_wraparound);
	MT_RUN(test_full_ring_drops);
	MT_RUN(test_max_and_fairness);
	MT_RUN(test_callback_stop_and_error);
	MT_RUN(test_release_batching);
	MT_RUN(test_iterator);
	MT_RUN(test_feedback);
	MT_RUN(test_corrupt_ring);
	MT_RUN(test_batches);
	MT_RUN(test_tail_from_control_page);
	MT_RUN(test_concurrent_producer);
	return mt_summary();
}
