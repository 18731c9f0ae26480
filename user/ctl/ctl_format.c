// SPDX-License-Identifier: GPL-2.0
/*
 * mlctl's output. JSON is written by hand: the output is a few flat objects
 * of numbers and short names, and a JSON library (jansson) would only add a
 * dependency to the static binary that the guest runs, for no parsing.
 */
#include <inttypes.h>
#include <string.h>
#include "mlagent.h"
#include "ctl_format.h"

static const char *name_or(const char *name, const char *unknown)
{
	return name ? name : unknown;
}

void fmt_proxy_name(char *buf, const struct ml_lib_proxy_info *info)
{
	snprintf(buf, CTL_PROXY_NAME_LEN, "%.*s/%.*s",
		 (int)strnlen(info->subsystem, ML_LIB_NAME_LEN), info->subsystem,
		 (int)strnlen(info->name, ML_LIB_NAME_LEN), info->name);
}

void fmt_milli(char *buf, size_t len, long long milli)
{
	unsigned long long m = milli < 0 ? 0ull - (unsigned long long)milli :
					   (unsigned long long)milli;

	snprintf(buf, len, "%s%llu.%03llu", milli < 0 ? "-" : "", m / 1000, m % 1000);
}

void fmt_bp(char *buf, size_t len, long long bp)
{
	if (bp < 0)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%lld.%02lld%%", bp / 100, bp % 100);
}

static const char *mode_of(unsigned int mode)
{
	return name_or(mla_mode_name(mode), "?");
}

static void flags_text(char *buf, size_t len, unsigned int flags)
{
	snprintf(buf, len, "%s%s%s",
		 flags & ML_LIB_INFO_STARTED ? "started" : "stopped",
		 flags & ML_LIB_INFO_ATTACHED ? ",attached" : "",
		 flags & ML_LIB_INFO_PINNED ? ",pinned" : "");
}

void fmt_list(FILE *f, const struct ml_lib_proxy_info *v, int n)
{
	char name[CTL_PROXY_NAME_LEN], flags[64];
	int i;

	fprintf(f, "%5s  %-40s %-15s %s\n", "ID", "PROXY", "MODE", "STATE");
	for (i = 0; i < n; i++) {
		fmt_proxy_name(name, &v[i]);
		flags_text(flags, sizeof(flags), v[i].flags);
		fprintf(f, "%5u  %-40s %-15s %s\n", v[i].id, name,
			mode_of(v[i].mode), flags);
	}
}

void fmt_json_string(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_info(FILE *f, const struct ml_lib_proxy_info *info)
{
	fprintf(f, "\"id\":%u,\"subsystem\":", info->id);
	fmt_json_string(f, info->subsystem, ML_LIB_NAME_LEN);
	fputs(",\"name\":", f);
	fmt_json_string(f, info->name, ML_LIB_NAME_LEN);
}

void fmt_list_json(FILE *f, const struct ml_lib_proxy_info *v, int n)
{
	int i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",{" : "{", f);
		json_info(f, &v[i]);
		fprintf(f, ",\"mode\":\"%s\",\"attached\":%s,\"started\":%s,\"pinned\":%s}",
			mode_of(v[i].mode),
			v[i].flags & ML_LIB_INFO_ATTACHED ? "true" : "false",
			v[i].flags & ML_LIB_INFO_STARTED ? "true" : "false",
			v[i].flags & ML_LIB_INFO_PINNED ? "true" : "false");
	}
	fputs("]\n", f);
}

static const char *yes_no(unsigned int v)
{
	return v ? "yes" : "no";
}

static void arm_line(FILE *f, const char *name, const struct ml_lib_arm_stats *a)
{
	char mean[32], sd[32];

	fmt_milli(mean, sizeof(mean), a->mean_milli);
	fmt_milli(sd, sizeof(sd), a->stddev_milli);
	fprintf(f, "  %-8s %12" PRIu64 " %12" PRIu64 " %14s %14s\n", name,
		(uint64_t)a->decisions, (uint64_t)a->outcomes, mean, sd);
}

void fmt_status(FILE *f, const struct ml_lib_proxy_info *info,
		const struct ml_lib_status *st)
{
	char name[CTL_PROXY_NAME_LEN], eff[32], share[32];

	fmt_proxy_name(name, info);
	fmt_bp(eff, sizeof(eff), st->efficiency_bp);
	fmt_bp(share, sizeof(share), st->share_bp);
	fprintf(f, "proxy:          %s (id %u)\n", name, info->id);
	fprintf(f, "mode:           %s%s (last change: %s)\n", mode_of(st->mode),
		st->pinned ? ", pinned" : "",
		name_or(mla_reason_name(st->mode_reason), "?"));
	fprintf(f, "state:          %s, critical: %s\n",
		st->started ? "started" : "stopped", yes_no(st->critical));
	if (st->attached)
		fprintf(f, "agent:          pid %u, last heartbeat %" PRIu64 " ms ago\n",
			st->agent_pid, (uint64_t)st->heartbeat_age_ms);
	else
		fprintf(f, "agent:          none\n");
	fprintf(f, "ml share:       %s\n", share);
	fprintf(f, "efficiency:     %s%s\n", eff,
		st->efficiency_bp >= 0 ? " (ML mean cost / default mean cost)" : "");
	fprintf(f, "table version:  %" PRIu64 "%s\n", (uint64_t)st->table_version,
		st->table_version ? "" : " (none)");
	fprintf(f, "model version:  %" PRIu64 "%s\n", (uint64_t)st->model_version,
		st->model_version ? "" : " (none)");
	fprintf(f, "samples:        %" PRIu64 " published, %" PRIu64 " dropped, %"
		PRIu64 " unconsumed, %" PRIu64 " filtered\n", (uint64_t)st->published,
		(uint64_t)st->dropped, (uint64_t)st->unconsumed, (uint64_t)st->filtered);
	fprintf(f, "wake-ups:       %" PRIu64 "\n", (uint64_t)st->wakeups);
	fprintf(f, "feedback:       %" PRIu64 " dropped\n",
		(uint64_t)st->feedback_dropped);
	fprintf(f, "tables:         %" PRIu64 " accepted, %" PRIu64 " rejected\n",
		(uint64_t)st->recs_accepted, (uint64_t)st->recs_rejected);
	fprintf(f, "models:         %" PRIu64 " accepted, %" PRIu64 " rejected\n",
		(uint64_t)st->models_accepted, (uint64_t)st->models_rejected);
	fprintf(f, "bad requests:   %" PRIu64 "\n", (uint64_t)st->bad_requests);
	fprintf(f, "mode changes:   %" PRIu64 "\n", (uint64_t)st->mode_changes);
	fprintf(f, "  %-8s %12s %12s %14s %14s\n", "ARM", "DECISIONS", "OUTCOMES",
		"MEAN COST", "STDDEV");
	arm_line(f, "default", &st->arms[ML_LIB_ARM_DEFAULT]);
	arm_line(f, "ml", &st->arms[ML_LIB_ARM_ML]);
}

static void json_arm(FILE *f, const struct ml_lib_arm_stats *a)
{
	fprintf(f, "{\"decisions\":%" PRIu64 ",\"outcomes\":%" PRIu64
		",\"mean_milli\":%" PRId64 ",\"stddev_milli\":%" PRId64 "}",
		(uint64_t)a->decisions, (uint64_t)a->outcomes,
		(int64_t)a->mean_milli, (int64_t)a->stddev_milli);
}

static void json_status(FILE *f, const struct ml_lib_proxy_info *info,
			const struct ml_lib_status *st)
{
	fputc('{', f);
	json_info(f, info);
	fprintf(f, ",\"mode\":\"%s\",\"pinned\":%s,\"reason\":\"%s\"",
		mode_of(st->mode), st->pinned ? "true" : "false",
		name_or(mla_reason_name(st->mode_reason), "?"));
	fprintf(f, ",\"attached\":%s,\"started\":%s,\"critical\":%s",
		st->attached ? "true" : "false", st->started ? "true" : "false",
		st->critical ? "true" : "false");
	if (st->efficiency_bp < 0)
		fputs(",\"efficiency_bp\":null", f);
	else
		fprintf(f, ",\"efficiency_bp\":%d", (int)st->efficiency_bp);
	fprintf(f, ",\"share_bp\":%u,\"agent_pid\":%u", st->share_bp, st->agent_pid);
#define J(field) fprintf(f, ",\"" #field "\":%" PRIu64, (uint64_t)st->field)
	J(table_version);
	J(model_version);
	J(heartbeat_age_ms);
	J(published);
	J(dropped);
	J(unconsumed);
	J(feedback_dropped);
	J(recs_accepted);
	J(recs_rejected);
	J(models_accepted);
	J(models_rejected);
	J(bad_requests);
	J(mode_changes);
	J(filtered);
	J(wakeups);
#undef J
	fputs(",\"arms\":{\"default\":", f);
	json_arm(f, &st->arms[ML_LIB_ARM_DEFAULT]);
	fputs(",\"ml\":", f);
	json_arm(f, &st->arms[ML_LIB_ARM_ML]);
	fputs("}}", f);
}

void fmt_status_json(FILE *f, const struct ml_lib_proxy_info *info,
		     const struct ml_lib_status *st)
{
	json_status(f, info, st);
	fputc('\n', f);
}

void fmt_status_table(FILE *f, const struct ml_lib_proxy_info *v,
		      const struct ml_lib_status *st, int n)
{
	char name[CTL_PROXY_NAME_LEN], eff[32], share[32];
	int i;

	fprintf(f, "%5s  %-32s %-15s %-10s %10s %8s %12s %10s\n", "ID", "PROXY",
		"MODE", "REASON", "EFFICIENCY", "ML-SHARE", "PUBLISHED", "DROPPED");
	for (i = 0; i < n; i++) {
		fmt_proxy_name(name, &v[i]);
		fmt_bp(eff, sizeof(eff), st[i].efficiency_bp);
		fmt_bp(share, sizeof(share), st[i].share_bp);
		fprintf(f, "%5u  %-32s %-15s %-10s %10s %8s %12" PRIu64 " %10" PRIu64 "\n",
			v[i].id, name, mode_of(st[i].mode),
			name_or(mla_reason_name(st[i].mode_reason), "?"), eff, share,
			(uint64_t)st[i].published, (uint64_t)st[i].dropped);
	}
}

/* Per-second rate of a counter, as text: "-" with no previous view. */
static void rate(char *buf, size_t len, const struct ml_lib_status *prev,
		 uint64_t before, uint64_t now, unsigned long long elapsed_ms)
{
	if (!prev || !elapsed_ms || now < before) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_milli(buf, len, (long long)((now - before) * 1000000ull / elapsed_ms));
}

void fmt_watch(FILE *f, const struct ml_lib_proxy_info *info,
	       const struct ml_lib_status *prev, const struct ml_lib_status *cur,
	       unsigned long long elapsed_ms)
{
	static const struct ml_lib_status zero;
	const struct ml_lib_status *p = prev ? prev : &zero;
	char r[6][32];

	fmt_status(f, info, cur);
	rate(r[0], sizeof(r[0]), prev, p->published, cur->published, elapsed_ms);
	rate(r[1], sizeof(r[1]), prev, p->dropped, cur->dropped, elapsed_ms);
	rate(r[2], sizeof(r[2]), prev, p->arms[0].decisions, cur->arms[0].decisions,
	     elapsed_ms);
	rate(r[3], sizeof(r[3]), prev, p->arms[1].decisions, cur->arms[1].decisions,
	     elapsed_ms);
	rate(r[4], sizeof(r[4]), prev, p->arms[0].outcomes + p->arms[1].outcomes,
	     cur->arms[0].outcomes + cur->arms[1].outcomes, elapsed_ms);
	rate(r[5], sizeof(r[5]), prev, p->mode_changes, cur->mode_changes, elapsed_ms);
	fprintf(f, "rates (/s):     published %s, dropped %s, decisions default %s"
		" ml %s, outcomes %s, mode changes %s\n",
		r[0], r[1], r[2], r[3], r[4], r[5]);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s, size_t max)
{
	size_t n = strnlen(s, max), i;

	if (strcspn(s, ",\"\r\n") >= n) {
		fprintf(f, "%.*s", (int)n, s);
		return;
	}
	fputc('"', f);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

void fmt_samples_header(FILE *f, const struct ml_lib_schema *schema, bool csv)
{
	uint32_t i, n = schema->nr_features;

	if (n > ML_LIB_MAX_FEATURES)
		n = ML_LIB_MAX_FEATURES;
	if (csv) {
		fputs("ts_ns,cpu,key,decision_id", f);
		for (i = 0; i < n; i++) {
			fputc(',', f);
			csv_field(f, schema->features[i].name, ML_LIB_NAME_LEN);
		}
		fputc('\n', f);
		return;
	}
	fprintf(f, "%20s %4s %20s %20s", "TS_NS", "CPU", "KEY", "DECISION");
	for (i = 0; i < n; i++) {
		const struct ml_lib_feature_desc *d = &schema->features[i];
		char col[ML_LIB_NAME_LEN + ML_LIB_UNIT_LEN + 4];

		if (d->unit[0])
			snprintf(col, sizeof(col), "%.*s(%.*s)",
				 (int)strnlen(d->name, ML_LIB_NAME_LEN), d->name,
				 (int)strnlen(d->unit, ML_LIB_UNIT_LEN), d->unit);
		else
			snprintf(col, sizeof(col), "%.*s",
				 (int)strnlen(d->name, ML_LIB_NAME_LEN), d->name);
		fprintf(f, " %20s", col);
	}
	fputc('\n', f);
}

void fmt_sample(FILE *f, const struct ml_lib_schema *schema,
		const struct ml_lib_sample *s, unsigned int cpu, bool csv)
{
	uint32_t i, n = schema->nr_features;

	if (n > ML_LIB_MAX_FEATURES)
		n = ML_LIB_MAX_FEATURES;
	if (csv) {
		fprintf(f, "%" PRIu64 ",%u,%" PRIu64 ",%" PRIu64, (uint64_t)s->ts_ns,
			cpu, (uint64_t)s->key, (uint64_t)s->decision_id);
		for (i = 0; i < n; i++)
			fprintf(f, ",%" PRId64, (int64_t)s->features[i]);
	} else {
		fprintf(f, "%20" PRIu64 " %4u %20" PRIu64 " %20" PRIu64,
			(uint64_t)s->ts_ns, cpu, (uint64_t)s->key,
			(uint64_t)s->decision_id);
		for (i = 0; i < n; i++)
			fprintf(f, " %20" PRId64, (int64_t)s->features[i]);
	}
	fputc('\n', f);
}
