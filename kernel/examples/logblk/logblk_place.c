// SPDX-License-Identifier: GPL-2.0
/*
 * logblk: the "logblk/placement" ml_lib proxy, a learned data placement.
 *
 * Every block of every write request is a decision: its features
 * (core/lb_feat.c: the block's history, the request, the device's drift)
 * go to ml_lib_decide(), which gives the ML arm the class the agent's
 * integer model computes (0, the longest lives, .. 3; each class writes to
 * the stream of the policy's blocks of about that temperature,
 * lb_class_stream(); or LB_CLASS_LOG, a circular log's blocks, to a stream
 * of their own), or the default arm, whose block the configured
 * human-made policy places (action value -1, "as the policy would"). The
 * model may answer -1 too. The decision's sample (with its
 * id) is the data set; when the version the block got dies (overwritten or
 * discarded) its outcome is fed back: the cost is how many times GC moved
 * it, the label how long it lived, in ticks.
 *
 * GC asks the model again (ml_lib_advise(), no decision) where a block the
 * ML arm placed goes, from its features at the move; in RECOMMENDATION it
 * asks for the policy's blocks too, so that data written before the model
 * does not stay organized by the old policy. Without a model a block
 * keeps its class. Nothing here waits for user space: in EMERGENCY there
 * are no decisions and no feature state is kept (the features describe the
 * writes made outside EMERGENCY; the core's own history, ages and counts,
 * covers all), so that the proxy costs next to nothing without an agent.
 *
 * A request is decided whole before it is written, each block at the tick
 * it will get, and the classes go to the trace (CLASS records) with the
 * model versions (MODEL) and the proxy's mode (MODE) as the device saw
 * them, so that logblk-replay places exactly as the device did
 * (docs/logblk.md, "Learned placement").
 *
 * Per block it keeps 5 bytes of feature state and a 16-byte record of the
 * decision of the block's live version (struct logblk_pblk).
 */
#include <linux/err.h>
#include <linux/ml_lib.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "logblk.h"

static const struct ml_lib_feature logblk_place_features[LBF_NR] = {
	[LBF_AGE] = { .name = "age", .unit = "hlog2 ticks", .type = ML_LIB_FEAT_LOG2,
		      .min = 0, .max = LBF_BINS - 1 },
	[LBF_PREV] = { .name = "prev", .unit = "hlog2 ticks", .type = ML_LIB_FEAT_LOG2,
		       .min = 0, .max = LBF_BINS - 1 },
	[LBF_COUNT] = { .name = "count", .unit = "hlog2 writes", .type = ML_LIB_FEAT_LOG2,
			.min = 0, .max = LBF_BINS - 1 },
	[LBF_RCOUNT] = { .name = "rcount", .unit = "hlog2 x64 mean", .type = ML_LIB_FEAT_LOG2,
			 .min = 0, .max = LBF_BINS - 1 },
	[LBF_EWL] = { .name = "ewl", .unit = "hlog2 ticks", .type = ML_LIB_FEAT_LOG2,
		      .min = 0, .max = LBF_BINS - 1 },
	[LBF_REL] = { .name = "rel", .unit = "hlog2 + 32", .type = ML_LIB_FEAT_INT,
		      .min = 0, .max = LBF_BINS - 1 },
	[LBF_DRIFT] = { .name = "drift", .unit = "hlog2 ticks", .type = ML_LIB_FEAT_LOG2,
			.min = 0, .max = LBF_BINS - 1 },
	[LBF_SIZE] = { .name = "size", .unit = "hlog2 blocks", .type = ML_LIB_FEAT_LOG2,
		       .min = 0, .max = LBF_BINS - 1 },
	[LBF_SEQ] = { .name = "seq", .unit = "hlog2 requests", .type = ML_LIB_FEAT_LOG2,
		      .min = 0, .max = LBF_BINS - 1 },
	[LBF_REGION] = { .name = "region", .unit = "64ths", .type = ML_LIB_FEAT_UINT,
			 .min = 0, .max = LBF_REGIONS - 1 },
	[LBF_HINT] = { .name = "hint", .type = ML_LIB_FEAT_ENUM, .min = 0, .max = 7 },
	[LBF_MOVED] = { .name = "moved", .type = ML_LIB_FEAT_BOOL, .min = 0, .max = 1 },
	[LBF_MOVES] = { .name = "moves", .unit = "hlog2 moves", .type = ML_LIB_FEAT_LOG2,
			.min = 0, .max = LBF_BINS - 1 },
	[LBF_PHASE] = { .name = "phase", .unit = "changes", .type = ML_LIB_FEAT_UINT,
			.min = 0, .max = 3 },
	[LBF_TICK] = { .name = "tick", .unit = "blocks", .type = ML_LIB_FEAT_UINT,
		       .min = 0, .max = S64_MAX },
};

/*
 * The one action: the class, -1 = where the configured policy puts it,
 * 0..3 by lifetime, LB_CLASS_LOG = a circular log's blocks (a stream of
 * their own).
 */
static const struct ml_lib_action logblk_place_actions[] = {
	{ .name = "class", .min = LOGBLK_CLASS_POLICY, .max = LB_CLASS_LOG,
	  .def = LOGBLK_CLASS_POLICY },
};

/* struct logblk_pblk.flags */
#define LOGBLK_PB_ML		(1u << 0)	/* the ML arm decided */
#define LOGBLK_PB_SHADOW	(1u << 1)	/* advice recorded, not applied */
#define LOGBLK_PB_SRC_SHIFT	2		/* enum ml_lib_source, 2 bits */

static const struct ml_lib_proxy_ops logblk_place_ops;

/**
 * logblk_place_create() - the placement proxy and its per-block state
 * @lb: the device, its core initialized
 *
 * Return: 0, or a negative errno.
 */
int logblk_place_create(struct logblk *lb)
{
	const struct ml_lib_proxy_desc desc = {
		.subsystem = "logblk",
		.name = "placement",
		.features = logblk_place_features,
		.nr_features = LBF_NR,
		.actions = logblk_place_actions,
		.nr_actions = ARRAY_SIZE(logblk_place_actions),
		.flags = ML_LIB_PROXY_SAMPLE_DECISIONS,
		.ops = &logblk_place_ops,
		.priv = lb,
	};
	struct logblk_place *pl;
	u32 n = lb->core.g.nr_lblocks;
	int err;

	pl = kzalloc(sizeof(*pl), GFP_KERNEL);
	if (!pl)
		return -ENOMEM;
	pl->fb = kvcalloc(n, sizeof(*pl->fb), GFP_KERNEL);
	pl->pb = kvcalloc(n, sizeof(*pl->pb), GFP_KERNEL);
	if (!pl->fb || !pl->pb) {
		err = -ENOMEM;
		goto free;
	}
	lbf_init(&pl->fs, pl->fb, n);
	pl->mode = ML_LIB_MODE_EMERGENCY;
	pl->plain_ops = lb->core.ops;
	pl->proxy = ml_lib_proxy_create(&desc);
	if (IS_ERR(pl->proxy)) {
		err = PTR_ERR(pl->proxy);
		goto free;
	}
	err = ml_lib_proxy_start(pl->proxy);
	if (err) {
		ml_lib_proxy_destroy(pl->proxy);
		goto free;
	}
	pl->mem_bytes = sizeof(*pl) + (u64)n * (sizeof(*pl->fb) + sizeof(*pl->pb));
	lb->place = pl;
	return 0;
free:
	kvfree(pl->fb);
	kvfree(pl->pb);
	kfree(pl);
	return err;
}

/**
 * logblk_place_destroy() - destroy the proxy; no request or GC may follow
 * @lb: the device
 */
void logblk_place_destroy(struct logblk *lb)
{
	struct logblk_place *pl = lb->place;

	if (!pl)
		return;
	ml_lib_proxy_destroy(pl->proxy);
	kvfree(pl->fb);
	kvfree(pl->pb);
	kfree(pl);
	lb->place = NULL;
}

/* Record in the trace that the model in force is now @version. */
static void logblk_place_model_seen(struct logblk *lb, u64 version)
{
	struct logblk_place *pl = lb->place;

	if (version == pl->trace_model)
		return;
	pl->trace_model = version;
	logblk_event(lb, LOGBLK_EV_MODEL, 0, version, 0);
}

/**
 * logblk_place_request() - a write request starts; @lb->lock held for writing
 * @lb: the device
 * @lba: its first block
 * @nr: its blocks
 * @hint: the bio's write-lifetime hint
 *
 * Called for every write request, also those refused for space. Takes the
 * proxy's mode for the request (a MODE record when it changed).
 */
void logblk_place_request(struct logblk *lb, u32 lba, u32 nr, unsigned int hint)
{
	struct logblk_place *pl = lb->place;
	u8 mode = ml_lib_proxy_mode(pl->proxy);

	if (mode != pl->mode) {
		pl->mode = mode;
		logblk_event(lb, LOGBLK_EV_MODE, mode, 0, 0);
		/*
		 * In EMERGENCY the core runs without the placement's callbacks,
		 * and the decisions outstanding get no outcome: nothing is kept
		 * per block there, so none may be left to a later death.
		 */
		if (mode == ML_LIB_MODE_EMERGENCY) {
			lb->core.ops = pl->plain_ops;
			memset(pl->pb, 0, (size_t)lb->core.g.nr_lblocks * sizeof(*pl->pb));
		} else {
			lb->core.ops = &logblk_place_core_ops;
		}
	}
	/* In EMERGENCY the placement does nothing at all (docs/logblk.md). */
	if (mode != ML_LIB_MODE_EMERGENCY)
		lbf_request(&pl->fs, lba, nr, hint);
}

/* End the run of blocks with class @run_hint: a CLASS record if it is ML's. */
static void logblk_place_flush(struct logblk *lb, u32 start, u32 len, u8 run_hint)
{
	if (len && run_hint != LB_CLASS_NONE)
		logblk_event(lb, LOGBLK_EV_CLASS, run_hint, start, len);
}

/**
 * logblk_place_decide() - decide every block of an admitted write request
 * @lb: the device; @lb->lock held for writing
 * @lba: the first block
 * @nr: blocks
 *
 * Fills @lb->place->req[0 .. @nr): the stream hint of each block and the
 * record of its decision, stored when the block is written (see
 * logblk_place_hint()). The blocks' features are computed at the ticks they
 * will be written at, in order. Only for an active placement
 * (logblk_place_active()).
 */
void logblk_place_decide(struct logblk *lb, u32 lba, u32 nr)
{
	struct logblk_place *pl = lb->place;
	u32 i, run_start = lba, run_len = 0;
	u8 run_hint = LB_CLASS_NONE;
	s64 f[LBF_NR];

	for (i = 0; i < nr; i++) {
		struct logblk_preq *rq = &pl->req[min_t(u32, i, LOGBLK_MAX_REQ_BLOCKS - 1)];
		struct ml_lib_decision d;
		s64 cls;

		lbf_user(&pl->fs, pl->fb, &lb->core, lba + i, lb->core.now + i, f);
		/* Longer requests than the queue allows are the policy's past it. */
		if (i >= LOGBLK_MAX_REQ_BLOCKS)
			continue;
		rq->hint = LB_CLASS_NONE;
		memset(&rq->pb, 0, sizeof(rq->pb));
		ml_lib_decide(pl->proxy, lba + i, f, &d);
		cls = d.arm == ML_LIB_ARM_ML ? d.values[0] : LOGBLK_CLASS_POLICY;
		if (cls >= 0 && cls <= LB_CLASS_LOG)
			rq->hint = (u8)lb_class_stream(&lb->core, (unsigned int)cls);
		rq->pb.id = d.id;
		rq->pb.version = (u32)d.version;
		rq->pb.applied = (s8)cls;
		rq->pb.advice = (s8)(d.source != ML_LIB_SRC_NONE ? d.advice[0] : LOGBLK_CLASS_POLICY);
		rq->pb.flags = (d.arm == ML_LIB_ARM_ML ? LOGBLK_PB_ML : 0) |
			(d.flags & ML_LIB_OUTCOME_SHADOW ? LOGBLK_PB_SHADOW : 0) |
			(d.source << LOGBLK_PB_SRC_SHIFT);
		pl->decisions[d.arm == ML_LIB_ARM_ML]++;
		/* A run ends where the class or the model in force changes. */
		if (rq->hint != run_hint ||
		    (d.source == ML_LIB_SRC_MODEL ? d.version : 0) != pl->trace_model) {
			logblk_place_flush(lb, run_start, run_len, run_hint);
			logblk_place_model_seen(lb, d.source == ML_LIB_SRC_MODEL ? d.version : 0);
			run_start = lba + i;
			run_len = 0;
			run_hint = rq->hint;
		}
		run_len++;
	}
	logblk_place_flush(lb, run_start, run_len, run_hint);
}

/* The core's death callback (not in EMERGENCY): the outcome of the version's decision. */
void logblk_place_death(struct logblk *lb, const struct lb_death *dt)
{
	struct logblk_place *pl = lb->place;
	struct logblk_pblk *pb = &pl->pb[dt->lba];
	struct ml_lib_decision d;

	if (!pb->id)
		return;		/* decided in EMERGENCY, or never */
	d = (struct ml_lib_decision){
		.id = pb->id,
		.key = dt->lba,
		.version = pb->version,
		.arm = pb->flags & LOGBLK_PB_ML ? ML_LIB_ARM_ML : ML_LIB_ARM_DEFAULT,
		.source = (pb->flags >> LOGBLK_PB_SRC_SHIFT) & 3,
		.flags = pb->flags & LOGBLK_PB_SHADOW ? ML_LIB_OUTCOME_SHADOW : 0,
		.values = { pb->applied },
		.advice = { pb->advice },
	};
	ml_lib_outcome_label(pl->proxy, &d, dt->gc_moves,
			     dt->lifetime > S64_MAX ? S64_MAX : (s64)dt->lifetime);
	pl->outcomes++;
	pb->id = 0;
}

/*
 * The core's GC callback (not in EMERGENCY): where a block goes when GC moves it. The model
 * places the blocks the ML arm placed (and in RECOMMENDATION, all); -1 or
 * no model leaves the choice to the core (a placed block keeps its class,
 * the policy's blocks go where the policy says).
 */
unsigned int logblk_place_gc_class(struct logblk *lb, u32 lba, const struct lb_block *b)
{
	struct logblk_place *pl = lb->place;
	s64 f[LBF_NR], v[ML_LIB_MAX_ACTIONS];
	u64 version;

	if (!(b->flags & LB_BLK_HINTED) && pl->mode != ML_LIB_MODE_RECOMMENDATION)
		return LB_CLASS_NONE;
	lbf_moved(&pl->fs, pl->fb, &lb->core, lba, f);
	version = ml_lib_advise(pl->proxy, lba, f, v);
	logblk_place_model_seen(lb, version);
	if (!version)
		return LB_CLASS_NONE;
	pl->gc_advised++;
	if (v[0] < 0)
		return LB_CLASS_POLICY;
	return lb_class_stream(&lb->core, (unsigned int)min_t(s64, v[0], LB_CLASS_LOG));
}
