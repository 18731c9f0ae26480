/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ml_lib: the user-space ABI of the kernel ML model proxy library.
 *
 * Everything crosses one misc device, /dev/ml_lib (mode 0600):
 *
 *  - ioctls for discovery, attachment, schema, status and control;
 *  - mmap of per-CPU rings: sample rings (data sets published by the
 *    subsystem) and feedback rings (outcomes, mode changes, efficiency
 *    reports, recommendation verdicts);
 *  - poll() readiness on those rings, with batched wake-ups.
 *
 * Every struct passed by ioctl starts with a __u32 @size: the size of the
 * struct as the caller knows it. The kernel accepts a smaller, older size
 * (missing fields read as zero) down to the first published version, and a
 * larger, newer size if every byte it does not know is zero (-E2BIG
 * otherwise). Output structs are copied back up to the caller's @size.
 * Non-zero flags or reserved fields it does not know give -EINVAL.
 * A rejected call changes nothing and increments a counter.
 *
 * See docs/ABI.md for the full description.
 */
#ifndef _UAPI_LINUX_ML_LIB_H
#define _UAPI_LINUX_ML_LIB_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ML_LIB_DEVICE		"/dev/ml_lib"

#define ML_LIB_ABI_MAJOR	1
#define ML_LIB_ABI_MINOR	2

/* Limits. */
#define ML_LIB_NAME_LEN		32	/* subsystem, proxy, feature, action names, with NUL */
#define ML_LIB_UNIT_LEN		16	/* feature unit, with NUL */
#define ML_LIB_MAX_FEATURES	16
#define ML_LIB_MAX_ACTIONS	4
#define ML_LIB_MAX_TABLE_ENTRIES 16384
#define ML_LIB_MAX_BLOB		(4u << 20)	/* bytes of one pushed table or model */
#define ML_LIB_RING_MIN_RECORDS	64
#define ML_LIB_RING_MAX_RECORDS	(1u << 20)
#define ML_LIB_COST_MAX		((__s64)0x7fffffff)	/* costs are clamped to +-this */

/* Operating modes of a proxy (the paper's four modes). */
enum ml_lib_mode {
	ML_LIB_MODE_EMERGENCY		= 0,	/* ML share 0: default algorithm only */
	ML_LIB_MODE_LEARNING		= 1,	/* small ML share (default 10%; 0% = advice only) */
	ML_LIB_MODE_COLLABORATION	= 2,	/* ML share 50% */
	ML_LIB_MODE_RECOMMENDATION	= 3,	/* all but a holdout (default 5%) */
	ML_LIB_MODE_COUNT		= 4,
};

/* For ML_LIB_IOC_SET_MODE: let the mode controller choose (unpin). */
#define ML_LIB_MODE_AUTO	0xffu

/* Which algorithm made a decision. */
enum ml_lib_arm {
	ML_LIB_ARM_DEFAULT	= 0,	/* the subsystem's own (human-made) algorithm */
	ML_LIB_ARM_ML		= 1,	/* the model's recommendation */
	ML_LIB_ARM_COUNT	= 2,
};

/* Where the ML values of a decision came from. */
enum ml_lib_source {
	ML_LIB_SRC_NONE		= 0,	/* no fresh, valid table or model */
	ML_LIB_SRC_TABLE	= 1,	/* the table's entry for the key */
	ML_LIB_SRC_FALLBACK	= 2,	/* the table's fallback entry */
	ML_LIB_SRC_MODEL	= 3,	/* the in-kernel integer model */
};

/* Why a proxy changed mode. Stable values: they appear in records and sysfs. */
enum ml_lib_reason {
	ML_LIB_REASON_NONE		= 0,
	ML_LIB_REASON_ADMIN		= 1,	/* set by an administrator or the agent */
	ML_LIB_REASON_ATTACHED		= 2,	/* an agent attached */
	ML_LIB_REASON_DETACHED		= 3,	/* the agent detached, closed or died */
	ML_LIB_REASON_HEARTBEAT		= 4,	/* the agent is silent past its timeout */
	ML_LIB_REASON_CRITICAL		= 5,	/* the subsystem is in a critical state */
	ML_LIB_REASON_STALE		= 6,	/* the recommendations expired */
	ML_LIB_REASON_REJECTS		= 7,	/* too many rejected recommendations */
	ML_LIB_REASON_PROMOTED		= 8,	/* evidence: ML is better than default */
	ML_LIB_REASON_DEMOTED		= 9,	/* evidence: ML is worse than default */
	ML_LIB_REASON_COOLDOWN		= 10,	/* emergency is over, back to learning */
	ML_LIB_REASON_REINIT		= 11,	/* the proxy was re-initialized */
	ML_LIB_REASON_STOPPED		= 12,	/* the proxy was stopped */
	ML_LIB_REASON_STARTED		= 13,	/* the proxy was started */
	ML_LIB_REASON_COUNT		= 14,
};

/* Feature value types (informative: every feature is carried as __s64). */
enum ml_lib_feature_type {
	ML_LIB_FEAT_INT		= 0,	/* a signed integer quantity */
	ML_LIB_FEAT_UINT	= 1,	/* a non-negative integer quantity */
	ML_LIB_FEAT_ENUM	= 2,	/* a category, 0..max */
	ML_LIB_FEAT_BOOL	= 3,	/* 0 or 1 */
	ML_LIB_FEAT_LOG2	= 4,	/* a log2-binned quantity */
	ML_LIB_FEAT_COUNT	= 5,
};

/* ML_LIB_IOC_VERSION */
struct ml_lib_version {
	__u32 size;
	__u16 major;			/* out: ML_LIB_ABI_MAJOR */
	__u16 minor;			/* out: ML_LIB_ABI_MINOR */
	__u32 max_features;		/* out */
	__u32 max_actions;		/* out */
	__u32 max_table_entries;	/* out */
	__u32 max_blob;			/* out */
};

/* One proxy, as listed by ML_LIB_IOC_LIST. */
struct ml_lib_proxy_info {
	__u32 id;			/* stable for the proxy's life, never reused */
	__u8 mode;			/* enum ml_lib_mode */
	__u8 flags;			/* ML_LIB_INFO_* */
	__u16 reserved;
	char subsystem[ML_LIB_NAME_LEN];
	char name[ML_LIB_NAME_LEN];
};

#define ML_LIB_INFO_ATTACHED	(1u << 0)	/* an agent is attached */
#define ML_LIB_INFO_STARTED	(1u << 1)	/* the proxy is started */
#define ML_LIB_INFO_PINNED	(1u << 2)	/* the mode is pinned by an admin */

/* ML_LIB_IOC_LIST */
struct ml_lib_list {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 capacity;			/* in: entries at @proxies */
	__u32 count;			/* out: number of proxies (may exceed capacity) */
	__u64 proxies;			/* in: user pointer to struct ml_lib_proxy_info[capacity] */
};

struct ml_lib_feature_desc {
	char name[ML_LIB_NAME_LEN];
	char unit[ML_LIB_UNIT_LEN];
	__u32 type;			/* enum ml_lib_feature_type */
	__u32 reserved;
	__s64 min;
	__s64 max;
};

struct ml_lib_action_desc {
	char name[ML_LIB_NAME_LEN];
	__s64 min;
	__s64 max;
	__s64 def;			/* the default algorithm's value, when it is a constant */
};

/* ML_LIB_IOC_SCHEMA: the self-describing data set of a proxy. */
struct ml_lib_schema {
	__u32 size;
	__u32 proxy_id;			/* in */
	char subsystem[ML_LIB_NAME_LEN];	/* out */
	char name[ML_LIB_NAME_LEN];		/* out */
	__u32 nr_features;		/* out */
	__u32 nr_actions;		/* out */
	__u32 sample_size;		/* out: bytes of one struct ml_lib_sample record */
	__u32 flags;			/* out: ML_LIB_PROXY_* */
	struct ml_lib_feature_desc features[ML_LIB_MAX_FEATURES];
	struct ml_lib_action_desc actions[ML_LIB_MAX_ACTIONS];
};

/* Proxy flags, declared by the subsystem. */
#define ML_LIB_PROXY_SAMPLE_DECISIONS	(1u << 0)	/* each decision publishes its features */

/* Per-arm outcome statistics, cumulative since the proxy was created or re-initialized. */
struct ml_lib_arm_stats {
	__u64 decisions;		/* decisions made by this arm */
	__u64 outcomes;			/* outcomes reported for this arm */
	__s64 mean_milli;		/* mean cost x 1000 */
	__s64 stddev_milli;		/* standard deviation of cost x 1000 */
};

/* ML_LIB_IOC_STATUS */
struct ml_lib_status {
	__u32 size;
	__u32 proxy_id;			/* in: 0 = the proxy this fd is attached to */
	__u8 mode;			/* enum ml_lib_mode */
	__u8 pinned;			/* mode pinned by an admin */
	__u16 mode_reason;		/* enum ml_lib_reason of the last transition */
	__u8 attached;
	__u8 started;
	__u8 critical;			/* the subsystem declared a critical state */
	__u8 reserved0;
	__s32 efficiency_bp;		/* ML mean cost / default mean cost x 10000; -1 unknown */
	__u32 share_bp;			/* ML share of the current mode, basis points */
	__u32 agent_pid;		/* 0 when no agent */
	__u32 reserved1;
	__u64 table_version;		/* 0 = no table */
	__u64 model_version;		/* 0 = no model */
	__u64 heartbeat_age_ms;		/* since the agent's last heartbeat; 0 when no agent */
	__u64 published;		/* samples written to the rings */
	__u64 dropped;			/* samples dropped: ring full */
	__u64 unconsumed;		/* samples published with no agent attached */
	__u64 feedback_dropped;		/* feedback records dropped: ring full */
	__u64 recs_accepted;		/* recommendation tables accepted */
	__u64 recs_rejected;		/* recommendation tables rejected */
	__u64 models_accepted;
	__u64 models_rejected;
	__u64 bad_requests;		/* ioctls rejected for bad input */
	__u64 mode_changes;
	struct ml_lib_arm_stats arms[ML_LIB_ARM_COUNT];
	/* ABI 1.2: */
	__u64 filtered;			/* samples the subsystem's preprocess hook dropped */
	__u64 wakeups;			/* wake-ups of the agent's pollers */
};

#define ML_LIB_STATUS_SIZE_VER0	200	/* ABI 1.0-1.1: up to @arms */

/* ML_LIB_IOC_ATTACH: become the proxy's agent (one per proxy: -EBUSY). */
struct ml_lib_attach {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 proxy_id;			/* in */
	__u32 sample_records;		/* in: slots per per-CPU sample ring, power of two; 0 = 4096 */
	__u32 feedback_records;		/* in: slots per per-CPU feedback ring, power of two; 0 = 4096 */
	__u32 wakeup_watermark;		/* in: pending records in a ring that wake pollers; 0 = 1/4 ring */
	__u32 wakeup_ms;		/* in: pending records wake pollers at least this often; 0 = 50 */
	__u32 nr_rings;			/* out: rings to map (see ML_LIB_IOC_RING_INFO) */
};

enum ml_lib_ring_kind {
	ML_LIB_RING_SAMPLES	= 0,	/* struct ml_lib_sample records */
	ML_LIB_RING_FEEDBACK	= 1,	/* struct ml_lib_feedback records */
};

/* ML_LIB_IOC_RING_INFO: where and how to map ring @index of the attachment. */
struct ml_lib_ring_info {
	__u32 size;
	__u32 index;			/* in: 0 .. nr_rings - 1 */
	__u32 kind;			/* out: enum ml_lib_ring_kind */
	__u32 cpu;			/* out: the producing CPU */
	__u32 record_size;		/* out: bytes per slot, a multiple of 8 */
	__u32 nr_records;		/* out: slots, a power of two */
	__u64 mmap_offset;		/* out: offset to pass to mmap() */
	__u64 mmap_size;		/* out: bytes to map: one control page, then the slots */
};

/*
 * The first page of every mapped ring. Positions count records and never
 * wrap in practice (64 bits); the slot of position p is p & (nr_records - 1)
 * and starts at byte ML_LIB_RING_DATA_OFFSET + slot * record_size.
 *
 * The kernel writes a record, then publishes it by storing @head with release
 * semantics. The consumer loads @head with acquire semantics, reads the
 * records, then stores @tail with release semantics. The kernel never trusts
 * @tail beyond treating a ring whose head - tail is not below nr_records as
 * full.
 */
struct ml_lib_ring_ctl {
	__u64 head;			/* written by the kernel */
	__u8 pad0[56];
	__u64 tail;			/* written by the consumer */
	__u8 pad1[56];
	__u64 dropped;			/* records dropped because the ring was full */
	__u32 record_size;
	__u32 nr_records;
};

#define ML_LIB_RING_DATA_OFFSET	4096u

/* A sample: one record of a sample ring. */
struct ml_lib_sample {
	__u64 ts_ns;			/* CLOCK_MONOTONIC */
	__u64 key;			/* the subsystem's discrete context */
	__u64 decision_id;		/* the decision it belongs to; 0 = none */
	__s64 features[];		/* schema's nr_features values */
};

enum ml_lib_feedback_type {
	ML_LIB_FB_OUTCOME	= 1,	/* the cost of one decision */
	ML_LIB_FB_MODE		= 2,	/* a mode transition and its reason */
	ML_LIB_FB_EFFICIENCY	= 3,	/* a periodic efficiency report */
	ML_LIB_FB_TABLE		= 4,	/* a pushed table was accepted or rejected */
	ML_LIB_FB_MODEL		= 5,	/* a pushed model was accepted or rejected */
};

#define ML_LIB_OUTCOME_SHADOW	(1u << 0)	/* advice mode: ML values recorded, default applied */
#define ML_LIB_OUTCOME_LABEL	(1u << 1)	/* @label holds what the subsystem observed */

struct ml_lib_fb_outcome {
	__u64 decision_id;
	__u64 key;
	__s64 cost;			/* lower is better, clamped to +-ML_LIB_COST_MAX */
	__u64 version;			/* table or model version the advice came from; 0 = none */
	__u8 arm;			/* enum ml_lib_arm that was applied */
	__u8 source;			/* enum ml_lib_source of the advice */
	__u8 flags;			/* ML_LIB_OUTCOME_* */
	__u8 reserved[5];
	__s64 values[ML_LIB_MAX_ACTIONS];	/* the action values applied */
	__s64 advice[ML_LIB_MAX_ACTIONS];	/* the ML values, when source != NONE */
	/* With ML_LIB_OUTCOME_LABEL: what the subsystem observed with the
	 * outcome, for supervised learners (logblk: the lifetime); else 0.
	 */
	__s64 label;
};

struct ml_lib_fb_mode {
	__u8 old_mode;
	__u8 new_mode;
	__u16 reason;			/* enum ml_lib_reason */
	__s32 efficiency_bp;		/* at the time of the transition */
};

struct ml_lib_fb_efficiency {
	__s32 efficiency_bp;		/* over the last window */
	__u32 reserved;
	__u64 outcomes[ML_LIB_ARM_COUNT];	/* in the last window */
	__s64 mean_milli[ML_LIB_ARM_COUNT];	/* mean cost x 1000 in the last window */
};

struct ml_lib_fb_verdict {
	__u64 version;			/* of the table or model */
	__s32 error;			/* 0 accepted, else the negative errno */
	__u32 reserved;
};

/* A feedback record: one slot of a feedback ring. */
struct ml_lib_feedback {
	__u64 ts_ns;			/* CLOCK_MONOTONIC */
	__u16 type;			/* enum ml_lib_feedback_type */
	__u16 reserved0;
	__u32 reserved1;
	union {
		struct ml_lib_fb_outcome outcome;
		struct ml_lib_fb_mode mode;
		struct ml_lib_fb_efficiency efficiency;
		struct ml_lib_fb_verdict verdict;
		__u8 raw[112];
	};
};

/*
 * A recommendation table, pushed with ML_LIB_IOC_PUSH (kind ML_LIB_PUSH_TABLE)
 * as one contiguous blob: this header, then @nr_entries struct
 * ml_lib_table_entry at byte offset @size, strictly ascending by key.
 * The blob's length must be exactly size + nr_entries * sizeof(entry).
 */
#define ML_LIB_TABLE_FORMAT	1

#define ML_LIB_TABLE_FALLBACK	(1u << 0)	/* @fallback applies to keys with no entry */

struct ml_lib_table {
	__u32 size;			/* sizeof(struct ml_lib_table) */
	__u32 format;			/* ML_LIB_TABLE_FORMAT */
	__u64 version;			/* chosen by the agent, non-zero */
	__u32 ttl_ms;			/* lifetime after acceptance; 0 = no expiry */
	__u32 flags;			/* ML_LIB_TABLE_* */
	__u32 nr_entries;
	__u32 nr_actions;		/* must equal the schema's */
	__s64 fallback[ML_LIB_MAX_ACTIONS];
	__u64 reserved;
};

struct ml_lib_table_entry {
	__u64 key;
	__s64 values[ML_LIB_MAX_ACTIONS];	/* values past nr_actions must be 0 */
};

enum ml_lib_push_kind {
	ML_LIB_PUSH_TABLE	= 1,	/* struct ml_lib_table blob */
	ML_LIB_PUSH_MODEL	= 2,	/* integer model blob, <linux/ml_lib_model.h> */
};

/* ML_LIB_IOC_PUSH: only the attached agent may push. */
struct ml_lib_push {
	__u32 size;
	__u32 kind;			/* enum ml_lib_push_kind */
	__u64 data;			/* user pointer to the blob */
	__u64 len;			/* bytes of the blob, at most ML_LIB_MAX_BLOB */
};

/* ML_LIB_IOC_START, _STOP, _REINIT */
struct ml_lib_ctl {
	__u32 size;
	__u32 proxy_id;			/* 0 = the proxy this fd is attached to */
	__u32 flags;			/* must be 0 */
	__u32 reserved;
};

/* ML_LIB_IOC_SET_MODE */
struct ml_lib_set_mode {
	__u32 size;
	__u32 proxy_id;			/* 0 = the proxy this fd is attached to */
	__u32 mode;			/* enum ml_lib_mode, or ML_LIB_MODE_AUTO */
	__u32 flags;			/* must be 0 */
};

#define ML_LIB_IOC_MAGIC	0xb7

#define ML_LIB_IOC_VERSION	_IOWR(ML_LIB_IOC_MAGIC, 0x00, struct ml_lib_version)
#define ML_LIB_IOC_LIST		_IOWR(ML_LIB_IOC_MAGIC, 0x01, struct ml_lib_list)
#define ML_LIB_IOC_SCHEMA	_IOWR(ML_LIB_IOC_MAGIC, 0x02, struct ml_lib_schema)
#define ML_LIB_IOC_STATUS	_IOWR(ML_LIB_IOC_MAGIC, 0x03, struct ml_lib_status)
#define ML_LIB_IOC_ATTACH	_IOWR(ML_LIB_IOC_MAGIC, 0x04, struct ml_lib_attach)
#define ML_LIB_IOC_DETACH	_IO(ML_LIB_IOC_MAGIC, 0x05)
#define ML_LIB_IOC_RING_INFO	_IOWR(ML_LIB_IOC_MAGIC, 0x06, struct ml_lib_ring_info)
#define ML_LIB_IOC_HEARTBEAT	_IO(ML_LIB_IOC_MAGIC, 0x07)
#define ML_LIB_IOC_PUSH		_IOW(ML_LIB_IOC_MAGIC, 0x08, struct ml_lib_push)
#define ML_LIB_IOC_START	_IOW(ML_LIB_IOC_MAGIC, 0x09, struct ml_lib_ctl)
#define ML_LIB_IOC_STOP		_IOW(ML_LIB_IOC_MAGIC, 0x0a, struct ml_lib_ctl)
#define ML_LIB_IOC_REINIT	_IOW(ML_LIB_IOC_MAGIC, 0x0b, struct ml_lib_ctl)
#define ML_LIB_IOC_SET_MODE	_IOW(ML_LIB_IOC_MAGIC, 0x0c, struct ml_lib_set_mode)

#endif /* _UAPI_LINUX_ML_LIB_H */
