// SPDX-License-Identifier: GPL-2.0
/*
 * ml_lib: the kernel ML model proxy library.
 *
 * This file registers the misc device /dev/ml_lib, through which the
 * user-space agent talks to the proxies of every subsystem.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/ml_lib.h>

/* The first published size of each extensible struct. */
#define ML_LIB_VERSION_SIZE_VER0	sizeof(struct ml_lib_version)

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

static long ml_lib_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != ML_LIB_IOC_MAGIC)
		return -ENOTTY;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(ML_LIB_IOC_VERSION):
		return ml_lib_get_version(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ml_lib_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ml_lib_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ml_lib_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ml_lib",
	.fops = &ml_lib_fops,
	.mode = 0600,
};

static int __init ml_lib_init(void)
{
	int ret;

	ret = misc_register(&ml_lib_miscdev);
	if (ret)
		pr_err("cannot register /dev/ml_lib: %d\n", ret);
	return ret;
}

static void __exit ml_lib_exit(void)
{
	misc_deregister(&ml_lib_miscdev);
}

module_init(ml_lib_init);
module_exit(ml_lib_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ML model proxy library");
