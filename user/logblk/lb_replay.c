// SPDX-License-Identifier: GPL-2.0
/*
 * Replay of a logblk trace through core/lb_core.c and the learned
 * placement (lb_place.c); see lb_replay.h.
 *
 * A write request is replayed as the kernel applies it
 * (kernel/examples/logblk/logblk_place.c): the request's features first,
 * block by block (core/lb_feat.c, at the ticks its blocks will get), then
 * the blocks, each placed by its class; GC may run before any of them and
 * moves blocks through the engine's callbacks.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lb_replay.h"
#include "lb_tree.h"

#define MAX_REQ		(1u << 20)	/* blocks in one request we replay */

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
	free(t->death);
	t->recs = NULL;
	t->death = NULL;
	t->nr = 0;
}

/*
 * The death tick of every block written, in the order written: the tick
 * of the block's next write (of an admitted request), or of the discard
 * that unmaps it. Admission (-ENOSPC of a thin device) depends only on the
 * requests, so it is decided here as in any replay.
 */
int lbr_deaths(struct lbr_trace *t, const struct lb_geometry *g)
{
	uint64_t n = 0, tick = 0, mapped = 0, cap = 1 << 16, *last = NULL;
	uint64_t max_valid = (uint64_t)(g->nr_segs - LB_SPARE_SEGS) * g->seg_blocks;
	size_t i;

	if (lb_geometry_error(g))
		return -EINVAL;
	if (t->death && t->death_capacity == max_valid)
		return 0;
	free(t->death);
	last = malloc((size_t)t->h.nr_lblocks * sizeof(*last));
	t->death = malloc(cap * sizeof(*t->death));
	if (!last || !t->death) {
		free(last);
		return -ENOMEM;
	}
	memset(last, 0xff, (size_t)t->h.nr_lblocks * sizeof(*last));
	for (i = 0; i < t->nr; i++) {
		const struct lbt_rec *r = &t->recs[i];
		uint64_t fresh = 0, b;

		if ((r->op != LBT_WRITE && r->op != LBT_DISCARD) || !r->len ||
		    r->lba >= t->h.nr_lblocks || r->len > t->h.nr_lblocks - r->lba)
			continue;
		if (r->op == LBT_DISCARD) {
			for (b = r->lba; b < r->lba + r->len; b++) {
				if (last[b] != UINT64_MAX) {
					t->death[last[b]] = tick;
					last[b] = UINT64_MAX;
					mapped--;
				}
			}
			continue;
		}
		for (b = r->lba; b < r->lba + r->len; b++)
			fresh += last[b] == UINT64_MAX;
		if (mapped + fresh > max_valid)
			continue;
		for (b = r->lba; b < r->lba + r->len; b++) {
			if (n == cap) {
				uint64_t *d = realloc(t->death, 2 * cap * sizeof(*d));

				if (!d) {
					free(last);
					return -ENOMEM;
				}
				t->death = d;
				cap *= 2;
			}
			if (last[b] != UINT64_MAX)
				t->death[last[b]] = tick;
			else
				mapped++;
			t->death[n] = UINT64_MAX;
			last[b] = n++;
			tick++;
		}
	}
	free(last);
	t->nr_blocks = n;
	t->death_capacity = max_valid;
	return 0;
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
	o->how = LBR_AS_TRACED;
}

/* The state of one replay. */
struct run {
	const struct lbr_trace *t;
	const struct lbr_opts *o;
	struct lbr_result *res;
	struct lbp_engine e;
	uint64_t *cur;		/* per block: index of its live version (oracle) */
	uint64_t written;	/* blocks written so far */
	bool features;		/* the placement keeps its features (not EMERGENCY) */
	uint64_t series_gc;	/* GC writes at the last series point */
	struct lbp_model *cache;	/* models loaded from the directory */
	uint64_t *cache_ver;
	size_t nr_cache;
};

static void run_death(void *priv, const struct lb_death *dt)
{
	struct run *r = priv;

	r->res->deaths++;
	r->res->death_moves += dt->gc_moves;
}

static unsigned int oracle_class(const struct lbr_oracle *o, uint64_t life)
{
	unsigned int c = 0;
	double th = o->base;

	while (c < o->classes - 1 && (double)life >= th) {
		c++;
		th *= o->ratio;
	}
	return o->classes - 1 - c;	/* 0: the longest lives */
}

static unsigned int oracle_gc(void *priv, u32 lba, const struct lb_block *b)
{
	struct run *r = priv;
	uint64_t death = r->t->death[r->cur[lba]];

	(void)b;
	return oracle_class(&r->o->oracle, death == UINT64_MAX ? UINT64_MAX :
			    death - r->e.d.now);
}

/* --- the in-sample fit ------------------------------------------------------ */

#define FIT_NFB		(LBF_NR - 1)	/* a row's features: all but the tick */
#define FIT_MIN_ROWS	1000		/* fewer: no tree (GC moves: the user writes') */

struct lbr_rows {
	uint8_t *x[2];		/* [0] user writes, [1] GC moves: FIT_NFB bins a row */
	float *y[2];		/* log2 of the true lifetime */
	size_t n[2], cap[2];
	uint64_t end;		/* the trace's last tick */
	int err;
};

/*
 * A row: @f and log2 of the lifetime from @tick to @death; a version that
 * never dies counts, as in the learner, an octave longer than the trace
 * shows.
 */
static void fit_row(struct lbr_rows *rw, int k, uint64_t tick, const s64 *f, uint64_t death)
{
	size_t n = rw->n[k];

	if (rw->err)
		return;
	if (n == rw->cap[k]) {
		size_t cap = n ? 2 * n : 1 << 16;
		uint8_t *x = realloc(rw->x[k], cap * FIT_NFB);
		float *y = x ? realloc(rw->y[k], cap * sizeof(*y)) : NULL;

		if (x)
			rw->x[k] = x;
		if (!y) {
			rw->err = -ENOMEM;
			return;
		}
		rw->y[k] = y;
		rw->cap[k] = cap;
	}
	for (unsigned int i = 0; i < FIT_NFB; i++)
		rw->x[k][n * FIT_NFB + i] = (uint8_t)f[i];
	rw->y[k][n] = (float)(death == UINT64_MAX ? log2((double)(rw->end - tick + 1)) + 1 :
			      log2((double)(death - tick + 1)));
	rw->n[k] = n + 1;
}

/* GC under the policy, with the fit's rows collected: a row, then the policy's choice. */
static unsigned int rows_gc(void *priv, u32 lba, const struct lb_block *b)
{
	struct run *r = priv;
	s64 f[LBF_NR];

	(void)b;
	lbf_moved(&r->e.fs, r->e.fb, &r->e.d, lba, f);
	fit_row(r->o->rows, 1, r->e.d.now, f, r->t->death[r->cur[lba]]);
	return LB_CLASS_NONE;
}

/* The model of version @v for a MODEL record, or NULL. */
static const struct lbp_model *model_of(struct run *r, uint64_t v)
{
	const struct lbr_models *m = &r->o->models;
	char path[4096];
	size_t i;

	if (!v)
		return NULL;
	if (m->one)
		return m->one;
	if (!m->dir) {
		r->res->models_missing++;
		return NULL;
	}
	for (i = 0; i < r->nr_cache; i++)
		if (r->cache_ver[i] == v)
			return &r->cache[i];
	snprintf(path, sizeof(path), "%s/%" PRIu64 ".mlm", m->dir, v);
	{
		struct lbp_model *c = realloc(r->cache, (r->nr_cache + 1) * sizeof(*c));
		uint64_t *cv;

		if (!c)
			return NULL;
		r->cache = c;
		cv = realloc(r->cache_ver, (r->nr_cache + 1) * sizeof(*cv));
		if (!cv)
			return NULL;
		r->cache_ver = cv;
		if (lbp_model_read(&r->cache[r->nr_cache], path)) {
			r->res->models_missing++;
			return NULL;
		}
		r->cache_ver[r->nr_cache] = v;
		return &r->cache[r->nr_cache++];
	}
}

/*
 * The placement proxy's mode, as the device saw it: in EMERGENCY it keeps
 * no feature state; in RECOMMENDATION the model also moves the policy's
 * blocks.
 */
static void set_mode(struct run *r, unsigned int mode)
{
	r->features = mode != ML_LIB_MODE_EMERGENCY;
	r->e.gc_off = mode == ML_LIB_MODE_EMERGENCY;
	r->e.gc_all = mode == ML_LIB_MODE_RECOMMENDATION;
}

/*
 * Replay the write of record @i and the records that describe it (CLASS,
 * and MODEL records among them). Returns the index of the last record used.
 */
static size_t replay_write(struct run *r, size_t i, u8 *hint, s64 (*f)[LBF_NR], int *err)
{
	const struct lbt_rec *w = &r->t->recs[i];
	const struct lbr_opts *o = r->o;
	struct lbp_engine *e = &r->e;
	u32 n = w->len, b, slot;
	size_t j;
	int ret;

	*err = 0;
	if (r->features)
		lbf_request(&e->fs, (u32)w->lba, n, w->arg);
	/*
	 * A model pushed since the previous request is first seen by the
	 * device's GC in lb_write_begin(), whose MODEL record follows the
	 * WRITE record: the GC of this write already places with it.
	 */
	if (o->how == LBR_AS_TRACED)
		for (j = i + 1; j < r->t->nr && r->t->recs[j].op == LBT_MODEL; j++)
			e->model = model_of(r, r->t->recs[j].lba);
	ret = lb_write_begin(&e->d, (u32)w->lba, n);
	if (ret == -ENOSPC) {
		/* Refused here (at another size) but not on the device: skip its classes. */
		r->res->nospc_reqs++;
		for (j = i + 1; j < r->t->nr && r->t->recs[j].op == LBT_CLASS; j++)
			;
		return j - 1;
	}
	if (ret) {
		*err = ret;
		return i;
	}
	for (b = 0; b < n; b++) {
		hint[b] = LB_CLASS_NONE;
		if (!r->features)
			continue;
		lbf_user(&e->fs, e->fb, &e->d, (u32)w->lba + b, e->d.now + b, f[b]);
		if (o->rows)
			fit_row(o->rows, 0, e->d.now + b, f[b], r->t->death[r->written + b]);
		switch (o->how) {
		case LBR_MODEL:
			hint[b] = (u8)lbp_model_hint(o->model, &e->d, f[b]);
			break;
		case LBR_ORACLE: {
			uint64_t death = r->t->death[r->written + b];

			hint[b] = (u8)oracle_class(&o->oracle, death == UINT64_MAX ? UINT64_MAX :
						   death - (e->d.now + b));
			break;
		}
		default:
			hint[b] = LB_CLASS_NONE;
			break;
		}
	}
	/* The records the kernel put after the write: its decisions. */
	for (j = i + 1; j < r->t->nr; j++) {
		const struct lbt_rec *c = &r->t->recs[j];

		if (c->op == LBT_MODEL) {
			if (o->how == LBR_AS_TRACED)
				e->model = model_of(r, c->lba);
			continue;
		}
		/*
		 * Anything else, a MODE record included, belongs to what
		 * follows: the device takes the mode at the start of the next
		 * request, after this one's blocks are written.
		 */
		if (c->op != LBT_CLASS)
			break;
		if (o->how != LBR_AS_TRACED)
			continue;
		if (c->lba < w->lba || c->len > n || c->lba - w->lba > n - c->len ||
		    (c->arg != LBT_CLASS_NONE && c->arg >= LB_MAX_STREAMS)) {
			*err = -EINVAL;
			return j;
		}
		for (b = (u32)(c->lba - w->lba); b < c->lba - w->lba + c->len; b++) {
			hint[b] = c->arg;
			if (c->arg == LBT_CLASS_NONE)
				continue;
			r->res->ml_blocks++;
			if (e->model) {
				r->res->ml_checked++;
				r->res->ml_mismatch += lbp_model_hint(e->model, &e->d, f[b]) != c->arg;
			}
		}
	}
	for (b = 0; b < n; b++) {
		ret = lb_write_block(&e->d, (u32)w->lba + b, hint[b], &slot);
		if (ret) {
			*err = ret;
			break;
		}
		r->cur[(u32)w->lba + b] = r->written++;
		if (o->series && e->d.stats.user_writes % o->series == 0) {
			uint64_t gc = e->d.stats.gc_writes;

			fprintf(o->series_out, "%llu %.4f\n",
				(unsigned long long)e->d.stats.user_writes,
				(double)(o->series + gc - r->series_gc) / o->series);
			r->series_gc = gc;
		}
	}
	return j - 1;
}

/*
 * Replay @t with the options @o. A write the device refused for lack of
 * space is refused here too (same state, same decision) and counted.
 * Return 0, or a negative errno with a message on stderr.
 */
int lbr_run(const struct lbr_trace *t, const struct lbr_opts *o,
	    struct lbr_result *res)
{
	const char *why = lb_geometry_error(&o->g);
	struct run r = { .t = t, .o = o, .res = res };
	s64 (*f)[LBF_NR] = NULL;
	u8 *hint = NULL;
	size_t i;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (why) {
		fprintf(stderr, "replay: bad geometry: %s\n", why);
		return -EINVAL;
	}
	if ((o->how == LBR_MODEL && !o->model) ||
	    (o->how == LBR_ORACLE && (!t->death || o->oracle.classes < 2 ||
				      t->death_capacity != (uint64_t)(o->g.nr_segs -
					LB_SPARE_SEGS) * o->g.seg_blocks ||
				      o->oracle.classes > LB_MAX_STREAMS ||
				      !(o->oracle.base > 0) || !(o->oracle.ratio >= 1))) ||
	    (o->rows && (o->how != LBR_POLICY || !t->death))) {
		fprintf(stderr, "replay: no model, or no deaths for the oracle or the fit\n");
		return -EINVAL;
	}
	ret = lbp_init(&r.e, &o->g, o->place, o->victim);
	if (ret) {
		fprintf(stderr, "replay: unknown policy %u/%u\n", o->place, o->victim);
		return ret;
	}
	r.e.death = run_death;
	r.e.priv = &r;
	/* A trace starts in EMERGENCY (a device starts without an agent). */
	r.features = o->how != LBR_AS_TRACED;
	r.e.gc_off = o->how == LBR_AS_TRACED;
	if (o->how == LBR_MODEL) {
		r.e.model = o->model;
		r.e.gc_all = true;
	} else if (o->how == LBR_ORACLE) {
		r.e.gc_override = oracle_gc;
	} else if (o->rows) {
		r.e.gc_override = rows_gc;
	}
	r.cur = calloc(o->g.nr_lblocks, sizeof(*r.cur));
	hint = malloc(MAX_REQ);
	f = malloc(MAX_REQ * sizeof(*f));
	if (!r.cur || !hint || !f) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < t->nr && !ret; i++) {
		const struct lbt_rec *rec = &t->recs[i];

		switch (rec->op) {
		case LBT_WRITE:
			if (rec->lba >= o->g.nr_lblocks || rec->len > MAX_REQ) {
				ret = -EINVAL;
				break;
			}
			i = replay_write(&r, i, hint, f, &ret);
			break;
		case LBT_DISCARD:
			ret = rec->lba < o->g.nr_lblocks ?
				lb_discard(&r.e.d, (u32)rec->lba, rec->len) : -EINVAL;
			break;
		case LBT_GC:
			if (o->bg_gc && lb_gc_wanted(&r.e.d, rec->len))
				lb_gc_one(&r.e.d, true);
			break;
		case LBT_POLICY:
			if (o->follow_policy)
				ret = lb_set_policy(&r.e.d, rec->arg, rec->len);
			break;
		case LBT_MARK:
			res->at_mark = r.e.d.stats;
			res->has_mark = true;
			break;
		case LBT_MODEL:
			if (o->how == LBR_AS_TRACED)
				r.e.model = model_of(&r, rec->lba);
			break;
		case LBT_MODE:
			if (o->how == LBR_AS_TRACED)
				set_mode(&r, rec->arg);
			break;
		case LBT_CLASS:
			/* Only right after a write (replay_write() takes them). */
			ret = -EINVAL;
			break;
		}
		if (ret)
			fprintf(stderr, "replay: record %zu (op %u lba %llu len %u): error %d\n",
				i, rec->op, (unsigned long long)rec->lba, rec->len, ret);
	}
	res->total = r.e.d.stats;
	res->mapped = r.e.d.mapped;
	res->free_segs = r.e.d.nr_free;
	res->gc_advised = r.e.gc_advised;
	if (!ret && o->check) {
		why = lb_check(&r.e.d);
		if (why) {
			fprintf(stderr, "replay: inconsistent device after the trace: %s\n", why);
			ret = -EIO;
		}
	}
out:
	for (i = 0; i < r.nr_cache; i++)
		lbp_model_free(&r.cache[i]);
	free(r.cache);
	free(r.cache_ver);
	free(r.cur);
	free(hint);
	free(f);
	lbp_free(&r.e);
	return ret;
}

static double waf_of(const struct lbr_result *r)
{
	uint64_t u = r->total.user_writes - r->at_mark.user_writes;
	uint64_t g = r->total.gc_writes - r->at_mark.gc_writes;

	return u ? (double)(u + g) / (double)u : INFINITY;
}

/*
 * The oracle ceiling: the best of the research study's grid (gcsim's P5:
 * first threshold N/64, N/16, N/4 or N ticks, ratio 2, 4 or 8, 4 or 6
 * classes, greedy or cost-benefit victim). Its classes in *@best, its
 * victim selection in *@victim, its figures in *@res.
 */
int lbr_best_oracle(struct lbr_trace *t, const struct lbr_opts *o,
		    struct lbr_result *res, struct lbr_oracle *best, unsigned int *victim)
{
	static const double bases[] = { 1.0 / 64, 1.0 / 16, 1.0 / 4, 1 };
	static const double ratios[] = { 2, 4, 8 };
	static const unsigned int classes[] = { 4, 6 };
	struct lbr_opts oo = *o;
	struct lbr_result rr;
	double best_waf = INFINITY;
	int ret = lbr_deaths(t, &o->g);

	if (ret)
		return ret;
	oo.how = LBR_ORACLE;
	oo.follow_policy = false;
	for (unsigned int v = 0; v < LB_VICTIM_COUNT; v++) {
		oo.victim = v;
		for (size_t a = 0; a < 4; a++) {
			for (size_t b = 0; b < 3; b++) {
				for (size_t c = 0; c < 2; c++) {
					oo.oracle = (struct lbr_oracle){
						bases[a] * o->g.nr_lblocks, ratios[b], classes[c]
					};
					ret = lbr_run(t, &oo, &rr);
					if (ret)
						return ret;
					if (waf_of(&rr) < best_waf) {
						best_waf = waf_of(&rr);
						*res = rr;
						*best = oo.oracle;
						*victim = v;
					}
				}
			}
		}
	}
	return 0;
}

/* A tree of the learner's kind (its default depth and leaf size) on rows @k. */
static int fit_tree(const struct lbr_rows *rw, int k, struct lbt_tree *t)
{
	struct lbt_data d = { .n = rw->n[k], .stride = FIT_NFB, .x = rw->x[k], .y = rw->y[k] };
	struct lbt_params p = {
		.max_depth = LBP_TREE_DEPTH,
		.min_leaf = fmax(LBP_MIN_LEAF * rw->n[k], LBP_MIN_LEAF_ROWS),
		.feature_mask = ((1u << LBF_NR) - 1) & ~(1u << LBF_TICK) & ~(1u << LBF_MOVED),
		.nr_features = FIT_NFB,
	};

	return lbt_fit(t, &d, &p);
}

/* Replay with tree @t, its leaves classed as @fit says. */
static int fit_run(const struct lbr_trace *t, struct lbr_opts *o, const struct lbt_tree *tree,
		   const struct lbr_fit *fit, struct lbr_result *res)
{
	double th[LBP_CLASSES - 1];
	struct lbp_leafmap lm = { th, fit->log ? LBP_LOG_SD : 0,
				  log2(LBP_LOG_LIFE * o->g.nr_lblocks) };
	struct lbp_model pm;
	void *blob;
	size_t len;
	int ret;

	for (unsigned int i = 0; i < LBP_CLASSES - 1; i++)
		th[i] = fit->base * pow(fit->ratio, i);
	ret = lbt_compile(tree, LBF_NR, 1, lbp_leaf_class, &lm, &blob, &len);
	if (ret)
		return ret;
	ret = lbp_model_load(&pm, blob, len, NULL);
	free(blob);
	if (ret)
		return ret;
	o->model = &pm;
	ret = lbr_run(t, o, res);
	o->model = NULL;
	lbp_model_free(&pm);
	return ret;
}

/*
 * The in-sample fit: replay @o's policy collecting every user write's and
 * GC move's features with the version's true lifetime, fit the learner's
 * trees on them, then replay with those trees placing every write and
 * every move (LBR_MODEL), for each class thresholds and victim selection
 * of a grid; the best by window WAF. Not a bound in the strict sense (an
 * online learner may fit each phase of a drifting workload better than one
 * model fits them all), but what the features say about lifetimes at
 * best when one model serves the whole trace.
 */
int lbr_best_fit(struct lbr_trace *t, const struct lbr_opts *o,
		 struct lbr_result *res, struct lbr_fit *best, unsigned int *victim)
{
	static const double bases[] = { 1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1 };
	static const double ratios[] = { 2, 4 };
	struct lbr_rows rw = { 0 };
	struct lbt_tree *tr = calloc(3, sizeof(*tr));
	struct lbr_opts oo = *o;
	struct lbr_result rr;
	struct lbr_fit fit;
	double best_waf = INFINITY;
	int ret = tr ? lbr_deaths(t, &o->g) : -ENOMEM;

	if (ret)
		goto out;
	rw.end = t->nr_blocks;		/* known once the deaths are */
	oo.how = LBR_POLICY;
	oo.follow_policy = false;
	oo.rows = &rw;
	ret = lbr_run(t, &oo, &rr);
	if (!ret)
		ret = rw.err;
	if (!ret && rw.n[0] < FIT_MIN_ROWS) {
		fprintf(stderr, "replay: %zu user writes: too few to fit\n", rw.n[0]);
		ret = -EINVAL;
	}
	if (!ret)
		ret = fit_tree(&rw, 0, &tr[0]);
	if (!ret && rw.n[1] >= FIT_MIN_ROWS)
		ret = fit_tree(&rw, 1, &tr[1]);
	if (!ret)
		ret = lbt_join(&tr[2], LBF_MOVED, 0, &tr[0],
			       rw.n[1] >= FIT_MIN_ROWS ? &tr[1] : &tr[0]);
	if (ret)
		goto out;
	oo.rows = NULL;
	oo.how = LBR_MODEL;
	fit = (struct lbr_fit){ .leaves = lbt_leaves(&tr[2]), .rows = { rw.n[0], rw.n[1] } };
	for (unsigned int v = 0; v < LB_VICTIM_COUNT; v++) {
		oo.victim = v;
		for (size_t a = 0; a < sizeof(bases) / sizeof(*bases); a++) {
			for (size_t b = 0; b < sizeof(ratios) / sizeof(*ratios); b++) {
				for (int lg = 0; lg < 2; lg++) {
					fit.base = bases[a] * o->g.nr_lblocks;
					fit.ratio = ratios[b];
					fit.log = lg;
					ret = fit_run(t, &oo, &tr[2], &fit, &rr);
					if (ret)
						goto out;
					if (waf_of(&rr) < best_waf) {
						best_waf = waf_of(&rr);
						*res = rr;
						*best = fit;
						*victim = v;
					}
				}
			}
		}
	}
out:
	for (int k = 0; k < 2; k++) {
		free(rw.x[k]);
		free(rw.y[k]);
	}
	free(tr);
	return ret;
}
