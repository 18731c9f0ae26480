// SPDX-License-Identifier: GPL-2.0
/*
 * bench/agent: what the agent costs per record, measured side by side.
 *
 *  1. Samples and outcomes stored per second through the agent's store
 *     (buffered rows, one transaction per batch of 4096, WAL), against raw
 *     SQLite: the same rows through one prepared INSERT in transactions of
 *     the same size, into an identical table. The ratio is the store's
 *     overhead (copying into its batch, binding 16 feature columns).
 *  2. Training time per 100 000 examples, per learner: observe() of each
 *     example, then propose() (for linreg: the liblinear fits), and the
 *     rebuild path (reading the 100 000 outcomes back from the store). The
 *     ratio to storing them says whether learning keeps up with storing.
 *
 * The examples are ml_lib_demo's: 64 keys, one feature (the key), one
 * action in [0, 1000] (default 500), cost |d - (100 + 12 x)| + noise, with
 * the ML arm probing around the default.
 *
 *	agent_bench [DIR]	(the store files go to DIR, default /tmp)
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "learner.h"
#include "store.h"

#define N	100000
#define BATCH	4096

static struct ml_lib_schema schema;
static struct mlag_example *ex;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static void make_examples(void)
{
	uint64_t seq[64] = { 0 };

	schema.nr_features = 1;
	schema.nr_actions = 1;
	strcpy(schema.subsystem, "bench");
	strcpy(schema.name, "demo");
	strcpy(schema.features[0].name, "x");
	schema.features[0].max = 63;
	strcpy(schema.actions[0].name, "d");
	schema.actions[0].max = 1000;
	schema.actions[0].def = 500;
	ex = calloc(N, sizeof(*ex));
	if (!ex)
		exit(1);
	for (int i = 0; i < N; i++) {
		unsigned int k = rnd() % 64;
		struct mlag_example *e = &ex[i];

		e->ts_ns = (uint64_t)i * 50000;
		e->decision_id = (uint64_t)i + 1;
		e->key = k;
		e->key_seq = ++seq[k];
		e->arm = rnd() % 2;
		e->values[0] = e->arm ? (int64_t)(rnd() % 1001) : 500;
		e->cost = llabs(e->values[0] - (100 + 12 * (int64_t)k)) + (int64_t)(rnd() % 21);
		e->source = e->arm ? ML_LIB_SRC_TABLE : ML_LIB_SRC_NONE;
		e->nr_features = 1;
		e->features[0] = k;
	}
}

static void remove_db(const char *p)
{
	char q[512];

	unlink(p);
	snprintf(q, sizeof(q), "%s-wal", p);
	unlink(q);
	snprintf(q, sizeof(q), "%s-shm", p);
	unlink(q);
}

static long long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) ? 0 : (long long)st.st_size;
}

/* The store: samples then outcomes, batches of BATCH; seconds for each. */
static int bench_store(const char *path, double *t_samples, double *t_outcomes,
		       long long *bytes)
{
	struct { struct ml_lib_sample s; int64_t f[1]; } smp = { 0 };
	struct mlag_store *s;
	char err[256];
	double t0;

	remove_db(path);
	if (mlag_store_open(path, &s, err, sizeof(err)) || mlag_store_bind(s, &schema)) {
		fprintf(stderr, "agent_bench: %s\n", err);
		return -1;
	}
	t0 = now();
	for (int i = 0; i < N; i++) {
		smp.s.ts_ns = ex[i].ts_ns;
		smp.s.key = ex[i].key;
		smp.s.decision_id = ex[i].decision_id;
		smp.f[0] = ex[i].features[0];
		mlag_store_sample(s, &smp.s, 1, 0);
		if (mlag_store_pending(s) >= BATCH && mlag_store_commit(s))
			return -1;
	}
	if (mlag_store_commit(s))
		return -1;
	*t_samples = now() - t0;
	bytes[0] = file_size(path);
	t0 = now();
	for (int i = 0; i < N; i++) {
		mlag_store_outcome(s, &ex[i]);
		if (mlag_store_pending(s) >= BATCH && mlag_store_commit(s))
			return -1;
	}
	if (mlag_store_commit(s))
		return -1;
	*t_outcomes = now() - t0;
	mlag_store_close(s);
	/* Checkpointed at close: the file holds everything. */
	bytes[1] = file_size(path) - bytes[0];
	return 0;
}

/* Raw SQLite: the same sample rows, one prepared INSERT. */
static double bench_raw(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0, t;

	remove_db(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		     "CREATE TABLE samples (proxy INTEGER NOT NULL, seq INTEGER NOT NULL,"
		     " ts_ns INTEGER NOT NULL, cpu INTEGER NOT NULL, key INTEGER NOT NULL,"
		     " decision_id INTEGER NOT NULL, f0, f1, f2, f3, f4, f5, f6, f7, f8, f9,"
		     " f10, f11, f12, f13, f14, f15, PRIMARY KEY (proxy, seq)) WITHOUT ROWID",
		     NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO samples (proxy, seq, ts_ns, cpu, key,"
			       " decision_id, f0) VALUES (1, ?, ?, 0, ?, ?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	t0 = now();
	for (int i = 0; i < N; i++) {
		if (i % BATCH == 0)
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		sqlite3_bind_int64(st, 1, i + 1);
		sqlite3_bind_int64(st, 2, (int64_t)ex[i].ts_ns);
		sqlite3_bind_int64(st, 3, (int64_t)ex[i].key);
		sqlite3_bind_int64(st, 4, (int64_t)ex[i].decision_id);
		sqlite3_bind_int64(st, 5, ex[i].features[0]);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (i % BATCH == BATCH - 1 || i == N - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	t = now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	remove_db(path);
	return t;
}

static int count_one(const struct mlag_example *e, void *arg)
{
	(void)e;
	(*(long *)arg)++;
	return 0;
}

/*
 * observe() of N examples, then propose(); seconds of each. @key = @value
 * overrides a parameter (NULL: the defaults).
 */
static int bench_learner(const struct mlag_learner *l, const char *key, double value,
			 double *t_obs, double *t_prop)
{
	double p[64];
	struct mlag_learner_env env = { .schema = &schema, .params = p,
					.half_life = 2000, .seed = 1 };
	struct mlag_artifact a = { 0 };
	void *st;
	double t0;
	int ret, k;

	mlag_param_defaults(l->params, l->nr_params, p);
	k = key ? mlag_param_find(l->params, l->nr_params, key) : -1;
	if (k >= 0)
		p[k] = value;
	if (l->create(&env, &st))
		return -1;
	t0 = now();
	for (int i = 0; i < N; i++)
		l->observe(st, &ex[i]);
	*t_obs = now() - t0;
	t0 = now();
	ret = l->propose(st, &a);
	*t_prop = now() - t0;
	mlag_artifact_free(&a);
	l->destroy(st);
	return ret == -EAGAIN ? 0 : ret;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	const struct mlag_learner *const *ls;
	double ts, to, traw, tread, t0;
	long long bytes[2];
	char path[512], raw[512];
	struct mlag_store *s;
	unsigned int n;
	long rows = 0;
	char err[256];

	snprintf(path, sizeof(path), "%s/agent_bench.db", dir);
	snprintf(raw, sizeof(raw), "%s/agent_bench_raw.db", dir);
	make_examples();
	traw = bench_raw(raw);
	if (traw < 0 || bench_store(path, &ts, &to, bytes)) {
		fprintf(stderr, "agent_bench: the store failed\n");
		return 1;
	}
	if (mlag_store_open(path, &s, err, sizeof(err)) || mlag_store_bind(s, &schema))
		return 1;
	t0 = now();
	mlag_store_replay(s, 0, count_one, NULL, &rows);
	tread = now() - t0;
	mlag_store_close(s);
	remove_db(path);

	printf("store (SQLite WAL, synchronous=NORMAL, batches of %d, %d rows each):\n",
	       BATCH, N);
	printf("  samples stored per second     %10.0f   raw SQLite INSERT %10.0f/s   ratio %.2f\n",
	       N / ts, N / traw, traw / ts);
	printf("  outcomes stored per second    %10.0f   (with their features)\n", N / to);
	printf("  outcomes read back per second %10.0f   (the rebuild path, %ld rows)\n",
	       rows / tread, rows);
	printf("  bytes per row: sample %lld, outcome %lld\n", bytes[0] / N, bytes[1] / N);
	printf("training per %d examples (ratio: against storing them as outcomes):\n", N);
	ls = mlag_learners(&n);
	for (unsigned int i = 0; i <= n; i++) {
		/* Last: linreg fitting all N examples (its window is smaller). */
		const struct mlag_learner *l = i < n ? ls[i] : &mlag_learner_linreg;
		const char *label = i < n ? l->name : "linreg, window of all";
		double tobs, tprop;

		if (bench_learner(l, i < n ? NULL : "window", N, &tobs, &tprop)) {
			fprintf(stderr, "agent_bench: learner %s failed\n", label);
			return 1;
		}
		printf("  %-22s observe %7.1f ms  propose %7.1f ms  total %7.1f ms   ratio %.2f\n",
		       label, tobs * 1e3, tprop * 1e3, (tobs + tprop) * 1e3, (tobs + tprop) / to);
	}
	return 0;
}
