// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmlagent: names of the ABI's enumerations, and parsing of mode names. */
#include <errno.h>
#include <strings.h>
#include "mla_internal.h"

#define NAME_OF(table, v) \
	((v) < sizeof(table) / sizeof((table)[0]) ? (table)[v] : NULL)

static const char *const mode_names[ML_LIB_MODE_COUNT] = {
	[ML_LIB_MODE_EMERGENCY] = "emergency",
	[ML_LIB_MODE_LEARNING] = "learning",
	[ML_LIB_MODE_COLLABORATION] = "collaboration",
	[ML_LIB_MODE_RECOMMENDATION] = "recommendation",
};

static const char *const reason_names[ML_LIB_REASON_COUNT] = {
	[ML_LIB_REASON_NONE] = "none",
	[ML_LIB_REASON_ADMIN] = "admin",
	[ML_LIB_REASON_ATTACHED] = "attached",
	[ML_LIB_REASON_DETACHED] = "detached",
	[ML_LIB_REASON_HEARTBEAT] = "heartbeat",
	[ML_LIB_REASON_CRITICAL] = "critical",
	[ML_LIB_REASON_STALE] = "stale",
	[ML_LIB_REASON_REJECTS] = "rejects",
	[ML_LIB_REASON_PROMOTED] = "promoted",
	[ML_LIB_REASON_DEMOTED] = "demoted",
	[ML_LIB_REASON_COOLDOWN] = "cooldown",
	[ML_LIB_REASON_REINIT] = "reinit",
	[ML_LIB_REASON_STOPPED] = "stopped",
	[ML_LIB_REASON_STARTED] = "started",
};

static const char *const arm_names[ML_LIB_ARM_COUNT] = {
	[ML_LIB_ARM_DEFAULT] = "default",
	[ML_LIB_ARM_ML] = "ml",
};

static const char *const source_names[] = {
	[ML_LIB_SRC_NONE] = "none",
	[ML_LIB_SRC_TABLE] = "table",
	[ML_LIB_SRC_FALLBACK] = "fallback",
	[ML_LIB_SRC_MODEL] = "model",
};

static const char *const feature_type_names[ML_LIB_FEAT_COUNT] = {
	[ML_LIB_FEAT_INT] = "int",
	[ML_LIB_FEAT_UINT] = "uint",
	[ML_LIB_FEAT_ENUM] = "enum",
	[ML_LIB_FEAT_BOOL] = "bool",
	[ML_LIB_FEAT_LOG2] = "log2",
};

static const char *const feedback_type_names[] = {
	[ML_LIB_FB_OUTCOME] = "outcome",
	[ML_LIB_FB_MODE] = "mode",
	[ML_LIB_FB_EFFICIENCY] = "efficiency",
	[ML_LIB_FB_TABLE] = "table",
	[ML_LIB_FB_MODEL] = "model",
};

MLA_API const char *mla_mode_name(unsigned int mode)
{
	if (mode == ML_LIB_MODE_AUTO)
		return "auto";
	return NAME_OF(mode_names, mode);
}

MLA_API int mla_mode_parse(const char *name)
{
	unsigned int m;

	if (!name)
		return -EINVAL;
	if (!strcasecmp(name, "auto"))
		return ML_LIB_MODE_AUTO;
	for (m = 0; m < ML_LIB_MODE_COUNT; m++)
		if (!strcasecmp(name, mode_names[m]))
			return (int)m;
	return -EINVAL;
}

MLA_API const char *mla_reason_name(unsigned int reason)
{
	return NAME_OF(reason_names, reason);
}

MLA_API const char *mla_arm_name(unsigned int arm)
{
	return NAME_OF(arm_names, arm);
}

MLA_API const char *mla_source_name(unsigned int source)
{
	return NAME_OF(source_names, source);
}

MLA_API const char *mla_feature_type_name(unsigned int type)
{
	return NAME_OF(feature_type_names, type);
}

MLA_API const char *mla_feedback_type_name(unsigned int type)
{
	return NAME_OF(feedback_type_names, type);
}
