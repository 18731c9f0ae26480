// SPDX-License-Identifier: GPL-2.0
/*
 * insn-mark: execute the marker instruction of the insn_count QEMU plugin
 * once (bench/insn/insn_count.c), so that the plugin writes how many
 * instructions the guest has executed so far. Run around a workload, in a
 * guest booted with `tests/vm/run.sh --insn-count FILE`; elsewhere it does
 * nothing (the marker is a no-op).
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: insn-mark (no arguments)\n");
		return 2;
	}
#if defined(__x86_64__) || defined(__i386__)
	/* xchg %bx,%bx: bytes 66 87 db, the plugin's marker. */
	__asm__ volatile(".byte 0x66, 0x87, 0xdb" ::: "memory");
	return 0;
#else
	fprintf(stderr, "insn-mark: the marker is an x86 instruction\n");
	return 1;
#endif
}
