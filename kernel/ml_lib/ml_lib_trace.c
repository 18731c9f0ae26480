// SPDX-License-Identifier: GPL-2.0
/* ml_lib: the tracepoint definitions of ml_lib_trace.h. */
#include "ml_lib_internal.h"

#define CREATE_TRACE_POINTS
#include "ml_lib_trace.h"
