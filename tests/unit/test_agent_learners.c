// SPDX-License-Identifier: GPL-2.0
/*
 * The learners on synthetic data, driven directly (no worker): each round
 * the learner's explore() table is applied to simulated decisions with the
 * mode's ML share, the outcomes are observed, and every few rounds its
 * propose() becomes the deployed table.
 *  - contextual: finds the per-key optimum of a synthetic cost (one action,
 *    and two actions at once), and again after the optimum moves;
 *  - linreg: recovers a linear relation between the feature and the best
 *    value, and compiles it into a table per key.
 */
#include <math.h>
#include <stdio.h>
#include "agent_rand.h"
#include "learn_linreg.h"
#include "learner.h"
#include "mltest.h"

#define KEYS	16

struct world {
	struct ml_lib_schema schema;
	int64_t f[2][KEYS];		/* the best value of each action per key */
	uint64_t rng, seq[KEYS], id;
	double noise;
	double cost[2];			/* per arm, this round */
	uint64_t n[2];
};

static uint64_t rnd(struct world *w)
{
	return agent_rnd(&w->rng);
}

static double gauss(struct world *w)
{
	return agent_gauss(&w->rng);
}

static void world_init(struct world *w, unsigned int actions, uint64_t seed)
{
	memset(w, 0, sizeof(*w));
	w->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	w->noise = 5;
	w->schema.nr_actions = actions;
	w->schema.nr_features = 1;
	for (unsigned int a = 0; a < actions; a++) {
		w->schema.actions[a].min = a ? -300 : 0;
		w->schema.actions[a].max = a ? 300 : 1000;
		w->schema.actions[a].def = a ? 0 : 500;
	}
}

/*
 * One round: @n decisions with ML share @share under @table (pushed as
 * @version), the ML arm's outcomes carrying its source and version as the
 * kernel's do.
 */
static void world_round(struct world *w, const struct mlag_learner *l, void *st,
			const struct mlag_artifact *table, uint64_t version,
			double share, unsigned int n)
{
	memset(w->cost, 0, sizeof(w->cost));
	memset(w->n, 0, sizeof(w->n));
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = (unsigned int)(rnd(w) % KEYS);
		struct mlag_example ex = { 0 };
		double c = fabs(w->noise * gauss(w));

		ex.key = k;
		ex.key_seq = ++w->seq[k];
		ex.decision_id = ++w->id;
		ex.nr_features = 1;
		ex.features[0] = 10 * (int64_t)k;
		ex.arm = (double)(rnd(w) % 10000) < share * 10000;
		if (ex.arm && table->kind) {
			ex.source = table->kind == MLAG_ART_MODEL ? ML_LIB_SRC_MODEL :
				    ML_LIB_SRC_TABLE;
			ex.version = version;
		}
		if (ex.arm)
			mlag_artifact_decide(table, &w->schema, k, ex.features, ex.values);
		else
			mlag_artifact_decide(NULL, &w->schema, k, ex.features, ex.values);
		for (unsigned int a = 0; a < w->schema.nr_actions; a++)
			c += fabs((double)(ex.values[a] - w->f[a][k]));
		ex.cost = (int64_t)llround(c);
		w->cost[ex.arm] += c;
		w->n[ex.arm]++;
		l->observe(st, &ex);
	}
}

static const double share[ML_LIB_MODE_COUNT] = { 0, 0.1, 0.5, 0.95 };

/*
 * Run @rounds rounds: in @fixed mode, or (ML_LIB_MODE_COUNT) LEARNING for
 * the first third, COLLABORATION for the second, RECOMMENDATION after;
 * deploying propose() every 5 rounds.
 */
static void train_in(struct world *w, const struct mlag_learner *l, void *st,
		     struct mlag_artifact *deployed, unsigned int rounds,
		     unsigned int fixed)
{
	struct mlag_artifact pushed = { 0 };
	static uint64_t version;

	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int mode = fixed < ML_LIB_MODE_COUNT ? fixed :
				    r < rounds / 3 ? ML_LIB_MODE_LEARNING :
				    r < 2 * rounds / 3 ? ML_LIB_MODE_COLLABORATION :
				    ML_LIB_MODE_RECOMMENDATION;
		struct mlag_artifact next = { 0 };

		if (!l->explore(st, deployed, mode, &next)) {
			mlag_artifact_free(&pushed);
			pushed = next;
			if (l->pushed)
				l->pushed(st, &pushed, ++version);
		}
		world_round(w, l, st, pushed.kind ? &pushed : deployed, version,
			    share[mode], 1000);
		if (r % 5 == 4) {
			struct mlag_artifact p = { 0 };

			if (!l->propose(st, &p)) {
				mlag_artifact_free(deployed);
				*deployed = p;
				l->adopt(st, deployed);
			}
		}
	}
	mlag_artifact_free(&pushed);
}

static void train(struct world *w, const struct mlag_learner *l, void *st,
		  struct mlag_artifact *deployed, unsigned int rounds)
{
	train_in(w, l, st, deployed, rounds, ML_LIB_MODE_COUNT);
}

static void *create(const struct mlag_learner *l, const struct world *w,
		    const char *key, double value)
{
	double p[64];
	struct mlag_learner_env env = {
		.schema = &w->schema, .params = p, .half_life = 2000, .seed = 7,
	};
	void *st = NULL;
	int i;

	mlag_param_defaults(l->params, l->nr_params, p);
	if (key) {
		i = mlag_param_find(l->params, l->nr_params, key);
		if (i >= 0)
			p[i] = value;
	}
	if (l->create(&env, &st))
		return NULL;
	return st;
}

/* Keys whose deployed values are all within @tol of the optimum. */
static unsigned int keys_near(const struct world *w, const struct mlag_artifact *a,
			      int64_t tol)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < KEYS; k++) {
		int64_t v[ML_LIB_MAX_ACTIONS], x[1] = { 10 * (int64_t)k };
		bool ok = true;

		mlag_artifact_decide(a, &w->schema, k, x, v);
		for (unsigned int j = 0; j < w->schema.nr_actions; j++)
			ok &= llabs(v[j] - w->f[j][k]) <= tol;
		n += ok;
	}
	return n;
}

static void test_contextual_finds_optimum(void)
{
	const struct mlag_learner *l = &mlag_learner_contextual;
	struct mlag_artifact dep = { 0 };
	struct world w;
	void *st;

	world_init(&w, 1, 1);
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = (int64_t)(rnd(&w) % 1001);	/* anywhere in range */
	st = create(l, &w, NULL, 0);
	MT_REQUIRE(st);
	train(&w, l, st, &dep, 450);
	MT_CHECK_EQ(keys_near(&w, &dep, 3), KEYS);
	printf("# figure: contextual: %u of %u keys within 3 of the optimum after "
	       "450k decisions; last round: ML mean cost %.1f, default %.1f\n",
	       keys_near(&w, &dep, 3), KEYS, w.cost[1] / w.n[1], w.cost[0] / w.n[0]);
	MT_CHECK(w.cost[1] / w.n[1] < 0.1 * (w.cost[0] / w.n[0]));

	/* The optimum moves; forget() as on a demotion; found again. */
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = 1000 - w.f[0][k];
	l->forget(st, 0.1);
	train(&w, l, st, &dep, 450);
	MT_CHECK_EQ(keys_near(&w, &dep, 3), KEYS);
	l->destroy(st);
	mlag_artifact_free(&dep);
}

/*
 * Pinned in RECOMMENDATION (no demotion, so no forget()): when the optimum
 * moves, drift detection makes the keys search again; without it, only
 * recency wears the old data out.
 */
static unsigned int moved_optimum(double drift_z, unsigned int rounds)
{
	const struct mlag_learner *l = &mlag_learner_contextual;
	struct mlag_artifact dep = { 0 };
	struct world w;
	unsigned int near;
	void *st;

	world_init(&w, 1, 9);
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = 100 + 40 * k;
	st = create(l, &w, "drift_z", drift_z);
	if (!st)
		return 0;
	train_in(&w, l, st, &dep, 300, ML_LIB_MODE_RECOMMENDATION);
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] += 250;
	train_in(&w, l, st, &dep, rounds, ML_LIB_MODE_RECOMMENDATION);
	near = keys_near(&w, &dep, 3);
	l->destroy(st);
	mlag_artifact_free(&dep);
	return near;
}

static void test_contextual_drift(void)
{
	unsigned int with = moved_optimum(6, 150), without = moved_optimum(0, 150);

	printf("# figure: contextual, pinned in RECOMMENDATION, 150k decisions after "
	       "the optimum moved by 250: %u of %u keys found again with drift "
	       "detection, %u without\n", with, KEYS, without);
	MT_CHECK_EQ(with, KEYS);
	MT_CHECK(without < with, "%u without", without);
}

static void test_contextual_two_actions(void)
{
	const struct mlag_learner *l = &mlag_learner_contextual;
	struct mlag_artifact dep = { 0 };
	struct world w;
	void *st;

	world_init(&w, 2, 2);
	for (unsigned int k = 0; k < KEYS; k++) {
		w.f[0][k] = 50 + 60 * k;
		w.f[1][k] = (int64_t)(rnd(&w) % 601) - 300;
	}
	st = create(l, &w, NULL, 0);
	MT_REQUIRE(st);
	train(&w, l, st, &dep, 900);
	MT_CHECK_EQ(keys_near(&w, &dep, 4), KEYS);
	l->destroy(st);
	mlag_artifact_free(&dep);
}

static void test_contextual_explore_shares(void)
{
	const struct mlag_learner *l = &mlag_learner_contextual;
	struct mlag_artifact dep = { 0 }, t = { 0 };
	struct world w;
	unsigned int probing;
	void *st;

	world_init(&w, 1, 3);
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = 100;
	st = create(l, &w, NULL, 0);
	MT_REQUIRE(st);
	world_round(&w, l, st, &dep, 0, 0, 2000);	/* every key seen */
	/* RECOMMENDATION: at most ceil(0.2 * 16) = 4 keys probe. */
	MT_REQUIRE(l->explore(st, &dep, ML_LIB_MODE_RECOMMENDATION, &t) == 0);
	probing = 0;
	for (unsigned int k = 0; k < KEYS; k++) {
		int64_t v[ML_LIB_MAX_ACTIONS];

		mlag_artifact_decide(&t, &w.schema, k, NULL, v);
		probing += v[0] != 500;
	}
	MT_CHECK(probing >= 1 && probing <= 4, "%u keys probe", probing);
	/* Until the probes have their data, no new table. */
	mlag_artifact_free(&t);
	MT_CHECK_EQ(l->explore(st, &dep, ML_LIB_MODE_RECOMMENDATION, &t), -EAGAIN);
	/* LEARNING: every key may probe. */
	l->forget(st, 1);	/* ends the pending probes */
	MT_REQUIRE(l->explore(st, &dep, ML_LIB_MODE_LEARNING, &t) == 0);
	probing = 0;
	for (unsigned int k = 0; k < KEYS; k++) {
		int64_t v[ML_LIB_MAX_ACTIONS];

		mlag_artifact_decide(&t, &w.schema, k, NULL, v);
		probing += v[0] != 500;
	}
	MT_CHECK_EQ(probing, KEYS);
	mlag_artifact_free(&t);
	l->destroy(st);
}

static void test_contextual_max_keys(void)
{
	const struct mlag_learner *l = &mlag_learner_contextual;
	struct mlag_artifact p = { 0 };
	struct world w;
	void *st;

	world_init(&w, 1, 4);
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = 0;
	st = create(l, &w, "max_keys", 5);
	MT_REQUIRE(st);
	world_round(&w, l, st, &p, 0, 0, 5000);	/* the default arm only: d = 500 */
	MT_REQUIRE(l->propose(st, &p) == 0);
	/* Five keys known, all best at the default: an empty table. */
	MT_CHECK_EQ(p.nr_entries, 0);
	MT_CHECK(p.has_fallback && p.fallback[0] == 500);
	mlag_artifact_free(&p);
	l->destroy(st);
}

static void test_linreg_recovers_line(void)
{
	const struct mlag_learner *l = &mlag_learner_linreg;
	struct mlag_artifact dep = { 0 };
	struct mlag_linreg_line line;
	struct world w;
	void *st;

	world_init(&w, 1, 5);
	/* The best value is linear in the feature x = 10 k: 37 + 1.2 x. */
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = 37 + 12 * k;
	st = create(l, &w, NULL, 0);
	MT_REQUIRE(st);
	MT_CHECK_EQ(mlag_linreg_line(st, 0, &line), -EAGAIN);
	train(&w, l, st, &dep, 300);
	MT_CHECK_EQ(dep.kind, MLAG_ART_MODEL);	/* the default: an in-kernel model */
	MT_REQUIRE(mlag_linreg_line(st, 0, &line) == 0);
	printf("# figure: linreg: fitted d = %.2f + %.4f x (truth 37 + 1.2 x)\n",
	       line.bias, line.coef[0]);
	MT_CHECK(fabs(line.coef[0] - 1.2) < 0.05, "slope %.4f", line.coef[0]);
	MT_CHECK(fabs(line.bias - 37) < 8, "intercept %.2f", line.bias);
	MT_CHECK(keys_near(&w, &dep, 6) >= KEYS - 1, "%u keys near", keys_near(&w, &dep, 6));
	/* The table is the line at each key's feature. */
	for (unsigned int k = 0; k < KEYS; k++) {
		int64_t v[ML_LIB_MAX_ACTIONS];
		struct mlag_artifact p = { 0 };

		if (k == 0) {
			MT_REQUIRE(l->propose(st, &p) == 0);
			mlag_artifact_free(&dep);
			dep = p;
			MT_REQUIRE(mlag_linreg_line(st, 0, &line) == 0);
		}
		int64_t x[1] = { 10 * (int64_t)k };

		mlag_artifact_decide(&dep, &w.schema, k, x, v);
		/* Fixed point: rounding to nearest, at most 1 off the real line. */
		MT_CHECK(llabs(v[0] - llround(line.bias + line.coef[0] * 10 * k)) <= 1,
			 "key %u: %lld", k, (long long)v[0]);
	}
	MT_CHECK_EQ(mlag_linreg_line(st, 1, &line), -EINVAL);
	l->destroy(st);
	mlag_artifact_free(&dep);
}

static void test_linreg_table_mode(void)
{
	const struct mlag_learner *l = &mlag_learner_linreg;
	struct mlag_artifact dep = { 0 };
	struct world w;
	void *st;

	world_init(&w, 1, 8);
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = 900 - 40 * k;
	st = create(l, &w, "model", 0);
	MT_REQUIRE(st);
	train(&w, l, st, &dep, 300);
	MT_CHECK_EQ(dep.kind, MLAG_ART_TABLE);
	MT_CHECK(keys_near(&w, &dep, 6) >= KEYS - 1, "%u keys near", keys_near(&w, &dep, 6));
	l->destroy(st);
	mlag_artifact_free(&dep);
}

static void test_linreg_constant_without_features(void)
{
	const struct mlag_learner *l = &mlag_learner_linreg;
	struct mlag_artifact dep = { 0 };
	struct world w;
	void *st;

	world_init(&w, 1, 6);
	w.schema.nr_features = 0;
	for (unsigned int k = 0; k < KEYS; k++)
		w.f[0][k] = 720;
	st = create(l, &w, NULL, 0);
	MT_REQUIRE(st);
	train(&w, l, st, &dep, 300);
	MT_CHECK(keys_near(&w, &dep, 8) == KEYS, "%u keys near", keys_near(&w, &dep, 8));
	l->destroy(st);
	mlag_artifact_free(&dep);
}

static void test_bad_schemas(void)
{
	struct ml_lib_schema s = { .nr_actions = 0 };
	double p[64] = { 0 };
	struct mlag_learner_env env = { .schema = &s, .params = p, .half_life = 10 };
	unsigned int n;
	const struct mlag_learner *const *l = mlag_learners(&n);
	void *st;

	for (unsigned int i = 0; i < n; i++) {
		mlag_param_defaults(l[i]->params, l[i]->nr_params, p);
		s.nr_actions = 0;
		MT_CHECK_EQ(l[i]->create(&env, &st), -EINVAL);
		s.nr_actions = ML_LIB_MAX_ACTIONS + 1;
		MT_CHECK_EQ(l[i]->create(&env, &st), -EINVAL);
	}
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_contextual_finds_optimum);
	MT_RUN(test_contextual_drift);
	MT_RUN(test_contextual_two_actions);
	MT_RUN(test_contextual_explore_shares);
	MT_RUN(test_contextual_max_keys);
	MT_RUN(test_linreg_recovers_line);
	MT_RUN(test_linreg_table_mode);
	MT_RUN(test_linreg_constant_without_features);
	MT_RUN(test_bad_schemas);
	return mt_summary();
}
