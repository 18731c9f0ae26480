// SPDX-License-Identifier: GPL-2.0
/*
 * Described parameters: lookup, parsing with range checks, defaults.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "params.h"

int mlag_param_find(const struct mlag_param *params, unsigned int n,
		    const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(params[i].name, name))
			return (int)i;
	return -1;
}

static int parse_bool(const char *text, double *value)
{
	static const char *const yes[] = { "yes", "true", "on" };
	static const char *const no[] = { "no", "false", "off" };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (!strcasecmp(text, yes[i])) {
			*value = 1;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*value = 0;
			return 0;
		}
	}
	return -EINVAL;
}

int mlag_param_parse(const struct mlag_param *p, const char *text,
		     double *value, char *err, size_t errlen)
{
	char *end;
	double v;

	if (p->integer && p->min == 0 && p->max == 1 && !parse_bool(text, &v))
		goto check;
	errno = 0;
	v = strtod(text, &end);
	if (end == text || *end || errno == ERANGE || !isfinite(v)) {
		snprintf(err, errlen, "%s: '%s' is not a number", p->name, text);
		return -EINVAL;
	}
	if (p->integer && v != floor(v)) {
		snprintf(err, errlen, "%s: '%s' is not an integer", p->name, text);
		return -EINVAL;
	}
check:
	if (v < p->min || v > p->max) {
		snprintf(err, errlen, "%s: %s is outside [%g, %g]", p->name, text,
			 p->min, p->max);
		return -ERANGE;
	}
	*value = v;
	return 0;
}

void mlag_param_defaults(const struct mlag_param *params, unsigned int n,
			 double *values)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		values[i] = params[i].def;
}
