// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmlagent: consuming the per-CPU sample and feedback rings.
 *
 * Records are read in place, in the mapping, and their slots are given back
 * to the kernel (tail stored with release semantics) in batches: after every
 * MLA_RELEASE_BATCH records, when moving to the next ring and at the end.
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

/* The callback of a pass: exactly one of the two is set, per the ring kind. */
struct consumer {
	mla_sample_cb sample;
	mla_feedback_cb feedback;
	void *arg;
};

static inline int deliver(const struct consumer *c, const void *rec,
			  unsigned int cpu)
{
	return c->sample ? c->sample(rec, cpu, c->arg) :
			   c->feedback(rec, cpu, c->arg);
}

static int consume(struct mla_ctx *ctx, unsigned int kind, unsigned int max,
		   const struct consumer *c)
{
	uint32_t nr, start, k;
	unsigned int done = 0;
	int ret = check_kind(ctx, kind);

	if (ret)
		return ret;
	if (!c->sample && !c->feedback)
		return -EINVAL;
	nr = ctx->nr_rings[kind];
	start = ctx->first[kind]++ % nr;
	for (k = 0; k < nr && done < max; k++) {
		struct mla_ring *r = &ctx->rings[kind][(start + k) % nr];
		uint64_t pos = r->tail, end;
		int64_t avail = mla_ring_pending(r, mla_ring_head(r));

		if (avail < 0)
			return (int)avail;
		if ((uint64_t)avail > max - done)
			avail = max - done;
		end = pos + (uint64_t)avail;
		while (pos < end) {
			ret = deliver(c, mla_ring_record(r, pos), r->cpu);
			if (ret < 0)	/* not consumed: seen again next time */
				break;
			pos++;
			done++;
			if (ret > 0)
				break;
			if (!((pos - r->tail) % MLA_RELEASE_BATCH))
				mla_ring_release(r, pos);
		}
		if (pos != r->tail)
			mla_ring_release(r, pos);
		if (ret < 0)
			return ret;
		if (ret > 0)
			break;
	}
	return done > INT32_MAX ? INT32_MAX : (int)done;
}

MLA_API int mla_consume_samples(struct mla_ctx *ctx, unsigned int max,
				mla_sample_cb cb, void *arg)
{
	const struct consumer c = { .sample = cb, .arg = arg };

	return consume(ctx, ML_LIB_RING_SAMPLES, max, &c);
}

MLA_API int mla_consume_feedback(struct mla_ctx *ctx, unsigned int max,
				 mla_feedback_cb cb, void *arg)
{
	const struct consumer c = { .feedback = cb, .arg = arg };

	return consume(ctx, ML_LIB_RING_FEEDBACK, max, &c);
}

/* Move @it to the next ring that has records: 1, or 0 when none is left. */
static int iter_next_ring(struct mla_iter *it)
{
	struct mla_ctx *ctx = it->ctx;
	uint32_t nr = ctx->nr_rings[it->kind];

	while (it->step < nr) {
		struct mla_ring *r;
		int64_t avail;

		it->ring = (ctx->first[it->kind] + it->step++) % nr;
		r = &ctx->rings[it->kind][it->ring];
		avail = mla_ring_pending(r, mla_ring_head(r));
		if (avail <= 0)	/* a corrupt ring is skipped, not read */
			continue;
		it->pos = r->tail;
		it->end = r->tail + (uint64_t)avail;
		it->unreleased = 0;
		return 1;
	}
	return 0;
}

static void iter_release(struct mla_iter *it)
{
	struct mla_ring *r;

	if (!it->unreleased)
		return;
	r = &it->ctx->rings[it->kind][it->ring];
	mla_ring_release(r, it->pos);
	it->unreleased = 0;
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
	if (!iter_next_ring(it))
		it->pos = it->end = 0;
	return 0;
}

MLA_API const void *mla_iter_next(struct mla_iter *it, unsigned int *cpu)
{
	struct mla_ring *r;

	if (!it || !it->ctx)
		return NULL;
	if (it->unreleased >= MLA_RELEASE_BATCH)
		iter_release(it);
	if (it->pos == it->end) {
		iter_release(it);
		if (!iter_next_ring(it))
			return NULL;
	}
	r = &it->ctx->rings[it->kind][it->ring];
	if (cpu)
		*cpu = r->cpu;
	it->unreleased++;
	return mla_ring_record(r, it->pos++);
}

MLA_API void mla_iter_end(struct mla_iter *it)
{
	if (!it || !it->ctx)
		return;
	iter_release(it);
	it->ctx->first[it->kind]++;
	it->ctx = NULL;
}

MLA_API long mla_pending(struct mla_ctx *ctx, unsigned int kind)
{
	long total = 0;
	uint32_t i;
	int ret = check_kind(ctx, kind);

	if (ret)
		return ret;
	for (i = 0; i < ctx->nr_rings[kind]; i++) {
		const struct mla_ring *r = &ctx->rings[kind][i];
		int64_t n = mla_ring_pending(r, mla_ring_head(r));

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
