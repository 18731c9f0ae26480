// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: the misc device /dev/ml_lib (mode 0600): ioctls, mmap, poll.
 *
 * Permissions: any opener may list proxies and read their schema and
 * status. Attaching, and the control ioctls (start, stop, reinit, set
 * mode), need CAP_SYS_ADMIN. Heartbeat, push, ring info and mmap need an
 * attachment.
 *
 * Every ioctl struct is size-versioned (see the ABI header): a size below
 * the first published one is -EINVAL, a larger one must have zero bytes
 * past what the kernel knows (-E2BIG). Every failed ioctl is counted
 * globally, and on the proxy it concerns when that is known: the attached
 * proxy for the ioctls that need an attachment, the proxy named by a
 * struct that could be read.
 *
 * No user memory is touched while a lock is held: mmap takes the file's
 * lock under mmap_lock, so a page fault under that lock could deadlock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ml_lib_internal.h"
#include "ml_record.h"
#include "ml_ring.h"

atomic64_t ml_lib_bad_requests = ATOMIC64_INIT(0);

/*
 * The most ring memory one attachment may take, in MiB. Rings are per
 * possible CPU, so what a request costs grows with the machine:
 * 2^20-slot rings of 256-byte samples are 256 MiB per CPU. Attaching is
 * root-only, but an agent's configuration should not be able to take a
 * large machine's memory by mistake: above the cap, ATTACH is -E2BIG.
 */
#define ML_LIB_MAX_RING_MB_LIMIT	(1u << 20)
static unsigned int ml_lib_max_ring_mb = 1024;

static int ml_lib_max_ring_mb_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, ML_LIB_MAX_RING_MB_LIMIT);
}

static const struct kernel_param_ops ml_lib_max_ring_mb_ops = {
	.set = ml_lib_max_ring_mb_set,
	.get = param_get_uint,
};
module_param_cb(max_ring_mb, &ml_lib_max_ring_mb_ops, &ml_lib_max_ring_mb, 0644);
MODULE_PARM_DESC(max_ring_mb, "most ring memory one attachment may map, MiB (1..1048576, default 1024)");

/* What one ioctl concerns: its file and, once resolved, a proxy (a reference). */
struct ml_lib_ioctl {
	struct ml_lib_file *mf;
	struct ml_lib_proxy *proxy;
	struct ml_lib_agent *agent;	/* a reference, when the ioctl used one */
	u32 usize;			/* the caller's struct size */
};

static int ml_lib_get_version(void __user *arg)
{
	struct ml_lib_version v = {
		.size = sizeof(v),
		.major = ML_LIB_ABI_MAJOR,
		.minor = ML_LIB_ABI_MINOR,
		.max_features = ML_LIB_MAX_FEATURES,
		.max_actions = ML_LIB_MAX_ACTIONS,
		.max_table_entries = ML_LIB_MAX_TABLE_ENTRIES,
		.max_blob = ML_LIB_MAX_BLOB,
	};
	u32 usize;

	if (get_user(usize, (u32 __user *)arg))
		return -EFAULT;
	if (usize < offsetofend(struct ml_lib_version, minor))
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (copy_to_user(arg, &v, min_t(size_t, usize, sizeof(v))))
		return -EFAULT;
	if (usize > sizeof(v) &&
	    clear_user(arg + sizeof(v), usize - sizeof(v)))
		return -EFAULT;
	return 0;
}

/*
 * Copy in a size-versioned struct, @ksize bytes as the kernel knows it,
 * @ver0 its first published size: a smaller one is -EINVAL, the fields an
 * older caller does not know read as zero.
 */
static int ml_lib_copy_in_ver(struct ml_lib_ioctl *io, void *dst, size_t ksize,
			      size_t ver0, void __user *arg)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)arg))
		return -EFAULT;
	if (usize < ver0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	io->usize = usize;
	return copy_struct_from_user(dst, ksize, arg, usize);
}

/* The same for a struct that has not grown since its first version. */
static int ml_lib_copy_in(struct ml_lib_ioctl *io, void *dst, size_t ksize,
			  void __user *arg)
{
	return ml_lib_copy_in_ver(io, dst, ksize, ksize, arg);
}

/* Copy out a struct up to the caller's size; its size field stays the caller's. */
static int ml_lib_copy_out(struct ml_lib_ioctl *io, void __user *arg, void *src,
			   size_t ksize)
{
	*(u32 *)src = io->usize;
	if (copy_to_user(arg, src, min_t(size_t, io->usize, ksize)))
		return -EFAULT;
	return 0;
}

/* Resolve the attachment of the file into @io; -ENOTCONN without one, -ENODEV when dead. */
static int ml_lib_io_agent(struct ml_lib_ioctl *io)
{
	io->agent = ml_lib_file_agent(io->mf);
	if (!io->agent)
		return -ENOTCONN;
	io->proxy = io->agent->proxy;
	ml_lib_proxy_get(io->proxy);
	return READ_ONCE(io->agent->detached) ? -ENODEV : 0;
}

/* Resolve proxy @id, or the attached proxy for 0, into @io. */
static int ml_lib_io_proxy(struct ml_lib_ioctl *io, u32 id)
{
	if (!id)
		return ml_lib_io_agent(io);
	io->proxy = ml_lib_proxy_lookup(id);
	return io->proxy ? 0 : -ENOENT;
}

/*
 * Copy in a request that names a proxy by *@proxy_id (0: the attached one),
 * @ver0 its first published size, and resolve it.
 */
static int ml_lib_proxy_in_ver(struct ml_lib_ioctl *io, void __user *arg, void *req,
			       size_t size, size_t ver0, const u32 *proxy_id)
{
	int ret = ml_lib_copy_in_ver(io, req, size, ver0, arg);

	return ret ? ret : ml_lib_io_proxy(io, *proxy_id);
}

/* The same for a struct that has not grown since its first version. */
static int ml_lib_proxy_in(struct ml_lib_ioctl *io, void __user *arg, void *req, size_t size,
			   const u32 *proxy_id)
{
	return ml_lib_proxy_in_ver(io, arg, req, size, size, proxy_id);
}

/* The same for a control request, which needs CAP_SYS_ADMIN. */
static int ml_lib_control_in(struct ml_lib_ioctl *io, void __user *arg, void *req, size_t size,
			     const u32 *proxy_id)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return ml_lib_proxy_in(io, arg, req, size, proxy_id);
}

/* Resolve the file's attachment, then copy in its request. */
static int ml_lib_agent_in(struct ml_lib_ioctl *io, void __user *arg, void *req, size_t size)
{
	int ret = ml_lib_io_agent(io);

	return ret ? ret : ml_lib_copy_in(io, req, size, arg);
}

static int ml_lib_ioc_list(struct ml_lib_ioctl *io, void __user *arg)
{
	struct ml_lib_proxy_info *info = NULL;
	struct ml_lib_list req;
	u32 count, n;
	int ret;

	ret = ml_lib_copy_in(io, &req, sizeof(req), arg);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	/* Count first, then fill at most what was counted (proxies may come and go). */
	ml_lib_proxy_list(NULL, 0, &count);
	n = min(count, req.capacity);
	if (n) {
		info = kvcalloc(n, sizeof(*info), GFP_KERNEL);
		if (!info)
			return -ENOMEM;
	}
	ml_lib_proxy_list(info, n, &count);
	n = min(n, count);
	if (n && copy_to_user(u64_to_user_ptr(req.proxies), info, n * sizeof(*info)))
		ret = -EFAULT;
	kvfree(info);
	if (ret)
		return ret;
	req.count = count;
	return ml_lib_copy_out(io, arg, &req, sizeof(req));
}

static int ml_lib_ioc_schema(struct ml_lib_ioctl *io, void __user *arg)
{
	struct ml_lib_schema *s;
	struct ml_lib_proxy *p;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	ret = ml_lib_proxy_in(io, arg, s, sizeof(*s), &s->proxy_id);
	if (ret)
		goto out;
	p = io->proxy;
	memset(s, 0, sizeof(*s));
	s->proxy_id = p->id;
	strscpy(s->subsystem, p->subsystem, sizeof(s->subsystem));
	strscpy(s->name, p->name, sizeof(s->name));
	s->nr_features = p->nr_features;
	s->nr_actions = p->nr_actions;
	s->sample_size = p->sample_size;
	s->flags = p->flags;
	memcpy(s->features, p->features, sizeof(s->features));
	memcpy(s->actions, p->actions, sizeof(s->actions));
	ret = ml_lib_copy_out(io, arg, s, sizeof(*s));
out:
	kfree(s);
	return ret;
}

static void ml_lib_fill_status(struct ml_lib_proxy *p, struct ml_lib_status *st)
{
	struct ml_lib_counters c;
	int arm;

	ml_lib_counters_read(p, &c);
	mutex_lock(&p->lock);
	st->proxy_id = p->id;
	st->mode = p->mode;
	st->pinned = p->pin != ML_LIB_MODE_AUTO;
	st->mode_reason = p->reason;
	st->attached = !!p->agent;
	st->started = p->started;
	st->critical = READ_ONCE(p->critical) || p->state_critical;
	st->efficiency_bp = p->efficiency_bp;
	st->share_bp = READ_ONCE(p->share_bp[p->mode]);
	if (p->agent) {
		st->agent_pid = p->agent->pid;
		st->heartbeat_age_ms =
			jiffies_to_msecs(jiffies - READ_ONCE(p->agent->heartbeat));
	}
	for (arm = 0; arm < ML_LIB_ARM_COUNT; arm++) {
		struct ml_stats_summary s;
		struct ml_stats_acc win;

		ml_stats_window(&win, &c.acc[arm], &p->base.acc[arm]);
		ml_stats_summarize(&win, &s);
		st->arms[arm].decisions = c.decisions[arm] - p->base.decisions[arm];
		st->arms[arm].outcomes = s.n;
		st->arms[arm].mean_milli = s.mean_milli;
		st->arms[arm].stddev_milli = ml_stats_stddev_milli(&s);
	}
	mutex_unlock(&p->lock);
	st->table_version = ml_lib_table_version(p);
	st->model_version = ml_lib_model_version(p);
	st->published = c.published;
	st->dropped = c.dropped;
	st->unconsumed = c.unconsumed;
	st->feedback_dropped = c.feedback_dropped;
	st->recs_accepted = atomic64_read(&p->recs_accepted);
	st->recs_rejected = atomic64_read(&p->recs_rejected);
	st->models_accepted = atomic64_read(&p->models_accepted);
	st->models_rejected = atomic64_read(&p->models_rejected);
	st->bad_requests = atomic64_read(&p->bad_requests);
	st->mode_changes = atomic64_read(&p->mode_changes);
	st->filtered = c.filtered;
	st->wakeups = c.wakeups;
}

static int ml_lib_ioc_status(struct ml_lib_ioctl *io, void __user *arg)
{
	struct ml_lib_status st;
	int ret;

	/* ABI 1.0 callers know the struct up to the arms. */
	static_assert(offsetof(struct ml_lib_status, filtered) == ML_LIB_STATUS_SIZE_VER0);
	ret = ml_lib_proxy_in_ver(io, arg, &st, sizeof(st), ML_LIB_STATUS_SIZE_VER0,
				  &st.proxy_id);
	if (ret)
		return ret;
	memset(&st, 0, sizeof(st));
	ml_lib_fill_status(io->proxy, &st);
	return ml_lib_copy_out(io, arg, &st, sizeof(st));
}

static int ml_lib_attach_validate(struct ml_lib_attach *a)
{
	if (a->flags || a->nr_rings)
		return -EINVAL;
	a->sample_records = a->sample_records ? : ML_RING_DEFAULT_RECORDS;
	a->feedback_records = a->feedback_records ? : ML_RING_DEFAULT_RECORDS;
	a->wakeup_ms = a->wakeup_ms ? : ML_LIB_DEFAULT_WAKEUP_MS;
	if (!ml_ring_nr_valid(a->sample_records) || !ml_ring_nr_valid(a->feedback_records)) {
		/* A power of two out of the limits is out of range; others are malformed. */
		if ((a->sample_records & (a->sample_records - 1)) ||
		    (a->feedback_records & (a->feedback_records - 1)))
			return -EINVAL;
		return -ERANGE;
	}
	if (a->wakeup_watermark > min(a->sample_records, a->feedback_records) ||
	    a->wakeup_ms > ML_LIB_WAKEUP_MS_MAX)
		return -ERANGE;
	return 0;
}

/* Whether the rings @a asks for on proxy @p fit under max_ring_mb. */
static bool ml_lib_attach_fits(const struct ml_lib_proxy *p, const struct ml_lib_attach *a)
{
	u64 per_cpu = ml_ring_map_bytes(p->sample_size, a->sample_records, PAGE_SIZE) +
		      ml_ring_map_bytes(ML_FEEDBACK_RECORD_SIZE, a->feedback_records, PAGE_SIZE);

	return per_cpu * nr_cpu_ids <= (u64)READ_ONCE(ml_lib_max_ring_mb) << 20;
}

static int ml_lib_ioc_attach(struct ml_lib_ioctl *io, void __user *arg)
{
	struct ml_lib_file *mf = io->mf;
	struct ml_lib_agent *ag, *stale = NULL;
	struct ml_lib_attach req;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = ml_lib_copy_in(io, &req, sizeof(req), arg);
	if (ret)
		return ret;
	ret = ml_lib_attach_validate(&req);
	if (ret)
		return ret;
	io->proxy = ml_lib_proxy_lookup(req.proxy_id);
	if (!io->proxy)
		return -ENOENT;
	if (!ml_lib_attach_fits(io->proxy, &req))
		return -E2BIG;

	mutex_lock(&mf->lock);
	if (mf->agent && !READ_ONCE(mf->agent->detached)) {
		mutex_unlock(&mf->lock);
		return -EBUSY;
	}
	/* An attachment whose proxy died: replaced. */
	stale = mf->agent;
	mf->agent = NULL;
	ag = ml_lib_agent_attach(mf, io->proxy, &req);
	if (!IS_ERR(ag))
		mf->agent = ag;
	mutex_unlock(&mf->lock);
	if (stale)
		ml_lib_agent_put(stale);
	if (IS_ERR(ag))
		return PTR_ERR(ag);

	req.nr_rings = ag->rings->nr_rings;
	ret = ml_lib_copy_out(io, arg, &req, sizeof(req));
	if (ret) {
		/* The caller cannot learn it attached: undo. */
		mutex_lock(&mf->lock);
		if (mf->agent == ag)
			mf->agent = NULL;
		else
			ag = NULL;
		mutex_unlock(&mf->lock);
		if (ag) {
			ml_lib_agent_detach(ag);
			ml_lib_agent_put(ag);
		}
	}
	return ret;
}

static int ml_lib_ioc_detach(struct ml_lib_ioctl *io)
{
	struct ml_lib_file *mf = io->mf;
	struct ml_lib_agent *ag;

	mutex_lock(&mf->lock);
	ag = mf->agent;
	mf->agent = NULL;
	mutex_unlock(&mf->lock);
	if (!ag)
		return -ENOTCONN;
	ml_lib_agent_detach(ag);
	ml_lib_agent_put(ag);
	return 0;
}

static int ml_lib_ioc_ring_info(struct ml_lib_ioctl *io, void __user *arg)
{
	struct ml_lib_ring_info info;
	int ret;

	ret = ml_lib_agent_in(io, arg, &info, sizeof(info));
	if (ret)
		return ret;
	if (info.index >= io->agent->rings->nr_rings)
		return -EINVAL;
	ml_lib_ring_fill_info(io->agent->rings, info.index, &info);
	return ml_lib_copy_out(io, arg, &info, sizeof(info));
}

static int ml_lib_ioc_heartbeat(struct ml_lib_ioctl *io)
{
	int ret = ml_lib_io_agent(io);

	if (!ret)
		WRITE_ONCE(io->agent->heartbeat, jiffies);
	return ret;
}

static int ml_lib_ioc_push(struct ml_lib_ioctl *io, void __user *arg)
{
	struct ml_lib_push req;
	int ret;

	ret = ml_lib_agent_in(io, arg, &req, sizeof(req));
	if (ret)
		return ret;
	switch (req.kind) {
	case ML_LIB_PUSH_TABLE:
		return ml_lib_table_push(io->agent, u64_to_user_ptr(req.data), req.len);
	case ML_LIB_PUSH_MODEL:
		return ml_lib_model_push(io->agent, u64_to_user_ptr(req.data), req.len);
	}
	return -EINVAL;
}

/* START, STOP, REINIT */
static int ml_lib_ioc_ctl(struct ml_lib_ioctl *io, void __user *arg, unsigned int nr)
{
	struct ml_lib_ctl req;
	int ret;

	ret = ml_lib_control_in(io, arg, &req, sizeof(req), &req.proxy_id);
	if (ret)
		return ret;
	if (req.flags || req.reserved)
		return -EINVAL;
	switch (nr) {
	case _IOC_NR(ML_LIB_IOC_START):
		return ml_lib_proxy_start(io->proxy);
	case _IOC_NR(ML_LIB_IOC_STOP):
		return ml_lib_proxy_stop(io->proxy);
	default:
		return ml_lib_proxy_reinit(io->proxy);
	}
}

static int ml_lib_ioc_set_mode(struct ml_lib_ioctl *io, void __user *arg)
{
	struct ml_lib_set_mode req;
	struct ml_lib_proxy *p;
	int ret;

	ret = ml_lib_control_in(io, arg, &req, sizeof(req), &req.proxy_id);
	if (ret)
		return ret;
	if (req.flags || (req.mode >= ML_LIB_MODE_COUNT && req.mode != ML_LIB_MODE_AUTO))
		return -EINVAL;
	p = io->proxy;
	mutex_lock(&p->lock);
	ret = ml_lib_set_mode_locked(p, req.mode);
	mutex_unlock(&p->lock);
	return ret;
}

static long ml_lib_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ml_lib_ioctl io = { .mf = file->private_data };
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != ML_LIB_IOC_MAGIC)
		return -ENOTTY;
	switch (nr) {
	case _IOC_NR(ML_LIB_IOC_VERSION):
		ret = ml_lib_get_version(uarg);
		break;
	case _IOC_NR(ML_LIB_IOC_LIST):
		ret = ml_lib_ioc_list(&io, uarg);
		break;
	case _IOC_NR(ML_LIB_IOC_SCHEMA):
		ret = ml_lib_ioc_schema(&io, uarg);
		break;
	case _IOC_NR(ML_LIB_IOC_STATUS):
		ret = ml_lib_ioc_status(&io, uarg);
		break;
	case _IOC_NR(ML_LIB_IOC_ATTACH):
		ret = ml_lib_ioc_attach(&io, uarg);
		break;
	case _IOC_NR(ML_LIB_IOC_DETACH):
		ret = ml_lib_ioc_detach(&io);
		break;
	case _IOC_NR(ML_LIB_IOC_RING_INFO):
		ret = ml_lib_ioc_ring_info(&io, uarg);
		break;
	case _IOC_NR(ML_LIB_IOC_HEARTBEAT):
		ret = ml_lib_ioc_heartbeat(&io);
		break;
	case _IOC_NR(ML_LIB_IOC_PUSH):
		ret = ml_lib_ioc_push(&io, uarg);
		break;
	case _IOC_NR(ML_LIB_IOC_START):
	case _IOC_NR(ML_LIB_IOC_STOP):
	case _IOC_NR(ML_LIB_IOC_REINIT):
		ret = ml_lib_ioc_ctl(&io, uarg, nr);
		break;
	case _IOC_NR(ML_LIB_IOC_SET_MODE):
		ret = ml_lib_ioc_set_mode(&io, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	if (ret < 0 && ret != -ENOTTY) {
		atomic64_inc(&ml_lib_bad_requests);
		if (io.proxy)
			atomic64_inc(&io.proxy->bad_requests);
	}
	if (io.agent)
		ml_lib_agent_put(io.agent);
	if (io.proxy)
		ml_lib_proxy_put(io.proxy);
	return ret;
}

static int ml_lib_open(struct inode *inode, struct file *file)
{
	struct ml_lib_file *mf;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mutex_init(&mf->lock);
	init_waitqueue_head(&mf->wq);
	file->private_data = mf;
	return nonseekable_open(inode, file);
}

static int ml_lib_release(struct inode *inode, struct file *file)
{
	struct ml_lib_file *mf = file->private_data;

	if (mf->agent) {
		ml_lib_agent_detach(mf->agent);
		ml_lib_agent_put(mf->agent);
	}
	mutex_destroy(&mf->lock);
	kfree(mf);
	return 0;
}

static int ml_lib_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ml_lib_file *mf = file->private_data;
	int ret;

	mutex_lock(&mf->lock);
	if (!mf->agent)
		ret = -ENOTCONN;
	else if (READ_ONCE(mf->agent->detached))
		ret = -ENODEV;
	else
		ret = ml_lib_rings_mmap(mf->agent->rings, vma);
	mutex_unlock(&mf->lock);
	return ret;
}

static __poll_t ml_lib_poll(struct file *file, poll_table *wait)
{
	struct ml_lib_file *mf = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &mf->wq, wait);
	mutex_lock(&mf->lock);
	if (!mf->agent)
		mask = EPOLLHUP;	/* nothing will ever come */
	else if (READ_ONCE(mf->agent->detached))
		mask = EPOLLHUP | EPOLLERR;
	else if (ml_lib_rings_pending(mf->agent->rings))
		mask = EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&mf->lock);
	return mask;
}

static const struct file_operations ml_lib_fops = {
	.owner = THIS_MODULE,
	.open = ml_lib_open,
	.release = ml_lib_release,
	.unlocked_ioctl = ml_lib_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = ml_lib_mmap,
	.poll = ml_lib_poll,
	.llseek = noop_llseek,
};

static struct miscdevice ml_lib_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ml_lib",
	.fops = &ml_lib_fops,
	.mode = 0600,
};

int ml_lib_dev_init(void)
{
	int ret = misc_register(&ml_lib_miscdev);

	if (ret)
		pr_err("cannot register /dev/ml_lib: %d\n", ret);
	return ret;
}

void ml_lib_dev_exit(void)
{
	misc_deregister(&ml_lib_miscdev);
}
