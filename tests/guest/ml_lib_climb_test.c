// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: the mode controller end to end, on ml_lib_demo with a
 * scripted agent. The agent, a child process speaking the raw ABI
 * (attach, push, heartbeat), pushes the optimal table of the demo's hidden
 * policy: the proxy climbs from LEARNING to RECOMMENDATION on evidence.
 * Then it pushes a bad table: the proxy falls back to LEARNING. Then the
 * agent exits: EMERGENCY. The test drives the demo's operations itself
 * ("step") and runs the controller every 10 ms, so the case takes seconds.
 */
#include <signal.h>
#include <sys/wait.h>
#include "ml_lib_guest.h"

#define DEMO_KEYS	64
#define OPS_LIMIT	40000	/* operations allowed for each move */

static __u32 demo_id;

/* A table of the demo: d = f(x) (optimal), or d = 0 for every key (bad). */
static int push_demo_table(int fd, __u64 version, int optimal)
{
	struct ml_lib_table *t;
	__u64 len;
	int i, ret;

	t = mlg_table(DEMO_KEYS, 1, version, &len);
	for (i = 0; i < DEMO_KEYS; i++) {
		mlg_entries(t)[i].key = i;
		mlg_entries(t)[i].values[0] = optimal ? mlg_demo_f_linear(i) : 0;
	}
	ret = mlg_push(fd, t, len);
	free(t);
	return ret;
}

/*
 * The scripted agent. It acknowledges each command of the parent with one
 * byte: 'r' attached and pushed the optimal table, 'b' pushed the bad one,
 * 'n' failed. Between commands it heartbeats and drains its rings. 'q', or
 * the parent's end of the pipe closing, makes it exit without detaching:
 * the kernel notices the death.
 */
static void agent(int cmd, int ack)
{
	struct mlg_agent a;
	char c = 'r';

	if (mlg_attach(&a, demo_id, 1024, 1024, 0, 0) || push_demo_table(a.fd, 1, 1))
		c = 'n';
	if (write(ack, &c, 1) != 1)
		_exit(2);
	for (;;) {
		struct pollfd p = { .fd = cmd, .events = POLLIN };

		if (!poll(&p, 1, 100)) {
			ioctl(a.fd, ML_LIB_IOC_HEARTBEAT);
			mlg_drain(&a);
			continue;
		}
		if (read(cmd, &c, 1) != 1 || c == 'q')
			_exit(0);
		c = c == 'b' && !push_demo_table(a.fd, 2, 0) ? 'b' : 'n';
		if (write(ack, &c, 1) != 1)
			_exit(2);
	}
}

#define MODE		MLG_DEMO_PROXY "mode"
#define MODE_REASON	MLG_DEMO_PROXY "mode_reason"

/* Wait up to @ms for the demo proxy's mode, then check its reason. */
static int wait_mode(const char *mode, const char *reason, int ms, int line)
{
	char m[32] = "?", r[32] = "?";

	if (mlg_wait_file(MODE, mode, ms) && mlg_file_is(MODE_REASON, reason))
		return 1;
	mlg_read_file(MODE, m, sizeof(m));
	mlg_read_file(MODE_REASON, r, sizeof(r));
	m[strcspn(m, "\n")] = 0;
	r[strcspn(r, "\n")] = 0;
	mt_fail_at(__FILE__, line, "mode %s (%s), want %s (%s)", m, r, mode, reason);
	return 0;
}

#define WAIT_MODE(mode, reason, ms) wait_mode(mode, reason, ms, __LINE__)

/* Run the demo's operations in steps until its proxy is in @mode; the operations, or -1. */
static long long drive_until(const char *mode)
{
	long long ops = 0;

	/* Between steps, the controller (every 10 ms) gets to see them. */
	while (!mlg_wait_file(MODE, mode, 30) && ops < OPS_LIMIT) {
		if (mlg_demo_set(MLG_DEMO, "step", "500"))
			return -1;
		ops += 500;
	}
	return mlg_file_is(MODE, mode) ? ops : -1;
}

static int command(int cmd, int ack, char c)
{
	if (write(cmd, &c, 1) != 1 || read(ack, &c, 1) != 1)
		return 'n';
	return c;
}

static void test_climb_fall_and_exit(void)
{
	int to_agent[2], from_agent[2], status;
	struct ml_lib_status st = { .size = sizeof(st) };
	long long up, down, prom0, dem0;
	int observer = mlg_open();
	pid_t pid;
	char c;

	MT_REQUIRE(observer >= 0, "open");
	MT_REQUIRE(pipe(to_agent) == 0 && pipe(from_agent) == 0, "pipes");
	WAIT_MODE("emergency", "none", 0);
	MT_CHECK_EQ(mlg_demo_set(MLG_DEMO_PROXY, "eval_interval_ms", "10"), 0);
	prom0 = mlg_demo_get(MLG_DEMO_PROXY, "transitions/promoted");
	dem0 = mlg_demo_get(MLG_DEMO_PROXY, "transitions/demoted");

	fflush(stdout);
	pid = fork();
	MT_REQUIRE(pid >= 0, "fork");
	if (!pid) {
		close(to_agent[1]);
		close(from_agent[0]);
		agent(to_agent[0], from_agent[1]);
	}
	close(to_agent[0]);
	close(from_agent[1]);
	MT_REQUIRE(read(from_agent[0], &c, 1) == 1 && c == 'r', "the agent attached");
	WAIT_MODE("learning", "attached", 5000);

	/* The optimal table: climbs to RECOMMENDATION on evidence. */
	up = drive_until("recommendation");
	MT_CHECK(up > 0, "not promoted within %d operations", OPS_LIMIT);
	WAIT_MODE("recommendation", "promoted", 0);
	MT_CHECK_EQ(mlg_demo_get(MLG_DEMO_PROXY, "transitions/promoted"), prom0 + 2);
	/* ML costs the noise (~10), the default ~190: about 5%. */
	MT_CHECK(mlg_demo_get(MLG_DEMO_PROXY, "efficiency_bp") < 1500, "efficiency %lld",
		 mlg_demo_get(MLG_DEMO_PROXY, "efficiency_bp"));
	st.proxy_id = demo_id;
	MT_CHECK_EQ(MLG_ERR(ioctl(observer, ML_LIB_IOC_STATUS, &st)), 0);
	MT_CHECK_EQ(st.mode, ML_LIB_MODE_RECOMMENDATION);
	MT_CHECK_EQ(st.mode_reason, ML_LIB_REASON_PROMOTED);
	MT_CHECK(st.efficiency_bp >= 0 && st.efficiency_bp < 1500, "status efficiency %d",
		 st.efficiency_bp);

	/* A bad table: the evidence turns, the proxy falls to LEARNING. */
	MT_CHECK_EQ(command(to_agent[1], from_agent[0], 'b'), 'b');
	down = drive_until("learning");
	MT_CHECK(down > 0, "not demoted within %d operations", OPS_LIMIT);
	WAIT_MODE("learning", "demoted", 0);
	MT_CHECK_EQ(mlg_demo_get(MLG_DEMO_PROXY, "transitions/demoted"), dem0 + 1);
	MT_CHECK(mlg_demo_get(MLG_DEMO_PROXY, "efficiency_bp") > 10000, "efficiency %lld",
		 mlg_demo_get(MLG_DEMO_PROXY, "efficiency_bp"));

	/* The agent exits: EMERGENCY. */
	MT_CHECK(write(to_agent[1], "q", 1) == 1, "quit");
	MT_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 !WEXITSTATUS(status), "the agent's exit");
	WAIT_MODE("emergency", "detached", 5000);
	MT_CHECK_EQ(mlg_demo_get(MLG_DEMO_PROXY, "attached"), 0);
	printf("# figure: optimal table: RECOMMENDATION after %lld operations; bad table: LEARNING after %lld more\n",
	       up, down);

	close(to_agent[1]);
	close(from_agent[0]);
	close(observer);
	mlg_demo_set(MLG_DEMO_PROXY, "eval_interval_ms", "100");
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	demo_id = mlg_find_proxy("ml_lib_demo", "policy");
	if (!demo_id) {
		printf("not ok - ml_lib_demo's proxy not found\n0 passed, 1 failed\n");
		return 1;
	}
	MT_RUN(test_climb_fall_and_exit);
	return mt_summary();
}
