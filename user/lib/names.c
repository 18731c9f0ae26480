// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmlagent: names of the ABI's enumerations (core/ml_names.h), and parsing of mode names. */
#include <errno.h>
#include <strings.h>
#include "mla_internal.h"
#include "ml_names.h"

MLA_API const char *mla_mode_name(unsigned int mode)
{
	return ml_mode_name(mode);
}

MLA_API int mla_mode_parse(const char *name)
{
	unsigned int m;

	if (!name)
		return -EINVAL;
	if (!strcasecmp(name, "auto"))
		return ML_LIB_MODE_AUTO;
	for (m = 0; m < ML_LIB_MODE_COUNT; m++)
		if (!strcasecmp(name, ml_mode_name(m)))
			return (int)m;
	return -EINVAL;
}

MLA_API const char *mla_reason_name(unsigned int reason)
{
	return ml_reason_name(reason);
}

MLA_API const char *mla_arm_name(unsigned int arm)
{
	return ml_arm_name(arm);
}

MLA_API const char *mla_source_name(unsigned int source)
{
	return ml_source_name(source);
}

MLA_API const char *mla_feature_type_name(unsigned int type)
{
	return ml_feature_type_name(type);
}

MLA_API const char *mla_feedback_type_name(unsigned int type)
{
	return ml_feedback_type_name(type);
}
