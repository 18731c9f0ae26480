// SPDX-License-Identifier: GPL-2.0
/*
 * The contextual learner: per discrete key, the cost of each action value,
 * and a search for the cheapest one.
 *
 * For every key it keeps candidates (action vectors) with recency-weighted
 * cost statistics, from every outcome of the key: the ML arm's (table
 * values, probes) and the default arm's (the default is data too). The
 * recommendation for a key is the candidate with the lowest mean cost among
 * those with enough weight.
 *
 * Exploration is a zooming grid search per action (coordinate by
 * coordinate when there are several), starting from the default value:
 *  - each action has a grid of values: a coarse grid over its range
 *    (`grid` points), the default value and the values observed;
 *  - the probe of a key is the grid value nearest (in grid order) to the
 *    key's best that lacks data: first its neighbours, then farther out;
 *  - once both neighbours of the best have data and a gap to one of them is
 *    wider than 1, its midpoint joins the grid. The search so halves the
 *    distance to the optimum of a unimodal cost at every step, and the
 *    coarse grid catches a better basin elsewhere;
 *  - data ages (recency weights, in outcomes of the key), so a candidate
 *    whose weight falls below refresh * min_samples lacks data again and is
 *    probed anew: a key keeps checking its neighbourhood, and after the
 *    subsystem changes, the new costs replace the old ones;
 *  - a candidate whose recent cost departs from its long-run cost (drift_z)
 *    makes its key forget at once and search again (drifted()).
 * The kernel applies one value per key per pushed table, so a probe is a
 * table entry that holds the probed value until it has gathered
 * min_samples outcomes; explore() waits for most probes to be done
 * before it proposes the next table. The share of keys that probe at once
 * depends on the proxy's mode (explore_* parameters): wide in LEARNING,
 * where the ML arm is small, narrow in RECOMMENDATION.
 * A value the learner recommends and that differs from the deployed one is
 * probed until it has 2 * min_samples, so that the held-out set (which
 * gets a share of every probe's outcomes) can judge it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "keymap.h"
#include "learner.h"

enum {
	P_GRID,
	P_MIN_SAMPLES,
	P_REFRESH,
	P_EXPLORE_LEARNING,
	P_EXPLORE_COLLABORATION,
	P_EXPLORE_RECOMMENDATION,
	P_READY,
	P_WANDER,
	P_DRIFT_Z,
	P_DRIFT_FORGET,
	P_MAX_KEYS,
	P_MAX_CANDIDATES,
	P_COUNT
};

static const struct mlag_param ctx_params[P_COUNT] = {
	[P_GRID] = { "grid", 9, 2, 64, true,
		"coarse grid points per action over its range" },
	[P_MIN_SAMPLES] = { "min_samples", 12, 1, 100000, false,
		"weighted outcomes that make a candidate's cost known" },
	[P_REFRESH] = { "refresh", 0.25, 0.01, 1, false,
		"a candidate below refresh * min_samples is probed again" },
	[P_EXPLORE_LEARNING] = { "explore_learning", 1, 0, 1, false,
		"share of keys that may probe at once in LEARNING (and EMERGENCY)" },
	[P_EXPLORE_COLLABORATION] = { "explore_collaboration", 0.5, 0, 1, false,
		"share of keys that may probe at once in COLLABORATION" },
	[P_EXPLORE_RECOMMENDATION] = { "explore_recommendation", 0.2, 0, 1, false,
		"share of keys that may probe at once in RECOMMENDATION" },
	[P_READY] = { "ready", 0.5, 0, 1, false,
		"share of probing keys that must be done before the next table" },
	[P_WANDER] = { "wander", 0.05, 0, 1, false,
		"chance that a settled key probes a farther value that lacks data" },
	[P_DRIFT_Z] = { "drift_z", 6, 0, 1000, false,
		"a value whose recent mean cost departs from its long-run mean by this "
		"many standard errors makes its key forget (0: never)" },
	[P_DRIFT_FORGET] = { "drift_forget", 0.1, 0, 1, false,
		"what a key that drifted keeps of what it learned" },
	[P_MAX_KEYS] = { "max_keys", 4096, 1, ML_LIB_MAX_TABLE_ENTRIES, true,
		"keys tracked (more keys use the table's fallback: the default)" },
	[P_MAX_CANDIDATES] = { "max_candidates", 64, 8, 1024, true,
		"candidates (action vectors) tracked per key" },
};

#define GRID_MAX	128
#define KEY(c, i)	((struct ckey *)mlag_keyed_at(&(c)->keys, (i)))
/* The recent statistics of drift detection age this much faster. */
#define DRIFT_SPEEDUP	16

/* Recency-weighted cost statistics, aged lazily on the key's clock. */
struct dstat {
	double w, wc, wc2;
	uint64_t at;		/* key_seq they are aged to */
};

struct cand {
	int64_t v[ML_LIB_MAX_ACTIONS];
	struct dstat s;
	struct dstat r;		/* the same, recent only (drift detection) */
};

struct ckey {
	uint64_t key;
	uint64_t seq;		/* the key's clock: its latest key_seq */
	struct cand *c;
	uint32_t nc, capc;
	int64_t *grid[ML_LIB_MAX_ACTIONS];	/* sorted, distinct */
	uint32_t ng[ML_LIB_MAX_ACTIONS];
	uint32_t dim;		/* the coordinate being searched */
	int64_t best[ML_LIB_MAX_ACTIONS];
	bool probing;
	int64_t probe[ML_LIB_MAX_ACTIONS];
	double probe_w0;	/* the probe candidate's weight when pushed */
};

struct ctx {
	const struct ml_lib_schema *schema;
	unsigned int na;
	double p[P_COUNT];
	double half_life;
	uint64_t rng;
	struct mlag_keyed keys;	/* of struct ckey */
	int64_t def[ML_LIB_MAX_ACTIONS];
	uint64_t drifts;	/* keys that forgot on a drift */
};

static uint64_t rng_next(struct ctx *c)
{
	c->rng += 0x9e3779b97f4a7c15ull;
	return mlag_mix64(c->rng);
}

static void dstat_age(struct dstat *s, uint64_t now, double half_life)
{
	double f;

	if (now <= s->at)
		return;
	f = mlag_recency(now - s->at, half_life);
	s->w *= f;
	s->wc *= f;
	s->wc2 *= f;
	s->at = now;
}

static double cand_w(struct ctx *c, struct ckey *k, struct cand *x)
{
	dstat_age(&x->s, k->seq, c->half_life);
	return x->s.w;
}

static double cand_mean(const struct cand *x)
{
	return x->s.wc / x->s.w;
}

static bool vec_eq(const struct ctx *c, const int64_t *a, const int64_t *b)
{
	/* The common case, one action, without a call (it runs per outcome). */
	if (c->na == 1)
		return a[0] == b[0];
	return !memcmp(a, b, c->na * sizeof(*a));
}

static struct cand *cand_find(struct ctx *c, struct ckey *k, const int64_t *v)
{
	uint32_t i;

	for (i = 0; i < k->nc; i++)
		if (vec_eq(c, k->c[i].v, v))
			return &k->c[i];
	return NULL;
}

/* Find or add the candidate @v; evicts the lightest one when full. */
static struct cand *cand_get(struct ctx *c, struct ckey *k, const int64_t *v)
{
	struct cand *x = cand_find(c, k, v);
	uint32_t i, victim = UINT32_MAX;
	double lightest = INFINITY;

	if (x)
		return x;
	if (k->nc == k->capc && k->capc < (uint32_t)c->p[P_MAX_CANDIDATES]) {
		uint32_t cap = k->capc ? k->capc * 2 : 8;
		struct cand *n;

		if (cap > (uint32_t)c->p[P_MAX_CANDIDATES])
			cap = (uint32_t)c->p[P_MAX_CANDIDATES];
		n = realloc(k->c, cap * sizeof(*n));
		if (!n)
			return NULL;
		k->c = n;
		k->capc = cap;
	}
	if (k->nc == k->capc) {
		for (i = 0; i < k->nc; i++) {
			double w = cand_w(c, k, &k->c[i]);

			if (vec_eq(c, k->c[i].v, k->best) ||
			    (k->probing && vec_eq(c, k->c[i].v, k->probe)))
				continue;
			if (w < lightest) {
				lightest = w;
				victim = i;
			}
		}
		if (victim == UINT32_MAX)
			return NULL;
		x = &k->c[victim];
	} else {
		x = &k->c[k->nc++];
	}
	memset(x, 0, sizeof(*x));
	memcpy(x->v, v, c->na * sizeof(*v));
	x->s.at = k->seq;
	return x;
}

/* Insert @v into grid @d of @k, keeping it sorted; false when full. */
static bool grid_insert(struct ckey *k, unsigned int d, int64_t v)
{
	int64_t *g = k->grid[d];
	uint32_t i = 0;

	while (i < k->ng[d] && g[i] < v)
		i++;
	if (i < k->ng[d] && g[i] == v)
		return true;
	if (k->ng[d] == GRID_MAX)
		return false;
	memmove(&g[i + 1], &g[i], (k->ng[d] - i) * sizeof(*g));
	g[i] = v;
	k->ng[d]++;
	return true;
}

static long grid_index(const struct ckey *k, unsigned int d, int64_t v)
{
	uint32_t i;

	for (i = 0; i < k->ng[d]; i++)
		if (k->grid[d][i] == v)
			return i;
	return -1;
}

static void key_free(struct ckey *k)
{
	unsigned int d;

	free(k->c);
	for (d = 0; d < ML_LIB_MAX_ACTIONS; d++)
		free(k->grid[d]);
}

static struct ckey *key_get(struct ctx *c, uint64_t key)
{
	struct ckey *k = mlag_keyed_find(&c->keys, key);
	int64_t *grid[ML_LIB_MAX_ACTIONS] = { 0 };
	unsigned int d;
	bool created;

	if (k)
		return k;
	for (d = 0; d < c->na; d++) {
		grid[d] = malloc(GRID_MAX * sizeof(int64_t));
		if (!grid[d])
			goto fail;
	}
	k = mlag_keyed_get(&c->keys, key, (size_t)c->p[P_MAX_KEYS], &created);
	if (!k)
		goto fail;
	k->key = key;
	memcpy(k->best, c->def, sizeof(k->best));
	for (d = 0; d < c->na; d++) {
		const struct ml_lib_action_desc *a = &c->schema->actions[d];
		unsigned int n = (unsigned int)c->p[P_GRID], g;

		k->grid[d] = grid[d];
		/* Evenly spaced over [min, max], in 128 bits: no overflow. */
		for (g = 0; g < n; g++) {
			__int128 span = (__int128)a->max - a->min;

			grid_insert(k, d, (int64_t)(a->min + span * g / (n - 1)));
		}
		grid_insert(k, d, a->def);
	}
	return k;
fail:
	for (d = 0; d < c->na; d++)
		free(grid[d]);
	return NULL;
}

/*
 * Scale what a key learned by @factor; the recent statistics start over.
 * Its search starts again from the first coordinate.
 */
static void key_forget(struct ckey *k, double factor)
{
	uint32_t j;

	for (j = 0; j < k->nc; j++) {
		k->c[j].s.w *= factor;
		k->c[j].s.wc *= factor;
		k->c[j].s.wc2 *= factor;
		k->c[j].r = (struct dstat){ .at = k->seq };
	}
	k->probing = false;
	k->dim = 0;
}

/* The key's recommendation: the cheapest candidate with enough weight. */
static void key_update_best(struct ctx *c, struct ckey *k)
{
	double need = c->p[P_MIN_SAMPLES] / 2, best = INFINITY;
	uint32_t i;

	memcpy(k->best, c->def, sizeof(k->best));
	for (i = 0; i < k->nc; i++) {
		struct cand *x = &k->c[i];

		if (cand_w(c, k, x) < need)
			continue;
		if (cand_mean(x) < best) {
			best = cand_mean(x);
			memcpy(k->best, x->v, sizeof(k->best));
		}
	}
}

/*
 * Has the cost of @x changed? Its recent mean (half-life half_life /
 * DRIFT_SPEEDUP) against its long-run one, in standard errors of the recent
 * mean (the larger of the two variances; at least 1, costs being integers).
 * Without it, after the subsystem changes, old cheap outcomes would keep a
 * value looking good until recency has worn them out; with it, the key
 * forgets and searches again within about min_samples outcomes, whatever
 * the proxy's mode (a demotion, which also makes everything forget, only
 * happens above LEARNING).
 */
static bool drifted(const struct ctx *c, const struct cand *x)
{
	double ml, mr, vl, vr, v;

	if (!c->p[P_DRIFT_Z] || x->r.w < c->p[P_MIN_SAMPLES] ||
	    x->s.w < 2 * x->r.w)
		return false;	/* not enough recent data, or no older data */
	ml = x->s.wc / x->s.w;
	mr = x->r.wc / x->r.w;
	vl = x->s.wc2 / x->s.w - ml * ml;
	vr = x->r.wc2 / x->r.w - mr * mr;
	v = vl > vr ? vl : vr;
	if (v < 1)
		v = 1;
	return fabs(mr - ml) > c->p[P_DRIFT_Z] * sqrt(v / x->r.w);
}

static void ctx_observe(void *state, const struct mlag_example *ex)
{
	struct ctx *c = state;
	struct ckey *k = key_get(c, ex->key);
	struct cand *x;
	unsigned int d, j;
	double cost = (double)ex->cost;

	if (!k)
		return;
	if (ex->key_seq > k->seq)
		k->seq = ex->key_seq;
	x = cand_get(c, k, ex->values);
	if (!x)
		return;
	dstat_age(&x->s, k->seq, c->half_life);
	x->s.w += 1;
	x->s.wc += cost;
	x->s.wc2 += cost * cost;
	dstat_age(&x->r, k->seq, c->half_life / DRIFT_SPEEDUP);
	x->r.w += 1;
	x->r.wc += cost;
	x->r.wc2 += cost * cost;
	if (drifted(c, x)) {
		key_forget(k, c->p[P_DRIFT_FORGET]);
		c->drifts++;
	}
	/* A value observed on a line through the best joins that grid. */
	for (d = 0; d < c->na; d++) {
		for (j = 0; j < c->na; j++)
			if (j != d && ex->values[j] != k->best[j])
				break;
		if (j == c->na)
			grid_insert(k, d, ex->values[d]);
	}
}

/* Does candidate @v lack data (so that a probe is due)? */
static bool needs_data(struct ctx *c, struct ckey *k, const int64_t *v)
{
	struct cand *x = cand_find(c, k, v);
	double w = x ? cand_w(c, k, x) : 0;

	if (k->probing && vec_eq(c, v, k->probe))
		return w < c->p[P_MIN_SAMPLES];
	return w < c->p[P_MIN_SAMPLES] * c->p[P_REFRESH];
}

static void line_point(const struct ckey *k, unsigned int d, int64_t x, int64_t *v)
{
	memcpy(v, k->best, sizeof(k->best));
	v[d] = x;
}

/*
 * Refine grid @d around the best: midpoints towards neighbours that have
 * data and are more than 1 away.
 */
static void zoom(struct ctx *c, struct ckey *k, unsigned int d)
{
	long p = grid_index(k, d, k->best[d]);
	int64_t v[ML_LIB_MAX_ACTIONS], b = k->best[d];
	int side;

	if (p < 0)
		return;
	for (side = -1; side <= 1; side += 2) {
		long q = p + side;
		int64_t n;

		if (q < 0 || q >= (long)k->ng[d])
			continue;
		n = k->grid[d][q];
		line_point(k, d, n, v);
		if (needs_data(c, k, v))
			continue;
		if ((__int128)n - b > 1 || (__int128)b - n > 1)
			grid_insert(k, d, (int64_t)(b + ((__int128)n - b) / 2));
	}
}

/*
 * The grid value of coordinate @d at @lo .. @hi grid steps from the best,
 * nearest first, that lacks data.
 */
static bool grid_probe(struct ctx *c, struct ckey *k, unsigned int d, long lo,
		       long hi, int64_t *probe)
{
	long p = grid_index(k, d, k->best[d]), dist;
	int side;

	if (p < 0)
		return false;
	for (dist = lo; dist <= hi && dist < (long)k->ng[d]; dist++) {
		for (side = -1; side <= 1; side += 2) {
			long q = p + side * dist;

			if (q < 0 || q >= (long)k->ng[d])
				continue;
			line_point(k, d, k->grid[d][q], probe);
			if (needs_data(c, k, probe))
				return true;
		}
	}
	return false;
}

/*
 * The next probe of a key in @deployed's light, or false when the key is
 * settled. First the learner's own recommendation when it differs from
 * the deployed value and lacks data for the held-out judgement; then,
 * coordinate by coordinate, the grid value nearest to the best that lacks
 * data.
 */
static bool next_probe(struct ctx *c, struct ckey *k, const int64_t *deployed,
		       int64_t *probe)
{
	struct cand *b;
	unsigned int tries, d;

	key_update_best(c, k);
	b = cand_find(c, k, k->best);
	if (!vec_eq(c, k->best, deployed) &&
	    (!b || cand_w(c, k, b) < 2 * c->p[P_MIN_SAMPLES])) {
		memcpy(probe, k->best, sizeof(k->best));
		return true;
	}
	/* The neighbourhood, coordinate by coordinate. */
	for (tries = 0; tries < c->na; tries++) {
		d = k->dim % c->na;
		grid_insert(k, d, k->best[d]);
		zoom(c, k, d);
		if (grid_probe(c, k, d, 1, 1, probe))
			return true;
		k->dim++;
	}
	/* Settled: now and then, the nearest farther value that lacks data. */
	if ((double)(rng_next(c) % 1000000) >= c->p[P_WANDER] * 1000000)
		return false;
	for (tries = 0; tries < c->na; tries++) {
		d = (k->dim + tries) % c->na;
		if (grid_probe(c, k, d, 2, GRID_MAX, probe))
			return true;
	}
	return false;
}

/* Are most of the pushed probes done (or was nothing probed)? */
static bool probes_ready(struct ctx *c)
{
	size_t i, probing = 0, done = 0;

	for (i = 0; i < c->keys.n; i++) {
		struct ckey *k = KEY(c, i);
		struct cand *x;

		if (!k->probing)
			continue;
		probing++;
		x = cand_find(c, k, k->probe);
		if (x && (cand_w(c, k, x) >= c->p[P_MIN_SAMPLES] ||
			  cand_w(c, k, x) >= k->probe_w0 + c->p[P_MIN_SAMPLES] / 2))
			done++;
	}
	return !probing || done >= c->p[P_READY] * probing;
}

static int ctx_explore(void *state, const struct mlag_artifact *deployed,
		       unsigned int mode, struct mlag_artifact *out)
{
	struct ctx *c = state;
	size_t nd = deployed->kind == MLAG_ART_TABLE ? deployed->nr_entries : 0;
	struct ml_lib_table_entry *e;
	size_t i, n = 0, budget, *order;
	int ret;

	if (!probes_ready(c))
		return -EAGAIN;
	e = calloc(c->keys.n + nd + 1, sizeof(*e));
	order = calloc(c->keys.n + 1, sizeof(*order));
	if (!e || !order) {
		free(e);
		free(order);
		return -ENOMEM;
	}
	/* The deployed entries, then each key's deployed or probed value. */
	for (i = 0; i < nd; i++)
		if (!mlag_keyed_find(&c->keys, deployed->entries[i].key))
			e[n++] = deployed->entries[i];
	/* Keys probe in a random order, up to the mode's share. */
	for (i = 0; i < c->keys.n; i++) {
		size_t j = rng_next(c) % (i + 1);

		order[i] = order[j];
		order[j] = i;
	}
	budget = (size_t)ceil(mlag_mode_share(&c->p[P_EXPLORE_LEARNING], mode) * (double)c->keys.n);
	for (i = 0; i < c->keys.n; i++) {
		struct ckey *k = KEY(c, order[i]);
		int64_t dep[ML_LIB_MAX_ACTIONS];
		struct cand *x;

		mlag_artifact_decide(deployed, c->schema, k->key, NULL, dep);
		e[n].key = k->key;
		memcpy(e[n].values, dep, sizeof(dep));
		k->probing = false;
		if (budget && next_probe(c, k, dep, k->probe)) {
			budget--;
			k->probing = true;
			x = cand_find(c, k, k->probe);
			k->probe_w0 = x ? cand_w(c, k, x) : 0;
			memcpy(e[n].values, k->probe, sizeof(k->probe));
		}
		n++;
	}
	ret = mlag_artifact_table(out, c->schema, e, n);
	free(e);
	free(order);
	return ret;
}

static int ctx_propose(void *state, struct mlag_artifact *out)
{
	struct ctx *c = state;
	struct ml_lib_table_entry *e;
	size_t i;
	int ret;

	if (!c->keys.n)
		return -EAGAIN;
	e = calloc(c->keys.n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < c->keys.n; i++) {
		key_update_best(c, KEY(c, i));
		e[i].key = KEY(c, i)->key;
		memcpy(e[i].values, KEY(c, i)->best, sizeof(e[i].values));
	}
	ret = mlag_artifact_table(out, c->schema, e, c->keys.n);
	free(e);
	return ret;
}

static void ctx_forget(void *state, double factor)
{
	struct ctx *c = state;
	size_t i;

	for (i = 0; i < c->keys.n; i++) {
		key_forget(KEY(c, i), factor);
		key_update_best(c, KEY(c, i));
	}
}

static void ctx_adopt(void *state, const struct mlag_artifact *deployed)
{
	(void)state;
	(void)deployed;
	/* explore() reads the deployed values when it needs them. */
}

static int ctx_create(const struct mlag_learner_env *env, void **statep)
{
	struct ctx *c;
	unsigned int d;

	if (!env->schema->nr_actions || env->schema->nr_actions > ML_LIB_MAX_ACTIONS)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->keys = (struct mlag_keyed)MLAG_KEYED_INIT(struct ckey);
	c->schema = env->schema;
	c->na = env->schema->nr_actions;
	memcpy(c->p, env->params, sizeof(c->p));
	c->half_life = env->half_life;
	c->rng = env->seed;
	for (d = 0; d < c->na; d++)
		c->def[d] = env->schema->actions[d].def;
	*statep = c;
	return 0;
}

static void ctx_destroy(void *state)
{
	struct ctx *c = state;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->keys.n; i++)
		key_free(KEY(c, i));
	mlag_keyed_free(&c->keys);
	free(c);
}

const struct mlag_learner mlag_learner_contextual = {
	.name = "contextual",
	.summary = "per-key cost of each action value; zooming grid search; a table",
	.params = ctx_params,
	.nr_params = P_COUNT,
	.create = ctx_create,
	.destroy = ctx_destroy,
	.observe = ctx_observe,
	.forget = ctx_forget,
	.propose = ctx_propose,
	.explore = ctx_explore,
	.adopt = ctx_adopt,
};
