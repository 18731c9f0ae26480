// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of logblk's ml_lib proxy, logblk/trace: its schema, one
 * sample per device event with the event's number, operation, length and
 * clock and the first block as key, and the refusal of recommendation
 * tables (the proxy makes no decision). Run on a freshly loaded logblk.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "mlagent.h"
#include "mltest.h"

#define SYSFS	"/sys/block/logblk0/logblk"

static struct mla_ctx *ctx;
static struct ml_lib_sample *got[16];
static unsigned int nr_got;

static int keep(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	size_t size = *(const size_t *)arg;

	(void)cpu;
	if (nr_got < 16) {
		got[nr_got] = malloc(size);
		memcpy(got[nr_got++], s, size);
	}
	return 0;
}

static void write_sysfs(const char *name, const char *val)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), SYSFS "/%s", name);
	f = fopen(path, "w");
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

static void test_schema(void)
{
	struct ml_lib_proxy_info info;
	struct ml_lib_schema s;
	static const char *const names[] = { "seq", "op", "arg", "len", "tick" };

	MT_REQUIRE(mla_find(ctx, "logblk/trace", &info) == 0);
	MT_REQUIRE(mla_schema(ctx, info.id, &s) == 0);
	MT_CHECK_EQ(s.nr_features, 5);
	for (unsigned int i = 0; i < 5 && i < s.nr_features; i++)
		MT_CHECK(!strcmp(s.features[i].name, names[i]), "feature %u is %s", i,
			 s.features[i].name);
	MT_CHECK_EQ(s.nr_actions, 1);
	MT_CHECK(!strcmp(s.actions[0].name, "none"));
	MT_CHECK_EQ(s.actions[0].max, 0);
	MT_CHECK_EQ(info.mode, ML_LIB_MODE_EMERGENCY);
}

/* A write, a discard, a policy change and a mark: one sample each, in order. */
static void test_samples(void)
{
	const struct ml_lib_schema *s;
	struct ml_lib_proxy_info info;
	uint64_t range[2] = { 8 * 4096, 3 * 4096 };
	size_t size;
	void *buf;
	int fd;

	MT_REQUIRE(mla_find(ctx, "logblk/trace", &info) == 0);
	MT_REQUIRE(mla_attach(ctx, info.id, NULL) == 0);
	s = mla_attached_schema(ctx);
	size = 24 + 8 * s->nr_features;
	fd = open("/dev/logblk0", O_RDWR | O_DIRECT);
	MT_REQUIRE(fd >= 0);
	MT_REQUIRE(posix_memalign(&buf, 4096, 4 * 4096) == 0);
	memset(buf, 0xab, 4 * 4096);
	MT_CHECK(pwrite(fd, buf, 4 * 4096, 7 * 4096) == 4 * 4096);
	MT_CHECK(ioctl(fd, BLKDISCARD, range) == 0);
	MT_CHECK(pread(fd, buf, 4096, 0) == 4096, "reads publish nothing");
	close(fd);
	free(buf);
	write_sysfs("policy", "p1");
	write_sysfs("mark", "1");
	while (mla_consume_samples(ctx, ~0u, keep, &size) > 0)
		;
	MT_REQUIRE(nr_got == 4, "%u samples", nr_got);
	/* Samples of different CPUs are not ordered: sort by seq. */
	for (unsigned int i = 0; i < nr_got; i++)
		for (unsigned int j = i + 1; j < nr_got; j++)
			if (got[j]->features[0] < got[i]->features[0]) {
				struct ml_lib_sample *t = got[i];

				got[i] = got[j];
				got[j] = t;
			}
	/* seq, op, arg, len, tick; key = first block */
	MT_CHECK_EQ(got[0]->features[0], 1);
	MT_CHECK_EQ(got[0]->features[1], 1);		/* write */
	MT_CHECK_EQ(got[0]->features[2], 0);		/* no write-lifetime hint */
	MT_CHECK_EQ(got[0]->features[3], 4);
	MT_CHECK_EQ(got[0]->features[4], 0);		/* no user block before it */
	MT_CHECK_EQ(got[0]->key, 7);
	MT_CHECK_EQ(got[1]->features[0], 2);
	MT_CHECK_EQ(got[1]->features[1], 2);		/* discard */
	MT_CHECK_EQ(got[1]->features[3], 3);
	MT_CHECK_EQ(got[1]->features[4], 4);		/* after 4 user blocks */
	MT_CHECK_EQ(got[1]->key, 8);
	MT_CHECK_EQ(got[2]->features[1], 4);		/* policy: mixed, greedy */
	MT_CHECK_EQ(got[2]->features[2], 0);
	MT_CHECK_EQ(got[2]->features[3], 0);
	MT_CHECK_EQ(got[3]->features[0], 4);
	MT_CHECK_EQ(got[3]->features[1], 5);		/* mark */
	for (unsigned int i = 0; i < nr_got; i++)
		free(got[i]);
}

/* The proxy makes no decision: every table is refused, and counted. */
static void test_tables_refused(void)
{
	struct ml_lib_table hdr = { .version = 1, .nr_actions = 1 };
	struct ml_lib_table_entry e = { .key = 1, .values = { 0 } };
	struct ml_lib_status st = { 0 };

	MT_REQUIRE(mla_attached_id(ctx) != 0);
	MT_CHECK_EQ(mla_push_table(ctx, &hdr, &e, 1), -EINVAL);
	MT_CHECK_EQ(mla_status(ctx, 0, &st), 0);
	MT_CHECK_EQ(st.recs_rejected, 1);
	MT_CHECK_EQ(st.recs_accepted, 0);
	MT_CHECK_EQ(st.table_version, 0);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (mla_open(NULL, &ctx)) {
		printf("not ok - open /dev/ml_lib\n");
		return mt_summary() | 1;
	}
	MT_RUN(test_schema);
	MT_RUN(test_samples);
	MT_RUN(test_tables_refused);
	mla_close(ctx);
	return mt_summary();
}
