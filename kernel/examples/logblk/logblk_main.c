// SPDX-License-Identifier: GPL-2.0
/*
 * logblk: a RAM-backed, log-structured block device (/dev/logblk0) with
 * human-made garbage-collection policies, switchable at run time. Its
 * placement and GC are core/lb_core.c, the code the host-side replayer
 * runs, so a captured trace replays to the same write amplification.
 *
 * Module parameters (checked at load; bad values refuse the load):
 *   size_mb     logical size in MiB
 *   op_pct      over-provisioning: physical space beyond the logical size,
 *               in percent of it; 0 makes a thin device whose writes fail
 *               with -ENOSPC once its data capacity is mapped
 *   seg_kb      segment size in KiB, a power of two
 *   policy      initial policy: p1, p2, p3x or p4 (docs/logblk.md)
 *   bg_gc_segs  free segments background GC keeps; 0 = none, -1 = auto
 *   place_proxy create the logblk/placement proxy (learned placement)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "logblk.h"

static unsigned int size_mb = 256;
module_param(size_mb, uint, 0444);
MODULE_PARM_DESC(size_mb, "logical size in MiB (default 256)");

static unsigned int op_pct = 28;
module_param(op_pct, uint, 0444);
MODULE_PARM_DESC(op_pct, "over-provisioning in percent of the logical size, 0..400 (default 28)");

static unsigned int seg_kb = 1024;
module_param(seg_kb, uint, 0444);
MODULE_PARM_DESC(seg_kb, "segment size in KiB, a power of two, 64..262144 (default 1024)");

static char *policy = "p3x";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy, "initial policy: p1, p2, p3x or p4 (default p3x)");

static int bg_gc_segs = -1;
module_param(bg_gc_segs, int, 0444);
MODULE_PARM_DESC(bg_gc_segs, "free segments background GC keeps; 0 none, -1 auto (default)");

static bool place_proxy = true;
module_param(place_proxy, bool, 0444);
MODULE_PARM_DESC(place_proxy, "create the logblk/placement ml_lib proxy (learned placement; default yes)");

#define LOGBLK_MAX_SIZE_MB	(1u << 20)
#define LOGBLK_MAX_OP_PCT	400
#define LOGBLK_MIN_SEG_KB	64
#define LOGBLK_MAX_SEG_KB	(LB_MAX_SEG_BLOCKS * (LOGBLK_BLOCK_SIZE / 1024))
#define LOGBLK_BG_AUTO		(LB_GC_RESERVE + 4)
#define LOGBLK_MAX_DISCARD_SECTORS \
	round_down(UINT_MAX >> SECTOR_SHIFT, 1u << LOGBLK_SECTOR_SHIFT)

static int logblk_major;
static struct logblk *logblk_dev;

static const struct block_device_operations logblk_fops = {
	.owner = THIS_MODULE,
};

static void logblk_move(void *priv, u32 from, u32 to)
{
	struct logblk *lb = priv;

	memcpy(lb->data + ((size_t)to << LOGBLK_BLOCK_SHIFT),
	       lb->data + ((size_t)from << LOGBLK_BLOCK_SHIFT), LOGBLK_BLOCK_SIZE);
}

static void logblk_death(void *priv, const struct lb_death *dt)
{
	logblk_place_death(priv, dt);
}

static unsigned int logblk_gc_class(void *priv, u32 lba, const struct lb_block *b)
{
	return logblk_place_gc_class(priv, lba, b);
}

/* The core's callbacks: data moves only ... */
static const struct lb_ops logblk_core_ops = {
	.move = logblk_move,
};

/* ... and those of the learned placement, outside EMERGENCY (logblk_place.c). */
const struct lb_ops logblk_place_core_ops = {
	.move = logblk_move,
	.death = logblk_death,
	.gc_class = logblk_gc_class,
};

/* Check the parameters and derive the geometry; say what is wrong. */
static int logblk_check_params(struct lb_geometry *g, unsigned int *place,
			       unsigned int *victim, u32 *bg_free)
{
	u64 phys_bytes, ram_bytes = (u64)totalram_pages() << PAGE_SHIFT;
	const char *why;

	if (size_mb == 0 || size_mb > LOGBLK_MAX_SIZE_MB) {
		pr_err("size_mb=%u: must be 1..%u\n", size_mb, LOGBLK_MAX_SIZE_MB);
		return -EINVAL;
	}
	if (op_pct > LOGBLK_MAX_OP_PCT) {
		pr_err("op_pct=%u: must be 0..%u\n", op_pct, LOGBLK_MAX_OP_PCT);
		return -EINVAL;
	}
	if (seg_kb < LOGBLK_MIN_SEG_KB || seg_kb > LOGBLK_MAX_SEG_KB ||
	    !is_power_of_2(seg_kb)) {
		pr_err("seg_kb=%u: must be a power of two, %u..%u\n", seg_kb,
		       LOGBLK_MIN_SEG_KB, LOGBLK_MAX_SEG_KB);
		return -EINVAL;
	}
	if (!policy || lb_parse_policy(policy, strlen(policy), place, victim)) {
		pr_err("policy=%s: must be p1, p2, p3x or p4\n", policy ?: "(null)");
		return -EINVAL;
	}
	g->nr_lblocks = size_mb * (SZ_1M / LOGBLK_BLOCK_SIZE);
	g->seg_blocks = seg_kb / (LOGBLK_BLOCK_SIZE / 1024);
	g->nr_segs = lb_nr_segs_for_op(g->nr_lblocks, g->seg_blocks, op_pct);
	why = lb_geometry_error(g);
	if (why) {
		pr_err("size_mb=%u op_pct=%u seg_kb=%u give %u segments: %s\n",
		       size_mb, op_pct, seg_kb, g->nr_segs, why);
		return -EINVAL;
	}
	phys_bytes = ((u64)g->nr_segs * g->seg_blocks) << LOGBLK_BLOCK_SHIFT;
	if (phys_bytes + lb_mem_size(g) > ram_bytes / 2) {
		pr_err("size_mb=%u op_pct=%u needs %llu MiB of RAM, more than half of the %llu MiB installed\n",
		       size_mb, op_pct, (phys_bytes + lb_mem_size(g)) >> 20, ram_bytes >> 20);
		return -EINVAL;
	}
	if (bg_gc_segs < -1 || bg_gc_segs > (int)(g->nr_segs / 2)) {
		pr_err("bg_gc_segs=%d: must be -1 (auto), 0 (off) or up to half the %u segments\n",
		       bg_gc_segs, g->nr_segs);
		return -EINVAL;
	}
	*bg_free = bg_gc_segs < 0 ? LOGBLK_BG_AUTO : bg_gc_segs;
	return 0;
}

static void logblk_free(struct logblk *lb)
{
	if (lb->gc_wq)
		destroy_workqueue(lb->gc_wq);
	vfree(lb->data);
	kvfree(lb->core_mem);
	kfree(lb);
}

static int logblk_create_disk(struct logblk *lb)
{
	struct queue_limits lim = {
		.logical_block_size = LOGBLK_BLOCK_SIZE,
		.physical_block_size = LOGBLK_BLOCK_SIZE,
		.io_min = LOGBLK_BLOCK_SIZE,
		.max_hw_sectors = SZ_1M >> SECTOR_SHIFT,
		/* At most 4 GiB per request: blk_rq_bytes() is 32 bits. */
		.max_hw_discard_sectors = LOGBLK_MAX_DISCARD_SECTORS,
		.max_write_zeroes_sectors = LOGBLK_MAX_DISCARD_SECTORS,
		.discard_granularity = LOGBLK_BLOCK_SIZE,
	};
	struct gendisk *disk;
	int err;

	lb->tag_set.ops = &logblk_mq_ops;
	lb->tag_set.nr_hw_queues = 1;
	lb->tag_set.queue_depth = 64;
	lb->tag_set.numa_node = NUMA_NO_NODE;
	lb->tag_set.flags = BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_BLOCKING;
	lb->tag_set.driver_data = lb;
	err = blk_mq_alloc_tag_set(&lb->tag_set);
	if (err)
		return err;
	disk = blk_mq_alloc_disk(&lb->tag_set, &lim, lb);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto free_tags;
	}
	disk->major = logblk_major;
	disk->first_minor = 0;
	disk->minors = 1;
	disk->fops = &logblk_fops;
	disk->private_data = lb;
	strscpy(disk->disk_name, "logblk0", sizeof(disk->disk_name));
	set_capacity(disk, (sector_t)lb->core.g.nr_lblocks << LOGBLK_SECTOR_SHIFT);
	lb->disk = disk;
	err = device_add_disk(NULL, disk, logblk_attr_groups);
	if (err)
		goto put_disk;
	return 0;
put_disk:
	put_disk(disk);
	lb->disk = NULL;
free_tags:
	blk_mq_free_tag_set(&lb->tag_set);
	return err;
}

static int __init logblk_init(void)
{
	unsigned int place, victim;
	struct lb_geometry g;
	struct logblk *lb;
	size_t mem_len;
	u32 bg_free;
	int err;

	err = logblk_check_params(&g, &place, &victim, &bg_free);
	if (err)
		return err;
	lb = kzalloc(sizeof(*lb), GFP_KERNEL);
	if (!lb)
		return -ENOMEM;
	init_rwsem(&lb->lock);
	INIT_WORK(&lb->gc_work, logblk_gc_work);
	lb->bg_free = bg_free;
	mem_len = lb_mem_size(&g);
	lb->core_mem = kvmalloc(mem_len, GFP_KERNEL);
	lb->data = vmalloc(((size_t)g.nr_segs * g.seg_blocks) << LOGBLK_BLOCK_SHIFT);
	lb->gc_wq = alloc_workqueue("logblk_gc", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
	if (!lb->core_mem || !lb->data || !lb->gc_wq) {
		pr_err("cannot allocate %zu MiB for the device\n",
		       (((size_t)g.nr_segs * g.seg_blocks) << LOGBLK_BLOCK_SHIFT) >> 20);
		err = -ENOMEM;
		goto free;
	}
	err = lb_init(&lb->core, &g, lb->core_mem, mem_len, &logblk_core_ops, lb);
	if (!err)
		err = lb_set_policy(&lb->core, place, victim);
	if (WARN_ON_ONCE(err))
		goto free;
	lb->core.stats.policy_switches = 0;
	err = logblk_proxy_create(lb);
	if (err) {
		pr_err("cannot create the ml_lib proxy logblk/trace: %d\n", err);
		goto free;
	}
	if (place_proxy) {
		err = logblk_place_create(lb);
		if (err) {
			pr_err("cannot create the ml_lib proxy logblk/placement: %d\n", err);
			goto destroy_proxy;
		}
	}
	logblk_major = register_blkdev(0, "logblk");
	if (logblk_major < 0) {
		err = logblk_major;
		goto destroy_proxy;
	}
	err = logblk_create_disk(lb);
	if (err) {
		pr_err("cannot create the disk: %d\n", err);
		goto unregister;
	}
	logblk_dev = lb;
	pr_info("logblk0: %u MiB, %u segments of %u KiB (data capacity %u MiB), policy %s\n",
		size_mb, g.nr_segs, seg_kb, lb->core.max_valid >> 8, policy);
	return 0;
unregister:
	unregister_blkdev(logblk_major, "logblk");
destroy_proxy:
	logblk_place_destroy(lb);
	logblk_proxy_destroy(lb);
free:
	logblk_free(lb);
	return err;
}

static void __exit logblk_exit(void)
{
	struct logblk *lb = logblk_dev;

	del_gendisk(lb->disk);
	/* No request or attribute can start GC any more: wait for the last. */
	cancel_work_sync(&lb->gc_work);
	/* Nothing emits events or decides any more. */
	logblk_place_destroy(lb);
	logblk_proxy_destroy(lb);
	put_disk(lb->disk);
	blk_mq_free_tag_set(&lb->tag_set);
	unregister_blkdev(logblk_major, "logblk");
	logblk_free(lb);
}

module_init(logblk_init);
module_exit(logblk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Log-structured RAM block device with human-made GC policies");
