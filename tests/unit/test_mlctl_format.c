// SPDX-License-Identifier: GPL-2.0
/* Host tests of mlctl's output: tables, JSON, CSV, the watch view. */
#include <stdlib.h>
#include "ctl_format.h"
#include "mlagent.h"
#include "mltest.h"

static char *out;
static size_t out_len;

static FILE *capture(void)
{
	free(out);
	out = NULL;
	return open_memstream(&out, &out_len);
}

/* Checks on texts (MT_CHECK would use a condition's "%" as a format). */
static void check_str(int line, const char *got, const char *want)
{
	if (strcmp(got, want))
		mt_fail_at(__FILE__, line, "got '%s', want '%s'", got, want);
}

static void check_has(int line, const char *want)
{
	if (!strstr(out, want))
		mt_fail_at(__FILE__, line, "no '%s' in:\n%s", want, out);
}

#define CHECK_STR(got, want) check_str(__LINE__, got, want)
#define CHECK_HAS(want) check_has(__LINE__, want)

static struct ml_lib_proxy_info info(uint32_t id, const char *sub, const char *name,
				     uint8_t mode, uint8_t flags)
{
	struct ml_lib_proxy_info p = { .id = id, .mode = mode, .flags = flags };

	snprintf(p.subsystem, sizeof(p.subsystem), "%s", sub);
	snprintf(p.name, sizeof(p.name), "%s", name);
	return p;
}

static struct ml_lib_status status(void)
{
	return (struct ml_lib_status){
		.mode = ML_LIB_MODE_COLLABORATION, .pinned = 1,
		.mode_reason = ML_LIB_REASON_PROMOTED, .attached = 1,
		.started = 1, .efficiency_bp = 9321, .share_bp = 5000,
		.agent_pid = 42, .table_version = 3, .heartbeat_age_ms = 120,
		.published = 1000, .dropped = 2, .unconsumed = 5,
		.feedback_dropped = 1, .recs_accepted = 4, .recs_rejected = 1,
		.bad_requests = 7, .mode_changes = 3, .filtered = 9, .wakeups = 11,
		.arms = {
			{ .decisions = 500, .outcomes = 490, .mean_milli = 12345,
			  .stddev_milli = 1500 },
			{ .decisions = 510, .outcomes = 505, .mean_milli = -5,
			  .stddev_milli = 0 },
		},
	};
}

static void test_numbers(void)
{
	char b[32];

	fmt_milli(b, sizeof(b), 12345);
	MT_CHECK(!strcmp(b, "12.345"), "%s", b);
	fmt_milli(b, sizeof(b), -5);
	MT_CHECK(!strcmp(b, "-0.005"), "%s", b);
	fmt_milli(b, sizeof(b), 0);
	MT_CHECK(!strcmp(b, "0.000"), "%s", b);
	fmt_milli(b, sizeof(b), INT64_MIN);
	MT_CHECK(!strcmp(b, "-9223372036854775.808"), "%s", b);
	fmt_bp(b, sizeof(b), 9321);
	CHECK_STR(b, "93.21%");
	fmt_bp(b, sizeof(b), 5);
	CHECK_STR(b, "0.05%");
	fmt_bp(b, sizeof(b), 12000);
	CHECK_STR(b, "120.00%");
	fmt_bp(b, sizeof(b), -1);
	MT_CHECK(!strcmp(b, "unknown"), "%s", b);
}

static void test_proxy_name(void)
{
	struct ml_lib_proxy_info p = info(1, "demo", "synthetic", 0, 0);
	char b[CTL_PROXY_NAME_LEN];

	fmt_proxy_name(b, &p);
	MT_CHECK(!strcmp(b, "demo/synthetic"), "%s", b);
	/* Names that fill their field without a NUL are cut, never overrun. */
	memset(p.subsystem, 'a', sizeof(p.subsystem));
	memset(p.name, 'b', sizeof(p.name));
	fmt_proxy_name(b, &p);
	MT_CHECK_EQ(strlen(b), CTL_PROXY_NAME_LEN - 1);
	MT_CHECK_EQ(strchr(b, '/') - b, ML_LIB_NAME_LEN);
}

static void test_list(void)
{
	struct ml_lib_proxy_info v[2] = {
		info(3, "logblk", "placement", ML_LIB_MODE_LEARNING,
		     ML_LIB_INFO_STARTED | ML_LIB_INFO_ATTACHED),
		info(7, "demo", "syn\"th", ML_LIB_MODE_EMERGENCY, ML_LIB_INFO_PINNED),
	};
	FILE *f = capture();

	fmt_list(f, v, 2);
	fclose(f);
	MT_CHECK(!strncmp(out, "   ID  PROXY ", 13), "header: %s", out);
	MT_CHECK(strstr(out, "\n    3  logblk/placement") != NULL, "%s", out);
	MT_CHECK(strstr(out, "learning        started,attached\n") != NULL, "%s", out);
	MT_CHECK(strstr(out, "emergency       stopped,pinned\n") != NULL, "%s", out);
	f = capture();
	fmt_list_json(f, v, 2);
	fclose(f);
	MT_CHECK(!strcmp(out,
		"[{\"id\":3,\"subsystem\":\"logblk\",\"name\":\"placement\",\"mode\":\"learning\","
		"\"attached\":true,\"started\":true,\"pinned\":false},"
		"{\"id\":7,\"subsystem\":\"demo\",\"name\":\"syn\\\"th\",\"mode\":\"emergency\","
		"\"attached\":false,\"started\":false,\"pinned\":true}]\n"), "%s", out);
	f = capture();
	fmt_list_json(f, v, 0);
	fclose(f);
	MT_CHECK(!strcmp(out, "[]\n"), "%s", out);
}

static void test_json_string(void)
{
	FILE *f = capture();

	fmt_json_string(f, "a\\b\"c\n\x01z", 64);
	fmt_json_string(f, "abcdef", 3);
	fclose(f);
	MT_CHECK(!strcmp(out, "\"a\\\\b\\\"c\\u000a\\u0001z\"\"abc\""), "%s", out);
}

static void test_status(void)
{
	struct ml_lib_proxy_info p = info(7, "demo", "synthetic", 0, 0);
	struct ml_lib_status st = status();
	FILE *f = capture();

	fmt_status(f, &p, &st);
	fclose(f);
	MT_CHECK(strstr(out, "proxy:          demo/synthetic (id 7)\n") != NULL, "%s", out);
	MT_CHECK(strstr(out, "mode:           collaboration, pinned (last change: promoted)\n"),
		 "%s", out);
	MT_CHECK(strstr(out, "agent:          pid 42, last heartbeat 120 ms ago\n"), "%s", out);
	CHECK_HAS("ml share:       50.00%\n");
	CHECK_HAS("efficiency:     93.21% (ML mean cost / default mean cost)\n");
	MT_CHECK(strstr(out, "table version:  3\n"), "%s", out);
	MT_CHECK(strstr(out, "model version:  0 (none)\n"), "%s", out);
	MT_CHECK(strstr(out, "samples:        1000 published, 2 dropped, 5 unconsumed, "
			 "9 filtered\n"), "%s", out);
	MT_CHECK(strstr(out, "wake-ups:       11\n"), "%s", out);
	MT_CHECK(strstr(out, "tables:         4 accepted, 1 rejected\n"), "%s", out);
	MT_CHECK(strstr(out, "  default           500          490         12.345          1.500\n"),
		 "%s", out);
	MT_CHECK(strstr(out, "  ml                510          505         -0.005          0.000\n"),
		 "%s", out);
	st.attached = 0;
	st.efficiency_bp = -1;
	f = capture();
	fmt_status(f, &p, &st);
	fclose(f);
	MT_CHECK(strstr(out, "agent:          none\n"), "%s", out);
	MT_CHECK(strstr(out, "efficiency:     unknown\n"), "%s", out);
}

static void test_status_json(void)
{
	static const char want[] =
		"{\"id\":7,\"subsystem\":\"demo\",\"name\":\"synthetic\",\"mode\":\"collaboration\","
		"\"pinned\":true,\"reason\":\"promoted\",\"attached\":true,\"started\":true,"
		"\"critical\":false,\"efficiency_bp\":9321,\"share_bp\":5000,\"agent_pid\":42,"
		"\"table_version\":3,\"model_version\":0,\"heartbeat_age_ms\":120,"
		"\"published\":1000,\"dropped\":2,\"unconsumed\":5,\"feedback_dropped\":1,"
		"\"recs_accepted\":4,\"recs_rejected\":1,\"models_accepted\":0,"
		"\"models_rejected\":0,\"bad_requests\":7,\"mode_changes\":3,"
		"\"filtered\":9,\"wakeups\":11,"
		"\"arms\":{\"default\":{\"decisions\":500,\"outcomes\":490,\"mean_milli\":12345,"
		"\"stddev_milli\":1500},\"ml\":{\"decisions\":510,\"outcomes\":505,"
		"\"mean_milli\":-5,\"stddev_milli\":0}}}\n";
	struct ml_lib_proxy_info p = info(7, "demo", "synthetic", 0, 0);
	struct ml_lib_status st = status();
	FILE *f = capture();

	fmt_status_json(f, &p, &st);
	st.efficiency_bp = -1;
	st.mode_reason = 999;
	fmt_status_json(f, &p, &st);
	fclose(f);
	MT_CHECK(!strncmp(out, want, strlen(want)), "%s", out);
	MT_CHECK(strstr(out, "\"reason\":\"?\"") != NULL, "unknown reason: %s", out);
	MT_CHECK(strstr(out, "\"efficiency_bp\":null") != NULL, "null: %s", out);
}

static void test_status_table(void)
{
	struct ml_lib_proxy_info v[2] = {
		info(3, "logblk", "placement", 0, 0),
		info(7, "demo", "synthetic", 0, 0),
	};
	struct ml_lib_status st[2] = { status(), status() };
	FILE *f = capture();

	st[1].efficiency_bp = -1;
	st[1].mode = ML_LIB_MODE_EMERGENCY;
	st[1].mode_reason = ML_LIB_REASON_DETACHED;
	fmt_status_table(f, v, st, 2);
	fclose(f);
	MT_CHECK(strstr(out, "   ID  PROXY") == out, "%s", out);
	CHECK_HAS("    3  logblk/placement                 collaboration   promoted       93.21%   50.00%         1000          2\n");
	CHECK_HAS("    7  demo/synthetic                   emergency       detached      unknown   50.00%");
}

static void test_watch(void)
{
	struct ml_lib_proxy_info p = info(7, "demo", "synthetic", 0, 0);
	struct ml_lib_status a = status(), b = status();
	FILE *f = capture();

	fmt_watch(f, &p, NULL, &a, 0);
	fclose(f);
	MT_CHECK(strstr(out, "rates (/s):     published -, dropped -,") != NULL, "%s", out);
	b.published += 500;
	b.arms[1].decisions += 250;
	b.arms[0].outcomes += 1;
	f = capture();
	fmt_watch(f, &p, &a, &b, 2000);
	fclose(f);
	MT_CHECK(strstr(out, "proxy:          demo/synthetic (id 7)\n") != NULL, "%s", out);
	MT_CHECK(strstr(out, "rates (/s):     published 250.000, dropped 0.000, decisions default 0.000 ml 125.000, outcomes 0.500, mode changes 0.000\n"),
		 "%s", out);
	/* A counter that went backwards (reinit) has no rate. */
	b.published = 0;
	f = capture();
	fmt_watch(f, &p, &a, &b, 2000);
	fclose(f);
	MT_CHECK(strstr(out, "published -, dropped 0.000") != NULL, "%s", out);
}

static void test_samples(void)
{
	struct ml_lib_schema sc = { .nr_features = 2 };
	union {
		struct ml_lib_sample s;
		unsigned char raw[sizeof(struct ml_lib_sample) + 2 * 8];
	} u = { .s = { .ts_ns = 123456789, .key = 5, .decision_id = 0 } };
	FILE *f;

	snprintf(sc.features[0].name, ML_LIB_NAME_LEN, "lat");
	snprintf(sc.features[0].unit, ML_LIB_UNIT_LEN, "ns");
	snprintf(sc.features[1].name, ML_LIB_NAME_LEN, "odd,name");
	u.s.features[0] = -42;
	u.s.features[1] = INT64_MAX;
	f = capture();
	fmt_samples_header(f, &sc, true);
	fmt_sample(f, &sc, &u.s, 1, true);
	fclose(f);
	MT_CHECK(!strcmp(out, "ts_ns,cpu,key,decision_id,lat,\"odd,name\"\n"
			      "123456789,1,5,0,-42,9223372036854775807\n"), "%s", out);
	f = capture();
	fmt_samples_header(f, &sc, false);
	fmt_sample(f, &sc, &u.s, 1, false);
	fclose(f);
	MT_CHECK(!strcmp(out,
		"               TS_NS  CPU                  KEY             DECISION              lat(ns)             odd,name\n"
		"           123456789    1                    5                    0                  -42  9223372036854775807\n"),
		"%s", out);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_numbers);
	MT_RUN(test_proxy_name);
	MT_RUN(test_list);
	MT_RUN(test_json_string);
	MT_RUN(test_status);
	MT_RUN(test_status_json);
	MT_RUN(test_status_table);
	MT_RUN(test_watch);
	MT_RUN(test_samples);
	free(out);
	return mt_summary();
}
