// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libmlagent's names, mode parsing, proxy matching, and of
 * the calls that can fail before reaching the kernel.
 */
#include <stdlib.h>
#include "mla_internal.h"
#include "mltest.h"

static void test_mode_names(void)
{
	unsigned int m;

	for (m = 0; m < ML_LIB_MODE_COUNT; m++) {
		MT_REQUIRE(mla_mode_name(m) != NULL);
		MT_CHECK_EQ(mla_mode_parse(mla_mode_name(m)), m);
	}
	MT_CHECK(!strcmp(mla_mode_name(ML_LIB_MODE_LEARNING), "learning"), "learning");
	MT_CHECK(!strcmp(mla_mode_name(ML_LIB_MODE_AUTO), "auto"), "auto");
	MT_CHECK(mla_mode_name(ML_LIB_MODE_COUNT) == NULL, "past the end");
	MT_CHECK_EQ(mla_mode_parse("auto"), ML_LIB_MODE_AUTO);
	MT_CHECK_EQ(mla_mode_parse("Recommendation"), ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK_EQ(mla_mode_parse("EMERGENCY"), ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(mla_mode_parse("learn"), -EINVAL);
	MT_CHECK_EQ(mla_mode_parse("1"), -EINVAL);
	MT_CHECK_EQ(mla_mode_parse(""), -EINVAL);
	MT_CHECK_EQ(mla_mode_parse(NULL), -EINVAL);
}

static void test_other_names(void)
{
	unsigned int i;

	for (i = 0; i < ML_LIB_REASON_COUNT; i++)
		MT_CHECK(mla_reason_name(i) != NULL, "reason %u", i);
	MT_CHECK(mla_reason_name(ML_LIB_REASON_COUNT) == NULL, "reason past the end");
	MT_CHECK(!strcmp(mla_reason_name(ML_LIB_REASON_HEARTBEAT), "heartbeat"), "hb");
	for (i = 0; i < ML_LIB_FEAT_COUNT; i++)
		MT_CHECK(mla_feature_type_name(i) != NULL, "type %u", i);
	MT_CHECK(mla_feature_type_name(ML_LIB_FEAT_COUNT) == NULL, "type past the end");
	MT_CHECK(!strcmp(mla_arm_name(ML_LIB_ARM_ML), "ml"), "arm");
	MT_CHECK(mla_arm_name(ML_LIB_ARM_COUNT) == NULL, "arm past the end");
	MT_CHECK(!strcmp(mla_source_name(ML_LIB_SRC_FALLBACK), "fallback"), "source");
	MT_CHECK(mla_source_name(4) == NULL, "source past the end");
	MT_CHECK(mla_feedback_type_name(0) == NULL, "no feedback type 0");
	MT_CHECK(!strcmp(mla_feedback_type_name(ML_LIB_FB_EFFICIENCY), "efficiency"), "fb");
	MT_CHECK(mla_feedback_type_name(6) == NULL, "feedback past the end");
}

static struct ml_lib_proxy_info P(uint32_t id, const char *sub, const char *name)
{
	struct ml_lib_proxy_info p = { .id = id };

	snprintf(p.subsystem, sizeof(p.subsystem), "%s", sub);
	snprintf(p.name, sizeof(p.name), "%s", name);
	return p;
}

static void test_match_proxy(void)
{
	struct ml_lib_proxy_info v[4] = {
		P(3, "logblk", "placement"),
		P(7, "demo", "synthetic"),
		P(9, "other", "placement"),
		P(12, "demo", "abcdefghijklmnopqrstuvwxyz01234"),	/* 31 chars */
	};

	MT_CHECK_EQ(mla_match_proxy(v, 4, "7"), 1);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "12"), 3);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "8"), -ENOENT);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "99999999999"), -ENOENT);	/* not an id: a name */
	MT_CHECK_EQ(mla_match_proxy(v, 4, "demo/synthetic"), 1);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "logblk/placement"), 0);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "other/placement"), 2);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "demo/placement"), -ENOENT);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "dem/synthetic"), -ENOENT);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "demo/synth"), -ENOENT);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "synthetic"), 1);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "placement"), -ENOTUNIQ);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "demo/abcdefghijklmnopqrstuvwxyz01234"), 3);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "abcdefghijklmnopqrstuvwxyz012345"), -ENOENT);
	MT_CHECK_EQ(mla_match_proxy(v, 4, ""), -EINVAL);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "demo/"), -EINVAL);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "/synthetic"), -EINVAL);
	MT_CHECK_EQ(mla_match_proxy(v, 4, "a/b/c"), -EINVAL);
	MT_CHECK_EQ(mla_match_proxy(v, 0, "demo/synthetic"), -ENOENT);
	MT_CHECK_EQ(mla_match_proxy(v, 4, NULL), -EINVAL);
}

static void test_open_errors(void)
{
	struct mla_ctx *ctx = (void *)1;
	struct ml_lib_version ver;
	struct ml_lib_status st;
	struct ml_lib_schema sc;

	MT_CHECK_EQ(mla_open("/nonexistent/ml_lib", &ctx), -ENOENT);
	MT_CHECK(ctx == NULL, "cleared on failure");
	MT_CHECK_EQ(mla_open(NULL, NULL), -EINVAL);
	/* A file that is not /dev/ml_lib answers no ml_lib ioctl. */
	MT_REQUIRE(mla_open("/dev/null", &ctx) == 0);
	MT_CHECK(mla_fd(ctx) >= 0, "fd");
	MT_CHECK_EQ(mla_version(ctx, &ver), -ENOTTY);
	MT_CHECK_EQ(mla_status(ctx, 1, &st), -ENOTTY);
	MT_CHECK_EQ(mla_list(ctx, NULL, 0), -ENOTTY);
	MT_CHECK_EQ(mla_start(ctx, 1), -ENOTTY);
	/* Proxy id 0 means the attached proxy: none here. */
	MT_CHECK_EQ(mla_status(ctx, 0, &st), -ENOTCONN);
	MT_CHECK_EQ(mla_schema(ctx, 0, &sc), -ENOTCONN);
	MT_CHECK_EQ(mla_set_mode(ctx, 0, ML_LIB_MODE_AUTO), -ENOTCONN);
	MT_CHECK_EQ(mla_stop(ctx, 0), -ENOTCONN);
	MT_CHECK_EQ(mla_attach(ctx, 0, NULL), -EINVAL);
	{
		struct mla_attach_opts o = { .reserved = { 0, 1 } };

		MT_CHECK_EQ(mla_attach(ctx, 3, &o), -EINVAL);
	}
	MT_CHECK_EQ(mla_attach(ctx, 3, NULL), -ENOTTY);
	MT_CHECK_EQ(mla_attached_id(ctx), 0);
	MT_CHECK_EQ(mla_wait(ctx, 0), -ENOTCONN);
	mla_close(ctx);
	mla_close(NULL);
	MT_CHECK_EQ(mla_fd(NULL), -EINVAL);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_mode_names);
	MT_RUN(test_other_names);
	MT_RUN(test_match_proxy);
	MT_RUN(test_open_errors);
	return mt_summary();
}
