// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * insn_count: a QEMU TCG plugin that counts the instructions the guest
 * executes and writes the count each time the guest executes a marker.
 *
 * Why: the overhead of logblk's placement proxy in EMERGENCY is a few
 * instructions per request, far below what timing can resolve on a shared
 * host under emulation (bench/logblk: single rounds of the same workload
 * range over 2.5x in throughput). The number of instructions the guest
 * executes for the same workload does not depend on the host's load, so
 * two runs that differ only by the proxy differ by what the proxy costs.
 *
 * The marker is `xchg %bx,%bx` (bytes 66 87 db), a no-op no compiler
 * emits (Bochs' "magic breakpoint"); insn-mark executes it. At each one the
 * plugin appends a line "mark K INSNS" to its output file: K counts the
 * markers from 1, INSNS is the sum over all vCPUs of the instructions
 * executed so far. The difference of two lines is the guest's work between
 * them, to within the translation blocks around the two markers (a block
 * is counted when it starts).
 *
 * usage: qemu-system-x86_64 ... -plugin PATH/insn_count.so,out=FILE
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "qemu_plugin_abi.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS 256

static const unsigned char marker[] = { 0x66, 0x87, 0xdb };

/* Per-vCPU counts: each written by its vCPU's thread only. */
static uint64_t insns[MAX_VCPUS];
static uint64_t lost;	/* blocks of vCPUs beyond MAX_VCPUS: must stay 0 */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static unsigned long marks;

static uint64_t total(void)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < MAX_VCPUS; i++)
		sum += __atomic_load_n(&insns[i], __ATOMIC_RELAXED);
	return sum;
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	uint64_t n = (uintptr_t)udata;

	if (vcpu >= MAX_VCPUS) {
		__atomic_fetch_add(&lost, n, __ATOMIC_RELAXED);
		return;
	}
	__atomic_store_n(&insns[vcpu], insns[vcpu] + n, __ATOMIC_RELAXED);
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	pthread_mutex_lock(&out_lock);
	if (out) {	/* NULL once QEMU is exiting (at_exit) */
		fprintf(out, "mark %lu %" PRIu64 "\n", ++marks, total());
		fflush(out);
	}
	pthread_mutex_unlock(&out_lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)n);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	pthread_mutex_lock(&out_lock);
	fprintf(out, "total %" PRIu64 " lost %" PRIu64 "\n", total(), lost);
	fclose(out);
	out = NULL;
	pthread_mutex_unlock(&out_lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4) && argv[i][4]) {
			path = argv[i] + 4;
		} else {
			fprintf(stderr, "insn_count: unknown argument '%s' (expected out=FILE)\n",
				argv[i]);
			return -1;
		}
	}
	if (!path) {
		fprintf(stderr, "insn_count: no output file (out=FILE)\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "insn_count: cannot write %s: %m\n", path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
