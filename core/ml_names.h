/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * Names of the ABI's enumerations, as sysfs, mlctl, the agent's logs and
 * JSON print them: one table per enumeration, shared by the kernel and
 * libmlagent so the two can never disagree. Each function returns NULL for
 * a value it does not know.
 */
#ifndef ML_CORE_NAMES_H
#define ML_CORE_NAMES_H

#include "ml_abi.h"

#define ML_NAME_OF(table, v) \
	((v) < sizeof(table) / sizeof((table)[0]) ? (table)[v] : NULL)

/* enum ml_lib_mode; ML_LIB_MODE_AUTO is "auto". */
static inline const char *ml_mode_name(unsigned int mode)
{
	static const char *const names[ML_LIB_MODE_COUNT] = {
		[ML_LIB_MODE_EMERGENCY] = "emergency",
		[ML_LIB_MODE_LEARNING] = "learning",
		[ML_LIB_MODE_COLLABORATION] = "collaboration",
		[ML_LIB_MODE_RECOMMENDATION] = "recommendation",
	};

	if (mode == ML_LIB_MODE_AUTO)
		return "auto";
	return ML_NAME_OF(names, mode);
}

/* enum ml_lib_reason */
static inline const char *ml_reason_name(unsigned int reason)
{
	static const char *const names[ML_LIB_REASON_COUNT] = {
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

	return ML_NAME_OF(names, reason);
}

/* enum ml_lib_arm */
static inline const char *ml_arm_name(unsigned int arm)
{
	static const char *const names[ML_LIB_ARM_COUNT] = {
		[ML_LIB_ARM_DEFAULT] = "default",
		[ML_LIB_ARM_ML] = "ml",
	};

	return ML_NAME_OF(names, arm);
}

/* enum ml_lib_source */
static inline const char *ml_source_name(unsigned int source)
{
	static const char *const names[] = {
		[ML_LIB_SRC_NONE] = "none",
		[ML_LIB_SRC_TABLE] = "table",
		[ML_LIB_SRC_FALLBACK] = "fallback",
		[ML_LIB_SRC_MODEL] = "model",
	};

	return ML_NAME_OF(names, source);
}

/* enum ml_lib_feature_type */
static inline const char *ml_feature_type_name(unsigned int type)
{
	static const char *const names[ML_LIB_FEAT_COUNT] = {
		[ML_LIB_FEAT_INT] = "int",
		[ML_LIB_FEAT_UINT] = "uint",
		[ML_LIB_FEAT_ENUM] = "enum",
		[ML_LIB_FEAT_BOOL] = "bool",
		[ML_LIB_FEAT_LOG2] = "log2",
	};

	return ML_NAME_OF(names, type);
}

/* enum ml_lib_feedback_type */
static inline const char *ml_feedback_type_name(unsigned int type)
{
	static const char *const names[] = {
		[ML_LIB_FB_OUTCOME] = "outcome",
		[ML_LIB_FB_MODE] = "mode",
		[ML_LIB_FB_EFFICIENCY] = "efficiency",
		[ML_LIB_FB_TABLE] = "table",
		[ML_LIB_FB_MODEL] = "model",
	};

	return ML_NAME_OF(names, type);
}

#endif /* ML_CORE_NAMES_H */
