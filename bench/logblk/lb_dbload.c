// SPDX-License-Identifier: GPL-2.0
/*
 * lb-dbload: a database workload for logblk's benchmark: SQLite in WAL
 * mode doing inserts, updates and deletes on a key-value table, on a file
 * system mounted on the device.
 *
 * Keys are inserted in increasing order; updates and deletes go half to a
 * uniformly chosen live key and half to the newest tenth of the keys
 * (recent data is hot, as in logs, queues and time series). Inserts and
 * deletes balance, so the database keeps its size while its pages churn.
 * Values are 100..4000 random bytes. Deterministic for a seed.
 *
 * usage: lb-dbload DBFILE ROWS TRANSACTIONS [SEED]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "ml_rand.h"
#include "lb_args.h"

#define OPS_PER_TXN	20
#define VAL_MAX		4000

static u64 rs;	/* splitmix64, as the GC simulator: same seed, same draws */
static uint64_t rnd(void)
{
	return ml_rand_splitmix64(&rs);
}

static sqlite3 *db;

static void check(int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "lb-dbload: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

static void exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "lb-dbload: %s: %s\n", sql, err);
		exit(1);
	}
}

static uint8_t val[VAL_MAX];

static void bind_value(sqlite3_stmt *st, int idx)
{
	int len = 100 + (int)(rnd() % (VAL_MAX - 100));

	for (int i = 0; i < len; i += 8) {
		uint64_t x = rnd();

		memcpy(val + i, &x, len - i < 8 ? (size_t)(len - i) : 8);
	}
	check(sqlite3_bind_blob(st, idx, val, len, SQLITE_STATIC), "bind");
}

static void run(sqlite3_stmt *st)
{
	check(sqlite3_step(st), "step");
	sqlite3_reset(st);
}

/* A live key: half uniform over [lo, hi), half among the newest tenth. */
static int64_t pick(int64_t lo, int64_t hi)
{
	int64_t span = hi - lo, recent = span / 10 ? span / 10 : 1;

	if (rnd() & 1)
		return lo + (int64_t)(rnd() % (uint64_t)span);
	return hi - 1 - (int64_t)(rnd() % (uint64_t)recent);
}

int main(int argc, char **argv)
{
	sqlite3_stmt *ins, *upd, *del;
	int64_t rows, txns, lo = 0, hi = 0, ops = 0;
	uint64_t u;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: lb-dbload DBFILE ROWS TRANSACTIONS [SEED]\n");
		return 2;
	}
	if (lb_arg_u64(argv[2], 10, &u) || u < 10 || u > INT64_MAX)
		return fprintf(stderr, "lb-dbload: ROWS must be a number, at least 10: %s\n", argv[2]), 2;
	rows = (int64_t)u;
	if (lb_arg_u64(argv[3], 10, &u) || u > INT64_MAX)
		return fprintf(stderr, "lb-dbload: bad TRANSACTIONS: %s\n", argv[3]), 2;
	txns = (int64_t)u;
	rs = 1;
	if (argc == 5 && lb_arg_u64(argv[4], 0, &rs))
		return fprintf(stderr, "lb-dbload: bad SEED: %s\n", argv[4]), 2;
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return fprintf(stderr, "lb-dbload: %s: %s\n", argv[1], sqlite3_errmsg(db)), 1;
	exec("PRAGMA journal_mode=WAL");
	exec("PRAGMA synchronous=NORMAL");
	exec("CREATE TABLE IF NOT EXISTS kv(id INTEGER PRIMARY KEY, val BLOB)");
	check(sqlite3_prepare_v2(db, "INSERT INTO kv(id, val) VALUES(?, ?)", -1, &ins, NULL), "prepare");
	check(sqlite3_prepare_v2(db, "UPDATE kv SET val = ? WHERE id = ?", -1, &upd, NULL), "prepare");
	check(sqlite3_prepare_v2(db, "DELETE FROM kv WHERE id = ?", -1, &del, NULL), "prepare");

	exec("BEGIN");
	for (hi = 0; hi < rows; hi++) {
		sqlite3_bind_int64(ins, 1, hi);
		bind_value(ins, 2);
		run(ins);
		if (hi % 1000 == 999) {
			exec("COMMIT");
			exec("BEGIN");
		}
	}
	exec("COMMIT");

	for (int64_t t = 0; t < txns; t++) {
		exec("BEGIN");
		for (int i = 0; i < OPS_PER_TXN; i++, ops++) {
			unsigned int r = rnd() % 4;

			if (r == 1 && hi - lo < rows / 2)
				r = 0;		/* keep the table from draining */

			if (r == 0) {		/* insert a new newest key */
				sqlite3_bind_int64(ins, 1, hi++);
				bind_value(ins, 2);
				run(ins);
			} else if (r == 1) {	/* delete: the oldest key, or a picked one */
				int64_t k = rnd() & 1 ? lo++ : pick(lo, hi);

				sqlite3_bind_int64(del, 1, k);
				run(del);
			} else {		/* update */
				bind_value(upd, 1);
				sqlite3_bind_int64(upd, 2, pick(lo, hi));
				run(upd);
			}
		}
		exec("COMMIT");
	}
	exec("PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_finalize(del);
	if (sqlite3_close(db) != SQLITE_OK)
		return fprintf(stderr, "lb-dbload: close: %s\n", sqlite3_errmsg(db)), 1;
	printf("lb-dbload: %" PRId64 " rows loaded, %" PRId64 " transactions, %" PRId64 " operations\n",
	       rows, txns, ops);
	return 0;
}
