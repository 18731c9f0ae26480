/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ml_lib tracepoints, under /sys/kernel/tracing/events/ml_lib/:
 *	ml_lib_attach, ml_lib_detach	an agent attached to / left a proxy
 *	ml_lib_rec_accepted,
 *	ml_lib_rec_rejected		a pushed recommendation table's verdict
 *	ml_lib_model_accepted,
 *	ml_lib_model_rejected		a pushed integer model's verdict, with the
 *					verifier rule that refused it
 *	ml_lib_mode			a mode transition and its reason
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ml_lib

#if !defined(_ML_LIB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ML_LIB_TRACE_H

#include <linux/tracepoint.h>

#define ml_lib_show_mode(m)						\
	__print_symbolic(m, { 0, "emergency" }, { 1, "learning" },	\
			 { 2, "collaboration" }, { 3, "recommendation" })

#define ml_lib_show_reason(r)						\
	__print_symbolic(r, { 0, "none" }, { 1, "admin" }, { 2, "attached" }, \
			 { 3, "detached" }, { 4, "heartbeat" }, { 5, "critical" }, \
			 { 6, "stale" }, { 7, "rejects" }, { 8, "promoted" }, \
			 { 9, "demoted" }, { 10, "cooldown" }, { 11, "reinit" }, \
			 { 12, "stopped" }, { 13, "started" })

DECLARE_EVENT_CLASS(ml_lib_agent_class,
	TP_PROTO(u32 id, const char *subsystem, const char *name, pid_t pid),
	TP_ARGS(id, subsystem, name, pid),
	TP_STRUCT__entry(
		__field(u32, id)
		__string(subsystem, subsystem)
		__string(name, name)
		__field(pid_t, pid)
	),
	TP_fast_assign(
		__entry->id = id;
		__assign_str(subsystem);
		__assign_str(name);
		__entry->pid = pid;
	),
	TP_printk("proxy=%u %s/%s pid=%d", __entry->id, __get_str(subsystem),
		  __get_str(name), __entry->pid)
);

DEFINE_EVENT(ml_lib_agent_class, ml_lib_attach,
	TP_PROTO(u32 id, const char *subsystem, const char *name, pid_t pid),
	TP_ARGS(id, subsystem, name, pid));

DEFINE_EVENT(ml_lib_agent_class, ml_lib_detach,
	TP_PROTO(u32 id, const char *subsystem, const char *name, pid_t pid),
	TP_ARGS(id, subsystem, name, pid));

DECLARE_EVENT_CLASS(ml_lib_rec_class,
	TP_PROTO(u32 id, u64 version, int error),
	TP_ARGS(id, version, error),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(int, error)
		__field(u64, version)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->error = error;
		__entry->version = version;
	),
	TP_printk("proxy=%u version=%llu error=%d", __entry->id,
		  (unsigned long long)__entry->version, __entry->error)
);

DEFINE_EVENT(ml_lib_rec_class, ml_lib_rec_accepted,
	TP_PROTO(u32 id, u64 version, int error),
	TP_ARGS(id, version, error));

DEFINE_EVENT(ml_lib_rec_class, ml_lib_rec_rejected,
	TP_PROTO(u32 id, u64 version, int error),
	TP_ARGS(id, version, error));

DECLARE_EVENT_CLASS(ml_lib_model_class,
	TP_PROTO(u32 id, u64 version, int error, const char *rule),
	TP_ARGS(id, version, error, rule),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(int, error)
		__field(u64, version)
		__string(rule, rule)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->error = error;
		__entry->version = version;
		__assign_str(rule);
	),
	TP_printk("proxy=%u version=%llu error=%d rule=\"%s\"", __entry->id,
		  (unsigned long long)__entry->version, __entry->error, __get_str(rule))
);

DEFINE_EVENT(ml_lib_model_class, ml_lib_model_accepted,
	TP_PROTO(u32 id, u64 version, int error, const char *rule),
	TP_ARGS(id, version, error, rule));

DEFINE_EVENT(ml_lib_model_class, ml_lib_model_rejected,
	TP_PROTO(u32 id, u64 version, int error, const char *rule),
	TP_ARGS(id, version, error, rule));

TRACE_EVENT(ml_lib_mode,
	TP_PROTO(u32 id, u8 old, u8 new, u16 reason, s32 efficiency_bp),
	TP_ARGS(id, old, new, reason, efficiency_bp),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u8, old)
		__field(u8, new)
		__field(u16, reason)
		__field(s32, efficiency_bp)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->old = old;
		__entry->new = new;
		__entry->reason = reason;
		__entry->efficiency_bp = efficiency_bp;
	),
	TP_printk("proxy=%u %s -> %s reason=%s efficiency_bp=%d", __entry->id,
		  ml_lib_show_mode(__entry->old), ml_lib_show_mode(__entry->new),
		  ml_lib_show_reason(__entry->reason),
		  __entry->efficiency_bp)
);

#endif /* _ML_LIB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ml_lib_trace
#include <trace/define_trace.h>
