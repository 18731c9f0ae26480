// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's store on SQLite (see store.h).
 *
 * Rows are buffered in memory and written in one short transaction per
 * batch, so that the database's write lock is held for milliseconds: the
 * model threads of several proxies share one database without waiting on
 * each other's batches.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include <mlagent.h>
#include "array.h"
#include "store.h"

#define F16(p) p "f0," p "f1," p "f2," p "f3," p "f4," p "f5," p "f6," p "f7," \
	p "f8," p "f9," p "f10," p "f11," p "f12," p "f13," p "f14," p "f15"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS proxies ("
	" id INTEGER PRIMARY KEY,"
	" subsystem TEXT NOT NULL, name TEXT NOT NULL,"
	" schema_hash TEXT NOT NULL,"
	" nr_features INTEGER NOT NULL, nr_actions INTEGER NOT NULL,"
	" schema BLOB NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" next_table_version INTEGER NOT NULL DEFAULT 1,"
	" next_model_version INTEGER NOT NULL DEFAULT 1,"
	" UNIQUE (subsystem, name, schema_hash));"
	"CREATE TABLE IF NOT EXISTS features ("
	" proxy INTEGER NOT NULL, idx INTEGER NOT NULL,"
	" name TEXT NOT NULL, unit TEXT NOT NULL, type TEXT NOT NULL,"
	" min INTEGER NOT NULL, max INTEGER NOT NULL,"
	" PRIMARY KEY (proxy, idx)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS actions ("
	" proxy INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL,"
	" min INTEGER NOT NULL, max INTEGER NOT NULL, def INTEGER NOT NULL,"
	" PRIMARY KEY (proxy, idx)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS samples ("
	" proxy INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" ts_ns INTEGER NOT NULL, cpu INTEGER NOT NULL, key INTEGER NOT NULL,"
	" decision_id INTEGER NOT NULL," F16("") ","
	" PRIMARY KEY (proxy, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS outcomes ("
	" proxy INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" ts_ns INTEGER NOT NULL, decision_id INTEGER NOT NULL,"
	" key INTEGER NOT NULL, cost INTEGER NOT NULL, version INTEGER NOT NULL,"
	" arm INTEGER NOT NULL, source INTEGER NOT NULL, flags INTEGER NOT NULL,"
	" heldout INTEGER NOT NULL,"
	" v0, v1, v2, v3, a0, a1, a2, a3,"
	" nr_features INTEGER NOT NULL," F16("") ","
	" PRIMARY KEY (proxy, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS feedback ("
	" proxy INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" ts_ns INTEGER NOT NULL, type TEXT NOT NULL,"
	" old_mode TEXT, new_mode TEXT, reason TEXT, efficiency_bp INTEGER,"
	" version INTEGER, error INTEGER,"
	" outcomes_default INTEGER, outcomes_ml INTEGER,"
	" mean_default_milli INTEGER, mean_ml_milli INTEGER,"
	" PRIMARY KEY (proxy, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS models ("
	" proxy INTEGER NOT NULL, version INTEGER NOT NULL,"
	" table_version INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	" learner TEXT NOT NULL, kind TEXT NOT NULL,"
	" heldout_score REAL, replaced_score REAL, delta REAL, se REAL,"
	" keys_compared INTEGER, efficiency_bp INTEGER, mode TEXT, reason TEXT,"
	" blob BLOB NOT NULL,"
	" PRIMARY KEY (proxy, version)) WITHOUT ROWID;"
	/* The outcomes before seq weigh x factor: a demotion's forget(). */
	"CREATE TABLE IF NOT EXISTS forgets ("
	" proxy INTEGER NOT NULL, seq INTEGER NOT NULL, factor REAL NOT NULL,"
	" PRIMARY KEY (proxy, seq)) WITHOUT ROWID;";

enum {
	ST_INS_SAMPLE,
	ST_INS_OUTCOME,
	ST_INS_FEEDBACK,
	ST_TRIM_SAMPLES,
	ST_TRIM_OUTCOMES,
	ST_TRIM_FEEDBACK,
	ST_INS_FORGET,
	ST_TRIM_FORGETS,
	ST_SET_VERSIONS,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_INS_SAMPLE] = "INSERT INTO samples VALUES (?,?,?,?,?,?,"
		"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INS_OUTCOME] = "INSERT INTO outcomes VALUES (?,?,?,?,?,?,?,?,?,?,?,"
		"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INS_FEEDBACK] = "INSERT INTO feedback VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_TRIM_SAMPLES] = "DELETE FROM samples WHERE proxy = ? AND seq < ?",
	[ST_TRIM_OUTCOMES] = "DELETE FROM outcomes WHERE proxy = ? AND seq < ?",
	[ST_TRIM_FEEDBACK] = "DELETE FROM feedback WHERE proxy = ? AND seq < ?",
	/* Two demotions with no outcome stored between them compose. */
	[ST_INS_FORGET] = "INSERT INTO forgets VALUES (?,?,?) ON CONFLICT (proxy, seq)"
		" DO UPDATE SET factor = factor * excluded.factor",
	/* A mark whose outcomes are all trimmed discounts nothing. */
	[ST_TRIM_FORGETS] = "DELETE FROM forgets WHERE proxy = ? AND seq <= ?",
	[ST_SET_VERSIONS] = "UPDATE proxies SET next_table_version = ?,"
		" next_model_version = ? WHERE id = ?",
};

struct row_sample {
	struct ml_lib_sample s;
	int64_t f[ML_LIB_MAX_FEATURES];
	uint32_t nf, cpu;
};

struct batch {
	void *rows;
	size_t n, cap, size;
};

struct mlag_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int64_t proxy;
	uint64_t retention;
	uint64_t next_seq[3];	/* samples, outcomes, feedback */
	uint64_t next_version[2];	/* table, model */
	bool versions_dirty;
	struct batch b[3];
	char err[256];
};

static int sql_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EUCLEAN;
	default:
		return -EIO;
	}
}

/* Record SQLite's message for @rc and return it as a negative errno. */
static int fail(struct mlag_store *s, int rc, const char *what)
{
	snprintf(s->err, sizeof(s->err), "%s: %s", what,
		 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return sql_errno(rc);
}

const char *mlag_store_errmsg(const struct mlag_store *s)
{
	return s->err;
}

static int exec(struct mlag_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(s, rc, sql);
}

int mlag_store_open(const char *path, struct mlag_store **sp, char *err,
		    size_t errlen)
{
	struct mlag_store *s = calloc(1, sizeof(*s));
	int rc, i, ret;

	if (!s)
		return -ENOMEM;
	s->b[0].size = sizeof(struct row_sample);
	s->b[1].size = sizeof(struct mlag_example);
	s->b[2].size = sizeof(struct ml_lib_feedback);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = fail(s, rc, path);
		goto err;
	}
	sqlite3_busy_timeout(s->db, 10000);
	ret = exec(s, "PRAGMA journal_mode = WAL");
	if (!ret)
		ret = exec(s, "PRAGMA synchronous = NORMAL");
	if (!ret)
		ret = exec(s, schema_sql);
	if (!ret)
		ret = exec(s, "PRAGMA user_version = 1");
	for (i = 0; !ret && i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&s->st[i], NULL);
		if (rc != SQLITE_OK)
			ret = fail(s, rc, stmt_sql[i]);
	}
	if (ret)
		goto err;
	*sp = s;
	return 0;
err:
	/* The caller gets no handle: hand the message over. */
	snprintf(err, errlen, "%s", s->err);
	mlag_store_close(s);
	return ret;
}

void mlag_store_close(struct mlag_store *s)
{
	int i;

	if (!s)
		return;
	if (s->proxy)
		mlag_store_commit(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	for (i = 0; i < 3; i++)
		free(s->b[i].rows);
	free(s);
}

static uint64_t schema_hash(const struct ml_lib_schema *schema)
{
	const unsigned char *p = (const unsigned char *)schema;
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */
	size_t i, n = offsetof(struct ml_lib_schema, features) +
		       schema->nr_features * sizeof(schema->features[0]);

	/* The proxy id changes across module loads: it is not identity. */
	for (i = offsetof(struct ml_lib_schema, subsystem); i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	p = (const unsigned char *)schema->actions;
	for (i = 0; i < schema->nr_actions * sizeof(schema->actions[0]); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/*
 * Step a prepared, bound statement once and read its first @n integer
 * columns; finalizes it. 0, -ENOENT (no row) or a negative errno.
 */
static int one_row(struct mlag_store *s, sqlite3_stmt *st, int64_t *out,
		   unsigned int n)
{
	int rc = sqlite3_step(st), ret = -ENOENT;
	unsigned int i;

	if (rc == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			out[i] = sqlite3_column_int64(st, (int)i);
		ret = 0;
	} else if (rc != SQLITE_DONE) {
		ret = fail(s, rc, sqlite3_sql(st));
	}
	sqlite3_finalize(st);
	return ret;
}

static int prepare(struct mlag_store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : fail(s, rc, sql);
}

static int insert_proxy(struct mlag_store *s, const struct ml_lib_schema *schema,
			const char *hash)
{
	sqlite3_stmt *st = NULL;
	unsigned int i;
	int rc, ret;

	ret = exec(s, "BEGIN IMMEDIATE");
	if (ret)
		return ret;
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO proxies (subsystem, name,"
		" schema_hash, nr_features, nr_actions, schema, created_at)"
		" VALUES (?,?,?,?,?,?,?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, schema->subsystem, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, schema->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)schema->nr_features);
	sqlite3_bind_int(st, 5, (int)schema->nr_actions);
	sqlite3_bind_blob(st, 6, schema, sizeof(*schema), SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (int64_t)time(NULL));
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	s->proxy = sqlite3_last_insert_rowid(s->db);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO features VALUES (?,?,?,?,?,?,?)",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	for (i = 0; i < schema->nr_features && i < ML_LIB_MAX_FEATURES; i++) {
		const struct ml_lib_feature_desc *f = &schema->features[i];
		const char *type = mla_feature_type_name(f->type);

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, s->proxy);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(st, 3, f->name, (int)strnlen(f->name, sizeof(f->name)),
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 4, f->unit, (int)strnlen(f->unit, sizeof(f->unit)),
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 5, type ? type : "?", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, f->min);
		sqlite3_bind_int64(st, 7, f->max);
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO actions VALUES (?,?,?,?,?,?)",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	for (i = 0; i < schema->nr_actions && i < ML_LIB_MAX_ACTIONS; i++) {
		const struct ml_lib_action_desc *a = &schema->actions[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, s->proxy);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(st, 3, a->name, (int)strnlen(a->name, sizeof(a->name)),
				  SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, a->min);
		sqlite3_bind_int64(st, 5, a->max);
		sqlite3_bind_int64(st, 6, a->def);
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(st);
	return exec(s, "COMMIT");
fail:
	ret = fail(s, rc, "registering the proxy");
	sqlite3_finalize(st);
	exec(s, "ROLLBACK");
	s->proxy = 0;
	return ret;
}

int mlag_store_bind(struct mlag_store *s, const struct ml_lib_schema *schema)
{
	static const char *const tables[3] = { "samples", "outcomes", "feedback" };
	char hash[17], sql[128];
	int64_t row[3], next = 0;
	sqlite3_stmt *st;
	int i, ret;

	if (s->proxy)
		mlag_store_commit(s);
	snprintf(hash, sizeof(hash), "%016llx",
		 (unsigned long long)schema_hash(schema));
	ret = prepare(s, "SELECT id, next_table_version, next_model_version"
		      " FROM proxies WHERE subsystem = ? AND name = ? AND schema_hash = ?",
		      &st);
	if (ret)
		return ret;
	sqlite3_bind_text(st, 1, schema->subsystem,
			  (int)strnlen(schema->subsystem, sizeof(schema->subsystem)),
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 2, schema->name,
			  (int)strnlen(schema->name, sizeof(schema->name)), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	ret = one_row(s, st, row, 3);
	if (ret == -ENOENT) {
		ret = insert_proxy(s, schema, hash);
		if (ret)
			return ret;
		row[0] = s->proxy;
		row[1] = row[2] = 1;
	} else if (ret) {
		return ret;
	}
	s->proxy = row[0];
	s->next_version[0] = (uint64_t)row[1];
	s->next_version[1] = (uint64_t)row[2];
	for (i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT coalesce(max(seq), 0) + 1 FROM %s WHERE proxy = ?",
			 tables[i]);
		ret = prepare(s, sql, &st);
		if (ret)
			return ret;
		sqlite3_bind_int64(st, 1, s->proxy);
		ret = one_row(s, st, &next, 1);
		if (ret)
			return ret;
		s->next_seq[i] = (uint64_t)next;
	}
	return 0;
}

int64_t mlag_store_proxy_id(const struct mlag_store *s)
{
	return s->proxy;
}

void mlag_store_set_retention(struct mlag_store *s, uint64_t rows)
{
	s->retention = rows;
}

static void *batch_add(struct batch *b)
{
	if (mlag_reserve(&b->rows, &b->cap, b->n, b->size))
		return NULL;
	return (char *)b->rows + b->n++ * b->size;
}

int mlag_store_sample(struct mlag_store *s, const struct ml_lib_sample *smp,
		      unsigned int nr_features, unsigned int cpu)
{
	struct row_sample *r;

	if (!s->proxy || nr_features > ML_LIB_MAX_FEATURES)
		return -EINVAL;
	r = batch_add(&s->b[0]);
	if (!r)
		return -ENOMEM;
	r->s = *smp;
	memcpy(r->f, smp->features, nr_features * sizeof(r->f[0]));
	r->nf = nr_features;
	r->cpu = cpu;
	return 0;
}

int mlag_store_outcome(struct mlag_store *s, const struct mlag_example *ex)
{
	struct mlag_example *r;

	if (!s->proxy)
		return -EINVAL;
	r = batch_add(&s->b[1]);
	if (!r)
		return -ENOMEM;
	*r = *ex;
	return 0;
}

int mlag_store_feedback(struct mlag_store *s, const struct ml_lib_feedback *fb)
{
	struct ml_lib_feedback *r;

	if (!s->proxy)
		return -EINVAL;
	r = batch_add(&s->b[2]);
	if (!r)
		return -ENOMEM;
	*r = *fb;
	return 0;
}

unsigned int mlag_store_pending(const struct mlag_store *s)
{
	return (unsigned int)(s->b[0].n + s->b[1].n + s->b[2].n);
}

static int step(struct mlag_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : fail(s, rc, what);
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, (int64_t)v);
}

static int write_samples(struct mlag_store *s)
{
	sqlite3_stmt *st = s->st[ST_INS_SAMPLE];
	struct row_sample *r = s->b[0].rows;
	size_t i;
	uint32_t j;
	int ret;

	for (i = 0; i < s->b[0].n; i++, r++) {
		sqlite3_bind_int64(st, 1, s->proxy);
		bind_u64(st, 2, s->next_seq[0] + i);
		bind_u64(st, 3, r->s.ts_ns);
		sqlite3_bind_int(st, 4, (int)r->cpu);
		bind_u64(st, 5, r->s.key);
		bind_u64(st, 6, r->s.decision_id);
		for (j = 0; j < r->nf; j++)
			sqlite3_bind_int64(st, 7 + (int)j, r->f[j]);
		ret = step(s, st, "storing a sample");
		if (ret)
			return ret;
	}
	return 0;
}

static int write_outcomes(struct mlag_store *s)
{
	sqlite3_stmt *st = s->st[ST_INS_OUTCOME];
	struct mlag_example *e = s->b[1].rows;
	size_t i;
	unsigned int j;
	int ret;

	for (i = 0; i < s->b[1].n; i++, e++) {
		sqlite3_bind_int64(st, 1, s->proxy);
		bind_u64(st, 2, s->next_seq[1] + i);
		bind_u64(st, 3, e->ts_ns);
		bind_u64(st, 4, e->decision_id);
		bind_u64(st, 5, e->key);
		sqlite3_bind_int64(st, 6, e->cost);
		bind_u64(st, 7, e->version);
		sqlite3_bind_int(st, 8, e->arm);
		sqlite3_bind_int(st, 9, e->source);
		sqlite3_bind_int(st, 10, e->flags);
		sqlite3_bind_int(st, 11, e->heldout);
		for (j = 0; j < ML_LIB_MAX_ACTIONS; j++) {
			sqlite3_bind_int64(st, 12 + (int)j, e->values[j]);
			sqlite3_bind_int64(st, 16 + (int)j, e->advice[j]);
		}
		sqlite3_bind_int(st, 20, e->nr_features);
		for (j = 0; j < e->nr_features && j < ML_LIB_MAX_FEATURES; j++)
			sqlite3_bind_int64(st, 21 + (int)j, e->features[j]);
		ret = step(s, st, "storing an outcome");
		if (ret)
			return ret;
	}
	return 0;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

static int write_feedback(struct mlag_store *s)
{
	sqlite3_stmt *st = s->st[ST_INS_FEEDBACK];
	struct ml_lib_feedback *f = s->b[2].rows;
	size_t i;
	int ret;

	for (i = 0; i < s->b[2].n; i++, f++) {
		const char *type = mla_feedback_type_name(f->type);

		sqlite3_bind_int64(st, 1, s->proxy);
		bind_u64(st, 2, s->next_seq[2] + i);
		bind_u64(st, 3, f->ts_ns);
		sqlite3_bind_text(st, 4, type ? type : "unknown", -1, SQLITE_STATIC);
		switch (f->type) {
		case ML_LIB_FB_MODE:
			bind_text_or_null(st, 5, mla_mode_name(f->mode.old_mode));
			bind_text_or_null(st, 6, mla_mode_name(f->mode.new_mode));
			bind_text_or_null(st, 7, mla_reason_name(f->mode.reason));
			sqlite3_bind_int(st, 8, f->mode.efficiency_bp);
			break;
		case ML_LIB_FB_EFFICIENCY:
			sqlite3_bind_int(st, 8, f->efficiency.efficiency_bp);
			bind_u64(st, 11, f->efficiency.outcomes[ML_LIB_ARM_DEFAULT]);
			bind_u64(st, 12, f->efficiency.outcomes[ML_LIB_ARM_ML]);
			sqlite3_bind_int64(st, 13, f->efficiency.mean_milli[ML_LIB_ARM_DEFAULT]);
			sqlite3_bind_int64(st, 14, f->efficiency.mean_milli[ML_LIB_ARM_ML]);
			break;
		case ML_LIB_FB_TABLE:
		case ML_LIB_FB_MODEL:
			bind_u64(st, 9, f->verdict.version);
			sqlite3_bind_int(st, 10, f->verdict.error);
			break;
		}
		ret = step(s, st, "storing feedback");
		if (ret)
			return ret;
	}
	return 0;
}

static int trim(struct mlag_store *s)
{
	int i, ret;

	if (!s->retention)
		return 0;
	for (i = 0; i < 3; i++) {
		sqlite3_stmt *st = s->st[ST_TRIM_SAMPLES + i];

		if (s->next_seq[i] <= s->retention + 1)
			continue;
		sqlite3_bind_int64(st, 1, s->proxy);
		bind_u64(st, 2, s->next_seq[i] - s->retention);
		ret = step(s, st, "trimming to the retention");
		if (ret)
			return ret;
		if (i == 1) {
			st = s->st[ST_TRIM_FORGETS];
			sqlite3_bind_int64(st, 1, s->proxy);
			bind_u64(st, 2, s->next_seq[i] - s->retention);
			ret = step(s, st, "trimming to the retention");
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int write_versions(struct mlag_store *s)
{
	sqlite3_stmt *st = s->st[ST_SET_VERSIONS];

	bind_u64(st, 1, s->next_version[0]);
	bind_u64(st, 2, s->next_version[1]);
	sqlite3_bind_int64(st, 3, s->proxy);
	return step(s, st, "storing the version counters");
}

/* Write the batch inside an open transaction. */
static int write_batch(struct mlag_store *s)
{
	int ret = write_samples(s);

	if (!ret)
		ret = write_outcomes(s);
	if (!ret)
		ret = write_feedback(s);
	if (!ret && s->versions_dirty)
		ret = write_versions(s);
	return ret;
}

/* The batch is in the database: advance the sequences, empty the buffers. */
static void batch_done(struct mlag_store *s)
{
	int i;

	for (i = 0; i < 3; i++) {
		s->next_seq[i] += s->b[i].n;
		s->b[i].n = 0;
	}
	s->versions_dirty = false;
}

int mlag_store_commit(struct mlag_store *s)
{
	int ret;

	if (!s->proxy || (!mlag_store_pending(s) && !s->versions_dirty))
		return 0;
	ret = exec(s, "BEGIN IMMEDIATE");
	if (ret)
		return ret;
	ret = write_batch(s);
	if (!ret) {
		/* Trim as if the batch were in: its sequence numbers are. */
		uint64_t seq[3];
		int i;

		memcpy(seq, s->next_seq, sizeof(seq));
		for (i = 0; i < 3; i++)
			s->next_seq[i] += s->b[i].n;
		ret = trim(s);
		memcpy(s->next_seq, seq, sizeof(seq));
	}
	if (!ret)
		ret = exec(s, "COMMIT");
	if (ret) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	batch_done(s);
	return 0;
}

int mlag_store_forget(struct mlag_store *s, double factor)
{
	sqlite3_stmt *st = s->st[ST_INS_FORGET];
	int ret;

	if (!s->proxy || !(factor >= 0 && factor < 1))
		return -EINVAL;
	/* The open batch is before the mark: commit it, then mark. */
	ret = mlag_store_commit(s);
	if (ret)
		return ret;
	sqlite3_bind_int64(st, 1, s->proxy);
	bind_u64(st, 2, s->next_seq[1]);
	sqlite3_bind_double(st, 3, factor);
	return step(s, st, "storing a forget mark");
}

int mlag_store_next_version(struct mlag_store *s, int which, uint64_t floor,
			    uint64_t *version)
{
	uint64_t v;

	if (!s->proxy || which < 0 || which > 1)
		return -EINVAL;
	v = s->next_version[which];
	if (v < floor)
		v = floor;
	if (!v)
		v = 1;
	s->next_version[which] = v + 1;
	s->versions_dirty = true;
	*version = v;
	return 0;
}

static const char *kind_name(uint32_t kind)
{
	return kind == MLAG_ART_TABLE ? "table" : kind == MLAG_ART_MODEL ? "model" : "none";
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
}

int mlag_store_model_add(struct mlag_store *s, const struct mlag_model_rec *m)
{
	sqlite3_stmt *st = NULL;
	int rc, ret;

	if (!s->proxy || !m->blob || !m->len || m->len > INT32_MAX)
		return -EINVAL;
	ret = exec(s, "BEGIN IMMEDIATE");
	if (ret)
		return ret;
	ret = write_batch(s);
	if (ret)
		goto rollback;
	rc = sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO models VALUES"
				" (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = fail(s, rc, "storing a model");
		goto rollback;
	}
	sqlite3_bind_int64(st, 1, s->proxy);
	bind_u64(st, 2, m->version);
	bind_u64(st, 3, m->table_version);
	sqlite3_bind_int64(st, 4, m->created_at);
	sqlite3_bind_text(st, 5, m->learner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, kind_name(m->kind), -1, SQLITE_STATIC);
	bind_real(st, 7, m->heldout_score);
	bind_real(st, 8, m->replaced_score);
	bind_real(st, 9, m->delta);
	bind_real(st, 10, m->se);
	sqlite3_bind_int(st, 11, (int)m->keys_compared);
	sqlite3_bind_int(st, 12, m->efficiency_bp);
	bind_text_or_null(st, 13, mla_mode_name(m->mode));
	sqlite3_bind_text(st, 14, m->reason, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 15, m->blob, (int)m->len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ret = fail(s, rc, "storing a model");
		goto rollback;
	}
	ret = exec(s, "COMMIT");
	if (ret)
		goto rollback;
	batch_done(s);
	return 0;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

static void copy_text(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src ? (const char *)src : "");
}

static double column_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN :
	       sqlite3_column_double(st, i);
}

int mlag_store_model_last(struct mlag_store *s, struct mlag_model_rec *m)
{
	sqlite3_stmt *st;
	int rc, ret = -ENOENT;

	if (!s->proxy)
		return -EINVAL;
	rc = sqlite3_prepare_v2(s->db, "SELECT version, table_version, created_at,"
		" learner, kind, heldout_score, replaced_score, delta, se,"
		" keys_compared, efficiency_bp, reason, blob FROM models"
		" WHERE proxy = ? ORDER BY version DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, "reading the last model");
	sqlite3_bind_int64(st, 1, s->proxy);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 12);
		int len = sqlite3_column_bytes(st, 12);

		memset(m, 0, sizeof(*m));
		m->version = (uint64_t)sqlite3_column_int64(st, 0);
		m->table_version = (uint64_t)sqlite3_column_int64(st, 1);
		m->created_at = sqlite3_column_int64(st, 2);
		copy_text(m->learner, sizeof(m->learner), sqlite3_column_text(st, 3));
		m->kind = !strcmp((const char *)sqlite3_column_text(st, 4), "table") ?
			  MLAG_ART_TABLE :
			  !strcmp((const char *)sqlite3_column_text(st, 4), "model") ?
			  MLAG_ART_MODEL : MLAG_ART_NONE;
		m->heldout_score = column_real(st, 5);
		m->replaced_score = column_real(st, 6);
		m->delta = column_real(st, 7);
		m->se = column_real(st, 8);
		m->keys_compared = (uint32_t)sqlite3_column_int(st, 9);
		m->efficiency_bp = sqlite3_column_int(st, 10);
		copy_text(m->reason, sizeof(m->reason), sqlite3_column_text(st, 11));
		ret = -ENOMEM;
		m->blob = len > 0 ? malloc((size_t)len) : NULL;
		if (m->blob) {
			memcpy(m->blob, blob, (size_t)len);
			m->len = (size_t)len;
			ret = 0;
		}
	} else if (rc != SQLITE_DONE) {
		ret = fail(s, rc, "reading the last model");
	}
	sqlite3_finalize(st);
	return ret;
}

struct forget_mark {
	uint64_t seq;
	double factor;
};

/* The forget marks after @from, oldest first, in *@marks (free() it). */
static int load_marks(struct mlag_store *s, uint64_t from,
		      struct forget_mark **marks, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, ret = 0;

	*marks = NULL;
	*n = 0;
	ret = prepare(s, "SELECT seq, factor FROM forgets WHERE proxy = ? AND seq > ?"
		      " ORDER BY seq", &st);
	if (ret)
		return ret;
	sqlite3_bind_int64(st, 1, s->proxy);
	bind_u64(st, 2, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (mlag_reserve((void **)marks, &cap, *n, sizeof(**marks))) {
			ret = -ENOMEM;
			break;
		}
		(*marks)[*n].seq = (uint64_t)sqlite3_column_int64(st, 0);
		(*marks)[(*n)++].factor = sqlite3_column_double(st, 1);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(s, rc, "reading the forget marks");
	sqlite3_finalize(st);
	if (ret) {
		free(*marks);
		*marks = NULL;
	}
	return ret;
}

int mlag_store_replay(struct mlag_store *s, uint64_t max,
		      int (*cb)(const struct mlag_example *ex, void *arg),
		      void (*forget)(double factor, void *arg), void *arg)
{
	struct forget_mark *marks = NULL;
	size_t nr_marks = 0, k = 0;
	sqlite3_stmt *st;
	uint64_t from;
	int rc, ret = 0;
	unsigned int j;

	if (!s->proxy)
		return -EINVAL;
	ret = mlag_store_commit(s);
	if (ret)
		return ret;
	from = max && s->next_seq[1] > max ? s->next_seq[1] - max : 0;
	if (forget) {
		ret = load_marks(s, from, &marks, &nr_marks);
		if (ret)
			return ret;
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT ts_ns, decision_id, key, cost, version,"
		" arm, source, flags, heldout, v0, v1, v2, v3, a0, a1, a2, a3,"
		" nr_features," F16("") ", seq FROM outcomes WHERE proxy = ? AND seq >= ?"
		" ORDER BY seq", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		free(marks);
		return fail(s, rc, "replaying outcomes");
	}
	sqlite3_bind_int64(st, 1, s->proxy);
	bind_u64(st, 2, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mlag_example ex = { 0 };
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 18 + ML_LIB_MAX_FEATURES);

		ex.ts_ns = (uint64_t)sqlite3_column_int64(st, 0);
		ex.decision_id = (uint64_t)sqlite3_column_int64(st, 1);
		ex.key = (uint64_t)sqlite3_column_int64(st, 2);
		ex.cost = sqlite3_column_int64(st, 3);
		ex.version = (uint64_t)sqlite3_column_int64(st, 4);
		ex.arm = (uint8_t)sqlite3_column_int(st, 5);
		ex.source = (uint8_t)sqlite3_column_int(st, 6);
		ex.flags = (uint8_t)sqlite3_column_int(st, 7);
		ex.heldout = (uint8_t)sqlite3_column_int(st, 8);
		for (j = 0; j < ML_LIB_MAX_ACTIONS; j++) {
			ex.values[j] = sqlite3_column_int64(st, 9 + (int)j);
			ex.advice[j] = sqlite3_column_int64(st, 13 + (int)j);
		}
		ex.nr_features = (uint8_t)sqlite3_column_int(st, 17);
		if (ex.nr_features > ML_LIB_MAX_FEATURES) {
			ret = -EUCLEAN;
			break;
		}
		for (j = 0; j < ex.nr_features; j++)
			ex.features[j] = sqlite3_column_int64(st, 18 + (int)j);
		/* The marks up to this row discount the rows before it. */
		for (; k < nr_marks && marks[k].seq <= seq; k++)
			forget(marks[k].factor, arg);
		ret = cb(&ex, arg);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(s, rc, "replaying outcomes");
	/* Marks after the last stored outcome: demotions since. */
	for (; !ret && k < nr_marks; k++)
		forget(marks[k].factor, arg);
	sqlite3_finalize(st);
	free(marks);
	return ret;
}

int64_t mlag_store_count(struct mlag_store *s, const char *table)
{
	static const char *const ok[] = {
		"samples", "outcomes", "feedback", "models", "forgets",
	};
	sqlite3_stmt *st;
	char sql[96];
	int64_t n = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(table, ok[i]))
			break;
	if (i == sizeof(ok) / sizeof(ok[0]))
		return -EINVAL;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE proxy = ?", ok[i]);
	ret = prepare(s, sql, &st);
	if (ret)
		return ret;
	sqlite3_bind_int64(st, 1, s->proxy);
	ret = one_row(s, st, &n, 1);
	return ret ? ret : n;
}

int mlag_store_integrity(struct mlag_store *s, char *msg, size_t len)
{
	sqlite3_stmt *st;
	int rc, ret = -EUCLEAN;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, "integrity_check");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		snprintf(msg, len, "%s", r ? r : "");
		if (r && !strcmp(r, "ok"))
			ret = 0;
	} else {
		ret = fail(s, rc, "integrity_check");
		snprintf(msg, len, "%s", s->err);
	}
	sqlite3_finalize(st);
	return ret;
}

int mlag_store_report(struct mlag_store *s, FILE *f)
{
	static const char sql[] =
		"SELECT p.id, p.subsystem, p.name, p.nr_features, p.nr_actions,"
		" (SELECT count(*) FROM samples WHERE proxy = p.id),"
		" (SELECT count(*) FROM outcomes WHERE proxy = p.id),"
		" (SELECT count(*) FROM feedback WHERE proxy = p.id),"
		" (SELECT count(*) FROM models WHERE proxy = p.id),"
		" m.version, m.learner, m.kind, m.heldout_score,"
		" datetime(m.created_at, 'unixepoch'),"
		" (SELECT count(*) FROM forgets WHERE proxy = p.id),"
		" (SELECT count(*) FROM feedback WHERE proxy = p.id AND type = ?1"
		"  AND reason = ?2)"
		" FROM proxies p LEFT JOIN models m ON m.proxy = p.id AND m.version ="
		" (SELECT max(version) FROM models WHERE proxy = p.id) ORDER BY p.id";
	sqlite3_stmt *st;
	int ret, rc;

	ret = prepare(s, sql, &st);
	if (ret)
		return ret;
	/* The names write_feedback() stores, not copies of them. */
	sqlite3_bind_text(st, 1, mla_feedback_type_name(ML_LIB_FB_MODE), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, mla_reason_name(ML_LIB_REASON_DEMOTED), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fprintf(f, "proxy %s/%s (store id %lld, %d features, %d actions): "
			"%lld samples of no decision (or whose outcome never came), "
			"%lld outcomes (with their decision's sample), %lld feedback, "
			"%lld models, %lld forget marks (%lld demotions in the feedback)",
			sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
			(long long)sqlite3_column_int64(st, 0), sqlite3_column_int(st, 3),
			sqlite3_column_int(st, 4), (long long)sqlite3_column_int64(st, 5),
			(long long)sqlite3_column_int64(st, 6),
			(long long)sqlite3_column_int64(st, 7),
			(long long)sqlite3_column_int64(st, 8),
			(long long)sqlite3_column_int64(st, 14),
			(long long)sqlite3_column_int64(st, 15));
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			fprintf(f, "; last model v%lld (%s, %s, held-out mean cost %.3f, %s UTC)",
				(long long)sqlite3_column_int64(st, 9),
				sqlite3_column_text(st, 10), sqlite3_column_text(st, 11),
				sqlite3_column_double(st, 12), sqlite3_column_text(st, 13));
		fputc('\n', f);
	}
	ret = rc == SQLITE_DONE ? 0 : fail(s, rc, "reporting");
	sqlite3_finalize(st);
	return ret;
}
