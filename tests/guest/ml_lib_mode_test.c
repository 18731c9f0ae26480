// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: the modes of a proxy and their transitions (attach, admin,
 * critical, estimated state, stop/start, reinit, detach, agent death), each
 * with its reason in sysfs, the feedback ring, the subsystem's hook, the
 * per-reason counters and the tracepoints. Needs ml_lib_testmod.
 */
#include <signal.h>
#include <sys/wait.h>
#include "ml_lib_guest.h"

#define TRACEFS "/sys/kernel/tracing"

static __u32 id_p0;

/*
 * Has the transition to @mode for @reason completed? One run by the periodic
 * evaluation (a critical state, its cool-down), on another CPU, publishes
 * the mode with its reason and feedback record, and then calls the
 * subsystem's hook: the hook is the last step.
 */
static bool mode_settled(const char *mode, const char *reason, int hook_new, int hook_reason)
{
	return mlg_mode_is("p0", mode, reason) && mlg_hook("last_new") == hook_new &&
	       mlg_hook("last_reason") == hook_reason;
}

/* The mode and reason now, and those of the last mode record on the feedback ring. */
static void check_mode(struct mlg_agent *a, const char *mode, const char *reason,
		       int fb_new, int fb_reason, int line)
{
	struct ml_lib_feedback fb[16];
	long long end = mlg_now_ms() + 5000;
	char buf[32] = "";
	int n;

	while (!mode_settled(mode, reason, fb_new, fb_reason) && mlg_now_ms() < end)
		usleep(1000);
	mlg_sysfs_str("p0", "mode", buf, sizeof(buf));
	if (strcmp(buf, mode)) {
		mt_fail_at(__FILE__, line, "mode %s, want %s", buf, mode);
		return;
	}
	mlg_sysfs_str("p0", "mode_reason", buf, sizeof(buf));
	if (strcmp(buf, reason))
		mt_fail_at(__FILE__, line, "reason %s, want %s", buf, reason);
	if (mlg_hook("last_reason") != fb_reason || mlg_hook("last_new") != fb_new)
		mt_fail_at(__FILE__, line, "hook saw %lld/%lld", mlg_hook("last_new"),
			   mlg_hook("last_reason"));
	if (!a)
		return;
	n = mlg_feedback(a, ML_LIB_FB_MODE, fb, 16);
	if (n < 1 || fb[n - 1].mode.new_mode != fb_new || fb[n - 1].mode.reason != fb_reason)
		mt_fail_at(__FILE__, line, "mode record: %d records, last new %d reason %d", n,
			   n ? fb[n - 1].mode.new_mode : -1, n ? fb[n - 1].mode.reason : -1);
}

#define CHECK_MODE(a, mode, reason, m, r) check_mode(a, mode, reason, m, r, __LINE__)

static void test_transitions(void)
{
	struct mlg_agent a;
	struct ml_lib_ctl c = { .size = sizeof(c) };
	struct ml_lib_status st;
	long long changes0 = mlg_sysfs("p0", "mode_changes");
	long long att0 = mlg_sysfs("p0", "transitions/attached");
	long long hook0 = mlg_hook("mode_changed");

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 256, 0, 0) == 0, "attach");
	CHECK_MODE(&a, "learning", "attached", ML_LIB_MODE_LEARNING, ML_LIB_REASON_ATTACHED);
	MT_CHECK_EQ(mlg_sysfs("p0", "transitions/attached"), att0 + 1);

	/* The agent pins a mode; an admin through sysfs; auto unpins. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_COLLABORATION), 0);
	CHECK_MODE(&a, "collaboration", "admin", ML_LIB_MODE_COLLABORATION, ML_LIB_REASON_ADMIN);
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 1);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.share_bp, 5000);
	MT_CHECK_EQ(st.pinned, 1);
	MT_CHECK_EQ(mlg_sysfs_write("p0", "mode", "recommendation"), 0);
	CHECK_MODE(&a, "recommendation", "admin", ML_LIB_MODE_RECOMMENDATION, ML_LIB_REASON_ADMIN);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.share_bp, 9500);

	/* Critical, declared from interrupt context: EMERGENCY, then back to the pinned mode. */
	MT_CHECK_EQ(mlg_ctl("critical p0 1"), 0);
	CHECK_MODE(&a, "emergency", "critical", ML_LIB_MODE_EMERGENCY, ML_LIB_REASON_CRITICAL);
	MT_CHECK_EQ(mlg_sysfs("p0", "critical"), 1);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.critical, 1);
	MT_CHECK_EQ(st.share_bp, 0);
	MT_CHECK_EQ(mlg_ctl("critical p0 0"), 0);
	CHECK_MODE(&a, "recommendation", "cooldown", ML_LIB_MODE_RECOMMENDATION,
		   ML_LIB_REASON_COOLDOWN);
	MT_CHECK_EQ(mlg_sysfs("p0", "critical"), 0);

	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_AUTO), 0);
	CHECK_MODE(&a, "learning", "admin", ML_LIB_MODE_LEARNING, ML_LIB_REASON_ADMIN);
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 0);

	/* The subsystem's estimate_state(), asked by the periodic evaluation. */
	MT_CHECK_EQ(mlg_ctl("estimate p0 1"), 0);
	CHECK_MODE(&a, "emergency", "critical", ML_LIB_MODE_EMERGENCY, ML_LIB_REASON_CRITICAL);
	MT_CHECK(mlg_hook("estimated") > 0, "estimate_state called");
	MT_CHECK_EQ(mlg_ctl("estimate p0 0"), 0);
	CHECK_MODE(&a, "learning", "cooldown", ML_LIB_MODE_LEARNING, ML_LIB_REASON_COOLDOWN);

	/* Stop and start, by the kernel API and by the agent. */
	MT_CHECK_EQ(mlg_ctl("stop p0"), 0);
	CHECK_MODE(&a, "emergency", "stopped", ML_LIB_MODE_EMERGENCY, ML_LIB_REASON_STOPPED);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_START, &c)), 0);
	CHECK_MODE(&a, "learning", "started", ML_LIB_MODE_LEARNING, ML_LIB_REASON_STARTED);

	/* Reinit keeps a pinned mode. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_COLLABORATION), 0);
	CHECK_MODE(&a, "collaboration", "admin", ML_LIB_MODE_COLLABORATION, ML_LIB_REASON_ADMIN);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_REINIT, &c)), 0);
	CHECK_MODE(NULL, "collaboration", "admin", ML_LIB_MODE_COLLABORATION, ML_LIB_REASON_ADMIN);
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_AUTO), 0);
	CHECK_MODE(&a, "learning", "admin", ML_LIB_MODE_LEARNING, ML_LIB_REASON_ADMIN);

	/* Bad modes. */
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, ML_LIB_MODE_COUNT), -EINVAL);
	MT_CHECK_EQ(mlg_set_mode(a.fd, 0, 0xfe), -EINVAL);
	{
		struct ml_lib_set_mode m = { .size = sizeof(m), .mode = 1, .flags = 1 };

		MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_SET_MODE, &m)), EINVAL);
	}
	MT_CHECK_EQ(mlg_sysfs("p0", "pinned"), 0);

	/* The agent's close: EMERGENCY, counters kept. */
	mlg_close(&a);
	CHECK_MODE(NULL, "emergency", "detached", ML_LIB_MODE_EMERGENCY, ML_LIB_REASON_DETACHED);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "mode_changes"), changes0 + 13);
	MT_CHECK_EQ(mlg_hook("mode_changed"), hook0 + 13);
	MT_CHECK_EQ(mlg_sysfs("p0", "transitions/detached") >= 1, 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "transitions/admin") >= 5, 1);
}

static void test_agent_death(void)
{
	int pipefd[2], status;
	char c;
	pid_t pid;

	MT_REQUIRE(pipe(pipefd) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		struct mlg_agent a;

		close(pipefd[0]);
		c = mlg_attach(&a, id_p0, 64, 64, 0, 0) ? 'n' : 'y';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	MT_CHECK(read(pipefd[0], &c, 1) == 1 && c == 'y', "the child attached");
	close(pipefd[0]);
	MT_CHECK(mlg_wait_str("p0", "mode", "learning", 5000), "learning with an agent");
	MT_CHECK_EQ(mlg_sysfs("p0", "agent_pid"), pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	MT_CHECK(mlg_wait_str("p0", "mode", "emergency", 5000), "emergency after death");
	MT_CHECK(mlg_wait_str("p0", "mode_reason", "detached", 0), "reason detached");
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "agent_pid"), 0);
}

/* Is there a line in the trace buffer containing @needle? */
static int traced(const char *needle)
{
	static char buf[1 << 16];
	int fd = open(TRACEFS "/trace", O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return 0;
	while (total < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return strstr(buf, needle) != NULL;
}

static void test_tracepoints(void)
{
	struct mlg_agent a;
	struct ml_lib_table *t;
	char want[160];
	__u64 len;

	MT_REQUIRE(mlg_write_file(TRACEFS "/events/ml_lib/enable", "1") == 0, "enable events");
	MT_REQUIRE(mlg_write_file(TRACEFS "/trace", "") == 0, "clear the trace");
	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	t = mlg_table(1, 2, 11, &len);
	mlg_entries(t)[0].key = 1;
	MT_CHECK_EQ(mlg_push(a.fd, t, len), 0);
	t->version = 12;
	mlg_entries(t)[0].values[0] = 5000;
	MT_CHECK_EQ(mlg_push(a.fd, t, len), -ERANGE);
	free(t);
	mlg_close(&a);
	mlg_write_file(TRACEFS "/events/ml_lib/enable", "0");

	snprintf(want, sizeof(want), "ml_lib_attach: proxy=%u mltest/p0 pid=%d", id_p0, getpid());
	MT_CHECK(traced(want), "%s", want);
	snprintf(want, sizeof(want), "ml_lib_mode: proxy=%u emergency -> learning reason=attached",
		 id_p0);
	MT_CHECK(traced(want), "%s", want);
	snprintf(want, sizeof(want), "ml_lib_rec_accepted: proxy=%u version=11 error=0", id_p0);
	MT_CHECK(traced(want), "%s", want);
	snprintf(want, sizeof(want), "ml_lib_rec_rejected: proxy=%u version=12 error=%d", id_p0,
		 -ERANGE);
	MT_CHECK(traced(want), "%s", want);
	snprintf(want, sizeof(want), "ml_lib_detach: proxy=%u mltest/p0 pid=%d", id_p0, getpid());
	MT_CHECK(traced(want), "%s", want);
	snprintf(want, sizeof(want), "ml_lib_mode: proxy=%u learning -> emergency reason=detached",
		 id_p0);
	MT_CHECK(traced(want), "%s", want);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mlg_find_testmod(&id_p0, NULL))
		return 1;
	/*
	 * Transitions and their records, not the controller's timing
	 * (ml_lib_controller_test): no cool-down, no heartbeat timeout.
	 */
	mlg_sysfs_write("p0", "controller/cooldown_ms", "0");
	mlg_sysfs_write("p0", "controller/heartbeat_timeout_ms", "3600000");
	MT_RUN(test_transitions);
	MT_RUN(test_agent_death);
	MT_RUN(test_tracepoints);
	return mt_summary();
}
