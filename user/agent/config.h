/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlagentd's configuration: an INI file (read with libinih) and
 * command-line overrides.
 *
 *	[agent]
 *	store = /var/lib/mlagent/store.db
 *	log = stderr | syslog
 *	log_level = error | warning | info | debug
 *	discover_ms = 2000 ...		(agent options, mlag_agent_params)
 *
 *	[proxy SUBSYSTEM/NAME]		(or [proxy NAME]: one section per proxy)
 *	learner = contextual		(a built-in learner, learners.c)
 *	heartbeat_ms = 1000 ...		(proxy options, mlag_proxy_params)
 *	grid = 9 ...			(the learner's parameters)
 *
 * Entries are collected first and resolved by mlag_config_finish(), so a
 * later entry (a later line, a command-line override) wins, and a
 * learner's parameters may come before the `learner =` line. Errors name
 * their origin ("FILE:LINE" or "command line").
 */
#ifndef MLAG_CONFIG_H
#define MLAG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "learner.h"
#include "params.h"

#define MLAG_DEFAULT_CONFIG	"/etc/mlagent/mlagent.conf"
#define MLAG_DEFAULT_STORE	"/var/lib/mlagent/store.db"
#define MLAG_SPEC_LEN		(2 * ML_LIB_NAME_LEN)
#define MLAG_MAX_LPARAMS	32

enum mlag_agent_opt {
	MLAG_A_DISCOVER_MS,
	MLAG_A_COMMIT_MS,
	MLAG_A_COMMIT_RECORDS,
	MLAG_A_RETENTION,
	MLAG_A_REPORT_MS,
	MLAG_A_COUNT
};

enum mlag_proxy_opt {
	MLAG_P_HEARTBEAT_MS,
	MLAG_P_PUSH_MIN_MS,
	MLAG_P_PUSH_MAX_MS,
	MLAG_P_TABLE_TTL_MS,
	MLAG_P_TRAIN_MS,
	MLAG_P_RETRAIN_MS,
	MLAG_P_HALF_LIFE,
	MLAG_P_HELDOUT_PERMILLE,
	MLAG_P_HELDOUT_MAX,
	MLAG_P_DEPLOY_MARGIN,
	MLAG_P_DEPLOY_Z,
	MLAG_P_MIN_SUPPORT,
	MLAG_P_FORGET,
	MLAG_P_SAMPLE_RECORDS,
	MLAG_P_FEEDBACK_RECORDS,
	MLAG_P_WAKEUP_MS,
	MLAG_P_SEED,
	MLAG_P_STORE_PERMILLE,
	MLAG_P_COUNT
};

extern const struct mlag_param mlag_agent_params[MLAG_A_COUNT];
extern const struct mlag_param mlag_proxy_params[MLAG_P_COUNT];

enum mlag_log_target {
	MLAG_LOG_STDERR,
	MLAG_LOG_SYSLOG,
};

struct mlag_proxy_conf {
	char spec[MLAG_SPEC_LEN];		/* SUBSYSTEM/NAME or NAME */
	const struct mlag_learner *learner;
	double opt[MLAG_P_COUNT];		/* by enum mlag_proxy_opt */
	double lparam[MLAG_MAX_LPARAMS];	/* by index in learner->params */
};

struct mlag_conf_entry {
	char *section;
	char *key;
	char *value;
	char *origin;
};

struct mlag_config {
	/* resolved by mlag_config_finish() */
	char *store;
	int log_target;			/* enum mlag_log_target */
	int log_level;			/* LOG_ERR .. LOG_DEBUG */
	double agent[MLAG_A_COUNT];
	struct mlag_proxy_conf *proxies;
	unsigned int nr_proxies;
	/* collected */
	struct mlag_conf_entry *entries;
	size_t nr_entries, cap_entries;
};

void mlag_config_init(struct mlag_config *cfg);
void mlag_config_free(struct mlag_config *cfg);

/*
 * Collect the entries of the INI file @path. -ENOENT when it does not
 * exist; -EINVAL on a syntax error, with "FILE:LINE: ..." in @err.
 */
int mlag_config_load(struct mlag_config *cfg, const char *path, char *err,
		     size_t errlen);
/* Collect entries from a string (tests, and -o overrides). */
int mlag_config_load_string(struct mlag_config *cfg, const char *text,
			    const char *origin, char *err, size_t errlen);
/*
 * A command-line override: "KEY=VALUE" for the [agent] section, or
 * "SPEC:KEY=VALUE" for [proxy SPEC] (creating the section).
 */
int mlag_config_override(struct mlag_config *cfg, const char *text, char *err,
			 size_t errlen);
/* Add a [proxy SPEC] section (-p on the command line). */
int mlag_config_add_proxy(struct mlag_config *cfg, const char *spec, char *err,
			  size_t errlen);
/*
 * Resolve and check every entry. -EINVAL (unknown section or key, bad
 * value, bad proxy name) or -ERANGE, with the origin in @err.
 */
int mlag_config_finish(struct mlag_config *cfg, char *err, size_t errlen);

/* Print the resolved configuration as an INI file (mlagentd --check). */
void mlag_config_print(const struct mlag_config *cfg, FILE *f);
/* Two resolved proxy sections are the same configuration. */
bool mlag_proxy_conf_equal(const struct mlag_proxy_conf *a,
			   const struct mlag_proxy_conf *b);
/* Is @spec a valid proxy name (SUBSYSTEM/NAME or NAME)? */
bool mlag_spec_valid(const char *spec);

#endif /* MLAG_CONFIG_H */
