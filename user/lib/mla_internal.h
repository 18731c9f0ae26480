/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmlagent internals, shared by the library's source files and its host
 * unit tests (which lay rings out in ordinary memory, see mla_ctx_add_ring()).
 */
#ifndef MLA_INTERNAL_H
#define MLA_INTERNAL_H

#include "mlagent.h"
#include "mla_ring.h"

#define MLA_API __attribute__((visibility("default")))

struct mla_ctx {
	int fd;
	uint32_t proxy_id;		/* attached proxy, 0 = none */
	struct ml_lib_schema schema;	/* of the attached proxy */
	struct mla_ring *rings[2];	/* per kind (enum ml_lib_ring_kind) */
	uint32_t nr_rings[2];
	uint32_t cap_rings[2];
	uint32_t first[2];		/* where the next consume starts: fairness */
};

/* Allocate a context around @fd (taken over; -1 for a ring-only test context). */
struct mla_ctx *mla_ctx_new(int fd);

/*
 * Add a ring described by @info whose mapping starts at @base (@map, when
 * not NULL, is unmapped by mla_detach()). Checks that the control page agrees
 * with @info and that records are large enough for their kind: -EPROTO
 * otherwise.
 */
int mla_ctx_add_ring(struct mla_ctx *ctx, const struct ml_lib_ring_info *info,
		     void *base, void *map);

/* Unmap and forget every ring. */
void mla_ctx_drop_rings(struct mla_ctx *ctx);

/*
 * Find @spec ("ID", "SUBSYSTEM/NAME" or a NAME that only one proxy has)
 * among @n proxies: its index, -ENOENT, -ENOTUNIQ (a name several subsystems
 * use) or -EINVAL (an empty or malformed spec).
 */
int mla_match_proxy(const struct ml_lib_proxy_info *v, size_t n,
		    const char *spec);

/* An ioctl on @ctx's file: 0 or -errno. */
int mla_ioctl(struct mla_ctx *ctx, unsigned long cmd, void *arg);

#endif /* MLA_INTERNAL_H */
