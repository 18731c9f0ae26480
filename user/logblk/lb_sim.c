// SPDX-License-Identifier: GPL-2.0
/* The learning loop offline; see lb_sim.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb_sim.h"
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
	if (!(o->share >= 0 && o->share <= 1) || !(o->slow >= 0 && o->slow <= 64))
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
		if (s.e.d.stats.user_writes < next_step)
			continue;
		next_step = s.e.d.stats.user_writes + (uint64_t)step_writes;
		ret = lbl_step(s.l, &v, &blob, &len);
		if (ret < 0)
			goto out;
		if (ret == 1) {
			if (s.have_model)
				lbp_model_free(&s.model);
			ret = lbp_model_load(&s.model, blob, len, NULL);
			free(blob);
			if (ret)
				goto out;
			s.have_model = true;
			s.e.model = &s.model;
			s.e.gc_all = share_bp >= 9500;
			res->models++;
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
	lbl_destroy(s.l);
	lbp_free(&s.e);
	if (s.have_model)
		lbp_model_free(&s.model);
	free(s.id);
	return ret;
}
