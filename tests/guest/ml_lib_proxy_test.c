// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: the proxy registry and lifecycle, schema read-back, list and
 * status, the control ioctls, and the sysfs knobs, with every bad input
 * rejected with its errno, counted, and without effect. Needs
 * ml_lib_testmod.
 */
#include <sys/stat.h>
#include "ml_lib_guest.h"

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void test_list(void)
{
	struct ml_lib_proxy_info info[8];
	struct ml_lib_list l = { .size = sizeof(l) };
	int fd = mlg_open(), seen = 0;
	__u32 i, count;

	MT_REQUIRE(fd >= 0, "%s", strerror(errno));
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_LIST, &l)), 0);
	MT_CHECK_EQ(l.count, 3);
	count = l.count;
	l.capacity = 2;
	l.proxies = (__u64)(uintptr_t)info;
	memset(info, 0xee, sizeof(info));
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_LIST, &l)), 0);
	MT_CHECK_EQ(l.count, count);
	MT_CHECK(info[2].id == 0xeeeeeeee, "nothing written past the capacity");
	l.capacity = 8;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_LIST, &l)), 0);
	for (i = 0; i < l.count; i++) {
		MT_CHECK(!strcmp(info[i].subsystem, "mltest"), "%s", info[i].subsystem);
		MT_CHECK_EQ(info[i].mode, ML_LIB_MODE_EMERGENCY);
		MT_CHECK_EQ(info[i].flags, ML_LIB_INFO_STARTED);
		MT_CHECK_EQ(info[i].reserved, 0);
		if (i)
			MT_CHECK(info[i].id > info[i - 1].id, "ids ascending");
		seen |= !strcmp(info[i].name, "p0") << 0 | !strcmp(info[i].name, "p1") << 1 |
			!strcmp(info[i].name, "bench") << 2;
	}
	MT_CHECK_EQ(seen, 7);

	/* Bad input. */
	l.flags = 1;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_LIST, &l)), EINVAL);
	l.flags = 0;
	l.proxies = 8;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_LIST, &l)), EFAULT);
	l.size = sizeof(l) - 4;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_LIST, &l)), EINVAL);
	close(fd);
}

static void test_schema(void)
{
	struct ml_lib_schema s = { .size = sizeof(s) };
	int fd = mlg_open();
	unsigned int i;

	s.proxy_id = mlg_proxy_id("p0");
	MT_REQUIRE(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)) == 0, "%s", strerror(errno));
	MT_CHECK(!strcmp(s.subsystem, "mltest") && !strcmp(s.name, "p0"), "names");
	MT_CHECK_EQ(s.nr_features, 2);
	MT_CHECK_EQ(s.nr_actions, 2);
	MT_CHECK_EQ(s.sample_size, 24 + 2 * 8);
	MT_CHECK_EQ(s.flags, 0);
	MT_CHECK(!strcmp(s.features[0].name, "x") && !strcmp(s.features[0].unit, "ns"), "x");
	MT_CHECK_EQ(s.features[0].type, ML_LIB_FEAT_INT);
	MT_CHECK_EQ(s.features[0].min, -1000);
	MT_CHECK_EQ(s.features[0].max, 1000);
	MT_CHECK(!strcmp(s.features[1].name, "y") && !strcmp(s.features[1].unit, "blocks"), "y");
	MT_CHECK_EQ(s.features[1].type, ML_LIB_FEAT_UINT);
	MT_CHECK_EQ(s.features[1].max, 1 << 20);
	MT_CHECK(!strcmp(s.actions[0].name, "a"), "a");
	MT_CHECK_EQ(s.actions[0].min, 0);
	MT_CHECK_EQ(s.actions[0].max, 1000);
	MT_CHECK_EQ(s.actions[0].def, 500);
	MT_CHECK(!strcmp(s.actions[1].name, "b"), "b");
	MT_CHECK_EQ(s.actions[1].min, -50);
	MT_CHECK_EQ(s.actions[1].def, 7);
	for (i = 2; i < ML_LIB_MAX_FEATURES; i++)
		MT_CHECK(!s.features[i].name[0] && !s.features[i].max, "feature %u unused", i);
	MT_CHECK(!s.actions[2].name[0] && !s.actions[3].def, "unused actions are zero");

	s.proxy_id = mlg_proxy_id("p1");
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)), 0);
	MT_CHECK_EQ(s.flags, ML_LIB_PROXY_SAMPLE_DECISIONS);
	MT_CHECK_EQ(s.sample_size, 32);
	MT_CHECK_EQ(s.nr_actions, 1);
	MT_CHECK(!s.actions[1].name[0], "one action only");

	s.proxy_id = 0x7ffffff0;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)), ENOENT);
	s.proxy_id = 0;		/* the attached proxy: none */
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)), ENOTCONN);
	s.size = 16;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)), EINVAL);
	close(fd);
}

static void test_lifecycle_and_ids(void)
{
	__u32 id0 = mlg_proxy_id("p0"), id1 = mlg_proxy_id("p1"), idb = mlg_proxy_id("bench");
	struct ml_lib_schema s = { .size = sizeof(s), .proxy_id = id0 };
	int fd = mlg_open();
	__u32 nid;

	MT_REQUIRE(id0 && id1 && idb, "proxies");
	MT_CHECK(exists(MLG_SYSFS "/mltest/p0/mode"), "sysfs of p0");
	MT_CHECK_EQ(mlg_sysfs("p0", "id"), id0);
	MT_CHECK_EQ(mlg_ctl("destroy p0"), 0);
	MT_CHECK_EQ(mlg_proxy_id("p0"), 0);
	MT_CHECK(!exists(MLG_SYSFS "/mltest/p0"), "p0's directory is gone");
	MT_CHECK(exists(MLG_SYSFS "/mltest/p1"), "p1 stays");
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)), ENOENT);
	MT_CHECK_EQ(mlg_ctl("create p0"), 0);
	nid = mlg_proxy_id("p0");
	MT_CHECK(nid > id0 && nid > id1 && nid > idb, "a new id, never reused: %u", nid);
	MT_CHECK_EQ(mlg_sysfs("p0", "id"), nid);
	/* The subsystem directory goes with its last proxy. */
	MT_CHECK_EQ(mlg_ctl("destroy p0"), 0);
	MT_CHECK_EQ(mlg_ctl("destroy p1"), 0);
	MT_CHECK(exists(MLG_SYSFS "/mltest"), "still one proxy");
	MT_CHECK_EQ(mlg_ctl("destroy bench"), 0);
	MT_CHECK(!exists(MLG_SYSFS "/mltest"), "the subsystem directory is gone");
	MT_CHECK(exists(MLG_SYSFS "/bad_requests"), "the global counter stays");
	MT_CHECK_EQ(mlg_ctl("create bench"), 0);
	MT_CHECK_EQ(mlg_ctl("create p1"), 0);
	MT_CHECK_EQ(mlg_ctl("create p0"), 0);
	MT_CHECK(mlg_proxy_id("p0") > mlg_proxy_id("p1"), "ids grow");
	/* A second proxy of the same name is refused by the library. */
	MT_CHECK_EQ(mlg_ctl("create p0"), -EEXIST);
	close(fd);
}

static void test_status(void)
{
	struct ml_lib_status st;
	__u32 id = mlg_proxy_id("p0");
	int fd = mlg_open();

	MT_REQUIRE(mlg_status(fd, id, &st) == 0, "status");
	MT_CHECK_EQ(st.proxy_id, id);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_EMERGENCY);
	MT_CHECK_EQ(st.pinned, 0);
	MT_CHECK_EQ(st.attached, 0);
	MT_CHECK_EQ(st.started, 1);
	MT_CHECK_EQ(st.critical, 0);
	MT_CHECK_EQ(st.efficiency_bp, -1);
	MT_CHECK_EQ(st.share_bp, 0);
	MT_CHECK_EQ(st.agent_pid, 0);
	MT_CHECK_EQ(st.table_version, 0);
	MT_CHECK_EQ(st.model_version, 0);
	MT_CHECK_EQ(st.models_accepted + st.models_rejected, 0);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 4 0 0"), 0);
	MT_CHECK_EQ(mlg_ctl("decide p0 0 1 6"), 0);
	MT_CHECK_EQ(mlg_status(fd, id, &st), 0);
	MT_CHECK_EQ(st.unconsumed, 4);
	MT_CHECK_EQ(st.arms[ML_LIB_ARM_DEFAULT].decisions, 6);
	MT_CHECK_EQ(st.arms[ML_LIB_ARM_ML].decisions, 0);

	/*
	 * A caller built against ABI 1.0-1.1 knows the struct up to the arms:
	 * it gets those fields, and nothing is written past its size.
	 */
	struct {
		struct ml_lib_status st;
		__u8 guard[8];
	} old;

	memset(&old, 0xa5, sizeof(old));
	old.st.size = ML_LIB_STATUS_SIZE_VER0;
	old.st.proxy_id = id;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STATUS, &old.st)), 0);
	MT_CHECK_EQ(old.st.size, ML_LIB_STATUS_SIZE_VER0);
	MT_CHECK_EQ(old.st.unconsumed, 4);
	MT_CHECK_EQ(old.st.arms[ML_LIB_ARM_DEFAULT].decisions, 6);
	MT_CHECK_EQ(old.st.filtered, 0xa5a5a5a5a5a5a5a5ull);
	MT_CHECK_EQ(old.st.wakeups, 0xa5a5a5a5a5a5a5a5ull);
	old.st.size = ML_LIB_STATUS_SIZE_VER0 - 8;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STATUS, &old.st)), EINVAL);

	/* Bad input. */
	MT_CHECK_EQ(mlg_status(fd, 0, &st), -ENOTCONN);
	MT_CHECK_EQ(mlg_status(fd, 0x7ffffff0, &st), -ENOENT);
	st.size = 4;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STATUS, &st)), EINVAL);
	close(fd);
}

static void test_control_ioctls(void)
{
	__u32 id = mlg_proxy_id("p0");
	struct ml_lib_ctl c = { .size = sizeof(c), .proxy_id = id };
	long long bad0 = mlg_global_bad_requests(), pbad0 = mlg_sysfs("p0", "bad_requests");
	struct ml_lib_status st;
	int fd = mlg_open();

	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STOP, &c)), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "started"), 0);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STOP, &c)), 0);	/* idempotent */
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 2 0 0"), 0);
	MT_CHECK_EQ(mlg_last("eagain"), 2);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_START, &c)), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "started"), 1);

	/* Re-initialization restarts the arm statistics. */
	MT_CHECK_EQ(mlg_ctl("outcome p0 0 1 5 1 2"), 0);
	MT_CHECK_EQ(mlg_status(fd, id, &st), 0);
	MT_CHECK(st.arms[0].decisions >= 5 && st.arms[0].outcomes == 5, "stats before reinit");
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_REINIT, &c)), 0);
	MT_CHECK_EQ(mlg_status(fd, id, &st), 0);
	MT_CHECK_EQ(st.arms[0].decisions, 0);
	MT_CHECK_EQ(st.arms[0].outcomes, 0);
	MT_CHECK_EQ(st.arms[0].mean_milli, 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "decisions_default"), 0);
	MT_CHECK(st.unconsumed > 0, "traffic counters survive a reinit");
	MT_CHECK_EQ(mlg_ctl("outcome p0 0 1 4 1 3"), 0);
	MT_CHECK_EQ(mlg_status(fd, id, &st), 0);
	MT_CHECK_EQ(st.arms[0].outcomes, 4);
	MT_CHECK_EQ(st.arms[0].mean_milli, 3000);
	/* The kernel API does the same. */
	MT_CHECK_EQ(mlg_ctl("reinit p0"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "outcomes_default"), 0);

	/* Bad input: rejected, counted, nothing changed. */
	c.flags = 1;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STOP, &c)), EINVAL);
	c.flags = 0;
	c.reserved = 1;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STOP, &c)), EINVAL);
	c.reserved = 0;
	MT_CHECK_EQ(mlg_sysfs("p0", "started"), 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "bad_requests"), pbad0 + 2);
	c.size = 8;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STOP, &c)), EINVAL);
	c.size = sizeof(c);
	c.proxy_id = 0;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STOP, &c)), ENOTCONN);
	c.proxy_id = 0x7ffffff0;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_REINIT, &c)), ENOENT);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_START, NULL)), EFAULT);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, _IO(ML_LIB_IOC_MAGIC, 0x40))), ENOTTY);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, _IO('x', 1))), ENOTTY);
	MT_CHECK_EQ(mlg_sysfs("p0", "started"), 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "bad_requests"), pbad0 + 2);
	/* Unknown ioctls are not requests of ml_lib: not counted. */
	MT_CHECK_EQ(mlg_global_bad_requests(), bad0 + 6);
	close(fd);
}

/*
 * Every size-versioned struct: smaller than its first published version,
 * larger with a non-zero tail, huge.
 */
static void test_struct_sizes(void)
{
	/* A struct that has not grown: its first published size is its size. */
#define V0(cmd, type) { cmd, sizeof(type), sizeof(type) }
	static const struct {
		unsigned long cmd;
		size_t size;
		size_t ver0;	/* its first published size */
	} ioctls[] = {
		V0(ML_LIB_IOC_LIST, struct ml_lib_list),
		V0(ML_LIB_IOC_SCHEMA, struct ml_lib_schema),
		{ ML_LIB_IOC_STATUS, sizeof(struct ml_lib_status), ML_LIB_STATUS_SIZE_VER0 },
		V0(ML_LIB_IOC_ATTACH, struct ml_lib_attach),
		V0(ML_LIB_IOC_RING_INFO, struct ml_lib_ring_info),
		V0(ML_LIB_IOC_PUSH, struct ml_lib_push),
		V0(ML_LIB_IOC_START, struct ml_lib_ctl),
		V0(ML_LIB_IOC_STOP, struct ml_lib_ctl),
		V0(ML_LIB_IOC_REINIT, struct ml_lib_ctl),
		V0(ML_LIB_IOC_SET_MODE, struct ml_lib_set_mode),
	};
#undef V0
	static __u32 buf[8192 / 4];
	struct mlg_agent a;
	long long bad0, changes0 = mlg_sysfs("p0", "mode_changes");
	unsigned int i;

	/* Attached, so that the attachment's ioctls get as far as their struct. */
	MT_REQUIRE(mlg_attach(&a, mlg_proxy_id("p0"), 64, 64, 0, 0) == 0, "attach");
	changes0 = mlg_sysfs("p0", "mode_changes");
	bad0 = mlg_global_bad_requests();
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = ioctls[i].ver0 - 4;
		MT_CHECK(MLG_ERR(ioctl(a.fd, ioctls[i].cmd, buf)) == EINVAL, "%u small: %s", i,
			 strerror(errno));
		buf[0] = ioctls[i].size + 8;
		buf[ioctls[i].size / 4 + 1] = 1;
		MT_CHECK(MLG_ERR(ioctl(a.fd, ioctls[i].cmd, buf)) == E2BIG, "%u tail: %s", i,
			 strerror(errno));
		buf[0] = 8000;
		MT_CHECK(MLG_ERR(ioctl(a.fd, ioctls[i].cmd, buf)) == E2BIG, "%u huge: %s", i,
			 strerror(errno));
	}
	MT_CHECK_EQ(mlg_global_bad_requests(), bad0 + 3 * (long long)i);
	MT_CHECK_EQ(mlg_sysfs("p0", "mode_changes"), changes0);
	MT_CHECK_EQ(mlg_sysfs("p0", "started"), 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "table_version"), 0);
	mlg_close(&a);
}

static void test_sysfs_knobs(void)
{
	static const struct {
		const char *file, *bad[4], *good;
	} knobs[] = {
		{ "share_learning_bp", { "10001", "-1", "abc", "\n" }, "0" },
		{ "share_collaboration_bp", { "10001", "4294967296", "1.5", "0x" }, "10000" },
		{ "holdout_bp", { "10001", "99999999999", " ", "5 5" }, "250" },
		{ "eval_interval_ms", { "9", "60001", "0", "-5" }, "10" },
	};
	char before[32], after[32];
	unsigned int i, k;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		MT_REQUIRE(mlg_sysfs_str("p0", knobs[i].file, before, sizeof(before)) == 0, "read");
		for (k = 0; k < 4; k++) {
			MT_CHECK(mlg_sysfs_write("p0", knobs[i].file, knobs[i].bad[k]) == -EINVAL,
				 "%s = '%s'", knobs[i].file, knobs[i].bad[k]);
			mlg_sysfs_str("p0", knobs[i].file, after, sizeof(after));
			MT_CHECK(!strcmp(before, after), "%s unchanged: %s", knobs[i].file, after);
		}
		MT_CHECK_EQ(mlg_sysfs_write("p0", knobs[i].file, knobs[i].good), 0);
		mlg_sysfs_str("p0", knobs[i].file, after, sizeof(after));
		MT_CHECK(!strcmp(after, knobs[i].good), "%s = %s", knobs[i].file, after);
		MT_CHECK_EQ(mlg_sysfs_write("p0", knobs[i].file, before), 0);
	}
	/* Defaults. */
	MT_CHECK_EQ(mlg_sysfs("p0", "share_learning_bp"), 1000);
	MT_CHECK_EQ(mlg_sysfs("p0", "share_collaboration_bp"), 5000);
	MT_CHECK_EQ(mlg_sysfs("p0", "holdout_bp"), 500);
	MT_CHECK_EQ(mlg_sysfs("p0", "eval_interval_ms"), 100);

	/* mode: names and auto; anything else is refused. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "mode", "fast"), -EINVAL);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "mode", "learningx"), -EINVAL);
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 0);
	/* Pinned without an agent: remembered, but no agent means EMERGENCY. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "mode", "collaboration\n"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 1);
	MT_CHECK(mlg_wait_str("p0", "mode", "emergency", 0), "no agent: emergency");
	MT_CHECK_EQ(mlg_sysfs_write("p0", "mode", "auto"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 0);
	/* Read-only files refuse writes. */
	MT_CHECK_EQ(mlg_sysfs_write("p0", "published", "0"), -EACCES);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_list);
	MT_RUN(test_schema);
	MT_RUN(test_lifecycle_and_ids);
	MT_RUN(test_status);
	MT_RUN(test_control_ioctls);
	MT_RUN(test_struct_sizes);
	MT_RUN(test_sysfs_knobs);
	return mt_summary();
}
