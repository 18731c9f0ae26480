// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: unprivileged access. A non-root user cannot open /dev/ml_lib
 * (0600); root without CAP_SYS_ADMIN may observe (list, schema, status) but
 * not attach or control (-EPERM, no effect); an agent that drops the
 * capability keeps its attachment. Needs ml_lib_testmod.
 */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "ml_lib_guest.h"

static __u32 id_p0;

static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].inheritable &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* Run @fn in a child; the child's checks count in its exit status. */
static void in_child(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		mt_case_failed = 0;
		fn();
		fflush(stdout);
		_exit(mt_case_failed ? 1 : 0);
	}
	MT_REQUIRE(pid > 0, "fork");
	waitpid(pid, &status, 0);
	MT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's checks");
}

static void observer_without_cap(void)
{
	struct ml_lib_version v = { .size = sizeof(v) };
	struct ml_lib_list l = { .size = sizeof(l) };
	struct ml_lib_schema s = { .size = sizeof(s), .proxy_id = id_p0 };
	struct ml_lib_attach at = { .size = sizeof(at), .proxy_id = id_p0 };
	struct ml_lib_ctl c = { .size = sizeof(c), .proxy_id = id_p0 };
	struct ml_lib_status st;
	long long bad0 = mlg_global_bad_requests();
	int fd;

	MT_REQUIRE(drop_cap_sys_admin() == 0, "capset");
	fd = mlg_open();
	MT_REQUIRE(fd >= 0, "root without CAP_SYS_ADMIN opens: %s", strerror(errno));
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_VERSION, &v)), 0);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_LIST, &l)), 0);
	MT_CHECK_EQ(l.count, 3);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_SCHEMA, &s)), 0);
	MT_CHECK_EQ(mlg_status(fd, id_p0, &st), 0);

	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, &at)), EPERM);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_STOP, &c)), EPERM);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_START, &c)), EPERM);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_REINIT, &c)), EPERM);
	MT_CHECK_EQ(mlg_set_mode(fd, id_p0, ML_LIB_MODE_LEARNING), -EPERM);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "started"), 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 0);
	MT_CHECK_EQ(mlg_global_bad_requests(), bad0 + 5);
	close(fd);
}

static void test_root_without_cap_sys_admin(void)
{
	in_child(observer_without_cap);
}

static void agent_drops_cap(void)
{
	struct mlg_agent a;
	struct ml_lib_table *t;
	__u64 len;

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	MT_REQUIRE(drop_cap_sys_admin() == 0, "capset");
	/* The attachment is the agent's: it keeps working... */
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_HEARTBEAT)), 0);
	t = mlg_table(1, 2, 3, &len);
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	free(t);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 1 2 0 0"), 0);
	MT_CHECK_EQ(mlg_consume(&a, 0, NULL, 10), 2);
	/* ...but control needs the capability. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_COLLABORATION), -EPERM);
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 0);
	mlg_close(&a);
}

static void test_agent_dropping_cap(void)
{
	in_child(agent_drops_cap);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
}

static void non_root(void)
{
	MT_REQUIRE(setgid(65534) == 0 && setuid(65534) == 0, "setuid: %s", strerror(errno));
	MT_CHECK(open(ML_LIB_DEVICE, O_RDWR) < 0 && errno == EACCES, "O_RDWR: %s",
		 strerror(errno));
	MT_CHECK(open(ML_LIB_DEVICE, O_RDONLY) < 0 && errno == EACCES, "O_RDONLY: %s",
		 strerror(errno));
	MT_CHECK_EQ(mlg_sysfs_write("p0", "mode", "learning"), -EACCES);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "share_learning_bp", "0"), -EACCES);
	/* Counters are readable by all. */
	MT_CHECK(mlg_sysfs("p0", "published") >= 0, "counters readable");
}

static void test_non_root(void)
{
	in_child(non_root);
	MT_CHECK_EQ(mlg_sysfs("p0", "share_learning_bp"), 1000);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mlg_find_testmod(&id_p0, NULL))
		return 1;
	MT_RUN(test_root_without_cap_sys_admin);
	MT_RUN(test_agent_dropping_cap);
	MT_RUN(test_non_root);
	return mt_summary();
}
