// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmlagent: contexts (one open file of /dev/ml_lib each) and the version. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "mla_internal.h"

struct mla_ctx *mla_ctx_new(int fd)
{
	struct mla_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx)
		ctx->fd = fd;
	return ctx;
}

int mla_ioctl(struct mla_ctx *ctx, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(ctx->fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

MLA_API int mla_open(const char *path, struct mla_ctx **ctxp)
{
	struct mla_ctx *ctx;
	int fd;

	if (!ctxp)
		return -EINVAL;
	*ctxp = NULL;
	fd = open(path ? path : ML_LIB_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ctx = mla_ctx_new(fd);
	if (!ctx) {
		close(fd);
		return -ENOMEM;
	}
	*ctxp = ctx;
	return 0;
}

MLA_API void mla_close(struct mla_ctx *ctx)
{
	if (!ctx)
		return;
	/* Closing the file detaches: the kernel notices it like a crash. */
	mla_ctx_drop_rings(ctx);
	free(ctx->rings[ML_LIB_RING_SAMPLES]);
	free(ctx->rings[ML_LIB_RING_FEEDBACK]);
	if (ctx->fd >= 0)
		close(ctx->fd);
	free(ctx);
}

MLA_API int mla_fd(const struct mla_ctx *ctx)
{
	return ctx ? ctx->fd : -EINVAL;
}

MLA_API int mla_version(struct mla_ctx *ctx, struct ml_lib_version *version)
{
	if (!ctx || !version)
		return -EINVAL;
	*version = (struct ml_lib_version){ .size = sizeof(*version) };
	return mla_ioctl(ctx, ML_LIB_IOC_VERSION, version);
}
