// SPDX-License-Identifier: GPL-2.0
/*
 * lb-churn: a file-churn workload for logblk's benchmark: create, rewrite,
 * append to and delete files of mixed sizes in a directory tree, keeping
 * the tree near a target size.
 *
 * Sizes: 60% small (4..32 KiB), 30% medium (32..256 KiB), 10% large
 * (256 KiB..2 MiB). Each step creates a file (35%), rewrites a file whole
 * (20%), updates 4..64 KiB of it in place (15%), appends to one (15%) or
 * deletes one (15%); while the tree is over its
 * target size, steps delete. Files are chosen at random among the live
 * ones, and each is fsync'ed when written, as editors, package managers
 * and build tools do, so the device sees every write.
 * Deterministic for a seed.
 *
 * usage: lb-churn DIR TARGET_MB STEPS [SEED]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ml_rand.h"
#include "lb_args.h"

#define DIRS		64
#define SLOTS		8192
#define CHUNK		(64 * 1024)

static u64 rs;	/* splitmix64, as the GC simulator: same seed, same draws */
static uint64_t rnd(void)
{
	return ml_rand_splitmix64(&rs);
}

static uint64_t size_of[SLOTS];	/* 0 = no file */
static unsigned int live[SLOTS], nlive;	/* slots holding a file */
static unsigned int pos[SLOTS];		/* index of a slot in live[] */
static uint64_t total;
static char buf[CHUNK];

static void live_add(unsigned int slot)
{
	pos[slot] = nlive;
	live[nlive++] = slot;
}

static void live_del(unsigned int slot)
{
	unsigned int last = live[--nlive];

	live[pos[slot]] = last;
	pos[last] = pos[slot];
}

static uint64_t draw_size(void)
{
	unsigned int r = rnd() % 100;

	if (r < 60)
		return 4096 + rnd() % (28 * 1024);
	if (r < 90)
		return 32 * 1024 + rnd() % (224 * 1024);
	return 256 * 1024 + rnd() % (1792 * 1024);
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "lb-churn: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void put(int fd, uint64_t len, const char *path)
{
	while (len) {
		size_t n = len < CHUNK ? (size_t)len : CHUNK;

		for (size_t i = 0; i < n; i += 8) {
			uint64_t x = rnd();

			memcpy(buf + i, &x, 8);
		}
		if (write(fd, buf, n) != (ssize_t)n)
			die("write", path);
		len -= n;
	}
}

int main(int argc, char **argv)
{
	uint64_t target, steps, creates = 0, rewrites = 0, updates = 0, appends = 0, deletes = 0;
	char path[4096];

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: lb-churn DIR TARGET_MB STEPS [SEED]\n");
		return 2;
	}
	if (lb_arg_u64(argv[2], 10, &target) || !target || target > (UINT64_MAX >> 20))
		return fprintf(stderr, "lb-churn: bad TARGET_MB: %s\n", argv[2]), 2;
	target <<= 20;
	if (lb_arg_u64(argv[3], 10, &steps))
		return fprintf(stderr, "lb-churn: bad STEPS: %s\n", argv[3]), 2;
	rs = 1;
	if (argc == 5 && lb_arg_u64(argv[4], 0, &rs))
		return fprintf(stderr, "lb-churn: bad SEED: %s\n", argv[4]), 2;
	for (int d = 0; d < DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%02d", argv[1], d);
		if (mkdir(path, 0755) && errno != EEXIST)
			die("mkdir", path);
	}
	for (uint64_t s = 0; s < steps; s++) {
		unsigned int r = rnd() % 100, slot;
		int fd;

		if (total > target || nlive == SLOTS)
			r = 99;			/* delete */
		if (r < 35 || !nlive) {		/* create in an empty slot */
			do
				slot = rnd() % SLOTS;
			while (size_of[slot]);
		} else {
			slot = live[rnd() % nlive];
		}
		snprintf(path, sizeof(path), "%s/d%02u/f%05u", argv[1], slot % DIRS, slot);
		if (!size_of[slot]) {
			size_of[slot] = draw_size();
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				die("create", path);
			put(fd, size_of[slot], path);
			total += size_of[slot];
			live_add(slot);
			creates++;
		} else if (r >= 85) {
			if (unlink(path))
				die("unlink", path);
			total -= size_of[slot];
			size_of[slot] = 0;
			live_del(slot);
			deletes++;
			continue;
		} else if (r < 50) {
			uint64_t off = rnd() % size_of[slot] & ~4095ULL;
			uint64_t len = 4096 + (rnd() % 15) * 4096;

			fd = open(path, O_WRONLY);
			if (fd < 0 || lseek(fd, (off_t)off, SEEK_SET) < 0)
				die("update", path);
			if (off + len > size_of[slot]) {
				total += off + len - size_of[slot];
				size_of[slot] = off + len;
			}
			put(fd, len, path);
			updates++;
		} else if (r < 70) {
			total -= size_of[slot];
			size_of[slot] = draw_size();
			fd = open(path, O_WRONLY | O_TRUNC);
			if (fd < 0)
				die("rewrite", path);
			put(fd, size_of[slot], path);
			total += size_of[slot];
			rewrites++;
		} else {
			uint64_t more = 1024 + rnd() % (63 * 1024);

			fd = open(path, O_WRONLY | O_APPEND);
			if (fd < 0)
				die("append", path);
			put(fd, more, path);
			size_of[slot] += more;
			total += more;
			appends++;
		}
		if (fsync(fd))
			die("fsync", path);
		if (close(fd))
			die("close", path);
	}
	sync();
	printf("lb-churn: %" PRIu64 " creates, %" PRIu64 " rewrites, %" PRIu64 " updates, %" PRIu64 " appends, %" PRIu64 " deletes, %" PRIu64 " MiB live\n",
	       creates, rewrites, updates, appends, deletes, total >> 20);
	return 0;
}
