/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmlagent: the user-space C API of an ml-lib agent.
 *
 * A context (struct mla_ctx) is one open file of /dev/ml_lib. Any context
 * can observe every proxy (list, schema, status) and, with CAP_SYS_ADMIN,
 * control it (start, stop, reinit, mode). A context attached to a proxy is
 * that proxy's agent: it maps the proxy's per-CPU sample and feedback rings,
 * consumes them, sends heartbeats and pushes recommendation tables and
 * integer models. One context attaches to at most one proxy: an agent that
 * drives several proxies opens one context per proxy.
 *
 * Every function that can fail returns a negative errno value (never sets
 * errno as its result, never prints, never exits). Proxy ids are the ids of
 * ML_LIB_IOC_LIST; where a function takes a proxy id, 0 means the proxy this
 * context is attached to.
 *
 * Thread safety (details in each man page):
 *  - the pure helpers (names, parsing, table building) are MT-safe;
 *  - the query and control calls (version, list, find, schema, status,
 *    start, stop, reinit, set_mode, heartbeat, push) only issue ioctls on
 *    the context's file and may run concurrently on one context, from any
 *    threads, except with mla_attach(), mla_detach() or mla_close();
 *  - ring consumption (consume, iterators, pending, dropped, wait) keeps
 *    consumer positions in the context: one thread at a time per context;
 *  - mla_attach(), mla_detach() and mla_close() exclude every other call on
 *    the same context.
 *
 * See docs/libmlagent.md and the mla_*(3) man pages.
 */
#ifndef MLAGENT_H
#define MLAGENT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ml_lib.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLA_VERSION_MAJOR	1
#define MLA_VERSION_MINOR	0

struct mla_ctx;

/* Context and discovery. */
int mla_open(const char *path, struct mla_ctx **ctxp);
void mla_close(struct mla_ctx *ctx);
int mla_fd(const struct mla_ctx *ctx);
int mla_version(struct mla_ctx *ctx, struct ml_lib_version *version);
int mla_list(struct mla_ctx *ctx, struct ml_lib_proxy_info *proxies,
	     unsigned int capacity);
int mla_list_alloc(struct mla_ctx *ctx, struct ml_lib_proxy_info **proxiesp);
int mla_find(struct mla_ctx *ctx, const char *spec,
	     struct ml_lib_proxy_info *info);
int mla_schema(struct mla_ctx *ctx, uint32_t proxy_id,
	       struct ml_lib_schema *schema);
int mla_status(struct mla_ctx *ctx, uint32_t proxy_id,
	       struct ml_lib_status *status);

/* Control (CAP_SYS_ADMIN). */
int mla_start(struct mla_ctx *ctx, uint32_t proxy_id);
int mla_stop(struct mla_ctx *ctx, uint32_t proxy_id);
int mla_reinit(struct mla_ctx *ctx, uint32_t proxy_id);
int mla_set_mode(struct mla_ctx *ctx, uint32_t proxy_id, unsigned int mode);

/* Attachment: become a proxy's agent. */
struct mla_attach_opts {
	uint32_t sample_records;	/* slots per sample ring, power of two; 0 = kernel default */
	uint32_t feedback_records;	/* slots per feedback ring, power of two; 0 = kernel default */
	uint32_t wakeup_watermark;	/* pending records that wake a poller; 0 = kernel default */
	uint32_t wakeup_ms;		/* pending records wake a poller this often; 0 = default */
	uint32_t reserved[4];		/* must be 0 */
};

int mla_attach(struct mla_ctx *ctx, uint32_t proxy_id,
	       const struct mla_attach_opts *opts);
int mla_detach(struct mla_ctx *ctx);
uint32_t mla_attached_id(const struct mla_ctx *ctx);
const struct ml_lib_schema *mla_attached_schema(const struct mla_ctx *ctx);
int mla_heartbeat(struct mla_ctx *ctx);

/* Recommendation tables and integer models. */
size_t mla_table_size(size_t nr_entries);
long mla_table_build(const struct ml_lib_table *hdr,
		     const struct ml_lib_table_entry *entries, size_t nr_entries,
		     void *buf, size_t len);
int mla_push_table(struct mla_ctx *ctx, const struct ml_lib_table *hdr,
		   const struct ml_lib_table_entry *entries, size_t nr_entries);
int mla_push_model(struct mla_ctx *ctx, const void *blob, size_t len);
int mla_push_blob(struct mla_ctx *ctx, uint32_t kind, const void *blob,
		  size_t len);

/* Consuming the rings (kind: ML_LIB_RING_SAMPLES or ML_LIB_RING_FEEDBACK). */
typedef int (*mla_sample_cb)(const struct ml_lib_sample *sample,
			     unsigned int cpu, void *arg);
typedef int (*mla_feedback_cb)(const struct ml_lib_feedback *feedback,
			       unsigned int cpu, void *arg);

int mla_consume_samples(struct mla_ctx *ctx, unsigned int max,
			mla_sample_cb cb, void *arg);
int mla_consume_feedback(struct mla_ctx *ctx, unsigned int max,
			 mla_feedback_cb cb, void *arg);

/* A batch: @count records of one CPU, contiguous in its ring, in order. */
struct mla_batch {
	const void *records;	/* the first record */
	uint32_t count;		/* 1 .. 64 */
	uint32_t record_size;	/* bytes from one record to the next */
	uint32_t cpu;		/* the producing CPU */
	uint32_t kind;		/* enum ml_lib_ring_kind */
};

typedef int (*mla_batch_cb)(const struct mla_batch *batch, void *arg);

int mla_consume_batches(struct mla_ctx *ctx, unsigned int kind,
			unsigned int max, mla_batch_cb cb, void *arg);

/* Record @i (< batch->count) of @batch. */
static inline const void *mla_batch_record(const struct mla_batch *batch,
					   unsigned int i)
{
	return (const unsigned char *)batch->records +
	       (size_t)i * batch->record_size;
}

/*
 * An iterator over the records that were pending when it began. Lives on the
 * caller's stack; its fields are private to the library (mla_iter_next() is
 * inline: it only steps through the current run of contiguous records).
 */
struct mla_iter {
	const unsigned char *rec;	/* next record of the current run */
	const unsigned char *stop;	/* end of the current run */
	uint32_t record_size;
	uint32_t cpu;
	struct mla_ctx *ctx;
	uint64_t end;			/* head snapshot of the current ring */
	uint64_t left;			/* records after the current run */
	uint32_t kind;
	uint32_t step;			/* rings visited so far */
	uint32_t ring;			/* index of the current ring in its kind */
	uint32_t reserved;
};

int mla_iter_begin(struct mla_ctx *ctx, struct mla_iter *it, unsigned int kind);
void mla_iter_end(struct mla_iter *it);
/* Private: the slow path of mla_iter_next(). */
const void *mla__iter_refill(struct mla_iter *it, unsigned int *cpu);

static inline const void *mla_iter_next(struct mla_iter *it, unsigned int *cpu)
{
	const void *rec = it->rec;

	if (rec == it->stop)
		return mla__iter_refill(it, cpu);
	it->rec += it->record_size;
	if (cpu)
		*cpu = it->cpu;
	return rec;
}

long mla_pending(struct mla_ctx *ctx, unsigned int kind);
int mla_ring_dropped(struct mla_ctx *ctx, unsigned int kind, uint64_t *dropped);
int mla_wait(struct mla_ctx *ctx, int timeout_ms);

/* Names of the ABI's enumerations, and parsing of mode names. */
const char *mla_mode_name(unsigned int mode);
int mla_mode_parse(const char *name);
const char *mla_reason_name(unsigned int reason);
const char *mla_arm_name(unsigned int arm);
const char *mla_source_name(unsigned int source);
const char *mla_feature_type_name(unsigned int type);
const char *mla_feedback_type_name(unsigned int type);

#ifdef __cplusplus
}
#endif

#endif /* MLAGENT_H */
