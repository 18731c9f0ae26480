// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: module unload. The subsystem's module (ml_lib_testmod)
 * unloads while an agent is attached and while samples are being
 * published; ml_lib itself cannot unload while a file or a mapping of
 * /dev/ml_lib is open or a subsystem uses it, and unloads once they are gone.
 */
#include <sys/wait.h>
#include "ml_lib_guest.h"

static int sh(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int loaded(const char *mod)
{
	char buf[8192], want[64];

	if (mlg_read_file("/proc/modules", buf, sizeof(buf)))
		return -1;
	snprintf(want, sizeof(want), "\n%s ", mod);
	return !strncmp(buf, want + 1, strlen(want + 1)) || strstr(buf, want);
}

/* Wait until samples flow into some ring of @a. */
static int flowing(struct mlg_agent *a)
{
	long long end = mlg_now_ms() + 5000;
	__u32 i;

	while (mlg_now_ms() < end) {
		for (i = 0; i < a->ncpu; i++)
			if (mlg_ring(a, i)->head)
				return 1;
		usleep(1000);
	}
	return 0;
}

static void test_unload_subsystem_with_agent(void)
{
	struct mlg_agent a;
	struct pollfd pfd;
	__u64 head;

	MT_REQUIRE(sh("modprobe ml_lib_testmod") == 0, "modprobe");
	MT_REQUIRE(mlg_attach(&a, mlg_proxy_id("p0"), 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(mlg_ctl("flood p0 1"), 0);
	MT_CHECK(flowing(&a), "samples flow");

	MT_CHECK(sh("rmmod ml_lib 2>/dev/null") != 0, "ml_lib is in use");
	MT_CHECK_EQ(loaded("ml_lib"), 1);
	MT_CHECK_EQ(sh("rmmod ml_lib_testmod"), 0);
	MT_CHECK_EQ(loaded("ml_lib_testmod"), 0);

	pfd = (struct pollfd){ .fd = a.fd, .events = POLLIN };
	MT_CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLHUP), "revents %#x", pfd.revents);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_HEARTBEAT)), ENODEV);
	head = mlg_ring(&a, 0)->head + mlg_ring(&a, a.ncpu > 1)->head;
	MT_CHECK(head > 0, "the rings stay mapped");
	MT_CHECK(sh("rmmod ml_lib 2>/dev/null") != 0, "the agent's file holds ml_lib");
	mlg_close(&a);
	MT_CHECK_EQ(sh("rmmod ml_lib"), 0);
	MT_CHECK_EQ(loaded("ml_lib"), 0);
}

static void test_unload_while_publishing(void)
{
	MT_REQUIRE(sh("modprobe ml_lib_testmod") == 0, "modprobe");
	/* No agent: the samples are counted as unconsumed. */
	MT_CHECK_EQ(mlg_ctl("flood p0 1"), 0);
	MT_CHECK_EQ(mlg_ctl("flood p1 1"), 0);
	MT_CHECK_EQ(mlg_ctl("flood bench 1"), 0);
	MT_CHECK(mlg_sysfs("p1", "unconsumed") >= 0, "p1 alive");
	MT_CHECK_EQ(sh("rmmod ml_lib_testmod"), 0);
	MT_CHECK_EQ(sh("rmmod ml_lib"), 0);
	MT_CHECK_EQ(loaded("ml_lib"), 0);
}

static void test_mapping_holds_ml_lib(void)
{
	struct mlg_agent a;

	MT_REQUIRE(sh("modprobe ml_lib_testmod") == 0, "modprobe");
	MT_REQUIRE(mlg_attach(&a, mlg_proxy_id("p1"), 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(mlg_ctl("flood p1 1"), 0);
	MT_CHECK(flowing(&a), "samples flow");
	/* The fd closed, the mappings kept: still the agent. */
	close(a.fd);
	a.fd = -1;
	MT_CHECK_EQ(mlg_sysfs("p1", "attached"), 1);
	MT_CHECK_EQ(sh("rmmod ml_lib_testmod"), 0);
	MT_CHECK(sh("rmmod ml_lib 2>/dev/null") != 0, "a mapping holds ml_lib");
	mlg_unmap(&a);
	MT_CHECK_EQ(sh("rmmod ml_lib"), 0);
	MT_CHECK_EQ(sh("modprobe ml_lib_testmod"), 0);
	MT_CHECK_EQ(sh("rmmod ml_lib_testmod ml_lib"), 0);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_unload_subsystem_with_agent);
	MT_RUN(test_unload_while_publishing);
	MT_RUN(test_mapping_holds_ml_lib);
	return mt_summary();
}
