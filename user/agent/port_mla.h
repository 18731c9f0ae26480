/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker's port onto a real proxy: an attached libmlagent context.
 */
#ifndef MLAG_PORT_MLA_H
#define MLAG_PORT_MLA_H

#include "worker.h"

/* The port's state is the attached struct mla_ctx itself. */
extern const struct mlag_port_ops mlag_port_mla;

#endif /* MLAG_PORT_MLA_H */
