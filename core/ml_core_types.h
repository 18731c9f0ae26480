/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * Types for core/: the integer-only C shared by ml_lib.ko, the example
 * subsystems, the user-space agent and the host tests.
 *
 * Code in core/ includes only this header (and other core/ headers): no
 * allocation, no locks, no I/O, no floating point. The same source compiles
 * in the kernel (u64, s64 from <linux/types.h>) and in user space (mapped to
 * <stdint.h> here).
 */
#ifndef ML_CORE_TYPES_H
#define ML_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/limits.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#ifndef S64_MAX
#define S64_MAX INT64_MAX
#define S64_MIN INT64_MIN
#define U64_MAX UINT64_MAX
#define S32_MAX INT32_MAX
#define S32_MIN INT32_MIN
#define U32_MAX UINT32_MAX
#endif
#endif /* __KERNEL__ */

#endif /* ML_CORE_TYPES_H */
