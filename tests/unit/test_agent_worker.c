// SPDX-License-Identifier: GPL-2.0
/*
 * The model thread end to end against a simulated proxy (agent_sim.h) in
 * simulated time: the real worker, learner, held-out judge, store and mode
 * controller, with only the kernel replaced. The guest test
 * (tests/vm/cases/mlagentd.sh) does the same against ml_lib_demo.
 */
#include <stdio.h>
#include <unistd.h>
#include "agent_sim.h"
#include "config.h"
#include "log.h"
#include "mltest.h"

static char dir[] = "/tmp/mlagent-worker-XXXXXX";
static char store_path[128];

static const char conf_text[] =
	"[agent]\n"
	"commit_ms = 100\n"
	"report_ms = 0\n"
	"[proxy demo/policy]\n"
	"heartbeat_ms = 100\n"
	"push_min_ms = 20\n"
	"push_max_ms = 1000\n"
	"train_ms = 250\n"
	"retrain_ms = 0\n"
	"half_life = 1000\n"
	"seed = 42\n";

struct rig {
	struct mlag_config cfg;
	struct sim sim;
	struct mlag_store *store;
	struct mlag_worker *w;
	atomic_bool stop;
};

static int rig_start(struct rig *r, const char *learner)
{
	struct mlag_worker_args a = {
		.name = "demo/policy", .ops = &sim_ops, .port = &r->sim,
		.stop = &r->stop,
	};
	char err[256], over[64];
	int ret;

	mlag_config_init(&r->cfg);
	ret = mlag_config_load_string(&r->cfg, conf_text, "test", err, sizeof(err));
	snprintf(over, sizeof(over), "demo/policy:learner=%s", learner);
	if (!ret)
		ret = mlag_config_override(&r->cfg, over, err, sizeof(err));
	/* AGENT_SET="k=v k=v": experiments with the proxy's knobs. */
	if (!ret && getenv("AGENT_SET")) {
		char *list = strdup(getenv("AGENT_SET")), *tok, *save = NULL;

		for (tok = strtok_r(list, " ", &save); tok && !ret;
		     tok = strtok_r(NULL, " ", &save)) {
			snprintf(over, sizeof(over), "demo/policy:%s", tok);
			ret = mlag_config_override(&r->cfg, over, err, sizeof(err));
		}
		free(list);
	}
	if (!ret)
		ret = mlag_config_finish(&r->cfg, err, sizeof(err));
	if (ret) {
		printf("# config: %s\n", err);
		return ret;
	}
	ret = mlag_store_open(store_path, &r->store, err, sizeof(err));
	if (ret) {
		printf("# store: %s\n", err);
		return ret;
	}
	a.cfg = &r->cfg;
	a.conf = &r->cfg.proxies[0];
	a.schema = &r->sim.schema;
	a.store = r->store;
	return mlag_worker_create(&a, &r->w);
}

static void rig_stop(struct rig *r)
{
	atomic_store(&r->stop, true);
	if (r->w)
		mlag_worker_run(r->w);	/* returns at once: final commit */
	mlag_worker_destroy(r->w);
	mlag_store_close(r->store);
	mlag_config_free(&r->cfg);
	r->w = NULL;
	r->store = NULL;
}

/* Step the worker until the proxy is in @mode, for at most @limit_ms. */
static bool run_until(struct rig *r, int mode, uint64_t limit_ms)
{
	uint64_t end = r->sim.now + limit_ms;

	while (r->sim.now < end) {
		if (mlag_worker_step(r->w, 50))
			return false;
		if (r->sim.ms.mode == mode)
			return true;
	}
	return false;
}

static void run_for(struct rig *r, uint64_t ms)
{
	uint64_t end = r->sim.now + ms;

	while (r->sim.now < end)
		if (mlag_worker_step(r->w, 50))
			return;
}

/* The trail holds LEARNING -> COLLABORATION -> RECOMMENDATION, promoted. */
static bool climbed(const struct sim *s, unsigned int from)
{
	int stage = 0;

	for (unsigned int i = from; i < s->transitions && i < 256; i++) {
		if (stage == 0 && s->trail_mode[i] == ML_LIB_MODE_COLLABORATION &&
		    s->trail_reason[i] == ML_LIB_REASON_PROMOTED)
			stage = 1;
		else if (stage == 1 && s->trail_mode[i] == ML_LIB_MODE_RECOMMENDATION &&
			 s->trail_reason[i] == ML_LIB_REASON_PROMOTED)
			stage = 2;
	}
	return stage == 2;
}

static void loop(const char *learner)
{
	struct rig r = { 0 };
	uint64_t t0, version, restored, demotions;
	unsigned int mark, near = 0;
	const struct mlag_artifact *dep;
	const struct mlag_worker_stats *st;
	double ml, def;

	unlink(store_path);
	sim_init(&r.sim, 8, 37, 120, getenv("SIM_SEED") ? strtoull(getenv("SIM_SEED"), NULL, 0) : 1);
	MT_REQUIRE(rig_start(&r, learner) == 0);

	/* Learns, and climbs on its own. */
	MT_CHECK(run_until(&r, ML_LIB_MODE_RECOMMENDATION, 600000),
		 "%s: mode %u after %llu ms", learner, r.sim.ms.mode,
		 (unsigned long long)r.sim.now);
	MT_CHECK(climbed(&r.sim, 0), "no promoted climb");
	printf("# figure: %s: RECOMMENDATION after %llu simulated ms, %llu decisions\n",
	       learner, (unsigned long long)r.sim.now, (unsigned long long)r.sim.next_id);
	sim_reset_costs(&r.sim);
	run_for(&r, 20000);
	ml = sim_mean_cost(&r.sim, ML_LIB_ARM_ML);
	def = sim_mean_cost(&r.sim, ML_LIB_ARM_DEFAULT);
	printf("# figure: %s: mean cost in RECOMMENDATION: ML %.2f, default %.2f\n",
	       learner, ml, def);
	MT_CHECK(ml <= def / 2, "ML %.2f, default %.2f", ml, def);
	st = mlag_worker_stats(r.w);
	MT_CHECK(st->deploys >= 1);
	MT_CHECK(st->joined == st->outcomes, "%llu of %llu joined",
		 (unsigned long long)st->joined, (unsigned long long)st->outcomes);

	/* The hidden policy changes: the proxy demotes, the agent relearns. */
	for (unsigned int k = 0; k < r.sim.keys; k++)
		r.sim.f[k] = 900 - 100 * (int64_t)k;
	mark = r.sim.transitions;
	t0 = r.sim.now;
	MT_CHECK(run_until(&r, ML_LIB_MODE_LEARNING, 60000), "no demotion");
	MT_CHECK(r.sim.transitions > mark &&
		 r.sim.trail_reason[mark] == ML_LIB_REASON_DEMOTED, "not demoted");
	MT_CHECK(mlag_worker_stats(r.w)->demotions >= 1);
	MT_CHECK(run_until(&r, ML_LIB_MODE_RECOMMENDATION, 900000),
		 "%s: no recovery: mode %u", learner, r.sim.ms.mode);
	MT_CHECK(climbed(&r.sim, mark), "no promoted climb after the switch");
	printf("# figure: %s: back in RECOMMENDATION %llu simulated ms after the switch\n",
	       learner, (unsigned long long)(r.sim.now - t0));
	sim_reset_costs(&r.sim);
	run_for(&r, 20000);
	ml = sim_mean_cost(&r.sim, ML_LIB_ARM_ML);
	def = sim_mean_cost(&r.sim, ML_LIB_ARM_DEFAULT);
	printf("# figure: %s: after the switch: ML %.2f, default %.2f\n", learner, ml, def);
	MT_CHECK(ml <= def / 2, "ML %.2f, default %.2f", ml, def);

	/* A restart reloads the deployed model from the store and pushes it. */
	mlag_worker_deployed(r.w, &version);
	demotions = mlag_worker_stats(r.w)->demotions;
	rig_stop(&r);
	/* The kernel drops what the agent pushed when it detaches. */
	mlag_artifact_free(&r.sim.table);
	mlag_artifact_free(&r.sim.model);
	r.sim.pushes = 0;
	MT_REQUIRE(rig_start(&r, learner) == 0);
	dep = mlag_worker_deployed(r.w, &restored);
	MT_CHECK_EQ(restored, version);
	/* and weighs its data as the agent before it did, demotions included */
	MT_CHECK_EQ(mlag_worker_stats(r.w)->demotions_replayed, demotions);
	MT_CHECK(mlag_worker_step(r.w, 1) == 0);
	MT_CHECK(r.sim.pushes > 0 && (r.sim.table.kind || r.sim.model.kind),
		 "nothing pushed after restart");
	for (unsigned int k = 0; k < r.sim.keys; k++) {
		int64_t v[ML_LIB_MAX_ACTIONS], x[1] = { 10 * (int64_t)k };

		mlag_artifact_decide(dep, &r.sim.schema, k, x, v);
		near += llabs(v[0] - r.sim.f[k]) <= 10;
	}
	MT_CHECK(near == r.sim.keys, "restored model: %u of %u keys near f", near,
		 r.sim.keys);
	rig_stop(&r);
	sim_free(&r.sim);
}

/* A demotion whose feedback record was lost still makes the learner forget. */
static void test_lost_demotion(void)
{
	struct rig r = { 0 };

	unlink(store_path);
	sim_init(&r.sim, 8, 37, 120, 3);
	MT_REQUIRE(rig_start(&r, "contextual") == 0);
	MT_REQUIRE(run_until(&r, ML_LIB_MODE_RECOMMENDATION, 600000));
	run_for(&r, 5000);
	r.sim.drop_mode_records = true;
	for (unsigned int k = 0; k < r.sim.keys; k++)
		r.sim.f[k] = 900 - 100 * (int64_t)k;
	MT_CHECK(run_until(&r, ML_LIB_MODE_LEARNING, 60000), "no demotion");
	run_for(&r, 1000);
	MT_CHECK(r.sim.feedback_dropped > 0);
	MT_CHECK_EQ(mlag_worker_stats(r.w)->demotions, 1);
	rig_stop(&r);
	sim_free(&r.sim);
}

/*
 * A slow agent (every sample takes a simulated millisecond: a backlog of
 * 2000 samples is 2 s, 20 heartbeat periods) heartbeats while it reads:
 * the proxy never sees a heartbeat older than a few hundred samples' work.
 */
static void test_keepalive_while_busy(void)
{
	struct rig r = { 0 };

	unlink(store_path);
	sim_init(&r.sim, 8, 37, 120, 5);
	MT_REQUIRE(rig_start(&r, "contextual") == 0);
	run_for(&r, 500);
	r.sim.rate = 40;	/* decisions per ms: 2000 samples a 50 ms wait */
	r.sim.consume_us = 1000;
	r.sim.max_hb_age = 0;
	run_for(&r, 10000);
	printf("# figure: oldest heartbeat while reading 1 ms samples: %llu ms "
	       "(heartbeat_ms 100)\n", (unsigned long long)r.sim.max_hb_age);
	MT_CHECK(r.sim.max_hb_age < 500, "heartbeat %llu ms old",
		 (unsigned long long)r.sim.max_hb_age);
	MT_CHECK(mlag_worker_stats(r.w)->samples > 10000);
	rig_stop(&r);
	sim_free(&r.sim);
}

static void test_contextual_loop(void)
{
	loop("contextual");
}

static void test_linreg_loop(void)
{
	loop("linreg");
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mkdtemp(dir))
		return 1;
	snprintf(store_path, sizeof(store_path), "%s/store.db", dir);
	mlag_log_setup(0, getenv("AGENT_LOG") ? LOG_DEBUG : LOG_ERR);
	MT_RUN(test_contextual_loop);
	MT_RUN(test_linreg_loop);
	MT_RUN(test_lost_demotion);
	MT_RUN(test_keepalive_while_busy);
	unlink(store_path);
	{
		char p[160];

		snprintf(p, sizeof(p), "%s-wal", store_path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", store_path);
		unlink(p);
	}
	rmdir(dir);
	return mt_summary();
}
