// SPDX-License-Identifier: GPL-2.0
/*
 * mlagentd: the ml-lib agent. One model thread per configured proxy; the
 * main thread discovers proxies, (re)starts the threads as proxies appear,
 * reaps them as they go, and handles signals (SIGTERM/SIGINT: stop, SIGHUP:
 * reload the configuration). See mlagentd(8) and docs/agent.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mlagent.h>
#include "config.h"
#include "log.h"
#include "port_mla.h"
#include "store.h"
#include "worker.h"

#define MLAGENTD_VERSION	"1.0"

/* A proxy section and the thread that serves it. */
struct slot {
	struct mlag_proxy_conf conf;
	struct mlag_config tcfg;	/* the agent options the thread runs with */
	char name[MLAG_SPEC_LEN + 1];	/* SUBSYSTEM/NAME once found */
	pthread_t tid;
	bool running;
	atomic_bool stop;
	atomic_bool done;
	int result;			/* the thread's, once done */
	uint32_t proxy_id;
	int last_error;			/* logged once per episode */
};

static struct mlag_config cfg;
static struct slot **slots;
static unsigned int nr_slots;
static const char *config_path = MLAG_DEFAULT_CONFIG;
static bool config_explicit;
static char **cli_args;		/* -p and -o, replayed on every reload */
static int nr_cli_args;

static void *serve(void *arg)
{
	struct slot *s = arg;
	struct ml_lib_proxy_info info;
	struct mla_attach_opts opts = {
		.sample_records = (uint32_t)s->conf.opt[MLAG_P_SAMPLE_RECORDS],
		.feedback_records = (uint32_t)s->conf.opt[MLAG_P_FEEDBACK_RECORDS],
		.wakeup_ms = (uint32_t)s->conf.opt[MLAG_P_WAKEUP_MS],
	};
	struct mlag_worker_args wa = {
		.cfg = &s->tcfg, .conf = &s->conf, .ops = &mlag_port_mla,
		.stop = &s->stop,
	};
	struct mlag_worker *w = NULL;
	struct mlag_store *store = NULL;
	struct mla_ctx *ctx = NULL;
	char err[256];
	int ret;

	ret = mla_open(NULL, &ctx);
	if (!ret)
		ret = mla_find(ctx, s->conf.spec, &info);
	if (!ret)
		ret = mla_attach(ctx, info.id, &opts);
	if (ret) {
		if (ret != s->last_error)
			mlag_log(LOG_WARNING, "%s: cannot attach: %s%s", s->conf.spec,
				 strerror(-ret), ret == -EBUSY ?
				 " (another agent holds the proxy; retrying)" :
				 ret == -E2BIG ? " (the rings would exceed ml_lib's max_ring_mb:"
				 " lower sample_records/feedback_records)" : "");
		goto out;
	}
	s->proxy_id = info.id;
	snprintf(s->name, sizeof(s->name), "%s/%s", info.subsystem, info.name);
	wa.name = s->name;
	wa.schema = mla_attached_schema(ctx);
	wa.port = ctx;
	ret = mlag_store_open(s->tcfg.store, &store, err, sizeof(err));
	if (ret) {
		mlag_log(LOG_ERR, "%s: store %s: %s", s->name, s->tcfg.store, err);
		goto out;
	}
	wa.store = store;
	mlag_log(LOG_INFO, "%s: attached (proxy %u, %u features, %u actions), learner %s",
		 s->name, info.id, wa.schema->nr_features, wa.schema->nr_actions,
		 s->conf.learner->name);
	ret = mlag_worker_create(&wa, &w);
	if (!ret)
		ret = mlag_worker_run(w);
	if (ret == -ENODEV)
		mlag_log(LOG_INFO, "%s: the proxy is gone; detached", s->name);
	else if (ret)
		mlag_log(LOG_ERR, "%s: stopped: %s; detached", s->name, strerror(-ret));
	else
		mlag_log(LOG_INFO, "%s: stopped; detached", s->name);
out:
	mlag_worker_destroy(w);
	mlag_store_close(store);
	mla_close(ctx);		/* detaches: the proxy falls back to its default */
	s->result = ret;
	atomic_store(&s->done, true);
	return NULL;
}

static int copy_agent_options(struct mlag_config *dst, const struct mlag_config *src)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->agent, src->agent, sizeof(dst->agent));
	dst->store = strdup(src->store);
	return dst->store ? 0 : -ENOMEM;
}

static void start(struct slot *s, uint32_t proxy_id)
{
	int ret;

	atomic_store(&s->stop, false);
	atomic_store(&s->done, false);
	s->proxy_id = proxy_id;
	free(s->tcfg.store);
	ret = copy_agent_options(&s->tcfg, &cfg);
	if (!ret)
		ret = -pthread_create(&s->tid, NULL, serve, s);
	if (ret) {
		mlag_log(LOG_ERR, "%s: cannot start a model thread: %s", s->conf.spec,
			 strerror(-ret));
		return;
	}
	s->running = true;
}

static void reap(struct slot *s)
{
	if (!s->running || !atomic_load(&s->done))
		return;
	pthread_join(s->tid, NULL);
	s->running = false;
	s->last_error = s->result;
}

static void stop(struct slot *s)
{
	if (!s->running)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->tid, NULL);
	s->running = false;
}

/* Find the configured proxies; start a thread for each found and idle. */
static void discover(void)
{
	static bool waiting_logged;
	struct ml_lib_proxy_info info;
	struct mla_ctx *ctx;
	unsigned int i, j;
	int ret;

	for (i = 0; i < nr_slots; i++)
		reap(slots[i]);
	/*
	 * A context per round, closed at once: holding /dev/ml_lib open while
	 * idle would keep `rmmod ml_lib` from working.
	 */
	ret = mla_open(NULL, &ctx);
	if (ret) {
		if (!waiting_logged)
			mlag_log(LOG_WARNING, "cannot open %s: %s; waiting for it "
				 "(modprobe ml_lib)", ML_LIB_DEVICE, strerror(-ret));
		waiting_logged = true;
		return;
	}
	if (waiting_logged)
		mlag_log(LOG_INFO, "%s is there", ML_LIB_DEVICE);
	waiting_logged = false;
	for (i = 0; i < nr_slots; i++) {
		struct slot *s = slots[i];

		if (s->running)
			continue;
		ret = mla_find(ctx, s->conf.spec, &info);
		if (ret) {
			if (ret != s->last_error)
				mlag_log(ret == -ENOENT ? LOG_INFO : LOG_WARNING,
					 "%s: %s; waiting for it", s->conf.spec,
					 ret == -ENOENT ? "no such proxy yet" :
					 ret == -ENOTUNIQ ? "the name is ambiguous, "
					 "use SUBSYSTEM/NAME" : strerror(-ret));
			s->last_error = ret;
			continue;
		}
		for (j = 0; j < nr_slots; j++)
			if (j != i && slots[j]->running && slots[j]->proxy_id == info.id)
				break;
		if (j < nr_slots) {
			if (s->last_error != -EALREADY)
				mlag_log(LOG_WARNING, "%s: the proxy is served by [proxy %s] "
					 "already", s->conf.spec, slots[j]->conf.spec);
			s->last_error = -EALREADY;
			continue;
		}
		start(s, info.id);
	}
	mla_close(ctx);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: mlagentd [OPTION]...\n"
"The ml-lib agent: trains a model for each configured proxy from its samples\n"
"and feedback, and deploys what beats the deployed model on held-out data.\n"
"\n"
"  -c, --config FILE      configuration (default " MLAG_DEFAULT_CONFIG ")\n"
"  -p, --proxy SPEC       serve proxy SPEC (SUBSYSTEM/NAME or NAME), as a\n"
"                         [proxy SPEC] section with the defaults would\n"
"  -o, --set [SPEC:]KEY=VALUE\n"
"                         override KEY of [agent], or of [proxy SPEC]\n"
"  -s, --store PATH       the SQLite store (same as -o store=PATH)\n"
"  -l, --log TARGET       stderr or syslog (same as -o log=TARGET)\n"
"  -v, --verbose          log at debug level (same as -o log_level=debug)\n"
"      --check            check the configuration, print it resolved, exit\n"
"      --list-params      list the options and every learner's parameters\n"
"      --store-check      check the store's integrity, summarize it, exit\n"
"  -h, --help             this help\n"
"  -V, --version          the version\n"
"\n"
"Signals: SIGTERM or SIGINT stop (every proxy is detached after a final\n"
"commit); SIGHUP reloads the configuration (threads of changed sections\n"
"restart). Exit status: 0 stopped by a signal or --check passed, 1 runtime\n"
"error, 2 usage or configuration error. See mlagentd(8).\n");
}

static void list_params(void)
{
	const struct mlag_learner *const *l;
	unsigned int i, j, n;

	printf("[agent] options (besides store, log, log_level):\n");
	for (i = 0; i < MLAG_A_COUNT; i++)
		printf("  %-24s %-12g %s\n", mlag_agent_params[i].name,
		       mlag_agent_params[i].def, mlag_agent_params[i].help);
	printf("\n[proxy SPEC] options (besides learner):\n");
	for (i = 0; i < MLAG_P_COUNT; i++)
		printf("  %-24s %-12g %s\n", mlag_proxy_params[i].name,
		       mlag_proxy_params[i].def, mlag_proxy_params[i].help);
	l = mlag_learners(&n);
	for (i = 0; i < n; i++) {
		printf("\nlearner = %s: %s\n", l[i]->name, l[i]->summary);
		for (j = 0; j < l[i]->nr_params; j++)
			printf("  %-24s %-12g %s\n", l[i]->params[j].name,
			       l[i]->params[j].def, l[i]->params[j].help);
	}
}

/* Build a configuration from the file and the command line into @c. */
static int load_config(struct mlag_config *c, char *err, size_t errlen)
{
	int i, ret;

	mlag_config_init(c);
	ret = mlag_config_load(c, config_path, err, errlen);
	if (ret == -ENOENT && !config_explicit)
		ret = 0;	/* no file: the command line says it all */
	for (i = 0; !ret && i < nr_cli_args; i++) {
		if (cli_args[i][0] == 'p')
			ret = mlag_config_add_proxy(c, cli_args[i] + 1, err, errlen);
		else
			ret = mlag_config_override(c, cli_args[i] + 1, err, errlen);
	}
	if (!ret)
		ret = mlag_config_finish(c, err, errlen);
	if (ret)
		mlag_config_free(c);
	return ret;
}

static int cli_arg(char kind, const char *text)
{
	char **a = realloc(cli_args, (nr_cli_args + 1) * sizeof(*a));
	char *s = malloc(strlen(text) + 2);

	if (!a || !s) {
		free(s);
		return -ENOMEM;
	}
	cli_args = a;
	s[0] = kind;
	strcpy(s + 1, text);
	cli_args[nr_cli_args++] = s;
	return 0;
}

static void slot_free(struct slot *s)
{
	stop(s);
	free(s->tcfg.store);
	free(s);
}

static bool same_agent_options(const struct slot *s)
{
	return s->tcfg.store && !strcmp(s->tcfg.store, cfg.store) &&
	       !memcmp(s->tcfg.agent, cfg.agent, sizeof(cfg.agent));
}

/*
 * Rebuild the slots from the configuration: a slot whose section is
 * unchanged keeps its thread (slots are allocated one by one, so a running
 * thread's pointer to its slot stays valid); the others stop.
 */
static int apply_config(void)
{
	struct slot **n = calloc(cfg.nr_proxies + 1, sizeof(*n));
	unsigned int i, j;

	if (!n)
		return -ENOMEM;
	for (i = 0; i < nr_slots; i++) {
		struct slot *s = slots[i];

		for (j = 0; j < cfg.nr_proxies; j++)
			if (!n[j] && mlag_proxy_conf_equal(&s->conf, &cfg.proxies[j]))
				break;
		if (j < cfg.nr_proxies && (!s->running || same_agent_options(s))) {
			n[j] = s;
			continue;
		}
		if (s->running)
			mlag_log(LOG_INFO, "%s: configuration changed: restarting",
				 s->conf.spec);
		slot_free(s);
	}
	for (j = 0; j < cfg.nr_proxies; j++) {
		if (n[j])
			continue;
		n[j] = calloc(1, sizeof(*n[j]));
		if (!n[j]) {
			while (j--)
				if (n[j] && !n[j]->running)
					free(n[j]);
			free(n);
			return -ENOMEM;
		}
		n[j]->conf = cfg.proxies[j];
	}
	free(slots);
	slots = n;
	nr_slots = cfg.nr_proxies;
	return 0;
}

static void reload(void)
{
	struct mlag_config next;
	char err[512];
	int ret;

	ret = load_config(&next, err, sizeof(err));
	if (ret) {
		mlag_log(LOG_ERR, "reload: %s; keeping the running configuration", err);
		return;
	}
	mlag_config_free(&cfg);
	cfg = next;
	mlag_log_setup(cfg.log_target, cfg.log_level);
	if (apply_config())
		mlag_log(LOG_ERR, "reload: out of memory");
	mlag_log(LOG_INFO, "configuration reloaded: %u proxies", cfg.nr_proxies);
}

/* --store-check: integrity and contents of the store; 0 when intact. */
static int check_store(const char *path)
{
	struct mlag_store *s;
	char err[512];
	int ret;

	if (access(path, F_OK)) {
		fprintf(stderr, "mlagentd: store %s: %s\n", path, strerror(errno));
		return 1;
	}
	ret = mlag_store_open(path, &s, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mlagentd: store %s: %s\n", path, err);
		return 1;
	}
	ret = mlag_store_integrity(s, err, sizeof(err));
	printf("store %s: integrity %s\n", path, ret ? err : "ok");
	if (!ret && mlag_store_report(s, stdout)) {
		fprintf(stderr, "mlagentd: store %s: %s\n", path, mlag_store_errmsg(s));
		ret = -EIO;
	}
	mlag_store_close(s);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "proxy", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 'o' },
		{ "store", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check", no_argument, NULL, 'C' },
		{ "list-params", no_argument, NULL, 'L' },
		{ "store-check", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct mlag_store *store;
	char err[512], buf[600];
	bool check = false, store_check = false;
	sigset_t set;
	unsigned int i;
	int c, ret, sig;

	while ((c = getopt_long(argc, argv, "c:p:o:s:l:vhV", longopts, NULL)) != -1) {
		ret = 0;
		switch (c) {
		case 'c':
			config_path = optarg;
			config_explicit = true;
			break;
		case 'p':
			ret = cli_arg('p', optarg);
			break;
		case 'o':
			ret = cli_arg('o', optarg);
			break;
		case 's':
		case 'l':
			snprintf(buf, sizeof(buf), "%s=%s", c == 's' ? "store" : "log", optarg);
			ret = cli_arg('o', buf);
			break;
		case 'v':
			ret = cli_arg('o', "log_level=debug");
			break;
		case 'C':
			check = true;
			break;
		case 'S':
			store_check = true;
			break;
		case 'L':
			list_params();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mlagentd %s\n", MLAGENTD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (ret) {
			fprintf(stderr, "mlagentd: out of memory\n");
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mlagentd: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return 2;
	}
	ret = load_config(&cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mlagentd: %s\n", err);
		return ret == -ENOMEM ? 1 : 2;
	}
	if (check) {
		mlag_config_print(&cfg, stdout);
		mlag_config_free(&cfg);
		return 0;
	}
	if (store_check) {
		ret = check_store(cfg.store);
		mlag_config_free(&cfg);
		return ret;
	}
	mlag_log_setup(cfg.log_target, cfg.log_level);
	/* Fail early and clearly on a store that cannot be opened. */
	ret = mlag_store_open(cfg.store, &store, err, sizeof(err));
	if (ret) {
		mlag_log(LOG_ERR, "store %s: %s (does its directory exist and is it "
			 "writable?)", cfg.store, err);
		return 1;
	}
	mlag_store_close(store);
	if (!cfg.nr_proxies)
		mlag_log(LOG_WARNING, "no proxy configured: add a [proxy SPEC] section "
			 "to %s or use -p SPEC", config_path);
	/* Signals go to the main thread only, through sigtimedwait(). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (apply_config()) {
		mlag_log(LOG_ERR, "out of memory");
		return 1;
	}
	mlag_log(LOG_INFO, "started (version %s, pid %d, store %s, %u proxies)",
		 MLAGENTD_VERSION, (int)getpid(), cfg.store, cfg.nr_proxies);
	for (;;) {
		struct timespec ts;
		long ms = (long)cfg.agent[MLAG_A_DISCOVER_MS];

		discover();
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGHUP) {
			mlag_log(LOG_INFO, "SIGHUP: reloading %s", config_path);
			reload();
		} else if (sig == SIGTERM || sig == SIGINT) {
			mlag_log(LOG_INFO, "%s: stopping", strsignal(sig));
			break;
		}
	}
	for (i = 0; i < nr_slots; i++)
		slot_free(slots[i]);
	free(slots);
	mlag_config_free(&cfg);
	for (c = 0; c < nr_cli_args; c++)
		free(cli_args[c]);
	free(cli_args);
	mlag_log(LOG_INFO, "stopped");
	return 0;
}
