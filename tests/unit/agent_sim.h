/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated proxy for the agent's host tests: the worker's port, in
 * simulated time, onto a synthetic subsystem like kernel/examples'
 * ml_lib_demo. A decision for key k (context feature x = 10 k) applies a
 * value d: the ML arm's from the pushed table (entry, else fallback), the
 * default arm's the schema default. Its cost is |d - f(k)| + |noise|, with a
 * hidden policy f the test may switch. The arm is drawn with the ML share
 * of the mode, and the mode is chosen by the real mode controller
 * (core/ml_mode.c) from the per-arm statistics, as ml_lib.ko does; the
 * transitions and window reports appear as feedback records.
 */
#ifndef AGENT_SIM_H
#define AGENT_SIM_H

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "agent_rand.h"
#include "array.h"
#include "learner.h"
#include "ml_mode.h"
#include "worker.h"

#define SIM_KEYS_MAX	64

struct sim_sample {
	struct ml_lib_sample s;
	int64_t f[ML_LIB_MAX_FEATURES];
};

struct sim {
	struct ml_lib_schema schema;
	unsigned int keys;
	int64_t f[SIM_KEYS_MAX];	/* the hidden policy */
	double noise;			/* cost noise scale */
	unsigned int rate;		/* decisions per simulated ms */
	uint64_t now, rng, next_id, last_heartbeat;
	bool detached;			/* the agent is gone: EMERGENCY */
	unsigned int pin;		/* 1 + a mode an admin pinned; 0: auto */
	bool drop_mode_records;		/* as if the feedback ring were full */
	uint64_t feedback_dropped;
	/* the proxy */
	struct ml_mode_params mp;
	struct ml_mode_state ms;
	struct ml_stats_acc acc[ML_LIB_ARM_COUNT];
	uint64_t accepted, rejected, table_version, model_version;
	struct mlag_artifact table;	/* kind NONE until a push */
	struct mlag_artifact model;	/* takes precedence, as in ml_lib.ko */
	int32_t efficiency_bp;
	/* rings */
	struct ml_lib_feedback *fb;
	size_t nfb, capfb;
	struct sim_sample *smp;
	size_t nsmp, capsmp;
	/* what a test looks at */
	unsigned int transitions;
	uint8_t trail_mode[256];
	uint16_t trail_reason[256];
	double cost_sum[ML_LIB_ARM_COUNT];	/* since sim_reset_costs() */
	uint64_t cost_n[ML_LIB_ARM_COUNT];
	uint64_t pushes;
	/* a slow agent: simulated time each consumed sample takes, in us */
	unsigned int consume_us;
	uint64_t consume_acc_us;
	uint64_t max_hb_age;		/* the oldest heartbeat seen while consuming */
};

static const uint32_t sim_share_bp[ML_LIB_MODE_COUNT] = { 0, 1000, 5000, 9500 };

static uint64_t sim_rnd(struct sim *s)
{
	return agent_rnd(&s->rng);
}

static double sim_gauss(struct sim *s)
{
	return agent_gauss(&s->rng);
}

static void *sim_grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (mlag_reserve(&p, cap, n, size))
		abort();
	return p;
}

static struct ml_lib_feedback *sim_fb(struct sim *s, uint16_t type)
{
	static struct ml_lib_feedback lost;
	struct ml_lib_feedback *f;

	/* A full ring: the record is dropped, and counted. */
	if (s->drop_mode_records && type == ML_LIB_FB_MODE) {
		s->feedback_dropped++;
		return &lost;
	}

	s->fb = sim_grow(s->fb, &s->capfb, s->nfb, sizeof(*s->fb));
	f = &s->fb[s->nfb++];
	memset(f, 0, sizeof(*f));
	f->ts_ns = s->now * 1000000;
	f->type = type;
	return f;
}

static void sim_reset_costs(struct sim *s)
{
	memset(s->cost_sum, 0, sizeof(s->cost_sum));
	memset(s->cost_n, 0, sizeof(s->cost_n));
}

static double sim_mean_cost(const struct sim *s, int arm)
{
	return s->cost_n[arm] ? s->cost_sum[arm] / s->cost_n[arm] : NAN;
}

static void sim_step_mode(struct sim *s)
{
	struct ml_mode_inputs in = {
		.now_ms = s->now,
		.recs_accepted = s->accepted,
		.recs_rejected = s->rejected,
		.heartbeat_age_ms = s->now - s->last_heartbeat,
		.pin = s->pin ? s->pin - 1 : ML_LIB_MODE_AUTO,
		.started = true,
		.attached = !s->detached,
	};
	struct ml_mode_report rep;
	struct ml_lib_feedback *f;

	memcpy(in.acc, s->acc, sizeof(in.acc));
	ml_mode_step(&s->ms, &s->mp, &in, &rep);
	if (rep.window_closed) {
		s->efficiency_bp = rep.window.efficiency_bp;
		f = sim_fb(s, ML_LIB_FB_EFFICIENCY);
		f->efficiency.efficiency_bp = rep.window.efficiency_bp;
		for (int a = 0; a < ML_LIB_ARM_COUNT; a++) {
			f->efficiency.outcomes[a] = rep.window.arm[a].n;
			f->efficiency.mean_milli[a] = rep.window.arm[a].mean_milli;
		}
	}
	if (rep.reason == ML_LIB_REASON_NONE)
		return;
	f = sim_fb(s, ML_LIB_FB_MODE);
	f->mode.old_mode = rep.old_mode;
	f->mode.new_mode = rep.mode;
	f->mode.reason = rep.reason;
	f->mode.efficiency_bp = s->efficiency_bp;
	if (s->transitions < 256) {
		s->trail_mode[s->transitions] = rep.mode;
		s->trail_reason[s->transitions] = rep.reason;
	}
	s->transitions++;
}

/* One decision and its outcome. */
static void sim_decide(struct sim *s)
{
	unsigned int k = (unsigned int)(sim_rnd(s) % s->keys);
	int arm = sim_rnd(s) % 10000 < sim_share_bp[s->ms.mode] ?
		  ML_LIB_ARM_ML : ML_LIB_ARM_DEFAULT;
	struct ml_lib_feedback *f;
	struct sim_sample *sm;
	int64_t v[ML_LIB_MAX_ACTIONS] = { s->schema.actions[0].def };
	int64_t x[1] = { 10 * (int64_t)k };
	const struct mlag_artifact *ml = s->model.kind ? &s->model :
					 s->table.kind ? &s->table : NULL;
	double cost;

	if (arm == ML_LIB_ARM_ML && ml)
		mlag_artifact_decide(ml, &s->schema, k, x, v);
	cost = fabs((double)(v[0] - s->f[k])) + fabs(s->noise * sim_gauss(s));
	s->next_id++;
	s->smp = sim_grow(s->smp, &s->capsmp, s->nsmp, sizeof(*s->smp));
	sm = &s->smp[s->nsmp++];
	memset(sm, 0, sizeof(*sm));
	sm->s.ts_ns = s->now * 1000000;
	sm->s.key = k;
	sm->s.decision_id = s->next_id;
	sm->f[0] = 10 * (int64_t)k;
	f = sim_fb(s, ML_LIB_FB_OUTCOME);
	f->outcome.decision_id = s->next_id;
	f->outcome.key = k;
	f->outcome.cost = (int64_t)llround(cost);
	f->outcome.arm = (uint8_t)arm;
	f->outcome.source = !ml ? ML_LIB_SRC_NONE : ml->kind == MLAG_ART_MODEL ?
			    ML_LIB_SRC_MODEL : ML_LIB_SRC_TABLE;
	f->outcome.version = !ml ? 0 : ml->kind == MLAG_ART_MODEL ? s->model_version :
			     s->table_version;
	memcpy(f->outcome.values, v, sizeof(f->outcome.values));
	if (ml && arm == ML_LIB_ARM_ML)
		memcpy(f->outcome.advice, v, sizeof(f->outcome.advice));
	ml_stats_add(&s->acc[arm], f->outcome.cost);
	s->cost_sum[arm] += (double)f->outcome.cost;
	s->cost_n[arm]++;
}

/* Advance simulated time by @ms. */
static void sim_advance(struct sim *s, uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t++) {
		s->now++;
		for (unsigned int i = 0; i < s->rate; i++)
			sim_decide(s);
		if (s->now % 10 == 0)
			sim_step_mode(s);
	}
}

/* --- the port --------------------------------------------------------------- */

static int sim_status(void *port, struct ml_lib_status *st)
{
	struct sim *s = port;
	struct ml_stats_summary sum;

	memset(st, 0, sizeof(*st));
	st->mode = s->ms.mode;
	st->mode_reason = s->ms.reason;
	st->attached = !s->detached;
	st->started = 1;
	st->efficiency_bp = s->efficiency_bp;
	st->share_bp = sim_share_bp[s->ms.mode];
	st->table_version = s->table_version;
	st->model_version = s->model_version;
	st->heartbeat_age_ms = s->now - s->last_heartbeat;
	st->recs_accepted = s->accepted;
	st->recs_rejected = s->rejected;
	st->feedback_dropped = s->feedback_dropped;
	for (int a = 0; a < ML_LIB_ARM_COUNT; a++) {
		ml_stats_summarize(&s->acc[a], &sum);
		st->arms[a].outcomes = sum.n;
		st->arms[a].mean_milli = sum.mean_milli;
	}
	return 0;
}

static int sim_heartbeat(void *port)
{
	struct sim *s = port;

	s->last_heartbeat = s->now;
	return 0;
}

static int sim_push(void *port, uint32_t kind, const void *blob, size_t len)
{
	struct sim *s = port;
	struct mlag_artifact a = { 0 };
	struct ml_lib_feedback *f;
	uint64_t version = 0;
	int ret = mlag_artifact_from_blob(&a, &s->schema, blob, len, &version);

	if (!ret && (kind == ML_LIB_PUSH_MODEL) != (a.kind == MLAG_ART_MODEL))
		ret = -EINVAL;
	/* The kernel's range check of tables. */
	for (uint32_t i = 0; !ret && i < a.nr_entries; i++)
		if (a.entries[i].values[0] < s->schema.actions[0].min ||
		    a.entries[i].values[0] > s->schema.actions[0].max)
			ret = -ERANGE;
	/* A table while a model is loaded: accepted, and unused. */
	if (!ret && a.kind == MLAG_ART_TABLE && s->model.kind == MLAG_ART_MODEL) {
		s->accepted++;
		s->pushes++;
		mlag_artifact_free(&a);
		return 0;
	}
	f = sim_fb(s, kind == ML_LIB_PUSH_MODEL ? ML_LIB_FB_MODEL : ML_LIB_FB_TABLE);
	f->verdict.version = version;
	f->verdict.error = ret;
	if (ret) {
		s->rejected++;
		mlag_artifact_free(&a);
		return ret;
	}
	s->accepted++;
	s->pushes++;
	if (a.kind == MLAG_ART_MODEL) {
		mlag_artifact_free(&s->model);
		s->model = a;
		s->model_version = version;
	} else {
		mlag_artifact_free(&s->table);
		s->table = a;
		s->table_version = version;
	}
	return 0;
}

static int sim_wait(void *port, int timeout_ms)
{
	struct sim *s = port;

	sim_advance(s, timeout_ms > 0 ? (uint64_t)timeout_ms : 1);
	return s->nfb || s->nsmp;
}

static int sim_consume_samples(void *port, mla_sample_cb cb, void *arg)
{
	struct sim *s = port;
	size_t n = s->nsmp;

	for (size_t i = 0; i < n; i++) {
		cb(&s->smp[i].s, 0, arg);
		s->consume_acc_us += s->consume_us;
		s->now += s->consume_acc_us / 1000;
		s->consume_acc_us %= 1000;
		if (s->now - s->last_heartbeat > s->max_hb_age)
			s->max_hb_age = s->now - s->last_heartbeat;
	}
	s->nsmp = 0;
	return (int)n;
}

static int sim_consume_feedback(void *port, mla_feedback_cb cb, void *arg)
{
	struct sim *s = port;
	size_t n = s->nfb;

	for (size_t i = 0; i < n; i++)
		cb(&s->fb[i], 0, arg);
	s->nfb = 0;
	return (int)n;
}

static uint64_t sim_now(void *port)
{
	return ((struct sim *)port)->now;
}

static const struct mlag_port_ops sim_ops = {
	.status = sim_status,
	.heartbeat = sim_heartbeat,
	.push = sim_push,
	.wait = sim_wait,
	.consume_samples = sim_consume_samples,
	.consume_feedback = sim_consume_feedback,
	.now_ms = sim_now,
};

/*
 * A proxy "demo/policy": one feature x, one action d in [0, 1000] with
 * default 500, @keys keys, f(k) = a + b k. The controller's windows are
 * smaller than the kernel's defaults so that a test runs in seconds.
 */
static void sim_init(struct sim *s, unsigned int keys, int64_t a, int64_t b,
		     uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->schema.subsystem, "demo");
	strcpy(s->schema.name, "policy");
	s->schema.proxy_id = 7;
	s->schema.nr_features = 1;
	s->schema.nr_actions = 1;
	s->schema.flags = ML_LIB_PROXY_SAMPLE_DECISIONS;
	strcpy(s->schema.features[0].name, "x");
	s->schema.features[0].max = 1000;
	strcpy(s->schema.actions[0].name, "d");
	s->schema.actions[0].max = 1000;
	s->schema.actions[0].def = 500;
	s->keys = keys;
	for (unsigned int k = 0; k < keys; k++)
		s->f[k] = a + b * (int64_t)k;
	s->noise = 5;
	s->rate = 4;
	s->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	ml_mode_params_default(&s->mp);
	s->mp.window_outcomes = 400;
	s->mp.min_arm_outcomes = 40;
	ml_mode_init(&s->ms);
	s->efficiency_bp = -1;
	sim_step_mode(s);	/* attached: LEARNING */
}

static void sim_free(struct sim *s)
{
	mlag_artifact_free(&s->table);
	mlag_artifact_free(&s->model);
	free(s->fb);
	free(s->smp);
}

#endif /* AGENT_SIM_H */
