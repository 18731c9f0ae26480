/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ml_lib: the kernel API of the ML model proxy library.
 *
 * A subsystem creates a proxy from its module init, publishes samples,
 * asks for decisions and reports their outcomes. The proxy never waits for
 * user space: a decision uses the newest cached recommendation table or the
 * loaded integer model, or falls back to the default algorithm.
 *
 * See docs/integration.md for a walk-through.
 */
#ifndef _LINUX_ML_LIB_H
#define _LINUX_ML_LIB_H

#include <linux/types.h>
#include <uapi/linux/ml_lib.h>

struct ml_lib_proxy;

/**
 * struct ml_lib_feature - one feature of a proxy's data set
 * @name: short identifier, at most ML_LIB_NAME_LEN - 1 characters
 * @unit: unit of the value ("ns", "blocks", ...), may be NULL
 * @type: enum ml_lib_feature_type
 * @min: smallest value the subsystem publishes
 * @max: largest value the subsystem publishes
 */
struct ml_lib_feature {
	const char *name;
	const char *unit;
	u32 type;
	s64 min;
	s64 max;
};

/**
 * struct ml_lib_action - one value a decision returns
 * @name: short identifier, at most ML_LIB_NAME_LEN - 1 characters
 * @min: smallest acceptable value; recommendations below it are rejected
 * @max: largest acceptable value; recommendations above it are rejected
 * @def: the value of the default arm unless the subsystem computes its own
 */
struct ml_lib_action {
	const char *name;
	s64 min;
	s64 max;
	s64 def;
};

/**
 * struct ml_lib_decision - the result of ml_lib_decide()
 * @id: non-zero identifier, unique within the proxy; pass the decision to
 *	ml_lib_outcome() when its cost is known
 * @key: the key the decision was made for
 * @version: version of the table or model the advice came from, 0 = none
 * @arm: enum ml_lib_arm: which algorithm the subsystem must apply
 * @source: enum ml_lib_source of @advice
 * @flags: ML_LIB_OUTCOME_SHADOW when the advice was only recorded
 * @values: the action values to apply. For the default arm they hold the
 *	schema defaults; a subsystem whose default algorithm computes its own
 *	values overwrites them before ml_lib_outcome(), so the feedback records
 *	what was really done.
 * @advice: the ML values, valid when @source is not ML_LIB_SRC_NONE
 */
struct ml_lib_decision {
	u64 id;
	u64 key;
	u64 version;
	u8 arm;
	u8 source;
	u8 flags;
	s64 values[ML_LIB_MAX_ACTIONS];
	s64 advice[ML_LIB_MAX_ACTIONS];
};

/**
 * struct ml_lib_table_view - a validated recommendation table, read-only
 * @version: the agent's version of the table
 * @nr_entries: entries in @entries
 * @nr_actions: values per entry
 * @has_fallback: @fallback is valid
 * @fallback: values for keys with no entry
 * @entries: entries, strictly ascending by key
 */
struct ml_lib_table_view {
	u64 version;
	u32 nr_entries;
	u32 nr_actions;
	bool has_fallback;
	const s64 *fallback;
	const struct ml_lib_table_entry *entries;
};

/**
 * struct ml_lib_proxy_ops - optional hooks of a subsystem
 * @preprocess_sample: called by ml_lib_publish() before a sample is written;
 *	may rewrite @features in place. Return false to drop the sample (it is
 *	counted as filtered, not as dropped). Any context; must not sleep.
 * @validate_recommendation: called with the proxy's control lock held (may
 *	sleep) after the library's own checks; return 0 to accept, a negative
 *	errno to reject the table.
 * @apply_recommendation: called (may sleep) after a table was accepted and
 *	made current, for configuration-type recommendations.
 * @estimate_state: called (may sleep) by the mode controller; return true
 *	when the subsystem is in a critical state and must run its default
 *	algorithm only.
 * @mode_changed: called (may sleep) after every mode transition.
 *
 * Every hook but @preprocess_sample runs with the proxy's control mutex
 * held: it must not call ml_lib_proxy_start(), _stop(), _reinit() or
 * _destroy() on the same proxy. None is called once ml_lib_proxy_destroy()
 * has returned.
 */
struct ml_lib_proxy_ops {
	bool (*preprocess_sample)(struct ml_lib_proxy *proxy, u64 key,
				  s64 *features);
	int (*validate_recommendation)(struct ml_lib_proxy *proxy,
				       const struct ml_lib_table_view *table);
	void (*apply_recommendation)(struct ml_lib_proxy *proxy,
				     const struct ml_lib_table_view *table);
	bool (*estimate_state)(struct ml_lib_proxy *proxy);
	void (*mode_changed)(struct ml_lib_proxy *proxy, enum ml_lib_mode old,
			     enum ml_lib_mode new, enum ml_lib_reason reason);
};

/**
 * struct ml_lib_proxy_desc - what a subsystem declares when it creates a proxy
 * @subsystem: name of the subsystem ("logblk"); names the sysfs directory
 * @name: name of the proxy within the subsystem ("placement")
 * @features: the feature schema, @nr_features entries
 * @nr_features: 0 .. ML_LIB_MAX_FEATURES
 * @actions: the action schema, @nr_actions entries
 * @nr_actions: 1 .. ML_LIB_MAX_ACTIONS
 * @flags: ML_LIB_PROXY_*
 * @ops: optional hooks, may be NULL
 * @priv: the subsystem's pointer, returned by ml_lib_proxy_priv()
 *
 * The library copies everything it needs; the descriptor may live on the
 * stack.
 */
struct ml_lib_proxy_desc {
	const char *subsystem;
	const char *name;
	const struct ml_lib_feature *features;
	unsigned int nr_features;
	const struct ml_lib_action *actions;
	unsigned int nr_actions;
	u32 flags;
	const struct ml_lib_proxy_ops *ops;
	void *priv;
};

struct ml_lib_proxy *ml_lib_proxy_create(const struct ml_lib_proxy_desc *desc);
void ml_lib_proxy_destroy(struct ml_lib_proxy *proxy);
int ml_lib_proxy_start(struct ml_lib_proxy *proxy);
int ml_lib_proxy_stop(struct ml_lib_proxy *proxy);
int ml_lib_proxy_reinit(struct ml_lib_proxy *proxy);
void *ml_lib_proxy_priv(struct ml_lib_proxy *proxy);

int ml_lib_publish(struct ml_lib_proxy *proxy, u64 key, const s64 *features);
void ml_lib_decide(struct ml_lib_proxy *proxy, u64 key, const s64 *features,
		   struct ml_lib_decision *decision);
void ml_lib_outcome(struct ml_lib_proxy *proxy,
		    const struct ml_lib_decision *decision, s64 cost);
void ml_lib_outcome_label(struct ml_lib_proxy *proxy,
			  const struct ml_lib_decision *decision, s64 cost, s64 label);
u64 ml_lib_advise(struct ml_lib_proxy *proxy, u64 key, const s64 *features,
		  s64 *values);
void ml_lib_set_critical(struct ml_lib_proxy *proxy, bool critical);
enum ml_lib_mode ml_lib_proxy_mode(struct ml_lib_proxy *proxy);

#endif /* _LINUX_ML_LIB_H */
