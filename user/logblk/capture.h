/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logblk-capture: where the device's events come from. Each source hands
 * every event it reads to cap_store(); the main program orders them by
 * sequence number, checks that none is missing and writes the trace.
 */
#ifndef LB_CAPTURE_H
#define LB_CAPTURE_H

#include <stdint.h>
#include "lb_trace.h"

struct cap_source {
	const char *name;
	/* Start listening; no event may be missed from here on. */
	int (*open)(const char *arg);
	/* Read what has arrived, waiting at most @timeout_ms; 0 or -1. */
	int (*poll)(int timeout_ms);
	/* Stop; -1 if the source knows that events were lost. */
	int (*close)(void);
};

extern const struct cap_source cap_mllib;
extern const struct cap_source cap_tracefs;

int cap_store(uint64_t seq, const struct lbt_rec *r);

#endif /* LB_CAPTURE_H */
