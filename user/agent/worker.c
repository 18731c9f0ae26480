// SPDX-License-Identifier: GPL-2.0
/*
 * A model thread (see worker.h and learner.h for the division of work).
 *
 * Each iteration: wait for records (or the next deadline); consume the
 * feedback rings, then the sample rings, then join every outcome with the
 * sample of its decision (the order matters: a decision's sample is
 * published before its outcome, so once the outcomes are read, their
 * samples are in the sample rings); store, split, learn; then whatever is
 * due: heartbeat, commit, train-and-judge, push, retrain, report.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <time.h>
#include "array.h"
#include "heldout.h"
#include "keymap.h"
#include "log.h"
#include "worker.h"

/*
 * A sample of a decision whose outcome has not been read yet. Joined, its
 * features are stored in the outcome's row; one whose outcome never comes
 * is stored in the samples table when it stops waiting. (A sample without
 * a decision goes to the samples table at once.) Every sample is stored
 * once.
 */
struct sample_slot {
	struct ml_lib_sample s;
	int64_t features[ML_LIB_MAX_FEATURES];
	uint32_t cpu;
	uint8_t age;			/* iterations it waited */
	bool used;
};

/*
 * Iterations a sample waits for its outcome: the outcome of a decision is
 * usually read in the same iteration as its sample; a subsystem that
 * reports outcomes later gets this many iterations (each at least one
 * wake-up of the rings).
 */
#define SAMPLE_WAIT	16

struct mlag_worker {
	struct mlag_worker_args a;
	const struct mlag_learner *learner;
	void *ls;			/* the learner's state */
	struct mlag_heldout *heldout;
	struct mlag_keyseq keys;
	struct mlag_deploy_rule rule;
	uint64_t seed;

	struct mlag_artifact deployed;	/* kind NONE: the default algorithm */
	uint64_t model_version;		/* of @deployed; 0 = none */
	double deployed_score;		/* its held-out score when deployed */
	struct mlag_artifact pushed;
	bool have_pushed;
	uint64_t table_version;		/* last pushed */
	bool push_now;

	uint64_t t_heartbeat, t_push, t_train, t_retrain, t_commit, t_report;
	uint8_t mode;
	uint16_t reason;
	int32_t efficiency_bp;
	struct ml_lib_status status;
	bool status_seen;

	struct ml_lib_fb_outcome *pending;
	size_t nr_pending, cap_pending;
	struct sample_slot *smp;	/* samples waiting for their outcome */
	size_t nr_smp, cap_smp;
	struct mlag_keymap smp_map;	/* decision id -> smp, rebuilt per join */
	int error;			/* an error seen inside a callback */
	struct mlag_worker_stats st;
};

static double opt(const struct mlag_worker *w, enum mlag_proxy_opt o)
{
	return w->a.conf->opt[o];
}

static double agent_opt(const struct mlag_worker *w, enum mlag_agent_opt o)
{
	return w->a.cfg->agent[o];
}

static uint64_t now_ms(const struct mlag_worker *w)
{
	return w->a.ops->now_ms(w->a.port);
}

/*
 * Keep the attachment alive during long work: heartbeat once half the
 * heartbeat period has passed. The proxy declares an agent dead after its
 * heartbeat timeout; an agent busy reading a backlog or training (minutes
 * of rows under emulation or on a loaded machine) is alive, and falling to
 * EMERGENCY would throw away the kernel's feature state and the learner's
 * view of the device. A wedged worker still stops heartbeating.
 */
static void keepalive(struct mlag_worker *w)
{
	uint64_t now = now_ms(w);

	if (now - w->t_heartbeat >= opt(w, MLAG_P_HEARTBEAT_MS) / 2 &&
	    !w->a.ops->heartbeat(w->a.port))
		w->t_heartbeat = now;
}

/* The same for a learner's long work (struct mlag_learner_env). */
static void learner_keepalive(void *arg)
{
	keepalive(arg);
}

static const char *mode_name(unsigned int mode)
{
	const char *n = mla_mode_name(mode);

	return n ? n : "?";
}

/* "0.1234" or "unknown": efficiency is ML cost / default cost. */
static const char *eff_text(int32_t bp, char *buf, size_t len)
{
	if (bp < 0)
		return "unknown";
	snprintf(buf, len, "%d.%04d", bp / 10000, bp % 10000);
	return buf;
}

/* --- learning from examples ------------------------------------------ */

static void learn(struct mlag_worker *w, struct mlag_example *ex)
{
	ex->key_seq = mlag_keyseq_next(&w->keys, ex->key);
	if (ex->heldout) {
		mlag_heldout_add(w->heldout, ex);
		w->st.heldout++;
	} else {
		w->learner->observe(w->ls, ex);
	}
}

static int learner_create(struct mlag_worker *w)
{
	struct mlag_learner_env env = {
		.schema = w->a.schema,
		.params = w->a.conf->lparam,
		.half_life = opt(w, MLAG_P_HALF_LIFE),
		.seed = w->seed,
		.keepalive = learner_keepalive,
		.keepalive_arg = w,
	};
	int ret = w->learner->create(&env, &w->ls);

	if (ret)
		mlag_log(LOG_ERR, "%s: learner %s: %s", w->a.name, w->learner->name,
			 strerror(-ret));
	return ret;
}

struct replay {
	struct mlag_worker *w;
	uint64_t rows;
	unsigned int forgets;
};

static int replay_one(const struct mlag_example *ex, void *arg)
{
	struct replay *r = arg;
	struct mlag_example e = *ex;

	learn(r->w, &e);
	if (++r->rows % 4096 == 0)
		keepalive(r->w);
	return 0;
}

/* A demotion: everything learned so far weighs x @factor from now on. */
static void forget(struct mlag_worker *w, double factor)
{
	w->learner->forget(w->ls, factor);
	mlag_heldout_forget(w->heldout, factor);
}

/* A demotion seen before this rebuild, by this agent or the one before. */
static void replay_forget(double factor, void *arg)
{
	struct replay *r = arg;

	forget(r->w, factor);
	r->forgets++;
}

/* Rebuild the learner and the held-out set from the store. */
static int rebuild(struct mlag_worker *w)
{
	struct replay r = { .w = w };
	uint64_t max = (uint64_t)agent_opt(w, MLAG_A_RETENTION);
	int ret;

	if (w->ls)
		w->learner->destroy(w->ls);
	w->ls = NULL;
	mlag_heldout_destroy(w->heldout);
	w->heldout = NULL;
	mlag_keyseq_free(&w->keys);
	ret = learner_create(w);
	if (ret)
		return ret;
	ret = mlag_heldout_create((size_t)opt(w, MLAG_P_HELDOUT_MAX), &w->heldout);
	if (ret)
		return ret;
	ret = mlag_store_replay(w->a.store, max, replay_one, replay_forget, &r);
	if (ret) {
		mlag_log(LOG_ERR, "%s: reading the store: %s", w->a.name,
			 mlag_store_errmsg(w->a.store));
		return ret;
	}
	w->learner->adopt(w->ls, &w->deployed);
	w->st.retrains++;
	w->st.demotions_replayed = r.forgets;
	mlag_log(LOG_INFO, "%s: learner %s trained on %" PRIu64 " stored outcomes "
		 "(%zu held out; demotions replayed: %u)", w->a.name, w->learner->name,
		 r.rows, mlag_heldout_count(w->heldout), r.forgets);
	return 0;
}

/* --- consuming ------------------------------------------------------------ */

/* Are the sample and the outcome of decision @id stored (store_permille)? */
static bool stored(const struct mlag_worker *w, uint64_t id)
{
	unsigned int permille = (unsigned int)opt(w, MLAG_P_STORE_PERMILLE);

	return permille >= 1000 || mlag_mix64(id ^ 0x73746f7265ull) % 1000 < permille;
}

static int on_sample(const struct ml_lib_sample *s, unsigned int cpu, void *arg)
{
	struct mlag_worker *w = arg;
	unsigned int nf = w->a.schema->nr_features;
	int ret;

	/* A backlog of a whole ring, each sample fed to a learner, is long. */
	if (++w->st.samples % 256 == 0)
		keepalive(w);
	if (s->decision_id && w->learner->sample) {
		/* The learner joins its samples itself: nothing waits here. */
		w->learner->sample(w->ls, s);
		if (stored(w, s->decision_id) && mlag_store_sample(w->a.store, s, nf, cpu))
			w->st.store_errors++;
		return 0;
	}
	if (!s->decision_id) {
		ret = mlag_store_sample(w->a.store, s, nf, cpu);
		if (ret)
			w->st.store_errors++;
	} else {
		struct sample_slot *c;

		if (mlag_reserve((void **)&w->smp, &w->cap_smp, w->nr_smp, sizeof(*w->smp))) {
			w->error = -ENOMEM;
			return -ENOMEM;
		}
		c = &w->smp[w->nr_smp++];
		c->s = *s;
		c->cpu = cpu;
		c->age = 0;
		c->used = false;
		memcpy(c->features, s->features, nf * sizeof(c->features[0]));
	}
	return 0;
}

static void on_mode(struct mlag_worker *w, const struct ml_lib_fb_mode *m)
{
	char eff[16];
	const char *reason = mla_reason_name(m->reason);

	mlag_log(LOG_INFO, "%s: mode %s -> %s (%s), efficiency %s, model v%" PRIu64,
		 w->a.name, mode_name(m->old_mode), mode_name(m->new_mode),
		 reason ? reason : "?", eff_text(m->efficiency_bp, eff, sizeof(eff)),
		 w->model_version);
	w->mode = m->new_mode;
	w->reason = m->reason;
	w->efficiency_bp = m->efficiency_bp;
	if (m->reason == ML_LIB_REASON_DEMOTED && opt(w, MLAG_P_FORGET) < 1) {
		/* The proxy measured the model worse than its default: the
		 * subsystem changed under it. Let the new data win. */
		forget(w, opt(w, MLAG_P_FORGET));
		/* And so will a restarted agent (rebuild()). */
		if (mlag_store_forget(w->a.store, opt(w, MLAG_P_FORGET))) {
			w->st.store_errors++;
			mlag_log(LOG_WARNING, "%s: storing the demotion's forget mark: %s "
				 "(a restart would weigh the data before it in full)",
				 w->a.name, mlag_store_errmsg(w->a.store));
		}
		w->st.demotions++;
		w->push_now = true;
		mlag_log(LOG_INFO, "%s: demoted: data before now weighs x%g from now on",
			 w->a.name, opt(w, MLAG_P_FORGET));
	}
}

static int on_feedback(const struct ml_lib_feedback *f, unsigned int cpu, void *arg)
{
	struct mlag_worker *w = arg;
	char eff[16];

	(void)cpu;
	if (f->type == ML_LIB_FB_OUTCOME) {
		if (mlag_reserve((void **)&w->pending, &w->cap_pending, w->nr_pending,
				 sizeof(*w->pending))) {
			w->error = -ENOMEM;
			return -ENOMEM;
		}
		w->pending[w->nr_pending++] = f->outcome;
		return 0;
	}
	w->st.feedback++;
	if (mlag_store_feedback(w->a.store, f))
		w->st.store_errors++;
	switch (f->type) {
	case ML_LIB_FB_MODE:
		on_mode(w, &f->mode);
		break;
	case ML_LIB_FB_EFFICIENCY:
		w->efficiency_bp = f->efficiency.efficiency_bp;
		mlag_log(LOG_DEBUG, "%s: window: efficiency %s, mean cost ML %.3f (%llu), "
			 "default %.3f (%llu)", w->a.name,
			 eff_text(f->efficiency.efficiency_bp, eff, sizeof(eff)),
			 f->efficiency.mean_milli[ML_LIB_ARM_ML] / 1000.0,
			 (unsigned long long)f->efficiency.outcomes[ML_LIB_ARM_ML],
			 f->efficiency.mean_milli[ML_LIB_ARM_DEFAULT] / 1000.0,
			 (unsigned long long)f->efficiency.outcomes[ML_LIB_ARM_DEFAULT]);
		break;
	case ML_LIB_FB_TABLE:
	case ML_LIB_FB_MODEL:
		if (f->verdict.error)
			mlag_log(LOG_WARNING, "%s: the proxy rejected %s v%llu: %s",
				 w->a.name, f->type == ML_LIB_FB_TABLE ? "table" : "model",
				 (unsigned long long)f->verdict.version,
				 strerror(-f->verdict.error));
		break;
	}
	return 0;
}

/* Index the waiting samples by decision id (exact: no collisions). */
static int index_samples(struct mlag_worker *w)
{
	size_t i;

	mlag_keymap_free(&w->smp_map);
	for (i = 0; i < w->nr_smp; i++)
		if (mlag_keymap_put(&w->smp_map, w->smp[i].s.decision_id, (uint32_t)i))
			return -ENOMEM;
	return 0;
}

/*
 * Drop the samples that were joined; store those that waited too long (or
 * all that wait, with @all, when the thread ends).
 */
static void age_samples(struct mlag_worker *w, bool all)
{
	unsigned int nf = w->a.schema->nr_features;
	size_t i, n = 0;

	for (i = 0; i < w->nr_smp; i++) {
		struct sample_slot *c = &w->smp[i];

		if (c->used)
			continue;
		if (all || ++c->age >= SAMPLE_WAIT) {
			/* The features follow the header (struct ml_lib_sample). */
			struct { struct ml_lib_sample s; int64_t f[ML_LIB_MAX_FEATURES]; } r;

			r.s = c->s;
			memcpy(r.f, c->features, sizeof(r.f));
			if (stored(w, c->s.decision_id) &&
			    mlag_store_sample(w->a.store, &r.s, nf, c->cpu))
				w->st.store_errors++;
			continue;
		}
		w->smp[n++] = *c;
	}
	w->nr_smp = n;
}

static int join_pending(struct mlag_worker *w)
{
	unsigned int permille = (unsigned int)opt(w, MLAG_P_HELDOUT_PERMILLE);
	size_t i;

	if (index_samples(w))
		return -ENOMEM;
	for (i = 0; i < w->nr_pending; i++) {
		const struct ml_lib_fb_outcome *o = &w->pending[i];
		struct mlag_example ex = {
			.decision_id = o->decision_id,
			.key = o->key,
			.version = o->version,
			.cost = o->cost,
			.arm = o->arm,
			.source = o->source,
			.flags = o->flags,
			.heldout = mlag_heldout_pick(o->decision_id, permille),
		};
		long j = o->decision_id ? mlag_keymap_get(&w->smp_map, o->decision_id) : -1;

		memcpy(ex.values, o->values, sizeof(ex.values));
		memcpy(ex.advice, o->advice, sizeof(ex.advice));
		if (o->flags & ML_LIB_OUTCOME_LABEL)
			ex.label = o->label;
		if (j >= 0 && !w->smp[j].used) {
			ex.nr_features = (uint8_t)w->a.schema->nr_features;
			memcpy(ex.features, w->smp[j].features, sizeof(ex.features));
			w->smp[j].used = true;
			w->st.joined++;
		}
		w->st.outcomes++;
		if (stored(w, ex.decision_id) && mlag_store_outcome(w->a.store, &ex))
			w->st.store_errors++;
		learn(w, &ex);
	}
	w->nr_pending = 0;
	age_samples(w, false);
	return 0;
}

/* --- deploying and pushing -------------------------------------------------- */

/*
 * Read the proxy's status. Mode changes normally arrive as feedback
 * records; when the feedback ring dropped records since the last look and
 * the mode is not the one the records said, a transition was lost: it is
 * taken from the status (so that a lost demotion still makes the learner
 * forget).
 */
static int poll_status(struct mlag_worker *w)
{
	uint64_t dropped = w->status.feedback_dropped;
	int ret = w->a.ops->status(w->a.port, &w->status);

	if (ret)
		return ret;
	if (w->status_seen && w->status.feedback_dropped > dropped &&
	    w->status.mode != w->mode) {
		struct ml_lib_fb_mode m = {
			.old_mode = w->mode, .new_mode = w->status.mode,
			.reason = w->status.mode_reason,
			.efficiency_bp = w->status.efficiency_bp,
		};

		mlag_log(LOG_WARNING, "%s: %llu feedback records dropped (the ring "
			 "was full): the mode change below comes from the status",
			 w->a.name, (unsigned long long)(w->status.feedback_dropped - dropped));
		on_mode(w, &m);
	}
	w->status_seen = true;
	w->mode = w->status.mode;
	w->reason = w->status.mode_reason;
	w->efficiency_bp = w->status.efficiency_bp;
	return 0;
}

static int push(struct mlag_worker *w, struct mlag_artifact *next)
{
	uint64_t version, floor;
	uint32_t kind;
	char what[64];
	size_t len;
	void *blob;
	int ret;

	/* Versions are fresh across restarts: above the kernel's current ones. */
	floor = MAX(w->status.table_version, w->status.model_version) + 1;
	ret = mlag_store_next_version(w->a.store, 0, floor, &version);
	if (!ret)
		ret = mlag_artifact_blob(next, version, (uint32_t)opt(w, MLAG_P_TABLE_TTL_MS),
					 &blob, &len, &kind);
	mlag_artifact_describe(next, what, sizeof(what));
	if (ret) {
		mlag_log(LOG_ERR, "%s: building v%" PRIu64 " (%s): %s", w->a.name,
			 version, what, strerror(-ret));
		return ret == -ENOMEM ? ret : 0;
	}
	ret = w->a.ops->push(w->a.port, kind, blob, len);
	free(blob);
	w->t_push = now_ms(w);
	w->push_now = false;
	if (ret == -ENODEV)
		return ret;
	if (ret) {
		w->st.push_errors++;
		mlag_log(LOG_WARNING, "%s: pushing v%" PRIu64 " (%s): %s", w->a.name,
			 version, what, strerror(-ret));
		return 0;
	}
	w->st.pushes++;
	if (kind == ML_LIB_PUSH_MODEL)
		w->status.model_version = version;
	else
		w->status.table_version = version;
	w->table_version = version;
	if (next != &w->pushed) {
		mlag_artifact_free(&w->pushed);
		w->pushed = *next;
		*next = (struct mlag_artifact){ 0 };
	}
	w->have_pushed = true;
	if (w->ls && w->learner->pushed)
		w->learner->pushed(w->ls, &w->pushed, version);
	mlag_log(LOG_DEBUG, "%s: pushed v%" PRIu64 " (%s; model v%" PRIu64 ")",
		 w->a.name, version, what, w->model_version);
	return 0;
}

static int maybe_push(struct mlag_worker *w, uint64_t now)
{
	struct mlag_artifact next = { 0 };
	bool refresh = !w->have_pushed || w->push_now ||
		       now - w->t_push >= opt(w, MLAG_P_PUSH_MAX_MS);
	int ret;

	if (!refresh && now - w->t_push < opt(w, MLAG_P_PUSH_MIN_MS))
		return 0;
	ret = w->learner->explore(w->ls, &w->deployed, w->mode, &next);
	if (ret && ret != -EAGAIN) {
		mlag_log(LOG_ERR, "%s: learner %s: explore: %s", w->a.name,
			 w->learner->name, strerror(-ret));
		return ret == -ENOMEM ? ret : 0;
	}
	if (!ret && (!w->have_pushed || !mlag_artifact_equal(&next, &w->pushed)))
		ret = push(w, &next);
	else if (refresh && (!ret || w->have_pushed))
		ret = push(w, !ret ? &next : &w->pushed);	/* keep it fresh */
	else
		ret = 0;	/* the learner has nothing to push yet */
	mlag_artifact_free(&next);
	return ret;
}

static void deploy(struct mlag_worker *w, struct mlag_artifact *cand,
		   const struct mlag_verdict *v)
{
	struct mlag_model_rec rec = {
		.created_at = (int64_t)time(NULL),
		.kind = cand->kind,
		.heldout_score = v->cand_score,
		.replaced_score = v->cur_score,
		.delta = v->delta,
		.se = v->se,
		.keys_compared = v->keys_compared,
		.efficiency_bp = w->efficiency_bp,
		.mode = w->mode,
	};
	char eff[16], what[64];
	uint64_t old = w->model_version;
	int ret;

	snprintf(rec.learner, sizeof(rec.learner), "%s", w->learner->name);
	snprintf(rec.reason, sizeof(rec.reason), "%s", v->why);
	ret = mlag_store_next_version(w->a.store, 1, w->model_version + 1, &rec.version);
	if (!ret)
		ret = mlag_artifact_blob(cand, rec.version, 0, &rec.blob, &rec.len, NULL);
	rec.table_version = w->table_version + 1;
	if (!ret)
		ret = mlag_store_model_add(w->a.store, &rec);
	if (ret) {
		w->st.store_errors++;
		mlag_log(LOG_WARNING, "%s: storing model v%" PRIu64 ": %s (deploying anyway)",
			 w->a.name, rec.version, ret == -ENOMEM ? "out of memory" :
			 mlag_store_errmsg(w->a.store));
	}
	free(rec.blob);
	mlag_artifact_free(&w->deployed);
	w->deployed = *cand;
	*cand = (struct mlag_artifact){ 0 };
	w->model_version = rec.version;
	w->deployed_score = v->cand_score;
	w->learner->adopt(w->ls, &w->deployed);
	w->push_now = true;
	w->st.deploys++;
	if (w->learner->judge) {
		/* The learner's own test: its scores and its reason. */
		mlag_log(LOG_INFO, "%s: deployed model v%" PRIu64 " (%s) replacing "
			 "v%" PRIu64 ": %s (candidate %.3f, compared with %.3f); proxy %s, "
			 "efficiency %s", w->a.name, w->model_version,
			 mlag_artifact_describe(&w->deployed, what, sizeof(what)), old, v->why,
			 v->cand_score, v->cur_score, mode_name(w->mode),
			 eff_text(w->efficiency_bp, eff, sizeof(eff)));
		return;
	}
	mlag_log(LOG_INFO, "%s: deployed model v%" PRIu64 " (%s) replacing "
		 "v%" PRIu64 ": held-out mean cost %.3f vs %.3f; on the %u changed keys "
		 "%.3f vs %.3f (se %.3f), %u changes kept back for lack of held-out data; "
		 "proxy %s, efficiency %s", w->a.name, w->model_version,
		 mlag_artifact_describe(&w->deployed, what, sizeof(what)), old,
		 v->cand_score, v->cur_score,
		 v->keys_compared, v->base + v->delta, v->base, v->se, v->keys_reverted,
		 mode_name(w->mode), eff_text(w->efficiency_bp, eff, sizeof(eff)));
}

static int train(struct mlag_worker *w)
{
	struct mlag_artifact cand = { 0 };
	struct mlag_verdict v;
	int ret;

	ret = poll_status(w);
	if (ret == -ENODEV)
		return ret;
	ret = w->learner->propose(w->ls, &cand);
	if (ret == -EAGAIN)
		return 0;
	if (ret) {
		mlag_log(LOG_ERR, "%s: learner %s: propose: %s", w->a.name,
			 w->learner->name, strerror(-ret));
		return ret == -ENOMEM ? ret : 0;
	}
	memset(w->rule.bandwidth, 0, sizeof(w->rule.bandwidth));
	if (w->learner->bandwidth)
		w->learner->bandwidth(w->ls, w->rule.bandwidth);
	if (w->learner->judge)
		ret = w->learner->judge(w->ls, &cand, &w->deployed, &v);
	else
		ret = mlag_heldout_judge(w->heldout, w->a.schema, &w->keys, &w->rule,
					 &cand, &w->deployed, &v);
	if (!ret) {
		w->st.judged++;
		if (v.deploy)
			deploy(w, &cand, &v);
		else if (v.keys_differ)
			mlag_log(LOG_DEBUG, "%s: candidate kept back: %s (%u keys changed, "
				 "%u compared, delta %.3f, se %.3f)", w->a.name, v.why,
				 v.keys_differ, v.keys_compared, v.delta, v.se);
	}
	mlag_artifact_free(&cand);
	return ret == -ENOMEM ? ret : 0;
}

static void report(struct mlag_worker *w)
{
	const struct ml_lib_arm_stats *a = w->status.arms;
	char eff[16];

	mlag_log(LOG_INFO, "%s: %s (%s), efficiency %s, mean cost ML %.3f (%llu"
		 " outcomes) default %.3f (%llu), model v%" PRIu64 ", table v%" PRIu64
		 ", %" PRIu64 " samples, %" PRIu64 " outcomes, %" PRIu64 " deploys",
		 w->a.name, mode_name(w->mode), mla_reason_name(w->reason) ?: "?",
		 eff_text(w->efficiency_bp, eff, sizeof(eff)),
		 a[ML_LIB_ARM_ML].mean_milli / 1000.0,
		 (unsigned long long)a[ML_LIB_ARM_ML].outcomes,
		 a[ML_LIB_ARM_DEFAULT].mean_milli / 1000.0,
		 (unsigned long long)a[ML_LIB_ARM_DEFAULT].outcomes,
		 w->model_version, w->table_version, w->st.samples, w->st.outcomes,
		 w->st.deploys);
}

/* --- the loop ------------------------------------------------------------- */

static uint64_t until(uint64_t now, uint64_t last, double period)
{
	uint64_t due = last + (uint64_t)period;

	return due > now ? due - now : 0;
}

int mlag_worker_step(struct mlag_worker *w, int max_wait_ms)
{
	uint64_t now = now_ms(w), t = (uint64_t)max_wait_ms;
	int ret;

	t = MIN(t, until(now, w->t_heartbeat, opt(w, MLAG_P_HEARTBEAT_MS)));
	t = MIN(t, until(now, w->t_train, opt(w, MLAG_P_TRAIN_MS)));
	t = MIN(t, until(now, w->t_commit, agent_opt(w, MLAG_A_COMMIT_MS)));
	t = MIN(t, until(now, w->t_push, opt(w, w->push_now ? MLAG_P_PUSH_MIN_MS :
					      MLAG_P_PUSH_MAX_MS)));
	ret = w->a.ops->wait(w->a.port, (int)t);
	if (ret < 0 && ret != -EINTR)
		return ret;
	w->error = 0;
	ret = w->a.ops->consume_feedback(w->a.port, on_feedback, w);
	if (ret >= 0)
		ret = w->a.ops->consume_samples(w->a.port, on_sample, w);
	if (!w->error)
		w->error = join_pending(w);
	if (w->error)
		return w->error;
	if (ret < 0)
		return ret;
	now = now_ms(w);
	if (now - w->t_heartbeat >= opt(w, MLAG_P_HEARTBEAT_MS)) {
		ret = w->a.ops->heartbeat(w->a.port);
		if (ret)
			return ret;
		w->t_heartbeat = now;
	}
	if (mlag_store_pending(w->a.store) >= agent_opt(w, MLAG_A_COMMIT_RECORDS) ||
	    now - w->t_commit >= agent_opt(w, MLAG_A_COMMIT_MS)) {
		ret = mlag_store_commit(w->a.store);
		if (ret) {
			w->st.store_errors++;
			mlag_log(LOG_ERR, "%s: store: %s", w->a.name,
				 mlag_store_errmsg(w->a.store));
		}
		w->t_commit = now;
	}
	if (now - w->t_train >= opt(w, MLAG_P_TRAIN_MS)) {
		w->t_train = now;
		ret = train(w);
		if (ret)
			return ret;
	}
	ret = maybe_push(w, now);
	if (ret)
		return ret;
	if (opt(w, MLAG_P_RETRAIN_MS) &&
	    now - w->t_retrain >= opt(w, MLAG_P_RETRAIN_MS)) {
		w->t_retrain = now;
		ret = rebuild(w);
		if (ret)
			return ret;
	}
	if (agent_opt(w, MLAG_A_REPORT_MS) &&
	    now - w->t_report >= agent_opt(w, MLAG_A_REPORT_MS)) {
		w->t_report = now;
		report(w);
	}
	return 0;
}

int mlag_worker_run(struct mlag_worker *w)
{
	int ret = 0, cret;

	while (!atomic_load(w->a.stop)) {
		ret = mlag_worker_step(w, 200);
		if (ret)
			break;
	}
	age_samples(w, true);
	cret = mlag_store_commit(w->a.store);
	if (cret)
		mlag_log(LOG_ERR, "%s: final commit: %s", w->a.name,
			 mlag_store_errmsg(w->a.store));
	return ret;
}

/* --- setup ---------------------------------------------------------------- */

static void restore(struct mlag_worker *w)
{
	struct mlag_model_rec rec;
	uint64_t v;
	int ret = mlag_store_model_last(w->a.store, &rec);

	char what[64];

	if (ret == -ENOENT)
		return;
	if (ret) {
		mlag_log(LOG_WARNING, "%s: reading the last model: %s", w->a.name,
			 mlag_store_errmsg(w->a.store));
		return;
	}
	if (strcmp(rec.learner, w->learner->name)) {
		/* Its learner could not explore or improve on it. */
		mlag_log(LOG_INFO, "%s: the stored model v%" PRIu64 " is learner %s's, "
			 "not %s's: starting from the default", w->a.name, rec.version,
			 rec.learner, w->learner->name);
		free(rec.blob);
		return;
	}
	ret = mlag_artifact_from_blob(&w->deployed, w->a.schema, rec.blob, rec.len, &v);
	free(rec.blob);
	if (ret) {
		mlag_log(LOG_WARNING, "%s: the stored model v%" PRIu64 " cannot be "
			 "restored: %s", w->a.name, rec.version, strerror(-ret));
		return;
	}
	w->model_version = rec.version;
	w->deployed_score = rec.heldout_score;
	mlag_log(LOG_INFO, "%s: restored model v%" PRIu64 " from the store (%s, %s, "
		 "held-out mean cost %.3f when deployed)", w->a.name, rec.version,
		 rec.learner, mlag_artifact_describe(&w->deployed, what, sizeof(what)),
		 rec.heldout_score);
}

int mlag_worker_create(const struct mlag_worker_args *args,
		       struct mlag_worker **wp)
{
	struct mlag_worker *w = calloc(1, sizeof(*w));
	uint64_t now;
	int ret;

	if (!w)
		return -ENOMEM;
	w->a = *args;
	w->learner = args->conf->learner;
	w->rule = (struct mlag_deploy_rule){
		.margin = opt(w, MLAG_P_DEPLOY_MARGIN),
		.z = opt(w, MLAG_P_DEPLOY_Z),
		.min_support = opt(w, MLAG_P_MIN_SUPPORT),
		.half_life = opt(w, MLAG_P_HALF_LIFE),
	};
	w->seed = (uint64_t)opt(w, MLAG_P_SEED);
	if (!w->seed)
		w->seed = (uint64_t)time(NULL) ^ ((uint64_t)args->schema->proxy_id << 32);
	w->efficiency_bp = -1;
	ret = mlag_store_bind(args->store, args->schema);
	if (ret) {
		mlag_log(LOG_ERR, "%s: store: %s", args->name, mlag_store_errmsg(args->store));
		goto err;
	}
	mlag_store_set_retention(args->store, (uint64_t)agent_opt(w, MLAG_A_RETENTION));
	now = now_ms(w);
	w->t_heartbeat = w->t_train = w->t_retrain = w->t_commit = w->t_report = now;
	ret = poll_status(w);
	if (ret)
		goto err;
	/* The restored model goes to the kernel first, the learning after. */
	restore(w);
	if (w->deployed.kind) {
		struct mlag_artifact copy = { 0 };

		ret = mlag_artifact_copy(&copy, &w->deployed);
		if (!ret)
			ret = push(w, &copy);
		mlag_artifact_free(&copy);
		if (ret)
			goto err;
	}
	ret = rebuild(w);
	if (ret)
		goto err;
	w->push_now = true;
	*wp = w;
	return 0;
err:
	mlag_worker_destroy(w);
	return ret;
}

void mlag_worker_destroy(struct mlag_worker *w)
{
	if (!w)
		return;
	if (w->ls)
		w->learner->destroy(w->ls);
	mlag_heldout_destroy(w->heldout);
	mlag_keyseq_free(&w->keys);
	mlag_artifact_free(&w->deployed);
	mlag_artifact_free(&w->pushed);
	free(w->pending);
	free(w->smp);
	mlag_keymap_free(&w->smp_map);
	free(w);
}

const struct mlag_worker_stats *mlag_worker_stats(const struct mlag_worker *w)
{
	return &w->st;
}

const struct mlag_artifact *mlag_worker_deployed(const struct mlag_worker *w,
						 uint64_t *version)
{
	if (version)
		*version = w->model_version;
	return &w->deployed;
}

void *mlag_worker_learner_state(const struct mlag_worker *w)
{
	return w->ls;
}
