// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: recommendation tables and decisions. A pushed table gives the
 * ML arm its values and the default arm the defaults; shares, advice mode,
 * fallback, expiry; invalid tables are rejected with the right errno, a
 * counter, a verdict record and no effect; outcomes feed the per-arm
 * statistics, the feedback ring and the efficiency report. Needs
 * ml_lib_testmod (p0: actions a in [0, 1000] default 500, b in [-50, 50]
 * default 7).
 */
#include <math.h>
#include "ml_lib_guest.h"

static __u32 id_p0, id_p1;

/* A p0 table: keys 10, 20, 30 -> (100, 1), (200, 2), (300, 3). */
static struct ml_lib_table *table3(__u64 version, __u64 *len)
{
	struct ml_lib_table *t = mlg_table(3, 2, version, len);
	struct ml_lib_table_entry *e = mlg_entries(t);
	int i;

	for (i = 0; i < 3; i++) {
		e[i].key = 10 * (i + 1);
		e[i].values[0] = 100 * (i + 1);
		e[i].values[1] = i + 1;
	}
	return t;
}

/* Attach to p0, push table3(@version), pin @mode; 0 or -errno. */
static int setup(struct mlg_agent *a, __u64 version, __u32 mode)
{
	struct ml_lib_table *t;
	__u64 len;
	int ret;

	ret = mlg_attach(a, id_p0, 256, 4096, 0, 0);
	if (ret)
		return ret;
	t = table3(version, &len);
	ret = mlg_push(a->fd, t, len);
	free(t);
	if (!ret)
		ret = mlg_set_mode(a->fd, 0, mode);
	mlg_drain(a);
	return ret;
}

static void teardown(struct mlg_agent *a)
{
	mlg_set_mode(a->fd, 0, ML_LIB_MODE_AUTO);
	mlg_sysfs_write("p0", "holdout_bp", "500");
	mlg_sysfs_write("p0", "share_learning_bp", "1000");
	mlg_sysfs_write("p0", "share_collaboration_bp", "5000");
	mlg_close(a);
}

static void test_push_and_decide(void)
{
	struct mlg_agent a;
	long long acc0 = mlg_sysfs("p0", "recs_accepted"), val0 = mlg_hook("validated");
	long long app0 = mlg_hook("applied"), dml0 = mlg_sysfs("p0", "decisions_ml");
	__u32 cpu;

	MT_REQUIRE(setup(&a, 5, ML_LIB_MODE_RECOMMENDATION) == 0, "setup");
	MT_CHECK_EQ(mlg_sysfs("p0", "table_version"), 5);
	MT_CHECK_EQ(mlg_sysfs("p0", "recs_accepted"), acc0 + 1);
	MT_CHECK_EQ(mlg_hook("validated"), val0 + 1);
	MT_CHECK_EQ(mlg_hook("applied"), app0 + 1);
	MT_CHECK_EQ(mlg_hook("applied_version"), 5);
	MT_CHECK_EQ(mlg_hook("applied_entries"), 3);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "holdout_bp", "0"), 0);

	for (cpu = 0; cpu < a.ncpu; cpu++) {
		MT_CHECK_EQ(mlg_ctl("decide p0 %u 20 100", cpu), 0);
		MT_CHECK_EQ(mlg_last("arm_ml"), 100);
		MT_CHECK_EQ(mlg_last("src_table"), 100);
		MT_CHECK_EQ(mlg_last("mismatch"), 0);
		MT_CHECK_EQ(mlg_last("bad_ids"), 0);
		MT_CHECK_EQ(mlg_last("version"), 5);
		MT_CHECK_EQ(mlg_last("values"), 200);
	}
	MT_CHECK_EQ(mlg_sysfs("p0", "decisions_ml"), dml0 + 100 * a.ncpu);
	/* No entry, no fallback: the default, whatever the share. */
	MT_CHECK_EQ(mlg_ctl("decide p0 0 15 100"), 0);
	MT_CHECK_EQ(mlg_last("arm_default"), 100);
	MT_CHECK_EQ(mlg_last("src_none"), 100);
	MT_CHECK_EQ(mlg_last("mismatch"), 0);
	MT_CHECK_EQ(mlg_last("values"), 500);
	MT_CHECK_EQ(mlg_last("version"), 0);
	teardown(&a);
	MT_CHECK_EQ(mlg_sysfs("p0", "table_version"), 0);	/* the agent's table goes with it */
}

static void test_fallback(void)
{
	struct mlg_agent a;
	struct ml_lib_table *t;
	__u64 len;

	MT_REQUIRE(setup(&a, 5, ML_LIB_MODE_RECOMMENDATION) == 0, "setup");
	MT_CHECK_EQ(mlg_sysfs_write("p0", "holdout_bp", "0"), 0);
	t = table3(6, &len);
	t->flags = ML_LIB_TABLE_FALLBACK;
	t->fallback[0] = 400;
	t->fallback[1] = -4;
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	free(t);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 15 10"), 0);
	MT_CHECK_EQ(mlg_last("src_fallback"), 10);
	MT_CHECK_EQ(mlg_last("arm_ml"), 10);
	MT_CHECK_EQ(mlg_last("values"), 400);
	MT_CHECK_EQ(mlg_last("version"), 6);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 30 10"), 0);
	MT_CHECK_EQ(mlg_last("src_table"), 10);
	MT_CHECK_EQ(mlg_last("values"), 300);
	teardown(&a);
}

/* @hits of @n draws with probability @bp/10000, within 5 standard deviations. */
static int plausible(long long hits, int n, int bp)
{
	double p = bp / 10000.0, sd = sqrt(n * p * (1 - p));

	return fabs(hits - n * p) <= 5 * sd + 1;
}

static void test_shares_and_advice(void)
{
	struct mlg_agent a;
	long long ml;

	MT_REQUIRE(setup(&a, 5, ML_LIB_MODE_RECOMMENDATION) == 0, "setup");
	/* RECOMMENDATION with a full holdout: advice computed, never applied. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "holdout_bp", "10000"), 0);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 100"), 0);
	MT_CHECK_EQ(mlg_last("arm_default"), 100);
	MT_CHECK_EQ(mlg_last("src_table"), 100);
	MT_CHECK_EQ(mlg_last("shadow"), 0);
	MT_CHECK_EQ(mlg_last("advice"), 200);
	MT_CHECK_EQ(mlg_last("values"), 500);
	/* The default holdout: 95% ML. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "holdout_bp", "500"), 0);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 4000"), 0);
	ml = mlg_last("arm_ml");
	MT_CHECK(plausible(ml, 4000, 9500), "recommendation: %lld of 4000 ML", ml);
	MT_CHECK_EQ(mlg_last("mismatch"), 0);

	/* LEARNING with share 0: advice mode. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_LEARNING), 0);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "share_learning_bp", "0"), 0);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 100"), 0);
	MT_CHECK_EQ(mlg_last("arm_default"), 100);
	MT_CHECK_EQ(mlg_last("shadow"), 100);
	MT_CHECK_EQ(mlg_last("flags"), ML_LIB_OUTCOME_SHADOW);
	MT_CHECK_EQ(mlg_last("advice"), 200);
	MT_CHECK_EQ(mlg_last("values"), 500);
	/* LEARNING, default share 10%. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "share_learning_bp", "1000"), 0);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 4000"), 0);
	ml = mlg_last("arm_ml");
	MT_CHECK(plausible(ml, 4000, 1000), "learning: %lld of 4000 ML", ml);
	MT_CHECK_EQ(mlg_last("shadow"), 0);
	MT_CHECK_EQ(mlg_last("mismatch"), 0);
	/* COLLABORATION, default share 50%. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_COLLABORATION), 0);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 4000"), 0);
	ml = mlg_last("arm_ml");
	MT_CHECK(plausible(ml, 4000, 5000), "collaboration: %lld of 4000 ML", ml);
	/* EMERGENCY: no advice at all. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_EMERGENCY), 0);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 100"), 0);
	MT_CHECK_EQ(mlg_last("arm_default"), 100);
	MT_CHECK_EQ(mlg_last("src_none"), 100);
	teardown(&a);

	/* No agent: EMERGENCY, the default, and still valid ids. */
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 50"), 0);
	MT_CHECK_EQ(mlg_last("arm_default"), 50);
	MT_CHECK_EQ(mlg_last("src_none"), 50);
	MT_CHECK_EQ(mlg_last("bad_ids"), 0);
}

static void test_expiry(void)
{
	struct mlg_agent a;
	struct ml_lib_table *t;
	long long t0, end;
	__u64 len;
	int expired = 0;

	MT_REQUIRE(setup(&a, 5, ML_LIB_MODE_RECOMMENDATION) == 0, "setup");
	MT_CHECK_EQ(mlg_sysfs_write("p0", "holdout_bp", "0"), 0);
	t = table3(7, &len);
	t->ttl_ms = 300;
	t0 = mlg_now_ms();
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	free(t);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 1"), 0);
	if (mlg_now_ms() - t0 < 250) {
		MT_CHECK_EQ(mlg_last("src_table"), 1);
		MT_CHECK_EQ(mlg_last("arm_ml"), 1);
	}
	for (end = t0 + 10000; mlg_now_ms() < end; usleep(10000)) {
		MT_CHECK_EQ(mlg_ctl("decide p0 0 20 1"), 0);
		if (mlg_last("src_none") == 1) {
			expired = 1;
			break;
		}
	}
	MT_CHECK(expired, "the table expired");
	MT_CHECK(mlg_now_ms() - t0 >= 290, "not before its ttl: %lld ms", mlg_now_ms() - t0);
	MT_CHECK_EQ(mlg_last("arm_default"), 1);
	MT_CHECK_EQ(mlg_last("values"), 500);
	MT_CHECK_EQ(mlg_sysfs("p0", "table_version"), 7);
	teardown(&a);
}

struct bad_table {
	const char *what;
	int err;
};

static void test_invalid_tables(void)
{
	struct mlg_agent a;
	struct ml_lib_feedback fb[64];
	struct ml_lib_table *t;
	struct ml_lib_table_entry *e;
	long long rej0 = mlg_sysfs("p0", "recs_rejected"), acc0, bad0;
	int n = 0, i, nfb;
	__u64 len;
	int errs[64];

	MT_REQUIRE(setup(&a, 8, ML_LIB_MODE_RECOMMENDATION) == 0, "setup");
	MT_CHECK_EQ(mlg_sysfs_write("p0", "holdout_bp", "0"), 0);
	acc0 = mlg_sysfs("p0", "recs_accepted");

#define BAD(err_, mutate)						\
	do {								\
		t = table3(100 + n, &len);				\
		e = mlg_entries(t);					\
		mutate;							\
		MT_CHECK(mlg_push(a.fd, t, len) == -(err_), "%s: %s", #mutate, strerror(errno)); \
		errs[n++] = -(err_);					\
		free(t);						\
		(void)e;						\
	} while (0)

	BAD(EINVAL, t->format = 2);
	BAD(EINVAL, t->version = 0);
	BAD(EINVAL, t->flags = 2);
	BAD(EINVAL, t->reserved = 1);
	BAD(EINVAL, t->nr_actions = 1);
	BAD(ERANGE, e[1].values[0] = 1001);
	BAD(ERANGE, e[2].values[1] = -51);
	BAD(EINVAL, e[1].key = e[0].key);		/* duplicate key */
	BAD(EINVAL, e[2].key = 15);			/* descending */
	BAD(EINVAL, e[0].values[2] = 1);		/* padding past nr_actions */
	BAD(EINVAL, t->fallback[0] = 1);		/* fallback without its flag */
	BAD(ERANGE, (t->flags = ML_LIB_TABLE_FALLBACK, t->fallback[0] = -1));
	BAD(EINVAL, len -= 1);				/* truncated */
	BAD(EINVAL, len -= sizeof(*e));			/* an entry short */
	BAD(EINVAL, len = 10);				/* a truncated header */
	BAD(EINVAL, t->nr_entries = 4);			/* claims more than it has */
	BAD(EINVAL, t->size = 8);
	BAD(EINVAL, len = 0);

	/* Trailing bytes. */
	t = table3(200, &len);
	t = realloc(t, len + 8);
	memset((char *)t + len, 0, 8);
	MT_CHECK_EQ(mlg_push(a.fd, t, len + 8), -EINVAL);
	errs[n++] = -EINVAL;
	/* A larger header with unknown non-zero bytes. */
	{
		__u64 l2 = len + 8;
		char *b = calloc(1, l2);

		memcpy(b, t, sizeof(*t));
		((struct ml_lib_table *)b)->size = sizeof(*t) + 8;
		memcpy(b + sizeof(*t) + 8, (char *)t + sizeof(*t), len - sizeof(*t));
		b[sizeof(*t) + 1] = 1;
		MT_CHECK_EQ(mlg_push(a.fd, b, l2), -E2BIG);
		errs[n++] = -E2BIG;
		b[sizeof(*t) + 1] = 0;
		((struct ml_lib_table *)b)->version = 201;
		MT_CHECK_EQ(mlg_push(a.fd, b, l2), 0);		/* zero: accepted */
		free(b);
	}
	free(t);
	/* Too many entries. */
	t = mlg_table(ML_LIB_MAX_TABLE_ENTRIES + 1, 2, 300, &len);
	for (i = 0; i < ML_LIB_MAX_TABLE_ENTRIES + 1; i++)
		mlg_entries(t)[i].key = i;
	MT_CHECK_EQ(mlg_push(a.fd, t, len), -E2BIG);
	errs[n++] = -E2BIG;
	free(t);
	/* Larger than any blob may be: refused before it is read. */
	MT_CHECK_EQ(mlg_push(a.fd, &len, (__u64)ML_LIB_MAX_BLOB + 8), -E2BIG);
	errs[n++] = -E2BIG;
	/* Garbage. */
	{
		__u64 g[128], x = 0x9e3779b97f4a7c15ULL;

		for (i = 0; i < 128; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			g[i] = x;
		}
		MT_CHECK_EQ(mlg_push(a.fd, g, sizeof(g)), -EINVAL);
		errs[n++] = -EINVAL;
	}
	/* The subsystem's own validation. */
	MT_CHECK_EQ(mlg_ctl("validate p0 16"), 0);
	t = table3(400, &len);
	MT_CHECK_EQ(mlg_push(a.fd, t, len), -EBUSY);
	errs[n++] = -EBUSY;
	MT_CHECK_EQ(mlg_ctl("validate p0 0"), 0);
	free(t);

	MT_CHECK_EQ(mlg_sysfs("p0", "recs_rejected"), rej0 + n);
	MT_CHECK_EQ(mlg_sysfs("p0", "recs_accepted"), acc0 + 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "table_version"), 201);

	/* Not tables at all: bad requests, not rejected tables. */
	bad0 = mlg_sysfs("p0", "bad_requests");
	{
		struct ml_lib_push p = { .size = sizeof(p), .kind = ML_LIB_PUSH_MODEL + 1,
					 .data = (__u64)(uintptr_t)&len, .len = 64 };

		MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_PUSH, &p)), EINVAL);
		p.kind = 0;
		MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_PUSH, &p)), EINVAL);
		p.kind = ML_LIB_PUSH_TABLE;
		p.size = 8;
		MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_PUSH, &p)), EINVAL);
		p.size = sizeof(p);
		p.data = 16;
		p.len = 1000;
		MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_PUSH, &p)), EFAULT);
	}
	MT_CHECK_EQ(mlg_sysfs("p0", "bad_requests"), bad0 + 4 + 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "recs_rejected"), rej0 + n);

	/* Nothing changed: the last good table decides. */
	MT_CHECK_EQ(mlg_ctl("decide p0 0 20 10"), 0);
	MT_CHECK_EQ(mlg_last("src_table"), 10);
	MT_CHECK_EQ(mlg_last("values"), 200);
	MT_CHECK_EQ(mlg_last("version"), 201);

	/* One verdict record per push, in order, with its errno. */
	nfb = mlg_feedback(&a, ML_LIB_FB_TABLE, fb, 64);
	MT_CHECK_EQ(nfb, n + 1);
	for (i = 0, n = 0; i < nfb; i++) {
		if (fb[i].verdict.version == 201) {
			MT_CHECK_EQ(fb[i].verdict.error, 0);
			continue;
		}
		MT_CHECK(fb[i].verdict.error == errs[n], "verdict %d: %d, want %d", i,
			 fb[i].verdict.error, errs[n]);
		n++;
	}
	teardown(&a);

	/* Only an attached agent pushes. */
	int fd = mlg_open();

	t = table3(500, &len);
	MT_CHECK_EQ(mlg_push(fd, t, len), -ENOTCONN);
	free(t);
	close(fd);
}

static void test_outcomes_and_efficiency(void)
{
	static struct ml_lib_feedback fb[1100];
	struct mlg_agent a;
	struct ml_lib_status st;
	struct ml_lib_ctl c = { .size = sizeof(c) };
	struct ml_lib_table *t;
	long long end;
	__u64 len, ids_bad = 0;
	int i, n, nml = 0;

	MT_REQUIRE(setup(&a, 5, ML_LIB_MODE_COLLABORATION) == 0, "setup");
	/* A fresh start: statistics and table dropped. */
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_REINIT, &c)), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "table_version"), 0);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.arms[0].decisions + st.arms[1].decisions, 0);
	MT_CHECK_EQ(st.arms[0].outcomes + st.arms[1].outcomes, 0);
	MT_CHECK_EQ(st.efficiency_bp, -1);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_COLLABORATION);	/* still pinned */
	t = mlg_table(1, 2, 9, &len);
	mlg_entries(t)[0].key = 20;
	mlg_entries(t)[0].values[0] = 250;
	mlg_entries(t)[0].values[1] = 5;
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	free(t);
	/* One evaluation window for all of them: hold the work, then let it run. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "60000"), 0);
	mlg_drain(&a);

	MT_CHECK_EQ(mlg_ctl("outcome p0 0 20 1000 100 300"), 0);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.arms[0].decisions + st.arms[1].decisions, 1000);
	MT_CHECK_EQ(st.arms[1].decisions, mlg_last("arm_ml"));
	MT_CHECK_EQ(st.arms[0].outcomes, st.arms[0].decisions);
	MT_CHECK_EQ(st.arms[1].outcomes, st.arms[1].decisions);
	MT_CHECK(plausible(st.arms[1].decisions, 1000, 5000), "%llu ML",
		 (unsigned long long)st.arms[1].decisions);
	MT_CHECK_EQ(st.arms[1].mean_milli, 100000);
	MT_CHECK_EQ(st.arms[0].mean_milli, 300000);
	MT_CHECK_EQ(st.arms[0].stddev_milli, 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "outcomes_ml"), st.arms[1].outcomes);
	MT_CHECK_EQ(mlg_sysfs("p0", "outcomes_default"), st.arms[0].outcomes);
	MT_CHECK_EQ(mlg_sysfs("p0", "decisions_ml"), st.arms[1].decisions);

	/* Every outcome on the feedback ring, with what was applied and the advice. */
	n = mlg_feedback(&a, ML_LIB_FB_OUTCOME, fb, 1100);
	MT_CHECK_EQ(n, 1000);
	for (i = 0; i < n; i++) {
		struct ml_lib_fb_outcome *o = &fb[i].outcome;
		int ml = o->arm == ML_LIB_ARM_ML;

		nml += ml;
		if (o->cost != (ml ? 100 : 300) || o->values[0] != (ml ? 250 : 500) ||
		    o->values[1] != (ml ? 5 : 7) || o->advice[0] != 250 || o->advice[1] != 5 ||
		    o->source != ML_LIB_SRC_TABLE || o->version != 9 || o->key != 20 ||
		    o->flags || !o->decision_id || (i && o->decision_id <= fb[i - 1].outcome.decision_id))
			ids_bad++;
	}
	MT_CHECK_EQ(ids_bad, 0);
	MT_CHECK_EQ(nml, st.arms[1].outcomes);

	/* The efficiency report of the window. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "10"), 0);
	for (n = 0, end = mlg_now_ms() + 10000; !n && mlg_now_ms() < end; usleep(2000))
		n = mlg_feedback(&a, ML_LIB_FB_EFFICIENCY, fb, 4);
	MT_REQUIRE(n == 1, "one efficiency report, got %d", n);
	MT_CHECK_EQ(fb[0].efficiency.efficiency_bp, 3333);
	MT_CHECK_EQ(fb[0].efficiency.outcomes[1], st.arms[1].outcomes);
	MT_CHECK_EQ(fb[0].efficiency.outcomes[0], st.arms[0].outcomes);
	MT_CHECK_EQ(fb[0].efficiency.mean_milli[1], 100000);
	MT_CHECK_EQ(fb[0].efficiency.mean_milli[0], 300000);
	MT_CHECK_EQ(mlg_sysfs("p0", "efficiency_bp"), 3333);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.efficiency_bp, 3333);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "eval_interval_ms", "100"), 0);

	/* Advice mode: outcomes count for the default arm, flagged shadow. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_LEARNING), 0);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "share_learning_bp", "0"), 0);
	mlg_drain(&a);
	MT_CHECK_EQ(mlg_ctl("outcome p0 0 20 10 100 300"), 0);
	n = mlg_feedback(&a, ML_LIB_FB_OUTCOME, fb, 20);
	MT_CHECK_EQ(n, 10);
	for (i = 0; i < n; i++) {
		MT_CHECK_EQ(fb[i].outcome.flags, ML_LIB_OUTCOME_SHADOW);
		MT_CHECK_EQ(fb[i].outcome.arm, ML_LIB_ARM_DEFAULT);
		MT_CHECK_EQ(fb[i].outcome.advice[0], 250);
		MT_CHECK_EQ(fb[i].outcome.values[0], 500);
	}
	teardown(&a);
}

static void test_sample_decisions(void)
{
	struct mlg_agent a;
	struct ml_lib_table *t;
	__u64 buf[4 * 8], len, unc0;
	__u32 cpu;
	int i;

	MT_REQUIRE(mlg_attach(&a, id_p1, 64, 64, 0, 0) == 0, "attach");
	t = mlg_table(1, 1, 3, &len);
	mlg_entries(t)[0].key = 7;
	mlg_entries(t)[0].values[0] = 600;
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	free(t);
	mlg_drain(&a);
	cpu = a.ncpu - 1;
	MT_CHECK_EQ(mlg_ctl("decide p1 %u 7 5", cpu), 0);
	MT_CHECK_EQ(mlg_last("src_table"), 5);
	MT_REQUIRE(mlg_consume(&a, cpu, buf, 8) == 5, "one sample per decision");
	for (i = 0; i < 5; i++) {
		struct ml_lib_sample *s = (struct ml_lib_sample *)&buf[4 * i];

		MT_CHECK_EQ(s->key, 7);
		MT_CHECK_EQ(s->features[0], 7);
		MT_CHECK(s->decision_id && ml_decision_cpu(s->decision_id, a.ncpu) == cpu,
			 "id %llu", (unsigned long long)s->decision_id);
		if (i)
			MT_CHECK(s->decision_id > ((struct ml_lib_sample *)&buf[4 * (i - 1)])->decision_id,
				 "increasing ids");
	}
	MT_CHECK_EQ(((struct ml_lib_sample *)&buf[16])->decision_id, mlg_last("id"));
	mlg_close(&a);
	unc0 = mlg_sysfs("p1", "unconsumed");
	MT_CHECK_EQ(mlg_ctl("decide p1 0 7 3"), 0);
	MT_CHECK_EQ(mlg_sysfs("p1", "unconsumed"), unc0 + 3);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mlg_find_testmod(&id_p0, &id_p1))
		return 1;
	/*
	 * Tables and decisions, not the mode controller's safety triggers
	 * (ml_lib_controller_test): the invalid tables must not send p0 to
	 * EMERGENCY, nor a test that takes a while without heartbeats, and an
	 * expired table must not hold the next test in a cool-down.
	 */
	mlg_sysfs_write("p0", "controller/reject_min", "10000");
	mlg_sysfs_write("p0", "controller/heartbeat_timeout_ms", "3600000");
	mlg_sysfs_write("p0", "controller/cooldown_ms", "0");
	MT_RUN(test_push_and_decide);
	MT_RUN(test_fallback);
	MT_RUN(test_shares_and_advice);
	MT_RUN(test_expiry);
	MT_RUN(test_invalid_tables);
	MT_RUN(test_outcomes_and_efficiency);
	MT_RUN(test_sample_decisions);
	return mt_summary();
}
