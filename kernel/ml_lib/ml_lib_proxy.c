// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: the registry of proxies, their lifecycle, and the control part of
 * the kernel API (create, destroy, start, stop, reinit).
 *
 * A proxy has a u32 id, never reused, and a unique subsystem/name pair.
 * Its kobject is its sysfs directory and its reference count.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "ml_lib_internal.h"
#include "ml_names.h"
#include "ml_record.h"

DEFINE_MUTEX(ml_lib_registry_lock);
static DEFINE_XARRAY(ml_lib_proxies);	/* id -> proxy, under ml_lib_registry_lock */
static u32 ml_lib_next_id = 1;		/* ids are never reused */

const char *ml_lib_mode_name(unsigned int mode)
{
	return ml_mode_name(mode) ?: "unknown";
}

const char *ml_lib_reason_name(unsigned int reason)
{
	return ml_reason_name(reason) ?: "unknown";
}

/* A mode name, or "auto" (ML_LIB_MODE_AUTO), as written to sysfs. */
int ml_lib_parse_mode(const char *buf, u8 *mode)
{
	unsigned int i;

	if (sysfs_streq(buf, "auto")) {
		*mode = ML_LIB_MODE_AUTO;
		return 0;
	}
	for (i = 0; i < ML_LIB_MODE_COUNT; i++) {
		if (sysfs_streq(buf, ml_mode_name(i))) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Names of subsystems, proxies, features and actions: [A-Za-z0-9_-]{1,31}. */
static bool ml_lib_name_valid(const char *s)
{
	size_t i, n;

	if (!s)
		return false;
	n = strnlen(s, ML_LIB_NAME_LEN);
	if (!n || n >= ML_LIB_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* Units: printable, at most ML_LIB_UNIT_LEN - 1 characters; NULL is "". */
static bool ml_lib_unit_valid(const char *s)
{
	size_t i, n;

	if (!s)
		return true;
	n = strnlen(s, ML_LIB_UNIT_LEN);
	if (n >= ML_LIB_UNIT_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!isprint(s[i]))
			return false;
	return true;
}

static int ml_lib_desc_valid(const struct ml_lib_proxy_desc *d)
{
	unsigned int i;

	if (!d || !ml_lib_name_valid(d->subsystem) || !ml_lib_name_valid(d->name))
		return -EINVAL;
	/* The files of /sys/kernel/ml_lib itself are not subsystem names. */
	if (!strcmp(d->subsystem, "bad_requests"))
		return -EINVAL;
	if (d->nr_features > ML_LIB_MAX_FEATURES || (d->nr_features && !d->features))
		return -EINVAL;
	if (!d->nr_actions || d->nr_actions > ML_LIB_MAX_ACTIONS || !d->actions)
		return -EINVAL;
	if (d->flags & ~ML_LIB_PROXY_SAMPLE_DECISIONS)
		return -EINVAL;
	for (i = 0; i < d->nr_features; i++) {
		const struct ml_lib_feature *f = &d->features[i];

		if (!ml_lib_name_valid(f->name) || !ml_lib_unit_valid(f->unit) ||
		    f->type >= ML_LIB_FEAT_COUNT || f->min > f->max)
			return -EINVAL;
	}
	for (i = 0; i < d->nr_actions; i++) {
		const struct ml_lib_action *a = &d->actions[i];

		if (!ml_lib_name_valid(a->name) || a->min > a->max ||
		    a->def < a->min || a->def > a->max)
			return -EINVAL;
	}
	return 0;
}

static void ml_lib_proxy_copy_schema(struct ml_lib_proxy *p,
				     const struct ml_lib_proxy_desc *d)
{
	unsigned int i;

	strscpy(p->subsystem, d->subsystem, sizeof(p->subsystem));
	strscpy(p->name, d->name, sizeof(p->name));
	p->flags = d->flags;
	p->ops = d->ops;
	p->priv = d->priv;
	p->nr_features = d->nr_features;
	p->nr_actions = d->nr_actions;
	p->sample_size = ml_sample_record_size(d->nr_features);
	for (i = 0; i < d->nr_features; i++) {
		struct ml_lib_feature_desc *f = &p->features[i];

		strscpy(f->name, d->features[i].name, sizeof(f->name));
		strscpy(f->unit, d->features[i].unit ? : "", sizeof(f->unit));
		f->type = d->features[i].type;
		f->min = d->features[i].min;
		f->max = d->features[i].max;
	}
	p->table_schema.nr_actions = d->nr_actions;
	p->table_schema.max_entries = ML_LIB_MAX_TABLE_ENTRIES;
	for (i = 0; i < d->nr_actions; i++) {
		struct ml_lib_action_desc *a = &p->actions[i];

		strscpy(a->name, d->actions[i].name, sizeof(a->name));
		a->min = d->actions[i].min;
		a->max = d->actions[i].max;
		a->def = d->actions[i].def;
		p->defaults[i] = a->def;
		p->table_schema.min[i] = a->min;
		p->table_schema.max[i] = a->max;
	}
}

/* Is @subsystem/@name taken? Under ml_lib_registry_lock. */
static bool ml_lib_name_taken(const char *subsystem, const char *name)
{
	struct ml_lib_proxy *q;
	unsigned long id;

	xa_for_each(&ml_lib_proxies, id, q)
		if (!strcmp(q->subsystem, subsystem) && !strcmp(q->name, name))
			return true;
	return false;
}

/**
 * ml_lib_proxy_create() - create a proxy for a subsystem
 * @desc: the subsystem, the proxy's name, its feature and action schema,
 *	flags, hooks and private pointer; copied, may live on the stack
 *
 * The proxy starts stopped, in EMERGENCY, with no agent: decisions return
 * the default arm until ml_lib_proxy_start() and an agent attaches. Its
 * sysfs directory is /sys/kernel/ml_lib/<subsystem>/<name>/.
 * Context: process context; may sleep.
 *
 * Return: the proxy, or an ERR_PTR(): -EINVAL for an invalid descriptor
 * (names must match [A-Za-z0-9_-]{1,31}; 0..ML_LIB_MAX_FEATURES features,
 * 1..ML_LIB_MAX_ACTIONS actions with min <= def <= max; known flags only),
 * -EEXIST when the subsystem already has a proxy of that name, -ENOSPC when
 * the ids ran out, -ENOMEM.
 */
struct ml_lib_proxy *ml_lib_proxy_create(const struct ml_lib_proxy_desc *desc)
{
	struct ml_lib_proxy *p;
	int cpu, ret;

	ret = ml_lib_desc_valid(desc);
	if (ret)
		return ERR_PTR(ret);

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->pcpu = alloc_percpu(struct ml_lib_pcpu);
	if (!p->pcpu) {
		kfree(p);
		return ERR_PTR(-ENOMEM);
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(p->pcpu, cpu)->sync);
	ml_lib_proxy_copy_schema(p, desc);
	mutex_init(&p->lock);
	INIT_DELAYED_WORK(&p->eval_work, ml_lib_eval_work);
	INIT_WORK(&p->mode_work, ml_lib_mode_work);
	p->mode = ML_LIB_MODE_EMERGENCY;
	p->pin = ML_LIB_MODE_AUTO;
	ml_mode_params_default(&p->ctl_params);
	ml_mode_init(&p->ctl);
	p->reason = ML_LIB_REASON_NONE;
	p->efficiency_bp = ML_STATS_EFFICIENCY_UNKNOWN;
	p->eval_interval_ms = ML_LIB_DEFAULT_EVAL_MS;
	p->holdout_bp = ML_LIB_DEFAULT_HOLDOUT_BP;
	p->share_bp[ML_LIB_MODE_EMERGENCY] = 0;
	p->share_bp[ML_LIB_MODE_LEARNING] = ML_LIB_DEFAULT_SHARE_LEARNING_BP;
	p->share_bp[ML_LIB_MODE_COLLABORATION] = ML_LIB_DEFAULT_SHARE_COLLABORATION_BP;
	p->share_bp[ML_LIB_MODE_RECOMMENDATION] = ML_LIB_BP_MAX - ML_LIB_DEFAULT_HOLDOUT_BP;
	/* From here on, kobject_put() frees the proxy (ml_lib_proxy_release()). */
	kobject_init(&p->kobj, &ml_lib_proxy_ktype);

	mutex_lock(&ml_lib_registry_lock);
	if (ml_lib_name_taken(p->subsystem, p->name)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (!ml_lib_next_id) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	p->subsys = ml_lib_subsys_get(p->subsystem);
	if (IS_ERR(p->subsys)) {
		ret = PTR_ERR(p->subsys);
		p->subsys = NULL;
		goto err_unlock;
	}
	ret = kobject_add(&p->kobj, &p->subsys->kobj, "%s", p->name);
	if (ret)
		goto err_subsys;
	p->id = ml_lib_next_id;
	ret = xa_insert(&ml_lib_proxies, p->id, p, GFP_KERNEL);
	if (ret)
		goto err_del;
	ml_lib_next_id++;
	mutex_unlock(&ml_lib_registry_lock);
	return p;

err_del:
	kobject_del(&p->kobj);
err_subsys:
	ml_lib_subsys_put(p->subsys);
	p->subsys = NULL;
err_unlock:
	mutex_unlock(&ml_lib_registry_lock);
	kobject_put(&p->kobj);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(ml_lib_proxy_create);

/**
 * ml_lib_proxy_destroy() - destroy a proxy
 * @proxy: a proxy from ml_lib_proxy_create(), or NULL / an ERR_PTR (ignored)
 *
 * Detaches its agent (whose file then polls POLLHUP | POLLERR and gets
 * -ENODEV from its ioctls), removes the proxy from /dev/ml_lib and sysfs
 * and stops its work. When it returns, the library calls none of the
 * proxy's ops again, so the subsystem's module may unload. The subsystem
 * must not call any ml_lib function on @proxy afterwards, and must make
 * sure none of its own contexts still does (publish, decide, outcome,
 * set_critical).
 * Context: process context; may sleep.
 */
void ml_lib_proxy_destroy(struct ml_lib_proxy *proxy)
{
	struct ml_lib_proxy *p = proxy;

	if (IS_ERR_OR_NULL(p))
		return;

	mutex_lock(&ml_lib_registry_lock);
	xa_erase(&ml_lib_proxies, p->id);
	mutex_unlock(&ml_lib_registry_lock);

	mutex_lock(&p->lock);
	p->dead = true;
	WRITE_ONCE(p->started, false);
	if (p->agent)
		ml_lib_agent_detach_locked(p->agent, false);
	ml_lib_table_drop_locked(p);
	ml_lib_model_drop_locked(p);
	mutex_unlock(&p->lock);

	/* Drains sysfs readers and writers; they see @dead and do nothing. */
	kobject_del(&p->kobj);
	cancel_delayed_work_sync(&p->eval_work);
	cancel_work_sync(&p->mode_work);

	mutex_lock(&ml_lib_registry_lock);
	ml_lib_subsys_put(p->subsys);
	p->subsys = NULL;
	mutex_unlock(&ml_lib_registry_lock);

	ml_lib_proxy_put(p);
}
EXPORT_SYMBOL_GPL(ml_lib_proxy_destroy);

static int ml_lib_proxy_set_started(struct ml_lib_proxy *p, bool started)
{
	int ret = 0;

	mutex_lock(&p->lock);
	if (p->dead) {
		ret = -ENODEV;
	} else if (p->started != started) {
		WRITE_ONCE(p->started, started);
		ml_lib_mode_update(p);
	}
	mutex_unlock(&p->lock);
	return ret;
}

/**
 * ml_lib_proxy_start() - let a proxy publish samples and follow its mode
 * @proxy: the proxy
 *
 * Idempotent. With an agent attached the proxy leaves EMERGENCY for the
 * mode it would be in (reason STARTED).
 * Context: process context; may sleep.
 *
 * Return: 0, or -ENODEV when the proxy is being destroyed.
 */
int ml_lib_proxy_start(struct ml_lib_proxy *proxy)
{
	return ml_lib_proxy_set_started(proxy, true);
}
EXPORT_SYMBOL_GPL(ml_lib_proxy_start);

/**
 * ml_lib_proxy_stop() - stop a proxy: no samples, default decisions only
 * @proxy: the proxy
 *
 * Idempotent. A stopped proxy is in EMERGENCY (reason STOPPED); its
 * ml_lib_publish() returns -EAGAIN and its decisions take the default arm.
 * An attached agent stays attached.
 * Context: process context; may sleep.
 *
 * Return: 0, or -ENODEV when the proxy is being destroyed.
 */
int ml_lib_proxy_stop(struct ml_lib_proxy *proxy)
{
	return ml_lib_proxy_set_started(proxy, false);
}
EXPORT_SYMBOL_GPL(ml_lib_proxy_stop);

/**
 * ml_lib_proxy_reinit() - re-initialize a proxy's learning state
 * @proxy: the proxy
 *
 * Drops the current recommendation table, restarts the per-arm statistics
 * (decisions, outcomes, means, efficiency) from zero and hands the mode
 * back to the controller's starting point, LEARNING (reason REINIT) unless
 * an admin pinned one. The traffic counters (published, dropped, ...) and
 * the attachment are kept.
 * Context: process context; may sleep.
 *
 * Return: 0, or -ENODEV when the proxy is being destroyed.
 */
int ml_lib_proxy_reinit(struct ml_lib_proxy *proxy)
{
	struct ml_lib_proxy *p = proxy;

	mutex_lock(&p->lock);
	if (p->dead) {
		mutex_unlock(&p->lock);
		return -ENODEV;
	}
	ml_lib_table_drop_locked(p);
	ml_lib_model_drop_locked(p);
	ml_lib_counters_read(p, &p->base);
	ml_lib_mode_reinit(p);
	mutex_unlock(&p->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(ml_lib_proxy_reinit);

/**
 * ml_lib_proxy_priv() - the subsystem's private pointer of a proxy
 * @proxy: the proxy
 *
 * Context: any.
 * Return: the @priv of the descriptor the proxy was created with.
 */
void *ml_lib_proxy_priv(struct ml_lib_proxy *proxy)
{
	return proxy->priv;
}
EXPORT_SYMBOL_GPL(ml_lib_proxy_priv);

/**
 * ml_lib_proxy_mode() - the current mode of a proxy
 * @proxy: the proxy
 *
 * Context: any.
 * Return: the mode; it may change at any time after the call.
 */
enum ml_lib_mode ml_lib_proxy_mode(struct ml_lib_proxy *proxy)
{
	return READ_ONCE(proxy->mode);
}
EXPORT_SYMBOL_GPL(ml_lib_proxy_mode);

/* The proxy of @id with a reference, or NULL. */
struct ml_lib_proxy *ml_lib_proxy_lookup(u32 id)
{
	struct ml_lib_proxy *p;

	mutex_lock(&ml_lib_registry_lock);
	p = xa_load(&ml_lib_proxies, id);
	if (p)
		ml_lib_proxy_get(p);
	mutex_unlock(&ml_lib_registry_lock);
	return p;
}

/* Fill up to @capacity entries of @info, in id order; *@count = all proxies. */
int ml_lib_proxy_list(struct ml_lib_proxy_info *info, u32 capacity, u32 *count)
{
	struct ml_lib_proxy *p;
	unsigned long id;
	u32 n = 0;

	mutex_lock(&ml_lib_registry_lock);
	xa_for_each(&ml_lib_proxies, id, p) {
		if (n < capacity) {
			struct ml_lib_proxy_info *e = &info[n];

			memset(e, 0, sizeof(*e));
			e->id = p->id;
			e->mode = READ_ONCE(p->mode);
			if (READ_ONCE(p->agent))
				e->flags |= ML_LIB_INFO_ATTACHED;
			if (READ_ONCE(p->started))
				e->flags |= ML_LIB_INFO_STARTED;
			if (READ_ONCE(p->pin) != ML_LIB_MODE_AUTO)
				e->flags |= ML_LIB_INFO_PINNED;
			strscpy(e->subsystem, p->subsystem, sizeof(e->subsystem));
			strscpy(e->name, p->name, sizeof(e->name));
		}
		n++;
	}
	mutex_unlock(&ml_lib_registry_lock);
	*count = n;
	return 0;
}

/* Sum the per-CPU counters of @p. */
void ml_lib_counters_read(struct ml_lib_proxy *p, struct ml_lib_counters *c)
{
	int cpu, arm;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		const struct ml_lib_pcpu *pc = per_cpu_ptr(p->pcpu, cpu);
		struct ml_lib_counters snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&pc->sync);
			snap = pc->c;
		} while (u64_stats_fetch_retry(&pc->sync, start));

		c->published += snap.published;
		c->dropped += snap.dropped;
		c->unconsumed += snap.unconsumed;
		c->filtered += snap.filtered;
		c->feedback_dropped += snap.feedback_dropped;
		c->wakeups += snap.wakeups;
		for (arm = 0; arm < ML_LIB_ARM_COUNT; arm++) {
			c->decisions[arm] += snap.decisions[arm];
			ml_stats_merge(&c->acc[arm], &snap.acc[arm]);
		}
	}
}
