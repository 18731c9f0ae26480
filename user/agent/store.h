/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's store: one SQLite database (WAL) for every proxy the agent
 * serves. docs/agent.md lists the tables.
 *
 * A handle (struct mlag_store) is one connection, used by one thread and
 * bound to one proxy (mlag_store_bind()). Rows are written in batches: the
 * first write opens a transaction and mlag_store_commit() ends it, so a
 * crash of the agent (even kill -9) loses at most the open batch, and never
 * leaves a partial one: SQLite's WAL makes each commit atomic and durable
 * against a process crash (synchronous=NORMAL: an OS crash or power loss
 * may lose the last commits, never consistency).
 *
 * Retention: each commit deletes the proxy's samples, outcomes and feedback
 * beyond the newest `retention` rows of each table.
 *
 * 64-bit unsigned values (keys, decision ids, versions) are stored in
 * SQLite's signed INTEGER with the same bits.
 */
#ifndef MLAG_STORE_H
#define MLAG_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/ml_lib.h>
#include "learner.h"

#define MLAG_STORE_SCHEMA_VERSION	1

struct mlag_store;

/*
 * Open (creating the file and tables if needed) the store at @path. On
 * failure, a negative errno and SQLite's message in @err.
 */
int mlag_store_open(const char *path, struct mlag_store **sp, char *err,
		    size_t errlen);
/* Commit the open batch and close. */
void mlag_store_close(struct mlag_store *s);
/* The last SQLite error message of @s (for the log). */
const char *mlag_store_errmsg(const struct mlag_store *s);

/*
 * Bind @s to the proxy that @schema describes: its row (subsystem, name and
 * a hash of the schema; a proxy whose schema changed is a new proxy), its
 * features and actions, created when new. Returns 0 or a negative errno.
 */
int mlag_store_bind(struct mlag_store *s, const struct ml_lib_schema *schema);
int64_t mlag_store_proxy_id(const struct mlag_store *s);
/* Rows kept per table and proxy (0: no limit). */
void mlag_store_set_retention(struct mlag_store *s, uint64_t rows);

/* Add one record to the open batch (opening one if none is). */
int mlag_store_sample(struct mlag_store *s, const struct ml_lib_sample *smp,
		      unsigned int nr_features, unsigned int cpu);
int mlag_store_outcome(struct mlag_store *s, const struct mlag_example *ex);
int mlag_store_feedback(struct mlag_store *s, const struct ml_lib_feedback *fb);
/* Rows in the open batch. */
unsigned int mlag_store_pending(const struct mlag_store *s);
/* Trim to the retention and commit the open batch (0 when none is open). */
int mlag_store_commit(struct mlag_store *s);

/*
 * Versions: the next table (which = 0) or model (which = 1) version of the
 * bound proxy, at least @floor; the counter is advanced in the open batch.
 */
int mlag_store_next_version(struct mlag_store *s, int which, uint64_t floor,
			    uint64_t *version);

/* A model (a deployed artifact) and the measurements that deployed it. */
struct mlag_model_rec {
	uint64_t version;		/* the model's version (the store's counter) */
	uint64_t table_version;		/* the kernel version it was first pushed as */
	int64_t created_at;		/* unix seconds */
	char learner[32];
	uint32_t kind;			/* enum mlag_artifact_kind */
	double heldout_score;		/* its held-out mean cost (NaN: none) */
	double replaced_score;		/* the replaced artifact's, same data */
	double delta, se;		/* the paired comparison */
	uint32_t keys_compared;
	int32_t efficiency_bp;		/* the proxy's, at deployment (-1: unknown) */
	uint32_t mode;			/* the proxy's, at deployment */
	char reason[64];
	void *blob;			/* the kernel blob (malloc'd by _last) */
	size_t len;
};

/* Store @m as the deployed model (commits the open batch with it). */
int mlag_store_model_add(struct mlag_store *s, const struct mlag_model_rec *m);
/* The last deployed model of the bound proxy: 0, -ENOENT if none. */
int mlag_store_model_last(struct mlag_store *s, struct mlag_model_rec *m);

/*
 * Mark that the bound proxy's outcomes stored so far, the open batch
 * included, weigh x @factor (0 <= @factor < 1) from now on: a demotion's
 * forget(). Commits the open batch. 0, -EINVAL or a negative errno.
 */
int mlag_store_forget(struct mlag_store *s, double factor);

/*
 * Call @cb with the bound proxy's stored outcomes, oldest first, at most the
 * newest @max (0: all). key_seq is 0 (the caller numbers them). @cb returns
 * 0 to go on, non-zero to stop with that value. @forget, unless NULL, is
 * called with each forget mark's factor where it was made: after the
 * outcomes it discounts, before the ones stored after it (so that a
 * restarted agent weighs its data as the one before it did).
 */
int mlag_store_replay(struct mlag_store *s, uint64_t max,
		      int (*cb)(const struct mlag_example *ex, void *arg),
		      void (*forget)(double factor, void *arg), void *arg);

/*
 * Rows of @table ("samples", "outcomes", "feedback", "models", "forgets")
 * of the proxy.
 */
int64_t mlag_store_count(struct mlag_store *s, const char *table);
/*
 * Print every proxy of the store: its rows, the demotions its kept feedback
 * records and its last deployed model (mlagentd --store-check). The
 * demotions are printed beside the forget marks because the two counts
 * differ by design: a mark leaves with the last outcome it discounts, and
 * two demotions with no outcome between them leave one mark. 0 or a
 * negative errno.
 */
int mlag_store_report(struct mlag_store *s, FILE *f);
/* PRAGMA integrity_check: 0 when "ok", else -EUCLEAN and the first message. */
int mlag_store_integrity(struct mlag_store *s, char *msg, size_t len);

#endif /* MLAG_STORE_H */
