// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: the mode controller inside ml_lib.ko. Its knobs (names,
 * defaults and ranges of core's table; out of range is EINVAL and changes
 * nothing), promotion and demotion on the evidence of outcomes with the
 * efficiency in sysfs, the status ioctl and the feedback ring, and each
 * automatic safety trigger: a silent agent, an expired table, a burst of
 * rejected pushes, each with its cool-down. Needs ml_lib_testmod (p0).
 */
#include "ml_lib_guest.h"
#include "ml_mode.h"

static __u32 id_p0;

static int knob_set(const char *name, long long v)
{
	char file[64], val[32];

	snprintf(file, sizeof(file), "controller/%s", name);
	snprintf(val, sizeof(val), "%lld", v);
	return mlg_sysfs_write("p0", file, val);
}

static long long knob_get(const char *name)
{
	char file[64];

	snprintf(file, sizeof(file), "controller/%s", name);
	return mlg_sysfs("p0", file);
}

static void knobs_default(void)
{
	unsigned int i;

	for (i = 0; i < ML_MODE_NR_KNOBS; i++)
		knob_set(ml_mode_knobs[i].name, ml_mode_knobs[i].def);
}

/* Wait up to @ms for p0's mode and reason, both; report them otherwise. */
static int wait_mode(const char *mode, const char *reason, int ms, int line)
{
	long long end = mlg_now_ms() + ms;
	char m[32] = "", r[32] = "";

	do {
		if (mlg_mode_is("p0", mode, reason))
			return 1;
		usleep(1000);
	} while (mlg_now_ms() < end);
	mlg_sysfs_str("p0", "mode", m, sizeof(m));
	mlg_sysfs_str("p0", "mode_reason", r, sizeof(r));
	mt_fail_at(__FILE__, line, "mode %s (%s), want %s (%s)", m, r, mode, reason);
	return 0;
}

#define WAIT_MODE(mode, reason, ms) wait_mode(mode, reason, ms, __LINE__)

/*
 * The last two mode records of the feedback ring: @m1 for @r1, then @m2 for
 * @r2. For a mode that a trigger of the periodic evaluation may end before
 * the test looks (a proxy that goes stale or silent 100-300 ms after its
 * attach, a reject burst's cool-down), the ring keeps what sysfs may no
 * longer show.
 */
static void check_path(struct mlg_agent *a, int m1, int r1, int m2, int r2, int line)
{
	struct ml_lib_feedback fb[16];
	const struct ml_lib_fb_mode *x, *y;
	int n = mlg_feedback(a, ML_LIB_FB_MODE, fb, 16);

	if (n < 2) {
		mt_fail_at(__FILE__, line, "%d mode records, want at least 2", n);
		return;
	}
	x = &fb[n - 2].mode;
	y = &fb[n - 1].mode;
	if (x->new_mode != m1 || x->reason != r1 || y->new_mode != m2 || y->reason != r2)
		mt_fail_at(__FILE__, line, "mode records %u (%u), %u (%u); want %d (%d), %d (%d)",
			   x->new_mode, x->reason, y->new_mode, y->reason, m1, r1, m2, r2);
}

#define CHECK_PATH(a, m1, r1, m2, r2) check_path(a, m1, r1, m2, r2, __LINE__)

/* Attach to p0 and push a table with advice for key 20: (250, 5). */
static int attach_with_table(struct mlg_agent *a, __u64 version, __u32 ttl_ms)
{
	struct ml_lib_table *t;
	__u64 len;
	int ret;

	ret = mlg_attach(a, id_p0, 64, 4096, 0, 0);
	if (ret)
		return ret;
	t = mlg_table(1, 2, version, &len);
	t->ttl_ms = ttl_ms;
	mlg_entries(t)[0].key = 20;
	mlg_entries(t)[0].values[0] = 250;
	mlg_entries(t)[0].values[1] = 5;
	ret = mlg_push(a->fd, t, len);
	free(t);
	return ret;
}

static void test_knobs(void)
{
	unsigned int i;

	for (i = 0; i < ML_MODE_NR_KNOBS; i++) {
		const struct ml_mode_knob *k = &ml_mode_knobs[i];

		MT_CHECK(knob_get(k->name) == k->def, "%s: %lld, default %u", k->name,
			 knob_get(k->name), k->def);
		if (k->min > 0)
			MT_CHECK_EQ(knob_set(k->name, (long long)k->min - 1), -EINVAL);
		MT_CHECK_EQ(knob_set(k->name, (long long)k->max + 1), -EINVAL);
		MT_CHECK_EQ(knob_set(k->name, -1), -EINVAL);
		MT_CHECK(knob_get(k->name) == k->def, "%s changed by a bad write", k->name);
		MT_CHECK_EQ(knob_set(k->name, k->min), 0);
		MT_CHECK_EQ(knob_get(k->name), k->min);
		MT_CHECK_EQ(knob_set(k->name, k->max), 0);
		MT_CHECK_EQ(knob_get(k->name), k->max);
		MT_CHECK_EQ(knob_set(k->name, k->def), 0);
	}
	MT_CHECK_EQ(mlg_sysfs_write("p0", "controller/cooldown_ms", "ten"), -EINVAL);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "controller/cooldown_ms", "10 5"), -EINVAL);
	MT_CHECK_EQ(knob_get("cooldown_ms"), 10000);
}

/* The mode and efficiency records of the feedback ring, kept while driving. */
static struct ml_lib_feedback kept[256];
static int nkept;

static void keep_feedback(struct mlg_agent *a)
{
	static struct ml_lib_feedback fb[4096];
	int i, n = mlg_feedback(a, 0, fb, 4096);

	for (i = 0; i < n && nkept < 256; i++)
		if (fb[i].type == ML_LIB_FB_MODE || fb[i].type == ML_LIB_FB_EFFICIENCY)
			kept[nkept++] = fb[i];
}

/*
 * Outcomes of @cml for the ML arm and @cdef for the default one, in
 * batches with a heartbeat each, until p0 reaches @mode (a bounded number
 * of outcomes). The controller runs concurrently, so a transition may fall
 * within a batch.
 */
static long long drive_until(struct mlg_agent *a, const char *mode, int cml, int cdef,
			     long long limit)
{
	long long n = 0;

	while (n < limit && !mlg_wait_str("p0", "mode", mode, 20)) {
		/* Alive, as an agent is: no silence trigger however slow the guest. */
		if (mlg_ctl("outcome p0 0 20 250 %d %d", cml, cdef) ||
		    ioctl(a->fd, ML_LIB_IOC_HEARTBEAT))
			return -1;
		n += 250;
		keep_feedback(a);
	}
	keep_feedback(a);
	return mlg_wait_str("p0", "mode", mode, 0) ? n : -1;
}

static void test_evidence(void)
{
	struct mlg_agent a;
	struct ml_lib_status st;
	long long prom0 = mlg_sysfs("p0", "transitions/promoted");
	long long dem0 = mlg_sysfs("p0", "transitions/demoted");
	long long n;
	int i, promoted = 0, demoted = 0, eff = 0;

	MT_REQUIRE(attach_with_table(&a, 1, 0) == 0, "attach");
	WAIT_MODE("learning", "attached", 5000);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "10"), 0);

	/* ML costs 100, the default 300: promoted twice, on evidence. */
	n = drive_until(&a, "recommendation", 100, 300, 40000);
	MT_CHECK(n > 0, "not promoted to recommendation");
	printf("# figure: promoted to recommendation after %lld outcomes (ML 100, default 300)\n",
	       n);
	WAIT_MODE("recommendation", "promoted", 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "transitions/promoted"), prom0 + 2);
	MT_CHECK_EQ(mlg_sysfs("p0", "efficiency_bp"), 3333);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.efficiency_bp, 3333);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK_EQ(st.mode_reason, ML_LIB_REASON_PROMOTED);

	/* ML now costs more: demoted straight to learning. */
	n = drive_until(&a, "learning", 300, 100, 40000);
	MT_CHECK(n > 0, "not demoted");
	printf("# figure: demoted from recommendation after %lld outcomes (ML 300, default 100)\n",
	       n);
	WAIT_MODE("learning", "demoted", 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "transitions/demoted"), dem0 + 1);
	/* (the window may hold the end of a batch of the old costs) */
	MT_CHECK(mlg_sysfs("p0", "efficiency_bp") > 15000, "efficiency %lld",
		 mlg_sysfs("p0", "efficiency_bp"));

	/* The feedback ring: each transition with its reason, each window's efficiency. */
	for (i = 0; i < nkept; i++) {
		struct ml_lib_feedback *f = &kept[i];

		if (f->type == ML_LIB_FB_MODE) {
			promoted += f->mode.reason == ML_LIB_REASON_PROMOTED;
			demoted += f->mode.reason == ML_LIB_REASON_DEMOTED &&
				   f->mode.old_mode == ML_LIB_MODE_RECOMMENDATION &&
				   f->mode.new_mode == ML_LIB_MODE_LEARNING;
			continue;
		}
		eff++;
		MT_CHECK(f->efficiency.outcomes[0] >= 100 && f->efficiency.outcomes[1] >= 100,
			 "a window with %llu/%llu outcomes",
			 (unsigned long long)f->efficiency.outcomes[0],
			 (unsigned long long)f->efficiency.outcomes[1]);
	}
	MT_CHECK_EQ(promoted, 2);
	MT_CHECK_EQ(demoted, 1);
	MT_CHECK(eff >= 5, "%d efficiency reports", eff);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "100"), 0);
	mlg_close(&a);
	WAIT_MODE("emergency", "detached", 5000);
}

static void test_heartbeat(void)
{
	struct mlg_agent a;
	long long hb0 = mlg_sysfs("p0", "transitions/heartbeat"), t0, end;

	MT_CHECK_EQ(knob_set("heartbeat_timeout_ms", 300), 0);
	MT_CHECK_EQ(knob_set("cooldown_ms", 500), 0);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "10"), 0);
	t0 = mlg_now_ms();
	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	/* Silent: emergency, after learning. */
	WAIT_MODE("emergency", "heartbeat", 10000);
	CHECK_PATH(&a, ML_LIB_MODE_LEARNING, ML_LIB_REASON_ATTACHED, ML_LIB_MODE_EMERGENCY,
		   ML_LIB_REASON_HEARTBEAT);
	MT_CHECK_EQ(mlg_sysfs("p0", "transitions/heartbeat"), hb0 + 1);
	/*
	 * Alive again: back to learning, not before the cool-down. The proxy
	 * saw the silence 300 ms after the attach at the earliest, and the
	 * cool-down runs from the last time it saw it (jiffies: a tick of slack).
	 */
	for (end = mlg_now_ms() + 10000;
	     mlg_now_ms() < end && !mlg_wait_str("p0", "mode", "learning", 50);)
		MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_HEARTBEAT)), 0);
	WAIT_MODE("learning", "cooldown", 0);
	MT_CHECK(mlg_now_ms() - t0 >= 300 + 500 - 10, "left after %lld ms",
		 mlg_now_ms() - t0);
	mlg_close(&a);
	knobs_default();
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "100"), 0);
}

static void test_stale(void)
{
	struct mlg_agent a;
	struct ml_lib_table *t;
	__u64 len;

	MT_CHECK_EQ(knob_set("cooldown_ms", 200), 0);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "10"), 0);
	MT_REQUIRE(attach_with_table(&a, 7, 100) == 0, "attach");
	WAIT_MODE("emergency", "stale", 5000);
	CHECK_PATH(&a, ML_LIB_MODE_LEARNING, ML_LIB_REASON_ATTACHED, ML_LIB_MODE_EMERGENCY,
		   ML_LIB_REASON_STALE);
	/* A fresh table ends it, after the cool-down. */
	t = mlg_table(0, 2, 8, &len);
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	free(t);
	WAIT_MODE("learning", "cooldown", 5000);
	mlg_close(&a);
	knobs_default();
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "100"), 0);
}

static void test_rejects(void)
{
	struct mlg_agent a;
	struct ml_lib_table *t;
	long long rej0 = mlg_sysfs("p0", "transitions/rejects");
	__u64 len;
	int i;

	MT_CHECK_EQ(knob_set("cooldown_ms", 200), 0);
	MT_REQUIRE(attach_with_table(&a, 9, 0) == 0, "attach");
	WAIT_MODE("learning", "attached", 5000);
	/* Two rejected of three pushes: below reject_min (3). */
	t = mlg_table(1, 2, 10, &len);
	mlg_entries(t)[0].values[0] = 5000;	/* out of range */
	for (i = 0; i < 2; i++)
		MT_CHECK_EQ(mlg_push(a.fd, t, len), -ERANGE);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "mode", "auto"), 0);	/* run the controller now */
	MT_CHECK(mlg_wait_str("p0", "mode", "learning", 0), "two rejects are not a burst");
	/* The third: 3 of 4 pushes rejected. */
	MT_CHECK_EQ(mlg_push(a.fd, t, len), -ERANGE);
	free(t);
	/* The next evaluation sees the burst; the cool-down ends it 200 ms later. */
	WAIT_MODE("learning", "cooldown", 5000);
	CHECK_PATH(&a, ML_LIB_MODE_EMERGENCY, ML_LIB_REASON_REJECTS, ML_LIB_MODE_LEARNING,
		   ML_LIB_REASON_COOLDOWN);
	MT_CHECK_EQ(mlg_sysfs("p0", "transitions/rejects"), rej0 + 1);
	mlg_close(&a);
	knobs_default();
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mlg_find_testmod(&id_p0, NULL))
		return 1;
	MT_RUN(test_knobs);
	MT_RUN(test_evidence);
	MT_RUN(test_heartbeat);
	MT_RUN(test_stale);
	MT_RUN(test_rejects);
	return mt_summary();
}
