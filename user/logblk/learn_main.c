// SPDX-License-Identifier: GPL-2.0
/*
 * logblk-learn: the placement learner (lb_learn.c) run offline on a trace,
 * with the kernel's side simulated: a device that decides every block
 * write with the deployed model (for a share of the writes, the ML arm)
 * or the default policy, and reports every death. The learner sees what
 * mlagentd sees from the logblk/placement proxy; its models are deployed
 * at once. For tuning the learner and for its host tests; the benchmark's
 * figures come from the real loop (kernel + mlagentd). See logblk-learn(1).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb_sim.h"

struct print {
	unsigned int nr_cands;
	uint32_t n;
};

static void print_round(void *arg, const struct lbl_verdict *v)
{
	const struct print *pr = arg;

	printf("round %.2fN: default %.3f, configurations", (double)v->tick / pr->n,
	       v->waf_default);
	for (unsigned int k = 0; k < pr->nr_cands; k++)
		printf(" %.3f", v->waf_cand[k]);
	printf(", best #%d (%u leaves, %u in a row), held-out error %.2f/%.2f: %s%s\n",
	       v->best, v->leaves, v->streak, v->err_deployed, v->err_best,
	       v->deploy ? "DEPLOY " : v->withdraw ? "WITHDRAW " : "", v->why);
}

static double waf(const struct lb_stats *a, const struct lb_stats *b)
{
	uint64_t u = a->user_writes - b->user_writes, g = a->gc_writes - b->gc_writes;

	return u ? (double)(u + g) / (double)u : NAN;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logblk-learn [options] TRACE\n"
		"  -p, --policy P     the default policy (p1 p2 p3x p4; default p3x)\n"
		"  -o, --op PCT       over-provisioning (default: the trace's device)\n"
		"  -S, --share X      ML share of the decisions, 0..1 (default 1)\n"
		"  -c, --cand L,W,B,R a candidate (repeatable): lag, window, first\n"
		"                     threshold, ratio; lengths in device sizes\n"
		"  -r, --round X      rounds every X device sizes (default 0.25)\n"
		"  -j, --judge N      judged window: N rounds (default 8)\n"
		"  -P, --persist N    a configuration is deployed after passing the\n"
		"                     margins in N judged rounds in a row (default 4)\n"
		"  -d, --depth D      tree depth (default 6)\n"
		"  -M, --mask HEX     features the trees may use\n"
		"  -s, --seed S       seed of the arm draws (default 1)\n"
		"  -A, --slow X       the agent steps once per X rounds of device\n"
		"                     writes (X > 1: slower than the device, as in a\n"
		"                     loaded guest; default 0: after every request)\n"
		"  -D, --delay X      each model reaches the device X device sizes\n"
		"                     after its round, as in a guest (default 0)\n"
		"  -K, --keep X       the writes of X device sizes after the last\n"
		"                     phase change join every training set\n"
		"                     (0..1, default 0.5; 0: none)\n"
		"  -v, --verbose      one line per judged round\n");
}

/*
 * A number for option @opt from @s, within [@lo, @hi] (whole when @whole):
 * 0, or -EINVAL after a message that names the option and the range.
 */
static int opt_num(const char *opt, const char *s, double lo, double hi, bool whole,
		   double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || !(*v >= lo && *v <= hi) || (whole && *v != (long)*v)) {
		fprintf(stderr, "logblk-learn: --%s wants %s %g..%g, not '%s'\n", opt,
			whole ? "an integer" : "a number", lo, hi, s);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "policy", 1, NULL, 'p' }, { "op", 1, NULL, 'o' }, { "share", 1, NULL, 'S' },
		{ "cand", 1, NULL, 'c' }, { "round", 1, NULL, 'r' }, { "judge", 1, NULL, 'j' }, { "persist", 1, NULL, 'P' },
		{ "depth", 1, NULL, 'd' }, { "mask", 1, NULL, 'M' }, { "seed", 1, NULL, 's' },
		{ "slow", 1, NULL, 'A' }, { "delay", 1, NULL, 'D' }, { "keep", 1, NULL, 'K' },
		{ "verbose", 0, NULL, 'v' },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct lbs_opts o = { .place = LB_PLACE_HOTCOLD, .victim = LB_VICTIM_CB, .share = 1,
			      .seed = 1 };
	struct lbs_result *res;
	struct print pr;
	struct lbr_trace t;
	unsigned int ncand = 0;
	long op = -1;
	bool verbose = false;
	unsigned long long mask;
	char *end;
	double d;
	int c, ret;

	lbl_params_default(&o.p);
	while ((c = getopt_long(argc, argv, "p:o:S:c:r:j:P:d:M:s:A:D:K:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (lb_parse_policy(optarg, strlen(optarg), &o.place, &o.victim)) {
				fprintf(stderr, "logblk-learn: unknown policy '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			if (opt_num("op", optarg, 0, 1000, true, &d))
				return 2;
			op = (long)d;
			break;
		case 'S':
			if (opt_num("share", optarg, 0, 1, false, &o.share))
				return 2;
			break;
		case 'A':
			if (opt_num("slow", optarg, 0, 64, false, &o.slow))
				return 2;
			break;
		case 'D':
			if (opt_num("delay", optarg, 0, 64, false, &o.delay))
				return 2;
			break;
		case 'c':
			if (ncand == LBL_MAX_CANDS ||
			    sscanf(optarg, "%lf,%lf,%lf,%lf", &o.p.cand[ncand].lag,
				   &o.p.cand[ncand].window, &o.p.cand[ncand].th_base,
				   &o.p.cand[ncand].th_ratio) != 4) {
				fprintf(stderr, "logblk-learn: bad --cand '%s'\n", optarg);
				return 2;
			}
			ncand++;
			break;
		/* The ranges of the lifetime learner's parameters in mlagentd. */
		case 'r':
			if (opt_num("round", optarg, 0.01, 4, false, &o.p.round))
				return 2;
			break;
		case 'j':
			if (opt_num("judge", optarg, 1, 64, true, &d))
				return 2;
			o.p.judge_rounds = (unsigned int)d;
			break;
		case 'P':
			if (opt_num("persist", optarg, 1, 64, true, &d))
				return 2;
			o.p.persist = (unsigned int)d;
			break;
		case 'K':
			if (opt_num("keep", optarg, 0, 1, false, &o.p.phase_keep))
				return 2;
			break;
		case 'd':
			if (opt_num("depth", optarg, 1, 8, true, &d))
				return 2;
			o.p.depth = (unsigned int)d;
			break;
		case 'M':
			errno = 0;
			mask = strtoull(optarg, &end, 16);
			if (errno || end == optarg || *end || mask > UINT32_MAX) {
				fprintf(stderr, "logblk-learn: --mask wants a hex mask of 32 bits, not '%s'\n",
					optarg);
				return 2;
			}
			o.p.feature_mask = (uint32_t)mask;
			break;
		case 's':
			errno = 0;
			o.seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || *optarg == '-') {
				fprintf(stderr, "logblk-learn: --seed wants an unsigned integer, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (ncand)
		o.p.nr_cands = ncand;
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (lbr_load(argv[optind], &t))
		return 1;
	o.g.nr_lblocks = t.h.nr_lblocks;
	o.g.seg_blocks = t.h.seg_blocks;
	o.g.nr_segs = op >= 0 ? lb_nr_segs_for_op(o.g.nr_lblocks, o.g.seg_blocks, (u32)op) :
		t.h.nr_segs;
	pr = (struct print){ o.p.nr_cands, o.g.nr_lblocks };
	if (verbose) {
		o.round = print_round;
		o.arg = &pr;
	}
	res = calloc(1, sizeof(*res));
	if (!res)
		return 1;
	ret = lbs_run(&t, &o, res);
	if (ret) {
		fprintf(stderr, "logblk-learn: %s: %s\n", argv[optind], strerror(-ret));
		return 1;
	}
	printf("waf=%.3f win_waf=%.3f rounds=%llu judged=%llu models=%llu withdrawn=%llu discards=%llu holes=%llu gc_rows=%llu kept=%llu train_ms=%.1f shadows_win_waf=",
	       waf(&res->total, &(struct lb_stats){ 0 }), waf(&res->total, &res->at_mark),
	       (unsigned long long)res->learner.rounds, (unsigned long long)res->learner.judged,
	       (unsigned long long)res->models, (unsigned long long)res->learner.withdrawn,
	       (unsigned long long)res->learner.discards, (unsigned long long)res->learner.holes,
	       (unsigned long long)res->learner.gc_rows,
	       (unsigned long long)res->learner.kept, res->learner.train_ms);
	for (unsigned int k = 0; k <= o.p.nr_cands; k++)
		printf("%s%.3f", k ? "," : "", waf(&res->shadow[k], &res->shadow_mark[k]));
	printf("\n");
	free(res);
	lbr_free(&t);
	return 0;
}
