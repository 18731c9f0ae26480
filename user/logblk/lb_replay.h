/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay of a logblk trace through the device's own core logic
 * (core/lb_core.c): the same requests give the same placement, the same GC
 * and the same write amplification as on the device.
 */
#ifndef LB_REPLAY_H
#define LB_REPLAY_H

#include "lb_core.h"
#include "lb_trace.h"

struct lbr_trace {
	struct lbt_header h;
	struct lbt_rec *recs;
	size_t nr;
};

int lbr_load(const char *path, struct lbr_trace *t);
void lbr_free(struct lbr_trace *t);

struct lbr_opts {
	struct lb_geometry g;
	unsigned int place;	/* placement at the start */
	unsigned int victim;	/* victim selection at the start */
	bool follow_policy;	/* apply LBT_POLICY records */
	bool bg_gc;		/* apply LBT_GC records */
	bool check;		/* verify every invariant at the end */
};

struct lbr_result {
	struct lb_stats total;	/* at the end */
	struct lb_stats at_mark;	/* at the last LBT_MARK */
	bool has_mark;
	uint64_t nospc_reqs;	/* write requests the device refused */
	uint64_t deaths;	/* live versions that died */
	uint64_t death_moves;	/* GC moves of those versions */
	uint32_t mapped;	/* mapped blocks at the end */
	uint32_t free_segs;	/* free segments at the end */
};

int lbr_run(const struct lbr_trace *t, const struct lbr_opts *o,
	    struct lbr_result *res);
void lbr_opts_from_trace(const struct lbr_trace *t, struct lbr_opts *o);

#endif /* LB_REPLAY_H */
