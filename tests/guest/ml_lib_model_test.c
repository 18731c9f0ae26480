// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: integer models in the kernel. Models of every kind, built
 * with user/models/model_build, pushed to ml_lib_testmod's proxies; the
 * kernel's advice for many feature vectors (extreme ones included) must be
 * bit for bit what core/ml_model.c, compiled into this program, computes,
 * clamped to the actions' ranges. Also: the model's version in decisions,
 * status, sysfs and feedback records (outcomes, verdicts); precedence over a
 * table; only the attached agent may push; malformed models refused with
 * the verifier's errno, a counter, a verdict, a tracepoint naming the rule,
 * and no effect; detach and REINIT drop the model.
 *
 * Needs ml_lib_testmod. p0: features x, y; actions a in [0, 1000] (default
 * 500) and b in [-50, 50] (default 7). p1: feature x, action a,
 * ML_LIB_PROXY_SAMPLE_DECISIONS.
 */
#include <stdlib.h>
#include "ml_lib_guest.h"
#include "ml_model.h"
#include "model_build.h"
#include "xorshift.h"

#define TRACE "/sys/kernel/tracing/"

static __u32 id_p0, id_p1;
static uint64_t rng = 0x6a09e667f3bcc909ULL;

static uint64_t next(void)
{
	return xorshift64(&rng);
}

/* A feature value, often an extreme one. */
static __s64 feature(void)
{
	switch (next() % 6) {
	case 0:
		return INT64_MAX;
	case 1:
		return INT64_MIN;
	case 2:
		return (__s64)next() >> (next() % 63);
	default:
		return (__s64)(next() % 4001) - 2000;
	}
}

static int push_model(int fd, const void *blob, __u64 len)
{
	struct ml_lib_push p = { .size = sizeof(p), .kind = ML_LIB_PUSH_MODEL,
				 .data = (__u64)(uintptr_t)blob, .len = len };

	return ioctl(fd, ML_LIB_IOC_PUSH, &p) ? -errno : 0;
}

/* The action bounds of proxy @id, from its schema. */
static int bounds(int fd, __u32 id, __s64 *min, __s64 *max)
{
	struct ml_lib_schema s = { .size = sizeof(s), .proxy_id = id };
	__u32 j;

	if (ioctl(fd, ML_LIB_IOC_SCHEMA, &s))
		return -errno;
	for (j = 0; j < s.nr_actions; j++) {
		min[j] = s.actions[j].min;
		max[j] = s.actions[j].max;
	}
	return 0;
}

/* What the kernel must advise: the host executor's outputs, clamped. */
static void expected(const void *blob, size_t len, const __s64 *x, const __s64 *min,
		     const __s64 *max, __s64 *want)
{
	s64 in[ML_LIB_MAX_FEATURES], out[ML_LIB_MAX_ACTIONS];
	struct ml_model m;
	unsigned int j;

	if (ml_model_verify(&m, blob, len, NULL))
		abort();
	for (j = 0; j < m.nr_inputs; j++)
		in[j] = x[j];
	ml_model_run(&m, in, out);
	for (j = 0; j < m.nr_outputs; j++)
		want[j] = out[j] < min[j] ? min[j] : out[j] > max[j] ? max[j] : out[j];
}

/* The last decision of the test module: advice, source, version, arm. */
struct last {
	__s64 advice[2];
	__s64 values[2];
	long long source, version, arm, mismatch;
};

static int read_last(struct last *l)
{
	char buf[2048], *a;

	if (mlg_read_file(MLG_DEBUGFS "/last", buf, sizeof(buf)))
		return -1;
	a = strstr(buf, "\nadvice ");
	if (!a || sscanf(a, "\nadvice %lld %lld", (long long *)&l->advice[0],
			 (long long *)&l->advice[1]) != 2)
		return -1;
	a = strstr(buf, "\nvalues ");
	if (!a || sscanf(a, "\nvalues %lld %lld", (long long *)&l->values[0],
			 (long long *)&l->values[1]) != 2)
		return -1;
	l->source = mlg_last("source");
	l->version = mlg_last("version");
	l->arm = mlg_last("arm");
	l->mismatch = mlg_last("mismatch");
	return 0;
}

/* One p0 decision for features (x0, x1) on CPU 0. */
static int decide_p0(__s64 x0, __s64 x1, struct last *l)
{
	if (mlg_ctl("decide p0 0 %lld 1 %lld", (long long)x0, (long long)x1))
		return -1;
	return read_last(l);
}

/* Attach to p0, pin RECOMMENDATION without a holdout: every decision is ML. */
static int setup_p0(struct mlg_agent *a)
{
	int ret = mlg_attach(a, id_p0, 256, 4096, 0, 0);

	if (!ret)
		ret = mlg_set_mode(a->fd, 0, ML_LIB_MODE_RECOMMENDATION);
	if (!ret)
		ret = mlg_sysfs_write("p0", "holdout_bp", "0");
	return ret;
}

static void teardown(struct mlg_agent *a)
{
	mlg_set_mode(a->fd, 0, ML_LIB_MODE_AUTO);
	mlg_sysfs_write("p0", "holdout_bp", "500");
	mlg_close(a);
}

/* ---- models for p0: 2 inputs, 2 outputs --------------------------------- */

struct tree {
	int32_t left[127], right[127];
	uint16_t feature[127];
	int64_t threshold[127], value[127 * 2];
	unsigned int n;
};

/* A random tree of depth at most @depth, in pre-order; leaves beyond the actions' ranges. */
static int32_t grow(struct tree *t, unsigned int depth)
{
	int32_t i = (int32_t)t->n++;

	t->left[i] = t->right[i] = -1;
	t->feature[i] = next() % 2;
	t->threshold[i] = feature();
	t->value[2 * i] = (int64_t)(next() % 3001) - 1000;
	t->value[2 * i + 1] = (int64_t)(next() % 301) - 150;
	if (depth && next() % 4) {
		t->left[i] = grow(t, depth - 1);
		t->right[i] = grow(t, depth - 1);
	}
	return i;
}

static int build_forest(uint64_t version, void **blob, size_t *len)
{
	static struct tree t[3];
	struct ml_build_tree bt[3];
	int64_t base[2] = { 100, -3 };
	unsigned int k;

	for (k = 0; k < 3; k++) {
		t[k].n = 0;
		grow(&t[k], 5);
		bt[k] = (struct ml_build_tree){ t[k].n, t[k].left, t[k].right, t[k].feature,
						t[k].threshold, t[k].value };
	}
	return ml_build_forest(&(struct ml_build_forest){ .version = version, .nr_inputs = 2,
		.nr_outputs = 2, .nr_trees = 3, .trees = bt, .combine = ML_LIB_MODEL_MEAN,
		.shift = 1, .base = base }, blob, len);
}

static int build_linear(uint64_t version, void **blob, size_t *len)
{
	/* Large weights: many outputs saturate __s64, then get clamped. */
	static const int32_t w[] = { 3 << 12, -(5 << 12), INT32_MAX, INT32_MIN + 1 };
	static const int64_t bias[] = { 500 << 12, -(1LL << 40) };

	return ml_build_linear(&(struct ml_build_linear){ .version = version, .nr_inputs = 2,
		.nr_outputs = 2, .weights = w, .bias = bias, .shift = 12 }, blob, len);
}

static int build_mlp(uint64_t version, void **blob, size_t *len)
{
	static int16_t w0[16 * 2], w1[8 * 16], w2[2 * 8];
	static int32_t b0[16], b1[8], b2[2];
	static const uint8_t in_shift[2] = { 2, 5 };
	struct ml_build_layer layers[3] = {
		{ .nr_out = 16, .shift = 3, .activation = ML_LIB_MODEL_ACT_RELU, .bias = b0, .weights = w0 },
		{ .nr_out = 8, .shift = 6, .activation = ML_LIB_MODEL_ACT_RELU, .bias = b1, .weights = w1 },
		{ .nr_out = 2, .shift = 4, .bias = b2, .weights = w2 },
	};
	unsigned int i;

	for (i = 0; i < 32; i++)
		w0[i] = (int16_t)((int)(next() % 20001) - 10000);
	for (i = 0; i < 128; i++)
		w1[i] = (int16_t)((int)(next() % 255) - 127);
	for (i = 0; i < 16; i++)
		w2[i] = (int16_t)((int)(next() % 2001) - 1000);
	for (i = 0; i < 16; i++)
		b0[i] = (int32_t)(next() % 20001) - 10000;
	for (i = 0; i < 8; i++)
		b1[i] = (int32_t)(next() % 2001) - 1000;
	b2[0] = 4000;
	b2[1] = -100;
	return ml_build_mlp(&(struct ml_build_mlp){ .version = version, .nr_inputs = 2,
		.out_lshift = 1, .in_shift = in_shift, .nr_layers = 3, .layers = layers },
		blob, len);
}

typedef int (*builder)(uint64_t version, void **blob, size_t *len);

/* Valid models that do not fit p0's schema: one input; one output. */
static int build_one_input(uint64_t version, void **blob, size_t *len)
{
	static const int32_t w[] = { 1, 2 };

	return ml_build_linear(&(struct ml_build_linear){ .version = version, .nr_inputs = 1,
		.nr_outputs = 2, .weights = w }, blob, len);
}

static int build_one_output(uint64_t version, void **blob, size_t *len)
{
	static const int32_t w[] = { 1, 2 };

	return ml_build_linear(&(struct ml_build_linear){ .version = version, .nr_inputs = 2,
		.nr_outputs = 1, .weights = w }, blob, len);
}

/* Push a model to p0 and compare the kernel's advice with the host's, @n times. */
static void check_model(builder build, uint64_t version, int n)
{
	__s64 min[2], max[2], want[2];
	long long acc0 = mlg_sysfs("p0", "models_accepted");
	struct mlg_agent a;
	struct last l;
	void *blob;
	size_t len;
	int i, bad = 0;

	MT_REQUIRE(build(version, &blob, &len) == 0, "build");
	MT_REQUIRE(setup_p0(&a) == 0, "setup");
	MT_REQUIRE(bounds(a.fd, 0, min, max) == 0);
	MT_REQUIRE(push_model(a.fd, blob, len) == 0, "push: %s", strerror(errno));
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), version);
	MT_CHECK_EQ(mlg_sysfs("p0", "models_accepted"), acc0 + 1);
	for (i = 0; i < n; i++) {
		__s64 x[2] = { feature(), feature() };

		if (i < 4) {
			/* The four corners. */
			x[0] = i & 1 ? INT64_MAX : INT64_MIN;
			x[1] = i & 2 ? INT64_MAX : INT64_MIN;
		}
		MT_REQUIRE(decide_p0(x[0], x[1], &l) == 0, "decide");
		expected(blob, len, x, min, max, want);
		if (l.advice[0] != want[0] || l.advice[1] != want[1]) {
			if (bad++ < 5)
				mt_fail_at(__FILE__, __LINE__,
					   "x=(%lld, %lld): kernel (%lld, %lld), host (%lld, %lld)",
					   (long long)x[0], (long long)x[1],
					   (long long)l.advice[0], (long long)l.advice[1],
					   (long long)want[0], (long long)want[1]);
		}
		MT_CHECK_EQ(l.source, ML_LIB_SRC_MODEL);
		MT_CHECK_EQ(l.version, version);
		MT_CHECK_EQ(l.arm, ML_LIB_ARM_ML);
		MT_CHECK_EQ(l.mismatch, 0);
	}
	MT_CHECK(bad == 0, "%d of %d decisions differ from the host", bad, n);
	free(blob);
	teardown(&a);
}

static void test_forest_bit_exact(void)
{
	check_model(build_forest, 101, 150);
}

static void test_linear_bit_exact(void)
{
	check_model(build_linear, 102, 150);
}

static void test_mlp_bit_exact(void)
{
	check_model(build_mlp, 103, 150);
}

/* A model replaces the previous one; status reports it; a table does not override it. */
static void test_replace_status_and_table(void)
{
	long long acc0 = mlg_sysfs("p0", "models_accepted");
	struct ml_lib_status st;
	struct ml_lib_table *t;
	struct mlg_agent a;
	struct last l;
	void *b1, *b2;
	size_t l1, l2;
	__u64 tlen;

	MT_REQUIRE(build_linear(7, &b1, &l1) == 0 && build_forest(8, &b2, &l2) == 0);
	MT_REQUIRE(setup_p0(&a) == 0, "setup");
	MT_REQUIRE(push_model(a.fd, b1, l1) == 0);
	MT_REQUIRE(push_model(a.fd, b2, l2) == 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 8);
	MT_REQUIRE(mlg_status(a.fd, 0, &st) == 0);
	MT_CHECK_EQ(st.model_version, 8);
	MT_CHECK_EQ(st.models_accepted, acc0 + 2);
	MT_CHECK_EQ(st.models_rejected, mlg_sysfs("p0", "models_rejected"));

	/* A table for key 42: the model still answers. */
	t = mlg_table(1, 2, 9, &tlen);
	mlg_entries(t)[0].key = 42;
	mlg_entries(t)[0].values[0] = 1;
	mlg_entries(t)[0].values[1] = 2;
	MT_REQUIRE(mlg_push(a.fd, t, tlen) == 0);
	free(t);
	MT_CHECK_EQ(mlg_sysfs("p0", "table_version"), 9);
	MT_REQUIRE(decide_p0(42, 0, &l) == 0);
	MT_CHECK_EQ(l.source, ML_LIB_SRC_MODEL);
	MT_CHECK_EQ(l.version, 8);
	free(b1);
	free(b2);
	teardown(&a);
}

/* Outcome records carry the model's version and advice; p1's samples carry the features. */
static void test_feedback_records(void)
{
	static const int32_t w[] = { 3 };
	static const int64_t bias[] = { 40 };
	struct ml_build_linear lin = { .version = 77, .nr_inputs = 1, .nr_outputs = 1,
				       .weights = w, .bias = bias, .shift = 1 };
	struct ml_lib_feedback fb[64];
	__u64 sbuf[64 * 4];
	__s64 min[1], max[1];
	struct mlg_agent a;
	void *blob;
	size_t len;
	int i, n, checked = 0;
	__u64 k, ns;

	MT_REQUIRE(ml_build_linear(&lin, &blob, &len) == 0);
	MT_REQUIRE(mlg_attach(&a, id_p1, 256, 4096, 0, 0) == 0);
	MT_REQUIRE(bounds(a.fd, 0, min, max) == 0);
	MT_REQUIRE(mlg_set_mode(a.fd, 0, ML_LIB_MODE_RECOMMENDATION) == 0);
	MT_REQUIRE(push_model(a.fd, blob, len) == 0);
	mlg_drain(&a);
	for (k = 0; k < 8; k++) {
		__s64 x = (__s64)(k * 97) - 300, want;

		int ret = mlg_ctl("outcome p1 0 %lld 2 5 9", (long long)x);

		MT_REQUIRE(ret == 0, "outcome: %s", strerror(-ret));
		expected(blob, len, &x, min, max, &want);
		n = mlg_feedback(&a, ML_LIB_FB_OUTCOME, fb, 64);
		MT_CHECK_EQ(n, 2);
		ns = mlg_consume(&a, ml_ring_sample_index(0), sbuf, 64);
		MT_CHECK_EQ(ns, 2);
		for (i = 0; i < n; i++) {
			const struct ml_lib_sample *s = (const void *)&sbuf[4 * i];

			MT_CHECK_EQ(fb[i].outcome.version, 77);
			MT_CHECK_EQ(fb[i].outcome.source, ML_LIB_SRC_MODEL);
			MT_CHECK_EQ(fb[i].outcome.advice[0], want);
			/* The published features of the same decision give the same advice. */
			if (i < (int)ns && s->decision_id == fb[i].outcome.decision_id) {
				__s64 again;

				expected(blob, len, s->features, min, max, &again);
				MT_CHECK_EQ(fb[i].outcome.advice[0], again);
				checked++;
			}
		}
	}
	MT_CHECK_EQ(checked, 16);
	free(blob);
	mlg_set_mode(a.fd, 0, ML_LIB_MODE_AUTO);
	mlg_close(&a);
}

/* ---- refused models -------------------------------------------------------- */

static void m_magic(void *b, size_t *len) { (void)len; ((struct ml_lib_model *)b)->magic ^= 1; }
static void m_truncate(void *b, size_t *len) { (void)b; *len -= 8; }
static void m_trees(void *b, size_t *len)
{
	(void)len;
	((struct ml_lib_model_forest *)((char *)b + sizeof(struct ml_lib_model)))->nr_trees =
		ML_LIB_MODEL_MAX_TREES + 1;
}
static void m_cycle(void *b, size_t *len)
{
	/* build_forest: 3 roots take 16 bytes; the first root becomes its own right child. */
	char *f = (char *)b + sizeof(struct ml_lib_model);
	struct ml_lib_model_node *n = (void *)(f + sizeof(struct ml_lib_model_forest) + 16);

	(void)len;
	n[0].feature = 0;
	n[0].target = 0;
}
static void m_shift(void *b, size_t *len)
{
	(void)len;
	((struct ml_lib_model_linear *)((char *)b + sizeof(struct ml_lib_model)))->shift = 63;
}
static void m_none(void *b, size_t *len) { (void)b; (void)len; }
static void m_version0(void *b, size_t *len) { (void)len; ((struct ml_lib_model *)b)->version = 0; }
static void m_reserved(void *b, size_t *len) { (void)len; ((struct ml_lib_model *)b)->reserved[1] = 1; }
static void m_garbage(void *b, size_t *len)
{
	size_t i;

	for (i = 0; i < *len; i++)
		((unsigned char *)b)[i] = (unsigned char)next();
}
static void m_empty(void *b, size_t *len) { (void)b; *len = 0; }
static void m_huge(void *b, size_t *len) { (void)b; *len = ML_LIB_MAX_BLOB + 1; }

/*
 * build_mlp: make output 0 of layer 0 (2 inputs) overflow an s32 accumulator:
 * |bias| + 32768 x (32767 + 32767) > S32_MAX.
 */
static void m_bound(void *b, size_t *len)
{
	char *at = (char *)b + sizeof(struct ml_lib_model) + sizeof(struct ml_lib_model_mlp) +
		   3 * sizeof(struct ml_lib_model_layer);
	__s32 *bias = (__s32 *)at;
	__s64 *w = (__s64 *)(at + 16 * 4);

	(void)len;
	bias[0] = 100000;
	w[0] = 32767;
	w[1] = 32767;
}

static const struct {
	const char *name;
	builder build;
	void (*mutate)(void *blob, size_t *len);
	int err;
	const char *rule;	/* as the tracepoint prints it */
} bad[] = {
	{ "bad magic", build_forest, m_magic, EINVAL, "header: bad magic" },
	{ "truncated", build_linear, m_truncate, EINVAL, "header: total_len differs" },
	{ "too many trees", build_forest, m_trees, E2BIG, "MAX_TREES" },
	{ "a cycle", build_forest, m_cycle, EINVAL, "split: right child outside" },
	{ "shift out of range", build_linear, m_shift, ERANGE, "linear: shift above" },
	{ "accumulator bound", build_mlp, m_bound, ERANGE, "exceeds S32_MAX" },
	{ "inputs not the schema's", build_one_input, m_none, EINVAL, "schema: nr_inputs" },
	{ "outputs not the schema's", build_one_output, m_none, EINVAL, "schema: nr_inputs" },
	{ "version 0", build_mlp, m_version0, EINVAL, "header: version 0" },
	{ "reserved field", build_linear, m_reserved, EINVAL, "reserved" },
	{ "garbage", build_mlp, m_garbage, EINVAL, "" },
	{ "empty", build_linear, m_empty, EINVAL, "shorter than the header" },
	{ "larger than ML_LIB_MAX_BLOB", build_linear, m_huge, E2BIG, "ML_LIB_MAX_BLOB" },
};

/* Switch the ml_lib_model_rejected tracepoint on (emptying the trace buffer) or off. */
static int trace_rejections(bool on)
{
	int fd;

	if (on) {
		fd = open(TRACE "trace", O_WRONLY | O_TRUNC);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	return mlg_write_file(TRACE "events/ml_lib/ml_lib_model_rejected/enable", on ? "1" : "0");
}

static void test_refused(void)
{
	__s64 min[2], max[2], want[2];
	struct ml_lib_feedback fb[16];
	struct mlg_agent a;
	struct last l;
	void *good, *blob;
	size_t glen, len;
	unsigned int i;
	char trace[8192];

	MT_REQUIRE(build_mlp(50, &good, &glen) == 0);
	MT_REQUIRE(setup_p0(&a) == 0);
	MT_REQUIRE(bounds(a.fd, 0, min, max) == 0);
	MT_REQUIRE(push_model(a.fd, good, glen) == 0);
	MT_CHECK(trace_rejections(true) == 0, "enable ml_lib_model_rejected");
	mlg_drain(&a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long rej0 = mlg_sysfs("p0", "models_rejected");
		long long acc0 = mlg_sysfs("p0", "models_accepted");
		int err, n;

		MT_REQUIRE(bad[i].build(1000 + i, &blob, &len) == 0, "%s", bad[i].name);
		bad[i].mutate(blob, &len);
		err = push_model(a.fd, blob, len);
		MT_CHECK(err == -bad[i].err, "%s: %d, want -%d", bad[i].name, err, bad[i].err);
		MT_CHECK_EQ(mlg_sysfs("p0", "models_rejected"), rej0 + 1);
		MT_CHECK_EQ(mlg_sysfs("p0", "models_accepted"), acc0);
		MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 50);
		n = mlg_feedback(&a, ML_LIB_FB_MODEL, fb, 16);
		MT_CHECK(n == 1 && fb[0].verdict.error == -bad[i].err, "%s: verdict", bad[i].name);
		/* No effect: the previous model still answers, bit for bit. */
		MT_REQUIRE(decide_p0(123, -456, &l) == 0);
		expected(good, glen, (const __s64[]){ 123, -456 }, min, max, want);
		MT_CHECK(l.version == 50 && l.advice[0] == want[0] && l.advice[1] == want[1],
			 "%s changed the decisions (source %lld, version %lld)", bad[i].name, l.source,
			 l.version);
		free(blob);
	}
	/* The tracepoint named each rule. */
	MT_CHECK(mlg_read_file(TRACE "trace", trace, sizeof(trace)) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		MT_CHECK(strstr(trace, bad[i].rule), "trace lacks \"%s\"", bad[i].rule);
	MT_CHECK(strstr(trace, "error=-22 rule=\"header: bad magic\""), "trace format");
	trace_rejections(false);
	free(good);
	teardown(&a);
}

/* Only the attached agent may push; observers and other files get ENOTCONN. */
static void test_only_the_agent(void)
{
	long long acc0 = mlg_sysfs("p0", "models_accepted");
	long long rej0 = mlg_sysfs("p0", "models_rejected");
	struct mlg_agent a;
	void *blob;
	size_t len;
	int fd;

	MT_REQUIRE(build_linear(60, &blob, &len) == 0);
	fd = mlg_open();
	MT_REQUIRE(fd >= 0);
	MT_CHECK_EQ(push_model(fd, blob, len), -ENOTCONN);
	MT_REQUIRE(setup_p0(&a) == 0);
	MT_CHECK_EQ(push_model(fd, blob, len), -ENOTCONN);
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "models_accepted"), acc0);
	MT_CHECK_EQ(mlg_sysfs("p0", "models_rejected"), rej0);
	MT_CHECK_EQ(push_model(a.fd, blob, len), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 60);
	close(fd);
	free(blob);
	teardown(&a);
}

/* Detach and REINIT drop the model: decisions go back to the default. */
static void test_dropped(void)
{
	struct ml_lib_ctl ctl = { .size = sizeof(ctl) };
	struct mlg_agent a;
	struct last l;
	void *blob;
	size_t len;

	MT_REQUIRE(build_forest(70, &blob, &len) == 0);
	MT_REQUIRE(setup_p0(&a) == 0);
	MT_REQUIRE(push_model(a.fd, blob, len) == 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 70);
	MT_CHECK_EQ(ioctl(a.fd, ML_LIB_IOC_REINIT, &ctl), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 0);
	MT_REQUIRE(decide_p0(1, 2, &l) == 0);
	MT_CHECK_EQ(l.source, ML_LIB_SRC_NONE);

	MT_REQUIRE(push_model(a.fd, blob, len) == 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 70);
	teardown(&a);
	MT_CHECK_EQ(mlg_sysfs("p0", "model_version"), 0);
	MT_REQUIRE(decide_p0(1, 2, &l) == 0);
	MT_CHECK_EQ(l.source, ML_LIB_SRC_NONE);
	MT_CHECK_EQ(l.values[0], 500);
	MT_CHECK_EQ(l.values[1], 7);
	free(blob);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mlg_find_testmod(&id_p0, &id_p1))
		return 1;
	/*
	 * Models, not the controller's triggers: the test agents do not
	 * heartbeat, and on a loaded host a test (a 4 MiB push) may take
	 * longer than the default timeout; and test_refused pushes eleven bad
	 * models in a row, a burst of rejects (EMERGENCY, the default policy
	 * deciding) whenever the controller's reject window happened to
	 * restart just before them, which depends on when it evaluates.
	 */
	mlg_sysfs_write("p0", "controller/heartbeat_timeout_ms", "3600000");
	mlg_sysfs_write("p0", "controller/reject_min", "10000");
	mlg_sysfs_write("p1", "controller/heartbeat_timeout_ms", "3600000");
	MT_RUN(test_forest_bit_exact);
	MT_RUN(test_linear_bit_exact);
	MT_RUN(test_mlp_bit_exact);
	MT_RUN(test_replace_status_and_table);
	MT_RUN(test_feedback_records);
	MT_RUN(test_refused);
	MT_RUN(test_only_the_agent);
	MT_RUN(test_dropped);
	return mt_summary();
}
