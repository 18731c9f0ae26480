// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of built-in learners. A new learner adds its struct
 * mlag_learner here (docs/agent.md, "Writing a learner").
 */
#include <string.h>
#include "learner.h"

static const struct mlag_learner *const learners[] = {
	&mlag_learner_contextual,
	&mlag_learner_linreg,
	&mlag_learner_lifetime,
};

const struct mlag_learner *mlag_learner_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(learners) / sizeof(learners[0]); i++)
		if (!strcmp(learners[i]->name, name))
			return learners[i];
	return NULL;
}

const struct mlag_learner *const *mlag_learners(unsigned int *nr)
{
	*nr = sizeof(learners) / sizeof(learners[0]);
	return learners;
}
