// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the guest harness self-tests: it WARN()s when loaded,
 * so tests/vm/selftest.sh can check that a kernel warning fails a run.
 * Never shipped, never loaded outside that self-test.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init selftest_warn_init(void)
{
	WARN(1, "ml_lib harness self-test: deliberate warning\n");
	return 0;
}

static void __exit selftest_warn_exit(void)
{
}

module_init(selftest_warn_init);
module_exit(selftest_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ml_lib guest harness self-test: WARN on load");
