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
#include "lb_learn.h"
#include "lb_replay.h"
#include "ml_rand.h"

struct sim {
	struct lbp_engine e;
	struct lbp_model model;
	bool have_model;
	uint64_t *id;		/* per block: decision id of its version */
	uint64_t next_id;
	struct lbl *l;
};

static void sim_death(void *priv, const struct lb_death *dt)
{
	struct sim *s = priv;

	lbl_death(s->l, dt->lba, s->id[dt->lba], dt->lifetime);
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
		"  -j, --judge N      judged window: N rounds (default 2)\n"
		"  -d, --depth D      tree depth (default 6)\n"
		"  -M, --mask HEX     features the trees may use\n"
		"  -s, --seed S       seed of the arm draws (default 1)\n"
		"  -v, --verbose      one line per judged round\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "policy", 1, NULL, 'p' }, { "op", 1, NULL, 'o' }, { "share", 1, NULL, 'S' },
		{ "cand", 1, NULL, 'c' }, { "round", 1, NULL, 'r' }, { "judge", 1, NULL, 'j' },
		{ "depth", 1, NULL, 'd' }, { "mask", 1, NULL, 'M' }, { "seed", 1, NULL, 's' },
		{ "verbose", 0, NULL, 'v' }, { "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	unsigned int place = LB_PLACE_HOTCOLD, victim = LB_VICTIM_CB, ncand = 0;
	struct lbl_params p;
	struct lbr_trace t;
	struct lb_geometry g;
	struct lb_stats mark = { 0 }, smark[LBL_MAX_CANDS + 1] = { 0 };
	struct lbl_stats st;
	struct sim s = { 0 };
	double share = 1;
	long op = -1;
	u64 rs = 1;
	bool verbose = false;
	uint64_t last_judged = 0;
	int c, ret;

	lbl_params_default(&p);
	while ((c = getopt_long(argc, argv, "p:o:S:c:r:j:d:M:s:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (lb_parse_policy(optarg, strlen(optarg), &place, &victim)) {
				fprintf(stderr, "logblk-learn: unknown policy '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o': op = atol(optarg); break;
		case 'S': share = atof(optarg); break;
		case 'c':
			if (ncand == LBL_MAX_CANDS ||
			    sscanf(optarg, "%lf,%lf,%lf,%lf", &p.cand[ncand].lag,
				   &p.cand[ncand].window, &p.cand[ncand].th_base,
				   &p.cand[ncand].th_ratio) != 4) {
				fprintf(stderr, "logblk-learn: bad --cand '%s'\n", optarg);
				return 2;
			}
			ncand++;
			break;
		case 'r': p.round = atof(optarg); break;
		case 'j': p.judge_rounds = (unsigned int)atoi(optarg); break;
		case 'd': p.depth = (unsigned int)atoi(optarg); break;
		case 'M': p.feature_mask = (uint32_t)strtoul(optarg, NULL, 16); break;
		case 's': rs = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (ncand)
		p.nr_cands = ncand;
	if (optind + 1 != argc || !(share >= 0 && share <= 1)) {
		usage(stderr);
		return 2;
	}
	if (lbr_load(argv[optind], &t))
		return 1;
	g.nr_lblocks = t.h.nr_lblocks;
	g.seg_blocks = t.h.seg_blocks;
	g.nr_segs = op >= 0 ? lb_nr_segs_for_op(g.nr_lblocks, g.seg_blocks, (u32)op) : t.h.nr_segs;
	ret = lbp_init(&s.e, &g, place, victim);
	if (!ret)
		ret = lbl_create(&g, place, victim, &p, &s.l);
	s.id = calloc(g.nr_lblocks, sizeof(*s.id));
	if (ret || !s.id) {
		fprintf(stderr, "logblk-learn: cannot set up: %s\n", strerror(ret ? -ret : ENOMEM));
		return 1;
	}
	s.e.death = sim_death;
	s.e.priv = &s;
	for (size_t i = 0; i < t.nr; i++) {
		const struct lbt_rec *r = &t.recs[i];
		struct lbl_verdict v = { 0 };
		void *blob;
		size_t len;

		switch (r->op) {
		case LBT_WRITE:
			lbf_request(&s.e.fs, (u32)r->lba, r->len, 0);
			if (lb_write_begin(&s.e.d, (u32)r->lba, r->len))
				break;
			for (u32 b = 0; b < r->len; b++) {
				u32 lba = (u32)r->lba + b, slot;
				unsigned int hint = LB_CLASS_NONE;
				s64 f[LBF_NR];

				lbf_user(&s.e.fs, s.e.fb, &s.e.d, lba, s.e.d.now, f);
				if (s.have_model &&
				    ml_rand_draw_bp(&rs, (u32)(share * 10000 + 0.5)))
					hint = lbp_model_hint(&s.model, &s.e.d, f);
				/* The old version's death reports the old id. */
				lb_write_block(&s.e.d, lba, hint, &slot);
				s.id[lba] = ++s.next_id;
				lbl_write(s.l, lba, s.id[lba], f);
			}
			break;
		case LBT_DISCARD:
			lb_discard(&s.e.d, (u32)r->lba, r->len);
			break;
		case LBT_MARK:
			mark = s.e.d.stats;
			for (unsigned int k = 0; k <= p.nr_cands; k++)
				lbl_shadow_stats(s.l, k, &smark[k]);
			break;
		default:
			break;
		}
		ret = lbl_step(s.l, &v, &blob, &len);
		if (ret < 0) {
			fprintf(stderr, "logblk-learn: learner: %s\n", strerror(-ret));
			return 1;
		}
		if (ret == 1) {
			if (s.have_model)
				lbp_model_free(&s.model);
			ret = lbp_model_load(&s.model, blob, len, NULL);
			free(blob);
			if (ret)
				return 1;
			s.have_model = true;
			s.e.model = &s.model;
			s.e.gc_all = share >= 0.95;

		}
		if (verbose && v.judged && v.tick != last_judged) {
			last_judged = v.tick;
			printf("round %.2fN: default %.3f, configurations", (double)v.tick / g.nr_lblocks,
			       v.waf_default);
			for (unsigned int k = 0; k < p.nr_cands; k++)
				printf(" %.3f", v.waf_cand[k]);
			printf(", best #%d (%u leaves), held-out error %.2f/%.2f: %s%s\n",
			       v.best, v.leaves, v.err_deployed, v.err_best,
			       v.deploy ? "DEPLOY " : v.withdraw ? "WITHDRAW " : "", v.why);
		}
	}
	lbl_get_stats(s.l, &st);
	{
		uint64_t wu = s.e.d.stats.user_writes - mark.user_writes;
		uint64_t wg = s.e.d.stats.gc_writes - mark.gc_writes;

		printf("waf=%.3f win_waf=%.3f rounds=%llu judged=%llu deployed=%llu withdrawn=%llu discards=%llu holes=%llu gc_rows=%llu train_ms=%.1f\n",
		       (double)(s.e.d.stats.user_writes + s.e.d.stats.gc_writes) / s.e.d.stats.user_writes,
		       wu ? (double)(wu + wg) / wu : NAN,
		       (unsigned long long)st.rounds, (unsigned long long)st.judged,
		       (unsigned long long)st.deployed, (unsigned long long)st.withdrawn,
		       (unsigned long long)st.discards,
		       (unsigned long long)st.holes, (unsigned long long)st.gc_rows,
		       st.train_ms);
	}
	if (verbose) {
		printf("shadows over the window:");
		for (unsigned int k = 0; k <= p.nr_cands; k++) {
			struct lb_stats e;

			lbl_shadow_stats(s.l, k, &e);
			printf(" %.3f", (double)(e.user_writes - smark[k].user_writes + e.gc_writes - smark[k].gc_writes) /
			       (double)(e.user_writes - smark[k].user_writes));
		}
		printf("\n");
	}
	lbl_destroy(s.l);
	lbp_free(&s.e);
	if (s.have_model)
		lbp_model_free(&s.model);
	free(s.id);
	lbr_free(&t);
	return 0;
}
