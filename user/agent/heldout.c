// SPDX-License-Identifier: GPL-2.0
/*
 * The held-out set and the deploy rule (see heldout.h for the statistics).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "heldout.h"

void mlag_keyseq_free(struct mlag_keyseq *ks)
{
	mlag_keyed_free(&ks->t);
}

uint64_t mlag_keyseq_next(struct mlag_keyseq *ks, uint64_t key)
{
	uint64_t *seq;

	ks->t.size = sizeof(*seq);
	seq = mlag_keyed_get(&ks->t, key, SIZE_MAX, NULL);
	return seq ? ++*seq : 0;
}

uint64_t mlag_keyseq_get(const struct mlag_keyseq *ks, uint64_t key)
{
	const uint64_t *seq = ks->t.size ? mlag_keyed_find(&ks->t, key) : NULL;

	return seq ? *seq : 0;
}

bool mlag_heldout_pick(uint64_t decision_id, unsigned int permille)
{
	/* A fixed function of the id: a retrain from the store splits alike. */
	return mlag_mix64(decision_id ^ 0x6d6c6167656e7464ull) % 1000 < permille;
}

struct mlag_heldout {
	struct mlag_example *ex;
	double *weight;		/* product of forget() factors */
	size_t cap, count, next;
};

int mlag_heldout_create(size_t capacity, struct mlag_heldout **hp)
{
	struct mlag_heldout *h = calloc(1, sizeof(*h));

	if (!h || !capacity)
		goto fail;
	h->ex = calloc(capacity, sizeof(*h->ex));
	h->weight = calloc(capacity, sizeof(*h->weight));
	if (!h->ex || !h->weight)
		goto fail;
	h->cap = capacity;
	*hp = h;
	return 0;
fail:
	mlag_heldout_destroy(h);
	return capacity ? -ENOMEM : -EINVAL;
}

void mlag_heldout_destroy(struct mlag_heldout *h)
{
	if (!h)
		return;
	free(h->ex);
	free(h->weight);
	free(h);
}

void mlag_heldout_add(struct mlag_heldout *h, const struct mlag_example *ex)
{
	h->ex[h->next] = *ex;
	h->weight[h->next] = 1.0;
	h->next = (h->next + 1) % h->cap;
	if (h->count < h->cap)
		h->count++;
}

void mlag_heldout_forget(struct mlag_heldout *h, double factor)
{
	size_t i;

	for (i = 0; i < h->count; i++)
		h->weight[i] *= factor;
}

size_t mlag_heldout_count(const struct mlag_heldout *h)
{
	return h->count;
}

/* Recency-weighted cost statistics of the examples a policy matches. */
struct wstat {
	double w, w2, wc, wc2;
};

static void wstat_add(struct wstat *s, double r, double c)
{
	s->w += r;
	s->w2 += r * r;
	s->wc += r * c;
	s->wc2 += r * c * c;
}

static double wstat_mean(const struct wstat *s)
{
	return s->wc / s->w;
}

/* Variance of the weighted mean: sample variance over Kish's effective n. */
static double wstat_var_of_mean(const struct wstat *s)
{
	double m = wstat_mean(s), v = s->wc2 / s->w - m * m;
	double neff = s->w2 > 0 ? s->w * s->w / s->w2 : 0;

	if (v < 0)
		v = 0;
	return neff > 1 ? v / (neff - 1) : v;
}

struct key_acc {
	uint64_t key;
	double t;		/* traffic */
	bool differ;
	struct wstat a, b;	/* candidate, deployed */
	/* a table decides by key alone: its decision, once per key */
	bool cached;
	int64_t va[ML_LIB_MAX_ACTIONS], vb[ML_LIB_MAX_ACTIONS];
};

static struct key_acc *judge_key(struct mlag_keyed *j, uint64_t key)
{
	struct key_acc *k = mlag_keyed_get(j, key, SIZE_MAX, NULL);

	if (k)
		k->key = key;
	return k;
}

static bool same_values(const int64_t *a, const int64_t *b, unsigned int n)
{
	return !memcmp(a, b, n * sizeof(*a));
}

/* Does an example that applied @v speak for a policy deciding @p? */
static bool matches(const int64_t *v, const int64_t *p, unsigned int n,
		    const double *bw)
{
	unsigned int j;

	for (j = 0; j < n; j++)
		if (fabs((double)v[j] - (double)p[j]) > bw[j])
			return false;
	return true;
}

static int accumulate(const struct mlag_heldout *h,
		      const struct ml_lib_schema *schema,
		      const struct mlag_keyseq *keys,
		      const struct mlag_deploy_rule *rule,
		      const struct mlag_artifact *cand,
		      const struct mlag_artifact *cur, struct mlag_keyed *j)
{
	int64_t a[ML_LIB_MAX_ACTIONS], b[ML_LIB_MAX_ACTIONS];
	unsigned int na = schema->nr_actions;
	bool by_key = cand->kind != MLAG_ART_MODEL && cur->kind != MLAG_ART_MODEL;
	size_t i;

	for (i = 0; i < h->count; i++) {
		const struct mlag_example *ex = &h->ex[i];
		uint64_t now = mlag_keyseq_get(keys, ex->key);
		double r = h->weight[i] *
			   mlag_recency(now > ex->key_seq ? now - ex->key_seq : 0,
					rule->half_life);
		const int64_t *f = ex->nr_features ? ex->features : NULL;
		struct key_acc *k = judge_key(j, ex->key);
		bool da, db;

		if (!k)
			return -ENOMEM;
		if (by_key) {
			if (!k->cached) {
				mlag_artifact_decide(cand, schema, ex->key, NULL, k->va);
				mlag_artifact_decide(cur, schema, ex->key, NULL, k->vb);
				k->cached = true;
			}
			memcpy(a, k->va, sizeof(a));
			memcpy(b, k->vb, sizeof(b));
			da = db = true;
		} else {
			/* A model cannot say what it would have done without features. */
			da = !mlag_artifact_decide(cand, schema, ex->key, f, a);
			db = !mlag_artifact_decide(cur, schema, ex->key, f, b);
		}

		k->t += r;
		if (da && db && !same_values(a, b, na))
			k->differ = true;
		if (da && matches(ex->values, a, na, rule->bandwidth))
			wstat_add(&k->a, r, (double)ex->cost);
		if (db && matches(ex->values, b, na, rule->bandwidth))
			wstat_add(&k->b, r, (double)ex->cost);
	}
	return 0;
}

static bool compared(const struct key_acc *k, double min_support)
{
	return k && k->differ && k->a.w >= min_support && k->b.w >= min_support &&
	       k->a.w > 0 && k->b.w > 0;
}

/*
 * Vet a table candidate: every key it decides differently from @cur
 * without support on both sides gets @cur's values back.
 */
static int vet_table(struct mlag_keyed *j, const struct ml_lib_schema *schema,
		     const struct mlag_deploy_rule *rule,
		     struct mlag_artifact *cand, const struct mlag_artifact *cur,
		     uint32_t *reverted)
{
	const struct ml_lib_table_entry *ce = cand->entries;
	const struct ml_lib_table_entry *de = cur->kind == MLAG_ART_TABLE ? cur->entries : NULL;
	size_t nc = cand->nr_entries, nd = de ? cur->nr_entries : 0, ic = 0, id = 0, n = 0;
	struct ml_lib_table_entry *out;
	unsigned int na = schema->nr_actions;
	int ret;

	out = malloc((nc + nd + 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	while (ic < nc || id < nd) {
		uint64_t key;
		int64_t a[ML_LIB_MAX_ACTIONS], b[ML_LIB_MAX_ACTIONS];

		if (id >= nd || (ic < nc && ce[ic].key < de[id].key))
			key = ce[ic++].key;
		else if (ic >= nc || de[id].key < ce[ic].key)
			key = de[id++].key;
		else
			key = (ic++, de[id++].key);
		mlag_artifact_decide(cand, schema, key, NULL, a);
		mlag_artifact_decide(cur, schema, key, NULL, b);
		out[n].key = key;
		if (!same_values(a, b, na) &&
		    !compared(mlag_keyed_find(j, key), rule->min_support)) {
			memcpy(out[n].values, b, sizeof(b));
			(*reverted)++;
		} else {
			memcpy(out[n].values, a, sizeof(a));
		}
		n++;
	}
	ret = mlag_artifact_table(cand, schema, out, n);
	free(out);
	return ret;
}

void mlag_deploy_decide(const struct mlag_deploy_rule *rule,
			struct mlag_verdict *v)
{
	v->deploy = false;
	if (!v->keys_differ) {
		v->why = "no change to deploy";
	} else if (!v->keys_compared) {
		v->why = "no held-out support for the changes yet";
	} else if (v->whole && 2 * v->keys_compared < v->keys_differ) {
		v->why = "held-out support for less than half of the changed keys";
	} else if (!(v->delta < -rule->margin * fabs(v->base))) {
		v->why = "not better than the deployed on held-out data";
	} else if (v->delta > -rule->z * v->se) {
		v->why = "better, but not beyond the confidence bound";
	} else {
		v->deploy = true;
		v->why = "beats the deployed on held-out data";
	}
}

int mlag_heldout_judge(const struct mlag_heldout *h,
		       const struct ml_lib_schema *schema,
		       const struct mlag_keyseq *keys,
		       const struct mlag_deploy_rule *rule,
		       struct mlag_artifact *cand, const struct mlag_artifact *cur,
		       struct mlag_verdict *v)
{
	struct mlag_keyed j = MLAG_KEYED_INIT(struct key_acc);
	double ta = 0, tb = 0, sa = 0, sb = 0, tc = 0, d = 0, base = 0, var = 0;
	size_t i;
	int ret;

	*v = (struct mlag_verdict){ .cand_score = NAN, .cur_score = NAN };
	/* A table replacing a table (or nothing) is vetted key by key. */
	v->whole = cand->kind != MLAG_ART_TABLE || cur->kind == MLAG_ART_MODEL;
	ret = accumulate(h, schema, keys, rule, cand, cur, &j);
	if (!ret && !v->whole)
		ret = vet_table(&j, schema, rule, cand, cur, &v->keys_reverted);
	if (ret)
		goto out;
	for (i = 0; i < j.n; i++) {
		struct key_acc *k = mlag_keyed_at(&j, i);
		bool cmp = compared(k, rule->min_support);
		/* After vetting, an uncompared key decides as the deployed. */
		struct wstat *va = cmp || !k->differ || v->whole ? &k->a : &k->b;

		v->keys++;
		if (k->differ && v->whole)
			v->keys_differ++;
		if (va->w >= rule->min_support && va->w > 0) {
			ta += k->t;
			sa += k->t * wstat_mean(va);
			v->cand_support += va->w;
		}
		if (k->b.w >= rule->min_support && k->b.w > 0) {
			tb += k->t;
			sb += k->t * wstat_mean(&k->b);
			v->cur_support += k->b.w;
		}
		if (!cmp)
			continue;
		v->keys_compared++;
		tc += k->t;
		d += k->t * (wstat_mean(&k->a) - wstat_mean(&k->b));
		base += k->t * wstat_mean(&k->b);
		var += k->t * k->t * (wstat_var_of_mean(&k->a) + wstat_var_of_mean(&k->b));
	}
	/*
	 * A table's vetting saw every key it changes (the held-out set's and
	 * the others): each was compared or reverted.
	 */
	if (!v->whole)
		v->keys_differ = v->keys_compared + v->keys_reverted;
	if (ta > 0)
		v->cand_score = sa / ta;
	if (tb > 0)
		v->cur_score = sb / tb;
	if (tc > 0) {
		v->delta = d / tc;
		v->base = base / tc;
		v->se = sqrt(var) / tc;
	}
	mlag_deploy_decide(rule, v);
out:
	mlag_keyed_free(&j);
	return ret;
}
