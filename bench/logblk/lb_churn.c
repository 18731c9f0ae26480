// SPDX-License-Identifier: GPL-2.0
/*
 * lb-churn: a file-churn workload for logblk's benchmark: create, rewrite,
 * append to and delete files of mixed sizes in a directory tree, keeping
 * the tree near a target size.
 *
 * Sizes: 70% small (1..16 KiB), 25% medium (16..256 KiB), 5% large
 * (1..8 MiB). Each step picks a file slot at random; an empty slot is
 * created, a full one is rewritten whole (40%), appended to (30%) or
 * deleted (30%); deletes win while the tree is over its target size. Files
 * are fsync'ed now and then, as editors and package managers do.
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
#include "lb_rand.h"

#define DIRS		64
#define SLOTS		8192
#define CHUNK		(64 * 1024)

static uint64_t rs;
static uint64_t rnd(void)
{
	return lb_rand(&rs);
}

static uint64_t size_of[SLOTS];	/* 0 = no file */
static uint64_t total;
static char buf[CHUNK];

static uint64_t draw_size(void)
{
	unsigned int r = rnd() % 100;

	if (r < 70)
		return 1024 + rnd() % (15 * 1024);
	if (r < 95)
		return 16 * 1024 + rnd() % (240 * 1024);
	return (1 + rnd() % 8) << 20;
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
	uint64_t target, steps, creates = 0, rewrites = 0, appends = 0, deletes = 0;
	char path[4096];
	char *end;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: lb-churn DIR TARGET_MB STEPS [SEED]\n");
		return 2;
	}
	target = strtoull(argv[2], &end, 10) << 20;
	if (*end || !target)
		return fprintf(stderr, "lb-churn: bad TARGET_MB\n"), 2;
	steps = strtoull(argv[3], &end, 10);
	if (*end)
		return fprintf(stderr, "lb-churn: bad STEPS\n"), 2;
	rs = argc == 5 ? strtoull(argv[4], NULL, 0) : 1;
	for (int d = 0; d < DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%02d", argv[1], d);
		if (mkdir(path, 0755) && errno != EEXIST)
			die("mkdir", path);
	}
	for (uint64_t s = 0; s < steps; s++) {
		unsigned int slot = rnd() % SLOTS, r = rnd() % 100;
		int fd;

		snprintf(path, sizeof(path), "%s/d%02u/f%05u", argv[1], slot % DIRS, slot);
		if (!size_of[slot]) {
			if (total > target)
				continue;
			size_of[slot] = draw_size();
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				die("create", path);
			put(fd, size_of[slot], path);
			total += size_of[slot];
			creates++;
		} else if (r < 30 || total > target) {
			if (unlink(path))
				die("unlink", path);
			total -= size_of[slot];
			size_of[slot] = 0;
			deletes++;
			continue;
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
		if (rnd() % 8 == 0 && fsync(fd))
			die("fsync", path);
		if (close(fd))
			die("close", path);
	}
	sync();
	printf("lb-churn: %" PRIu64 " creates, %" PRIu64 " rewrites, %" PRIu64 " appends, %" PRIu64 " deletes, %" PRIu64 " MiB live\n",
	       creates, rewrites, appends, deletes, total >> 20);
	return 0;
}
