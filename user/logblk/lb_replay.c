// SPDX-License-Identifier: GPL-2.0
/* Replay of a logblk trace through core/lb_core.c; see lb_replay.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lb_replay.h"

int lbr_load(const char *path, struct lbr_trace *t)
{
	struct lbt_reader r;
	size_t cap = 1 << 16;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = lbt_open_read(&r, path, &t->h);
	if (ret)
		return ret;
	t->recs = malloc(cap * sizeof(*t->recs));
	if (!t->recs) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (t->nr == cap) {
			struct lbt_rec *n = realloc(t->recs, 2 * cap * sizeof(*n));

			if (!n) {
				ret = -ENOMEM;
				goto out;
			}
			t->recs = n;
			cap *= 2;
		}
		ret = lbt_get(&r, &t->recs[t->nr]);
		if (ret <= 0)
			break;
		t->nr++;
	}
out:
	lbt_close_read(&r);
	if (ret)
		lbr_free(t);
	return ret;
}

void lbr_free(struct lbr_trace *t)
{
	free(t->recs);
	t->recs = NULL;
	t->nr = 0;
}

void lbr_opts_from_trace(const struct lbr_trace *t, struct lbr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->g.nr_lblocks = t->h.nr_lblocks;
	o->g.seg_blocks = t->h.seg_blocks;
	o->g.nr_segs = t->h.nr_segs;
	o->place = t->h.place;
	o->victim = t->h.victim;
	o->follow_policy = true;
	o->bg_gc = true;
}

static void lbr_death(void *priv, const struct lb_death *dt)
{
	struct lbr_result *res = priv;

	res->deaths++;
	res->death_moves += dt->gc_moves;
}

static const struct lb_ops lbr_ops = { .death = lbr_death };

/*
 * Replay @t with the options @o. A write the device refused for lack of
 * space is refused here too (same state, same decision) and counted.
 * Return 0, or a negative errno with a message on stderr.
 */
int lbr_run(const struct lbr_trace *t, const struct lbr_opts *o,
	    struct lbr_result *res)
{
	const char *why = lb_geometry_error(&o->g);
	struct lb_dev d;
	size_t len, i;
	void *mem;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (why) {
		fprintf(stderr, "replay: bad geometry: %s\n", why);
		return -EINVAL;
	}
	len = lb_mem_size(&o->g);
	mem = aligned_alloc(8, (len + 7) & ~(size_t)7);
	if (!mem)
		return -ENOMEM;
	lb_init(&d, &o->g, mem, len, &lbr_ops, res);
	if (lb_set_policy(&d, o->place, o->victim)) {
		fprintf(stderr, "replay: unknown policy %u/%u\n", o->place, o->victim);
		ret = -EINVAL;
		goto out;
	}
	d.stats.policy_switches = 0;
	for (i = 0; i < t->nr && !ret; i++) {
		const struct lbt_rec *r = &t->recs[i];
		u32 slot, b;

		switch (r->op) {
		case LBT_WRITE:
			if (r->lba >= o->g.nr_lblocks) {
				ret = -EINVAL;
				break;
			}
			ret = lb_write_begin(&d, (u32)r->lba, r->len);
			if (ret == -ENOSPC) {
				res->nospc_reqs++;
				ret = 0;
				break;
			}
			for (b = 0; b < r->len && !ret; b++)
				ret = lb_write_block(&d, (u32)r->lba + b, r->arg, &slot);
			break;
		case LBT_DISCARD:
			ret = r->lba < o->g.nr_lblocks ?
				lb_discard(&d, (u32)r->lba, r->len) : -EINVAL;
			break;
		case LBT_GC:
			if (o->bg_gc && lb_gc_wanted(&d, r->len))
				lb_gc_one(&d, true);
			break;
		case LBT_POLICY:
			if (o->follow_policy)
				ret = lb_set_policy(&d, r->arg, r->len);
			break;
		case LBT_MARK:
			res->at_mark = d.stats;
			res->has_mark = true;
			break;
		}
		if (ret)
			fprintf(stderr, "replay: record %zu (op %u lba %llu len %u): error %d\n",
				i, r->op, (unsigned long long)r->lba, r->len, ret);
	}
	res->total = d.stats;
	res->mapped = d.mapped;
	res->free_segs = d.nr_free;
	if (!ret && o->check) {
		why = lb_check(&d);
		if (why) {
			fprintf(stderr, "replay: inconsistent device after the trace: %s\n", why);
			ret = -EIO;
		}
	}
out:
	free(mem);
	return ret;
}
