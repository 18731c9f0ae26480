// SPDX-License-Identifier: GPL-2.0
/*
 * logblk-capture: record a logblk device's write/discard trace while a
 * command runs, from the logblk:logblk_event tracepoint, into a trace file
 * for logblk-replay. See logblk-capture(1).
 *
 * The device numbers its events under its lock (seq = 1, 2, ...), so the
 * capture sorts them by seq, whatever CPU buffer they came through, and
 * fails if any is missing. A trace is the device's whole history: the
 * capture must start on a freshly loaded device (no event yet).
 *
 * It uses a private tracefs instance (instances/logblk-capture-PID) so the
 * global tracer is left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lb_core.h"
#include "lb_trace.h"

static const char *sysfs = "/sys/block/logblk0/logblk";
static const char *tracefs = "/sys/kernel/tracing";
static char inst[256];
static struct lbt_rec *ev;	/* ev[seq - 1] */
static uint8_t *have;
static uint64_t cap, got, max_seq;

static int read_u64(const char *dir, const char *name, uint64_t *v)
{
	char path[512], buf[64];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "logblk-capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok || sscanf(buf, "%" SCNu64, v) != 1) {
		fprintf(stderr, "logblk-capture: %s: not a number\n", path);
		return -1;
	}
	return 0;
}

static int read_word(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, (int)len, f)) {
		fprintf(stderr, "logblk-capture: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int write_str(const char *dir, const char *name, const char *val)
{
	char path[512];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0) {
		fprintf(stderr, "logblk-capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	if (!ok)
		fprintf(stderr, "logblk-capture: %s: cannot write '%s': %s\n", path, val,
			strerror(errno));
	close(fd);
	return ok ? 0 : -1;
}

static int store(uint64_t seq, const struct lbt_rec *r)
{
	if (seq == 0) {
		fprintf(stderr, "logblk-capture: event with sequence number 0\n");
		return -1;
	}
	if (seq > cap) {
		uint64_t n = cap ? cap : 1 << 16;

		while (n < seq)
			n *= 2;
		ev = realloc(ev, n * sizeof(*ev));
		have = realloc(have, n);
		if (!ev || !have) {
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
	got++;
	if (seq > max_seq)
		max_seq = seq;
	return 0;
}

/* Parse complete lines of trace_pipe text; keep a partial last line. */
static int parse(char *buf, size_t *len)
{
	char *p = buf, *nl;

	while ((nl = memchr(p, '\n', *len - (p - buf)))) {
		unsigned int op, arg, l;
		uint64_t seq, lba;
		char *e;

		*nl = 0;
		e = strstr(p, "logblk_event: ");
		if (e) {
			struct lbt_rec r = { 0 };

			if (sscanf(e, "logblk_event: seq=%" SCNu64 " op=%u arg=%u lba=%" SCNu64 " len=%u",
				   &seq, &op, &arg, &lba, &l) != 5 || op < LBT_WRITE ||
			    op > LBT_MARK || arg > 255) {
				fprintf(stderr, "logblk-capture: cannot parse: %s\n", p);
				return -1;
			}
			r.op = (uint8_t)op;
			r.arg = (uint8_t)arg;
			r.lba = lba;
			r.len = l;
			if (store(seq, &r))
				return -1;
		} else if (strstr(p, "LOST") || strstr(p, "lost")) {
			fprintf(stderr, "logblk-capture: the trace buffer overflowed: %s\n", p);
			return -1;
		}
		p = nl + 1;
	}
	*len -= p - buf;
	memmove(buf, p, *len);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void cleanup(void)
{
	if (inst[0]) {
		write_str(inst, "events/logblk/logblk_event/enable", "0");
		rmdir(inst);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logblk-capture -o TRACE [options] -- COMMAND [ARG...]\n"
		"  -o, --output TRACE   the trace file to write\n"
		"  -s, --sysfs DIR      the device's sysfs directory (%s)\n"
		"  -t, --tracefs DIR    where tracefs is mounted (%s)\n"
		"  -b, --buffer-kb KB   trace buffer per CPU (default 65536)\n"
		"Runs COMMAND, then writes every event the device emitted from its load\n"
		"up to when COMMAND ended. Exit status: COMMAND's, or 1 if the capture\n"
		"is incomplete.\n", sysfs, tracefs);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", 1, NULL, 'o' }, { "sysfs", 1, NULL, 's' },
		{ "tracefs", 1, NULL, 't' }, { "buffer-kb", 1, NULL, 'b' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *buffer_kb = "65536";
	uint64_t events, nr_lblocks, seg_blocks, nr_segs;
	char place[32], victim[32], pipe_path[512], *buf;
	size_t blen = 0, bcap = 1 << 20;
	int c, fd, status, rc = 0, place_i, victim_i;
	struct lbt_writer w;
	struct lbt_header h;
	double idle_since;
	uint64_t prefix = 0;
	pid_t child;

	while ((c = getopt_long(argc, argv, "+o:s:t:b:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': sysfs = optarg; break;
		case 't': tracefs = optarg; break;
		case 'b': buffer_kb = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!out || optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (read_u64(sysfs, "events", &events) || read_u64(sysfs, "nr_lblocks", &nr_lblocks) ||
	    read_u64(sysfs, "seg_blocks", &seg_blocks) || read_u64(sysfs, "nr_segs", &nr_segs) ||
	    read_word(sysfs, "placement", place, sizeof(place)) ||
	    read_word(sysfs, "victim", victim, sizeof(victim)))
		return 1;
	if (events) {
		fprintf(stderr, "logblk-capture: the device has seen %" PRIu64 " events already; a trace must start from a freshly loaded device\n",
			events);
		return 1;
	}
	place_i = lb_parse_place(place, strlen(place));
	victim_i = lb_parse_victim(victim, strlen(victim));
	if (place_i < 0 || victim_i < 0) {
		fprintf(stderr, "logblk-capture: unknown policy %s/%s\n", place, victim);
		return 1;
	}
	snprintf(inst, sizeof(inst), "%s/instances/logblk-capture-%d", tracefs, (int)getpid());
	if (mkdir(inst, 0700)) {
		fprintf(stderr, "logblk-capture: cannot create the tracefs instance %s: %s\n",
			inst, strerror(errno));
		inst[0] = 0;
		return 1;
	}
	atexit(cleanup);
	if (write_str(inst, "buffer_size_kb", buffer_kb) ||
	    write_str(inst, "trace_clock", "global") ||
	    write_str(inst, "events/logblk/logblk_event/enable", "1"))
		return 1;
	snprintf(pipe_path, sizeof(pipe_path), "%s/trace_pipe", inst);
	fd = open(pipe_path, O_RDONLY | O_NONBLOCK);
	buf = malloc(bcap);
	if (fd < 0 || !buf) {
		fprintf(stderr, "logblk-capture: %s: %s\n", pipe_path, strerror(errno));
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("logblk-capture: fork");
		return 1;
	}
	if (child == 0) {
		close(fd);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "logblk-capture: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	status = -1;
	idle_since = now_s();
	for (;;) {
		ssize_t n = read(fd, buf + blen, bcap - blen - 1);

		if (n > 0) {
			blen += n;
			if (parse(buf, &blen)) {
				rc = 1;
				break;
			}
			idle_since = now_s();
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			perror("logblk-capture: read trace_pipe");
			rc = 1;
			break;
		}
		if (status == -1 && waitpid(child, &status, WNOHANG) == child) {
			/* The command is done: everything up to now must arrive. */
			if (read_u64(sysfs, "events", &events)) {
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
			fprintf(stderr, "logblk-capture: %" PRIu64 " of %" PRIu64 " events arrived; the rest were lost (raise --buffer-kb)\n",
				prefix, events);
			rc = 1;
			break;
		}
		usleep(20000);
	}
	if (status == -1) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	close(fd);
	for (uint64_t s = 0; !rc && s < events; s++) {
		if (!have[s]) {
			fprintf(stderr, "logblk-capture: event %" PRIu64 " is missing\n", s + 1);
			rc = 1;
		}
	}
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
			fprintf(stderr, "logblk-capture: %" PRIu64 " events to %s\n", events, out);
	}
	free(buf);
	free(ev);
	free(have);
	if (rc)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
