// SPDX-License-Identifier: GPL-2.0
/*
 * In the guest (bench/model/guest.sh): the cost of ml_lib_decide() when its
 * advice comes from an integer model, against the same with a cached
 * recommendation table, measured in the same run as ratios.
 *
 * The kernel loop is ml_lib_testmod's "bench" command on its proxy
 * mltest/bench (one feature, one action in [0, 1000]): N decisions on CPU
 * 0 with feature i and key i % 64, in COLLABORATION (half of them ML). The
 * advice is computed for every decision, whatever its arm. Each round
 * measures every configuration in turn, so that a noisy neighbour slows
 * them alike; each figure is the least over the rounds.
 */
#include "../../tests/guest/ml_lib_guest.h"
#include "ml_model.h"
#include "model_build.h"

#define N_OPS		100000
#define ROUNDS		9

static struct mlg_agent agent;

/* The decide time per operation of one kernel loop, in ns. */
static double decide_ns(void)
{
	double ns;

	if (mlg_ctl("bench 0 %d", N_OPS)) {
		fprintf(stderr, "bench: the bench command failed: %s\n", strerror(errno));
		exit(1);
	}
	ns = (double)mlg_result("bench", "decide_ns") / N_OPS;
	mlg_drain(&agent);
	return ns;
}

static void push(__u32 kind, const void *blob, __u64 len, const char *what)
{
	struct ml_lib_push p = { .size = sizeof(p), .kind = kind,
				 .data = (__u64)(uintptr_t)blob, .len = len };

	if (ioctl(agent.fd, ML_LIB_IOC_PUSH, &p)) {
		fprintf(stderr, "bench: push %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

/* A full tree of depth @depth over feature 0, thresholds spread over [0, N_OPS). */
static int32_t left[511], right[511];
static uint16_t feature[511];
static int64_t threshold[511], value[511];
static unsigned int nr_nodes;

static int32_t grow(unsigned int depth, int64_t lo, int64_t hi)
{
	int32_t i = (int32_t)nr_nodes++;
	int64_t mid = lo + (hi - lo) / 2;

	left[i] = right[i] = -1;
	feature[i] = 0;
	threshold[i] = mid;
	value[i] = mid % 1001;
	if (depth) {
		left[i] = grow(depth - 1, lo, mid);
		right[i] = grow(depth - 1, mid + 1, hi);
	}
	return i;
}

struct blob {
	void *p;
	size_t len;
};

static struct blob build_tree(void)
{
	struct ml_build_tree t;
	struct blob b;

	grow(8, 0, N_OPS - 1);
	t = (struct ml_build_tree){ nr_nodes, left, right, feature, threshold, value };
	if (ml_build_forest(&(struct ml_build_forest){ .version = 2, .nr_inputs = 1,
		.nr_outputs = 1, .nr_trees = 1, .trees = &t }, &b.p, &b.len))
		exit(1);
	return b;
}

static struct blob build_linear(void)
{
	static const int32_t w[] = { 3 };
	static const int64_t bias[] = { 1000 };
	struct blob b;

	if (ml_build_linear(&(struct ml_build_linear){ .version = 3, .nr_inputs = 1,
		.nr_outputs = 1, .weights = w, .bias = bias, .shift = 8 }, &b.p, &b.len))
		exit(1);
	return b;
}

static struct blob build_mlp(void)
{
	static int16_t w0[32], w1[32];
	static int32_t b0[32];
	static const uint8_t in_shift[1] = { 7 };
	struct ml_build_layer layers[2] = {
		{ .nr_out = 32, .shift = 4, .activation = ML_LIB_MODEL_ACT_RELU,
		  .bias = b0, .weights = w0 },
		{ .nr_out = 1, .shift = 6, .weights = w1 },
	};
	struct blob b;
	int i;

	for (i = 0; i < 32; i++) {
		w0[i] = (int16_t)(i % 2 ? 40 + i : -30 - i);
		b0[i] = 100 * i - 1600;
		w1[i] = (int16_t)(i % 3 ? 25 : -20);
	}
	if (ml_build_mlp(&(struct ml_build_mlp){ .version = 4, .nr_inputs = 1,
		.in_shift = in_shift, .nr_layers = 2, .layers = layers }, &b.p, &b.len))
		exit(1);
	return b;
}

enum { NONE, TABLE, TREE, LINEAR, MLP, NR_CONFIGS };

static const char *const names[NR_CONFIGS] = {
	"no advice (default arm only)",
	"64-entry recommendation table",
	"model: full depth-8 tree (511 nodes)",
	"model: linear, 1 feature",
	"model: MLP 1-32-1",
};

int main(void)
{
	struct ml_lib_ctl reinit = { .size = sizeof(reinit) };
	double best[NR_CONFIGS], ns;
	struct blob table, model[NR_CONFIGS];
	__u32 id = mlg_proxy_id("bench");
	int i, c, r;

	if (!id) {
		fprintf(stderr, "bench: load ml_lib_testmod first\n");
		return 1;
	}
	/* A sample ring that holds every record of the publish loop: no drops. */
	if (mlg_attach(&agent, id, 1u << 20, 4096, 0, 0) ||
	    mlg_set_mode(agent.fd, 0, ML_LIB_MODE_COLLABORATION)) {
		fprintf(stderr, "bench: attach: %s\n", strerror(errno));
		return 1;
	}
	table.p = mlg_table(64, 1, 1, (__u64 *)&table.len);
	for (i = 0; i < 64; i++) {
		mlg_entries(table.p)[i].key = i;
		mlg_entries(table.p)[i].values[0] = i;
	}
	model[TREE] = build_tree();
	model[LINEAR] = build_linear();
	model[MLP] = build_mlp();
	for (c = 0; c < NR_CONFIGS; c++)
		best[c] = 1e30;
	for (r = 0; r < ROUNDS; r++) {
		for (c = 0; c < NR_CONFIGS; c++) {
			/* REINIT drops the table and the model; the mode stays pinned. */
			if (ioctl(agent.fd, ML_LIB_IOC_REINIT, &reinit)) {
				fprintf(stderr, "bench: reinit: %s\n", strerror(errno));
				return 1;
			}
			if (c == TABLE)
				push(ML_LIB_PUSH_TABLE, table.p, table.len, names[c]);
			else if (c != NONE)
				push(ML_LIB_PUSH_MODEL, model[c].p, model[c].len, names[c]);
			ns = decide_ns();
			best[c] = ns < best[c] ? ns : best[c];
		}
	}
	mlg_set_mode(agent.fd, 0, ML_LIB_MODE_AUTO);
	mlg_close(&agent);

	printf("ml_lib_decide() with an integer model against a cached table: %d decisions\n"
	       "on CPU 0 per loop, COLLABORATION (half ML), best of %d interleaved rounds,\n"
	       "in the guest (TCG: emulated, so ratios, not times, are the figures)\n",
	       N_OPS, ROUNDS);
	for (c = 0; c < NR_CONFIGS; c++) {
		printf("  %-40s %8.1f ns/op", names[c], best[c]);
		if (c >= TABLE)
			printf("  ratio to the table %.2f", best[c] / best[TABLE]);
		printf("\n");
	}
	free(table.p);
	for (c = TREE; c < NR_CONFIGS; c++)
		free(model[c].p);
	return 0;
}
