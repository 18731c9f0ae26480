// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib_demo: a synthetic subsystem with a hidden optimal policy, to show
 * and test ml_lib end to end.
 *
 * Each operation has a context x in [0, 63], drawn from a workload pattern.
 * The subsystem asks its proxy for a value d in [0, 1000] and pays
 * cost = |d - f(x)| + noise, where f is the hidden optimal policy and the
 * noise is uniform in [0, noise]. Its own (default) algorithm always picks
 * d = 500. A model that learns f from the published samples and outcome
 * feedback and pushes f as a recommendation table drives the cost down to
 * the noise; switching f at run time shows whether it keeps learning.
 *
 * The workload and the noise come from a PRNG seeded by "seed": the same
 * seed gives the same sequence of contexts and noise (the arm draws are
 * ml_lib's own).
 *
 * /sys/kernel/ml_lib_demo/:
 *	ops_per_sec	rw  operations per second of the worker thread, 0 = paused
 *	pattern		rw  uniform | skewed | sequential
 *	policy		rw  the hidden f: linear | step | wave | mirror
 *	noise		rw  noise amplitude, 0..1000
 *	seed		rw  writing it restarts the sequence and zeroes the counters
 *	step		 w  run N operations now, in the writer's context
 *	ops, ops_ml, ops_default, cost_ml, cost_default	counters
 *	mean_cost_ml_milli, mean_cost_default_milli	mean cost x 1000 (0 if none)
 * Module parameters ops_per_sec, pattern, policy, noise and seed set the
 * initial values.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sysfs.h>
#include <linux/ml_lib.h>

#include "ml_rand.h"

#define DEMO_KEYS	64
#define DEMO_D_MAX	1000
#define DEMO_D_DEFAULT	500
#define DEMO_MAX_RATE	100000
#define DEMO_MAX_STEP	1000000
#define DEMO_TICK_MS	10

enum demo_pattern { DEMO_UNIFORM, DEMO_SKEWED, DEMO_SEQUENTIAL, DEMO_NR_PATTERNS };
enum demo_policy { DEMO_LINEAR, DEMO_STEP, DEMO_WAVE, DEMO_MIRROR, DEMO_NR_POLICIES };

static const char *const demo_pattern_names[DEMO_NR_PATTERNS] = {
	"uniform", "skewed", "sequential",
};
static const char *const demo_policy_names[DEMO_NR_POLICIES] = {
	"linear", "step", "wave", "mirror",
};

static unsigned int ops_per_sec = 1000;
module_param(ops_per_sec, uint, 0444);
MODULE_PARM_DESC(ops_per_sec, "initial operations per second (0 = paused)");
static char *pattern = "uniform";
module_param(pattern, charp, 0444);
MODULE_PARM_DESC(pattern, "initial workload pattern: uniform, skewed, sequential");
static char *policy = "linear";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy, "initial hidden policy: linear, step, wave, mirror");
static unsigned int noise = 20;
module_param(noise, uint, 0444);
MODULE_PARM_DESC(noise, "initial noise amplitude (0..1000)");
static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the workload and noise");

/* Everything below is under demo_lock. */
static DEFINE_MUTEX(demo_lock);
static struct {
	struct ml_lib_proxy *proxy;
	struct task_struct *worker;
	struct kobject *kobj;
	u32 rate;
	u32 pattern;
	u32 policy;
	u32 noise;
	u64 seed;
	u64 rand;			/* PRNG state of contexts and noise */
	u64 seq;			/* operations since the seed, for "sequential" */
	u64 ops, ops_arm[ML_LIB_ARM_COUNT];
	u64 cost_arm[ML_LIB_ARM_COUNT];
	unsigned long rate_since;	/* jiffies when the rate was set */
	u64 rate_done;			/* operations done since then */
} demo;

/* The hidden optimal policy f(x), in [0, 1000]. */
static s64 demo_f(u32 policy, u32 x)
{
	switch (policy) {
	case DEMO_STEP:
		return x < DEMO_KEYS / 2 ? 200 : 800;
	case DEMO_WAVE:
		/* A triangle of period 16 between 100 and 900. */
		return 100 + 100 * (x % 16 < 8 ? x % 16 : 16 - x % 16);
	case DEMO_MIRROR:
		/*
		 * linear reflected about the default (500): a table that
		 * learned a fraction a of linear costs (1 + a) times the
		 * default here, however far its learning got.
		 */
		return 900 - 12 * x;
	default:
		return 100 + 12 * x;
	}
}

static u32 demo_context(void)
{
	switch (demo.pattern) {
	case DEMO_SKEWED: {
		/* The least of three uniform draws: small keys are hot. */
		u32 a = ml_rand_below(&demo.rand, DEMO_KEYS);
		u32 b = ml_rand_below(&demo.rand, DEMO_KEYS);
		u32 c = ml_rand_below(&demo.rand, DEMO_KEYS);

		return min3(a, b, c);
	}
	case DEMO_SEQUENTIAL:
		return demo.seq % DEMO_KEYS;
	default:
		return ml_rand_below(&demo.rand, DEMO_KEYS);
	}
}

/* One operation of the subsystem. Under demo_lock. */
static void demo_operation(void)
{
	struct ml_lib_decision d;
	u32 x = demo_context();
	s64 features[1] = { x };
	s64 cost;

	ml_lib_decide(demo.proxy, x, features, &d);
	/* The default arm's values are the schema default: d = 500. */
	cost = abs(d.values[0] - demo_f(demo.policy, x));
	if (demo.noise)
		cost += ml_rand_below(&demo.rand, demo.noise + 1);
	ml_lib_outcome(demo.proxy, &d, cost);

	demo.seq++;
	demo.ops++;
	demo.ops_arm[d.arm]++;
	demo.cost_arm[d.arm] += cost;
}

static int demo_worker(void *unused)
{
	while (!kthread_should_stop()) {
		u64 due, n = 0;

		mutex_lock(&demo_lock);
		due = div_u64((u64)demo.rate * jiffies_to_msecs(jiffies - demo.rate_since), 1000);
		while (demo.rate_done < due && n++ < DEMO_MAX_RATE / 10) {
			demo_operation();
			demo.rate_done++;
		}
		mutex_unlock(&demo_lock);
		schedule_timeout_interruptible(msecs_to_jiffies(DEMO_TICK_MS));
	}
	return 0;
}

/* Restart the sequence from @s and zero the counters. Under demo_lock. */
static void demo_reseed(u64 s)
{
	demo.seed = s;
	ml_rand_seed(&demo.rand, s);
	demo.seq = 0;
	demo.ops = 0;
	memset(demo.ops_arm, 0, sizeof(demo.ops_arm));
	memset(demo.cost_arm, 0, sizeof(demo.cost_arm));
}

static void demo_set_rate(u32 rate)
{
	demo.rate = rate;
	demo.rate_since = jiffies;
	demo.rate_done = 0;
}

static int demo_name_index(const char *const *names, int n, const char *buf)
{
	int i;

	for (i = 0; i < n; i++)
		if (sysfs_streq(buf, names[i]))
			return i;
	return -EINVAL;
}

/* --- sysfs ------------------------------------------------------------------ */

enum demo_attr_id {
	DA_OPS_PER_SEC, DA_NOISE, DA_SEED, DA_OPS, DA_OPS_ML, DA_OPS_DEFAULT,
	DA_COST_ML, DA_COST_DEFAULT, DA_MEAN_ML, DA_MEAN_DEFAULT,
};

struct demo_attr {
	struct kobj_attribute attr;
	int which;
};

static u64 demo_mean_milli(int arm)
{
	return demo.ops_arm[arm] ? div64_u64(demo.cost_arm[arm] * 1000, demo.ops_arm[arm]) : 0;
}

static ssize_t demo_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	int which = container_of(attr, struct demo_attr, attr)->which;
	u64 v;

	mutex_lock(&demo_lock);
	switch (which) {
	case DA_OPS_PER_SEC:
		v = demo.rate;
		break;
	case DA_NOISE:
		v = demo.noise;
		break;
	case DA_SEED:
		v = demo.seed;
		break;
	case DA_OPS:
		v = demo.ops;
		break;
	case DA_OPS_ML:
		v = demo.ops_arm[ML_LIB_ARM_ML];
		break;
	case DA_OPS_DEFAULT:
		v = demo.ops_arm[ML_LIB_ARM_DEFAULT];
		break;
	case DA_COST_ML:
		v = demo.cost_arm[ML_LIB_ARM_ML];
		break;
	case DA_COST_DEFAULT:
		v = demo.cost_arm[ML_LIB_ARM_DEFAULT];
		break;
	case DA_MEAN_ML:
		v = demo_mean_milli(ML_LIB_ARM_ML);
		break;
	default:
		v = demo_mean_milli(ML_LIB_ARM_DEFAULT);
		break;
	}
	mutex_unlock(&demo_lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t demo_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int which = container_of(attr, struct demo_attr, attr)->which;
	u64 v;

	if (kstrtou64(buf, 0, &v))
		return -EINVAL;
	if ((which == DA_OPS_PER_SEC && v > DEMO_MAX_RATE) ||
	    (which == DA_NOISE && v > DEMO_D_MAX))
		return -EINVAL;
	mutex_lock(&demo_lock);
	if (which == DA_OPS_PER_SEC)
		demo_set_rate(v);
	else if (which == DA_NOISE)
		demo.noise = v;
	else
		demo_reseed(v);
	mutex_unlock(&demo_lock);
	return count;
}

#define DEMO_ATTR(_name, _mode, _which)					\
	static struct demo_attr demo_attr_##_name = {			\
		.attr = __ATTR(_name, _mode, demo_show, demo_store),	\
		.which = _which,					\
	}

DEMO_ATTR(ops_per_sec, 0644, DA_OPS_PER_SEC);
DEMO_ATTR(noise, 0644, DA_NOISE);
DEMO_ATTR(seed, 0644, DA_SEED);
DEMO_ATTR(ops, 0444, DA_OPS);
DEMO_ATTR(ops_ml, 0444, DA_OPS_ML);
DEMO_ATTR(ops_default, 0444, DA_OPS_DEFAULT);
DEMO_ATTR(cost_ml, 0444, DA_COST_ML);
DEMO_ATTR(cost_default, 0444, DA_COST_DEFAULT);
DEMO_ATTR(mean_cost_ml_milli, 0444, DA_MEAN_ML);
DEMO_ATTR(mean_cost_default_milli, 0444, DA_MEAN_DEFAULT);

/* pattern and policy: one name out of a list. */
struct demo_choice {
	struct kobj_attribute attr;
	const char *const *names;
	int nr_names;
	u32 *value;
};

static ssize_t demo_choice_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct demo_choice *c = container_of(attr, struct demo_choice, attr);

	return sysfs_emit(buf, "%s\n", c->names[READ_ONCE(*c->value)]);
}

static ssize_t demo_choice_store(struct kobject *kobj, struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	struct demo_choice *c = container_of(attr, struct demo_choice, attr);
	int i = demo_name_index(c->names, c->nr_names, buf);

	if (i < 0)
		return i;
	mutex_lock(&demo_lock);
	WRITE_ONCE(*c->value, i);
	mutex_unlock(&demo_lock);
	return count;
}

#define DEMO_CHOICE(_name, _names, _field)					\
	static struct demo_choice demo_attr_##_name = {				\
		.attr = __ATTR(_name, 0644, demo_choice_show, demo_choice_store), \
		.names = _names,						\
		.nr_names = ARRAY_SIZE(_names),					\
		.value = &demo._field,						\
	}

DEMO_CHOICE(pattern, demo_pattern_names, pattern);
DEMO_CHOICE(policy, demo_policy_names, policy);

static ssize_t step_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	u32 n, i;

	if (kstrtou32(buf, 0, &n) || n > DEMO_MAX_STEP)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		mutex_lock(&demo_lock);
		demo_operation();
		mutex_unlock(&demo_lock);
		if (!(i % 1024))
			cond_resched();
	}
	return count;
}

static struct kobj_attribute demo_attr_step = __ATTR_WO(step);

static struct attribute *demo_attrs[] = {
	&demo_attr_ops_per_sec.attr.attr,
	&demo_attr_noise.attr.attr,
	&demo_attr_seed.attr.attr,
	&demo_attr_ops.attr.attr,
	&demo_attr_ops_ml.attr.attr,
	&demo_attr_ops_default.attr.attr,
	&demo_attr_cost_ml.attr.attr,
	&demo_attr_cost_default.attr.attr,
	&demo_attr_mean_cost_ml_milli.attr.attr,
	&demo_attr_mean_cost_default_milli.attr.attr,
	&demo_attr_pattern.attr.attr,
	&demo_attr_policy.attr.attr,
	&demo_attr_step.attr,
	NULL,
};

static const struct attribute_group demo_group = { .attrs = demo_attrs };

/* --- the proxy --------------------------------------------------------------- */

static const struct ml_lib_feature demo_features[] = {
	{ .name = "x", .unit = "key", .type = ML_LIB_FEAT_ENUM, .min = 0, .max = DEMO_KEYS - 1 },
};

static const struct ml_lib_action demo_actions[] = {
	{ .name = "d", .min = 0, .max = DEMO_D_MAX, .def = DEMO_D_DEFAULT },
};

static int __init demo_init(void)
{
	struct ml_lib_proxy_desc desc = {
		.subsystem = "ml_lib_demo",
		.name = "policy",
		.features = demo_features,
		.nr_features = ARRAY_SIZE(demo_features),
		.actions = demo_actions,
		.nr_actions = ARRAY_SIZE(demo_actions),
		/* The samples of the data set are the decisions' contexts. */
		.flags = ML_LIB_PROXY_SAMPLE_DECISIONS,
	};
	int ret, p, f;

	p = demo_name_index(demo_pattern_names, DEMO_NR_PATTERNS, pattern);
	f = demo_name_index(demo_policy_names, DEMO_NR_POLICIES, policy);
	if (p < 0 || f < 0 || ops_per_sec > DEMO_MAX_RATE || noise > DEMO_D_MAX) {
		pr_err("invalid module parameter\n");
		return -EINVAL;
	}
	demo.pattern = p;
	demo.policy = f;
	demo.noise = noise;
	demo_reseed(seed);
	demo_set_rate(ops_per_sec);

	demo.proxy = ml_lib_proxy_create(&desc);
	if (IS_ERR(demo.proxy))
		return PTR_ERR(demo.proxy);
	ret = ml_lib_proxy_start(demo.proxy);
	if (ret)
		goto err_proxy;
	demo.kobj = kobject_create_and_add("ml_lib_demo", kernel_kobj);
	if (!demo.kobj) {
		ret = -ENOMEM;
		goto err_proxy;
	}
	ret = sysfs_create_group(demo.kobj, &demo_group);
	if (ret)
		goto err_kobj;
	demo.worker = kthread_run(demo_worker, NULL, "ml_lib_demo");
	if (IS_ERR(demo.worker)) {
		ret = PTR_ERR(demo.worker);
		goto err_kobj;
	}
	return 0;

err_kobj:
	kobject_put(demo.kobj);
err_proxy:
	ml_lib_proxy_destroy(demo.proxy);
	return ret;
}

static void __exit demo_exit(void)
{
	kthread_stop(demo.worker);
	/* No more operations: sysfs "step" is gone with the kobject. */
	kobject_put(demo.kobj);
	ml_lib_proxy_destroy(demo.proxy);
}

module_init(demo_init);
module_exit(demo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ml_lib example: a subsystem with a hidden optimal policy");
