// SPDX-License-Identifier: GPL-2.0
/*
 * mlctl's command line. Hand-written rather than getopt_long(): every
 * command has its own few options and positional arguments, the parser must
 * be pure (no global state) for the unit tests, and its messages must name
 * the command they belong to.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "mlagent.h"
#include "ctl_args.h"

/* Options a command accepts. */
#define OPT_JSON	(1u << 0)
#define OPT_CSV		(1u << 1)
#define OPT_COUNT	(1u << 2)
#define OPT_INTERVAL	(1u << 3)
#define OPT_TIMEOUT	(1u << 4)

struct cmd_desc {
	const char *name;
	unsigned int opts;
	int min_args, max_args;	/* positional arguments */
	const char *usage;
	const char *help;
};

static const struct cmd_desc cmds[CTL_CMD_COUNT] = {
	[CTL_LIST] = { "list", OPT_JSON, 0, 0, "list [--json]",
		"List the proxies: id, SUBSYSTEM/NAME, mode and state.\n"
		"\n"
		"  --json   one JSON array of objects\n" },
	[CTL_STATUS] = { "status", OPT_JSON, 0, 1, "status [PROXY] [--json]",
		"Show the status of PROXY: mode and the reason of the last change,\n"
		"ML share, efficiency (ML cost / default cost), agent, table and\n"
		"model versions, counters and per-arm statistics. Without PROXY,\n"
		"one line per proxy.\n"
		"\n"
		"  --json   JSON: an object for PROXY, else an array of objects\n" },
	[CTL_MODE] = { "mode", 0, 2, 2, "mode PROXY MODE",
		"Pin the mode of PROXY, or give it back to the mode controller.\n"
		"MODE is emergency, learning, collaboration, recommendation or auto.\n"
		"Needs CAP_SYS_ADMIN.\n" },
	[CTL_WATCH] = { "watch", OPT_COUNT | OPT_INTERVAL, 1, 1,
		"watch PROXY [--interval MS] [--count N]",
		"Show the status of PROXY every MS milliseconds (default 1000) with\n"
		"the rates of its counters, until interrupted (Ctrl-C) or N views.\n"
		"On a terminal the view is redrawn in place; otherwise the views\n"
		"follow each other, separated by an empty line.\n"
		"\n"
		"  --interval MS   time between two views, 10 .. 3600000\n"
		"  --count N       stop after N views\n" },
	[CTL_SAMPLES] = { "samples", OPT_CSV | OPT_COUNT | OPT_TIMEOUT, 1, 1,
		"samples PROXY [--csv] [--count N] [--timeout MS]",
		"Attach to PROXY as its agent and print the samples it publishes,\n"
		"under a header made from its schema, until interrupted (Ctrl-C),\n"
		"N samples or MS milliseconds. Only one agent may attach to a\n"
		"proxy: this fails when an agent (mlagentd) holds it. While\n"
		"attached, the proxy runs as with any agent (learning mode, no\n"
		"recommendations: the default algorithm decides). Needs root.\n"
		"\n"
		"  --csv          comma-separated values\n"
		"  --count N      stop after N samples\n"
		"  --timeout MS   stop after MS milliseconds\n" },
	[CTL_START] = { "start", 0, 1, 1, "start PROXY",
		"Start PROXY: it publishes samples and asks for decisions again.\n"
		"Needs CAP_SYS_ADMIN.\n" },
	[CTL_STOP] = { "stop", 0, 1, 1, "stop PROXY",
		"Stop PROXY: the subsystem runs its default algorithm only and\n"
		"publishes nothing. Needs CAP_SYS_ADMIN.\n" },
	[CTL_REINIT] = { "reinit", 0, 1, 1, "reinit PROXY",
		"Re-initialize PROXY: forget its statistics, table and model.\n"
		"Needs CAP_SYS_ADMIN.\n" },
	[CTL_HELP] = { "help", 0, 0, 1, "help [COMMAND]",
		"Show the help of COMMAND, or the overview.\n" },
};

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	return cmd > CTL_NONE && cmd < CTL_CMD_COUNT ? cmds[cmd].name : NULL;
}

static enum ctl_cmd find_cmd(const char *name)
{
	int c;

	for (c = CTL_NONE + 1; c < CTL_CMD_COUNT; c++)
		if (!strcmp(name, cmds[c].name))
			return (enum ctl_cmd)c;
	return CTL_NONE;
}

void ctl_help(FILE *f, enum ctl_cmd cmd)
{
	int c;

	if (cmd > CTL_NONE && cmd < CTL_CMD_COUNT) {
		fprintf(f, "usage: mlctl %s\n\n%s", cmds[cmd].usage, cmds[cmd].help);
		if (cmds[cmd].min_args)
			fputs("\nPROXY is an id, SUBSYSTEM/NAME, or a NAME only one subsystem uses.\n", f);
		return;
	}
	fputs("usage: mlctl [--device PATH] COMMAND [ARGS]\n"
	      "       mlctl COMMAND --help\n"
	      "\n"
	      "Inspect and control the ML model proxies of ml_lib (/dev/ml_lib).\n"
	      "\n"
	      "Commands:\n", f);
	for (c = CTL_NONE + 1; c < CTL_CMD_COUNT; c++)
		fprintf(f, "  %s\n", cmds[c].usage);
	fputs("\n"
	      "Options:\n"
	      "  -d, --device PATH   the ml_lib device (default /dev/ml_lib)\n"
	      "  -h, --help          this help, or a command's\n"
	      "  -V, --version       versions of mlctl and of the ABI\n"
	      "\n"
	      "Exit status: 0 success, 1 failure, 2 usage error. See mlctl(8).\n", f);
}

__attribute__((format(printf, 3, 4)))
static int usage_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return CTL_EXIT_USAGE;
}

/* A decimal number in [min, max], nothing else: 0, or -EINVAL / -ERANGE. */
static int parse_ulong(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

struct opt_desc {
	const char *name;
	unsigned int flag;
	bool has_value;
};

static const struct opt_desc opts[] = {
	{ "json", OPT_JSON, false },
	{ "csv", OPT_CSV, false },
	{ "count", OPT_COUNT, true },
	{ "interval", OPT_INTERVAL, true },
	{ "timeout", OPT_TIMEOUT, true },
};

static int set_opt(struct ctl_args *a, const struct opt_desc *o,
		   const char *val, char *err, size_t errlen)
{
	const char *cmd = cmds[a->cmd].name;
	unsigned long v;
	int ret;

	switch (o->flag) {
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_CSV:
		a->csv = true;
		return 0;
	case OPT_COUNT:
		ret = parse_ulong(val, 1, ULONG_MAX, &v);
		if (ret)
			return usage_err(err, errlen,
					 "%s: --count wants a number of at least 1, not '%s'",
					 cmd, val);
		a->count = v;
		return 0;
	case OPT_INTERVAL:
		ret = parse_ulong(val, 10, 3600000, &v);
		if (ret)
			return usage_err(err, errlen,
					 "%s: --interval wants milliseconds from 10 to 3600000, not '%s'",
					 cmd, val);
		a->interval_ms = (unsigned int)v;
		return 0;
	default: /* OPT_TIMEOUT */
		ret = parse_ulong(val, 0, INT_MAX, &v);
		if (ret)
			return usage_err(err, errlen,
					 "%s: --timeout wants milliseconds from 0 to %d, not '%s'",
					 cmd, INT_MAX, val);
		a->timeout_ms = (int)v;
		return 0;
	}
}

/* One "--name[=value]" option of the current command at argv[*i]. */
static int parse_opt(int argc, char *const argv[], int *i, struct ctl_args *a,
		     char *err, size_t errlen)
{
	const char *arg = argv[*i], *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const char *cmd = cmds[a->cmd].name;
	size_t k;

	for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		const struct opt_desc *o = &opts[k];
		const char *val = NULL;

		if (strlen(o->name) != len || strncmp(o->name, name, len))
			continue;
		if (!(cmds[a->cmd].opts & o->flag))
			break;
		if (o->has_value) {
			if (eq)
				val = eq + 1;
			else if (*i + 1 < argc)
				val = argv[++*i];
			else
				return usage_err(err, errlen, "%s: --%s needs a value",
						 cmd, o->name);
		} else if (eq) {
			return usage_err(err, errlen, "%s: --%s takes no value",
					 cmd, o->name);
		}
		return set_opt(a, o, val, err, errlen);
	}
	return usage_err(err, errlen, "%s: unknown option '%s' (see 'mlctl %s --help')",
			 cmd, arg, cmd);
}

static int parse_positional(struct ctl_args *a, int n, const char *arg,
			    char *err, size_t errlen)
{
	const char *cmd = cmds[a->cmd].name;
	int mode;

	if (n >= cmds[a->cmd].max_args)
		return usage_err(err, errlen, "%s: unexpected argument '%s' (see 'mlctl %s --help')",
				 cmd, arg, cmd);
	if (a->cmd == CTL_HELP) {
		a->help = true;
		a->cmd = find_cmd(arg);
		if (a->cmd == CTL_NONE)
			return usage_err(err, errlen, "help: unknown command '%s'", arg);
		return 0;
	}
	if (n == 0) {
		if (!*arg)
			return usage_err(err, errlen, "%s: PROXY is empty", cmd);
		a->proxy = arg;
		return 0;
	}
	/* n == 1: the mode of `mode` */
	mode = mla_mode_parse(arg);
	if (mode < 0)
		return usage_err(err, errlen,
				 "mode: unknown mode '%s': say emergency, learning, collaboration, recommendation or auto",
				 arg);
	a->mode = (unsigned int)mode;
	return 0;
}

int ctl_parse(int argc, char *const argv[], struct ctl_args *a, char *err,
	      size_t errlen)
{
	int i = 1, n = 0, ret;

	*a = (struct ctl_args){ .interval_ms = CTL_DEFAULT_INTERVAL_MS,
				.timeout_ms = -1 };
	err[0] = '\0';
	/* Global options, before the command. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			a->help = true;
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			a->version = true;
		} else if (!strcmp(o, "-d") || !strcmp(o, "--device")) {
			if (++i == argc)
				return usage_err(err, errlen, "%s needs a path", o);
			a->device = argv[i];
		} else if (!strncmp(o, "--device=", 9)) {
			a->device = o + 9;
		} else {
			return usage_err(err, errlen, "unknown option '%s' (see 'mlctl --help')", o);
		}
		if (a->device && !*a->device)
			return usage_err(err, errlen, "--device needs a path");
	}
	if (i == argc) {
		if (a->help || a->version)
			return 0;
		return usage_err(err, errlen, "no command given (see 'mlctl --help')");
	}
	a->cmd = find_cmd(argv[i]);
	if (a->cmd == CTL_NONE)
		return usage_err(err, errlen, "unknown command '%s' (see 'mlctl --help')",
				 argv[i]);
	if (a->help) /* mlctl --help CMD */
		return 0;
	for (i++; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			a->help = true;
			return 0;
		}
		if (!strcmp(arg, "--")) {
			for (i++; i < argc; i++, n++) {
				ret = parse_positional(a, n, argv[i], err, errlen);
				if (ret)
					return ret;
			}
			break;
		}
		if (!strncmp(arg, "--", 2))
			ret = parse_opt(argc, argv, &i, a, err, errlen);
		else if (arg[0] == '-' && arg[1])
			ret = usage_err(err, errlen, "%s: unknown option '%s' (see 'mlctl %s --help')",
					cmds[a->cmd].name, arg, cmds[a->cmd].name);
		else
			ret = parse_positional(a, n++, arg, err, errlen);
		if (ret)
			return ret;
	}
	if (a->cmd == CTL_HELP) {
		if (!a->help)	/* plain `mlctl help`: the overview */
			a->cmd = CTL_NONE;
		a->help = true;
		return 0;
	}
	if (n < cmds[a->cmd].min_args)
		return usage_err(err, errlen, "%s: missing %s (usage: mlctl %s)",
				 cmds[a->cmd].name, n == 0 ? "PROXY" : "MODE",
				 cmds[a->cmd].usage);
	return 0;
}
