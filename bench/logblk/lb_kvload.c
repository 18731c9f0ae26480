// SPDX-License-Identifier: GPL-2.0
/*
 * lb-kvload: an LSM-tree workload for logblk's benchmark: RocksDB, with
 * flushes and compactions in direct I/O, on a file system mounted on the
 * device.
 *
 * Why RocksDB: it is the application that gives the device structure. It
 * sets a write-lifetime hint on each table file by its level (level 0 and
 * the base level medium, each deeper level longer, up to extreme), and
 * with direct I/O for flush and compaction those hints reach the block
 * layer (buffered writeback drops them on ext4: docs/logblk.md,
 * "Features"), once __wrap_fcntl() below has mended the call that sets
 * them. Its write-ahead log stays buffered, as RocksDB runs it.
 *
 * The tree is sized to a few levels on a small device: 2 MiB memtables
 * and table files, an 8 MiB base level, levels sized from the last one
 * (less space for obsolete tables), no compression (the data's size is
 * what it is). Keys are loaded once each, in a scattered order (a stride
 * prime to KEYS), then updated: half uniformly, half among a hot tenth of
 * the keys. Values are 100..2000 random bytes. The draws are
 * deterministic for a seed; RocksDB's scheduling of its background jobs
 * is not.
 *
 * usage: lb-kvload DIR KEYS UPDATES [SEED]
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rocksdb/c.h>
#include "ml_rand.h"
#include "lb_args.h"

#define VAL_MIN		100
#define VAL_MAX		2000
#define MIB		(1024 * 1024)

static u64 rs;	/* splitmix64, as the other workloads: same seed, same draws */
static uint64_t rnd(void)
{
	return ml_rand_splitmix64(&rs);
}

static void check(char *err, const char *what)
{
	if (err) {
		fprintf(stderr, "lb-kvload: %s: %s\n", what, err);
		exit(1);
	}
}

/*
 * RocksDB 7.8 (Debian 12's) sets a file's hint with fcntl(F_SET_RW_HINT)
 * on a pointer to its 4-byte enum; the kernel reads a u64, finds the
 * upper half not zero and refuses (EINVAL): no hint ever reaches the
 * block layer. Linked with --wrap=fcntl, its calls come here and get the
 * u64 the kernel reads (a caller that passed a u64 gets the same value:
 * hints are below 2^32 and x86 is little-endian).
 */
int __real_fcntl(int fd, int cmd, ...);
int __wrap_fcntl(int fd, int cmd, ...);
int __wrap_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (cmd == F_SET_RW_HINT) {
		uint64_t hint = *(const uint32_t *)arg;

		return __real_fcntl(fd, cmd, &hint);
	}
	return __real_fcntl(fd, cmd, arg);
}

static char val[VAL_MAX];

static void put(rocksdb_t *db, const rocksdb_writeoptions_t *wo, uint64_t k)
{
	size_t len = VAL_MIN + rnd() % (VAL_MAX - VAL_MIN);
	char key[24], *err = NULL;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t x = rnd();

		memcpy(val + i, &x, len - i < 8 ? len - i : 8);
	}
	snprintf(key, sizeof(key), "k%016" PRIx64, k);
	rocksdb_put(db, wo, key, 17, val, len, &err);
	check(err, "put");
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int main(int argc, char **argv)
{
	rocksdb_options_t *o;
	rocksdb_writeoptions_t *wo;
	uint64_t keys, updates, step;
	rocksdb_t *db;
	char *err = NULL;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: lb-kvload DIR KEYS UPDATES [SEED]\n");
		return 2;
	}
	if (lb_arg_u64(argv[2], 10, &keys) || keys < 10)
		return fprintf(stderr, "lb-kvload: KEYS must be a number, at least 10: %s\n", argv[2]), 2;
	if (lb_arg_u64(argv[3], 10, &updates))
		return fprintf(stderr, "lb-kvload: bad UPDATES: %s\n", argv[3]), 2;
	rs = 1;
	if (argc == 5 && lb_arg_u64(argv[4], 0, &rs))
		return fprintf(stderr, "lb-kvload: bad SEED: %s\n", argv[4]), 2;

	o = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(o, 1);
	rocksdb_options_set_use_direct_io_for_flush_and_compaction(o, 1);
	rocksdb_options_set_compression(o, rocksdb_no_compression);
	rocksdb_options_set_write_buffer_size(o, 2 * MIB);
	rocksdb_options_set_target_file_size_base(o, 2 * MIB);
	rocksdb_options_set_max_bytes_for_level_base(o, 8 * MIB);
	rocksdb_options_set_level_compaction_dynamic_level_bytes(o, 1);
	rocksdb_options_set_max_background_jobs(o, 2);
	db = rocksdb_open(o, argv[1], &err);
	check(err, argv[1]);
	wo = rocksdb_writeoptions_create();

	/* Load every key once, in an order that spreads them over the tree. */
	step = 0x9e3779b97f4a7c15ull % keys;
	while (gcd(step, keys) != 1)
		step++;
	for (uint64_t i = 0, k = 0; i < keys; i++, k = (k + step) % keys)
		put(db, wo, k);
	for (uint64_t i = 0; i < updates; i++)
		put(db, wo, rnd() & 1 ? rnd() % keys : rnd() % (keys / 10 + 1));
	rocksdb_flush_wal(db, 1, &err);
	check(err, "flush_wal");

	rocksdb_writeoptions_destroy(wo);
	rocksdb_close(db);
	rocksdb_options_destroy(o);
	printf("lb-kvload: %" PRIu64 " keys loaded, %" PRIu64 " updates\n", keys, updates);
	return 0;
}
