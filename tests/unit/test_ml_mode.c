// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of core/ml_mode: the statistics of a window, the knobs, every
 * emergency trigger, and simulations that drive the controller with seeded
 * synthetic cost streams, splitting decisions between the arms with each
 * mode's ML share as ml_lib.ko does.
 *
 * The simulations print their figures as "# figure: ..." lines; docs/modes.md
 * quotes them (`build/unit/test_ml_mode sim_` prints them all).
 */
#include <math.h>
#include "ml_mode.h"
#include "mltest.h"

/* Random numbers: xorshift64*, seeded per run. ------------------------- */

static u64 rnd(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double uniform(u64 *s)	/* (0, 1] */
{
	return ((rnd(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

static double gauss(u64 *s)
{
	return sqrt(-2 * log(uniform(s))) * cos(6.283185307179586 * uniform(s));
}

/* Cost distributions of an arm. ---------------------------------------- */

enum dist_kind {
	D_NORMAL,	/* mean, sd */
	D_EXP,		/* exponential: sd = mean */
	D_SPIKY,	/* 95% normal(0.7 mean, 0.2 mean), 5% + exp(6 mean) */
	D_CONST,	/* always mean */
	D_EXTREME,	/* uniform over +-2^31 and beyond (clamped by ml_stats) */
};

struct dist {
	enum dist_kind kind;
	double mean;
	double sd;
};

static s64 draw(const struct dist *d, u64 *s)
{
	double c;

	switch (d->kind) {
	case D_NORMAL:
		c = d->mean + d->sd * gauss(s);
		break;
	case D_EXP:
		c = -d->mean * log(uniform(s));
		break;
	case D_SPIKY:
		c = 0.7 * d->mean + 0.2 * d->mean * gauss(s);
		if (uniform(s) <= 0.05)
			c += -6 * d->mean * log(uniform(s));
		break;
	case D_CONST:
		return (s64)d->mean;
	case D_EXTREME:
	default:
		return (s64)(rnd(s) >> 30) - (1LL << 33) + (s64)d->mean;
	}
	return (s64)llround(c);
}

/* The simulated proxy. -------------------------------------------------- */

/* ML share of each mode in basis points, as the kernel's defaults. */
static const u32 share_bp[ML_LIB_MODE_COUNT] = { 0, 1000, 5000, 9500 };

#define STEP_EVERY	50	/* outcomes between evaluations; 1 outcome = 1 ms */
#define NEVER		UINT64_MAX

struct sim {
	struct ml_mode_params p;
	struct ml_mode_state st;
	struct ml_mode_inputs in;
	struct ml_mode_report rep;
	u64 rng;
	u64 outcomes;
	struct dist arm[ML_LIB_ARM_COUNT];
	/* optional: the ML arm's distribution in a given mode (share-dependent effects) */
	const struct dist *ml_in_mode[ML_LIB_MODE_COUNT];
	u64 first_in[ML_LIB_MODE_COUNT];	/* outcomes when each mode was first entered */
	u64 last_change;			/* outcomes at the last transition */
	unsigned int transitions, promotions, demotions;
	u16 last_reason;
	u64 windows;
};

static void sim_step(struct sim *s)
{
	s->in.now_ms = s->outcomes;
	ml_mode_step(&s->st, &s->p, &s->in, &s->rep);
	if (s->rep.window_closed)
		s->windows++;
	if (s->rep.reason == ML_LIB_REASON_NONE)
		return;
	s->transitions++;
	s->last_change = s->outcomes;
	s->last_reason = s->rep.reason;
	s->promotions += s->rep.reason == ML_LIB_REASON_PROMOTED;
	s->demotions += s->rep.reason == ML_LIB_REASON_DEMOTED;
	if (s->first_in[s->rep.mode] == NEVER)
		s->first_in[s->rep.mode] = s->outcomes;
}

/* A proxy with an agent attached: the first step enters LEARNING. */
static void sim_init(struct sim *s, u64 seed, struct dist ml, struct dist def)
{
	memset(s, 0, sizeof(*s));
	ml_mode_params_default(&s->p);
	ml_mode_init(&s->st);
	s->rng = 0x9e3779b97f4a7c15ULL ^ (seed * 0xbf58476d1ce4e5b9ULL);
	if (!s->rng)
		s->rng = 1;
	s->arm[ML_LIB_ARM_ML] = ml;
	s->arm[ML_LIB_ARM_DEFAULT] = def;
	for (int m = 0; m < ML_LIB_MODE_COUNT; m++)
		s->first_in[m] = NEVER;
	s->in.pin = ML_LIB_MODE_AUTO;
	s->in.started = true;
	s->in.attached = true;
	sim_step(s);
}

/* A proxy that the controller had promoted to @mode earlier. */
static void sim_start_in(struct sim *s, enum ml_lib_mode mode)
{
	s->st.mode = mode;
	s->st.auto_mode = mode;
}

/* Run @n decisions: arm drawn with the mode's share, cost drawn, outcome added. */
static void sim_run(struct sim *s, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		int arm = rnd(&s->rng) % 10000 < share_bp[s->st.mode] ?
			  ML_LIB_ARM_ML : ML_LIB_ARM_DEFAULT;
		const struct dist *d = &s->arm[arm];

		if (arm == ML_LIB_ARM_ML && s->ml_in_mode[s->st.mode])
			d = s->ml_in_mode[s->st.mode];
		ml_stats_add(&s->in.acc[arm], draw(d, &s->rng));
		if (++s->outcomes % STEP_EVERY == 0)
			sim_step(s);
	}
}

/* Run until the mode is @mode (true) or @limit decisions passed (false). */
static bool sim_until(struct sim *s, enum ml_lib_mode mode, u64 limit)
{
	for (u64 i = 0; i < limit && s->st.mode != mode; i += STEP_EVERY)
		sim_run(s, STEP_EVERY);
	return s->st.mode == mode;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median, 99th percentile and maximum of @n values (sorted in place). */
static void figures(const char *what, u64 *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("# figure: %s: median %llu, p99 %llu, max %llu (%d runs)\n", what,
	       (unsigned long long)v[n / 2], (unsigned long long)v[(n * 99) / 100],
	       (unsigned long long)v[n - 1], n);
}

#define RUNS		200
#define BETTER_BOUND	10000	/* outcomes to reach RECOMMENDATION, 20% better */
#define DEMOTE_BOUND	5000	/* outcomes to leave RECOMMENDATION, 20% worse */

static const struct dist COST_1000 = { D_NORMAL, 1000, 300 };
static const struct dist COST_800 = { D_NORMAL, 800, 300 };
static const struct dist COST_1200 = { D_NORMAL, 1200, 300 };

/* Knobs -------------------------------------------------------------------- */

static void test_knob_defaults_in_range(void)
{
	struct ml_mode_params p;

	ml_mode_params_default(&p);
	MT_CHECK_EQ(ml_mode_params_check(&p), 0);
	MT_CHECK_EQ(ML_MODE_NR_KNOBS, sizeof(p) / sizeof(u32));
	for (unsigned int i = 0; i < ML_MODE_NR_KNOBS; i++) {
		const struct ml_mode_knob *k = &ml_mode_knobs[i];

		MT_CHECK(k->min <= k->def && k->def <= k->max, "%s", k->name);
		MT_CHECK_EQ(ml_mode_knob_find(k->name), i);
		MT_CHECK_EQ(ml_mode_param_get(&p, i), k->def);
	}
	MT_CHECK_EQ(p.window_outcomes, 1000);
	MT_CHECK_EQ(p.z_promote_milli, 3000);
	MT_CHECK_EQ(ml_mode_knob_find("no_such_knob"), -EINVAL);
}

static void test_knob_out_of_range_changes_nothing(void)
{
	struct ml_mode_params p, before;

	ml_mode_params_default(&p);
	before = p;
	for (unsigned int i = 0; i < ML_MODE_NR_KNOBS; i++) {
		const struct ml_mode_knob *k = &ml_mode_knobs[i];

		if (k->min > 0)
			MT_CHECK_EQ(ml_mode_param_set(&p, i, k->min - 1), -EINVAL);
		MT_CHECK_EQ(ml_mode_param_set(&p, i, (u64)k->max + 1), -EINVAL);
		MT_CHECK_EQ(ml_mode_param_set(&p, i, 1ULL << 32), -EINVAL);
	}
	MT_CHECK_EQ(ml_mode_param_set(&p, ML_MODE_NR_KNOBS, 1), -EINVAL);
	MT_CHECK(!memcmp(&p, &before, sizeof(p)), "a rejected value changed a parameter");

	int z = ml_mode_knob_find("z_demote_milli");

	MT_REQUIRE(z >= 0);
	MT_CHECK_EQ(ml_mode_param_set(&p, z, 1960), 0);
	MT_CHECK_EQ(p.z_demote_milli, 1960);
	MT_CHECK_EQ(ml_mode_param_get(&p, z), 1960);
	p.promote_windows = 0;
	MT_CHECK_EQ(ml_mode_params_check(&p), -EINVAL);
}

/* The statistics of one window --------------------------------------------- */

static void fill(struct ml_stats_acc *a, const s64 *v, int n, int reps)
{
	for (int r = 0; r < reps; r++)
		for (int i = 0; i < n; i++)
			ml_stats_add(a, v[i]);
}

static void test_evaluate_known_values(void)
{
	struct ml_stats_acc win[2] = { { 0 } };
	struct ml_mode_params p;
	struct ml_mode_window w;
	static const s64 def[] = { 900, 1100 }, ml[] = { 800, 1000 };

	ml_mode_params_default(&p);
	fill(&win[ML_LIB_ARM_DEFAULT], def, 2, 50);
	fill(&win[ML_LIB_ARM_ML], ml, 2, 50);
	ml_mode_evaluate(win, &p, &w);
	/* s^2 = 10000 x 100/99 per arm; se = sqrt(2 s^2 / 100); z = 100 / se */
	double z = 100 / sqrt(2 * 10000.0 * 100 / 99 / 100);

	MT_CHECK_EQ(w.arm[ML_LIB_ARM_ML].mean_milli, 900000);
	MT_CHECK_EQ(w.arm[ML_LIB_ARM_DEFAULT].mean_milli, 1000000);
	MT_CHECK_EQ(w.efficiency_bp, 9000);
	MT_CHECK(fabs(w.z_milli - z * 1000) <= 2, "z %d vs %f", w.z_milli, z * 1000);
	MT_CHECK_EQ(w.verdict, ML_MODE_BETTER);

	/* The same with the arms swapped: ML worse, same |z|. */
	struct ml_stats_acc sw[2] = { win[ML_LIB_ARM_ML], win[ML_LIB_ARM_DEFAULT] };

	ml_mode_evaluate(sw, &p, &w);
	MT_CHECK(fabs(w.z_milli + z * 1000) <= 2, "z %d vs %f", w.z_milli, -z * 1000);
	MT_CHECK_EQ(w.verdict, ML_MODE_WORSE);
	MT_CHECK_EQ(w.efficiency_bp, 11111);
}

static void test_evaluate_margin_and_thresholds(void)
{
	struct ml_stats_acc win[2] = { { 0 } };
	struct ml_mode_params p;
	struct ml_mode_window w;
	static const s64 def[] = { 1000 }, ml[] = { 995 };

	/* Zero variance: any difference is certain, but 0.5% is below a 1% margin. */
	ml_mode_params_default(&p);
	fill(&win[ML_LIB_ARM_DEFAULT], def, 1, 200);
	fill(&win[ML_LIB_ARM_ML], ml, 1, 200);
	ml_mode_evaluate(win, &p, &w);
	MT_CHECK_EQ(w.z_milli, ML_MODE_Z_MAX_MILLI);
	MT_CHECK_EQ(w.verdict, ML_MODE_NEUTRAL);
	p.margin_bp = 0;
	ml_mode_evaluate(win, &p, &w);
	MT_CHECK_EQ(w.verdict, ML_MODE_BETTER);

	/* An empty or single-outcome arm gives no z and no verdict. */
	struct ml_stats_acc one[2] = { win[0], { 0 } };

	ml_stats_add(&one[1], 1);
	ml_mode_evaluate(one, &p, &w);
	MT_CHECK_EQ(w.z_milli, 0);
	MT_CHECK_EQ(w.verdict, ML_MODE_NEUTRAL);
	MT_CHECK_EQ(w.efficiency_bp, 10);	/* mean 1 against 1000 */

	/* Negative costs: efficiency has no meaning, z still does. */
	struct ml_stats_acc neg[2] = { { 0 } };
	static const s64 a[] = { -10, -12 }, b[] = { -20, -22 };

	fill(&neg[ML_LIB_ARM_DEFAULT], a, 2, 100);
	fill(&neg[ML_LIB_ARM_ML], b, 2, 100);
	ml_mode_evaluate(neg, &p, &w);
	MT_CHECK_EQ(w.efficiency_bp, -1);
	MT_CHECK(w.z_milli > 3000, "z %d", w.z_milli);
	MT_CHECK_EQ(w.verdict, ML_MODE_BETTER);
}

/*
 * Few ML outcomes, cheap on average but very noisy, against many steady
 * default outcomes: the pooled z (variance set by the big arm) is high, but
 * promotion gives the ML arm its own, larger variance and holds.
 */
static void test_evaluate_promotion_uses_larger_variance(void)
{
	struct ml_stats_acc win[2] = { { 0 } };
	struct ml_mode_params p;
	struct ml_mode_window w;
	static const s64 def[] = { 900, 1100 }, ml[] = { 400, 1400 };

	ml_mode_params_default(&p);
	fill(&win[ML_LIB_ARM_DEFAULT], def, 2, 450);	/* mean 1000, sd 100 */
	fill(&win[ML_LIB_ARM_ML], ml, 2, 50);		/* mean  900, sd 500 */
	ml_mode_evaluate(win, &p, &w);
	/* pooled se = sqrt(500^2 / 899 + 100^2 / 99) = 19.5: z = 5.1 */
	MT_CHECK(w.z_milli > 5000 && w.z_milli < 5200, "z %d", w.z_milli);
	/* larger-variance se = sqrt(500^2 / 899 + 500^2 / 99) = 52.9: (100 - 10) / se = 1.7 */
	MT_CHECK_EQ(w.verdict, ML_MODE_NEUTRAL);
}

static void test_evaluate_against_double(void)
{
	u64 rng = 42;
	struct ml_mode_params p;

	ml_mode_params_default(&p);
	for (int round = 0; round < 300; round++) {
		struct ml_stats_acc win[2] = { { 0 } };
		double sum[2] = { 0 }, sq[2] = { 0 }, n[2];
		/* spreads from 1 to 2^30: both the precise and the scaled paths */
		s64 span = 1 + (s64)(rnd(&rng) % (1ULL << (rnd(&rng) % 31)));
		s64 shift = (s64)(rnd(&rng) % (2 * (u64)span + 1)) - span / 8;

		for (int a = 0; a < 2; a++) {
			n[a] = 2 + rnd(&rng) % 3000;
			for (int i = 0; i < n[a]; i++) {
				s64 c = (s64)(rnd(&rng) % (2 * (u64)span + 1)) - span +
					(a == ML_LIB_ARM_ML ? shift / 4 : 0);

				ml_stats_add(&win[a], c);
				sum[a] += c;
				sq[a] += (double)c * c;
			}
		}
		struct ml_mode_window w;

		ml_mode_evaluate(win, &p, &w);
		double m[2], s2[2];

		for (int a = 0; a < 2; a++) {
			m[a] = sum[a] / n[a];
			s2[a] = sq[a] / n[a] - m[a] * m[a];	/* population variance */
		}
		/* pooled: s^2 (1/n_ml + 1/n_def) = v_ml / n_def + v_def / n_ml */
		double se = sqrt(s2[ML_LIB_ARM_ML] / (n[ML_LIB_ARM_DEFAULT] - 1) +
				 s2[ML_LIB_ARM_DEFAULT] / (n[ML_LIB_ARM_ML] - 1));
		double z = se > 0 ? (m[ML_LIB_ARM_DEFAULT] - m[ML_LIB_ARM_ML]) / se : 0;

		/* means carry 1/1000 of a cost unit: +-2 milli on the difference */
		double tol = 2 + fabs(z) * 2 + (se > 0 ? 2.0 / se : 0);

		MT_CHECK(fabs(w.z_milli - z * 1000) <= tol,
			 "round %d: z %d vs %f (span %lld)", round, w.z_milli, z * 1000,
			 (long long)span);
		if (mt_case_failed)
			break;
	}
}

static void test_evaluate_extreme_costs(void)
{
	struct ml_stats_acc win[2] = { { 0 } };
	struct ml_mode_params p;
	struct ml_mode_window w;
	u64 rng = 7;

	ml_mode_params_default(&p);
	/* Both arms +-2^31 (and INT64 extremes, clamped): equal, huge variance. */
	for (int i = 0; i < 4000; i++) {
		ml_stats_add(&win[i & 1], rnd(&rng) & 1 ? INT64_MAX : INT64_MIN);
		ml_stats_add(&win[i & 1], rnd(&rng) & 1 ? ML_STATS_COST_MAX : -ML_STATS_COST_MAX);
	}
	ml_mode_evaluate(win, &p, &w);
	MT_CHECK(w.z_milli > -4000 && w.z_milli < 4000, "z %d", w.z_milli);
	MT_CHECK(w.verdict != ML_MODE_BETTER, "equal extreme arms judged better");

	/* Default always at the maximum, ML always at the minimum. */
	struct ml_stats_acc far[2] = { { 0 } };

	for (int i = 0; i < 200; i++) {
		ml_stats_add(&far[ML_LIB_ARM_DEFAULT], ML_STATS_COST_MAX);
		ml_stats_add(&far[ML_LIB_ARM_ML], -ML_STATS_COST_MAX);
	}
	ml_mode_evaluate(far, &p, &w);
	MT_CHECK_EQ(w.z_milli, ML_MODE_Z_MAX_MILLI);
	MT_CHECK_EQ(w.verdict, ML_MODE_BETTER);
	MT_CHECK_EQ(w.efficiency_bp, 0);	/* an ML mean <= 0: as good as it gets */

	/* And the reverse with the ML arm's costs spread over the full range. */
	struct ml_stats_acc rev[2] = { { 0 } };

	for (int i = 0; i < 200; i++) {
		ml_stats_add(&rev[ML_LIB_ARM_DEFAULT], 1);
		ml_stats_add(&rev[ML_LIB_ARM_ML], ML_STATS_COST_MAX - (s64)(rnd(&rng) % 1000000));
	}
	ml_mode_evaluate(rev, &p, &w);
	MT_CHECK(w.z_milli < -1000000, "z %d", w.z_milli);
	MT_CHECK_EQ(w.verdict, ML_MODE_WORSE);
	MT_CHECK(w.efficiency_bp == S32_MAX, "efficiency %d", w.efficiency_bp);
}

/* Emergency triggers and the pin ------------------------------------------ */

struct drive {
	struct ml_mode_params p;
	struct ml_mode_state st;
	struct ml_mode_inputs in;
	struct ml_mode_report rep;
};

static void drive_init(struct drive *d)
{
	memset(d, 0, sizeof(*d));
	ml_mode_params_default(&d->p);
	ml_mode_init(&d->st);
	d->in.pin = ML_LIB_MODE_AUTO;
	d->in.started = true;
}

static enum ml_lib_mode drive_at(struct drive *d, u64 now_ms)
{
	d->in.now_ms = now_ms;
	return ml_mode_step(&d->st, &d->p, &d->in, &d->rep);
}

/* A drive with an attached agent, in LEARNING at t = 0. */
static void drive_learning(struct drive *d)
{
	drive_init(d);
	d->in.attached = true;
	drive_at(d, 0);
}

static void test_new_proxy_waits_for_an_agent(void)
{
	struct drive d;

	drive_init(&d);
	MT_CHECK_EQ(d.st.mode, ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(drive_at(&d, 0), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_NONE);
	d.in.attached = true;
	MT_CHECK_EQ(drive_at(&d, 1), ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(d.rep.old_mode, ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_ATTACHED);
	MT_CHECK_EQ(d.st.reason, ML_LIB_REASON_ATTACHED);
}

static void test_detach_and_reattach(void)
{
	struct drive d;

	drive_learning(&d);
	d.in.attached = false;
	MT_CHECK_EQ(drive_at(&d, 100), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_DETACHED);
	MT_CHECK_EQ(drive_at(&d, 200), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_NONE);
	/* A new agent: back to LEARNING at once, no cool-down. */
	d.in.attached = true;
	MT_CHECK_EQ(drive_at(&d, 201), ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_ATTACHED);
}

/* @set turns a trigger on; the mode must fall, hold, and come back after the cool-down. */
static void check_cooled_trigger(void (*set)(struct drive *, bool), enum ml_lib_reason why)
{
	struct drive d;
	u64 cd;

	drive_learning(&d);
	cd = d.p.cooldown_ms;
	set(&d, true);
	MT_CHECK_EQ(drive_at(&d, 1000), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, why);
	MT_CHECK_EQ(d.st.reason, why);
	/* Still on 5 s later, and the cool-down restarts from its last sighting. */
	MT_CHECK_EQ(drive_at(&d, 6000), ML_LIB_MODE_EMERGENCY);
	set(&d, false);
	MT_CHECK_EQ(drive_at(&d, 6000 + cd - 1), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_NONE);
	MT_CHECK_EQ(drive_at(&d, 6000 + cd), ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_COOLDOWN);
}

static void set_critical(struct drive *d, bool on) { d->in.critical = on; }
static void set_stale(struct drive *d, bool on) { d->in.stale = on; }
static void set_silent(struct drive *d, bool on)
{
	d->in.heartbeat_age_ms = on ? d->p.heartbeat_timeout_ms + 1 : 0;
}

static void test_trigger_critical(void)
{
	check_cooled_trigger(set_critical, ML_LIB_REASON_CRITICAL);
}

static void test_trigger_stale(void)
{
	check_cooled_trigger(set_stale, ML_LIB_REASON_STALE);
}

static void test_trigger_heartbeat(void)
{
	struct drive d;

	check_cooled_trigger(set_silent, ML_LIB_REASON_HEARTBEAT);
	/* Exactly at the timeout is still alive. */
	drive_learning(&d);
	d.in.heartbeat_age_ms = d.p.heartbeat_timeout_ms;
	MT_CHECK_EQ(drive_at(&d, 10), ML_LIB_MODE_LEARNING);
}

static void test_trigger_rejects(void)
{
	struct drive d;

	/* 2 rejected of 2: below reject_min (3), no emergency. */
	drive_learning(&d);
	d.in.recs_rejected = 2;
	MT_CHECK_EQ(drive_at(&d, 10), ML_LIB_MODE_LEARNING);
	/* 3 rejected of 10 (30% < 50%): none. */
	d.in.recs_rejected = 3;
	d.in.recs_accepted = 7;
	MT_CHECK_EQ(drive_at(&d, 20), ML_LIB_MODE_LEARNING);

	/* A fresh window: 3 rejected of 4 pushes (75%): emergency. */
	drive_learning(&d);
	d.in.recs_accepted = 1;
	d.in.recs_rejected = 3;
	MT_CHECK_EQ(drive_at(&d, 10), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_REJECTS);
	/* The burst is an event: no new rejects, the cool-down ends it. */
	MT_CHECK_EQ(drive_at(&d, 10 + d.p.cooldown_ms - 1), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(drive_at(&d, 10 + d.p.cooldown_ms), ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_COOLDOWN);

	/* Rejects spread over full windows of good pushes never add up. */
	drive_learning(&d);
	for (int i = 1; i <= 100; i++) {
		d.in.recs_accepted += 14;
		d.in.recs_rejected += 2;
		MT_CHECK_EQ(drive_at(&d, i * 100), ML_LIB_MODE_LEARNING);
	}
}

static void test_trigger_admin_and_stop(void)
{
	struct drive d;

	drive_learning(&d);
	d.in.pin = ML_LIB_MODE_EMERGENCY;
	MT_CHECK_EQ(drive_at(&d, 10), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_ADMIN);
	/* The admin's unpin takes effect at once. */
	d.in.pin = ML_LIB_MODE_AUTO;
	MT_CHECK_EQ(drive_at(&d, 11), ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_ADMIN);

	d.in.started = false;
	MT_CHECK_EQ(drive_at(&d, 20), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_STOPPED);
	d.in.started = true;
	MT_CHECK_EQ(drive_at(&d, 21), ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_STARTED);
}

static void test_trigger_priority(void)
{
	struct drive d;

	drive_learning(&d);
	d.in.critical = true;
	d.in.attached = false;
	d.in.stale = true;
	MT_CHECK_EQ(drive_at(&d, 10), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_CRITICAL);
	/* The agent comes back during the critical state's cool-down: it waits. */
	d.in.critical = false;
	d.in.stale = false;
	d.in.attached = true;
	MT_CHECK_EQ(drive_at(&d, 20), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(drive_at(&d, 10 + d.p.cooldown_ms), ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(d.rep.reason, ML_LIB_REASON_COOLDOWN);
}

static void test_pin_holds_against_evidence_not_safety(void)
{
	struct sim s;

	/* ML clearly worse, but pinned in RECOMMENDATION: no demotion. */
	sim_init(&s, 1, COST_1200, COST_1000);
	s.in.pin = ML_LIB_MODE_RECOMMENDATION;
	sim_step(&s);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_ADMIN);
	sim_run(&s, 20000);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK(s.windows >= 5, "windows are still measured while pinned: %llu",
		 (unsigned long long)s.windows);
	MT_CHECK(s.st.last.efficiency_bp > 11000 && s.st.last.efficiency_bp < 13000,
		 "efficiency %d", s.st.last.efficiency_bp);

	/* A safety trigger overrides the pin; the pin returns after the cool-down. */
	s.in.critical = true;
	sim_run(&s, STEP_EVERY);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_EMERGENCY);
	s.in.critical = false;
	sim_run(&s, s.p.cooldown_ms + STEP_EVERY);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_COOLDOWN);

	/* Unpinned: back to the controller's own mode, where the evidence holds it. */
	s.in.pin = ML_LIB_MODE_AUTO;
	sim_step(&s);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_ADMIN);
	sim_run(&s, 20000);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(s.promotions, 0);
}

/* A pin and an unpin in between: the controller's own mode is kept. */
static void test_unpin_returns_to_the_controllers_mode(void)
{
	struct sim s;

	sim_init(&s, 11, COST_800, COST_1000);
	MT_REQUIRE(sim_until(&s, ML_LIB_MODE_COLLABORATION, BETTER_BOUND));
	s.in.pin = ML_LIB_MODE_LEARNING;
	sim_run(&s, 20000);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(s.st.auto_mode, ML_LIB_MODE_COLLABORATION);
	MT_CHECK_EQ(s.promotions, 1);
	s.in.pin = ML_LIB_MODE_AUTO;
	sim_step(&s);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_COLLABORATION);
	MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_ADMIN);
	/* and the evidence goes on from there */
	MT_CHECK(sim_until(&s, ML_LIB_MODE_RECOMMENDATION, BETTER_BOUND), "mode %u", s.st.mode);

	/* A reinit while pinned keeps the pin, and forgets the evidence. */
	struct ml_mode_report rep;

	s.in.pin = ML_LIB_MODE_COLLABORATION;
	sim_step(&s);
	ml_mode_reinit(&s.st, s.outcomes, s.in.pin, &rep);
	MT_CHECK_EQ(rep.reason, ML_LIB_REASON_NONE);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_COLLABORATION);
	s.in.pin = ML_LIB_MODE_AUTO;
	sim_step(&s);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_LEARNING);
}

static void test_reinit_forgets_evidence(void)
{
	struct sim s;
	struct ml_mode_report rep;

	sim_init(&s, 3, COST_800, COST_1000);
	MT_REQUIRE(sim_until(&s, ML_LIB_MODE_RECOMMENDATION, 20000));
	ml_mode_reinit(&s.st, s.outcomes, ML_LIB_MODE_AUTO, &rep);
	MT_CHECK_EQ(rep.old_mode, ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK_EQ(rep.mode, ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(rep.reason, ML_LIB_REASON_REINIT);
	/* The proxy's counters restart from zero: the controller follows. */
	memset(s.in.acc, 0, sizeof(s.in.acc));
	s.arm[ML_LIB_ARM_ML] = COST_1000;
	sim_run(&s, 30000);
	MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_LEARNING);
	MT_CHECK(s.st.windows > 20, "windows %llu", (unsigned long long)s.st.windows);
	MT_CHECK(s.st.last.efficiency_bp > 9000 && s.st.last.efficiency_bp < 11000,
		 "efficiency %d", s.st.last.efficiency_bp);

	/* Reinit in EMERGENCY stays there. */
	struct drive d;

	drive_init(&d);
	ml_mode_reinit(&d.st, 5, ML_LIB_MODE_AUTO, &rep);
	MT_CHECK_EQ(rep.mode, ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(rep.reason, ML_LIB_REASON_NONE);
}

/* Simulations ------------------------------------------------------------- */


static void test_sim_better_reaches_recommendation(void)
{
	u64 t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct sim s;

		sim_init(&s, r, COST_800, COST_1000);
		MT_CHECK(sim_until(&s, ML_LIB_MODE_RECOMMENDATION, BETTER_BOUND),
			 "seed %d: mode %u after %d outcomes", r, s.st.mode, BETTER_BOUND);
		MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_PROMOTED);
		MT_CHECK_EQ(s.demotions, 0);
		t[r] = s.outcomes;
		/* and it stays there */
		sim_run(&s, 20000);
		MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_RECOMMENDATION);
		MT_CHECK(s.st.last.efficiency_bp > 7000 && s.st.last.efficiency_bp < 9000,
			 "efficiency %d", s.st.last.efficiency_bp);
		if (mt_case_failed)
			return;
	}
	figures("ML 20% better (normal, sd 30%): outcomes to RECOMMENDATION", t, RUNS);
}

/* How long smaller or noisier advantages take: they must get there. */
static void slower_climb(const char *what, struct dist ml, struct dist def, int runs,
			 u64 limit)
{
	u64 t[RUNS];
	int reached = 0;

	for (int r = 0; r < runs; r++) {
		struct sim s;

		sim_init(&s, 1000 + r, ml, def);
		reached += sim_until(&s, ML_LIB_MODE_RECOMMENDATION, limit);
		t[r] = s.st.mode == ML_LIB_MODE_RECOMMENDATION ? s.outcomes : limit;
	}
	MT_CHECK(reached >= runs * 95 / 100, "%s: only %d of %d runs got there", what,
		 reached, runs);
	figures(what, t, runs);
}

static void test_sim_slower_climbs(void)
{
	slower_climb("ML 5% better (normal, sd 30%): outcomes to RECOMMENDATION",
		     (struct dist){ D_NORMAL, 950, 300 }, COST_1000, RUNS, 200000);
	slower_climb("ML 20% better (spiky, sd 190%): outcomes to RECOMMENDATION",
		     (struct dist){ D_SPIKY, 800, 0 }, (struct dist){ D_SPIKY, 1000, 0 },
		     40, 400000);
}

static void test_sim_equal_never_recommendation(void)
{
	int promoted = 0;

	for (int r = 0; r < RUNS; r++) {
		struct sim s;

		sim_init(&s, 2000 + r, COST_1000, COST_1000);
		sim_run(&s, 50000);
		MT_CHECK(s.first_in[ML_LIB_MODE_RECOMMENDATION] == NEVER,
			 "seed %d reached RECOMMENDATION at %llu", r,
			 (unsigned long long)s.first_in[ML_LIB_MODE_RECOMMENDATION]);
		promoted += s.promotions > 0;
	}
	printf("# figure: equal arms (normal, sd 30%%), 50000 outcomes: %d of %d runs promoted once or more, none reached RECOMMENDATION\n",
	       promoted, RUNS);
}

static void noisy_equal(const char *name, struct dist d, int runs, u64 outcomes)
{
	int promoted = 0;
	u64 windows = 0;

	for (int r = 0; r < runs; r++) {
		struct sim s;

		sim_init(&s, 5000 + r, d, d);
		sim_run(&s, outcomes);
		promoted += s.promotions > 0;
		windows += s.windows;
		MT_CHECK(s.first_in[ML_LIB_MODE_RECOMMENDATION] == NEVER, "seed %d", r);
	}
	MT_CHECK(promoted * 100 < runs, "%s: %d of %d runs falsely promoted", name, promoted, runs);
	printf("# figure: noisy equal arms (%s), %llu outcomes: %d of %d runs falsely promoted (%.1f short windows per run)\n",
	       name, (unsigned long long)outcomes, promoted, runs, (double)windows / runs);
}

static void test_sim_noisy_equal_false_promotion(void)
{
	noisy_equal("spiky: 5% spikes of exp(6x mean)", (struct dist){ D_SPIKY, 1000, 0 },
		    1000, 20000);
	noisy_equal("exponential", (struct dist){ D_EXP, 1000, 0 }, 1000, 20000);
}

static void test_sim_worse_never_promoted(void)
{
	for (int r = 0; r < RUNS; r++) {
		struct sim s;

		sim_init(&s, 3000 + r, COST_1200, COST_1000);
		sim_run(&s, 50000);
		MT_CHECK_EQ(s.promotions, 0);
		MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_LEARNING);
		if (mt_case_failed)
			return;
	}
}

static void test_sim_worse_demoted_from_recommendation(void)
{
	u64 t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct sim s;
		u64 start;

		sim_init(&s, 4000 + r, COST_1200, COST_1000);
		sim_start_in(&s, ML_LIB_MODE_RECOMMENDATION);
		start = s.outcomes;
		MT_CHECK(sim_until(&s, ML_LIB_MODE_LEARNING, DEMOTE_BOUND), "seed %d", r);
		MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_DEMOTED);
		t[r] = s.outcomes - start;
		if (mt_case_failed)
			return;
	}
	figures("ML 20% worse, from RECOMMENDATION: outcomes to demotion", t, RUNS);
}

static void test_sim_regime_shift_demotes(void)
{
	u64 t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct sim s;
		u64 shift;

		sim_init(&s, 6000 + r, COST_800, COST_1000);
		MT_REQUIRE(sim_until(&s, ML_LIB_MODE_RECOMMENDATION, BETTER_BOUND));
		sim_run(&s, 10000 + rnd(&s.rng) % 1000);	/* shift mid-window */
		MT_REQUIRE(s.st.mode == ML_LIB_MODE_RECOMMENDATION);
		s.arm[ML_LIB_ARM_ML] = COST_1200;
		shift = s.outcomes;
		MT_CHECK(sim_until(&s, ML_LIB_MODE_LEARNING, 2 * DEMOTE_BOUND), "seed %d", r);
		MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_DEMOTED);
		t[r] = s.outcomes - shift;
		/* and it does not climb back */
		sim_run(&s, 30000);
		MT_CHECK_EQ(s.st.mode, ML_LIB_MODE_LEARNING);
		if (mt_case_failed)
			return;
	}
	figures("regime shift 20% better -> 20% worse in RECOMMENDATION: outcomes to demotion",
		t, RUNS);
}

/*
 * Skewed costs in RECOMMENDATION, where the default arm has the few
 * outcomes (the 5% holdout): a better ML must not be demoted by the
 * default's luck, a worse one must be, by the growing evidence window when
 * the short windows are too noisy to tell.
 */
static void test_sim_skewed_costs_in_recommendation(void)
{
	static const struct dist def = { D_SPIKY, 1000, 0 };
	static const struct dist better = { D_SPIKY, 800, 0 };
	static const struct dist worse = { D_SPIKY, 1200, 0 };
	enum { N = 50, LIMIT = 100000 };
	u64 t[N];
	int false_demotions = 0, demoted = 0;

	for (int r = 0; r < N; r++) {
		struct sim s;

		sim_init(&s, 9000 + r, better, def);
		sim_start_in(&s, ML_LIB_MODE_RECOMMENDATION);
		sim_run(&s, LIMIT);
		false_demotions += s.demotions > 0;

		sim_init(&s, 9500 + r, worse, def);
		sim_start_in(&s, ML_LIB_MODE_RECOMMENDATION);
		demoted += sim_until(&s, ML_LIB_MODE_LEARNING, LIMIT);
		t[r] = s.st.mode == ML_LIB_MODE_LEARNING ? s.outcomes : LIMIT;
	}
	MT_CHECK(false_demotions <= N / 50, "%d of %d better runs demoted", false_demotions, N);
	MT_CHECK(demoted >= N - N / 25, "only %d of %d worse runs demoted", demoted, N);
	printf("# figure: spiky costs, ML 20%% better in RECOMMENDATION: %d of %d runs demoted in %d outcomes\n",
	       false_demotions, N, LIMIT);
	figures("spiky costs, ML 20% worse, from RECOMMENDATION: outcomes to demotion", t, N);
}

/*
 * ML helps while it decides few operations and hurts when it decides most
 * (it overloads what it relies on): the controller climbs, is demoted, and
 * must not keep cycling at the same pace. The backoff stretches each cycle;
 * the same runs without it (backoff_max = 0) show what it saves.
 */
static unsigned int share_dependent_demotions(u32 backoff_max, bool *growing)
{
	static const struct dist hurt = { D_NORMAL, 1200, 300 };
	unsigned int demotions = 0;

	*growing = true;
	for (int r = 0; r < 20; r++) {
		struct sim s;
		u64 prev = 0, gap = 0;

		sim_init(&s, 7000 + r, COST_800, COST_1000);
		s.p.backoff_max = backoff_max;
		s.ml_in_mode[ML_LIB_MODE_RECOMMENDATION] = &hurt;
		for (int i = 0; i < 400; i++) {
			unsigned int before = s.demotions;

			sim_run(&s, 500);
			if (s.demotions == before)
				continue;
			if (s.demotions > 2 && s.demotions <= 4 && s.outcomes - prev < gap)
				*growing = false;
			gap = s.outcomes - prev;
			prev = s.outcomes;
		}
		demotions += s.demotions;
	}
	return demotions;
}

static void test_sim_no_flapping(void)
{
	bool growing, ignored;
	unsigned int with = share_dependent_demotions(3, &growing);
	unsigned int without = share_dependent_demotions(0, &ignored);

	MT_CHECK(growing, "the time between demotions did not grow");
	MT_CHECK(with * 3 <= without, "backoff: %u demotions, without: %u", with, without);
	MT_CHECK(with <= 20 * 8, "%u demotions in 20 runs", with);
	printf("# figure: ML better at 10%% and 50%% share, worse at 95%%: %.1f demotions per 200000 outcomes with backoff_max 3, %.1f without backoff\n",
	       with / 20.0, without / 20.0);
}

static void test_sim_extreme_costs(void)
{
	static const struct dist extreme = { D_EXTREME, 0, 0 };
	static const struct dist top = { D_CONST, ML_STATS_COST_MAX, 0 };
	static const struct dist bottom = { D_CONST, -ML_STATS_COST_MAX, 0 };
	struct sim s;

	for (int r = 0; r < 20; r++) {
		sim_init(&s, 8000 + r, extreme, extreme);
		sim_run(&s, 20000);
		MT_CHECK_EQ(s.promotions, 0);
	}
	sim_init(&s, 8100, bottom, top);
	MT_CHECK(sim_until(&s, ML_LIB_MODE_RECOMMENDATION, BETTER_BOUND), "mode %u", s.st.mode);
	s.arm[ML_LIB_ARM_ML] = top;
	s.arm[ML_LIB_ARM_DEFAULT] = bottom;
	MT_CHECK(sim_until(&s, ML_LIB_MODE_LEARNING, DEMOTE_BOUND), "mode %u", s.st.mode);
	MT_CHECK_EQ(s.st.reason, ML_LIB_REASON_DEMOTED);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_knob_defaults_in_range);
	MT_RUN(test_knob_out_of_range_changes_nothing);
	MT_RUN(test_evaluate_known_values);
	MT_RUN(test_evaluate_margin_and_thresholds);
	MT_RUN(test_evaluate_promotion_uses_larger_variance);
	MT_RUN(test_evaluate_against_double);
	MT_RUN(test_evaluate_extreme_costs);
	MT_RUN(test_new_proxy_waits_for_an_agent);
	MT_RUN(test_detach_and_reattach);
	MT_RUN(test_trigger_critical);
	MT_RUN(test_trigger_stale);
	MT_RUN(test_trigger_heartbeat);
	MT_RUN(test_trigger_rejects);
	MT_RUN(test_trigger_admin_and_stop);
	MT_RUN(test_trigger_priority);
	MT_RUN(test_pin_holds_against_evidence_not_safety);
	MT_RUN(test_unpin_returns_to_the_controllers_mode);
	MT_RUN(test_reinit_forgets_evidence);
	MT_RUN(test_sim_better_reaches_recommendation);
	MT_RUN(test_sim_slower_climbs);
	MT_RUN(test_sim_equal_never_recommendation);
	MT_RUN(test_sim_noisy_equal_false_promotion);
	MT_RUN(test_sim_worse_never_promoted);
	MT_RUN(test_sim_worse_demoted_from_recommendation);
	MT_RUN(test_sim_regime_shift_demotes);
	MT_RUN(test_sim_skewed_costs_in_recommendation);
	MT_RUN(test_sim_no_flapping);
	MT_RUN(test_sim_extreme_costs);
	return mt_summary();
}
