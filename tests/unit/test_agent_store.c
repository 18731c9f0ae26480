// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's SQLite store: schema, batches, retention, versions, models,
 * replay, errors, and crash consistency (a writer killed with SIGKILL in the
 * middle of its batches: the store reopens intact and holds whole batches).
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mltest.h"
#include "store.h"

static char dir[] = "/tmp/mlagent-store-XXXXXX";
static char path[128];
static char err[256];

static void remove_store(const char *p)
{
	char q[160];

	unlink(p);
	snprintf(q, sizeof(q), "%s-wal", p);
	unlink(q);
	snprintf(q, sizeof(q), "%s-shm", p);
	unlink(q);
}

static void schema_init(struct ml_lib_schema *s, int64_t def)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->proxy_id = 3;
	strcpy(s->subsystem, "demo");
	strcpy(s->name, "policy");
	s->nr_features = 2;
	s->nr_actions = 1;
	strcpy(s->features[0].name, "x");
	strcpy(s->features[0].unit, "key");
	s->features[0].type = ML_LIB_FEAT_ENUM;
	s->features[0].max = 63;
	strcpy(s->features[1].name, "y");
	s->features[1].min = -5;
	s->features[1].max = 5;
	strcpy(s->actions[0].name, "d");
	s->actions[0].max = 1000;
	s->actions[0].def = def;
}

static struct mlag_store *open_bound(const struct ml_lib_schema *schema)
{
	struct mlag_store *s = NULL;

	if (mlag_store_open(path, &s, err, sizeof(err))) {
		printf("# open: %s\n", err);
		return NULL;
	}
	if (mlag_store_bind(s, schema)) {
		printf("# bind: %s\n", mlag_store_errmsg(s));
		mlag_store_close(s);
		return NULL;
	}
	return s;
}

static void example(struct mlag_example *ex, uint64_t i)
{
	memset(ex, 0, sizeof(*ex));
	ex->ts_ns = 1000 * i;
	ex->decision_id = i + 1;
	ex->key = i % 7;
	ex->version = i / 10;
	ex->cost = (int64_t)(i * 3) - 100;
	ex->arm = i & 1;
	ex->source = ML_LIB_SRC_TABLE;
	ex->flags = 0;
	ex->heldout = i % 5 == 0;
	ex->values[0] = (int64_t)i;
	ex->advice[0] = (int64_t)i + 1;
	ex->nr_features = 2;
	ex->features[0] = (int64_t)(i % 64);
	ex->features[1] = -(int64_t)(i % 5);
}

static void sample(struct ml_lib_sample *smp, int64_t *f, uint64_t i)
{
	smp->ts_ns = 1000 * i;
	smp->key = i % 7;
	smp->decision_id = i + 1;
	f[0] = (int64_t)(i % 64);
	f[1] = 1;
}

struct collect {
	struct mlag_example ex[64];
	unsigned int n;
};

static int collect_one(const struct mlag_example *ex, void *arg)
{
	struct collect *c = arg;

	if (c->n < 64)
		c->ex[c->n] = *ex;
	c->n++;
	return 0;
}

static void test_bind_and_schema(void)
{
	struct ml_lib_schema a, b;
	struct mlag_store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t id;

	remove_store(path);
	schema_init(&a, 500);
	s = open_bound(&a);
	MT_REQUIRE(s);
	id = mlag_store_proxy_id(s);
	MT_CHECK(id > 0);
	/* The same proxy again (another load of the module: another id). */
	a.proxy_id = 9;
	MT_CHECK_EQ(mlag_store_bind(s, &a), 0);
	MT_CHECK_EQ(mlag_store_proxy_id(s), id);
	/* A changed schema is another proxy. */
	schema_init(&b, 400);
	MT_CHECK_EQ(mlag_store_bind(s, &b), 0);
	MT_CHECK(mlag_store_proxy_id(s) != id);
	mlag_store_close(s);
	/* The schema is readable in SQL. */
	MT_REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	MT_REQUIRE(sqlite3_prepare_v2(db, "SELECT f.name, f.unit, f.type, f.min, f.max,"
		" a.name, a.def FROM features f JOIN actions a USING (proxy)"
		" WHERE f.proxy = ? ORDER BY f.idx", -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	MT_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
	MT_CHECK(!strcmp((const char *)sqlite3_column_text(st, 0), "x"));
	MT_CHECK(!strcmp((const char *)sqlite3_column_text(st, 1), "key"));
	MT_CHECK(!strcmp((const char *)sqlite3_column_text(st, 2), "enum"),
		 "%s", sqlite3_column_text(st, 2));
	MT_CHECK_EQ(sqlite3_column_int64(st, 4), 63);
	MT_CHECK(!strcmp((const char *)sqlite3_column_text(st, 5), "d"));
	MT_CHECK_EQ(sqlite3_column_int64(st, 6), 500);
	MT_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
	MT_CHECK_EQ(sqlite3_column_int64(st, 3), -5);
	MT_CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
	MT_REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
	MT_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
	MT_CHECK(!strcmp((const char *)sqlite3_column_text(st, 0), "wal"));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_batches_and_replay(void)
{
	struct ml_lib_schema sc;
	struct mlag_store *s;
	struct ml_lib_feedback fb = { .type = ML_LIB_FB_MODE };
	struct { struct ml_lib_sample s; int64_t f[2]; } smp = { 0 };
	struct mlag_example ex;
	struct collect *c = calloc(1, sizeof(*c));
	uint64_t i;

	MT_REQUIRE(c);
	remove_store(path);
	schema_init(&sc, 500);
	s = open_bound(&sc);
	MT_REQUIRE(s);
	for (i = 0; i < 30; i++) {
		sample(&smp.s, smp.f, i);
		MT_CHECK_EQ(mlag_store_sample(s, &smp.s, 2, 1), 0);
		example(&ex, i);
		MT_CHECK_EQ(mlag_store_outcome(s, &ex), 0);
	}
	fb.mode.old_mode = 1;
	fb.mode.new_mode = 2;
	fb.mode.reason = ML_LIB_REASON_PROMOTED;
	MT_CHECK_EQ(mlag_store_feedback(s, &fb), 0);
	MT_CHECK_EQ(mlag_store_pending(s), 61);
	/* Nothing is in the database before the commit. */
	MT_CHECK_EQ(mlag_store_count(s, "samples"), 0);
	MT_CHECK_EQ(mlag_store_commit(s), 0);
	MT_CHECK_EQ(mlag_store_pending(s), 0);
	MT_CHECK_EQ(mlag_store_count(s, "samples"), 30);
	MT_CHECK_EQ(mlag_store_count(s, "outcomes"), 30);
	MT_CHECK_EQ(mlag_store_count(s, "feedback"), 1);
	MT_CHECK_EQ(mlag_store_count(s, "bogus"), -EINVAL);
	/* Replay: oldest first, every field back. */
	MT_CHECK_EQ(mlag_store_replay(s, 0, collect_one, NULL, c), 0);
	MT_REQUIRE(c->n == 30);
	for (i = 0; i < 30; i++) {
		example(&ex, i);
		MT_CHECK(!memcmp(&c->ex[i], &ex, sizeof(ex)), "example %llu",
			 (unsigned long long)i);
	}
	/* Only the newest 5. */
	c->n = 0;
	MT_CHECK_EQ(mlag_store_replay(s, 5, collect_one, NULL, c), 0);
	MT_CHECK_EQ(c->n, 5);
	MT_CHECK_EQ(c->ex[0].decision_id, 26);
	/* Replay commits the open batch first. */
	example(&ex, 30);
	MT_CHECK_EQ(mlag_store_outcome(s, &ex), 0);
	c->n = 0;
	MT_CHECK_EQ(mlag_store_replay(s, 0, collect_one, NULL, c), 0);
	MT_CHECK_EQ(c->n, 31);
	/* Closing commits too. */
	example(&ex, 31);
	MT_CHECK_EQ(mlag_store_outcome(s, &ex), 0);
	mlag_store_close(s);
	s = open_bound(&sc);
	MT_REQUIRE(s);
	MT_CHECK_EQ(mlag_store_count(s, "outcomes"), 32);
	mlag_store_close(s);
	free(c);
}

static void test_retention(void)
{
	struct ml_lib_schema sc;
	struct mlag_store *s;
	struct mlag_example ex;
	struct collect *c = calloc(1, sizeof(*c));
	uint64_t i;

	MT_REQUIRE(c);
	remove_store(path);
	schema_init(&sc, 500);
	s = open_bound(&sc);
	MT_REQUIRE(s);
	mlag_store_set_retention(s, 40);
	for (i = 0; i < 250; i++) {
		example(&ex, i);
		MT_CHECK_EQ(mlag_store_outcome(s, &ex), 0);
		if (i % 60 == 59)
			MT_CHECK_EQ(mlag_store_commit(s), 0);
	}
	MT_CHECK_EQ(mlag_store_commit(s), 0);
	MT_CHECK_EQ(mlag_store_count(s, "outcomes"), 40);
	MT_CHECK_EQ(mlag_store_replay(s, 0, collect_one, NULL, c), 0);
	MT_CHECK_EQ(c->n, 40);
	MT_CHECK_EQ(c->ex[0].decision_id, 211);	/* the newest 40 of 250 */
	/* Another proxy's rows are not touched by this one's retention. */
	mlag_store_close(s);
	free(c);
}

/*
 * The replay as a string: "e<decision_id>" per outcome, "f<factor>" per
 * forget mark, in the order the callbacks came.
 */
struct trace {
	char s[512];
	size_t n;
};

static int trace_example(const struct mlag_example *ex, void *arg)
{
	struct trace *t = arg;

	t->n += (size_t)snprintf(t->s + t->n, sizeof(t->s) - t->n, "e%llu ",
				 (unsigned long long)ex->decision_id);
	return 0;
}

static void trace_forget(double factor, void *arg)
{
	struct trace *t = arg;

	t->n += (size_t)snprintf(t->s + t->n, sizeof(t->s) - t->n, "f%g ", factor);
}

static const char *replay_trace(struct mlag_store *s, uint64_t max, struct trace *t)
{
	t->n = 0;
	t->s[0] = 0;
	if (mlag_store_replay(s, max, trace_example, trace_forget, t))
		return "replay failed";
	return t->s;
}

static void expect_trace(const char *got, const char *want)
{
	MT_CHECK(!strcmp(got, want), "replayed \"%s\", want \"%s\"", got, want);
}

/* mlag_store_report()'s line holds @want. */
static void expect_report(struct mlag_store *s, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	MT_REQUIRE(f);
	MT_CHECK_EQ(mlag_store_report(s, f), 0);
	fclose(f);
	MT_CHECK(buf && strstr(buf, want), "report \"%s\", want \"%s\"", buf, want);
	free(buf);
}

/* outcomes FROM..TO (decision ids FROM+1..TO+1), in the open batch */
static void add_outcomes(struct mlag_store *s, uint64_t from, uint64_t to)
{
	struct mlag_example ex;

	for (; from <= to; from++) {
		example(&ex, from);
		MT_CHECK_EQ(mlag_store_outcome(s, &ex), 0);
	}
}

/* A mode change of @reason, as the proxy reports it, in the open batch. */
static void add_mode_change(struct mlag_store *s, uint32_t reason)
{
	struct ml_lib_feedback fb = { .type = ML_LIB_FB_MODE };

	fb.mode.old_mode = 3;
	fb.mode.new_mode = reason == ML_LIB_REASON_DEMOTED ? 1 : 3;
	fb.mode.reason = reason;
	MT_CHECK_EQ(mlag_store_feedback(s, &fb), 0);
}

/* A demotion as the worker stores it: the proxy's feedback, then the mark. */
static void demote(struct mlag_store *s, double factor)
{
	add_mode_change(s, ML_LIB_REASON_DEMOTED);
	MT_CHECK_EQ(mlag_store_forget(s, factor), 0);
}

/*
 * A demotion's forget mark replays where it was made: after the outcomes
 * it discounts (the open batch included), before those stored after it;
 * two marks with nothing between compose; a bad factor is refused and
 * stores nothing; the marks survive a reopen and follow the retention.
 */
static void test_forget_marks(void)
{
	static const char all[] =
		"e1 e2 e3 e4 e5 f0.1 e6 e7 e8 f0.25 e9 e10 e11 e12 f0.2 ";
	struct ml_lib_schema sc;
	struct mlag_store *s;
	struct trace *t = calloc(1, sizeof(*t));

	MT_REQUIRE(t);
	remove_store(path);
	schema_init(&sc, 500);
	s = open_bound(&sc);
	MT_REQUIRE(s);
	add_outcomes(s, 0, 4);
	demote(s, 0.1);
	MT_CHECK_EQ(mlag_store_pending(s), 0);	/* the batch went in first */
	add_outcomes(s, 5, 7);
	demote(s, 0.5);
	demote(s, 0.5);
	add_outcomes(s, 8, 11);
	demote(s, 0.2);
	MT_CHECK_EQ(mlag_store_count(s, "forgets"), 3);
	/* Four demotions, three marks; a promotion is no demotion. */
	add_mode_change(s, ML_LIB_REASON_PROMOTED);
	MT_CHECK_EQ(mlag_store_commit(s), 0);
	expect_report(s, "12 outcomes (with their decision's sample), 5 feedback, "
		      "0 models, 3 forget marks (4 demotions in the feedback)");
	expect_trace(replay_trace(s, 0, t), all);
	/* Refused, and nothing stored. */
	MT_CHECK_EQ(mlag_store_forget(s, 1), -EINVAL);
	MT_CHECK_EQ(mlag_store_forget(s, -0.1), -EINVAL);
	MT_CHECK_EQ(mlag_store_forget(s, NAN), -EINVAL);
	MT_CHECK_EQ(mlag_store_count(s, "forgets"), 3);
	/* Without the callback, the outcomes alone. */
	t->n = 0;
	MT_CHECK_EQ(mlag_store_replay(s, 0, trace_example, NULL, t), 0);
	expect_trace(t->s, "e1 e2 e3 e4 e5 e6 e7 e8 e9 e10 e11 e12 ");
	/* The newest 6 outcomes: the first mark discounts none of them. */
	expect_trace(replay_trace(s, 6, t), "e7 e8 f0.25 e9 e10 e11 e12 f0.2 ");
	mlag_store_close(s);
	s = open_bound(&sc);
	MT_REQUIRE(s);
	expect_trace(replay_trace(s, 0, t), all);
	/* Trimmed to 5 outcomes (seq 9..13): the marks at seq 5 and 8 go. */
	mlag_store_set_retention(s, 5);
	add_outcomes(s, 12, 13);
	MT_CHECK_EQ(mlag_store_commit(s), 0);
	MT_CHECK_EQ(mlag_store_count(s, "forgets"), 1);
	expect_trace(replay_trace(s, 0, t), "e10 e11 e12 f0.2 e13 e14 ");
	mlag_store_close(s);
	free(t);
}

static void test_versions_and_models(void)
{
	struct ml_lib_schema sc;
	struct mlag_store *s;
	struct mlag_model_rec m = { 0 }, got;
	unsigned char blob[40];
	uint64_t v;

	remove_store(path);
	schema_init(&sc, 500);
	s = open_bound(&sc);
	MT_REQUIRE(s);
	MT_CHECK_EQ(mlag_store_next_version(s, 0, 0, &v), 0);
	MT_CHECK_EQ(v, 1);
	MT_CHECK_EQ(mlag_store_next_version(s, 0, 0, &v), 0);
	MT_CHECK_EQ(v, 2);
	MT_CHECK_EQ(mlag_store_next_version(s, 0, 100, &v), 0);
	MT_CHECK_EQ(v, 100);
	MT_CHECK_EQ(mlag_store_next_version(s, 1, 0, &v), 0);
	MT_CHECK_EQ(v, 1);
	MT_CHECK_EQ(mlag_store_next_version(s, 2, 0, &v), -EINVAL);
	MT_CHECK_EQ(mlag_store_model_last(s, &got), -ENOENT);
	for (unsigned int i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)i;
	m.version = 7;
	m.table_version = 101;
	m.created_at = 1234;
	strcpy(m.learner, "contextual");
	m.kind = MLAG_ART_TABLE;
	m.heldout_score = 4.5;
	m.replaced_score = NAN;
	m.delta = -1;
	m.se = 0.25;
	m.keys_compared = 3;
	m.efficiency_bp = 4321;
	m.mode = ML_LIB_MODE_LEARNING;
	strcpy(m.reason, "because");
	m.blob = blob;
	m.len = sizeof(blob);
	MT_CHECK_EQ(mlag_store_model_add(s, &m), 0);
	m.version = 5;		/* an older one added later is not the last */
	MT_CHECK_EQ(mlag_store_model_add(s, &m), 0);
	m.len = 0;
	MT_CHECK_EQ(mlag_store_model_add(s, &m), -EINVAL);
	mlag_store_close(s);
	/* Counters and models survive a reopen. */
	s = open_bound(&sc);
	MT_REQUIRE(s);
	MT_CHECK_EQ(mlag_store_next_version(s, 0, 0, &v), 0);
	MT_CHECK_EQ(v, 101);
	MT_CHECK_EQ(mlag_store_next_version(s, 1, 0, &v), 0);
	MT_CHECK_EQ(v, 2);
	MT_REQUIRE(mlag_store_model_last(s, &got) == 0);
	MT_CHECK_EQ(got.version, 7);
	MT_CHECK_EQ(got.table_version, 101);
	MT_CHECK_EQ(got.created_at, 1234);
	MT_CHECK(!strcmp(got.learner, "contextual"));
	MT_CHECK_EQ(got.kind, MLAG_ART_TABLE);
	MT_CHECK(got.heldout_score == 4.5 && isnan(got.replaced_score) && got.se == 0.25);
	MT_CHECK_EQ(got.keys_compared, 3);
	MT_CHECK_EQ(got.efficiency_bp, 4321);
	MT_CHECK(!strcmp(got.reason, "because"));
	MT_CHECK(got.len == sizeof(blob) && !memcmp(got.blob, blob, sizeof(blob)));
	free(got.blob);
	MT_CHECK_EQ(mlag_store_count(s, "models"), 2);
	mlag_store_close(s);
}

static void test_open_errors(void)
{
	struct mlag_store *s = NULL;
	char bad[160];
	int fd;

	MT_CHECK(mlag_store_open("/nonexistent-dir/x/store.db", &s, err, sizeof(err)) < 0);
	MT_CHECK(s == NULL);
	MT_CHECK(strstr(err, "/nonexistent-dir/x/store.db") != NULL, "%s", err);
	/* Not a database: refused with a message, the file is left alone. */
	snprintf(bad, sizeof(bad), "%s/garbage.db", dir);
	fd = open(bad, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	MT_REQUIRE(fd >= 0);
	MT_CHECK(write(fd, "this is not an sqlite database, not at all....", 46) == 46);
	close(fd);
	MT_CHECK_EQ(mlag_store_open(bad, &s, err, sizeof(err)), -EUCLEAN);
	MT_CHECK(strstr(err, "not a database") != NULL, "%s", err);
	remove_store(bad);
}

/* --- crash consistency -------------------------------------------------- */

#define BATCH	500

/* The writer: whole batches of samples and outcomes, one commit each. */
static void writer(int fd)
{
	struct ml_lib_schema sc;
	struct mlag_store *s;
	struct { struct ml_lib_sample s; int64_t f[2]; } smp = { 0 };
	struct mlag_example ex;
	uint64_t batches = 0, i;

	schema_init(&sc, 500);
	s = open_bound(&sc);
	if (!s)
		_exit(3);
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			sample(&smp.s, smp.f, batches * BATCH + i);
			example(&ex, batches * BATCH + i);
			if (mlag_store_sample(s, &smp.s, 2, 0) || mlag_store_outcome(s, &ex))
				_exit(4);
		}
		if (mlag_store_commit(s))
			_exit(5);
		batches++;
		/* Tell the parent what is durable now. */
		if (write(fd, &batches, sizeof(batches)) != sizeof(batches))
			_exit(6);
	}
}

static void test_kill9_consistency(void)
{
	struct ml_lib_schema sc;
	struct mlag_store *s;
	int64_t before = 0;
	char msg[256];

	remove_store(path);
	schema_init(&sc, 500);
	for (int round = 0; round < 6; round++) {
		uint64_t acked = 0, got;
		int fds[2], status;
		pid_t pid;
		int64_t n_s, n_o, partial;

		MT_REQUIRE(pipe(fds) == 0);
		pid = fork();
		MT_REQUIRE(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			writer(fds[1]);
		}
		close(fds[1]);
		/* Kill it after a varying number of its commits, mid-batch. */
		while (acked < (uint64_t)(3 + 2 * round) &&
		       read(fds[0], &got, sizeof(got)) == sizeof(got))
			acked = got;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		MT_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			 "round %d: writer status %d", round, status);

		s = open_bound(&sc);
		MT_REQUIRE(s);
		MT_CHECK_EQ(mlag_store_integrity(s, msg, sizeof(msg)), 0);
		MT_CHECK(!strcmp(msg, "ok"), "%s", msg);
		n_s = mlag_store_count(s, "samples");
		n_o = mlag_store_count(s, "outcomes");
		/* Whole batches only, samples and outcomes together, nothing acked lost. */
		MT_CHECK(n_s == n_o, "round %d: %lld samples, %lld outcomes", round,
			 (long long)n_s, (long long)n_o);
		partial = n_s % BATCH;
		MT_CHECK(partial == 0, "round %d: a partial batch: %lld rows", round,
			 (long long)n_s);
		MT_CHECK(n_s >= before + (int64_t)acked * BATCH, "round %d: %lld rows, "
			 "%llu batches acknowledged", round, (long long)n_s,
			 (unsigned long long)acked);
		printf("# round %d: killed after %llu acknowledged batches; %lld rows kept\n",
		       round, (unsigned long long)acked, (long long)(n_s - before));
		before = n_s;
		mlag_store_close(s);
	}
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	MT_RUN(test_bind_and_schema);
	MT_RUN(test_batches_and_replay);
	MT_RUN(test_retention);
	MT_RUN(test_forget_marks);
	MT_RUN(test_versions_and_models);
	MT_RUN(test_open_errors);
	MT_RUN(test_kill9_consistency);
	remove_store(path);
	rmdir(dir);
	return mt_summary();
}
