// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: the kernel ML model proxy library.
 *
 * A kernel subsystem embeds a proxy (ml_lib_proxy_create()) that publishes
 * self-describing samples, makes decisions from the recommendations of a
 * user-space agent or from its own default algorithm, and measures which
 * does better. The agent talks to the proxies through /dev/ml_lib.
 *
 * The module is split by purpose:
 *	ml_lib_main.c	module init and exit, per-CPU random state
 *	ml_lib_proxy.c	registry, lifecycle and the control part of the kernel API
 *	ml_lib_hot.c	the hot paths: publish, decide, outcome
 *	ml_lib_mode.c	mode transitions and the periodic evaluation
 *	ml_lib_table.c	recommendation tables
 *	ml_lib_ring.c	per-CPU rings, mmap, poll and batched wake-ups
 *	ml_lib_agent.c	attachments of agents to proxies
 *	ml_lib_dev.c	/dev/ml_lib: open, ioctls, mmap, poll
 *	ml_lib_sysfs.c	/sys/kernel/ml_lib
 *	ml_lib_trace.c	tracepoints (ml_lib_trace.h)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/random.h>

#include "ml_lib_internal.h"
#include "ml_rand.h"

/* The random state of arm draws: one per CPU, no shared cache line. */
DEFINE_PER_CPU(u64, ml_lib_rand_state);

static int __init ml_lib_init(void)
{
	int cpu, ret;

	for_each_possible_cpu(cpu)
		ml_rand_seed(per_cpu_ptr(&ml_lib_rand_state, cpu), get_random_u64());

	ret = ml_lib_sysfs_init();
	if (ret)
		return ret;
	ret = ml_lib_dev_init();
	if (ret) {
		ml_lib_sysfs_exit();
		return ret;
	}
	return 0;
}

static void __exit ml_lib_exit(void)
{
	ml_lib_dev_exit();
	ml_lib_sysfs_exit();
}

module_init(ml_lib_init);
module_exit(ml_lib_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ML model proxy library");
