// SPDX-License-Identifier: GPL-2.0
/*
 * The lifetime learner: logblk's learned data placement (the proxy
 * logblk/placement), an adapter around user/logblk/lb_learn.c.
 *
 * It predicts how long each block written will live, from the features
 * the kernel computes (core/lb_feat.c), with histogram regression trees on
 * binned integer features whose leaves become temperature classes; the
 * tree compiles directly to the kernel's integer tree format. It tests
 * its candidates itself: each configuration's models place a shadow
 * device (core/lb_core) that follows the proxy's write stream, on writes
 * they never saw, and the configuration with the lowest write
 * amplification over the recent trace is deployed if it beats the
 * device's own policy, its held-out lifetimes predicted no worse than the
 * deployed model's (lb_learn.h, docs/logblk.md "The learner").
 *
 * What it needs from the agent: every sample of a decision, as it comes
 * (the write stream: @sample), and every outcome with its label (the
 * lifetime of the version; overwrites are also seen as the next write,
 * so the outcomes matter for discards). It cannot be rebuilt from the
 * store (the shadow devices need the stream in order): set retrain_ms = 0
 * and heldout_permille to its minimum. The device's geometry and default
 * policy are read from /sys/block/logblkN/logblk/ (parameter `device`).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "heldout.h"
#include "lb_learn.h"
#include "learner.h"
#include "log.h"

enum {
	P_DEVICE,
	P_ROUND,
	P_JUDGE_ROUNDS,
	P_MARGIN,
	P_SWITCH_MARGIN,
	P_PERSIST,
	P_WITHDRAW_ROUNDS,
	P_DEPTH,
	P_MAX_ROWS,
	P_MAX_LAG,
	P_PHASE_KEEP,
	P_COUNT
};

static const struct mlag_param lt_params[P_COUNT] = {
	[P_DEVICE] = { "device", 0, 0, 255, true,
		"logblk device number: geometry and policy from /sys/block/logblkN/logblk" },
	[P_ROUND] = { "round", 0.25, 0.01, 4, false,
		"rounds (training, judging) every this many device sizes of writes" },
	[P_JUDGE_ROUNDS] = { "judge_rounds", 8, 1, 64, true,
		"configurations are compared over this many rounds of writes" },
	[P_MARGIN] = { "margin", 0.02, 0, 0.5, false,
		"relative write-amplification gain over the default a configuration needs "
		"(and loss that withdraws it)" },
	[P_SWITCH_MARGIN] = { "switch_margin", 0.02, 0, 0.5, false,
		"relative gain over the deployed configuration needed to switch" },
	[P_PERSIST] = { "persist", 4, 1, 64, true,
		"judged rounds in a row a configuration must pass the margins to be deployed" },
	[P_WITHDRAW_ROUNDS] = { "withdraw_rounds", 2, 1, 64, true,
		"judged rounds in a row the deployed configuration must be worse than the "
		"default by the margin to be withdrawn" },
	[P_DEPTH] = { "depth", 6, 1, 8, true, "depth of each tree" },
	[P_MAX_ROWS] = { "max_rows", 131072, 4096, 16777216, true,
		"training rows per configuration and round" },
	[P_MAX_LAG] = { "max_lag", 2, 0.1, 64, false,
		"device sizes of writes the learner may be behind the device; further "
		"behind it deploys nothing and withdraws its model" },
	[P_PHASE_KEEP] = { "phase_keep", 0.5, 0, 1, false,
		"device sizes of writes after the last phase change (a move of the hot "
		"set) that every training set keeps; 0: none" },
};

struct lt {
	struct lbl *l;
	const struct ml_lib_schema *schema;
	unsigned int device;
	struct lbl_verdict v;		/* of the model propose() returned */
	bool have_v;
	double nr_lblocks;		/* N, the device size */
	char why[320];			/* v's reason and how far behind it was judged */
};

/* A number from /sys/block/logblkN/logblk/NAME; -1 on error. */
static long long sysfs_num(unsigned int dev, const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/logblk%u/logblk/%s", dev, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The first line of the device's sysfs file @name into @buf: 0 or -ENODEV. */
static int sysfs_line(unsigned int dev, const char *name, char *buf, size_t size)
{
	char path[128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/sys/block/logblk%u/logblk/%s", dev, name);
	f = fopen(path, "r");
	if (!f)
		return -ENODEV;
	if (!fgets(buf, (int)size, f))
		ret = -ENODEV;
	fclose(f);
	return ret;
}

/* The device's placement and victim selection, as lb_parse_*() numbers. */
static int sysfs_policy(unsigned int dev, unsigned int *place, unsigned int *victim)
{
	char buf[2][32];
	int p, v;

	if (sysfs_line(dev, "placement", buf[0], sizeof(buf[0])) ||
	    sysfs_line(dev, "victim", buf[1], sizeof(buf[1])))
		return -ENODEV;
	p = lb_parse_place(buf[0], strlen(buf[0]));
	v = lb_parse_victim(buf[1], strlen(buf[1]));
	if (p < 0 || v < 0)
		return -EINVAL;
	*place = (unsigned int)p;
	*victim = (unsigned int)v;
	return 0;
}

static int lt_create(const struct mlag_learner_env *env, void **statep)
{
	const struct ml_lib_schema *s = env->schema;
	struct lbl_params p;
	struct lb_geometry g;
	unsigned int place, victim, i;
	long long n, sb, ns;
	struct lt *lt;
	int ret;

	/* The schema must be the placement proxy's, feature by feature. */
	if (s->nr_features != LBF_NR || s->nr_actions != 1) {
		mlag_log(LOG_ERR, "lifetime: %s/%s is not a logblk placement proxy "
			 "(%u features, %u actions)", s->subsystem, s->name,
			 s->nr_features, s->nr_actions);
		return -EINVAL;
	}
	for (i = 0; i < LBF_NR; i++) {
		if (strcmp(s->features[i].name, lbf_name(i))) {
			mlag_log(LOG_ERR, "lifetime: feature %u is %s, not %s", i,
				 s->features[i].name, lbf_name(i));
			return -EINVAL;
		}
	}
	lt = calloc(1, sizeof(*lt));
	if (!lt)
		return -ENOMEM;
	lt->schema = s;
	lt->device = (unsigned int)env->params[P_DEVICE];
	n = sysfs_num(lt->device, "nr_lblocks");
	sb = sysfs_num(lt->device, "seg_blocks");
	ns = sysfs_num(lt->device, "nr_segs");
	ret = sysfs_policy(lt->device, &place, &victim);
	if (n <= 0 || sb <= 0 || ns <= 0 || ret) {
		mlag_log(LOG_ERR, "lifetime: cannot read logblk%u's geometry and policy "
			 "in /sys/block/logblk%u/logblk", lt->device, lt->device);
		free(lt);
		return -ENODEV;
	}
	g = (struct lb_geometry){ (u32)n, (u32)sb, (u32)ns };
	lt->nr_lblocks = (double)n;
	lbl_params_default(&p);
	p.round = env->params[P_ROUND];
	p.judge_rounds = (unsigned int)env->params[P_JUDGE_ROUNDS];
	p.margin = env->params[P_MARGIN];
	p.switch_margin = env->params[P_SWITCH_MARGIN];
	p.persist = (unsigned int)env->params[P_PERSIST];
	p.withdraw_rounds = (unsigned int)env->params[P_WITHDRAW_ROUNDS];
	p.depth = (unsigned int)env->params[P_DEPTH];
	p.max_rows = (unsigned int)env->params[P_MAX_ROWS];
	p.max_lag = env->params[P_MAX_LAG];
	p.phase_keep = env->params[P_PHASE_KEEP];
	ret = lbl_create(&g, place, victim, &p, &lt->l);
	if (ret) {
		free(lt);
		return ret;
	}
	lbl_set_keepalive(lt->l, env->keepalive, env->keepalive_arg);
	mlag_log(LOG_INFO, "lifetime: logblk%u, %llu blocks, %llu segments of %llu, "
		 "default policy %s/%s", lt->device, n, ns, sb, lb_place_name(place),
		 lb_victim_name(victim));
	*statep = lt;
	return 0;
}

static void lt_destroy(void *state)
{
	struct lt *lt = state;

	lbl_destroy(lt->l);
	free(lt);
}

static void lt_sample(void *state, const struct ml_lib_sample *s)
{
	struct lt *lt = state;

	lbl_write(lt->l, (uint32_t)s->key, s->decision_id, (const int64_t *)s->features);
}

static void lt_observe(void *state, const struct mlag_example *ex)
{
	struct lt *lt = state;

	if ((ex->flags & ML_LIB_OUTCOME_LABEL) && ex->label >= 0)
		lbl_death(lt->l, (uint32_t)ex->key, ex->decision_id, (uint64_t)ex->label);
}

/* Its own test (the shadows) decided: nothing to forget on a demotion. */
static void lt_forget(void *state, double factor)
{
	(void)state;
	(void)factor;
}

static int lt_propose(void *state, struct mlag_artifact *out)
{
	struct lt *lt = state;
	unsigned int place, victim;
	const char *why = NULL;
	void *blob;
	size_t len;
	int ret;

	/* The default policy may have been changed in sysfs. */
	if (!sysfs_policy(lt->device, &place, &victim))
		lbl_set_default(lt->l, place, victim);
	ret = lbl_step(lt->l, &lt->v, &blob, &len);
	if (ret <= 0)
		return ret ? ret : -EAGAIN;
	ret = mlag_artifact_model(out, lt->schema, blob, len, &why);
	free(blob);
	if (ret) {
		mlag_log(LOG_ERR, "lifetime: the model does not verify: %s", why ? why : "?");
		return ret;
	}
	lt->have_v = true;
	return 0;
}

static int lt_judge(void *state, const struct mlag_artifact *cand,
		    const struct mlag_artifact *deployed, struct mlag_verdict *v)
{
	struct lt *lt = state;

	(void)cand;
	(void)deployed;
	memset(v, 0, sizeof(*v));
	v->deploy = lt->have_v && (lt->v.deploy || lt->v.withdraw);
	/*
	 * How far behind the newest write read the round was judged: on a
	 * drifting workload a model pushed late is worse than its shadow says,
	 * and the operator sees here how much headroom the agent has.
	 */
	snprintf(lt->why, sizeof(lt->why), "%s; judged %.2f device sizes behind the newest "
		 "write read", lt->have_v ? lt->v.why : "no verdict",
		 (double)lt->v.lag / lt->nr_lblocks);
	v->why = lt->why;
	v->cand_score = lt->v.withdraw ? lt->v.waf_default : lt->v.waf_best;
	v->cur_score = lt->v.waf_default;
	v->whole = true;
	lt->have_v = false;
	return 0;
}

static int lt_explore(void *state, const struct mlag_artifact *deployed,
		      unsigned int mode, struct mlag_artifact *out)
{
	(void)state;
	(void)mode;
	if (deployed->kind == MLAG_ART_NONE)
		return -EAGAIN;
	return mlag_artifact_copy(out, deployed);
}

static void lt_adopt(void *state, const struct mlag_artifact *deployed)
{
	struct lt *lt = state;

	lbl_adopt(lt->l, deployed->kind == MLAG_ART_MODEL ? deployed->blob : NULL,
		  deployed->len);
}

const struct mlag_learner mlag_learner_lifetime = {
	.name = "lifetime",
	.summary = "logblk placement: block lifetimes by trees, tested on shadow devices",
	.params = lt_params,
	.nr_params = P_COUNT,
	.create = lt_create,
	.destroy = lt_destroy,
	.observe = lt_observe,
	.forget = lt_forget,
	.propose = lt_propose,
	.explore = lt_explore,
	.adopt = lt_adopt,
	.sample = lt_sample,
	.judge = lt_judge,
};
