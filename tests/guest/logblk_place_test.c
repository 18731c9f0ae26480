// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of logblk's placement proxy, logblk/placement, as its agent:
 * the schema (core/lb_feat.c's features, the action "class" -1..4); a
 * fixed model pushed and written out (logblk-replay then checks, in
 * tests/vm/cases/logblk_place.sh, that it places every block as the kernel
 * did); decisions of both arms in COLLABORATION, GC advice in
 * RECOMMENDATION; malformed models from user space refused with the right
 * errno and nothing changed; every decision's sample and every death's
 * outcome with its lifetime; the write-lifetime hints set with
 * F_SET_RW_HINT reach the features (and the model splits on them, so that
 * the replay checks them bit for bit too).
 *
 * usage: logblk_place_test MODEL_OUT   (on a freshly loaded logblk with
 * size_mb=16 seg_kb=64, run under logblk-capture)
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "lb_feat.h"
#include "mlagent.h"
#include "mltest.h"
#include "model_build.h"

#define SYSFS	"/sys/block/logblk0/logblk"
#define BS	4096
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static struct mla_ctx *ctx;
static struct ml_lib_proxy_info info;
static const char *model_out;
static void *model;
static size_t model_len;
static int fd = -1;
static uint32_t nblocks;
static uint64_t rng = 0x243F6A8885A308D3ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long long sysfs_num(const char *name)
{
	char path[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS "/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * A tree on several features, with every class and -1 among its leaves:
 * recently rewritten blocks hot (written in requests of several blocks:
 * the log class), GC-moved ones by how overdue they are, first writes and
 * long-unwritten ones cold, some left to the policy, by their hint.
 */
static int build_model(uint64_t version, unsigned int nr_inputs, void **blob, size_t *len)
{
	/* node: 0 age<=18 ? 1 : 4; 1 moved<=0 ? 2 : 3; 2 size<=1 ? 9 : 10;
	 * 3 leaf 2; 4 rel<=33 ? 5 : 8; 5 count<=4 ? 6 : 7; 6 leaf 0;
	 * 7 hint<=3 ? 11 : 12; 8 leaf 1; 9 leaf 3; 10 leaf LB_CLASS_LOG;
	 * 11 leaf -1; 12 leaf 1 */
	static const int32_t left[] = { 1, 2, 9, -1, 5, 6, -1, 11, -1, -1, -1, -1, -1 };
	static const int32_t right[] = { 4, 3, 10, -1, 8, 7, -1, 12, -1, -1, -1, -1, -1 };
	static const uint16_t feature[] = { LBF_AGE, LBF_MOVED, LBF_SIZE, 0, LBF_REL, LBF_COUNT,
					    0, LBF_HINT, 0, 0, 0, 0, 0 };
	static const int64_t threshold[] = { 18, 0, 1, 0, 33, 4, 0, 3, 0, 0, 0, 0, 0 };
	static const int64_t value[] = { 0, 0, 0, 2, 0, 0, 0, 0, 1, 3, LB_CLASS_LOG, -1, 1 };
	struct ml_build_tree t = {
		.nr_nodes = 13, .left = left, .right = right, .feature = feature,
		.threshold = threshold, .value = value,
	};
	struct ml_build_forest f = {
		.version = version, .nr_inputs = nr_inputs, .nr_outputs = 1,
		.nr_trees = 1, .trees = &t, .combine = ML_LIB_MODEL_SUM,
	};

	return ml_build_forest(&f, blob, len);
}

static void test_schema(void)
{
	struct ml_lib_schema s;

	MT_REQUIRE(mla_find(ctx, "logblk/placement", &info) == 0);
	MT_REQUIRE(mla_schema(ctx, info.id, &s) == 0);
	MT_CHECK_EQ(s.nr_features, LBF_NR);
	for (unsigned int i = 0; i < LBF_NR && i < s.nr_features; i++)
		MT_CHECK(!strcmp(s.features[i].name, lbf_name(i)), "feature %u is %s", i,
			 s.features[i].name);
	MT_CHECK_EQ(s.nr_actions, 1);
	MT_CHECK(!strcmp(s.actions[0].name, "class"));
	MT_CHECK_EQ(s.actions[0].min, -1);
	MT_CHECK_EQ(s.actions[0].max, LB_CLASS_LOG);
	MT_CHECK_EQ(s.actions[0].def, -1);
	MT_CHECK(s.flags & ML_LIB_PROXY_SAMPLE_DECISIONS);
	MT_CHECK(sysfs_num("place_mem_bytes") >= (unsigned long long)nblocks * 21,
		 "the per-block state is in the proxy's memory figure");
}

/* The write-lifetime hints io() sets, and the blocks it wrote with each. */
static const uint64_t hints[] = {
	RWH_WRITE_LIFE_NOT_SET, RWH_WRITE_LIFE_SHORT, RWH_WRITE_LIFE_LONG
};
static uint64_t hinted_blocks[ARRAY_SIZE(hints)];

/*
 * Random writes of 1..8 blocks over a hot eighth and the rest, each with a
 * random one of hints[] (the device file's, which direct I/O passes to
 * its bios), and discards.
 */
static void io(unsigned int requests)
{
	static char buf[8 * BS] __attribute__((aligned(BS)));
	static uint64_t hint = RWH_WRITE_LIFE_NOT_SET;

	for (unsigned int i = 0; i < requests; i++) {
		uint64_t r = next();
		uint32_t n = r % 4 ? 1 : 1 + (uint32_t)((r >> 8) % 8);
		uint32_t lba = (uint32_t)((r >> 16) % (r % 10 < 8 ? nblocks / 8 : nblocks));
		size_t k = (r >> 40) % ARRAY_SIZE(hints);	/* which of hints[] */

		if (lba + n > nblocks)
			lba = nblocks - n;
		if (r % 50 == 7) {
			uint64_t range[2] = { (uint64_t)lba * BS, (uint64_t)n * BS };

			MT_CHECK(ioctl(fd, BLKDISCARD, range) == 0);
			continue;
		}
		if (hints[k] != hint) {
			hint = hints[k];
			MT_CHECK(fcntl(fd, F_SET_RW_HINT, &hint) == 0);
		}
		hinted_blocks[k] += n;
		memset(buf, (int)(r >> 24), sizeof(buf));
		MT_CHECK(pwrite(fd, buf, (size_t)n * BS, (off_t)lba * BS) == (ssize_t)n * BS);
	}
}

static int attach(void)
{
	struct mla_attach_opts o = { .sample_records = 1 << 16, .feedback_records = 1 << 16 };

	return mla_attach(ctx, info.id, &o);
}

/*
 * A malformed push is refused with @err and changes nothing: the model in
 * the kernel, the mode, the ML arm's decisions with the model.
 */
static void refused(const char *what, const void *blob, size_t len, int err)
{
	struct ml_lib_status before, after;
	unsigned long long ml = sysfs_num("place_decisions_ml");
	int ret;

	MT_REQUIRE(mla_status(ctx, 0, &before) == 0);
	ret = mla_push_model(ctx, blob, len);
	MT_CHECK(ret == err, "%s: got %d, want %d", what, ret, err);
	MT_REQUIRE(mla_status(ctx, 0, &after) == 0);
	MT_CHECK_EQ(after.model_version, before.model_version);
	MT_CHECK_EQ(after.mode, before.mode);
	MT_CHECK_EQ(after.models_rejected, before.models_rejected + 1);
	io(200);
	MT_CHECK_EQ(sysfs_num("place_model"), before.model_version);
	MT_CHECK(sysfs_num("place_decisions_ml") > ml, "%s: the model still decides", what);
}

static void test_malformed_models(void)
{
	unsigned char garbage[200];
	void *bad;
	size_t len;

	memset(garbage, 0x5a, sizeof(garbage));
	refused("garbage", garbage, sizeof(garbage), -EINVAL);
	MT_REQUIRE(build_model(7, LBF_NR + 1, &bad, &len) == 0);
	refused("a model of one input too many", bad, len, -EINVAL);
	free(bad);
	MT_REQUIRE(build_model(7, LBF_NR, &bad, &len) == 0);
	refused("a truncated model", bad, len - 8, -EINVAL);
	free(bad);
}

static void test_model(void)
{
	unsigned long long ml, def, gc;
	struct ml_lib_status st;
	FILE *f;

	MT_REQUIRE(build_model(1, LBF_NR, &model, &model_len) == 0);
	MT_REQUIRE(mla_push_model(ctx, model, model_len) == 0);
	f = fopen(model_out, "wb");
	MT_REQUIRE(f != NULL);
	MT_CHECK(fwrite(model, 1, model_len, f) == model_len);
	MT_CHECK(fclose(f) == 0);
	MT_REQUIRE(mla_status(ctx, 0, &st) == 0);
	MT_CHECK_EQ(st.model_version, 1);
	/* Both arms, then the model alone but for the holdout, GC advised. */
	MT_REQUIRE(mla_set_mode(ctx, 0, ML_LIB_MODE_COLLABORATION) == 0);
	io(6000);
	MT_CHECK(sysfs_num("place_decisions_ml") > 1000);
	MT_CHECK(sysfs_num("place_decisions_default") > 1000);
	MT_CHECK_EQ(sysfs_num("place_model"), 1);
	MT_REQUIRE(mla_set_mode(ctx, 0, ML_LIB_MODE_RECOMMENDATION) == 0);
	io(6000);
	MT_CHECK(sysfs_num("place_gc_advised") > 0);
	MT_CHECK(sysfs_num("gc_writes") > 0);
	/* In EMERGENCY nothing is decided or advised; back in RECOMMENDATION
	 * the model places again (the replay follows both). */
	ml = sysfs_num("place_decisions_ml");
	def = sysfs_num("place_decisions_default");
	gc = sysfs_num("place_gc_advised");
	MT_REQUIRE(mla_set_mode(ctx, 0, ML_LIB_MODE_EMERGENCY) == 0);
	io(2000);
	MT_CHECK_EQ(sysfs_num("place_decisions_ml"), ml);
	MT_CHECK_EQ(sysfs_num("place_decisions_default"), def);
	MT_CHECK_EQ(sysfs_num("place_gc_advised"), gc);
	MT_REQUIRE(mla_set_mode(ctx, 0, ML_LIB_MODE_RECOMMENDATION) == 0);
	io(3000);
	MT_CHECK(sysfs_num("place_decisions_ml") > ml);
}

static struct {
	uint64_t samples, with_id, outcomes, labelled, moved_twice, ml;
	uint64_t hint[8];	/* user writes' samples by their hint feature */
} seen;

static int on_sample(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	seen.samples++;
	seen.with_id += s->decision_id != 0 && s->features[LBF_MOVED] == 0;
	if (s->features[LBF_MOVED] == 0 && s->features[LBF_HINT] >= 0 &&
	    s->features[LBF_HINT] < (int64_t)ARRAY_SIZE(seen.hint))
		seen.hint[s->features[LBF_HINT]]++;
	return 0;
}

static int on_feedback(const struct ml_lib_feedback *f, unsigned int cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	if (f->type != ML_LIB_FB_OUTCOME)
		return 0;
	seen.outcomes++;
	seen.labelled += (f->outcome.flags & ML_LIB_OUTCOME_LABEL) && f->outcome.label >= 0;
	seen.moved_twice += f->outcome.cost >= 2;
	seen.ml += f->outcome.arm == ML_LIB_ARM_ML;
	return 0;
}

static void test_data(void)
{
	while (mla_consume_samples(ctx, UINT32_MAX, on_sample, NULL) > 0)
		;
	while (mla_consume_feedback(ctx, UINT32_MAX, on_feedback, NULL) > 0)
		;
	MT_CHECK(seen.samples > 10000, "%llu samples", (unsigned long long)seen.samples);
	MT_CHECK_EQ(seen.with_id, seen.samples);
	MT_CHECK(seen.outcomes > 5000, "%llu outcomes", (unsigned long long)seen.outcomes);
	MT_CHECK_EQ(seen.labelled, seen.outcomes);
	MT_CHECK(seen.moved_twice > 0, "some version was moved twice before it died");
	MT_CHECK(seen.ml > 0 && seen.ml < seen.outcomes);
	MT_CHECK_EQ(sysfs_num("place_outcomes"), seen.outcomes);
	/* Every hint io() set reached the features, and no other value. */
	printf("# user writes' samples by hint:");
	for (unsigned int h = 0; h < ARRAY_SIZE(seen.hint); h++)
		printf(" %u:%llu", h, (unsigned long long)seen.hint[h]);
	printf("\n");
	for (unsigned int h = 0; h < ARRAY_SIZE(seen.hint); h++) {
		uint64_t blocks = 0;

		for (unsigned int i = 0; i < ARRAY_SIZE(hints); i++)
			if (hints[i] == h)
				blocks = hinted_blocks[i];
		if (blocks)
			MT_CHECK(seen.hint[h] > 0, "hint %u: %llu blocks written, no sample",
				 h, (unsigned long long)blocks);
		else
			MT_CHECK(seen.hint[h] == 0, "hint %u: never set, %llu samples", h,
				 (unsigned long long)seen.hint[h]);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: logblk_place_test MODEL_OUT\n");
		return 2;
	}
	model_out = argv[1];
	fd = open("/dev/logblk0", O_RDWR | O_DIRECT);
	if (fd < 0 || mla_open(NULL, &ctx)) {
		perror("logblk_place_test");
		return 1;
	}
	nblocks = (uint32_t)sysfs_num("nr_lblocks");
	MT_RUN(test_schema);
	if (attach()) {
		perror("attach");
		return 1;
	}
	MT_RUN(test_model);
	MT_RUN(test_malformed_models);
	MT_RUN(test_data);
	free(model);
	mla_close(ctx);
	close(fd);
	return mt_summary();
}
