// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: attachments of agents to proxies.
 *
 * One open file attaches to at most one proxy and a proxy has at most one
 * agent. Attaching allocates the rings and takes the proxy out of
 * EMERGENCY (reason ATTACHED); detaching (the DETACH ioctl, the last close
 * of the file, the agent's death, or the proxy's destruction) unpublishes
 * the rings, drops the agent's table and falls back to EMERGENCY (reason
 * DETACHED). The attachment's memory goes with its last reference, after
 * an RCU grace period, so that no producer still writes to its rings.
 */
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "ml_lib_internal.h"
#include "ml_lib_trace.h"

/* The agent @mf holds, with a reference, or NULL. */
struct ml_lib_agent *ml_lib_file_agent(struct ml_lib_file *mf)
{
	struct ml_lib_agent *ag;

	mutex_lock(&mf->lock);
	ag = mf->agent;
	if (ag)
		kref_get(&ag->ref);
	mutex_unlock(&mf->lock);
	return ag;
}

static void ml_lib_agent_free(struct ml_lib_agent *ag)
{
	ml_lib_rings_stop(ag->rings);
	ml_lib_rings_put(ag->rings);
	ml_lib_proxy_put(ag->proxy);
	kfree(ag);
}

static void ml_lib_agent_release(struct kref *ref)
{
	/*
	 * Producers found the rings with interrupts disabled, an RCU read-side
	 * section: let them finish.
	 */
	synchronize_rcu();
	ml_lib_agent_free(container_of(ref, struct ml_lib_agent, ref));
}

/* Drop a reference; the last one sleeps (RCU grace period). */
void ml_lib_agent_put(struct ml_lib_agent *ag)
{
	kref_put(&ag->ref, ml_lib_agent_release);
}

/**
 * ml_lib_agent_attach() - attach an open file to a proxy as its agent
 * @mf: the file, with no live attachment
 * @p: the proxy, referenced by the caller
 * @req: the validated request, defaults resolved
 *
 * Return: the attachment (the file's reference), or an ERR_PTR(): -EBUSY
 * when the proxy has an agent, -ENODEV when it is being destroyed, -ENOMEM.
 */
struct ml_lib_agent *ml_lib_agent_attach(struct ml_lib_file *mf, struct ml_lib_proxy *p,
					 const struct ml_lib_attach *req)
{
	struct ml_lib_agent *ag;
	int ret = 0;

	ag = kzalloc(sizeof(*ag), GFP_KERNEL);
	if (!ag)
		return ERR_PTR(-ENOMEM);
	kref_init(&ag->ref);
	ag->wq = &mf->wq;
	ag->pid = task_tgid_nr(current);
	ag->heartbeat = jiffies;
	ag->rings = ml_lib_rings_alloc(p, req->sample_records, req->feedback_records,
				       req->wakeup_watermark, req->wakeup_ms, &mf->wq);
	if (!ag->rings) {
		kfree(ag);
		return ERR_PTR(-ENOMEM);
	}
	ml_lib_proxy_get(p);
	ag->proxy = p;

	mutex_lock(&p->lock);
	if (p->dead) {
		ret = -ENODEV;
	} else if (p->agent) {
		ret = -EBUSY;
	} else {
		p->agent = ag;
		rcu_assign_pointer(p->rings, ag->rings);
		trace_ml_lib_attach(p->id, p->subsystem, p->name, ag->pid);
		ml_lib_mode_update(p);
		ml_lib_reschedule_eval(p);
	}
	mutex_unlock(&p->lock);
	if (ret) {
		/* Never published: no producer can have seen the rings. */
		ml_lib_agent_free(ag);
		return ERR_PTR(ret);
	}
	return ag;
}

/**
 * ml_lib_agent_detach_locked() - end an attachment
 * @ag: the attachment, still its proxy's agent
 * @transition: record the fall to EMERGENCY (false when the proxy dies)
 *
 * Called with the proxy's lock held. The agent's file then polls
 * POLLHUP | POLLERR and its ioctls get -ENODEV.
 */
void ml_lib_agent_detach_locked(struct ml_lib_agent *ag, bool transition)
{
	struct ml_lib_proxy *p = ag->proxy;

	lockdep_assert_held(&p->lock);
	WRITE_ONCE(ag->detached, true);
	p->agent = NULL;
	RCU_INIT_POINTER(p->rings, NULL);
	ml_lib_table_drop_locked(p);
	ml_lib_model_drop_locked(p);
	/* No agent, no evaluation; a run in progress will not requeue. */
	cancel_delayed_work(&p->eval_work);
	trace_ml_lib_detach(p->id, p->subsystem, p->name, ag->pid);
	if (transition)
		ml_lib_mode_update(p);
	wake_up_interruptible_all(ag->wq);
}

/* End @ag's attachment unless the proxy's destruction already did. */
void ml_lib_agent_detach(struct ml_lib_agent *ag)
{
	struct ml_lib_proxy *p = ag->proxy;

	mutex_lock(&p->lock);
	if (!ag->detached)
		ml_lib_agent_detach_locked(ag, true);
	mutex_unlock(&p->lock);
}
