// SPDX-License-Identifier: GPL-2.0
/*
 * mlagentd's configuration: INI parsing (libinih), resolution, checks,
 * overrides and their error messages.
 */
#include <math.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>
#include "config.h"
#include "mltest.h"

static char err[512];

/* Load @text and resolve it; the status of the first failing step. */
static int load(struct mlag_config *c, const char *text)
{
	int ret;

	mlag_config_init(c);
	err[0] = 0;
	ret = mlag_config_load_string(c, text, "t.conf", err, sizeof(err));
	if (!ret)
		ret = mlag_config_finish(c, err, sizeof(err));
	return ret;
}

static const struct mlag_proxy_conf *proxy(const struct mlag_config *c,
					   const char *spec)
{
	for (unsigned int i = 0; i < c->nr_proxies; i++)
		if (!strcmp(c->proxies[i].spec, spec))
			return &c->proxies[i];
	return NULL;
}

static void test_defaults(void)
{
	struct mlag_config c;
	const struct mlag_proxy_conf *p;

	MT_REQUIRE(load(&c, "[proxy ml_lib_demo/policy]\n") == 0, "%s", err);
	MT_CHECK(!strcmp(c.store, MLAG_DEFAULT_STORE));
	MT_CHECK_EQ(c.log_target, MLAG_LOG_STDERR);
	MT_CHECK_EQ(c.log_level, LOG_INFO);
	MT_CHECK_EQ(c.agent[MLAG_A_DISCOVER_MS], mlag_agent_params[MLAG_A_DISCOVER_MS].def);
	MT_CHECK_EQ(c.nr_proxies, 1);
	p = proxy(&c, "ml_lib_demo/policy");
	MT_REQUIRE(p);
	MT_CHECK(p->learner == &mlag_learner_contextual);
	for (unsigned int i = 0; i < MLAG_P_COUNT; i++)
		MT_CHECK(p->opt[i] == mlag_proxy_params[i].def, "%s",
			 mlag_proxy_params[i].name);
	for (unsigned int i = 0; i < p->learner->nr_params; i++)
		MT_CHECK(p->lparam[i] == p->learner->params[i].def);
	mlag_config_free(&c);
}

static void test_sections_and_values(void)
{
	struct mlag_config c;
	const struct mlag_proxy_conf *a, *b;
	int k;

	MT_REQUIRE(load(&c,
		"; a comment\n"
		"# another\n"
		"[agent]\n"
		"store = /tmp/s.db\n"
		"log = syslog\n"
		"log_level = debug\n"
		"retention = 5000\n"
		"\n"
		"[proxy one]\n"
		"window = 300   ; before the learner line: resolved afterwards\n"
		"learner = linreg\n"
		"heartbeat_ms = 250\n"
		"[proxy sub/two]\n"
		"grid = 17\n"
		"forget = 1\n"
		"half_life = 1e3\n") == 0, "%s", err);
	MT_CHECK(!strcmp(c.store, "/tmp/s.db"));
	MT_CHECK_EQ(c.log_target, MLAG_LOG_SYSLOG);
	MT_CHECK_EQ(c.log_level, LOG_DEBUG);
	MT_CHECK_EQ(c.agent[MLAG_A_RETENTION], 5000);
	MT_CHECK_EQ(c.nr_proxies, 2);
	a = proxy(&c, "one");
	b = proxy(&c, "sub/two");
	MT_REQUIRE(a && b);
	MT_CHECK(a->learner == &mlag_learner_linreg);
	k = mlag_param_find(a->learner->params, a->learner->nr_params, "window");
	MT_REQUIRE(k >= 0);
	MT_CHECK_EQ(a->lparam[k], 300);
	MT_CHECK_EQ(a->opt[MLAG_P_HEARTBEAT_MS], 250);
	MT_CHECK(b->learner == &mlag_learner_contextual);
	k = mlag_param_find(b->learner->params, b->learner->nr_params, "grid");
	MT_REQUIRE(k >= 0);
	MT_CHECK_EQ(b->lparam[k], 17);
	MT_CHECK_EQ(b->opt[MLAG_P_FORGET], 1);
	MT_CHECK_EQ(b->opt[MLAG_P_HALF_LIFE], 1000);
	mlag_config_free(&c);
}

static void test_later_wins_and_overrides(void)
{
	struct mlag_config c;
	const struct mlag_proxy_conf *p;

	mlag_config_init(&c);
	MT_REQUIRE(mlag_config_load_string(&c, "[agent]\ncommit_ms = 10\ncommit_ms = 20\n"
		"[proxy a/b]\ntrain_ms = 100\n", "t.conf", err, sizeof(err)) == 0, "%s", err);
	MT_CHECK_EQ(mlag_config_override(&c, "commit_ms=30", err, sizeof(err)), 0);
	MT_CHECK_EQ(mlag_config_override(&c, "a/b:train_ms=400", err, sizeof(err)), 0);
	MT_CHECK_EQ(mlag_config_override(&c, "c/d:learner=linreg", err, sizeof(err)), 0);
	MT_CHECK_EQ(mlag_config_add_proxy(&c, "e", err, sizeof(err)), 0);
	MT_REQUIRE(mlag_config_finish(&c, err, sizeof(err)) == 0, "%s", err);
	MT_CHECK_EQ(c.agent[MLAG_A_COMMIT_MS], 30);
	p = proxy(&c, "a/b");
	MT_REQUIRE(p);
	MT_CHECK_EQ(p->opt[MLAG_P_TRAIN_MS], 400);
	p = proxy(&c, "c/d");
	MT_CHECK(p && p->learner == &mlag_learner_linreg);
	MT_CHECK(proxy(&c, "e") != NULL);
	MT_CHECK_EQ(c.nr_proxies, 3);
	mlag_config_free(&c);
}

/* @text must fail with @errno_ and a message containing @what. */
static void bad(const char *text, int errno_, const char *what)
{
	struct mlag_config c;
	int ret = load(&c, text);

	MT_CHECK(ret == errno_, "'%s': %d (%s)", text, ret, err);
	MT_CHECK(strstr(err, what) != NULL, "'%s': message '%s' lacks '%s'", text,
		 err, what);
	mlag_config_free(&c);
}

static void test_errors(void)
{
	bad("[agent]\nbogus = 1\n", -EINVAL, "t.conf:2: unknown key 'bogus' in [agent]");
	bad("[agent]\n\n[nope]\nx = 1\n", -EINVAL, "t.conf:3: unknown section [nope]");
	bad("x = 1\n", -EINVAL, "t.conf:1: unknown section []");
	bad("[agent]\nlog = file\n", -EINVAL, "t.conf:2: log: 'file' is not stderr or syslog");
	bad("[agent]\nlog_level = loud\n", -EINVAL, "log_level: 'loud'");
	bad("[agent]\nstore =\n", -EINVAL, "store: empty path");
	bad("[agent]\ncommit_ms = 5\n", -ERANGE, "t.conf:2: commit_ms: 5 is outside [10, 600000]");
	bad("[agent]\ncommit_ms = 1.5\n", -EINVAL, "commit_ms: '1.5' is not an integer");
	bad("[agent]\ncommit_ms = ten\n", -EINVAL, "commit_ms: 'ten' is not a number");
	bad("[agent]\ncommit_ms = 10x\n", -EINVAL, "not a number");
	bad("[agent]\ncommit_ms = nan\n", -EINVAL, "not a number");
	bad("[proxy a/b]\nlearner = magic\n", -EINVAL, "unknown learner 'magic'");
	bad("[proxy a/b]\nwindow = 10\n", -EINVAL,
	    "t.conf:2: unknown key 'window' for learner contextual in [proxy a/b]");
	bad("[proxy a/b]\ngrid = 1\n", -ERANGE, "grid: 1 is outside [2, 64]");
	bad("[proxy a/b/c]\n", -EINVAL, "is not a proxy name");
	bad("[proxy /b]\n", -EINVAL, "is not a proxy name");
	bad("[proxy a/]\n", -EINVAL, "is not a proxy name");
	bad("[proxy]\n", -EINVAL, "unknown section [proxy]");
	bad("[proxy aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n", -EINVAL, "is not a proxy name");
	bad("[proxy a]\nsample_records = 100\n", -EINVAL, "powers of two");
	bad("[proxy a]\npush_min_ms = 500\npush_max_ms = 400\n", -EINVAL,
	    "push_min_ms is above push_max_ms");
	bad("[proxy a]\npush_max_ms = 20000\n", -EINVAL, "table_ttl_ms must be 0 or at least");
	bad("[agent\n", -EINVAL, "t.conf:1: syntax error");
	bad("[agent]\nno equals sign\n", -EINVAL, "t.conf:2: syntax error");
}

static void test_booleans_and_ttl_zero(void)
{
	struct mlag_config c;

	/* forget is a real number: booleans are for 0/1 integer knobs only. */
	bad("[proxy a]\nforget = yes\n", -EINVAL, "not a number");
	MT_REQUIRE(load(&c, "[proxy a]\ntable_ttl_ms = 0\npush_max_ms = 60000\n") == 0,
		   "%s", err);
	MT_CHECK_EQ(c.proxies[0].opt[MLAG_P_TABLE_TTL_MS], 0);
	mlag_config_free(&c);
}

static void test_long_line(void)
{
	char text[600];

	snprintf(text, sizeof(text), "[agent]\nstore = /%0400d\n", 0);
	bad(text, -EINVAL, "t.conf:2: line too long");
}

static void test_overrides_bad(void)
{
	struct mlag_config c;

	mlag_config_init(&c);
	MT_CHECK_EQ(mlag_config_override(&c, "nokey", err, sizeof(err)), -EINVAL);
	MT_CHECK(strstr(err, "expected KEY=VALUE"));
	MT_CHECK_EQ(mlag_config_override(&c, "=1", err, sizeof(err)), -EINVAL);
	MT_CHECK_EQ(mlag_config_override(&c, "a/b/c:x=1", err, sizeof(err)), -EINVAL);
	MT_CHECK(strstr(err, "is not a proxy name"));
	MT_CHECK_EQ(mlag_config_override(&c, "a:=1", err, sizeof(err)), -EINVAL);
	MT_CHECK_EQ(mlag_config_add_proxy(&c, "x y", err, sizeof(err)), -EINVAL);
	MT_CHECK_EQ(mlag_config_add_proxy(&c, "", err, sizeof(err)), -EINVAL);
	/* Nothing was added by the failed calls. */
	MT_CHECK_EQ(c.nr_entries, 0);
	mlag_config_free(&c);
}

static void test_file(void)
{
	char path[] = "/tmp/mlagent-conf-XXXXXX";
	struct mlag_config c;
	int fd = mkstemp(path);
	FILE *f;

	MT_REQUIRE(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[agent]\nretention = 7\n[proxy x]\nbogus = 2\n", f);
	fclose(f);
	mlag_config_init(&c);
	MT_CHECK_EQ(mlag_config_load(&c, path, err, sizeof(err)), 0);
	MT_CHECK_EQ(mlag_config_finish(&c, err, sizeof(err)), -EINVAL);
	MT_CHECK(strstr(err, ":4: unknown key 'bogus'") && strstr(err, path), "%s", err);
	mlag_config_free(&c);
	unlink(path);
	mlag_config_init(&c);
	MT_CHECK_EQ(mlag_config_load(&c, path, err, sizeof(err)), -ENOENT);
	MT_CHECK(strstr(err, path));
	mlag_config_free(&c);
}

/* --check prints a configuration that reads back the same. */
static void test_print_roundtrip(void)
{
	struct mlag_config a, b;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	MT_REQUIRE(load(&a, "[agent]\nstore = /x.db\nlog_level = warning\nreport_ms = 0\n"
		"[proxy p/q]\nlearner = linreg\nsigma = 0.3\nhalf_life = 123.5\n"
		"[proxy r]\nrefresh = 0.5\n") == 0, "%s", err);
	f = open_memstream(&text, &len);
	mlag_config_print(&a, f);
	fclose(f);
	MT_REQUIRE(load(&b, text) == 0, "%s\n%s", err, text);
	MT_CHECK(!strcmp(a.store, b.store));
	MT_CHECK_EQ(a.log_level, b.log_level);
	MT_CHECK(!memcmp(a.agent, b.agent, sizeof(a.agent)));
	MT_REQUIRE(a.nr_proxies == b.nr_proxies);
	for (unsigned int i = 0; i < a.nr_proxies; i++)
		MT_CHECK(mlag_proxy_conf_equal(&a.proxies[i], &b.proxies[i]), "%s",
			 a.proxies[i].spec);
	MT_CHECK(!mlag_proxy_conf_equal(&a.proxies[0], &a.proxies[1]));
	free(text);
	mlag_config_free(&a);
	mlag_config_free(&b);
}

static void test_learner_tables(void)
{
	const struct mlag_learner *const *l;
	unsigned int n;

	l = mlag_learners(&n);
	MT_CHECK(n >= 2);
	for (unsigned int i = 0; i < n; i++) {
		MT_CHECK(mlag_learner_find(l[i]->name) == l[i]);
		MT_CHECK(l[i]->nr_params <= MLAG_MAX_LPARAMS, "%s", l[i]->name);
		for (unsigned int j = 0; j < l[i]->nr_params; j++) {
			const struct mlag_param *p = &l[i]->params[j];

			MT_CHECK(p->name && p->help && p->min <= p->def && p->def <= p->max,
				 "%s.%s", l[i]->name, p->name);
			/* A learner parameter never shadows an agent option. */
			MT_CHECK(mlag_param_find(mlag_proxy_params, MLAG_P_COUNT, p->name) < 0,
				 "%s.%s", l[i]->name, p->name);
		}
	}
	MT_CHECK(mlag_learner_find("nope") == NULL);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_defaults);
	MT_RUN(test_sections_and_values);
	MT_RUN(test_later_wins_and_overrides);
	MT_RUN(test_errors);
	MT_RUN(test_booleans_and_ttl_zero);
	MT_RUN(test_long_line);
	MT_RUN(test_overrides_bad);
	MT_RUN(test_file);
	MT_RUN(test_print_roundtrip);
	MT_RUN(test_learner_tables);
	return mt_summary();
}
