/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logblk trace files: the write/discard stream a logblk device saw, in the
 * order the device applied it, replayable through core/lb_core.c.
 *
 * Layout (little-endian; docs/logblk.md "Trace format"):
 *   struct lbt_header (64 bytes), then struct lbt_rec (16 bytes) records
 *   until the end of the file.
 */
#ifndef LB_TRACE_H
#define LB_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define LBT_MAGIC		"LBTRACE1"
#define LBT_VERSION		2	/* version 1 is read too (lbt_get() converts it) */
#define LBT_BLOCK_SIZE		4096
#define LBT_CLASS_NONE		0xff	/* CLASS arg: the policy places the blocks */

enum lbt_op {
	LBT_WRITE = 1,		/* lba, len blocks; arg = the bio's write-lifetime hint */
	LBT_DISCARD = 2,	/* lba, len blocks (also write-zeroes) */
	LBT_GC = 3,		/* background GC collected one victim here */
	LBT_POLICY = 4,		/* arg = placement, len = victim selection */
	LBT_MARK = 5,		/* measurement window starts here */
	LBT_CLASS = 6,		/* blocks lba .. lba + len - 1 of the write just before
				 * go to class (stream) arg, LBT_CLASS_NONE: the
				 * policy's choice (the default without CLASS records) */
	LBT_MODEL = 7,		/* lba = version of the placement model in force
				 * from here on, 0 = none */
	LBT_MODE = 8,		/* arg = the placement proxy's mode from here on */
	LBT_OP_MAX = LBT_MODE,
};

struct lbt_header {
	char magic[8];		/* LBT_MAGIC, no NUL */
	uint32_t version;	/* LBT_VERSION */
	uint32_t header_size;	/* sizeof(struct lbt_header) */
	uint32_t block_size;	/* LBT_BLOCK_SIZE */
	uint32_t nr_lblocks;	/* logical blocks of the device */
	uint32_t seg_blocks;	/* blocks per segment */
	uint32_t nr_segs;	/* physical segments; 0 = not from a device */
	uint8_t place;		/* placement at the start, enum lb_placement */
	uint8_t victim;		/* victim selection at the start */
	uint8_t reserved[30];	/* zero */
};

struct lbt_rec {
	uint8_t op;		/* enum lbt_op */
	uint8_t arg;
	uint16_t flags;		/* zero */
	uint32_t len;
	uint64_t lba;
};

struct lbt_writer {
	FILE *f;
	uint64_t records;
};

int lbt_open_write(struct lbt_writer *w, const char *path,
		   const struct lbt_header *h);
int lbt_put(struct lbt_writer *w, uint8_t op, uint8_t arg, uint64_t lba,
	    uint32_t len);
int lbt_close_write(struct lbt_writer *w);

struct lbt_reader {
	FILE *f;
	const char *path;
	uint64_t index;		/* records read so far */
	uint32_t version;	/* of the file */
	bool have_next;		/* a record converted from version 1 waits */
	struct lbt_rec next;
};

int lbt_open_read(struct lbt_reader *r, const char *path,
		  struct lbt_header *h);
int lbt_get(struct lbt_reader *r, struct lbt_rec *rec);
void lbt_close_read(struct lbt_reader *r);
void lbt_header_init(struct lbt_header *h, uint32_t nr_lblocks,
		     uint32_t seg_blocks, uint32_t nr_segs, uint8_t place,
		     uint8_t victim);

#endif /* LB_TRACE_H */
