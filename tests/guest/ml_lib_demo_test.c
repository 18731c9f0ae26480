// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: the ml_lib_demo example subsystem. Its schema, its
 * determinism given a seed, the cost of its default algorithm, an agent
 * that pushes the optimal table of the hidden policy (costs fall to the
 * noise, the efficiency report shows it), a policy switch (the stale table
 * costs again), its rate knob and its bad inputs.
 */
#include <stdlib.h>
#include "ml_lib_guest.h"

static long long demo_get(const char *file)
{
	return mlg_demo_get(MLG_DEMO, file);
}

static int demo_set(const char *file, const char *val)
{
	return mlg_demo_set(MLG_DEMO, file, val);
}

static __u32 demo_id(void)
{
	return mlg_find_proxy("ml_lib_demo", "policy");
}

static int proxy_set(const char *file, const char *val)
{
	return mlg_demo_set(MLG_DEMO_PROXY, file, val);
}

static void test_schema(void)
{
	struct ml_lib_schema s = { .size = sizeof(s), .proxy_id = demo_id() };
	int fd = mlg_open();

	MT_REQUIRE(s.proxy_id, "the demo's proxy");
	MT_REQUIRE(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)) == 0, "schema");
	MT_CHECK_EQ(s.nr_features, 1);
	MT_CHECK(!strcmp(s.features[0].name, "x"), "x");
	MT_CHECK_EQ(s.features[0].type, ML_LIB_FEAT_ENUM);
	MT_CHECK_EQ(s.features[0].max, 63);
	MT_CHECK_EQ(s.nr_actions, 1);
	MT_CHECK(!strcmp(s.actions[0].name, "d"), "d");
	MT_CHECK_EQ(s.actions[0].max, 1000);
	MT_CHECK_EQ(s.actions[0].def, 500);
	MT_CHECK_EQ(s.flags, ML_LIB_PROXY_SAMPLE_DECISIONS);
	close(fd);
}

static void test_deterministic(void)
{
	long long c1, c2;

	MT_CHECK_EQ(demo_set("pattern", "skewed"), 0);
	MT_CHECK_EQ(demo_set("seed", "7"), 0);
	MT_CHECK_EQ(demo_set("step", "500"), 0);
	MT_CHECK_EQ(demo_get("ops"), 500);
	MT_CHECK_EQ(demo_get("ops_default"), 500);	/* no agent: the default algorithm */
	c1 = demo_get("cost_default");
	MT_CHECK_EQ(demo_set("seed", "7"), 0);
	MT_CHECK_EQ(demo_get("ops"), 0);
	MT_CHECK_EQ(demo_set("step", "500"), 0);
	c2 = demo_get("cost_default");
	MT_CHECK(c1 == c2 && c1 > 0, "same seed, same costs: %lld %lld", c1, c2);
	MT_CHECK_EQ(demo_set("seed", "8"), 0);
	MT_CHECK_EQ(demo_set("step", "500"), 0);
	MT_CHECK(demo_get("cost_default") != c1, "another seed, other costs");
	MT_CHECK_EQ(demo_set("pattern", "uniform"), 0);
}

static void test_default_cost_exact(void)
{
	long long want = 0, x;

	/* Each key once, no noise: the default d = 500 against f. */
	MT_CHECK_EQ(demo_set("pattern", "sequential"), 0);
	MT_CHECK_EQ(demo_set("noise", "0"), 0);
	MT_CHECK_EQ(demo_set("policy", "linear"), 0);
	MT_CHECK_EQ(demo_set("seed", "1"), 0);
	MT_CHECK_EQ(demo_set("step", "64"), 0);
	for (x = 0; x < 64; x++)
		want += llabs(500 - mlg_demo_f_linear(x));
	MT_CHECK_EQ(demo_get("cost_default"), want);
	MT_CHECK_EQ(demo_set("policy", "step"), 0);
	MT_CHECK_EQ(demo_set("seed", "1"), 0);
	MT_CHECK_EQ(demo_set("step", "64"), 0);
	MT_CHECK_EQ(demo_get("cost_default"), 64 * 300);
	MT_CHECK_EQ(demo_set("policy", "linear"), 0);
	MT_CHECK_EQ(demo_set("noise", "20"), 0);
	MT_CHECK_EQ(demo_set("pattern", "uniform"), 0);
}

static void test_agent_with_optimal_table(void)
{
	static struct ml_lib_feedback fb[4096];
	static __u64 samples[4 * 4096];
	struct mlg_agent a;
	struct ml_lib_table *t;
	long long end, ml, bad = 0, hb0;
	__u64 len, nsamples = 0;
	char hb[32];
	__u32 cpu;
	int i, n, neff = 0;

	struct ml_lib_ctl c = { .size = sizeof(c) };

	/*
	 * This agent does not heartbeat: no silence trigger (EMERGENCY) if the
	 * emulated guest stalls. And no periodic evaluation until asked for
	 * below: one in flight during the 2000 steps could close a window over
	 * part of them (set before the attach, which schedules the first).
	 */
	hb0 = mlg_demo_get(MLG_DEMO_PROXY, "controller/heartbeat_timeout_ms");
	MT_CHECK_EQ(proxy_set("controller/heartbeat_timeout_ms", "3600000"), 0);
	MT_CHECK_EQ(proxy_set("eval_interval_ms", "60000"), 0);
	MT_REQUIRE(mlg_attach(&a, demo_id(), 4096, 4096, 0, 0) == 0, "attach");
	/* Statistics from zero: the efficiency window starts here. */
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_REINIT, &c)), 0);
	t = mlg_table(64, 1, 1, &len);
	for (i = 0; i < 64; i++) {
		mlg_entries(t)[i].key = i;
		mlg_entries(t)[i].values[0] = mlg_demo_f_linear(i);
	}
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	free(t);
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_COLLABORATION), 0);
	mlg_drain(&a);
	MT_CHECK_EQ(demo_set("seed", "3"), 0);
	MT_CHECK_EQ(demo_set("step", "2000"), 0);

	ml = demo_get("ops_ml");
	MT_CHECK(ml > 800 && ml < 1200, "about half ML: %lld", ml);
	/* The optimal table leaves only the noise, uniform in [0, 20]. */
	MT_CHECK(demo_get("mean_cost_ml_milli") <= 10000 + 1500, "ML mean cost %lld",
		 demo_get("mean_cost_ml_milli"));
	MT_CHECK(demo_get("mean_cost_default_milli") > 150000, "default mean cost %lld",
		 demo_get("mean_cost_default_milli"));

	/* The data set: one sample per decision, with its context. */
	for (cpu = 0; cpu < a.ncpu; cpu++)
		nsamples += mlg_consume(&a, cpu, samples, 4096);
	MT_CHECK_EQ(nsamples, 2000);
	/* The feedback: the outcome of every decision, consistent with f and the noise. */
	n = mlg_feedback(&a, ML_LIB_FB_OUTCOME, fb, 4096);
	MT_CHECK_EQ(n, 2000);
	for (i = 0; i < n; i++) {
		struct ml_lib_fb_outcome *o = &fb[i].outcome;
		long long base = llabs(o->values[0] - mlg_demo_f_linear(o->key));

		bad += o->cost < base || o->cost > base + 20 || o->key > 63 ||
		       (o->arm == ML_LIB_ARM_ML && o->values[0] != mlg_demo_f_linear(o->key)) ||
		       (o->arm == ML_LIB_ARM_DEFAULT && o->values[0] != 500);
	}
	MT_CHECK_EQ(bad, 0);

	/* The efficiency of the window: ML costs ~10 against ~200. */
	MT_CHECK_EQ(proxy_set("eval_interval_ms", "10"), 0);
	for (end = mlg_now_ms() + 10000; !neff && mlg_now_ms() < end; usleep(2000))
		neff = mlg_feedback(&a, ML_LIB_FB_EFFICIENCY, fb, 4);
	MT_REQUIRE(neff == 1, "an efficiency report");
	MT_CHECK(fb[0].efficiency.efficiency_bp > 0 && fb[0].efficiency.efficiency_bp < 1000,
		 "efficiency %d bp", fb[0].efficiency.efficiency_bp);
	MT_CHECK_EQ(fb[0].efficiency.outcomes[0] + fb[0].efficiency.outcomes[1], 2000);
	MT_CHECK_EQ(proxy_set("eval_interval_ms", "100"), 0);

	/* The hidden policy changes: the table is now wrong. */
	MT_CHECK_EQ(demo_set("policy", "step"), 0);
	MT_CHECK_EQ(demo_set("seed", "3"), 0);
	MT_CHECK_EQ(demo_set("step", "2000"), 0);
	MT_CHECK(demo_get("mean_cost_ml_milli") > 100000, "stale table: %lld",
		 demo_get("mean_cost_ml_milli"));
	MT_CHECK_EQ(demo_set("policy", "linear"), 0);
	mlg_set_mode(a.fd, 0, ML_LIB_MODE_AUTO);
	mlg_close(&a);
	snprintf(hb, sizeof(hb), "%lld", hb0);
	MT_CHECK_EQ(proxy_set("controller/heartbeat_timeout_ms", hb), 0);
}

static void test_rate(void)
{
	long long end, ops0;

	MT_CHECK_EQ(demo_set("seed", "1"), 0);
	ops0 = demo_get("ops");
	MT_CHECK_EQ(demo_set("ops_per_sec", "5000"), 0);
	for (end = mlg_now_ms() + 10000; demo_get("ops") < ops0 + 200 && mlg_now_ms() < end;)
		usleep(5000);
	MT_CHECK(demo_get("ops") >= ops0 + 200, "the worker runs: %lld ops", demo_get("ops"));
	MT_CHECK_EQ(demo_set("ops_per_sec", "0"), 0);
	MT_CHECK_EQ(demo_get("ops_per_sec"), 0);
}

static void test_bad_input(void)
{
	MT_CHECK_EQ(demo_set("pattern", "zipf"), -EINVAL);
	MT_CHECK_EQ(demo_set("policy", "optimal"), -EINVAL);
	MT_CHECK_EQ(demo_set("noise", "1001"), -EINVAL);
	MT_CHECK_EQ(demo_set("ops_per_sec", "100001"), -EINVAL);
	MT_CHECK_EQ(demo_set("step", "1000001"), -EINVAL);
	MT_CHECK_EQ(demo_set("seed", "x"), -EINVAL);
	MT_CHECK_EQ(demo_get("noise"), 20);
	MT_CHECK_EQ(demo_get("ops_per_sec"), 0);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_schema);
	MT_RUN(test_deterministic);
	MT_RUN(test_default_cost_exact);
	MT_RUN(test_agent_with_optimal_table);
	MT_RUN(test_rate);
	MT_RUN(test_bad_input);
	return mt_summary();
}
