// SPDX-License-Identifier: GPL-2.0
/* The learning loop offline; see lb_sim.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb_sim.h"
#include "ml_rand.h"

/* A model on its way to the device (lbs_opts.delay). */
struct sent {
	void *blob;
	size_t len;
	uint64_t at;		/* it arrives at this user write */
};

struct sim {
	struct lbp_engine e;
	struct lbp_model model;
	bool have_model;
	struct sent *sent;	/* models on their way to the device, oldest first */
	size_t nr_sent, cap_sent;
	uint64_t *id;		/* per block: decision id of its version */
	uint64_t next_id;
	struct lbl *l;
};

static void sim_death(void *priv, const struct lb_death *dt)
{
	struct sim *s = priv;

	lbl_death(s->l, dt->lba, s->id[dt->lba], dt->lifetime);
}

/* A write request, decided block by block as the kernel does. */
static void sim_write(struct sim *s, const struct lbt_rec *r, u64 *rs, u32 share_bp)
{
	s64 f[LBF_NR];
	u32 b, slot;

	lbf_request(&s->e.fs, (u32)r->lba, r->len, r->arg);
	if (lb_write_begin(&s->e.d, (u32)r->lba, r->len))
		return;
	for (b = 0; b < r->len; b++) {
		u32 lba = (u32)r->lba + b;
		unsigned int hint = LB_CLASS_NONE;

		lbf_user(&s->e.fs, s->e.fb, &s->e.d, lba, s->e.d.now, f);
		if (s->have_model && ml_rand_draw_bp(rs, share_bp))
			hint = lbp_model_hint(&s->model, &s->e.d, f);
		/* The old version's death reports the old id. */
		lb_write_block(&s->e.d, lba, hint, &slot);
		s->id[lba] = ++s->next_id;
		lbl_write(s->l, lba, s->id[lba], f);
	}
}

/* Model @blob reaches the device (freed here). */
static int deploy(struct sim *s, void *blob, size_t len, u32 share_bp, struct lbs_result *res)
{
	int ret;

	if (s->have_model)
		lbp_model_free(&s->model);
	s->have_model = false;
	s->e.model = NULL;
	ret = lbp_model_load(&s->model, blob, len, NULL);
	free(blob);
	if (ret)
		return ret;
	s->have_model = true;
	s->e.model = &s->model;
	s->e.gc_all = share_bp >= 9500;
	res->models++;
	return 0;
}

/* Queue @blob to arrive at user write @at. */
static int send(struct sim *s, void *blob, size_t len, uint64_t at)
{
	if (s->nr_sent == s->cap_sent) {
		size_t cap = s->cap_sent ? 2 * s->cap_sent : 8;
		struct sent *n = realloc(s->sent, cap * sizeof(*n));

		if (!n) {
			free(blob);
			return -ENOMEM;
		}
		s->sent = n;
		s->cap_sent = cap;
	}
	s->sent[s->nr_sent++] = (struct sent){ blob, len, at };
	return 0;
}

/* The models whose time has come reach the device, in order. */
static int arrive(struct sim *s, u32 share_bp, struct lbs_result *res)
{
	size_t k = 0;
	int ret = 0;

	while (k < s->nr_sent && s->sent[k].at <= s->e.d.stats.user_writes && !ret) {
		ret = deploy(s, s->sent[k].blob, s->sent[k].len, share_bp, res);
		k++;
	}
	if (k) {
		memmove(s->sent, s->sent + k, (s->nr_sent - k) * sizeof(*s->sent));
		s->nr_sent -= k;
	}
	return ret;
}

int lbs_run(const struct lbr_trace *t, const struct lbs_opts *o, struct lbs_result *res)
{
	u32 share_bp = (u32)(o->share * 10000 + 0.5);
	struct sim s = { 0 };
	uint64_t last_round = 0, next_step = 0;
	double step_writes = o->slow * o->p.round * o->g.nr_lblocks;
	u64 rs = o->seed;
	size_t i;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!(o->share >= 0 && o->share <= 1) || !(o->slow >= 0 && o->slow <= 64) ||
	    !(o->delay >= 0 && o->delay <= 64))
		return -EINVAL;
	ret = lbp_init(&s.e, &o->g, o->place, o->victim);
	if (ret)
		return ret;
	ret = lbl_create(&o->g, o->place, o->victim, &o->p, &s.l);
	s.id = calloc(o->g.nr_lblocks, sizeof(*s.id));
	if (ret || !s.id) {
		ret = ret ? ret : -ENOMEM;
		goto out;
	}
	s.e.death = sim_death;
	s.e.priv = &s;
	for (i = 0; i < t->nr; i++) {
		const struct lbt_rec *r = &t->recs[i];
		struct lbl_verdict v = { 0 };
		void *blob;
		size_t len;

		switch (r->op) {
		case LBT_WRITE:
			if (r->lba >= o->g.nr_lblocks || r->len > o->g.nr_lblocks - r->lba) {
				ret = -EINVAL;
				goto out;
			}
			sim_write(&s, r, &rs, share_bp);
			break;
		case LBT_DISCARD:
			lb_discard(&s.e.d, (u32)r->lba, r->len);
			break;
		case LBT_MARK:
			res->at_mark = s.e.d.stats;
			res->has_mark = true;
			for (unsigned int k = 0; k <= o->p.nr_cands; k++)
				lbl_shadow_stats(s.l, k, &res->shadow_mark[k]);
			break;
		default:
			break;
		}
		ret = arrive(&s, share_bp, res);
		if (ret)
			goto out;
		if (s.e.d.stats.user_writes < next_step)
			continue;
		next_step = s.e.d.stats.user_writes + (uint64_t)step_writes;
		ret = lbl_step(s.l, &v, &blob, &len);
		if (ret < 0)
			goto out;
		if (ret == 1 && o->delay > 0) {
			ret = send(&s, blob, len, s.e.d.stats.user_writes +
				   (uint64_t)(o->delay * o->g.nr_lblocks));
			if (ret)
				goto out;
		} else if (ret == 1) {
			ret = deploy(&s, blob, len, share_bp, res);
			if (ret)
				goto out;
		}
		ret = 0;
		if (o->round && v.judged && v.tick != last_round) {
			last_round = v.tick;
			o->round(o->arg, &v);
		}
	}
	res->total = s.e.d.stats;
	lbl_get_stats(s.l, &res->learner);
	for (unsigned int k = 0; k <= o->p.nr_cands; k++)
		lbl_shadow_stats(s.l, k, &res->shadow[k]);
out:
	for (size_t k = 0; k < s.nr_sent; k++)
		free(s.sent[k].blob);
	free(s.sent);
	lbl_destroy(s.l);
	lbp_free(&s.e);
	if (s.have_model)
		lbp_model_free(&s.model);
	free(s.id);
	return ret;
}
