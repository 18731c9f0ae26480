/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logblk tracepoint: one event per write, discard, background-GC victim,
 * policy change and mark, in the order the device applied them (emitted
 * under its lock). logblk-capture turns them into a trace file that
 * logblk-replay runs through the same core logic.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM logblk

#if !defined(_LOGBLK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _LOGBLK_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(logblk_event,
	TP_PROTO(u64 seq, u8 op, u8 arg, u64 lba, u32 len),
	TP_ARGS(seq, op, arg, lba, len),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u64, lba)
		__field(u32, len)
		__field(u8, op)
		__field(u8, arg)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->lba = lba;
		__entry->len = len;
		__entry->op = op;
		__entry->arg = arg;
	),
	TP_printk("seq=%llu op=%u arg=%u lba=%llu len=%u",
		  __entry->seq, __entry->op, __entry->arg, __entry->lba,
		  __entry->len)
);

#endif /* _LOGBLK_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE logblk_trace
#include <trace/define_trace.h>
