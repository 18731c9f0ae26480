// SPDX-License-Identifier: GPL-2.0
/*
 * logblk trace files: reading and writing; see lb_trace.h.
 *
 * Hand-written because the format is 16-byte fixed records: a library
 * would only add a dependency. Errors are reported on stderr with the file
 * and record number, and returned as negative errno values.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include "lb_trace.h"

_Static_assert(sizeof(struct lbt_header) == 64, "trace header is 64 bytes");
_Static_assert(sizeof(struct lbt_rec) == 16, "trace record is 16 bytes");

void lbt_header_init(struct lbt_header *h, uint32_t nr_lblocks,
		     uint32_t seg_blocks, uint32_t nr_segs, uint8_t place,
		     uint8_t victim)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, LBT_MAGIC, sizeof(h->magic));
	h->version = LBT_VERSION;
	h->header_size = sizeof(*h);
	h->block_size = LBT_BLOCK_SIZE;
	h->nr_lblocks = nr_lblocks;
	h->seg_blocks = seg_blocks;
	h->nr_segs = nr_segs;
	h->place = place;
	h->victim = victim;
}

static void lbt_header_swap(struct lbt_header *h)
{
	h->version = htole32(h->version);
	h->header_size = htole32(h->header_size);
	h->block_size = htole32(h->block_size);
	h->nr_lblocks = htole32(h->nr_lblocks);
	h->seg_blocks = htole32(h->seg_blocks);
	h->nr_segs = htole32(h->nr_segs);
}

int lbt_open_write(struct lbt_writer *w, const char *path,
		   const struct lbt_header *h)
{
	struct lbt_header le = *h;

	w->records = 0;
	w->f = fopen(path, "wb");
	if (!w->f) {
		int err = errno;

		fprintf(stderr, "%s: cannot create: %s\n", path, strerror(err));
		return -err;
	}
	lbt_header_swap(&le);
	if (fwrite(&le, sizeof(le), 1, w->f) != 1) {
		fprintf(stderr, "%s: write failed\n", path);
		fclose(w->f);
		w->f = NULL;
		return -EIO;
	}
	return 0;
}

int lbt_put(struct lbt_writer *w, uint8_t op, uint8_t arg, uint64_t lba,
	    uint32_t len)
{
	struct lbt_rec r = {
		.op = op,
		.arg = arg,
		.len = htole32(len),
		.lba = htole64(lba),
	};

	if (fwrite(&r, sizeof(r), 1, w->f) != 1)
		return -EIO;
	w->records++;
	return 0;
}

int lbt_close_write(struct lbt_writer *w)
{
	int bad = ferror(w->f);

	if (fclose(w->f) || bad)
		return -EIO;
	w->f = NULL;
	return 0;
}

int lbt_open_read(struct lbt_reader *r, const char *path,
		  struct lbt_header *h)
{
	r->path = path;
	r->index = 0;
	r->have_next = false;
	r->f = fopen(path, "rb");
	if (!r->f) {
		int err = errno;

		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(err));
		return -err;
	}
	if (fread(h, sizeof(*h), 1, r->f) != 1) {
		fprintf(stderr, "%s: not a logblk trace: shorter than its header\n", path);
		goto bad;
	}
	lbt_header_swap(h);	/* the same swap converts both ways */
	if (memcmp(h->magic, LBT_MAGIC, sizeof(h->magic))) {
		fprintf(stderr, "%s: not a logblk trace (bad magic)\n", path);
		goto bad;
	}
	if (h->version < 1 || h->version > LBT_VERSION || h->header_size != sizeof(*h) ||
	    h->block_size != LBT_BLOCK_SIZE) {
		fprintf(stderr, "%s: unsupported trace version %u (header %u bytes, block %u)\n",
			path, h->version, h->header_size, h->block_size);
		goto bad;
	}
	for (size_t i = 0; i < sizeof(h->reserved); i++) {
		if (h->reserved[i]) {
			fprintf(stderr, "%s: reserved header bytes are not zero\n", path);
			goto bad;
		}
	}
	r->version = h->version;
	return 0;
bad:
	fclose(r->f);
	r->f = NULL;
	return -EINVAL;
}

/*
 * Return 1 with a record, 0 at the end of the file, -EINVAL on a bad record.
 * A version 1 write with a class hint in its arg comes back as a version 2
 * write (no lifetime hint) and a CLASS record for all its blocks.
 */
int lbt_get(struct lbt_reader *r, struct lbt_rec *rec)
{
	size_t n;

	if (r->have_next) {
		*rec = r->next;
		r->have_next = false;
		return 1;
	}
	n = fread(rec, 1, sizeof(*rec), r->f);

	if (n == 0 && feof(r->f))
		return 0;
	if (n != sizeof(*rec)) {
		fprintf(stderr, "%s: record %llu is truncated\n", r->path,
			(unsigned long long)r->index);
		return -EINVAL;
	}
	rec->flags = le16toh(rec->flags);
	rec->len = le32toh(rec->len);
	rec->lba = le64toh(rec->lba);
	if (rec->op < LBT_WRITE || rec->op > (r->version == 1 ? LBT_MARK : LBT_OP_MAX) ||
	    rec->flags) {
		fprintf(stderr, "%s: record %llu: unknown op %u or flags %#x\n",
			r->path, (unsigned long long)r->index, rec->op, rec->flags);
		return -EINVAL;
	}
	r->index++;
	if (r->version == 1 && rec->op == LBT_WRITE) {
		if (rec->arg != LBT_CLASS_NONE) {
			r->next = *rec;
			r->next.op = LBT_CLASS;
			r->have_next = true;
		}
		rec->arg = 0;
	}
	return 1;
}

void lbt_close_read(struct lbt_reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}
