/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The learner interface of mlagentd.
 *
 * A learner turns a proxy's outcomes into something the kernel can apply: a
 * recommendation table today (and an integer model once the kernel takes
 * them). The agent's model thread (worker.c) owns everything around it:
 *
 *  - it consumes the proxy's samples and feedback, joins each outcome with
 *    the sample of its decision into a struct mlag_example, stores it, and
 *    splits the examples by decision id into a training set (given to
 *    observe()) and a held-out set (kept by the agent, never shown to the
 *    learner);
 *  - every train_ms it asks propose() for the learner's best artifact and
 *    deploys it only if it beats the deployed one on the held-out set
 *    (heldout.c); deploy means: stored, adopted, pushed;
 *  - every push it asks explore() for the artifact to push: the deployed
 *    one, with some of its values replaced by probes that gather the data
 *    the learner needs;
 *  - on a demotion (the proxy found the model worse than its default) it
 *    calls forget(), so that the data gathered since win;
 *  - every retrain_ms, and at start, it rebuilds the learner from the store:
 *    create(), observe() of every stored training example, adopt() of the
 *    deployed artifact.
 *
 * A learner is single-threaded: the model thread calls it. It must not block
 * for long (propose() of a batch learner is the exception: the thread keeps
 * heart-beating around it, see docs/agent.md). docs/agent.md walks through
 * writing one.
 */
#ifndef MLAG_LEARNER_H
#define MLAG_LEARNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/ml_lib.h>
#include "ml_model.h"
#include "params.h"

struct mlag_verdict;

/* One outcome joined with the sample of its decision. */
struct mlag_example {
	uint64_t ts_ns;		/* of the outcome, CLOCK_MONOTONIC */
	uint64_t decision_id;
	uint64_t key;
	uint64_t key_seq;	/* this key's outcomes so far, this one included */
	uint64_t version;	/* table or model version the advice came from */
	int64_t cost;		/* lower is better */
	uint8_t arm;		/* enum ml_lib_arm that was applied */
	uint8_t source;		/* enum ml_lib_source of @advice */
	uint8_t flags;		/* ML_LIB_OUTCOME_* */
	uint8_t nr_features;	/* 0: the decision's sample was not seen */
	uint8_t heldout;	/* in the held-out split (never given to a learner) */
	uint8_t pad[3];
	int64_t label;		/* with ML_LIB_OUTCOME_LABEL in @flags: what the
				 * subsystem observed (logblk: the lifetime) */
	int64_t values[ML_LIB_MAX_ACTIONS];	/* applied */
	int64_t advice[ML_LIB_MAX_ACTIONS];	/* the ML values, if source != NONE */
	int64_t features[ML_LIB_MAX_FEATURES];
};

enum mlag_artifact_kind {
	MLAG_ART_NONE	= 0,	/* the default algorithm: nothing to push */
	MLAG_ART_TABLE	= 1,	/* a recommendation table */
	MLAG_ART_MODEL	= 2,	/* an integer model (<linux/ml_lib_model.h>) */
};

/*
 * What a learner produces: a recommendation table (entries sorted by key,
 * distinct keys, values within the schema's action ranges, values past
 * nr_actions zero), or an integer model the kernel runs on each decision's
 * features (verified, with @model pointing into @blob). Owned by whoever
 * holds it; mlag_artifact_free().
 */
struct mlag_artifact {
	uint32_t kind;			/* enum mlag_artifact_kind */
	uint32_t nr_actions;
	/* MLAG_ART_TABLE */
	uint32_t nr_entries;
	bool has_fallback;
	int64_t fallback[ML_LIB_MAX_ACTIONS];
	struct ml_lib_table_entry *entries;
	/* MLAG_ART_MODEL */
	void *blob;
	size_t len;
	struct ml_model model;
};

/* What a learner is created with. */
struct mlag_learner_env {
	const struct ml_lib_schema *schema;
	const double *params;	/* the learner's parameters, by index in its table */
	double half_life;	/* recency: outcomes of a key that halve the weight of older ones */
	uint64_t seed;		/* for the learner's random choices */
	/*
	 * Work that may take longer than a fraction of the heartbeat period
	 * (a training round on a large window) calls keepalive(keepalive_arg)
	 * now and then: the agent heartbeats if one is due, so that the proxy
	 * does not take a busy agent for a dead one. May be NULL (tests).
	 */
	void (*keepalive)(void *arg);
	void *keepalive_arg;
};

/**
 * struct mlag_learner - a learner's operations
 * @name: the configuration's `learner =` value
 * @summary: one line
 * @params: its parameters (configuration keys of a [proxy ...] section)
 * @nr_params: entries in @params
 * @create: allocate a learner for @env->schema; 0 or a negative errno
 * @destroy: free it
 * @observe: learn from one training example (online update)
 * @forget: multiply the weight of everything learned so far by @factor
 *	(0 < factor < 1): the agent calls it when the proxy demotes the model
 * @propose: the best artifact from what was learned (exploitation only);
 *	-EAGAIN when there is not enough data yet
 * @explore: the artifact to push now, given the deployed one (NONE: the
 *	default algorithm) and the proxy's mode: usually @deployed with probes;
 *	-EAGAIN when the last pushed artifact should stay (its probes are still
 *	gathering data)
 * @adopt: @deployed is now deployed (after a deployment, or restored from
 *	the store at start)
 * @pushed: optional: @a was pushed as @version (the version outcomes carry)
 * @bandwidth: optional: how far (per action, in its units) applied values
 *	may be from a policy's for a held-out example to count as evidence
 *	about it; without it, only the exact values count (heldout.h)
 * @sample: optional: every sample of a decision as it is read, before any
 *	outcome is joined: for learners that follow the subsystem's stream
 *	themselves (outcomes that come long after their sample, as a block's
 *	death does, are joined by the learner)
 * @judge: optional: the learner tests its own candidates (the logblk
 *	learner replays the recent trace): the agent deploys propose()'s
 *	artifact when @judge says so in @v, instead of by the held-out rule
 */
struct mlag_learner {
	const char *name;
	const char *summary;
	const struct mlag_param *params;
	unsigned int nr_params;
	int (*create)(const struct mlag_learner_env *env, void **statep);
	void (*destroy)(void *state);
	void (*observe)(void *state, const struct mlag_example *ex);
	void (*forget)(void *state, double factor);
	int (*propose)(void *state, struct mlag_artifact *out);
	int (*explore)(void *state, const struct mlag_artifact *deployed,
		       unsigned int mode, struct mlag_artifact *out);
	void (*adopt)(void *state, const struct mlag_artifact *deployed);
	void (*pushed)(void *state, const struct mlag_artifact *a, uint64_t version);
	void (*bandwidth)(void *state, double *bw);
	void (*sample)(void *state, const struct ml_lib_sample *s);
	int (*judge)(void *state, const struct mlag_artifact *cand,
		     const struct mlag_artifact *deployed, struct mlag_verdict *v);
};

/* The learners built in (learners.c). */
extern const struct mlag_learner mlag_learner_contextual;
extern const struct mlag_learner mlag_learner_linreg;
extern const struct mlag_learner mlag_learner_lifetime;

const struct mlag_learner *mlag_learner_find(const char *name);
const struct mlag_learner *const *mlag_learners(unsigned int *nr);

/* Artifacts (artifact.c). */
void mlag_artifact_free(struct mlag_artifact *a);
int mlag_artifact_copy(struct mlag_artifact *dst, const struct mlag_artifact *src);
bool mlag_artifact_equal(const struct mlag_artifact *a, const struct mlag_artifact *b);
/*
 * What the kernel would apply on the ML arm for @key under @a: a model's
 * outputs on @features, clamped to the actions' ranges; a table's entry
 * for the key, else its fallback; else (no entry, no fallback, kind NONE)
 * the schema's defaults. Returns 0, or -ENODATA for a model without
 * @features (NULL: the decision's sample was not seen).
 */
int mlag_artifact_decide(const struct mlag_artifact *a,
			 const struct ml_lib_schema *schema, uint64_t key,
			 const int64_t *features, int64_t *values);
/*
 * Build a table artifact from unsorted entries (copied), with the schema's
 * defaults as fallback. Entries equal to the fallback are dropped (the
 * fallback serves them). -EINVAL on duplicate keys or out-of-range values.
 */
int mlag_artifact_table(struct mlag_artifact *a, const struct ml_lib_schema *schema,
			const struct ml_lib_table_entry *entries, size_t nr);
/*
 * Take a model blob (copied) as the artifact @a, after verifying it with
 * the kernel's own verifier against @schema's features and actions.
 * -EINVAL (with the rule in *@why when not NULL) or -ENOMEM.
 */
int mlag_artifact_model(struct mlag_artifact *a, const struct ml_lib_schema *schema,
			const void *blob, size_t len, const char **why);
/*
 * The kernel blob of @a with @version (and @ttl_ms for a table), malloc'd
 * into *blobp; ML_LIB_PUSH_TABLE or ML_LIB_PUSH_MODEL in *kindp if not NULL.
 */
int mlag_artifact_blob(const struct mlag_artifact *a, uint64_t version,
		       uint32_t ttl_ms, void **blobp, size_t *lenp, uint32_t *kindp);
/* Parse a blob made by mlag_artifact_blob() back (for the store). */
int mlag_artifact_from_blob(struct mlag_artifact *a, const struct ml_lib_schema *schema,
			    const void *blob, size_t len, uint64_t *version);
/* "table, 12 entries" or "linear model, 3 inputs" */
const char *mlag_artifact_describe(const struct mlag_artifact *a, char *buf,
				   size_t len);

/*
 * A learner's share for the proxy's @mode, from its three parameters in
 * the order learning (also EMERGENCY), collaboration, recommendation.
 */
static inline double mlag_mode_share(const double *by_mode, unsigned int mode)
{
	return mode == ML_LIB_MODE_COLLABORATION ? by_mode[1] :
	       mode == ML_LIB_MODE_RECOMMENDATION ? by_mode[2] : by_mode[0];
}

/* Recency weight of an observation @age outcomes old, with @half_life. */
double mlag_recency(uint64_t age, double half_life);

#endif /* MLAG_LEARNER_H */
