// SPDX-License-Identifier: GPL-2.0
/*
 * logblk-capture's other source: the logblk:logblk_event tracepoint, read
 * as text from trace_pipe of a private tracefs instance
 * (instances/logblk-capture-PID), so the global tracer is left alone. It
 * needs no ml_lib agent slot, and the standard tracing tools see the same
 * events.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture.h"

static const char *tracefs = "/sys/kernel/tracing";
static char inst[256];
static int fd = -1;
static char *buf;
static size_t blen;
#define BUF_SIZE	(1 << 20)

static int write_str(const char *dir, const char *name, const char *val)
{
	char path[512];
	int f, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = open(path, O_WRONLY | O_TRUNC);
	if (f < 0) {
		fprintf(stderr, "logblk-capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = write(f, val, strlen(val)) == (ssize_t)strlen(val);
	if (!ok)
		fprintf(stderr, "logblk-capture: %s: cannot write '%s': %s\n", path, val,
			strerror(errno));
	close(f);
	return ok ? 0 : -1;
}

/* Parse the complete lines of trace_pipe text; keep a partial last line. */
static int parse(void)
{
	char *p = buf, *nl;

	while ((nl = memchr(p, '\n', blen - (p - buf)))) {
		unsigned int op, arg, len;
		uint64_t seq, lba;
		char *e;

		*nl = 0;
		e = strstr(p, "logblk_event: ");
		if (e) {
			struct lbt_rec r = { 0 };

			if (sscanf(e, "logblk_event: seq=%" SCNu64 " op=%u arg=%u lba=%" SCNu64 " len=%u",
				   &seq, &op, &arg, &lba, &len) != 5 || op < LBT_WRITE ||
			    op > LBT_OP_MAX || arg > 255) {
				fprintf(stderr, "logblk-capture: cannot parse: %s\n", p);
				return -1;
			}
			r.op = (uint8_t)op;
			r.arg = (uint8_t)arg;
			r.lba = lba;
			r.len = len;
			if (cap_store(seq, &r))
				return -1;
		} else if (strstr(p, "LOST")) {
			fprintf(stderr, "logblk-capture: the trace buffer overflowed: %s\n", p);
			return -1;
		}
		p = nl + 1;
	}
	blen -= p - buf;
	memmove(buf, p, blen);
	return 0;
}

/* @arg: the trace buffer per CPU, in KiB. */
static int tracefs_open(const char *arg)
{
	char path[512];

	snprintf(inst, sizeof(inst), "%s/instances/logblk-capture-%d", tracefs, (int)getpid());
	if (mkdir(inst, 0700)) {
		fprintf(stderr, "logblk-capture: cannot create the tracefs instance %s: %s\n",
			inst, strerror(errno));
		inst[0] = 0;
		return -1;
	}
	if (write_str(inst, "buffer_size_kb", arg) ||
	    write_str(inst, "trace_clock", "global") ||
	    write_str(inst, "events/logblk/logblk_event/enable", "1"))
		return -1;
	snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	buf = malloc(BUF_SIZE);
	if (fd < 0 || !buf) {
		fprintf(stderr, "logblk-capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int tracefs_poll(int timeout_ms)
{
	for (;;) {
		ssize_t n = read(fd, buf + blen, BUF_SIZE - blen - 1);

		if (n > 0) {
			blen += n;
			if (parse())
				return -1;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			perror("logblk-capture: read trace_pipe");
			return -1;
		}
		break;
	}
	usleep(timeout_ms * 1000);
	return 0;
}

static int tracefs_close(void)
{
	if (fd >= 0)
		close(fd);
	fd = -1;
	free(buf);
	buf = NULL;
	if (inst[0]) {
		write_str(inst, "events/logblk/logblk_event/enable", "0");
		rmdir(inst);
		inst[0] = 0;
	}
	return 0;
}

const struct cap_source cap_tracefs = {
	.name = "tracefs",
	.open = tracefs_open,
	.poll = tracefs_poll,
	.close = tracefs_close,
};
