// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of libmlagent against the real module: every library call,
 * with the proxies of the test module (tests/vm/modules/ml_lib_testmod.c,
 * subsystem "mltest": p0 with features x(ns), y(blocks) and actions
 * a [0, 1000] default 500, b [-50, 50] default 7; p1; bench), whose
 * debugfs "ctl" publishes samples and makes decisions on a chosen CPU.
 */
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "mlagent.h"
#include "ml_lib_guest.h"

static struct mla_ctx *open_ctx(void)
{
	struct mla_ctx *ctx = NULL;
	int ret = mla_open(NULL, &ctx);

	if (ret)
		printf("# mla_open: %s\n", strerror(-ret));
	return ctx;
}

static uint32_t id_of(struct mla_ctx *ctx, const char *spec)
{
	struct ml_lib_proxy_info info;

	return mla_find(ctx, spec, &info) ? 0 : info.id;
}

static int skip_feedback(const struct ml_lib_feedback *f, unsigned int cpu, void *arg)
{
	(void)f;
	(void)cpu;
	(void)arg;
	return 0;
}

/* Consume the feedback (mode records of the attachment, ...) so far. */
static void drain_feedback(struct mla_ctx *ctx)
{
	while (mla_consume_feedback(ctx, ~0u, skip_feedback, NULL) > 0)
		;
}

static int nr_online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static void test_version(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct ml_lib_version v;

	MT_REQUIRE(ctx != NULL);
	MT_CHECK_EQ(mla_version(ctx, &v), 0);
	MT_CHECK_EQ(v.major, ML_LIB_ABI_MAJOR);
	MT_CHECK_EQ(v.max_features, ML_LIB_MAX_FEATURES);
	MT_CHECK_EQ(v.max_blob, ML_LIB_MAX_BLOB);
	MT_CHECK(mla_fd(ctx) >= 0, "fd");
	mla_close(ctx);
	MT_CHECK_EQ(mla_open("/dev/ml_lib_nonexistent", &ctx), -ENOENT);
}

static void test_list_and_find(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct ml_lib_proxy_info one, *all = NULL, info;
	int n, i, seen = 0;

	MT_REQUIRE(ctx != NULL);
	n = mla_list(ctx, &one, 1);
	MT_CHECK(n >= 3, "count %d", n);
	MT_CHECK_EQ(mla_list(ctx, NULL, 0), n);
	MT_CHECK_EQ(mla_list_alloc(ctx, &all), n);
	MT_REQUIRE(all != NULL);
	for (i = 0; i < n; i++)
		if (!strcmp(all[i].subsystem, "mltest"))
			seen |= (!strcmp(all[i].name, "p0") ? 1 : 0) |
				(!strcmp(all[i].name, "p1") ? 2 : 0) |
				(!strcmp(all[i].name, "bench") ? 4 : 0);
	MT_CHECK_EQ(seen, 7);
	MT_CHECK_EQ(mla_find(ctx, "mltest/p0", &info), 0);
	MT_CHECK(!strcmp(info.name, "p0") && info.id, "by SUBSYSTEM/NAME");
	{
		char id[16];
		struct ml_lib_proxy_info again;

		snprintf(id, sizeof(id), "%u", info.id);
		MT_CHECK_EQ(mla_find(ctx, id, &again), 0);
		MT_CHECK(!strcmp(again.name, "p0"), "by id");
		MT_CHECK_EQ(mla_find(ctx, "p1", &again), 0);
		MT_CHECK(!strcmp(again.name, "p1"), "by unique name");
	}
	MT_CHECK_EQ(mla_find(ctx, "mltest/nosuch", &info), -ENOENT);
	MT_CHECK_EQ(mla_find(ctx, "4000000000", &info), -ENOENT);
	MT_CHECK_EQ(mla_find(ctx, "mltest/", &info), -EINVAL);
	free(all);
	mla_close(ctx);
}

static void test_schema_and_status(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct ml_lib_schema s;
	struct ml_lib_status st;
	uint32_t id;

	MT_REQUIRE(ctx != NULL);
	id = id_of(ctx, "mltest/p0");
	MT_REQUIRE(id != 0);
	MT_REQUIRE(mla_schema(ctx, id, &s) == 0);
	MT_CHECK(!strcmp(s.subsystem, "mltest") && !strcmp(s.name, "p0"), "names");
	MT_CHECK_EQ(s.nr_features, 2);
	MT_CHECK_EQ(s.nr_actions, 2);
	MT_CHECK_EQ(s.sample_size, sizeof(struct ml_lib_sample) + 2 * 8);
	MT_CHECK(!strcmp(s.features[0].name, "x") && !strcmp(s.features[0].unit, "ns"), "x");
	MT_CHECK(!strcmp(s.features[1].name, "y") && !strcmp(s.features[1].unit, "blocks"), "y");
	MT_CHECK(!strcmp(s.actions[0].name, "a") && s.actions[0].max == 1000 &&
		 s.actions[0].def == 500, "a");
	MT_CHECK(!strcmp(s.actions[1].name, "b") && s.actions[1].min == -50, "b");
	MT_CHECK_EQ(mla_schema(ctx, 0, &s), -ENOTCONN);
	MT_CHECK_EQ(mla_schema(ctx, 0x7fffffff, &s), -ENOENT);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.attached, 0);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(mla_status(ctx, 0, &st), -ENOTCONN);
	MT_CHECK_EQ(mla_status(ctx, 0x7fffffff, &st), -ENOENT);
	mla_close(ctx);
}

static void test_attach_exclusive(void)
{
	struct mla_ctx *a = open_ctx(), *b = open_ctx();
	const struct ml_lib_schema *s;
	struct ml_lib_status st;
	uint32_t id0, id1;

	MT_REQUIRE(a && b);
	id0 = id_of(a, "mltest/p0");
	id1 = id_of(a, "mltest/p1");
	MT_REQUIRE(mla_attach(a, id0, NULL) == 0);
	MT_CHECK_EQ(mla_attached_id(a), id0);
	s = mla_attached_schema(a);
	MT_CHECK(s && s->nr_features == 2 && !strcmp(s->name, "p0"), "attached schema");
	MT_CHECK_EQ(mla_attach(a, id1, NULL), -EISCONN);
	MT_CHECK_EQ(mla_attach(b, id0, NULL), -EBUSY);
	MT_CHECK_EQ(mla_attached_id(b), 0);
	MT_REQUIRE(mla_status(b, id0, &st) == 0);
	MT_CHECK_EQ(st.attached, 1);
	MT_CHECK_EQ(st.agent_pid, getpid());
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_LEARNING);
	MT_CHECK_EQ(st.mode_reason, ML_LIB_REASON_ATTACHED);
	MT_REQUIRE(mla_status(a, 0, &st) == 0);	/* 0: the attached proxy */
	MT_CHECK_EQ(st.attached, 1);
	MT_CHECK_EQ(mla_heartbeat(a), 0);
	MT_CHECK_EQ(mla_heartbeat(b), -ENOTCONN);
	MT_CHECK_EQ(mla_detach(a), 0);
	MT_CHECK_EQ(mla_detach(a), -ENOTCONN);
	MT_REQUIRE(mla_status(b, id0, &st) == 0);
	MT_CHECK_EQ(st.attached, 0);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(st.mode_reason, ML_LIB_REASON_DETACHED);
	/* Free again: the other context attaches; closing it frees the proxy. */
	MT_CHECK_EQ(mla_attach(b, id0, NULL), 0);
	mla_close(b);
	MT_CHECK_EQ(mla_attach(a, id0, NULL), 0);
	MT_CHECK_EQ(mla_attach(a, 0, NULL), -EINVAL);
	mla_close(a);
}

static void test_attach_options(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct mla_attach_opts o = { .sample_records = 100 };
	uint32_t id;

	MT_REQUIRE(ctx != NULL);
	id = id_of(ctx, "mltest/p0");
	MT_CHECK_EQ(mla_attach(ctx, id, &o), -EINVAL);		/* not a power of two */
	o.sample_records = 1u << 30;
	MT_CHECK_EQ(mla_attach(ctx, id, &o), -ERANGE);
	o.sample_records = 64;
	o.reserved[3] = 1;
	MT_CHECK_EQ(mla_attach(ctx, id, &o), -EINVAL);
	MT_CHECK_EQ(mla_attached_id(ctx), 0);
	o.reserved[3] = 0;
	MT_CHECK_EQ(mla_attach(ctx, 0x7fffffff, &o), -ENOENT);
	MT_CHECK_EQ(mla_attach(ctx, id, &o), 0);
	mla_close(ctx);
}

struct got {
	unsigned int n;
	uint64_t first_key[2];
	uint64_t next_key[2];	/* per CPU: the key expected next */
	int bad;
	int fail_at;		/* > 0: return -EIO at this record */
};

/* Samples of "publish p0 CPU KEY N F0 F1": key KEY+i, features F0+i, F1-i. */
static int check_sample(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	struct got *g = arg;
	uint64_t i;

	if (g->fail_at && (int)g->n + 1 == g->fail_at)
		return -EIO;
	if (cpu > 1) {
		g->bad++;
		return 0;
	}
	if (!g->next_key[cpu])
		g->next_key[cpu] = g->first_key[cpu];
	i = s->key - g->first_key[cpu];
	if (s->key != g->next_key[cpu] || s->features[0] != (int64_t)(10 + i) ||
	    s->features[1] != (int64_t)(20 - i) || !s->ts_ns)
		g->bad++;
	g->next_key[cpu] = s->key + 1;
	g->n++;
	return 0;
}

static void test_consume_samples(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct got g = { .first_key = { 1000, 5000 } };
	int cpus = nr_online_cpus() > 1 ? 2 : 1, total = 0, ret;

	MT_REQUIRE(ctx != NULL);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p0"), NULL) == 0);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), 0);
	drain_feedback(ctx);
	MT_CHECK_EQ(mla_wait(ctx, 0), 0);
	MT_REQUIRE(mlg_ctl("publish p0 0 1000 50 10 20") == 0);
	if (cpus > 1)
		MT_REQUIRE(mlg_ctl("publish p0 1 5000 30 10 20") == 0);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), cpus > 1 ? 80 : 50);
	MT_CHECK_EQ(mla_wait(ctx, 1000), 1);
	/* A callback error leaves its record in the ring. */
	g.fail_at = 5;
	MT_CHECK_EQ(mla_consume_samples(ctx, ~0u, check_sample, &g), -EIO);
	g.fail_at = 0;
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), (cpus > 1 ? 80 : 50) - 4);
	while ((ret = mla_consume_samples(ctx, 7, check_sample, &g)) > 0)
		total += ret;
	MT_CHECK_EQ(ret, 0);
	MT_CHECK_EQ(g.n, cpus > 1 ? 80 : 50);
	MT_CHECK_EQ(g.bad, 0);
	MT_CHECK(g.next_key[0] == 1050, "cpu 0 ended at %llu", (unsigned long long)g.next_key[0]);
	if (cpus > 1)
		MT_CHECK(g.next_key[1] == 5030, "cpu 1 ended at %llu",
			 (unsigned long long)g.next_key[1]);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), 0);
	mla_close(ctx);
}

static void test_iterator(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct mla_iter it;
	const struct ml_lib_sample *s;
	unsigned int cpu, n = 0;
	uint64_t next = 200;
	int bad = 0;

	MT_REQUIRE(ctx != NULL);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p0"), NULL) == 0);
	MT_REQUIRE(mlg_ctl("publish p0 0 200 100 10 20") == 0);
	MT_REQUIRE(mla_iter_begin(ctx, &it, ML_LIB_RING_SAMPLES) == 0);
	while ((s = mla_iter_next(&it, &cpu))) {
		if (cpu != 0 || s->key != next || s->features[0] != (int64_t)(10 + s->key - 200))
			bad++;
		next = s->key + 1;
		n++;
	}
	mla_iter_end(&it);
	MT_CHECK_EQ(n, 100);
	MT_CHECK_EQ(bad, 0);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), 0);
	MT_CHECK_EQ(mla_iter_begin(ctx, &it, 9), -EINVAL);
	mla_close(ctx);
}

struct batch_seen {
	unsigned int records, batches, bad;
	uint64_t next;
};

static int check_batch(const struct mla_batch *b, void *arg)
{
	struct batch_seen *bs = arg;
	unsigned int i;

	bs->batches++;
	if (b->cpu != 0 || b->kind != ML_LIB_RING_SAMPLES || !b->count || b->count > 64)
		bs->bad++;
	for (i = 0; i < b->count; i++) {
		const struct ml_lib_sample *s = mla_batch_record(b, i);

		if (s->key != bs->next || s->features[0] != (int64_t)(10 + s->key - 700) ||
		    s->features[1] != (int64_t)(20 - (s->key - 700)))
			bs->bad++;
		bs->next = s->key + 1;
	}
	bs->records += b->count;
	return 0;
}

static void test_batches(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct mla_attach_opts o = { .sample_records = 128 };
	struct batch_seen bs = { .next = 700 };

	MT_REQUIRE(ctx != NULL);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p0"), &o) == 0);
	/* 100 records, then 100 more: the second lot wraps around the slots. */
	MT_REQUIRE(mlg_ctl("publish p0 0 700 100 10 20") == 0);
	MT_CHECK_EQ(mla_consume_batches(ctx, ML_LIB_RING_SAMPLES, ~0u, check_batch, &bs), 100);
	MT_REQUIRE(mlg_ctl("publish p0 0 800 100 110 -80") == 0);
	MT_CHECK_EQ(mla_consume_batches(ctx, ML_LIB_RING_SAMPLES, ~0u, check_batch, &bs), 100);
	MT_CHECK_EQ(bs.records, 200);
	MT_CHECK(bs.batches >= 4, "%u batches", bs.batches);
	MT_CHECK_EQ(bs.bad, 0);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), 0);
	mla_close(ctx);
}

static void test_drops(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct mla_attach_opts o = { .sample_records = 64 };
	struct ml_lib_status st;
	uint64_t dropped = 1;
	struct got g = { .first_key = { 1, 0 } };

	MT_REQUIRE(ctx != NULL);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p0"), &o) == 0);
	MT_CHECK_EQ(mla_ring_dropped(ctx, ML_LIB_RING_SAMPLES, &dropped), 0);
	MT_CHECK_EQ(dropped, 0);
	MT_REQUIRE(mlg_ctl("publish p0 0 1 100 10 20") == 0);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), 64);
	MT_CHECK_EQ(mla_ring_dropped(ctx, ML_LIB_RING_SAMPLES, &dropped), 0);
	MT_CHECK_EQ(dropped, 36);
	MT_REQUIRE(mla_status(ctx, 0, &st) == 0);
	MT_CHECK(st.dropped >= 36, "status dropped %llu", (unsigned long long)st.dropped);
	/* The first 64 were kept, in order. */
	MT_CHECK_EQ(mla_consume_samples(ctx, ~0u, check_sample, &g), 64);
	MT_CHECK_EQ(g.bad, 0);
	mla_close(ctx);
}

static void test_wait_wakes(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct mla_attach_opts o = { .wakeup_ms = 20 };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	pid_t pid;
	int status;

	MT_REQUIRE(ctx != NULL && ep >= 0);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p0"), &o) == 0);
	MT_REQUIRE(epoll_ctl(ep, EPOLL_CTL_ADD, mla_fd(ctx), &ev) == 0);
	drain_feedback(ctx);
	MT_CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
	/* A child publishes while the parent is blocked in mla_wait(). */
	pid = fork();
	MT_REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(mlg_ctl("publish p0 0 7 1 10 20") ? 1 : 0);
	MT_CHECK_EQ(mla_wait(ctx, 10000), 1);
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), 1);
	MT_CHECK_EQ(epoll_wait(ep, &out, 1, 10000), 1);
	MT_CHECK(out.events & EPOLLIN, "epoll: %#x", out.events);
	waitpid(pid, &status, 0);
	MT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "publisher");
	close(ep);
	mla_close(ctx);
}

struct fb_seen {
	unsigned int outcomes[ML_LIB_ARM_COUNT], bad, verdicts, modes;
	int64_t want_ml[2];
	uint64_t table_version;
	int32_t last_error;
};

static int check_feedback(const struct ml_lib_feedback *f, unsigned int cpu, void *arg)
{
	struct fb_seen *fs = arg;
	const struct ml_lib_fb_outcome *o = &f->outcome;

	(void)cpu;
	switch (f->type) {
	case ML_LIB_FB_OUTCOME:
		if (o->arm >= ML_LIB_ARM_COUNT || o->key != 42) {
			fs->bad++;
			break;
		}
		fs->outcomes[o->arm]++;
		if (o->arm == ML_LIB_ARM_ML &&
		    (o->values[0] != fs->want_ml[0] || o->values[1] != fs->want_ml[1] ||
		     o->source != ML_LIB_SRC_TABLE || o->version != fs->table_version ||
		     o->cost != 3))
			fs->bad++;
		if (o->arm == ML_LIB_ARM_DEFAULT &&
		    (o->values[0] != 500 || o->values[1] != 7 || o->cost != 9))
			fs->bad++;
		break;
	case ML_LIB_FB_TABLE:
		fs->verdicts++;
		fs->last_error = f->verdict.error;
		if (f->verdict.error == 0 && f->verdict.version != fs->table_version)
			fs->bad++;
		break;
	case ML_LIB_FB_MODE:
		fs->modes++;
		break;
	}
	return 0;
}

static void test_tables_and_feedback(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct ml_lib_table hdr = { .version = 11, .ttl_ms = 0, .nr_actions = 2 };
	struct ml_lib_table_entry e[3] = {
		{ .key = 99, .values = { 1, 1 } },
		{ .key = 42, .values = { 900, -40 } },
		{ .key = 7, .values = { 0, 50 } },
	};
	struct fb_seen fs = { .want_ml = { 900, -40 }, .table_version = 11 };
	struct ml_lib_status st, st2;

	MT_REQUIRE(ctx != NULL);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p0"), NULL) == 0);
	MT_CHECK_EQ(mla_push_table(ctx, &hdr, e, 3), 0);	/* unsorted: the library sorts */
	MT_REQUIRE(mla_status(ctx, 0, &st) == 0);
	MT_CHECK_EQ(st.table_version, 11);
	/* Collaboration: both arms decide. */
	MT_CHECK_EQ(mla_set_mode(ctx, 0, ML_LIB_MODE_COLLABORATION), 0);
	MT_REQUIRE(mlg_ctl("outcome p0 0 42 400 3 9") == 0);
	MT_CHECK(mla_pending(ctx, ML_LIB_RING_FEEDBACK) > 0, "feedback pending");
	while (mla_consume_feedback(ctx, ~0u, check_feedback, &fs) > 0)
		;
	MT_CHECK_EQ(fs.bad, 0);
	MT_CHECK(fs.outcomes[ML_LIB_ARM_ML] > 0 && fs.outcomes[ML_LIB_ARM_DEFAULT] > 0,
		 "outcomes ml %u default %u", fs.outcomes[1], fs.outcomes[0]);
	MT_CHECK_EQ(fs.outcomes[0] + fs.outcomes[1], 400);
	MT_CHECK_EQ(fs.verdicts, 1);
	MT_CHECK(fs.modes >= 1, "a mode record for the pinned mode");

	/* Rejected by the kernel: out of range; nr_actions not the schema's. */
	MT_REQUIRE(mla_status(ctx, 0, &st) == 0);
	hdr.version = 12;
	e[0].values[0] = 1001;
	MT_CHECK_EQ(mla_push_table(ctx, &hdr, e, 3), -ERANGE);
	e[0].values[0] = 1;
	hdr.nr_actions = 1;
	e[0].values[1] = e[1].values[1] = e[2].values[1] = 0;
	MT_CHECK_EQ(mla_push_table(ctx, &hdr, e, 3), -EINVAL);
	MT_REQUIRE(mla_status(ctx, 0, &st2) == 0);
	MT_CHECK_EQ(st2.table_version, 11);
	MT_CHECK_EQ(st2.recs_rejected, st.recs_rejected + 2);
	/* Rejected by the library before the kernel sees it: duplicate keys. */
	hdr.nr_actions = 2;
	e[2].key = 42;
	MT_CHECK_EQ(mla_push_table(ctx, &hdr, e, 3), -EINVAL);
	MT_REQUIRE(mla_status(ctx, 0, &st) == 0);
	MT_CHECK_EQ(st.recs_rejected, st2.recs_rejected);
	fs.verdicts = 0;
	while (mla_consume_feedback(ctx, ~0u, check_feedback, &fs) > 0)
		;
	MT_CHECK_EQ(fs.verdicts, 2);
	MT_CHECK(fs.last_error == -EINVAL, "last verdict %d", fs.last_error);
	MT_CHECK_EQ(mla_set_mode(ctx, 0, ML_LIB_MODE_AUTO), 0);
	mla_close(ctx);
}

static void test_push_model_and_blob(void)
{
	struct mla_ctx *ctx = open_ctx();
	unsigned char garbage[64];
	struct ml_lib_status st, st2;
	struct ml_lib_table hdr = { .version = 5, .nr_actions = 2,
				    .flags = ML_LIB_TABLE_FALLBACK, .fallback = { 3, 4 } };
	unsigned char blob[sizeof(struct ml_lib_table)];

	MT_REQUIRE(ctx != NULL);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p0"), NULL) == 0);
	MT_REQUIRE(mla_status(ctx, 0, &st) == 0);
	memset(garbage, 0xa5, sizeof(garbage));
	MT_CHECK_EQ(mla_push_model(ctx, garbage, sizeof(garbage)), -EINVAL);
	MT_CHECK_EQ(mla_push_blob(ctx, 77, garbage, sizeof(garbage)), -EINVAL);
	MT_CHECK_EQ(mla_push_blob(ctx, ML_LIB_PUSH_TABLE, garbage, sizeof(garbage)), -EINVAL);
	MT_REQUIRE(mla_status(ctx, 0, &st2) == 0);
	MT_CHECK_EQ(st2.model_version, 0);
	MT_CHECK_EQ(st2.table_version, st.table_version);
	/* A blob built apart and pushed raw: a fallback-only table. */
	MT_CHECK_EQ(mla_table_build(&hdr, NULL, 0, blob, sizeof(blob)), (long)sizeof(blob));
	MT_CHECK_EQ(mla_push_blob(ctx, ML_LIB_PUSH_TABLE, blob, sizeof(blob)), 0);
	MT_REQUIRE(mla_status(ctx, 0, &st2) == 0);
	MT_CHECK_EQ(st2.table_version, 5);
	mla_close(ctx);
}

static void test_control(void)
{
	struct mla_ctx *ctx = open_ctx(), *agent = open_ctx();
	struct ml_lib_status st;
	uint32_t id;

	MT_REQUIRE(ctx && agent);
	id = id_of(ctx, "mltest/p1");
	/* With an agent attached (without one, a proxy stays in emergency). */
	MT_REQUIRE(mla_attach(agent, id, NULL) == 0);
	MT_CHECK_EQ(mla_set_mode(ctx, id, ML_LIB_MODE_RECOMMENDATION), 0);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK_EQ(st.pinned, 1);
	MT_CHECK_EQ(st.mode_reason, ML_LIB_REASON_ADMIN);
	MT_CHECK_EQ(mla_set_mode(ctx, id, 7), -EINVAL);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_RECOMMENDATION);
	/* The agent may set its own proxy's mode: id 0. */
	MT_CHECK_EQ(mla_set_mode(agent, 0, ML_LIB_MODE_COLLABORATION), 0);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_COLLABORATION);
	MT_CHECK_EQ(mla_set_mode(ctx, id, ML_LIB_MODE_AUTO), 0);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.pinned, 0);
	MT_CHECK_EQ(mla_stop(ctx, id), 0);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.started, 0);
	MT_CHECK_EQ(mla_start(agent, 0), 0);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.started, 1);
	/* Re-initializing forgets the statistics (not the traffic counters). */
	MT_REQUIRE(mlg_ctl("decide p1 0 1 10") == 0);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.arms[0].decisions + st.arms[1].decisions, 10);
	MT_CHECK_EQ(mla_reinit(ctx, id), 0);
	MT_REQUIRE(mla_status(ctx, id, &st) == 0);
	MT_CHECK_EQ(st.arms[0].decisions + st.arms[1].decisions, 0);
	MT_CHECK_EQ(mla_start(ctx, 0x7fffffff), -ENOENT);
	mla_close(agent);
	mla_close(ctx);
}

/* Drop CAP_SYS_ADMIN from the effective set (the file is already open). */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static void test_unprivileged(void)
{
	struct mla_ctx *ctx = open_ctx();
	pid_t pid;
	int status;

	MT_REQUIRE(ctx != NULL);
	pid = fork();
	MT_REQUIRE(pid >= 0);
	if (pid == 0) {
		struct ml_lib_status st;
		uint32_t id = id_of(ctx, "mltest/p1");
		int bad = 0;

		if (drop_sys_admin())
			_exit(99);
		bad |= mla_status(ctx, id, &st) != 0;			/* observers may */
		bad |= (mla_set_mode(ctx, id, ML_LIB_MODE_EMERGENCY) != -EPERM) << 1;
		bad |= (mla_stop(ctx, id) != -EPERM) << 2;
		bad |= (mla_attach(ctx, id, NULL) != -EPERM) << 3;
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	MT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	mla_close(ctx);
}

static void test_proxy_gone(void)
{
	struct mla_ctx *ctx = open_ctx();
	struct mla_iter it;
	int ret;

	MT_REQUIRE(ctx != NULL);
	MT_REQUIRE(mla_attach(ctx, id_of(ctx, "mltest/p1"), NULL) == 0);
	MT_REQUIRE(mlg_ctl("destroy p1") == 0);
	/* Records left in the rings come first, then the proxy's death. */
	while ((ret = mla_wait(ctx, 10000)) == 1)
		drain_feedback(ctx);
	MT_CHECK_EQ(ret, -ENODEV);
	MT_CHECK_EQ(mla_heartbeat(ctx), -ENODEV);
	/* The mapping stays readable: nothing pending, nothing to crash on. */
	MT_CHECK_EQ(mla_pending(ctx, ML_LIB_RING_SAMPLES), 0);
	MT_CHECK_EQ(mla_iter_begin(ctx, &it, ML_LIB_RING_FEEDBACK), 0);
	while (mla_iter_next(&it, NULL))
		;
	mla_iter_end(&it);
	MT_CHECK_EQ(mla_attach(ctx, id_of(ctx, "mltest/p0"), NULL), -EISCONN);
	mla_detach(ctx);
	MT_CHECK_EQ(mla_attached_id(ctx), 0);
	MT_CHECK_EQ(mlg_ctl("create p1"), 0);
	MT_CHECK_EQ(mla_attach(ctx, id_of(ctx, "mltest/p1"), NULL), 0);
	mla_close(ctx);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_version);
	MT_RUN(test_list_and_find);
	MT_RUN(test_schema_and_status);
	MT_RUN(test_attach_exclusive);
	MT_RUN(test_attach_options);
	MT_RUN(test_consume_samples);
	MT_RUN(test_iterator);
	MT_RUN(test_batches);
	MT_RUN(test_drops);
	MT_RUN(test_wait_wakes);
	MT_RUN(test_tables_and_feedback);
	MT_RUN(test_push_model_and_blob);
	MT_RUN(test_control);
	MT_RUN(test_unprivileged);
	MT_RUN(test_proxy_gone);
	return mt_summary();
}
