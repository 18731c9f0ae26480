// SPDX-License-Identifier: GPL-2.0
/*
 * logblk-capture's default source: the samples of the "logblk/trace"
 * ml_lib proxy, read as its agent through libmlagent. The proxy publishes
 * one sample per device event, under the device's lock, with the event's
 * sequence number; the per-CPU rings are merged by that number.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mlagent.h>
#include "capture.h"

#define CAP_PROXY	"logblk/trace"

static struct mla_ctx *ctx;
static int f_seq, f_op, f_arg, f_len;	/* feature indices, from the schema */
static int failed;

static int feature(const struct ml_lib_schema *s, const char *name)
{
	for (unsigned int i = 0; i < s->nr_features; i++)
		if (!strcmp(s->features[i].name, name))
			return (int)i;
	fprintf(stderr, "logblk-capture: %s has no feature '%s'\n", CAP_PROXY, name);
	return -1;
}

static int on_sample(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	struct lbt_rec r = {
		.op = (uint8_t)s->features[f_op],
		.arg = (uint8_t)s->features[f_arg],
		.len = (uint32_t)s->features[f_len],
		.lba = s->key,
	};

	(void)cpu;
	(void)arg;
	if (cap_store((uint64_t)s->features[f_seq], &r)) {
		failed = 1;
		return -1;
	}
	return 0;
}

/* @arg: slots per per-CPU sample ring, a power of two. */
static int mllib_open(const char *arg)
{
	struct mla_attach_opts opts = { .feedback_records = 64 };
	const struct ml_lib_schema *s;
	struct ml_lib_proxy_info info;
	int ret;

	opts.sample_records = (uint32_t)strtoul(arg, NULL, 0);
	ret = mla_open(NULL, &ctx);
	if (ret) {
		fprintf(stderr, "logblk-capture: %s: %s%s\n", ML_LIB_DEVICE, strerror(-ret),
			ret == -ENOENT ? " (is ml_lib loaded?)" : "");
		return -1;
	}
	ret = mla_find(ctx, CAP_PROXY, &info);
	if (!ret)
		ret = mla_attach(ctx, info.id, &opts);
	if (ret) {
		fprintf(stderr, "logblk-capture: attaching to %s: %s\n", CAP_PROXY,
			ret == -EBUSY ? "another agent holds it" : strerror(-ret));
		return -1;
	}
	s = mla_attached_schema(ctx);
	f_seq = feature(s, "seq");
	f_op = feature(s, "op");
	f_arg = feature(s, "arg");
	f_len = feature(s, "len");
	return f_seq < 0 || f_op < 0 || f_arg < 0 || f_len < 0 ? -1 : 0;
}

static int mllib_poll(int timeout_ms)
{
	int ret = mla_wait(ctx, timeout_ms);

	if (ret < 0 && ret != -EINTR) {
		fprintf(stderr, "logblk-capture: waiting on %s: %s\n", CAP_PROXY, strerror(-ret));
		return -1;
	}
	mla_heartbeat(ctx);
	ret = mla_consume_samples(ctx, ~0u, on_sample, NULL);
	if (ret < 0 || failed) {
		if (!failed)
			fprintf(stderr, "logblk-capture: reading %s: %s\n", CAP_PROXY, strerror(-ret));
		return -1;
	}
	return 0;
}

static int mllib_close(void)
{
	uint64_t dropped = 0;
	int ret = mla_ring_dropped(ctx, ML_LIB_RING_SAMPLES, &dropped);

	mla_close(ctx);
	ctx = NULL;
	if (ret || dropped) {
		fprintf(stderr, "logblk-capture: %llu samples were dropped: the rings were full (raise --ring)\n",
			(unsigned long long)dropped);
		return -1;
	}
	return 0;
}

const struct cap_source cap_mllib = {
	.name = "ml_lib",
	.open = mllib_open,
	.poll = mllib_poll,
	.close = mllib_close,
};
