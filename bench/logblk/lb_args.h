/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers on the bench workloads' command lines (lb-dbload, lb-kvload,
 * lb-churn). strtoull() alone reads "" and "abc" as 0 and "-5" as a huge
 * count; here the whole argument must be a number without a sign that
 * fits in 64 bits, so that a typo is refused instead of run.
 */
#ifndef ML_BENCH_LB_ARGS_H
#define ML_BENCH_LB_ARGS_H

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/**
 * lb_arg_u64() - parse a whole unsigned number
 * @s: the argument
 * @base: as strtoull()'s (10 for counts, 0 for seeds: 0x... allowed)
 * @v: out: the value, set only on success
 *
 * Return: 0, or -EINVAL if @s is empty, signed, not entirely a number,
 * or too large.
 */
static inline int lb_arg_u64(const char *s, int base, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, base);
	if (*end || errno)
		return -EINVAL;
	*v = x;
	return 0;
}

#endif /* ML_BENCH_LB_ARGS_H */
