// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only subsystem for the guest tests of ml_lib: three proxies under
 * the subsystem "mltest", driven through /sys/kernel/debug/ml_lib_testmod/.
 *
 *	p0	2 features, 2 actions, every hook (filter, rewrite, validate,
 *		apply, estimate_state, mode_changed) observable and settable
 *	p1	1 feature, 1 action, ML_LIB_PROXY_SAMPLE_DECISIONS, no hooks
 *	bench	1 feature, 1 action, no hooks: the benchmark's proxy
 *
 * Write one command to "ctl"; read the results of the last one from "last",
 * the hooks' observations from "hooks", the benchmark's from "bench":
 *	publish P CPU KEY N F0 [F1]	N samples from CPU's interrupt context:
 *					key KEY+i, features F0+i, F1-i
 *	decide P CPU KEY N [F1]		N decisions for KEY on CPU (hardirq),
 *					features KEY, F1 (default 0)
 *	outcome P CPU KEY N CML CDEF	N decisions, each with the outcome CML
 *					(ML arm) or CDEF (default arm)
 *	critical P 0|1			ml_lib_set_critical(), from hardirq context
 *	start|stop|reinit|destroy|create P
 *	estimate P 0|1			what ops->estimate_state() answers
 *	validate P ERRNO		ops->validate_recommendation() returns -ERRNO
 *	filter P KEY			ops->preprocess_sample() drops KEY (-1: none)
 *	rewrite P V			ops->preprocess_sample() adds V to feature 0
 *	flood P 0|1			a thread publishes, decides and reports
 *					outcomes without pause, until 0 or unload
 *	bench CPU N			time N per-CPU increments, 32-byte memcpys,
 *					clock reads, publishes and decisions on CPU
 *	bench_publish CPU N		N publishes to "bench" on CPU, as fast as
 *					possible (the consumer runs elsewhere)
 * Never shipped, never loaded outside the guest tests.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/ml_lib.h>

#include "ml_record.h"

enum { P0, P1, PBENCH, NR_PROXIES };

static const char *const tm_names[NR_PROXIES] = { "p0", "p1", "bench" };

struct tm_hooks {
	long long filter_key;		/* -1: none */
	s64 rewrite;
	int validate_errno;
	bool estimate;
	u64 mode_changed;
	u8 last_old, last_new;
	u16 last_reason;
	u64 applied;
	u64 applied_version;
	u32 applied_entries;
	u64 validated;
	u64 estimated;
};

struct tm_proxy {
	struct ml_lib_proxy *proxy;	/* NULL when destroyed */
	struct tm_hooks hooks;
	struct task_struct *flood;
};

static struct tm_proxy tm[NR_PROXIES];
static DEFINE_MUTEX(tm_lock);		/* commands run one at a time */
static struct dentry *tm_dir;

/* Results of the last command. */
static struct tm_last {
	int ret;
	u64 published, enobufs, enotconn, ecanceled, eagain;
	u64 arm[ML_LIB_ARM_COUNT];
	u64 src[4];
	u64 shadow;
	u64 mismatch;			/* arm values that are not what they must be */
	u64 bad_ids;			/* ids zero, not from this CPU, or not increasing */
	struct ml_lib_decision d;	/* the last decision */
} tm_last;

static struct tm_bench {
	u64 n;
	u64 inc_ns, memcpy_ns, clock_ns, publish_ns, decide_ns;
	u64 published, dropped;
} tm_bench;

/* --- hooks of p0 ----------------------------------------------------------- */

static struct tm_hooks *tm_hooks_of(struct ml_lib_proxy *proxy)
{
	return ml_lib_proxy_priv(proxy);
}

static bool tm_preprocess(struct ml_lib_proxy *proxy, u64 key, s64 *features)
{
	struct tm_hooks *h = tm_hooks_of(proxy);

	if (READ_ONCE(h->filter_key) >= 0 && key == (u64)READ_ONCE(h->filter_key))
		return false;
	features[0] += READ_ONCE(h->rewrite);
	return true;
}

static int tm_validate(struct ml_lib_proxy *proxy, const struct ml_lib_table_view *t)
{
	struct tm_hooks *h = tm_hooks_of(proxy);

	h->validated++;
	return -h->validate_errno;
}

static void tm_apply(struct ml_lib_proxy *proxy, const struct ml_lib_table_view *t)
{
	struct tm_hooks *h = tm_hooks_of(proxy);

	h->applied++;
	h->applied_version = t->version;
	h->applied_entries = t->nr_entries;
}

static bool tm_estimate(struct ml_lib_proxy *proxy)
{
	struct tm_hooks *h = tm_hooks_of(proxy);

	h->estimated++;
	return READ_ONCE(h->estimate);
}

static void tm_mode_changed(struct ml_lib_proxy *proxy, enum ml_lib_mode old,
			    enum ml_lib_mode new, enum ml_lib_reason reason)
{
	struct tm_hooks *h = tm_hooks_of(proxy);

	h->mode_changed++;
	h->last_old = old;
	h->last_new = new;
	h->last_reason = reason;
}

static const struct ml_lib_proxy_ops tm_ops = {
	.preprocess_sample = tm_preprocess,
	.validate_recommendation = tm_validate,
	.apply_recommendation = tm_apply,
	.estimate_state = tm_estimate,
	.mode_changed = tm_mode_changed,
};

static const struct ml_lib_feature tm_features[] = {
	{ .name = "x", .unit = "ns", .type = ML_LIB_FEAT_INT, .min = -1000, .max = 1000 },
	{ .name = "y", .unit = "blocks", .type = ML_LIB_FEAT_UINT, .min = 0, .max = 1 << 20 },
};

static const struct ml_lib_action tm_actions[] = {
	{ .name = "a", .min = 0, .max = 1000, .def = 500 },
	{ .name = "b", .min = -50, .max = 50, .def = 7 },
};

static int tm_create(int i)
{
	struct ml_lib_proxy_desc d = {
		.subsystem = "mltest",
		.name = tm_names[i],
		.features = tm_features,
		.nr_features = i == P0 ? 2 : 1,
		.actions = tm_actions,
		.nr_actions = i == P0 ? 2 : 1,
		.flags = i == P1 ? ML_LIB_PROXY_SAMPLE_DECISIONS : 0,
		.ops = i == P0 ? &tm_ops : NULL,
		.priv = &tm[i].hooks,
	};
	struct ml_lib_proxy *p;
	int ret;

	memset(&tm[i].hooks, 0, sizeof(tm[i].hooks));
	tm[i].hooks.filter_key = -1;
	p = ml_lib_proxy_create(&d);
	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = ml_lib_proxy_start(p);
	if (ret) {
		ml_lib_proxy_destroy(p);
		return ret;
	}
	tm[i].proxy = p;
	return 0;
}

static void tm_flood_stop(int i)
{
	if (tm[i].flood) {
		kthread_stop(tm[i].flood);
		tm[i].flood = NULL;
	}
}

static void tm_destroy(int i)
{
	tm_flood_stop(i);
	ml_lib_proxy_destroy(tm[i].proxy);
	tm[i].proxy = NULL;
}

/* --- commands that run on a given CPU, in interrupt context --------------- */

struct tm_call {
	struct ml_lib_proxy *proxy;
	int cpu;
	u64 key, n;
	s64 f0, f1, cost_ml, cost_def;
	bool outcomes;
	const s64 *defaults;
	u32 nr_actions;
};

static void tm_count_publish(int ret)
{
	switch (ret) {
	case 0:
		tm_last.published++;
		break;
	case -ENOBUFS:
		tm_last.enobufs++;
		break;
	case -ENOTCONN:
		tm_last.enotconn++;
		break;
	case -ECANCELED:
		tm_last.ecanceled++;
		break;
	case -EAGAIN:
		tm_last.eagain++;
		break;
	}
}

static void tm_publish_fn(void *arg)
{
	struct tm_call *c = arg;
	u64 i;

	for (i = 0; i < c->n; i++) {
		s64 f[2] = { c->f0 + (s64)i, c->f1 - (s64)i };

		tm_count_publish(ml_lib_publish(c->proxy, c->key + i, f));
	}
}

static void tm_decide_fn(void *arg)
{
	struct tm_call *c = arg;
	u64 i, prev = 0;

	for (i = 0; i < c->n; i++) {
		struct ml_lib_decision *d = &tm_last.d;
		s64 f[2] = { (s64)c->key, c->f1 };
		u32 k;

		ml_lib_decide(c->proxy, c->key, f, d);
		tm_last.arm[d->arm]++;
		tm_last.src[d->source & 3]++;
		tm_last.shadow += !!(d->flags & ML_LIB_OUTCOME_SHADOW);
		for (k = 0; k < c->nr_actions; k++) {
			s64 want = d->arm == ML_LIB_ARM_ML ? d->advice[k] : c->defaults[k];

			tm_last.mismatch += d->values[k] != want;
		}
		if (!d->id || ml_decision_cpu(d->id, nr_cpu_ids) != c->cpu || d->id <= prev)
			tm_last.bad_ids++;
		prev = d->id;
		if (c->outcomes)
			ml_lib_outcome(c->proxy, d,
				       d->arm == ML_LIB_ARM_ML ? c->cost_ml : c->cost_def);
	}
}

static void tm_critical_fn(void *arg)
{
	struct tm_call *c = arg;

	ml_lib_set_critical(c->proxy, c->n);
}

/* --- the flood thread ------------------------------------------------------- */

static int tm_flood_fn(void *arg)
{
	struct ml_lib_proxy *p = arg;
	struct ml_lib_decision d;
	u64 i = 0;

	while (!kthread_should_stop()) {
		s64 f[2] = { (s64)(i % 1000), (s64)i };

		ml_lib_publish(p, i, f);
		ml_lib_decide(p, i % 64, f, &d);
		ml_lib_outcome(p, &d, (s64)(i % 100));
		if (!(++i % 256))
			cond_resched();
	}
	return 0;
}

/* --- the benchmark ------------------------------------------------------------ */

struct tm_bench_call {
	u64 n;
	bool full;			/* all four measurements, or the publish loop only */
};

static DEFINE_PER_CPU(u64, tm_bench_counter);

static long tm_bench_fn(void *arg)
{
	struct tm_bench_call *c = arg;
	struct ml_lib_proxy *p = tm[PBENCH].proxy;
	struct ml_lib_decision d;
	u64 *buf, t0, i, sink = 0;
	s64 f[1];
	int ret;

	memset(&tm_bench, 0, sizeof(tm_bench));
	tm_bench.n = c->n;
	if (c->full) {
		buf = kmalloc(64 * 32, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++)
			this_cpu_inc(tm_bench_counter);
		tm_bench.inc_ns = ktime_get_ns() - t0;

		/* The bytes of one sample record (24-byte header, one feature) into a ring of 64 slots. */
		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++) {
			u64 rec[4] = { t0, i, 0, i };

			memcpy(&buf[(i & 63) * 4], rec, sizeof(rec));
			barrier();
		}
		tm_bench.memcpy_ns = ktime_get_ns() - t0;
		sink += buf[5];
		kfree(buf);

		/* The sample's timestamp alone: part of every publish. */
		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++)
			sink += ktime_get_mono_fast_ns();
		tm_bench.clock_ns = ktime_get_ns() - t0;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < c->n; i++) {
		f[0] = (s64)i;
		ret = ml_lib_publish(p, i, f);
		if (!ret)
			tm_bench.published++;
		else if (ret == -ENOBUFS)
			tm_bench.dropped++;
	}
	tm_bench.publish_ns = ktime_get_ns() - t0;
	if (c->full) {
		t0 = ktime_get_ns();
		for (i = 0; i < c->n; i++) {
			f[0] = (s64)i;
			ml_lib_decide(p, i & 63, f, &d);
			sink += d.values[0];
		}
		tm_bench.decide_ns = ktime_get_ns() - t0;
	}
	return sink == U64_MAX;	/* keep the loops from being optimized out */
}

/* --- debugfs ---------------------------------------------------------------- */

static int tm_proxy_index(const char *name)
{
	int i;

	for (i = 0; i < NR_PROXIES; i++)
		if (!strcmp(name, tm_names[i]))
			return i;
	return -1;
}

static int tm_on_cpu(int cpu, smp_call_func_t fn, struct tm_call *c)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	c->cpu = cpu;
	return smp_call_function_single(cpu, fn, c, 1);
}

static int tm_command(char *buf)
{
	char cmd[32], name[32];
	long long a = 0, b = 0, x = 0, y = 0, z = 0;
	struct tm_call c = { 0 };
	struct tm_hooks *h;
	int i, n;

	n = sscanf(buf, "%31s %31s %lld %lld %lld %lld %lld", cmd, name, &a, &b, &x, &y, &z);
	if (n < 2)
		return -EINVAL;

	if (!strcmp(cmd, "bench") || !strcmp(cmd, "bench_publish")) {
		struct tm_bench_call bc = { .full = !strcmp(cmd, "bench") };
		long cpu;

		if (kstrtol(name, 10, &cpu) || n < 3 || a <= 0 || cpu < 0 ||
		    cpu >= nr_cpu_ids || !cpu_online(cpu) || !tm[PBENCH].proxy)
			return -EINVAL;
		bc.n = a;
		return work_on_cpu(cpu, tm_bench_fn, &bc);
	}

	i = tm_proxy_index(name);
	if (i < 0)
		return -EINVAL;
	h = &tm[i].hooks;
	if (!strcmp(cmd, "create"))
		return tm[i].proxy ? -EEXIST : tm_create(i);
	if (!tm[i].proxy)
		return -ENODEV;
	c.proxy = tm[i].proxy;

	if (!strcmp(cmd, "publish") || !strcmp(cmd, "decide") || !strcmp(cmd, "outcome")) {
		if (n < 5 || x < 0)
			return -EINVAL;
		memset(&tm_last, 0, sizeof(tm_last));
		c.key = b;
		c.n = x;
		if (cmd[0] == 'p') {
			c.f0 = y;
			c.f1 = z;
			return tm_on_cpu(a, tm_publish_fn, &c);
		}
		c.defaults = (s64[]){ tm_actions[0].def, tm_actions[1].def };
		c.nr_actions = i == P0 ? 2 : 1;
		c.outcomes = cmd[0] == 'o';
		c.cost_ml = y;
		c.cost_def = z;
		if (!c.outcomes)
			c.f1 = y;
		if (c.outcomes && n < 7)
			return -EINVAL;
		return tm_on_cpu(a, tm_decide_fn, &c);
	}
	if (!strcmp(cmd, "critical")) {
		c.n = !!a;
		return tm_on_cpu(raw_smp_processor_id(), tm_critical_fn, &c);
	}
	if (!strcmp(cmd, "start"))
		return ml_lib_proxy_start(c.proxy);
	if (!strcmp(cmd, "stop"))
		return ml_lib_proxy_stop(c.proxy);
	if (!strcmp(cmd, "reinit"))
		return ml_lib_proxy_reinit(c.proxy);
	if (!strcmp(cmd, "destroy")) {
		tm_destroy(i);
		return 0;
	}
	if (!strcmp(cmd, "estimate")) {
		WRITE_ONCE(h->estimate, !!a);
		return 0;
	}
	if (!strcmp(cmd, "validate")) {
		h->validate_errno = a;
		return 0;
	}
	if (!strcmp(cmd, "filter")) {
		WRITE_ONCE(h->filter_key, a);
		return 0;
	}
	if (!strcmp(cmd, "rewrite")) {
		WRITE_ONCE(h->rewrite, a);
		return 0;
	}
	if (!strcmp(cmd, "flood")) {
		if (!a) {
			tm_flood_stop(i);
			return 0;
		}
		if (tm[i].flood)
			return -EBUSY;
		tm[i].flood = kthread_run(tm_flood_fn, c.proxy, "ml_lib_flood/%s", tm_names[i]);
		if (IS_ERR(tm[i].flood)) {
			int ret = PTR_ERR(tm[i].flood);

			tm[i].flood = NULL;
			return ret;
		}
		return 0;
	}
	return -EINVAL;
}

static ssize_t tm_ctl_write(struct file *file, const char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	char *buf;
	int ret;

	if (len > 255)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	mutex_lock(&tm_lock);
	ret = tm_command(buf);
	tm_last.ret = ret;
	mutex_unlock(&tm_lock);
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations tm_ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = tm_ctl_write,
	.llseek = noop_llseek,
};

static int tm_last_show(struct seq_file *m, void *v)
{
	const struct ml_lib_decision *d = &tm_last.d;

	mutex_lock(&tm_lock);
	seq_printf(m, "published %llu\nenobufs %llu\nenotconn %llu\necanceled %llu\neagain %llu\n",
		   tm_last.published, tm_last.enobufs, tm_last.enotconn,
		   tm_last.ecanceled, tm_last.eagain);
	seq_printf(m, "arm_default %llu\narm_ml %llu\n", tm_last.arm[0], tm_last.arm[1]);
	seq_printf(m, "src_none %llu\nsrc_table %llu\nsrc_fallback %llu\nshadow %llu\n",
		   tm_last.src[0], tm_last.src[1], tm_last.src[2], tm_last.shadow);
	seq_printf(m, "mismatch %llu\nbad_ids %llu\n", tm_last.mismatch, tm_last.bad_ids);
	seq_printf(m, "id %llu\nkey %llu\nversion %llu\narm %u\nsource %u\nflags %u\n",
		   d->id, d->key, d->version, d->arm, d->source, d->flags);
	seq_printf(m, "values %lld %lld\nadvice %lld %lld\n", d->values[0], d->values[1],
		   d->advice[0], d->advice[1]);
	mutex_unlock(&tm_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tm_last);

static int tm_hooks_show(struct seq_file *m, void *v)
{
	const struct tm_hooks *h = &tm[P0].hooks;

	seq_printf(m, "mode_changed %llu\nlast_old %u\nlast_new %u\nlast_reason %u\n",
		   h->mode_changed, h->last_old, h->last_new, h->last_reason);
	seq_printf(m, "applied %llu\napplied_version %llu\napplied_entries %u\n",
		   h->applied, h->applied_version, h->applied_entries);
	seq_printf(m, "validated %llu\nestimated %llu\n", h->validated, h->estimated);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tm_hooks);

static int tm_bench_show(struct seq_file *m, void *v)
{
	mutex_lock(&tm_lock);
	seq_printf(m, "n %llu\ninc_ns %llu\nmemcpy_ns %llu\nclock_ns %llu\npublish_ns %llu\n",
		   tm_bench.n, tm_bench.inc_ns, tm_bench.memcpy_ns, tm_bench.clock_ns,
		   tm_bench.publish_ns);
	seq_printf(m, "decide_ns %llu\n", tm_bench.decide_ns);
	seq_printf(m, "published %llu\ndropped %llu\n", tm_bench.published, tm_bench.dropped);
	mutex_unlock(&tm_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tm_bench);

static int __init tm_init(void)
{
	int i, ret;

	for (i = 0; i < NR_PROXIES; i++) {
		ret = tm_create(i);
		if (ret)
			goto err;
	}
	tm_dir = debugfs_create_dir("ml_lib_testmod", NULL);
	debugfs_create_file("ctl", 0200, tm_dir, NULL, &tm_ctl_fops);
	debugfs_create_file("last", 0444, tm_dir, NULL, &tm_last_fops);
	debugfs_create_file("hooks", 0444, tm_dir, NULL, &tm_hooks_fops);
	debugfs_create_file("bench", 0444, tm_dir, NULL, &tm_bench_fops);
	return 0;
err:
	while (i--)
		tm_destroy(i);
	return ret;
}

static void __exit tm_exit(void)
{
	int i;

	debugfs_remove_recursive(tm_dir);
	for (i = 0; i < NR_PROXIES; i++)
		if (tm[i].proxy)
			tm_destroy(i);
}

module_init(tm_init);
module_exit(tm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ml_lib guest tests: a subsystem driven through debugfs");
