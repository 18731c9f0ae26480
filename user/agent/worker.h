/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model thread: one proxy's loop of consume, store, learn, judge, deploy,
 * explore and heartbeat (worker.c).
 *
 * The worker talks to its proxy through a port: mlagentd's port wraps an
 * attached libmlagent context (port_mla.c); the host tests plug in a
 * simulated proxy. The port also gives the clock, so a simulation runs in
 * simulated time.
 */
#ifndef MLAG_WORKER_H
#define MLAG_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <mlagent.h>
#include "config.h"
#include "store.h"

struct mlag_port_ops {
	int (*status)(void *port, struct ml_lib_status *status);
	int (*heartbeat)(void *port);
	/* @kind: ML_LIB_PUSH_TABLE or ML_LIB_PUSH_MODEL */
	int (*push)(void *port, uint32_t kind, const void *blob, size_t len);
	/* > 0: records pending; 0: timeout; -ENODEV: the proxy is gone */
	int (*wait)(void *port, int timeout_ms);
	int (*consume_samples)(void *port, mla_sample_cb cb, void *arg);
	int (*consume_feedback)(void *port, mla_feedback_cb cb, void *arg);
	uint64_t (*now_ms)(void *port);
};

/* What a worker did, for reports and tests. */
struct mlag_worker_stats {
	uint64_t samples;
	uint64_t outcomes;
	uint64_t joined;		/* outcomes that found their sample */
	uint64_t heldout;
	uint64_t feedback;
	uint64_t pushes;
	uint64_t push_errors;
	uint64_t deploys;
	uint64_t judged;		/* candidates judged */
	uint64_t demotions;
	uint64_t demotions_replayed;	/* the last rebuild's, from the store */
	uint64_t retrains;
	uint64_t store_errors;
};

struct mlag_worker;

struct mlag_worker_args {
	const char *name;			/* for the log: SUBSYSTEM/NAME */
	const struct mlag_config *cfg;		/* agent options */
	const struct mlag_proxy_conf *conf;	/* this proxy's */
	const struct ml_lib_schema *schema;
	const struct mlag_port_ops *ops;
	void *port;
	struct mlag_store *store;		/* bound to the proxy by the worker */
	atomic_bool *stop;			/* set to end the loop */
};

/*
 * Set up a worker: bind the store, build the learner from the stored data,
 * restore the last deployed model and push it. Returns 0 or a negative
 * errno (logged).
 */
int mlag_worker_create(const struct mlag_worker_args *args,
		       struct mlag_worker **wp);
/*
 * Run until *stop (returns 0) or until the proxy is gone (-ENODEV) or an
 * error that ends the attachment (a negative errno). Commits what it stored.
 */
int mlag_worker_run(struct mlag_worker *w);
/* One iteration of the loop (the tests step the worker with it). */
int mlag_worker_step(struct mlag_worker *w, int max_wait_ms);
void mlag_worker_destroy(struct mlag_worker *w);

const struct mlag_worker_stats *mlag_worker_stats(const struct mlag_worker *w);
/* The deployed artifact and its model version (0: none deployed). */
const struct mlag_artifact *mlag_worker_deployed(const struct mlag_worker *w,
						 uint64_t *version);
/* The learner's state (for tests of a particular learner). */
void *mlag_worker_learner_state(const struct mlag_worker *w);

#endif /* MLAG_WORKER_H */
