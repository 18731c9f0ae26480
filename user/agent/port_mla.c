// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's port onto a real proxy, over libmlagent.
 */
#include <errno.h>
#include <time.h>
#include "port_mla.h"

static int status(void *port, struct ml_lib_status *st)
{
	return mla_status(port, 0, st);
}

static int heartbeat(void *port)
{
	return mla_heartbeat(port);
}

static int push(void *port, uint32_t kind, const void *blob, size_t len)
{
	return mla_push_blob(port, kind, blob, len);
}

static int wait_records(void *port, int timeout_ms)
{
	return mla_wait(port, timeout_ms);
}

static int consume_samples(void *port, mla_sample_cb cb, void *arg)
{
	return mla_consume_samples(port, ~0u, cb, arg);
}

static int consume_feedback(void *port, mla_feedback_cb cb, void *arg)
{
	return mla_consume_feedback(port, ~0u, cb, arg);
}

static uint64_t now_ms(void *port)
{
	struct timespec ts;

	(void)port;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const struct mlag_port_ops mlag_port_mla = {
	.status = status,
	.heartbeat = heartbeat,
	.push = push,
	.wait = wait_records,
	.consume_samples = consume_samples,
	.consume_feedback = consume_feedback,
	.now_ms = now_ms,
};
