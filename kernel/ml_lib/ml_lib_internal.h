/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ml_lib: what the files of the module share. Not an API.
 *
 * Objects and lifetimes:
 *
 *  struct ml_lib_proxy	one per ml_lib_proxy_create(). Its embedded kobject
 *			is its sysfs directory and its reference count; the
 *			release frees it. References: the creator (until
 *			ml_lib_proxy_destroy()), each attached agent, each
 *			ioctl in flight that looked it up.
 *  struct ml_lib_agent	one attachment of an open file to a proxy (a kref):
 *			held by the file and by ioctls in flight; the last put
 *			tears the attachment down (RCU grace period, irq_work
 *			and timer stopped) and drops its rings and its proxy.
 *  struct ml_lib_rings	the per-CPU sample and feedback rings of one
 *			attachment (a refcount): held by the attachment and
 *			by each mapping of a ring; the last put frees them.
 *  struct ml_lib_table_rcu one accepted recommendation table, published with
 *			RCU and freed with kvfree_rcu().
 *  struct ml_lib_model_rcu one accepted integer model, likewise.
 *
 * Locks, outermost first: ml_lib_file.lock (which agent a file holds; never
 * held across user copies, mmap takes it under mmap_lock), then
 * ml_lib_proxy.lock (the control mutex: mode, agent, table, knobs), then
 * ml_lib_registry_lock (ids, names, subsystem directories). The hot paths
 * (publish, decide, outcome) take none of them: RCU, per-CPU data with
 * local interrupts disabled, READ_ONCE of the mode and shares.
 */
#ifndef _ML_LIB_INTERNAL_H
#define _ML_LIB_INTERNAL_H

#include <linux/irq_work.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/timer.h>
#include <linux/u64_stats_sync.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/ml_lib.h>

#include "ml_mode.h"
#include "ml_model.h"
#include "ml_stats.h"
#include "ml_table.h"

#define ML_LIB_DEFAULT_SHARE_LEARNING_BP	1000
#define ML_LIB_DEFAULT_SHARE_COLLABORATION_BP	5000
#define ML_LIB_DEFAULT_HOLDOUT_BP		500
#define ML_LIB_DEFAULT_EVAL_MS			100
#define ML_LIB_EVAL_MS_MIN			10
#define ML_LIB_EVAL_MS_MAX			60000
#define ML_LIB_DEFAULT_WAKEUP_MS		50
#define ML_LIB_WAKEUP_MS_MAX			60000
#define ML_LIB_BP_MAX				10000

/* One ring: kernel-private producer state; @ctl is the shared memory. */
struct ml_lib_ring {
	struct ml_lib_ring_ctl *ctl;	/* vmalloc_user(): control page, then slots */
	u64 head;			/* the producer's own position; ctl->head mirrors it */
	u64 tail_seen;			/* tail read by the last reserve */
	u64 dropped;
	u32 record_size;
	u32 nr_records;
	u32 watermark;
	u32 kind;
	u64 map_bytes;
} ____cacheline_aligned_in_smp;

struct ml_lib_proxy;

/* The rings of one attachment: 2 * nr_cpu_ids rings, see core/ml_ring.h. */
struct ml_lib_rings {
	refcount_t ref;			/* the attachment and each mapping */
	struct ml_lib_proxy *proxy;	/* valid while the attachment lives */
	wait_queue_head_t *wq;		/* the file's pollers; valid while attached */
	struct irq_work wake_work;	/* a ring reached its watermark */
	struct timer_list wake_timer;	/* pending records wake pollers this often */
	unsigned long wake_interval;	/* jiffies */
	u32 nr_cpus;
	u32 nr_rings;
	u64 sample_map;			/* mapping bytes of one sample ring */
	u64 feedback_map;		/* and of one feedback ring */
	struct ml_lib_ring ring[];
};

/* An attachment of an open /dev/ml_lib to a proxy. */
struct ml_lib_agent {
	struct kref ref;
	struct ml_lib_proxy *proxy;	/* a reference */
	struct ml_lib_rings *rings;	/* a reference */
	wait_queue_head_t *wq;		/* the file's */
	pid_t pid;
	unsigned long heartbeat;	/* jiffies of the last heartbeat */
	bool detached;			/* under proxy->lock; read with READ_ONCE */
};

/* An open /dev/ml_lib. */
struct ml_lib_file {
	struct mutex lock;		/* protects @agent */
	struct ml_lib_agent *agent;
	wait_queue_head_t wq;
};

/* The hot-path counters of a proxy: one CPU's, or all of them summed. */
struct ml_lib_counters {
	u64 published;
	u64 dropped;
	u64 unconsumed;
	u64 filtered;
	u64 feedback_dropped;
	u64 wakeups;
	u64 decisions[ML_LIB_ARM_COUNT];
	struct ml_stats_acc acc[ML_LIB_ARM_COUNT];
};

/*
 * Per-CPU hot-path state of a proxy. Written only by its CPU with local
 * interrupts disabled; read by anyone through @sync.
 */
struct ml_lib_pcpu {
	struct u64_stats_sync sync;
	struct ml_lib_counters c;
	u64 seq;			/* decisions made on this CPU: their ids */
};

/* An accepted recommendation table. */
struct ml_lib_table_rcu {
	struct rcu_head rcu;
	unsigned long expires;		/* jiffies, when @expiring */
	bool expiring;
	struct ml_table_info info;	/* points into @blob */
	u64 len;
	u64 blob[];			/* the pushed bytes, 8-byte aligned */
};

/* An accepted integer model: the verified blob and its descriptor. */
struct ml_lib_model_rcu {
	struct rcu_head rcu;
	struct ml_model model;		/* points into @blob */
	u64 len;
	u64 blob[];			/* the pushed bytes, 8-byte aligned */
};

/* A directory /sys/kernel/ml_lib/<subsystem>, shared by its proxies. */
struct ml_lib_subsys {
	struct kobject kobj;
	struct list_head node;
	unsigned int nr_proxies;	/* under ml_lib_registry_lock */
};

struct ml_lib_proxy {
	struct kobject kobj;		/* the reference count; sysfs directory */
	u32 id;
	u32 flags;			/* ML_LIB_PROXY_* */
	char subsystem[ML_LIB_NAME_LEN];
	char name[ML_LIB_NAME_LEN];
	struct ml_lib_subsys *subsys;
	const struct ml_lib_proxy_ops *ops;
	void *priv;

	/* The schema, as the ABI reports it. */
	u32 nr_features;
	u32 nr_actions;
	u32 sample_size;
	struct ml_lib_feature_desc features[ML_LIB_MAX_FEATURES];
	struct ml_lib_action_desc actions[ML_LIB_MAX_ACTIONS];
	s64 defaults[ML_LIB_MAX_ACTIONS];	/* zero past nr_actions */
	struct ml_table_schema table_schema;

	/* Read by the hot paths without locks; written under @lock. */
	struct ml_lib_rings __rcu *rings;	/* NULL without an agent */
	struct ml_lib_table_rcu __rcu *table;
	struct ml_lib_model_rcu __rcu *model;
	struct ml_lib_pcpu __percpu *pcpu;
	u8 mode;			/* enum ml_lib_mode */
	bool started;
	bool critical;			/* declared by ml_lib_set_critical(); any context */
	u32 share_bp[ML_LIB_MODE_COUNT];	/* ML share of each mode */

	/* Control state, under @lock. */
	struct mutex lock;
	bool dead;			/* destroyed: no more ops, no more transitions */
	struct ml_lib_agent *agent;
	u8 pin;				/* ML_LIB_MODE_AUTO, or the mode an admin set */
	u16 reason;			/* of the last transition */
	bool state_critical;		/* the last ops->estimate_state() */
	s32 efficiency_bp;
	u32 eval_interval_ms;
	u32 holdout_bp;
	struct ml_lib_counters base;	/* at creation or the last reinit */
	struct ml_mode_params ctl_params;	/* the controller's knobs */
	struct ml_mode_state ctl;	/* the mode controller, core/ml_mode.c */
	struct delayed_work eval_work;
	struct work_struct mode_work;	/* transitions asked for in atomic context */

	atomic64_t recs_accepted;
	atomic64_t recs_rejected;
	atomic64_t models_accepted;
	atomic64_t models_rejected;
	atomic64_t bad_requests;
	atomic64_t mode_changes;
	atomic64_t transitions[ML_LIB_REASON_COUNT];
};

static inline struct ml_lib_proxy *ml_lib_kobj_proxy(struct kobject *kobj)
{
	return container_of(kobj, struct ml_lib_proxy, kobj);
}

static inline void ml_lib_proxy_get(struct ml_lib_proxy *p)
{
	kobject_get(&p->kobj);
}

static inline void ml_lib_proxy_put(struct ml_lib_proxy *p)
{
	kobject_put(&p->kobj);
}

/* Count one hot-path event on this CPU; local interrupts are disabled. */
#define ml_lib_count(pc, field)				\
	do {						\
		u64_stats_update_begin(&(pc)->sync);	\
		(pc)->c.field++;			\
		u64_stats_update_end(&(pc)->sync);	\
	} while (0)

/* ml_lib_main.c */
extern struct kobject *ml_lib_root_kobj;
extern atomic64_t ml_lib_bad_requests;
DECLARE_PER_CPU(u64, ml_lib_rand_state);

/* ml_lib_proxy.c: registry and lifecycle */
extern struct mutex ml_lib_registry_lock;
struct ml_lib_proxy *ml_lib_proxy_lookup(u32 id);
int ml_lib_proxy_list(struct ml_lib_proxy_info *info, u32 capacity, u32 *count);
void ml_lib_counters_read(struct ml_lib_proxy *p, struct ml_lib_counters *c);
const char *ml_lib_mode_name(unsigned int mode);
const char *ml_lib_reason_name(unsigned int reason);
int ml_lib_parse_mode(const char *buf, u8 *mode);

/* ml_lib_mode.c: transitions and the periodic evaluation */
void ml_lib_mode_update(struct ml_lib_proxy *p);
void ml_lib_mode_reinit(struct ml_lib_proxy *p);
int ml_lib_set_mode_locked(struct ml_lib_proxy *p, u8 mode);
void ml_lib_proxy_evaluate(struct ml_lib_proxy *p);
void ml_lib_eval_work(struct work_struct *work);
void ml_lib_mode_work(struct work_struct *work);
void ml_lib_reschedule_eval(struct ml_lib_proxy *p);

/* ml_lib_ring.c: rings, mmap, poll, wake-ups */
struct ml_lib_rings *ml_lib_rings_alloc(struct ml_lib_proxy *p, u32 sample_records,
					u32 feedback_records, u32 watermark,
					u32 wakeup_ms, wait_queue_head_t *wq);
void ml_lib_rings_put(struct ml_lib_rings *rs);
void ml_lib_rings_stop(struct ml_lib_rings *rs);
bool ml_lib_rings_pending(struct ml_lib_rings *rs);
int ml_lib_rings_mmap(struct ml_lib_rings *rs, struct vm_area_struct *vma);
void ml_lib_ring_fill_info(struct ml_lib_rings *rs, u32 index,
			   struct ml_lib_ring_info *info);
void ml_lib_fb_emit_mode(struct ml_lib_proxy *p, u8 old, u8 new, u16 reason);
void ml_lib_fb_emit_efficiency(struct ml_lib_proxy *p,
			       const struct ml_lib_fb_efficiency *e);
void ml_lib_fb_emit_verdict(struct ml_lib_proxy *p, u16 type, u64 version, int error);

/* ml_lib_agent.c: attachments */
struct ml_lib_agent *ml_lib_agent_attach(struct ml_lib_file *mf, struct ml_lib_proxy *p,
					 const struct ml_lib_attach *req);
void ml_lib_agent_detach(struct ml_lib_agent *ag);
void ml_lib_agent_detach_locked(struct ml_lib_agent *ag, bool transition);
void ml_lib_agent_put(struct ml_lib_agent *ag);
struct ml_lib_agent *ml_lib_file_agent(struct ml_lib_file *mf);

/* ml_lib_table.c: recommendation tables */
int ml_lib_table_push(struct ml_lib_agent *ag, const void __user *data, u64 len);
void ml_lib_table_drop_locked(struct ml_lib_proxy *p);
u64 ml_lib_table_version(struct ml_lib_proxy *p);

/* ml_lib_model.c: integer models */
int ml_lib_model_push(struct ml_lib_agent *ag, const void __user *data, u64 len);
void ml_lib_model_drop_locked(struct ml_lib_proxy *p);
u64 ml_lib_model_version(struct ml_lib_proxy *p);
void ml_lib_model_advice(const struct ml_lib_model_rcu *m, const struct ml_lib_proxy *p,
			 const s64 *features, struct ml_lib_decision *d);

/* ml_lib_sysfs.c */
extern const struct kobj_type ml_lib_proxy_ktype;
struct ml_lib_subsys *ml_lib_subsys_get(const char *name);
void ml_lib_subsys_put(struct ml_lib_subsys *s);
int ml_lib_sysfs_init(void);
void ml_lib_sysfs_exit(void);

/* ml_lib_dev.c */
int ml_lib_dev_init(void);
void ml_lib_dev_exit(void);

#endif /* _ML_LIB_INTERNAL_H */
