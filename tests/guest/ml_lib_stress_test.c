// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: concurrency. While kernel threads publish, decide and report
 * outcomes on p0 and p1 without pause, agents attach, map, consume, push,
 * change modes and detach in a loop, and p1 is destroyed and re-created
 * under its agent's feet. Nothing may crash, leak a reference (the modules
 * must unload afterwards) or splat; the counters must add up.
 */
#include <signal.h>
#include <sys/wait.h>
#include "ml_lib_guest.h"

#define SECONDS 3

static void agent_loop(const char *proxy, int push)
{
	long long end = mlg_now_ms() + SECONDS * 1000;
	struct ml_lib_table *t;
	__u64 len, v = 1;
	int i;

	t = mlg_table(8, push, 1, &len);
	for (i = 0; i < 8; i++)
		mlg_entries(t)[i].key = i * 8;
	while (mlg_now_ms() < end) {
		struct mlg_agent a = { .fd = -1 };
		struct pollfd pfd;
		__u32 id = mlg_proxy_id(proxy);

		if (!id)
			continue;
		if (mlg_attach(&a, id, 64, 64, 8, 1)) {
			mlg_close(&a);
			continue;
		}
		for (i = 0; i < 20; i++) {
			pfd = (struct pollfd){ .fd = a.fd, .events = POLLIN };
			if (poll(&pfd, 1, 5) == 1 && (pfd.revents & POLLHUP))
				break;
			mlg_drain(&a);
			t->version = v++;
			mlg_push(a.fd, t, len);
			mlg_set_mode(a.fd, 0, i % 4);
			ioctl(a.fd, ML_LIB_IOC_HEARTBEAT);
		}
		if (i & 1)
			ioctl(a.fd, ML_LIB_IOC_DETACH);
		mlg_close(&a);
	}
	free(t);
}

static void lifecycle_loop(void)
{
	long long end = mlg_now_ms() + SECONDS * 1000;
	int n = 0;

	while (mlg_now_ms() < end) {
		mlg_ctl("destroy p1");
		mlg_ctl("create p1");
		mlg_ctl("flood p1 1");
		mlg_ctl("critical p0 %d", ++n % 4 == 0);
		usleep(20000);
	}
	mlg_ctl("critical p0 0");
}

static pid_t spawn(void (*fn)(const char *, int), const char *proxy, int push)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		fn(proxy, push);
		_exit(0);
	}
	return pid;
}

static void test_stress(void)
{
	pid_t pids[3];
	int i, status, ok = 1;
	long long pub, drop, unc, filt;

	/*
	 * No cool-down after p0's critical spells: every attach outside one
	 * is a transition (the count below), and transitions are the stress.
	 */
	MT_REQUIRE(mlg_sysfs_write("p0", "controller/cooldown_ms", "0") == 0, "cooldown");
	MT_REQUIRE(mlg_ctl("flood p0 1") == 0, "flood p0");
	MT_REQUIRE(mlg_ctl("flood p1 1") == 0, "flood p1");
	pids[0] = spawn(agent_loop, "p0", 2);
	pids[1] = spawn(agent_loop, "p1", 1);
	fflush(stdout);
	pids[2] = fork();
	if (!pids[2]) {
		lifecycle_loop();
		_exit(0);
	}
	for (i = 0; i < 3; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# child %d: status %#x\n", i, status);
			ok = 0;
		}
	}
	MT_CHECK(ok, "every child exited cleanly");
	MT_CHECK_EQ(mlg_ctl("flood p0 0"), 0);
	MT_CHECK_EQ(mlg_ctl("flood p1 0"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
	MT_CHECK_EQ(mlg_sysfs("p1", "attached"), 0);
	MT_CHECK(mlg_wait_str("p0", "mode", "emergency", 5000), "p0 back in emergency");
	pub = mlg_sysfs("p0", "published");
	drop = mlg_sysfs("p0", "dropped");
	unc = mlg_sysfs("p0", "unconsumed");
	filt = mlg_sysfs("p0", "filtered");
	MT_CHECK(pub > 0 && unc > 0, "published %lld, unconsumed %lld", pub, unc);
	MT_CHECK(mlg_sysfs("p0", "transitions/attached") >= 10, "%lld attachments",
		 mlg_sysfs("p0", "transitions/attached"));
	MT_CHECK(mlg_sysfs("p0", "recs_accepted") >= 10, "%lld tables",
		 mlg_sysfs("p0", "recs_accepted"));
	printf("# p0: %lld attachments, %lld tables, %lld published, %lld dropped\n",
	       mlg_sysfs("p0", "transitions/attached"), mlg_sysfs("p0", "recs_accepted"), pub,
	       drop);
	/* Every decision of the flood had its outcome. */
	MT_CHECK_EQ(mlg_sysfs("p0", "decisions_ml") + mlg_sysfs("p0", "decisions_default"),
		    mlg_sysfs("p0", "outcomes_ml") + mlg_sysfs("p0", "outcomes_default"));
	(void)filt;
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_stress);
	return mt_summary();
}
