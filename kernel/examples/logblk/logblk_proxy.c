// SPDX-License-Identifier: GPL-2.0
/*
 * logblk: the "logblk/trace" ml_lib proxy.
 *
 * Its data set is the device's event stream: one sample per write,
 * discard, background-GC victim, policy change and mark, published under
 * the device lock with the event's sequence number, so that an agent
 * (logblk-capture) rebuilds exactly the trace the replayer needs, in the
 * device's order, and knows if anything was lost. The key is the first
 * logical block of the request (0 for events without one).
 *
 * It makes no decision: ml_lib wants at least one action in a schema, so
 * the proxy declares "none" (always 0) and refuses every recommendation
 * table. The placement decisions have their own proxy (logblk_place.c).
 */
#include <linux/err.h>
#include <linux/ml_lib.h>
#include "logblk.h"

enum logblk_trace_feature {
	LOGBLK_F_SEQ,		/* the event's number: 1, 2, ... */
	LOGBLK_F_OP,		/* enum logblk_event_op */
	LOGBLK_F_ARG,		/* class hint, or placement */
	LOGBLK_F_LEN,		/* blocks, free-segment target, or victim selection */
	LOGBLK_F_TICK,		/* the device clock: user blocks written before it */
	LOGBLK_NR_FEATURES,
};

static const struct ml_lib_feature logblk_trace_features[LOGBLK_NR_FEATURES] = {
	[LOGBLK_F_SEQ] = { .name = "seq", .unit = "events", .type = ML_LIB_FEAT_UINT,
			   .min = 1, .max = S64_MAX },
	[LOGBLK_F_OP] = { .name = "op", .type = ML_LIB_FEAT_ENUM,
			  .min = LOGBLK_EV_WRITE, .max = LOGBLK_EV_MODE },
	[LOGBLK_F_ARG] = { .name = "arg", .type = ML_LIB_FEAT_UINT, .min = 0, .max = 255 },
	[LOGBLK_F_LEN] = { .name = "len", .unit = "blocks", .type = ML_LIB_FEAT_UINT,
			   .min = 0, .max = U32_MAX },
	[LOGBLK_F_TICK] = { .name = "tick", .unit = "blocks", .type = ML_LIB_FEAT_UINT,
			    .min = 0, .max = S64_MAX },
};

static const struct ml_lib_action logblk_trace_actions[] = {
	{ .name = "none", .min = 0, .max = 0, .def = 0 },
};

/* A data set only: there is nothing to recommend. */
static int logblk_trace_validate(struct ml_lib_proxy *proxy,
				 const struct ml_lib_table_view *table)
{
	return -EINVAL;
}

static const struct ml_lib_proxy_ops logblk_trace_ops = {
	.validate_recommendation = logblk_trace_validate,
};

/**
 * logblk_proxy_create() - create and start the trace proxy
 * @lb: the device
 *
 * Return: 0, or a negative errno from ml_lib.
 */
int logblk_proxy_create(struct logblk *lb)
{
	const struct ml_lib_proxy_desc desc = {
		.subsystem = "logblk",
		.name = "trace",
		.features = logblk_trace_features,
		.nr_features = ARRAY_SIZE(logblk_trace_features),
		.actions = logblk_trace_actions,
		.nr_actions = ARRAY_SIZE(logblk_trace_actions),
		.ops = &logblk_trace_ops,
		.priv = lb,
	};
	struct ml_lib_proxy *proxy = ml_lib_proxy_create(&desc);
	int err;

	if (IS_ERR(proxy))
		return PTR_ERR(proxy);
	err = ml_lib_proxy_start(proxy);
	if (err) {
		ml_lib_proxy_destroy(proxy);
		return err;
	}
	lb->proxy = proxy;
	return 0;
}

/**
 * logblk_proxy_destroy() - destroy the trace proxy; no event may follow
 * @lb: the device
 */
void logblk_proxy_destroy(struct logblk *lb)
{
	ml_lib_proxy_destroy(lb->proxy);
	lb->proxy = NULL;
}

/**
 * logblk_proxy_publish() - publish the event just numbered; @lb->lock held
 * @lb: the device
 * @op: enum logblk_event_op
 * @arg: op-specific
 * @lba: first logical block, or 0
 * @len: blocks, or an op-specific value
 *
 * Never waits: without an agent the sample is counted as unconsumed, in a
 * full ring as dropped (the capture sees the gap in the sequence).
 */
void logblk_proxy_publish(struct logblk *lb, u8 op, u8 arg, u64 lba, u32 len)
{
	const s64 f[LOGBLK_NR_FEATURES] = {
		[LOGBLK_F_SEQ] = lb->events,
		[LOGBLK_F_OP] = op,
		[LOGBLK_F_ARG] = arg,
		[LOGBLK_F_LEN] = len,
		[LOGBLK_F_TICK] = lb->core.now,
	};

	ml_lib_publish(lb->proxy, lba, f);
}
