// SPDX-License-Identifier: GPL-2.0
/* The learned placement of logblk in user space; see lb_place.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb_place.h"
#include "lb_tree.h"

int lbp_model_load(struct lbp_model *pm, const void *blob, size_t len, const char **why)
{
	int ret;

	memset(pm, 0, sizeof(*pm));
	pm->blob = aligned_alloc(8, (len + 7) & ~(size_t)7);
	if (!pm->blob)
		return -ENOMEM;
	memcpy(pm->blob, blob, len);
	pm->len = len;
	ret = ml_model_verify(&pm->m, pm->blob, len, why);
	if (!ret && (pm->m.nr_inputs != LBF_NR || pm->m.nr_outputs != 1)) {
		if (why)
			*why = "not a placement model: inputs or outputs differ";
		ret = -EINVAL;
	}
	if (ret)
		lbp_model_free(pm);
	return ret;
}

int lbp_model_read(struct lbp_model *pm, const char *path)
{
	FILE *f = fopen(path, "rb");
	const char *why = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (!f) {
		ret = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return ret;
	}
	do {
		if (len == cap) {
			char *nb = realloc(buf, cap ? 2 * cap : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap = cap ? 2 * cap : 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0 && len < (size_t)ML_LIB_MAX_BLOB + 1);
	fclose(f);
	ret = len > ML_LIB_MAX_BLOB ? -E2BIG : lbp_model_load(pm, buf, len, &why);
	if (ret)
		fprintf(stderr, "%s: not a usable placement model: %s\n", path,
			why ? why : strerror(-ret));
	free(buf);
	return ret;
}

void lbp_model_free(struct lbp_model *pm)
{
	free(pm->blob);
	memset(pm, 0, sizeof(*pm));
}

int lbp_model_class(const struct lbp_model *pm, const s64 *f)
{
	s64 out[ML_LIB_MAX_ACTIONS];

	ml_model_run(&pm->m, f, out);
	if (out[0] < LBP_POLICY)
		return LBP_POLICY;
	return out[0] > LB_CLASS_LOG ? LB_CLASS_LOG : (int)out[0];
}

unsigned int lbp_model_hint(const struct lbp_model *pm, const struct lb_dev *d,
			    const s64 *f)
{
	int c = lbp_model_class(pm, f);

	return c < 0 ? LB_CLASS_NONE : lb_class_stream(d, (unsigned int)c);
}

static unsigned int lbp_gc_class(void *priv, u32 lba, const struct lb_block *b)
{
	struct lbp_engine *e = priv;
	s64 f[LBF_NR];
	int c;

	if (e->gc_override)
		return e->gc_override(e->priv, lba, b);
	if (!e->model || e->gc_off || (!(b->flags & LB_BLK_HINTED) && !e->gc_all))
		return LB_CLASS_NONE;
	lbf_moved(&e->fs, e->fb, &e->d, lba, f);
	e->gc_advised++;
	c = lbp_model_class(e->model, f);
	return c < 0 ? LB_CLASS_POLICY : lb_class_stream(&e->d, (unsigned int)c);
}

/*
 * A leaf's class from its mean log2 lifetime: 0 = coldest. But a leaf whose
 * lifetimes hardly spread (a circular log: a file system's journal, a
 * database's write-ahead log, each block rewritten one lap later) is
 * LB_CLASS_LOG, a stream of its own: its blocks die in the order they were
 * written, so its segments die whole, unless other blocks share them; in
 * the hottest class they did (ext4 + SQLite: 1.3% more write amplification,
 * docs/logblk.md). The learner counts only lifetimes below log_life (seen
 * dead: the configurations' labels are at least N/8 old), because a leaf
 * of blocks still alive has labels "seen + 1 octave" that look alike.
 */
int64_t lbp_leaf_class(const struct lbt_tree *t, unsigned int node, void *arg)
{
	const struct lbp_leafmap *lm = arg;
	double mean = t->mean[node], life = exp2(mean);
	int c = 0;

	if (t->sd[node] < lm->log_sd && mean < lm->log_mean)
		return LB_CLASS_LOG;

	while (c < LBP_CLASSES - 1 && life >= lm->th[c])
		c++;
	return LBP_CLASSES - 1 - c;
}

static void lbp_move(void *priv, u32 from, u32 to)
{
	struct lbp_engine *e = priv;

	(void)from;
	if (e->moved)
		e->moved(e->priv, e->d.p2l[to]);
}

static void lbp_death(void *priv, const struct lb_death *dt)
{
	struct lbp_engine *e = priv;

	if (e->death)
		e->death(e->priv, dt);
}

int lbp_init(struct lbp_engine *e, const struct lb_geometry *g, unsigned int place,
	     unsigned int victim)
{
	size_t len = lb_mem_size(g);
	int ret;

	memset(e, 0, sizeof(*e));
	if (!len)
		return -EINVAL;
	e->mem_len = (len + 7) & ~(size_t)7;
	e->mem = aligned_alloc(8, e->mem_len);
	e->fb = calloc(g->nr_lblocks, sizeof(*e->fb));
	if (!e->mem || !e->fb) {
		lbp_free(e);
		return -ENOMEM;
	}
	e->ops.gc_class = lbp_gc_class;
	e->ops.death = lbp_death;
	e->ops.move = lbp_move;
	ret = lb_init(&e->d, g, e->mem, e->mem_len, &e->ops, e);
	if (!ret)
		ret = lb_set_policy(&e->d, place, victim);
	if (ret) {
		lbp_free(e);
		return ret;
	}
	e->d.stats.policy_switches = 0;
	lbf_init(&e->fs, e->fb, g->nr_lblocks);
	return 0;
}

void lbp_free(struct lbp_engine *e)
{
	free(e->mem);
	free(e->fb);
	e->mem = NULL;
	e->fb = NULL;
}

/* The core's pointers point into its own memory: rebase them after a copy. */
static void *rebase(const void *p, const void *from, void *to)
{
	return (char *)to + ((const char *)p - (const char *)from);
}

void lbp_copy(struct lbp_engine *dst, const struct lbp_engine *src)
{
	void *mem = dst->mem;
	struct lbf_block *fb = dst->fb;

	memcpy(mem, src->mem, src->mem_len);
	memcpy(fb, src->fb, (size_t)src->d.g.nr_lblocks * sizeof(*fb));
	dst->d = src->d;
	dst->d.l2p = rebase(src->d.l2p, src->mem, mem);
	dst->d.p2l = rebase(src->d.p2l, src->mem, mem);
	dst->d.blk = rebase(src->d.blk, src->mem, mem);
	dst->d.seg = rebase(src->d.seg, src->mem, mem);
	dst->d.free_list = rebase(src->d.free_list, src->mem, mem);
	dst->d.ops = &dst->ops;
	dst->d.priv = dst;
	dst->fs = src->fs;
	dst->model = src->model;
	dst->gc_all = src->gc_all;
	dst->gc_off = src->gc_off;
	dst->gc_advised = src->gc_advised;
	/* Callbacks stay the destination's own. */
}
