// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the placement learner (user/logblk/lb_learn.c) through the
 * offline loop (lb_sim.c) and of the replayer's model and oracle
 * placements: on a shifting hotspot the learner deploys models whose
 * shadow writes less than the default policy's, and the simulated device
 * with them less than with the policy alone; a configuration is deployed
 * only after passing the margins in several judged rounds in a row, and
 * withdrawn as soon as the default policy improves past it; on
 * uniform writes, where
 * nothing can be learned, it deploys nothing better than the policy; the
 * blocks of a circular log get the log class, a stream of their own;
 * discards reach it as outcomes; a model that always answers -1 replays
 * exactly as the policy; the oracle writes less than any policy; the
 * replayer's WAF series accounts for every block; the learner runs one
 * round per step at most.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb_log2.h"
#include "lb_sim.h"
#include "lb_tree.h"
#include "mltest.h"
#include "model_build.h"

#define N	4096

static struct lbr_trace trace;

/* A new trace with room for @cap records, and its sequential warm-up: @n records. */
static void trace_begin(size_t cap, size_t *n)
{
	*n = 0;
	lbr_free(&trace);
	memset(&trace, 0, sizeof(trace));
	lbt_header_init(&trace.h, N, 16, lb_nr_segs_for_op(N, 16, 18), LB_PLACE_HOTCOLD,
			LB_VICTIM_CB);
	trace.recs = calloc(cap + N / 16, sizeof(*trace.recs));
	MT_REQUIRE(trace.recs);
	for (uint32_t lba = 0; lba < N; lba += 16)
		trace.recs[(*n)++] = (struct lbt_rec){ .op = LBT_WRITE, .lba = lba, .len = 16 };
}

/*
 * A sequential warm-up, then @rounds x N single-block writes: 90% to a
 * tenth of the blocks, drawn again every @period x N writes (0: never),
 * or uniform (@hot 0); @discard per mille of the requests discard 1..4
 * blocks. A mark before the last half.
 */
static void make_trace(double rounds, double period, int hot, int discard)
{
	static uint32_t perm[N];
	uint64_t r = 99, nrand = (uint64_t)(rounds * N), t;
	size_t n;

	trace_begin(nrand + 2, &n);
	for (uint32_t i = 0; i < N; i++)
		perm[i] = i;
	for (t = 0; t < nrand; t++) {
		uint32_t b;

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		if (t == nrand / 2)
			trace.recs[n++] = (struct lbt_rec){ .op = LBT_MARK };
		if (hot && period > 0 && t % (uint64_t)(period * N) == 0) {
			for (uint32_t i = N - 1; i > 0; i--) {
				uint32_t j, x;

				r = r * 6364136223846793005ull + 1442695040888963407ull;
				j = (uint32_t)((r >> 33) % (i + 1));
				x = perm[i];
				perm[i] = perm[j];
				perm[j] = x;
			}
		}
		if (!hot)
			b = (uint32_t)((r >> 33) % N);
		else if ((r >> 20) % 10 < 9)
			b = perm[(r >> 33) % (N / 10)];
		else
			b = perm[N / 10 + (r >> 33) % (N - N / 10)];
		if ((int)((r >> 8) % 1000) < discard) {
			uint32_t len = 1 + (uint32_t)((r >> 4) % 4);

			trace.recs[n++] = (struct lbt_rec){
				.op = LBT_DISCARD, .lba = b, .len = b + len > N ? N - b : len };
			continue;
		}
		trace.recs[n++] = (struct lbt_rec){ .op = LBT_WRITE, .lba = b, .len = 1 };
	}
	trace.nr = n;
}

static void sim_opts(struct lbs_opts *o, unsigned int place, unsigned int victim)
{
	memset(o, 0, sizeof(*o));
	o->g = (struct lb_geometry){ N, 16, lb_nr_segs_for_op(N, 16, 18) };
	o->place = place;
	o->victim = victim;
	o->share = 1;
	o->seed = 1;
	lbl_params_default(&o->p);
}

static double win(const struct lb_stats *a, const struct lb_stats *b)
{
	uint64_t u = a->user_writes - b->user_writes, g = a->gc_writes - b->gc_writes;

	return u ? (double)(u + g) / (double)u : NAN;
}

static double replay_policy(unsigned int place, unsigned int victim)
{
	struct lbr_opts o;
	struct lbr_result r;

	lbr_opts_from_trace(&trace, &o);
	o.how = LBR_POLICY;
	o.place = place;
	o.victim = victim;
	if (lbr_run(&trace, &o, &r))
		return NAN;
	return win(&r.total, &r.at_mark);
}

static void test_learns_the_shift(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct lbs_opts o;
	double p2, p3x, ml, shadow_default, shadow_best = INFINITY;

	MT_REQUIRE(res);
	make_trace(24, 2, 1, 0);
	p2 = replay_policy(LB_PLACE_GCSEP, LB_VICTIM_CB);
	p3x = replay_policy(LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	sim_opts(&o, LB_PLACE_GCSEP, LB_VICTIM_CB);
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	ml = win(&res->total, &res->at_mark);
	shadow_default = win(&res->shadow[0], &res->shadow_mark[0]);
	for (unsigned int k = 1; k <= o.p.nr_cands; k++)
		shadow_best = fmin(shadow_best, win(&res->shadow[k], &res->shadow_mark[k]));
	printf("# shift: p2 %.3f p3x %.3f, the learned placement %.3f; shadows: "
	       "default %.3f best %.3f; %llu models\n", p2, p3x, ml, shadow_default,
	       shadow_best, (unsigned long long)res->models);
	MT_CHECK(res->learner.rounds >= 90, "%llu rounds", (unsigned long long)res->learner.rounds);
	MT_CHECK(res->models > 0);
	MT_CHECK_EQ(res->learner.holes, 0);
	MT_CHECK(res->learner.gc_rows > 0);
	/* The default shadow is the device with the policy alone. */
	MT_CHECK(fabs(shadow_default - p2) < 0.02 * p2, "default shadow %.3f, p2 %.3f",
		 shadow_default, p2);
	MT_CHECK(shadow_best < 0.95 * shadow_default);
	MT_CHECK(ml < 0.95 * fmin(p2, p3x), "learned %.3f, best policy %.3f", ml, fmin(p2, p3x));
	free(res);
}

struct verdicts {
	struct lbl_verdict v[512];	/* their why is not valid after the round */
	bool warned[512];		/* worse than the default, withdrawn if it lasts */
	bool worse[512];		/* withdrawn as worse than the default */
	unsigned int n;
	unsigned int overtaken;		/* withdrawals: the default improving past */
};

static void keep_verdict(void *arg, const struct lbl_verdict *v)
{
	struct verdicts *vs = arg;

	if (vs->n < 512) {
		vs->warned[vs->n] = strstr(v->why, "withdrawn if it still is") != NULL;
		vs->worse[vs->n] = v->withdraw && strstr(v->why, "worse than the default: "
							   "withdraw") != NULL;
		vs->v[vs->n++] = *v;
	}
	vs->overtaken += v->withdraw && strstr(v->why, "improving past") != NULL;
}

/* Did @v's best configuration pass both margins (to be deployed)? */
static bool passes(const struct lbl_params *p, const struct lbl_verdict *v, int c)
{
	return v->judged && v->best == c && v->deployed != c &&
	       v->waf_best < v->waf_default * (1 - p->margin) &&
	       (v->deployed < 0 || v->waf_best < v->waf_cand[v->deployed] * (1 - p->switch_margin));
}

/*
 * A configuration is deployed only once it has passed both margins in
 * @persist judged rounds in a row: a gain over one window is noise on a
 * stationary workload (docs/logblk.md). On the shifting hotspot, where
 * the gains are real, it still deploys and still wins.
 */
static void test_deploys_on_lasting_gains(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct verdicts *vs = calloc(1, sizeof(*vs));
	struct lbs_opts o;
	unsigned int deploys = 0;
	double p2;

	MT_REQUIRE(res && vs);
	make_trace(24, 2, 1, 0);
	p2 = replay_policy(LB_PLACE_GCSEP, LB_VICTIM_CB);
	sim_opts(&o, LB_PLACE_GCSEP, LB_VICTIM_CB);
	MT_CHECK_EQ(o.p.persist, 4u);
	o.round = keep_verdict;
	o.arg = vs;
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	MT_REQUIRE(vs->n > 40 && vs->n < 512);
	for (unsigned int i = 0; i < vs->n; i++) {
		const struct lbl_verdict *v = &vs->v[i];

		if (!v->deploy || v->chosen == v->deployed)
			continue;
		deploys++;
		MT_CHECK(v->streak >= o.p.persist, "round %u: streak %u", i, v->streak);
		MT_REQUIRE(i + 1 >= o.p.persist);
		/*
		 * A switch needs the same configuration in every round; a first
		 * deployment, some configuration passing in every round (the
		 * best may alternate between two that both win), the chosen
		 * one in the last.
		 */
		for (unsigned int k = i + 1 - o.p.persist; k <= i; k++)
			MT_CHECK(passes(&o.p, &vs->v[k], v->deployed < 0 && k < i ?
					vs->v[k].best : v->chosen),
				 "deployed #%d at round %u, but round %u did not pass", v->chosen, i, k);
	}
	printf("# shift: %u deployments, the learned placement %.3f, p2 %.3f\n", deploys,
	       win(&res->total, &res->at_mark), p2);
	MT_CHECK(deploys > 0);
	MT_CHECK(win(&res->total, &res->at_mark) < 0.95 * p2);
	free(vs);
	free(res);
}

/*
 * The deployed configuration is withdrawn as soon as the default policy
 * improves past it over the last @persist rounds (the end of p3x's
 * warm-up on a stationary workload), not only once it is worse over the
 * whole window: every round that keeps a deployed configuration does not
 * meet that condition, every such withdrawal does, and on a stationary
 * hot/cold workload with p3x it happens.
 */
static bool default_improves_past(const struct lbl_params *p, const struct lbl_verdict *v)
{
	return v->waf_default_recent < v->waf_default * (1 - p->margin) &&
	       v->waf_deployed_recent > v->waf_default_recent * (1 + p->margin);
}

static void test_default_overtakes(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct verdicts *vs = calloc(1, sizeof(*vs));
	struct lbs_opts o;
	unsigned int i, kept = 0, overtaken = 0;
	double p3x;

	MT_REQUIRE(res && vs);
	make_trace(24, 0, 1, 0);
	p3x = replay_policy(LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	sim_opts(&o, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	o.round = keep_verdict;
	o.arg = vs;
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	MT_REQUIRE(vs->n > 40 && vs->n < 512);
	for (i = 0; i < vs->n; i++) {
		const struct lbl_verdict *v = &vs->v[i];

		/* Rounds judged behind, or deciding a switch, follow other rules. */
		if (!v->judged || v->deployed < 0 || v->lag > (uint64_t)(o.p.max_lag * N) ||
		    v->streak >= o.p.persist)
			continue;
		if (v->chosen == v->deployed && !v->withdraw) {
			kept++;
			MT_CHECK(!isnan(v->waf_default_recent) && !isnan(v->waf_deployed_recent),
				 "round %u", i);
			MT_CHECK(!default_improves_past(&o.p, v), "round %u kept #%d: default "
				 "%.3f recently %.3f, deployed recently %.3f", i, v->deployed,
				 v->waf_default, v->waf_default_recent, v->waf_deployed_recent);
		} else if (v->withdraw && default_improves_past(&o.p, v)) {
			overtaken++;
		}
	}
	printf("# hot/cold 90/10, p3x %.3f, the learned placement %.3f: %u rounds kept a "
	       "configuration, %u withdrawals as the default improved past it, %llu models\n",
	       p3x, win(&res->total, &res->at_mark), kept, overtaken,
	       (unsigned long long)res->models);
	MT_CHECK(overtaken > 0);
	MT_CHECK_EQ(overtaken, vs->overtaken);
	MT_CHECK(win(&res->total, &res->at_mark) < 1.02 * p3x);
	free(vs);
	free(res);
}

/*
 * The deployed configuration is withdrawn as worse than the default only
 * once it has been worse by the margin in withdraw_rounds judged rounds in
 * a row; before that its model stays (one round over the margin after a
 * move of a slowly shifting hotspot is not a lasting loss). With
 * withdraw_rounds = 1, on the first such round.
 */
static void test_withdraws_on_lasting_loss(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct verdicts *vs = calloc(1, sizeof(*vs));
	unsigned int w, i, warned, worse;
	struct lbs_opts o;

	MT_REQUIRE(res && vs);
	make_trace(24, 4, 1, 0);
	for (w = 1; w <= 2; w++) {
		sim_opts(&o, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
		MT_CHECK_EQ(o.p.withdraw_rounds, 2u);
		o.p.withdraw_rounds = w;
		o.round = keep_verdict;
		o.arg = vs;
		memset(vs, 0, sizeof(*vs));
		MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
		MT_REQUIRE(vs->n > 40 && vs->n < 512);
		warned = 0;
		worse = 0;
		for (i = 0; i < vs->n; i++) {
			const struct lbl_verdict *v = &vs->v[i];

			if (vs->warned[i]) {
				warned++;
				MT_CHECK(v->deployed >= 0 && v->deploy && !v->withdraw &&
					 v->chosen == v->deployed, "round %u", i);
				MT_CHECK(v->waf_cand[v->deployed] > v->waf_default * (1 + o.p.margin),
					 "round %u: warned at %.3f, default %.3f", i,
					 v->waf_cand[v->deployed], v->waf_default);
				MT_CHECK(i == 0 || !vs->warned[i - 1], "round %u: warned twice", i);
			}
			if (vs->worse[i]) {
				worse++;
				MT_CHECK(w == 1 || (i > 0 && vs->warned[i - 1] &&
						    vs->v[i - 1].deployed == v->deployed),
					 "round %u: withdrawn without a warning", i);
			}
		}
		printf("# slow shift, p3x, withdraw_rounds %u: %u rounds worse but kept, "
		       "%u withdrawals as worse\n", w, warned, worse);
		if (w == 1) {
			MT_CHECK_EQ(warned, 0u);
			MT_CHECK(worse > 0);
		} else {
			MT_CHECK(warned > 0);
		}
	}
	free(vs);
	free(res);
}

/*
 * A circular log (a journal: 128 blocks rewritten in order, 8 at a time,
 * half the writes) among uniform random writes: its blocks' lifetimes do
 * not spread, so the models class them LB_CLASS_LOG, a stream of their
 * own whose segments die whole; never with log_sd = 0.
 */
static void make_log_trace(double rounds)
{
	uint64_t r = 5, nrand = (uint64_t)(rounds * N), t;
	uint32_t head = 0;
	size_t n;

	trace_begin(nrand + nrand / 8 + 2, &n);
	for (t = 0; t < nrand; t++) {
		if (t == nrand / 2)
			trace.recs[n++] = (struct lbt_rec){ .op = LBT_MARK };
		if (t % 8 == 0) {
			trace.recs[n++] = (struct lbt_rec){ .op = LBT_WRITE, .lba = head, .len = 8 };
			head = (head + 8) % 128;
		}
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		trace.recs[n++] = (struct lbt_rec){
			.op = LBT_WRITE, .lba = 128 + (r >> 33) % (N - 128), .len = 1 };
	}
	trace.nr = n;
}

static void test_log_class(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct lbs_opts o;
	double p3x, ml;
	uint64_t log_writes = 0;

	MT_REQUIRE(res);
	make_log_trace(12);
	p3x = replay_policy(LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	sim_opts(&o, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	ml = win(&res->total, &res->at_mark);
	for (unsigned int k = 1; k <= o.p.nr_cands; k++)
		log_writes += res->shadow[k].stream_user[LB_LOG_STREAM];
	printf("# log: p3x %.3f, the learned placement %.3f; %llu blocks to the log stream, "
	       "%llu in the configurations' shadows\n", p3x, ml,
	       (unsigned long long)res->total.stream_user[LB_LOG_STREAM],
	       (unsigned long long)log_writes);
	MT_CHECK(res->models > 0);
	MT_CHECK(res->total.stream_user[LB_LOG_STREAM] > N, "%llu",
		 (unsigned long long)res->total.stream_user[LB_LOG_STREAM]);
	MT_CHECK_EQ(res->shadow[0].stream_user[LB_LOG_STREAM], 0);
	MT_CHECK(ml < 1.02 * p3x, "learned %.3f, p3x %.3f", ml, p3x);
	/* Without the log class, no block goes there. */
	o.p.log_sd = 0;
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	for (unsigned int k = 0; k <= o.p.nr_cands; k++)
		MT_CHECK_EQ(res->shadow[k].stream_user[LB_LOG_STREAM], 0);
	MT_CHECK_EQ(res->total.stream_user[LB_LOG_STREAM], 0);
	free(res);
}

struct lag_count {
	uint64_t max_lag;
	unsigned int rounds, behind, deployed_behind, unexplained;
};

/* A verdict's reason lives until the next round: read it now. */
static void count_lag(void *arg, const struct lbl_verdict *v)
{
	struct lag_count *c = arg;

	c->rounds++;
	if (v->lag <= c->max_lag)
		return;
	c->behind++;
	c->deployed_behind += v->deploy;
	c->unexplained += !strstr(v->why, "behind");
}

/*
 * An agent slower than the device judges writes long past: once a round is
 * judged more than max_lag behind the newest write, nothing is deployed and
 * a deployed model is withdrawn (docs/logblk.md: a guest run on a loaded
 * machine ended 10% above the policy on fio zipf 0.8). Three times slower,
 * it falls behind before the first full window: the device is the policy's,
 * exactly. 1.2 times slower, it may deploy while it keeps up, and withdraws
 * once behind: every verdict from then on says why.
 */
static void test_slow_agent_steps_aside(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct lag_count c = { 0 };
	struct lbs_opts o;
	double p2, ml;

	MT_REQUIRE(res);
	make_trace(24, 2, 1, 0);
	p2 = replay_policy(LB_PLACE_GCSEP, LB_VICTIM_CB);
	sim_opts(&o, LB_PLACE_GCSEP, LB_VICTIM_CB);
	o.slow = 3;
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	ml = win(&res->total, &res->at_mark);
	printf("# shift, an agent 3x slower: %.3f, p2 %.3f, %llu models\n", ml, p2,
	       (unsigned long long)res->models);
	MT_CHECK(res->learner.rounds > 4);
	MT_CHECK_EQ(res->models, 0);
	MT_CHECK(ml == p2, "learned %.3f, p2 %.3f", ml, p2);

	o.slow = 1.2;
	o.round = count_lag;
	o.arg = &c;
	c.max_lag = (uint64_t)(o.p.max_lag * N);
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	printf("# shift, an agent 1.2x slower: %u of %u rounds judged behind, %llu models\n",
	       c.behind, c.rounds, (unsigned long long)res->models);
	MT_CHECK(c.behind > 0 && c.behind < c.rounds, "%u of %u behind", c.behind, c.rounds);
	MT_CHECK_EQ(c.deployed_behind, 0);
	MT_CHECK_EQ(c.unexplained, 0);
	free(res);
}

/* Uniform writes: nothing to learn; the device stays as good as the policy. */
static void test_uniform_no_harm(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct lbs_opts o;
	double p1, ml;

	MT_REQUIRE(res);
	make_trace(16, 0, 0, 0);
	p1 = replay_policy(LB_PLACE_MIXED, LB_VICTIM_GREEDY);
	sim_opts(&o, LB_PLACE_MIXED, LB_VICTIM_GREEDY);
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	ml = win(&res->total, &res->at_mark);
	printf("# uniform: p1 %.3f, with the learner %.3f, %llu models\n", p1, ml,
	       (unsigned long long)res->models);
	MT_CHECK(ml < 1.02 * p1, "learned %.3f, p1 %.3f", ml, p1);
	free(res);
}

/* Discards reach the learner as outcomes and its shadows apply them. */
static void test_discards(void)
{
	struct lbs_result *res = calloc(1, sizeof(*res));
	struct lbs_opts o;

	MT_REQUIRE(res);
	make_trace(6, 2, 1, 50);
	sim_opts(&o, LB_PLACE_HOTCOLD, LB_VICTIM_CB);
	MT_REQUIRE(lbs_run(&trace, &o, res) == 0);
	MT_CHECK(res->learner.discards > 1000, "%llu discards",
		 (unsigned long long)res->learner.discards);
	MT_CHECK(res->learner.deaths >= res->learner.discards);
	free(res);
}

static int64_t minus_one(const struct lbt_tree *t, unsigned int node, void *arg)
{
	(void)t;
	(void)node;
	(void)arg;
	return LBP_POLICY;
}

/*
 * A model that always answers -1 leaves everything to the policy: replayed
 * with it, every counter equals the policy's. The oracle does better than
 * every policy.
 */
static void test_replay_model_and_oracle(void)
{
	static const unsigned int places[] = { LB_PLACE_MIXED, LB_PLACE_GCSEP,
					       LB_PLACE_HOTCOLD, LB_PLACE_SEPBIT };
	struct lbt_tree one = { .nr_nodes = 1, .left = { -1 }, .right = { -1 } };
	struct lbr_result a, b, orc;
	struct lbr_oracle best;
	struct lbp_model m;
	struct lbr_opts o;
	unsigned int victim;
	double best_policy = INFINITY;
	void *blob;
	size_t len;

	make_trace(8, 2, 1, 20);
	MT_REQUIRE(lbt_compile(&one, LBF_NR, 5, minus_one, NULL, &blob, &len) == 0);
	MT_REQUIRE(lbp_model_load(&m, blob, len, NULL) == 0);
	free(blob);
	for (size_t i = 0; i < 4; i++) {
		lbr_opts_from_trace(&trace, &o);
		o.place = places[i];
		o.victim = LB_VICTIM_CB;
		o.how = LBR_POLICY;
		MT_REQUIRE(lbr_run(&trace, &o, &a) == 0);
		o.how = LBR_MODEL;
		o.model = &m;
		MT_REQUIRE(lbr_run(&trace, &o, &b) == 0);
		MT_CHECK(!memcmp(&a.total, &b.total, sizeof(a.total)), "placement %zu", i);
		MT_CHECK(b.gc_advised > 0);
		best_policy = fmin(best_policy, win(&a.total, &a.at_mark));
	}
	lbp_model_free(&m);
	lbr_opts_from_trace(&trace, &o);
	MT_REQUIRE(lbr_best_oracle(&trace, &o, &orc, &best, &victim) == 0);
	printf("# oracle %.3f (%g N, x%g, %u classes, %s), best policy %.3f\n",
	       win(&orc.total, &orc.at_mark), best.base / N, best.ratio, best.classes,
	       lb_victim_name(victim), best_policy);
	MT_CHECK(win(&orc.total, &orc.at_mark) < 0.8 * best_policy);
	/* The oracle's options are checked. */
	o.how = LBR_ORACLE;
	o.oracle = (struct lbr_oracle){ 1000, 2, 1 };
	MT_CHECK_EQ(lbr_run(&trace, &o, &orc), -EINVAL);
}

/*
 * The in-sample fit. A fixed hot tenth (blocks 0..N/10 - 1: the region
 * tells them apart): the learner's trees fitted on the true lifetimes
 * separate hot from cold and beat the mixed policy by far, never the
 * oracle; their rows are every user write and every GC move of the
 * policy. Uniform writes: nothing to learn; the fit may still place user
 * writes and GC moves apart, better than p2 does, but comes nowhere near
 * the oracle. Deterministic. Rows are collected under a policy only.
 */
static void test_replay_fit(void)
{
	static const unsigned int places[] = { LB_PLACE_MIXED, LB_PLACE_GCSEP,
					       LB_PLACE_HOTCOLD, LB_PLACE_SEPBIT };
	struct lbr_result pol, fit, again, orc;
	struct lbr_fit f, f2;
	struct lbr_oracle ob;
	struct lbr_opts o;
	unsigned int v, v2, vo;
	double best_policy = INFINITY;

	make_trace(8, 0, 1, 0);
	lbr_opts_from_trace(&trace, &o);
	o.place = LB_PLACE_MIXED;
	o.victim = LB_VICTIM_GREEDY;
	o.how = LBR_POLICY;
	o.follow_policy = false;
	MT_REQUIRE(lbr_run(&trace, &o, &pol) == 0);
	MT_REQUIRE(lbr_best_fit(&trace, &o, &fit, &f, &v) == 0);
	MT_REQUIRE(lbr_best_oracle(&trace, &o, &orc, &ob, &vo) == 0);
	printf("# hot tenth: p1 %.3f, fit %.3f (%g N, x%g, %s, %s, %u leaves), oracle %.3f\n",
	       win(&pol.total, &pol.at_mark), win(&fit.total, &fit.at_mark), f.base / N,
	       f.ratio, f.log ? "log" : "no log", lb_victim_name(v), f.leaves,
	       win(&orc.total, &orc.at_mark));
	MT_CHECK_EQ(f.rows[0], pol.total.user_writes);
	MT_CHECK_EQ(f.rows[1], pol.total.gc_writes);
	MT_CHECK(f.leaves > 2);
	MT_CHECK(fit.gc_advised > 0);
	MT_CHECK(win(&fit.total, &fit.at_mark) < 0.8 * win(&pol.total, &pol.at_mark));
	MT_CHECK(win(&fit.total, &fit.at_mark) >= win(&orc.total, &orc.at_mark));
	MT_REQUIRE(lbr_best_fit(&trace, &o, &again, &f2, &v2) == 0);
	MT_CHECK(!memcmp(&fit.total, &again.total, sizeof(fit.total)));
	MT_CHECK(f.base == f2.base && f.ratio == f2.ratio && f.log == f2.log && v == v2);

	make_trace(8, 0, 0, 0);
	for (size_t i = 0; i < 4; i++) {
		lbr_opts_from_trace(&trace, &o);
		o.place = places[i];
		o.how = LBR_POLICY;
		o.follow_policy = false;
		MT_REQUIRE(lbr_run(&trace, &o, &pol) == 0);
		best_policy = fmin(best_policy, win(&pol.total, &pol.at_mark));
	}
	MT_REQUIRE(lbr_best_fit(&trace, &o, &fit, &f, &v) == 0);
	MT_REQUIRE(lbr_best_oracle(&trace, &o, &orc, &ob, &vo) == 0);
	printf("# uniform: best policy %.3f, fit %.3f, oracle %.3f\n", best_policy,
	       win(&fit.total, &fit.at_mark), win(&orc.total, &orc.at_mark));
	MT_CHECK(win(&fit.total, &fit.at_mark) > 0.9 * best_policy);

	o.rows = (struct lbr_rows *)&f;		/* never read: refused first */
	o.how = LBR_AS_TRACED;
	MT_CHECK_EQ(lbr_run(&trace, &o, &pol), -EINVAL);
}

/*
 * --series: one point every B user blocks, each the WAF of those B
 * blocks; together they account for every block written.
 */
static void test_replay_series(void)
{
	const uint64_t B = N / 4;
	struct lbr_result r;
	struct lbr_opts o;
	uint64_t points = 0, last = 0, at;
	double waf, sum = 0;

	make_trace(4, 2, 1, 0);
	lbr_opts_from_trace(&trace, &o);
	o.how = LBR_POLICY;
	o.series = B;
	o.series_out = tmpfile();
	MT_REQUIRE(o.series_out);
	MT_REQUIRE(lbr_run(&trace, &o, &r) == 0);
	rewind(o.series_out);
	while (fscanf(o.series_out, "%" SCNu64 " %lf", &at, &waf) == 2) {
		MT_CHECK_EQ(at, last + B);
		MT_CHECK(waf >= 1.0, "point %" PRIu64 ": %f", at, waf);
		last = at;
		sum += waf;
		points++;
	}
	fclose(o.series_out);
	/* Single-block writes only: the last block written ends a point. */
	MT_CHECK_EQ(points, r.total.user_writes / B);
	MT_CHECK_EQ(r.total.user_writes % B, 0);
	MT_CHECK(r.total.gc_writes > 0);
	MT_CHECK(fabs(sum * (double)B - (double)(r.total.user_writes + r.total.gc_writes)) <
		 (double)points * (double)B * 1e-4, "points %.1f, device %" PRIu64,
		 sum * (double)B, r.total.user_writes + r.total.gc_writes);
}

static void count_call(void *arg)
{
	++*(uint64_t *)arg;
}

/*
 * lbl_step() runs one round at most per call, however far behind it is
 * (the agent heart-beats between calls), and catches up over calls; within
 * a call, the shadows' catch-up and each configuration's training call the
 * keepalive (the agent heart-beats if one is due).
 */
/*
 * A learner with the default parameters @p, given @n writes at once: a
 * sequential warm-up, then random single blocks (no features but the
 * tick). Its keepalives count in @alive.
 */
static struct lbl *fed_learner(uint64_t n, struct lbl_params *p, uint64_t *alive)
{
	struct lb_geometry g = { N, 16, lb_nr_segs_for_op(N, 16, 18) };
	int64_t f[LBF_NR] = { 0 };
	uint64_t r = 7;
	struct lbl *l;

	lbl_params_default(p);
	if (lbl_create(&g, LB_PLACE_GCSEP, LB_VICTIM_CB, p, &l))
		return NULL;
	lbl_set_keepalive(l, count_call, alive);
	for (uint64_t t = 0; t < n; t++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		f[LBF_TICK] = (int64_t)t;	/* the device's clock: blocks written */
		lbl_write(l, t < N ? (uint32_t)t : (uint32_t)((r >> 33) % N), t + 1, f);
	}
	return l;
}

static void test_one_round_per_step(void)
{
	struct lbl_stats st;
	struct lbl_params p;
	uint64_t prev = 0, calls = 0, alive = 0;
	struct lbl *l = fed_learner(3 * N, &p, &alive);

	MT_REQUIRE(l);
	for (;;) {
		void *blob = NULL;
		size_t len;
		int ret = lbl_step(l, NULL, &blob, &len);

		MT_REQUIRE(ret >= 0);
		free(blob);
		lbl_get_stats(l, &st);
		calls++;
		MT_CHECK(st.rounds <= prev + 1, "call %" PRIu64 ": %" PRIu64 " rounds after %" PRIu64,
			 calls, st.rounds, prev);
		if (st.rounds == prev)
			break;
		prev = st.rounds;
	}
	/* 3 N writes, a round every N / 4, the newest N / 64 held back. */
	MT_CHECK(st.rounds >= 10, "%" PRIu64 " rounds", st.rounds);
	MT_CHECK(calls >= st.rounds);
	MT_CHECK(alive >= st.shadow_tick / 1024 + st.rounds * p.nr_cands,
		 "%" PRIu64 " keepalives for %" PRIu64 " ticks, %" PRIu64 " rounds", alive,
		 st.shadow_tick, st.rounds);
	lbl_destroy(l);
}

/*
 * A round trains the configurations its verdict needs, and the model goes
 * out; the others train at the next call, before the shadows go past the
 * round (under emulation the training is most of a second, and a model
 * that late cost 1.5-2.5% on the slow shifting hotspot). Once every
 * configuration has a model, a round needs only the best: the step that
 * ran it returns with the shadows waiting at its tick, and the next one
 * moves them on.
 */
static void test_model_before_the_rest(void)
{
	struct lbl_stats st;
	struct lbl_params p;
	uint64_t rounds = 0, waits = 0, waiting = 0, alive = 0;
	struct lbl *l = fed_learner(4 * N, &p, &alive);

	MT_REQUIRE(l);
	for (;;) {
		struct lbl_verdict v = { 0 };
		void *blob = NULL;
		size_t len;

		MT_REQUIRE(lbl_step(l, &v, &blob, &len) >= 0);
		free(blob);
		lbl_get_stats(l, &st);
		if (waiting) {
			MT_CHECK(st.shadow_tick > waiting, "the shadows still wait at %" PRIu64,
				 waiting);
			waiting = 0;
		}
		if (st.rounds == rounds)
			break;
		rounds = st.rounds;
		if (st.shadow_tick == v.tick) {
			waits++;
			waiting = v.tick;
		}
	}
	/*
	 * The first rounds train every configuration: until the slow one has
	 * rows of labels seen for N, it has no model.
	 */
	MT_CHECK(rounds >= 12, "%" PRIu64 " rounds", rounds);
	MT_CHECK(waits >= rounds / 3 && waits < rounds, "%" PRIu64 " of %" PRIu64 " rounds waited",
		 waits, rounds);
	lbl_destroy(l);
}

/* The labels' log2 (lb_log2.h): exact at powers of two, within 3e-6 elsewhere. */
static void test_log2_fixed(void)
{
	static struct lb_log2 lg;
	const double one = 1 << LB_LOG2_SHIFT;
	double worst = 0;
	uint64_t r = 5, at = 0;

	lb_log2_init(&lg);
	for (unsigned int e = 0; e < 64; e++)
		MT_CHECK_EQ(lb_log2_fixed(&lg, 1ull << e), (int64_t)e << LB_LOG2_SHIFT);
	for (uint64_t k = 0; k < 3000000; k++) {
		uint64_t v;
		double err;

		if (k < 1000000) {
			v = k + 1;
		} else {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			v = (r >> (r & 63)) | 1;
		}
		err = fabs(lb_log2_fixed(&lg, v) / one - log2((double)v));
		if (err > worst) {
			worst = err;
			at = v;
		}
	}
	MT_CHECK(worst < 3e-6, "off by %.3g at %" PRIu64, worst, at);
}

/*
 * lbs_opts.delay (logblk-learn --delay): each model reaches the device
 * that many device sizes after its round. A delay longer than the run:
 * no model ever arrives, and the device is the default policy's, exactly
 * as the replayer places; a round: models arrive, later than without.
 */
static void test_delayed_models(void)
{
	struct lbs_result *r0 = calloc(1, sizeof(*r0)), *r1 = calloc(1, sizeof(*r1));
	struct lbs_opts o;
	double p2;

	MT_REQUIRE(r0 && r1);
	make_trace(12, 2, 1, 0);
	p2 = replay_policy(LB_PLACE_GCSEP, LB_VICTIM_CB);
	sim_opts(&o, LB_PLACE_GCSEP, LB_VICTIM_CB);
	MT_REQUIRE(lbs_run(&trace, &o, r0) == 0);
	o.delay = 0.25;
	MT_REQUIRE(lbs_run(&trace, &o, r1) == 0);
	printf("# shift: p2 %.3f, models at once %.3f (%llu), a round later %.3f (%llu)\n", p2,
	       win(&r0->total, &r0->at_mark), (unsigned long long)r0->models,
	       win(&r1->total, &r1->at_mark), (unsigned long long)r1->models);
	MT_CHECK(r0->models > 0 && r1->models > 0);
	MT_CHECK(win(&r1->total, &r1->at_mark) != win(&r0->total, &r0->at_mark));
	o.delay = 64;
	MT_REQUIRE(lbs_run(&trace, &o, r1) == 0);
	MT_CHECK_EQ(r1->models, 0);
	MT_CHECK(r1->learner.deployed > 0);
	MT_CHECK(win(&r1->total, &r1->at_mark) == p2, "%.6f, p2 %.6f",
		 win(&r1->total, &r1->at_mark), p2);
	o.delay = -0.5;
	MT_CHECK_EQ(lbs_run(&trace, &o, r1), -EINVAL);
	o.delay = NAN;
	MT_CHECK_EQ(lbs_run(&trace, &o, r1), -EINVAL);
	free(r0);
	free(r1);
}

/*
 * The learner keeps the writes after each phase change (the device's
 * writes suddenly went to long-unwritten blocks: a slowly moving hot set)
 * for its training sets, once their short lives are seen; but not after a
 * fill, whose writes are first writes. A stream of features: a fill (age
 * 0, never written), then rewrites of recently written blocks (age bin
 * 2), with a burst of 1000 writes of long-unwritten ones (age bin 60)
 * every 4 device sizes from 8 N on. (The phase detector's slow mean
 * starts at 0 and weighs 65,536 writes: the bursts count from 8 N. It
 * weighs writes, not device sizes, so on a device of 4096 blocks a real
 * hot set's move is too short to fire it: hence the made-up features.)
 * Returns the aftermaths kept (UINT64_MAX: no learner).
 */
static uint64_t bursts_kept(double phase_keep, uint64_t n)
{
	struct lb_geometry g = { N, 16, lb_nr_segs_for_op(N, 16, 18) };
	int64_t f[LBF_NR] = { 0 };
	struct lbl_params p;
	struct lbl_stats st;
	struct lbl *l;
	uint64_t r = 7;

	lbl_params_default(&p);
	p.phase_keep = phase_keep;
	if (lbl_create(&g, LB_PLACE_GCSEP, LB_VICTIM_CB, &p, &l))
		return UINT64_MAX;
	for (uint64_t t = 0; t < n; t++) {
		uint64_t in = t % (4 * N);

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		f[LBF_TICK] = (int64_t)t;
		f[LBF_AGE] = t < N ? 0 : t >= 8 * N && in < 1000 ? 60 : 2;
		lbl_write(l, t < N ? (uint32_t)t : (uint32_t)((r >> 33) % N), t + 1, f);
		if (t % 256 == 255) {
			void *blob = NULL;
			size_t len;

			if (lbl_step(l, NULL, &blob, &len) < 0)
				break;
			free(blob);
		}
	}
	lbl_get_stats(l, &st);
	lbl_destroy(l);
	return st.kept;
}

static void test_keeps_the_last_move(void)
{
	/* Bursts at 8, 12, 16 and 20 N, each kept 1 N after it. */
	MT_CHECK_EQ(bursts_kept(0.5, 22 * N), 4);
	MT_CHECK_EQ(bursts_kept(0.5, 20 * N), 3);
	MT_CHECK_EQ(bursts_kept(0, 22 * N), 0);
	/* The fill alone is not kept. */
	MT_CHECK_EQ(bursts_kept(0.5, 8 * N), 0);
}

static void test_bad_params(void)
{
	struct lb_geometry g = { N, 16, lb_nr_segs_for_op(N, 16, 18) };
	struct lbl_params p;
	struct lbl *l;

	lbl_params_default(&p);
	p.feature_mask |= 1u << LBF_TICK;
	MT_CHECK_EQ(lbl_create(&g, 0, 0, &p, &l), -EINVAL);
	lbl_params_default(&p);
	p.nr_cands = 0;
	MT_CHECK_EQ(lbl_create(&g, 0, 0, &p, &l), -EINVAL);
	lbl_params_default(&p);
	p.cand[0].th_ratio = 0.5;
	MT_CHECK_EQ(lbl_create(&g, 0, 0, &p, &l), -EINVAL);
	lbl_params_default(&p);
	p.persist = 0;
	MT_CHECK_EQ(lbl_create(&g, 0, 0, &p, &l), -EINVAL);
	lbl_params_default(&p);
	p.withdraw_rounds = 0;
	MT_CHECK_EQ(lbl_create(&g, 0, 0, &p, &l), -EINVAL);
	for (unsigned int i = 0; i < 3; i++) {
		lbl_params_default(&p);
		p.phase_keep = (double[]){ -0.1, 1.5, NAN }[i];
		MT_CHECK_EQ(lbl_create(&g, 0, 0, &p, &l), -EINVAL);
	}
	lbl_params_default(&p);
	g.nr_segs = 10;
	MT_CHECK_EQ(lbl_create(&g, 0, 0, &p, &l), -EINVAL);
	g.nr_segs = lb_nr_segs_for_op(N, 16, 18);
	MT_REQUIRE(lbl_create(&g, 0, 0, &p, &l) == 0);
	MT_CHECK(lbl_adopt(l, "garbage", 7) < 0);
	MT_CHECK_EQ(lbl_adopt(l, NULL, 0), 0);
	lbl_destroy(l);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_learns_the_shift);
	MT_RUN(test_deploys_on_lasting_gains);
	MT_RUN(test_default_overtakes);
	MT_RUN(test_withdraws_on_lasting_loss);
	MT_RUN(test_uniform_no_harm);
	MT_RUN(test_log_class);
	MT_RUN(test_discards);
	MT_RUN(test_replay_model_and_oracle);
	MT_RUN(test_replay_fit);
	MT_RUN(test_replay_series);
	MT_RUN(test_one_round_per_step);
	MT_RUN(test_model_before_the_rest);
	MT_RUN(test_log2_fixed);
	MT_RUN(test_delayed_models);
	MT_RUN(test_keeps_the_last_move);
	MT_RUN(test_slow_agent_steps_aside);
	MT_RUN(test_bad_params);
	lbr_free(&trace);
	return mt_summary();
}
