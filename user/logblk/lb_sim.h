/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The learning loop offline: a trace runs through a simulated device that
 * decides every block as the kernel's placement proxy does (the ML arm at
 * a fixed share, the default policy otherwise) and reports every write
 * and death to the learner (lb_learn.c), whose models it deploys (at once,
 * or after a delay).
 * The learner sees what mlagentd sees from logblk/placement. For tuning
 * the learner (logblk-learn) and for its host tests; the benchmark's
 * figures come from the real loop (kernel + mlagentd).
 */
#ifndef LB_SIM_H
#define LB_SIM_H

#include "lb_learn.h"
#include "lb_replay.h"

struct lbs_opts {
	struct lb_geometry g;
	unsigned int place, victim;	/* the default policy */
	double share;			/* the ML arm's share, 0..1 (>= 0.95: RECOMMENDATION) */
	uint64_t seed;			/* of the arm draws */
	struct lbl_params p;
	/*
	 * 0: the learner steps after every request (it keeps up). X > 0: it
	 * steps once per X rounds of device writes, as an agent X times slower
	 * than the device (a loaded machine, an emulated guest) would: with
	 * X > 1 it falls behind.
	 */
	double slow;
	/*
	 * Each model reaches the device this many device sizes (x N writes)
	 * after the learner gave it, as in a guest, where the agent's round
	 * takes a while under emulation (0: at once).
	 */
	double delay;
	/* Optional: called after every judged round. */
	void (*round)(void *arg, const struct lbl_verdict *v);
	void *arg;
};

struct lbs_result {
	struct lb_stats total, at_mark;	/* the device's */
	bool has_mark;
	struct lbl_stats learner;
	struct lb_stats shadow[LBL_MAX_CANDS + 1], shadow_mark[LBL_MAX_CANDS + 1];
	uint64_t models;		/* models deployed (withdrawals included) */
};

int lbs_run(const struct lbr_trace *t, const struct lbs_opts *o, struct lbs_result *res);

#endif /* LB_SIM_H */
