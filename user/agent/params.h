/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Described parameters: the agent's options and each learner's parameters
 * are tables of struct mlag_param, so that the configuration parser, the
 * documentation (`mlagentd --list-params`) and the range checks share one
 * source of truth.
 */
#ifndef MLAG_PARAMS_H
#define MLAG_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct mlag_param - one named numeric parameter
 * @name: the configuration key
 * @def: the default value
 * @min: the smallest accepted value
 * @max: the largest accepted value
 * @integer: only integral values are accepted
 * @help: one line for --list-params and docs/agent.md
 */
struct mlag_param {
	const char *name;
	double def;
	double min;
	double max;
	bool integer;
	const char *help;
};

/* Index of @name in @params[0 .. @n - 1], or -1. */
int mlag_param_find(const struct mlag_param *params, unsigned int n,
		    const char *name);

/*
 * Parse @text as a value of @p into *@value: a decimal number (integral for
 * an integer parameter; "yes"/"no"/"true"/"false"/"on"/"off" mean 1 and 0)
 * within [min, max]. Return 0, or -EINVAL (not a number, not integral) or
 * -ERANGE (outside the range), with a message in @err.
 */
int mlag_param_parse(const struct mlag_param *p, const char *text,
		     double *value, char *err, size_t errlen);

/* Fill @values with the defaults of @params. */
void mlag_param_defaults(const struct mlag_param *params, unsigned int n,
			 double *values);

#endif /* MLAG_PARAMS_H */
