// SPDX-License-Identifier: GPL-2.0
/*
 * logblk-capture: record a logblk device's write/discard trace while a
 * command runs, into a trace file for logblk-replay. See
 * logblk-capture(1).
 *
 * The device numbers its events under its lock (1, 2, ...), so the capture
 * orders them by number, whatever per-CPU ring or buffer they came
 * through, and fails if any is missing. A trace is the device's whole
 * history: the capture must start on a freshly loaded device. The events
 * come from the logblk/trace ml_lib proxy (capture_mllib.c) or from the
 * logblk:logblk_event tracepoint (capture_tracefs.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "lb_core.h"

static const char *sysfs = "/sys/block/logblk0/logblk";
static struct lbt_rec *ev;	/* ev[seq - 1] */
static uint8_t *have;
static uint64_t cap, max_seq;

int cap_store(uint64_t seq, const struct lbt_rec *r)
{
	if (seq == 0 || seq > (1ULL << 40)) {
		fprintf(stderr, "logblk-capture: event with sequence number %" PRIu64 "\n", seq);
		return -1;
	}
	if (seq > cap) {
		uint64_t n = cap ? cap : 1 << 16;
		struct lbt_rec *nev;
		uint8_t *nhave;

		while (n < seq)
			n *= 2;
		nev = realloc(ev, n * sizeof(*ev));
		if (nev)
			ev = nev;
		nhave = realloc(have, n);
		if (nhave)
			have = nhave;
		if (!nev || !nhave) {
			fprintf(stderr, "logblk-capture: out of memory\n");
			return -1;
		}
		memset(have + cap, 0, n - cap);
		cap = n;
	}
	if (have[seq - 1]) {
		fprintf(stderr, "logblk-capture: event %" PRIu64 " seen twice\n", seq);
		return -1;
	}
	ev[seq - 1] = *r;
	have[seq - 1] = 1;
	if (seq > max_seq)
		max_seq = seq;
	return 0;
}

static int read_sysfs(const char *name, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", sysfs, name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "logblk-capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok) {
		fprintf(stderr, "logblk-capture: %s: empty\n", path);
		return -1;
	}
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int read_u64(const char *name, uint64_t *v)
{
	char buf[64], *end;

	if (read_sysfs(name, buf, sizeof(buf)))
		return -1;
	*v = strtoull(buf, &end, 10);
	if (*end || !buf[0]) {
		fprintf(stderr, "logblk-capture: %s/%s: not a number\n", sysfs, name);
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logblk-capture -o TRACE [options] -- COMMAND [ARG...]\n"
		"  -o, --output TRACE   the trace file to write\n"
		"  -s, --sysfs DIR      the device's sysfs directory (%s)\n"
		"  -T, --tracefs        read the logblk:logblk_event tracepoint instead of\n"
		"                       the logblk/trace ml_lib proxy\n"
		"  -r, --ring N         ml_lib: slots per per-CPU sample ring (262144)\n"
		"  -b, --buffer-kb KB   tracefs: trace buffer per CPU (65536)\n"
		"Runs COMMAND, then writes every event the device emitted from its load\n"
		"up to when COMMAND ended. Exit status: COMMAND's, or 1 if the capture\n"
		"is incomplete.\n", sysfs);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", 1, NULL, 'o' }, { "sysfs", 1, NULL, 's' },
		{ "tracefs", 0, NULL, 'T' }, { "ring", 1, NULL, 'r' },
		{ "buffer-kb", 1, NULL, 'b' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cap_source *src = &cap_mllib;
	const char *out = NULL, *ring = "262144", *buffer_kb = "65536";
	uint64_t events, nr_lblocks, seg_blocks, nr_segs, prefix = 0;
	char place[32], victim[32];
	int c, status = -1, rc = 0, place_i, victim_i;
	struct lbt_writer w;
	struct lbt_header h;
	double idle_since;
	pid_t child;

	while ((c = getopt_long(argc, argv, "+o:s:Tr:b:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': sysfs = optarg; break;
		case 'T': src = &cap_tracefs; break;
		case 'r': ring = optarg; break;
		case 'b': buffer_kb = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!out || optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (read_u64("nr_lblocks", &nr_lblocks) || read_u64("seg_blocks", &seg_blocks) ||
	    read_u64("nr_segs", &nr_segs) || read_sysfs("placement", place, sizeof(place)) ||
	    read_sysfs("victim", victim, sizeof(victim)))
		return 1;
	place_i = lb_parse_place(place, strlen(place));
	victim_i = lb_parse_victim(victim, strlen(victim));
	if (place_i < 0 || victim_i < 0) {
		fprintf(stderr, "logblk-capture: unknown policy %s/%s\n", place, victim);
		return 1;
	}
	if (src->open(src == &cap_mllib ? ring : buffer_kb)) {
		src->close();
		return 1;
	}
	/* Listening now: nothing may have happened before. */
	if (read_u64("events", &events)) {
		src->close();
		return 1;
	}
	if (events) {
		fprintf(stderr, "logblk-capture: the device has seen %" PRIu64 " events already; a trace must start from a freshly loaded device\n",
			events);
		src->close();
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("logblk-capture: fork");
		src->close();
		return 1;
	}
	if (child == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "logblk-capture: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	idle_since = now_s();
	for (;;) {
		uint64_t before = max_seq;

		if (src->poll(20)) {
			rc = 1;
			break;
		}
		if (max_seq != before)
			idle_since = now_s();
		if (status == -1 && waitpid(child, &status, WNOHANG) == child) {
			/* The command is done: every event up to now must arrive. */
			if (read_u64("events", &events)) {
				rc = 1;
				break;
			}
			idle_since = now_s();
		}
		while (prefix < max_seq && have[prefix])
			prefix++;
		if (status != -1 && prefix >= events)
			break;
		if (status != -1 && now_s() - idle_since > 10) {
			fprintf(stderr, "logblk-capture: %" PRIu64 " of %" PRIu64 " events arrived in order; the rest were lost\n",
				prefix, events);
			rc = 1;
			break;
		}
	}
	if (status == -1) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	if (src->close())
		rc = 1;
	if (!rc) {
		lbt_header_init(&h, (uint32_t)nr_lblocks, (uint32_t)seg_blocks,
				(uint32_t)nr_segs, (uint8_t)place_i, (uint8_t)victim_i);
		rc = lbt_open_write(&w, out, &h) ? 1 : 0;
		for (uint64_t s = 0; !rc && s < events; s++)
			if (lbt_put(&w, ev[s].op, ev[s].arg, ev[s].lba, ev[s].len))
				rc = 1;
		if (!rc && lbt_close_write(&w))
			rc = 1;
		if (rc)
			fprintf(stderr, "logblk-capture: %s: write failed\n", out);
		else
			fprintf(stderr, "logblk-capture: %" PRIu64 " events from %s to %s\n",
				events, src->name, out);
	}
	free(ev);
	free(have);
	if (rc)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
