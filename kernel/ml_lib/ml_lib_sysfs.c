// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: /sys/kernel/ml_lib/<subsystem>/<proxy>/, knobs and counters,
 * one value per file (documented in docs/ABI.md).
 *
 * A subsystem directory is shared by the subsystem's proxies and removed
 * with the last of them. Writes are validated: out of range or malformed
 * is -EINVAL and changes nothing.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "ml_lib_internal.h"

struct kobject *ml_lib_root_kobj;
static LIST_HEAD(ml_lib_subsystems);	/* under ml_lib_registry_lock */

/* --- subsystem directories ---------------------------------------------- */

static void ml_lib_subsys_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct ml_lib_subsys, kobj));
}

static const struct kobj_type ml_lib_subsys_ktype = {
	.release = ml_lib_subsys_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

/* The directory of subsystem @name, created on first use. Under the registry lock. */
struct ml_lib_subsys *ml_lib_subsys_get(const char *name)
{
	struct ml_lib_subsys *s;
	int ret;

	lockdep_assert_held(&ml_lib_registry_lock);
	list_for_each_entry(s, &ml_lib_subsystems, node) {
		if (!strcmp(kobject_name(&s->kobj), name)) {
			s->nr_proxies++;
			return s;
		}
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	ret = kobject_init_and_add(&s->kobj, &ml_lib_subsys_ktype, ml_lib_root_kobj,
				   "%s", name);
	if (ret) {
		kobject_put(&s->kobj);
		return ERR_PTR(ret);
	}
	s->nr_proxies = 1;
	list_add_tail(&s->node, &ml_lib_subsystems);
	return s;
}

/* A proxy of @s is gone; the last one removes the directory. Under the registry lock. */
void ml_lib_subsys_put(struct ml_lib_subsys *s)
{
	lockdep_assert_held(&ml_lib_registry_lock);
	if (--s->nr_proxies)
		return;
	list_del(&s->node);
	kobject_del(&s->kobj);
	kobject_put(&s->kobj);
}

/* --- proxy attributes --------------------------------------------------- */

enum ml_lib_attr_id {
	ML_ATTR_ID,
	ML_ATTR_MODE_REASON,
	ML_ATTR_PINNED,
	ML_ATTR_ATTACHED,
	ML_ATTR_STARTED,
	ML_ATTR_CRITICAL,
	ML_ATTR_EFFICIENCY_BP,
	ML_ATTR_TABLE_VERSION,
	ML_ATTR_AGENT_PID,
	ML_ATTR_PUBLISHED,
	ML_ATTR_DROPPED,
	ML_ATTR_UNCONSUMED,
	ML_ATTR_FILTERED,
	ML_ATTR_FEEDBACK_DROPPED,
	ML_ATTR_WAKEUPS,
	ML_ATTR_DECISIONS_ML,
	ML_ATTR_DECISIONS_DEFAULT,
	ML_ATTR_OUTCOMES_ML,
	ML_ATTR_OUTCOMES_DEFAULT,
	ML_ATTR_RECS_ACCEPTED,
	ML_ATTR_RECS_REJECTED,
	ML_ATTR_MODEL_VERSION,
	ML_ATTR_MODELS_ACCEPTED,
	ML_ATTR_MODELS_REJECTED,
	ML_ATTR_BAD_REQUESTS,
	ML_ATTR_MODE_CHANGES,
	/* writable knobs */
	ML_ATTR_SHARE_LEARNING,
	ML_ATTR_SHARE_COLLABORATION,
	ML_ATTR_HOLDOUT,
	ML_ATTR_EVAL_INTERVAL,
};

struct ml_lib_attr {
	struct kobj_attribute attr;
	int which;			/* enum ml_lib_attr_id, or a reason for transitions/ */
};

#define to_ml_attr(a) container_of(a, struct ml_lib_attr, attr)

static u64 ml_lib_attr_value(struct ml_lib_proxy *p, int which)
{
	struct ml_lib_counters c;
	int arm;

	switch (which) {
	case ML_ATTR_ID:
		return p->id;
	case ML_ATTR_TABLE_VERSION:
		return ml_lib_table_version(p);
	case ML_ATTR_RECS_ACCEPTED:
		return atomic64_read(&p->recs_accepted);
	case ML_ATTR_RECS_REJECTED:
		return atomic64_read(&p->recs_rejected);
	case ML_ATTR_MODEL_VERSION:
		return ml_lib_model_version(p);
	case ML_ATTR_MODELS_ACCEPTED:
		return atomic64_read(&p->models_accepted);
	case ML_ATTR_MODELS_REJECTED:
		return atomic64_read(&p->models_rejected);
	case ML_ATTR_BAD_REQUESTS:
		return atomic64_read(&p->bad_requests);
	case ML_ATTR_MODE_CHANGES:
		return atomic64_read(&p->mode_changes);
	}
	ml_lib_counters_read(p, &c);
	switch (which) {
	case ML_ATTR_PUBLISHED:
		return c.published;
	case ML_ATTR_DROPPED:
		return c.dropped;
	case ML_ATTR_UNCONSUMED:
		return c.unconsumed;
	case ML_ATTR_FILTERED:
		return c.filtered;
	case ML_ATTR_FEEDBACK_DROPPED:
		return c.feedback_dropped;
	case ML_ATTR_WAKEUPS:
		return c.wakeups;
	}
	arm = which == ML_ATTR_DECISIONS_ML || which == ML_ATTR_OUTCOMES_ML ?
		ML_LIB_ARM_ML : ML_LIB_ARM_DEFAULT;
	mutex_lock(&p->lock);
	if (which == ML_ATTR_DECISIONS_ML || which == ML_ATTR_DECISIONS_DEFAULT)
		c.decisions[arm] -= p->base.decisions[arm];
	else
		c.decisions[arm] = c.acc[arm].n - p->base.acc[arm].n;
	mutex_unlock(&p->lock);
	return c.decisions[arm];
}

static ssize_t ml_lib_attr_show(struct kobject *kobj, struct kobj_attribute *attr,
				char *buf)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);
	int which = to_ml_attr(attr)->which;
	ssize_t ret;

	switch (which) {
	case ML_ATTR_MODE_REASON:
		return sysfs_emit(buf, "%s\n", ml_lib_reason_name(READ_ONCE(p->reason)));
	case ML_ATTR_PINNED:
		return sysfs_emit(buf, "%d\n", READ_ONCE(p->pin) != ML_LIB_MODE_AUTO);
	case ML_ATTR_ATTACHED:
		return sysfs_emit(buf, "%d\n", !!READ_ONCE(p->agent));
	case ML_ATTR_STARTED:
		return sysfs_emit(buf, "%d\n", READ_ONCE(p->started));
	case ML_ATTR_CRITICAL:
		return sysfs_emit(buf, "%d\n",
				  READ_ONCE(p->critical) || READ_ONCE(p->state_critical));
	case ML_ATTR_EFFICIENCY_BP:
		return sysfs_emit(buf, "%d\n", READ_ONCE(p->efficiency_bp));
	case ML_ATTR_AGENT_PID:
		mutex_lock(&p->lock);
		ret = sysfs_emit(buf, "%d\n", p->agent ? p->agent->pid : 0);
		mutex_unlock(&p->lock);
		return ret;
	case ML_ATTR_SHARE_LEARNING:
		return sysfs_emit(buf, "%u\n", READ_ONCE(p->share_bp[ML_LIB_MODE_LEARNING]));
	case ML_ATTR_SHARE_COLLABORATION:
		return sysfs_emit(buf, "%u\n",
				  READ_ONCE(p->share_bp[ML_LIB_MODE_COLLABORATION]));
	case ML_ATTR_HOLDOUT:
		return sysfs_emit(buf, "%u\n", READ_ONCE(p->holdout_bp));
	case ML_ATTR_EVAL_INTERVAL:
		return sysfs_emit(buf, "%u\n", READ_ONCE(p->eval_interval_ms));
	default:
		return sysfs_emit(buf, "%llu\n", ml_lib_attr_value(p, which));
	}
}

/* Parse a knob value: an unsigned integer within [@min, @max], else -EINVAL. */
static int ml_lib_parse_knob(const char *buf, u32 min, u32 max, u32 *val)
{
	if (kstrtou32(buf, 0, val) || *val < min || *val > max)
		return -EINVAL;
	return 0;
}

static ssize_t ml_lib_attr_store(struct kobject *kobj, struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);
	int which = to_ml_attr(attr)->which;
	u32 v;
	int ret;

	if (which == ML_ATTR_EVAL_INTERVAL)
		ret = ml_lib_parse_knob(buf, ML_LIB_EVAL_MS_MIN, ML_LIB_EVAL_MS_MAX, &v);
	else
		ret = ml_lib_parse_knob(buf, 0, ML_LIB_BP_MAX, &v);
	if (ret)
		return ret;

	mutex_lock(&p->lock);
	if (p->dead) {
		ret = -ENODEV;
		goto out;
	}
	switch (which) {
	case ML_ATTR_SHARE_LEARNING:
		WRITE_ONCE(p->share_bp[ML_LIB_MODE_LEARNING], v);
		break;
	case ML_ATTR_SHARE_COLLABORATION:
		WRITE_ONCE(p->share_bp[ML_LIB_MODE_COLLABORATION], v);
		break;
	case ML_ATTR_HOLDOUT:
		WRITE_ONCE(p->holdout_bp, v);
		WRITE_ONCE(p->share_bp[ML_LIB_MODE_RECOMMENDATION], ML_LIB_BP_MAX - v);
		break;
	case ML_ATTR_EVAL_INTERVAL:
		WRITE_ONCE(p->eval_interval_ms, v);
		ml_lib_reschedule_eval(p);
		break;
	default:
		ret = -EINVAL;
	}
out:
	mutex_unlock(&p->lock);
	return ret ? : count;
}

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);

	/* Pairs with the transition's release: its reason and counts are visible. */
	return sysfs_emit(buf, "%s\n", ml_lib_mode_name(smp_load_acquire(&p->mode)));
}

static ssize_t mode_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);
	u8 mode;
	int ret;

	ret = ml_lib_parse_mode(buf, &mode);
	if (ret)
		return ret;
	mutex_lock(&p->lock);
	ret = ml_lib_set_mode_locked(p, mode);
	mutex_unlock(&p->lock);
	return ret ? : count;
}

static struct kobj_attribute ml_lib_attr_mode = __ATTR_RW(mode);

#define ML_ATTR_RO(_name, _which)						\
	static struct ml_lib_attr ml_lib_attr_##_name = {			\
		.attr = __ATTR(_name, 0444, ml_lib_attr_show, NULL),		\
		.which = _which,						\
	}
#define ML_ATTR_RW(_name, _which)						\
	static struct ml_lib_attr ml_lib_attr_##_name = {			\
		.attr = __ATTR(_name, 0644, ml_lib_attr_show, ml_lib_attr_store), \
		.which = _which,						\
	}

ML_ATTR_RO(id, ML_ATTR_ID);
ML_ATTR_RO(mode_reason, ML_ATTR_MODE_REASON);
ML_ATTR_RO(pinned, ML_ATTR_PINNED);
ML_ATTR_RO(attached, ML_ATTR_ATTACHED);
ML_ATTR_RO(started, ML_ATTR_STARTED);
ML_ATTR_RO(critical, ML_ATTR_CRITICAL);
ML_ATTR_RO(efficiency_bp, ML_ATTR_EFFICIENCY_BP);
ML_ATTR_RO(table_version, ML_ATTR_TABLE_VERSION);
ML_ATTR_RO(agent_pid, ML_ATTR_AGENT_PID);
ML_ATTR_RO(published, ML_ATTR_PUBLISHED);
ML_ATTR_RO(dropped, ML_ATTR_DROPPED);
ML_ATTR_RO(unconsumed, ML_ATTR_UNCONSUMED);
ML_ATTR_RO(filtered, ML_ATTR_FILTERED);
ML_ATTR_RO(feedback_dropped, ML_ATTR_FEEDBACK_DROPPED);
ML_ATTR_RO(wakeups, ML_ATTR_WAKEUPS);
ML_ATTR_RO(decisions_ml, ML_ATTR_DECISIONS_ML);
ML_ATTR_RO(decisions_default, ML_ATTR_DECISIONS_DEFAULT);
ML_ATTR_RO(outcomes_ml, ML_ATTR_OUTCOMES_ML);
ML_ATTR_RO(outcomes_default, ML_ATTR_OUTCOMES_DEFAULT);
ML_ATTR_RO(recs_accepted, ML_ATTR_RECS_ACCEPTED);
ML_ATTR_RO(recs_rejected, ML_ATTR_RECS_REJECTED);
ML_ATTR_RO(model_version, ML_ATTR_MODEL_VERSION);
ML_ATTR_RO(models_accepted, ML_ATTR_MODELS_ACCEPTED);
ML_ATTR_RO(models_rejected, ML_ATTR_MODELS_REJECTED);
ML_ATTR_RO(bad_requests, ML_ATTR_BAD_REQUESTS);
ML_ATTR_RO(mode_changes, ML_ATTR_MODE_CHANGES);
ML_ATTR_RW(share_learning_bp, ML_ATTR_SHARE_LEARNING);
ML_ATTR_RW(share_collaboration_bp, ML_ATTR_SHARE_COLLABORATION);
ML_ATTR_RW(holdout_bp, ML_ATTR_HOLDOUT);
ML_ATTR_RW(eval_interval_ms, ML_ATTR_EVAL_INTERVAL);

static struct attribute *ml_lib_proxy_attrs[] = {
	&ml_lib_attr_mode.attr,
	&ml_lib_attr_id.attr.attr,
	&ml_lib_attr_mode_reason.attr.attr,
	&ml_lib_attr_pinned.attr.attr,
	&ml_lib_attr_attached.attr.attr,
	&ml_lib_attr_started.attr.attr,
	&ml_lib_attr_critical.attr.attr,
	&ml_lib_attr_efficiency_bp.attr.attr,
	&ml_lib_attr_table_version.attr.attr,
	&ml_lib_attr_agent_pid.attr.attr,
	&ml_lib_attr_published.attr.attr,
	&ml_lib_attr_dropped.attr.attr,
	&ml_lib_attr_unconsumed.attr.attr,
	&ml_lib_attr_filtered.attr.attr,
	&ml_lib_attr_feedback_dropped.attr.attr,
	&ml_lib_attr_wakeups.attr.attr,
	&ml_lib_attr_decisions_ml.attr.attr,
	&ml_lib_attr_decisions_default.attr.attr,
	&ml_lib_attr_outcomes_ml.attr.attr,
	&ml_lib_attr_outcomes_default.attr.attr,
	&ml_lib_attr_recs_accepted.attr.attr,
	&ml_lib_attr_recs_rejected.attr.attr,
	&ml_lib_attr_model_version.attr.attr,
	&ml_lib_attr_models_accepted.attr.attr,
	&ml_lib_attr_models_rejected.attr.attr,
	&ml_lib_attr_bad_requests.attr.attr,
	&ml_lib_attr_mode_changes.attr.attr,
	&ml_lib_attr_share_learning_bp.attr.attr,
	&ml_lib_attr_share_collaboration_bp.attr.attr,
	&ml_lib_attr_holdout_bp.attr.attr,
	&ml_lib_attr_eval_interval_ms.attr.attr,
	NULL,
};

static const struct attribute_group ml_lib_proxy_group = {
	.attrs = ml_lib_proxy_attrs,
};

/* transitions/<reason>: how many transitions each reason caused. */
static ssize_t ml_lib_transition_show(struct kobject *kobj, struct kobj_attribute *attr,
				      char *buf)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&p->transitions[to_ml_attr(attr)->which]));
}

#define ML_TRANSITION(_name, _reason)						\
	static struct ml_lib_attr ml_lib_tr_##_name = {				\
		.attr = __ATTR(_name, 0444, ml_lib_transition_show, NULL),	\
		.which = _reason,						\
	}

ML_TRANSITION(admin, ML_LIB_REASON_ADMIN);
ML_TRANSITION(attached, ML_LIB_REASON_ATTACHED);
ML_TRANSITION(detached, ML_LIB_REASON_DETACHED);
ML_TRANSITION(heartbeat, ML_LIB_REASON_HEARTBEAT);
ML_TRANSITION(critical, ML_LIB_REASON_CRITICAL);
ML_TRANSITION(stale, ML_LIB_REASON_STALE);
ML_TRANSITION(rejects, ML_LIB_REASON_REJECTS);
ML_TRANSITION(promoted, ML_LIB_REASON_PROMOTED);
ML_TRANSITION(demoted, ML_LIB_REASON_DEMOTED);
ML_TRANSITION(cooldown, ML_LIB_REASON_COOLDOWN);
ML_TRANSITION(reinit, ML_LIB_REASON_REINIT);
ML_TRANSITION(stopped, ML_LIB_REASON_STOPPED);
ML_TRANSITION(started, ML_LIB_REASON_STARTED);

static struct attribute *ml_lib_transition_attrs[] = {
	&ml_lib_tr_admin.attr.attr,
	&ml_lib_tr_attached.attr.attr,
	&ml_lib_tr_detached.attr.attr,
	&ml_lib_tr_heartbeat.attr.attr,
	&ml_lib_tr_critical.attr.attr,
	&ml_lib_tr_stale.attr.attr,
	&ml_lib_tr_rejects.attr.attr,
	&ml_lib_tr_promoted.attr.attr,
	&ml_lib_tr_demoted.attr.attr,
	&ml_lib_tr_cooldown.attr.attr,
	&ml_lib_tr_reinit.attr.attr,
	&ml_lib_tr_stopped.attr.attr,
	&ml_lib_tr_started.attr.attr,
	NULL,
};

static const struct attribute_group ml_lib_transition_group = {
	.name = "transitions",
	.attrs = ml_lib_transition_attrs,
};

/*
 * controller/<knob>: the mode controller's parameters, one file per entry
 * of core's ml_mode_knobs[] (names, ranges, defaults). The attributes are
 * filled in by ml_lib_sysfs_init(), before any proxy exists.
 */
static struct ml_lib_attr ml_lib_knob_attrs[ML_MODE_NR_KNOBS];
static struct attribute *ml_lib_knob_attr_ptrs[ML_MODE_NR_KNOBS + 1];

static ssize_t ml_lib_knob_show(struct kobject *kobj, struct kobj_attribute *attr,
				char *buf)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);
	u32 v;

	mutex_lock(&p->lock);
	v = ml_mode_param_get(&p->ctl_params, to_ml_attr(attr)->which);
	mutex_unlock(&p->lock);
	return sysfs_emit(buf, "%u\n", v);
}

/* Out of range or malformed: -EINVAL, nothing changed. */
static ssize_t ml_lib_knob_store(struct kobject *kobj, struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);
	u64 v;
	int ret;

	if (kstrtou64(buf, 0, &v))
		return -EINVAL;
	mutex_lock(&p->lock);
	if (p->dead)
		ret = -ENODEV;
	else
		ret = ml_mode_param_set(&p->ctl_params, to_ml_attr(attr)->which, v);
	mutex_unlock(&p->lock);
	return ret ? : count;
}

static void ml_lib_knob_attrs_init(void)
{
	unsigned int i;

	for (i = 0; i < ML_MODE_NR_KNOBS; i++) {
		struct ml_lib_attr *a = &ml_lib_knob_attrs[i];

		sysfs_attr_init(&a->attr.attr);
		a->attr.attr.name = ml_mode_knobs[i].name;
		a->attr.attr.mode = 0644;
		a->attr.show = ml_lib_knob_show;
		a->attr.store = ml_lib_knob_store;
		a->which = i;
		ml_lib_knob_attr_ptrs[i] = &a->attr.attr;
	}
}

static const struct attribute_group ml_lib_knob_group = {
	.name = "controller",
	.attrs = ml_lib_knob_attr_ptrs,
};

static const struct attribute_group *ml_lib_proxy_groups[] = {
	&ml_lib_proxy_group,
	&ml_lib_transition_group,
	&ml_lib_knob_group,
	NULL,
};

static void ml_lib_proxy_release(struct kobject *kobj)
{
	struct ml_lib_proxy *p = ml_lib_kobj_proxy(kobj);

	/* Destroy dropped the table; a failed create never had one. */
	free_percpu(p->pcpu);
	mutex_destroy(&p->lock);
	kfree(p);
}

const struct kobj_type ml_lib_proxy_ktype = {
	.release = ml_lib_proxy_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = ml_lib_proxy_groups,
};

/* --- /sys/kernel/ml_lib ------------------------------------------------- */

static ssize_t bad_requests_show(struct kobject *kobj, struct kobj_attribute *attr,
				 char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&ml_lib_bad_requests));
}

static struct kobj_attribute ml_lib_attr_global_bad_requests = __ATTR_RO(bad_requests);

int ml_lib_sysfs_init(void)
{
	int ret;

	ml_lib_knob_attrs_init();
	ml_lib_root_kobj = kobject_create_and_add("ml_lib", kernel_kobj);
	if (!ml_lib_root_kobj)
		return -ENOMEM;
	ret = sysfs_create_file(ml_lib_root_kobj, &ml_lib_attr_global_bad_requests.attr);
	if (ret)
		kobject_put(ml_lib_root_kobj);
	return ret;
}

void ml_lib_sysfs_exit(void)
{
	kobject_put(ml_lib_root_kobj);
}
