/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlctl's command line: parsing into struct ctl_args, and the help texts.
 * Pure functions (no I/O but the FILE given), covered by host unit tests.
 */
#ifndef CTL_ARGS_H
#define CTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses. */
#define CTL_EXIT_OK	0
#define CTL_EXIT_FAIL	1	/* the command could not be carried out */
#define CTL_EXIT_USAGE	2	/* the command line is wrong */

enum ctl_cmd {
	CTL_NONE = 0,
	CTL_LIST,
	CTL_STATUS,
	CTL_MODE,
	CTL_WATCH,
	CTL_SAMPLES,
	CTL_START,
	CTL_STOP,
	CTL_REINIT,
	CTL_HELP,
	CTL_CMD_COUNT,
};

#define CTL_DEFAULT_INTERVAL_MS	1000u

struct ctl_args {
	enum ctl_cmd cmd;
	const char *device;		/* --device, NULL = /dev/ml_lib */
	const char *proxy;		/* PROXY: id, SUBSYSTEM/NAME or NAME */
	unsigned int mode;		/* mode: enum ml_lib_mode or ML_LIB_MODE_AUTO */
	bool help;			/* --help: print the help of @cmd */
	bool version;			/* --version */
	bool json;			/* list, status: --json */
	bool csv;			/* samples: --csv */
	unsigned long count;		/* watch, samples: --count; 0 = until stopped */
	unsigned int interval_ms;	/* watch: --interval */
	int timeout_ms;			/* samples: --timeout; -1 = none */
};

/*
 * Parse @argv. 0 on success; CTL_EXIT_USAGE with a one-line explanation in
 * @err (without the program name) otherwise.
 */
int ctl_parse(int argc, char *const argv[], struct ctl_args *a, char *err,
	      size_t errlen);

/* The name of @cmd as typed ("status"), or NULL. */
const char *ctl_cmd_name(enum ctl_cmd cmd);

/* Print the help of @cmd (CTL_NONE: the overview). */
void ctl_help(FILE *f, enum ctl_cmd cmd);

#endif /* CTL_ARGS_H */
