// SPDX-License-Identifier: GPL-2.0
/*
 * The regression learner: a linear policy from continuous features to
 * action values, fitted with liblinear.
 *
 * It learns which values to apply from the costs of the values it tried,
 * by advantage-weighted regression (Peng et al., 2019, "Advantage-Weighted
 * Regression"); the fit is a ridge regression solved by liblinear
 * (L2-regularized L2-loss support vector regression with epsilon 0, which
 * is ridge regression; instance weights by scaling each row by sqrt(w),
 * since liblinear 2.3 has no instance weights):
 *  1. advantages: per (key, values) cell of the ML arm's recent examples,
 *     A = the key's mean cost - the cell's mean cost (recency-weighted);
 *  2. weights: exp(A / beta), beta = temperature * mean |A|, times the
 *     cell's confidence, shared by the cell's examples (advantage_weights());
 *  3. the policy: value_j ~ features over those examples. Values that did
 *     better than the others tried for the same key pull the line towards
 *     them.
 * The key is the context the advantages are measured in: a proxy whose
 * key is constant compares values across all contexts at once, which is
 * only sound when the cost level does not depend on the features much.
 * The ML arm's examples are the deployed policy's values and probes around
 * the current fit (Gaussian), so each fit moves the policy towards cheaper
 * values. The probes' spread follows the 1/5th success rule of evolution
 * strategies (Rechenberg): it widens while probes often beat the deployed
 * values of their key (the policy is far from the optimum, or the
 * subsystem changed) and narrows while they rarely do (it is close). The
 * default arm's examples are not used to fit the policy (its fixed value
 * would pull every fit towards itself) but they feed the features of each
 * key.
 *
 * Deployment (parameter `model`): the line compiles into an integer linear
 * model (<linux/ml_lib_model.h>: fixed-point weights at the largest exact
 * shift, verified with the kernel's own verifier) that the kernel runs on
 * each decision's features; or into a table with one entry per key, the
 * line evaluated at the key's recency-weighted mean features. Until a
 * model is deployed, probes are table entries per key; once the kernel
 * runs a model (which takes precedence over tables), a probe is the whole
 * line shifted by Gaussian noise (explore_model()).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <linear.h>
#include "keymap.h"
#include "learn_linreg.h"
#include "model_build.h"

enum {
	P_WINDOW,
	P_MIN_EXAMPLES,
	P_SIGMA,
	P_MIN_SIGMA,
	P_TEMPERATURE,
	P_C,
	P_MIN_SAMPLES,
	P_EXPLORE_LEARNING,
	P_EXPLORE_COLLABORATION,
	P_EXPLORE_RECOMMENDATION,
	P_READY,
	P_MAX_KEYS,
	P_MODEL,
	P_COUNT
};

static const struct mlag_param lr_params[P_COUNT] = {
	[P_WINDOW] = { "window", 2000, 100, 10000000, true,
		"ML-arm examples kept for fitting (the most recent)" },
	[P_MIN_EXAMPLES] = { "min_examples", 200, 10, 10000000, true,
		"ML-arm examples needed before the first fit" },
	[P_SIGMA] = { "sigma", 0.125, 0.001, 1, false,
		"initial and largest probe spread, as a share of the action's range" },
	[P_MIN_SIGMA] = { "min_sigma", 1, 0, 1e18, false,
		"smallest probe spread, in action units" },
	[P_TEMPERATURE] = { "temperature", 1, 0.01, 100, false,
		"advantage weighting: exp(A / (temperature * mean |A|))" },
	[P_C] = { "c", 100, 1e-6, 1e9, false,
		"liblinear's C: inverse of the ridge penalty" },
	[P_MIN_SAMPLES] = { "min_samples", 8, 1, 100000, false,
		"outcomes a probe gathers before the next table" },
	[P_EXPLORE_LEARNING] = { "explore_learning", 1, 0, 1, false,
		"share of keys that probe at once in LEARNING (and EMERGENCY)" },
	[P_EXPLORE_COLLABORATION] = { "explore_collaboration", 0.5, 0, 1, false,
		"share of keys that probe at once in COLLABORATION" },
	[P_EXPLORE_RECOMMENDATION] = { "explore_recommendation", 0.2, 0, 1, false,
		"share of keys that probe at once in RECOMMENDATION" },
	[P_READY] = { "ready", 0.5, 0, 1, false,
		"share of probing keys that must be done before the next table" },
	[P_MAX_KEYS] = { "max_keys", 4096, 1, ML_LIB_MAX_TABLE_ENTRIES, true,
		"keys in a compiled table" },
	[P_MODEL] = { "model", 1, 0, 1, true,
		"deploy the line as an in-kernel linear model (1) or a table per key (0)" },
};

#define KEY(l, i)	((struct lr_key *)mlag_keyed_at(&(l)->keys, (i)))

struct lr_example {
	uint64_t key;
	uint64_t key_seq;
	double cost;
	double v[ML_LIB_MAX_ACTIONS];
	double x[ML_LIB_MAX_FEATURES];
};

struct lr_key {
	uint64_t key;
	uint64_t seq;		/* latest key_seq */
	double w;		/* recency-weighted sum of feature vectors ... */
	double sx[ML_LIB_MAX_FEATURES];	/* ... for the key's mean features */
	uint64_t at;
	bool probing;
	int64_t probe[ML_LIB_MAX_ACTIONS];
	double probe_n;		/* outcomes of the probe since it was pushed */
	double probe_c;		/* their total cost */
	double base_w, base_c;	/* recency-weighted ML-arm outcomes but probes */
};

struct lr {
	const struct ml_lib_schema *schema;
	unsigned int na, nf;
	double p[P_COUNT];
	double half_life;
	uint64_t rng;
	struct lr_example *ex;	/* ring of ML-arm examples */
	size_t cap, count, next;
	struct mlag_keyed keys;	/* of struct lr_key */
	bool fitted;
	struct mlag_linreg_line line[ML_LIB_MAX_ACTIONS];
	double sigma[ML_LIB_MAX_ACTIONS];	/* probe spread */
	double trials, wins;	/* probes judged since the spread last changed */
	/* model mode, once a model is deployed: whole-model probes */
	bool probe_push;	/* the last explore() output is a probe */
	bool mirror;		/* the next probe mirrors @offset */
	double offset[ML_LIB_MAX_ACTIONS];
	uint64_t probe_version;	/* the pushed probe's version; 0: none */
	double push_n;		/* ML-arm outcomes since the last push */
};

/* liblinear keeps its print function and rand() state globally. */
static pthread_mutex_t liblinear_lock = PTHREAD_MUTEX_INITIALIZER;

static void quiet(const char *s)
{
	(void)s;
}

static double initial_sigma(const struct lr *l, unsigned int j)
{
	const struct ml_lib_action_desc *a = &l->schema->actions[j];
	double s = l->p[P_SIGMA] * ((double)a->max - (double)a->min);

	return s < l->p[P_MIN_SIGMA] ? l->p[P_MIN_SIGMA] : s;
}

static uint64_t rng_next(struct lr *l)
{
	l->rng += 0x9e3779b97f4a7c15ull;
	return mlag_mix64(l->rng);
}

static double rng_gauss(struct lr *l)
{
	double u1 = ((double)(rng_next(l) >> 11) + 0.5) / 9007199254740992.0;
	double u2 = ((double)(rng_next(l) >> 11) + 0.5) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static struct lr_key *key_get(struct lr *l, uint64_t key)
{
	struct lr_key *k = mlag_keyed_get(&l->keys, key, (size_t)l->p[P_MAX_KEYS], NULL);

	if (k)
		k->key = key;
	return k;
}

static void key_age(struct lr *l, struct lr_key *k)
{
	double f;
	unsigned int i;

	if (k->seq <= k->at)
		return;
	f = mlag_recency(k->seq - k->at, l->half_life);
	k->w *= f;
	k->base_w *= f;
	k->base_c *= f;
	for (i = 0; i < l->nf; i++)
		k->sx[i] *= f;
	k->at = k->seq;
}

static void lr_observe(void *state, const struct mlag_example *ex)
{
	struct lr *l = state;
	struct lr_key *k;
	struct lr_example *e;
	unsigned int i;

	if (ex->nr_features < l->nf)
		return;		/* the decision's sample was not seen */
	k = key_get(l, ex->key);
	if (!k)
		return;
	if (ex->key_seq > k->seq)
		k->seq = ex->key_seq;
	key_age(l, k);
	k->w += 1;
	for (i = 0; i < l->nf; i++)
		k->sx[i] += (double)ex->features[i];
	if (ex->arm != ML_LIB_ARM_ML)
		return;
	l->push_n += 1;
	/* A probe outcome: the probe table's value, or the probe model's. */
	if (ex->source == ML_LIB_SRC_MODEL ?
	    l->probe_version && ex->version == l->probe_version :
	    k->probing && !memcmp(ex->values, k->probe, l->na * sizeof(int64_t))) {
		k->probe_n += 1;
		k->probe_c += (double)ex->cost;
	} else {
		k->base_w += 1;
		k->base_c += (double)ex->cost;
	}
	e = &l->ex[l->next];
	*e = (struct lr_example){
		.key = ex->key, .key_seq = ex->key_seq,
		.cost = (double)ex->cost,
	};
	for (i = 0; i < l->na; i++)
		e->v[i] = (double)ex->values[i];
	for (i = 0; i < l->nf; i++)
		e->x[i] = (double)ex->features[i];
	l->next = (l->next + 1) % l->cap;
	if (l->count < l->cap)
		l->count++;
}

/*
 * Forgetting restarts the window of examples, whatever the factor: the
 * exponential advantage weights would let the cheap outcomes from before a
 * change outweigh any number of new ones. The fitted line stays, and the
 * probes around it (their spread reset) gather the new data.
 */
static void lr_forget(void *state, double factor)
{
	struct lr *l = state;
	unsigned int j;
	size_t i;

	l->count = l->next = 0;
	for (j = 0; j < l->na; j++)
		l->sigma[j] = initial_sigma(l, j);
	l->trials = l->wins = 0;
	(void)factor;
	l->probe_push = false;
	l->probe_version = 0;
	l->push_n = 0;
	for (i = 0; i < l->keys.n; i++) {
		KEY(l, i)->probing = false;
		KEY(l, i)->base_w = KEY(l, i)->base_c = 0;
	}
}

/*
 * Weighted ridge regression y ~ x with liblinear, on standardized features:
 * rows scaled by sqrt(w), an explicit intercept column (sqrt(w)).
 * Output in raw units: y = b + sum coef[j] * x[j].
 */
struct fit_in {
	size_t n;
	unsigned int nf;
	const double *w;	/* per row */
	const double *y;	/* per row */
	const double *x;	/* per row, nf values (stride ML_LIB_MAX_FEATURES) */
	double c;
};

static int ridge(const struct fit_in *in, struct mlag_linreg_line *out)
{
	double mu[ML_LIB_MAX_FEATURES] = { 0 }, sd[ML_LIB_MAX_FEATURES] = { 0 };
	double sw = 0, ym = 0, ys = 0;
	struct feature_node *nodes = NULL, **rows = NULL;
	double *y = NULL;
	unsigned int j, nf = in->nf, stride = nf + 2;
	struct problem prob;
	struct parameter par = {
		.solver_type = L2R_L2LOSS_SVR, .eps = 0.001, .C = in->c, .p = 0,
	};
	struct model *m;
	size_t i;
	int ret = -ENOMEM;

	for (i = 0; i < in->n; i++) {
		sw += in->w[i];
		ym += in->w[i] * in->y[i];
		for (j = 0; j < nf; j++)
			mu[j] += in->w[i] * in->x[i * ML_LIB_MAX_FEATURES + j];
	}
	if (!(sw > 0))
		return -EAGAIN;
	ym /= sw;
	for (j = 0; j < nf; j++)
		mu[j] /= sw;
	for (i = 0; i < in->n; i++) {
		ys += in->w[i] * (in->y[i] - ym) * (in->y[i] - ym);
		for (j = 0; j < nf; j++) {
			double d = in->x[i * ML_LIB_MAX_FEATURES + j] - mu[j];

			sd[j] += in->w[i] * d * d;
		}
	}
	ys = sqrt(ys / sw);
	for (j = 0; j < nf; j++)
		sd[j] = sqrt(sd[j] / sw);
	*out = (struct mlag_linreg_line){ .bias = ym };
	if (!(ys > 0))
		return 0;	/* a constant: nothing to fit */
	nodes = calloc(in->n * stride, sizeof(*nodes));
	rows = calloc(in->n, sizeof(*rows));
	y = calloc(in->n, sizeof(*y));
	if (!nodes || !rows || !y)
		goto out;
	for (i = 0; i < in->n; i++) {
		struct feature_node *r = &nodes[i * stride];
		double s = sqrt(in->w[i] / sw * (double)in->n);
		unsigned int k = 0;

		for (j = 0; j < nf; j++) {
			if (!(sd[j] > 0))
				continue;	/* constant feature: no information */
			r[k].index = (int)j + 1;
			r[k++].value = s * (in->x[i * ML_LIB_MAX_FEATURES + j] - mu[j]) / sd[j];
		}
		r[k].index = (int)nf + 1;
		r[k++].value = s;
		r[k].index = -1;
		rows[i] = r;
		y[i] = s * (in->y[i] - ym) / ys;
	}
	prob = (struct problem){ .l = (int)in->n, .n = (int)nf + 1, .y = y,
				 .x = rows, .bias = -1 };
	pthread_mutex_lock(&liblinear_lock);
	set_print_string_function(quiet);
	if (check_parameter(&prob, &par)) {
		pthread_mutex_unlock(&liblinear_lock);
		ret = -EINVAL;
		goto out;
	}
	m = train(&prob, &par);
	pthread_mutex_unlock(&liblinear_lock);
	if (!m)
		goto out;
	out->bias = ym + ys * m->w[nf];
	for (j = 0; j < nf; j++) {
		if (!(sd[j] > 0))
			continue;
		out->coef[j] = ys * m->w[j] / sd[j];
		out->bias -= out->coef[j] * mu[j];
	}
	free_and_destroy_model(&m);
	ret = 0;
out:
	free(nodes);
	free(rows);
	free(y);
	return ret;
}

static double line_eval(const struct mlag_linreg_line *ln, const double *x,
			unsigned int nf)
{
	double y = ln->bias;
	unsigned int j;

	for (j = 0; j < nf; j++)
		y += ln->coef[j] * x[j];
	return y;
}

/* The recency weight of example @e, on its key's clock. */
static double example_weight(struct lr *l, const struct lr_example *e)
{
	const struct lr_key *k = mlag_keyed_find(&l->keys, e->key);
	uint64_t now = k ? k->seq : e->key_seq;

	return mlag_recency(now - e->key_seq, l->half_life);
}

/* The (key, values) cells of the window, for the advantages. */
struct cell {
	uint64_t key;
	double v[ML_LIB_MAX_ACTIONS];
	double w, wc;		/* recency-weighted outcomes and cost */
	long k;			/* index of the key's totals */
};

struct cells {
	struct mlag_keymap map;	/* hash of (key, values) -> cell */
	struct cell *c;
	size_t n;
	struct mlag_keymap keys;	/* key -> totals */
	double *kw, *kwc;
	size_t nk;
};

static uint64_t cell_hash(const struct lr_example *e, unsigned int na)
{
	uint64_t h = mlag_mix64(e->key);
	unsigned int j;

	for (j = 0; j < na; j++)
		h = mlag_mix64(h ^ (uint64_t)(int64_t)e->v[j]);
	return h;
}

/* The cell of @e (created), or -1 on ENOMEM. Hash collisions probe on. */
static long cell_of(struct cells *cs, const struct lr_example *e, unsigned int na)
{
	uint64_t h = cell_hash(e, na);
	long i, k;

	for (;; h++) {
		i = mlag_keymap_get(&cs->map, h);
		if (i < 0)
			break;
		if (cs->c[i].key == e->key &&
		    !memcmp(cs->c[i].v, e->v, na * sizeof(double)))
			return i;
	}
	k = mlag_keymap_get(&cs->keys, e->key);
	if (k < 0) {
		k = (long)cs->nk++;
		if (mlag_keymap_put(&cs->keys, e->key, (uint32_t)k))
			return -1;
		cs->kw[k] = cs->kwc[k] = 0;
	}
	i = (long)cs->n++;
	cs->c[i] = (struct cell){ .key = e->key, .k = k };
	memcpy(cs->c[i].v, e->v, sizeof(e->v));
	if (mlag_keymap_put(&cs->map, h, (uint32_t)i))
		return -1;
	return i;
}

/*
 * Advantage weights: each (key, values) cell's advantage is its key's mean
 * cost minus its own (both recency-weighted), so a value is judged against
 * the other values tried in the same context. A cell weighs
 * conf * exp(A / beta), conf = w / (w + min_samples), shared by its
 * examples in proportion to their recency: the many outcomes of the
 * deployed value count as one well-measured cell, not as thousands of votes
 * for the status quo.
 */
static int advantage_weights(struct lr *l, const double *r, double *u)
{
	struct cells cs = { 0 };
	size_t n = l->count, i;
	long *ci = NULL;
	double sa = 0, sc = 0, beta, n0 = l->p[P_MIN_SAMPLES];
	int ret = -ENOMEM;

	cs.c = malloc(n * sizeof(*cs.c));
	cs.kw = malloc(n * sizeof(*cs.kw));
	cs.kwc = malloc(n * sizeof(*cs.kwc));
	ci = malloc(n * sizeof(*ci));
	if (!cs.c || !cs.kw || !cs.kwc || !ci)
		goto out;
	for (i = 0; i < n; i++) {
		struct cell *c;

		ci[i] = cell_of(&cs, &l->ex[i], l->na);
		if (ci[i] < 0)
			goto out;
		c = &cs.c[ci[i]];
		c->w += r[i];
		c->wc += r[i] * l->ex[i].cost;
		cs.kw[c->k] += r[i];
		cs.kwc[c->k] += r[i] * l->ex[i].cost;
	}
	for (i = 0; i < cs.n; i++) {
		struct cell *c = &cs.c[i];
		double conf = c->w / (c->w + n0);

		if (!(c->w > 0))
			continue;
		sa += conf * fabs(cs.kwc[c->k] / cs.kw[c->k] - c->wc / c->w);
		sc += conf;
	}
	beta = l->p[P_TEMPERATURE] * (sc > 0 ? sa / sc : 0);
	if (!(beta > 0))
		beta = 1;
	for (i = 0; i < n; i++) {
		struct cell *c = &cs.c[ci[i]];
		double z, conf;

		u[i] = 0;
		if (!(c->w > 0))
			continue;
		z = (cs.kwc[c->k] / cs.kw[c->k] - c->wc / c->w) / beta;
		conf = c->w / (c->w + n0);
		u[i] = conf * exp(z > 20 ? 20 : z < -20 ? -20 : z) * r[i] / c->w;
	}
	ret = 0;
out:
	mlag_keymap_free(&cs.map);
	mlag_keymap_free(&cs.keys);
	free(cs.c);
	free(cs.kw);
	free(cs.kwc);
	free(ci);
	return ret;
}

static int lr_fit(struct lr *l)
{
	size_t n = l->count, i;
	double *r = NULL, *u = NULL, *y = NULL, *x = NULL;
	struct mlag_linreg_line line[ML_LIB_MAX_ACTIONS];
	struct fit_in in = { .n = n, .nf = l->nf, .c = l->p[P_C] };
	unsigned int j;
	int ret = -ENOMEM;

	if (n < (size_t)l->p[P_MIN_EXAMPLES])
		return -EAGAIN;
	r = malloc(n * sizeof(*r));
	u = malloc(n * sizeof(*u));
	y = malloc(n * sizeof(*y));
	x = malloc(n * ML_LIB_MAX_FEATURES * sizeof(*x));
	if (!r || !u || !y || !x)
		goto out;
	for (i = 0; i < n; i++) {
		r[i] = example_weight(l, &l->ex[i]);
		memcpy(&x[i * ML_LIB_MAX_FEATURES], l->ex[i].x, sizeof(l->ex[i].x));
	}
	ret = advantage_weights(l, r, u);
	if (ret)
		goto out;
	in.w = u;
	in.y = y;
	in.x = x;
	for (j = 0; j < l->na; j++) {
		for (i = 0; i < n; i++)
			y[i] = l->ex[i].v[j];
		ret = ridge(&in, &line[j]);
		if (ret)
			goto out;
	}
	memcpy(l->line, line, sizeof(line));
	l->fitted = true;
out:
	free(r);
	free(u);
	free(y);
	free(x);
	return ret;
}

static int64_t clamp_round(double v, const struct ml_lib_action_desc *a)
{
	if (!(v == v) || v <= (double)a->min)
		return a->min;
	if (v >= (double)a->max)
		return a->max;
	return (int64_t)llround(v);
}

/* The policy's values for key @k at its mean features (+ @noise per action). */
static void key_values(struct lr *l, struct lr_key *k, const double *noise,
		       int64_t *v)
{
	double x[ML_LIB_MAX_FEATURES] = { 0 };
	unsigned int j;

	key_age(l, k);
	for (j = 0; j < l->nf; j++)
		x[j] = k->w > 0 ? k->sx[j] / k->w : 0;
	memset(v, 0, ML_LIB_MAX_ACTIONS * sizeof(*v));
	for (j = 0; j < l->na; j++) {
		const struct ml_lib_action_desc *a = &l->schema->actions[j];
		double y = l->fitted ? line_eval(&l->line[j], x, l->nf) : (double)a->def;

		v[j] = clamp_round(y + (noise ? noise[j] : 0), a);
	}
}

/*
 * Compile @line (+ @offset per output) into an integer linear model: the
 * weights in fixed point at the largest exact shift (model_build's
 * quantizer), verified by the kernel's verifier.
 */
static int compile_model(struct lr *l, const double *offset, struct mlag_artifact *out)
{
	double w[ML_LIB_MAX_ACTIONS * ML_LIB_MAX_FEATURES], b[ML_LIB_MAX_ACTIONS];
	int32_t qw[ML_LIB_MAX_ACTIONS * ML_LIB_MAX_FEATURES];
	int64_t qb[ML_LIB_MAX_ACTIONS];
	struct ml_build_linear d = {
		.version = 1, .nr_inputs = l->nf, .nr_outputs = l->na,
		.weights = qw, .bias = qb,
	};
	unsigned int i, j;
	size_t len;
	void *blob;
	int ret;

	for (j = 0; j < l->na; j++) {
		b[j] = l->line[j].bias + (offset ? offset[j] : 0);
		for (i = 0; i < l->nf; i++)
			w[j * l->nf + i] = l->line[j].coef[i];
	}
	ret = ml_build_linear_quantize(w, b, l->nf, l->na, qw, qb, &d.shift);
	if (!ret)
		ret = ml_build_linear(&d, &blob, &len);
	if (ret)
		return ret;
	ret = mlag_artifact_model(out, l->schema, blob, len, NULL);
	free(blob);
	return ret;
}

static int lr_propose(void *state, struct mlag_artifact *out)
{
	struct lr *l = state;
	struct ml_lib_table_entry *e;
	size_t i;
	int ret = lr_fit(l);

	if (ret)
		return ret;
	if (l->p[P_MODEL])
		return compile_model(l, NULL, out);
	e = calloc(l->keys.n + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < l->keys.n; i++) {
		int64_t v[ML_LIB_MAX_ACTIONS];

		e[i].key = KEY(l, i)->key;
		key_values(l, KEY(l, i), NULL, v);
		memcpy(e[i].values, v, sizeof(v));
	}
	ret = mlag_artifact_table(out, l->schema, e, l->keys.n);
	free(e);
	return ret;
}

static void scale_sigma(struct lr *l, double f)
{
	unsigned int j;

	for (j = 0; j < l->na; j++) {
		const struct ml_lib_action_desc *a = &l->schema->actions[j];
		double range = (double)a->max - (double)a->min;

		l->sigma[j] *= f;
		if (l->sigma[j] > l->p[P_SIGMA] * range)
			l->sigma[j] = l->p[P_SIGMA] * range;
		if (l->sigma[j] < l->p[P_MIN_SIGMA])
			l->sigma[j] = l->p[P_MIN_SIGMA];
	}
}

/*
 * The 1/5th success rule over per-key probes (independent trials): the
 * share of finished probes whose mean cost beat their key's other ML-arm
 * outcomes, over at least 8 of them, sets the next spread. A factor of
 * exp(2 * (rate - 0.2)) keeps the spread where one probe in five succeeds.
 */
static void adapt_sigma(struct lr *l)
{
	size_t i;

	for (i = 0; i < l->keys.n; i++) {
		struct lr_key *k = KEY(l, i);

		if (!k->probing || k->probe_n < 1 || !(k->base_w > 0))
			continue;
		l->trials++;
		if (k->probe_c / k->probe_n < k->base_c / k->base_w)
			l->wins++;
	}
	if (l->trials < 8)
		return;
	scale_sigma(l, exp(2 * (l->wins / l->trials - 0.2)));
	l->trials = l->wins = 0;
}

/*
 * The same rule for a whole-model probe, one trial: a success when the
 * probe's mean cost, key by key, is below the deployed model's. The
 * classic (1+1)-ES steps: x1.5 on success, x1.5^(-1/4) on failure, which
 * hold still at one success in five.
 */
static void adapt_sigma_whole(struct lr *l)
{
	double d = 0;
	size_t i, n = 0;

	for (i = 0; i < l->keys.n; i++) {
		struct lr_key *k = KEY(l, i);

		if (k->probe_n < 1 || !(k->base_w > 0))
			continue;
		d += k->probe_c / k->probe_n - k->base_c / k->base_w;
		n++;
	}
	if (n)
		scale_sigma(l, d < 0 ? 1.5 : pow(1.5, -0.25));
}

/*
 * Exploration once a model is in the kernel (it takes precedence over
 * tables): a probe is the whole line with its outputs shifted by Gaussian
 * noise (mirrored: +offset, then -offset), alternating with the deployed
 * model so that the base of the 1/5th rule stays fresh; each push lasts
 * until the ML arm gave min_samples outcomes per key.
 */
static int explore_model(struct lr *l, const struct mlag_artifact *deployed,
			 unsigned int mode, struct mlag_artifact *out)
{
	double offset[ML_LIB_MAX_ACTIONS] = { 0 };
	size_t i;
	unsigned int j;
	int ret;

	if (l->push_n < l->p[P_MIN_SAMPLES] * (double)(l->keys.n ? l->keys.n : 1))
		return -EAGAIN;
	if (l->probe_push)
		adapt_sigma_whole(l);
	for (i = 0; i < l->keys.n; i++)
		KEY(l, i)->probe_n = KEY(l, i)->probe_c = 0;
	l->push_n = 0;
	if (l->probe_push || !l->fitted ||
	    (double)(rng_next(l) % 1000000) >=
	    mlag_mode_share(&l->p[P_EXPLORE_LEARNING], mode) * 1000000) {
		l->probe_push = false;
		return mlag_artifact_copy(out, deployed);
	}
	/* Mirrored sampling: every other probe is the previous one's mirror. */
	l->mirror = !l->mirror;
	for (j = 0; j < l->na; j++) {
		if (l->mirror)
			l->offset[j] = l->sigma[j] * rng_gauss(l);
		offset[j] = l->mirror ? l->offset[j] : -l->offset[j];
	}
	ret = compile_model(l, offset, out);
	l->probe_push = !ret;
	return ret;
}

static int lr_explore(void *state, const struct mlag_artifact *deployed,
		      unsigned int mode, struct mlag_artifact *out)
{
	struct lr *l = state;
	size_t nd = deployed->kind == MLAG_ART_TABLE ? deployed->nr_entries : 0;
	size_t i, n = 0, probing = 0, done = 0, budget;
	struct ml_lib_table_entry *e;
	int ret;

	if (deployed->kind == MLAG_ART_MODEL)
		return explore_model(l, deployed, mode, out);

	for (i = 0; i < l->keys.n; i++) {
		if (!KEY(l, i)->probing)
			continue;
		probing++;
		if (KEY(l, i)->probe_n >= l->p[P_MIN_SAMPLES])
			done++;
	}
	if (probing && done < l->p[P_READY] * (double)probing)
		return -EAGAIN;
	adapt_sigma(l);
	e = calloc(l->keys.n + nd + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < nd; i++)
		if (!mlag_keyed_find(&l->keys, deployed->entries[i].key))
			e[n++] = deployed->entries[i];
	budget = (size_t)ceil(mlag_mode_share(&l->p[P_EXPLORE_LEARNING], mode) * (double)l->keys.n);
	for (i = 0; i < l->keys.n; i++) {
		struct lr_key *k = KEY(l, i);
		double noise[ML_LIB_MAX_ACTIONS] = { 0 };
		int64_t dep[ML_LIB_MAX_ACTIONS];
		unsigned int j;

		e[n].key = k->key;
		mlag_artifact_decide(deployed, l->schema, k->key, NULL, dep);
		memcpy(e[n].values, dep, sizeof(dep));
		k->probing = false;
		/* Every key gets its chance: a random subset when limited. */
		if (budget && rng_next(l) % (l->keys.n - i) < budget) {
			budget--;
			for (j = 0; j < l->na; j++) {
				const struct ml_lib_action_desc *a = &l->schema->actions[j];
				(void)a;
				noise[j] = l->sigma[j] * rng_gauss(l);
			}
			key_values(l, k, noise, k->probe);
			/* A probe of the deployed value would starve the base. */
			if (memcmp(k->probe, dep, l->na * sizeof(dep[0]))) {
				k->probing = true;
				k->probe_n = 0;
				k->probe_c = 0;
				memcpy(e[n].values, k->probe, sizeof(k->probe));
			}
		}
		n++;
	}
	ret = mlag_artifact_table(out, l->schema, e, n);
	free(e);
	return ret;
}

/*
 * Held-out evidence about a value: outcomes within half the probe spread
 * of it (at least min_sigma / 2), since probes rarely repeat a value.
 */
static void lr_bandwidth(void *state, double *bw)
{
	struct lr *l = state;
	unsigned int j;

	for (j = 0; j < l->na; j++)
		bw[j] = l->sigma[j] / 2;
}

static void lr_adopt(void *state, const struct mlag_artifact *deployed)
{
	(void)state;
	(void)deployed;	/* explore() reads it */
}

static void lr_pushed(void *state, const struct mlag_artifact *a, uint64_t version)
{
	struct lr *l = state;

	l->push_n = 0;
	l->probe_version = a->kind == MLAG_ART_MODEL && l->probe_push ? version : 0;
}

static int lr_create(const struct mlag_learner_env *env, void **statep)
{
	struct lr *l;
	unsigned int i;

	if (!env->schema->nr_actions || env->schema->nr_actions > ML_LIB_MAX_ACTIONS ||
	    env->schema->nr_features > ML_LIB_MAX_FEATURES)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->keys = (struct mlag_keyed)MLAG_KEYED_INIT(struct lr_key);
	l->schema = env->schema;
	l->na = env->schema->nr_actions;
	l->nf = env->schema->nr_features;
	memcpy(l->p, env->params, sizeof(l->p));
	l->half_life = env->half_life;
	l->rng = env->seed;
	for (i = 0; i < l->na; i++)
		l->sigma[i] = initial_sigma(l, i);
	l->cap = (size_t)l->p[P_WINDOW];
	l->ex = calloc(l->cap, sizeof(*l->ex));
	if (!l->ex) {
		free(l);
		return -ENOMEM;
	}
	*statep = l;
	return 0;
}

static void lr_destroy(void *state)
{
	struct lr *l = state;

	if (!l)
		return;
	free(l->ex);
	mlag_keyed_free(&l->keys);
	free(l);
}

int mlag_linreg_line(void *state, unsigned int action, struct mlag_linreg_line *line)
{
	struct lr *l = state;

	if (action >= l->na)
		return -EINVAL;
	if (!l->fitted)
		return -EAGAIN;
	*line = l->line[action];
	return 0;
}

const struct mlag_learner mlag_learner_linreg = {
	.name = "linreg",
	.summary = "linear policy over the features, advantage-weighted ridge regression (liblinear)",
	.params = lr_params,
	.nr_params = P_COUNT,
	.create = lr_create,
	.destroy = lr_destroy,
	.observe = lr_observe,
	.forget = lr_forget,
	.propose = lr_propose,
	.explore = lr_explore,
	.adopt = lr_adopt,
	.pushed = lr_pushed,
	.bandwidth = lr_bandwidth,
};
