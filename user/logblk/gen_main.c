// SPDX-License-Identifier: GPL-2.0
/*
 * logblk-gen: synthetic block workloads for logblk, written to a block
 * device (O_DIRECT) and/or to a trace file, with optional verification of
 * every block. See logblk-gen(1).
 *
 * Why not only fio: the workloads reproduce the GC simulator gcsim
 * (docs/logblk.md, "Origin") draw for draw (splitmix64, the same
 * permutation, zipf over a random permutation of blocks, hot sets
 * scattered at random and re-drawn every period for the shifting
 * hotspot), so the device, the replayer and the simulator can be compared
 * on identical block sequences. fio rejects zipf theta 1.0, its zoned
 * distributions put hot sets in contiguous ranges, and it cannot move a
 * scattered hot set over time.
 *
 * Phases: a sequential warm-up writes every block once (requests of
 * --warm-bs blocks), then --random N-multiples of single-block writes (or
 * discards, --discard). A MARK record is put before the last --measure
 * N-multiples, where the measured window starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "ml_rand.h"
#include "lb_trace.h"

#define BS		LBT_BLOCK_SIZE
#define BLK_MAGIC	0x4b4c424e45474c42ULL	/* "BLGENLBK" */
#define VER_DISCARDED	UINT32_MAX

enum wl { WL_UNIFORM, WL_ZIPF, WL_HOTCOLD, WL_SHIFT };

static struct {
	enum wl wl;
	double theta, wfrac, hfrac;
	uint32_t n;
	double random_x, measure_x, period_x;
	uint32_t warm_bs, seg_blocks, nr_segs, discard_pct, discard_max;
	uint64_t seed;
	const char *dev, *trace, *mark_file;
	bool verify;
	double rate;		/* blocks written per second at most; 0: no limit */
} o = {
	.random_x = 4, .measure_x = 2, .period_x = 2, .warm_bs = 64,
	.seg_blocks = 256, .discard_max = 16, .seed = 12345,
};

static u64 rs;	/* splitmix64, as the GC simulator: same seed, same draws */
static uint64_t rnd(void)
{
	return ml_rand_splitmix64(&rs);
}

static double ur(void)
{
	return (rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static void shuffle(uint32_t *p, uint32_t n)
{
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = rnd() % (i + 1), x = p[i];

		p[i] = p[j];
		p[j] = x;
	}
}

static int fd = -1;
static struct lbt_writer tw;
static uint32_t *ver;		/* last version written per block (--verify) */
static uint64_t version;	/* global write counter: unique versions */
static uint8_t *buf;

/* Block contents: a header naming (lba, version, seed), then a stream. */
static void fill_block(uint8_t *b, uint64_t lba, uint64_t v)
{
	uint64_t *w = (uint64_t *)b, x = (lba * 0x9E3779B97F4A7C15ULL) ^ (v << 20) ^ o.seed;

	w[0] = BLK_MAGIC;
	w[1] = lba;
	w[2] = v;
	w[3] = o.seed;
	for (size_t i = 4; i < BS / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

static void die(const char *what)
{
	fprintf(stderr, "logblk-gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --rate: sleep until @blocks blocks are due. */
static void pace(uint64_t blocks)
{
	static struct timespec start;
	struct timespec now, ts;
	double due, el;

	if (!o.rate)
		return;
	if (!start.tv_sec && !start.tv_nsec)
		clock_gettime(CLOCK_MONOTONIC, &start);
	clock_gettime(CLOCK_MONOTONIC, &now);
	due = blocks / o.rate;
	el = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
	if (el >= due)
		return;
	ts.tv_sec = (time_t)(due - el);
	ts.tv_nsec = (long)((due - el - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static void do_write(uint64_t lba, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		uint64_t v = ++version;

		if (ver)
			ver[lba + i] = (uint32_t)v;
		if (fd >= 0)
			fill_block(buf + (size_t)i * BS, lba + i, v);
	}
	if (fd >= 0 && pwrite(fd, buf, (size_t)len * BS, (off_t)(lba * BS)) != (ssize_t)len * BS)
		die("write");
	if (o.trace && lbt_put(&tw, LBT_WRITE, 0, lba, len))
		die("trace write");
	if (o.rate && version % 64 < len)
		pace(version);
}

static void do_discard(uint64_t lba, uint32_t len)
{
	uint64_t range[2] = { lba * BS, (uint64_t)len * BS };

	if (fd >= 0 && ioctl(fd, BLKDISCARD, range))
		die("discard");
	if (ver)
		for (uint32_t i = 0; i < len; i++)
			ver[lba + i] = VER_DISCARDED;
	if (o.trace && lbt_put(&tw, LBT_DISCARD, 0, lba, len))
		die("trace write");
}

/* The measured window starts: in the trace, and on the device (sysfs). */
static void put_mark(void)
{
	if (o.trace && lbt_put(&tw, LBT_MARK, 0, 0, 0))
		die("trace write");
	if (o.mark_file) {
		FILE *f = fopen(o.mark_file, "w");

		if (!f || fputs("1\n", f) < 0 || fclose(f))
			die(o.mark_file);
	}
}

/* Read every block back: the last version written, or zeros. */
static int verify_all(void)
{
	uint64_t bad = 0, zeros = 0, data = 0;
	uint32_t chunk = 256;
	uint8_t *want = aligned_alloc(BS, BS);

	if (!want)
		die("memory");
	for (uint64_t lba = 0; lba < o.n; lba += chunk) {
		uint32_t len = o.n - lba < chunk ? (uint32_t)(o.n - lba) : chunk;

		if (pread(fd, buf, (size_t)len * BS, (off_t)(lba * BS)) != (ssize_t)len * BS)
			die("read");
		for (uint32_t i = 0; i < len; i++) {
			const uint8_t *got = buf + (size_t)i * BS;
			uint32_t v = ver[lba + i];

			if (v == 0 || v == VER_DISCARDED) {
				memset(want, 0, BS);
				zeros++;
			} else {
				fill_block(want, lba + i, v);
				data++;
			}
			if (memcmp(got, want, BS)) {
				if (bad < 10)
					fprintf(stderr, "logblk-gen: block %" PRIu64 ": wrong data (expected %s, version %u; found version %" PRIu64 ")\n",
						lba + i, v == 0 || v == VER_DISCARDED ? "zeros" : "data",
						v, ((const uint64_t *)got)[2]);
				bad++;
			}
		}
	}
	free(want);
	printf("verify: %" PRIu64 " blocks with data, %" PRIu64 " zero blocks, %" PRIu64 " bad\n",
	       data, zeros, bad);
	return bad ? 1 : 0;
}

static int parse_wl(const char *s)
{
	double a, b;

	if (!strcmp(s, "uniform")) {
		o.wl = WL_UNIFORM;
	} else if (sscanf(s, "zipf:%lf", &a) == 1 && a > 0 && a < 10) {
		o.wl = WL_ZIPF;
		o.theta = a;
	} else if ((sscanf(s, "hotcold:%lf/%lf", &a, &b) == 2 ||
		    sscanf(s, "shift:%lf/%lf", &a, &b) == 2) && a > 0 && a < 100 &&
		   b > 0 && b < 100) {
		o.wl = s[0] == 'h' ? WL_HOTCOLD : WL_SHIFT;
		o.wfrac = a / 100;
		o.hfrac = b / 100;
	} else {
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logblk-gen -w WORKLOAD [options]\n"
		"  -w, --workload W   uniform | zipf:THETA | hotcold:W/H | shift:W/H\n"
		"                     (W%% of writes go to a scattered H%% of the blocks; shift\n"
		"                     re-draws the hot set every --period)\n"
		"  -d, --dev PATH     block device to write (O_DIRECT); its size sets N\n"
		"  -t, --trace PATH   write the request trace (logblk trace format)\n"
		"  -b, --blocks N     logical blocks (needed without --dev)\n"
		"  -r, --random X     random single-block writes: X times N (default 4)\n"
		"  -m, --measure X    mark the last X times N writes as the window (default 2)\n"
		"  -P, --period X     shift: the hot set moves every X times N writes (default 2)\n"
		"  -W, --warm-bs B    warm-up request size in blocks; 0 = no warm-up (default 64)\n"
		"  -D, --discard PCT  PCT%% of random requests discard 1..--discard-max blocks\n"
		"  -M, --discard-max B\n"
		"  -S, --seg-blocks B, -G, --nr-segs S   device geometry for the trace header\n"
		"  -s, --seed S       (default 12345)\n"
		"  -k, --mark-file F  write 1 to F (the device's sysfs mark) where the window starts\n"
		"  -v, --verify       read every block back at the end and check it\n"
		"  -R, --rate K       write at most K thousand blocks a second (default: no limit)\n");
}

static double parse_x(const char *s, const char *what)
{
	char *end;
	double x = strtod(s, &end);

	if (*end || !(x >= 0) || x > 1000) {
		fprintf(stderr, "logblk-gen: bad %s '%s'\n", what, s);
		exit(2);
	}
	return x;
}

static uint32_t parse_u32(const char *s, const char *what)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 0);

	if (*end || !*s || x > UINT32_MAX) {
		fprintf(stderr, "logblk-gen: bad %s '%s'\n", what, s);
		exit(2);
	}
	return (uint32_t)x;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "workload", 1, NULL, 'w' }, { "dev", 1, NULL, 'd' },
		{ "trace", 1, NULL, 't' }, { "blocks", 1, NULL, 'b' },
		{ "random", 1, NULL, 'r' }, { "measure", 1, NULL, 'm' },
		{ "period", 1, NULL, 'P' }, { "warm-bs", 1, NULL, 'W' },
		{ "discard", 1, NULL, 'D' }, { "discard-max", 1, NULL, 'M' },
		{ "seg-blocks", 1, NULL, 'S' }, { "nr-segs", 1, NULL, 'G' },
		{ "seed", 1, NULL, 's' }, { "verify", 0, NULL, 'v' },
		{ "mark-file", 1, NULL, 'k' }, { "rate", 1, NULL, 'R' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	bool have_wl = false;
	uint32_t *perm, hot = 0;
	double *cdf = NULL;
	uint64_t nrand, mark_at, period, t;
	struct timespec t_start, t_end;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "w:d:t:b:r:m:P:W:D:M:S:G:s:k:R:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (parse_wl(optarg)) {
				fprintf(stderr, "logblk-gen: unknown workload '%s'\n", optarg);
				return 2;
			}
			have_wl = true;
			break;
		case 'd': o.dev = optarg; break;
		case 't': o.trace = optarg; break;
		case 'b': o.n = parse_u32(optarg, "--blocks"); break;
		case 'r': o.random_x = parse_x(optarg, "--random"); break;
		case 'm': o.measure_x = parse_x(optarg, "--measure"); break;
		case 'P': o.period_x = parse_x(optarg, "--period"); break;
		case 'W': o.warm_bs = parse_u32(optarg, "--warm-bs"); break;
		case 'D': o.discard_pct = parse_u32(optarg, "--discard"); break;
		case 'M': o.discard_max = parse_u32(optarg, "--discard-max"); break;
		case 'S': o.seg_blocks = parse_u32(optarg, "--seg-blocks"); break;
		case 'G': o.nr_segs = parse_u32(optarg, "--nr-segs"); break;
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'v': o.verify = true; break;
		case 'k': o.mark_file = optarg; break;
		case 'R': o.rate = parse_x(optarg, "--rate") * 1000; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!have_wl || optind != argc || (!o.dev && !o.trace) || (o.verify && !o.dev) ||
	    o.discard_pct > 100 || !o.discard_max || o.warm_bs > 1024 ||
	    o.measure_x > o.random_x || o.period_x <= 0) {
		usage(stderr);
		return 2;
	}
	if (o.dev) {
		uint64_t bytes;

		fd = open(o.dev, O_RDWR | O_DIRECT);
		if (fd < 0)
			die(o.dev);
		if (ioctl(fd, BLKGETSIZE64, &bytes))
			die("BLKGETSIZE64");
		if (o.n && o.n > bytes / BS) {
			fprintf(stderr, "logblk-gen: --blocks %u exceeds the device (%" PRIu64 " blocks)\n",
				o.n, bytes / BS);
			return 2;
		}
		if (!o.n)
			o.n = (uint32_t)(bytes / BS);
	}
	if (o.n < 16) {
		fprintf(stderr, "logblk-gen: need at least 16 blocks (--blocks or --dev)\n");
		return 2;
	}
	rs = o.seed;
	buf = aligned_alloc(BS, (size_t)(o.warm_bs > 256 ? o.warm_bs : 256) * BS);
	perm = malloc((size_t)o.n * sizeof(*perm));
	if (!buf || !perm)
		die("memory");
	if (o.verify) {
		ver = calloc(o.n, sizeof(*ver));
		if (!ver)
			die("memory");
	}
	if (o.trace) {
		struct lbt_header h;

		lbt_header_init(&h, o.n, o.seg_blocks, o.nr_segs, 0, 0);
		if (lbt_open_write(&tw, o.trace, &h))
			return 1;
	}
	for (uint32_t i = 0; i < o.n; i++)
		perm[i] = i;
	shuffle(perm, o.n);
	if (o.wl == WL_ZIPF) {
		double s = 0;

		cdf = malloc((size_t)o.n * sizeof(*cdf));
		if (!cdf)
			die("memory");
		for (uint32_t i = 0; i < o.n; i++) {
			s += pow(i + 1, -o.theta);
			cdf[i] = s;
		}
		for (uint32_t i = 0; i < o.n; i++)
			cdf[i] /= s;
	}
	if (o.wl == WL_HOTCOLD || o.wl == WL_SHIFT) {
		hot = (uint32_t)(o.n * o.hfrac);
		if (hot == 0 || hot >= o.n) {
			fprintf(stderr, "logblk-gen: the hot set is empty or everything\n");
			return 2;
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t_start);
	for (uint64_t lba = 0; o.warm_bs && lba < o.n; lba += o.warm_bs)
		do_write(lba, o.n - lba < o.warm_bs ? (uint32_t)(o.n - lba) : o.warm_bs);

	nrand = (uint64_t)(o.random_x * o.n);
	mark_at = nrand - (uint64_t)(o.measure_x * o.n);
	period = (uint64_t)(o.period_x * o.n);
	for (t = 0; t < nrand; t++) {
		uint32_t b;

		if (t == mark_at)
			put_mark();
		if (o.wl == WL_UNIFORM) {
			b = rnd() % o.n;
		} else if (o.wl == WL_ZIPF) {
			double u = ur();
			uint32_t lo = 0, hi = o.n - 1;

			while (lo < hi) {
				uint32_t m = (lo + hi) / 2;

				if (cdf[m] < u)
					lo = m + 1;
				else
					hi = m;
			}
			b = perm[lo];
		} else {
			if (o.wl == WL_SHIFT && t > 0 && t % period == 0)
				shuffle(perm, o.n);	/* the hotspot moves */
			b = ur() < o.wfrac ? perm[rnd() % hot] : perm[hot + rnd() % (o.n - hot)];
		}
		if (o.discard_pct && rnd() % 100 < o.discard_pct) {
			uint32_t len = 1 + (uint32_t)(rnd() % o.discard_max);

			if (len > o.n - b)
				len = o.n - b;
			do_discard(b, len);
		} else {
			do_write(b, 1);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	{
		double secs = (t_end.tv_sec - t_start.tv_sec) + (t_end.tv_nsec - t_start.tv_nsec) / 1e9;

		printf("written: %" PRIu64 " blocks in %.3f s, %.0f blocks/s\n", version, secs,
		       secs > 0 ? version / secs : 0);
	}
	if (o.trace && lbt_close_write(&tw)) {
		fprintf(stderr, "logblk-gen: %s: write failed\n", o.trace);
		rc = 1;
	}
	if (o.verify && verify_all())
		rc = 1;
	if (fd >= 0 && close(fd))
		die("close");
	free(cdf);
	free(perm);
	free(ver);
	free(buf);
	return rc;
}
