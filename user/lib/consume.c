// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmlagent: consuming the per-CPU sample and feedback rings.
 *
 * Records are read in place, in the mapping, in runs: records contiguous in
 * the slot array, at most MLA_RUN_MAX of them. The slots of a run go
 * back to the kernel (tail stored with release semantics) once it is
 * consumed, so the per-record cost is the caller's work and a pointer step;
 * the ring protocol costs once per run.
 * Each pass starts at the ring after the one the previous pass started at,
 * so that a busy CPU does not starve the others when @max limits a pass.
 * Order is kept per CPU; records of different CPUs are not merged by time.
 */
#include <errno.h>
#include <poll.h>
#include "mla_internal.h"

static int check_kind(const struct mla_ctx *ctx, unsigned int kind)
{
	if (!ctx || kind > ML_LIB_RING_FEEDBACK)
		return -EINVAL;
	return ctx->nr_rings[kind] ? 0 : -ENOTCONN;
}

/*
 * A run: records contiguous in the slot array, at most MLA_RUN_MAX.
 * A run handler processes one and says how many records it consumed in
 * *@used; it returns 0 to go on, > 0 to stop after them, < 0 to stop with
 * that error (the records not consumed stay in the ring).
 */
typedef int (*run_fn)(const struct mla_batch *b, void *arg, uint32_t *used);

static int walk(struct mla_ctx *ctx, unsigned int kind, unsigned int max,
		run_fn run, void *arg)
{
	struct mla_batch b = { .kind = kind };
	uint32_t nr, start, k, used;
	unsigned int done = 0;
	int ret = check_kind(ctx, kind);

	if (ret)
		return ret;
	nr = ctx->nr_rings[kind];
	start = ctx->first[kind]++ % nr;
	for (k = 0; k < nr && done < max && !ret; k++) {
		struct mla_ring *r = &ctx->rings[kind][(start + k) % nr];
		uint64_t pos = mla_ring_begin(r);
		int64_t avail = mla_ring_pending(r, mla_ring_head(r));

		if (avail < 0)
			return (int)avail;
		if ((uint64_t)avail > max - done)
			avail = max - done;
		b.cpu = r->cpu;
		b.record_size = r->record_size;
		while (avail && !ret) {
			b.count = mla_ring_run(r, pos, (uint64_t)avail);
			b.records = mla_ring_record(r, pos);
			used = 0;
			ret = run(&b, arg, &used);
			if (used) {
				pos += used;
				avail -= used;
				done += used;
				mla_ring_release(r, pos);
			}
		}
	}
	if (ret < 0)
		return ret;
	return done > INT32_MAX ? INT32_MAX : (int)done;
}

/* Per-record callbacks over a run: one loop per kind, no test per record. */
struct per_record {
	mla_sample_cb sample;
	mla_feedback_cb feedback;
	void *arg;
};

static int run_records(const struct mla_batch *b, void *arg, uint32_t *used)
{
	const struct per_record *c = arg;
	const unsigned char *p = b->records;
	uint32_t i;
	int ret = 0;

	if (c->sample) {
		for (i = 0; i < b->count && !ret; i++, p += b->record_size)
			ret = c->sample((const void *)p, b->cpu, c->arg);
	} else {
		for (i = 0; i < b->count && !ret; i++, p += b->record_size)
			ret = c->feedback((const void *)p, b->cpu, c->arg);
	}
	/* A negative return leaves its record in the ring. */
	*used = ret < 0 ? i - 1 : i;
	return ret;
}

MLA_API int mla_consume_samples(struct mla_ctx *ctx, unsigned int max,
				mla_sample_cb cb, void *arg)
{
	struct per_record c = { .sample = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return walk(ctx, ML_LIB_RING_SAMPLES, max, run_records, &c);
}

MLA_API int mla_consume_feedback(struct mla_ctx *ctx, unsigned int max,
				 mla_feedback_cb cb, void *arg)
{
	struct per_record c = { .feedback = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return walk(ctx, ML_LIB_RING_FEEDBACK, max, run_records, &c);
}

struct per_batch {
	mla_batch_cb cb;
	void *arg;
};

static int run_batch(const struct mla_batch *b, void *arg, uint32_t *used)
{
	const struct per_batch *c = arg;
	int ret = c->cb(b, c->arg);

	*used = ret < 0 ? 0 : b->count;
	return ret;
}

MLA_API int mla_consume_batches(struct mla_ctx *ctx, unsigned int kind,
				unsigned int max, mla_batch_cb cb, void *arg)
{
	struct per_batch c = { .cb = cb, .arg = arg };

	if (!cb)
		return -EINVAL;
	return walk(ctx, kind, max, run_batch, &c);
}

/* Give back the slots of the records returned so far in the current ring. */
static void iter_release(struct mla_iter *it)
{
	struct mla_ring *r = &it->ctx->rings[it->kind][it->ring];
	uint64_t pos = it->end - (uint64_t)(it->stop - it->rec) / it->record_size -
		       it->left;

	if (pos != r->tail)
		mla_ring_release(r, pos);
}

/* Set up the next run of the current ring: 1, or 0 when the ring is done. */
static int iter_run(struct mla_iter *it)
{
	struct mla_ring *r = &it->ctx->rings[it->kind][it->ring];
	uint64_t pos = it->end - it->left;
	uint32_t n;

	if (!it->left)
		return 0;
	n = mla_ring_run(r, pos, it->left);
	it->rec = mla_ring_record(r, pos);
	it->stop = it->rec + (size_t)n * it->record_size;
	it->left -= n;
	return 1;
}

/*
 * Move @it to the next ring that has records: 1, or 0 when none is left
 * (then record_size is 0: no current ring, nothing to give back).
 */
static int iter_next_ring(struct mla_iter *it)
{
	struct mla_ctx *ctx = it->ctx;
	uint32_t nr = ctx->nr_rings[it->kind];

	while (it->step < nr) {
		uint32_t idx = (ctx->first[it->kind] + it->step++) % nr;
		struct mla_ring *r = &ctx->rings[it->kind][idx];
		int64_t avail;

		mla_ring_begin(r);
		avail = mla_ring_pending(r, mla_ring_head(r));
		if (avail <= 0)	/* a corrupt ring is skipped, not read */
			continue;
		it->ring = idx;
		it->cpu = r->cpu;
		it->record_size = r->record_size;
		it->end = r->tail + (uint64_t)avail;
		it->left = (uint64_t)avail;
		return iter_run(it);
	}
	it->rec = it->stop = NULL;
	it->record_size = 0;
	return 0;
}

MLA_API int mla_iter_begin(struct mla_ctx *ctx, struct mla_iter *it,
			   unsigned int kind)
{
	int ret;

	if (!it)
		return -EINVAL;
	ret = check_kind(ctx, kind);
	if (ret)
		return ret;
	*it = (struct mla_iter){ .ctx = ctx, .kind = kind };
	iter_next_ring(it);
	return 0;
}

MLA_API const void *mla__iter_refill(struct mla_iter *it, unsigned int *cpu)
{
	if (!it || !it->ctx || !it->record_size)
		return NULL;
	/* The current run is done: its records go back to the kernel. */
	iter_release(it);
	if (!iter_run(it) && !iter_next_ring(it))
		return NULL;
	return mla_iter_next(it, cpu);
}

MLA_API void mla_iter_end(struct mla_iter *it)
{
	if (!it || !it->ctx)
		return;
	if (it->record_size)
		iter_release(it);
	it->ctx->first[it->kind]++;
	it->ctx = NULL;
	it->rec = it->stop = NULL;
}

MLA_API long mla_pending(struct mla_ctx *ctx, unsigned int kind)
{
	long total = 0;
	uint32_t i;
	int ret = check_kind(ctx, kind);

	if (ret)
		return ret;
	for (i = 0; i < ctx->nr_rings[kind]; i++) {
		struct mla_ring *r = &ctx->rings[kind][i];
		int64_t n;

		mla_ring_begin(r);
		n = mla_ring_pending(r, mla_ring_head(r));

		if (n < 0)
			return (long)n;
		total += (long)n;
	}
	return total;
}

MLA_API int mla_ring_dropped(struct mla_ctx *ctx, unsigned int kind,
			     uint64_t *dropped)
{
	uint64_t total = 0;
	uint32_t i;
	int ret = check_kind(ctx, kind);

	if (ret)
		return ret;
	if (!dropped)
		return -EINVAL;
	for (i = 0; i < ctx->nr_rings[kind]; i++)
		total += __atomic_load_n(&ctx->rings[kind][i].ctl->dropped,
					 __ATOMIC_RELAXED);
	*dropped = total;
	return 0;
}

MLA_API int mla_wait(struct mla_ctx *ctx, int timeout_ms)
{
	struct pollfd pfd;
	long n;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (!ctx->proxy_id)
		return -ENOTCONN;
	/* Records already there: no system call (wake-ups are batched). */
	n = mla_pending(ctx, ML_LIB_RING_SAMPLES);
	if (n == 0)
		n = mla_pending(ctx, ML_LIB_RING_FEEDBACK);
	if (n)
		return n < 0 ? (int)n : 1;
	pfd = (struct pollfd){ .fd = ctx->fd, .events = POLLIN };
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
		return -ENODEV;
	return 1;
}
