/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlagentd's log: stderr (one line per message, with the time and the
 * level) or syslog(3) (facility LOG_DAEMON). Thread-safe: each message is
 * one write.
 */
#ifndef MLAG_LOG_H
#define MLAG_LOG_H

#include <syslog.h>

/* @target: enum mlag_log_target; @level: LOG_ERR .. LOG_DEBUG kept. */
void mlag_log_setup(int target, int level);
__attribute__((format(printf, 2, 3)))
void mlag_log(int level, const char *fmt, ...);

#endif /* MLAG_LOG_H */
