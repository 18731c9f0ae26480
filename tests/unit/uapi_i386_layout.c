// SPDX-License-Identifier: GPL-2.0
/*
 * The UAPI structs as a 32-bit x86 (i386) process lays them out, without a
 * 32-bit toolchain: there, and only there, a 64-bit integer in a struct is
 * aligned to 4 bytes instead of 8 (pointers and longs would differ too; the
 * UAPI has none, test_uapi_compat checks the header for them). Compiled
 * with __u64 and __s64 redefined as 4-byte-aligned types.
 */
#include <linux/types.h>

typedef __u64 __attribute__((aligned(4))) uapi_u64_i386;
typedef __s64 __attribute__((aligned(4))) uapi_s64_i386;
#define __u64 uapi_u64_i386
#define __s64 uapi_s64_i386
#include <linux/ml_lib.h>
#include <linux/ml_lib_model.h>
#include "uapi_structs.h"

#define SIZE(name) sizeof(struct name),
const unsigned long uapi_sizes_i386[] = { UAPI_STRUCTS(SIZE) };
const unsigned int uapi_nr_structs_i386 = sizeof(uapi_sizes_i386) / sizeof(uapi_sizes_i386[0]);

/* Proof that the emulation works: 12 bytes for i386, 16 for x86-64. */
struct uapi_probe {
	__u32 a;
	__u64 b;
};

const unsigned long uapi_probe_size_i386 = sizeof(struct uapi_probe);
