/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The held-out set and the deploy rule.
 *
 * The agent splits its examples by a hash of the decision id: a fixed share
 * (heldout_permille) is never shown to a learner and is kept here, in a
 * bounded ring. A candidate artifact is deployed only if it beats the
 * deployed one on these examples.
 *
 * Scoring is off-policy: an example tells the cost of the values that were
 * applied, so it scores a policy only where the policy would have applied
 * the same values ("replay" evaluation), or values within the learner's
 * bandwidth of them (a box kernel: a learner whose values are continuous
 * rarely repeats one exactly; the estimate is then biased by at most the
 * cost's change over the bandwidth). Per key k, with
 * recency weights r (mlag_recency() of the example's age in outcomes of its
 * key, times the forget() factors):
 *	t_k       = sum of r over the key's examples (its traffic)
 *	support_k = sum of r over the examples the policy matches
 *	cost_k    = their weighted mean cost
 * A policy's score is the traffic-weighted mean of cost_k over the keys
 * where support_k >= min_support.
 *
 * The deploy rule compares the candidate A with the deployed B on the keys
 * where they decide differently and both have support ("compared keys"):
 *	delta = sum t_k (cost_k(A) - cost_k(B)) / sum t_k
 *	base  = sum t_k cost_k(B) / sum t_k
 *	se    = standard error of delta (per-key weighted variances)
 * A table candidate is first vetted: a key it changes without support on
 * either side keeps the deployed value (so it can never be changed blindly,
 * and it will be compared once the data is there). A model cannot be
 * changed key by key: it is judged whole, and needs support on at least
 * half of the keys it changes. Deploy when at least one key is compared,
 * delta < -margin * |base| and delta <= -z * se.
 */
#ifndef MLAG_HELDOUT_H
#define MLAG_HELDOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "keymap.h"
#include "learner.h"

/* Each key's count of outcomes, the clock of recency weights. Zero it to start. */
struct mlag_keyseq {
	struct mlag_keyed t;	/* of uint64_t */
};

void mlag_keyseq_free(struct mlag_keyseq *ks);
/* The next sequence number of @key (1 for its first outcome); 0 on ENOMEM. */
uint64_t mlag_keyseq_next(struct mlag_keyseq *ks, uint64_t key);
/* The last sequence number given to @key, 0 if none. */
uint64_t mlag_keyseq_get(const struct mlag_keyseq *ks, uint64_t key);

/* The split: does decision @id belong to the held-out set? */
bool mlag_heldout_pick(uint64_t decision_id, unsigned int permille);

struct mlag_heldout;

int mlag_heldout_create(size_t capacity, struct mlag_heldout **hp);
void mlag_heldout_destroy(struct mlag_heldout *h);
void mlag_heldout_add(struct mlag_heldout *h, const struct mlag_example *ex);
void mlag_heldout_forget(struct mlag_heldout *h, double factor);
size_t mlag_heldout_count(const struct mlag_heldout *h);

struct mlag_deploy_rule {
	double margin;		/* relative improvement required, e.g. 0.02 */
	double z;		/* confidence: delta <= -z * se */
	double min_support;	/* recency-weighted examples a key needs */
	double half_life;	/* recency, in outcomes of a key */
	double bandwidth[ML_LIB_MAX_ACTIONS];	/* match within; 0: exact */
};

struct mlag_verdict {
	bool deploy;
	const char *why;	/* a short reason, for the log */
	double cand_score;	/* held-out mean cost of the candidate (NaN: no support) */
	double cur_score;	/* of the deployed artifact */
	double cand_support;	/* weighted examples behind cand_score */
	double cur_support;
	double delta;		/* paired difference on the compared keys */
	double base;		/* the deployed's mean cost on them */
	double se;		/* standard error of delta */
	uint32_t keys;		/* keys in the held-out set */
	uint32_t keys_differ;	/* where candidate and deployed decide differently */
	uint32_t keys_compared;	/* ... and both have support */
	uint32_t keys_reverted;	/* changes without support, reverted in the candidate */
	bool whole;		/* not vetted (a model): judged as a whole */
};

/*
 * Score @cand against @cur on the held-out set, vet @cand (tables: changed
 * keys without support take @cur's values) and decide. @keys gives the
 * recency clock. Returns 0 (see @v->deploy) or -ENOMEM.
 */
int mlag_heldout_judge(const struct mlag_heldout *h,
		       const struct ml_lib_schema *schema,
		       const struct mlag_keyseq *keys,
		       const struct mlag_deploy_rule *rule,
		       struct mlag_artifact *cand, const struct mlag_artifact *cur,
		       struct mlag_verdict *v);

/* The rule itself, on the statistics in @v (sets deploy and why). */
void mlag_deploy_decide(const struct mlag_deploy_rule *rule,
			struct mlag_verdict *v);

#endif /* MLAG_HELDOUT_H */
