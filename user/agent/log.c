// SPDX-License-Identifier: GPL-2.0
/*
 * mlagentd's log (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "log.h"

static int log_target = MLAG_LOG_STDERR;
static int log_level = LOG_INFO;

void mlag_log_setup(int target, int level)
{
	if (target == MLAG_LOG_SYSLOG && log_target != MLAG_LOG_SYSLOG)
		openlog("mlagentd", LOG_PID, LOG_DAEMON);
	else if (target != MLAG_LOG_SYSLOG && log_target == MLAG_LOG_SYSLOG)
		closelog();
	log_target = target;
	log_level = level;
}

void mlag_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		[LOG_ERR] = "error", [LOG_WARNING] = "warning",
		[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};
	char msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_target == MLAG_LOG_SYSLOG) {
		syslog(level, "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	/* One fprintf: stdio locks the stream, lines do not interleave. */
	fprintf(stderr, "%02d:%02d:%02d.%03ld mlagentd %s: %s\n", tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		level >= LOG_ERR && level <= LOG_DEBUG && names[level] ? names[level] : "?",
		msg);
}
