/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlctl's output: tables for people, JSON and CSV for programs.
 * Pure functions writing to a FILE, covered by host unit tests.
 */
#ifndef CTL_FORMAT_H
#define CTL_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/ml_lib.h>

/* "subsystem/name" of a proxy, always NUL-terminated. */
#define CTL_PROXY_NAME_LEN (2 * ML_LIB_NAME_LEN)
void fmt_proxy_name(char *buf, const struct ml_lib_proxy_info *info);

/* A value in thousandths as a decimal: 12345 -> "12.345", -5 -> "-0.005". */
void fmt_milli(char *buf, size_t len, long long milli);

/* Basis points as a percentage: 9321 -> "93.21%"; negative -> "unknown". */
void fmt_bp(char *buf, size_t len, long long bp);

void fmt_list(FILE *f, const struct ml_lib_proxy_info *v, int n);
void fmt_list_json(FILE *f, const struct ml_lib_proxy_info *v, int n);

void fmt_status(FILE *f, const struct ml_lib_proxy_info *info,
		const struct ml_lib_status *st);
void fmt_status_json(FILE *f, const struct ml_lib_proxy_info *info,
		     const struct ml_lib_status *st);
/* One line per proxy; a header first. */
void fmt_status_table(FILE *f, const struct ml_lib_proxy_info *v,
		      const struct ml_lib_status *st, int n);

/*
 * The watch view: the status, then the rates of the counters between @prev
 * and @cur taken @elapsed_ms apart (@prev NULL: no rates yet).
 */
void fmt_watch(FILE *f, const struct ml_lib_proxy_info *info,
	       const struct ml_lib_status *prev, const struct ml_lib_status *cur,
	       unsigned long long elapsed_ms);

/* Samples: a header made from the schema, then one line per sample. */
void fmt_samples_header(FILE *f, const struct ml_lib_schema *schema, bool csv);
void fmt_sample(FILE *f, const struct ml_lib_schema *schema,
		const struct ml_lib_sample *s, unsigned int cpu, bool csv);

/* @s as a JSON string, quotes included; at most @max bytes of @s. */
void fmt_json_string(FILE *f, const char *s, size_t max);

#endif /* CTL_FORMAT_H */
