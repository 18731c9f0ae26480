// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmlagent: attaching to a proxy as its agent, and mapping its rings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "mla_internal.h"

/* Bytes a record of @kind needs, given the attached proxy's schema. */
static size_t min_record_size(const struct mla_ctx *ctx, uint32_t kind)
{
	if (kind == ML_LIB_RING_FEEDBACK)
		return sizeof(struct ml_lib_feedback);
	return sizeof(struct ml_lib_sample) +
	       ctx->schema.nr_features * sizeof(int64_t);
}

int mla_ctx_add_ring(struct mla_ctx *ctx, const struct ml_lib_ring_info *info,
		     void *base, void *map)
{
	const struct ml_lib_ring_ctl *ctl = base;
	struct mla_ring *r, *v;
	uint32_t kind = info->kind, n = info->nr_records;

	if (kind > ML_LIB_RING_FEEDBACK || !ml_ring_nr_valid(n) ||
	    !info->record_size || info->record_size % 8 ||
	    info->record_size < min_record_size(ctx, kind) ||
	    info->mmap_size < ml_ring_bytes(info->record_size, n) ||
	    ctl->record_size != info->record_size || ctl->nr_records != n)
		return -EPROTO;
	if (ctx->nr_rings[kind] == ctx->cap_rings[kind]) {
		uint32_t cap = ctx->cap_rings[kind] ? 2 * ctx->cap_rings[kind] : 8;

		v = realloc(ctx->rings[kind], cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ctx->rings[kind] = v;
		ctx->cap_rings[kind] = cap;
	}
	r = &ctx->rings[kind][ctx->nr_rings[kind]++];
	*r = (struct mla_ring){
		.ctl = base,
		.map = map,
		.map_len = info->mmap_size,
		.tail = __atomic_load_n(&ctl->tail, __ATOMIC_RELAXED),
		.record_size = info->record_size,
		.nr_records = n,
		.cpu = info->cpu,
		.kind = kind,
	};
	return 0;
}

void mla_ctx_drop_rings(struct mla_ctx *ctx)
{
	uint32_t k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < ctx->nr_rings[k]; i++) {
			struct mla_ring *r = &ctx->rings[k][i];

			if (r->map)
				munmap(r->map, r->map_len);
		}
		ctx->nr_rings[k] = 0;
		ctx->first[k] = 0;
	}
}

static int map_ring(struct mla_ctx *ctx, uint32_t index)
{
	struct ml_lib_ring_info info = { .size = sizeof(info), .index = index };
	void *map;
	int ret;

	ret = mla_ioctl(ctx, ML_LIB_IOC_RING_INFO, &info);
	if (ret)
		return ret;
	if (info.mmap_size < ML_LIB_RING_DATA_OFFSET || info.mmap_size > SIZE_MAX)
		return -EPROTO;
	/* Writable: the consumer stores its tail in the control page. */
	map = mmap(NULL, (size_t)info.mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, ctx->fd, (off_t)info.mmap_offset);
	if (map == MAP_FAILED)
		return -errno;
	ret = mla_ctx_add_ring(ctx, &info, map, map);
	if (ret)
		munmap(map, (size_t)info.mmap_size);
	return ret;
}

MLA_API int mla_attach(struct mla_ctx *ctx, uint32_t proxy_id,
		       const struct mla_attach_opts *opts)
{
	static const struct mla_attach_opts defaults;
	struct ml_lib_attach a = { .size = sizeof(a), .proxy_id = proxy_id };
	uint32_t i;
	int ret;

	if (!ctx || !proxy_id)
		return -EINVAL;
	if (ctx->proxy_id)
		return -EISCONN;
	if (!opts)
		opts = &defaults;
	for (i = 0; i < sizeof(opts->reserved) / sizeof(opts->reserved[0]); i++)
		if (opts->reserved[i])
			return -EINVAL;
	a.sample_records = opts->sample_records;
	a.feedback_records = opts->feedback_records;
	a.wakeup_watermark = opts->wakeup_watermark;
	a.wakeup_ms = opts->wakeup_ms;
	ret = mla_ioctl(ctx, ML_LIB_IOC_ATTACH, &a);
	if (ret)
		return ret;
	ctx->proxy_id = proxy_id;
	ret = mla_schema(ctx, proxy_id, &ctx->schema);
	for (i = 0; !ret && i < a.nr_rings; i++)
		ret = map_ring(ctx, i);
	if (!ret && (!ctx->nr_rings[ML_LIB_RING_SAMPLES] ||
		     !ctx->nr_rings[ML_LIB_RING_FEEDBACK]))
		ret = -EPROTO;
	if (ret)
		mla_detach(ctx);
	return ret;
}

MLA_API int mla_detach(struct mla_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	if (!ctx->proxy_id)
		return -ENOTCONN;
	mla_ctx_drop_rings(ctx);
	ctx->proxy_id = 0;
	memset(&ctx->schema, 0, sizeof(ctx->schema));
	return mla_ioctl(ctx, ML_LIB_IOC_DETACH, NULL);
}

MLA_API uint32_t mla_attached_id(const struct mla_ctx *ctx)
{
	return ctx ? ctx->proxy_id : 0;
}

MLA_API const struct ml_lib_schema *mla_attached_schema(const struct mla_ctx *ctx)
{
	return ctx && ctx->proxy_id ? &ctx->schema : NULL;
}

MLA_API int mla_heartbeat(struct mla_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	if (!ctx->proxy_id)
		return -ENOTCONN;
	return mla_ioctl(ctx, ML_LIB_IOC_HEARTBEAT, NULL);
}
