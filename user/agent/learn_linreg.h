/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The regression learner's fitted policy, for its compiler and its tests.
 */
#ifndef MLAG_LEARN_LINREG_H
#define MLAG_LEARN_LINREG_H

#include "learner.h"

/* value = bias + sum of coef[i] * feature[i], in raw feature units. */
struct mlag_linreg_line {
	double bias;
	double coef[ML_LIB_MAX_FEATURES];
};

/* The last fit of action @action of a linreg learner; -EAGAIN before one. */
int mlag_linreg_line(void *state, unsigned int action, struct mlag_linreg_line *line);

#endif /* MLAG_LEARN_LINREG_H */
