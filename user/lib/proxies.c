// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmlagent: discovery (list, find, schema, status) and control of proxies. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mla_internal.h"

MLA_API int mla_list(struct mla_ctx *ctx, struct ml_lib_proxy_info *proxies,
		     unsigned int capacity)
{
	struct ml_lib_list l = {
		.size = sizeof(l),
		.capacity = capacity,
		.proxies = (uintptr_t)proxies,
	};
	int ret;

	if (!ctx || (capacity && !proxies))
		return -EINVAL;
	ret = mla_ioctl(ctx, ML_LIB_IOC_LIST, &l);
	if (ret)
		return ret;
	return l.count > INT32_MAX ? -EOVERFLOW : (int)l.count;
}

MLA_API int mla_list_alloc(struct mla_ctx *ctx,
			   struct ml_lib_proxy_info **proxiesp)
{
	struct ml_lib_proxy_info *v = NULL, *nv;
	unsigned int cap = 0;
	int n;

	if (!proxiesp)
		return -EINVAL;
	*proxiesp = NULL;
	/* Proxies come and go between two calls: retry until the list fits. */
	for (;;) {
		n = mla_list(ctx, v, cap);
		if (n < 0 || (unsigned int)n <= cap)
			break;
		cap = (unsigned int)n + 8;
		nv = realloc(v, cap * sizeof(*v));
		if (!nv) {
			n = -ENOMEM;
			break;
		}
		v = nv;
	}
	if (n <= 0) {
		free(v);
		return n;
	}
	*proxiesp = v;
	return n;
}

/* Parse a decimal id (no sign, no spaces); 0 if @s is not one. */
static uint32_t parse_id(const char *s)
{
	unsigned long long id = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		id = id * 10 + (unsigned int)(*s - '0');
		if (id > UINT32_MAX)
			return 0;
	}
	return (uint32_t)id;
}

static int name_eq(const char *field, const char *s, size_t len)
{
	return len < ML_LIB_NAME_LEN && strncmp(field, s, len) == 0 &&
	       field[len] == '\0';
}

int mla_match_proxy(const struct ml_lib_proxy_info *v, size_t n,
		    const char *spec)
{
	const char *slash;
	uint32_t id;
	size_t i;
	int found = -ENOENT;

	if (!spec || !*spec)
		return -EINVAL;
	id = parse_id(spec);
	if (id) {
		for (i = 0; i < n; i++)
			if (v[i].id == id)
				return (int)i;
		return -ENOENT;
	}
	slash = strchr(spec, '/');
	if (slash) {
		size_t slen = (size_t)(slash - spec);

		if (!slen || !slash[1] || strchr(slash + 1, '/'))
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (name_eq(v[i].subsystem, spec, slen) &&
			    name_eq(v[i].name, slash + 1, strlen(slash + 1)))
				return (int)i;
		return -ENOENT;
	}
	for (i = 0; i < n; i++) {
		if (!name_eq(v[i].name, spec, strlen(spec)))
			continue;
		if (found >= 0)
			return -ENOTUNIQ;
		found = (int)i;
	}
	return found;
}

MLA_API int mla_find(struct mla_ctx *ctx, const char *spec,
		     struct ml_lib_proxy_info *info)
{
	struct ml_lib_proxy_info *v;
	int n, i;

	if (!ctx || !spec || !info)
		return -EINVAL;
	n = mla_list_alloc(ctx, &v);
	if (n < 0)
		return n;
	i = mla_match_proxy(v, (size_t)n, spec);
	if (i >= 0)
		*info = v[i];
	free(v);
	return i < 0 ? i : 0;
}

/* Proxy id 0 names the attached proxy: resolve it here, uniformly. */
static int resolve_id(const struct mla_ctx *ctx, uint32_t *proxy_id)
{
	if (!ctx)
		return -EINVAL;
	if (!*proxy_id)
		*proxy_id = ctx->proxy_id;
	return *proxy_id ? 0 : -ENOTCONN;
}

MLA_API int mla_schema(struct mla_ctx *ctx, uint32_t proxy_id,
		       struct ml_lib_schema *schema)
{
	int ret = resolve_id(ctx, &proxy_id);

	if (ret)
		return ret;
	if (!schema)
		return -EINVAL;
	*schema = (struct ml_lib_schema){ .size = sizeof(*schema),
					  .proxy_id = proxy_id };
	return mla_ioctl(ctx, ML_LIB_IOC_SCHEMA, schema);
}

MLA_API int mla_status(struct mla_ctx *ctx, uint32_t proxy_id,
		       struct ml_lib_status *status)
{
	int ret = resolve_id(ctx, &proxy_id);

	if (ret)
		return ret;
	if (!status)
		return -EINVAL;
	*status = (struct ml_lib_status){ .size = sizeof(*status),
					  .proxy_id = proxy_id };
	return mla_ioctl(ctx, ML_LIB_IOC_STATUS, status);
}

static int proxy_ctl(struct mla_ctx *ctx, unsigned long cmd, uint32_t proxy_id)
{
	struct ml_lib_ctl c = { .size = sizeof(c) };
	int ret = resolve_id(ctx, &proxy_id);

	if (ret)
		return ret;
	c.proxy_id = proxy_id;
	return mla_ioctl(ctx, cmd, &c);
}

MLA_API int mla_start(struct mla_ctx *ctx, uint32_t proxy_id)
{
	return proxy_ctl(ctx, ML_LIB_IOC_START, proxy_id);
}

MLA_API int mla_stop(struct mla_ctx *ctx, uint32_t proxy_id)
{
	return proxy_ctl(ctx, ML_LIB_IOC_STOP, proxy_id);
}

MLA_API int mla_reinit(struct mla_ctx *ctx, uint32_t proxy_id)
{
	return proxy_ctl(ctx, ML_LIB_IOC_REINIT, proxy_id);
}

MLA_API int mla_set_mode(struct mla_ctx *ctx, uint32_t proxy_id,
			 unsigned int mode)
{
	struct ml_lib_set_mode m = { .size = sizeof(m), .mode = mode };
	int ret = resolve_id(ctx, &proxy_id);

	if (ret)
		return ret;
	m.proxy_id = proxy_id;
	return mla_ioctl(ctx, ML_LIB_IOC_SET_MODE, &m);
}
