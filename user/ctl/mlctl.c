// SPDX-License-Identifier: GPL-2.0
/*
 * mlctl: the operator's command-line tool for ml_lib proxies.
 * See mlctl(8) and docs/mlctl.md. Parsing lives in ctl_args.c, output in
 * ctl_format.c; this file runs the commands and explains their failures.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "mlagent.h"
#include "ctl_args.h"
#include "ctl_format.h"

/* The heartbeat period of `samples`, well inside any agent timeout. */
#define SAMPLES_HEARTBEAT_MS	500

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT and SIGTERM stop `watch` and `samples` cleanly (no SA_RESTART). */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("mlctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int open_device(const struct ctl_args *a, struct mla_ctx **ctx)
{
	const char *path = a->device ? a->device : ML_LIB_DEVICE;
	struct ml_lib_version v;
	int ret = mla_open(path, ctx);

	if (ret == -ENOENT) {
		say("cannot open %s: %s", path, strerror(-ret));
		say("is the ml_lib module loaded? Try 'modprobe ml_lib'.");
		return CTL_EXIT_FAIL;
	}
	if (ret == -EACCES || ret == -EPERM) {
		say("cannot open %s: %s", path, strerror(-ret));
		say("the device is for root only: run mlctl as root.");
		return CTL_EXIT_FAIL;
	}
	if (ret) {
		say("cannot open %s: %s", path, strerror(-ret));
		return CTL_EXIT_FAIL;
	}
	ret = mla_version(*ctx, &v);
	if (ret) {
		say("%s does not answer as an ml_lib device: %s", path, strerror(-ret));
		mla_close(*ctx);
		return CTL_EXIT_FAIL;
	}
	if (v.major != ML_LIB_ABI_MAJOR) {
		say("%s speaks ABI %u.%u; this mlctl was built for %u.x: use a matching mlctl",
		    path, v.major, v.minor, ML_LIB_ABI_MAJOR);
		mla_close(*ctx);
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

/* Resolve PROXY, explaining failures. */
static int find_proxy(struct mla_ctx *ctx, const char *spec,
		      struct ml_lib_proxy_info *info)
{
	int ret = mla_find(ctx, spec, info);

	switch (ret) {
	case 0:
		return CTL_EXIT_OK;
	case -ENOENT:
		say("no proxy '%s': 'mlctl list' shows the proxies there are.", spec);
		return CTL_EXIT_FAIL;
	case -ENOTUNIQ:
		say("'%s' names proxies of several subsystems: say SUBSYSTEM/NAME or the id ('mlctl list').",
		    spec);
		return CTL_EXIT_FAIL;
	case -EINVAL:
		say("'%s' is not a proxy: give an id, SUBSYSTEM/NAME or NAME.", spec);
		return CTL_EXIT_USAGE;
	default:
		say("cannot list the proxies: %s", strerror(-ret));
		return CTL_EXIT_FAIL;
	}
}

/* Explain a failed control or query call on proxy @name. */
static int proxy_error(const char *what, const char *name, int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		say("cannot %s %s: %s; this needs CAP_SYS_ADMIN: run mlctl as root.",
		    what, name, strerror(-err));
		break;
	case -ENOENT:
	case -ENODEV:
		say("cannot %s %s: the proxy is gone (its subsystem was unloaded).",
		    what, name);
		break;
	default:
		say("cannot %s %s: %s", what, name, strerror(-err));
	}
	return CTL_EXIT_FAIL;
}

static int cmd_list(struct mla_ctx *ctx, const struct ctl_args *a)
{
	struct ml_lib_proxy_info *v;
	int n = mla_list_alloc(ctx, &v);

	if (n < 0) {
		say("cannot list the proxies: %s", strerror(-n));
		return CTL_EXIT_FAIL;
	}
	if (a->json)
		fmt_list_json(stdout, v, n);
	else
		fmt_list(stdout, v, n);
	free(v);
	return CTL_EXIT_OK;
}

static int cmd_status_all(struct mla_ctx *ctx, const struct ctl_args *a)
{
	struct ml_lib_proxy_info *v;
	struct ml_lib_status *st;
	int n = mla_list_alloc(ctx, &v), i, k = 0, ret;

	if (n < 0) {
		say("cannot list the proxies: %s", strerror(-n));
		return CTL_EXIT_FAIL;
	}
	st = calloc((size_t)n + 1, sizeof(*st));
	if (!st) {
		free(v);
		say("out of memory");
		return CTL_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		ret = mla_status(ctx, v[i].id, &st[k]);
		if (ret == -ENOENT || ret == -ENODEV)	/* went away meanwhile */
			continue;
		if (ret) {
			free(v);
			free(st);
			say("cannot read the status of proxy %u: %s", v[i].id, strerror(-ret));
			return CTL_EXIT_FAIL;
		}
		v[k++] = v[i];
	}
	if (a->json) {
		fputc('[', stdout);
		for (i = 0; i < k; i++) {
			if (i)
				fputc(',', stdout);
			fmt_status_json(stdout, &v[i], &st[i]);
		}
		fputs("]\n", stdout);
	} else {
		fmt_status_table(stdout, v, st, k);
	}
	free(v);
	free(st);
	return CTL_EXIT_OK;
}

static int cmd_status(struct mla_ctx *ctx, const struct ctl_args *a)
{
	struct ml_lib_proxy_info info;
	struct ml_lib_status st;
	char name[CTL_PROXY_NAME_LEN];
	int ret;

	if (!a->proxy)
		return cmd_status_all(ctx, a);
	ret = find_proxy(ctx, a->proxy, &info);
	if (ret)
		return ret;
	fmt_proxy_name(name, &info);
	ret = mla_status(ctx, info.id, &st);
	if (ret)
		return proxy_error("read the status of", name, ret);
	if (a->json)
		fmt_status_json(stdout, &info, &st);
	else
		fmt_status(stdout, &info, &st);
	return CTL_EXIT_OK;
}

static int cmd_control(struct mla_ctx *ctx, const struct ctl_args *a)
{
	struct ml_lib_proxy_info info;
	char name[CTL_PROXY_NAME_LEN];
	const char *what;
	int ret = find_proxy(ctx, a->proxy, &info);

	if (ret)
		return ret;
	fmt_proxy_name(name, &info);
	switch (a->cmd) {
	case CTL_START:
		what = "start";
		ret = mla_start(ctx, info.id);
		break;
	case CTL_STOP:
		what = "stop";
		ret = mla_stop(ctx, info.id);
		break;
	case CTL_REINIT:
		what = "re-initialize";
		ret = mla_reinit(ctx, info.id);
		break;
	default: /* CTL_MODE */
		what = "set the mode of";
		ret = mla_set_mode(ctx, info.id, a->mode);
		break;
	}
	if (ret)
		return proxy_error(what, name, ret);
	return CTL_EXIT_OK;
}

/* Sleep @ms, or less when a stop signal comes. */
static void nap(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (!stop_requested && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int cmd_watch(struct mla_ctx *ctx, const struct ctl_args *a)
{
	struct ml_lib_proxy_info info;
	struct ml_lib_status st[2];
	char name[CTL_PROXY_NAME_LEN];
	bool tty = isatty(STDOUT_FILENO);
	uint64_t t[2] = { 0, 0 };
	unsigned long views = 0;
	int ret = find_proxy(ctx, a->proxy, &info);

	if (ret)
		return ret;
	fmt_proxy_name(name, &info);
	catch_stop_signals();
	for (views = 0; !stop_requested; views++) {
		int cur = views & 1;

		ret = mla_status(ctx, info.id, &st[cur]);
		if (ret)
			return proxy_error("read the status of", name, ret);
		t[cur] = now_ms();
		if (tty)
			fputs("\033[H\033[2J", stdout);
		else if (views)
			fputc('\n', stdout);
		fmt_watch(stdout, &info, views ? &st[!cur] : NULL, &st[cur],
			  views ? t[cur] - t[!cur] : 0);
		fflush(stdout);
		if (a->count && views + 1 >= a->count)
			break;
		nap(a->interval_ms);
	}
	return CTL_EXIT_OK;
}

struct samples_state {
	const struct ctl_args *a;
	const struct ml_lib_schema *schema;
	unsigned long printed;
};

static int print_sample(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	struct samples_state *ss = arg;

	fmt_sample(stdout, ss->schema, s, cpu, ss->a->csv);
	ss->printed++;
	return ss->a->count && ss->printed >= ss->a->count;
}

static int skip_feedback(const struct ml_lib_feedback *f, unsigned int cpu, void *arg)
{
	(void)f;
	(void)cpu;
	(void)arg;
	return 0;
}

static int samples_attach(struct mla_ctx *ctx, const struct ml_lib_proxy_info *info,
			  const char *name)
{
	struct ml_lib_status st;
	int ret = mla_attach(ctx, info->id, NULL);

	if (ret == -EBUSY) {
		if (mla_status(ctx, info->id, &st) == 0 && st.agent_pid)
			say("%s already has an agent (pid %u): only one agent may attach to a proxy, and its samples go to that agent.",
			    name, st.agent_pid);
		else
			say("%s already has an agent: only one agent may attach to a proxy, and its samples go to that agent.",
			    name);
		say("stop that agent to look at the samples with mlctl, or observe the proxy without attaching: 'mlctl watch %s'.",
		    name);
		return CTL_EXIT_FAIL;
	}
	if (ret)
		return proxy_error("attach to", name, ret);
	if (mla_status(ctx, 0, &st) == 0 && !st.started)
		say("%s is stopped: it publishes no samples until 'mlctl start %s'.",
		    name, name);
	return CTL_EXIT_OK;
}

static int cmd_samples(struct mla_ctx *ctx, const struct ctl_args *a)
{
	struct ml_lib_proxy_info info;
	struct samples_state ss = { .a = a };
	char name[CTL_PROXY_NAME_LEN];
	uint64_t start, last_hb;
	int ret = find_proxy(ctx, a->proxy, &info);

	if (ret)
		return ret;
	fmt_proxy_name(name, &info);
	ret = samples_attach(ctx, &info, name);
	if (ret)
		return ret;
	catch_stop_signals();
	ss.schema = mla_attached_schema(ctx);
	if (isatty(STDOUT_FILENO))
		say("attached to %s as its agent; Ctrl-C to stop.", name);
	fmt_samples_header(stdout, ss.schema, a->csv);
	fflush(stdout);
	start = last_hb = now_ms();
	while (!stop_requested && !(a->count && ss.printed >= a->count)) {
		uint64_t now = now_ms();
		int wait_ms = SAMPLES_HEARTBEAT_MS;

		if (a->timeout_ms >= 0) {
			if (now - start >= (uint64_t)a->timeout_ms)
				break;
			if ((uint64_t)a->timeout_ms - (now - start) < (uint64_t)wait_ms)
				wait_ms = (int)((uint64_t)a->timeout_ms - (now - start));
		}
		if (now - last_hb >= SAMPLES_HEARTBEAT_MS) {
			ret = mla_heartbeat(ctx);
			if (ret)
				break;
			last_hb = now;
		}
		ret = mla_wait(ctx, wait_ms);
		if (ret == -EINTR) {
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		ret = mla_consume_samples(ctx, ~0u, print_sample, &ss);
		if (ret < 0)
			break;
		ret = mla_consume_feedback(ctx, ~0u, skip_feedback, NULL);
		if (ret < 0)
			break;
		ret = 0;
		fflush(stdout);
	}
	fflush(stdout);
	if (ret == -ENODEV || ret == -ENOENT) {
		say("%s went away (its subsystem was unloaded).", name);
		return CTL_EXIT_FAIL;
	}
	if (ret < 0)
		return proxy_error("read the samples of", name, ret);
	mla_detach(ctx);
	return CTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct ctl_args a;
	struct mla_ctx *ctx;
	char err[256];
	int ret = ctl_parse(argc, argv, &a, err, sizeof(err));

	if (ret) {
		say("%s", err);
		return ret;
	}
	if (a.help) {
		ctl_help(stdout, a.cmd);
		return CTL_EXIT_OK;
	}
	if (a.version) {
		printf("mlctl %d.%d (ml_lib ABI %d.%d)\n", MLA_VERSION_MAJOR,
		       MLA_VERSION_MINOR, ML_LIB_ABI_MAJOR, ML_LIB_ABI_MINOR);
		return CTL_EXIT_OK;
	}
	ret = open_device(&a, &ctx);
	if (ret)
		return ret;
	switch (a.cmd) {
	case CTL_LIST:
		ret = cmd_list(ctx, &a);
		break;
	case CTL_STATUS:
		ret = cmd_status(ctx, &a);
		break;
	case CTL_WATCH:
		ret = cmd_watch(ctx, &a);
		break;
	case CTL_SAMPLES:
		ret = cmd_samples(ctx, &a);
		break;
	default: /* mode, start, stop, reinit */
		ret = cmd_control(ctx, &a);
		break;
	}
	mla_close(ctx);
	if (fflush(stdout) || ferror(stdout)) {
		say("cannot write the output: %s", strerror(errno));
		return CTL_EXIT_FAIL;
	}
	return ret;
}
