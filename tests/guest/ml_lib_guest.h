/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the ml_lib guest tests: /dev/ml_lib, the rings, sysfs and the
 * debugfs controls of tests/vm/modules/ml_lib_testmod.c.
 *
 * Waits are bounded polls of a condition (mlg_wait_*), never sleeps that
 * assume how long something takes.
 */
#ifndef ML_LIB_GUEST_H
#define ML_LIB_GUEST_H

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/ml_lib.h>
#include "ml_record.h"
#include "ml_ring.h"
#include "mltest.h"

#define MLG_SYSFS	"/sys/kernel/ml_lib"
#define MLG_DEBUGFS	"/sys/kernel/debug/ml_lib_testmod"
#define MLG_MAX_RINGS	64

static inline long long mlg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read a whole small file into @buf; -errno on failure. */
static inline int mlg_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* Write @val to @path; 0 or -errno. */
static inline int mlg_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static inline void mlg_proxy_path(char *path, size_t size, const char *proxy,
				  const char *file)
{
	snprintf(path, size, MLG_SYSFS "/mltest/%s/%s", proxy, file);
}

/* An integer sysfs file of proxy mltest/@proxy; LLONG_MIN when unreadable. */
static inline long long mlg_sysfs(const char *proxy, const char *file)
{
	char path[256], buf[64];

	mlg_proxy_path(path, sizeof(path), proxy, file);
	if (mlg_read_file(path, buf, sizeof(buf)))
		return -0x7fffffffffffffffLL - 1;
	return strtoll(buf, NULL, 0);
}

/* A text sysfs file, without its newline. */
static inline int mlg_sysfs_str(const char *proxy, const char *file, char *buf, size_t size)
{
	char path[256];
	int ret;

	mlg_proxy_path(path, sizeof(path), proxy, file);
	ret = mlg_read_file(path, buf, size);
	if (!ret)
		buf[strcspn(buf, "\n")] = 0;
	return ret;
}

static inline int mlg_sysfs_write(const char *proxy, const char *file, const char *val)
{
	char path[256];

	mlg_proxy_path(path, sizeof(path), proxy, file);
	return mlg_write_file(path, val);
}

static inline long long mlg_global_bad_requests(void)
{
	char buf[64];

	if (mlg_read_file(MLG_SYSFS "/bad_requests", buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

/* Run a command of the test module; 0 or -errno. */
__attribute__((format(printf, 1, 2)))
static inline int mlg_ctl(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return mlg_write_file(MLG_DEBUGFS "/ctl", cmd);
}

/* The value of "@key N" in debugfs file @file (last, hooks, bench). */
static inline long long mlg_result(const char *file, const char *key)
{
	char path[128], buf[2048], *line;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), MLG_DEBUGFS "/%s", file);
	if (mlg_read_file(path, buf, sizeof(buf)))
		return -0x7fffffffffffffffLL - 1;
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 0);
	return -0x7fffffffffffffffLL - 1;
}

static inline long long mlg_last(const char *key)
{
	return mlg_result("last", key);
}

static inline long long mlg_hook(const char *key)
{
	return mlg_result("hooks", key);
}

/* Does the text file @path read @want (without its newline)? */
static inline int mlg_file_is(const char *path, const char *want)
{
	char buf[64];

	if (mlg_read_file(path, buf, sizeof(buf)))
		return 0;
	buf[strcspn(buf, "\n")] = 0;
	return !strcmp(buf, want);
}

/* Wait up to @ms for the text file @path to read @want. */
static inline int mlg_wait_file(const char *path, const char *want, int ms)
{
	long long end = mlg_now_ms() + ms;

	do {
		if (mlg_file_is(path, want))
			return 1;
		usleep(1000);
	} while (mlg_now_ms() < end);
	return 0;
}

/* Wait up to @ms for sysfs @file of @proxy to read @want (a text value). */
static inline int mlg_wait_str(const char *proxy, const char *file, const char *want, int ms)
{
	char path[256];

	mlg_proxy_path(path, sizeof(path), proxy, file);
	return mlg_wait_file(path, want, ms);
}

/*
 * Is @proxy in @mode for @reason? The kernel publishes a new mode after its
 * reason, so the mode is read first: a reason read after it is the same
 * transition's (or a later one's).
 */
static inline int mlg_mode_is(const char *proxy, const char *mode, const char *reason)
{
	char path[256];

	mlg_proxy_path(path, sizeof(path), proxy, "mode");
	if (!mlg_file_is(path, mode))
		return 0;
	mlg_proxy_path(path, sizeof(path), proxy, "mode_reason");
	return mlg_file_is(path, reason);
}

static inline int mlg_open(void)
{
	return open(ML_LIB_DEVICE, O_RDWR | O_CLOEXEC);
}

/* The id of proxy @subsystem/@name, 0 when absent. */
static inline __u32 mlg_find_proxy(const char *subsystem, const char *name)
{
	struct ml_lib_proxy_info info[32];
	struct ml_lib_list l = { .size = sizeof(l), .capacity = 32,
				 .proxies = (__u64)(uintptr_t)info };
	int fd = mlg_open();
	__u32 i, id = 0;

	if (fd < 0)
		return 0;
	if (!ioctl(fd, ML_LIB_IOC_LIST, &l))
		for (i = 0; i < l.count && i < 32; i++)
			if (!strcmp(info[i].subsystem, subsystem) && !strcmp(info[i].name, name))
				id = info[i].id;
	close(fd);
	return id;
}

/* The id of proxy mltest/@name, 0 when absent. */
static inline __u32 mlg_proxy_id(const char *name)
{
	return mlg_find_proxy("mltest", name);
}

/* ml_lib_demo: its files in /sys/kernel/ml_lib_demo/ and its proxy's. */
#define MLG_DEMO	"/sys/kernel/ml_lib_demo/"
#define MLG_DEMO_PROXY	MLG_SYSFS "/ml_lib_demo/policy/"

/* An integer file of ml_lib_demo (@dir MLG_DEMO or MLG_DEMO_PROXY); -1 unreadable. */
static inline long long mlg_demo_get(const char *dir, const char *file)
{
	char path[160], buf[64];

	snprintf(path, sizeof(path), "%s%s", dir, file);
	if (mlg_read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

static inline int mlg_demo_set(const char *dir, const char *file, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s%s", dir, file);
	return mlg_write_file(path, val);
}

/* The hidden policy "linear" of ml_lib_demo: f(x) = 100 + 12 x. */
static inline long long mlg_demo_f_linear(long long x)
{
	return 100 + 12 * x;
}

/*
 * The ids of ml_lib_testmod's proxies p0 and (if @p1) p1. When they are
 * missing, prints a failed summary and returns false: main() returns 1.
 */
static inline bool mlg_find_testmod(__u32 *p0, __u32 *p1)
{
	*p0 = mlg_proxy_id("p0");
	if (p1)
		*p1 = mlg_proxy_id("p1");
	if (*p0 && (!p1 || *p1))
		return true;
	printf("not ok - ml_lib_testmod's proxies not found\n0 passed, 1 failed\n");
	return false;
}

/* An agent: one attached fd and its mapped rings. */
struct mlg_agent {
	int fd;
	__u32 proxy_id;
	__u32 nr_rings;
	__u32 ncpu;
	struct ml_lib_ring_info info[MLG_MAX_RINGS];
	void *map[MLG_MAX_RINGS];
};

/* Attach to @id with the given ring parameters and map every ring; 0 or -errno. */
static inline int mlg_attach(struct mlg_agent *a, __u32 id, __u32 sample_records,
			     __u32 feedback_records, __u32 watermark, __u32 wakeup_ms)
{
	struct ml_lib_attach at = {
		.size = sizeof(at), .proxy_id = id, .sample_records = sample_records,
		.feedback_records = feedback_records, .wakeup_watermark = watermark,
		.wakeup_ms = wakeup_ms,
	};
	__u32 i;

	memset(a, 0, sizeof(*a));
	a->fd = mlg_open();
	if (a->fd < 0)
		return -errno;
	if (ioctl(a->fd, ML_LIB_IOC_ATTACH, &at)) {
		int e = -errno;

		close(a->fd);
		a->fd = -1;
		return e;
	}
	a->proxy_id = id;
	a->nr_rings = at.nr_rings;
	a->ncpu = at.nr_rings / 2;
	if (a->nr_rings > MLG_MAX_RINGS)
		return -E2BIG;
	for (i = 0; i < a->nr_rings; i++) {
		a->info[i].size = sizeof(a->info[i]);
		a->info[i].index = i;
		if (ioctl(a->fd, ML_LIB_IOC_RING_INFO, &a->info[i]))
			return -errno;
		a->map[i] = mmap(NULL, a->info[i].mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 a->fd, a->info[i].mmap_offset);
		if (a->map[i] == MAP_FAILED) {
			a->map[i] = NULL;
			return -errno;
		}
	}
	return 0;
}

static inline void mlg_unmap(struct mlg_agent *a)
{
	__u32 i;

	for (i = 0; i < a->nr_rings; i++) {
		if (a->map[i])
			munmap(a->map[i], a->info[i].mmap_size);
		a->map[i] = NULL;
	}
}

/* Unmap and close: the agent is gone. */
static inline void mlg_close(struct mlg_agent *a)
{
	mlg_unmap(a);
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

static inline struct ml_lib_ring_ctl *mlg_ring(struct mlg_agent *a, __u32 index)
{
	return (struct ml_lib_ring_ctl *)a->map[index];
}

static inline __u64 mlg_pending(struct mlg_agent *a, __u32 index)
{
	struct ml_lib_ring_ctl *c = mlg_ring(a, index);

	return ml_ring_load_acquire(&c->head) - c->tail;
}

/*
 * Consume up to @max records of ring @index into @out (record_size bytes
 * each; @out may be NULL to discard). Returns the number consumed.
 */
static inline __u64 mlg_consume(struct mlg_agent *a, __u32 index, void *out, __u64 max)
{
	struct ml_lib_ring_ctl *c = mlg_ring(a, index);
	__u32 rs = a->info[index].record_size, nr = a->info[index].nr_records;
	__u64 head = ml_ring_load_acquire(&c->head), tail = c->tail, n = 0;

	while (tail != head && n < max) {
		if (out)
			memcpy((char *)out + n * rs,
			       (char *)c + ml_ring_slot_offset(tail, nr, rs), rs);
		tail++;
		n++;
	}
	ml_ring_store_release(&c->tail, tail);
	return n;
}

/*
 * Consume every feedback record of every CPU; keep up to @max of @type
 * (0: all) in @out, sorted by the time they were written.
 */
static inline int mlg_feedback(struct mlg_agent *a, __u16 type, struct ml_lib_feedback *out,
			       int max)
{
	struct ml_lib_feedback fb;
	__u32 cpu;
	int n = 0, i, j;

	for (cpu = 0; cpu < a->ncpu; cpu++)
		while (mlg_consume(a, ml_ring_feedback_index(cpu, a->ncpu), &fb, 1))
			if ((!type || fb.type == type) && n < max)
				out[n++] = fb;
	/*
	 * Each CPU has its own feedback ring, and the kernel writes a record
	 * on the CPU its event ran on: a test that pushes tables may migrate
	 * between pushes. Sorted by time (stable), the records are in the
	 * order their events happened.
	 */
	for (i = 1; i < n; i++) {
		fb = out[i];
		for (j = i; j > 0 && out[j - 1].ts_ns > fb.ts_ns; j--)
			out[j] = out[j - 1];
		out[j] = fb;
	}
	return n;
}

/* Drain every ring. */
static inline void mlg_drain(struct mlg_agent *a)
{
	__u32 i;

	for (i = 0; i < a->nr_rings; i++)
		mlg_consume(a, i, NULL, ~0ULL);
}

/* A table blob of @n entries; free() it. */
static inline struct ml_lib_table *mlg_table(__u32 n, __u32 nr_actions, __u64 version,
					     __u64 *len)
{
	struct ml_lib_table *t;

	*len = sizeof(*t) + (__u64)n * sizeof(struct ml_lib_table_entry);
	t = calloc(1, *len);
	t->size = sizeof(*t);
	t->format = ML_LIB_TABLE_FORMAT;
	t->version = version;
	t->nr_entries = n;
	t->nr_actions = nr_actions;
	return t;
}

static inline struct ml_lib_table_entry *mlg_entries(struct ml_lib_table *t)
{
	return (struct ml_lib_table_entry *)((char *)t + t->size);
}

/* Push a table blob; 0 or -errno. */
static inline int mlg_push(int fd, const void *blob, __u64 len)
{
	struct ml_lib_push p = { .size = sizeof(p), .kind = ML_LIB_PUSH_TABLE,
				 .data = (__u64)(uintptr_t)blob, .len = len };

	return ioctl(fd, ML_LIB_IOC_PUSH, &p) ? -errno : 0;
}

static inline int mlg_status(int fd, __u32 id, struct ml_lib_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->proxy_id = id;
	return ioctl(fd, ML_LIB_IOC_STATUS, st) ? -errno : 0;
}

static inline int mlg_set_mode(int fd, __u32 id, __u32 mode)
{
	struct ml_lib_set_mode m = { .size = sizeof(m), .proxy_id = id, .mode = mode };

	return ioctl(fd, ML_LIB_IOC_SET_MODE, &m) ? -errno : 0;
}

/* The ioctl's errno, or 0 on success. */
#define MLG_ERR(call) ((call) ? errno : 0)

#endif /* ML_LIB_GUEST_H */
