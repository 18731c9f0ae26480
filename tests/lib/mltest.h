/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mltest: the tiny test framework of ml-lib's host and guest tests.
 *
 * Why not Check, cmocka or Criterion: the same test source must run on the
 * host (with ASan/UBSan) and as a static binary inside a busybox guest, where
 * a forking runner and a shared library are a burden. This header is the
 * whole framework: cases are functions, a case fails when any MT_CHECK in it
 * fails, and the program ends with one line that CI and tests/vm read:
 *
 *	N passed, N failed
 *
 * Usage:
 *	static void test_something(void) { MT_CHECK(1 + 1 == 2, "math"); }
 *	int main(int argc, char **argv) {
 *		MT_RUN(test_something);
 *		return mt_summary();
 *	}
 * A case name given on the command line runs only the cases whose name
 * contains it (mt_filter()).
 */
#ifndef ML_TESTS_MLTEST_H
#define ML_TESTS_MLTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mt_passed, mt_failed, mt_case_failed;
static const char *mt_case_name;
static const char *mt_only;

static inline void mt_filter(int argc, char **argv)
{
	mt_only = argc > 1 ? argv[1] : NULL;
}

__attribute__((format(printf, 3, 4)))
static inline void mt_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	mt_case_failed = 1;
	fprintf(stdout, "#   %s: %s:%d: ", mt_case_name ? mt_case_name : "?",
		file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Record a failure unless @cond holds; the case goes on (use MT_REQUIRE to stop). */
#define MT_CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			mt_fail_at(__FILE__, __LINE__, "check `" #cond "' failed: " __VA_ARGS__); \
	} while (0)

/* As MT_CHECK, but return from the case when @cond does not hold. */
#define MT_REQUIRE(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			mt_fail_at(__FILE__, __LINE__, "requirement `" #cond "' failed: " __VA_ARGS__); \
			return;						\
		}							\
	} while (0)

/* Integer equality with both values printed. */
#define MT_CHECK_EQ(a, b)						\
	do {								\
		long long mt_a_ = (long long)(a), mt_b_ = (long long)(b); \
		if (mt_a_ != mt_b_)					\
			mt_fail_at(__FILE__, __LINE__, "%s == %s: %lld != %lld", \
				   #a, #b, mt_a_, mt_b_);		\
	} while (0)

static inline void mt_run(const char *name, void (*fn)(void))
{
	if (mt_only && !strstr(name, mt_only))
		return;
	mt_case_name = name;
	mt_case_failed = 0;
	fn();
	if (mt_case_failed) {
		mt_failed++;
		printf("not ok - %s\n", name);
	} else {
		mt_passed++;
		printf("ok - %s\n", name);
	}
	fflush(stdout);
	mt_case_name = NULL;
}

#define MT_RUN(fn) mt_run(#fn, fn)

/* Print the summary line; the exit status is non-zero on any failure. */
static inline int mt_summary(void)
{
	printf("%d passed, %d failed\n", mt_passed, mt_failed);
	fflush(stdout);
	return mt_failed ? 1 : 0;
}

#endif /* ML_TESTS_MLTEST_H */
