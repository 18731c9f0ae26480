// SPDX-License-Identifier: GPL-2.0
/* Host tests of mlctl's command-line parser. */
#include "ctl_args.h"
#include "mlagent.h"
#include "mltest.h"

static char err[256];

/* Parse a NULL-terminated list of words (argv[0] = "mlctl" is added). */
static int parse(struct ctl_args *a, const char *const *words)
{
	char *argv[32] = { "mlctl" };
	int argc = 1;

	while (*words && argc < 31)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	return ctl_parse(argc, argv, a, err, sizeof(err));
}

#define PARSE(a, ...) parse(a, (const char *const[]){ __VA_ARGS__, NULL })

static void test_commands(void)
{
	struct ctl_args a;

	MT_CHECK_EQ(PARSE(&a, "list"), 0);
	MT_CHECK_EQ(a.cmd, CTL_LIST);
	MT_CHECK(!a.json && !a.help && a.proxy == NULL && a.device == NULL, "defaults");
	MT_CHECK_EQ(PARSE(&a, "list", "--json"), 0);
	MT_CHECK(a.json, "--json");
	MT_CHECK_EQ(PARSE(&a, "status"), 0);
	MT_CHECK(a.cmd == CTL_STATUS && a.proxy == NULL, "status, all");
	MT_CHECK_EQ(PARSE(&a, "status", "demo/synthetic", "--json"), 0);
	MT_CHECK(a.proxy && !strcmp(a.proxy, "demo/synthetic") && a.json, "status PROXY");
	MT_CHECK_EQ(PARSE(&a, "status", "--json", "7"), 0);
	MT_CHECK(a.proxy && !strcmp(a.proxy, "7"), "options before arguments");
	MT_CHECK_EQ(PARSE(&a, "mode", "7", "auto"), 0);
	MT_CHECK(a.cmd == CTL_MODE && a.mode == ML_LIB_MODE_AUTO, "mode auto");
	MT_CHECK_EQ(PARSE(&a, "mode", "7", "Collaboration"), 0);
	MT_CHECK_EQ(a.mode, ML_LIB_MODE_COLLABORATION);
	MT_CHECK_EQ(PARSE(&a, "start", "x"), 0);
	MT_CHECK_EQ(a.cmd, CTL_START);
	MT_CHECK_EQ(PARSE(&a, "stop", "x"), 0);
	MT_CHECK_EQ(a.cmd, CTL_STOP);
	MT_CHECK_EQ(PARSE(&a, "reinit", "x"), 0);
	MT_CHECK_EQ(a.cmd, CTL_REINIT);
	MT_CHECK_EQ(PARSE(&a, "watch", "x"), 0);
	MT_CHECK(a.cmd == CTL_WATCH && a.count == 0 && a.interval_ms == CTL_DEFAULT_INTERVAL_MS,
		 "watch defaults");
	MT_CHECK_EQ(PARSE(&a, "watch", "x", "--count", "3", "--interval=50"), 0);
	MT_CHECK(a.count == 3 && a.interval_ms == 50, "watch options");
	MT_CHECK_EQ(PARSE(&a, "samples", "x"), 0);
	MT_CHECK(a.cmd == CTL_SAMPLES && !a.csv && a.timeout_ms == -1 && a.count == 0,
		 "samples defaults");
	MT_CHECK_EQ(PARSE(&a, "samples", "--csv", "x", "--count=10", "--timeout", "0"), 0);
	MT_CHECK(a.csv && a.count == 10 && a.timeout_ms == 0, "samples options");
	MT_CHECK_EQ(PARSE(&a, "--device", "/tmp/d", "list"), 0);
	MT_CHECK(a.device && !strcmp(a.device, "/tmp/d"), "--device");
	MT_CHECK_EQ(PARSE(&a, "-d", "/tmp/e", "list"), 0);
	MT_CHECK(a.device && !strcmp(a.device, "/tmp/e"), "-d");
	MT_CHECK_EQ(PARSE(&a, "--device=/tmp/f", "list"), 0);
	MT_CHECK(a.device && !strcmp(a.device, "/tmp/f"), "--device=");
	MT_CHECK_EQ(PARSE(&a, "status", "--", "-weird"), 0);
	MT_CHECK(a.proxy && !strcmp(a.proxy, "-weird"), "-- ends options");
}

static void test_help(void)
{
	struct ctl_args a;

	MT_CHECK_EQ(PARSE(&a, "--help"), 0);
	MT_CHECK(a.help && a.cmd == CTL_NONE, "--help");
	MT_CHECK_EQ(PARSE(&a, "-h"), 0);
	MT_CHECK(a.help, "-h");
	MT_CHECK_EQ(PARSE(&a, "help"), 0);
	MT_CHECK(a.help && a.cmd == CTL_NONE, "help");
	MT_CHECK_EQ(PARSE(&a, "help", "watch"), 0);
	MT_CHECK(a.help && a.cmd == CTL_WATCH, "help watch");
	MT_CHECK_EQ(PARSE(&a, "samples", "--help"), 0);
	MT_CHECK(a.help && a.cmd == CTL_SAMPLES, "samples --help");
	/* --help wins over what would be errors after it. */
	MT_CHECK_EQ(PARSE(&a, "mode", "-h", "x", "bogus"), 0);
	MT_CHECK(a.help && a.cmd == CTL_MODE, "mode -h");
	MT_CHECK_EQ(PARSE(&a, "--help", "stop"), 0);
	MT_CHECK(a.help && a.cmd == CTL_STOP, "--help stop");
	MT_CHECK_EQ(PARSE(&a, "--version"), 0);
	MT_CHECK(a.version, "--version");
	MT_CHECK_EQ(PARSE(&a, "help", "bogus"), CTL_EXIT_USAGE);
	MT_CHECK(strstr(err, "unknown command 'bogus'") != NULL, "%s", err);
}

static void expect_usage(const char *const *words, const char *needle)
{
	struct ctl_args a;

	MT_CHECK_EQ(parse(&a, words), CTL_EXIT_USAGE);
	MT_CHECK(strstr(err, needle) != NULL, "'%s' not in '%s'", needle, err);
}

#define USAGE(needle, ...) expect_usage((const char *const[]){ __VA_ARGS__, NULL }, needle)

static void test_usage_errors(void)
{
	struct ctl_args a;
	char *argv0[] = { "mlctl", NULL };

	MT_CHECK_EQ(ctl_parse(1, argv0, &a, err, sizeof(err)), CTL_EXIT_USAGE);
	MT_CHECK(strstr(err, "no command") != NULL, "%s", err);
	USAGE("unknown command 'lst'", "lst");
	USAGE("unknown option '--jsn'", "list", "--jsn");
	USAGE("unknown option '--csv'", "status", "x", "--csv");
	USAGE("unknown option '-x'", "list", "-x");
	USAGE("unknown option '--bogus'", "--bogus", "list");
	USAGE("unexpected argument 'y'", "status", "x", "y");
	USAGE("unexpected argument 'x'", "list", "x");
	USAGE("missing PROXY", "mode");
	USAGE("missing MODE", "mode", "x");
	USAGE("missing PROXY", "watch");
	USAGE("missing PROXY", "samples", "--csv");
	USAGE("missing PROXY", "start");
	USAGE("unknown mode 'fast'", "mode", "x", "fast");
	USAGE("unknown mode '2'", "mode", "x", "2");
	USAGE("--count wants a number", "watch", "x", "--count", "0");
	USAGE("--count wants a number", "watch", "x", "--count", "-1");
	USAGE("--count wants a number", "watch", "x", "--count", "3x");
	USAGE("--count wants a number", "samples", "x", "--count", "99999999999999999999999");
	USAGE("--count needs a value", "watch", "x", "--count");
	USAGE("--interval wants milliseconds", "watch", "x", "--interval", "5");
	USAGE("--interval wants milliseconds", "watch", "x", "--interval", "");
	USAGE("--timeout wants milliseconds", "samples", "x", "--timeout", "-5");
	USAGE("--json takes no value", "list", "--json=yes");
	USAGE("PROXY is empty", "status", "");
	USAGE("--device needs a path", "--device");
	USAGE("--device needs a path", "--device=", "list");
}

static void test_help_texts(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int c;

	MT_REQUIRE(f != NULL);
	ctl_help(f, CTL_NONE);
	for (c = CTL_NONE + 1; c < CTL_CMD_COUNT; c++) {
		MT_REQUIRE(ctl_cmd_name(c) != NULL);
		ctl_help(f, c);
	}
	fclose(f);
	MT_CHECK(strstr(buf, "usage: mlctl [--device PATH] COMMAND") != NULL, "overview");
	MT_CHECK(strstr(buf, "usage: mlctl samples PROXY [--csv]") != NULL, "samples");
	MT_CHECK(strstr(buf, "MODE is emergency, learning") != NULL, "mode");
	MT_CHECK(strstr(buf, "Exit status: 0 success, 1 failure, 2 usage error") != NULL,
		 "exit codes");
	MT_CHECK(ctl_cmd_name(CTL_NONE) == NULL, "no name");
	free(buf);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_commands);
	MT_RUN(test_help);
	MT_RUN(test_usage_errors);
	MT_RUN(test_help_texts);
	return mt_summary();
}
