/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * The ABI header as core/ code sees it: <uapi/linux/ml_lib.h> in the kernel,
 * <linux/ml_lib.h> (from include/uapi) in user space and host tests, plus
 * the errno values core/ functions return.
 */
#ifndef ML_CORE_ABI_H
#define ML_CORE_ABI_H

#include "ml_core_types.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#include <uapi/linux/ml_lib.h>
#else
#include <linux/ml_lib.h>
#endif

#endif /* ML_CORE_ABI_H */
