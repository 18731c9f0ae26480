// SPDX-License-Identifier: GPL-2.0
/*
 * mlagentd's configuration: INI files read with libinih, overrides, and the
 * resolution of entries into checked values (see config.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <ini.h>
#include "config.h"

const struct mlag_param mlag_agent_params[MLAG_A_COUNT] = {
	[MLAG_A_DISCOVER_MS] = { "discover_ms", 2000, 50, 3600000, true,
		"how often the agent looks for its proxies (and for /dev/ml_lib)" },
	[MLAG_A_COMMIT_MS] = { "commit_ms", 500, 10, 600000, true,
		"the longest a stored record waits in memory: at most this much is lost on a crash" },
	[MLAG_A_COMMIT_RECORDS] = { "commit_records", 4096, 1, 10000000, true,
		"records that end a store batch early" },
	[MLAG_A_RETENTION] = { "retention", 1000000, 0, 1e12, true,
		"samples, outcomes and feedback kept per proxy, each (0: no limit)" },
	[MLAG_A_REPORT_MS] = { "report_ms", 60000, 0, 86400000, true,
		"how often each proxy's mode, efficiency and costs are logged (0: never)" },
};

const struct mlag_param mlag_proxy_params[MLAG_P_COUNT] = {
	[MLAG_P_HEARTBEAT_MS] = { "heartbeat_ms", 1000, 10, 3600000, true,
		"heartbeat period; keep it well below the proxy's heartbeat_timeout_ms" },
	[MLAG_P_PUSH_MIN_MS] = { "push_min_ms", 200, 1, 3600000, true,
		"least time between two pushed tables" },
	[MLAG_P_PUSH_MAX_MS] = { "push_max_ms", 5000, 10, 3600000, true,
		"the table is pushed again at least this often (it stays fresh)" },
	[MLAG_P_TABLE_TTL_MS] = { "table_ttl_ms", 30000, 0, 4294967295.0, true,
		"lifetime of a pushed table in the kernel (0: none); at least 2 * push_max_ms" },
	[MLAG_P_TRAIN_MS] = { "train_ms", 2000, 10, 86400000, true,
		"how often the learner proposes a model and the deploy rule judges it" },
	[MLAG_P_RETRAIN_MS] = { "retrain_ms", 600000, 0, 604800000, true,
		"how often the learner is rebuilt from the store (0: only at start)" },
	[MLAG_P_HALF_LIFE] = { "half_life", 2000, 1, 1e12, false,
		"recency: outcomes of a key after which older data weighs half" },
	[MLAG_P_HELDOUT_PERMILLE] = { "heldout_permille", 200, 10, 900, true,
		"share of decisions (per mille) held out from the learner to judge models" },
	[MLAG_P_HELDOUT_MAX] = { "heldout_max", 50000, 100, 10000000, true,
		"held-out examples kept (the most recent)" },
	[MLAG_P_DEPLOY_MARGIN] = { "deploy_margin", 0.02, 0, 1, false,
		"relative improvement on held-out data a candidate needs to be deployed" },
	[MLAG_P_DEPLOY_Z] = { "deploy_z", 1, 0, 10, false,
		"the improvement must also exceed deploy_z standard errors" },
	[MLAG_P_MIN_SUPPORT] = { "min_support", 2, 0.1, 1e9, false,
		"weighted held-out examples a key needs to be judged" },
	[MLAG_P_FORGET] = { "forget", 0.1, 0, 1, false,
		"on a demotion, the weight of everything learned before is multiplied by this" },
	[MLAG_P_SAMPLE_RECORDS] = { "sample_records", 0, 0, 1048576, true,
		"slots per sample ring, a power of two (0: the kernel's default)" },
	[MLAG_P_FEEDBACK_RECORDS] = { "feedback_records", 0, 0, 1048576, true,
		"slots per feedback ring, a power of two (0: the kernel's default)" },
	[MLAG_P_WAKEUP_MS] = { "wakeup_ms", 0, 0, 60000, true,
		"pending records wake the agent at least this often (0: the kernel's default)" },
	[MLAG_P_STORE_PERMILLE] = { "store_permille", 1000, 0, 1000, true,
		"share of decisions (‰) whose samples and outcomes are stored (a proxy "
		"deciding every block can outrun SQLite; feedback is always stored)" },
	[MLAG_P_SEED] = { "seed", 0, 0, 4294967295.0, true,
		"seed of the learner's random choices (0: from the clock)" },
};

static const char *const level_names[] = {
	[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void mlag_config_init(struct mlag_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	mlag_param_defaults(mlag_agent_params, MLAG_A_COUNT, cfg->agent);
	cfg->log_target = MLAG_LOG_STDERR;
	cfg->log_level = LOG_INFO;
}

static void free_resolved(struct mlag_config *cfg)
{
	free(cfg->store);
	free(cfg->proxies);
	cfg->store = NULL;
	cfg->proxies = NULL;
	cfg->nr_proxies = 0;
}

void mlag_config_free(struct mlag_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nr_entries; i++) {
		free(cfg->entries[i].section);
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
		free(cfg->entries[i].origin);
	}
	free(cfg->entries);
	free_resolved(cfg);
	memset(cfg, 0, sizeof(*cfg));
}

static int add_entry(struct mlag_config *cfg, const char *section,
		     const char *key, const char *value, const char *origin)
{
	struct mlag_conf_entry *e;

	if (cfg->nr_entries == cfg->cap_entries) {
		size_t cap = cfg->cap_entries ? cfg->cap_entries * 2 : 32;

		e = realloc(cfg->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		cfg->entries = e;
		cfg->cap_entries = cap;
	}
	e = &cfg->entries[cfg->nr_entries];
	e->section = strdup(section);
	e->key = key ? strdup(key) : NULL;
	e->value = value ? strdup(value) : NULL;
	e->origin = strdup(origin);
	if (!e->section || (key && !e->key) || (value && !e->value) || !e->origin) {
		free(e->section);
		free(e->key);
		free(e->value);
		free(e->origin);
		return -ENOMEM;
	}
	cfg->nr_entries++;
	return 0;
}

/* A line-counting reader for ini_parse_stream(). */
struct reader {
	FILE *f;
	const char *s;		/* or a string */
	const char *name;
	int line;
	bool too_long;
	struct mlag_config *cfg;
	int err;
};

/*
 * libinih calls the handler for keys only: a section without keys
 * ("[proxy NAME]" alone means "serve it with the defaults") would be lost.
 * Record each section header as a key-less entry, parsed as libinih does:
 * the text between the first '[' (after blanks) and the first ']'.
 */
static void note_section(struct reader *r, const char *line)
{
	const char *end;
	char section[MLAG_SPEC_LEN + 16], origin[512];

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '[')
		return;
	end = strchr(line, ']');
	if (!end || (size_t)(end - line - 1) >= sizeof(section))
		return;		/* libinih reports the syntax error */
	memcpy(section, line + 1, (size_t)(end - line - 1));
	section[end - line - 1] = 0;
	snprintf(origin, sizeof(origin), "%s:%d", r->name, r->line);
	if (add_entry(r->cfg, section, NULL, NULL, origin))
		r->err = -ENOMEM;
}

static char *read_line(char *buf, int num, void *arg)
{
	struct reader *r = arg;
	size_t n;

	if (r->f) {
		if (!fgets(buf, num, r->f))
			return NULL;
	} else {
		const char *nl;

		if (!*r->s)
			return NULL;
		nl = strchr(r->s, '\n');
		n = nl ? (size_t)(nl - r->s) + 1 : strlen(r->s);
		if (n > (size_t)num - 1)
			n = (size_t)num - 1;
		memcpy(buf, r->s, n);
		buf[n] = 0;
		r->s += n;
	}
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		r->line++;
	else if (n == (size_t)num - 1 && !r->too_long)
		r->too_long = true;	/* reported after the parse */
	else if (!r->f ? !*r->s : feof(r->f))
		r->line++;	/* a last line without newline */
	note_section(r, buf);
	return buf;
}

static int on_entry(void *arg, const char *section, const char *key,
		    const char *value)
{
	struct reader *r = arg;
	char origin[512];

	if (r->too_long) {
		r->err = -EINVAL;
		return 0;
	}
	snprintf(origin, sizeof(origin), "%s:%d", r->name, r->line);
	if (add_entry(r->cfg, section, key, value, origin)) {
		r->err = -ENOMEM;
		return 0;
	}
	return 1;
}

static int parse(struct mlag_config *cfg, struct reader *r, char *err,
		 size_t errlen)
{
	int ret = ini_parse_stream(read_line, r, on_entry, r);

	if (r->err == -ENOMEM)
		return -ENOMEM;
	if (r->too_long || r->err) {
		snprintf(err, errlen, "%s:%d: line too long (at most %d characters)",
			 r->name, r->line, INI_MAX_LINE - 2);
		return -EINVAL;
	}
	if (ret > 0) {
		snprintf(err, errlen, "%s:%d: syntax error (expected [section], "
			 "key = value or a ; comment)", r->name, ret);
		return -EINVAL;
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot parse", r->name);
		return -EIO;
	}
	(void)cfg;
	return 0;
}

int mlag_config_load(struct mlag_config *cfg, const char *path, char *err,
		     size_t errlen)
{
	struct reader r = { .name = path, .cfg = cfg };
	int ret;

	r.f = fopen(path, "r");
	if (!r.f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = parse(cfg, &r, err, errlen);
	fclose(r.f);
	return ret;
}

int mlag_config_load_string(struct mlag_config *cfg, const char *text,
			    const char *origin, char *err, size_t errlen)
{
	struct reader r = { .s = text, .name = origin, .cfg = cfg };

	return parse(cfg, &r, err, errlen);
}

bool mlag_spec_valid(const char *spec)
{
	const char *slash = strchr(spec, '/'), *p;
	size_t n = strlen(spec);

	if (!n || n >= MLAG_SPEC_LEN)
		return false;
	for (p = spec; *p; p++)
		if (!isgraph((unsigned char)*p) || *p == '[' || *p == ']')
			return false;
	if (!slash)
		return n < ML_LIB_NAME_LEN;
	return slash != spec && slash[1] && !strchr(slash + 1, '/') &&
	       (size_t)(slash - spec) < ML_LIB_NAME_LEN &&
	       strlen(slash + 1) < ML_LIB_NAME_LEN;
}

int mlag_config_add_proxy(struct mlag_config *cfg, const char *spec, char *err,
			  size_t errlen)
{
	char section[MLAG_SPEC_LEN + 8];

	if (!mlag_spec_valid(spec)) {
		snprintf(err, errlen, "'%s' is not a proxy name (SUBSYSTEM/NAME or NAME)",
			 spec);
		return -EINVAL;
	}
	snprintf(section, sizeof(section), "proxy %s", spec);
	return add_entry(cfg, section, NULL, NULL, "command line");
}

int mlag_config_override(struct mlag_config *cfg, const char *text, char *err,
			 size_t errlen)
{
	char buf[512], section[MLAG_SPEC_LEN + 8];
	char *eq, *colon, *key = buf;

	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "override too long");
		return -EINVAL;
	}
	strcpy(buf, text);
	eq = strchr(buf, '=');
	if (!eq || eq == buf) {
		snprintf(err, errlen, "'%s': expected KEY=VALUE or PROXY:KEY=VALUE", text);
		return -EINVAL;
	}
	*eq = 0;
	colon = strrchr(buf, ':');
	strcpy(section, "agent");
	if (colon) {
		*colon = 0;
		if (!mlag_spec_valid(buf)) {
			snprintf(err, errlen, "'%s': '%s' is not a proxy name", text, buf);
			return -EINVAL;
		}
		snprintf(section, sizeof(section), "proxy %.*s", MLAG_SPEC_LEN - 1, buf);
		key = colon + 1;
	}
	if (!*key) {
		snprintf(err, errlen, "'%s': no key", text);
		return -EINVAL;
	}
	return add_entry(cfg, section, key, eq + 1, "command line");
}

/* The proxy section's index in cfg->proxies, created if new. */
static int proxy_index(struct mlag_config *cfg, const char *spec)
{
	struct mlag_proxy_conf *p;
	unsigned int i;

	for (i = 0; i < cfg->nr_proxies; i++)
		if (!strcmp(cfg->proxies[i].spec, spec))
			return (int)i;
	p = realloc(cfg->proxies, (cfg->nr_proxies + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	cfg->proxies = p;
	p = &cfg->proxies[cfg->nr_proxies];
	memset(p, 0, sizeof(*p));
	snprintf(p->spec, sizeof(p->spec), "%s", spec);
	p->learner = &mlag_learner_contextual;
	mlag_param_defaults(mlag_proxy_params, MLAG_P_COUNT, p->opt);
	return (int)cfg->nr_proxies++;
}

__attribute__((format(printf, 4, 5)))
static int bad(char *err, size_t errlen, const struct mlag_conf_entry *e,
	       const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", e->origin, msg);
	return -EINVAL;
}

static int agent_entry(struct mlag_config *cfg, const struct mlag_conf_entry *e,
		       char *err, size_t errlen)
{
	char msg[256];
	int i, ret;

	if (!strcmp(e->key, "store")) {
		if (!*e->value)
			return bad(err, errlen, e, "store: empty path");
		free(cfg->store);
		cfg->store = strdup(e->value);
		return cfg->store ? 0 : -ENOMEM;
	}
	if (!strcmp(e->key, "log")) {
		if (!strcmp(e->value, "stderr"))
			cfg->log_target = MLAG_LOG_STDERR;
		else if (!strcmp(e->value, "syslog"))
			cfg->log_target = MLAG_LOG_SYSLOG;
		else
			return bad(err, errlen, e, "log: '%s' is not stderr or syslog",
				   e->value);
		return 0;
	}
	if (!strcmp(e->key, "log_level")) {
		for (i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++) {
			if (level_names[i] && !strcmp(level_names[i], e->value)) {
				cfg->log_level = i;
				return 0;
			}
		}
		return bad(err, errlen, e,
			   "log_level: '%s' is not error, warning, info or debug", e->value);
	}
	i = mlag_param_find(mlag_agent_params, MLAG_A_COUNT, e->key);
	if (i < 0)
		return bad(err, errlen, e, "unknown key '%s' in [agent]", e->key);
	ret = mlag_param_parse(&mlag_agent_params[i], e->value, &cfg->agent[i],
			       msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "%s: %s", e->origin, msg);
		return ret;
	}
	return 0;
}

static bool power_of_two_or_zero(double v)
{
	uint64_t n = (uint64_t)v;

	return !(n & (n - 1));
}

/* Resolve the entries of [proxy @spec]: the learner first, then the rest. */
static int proxy_entries(struct mlag_config *cfg, const char *section,
			 char *err, size_t errlen)
{
	const char *spec = section + strlen("proxy ");
	struct mlag_proxy_conf *p;
	const struct mlag_conf_entry *lrn = NULL;
	char msg[256];
	size_t i;
	int idx, k, ret;

	idx = proxy_index(cfg, spec);
	if (idx < 0)
		return idx;
	p = &cfg->proxies[idx];
	for (i = 0; i < cfg->nr_entries; i++) {
		const struct mlag_conf_entry *e = &cfg->entries[i];

		if (!strcmp(e->section, section) && e->key && !strcmp(e->key, "learner"))
			lrn = e;
	}
	if (lrn) {
		p->learner = mlag_learner_find(lrn->value);
		if (!p->learner)
			return bad(err, errlen, lrn, "unknown learner '%s' (mlagentd "
				   "--list-params lists them)", lrn->value);
	}
	mlag_param_defaults(p->learner->params, p->learner->nr_params, p->lparam);
	for (i = 0; i < cfg->nr_entries; i++) {
		const struct mlag_conf_entry *e = &cfg->entries[i];
		const struct mlag_param *d;
		double *v;

		if (strcmp(e->section, section) || !e->key || !strcmp(e->key, "learner"))
			continue;
		k = mlag_param_find(mlag_proxy_params, MLAG_P_COUNT, e->key);
		if (k >= 0) {
			d = &mlag_proxy_params[k];
			v = &p->opt[k];
		} else {
			k = mlag_param_find(p->learner->params, p->learner->nr_params,
					    e->key);
			if (k < 0)
				return bad(err, errlen, e, "unknown key '%s' for learner %s "
					   "in [%s]", e->key, p->learner->name, section);
			d = &p->learner->params[k];
			v = &p->lparam[k];
		}
		ret = mlag_param_parse(d, e->value, v, msg, sizeof(msg));
		if (ret) {
			snprintf(err, errlen, "%s: %s", e->origin, msg);
			return ret;
		}
	}
	if (!power_of_two_or_zero(p->opt[MLAG_P_SAMPLE_RECORDS]) ||
	    !power_of_two_or_zero(p->opt[MLAG_P_FEEDBACK_RECORDS])) {
		snprintf(err, errlen, "[%s]: sample_records and feedback_records "
			 "must be powers of two", section);
		return -EINVAL;
	}
	if (p->opt[MLAG_P_PUSH_MIN_MS] > p->opt[MLAG_P_PUSH_MAX_MS]) {
		snprintf(err, errlen, "[%s]: push_min_ms is above push_max_ms", section);
		return -EINVAL;
	}
	if (p->opt[MLAG_P_TABLE_TTL_MS] &&
	    p->opt[MLAG_P_TABLE_TTL_MS] < 2 * p->opt[MLAG_P_PUSH_MAX_MS]) {
		snprintf(err, errlen, "[%s]: table_ttl_ms must be 0 or at least "
			 "2 * push_max_ms (tables would expire between pushes)", section);
		return -EINVAL;
	}
	return 0;
}

int mlag_config_finish(struct mlag_config *cfg, char *err, size_t errlen)
{
	size_t i, j;
	int ret;

	free_resolved(cfg);
	mlag_param_defaults(mlag_agent_params, MLAG_A_COUNT, cfg->agent);
	cfg->log_target = MLAG_LOG_STDERR;
	cfg->log_level = LOG_INFO;
	cfg->store = strdup(MLAG_DEFAULT_STORE);
	if (!cfg->store)
		return -ENOMEM;
	for (i = 0; i < cfg->nr_entries; i++) {
		const struct mlag_conf_entry *e = &cfg->entries[i];

		if (!strcmp(e->section, "agent")) {
			if (!e->key)
				continue;
			ret = agent_entry(cfg, e, err, errlen);
		} else if (!strncmp(e->section, "proxy ", 6)) {
			if (!mlag_spec_valid(e->section + 6))
				return bad(err, errlen, e, "[%s]: '%s' is not a proxy name "
					   "(SUBSYSTEM/NAME or NAME)", e->section,
					   e->section + 6);
			/* Each section once, at its first entry. */
			for (j = 0; j < i; j++)
				if (!strcmp(cfg->entries[j].section, e->section))
					break;
			if (j < i)
				continue;
			ret = proxy_entries(cfg, e->section, err, errlen);
		} else {
			return bad(err, errlen, e, "unknown section [%s] (expected [agent] "
				   "or [proxy SUBSYSTEM/NAME])", e->section);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static void print_params(FILE *f, const struct mlag_param *p, unsigned int n,
			 const double *v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s = %.15g\n", p[i].name, v[i]);
}

void mlag_config_print(const struct mlag_config *cfg, FILE *f)
{
	unsigned int i;

	fprintf(f, "[agent]\nstore = %s\nlog = %s\nlog_level = %s\n",
		cfg->store ? cfg->store : MLAG_DEFAULT_STORE,
		cfg->log_target == MLAG_LOG_SYSLOG ? "syslog" : "stderr",
		level_names[cfg->log_level]);
	print_params(f, mlag_agent_params, MLAG_A_COUNT, cfg->agent);
	for (i = 0; i < cfg->nr_proxies; i++) {
		const struct mlag_proxy_conf *p = &cfg->proxies[i];

		fprintf(f, "\n[proxy %s]\nlearner = %s\n", p->spec, p->learner->name);
		print_params(f, mlag_proxy_params, MLAG_P_COUNT, p->opt);
		print_params(f, p->learner->params, p->learner->nr_params, p->lparam);
	}
}

bool mlag_proxy_conf_equal(const struct mlag_proxy_conf *a,
			   const struct mlag_proxy_conf *b)
{
	return !strcmp(a->spec, b->spec) && a->learner == b->learner &&
	       !memcmp(a->opt, b->opt, sizeof(a->opt)) &&
	       !memcmp(a->lparam, b->lparam,
		       a->learner->nr_params * sizeof(a->lparam[0]));
}
