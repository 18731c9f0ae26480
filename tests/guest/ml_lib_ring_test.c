// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test: attaching, the per-CPU rings and their mapping, publishing
 * and consuming exact samples, drops, poll() and its batched wake-ups,
 * detach on destroy. Needs ml_lib_testmod.
 */
#include <pthread.h>
#include <sys/stat.h>
#include "ml_lib_guest.h"

static __u32 id_p0, id_p1;

static void test_attach_exclusive(void)
{
	struct mlg_agent a, b;

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(a.ncpu * 2, a.nr_rings);
	MT_CHECK(a.ncpu >= 1 && a.ncpu <= 32, "ncpu %u", a.ncpu);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "agent_pid"), getpid());
	/* A second agent for the same proxy. */
	MT_CHECK_EQ(mlg_attach(&b, id_p0, 64, 64, 0, 0), -EBUSY);
	/* The same fd for a second proxy. */
	struct ml_lib_attach at = { .size = sizeof(at), .proxy_id = id_p1 };

	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_ATTACH, &at)), EBUSY);
	MT_CHECK_EQ(mlg_sysfs("p1", "attached"), 0);
	/* Another fd for the other proxy. */
	MT_CHECK_EQ(mlg_attach(&b, id_p1, 0, 0, 0, 0), 0);
	MT_CHECK_EQ(b.info[0].nr_records, ML_RING_DEFAULT_RECORDS);
	mlg_close(&b);
	MT_CHECK_EQ(mlg_sysfs("p1", "attached"), 0);

	mlg_unmap(&a);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_DETACH)), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_DETACH)), ENOTCONN);
	/* The fd may attach again after a detach. */
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_ATTACH, &at)), 0);
	MT_CHECK_EQ(mlg_sysfs("p1", "attached"), 1);
	close(a.fd);
	MT_CHECK_EQ(mlg_sysfs("p1", "attached"), 0);
}

static void test_attach_bad_input(void)
{
	static const struct {
		struct ml_lib_attach at;
		int err;
	} cases[] = {
		{ { .size = sizeof(struct ml_lib_attach), .flags = 1 }, EINVAL },
		{ { .size = sizeof(struct ml_lib_attach), .nr_rings = 3 }, EINVAL },
		{ { .size = sizeof(struct ml_lib_attach), .sample_records = 100 }, EINVAL },
		{ { .size = sizeof(struct ml_lib_attach), .feedback_records = 65 }, EINVAL },
		{ { .size = sizeof(struct ml_lib_attach), .sample_records = 32 }, ERANGE },
		{ { .size = sizeof(struct ml_lib_attach), .feedback_records = 1u << 21 }, ERANGE },
		{ { .size = sizeof(struct ml_lib_attach), .sample_records = 64,
		    .wakeup_watermark = 65 }, ERANGE },
		{ { .size = sizeof(struct ml_lib_attach), .wakeup_ms = 60001 }, ERANGE },
		{ { .size = sizeof(struct ml_lib_attach) - 4 }, EINVAL },
		{ { .size = 2 }, EINVAL },
	};
	long long bad0 = mlg_global_bad_requests(), pbad0 = mlg_sysfs("p0", "bad_requests");
	int fd = mlg_open();
	unsigned int i;

	MT_REQUIRE(fd >= 0, "%s", strerror(errno));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ml_lib_attach at = cases[i].at;

		at.proxy_id = id_p0;
		MT_CHECK(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, &at)) == cases[i].err,
			 "case %u: %s", i, strerror(errno));
		MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
	}
	MT_CHECK_EQ(mlg_global_bad_requests(), bad0 + (long long)i);
	/* Structural errors are rejected before the proxy is looked up: global only. */
	MT_CHECK_EQ(mlg_sysfs("p0", "bad_requests"), pbad0);

	/* A larger struct: fine when the tail is zero, E2BIG when not. */
	struct {
		struct ml_lib_attach at;
		__u64 more;
	} big = { { .size = sizeof(big), .proxy_id = id_p0 }, 0 };

	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, &big)), 0);
	MT_CHECK_EQ(big.at.nr_rings % 2, 0);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_DETACH)), 0);
	big.more = 1;
	big.at.nr_rings = 0;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, &big)), E2BIG);
	big.at.size = 1 << 20;
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, &big)), E2BIG);
	/* Unknown proxy: counted globally. */
	struct ml_lib_attach at = { .size = sizeof(at), .proxy_id = 0x7fffffff };

	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, &at)), ENOENT);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, NULL)), EFAULT);
	MT_CHECK_EQ(mlg_sysfs("p0", "attached"), 0);
	close(fd);
}

#define MAX_RING_MB "/sys/module/ml_lib/parameters/max_ring_mb"

/*
 * max_ring_mb caps the ring memory of one attachment (all CPUs' sample and
 * feedback rings, page-rounded): above it ATTACH is E2BIG, counted, and
 * nothing attaches; at or below it, it attaches. The knob refuses values
 * out of 1..2^20 and keeps its value.
 */
static void test_attach_ring_cap(void)
{
	static const __u32 sizes[][2] = {
		{ 64, 64 }, { 4096, 2048 }, { 8192, 2048 }, { 1u << 16, 1u << 16 },
	};
	char old[32], now[32];
	long long pbad0 = mlg_sysfs("p0", "bad_requests");
	unsigned int i, refused = 0, fitted = 0;
	struct mlg_agent a;
	__u32 ncpu;
	int fd;

	MT_REQUIRE(mlg_read_file(MAX_RING_MB, old, sizeof(old)) == 0, "read %s", MAX_RING_MB);
	MT_CHECK_EQ(strtol(old, NULL, 10), 1024);
	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	ncpu = a.ncpu;
	mlg_close(&a);

	MT_CHECK_EQ(mlg_write_file(MAX_RING_MB, "0"), -EINVAL);
	MT_CHECK_EQ(mlg_write_file(MAX_RING_MB, "1048577"), -EINVAL);
	MT_CHECK_EQ(mlg_write_file(MAX_RING_MB, "x"), -EINVAL);
	MT_CHECK(mlg_read_file(MAX_RING_MB, now, sizeof(now)) == 0 && !strcmp(now, old),
		 "unchanged: %s", now);

	MT_REQUIRE(mlg_write_file(MAX_RING_MB, "1") == 0, "set max_ring_mb");
	fd = mlg_open();
	MT_REQUIRE(fd >= 0, "%s", strerror(errno));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ml_lib_attach at = {
			.size = sizeof(at), .proxy_id = id_p0,
			.sample_records = sizes[i][0], .feedback_records = sizes[i][1],
		};
		/* The test module's proxy p0: 40-byte samples, 128-byte feedback. */
		__u64 bytes = ncpu * (ml_ring_map_bytes(40, sizes[i][0], 4096) +
				      ml_ring_map_bytes(128, sizes[i][1], 4096));
		int want = bytes > (1u << 20) ? E2BIG : 0;

		MT_CHECK(MLG_ERR(ioctl(fd, ML_LIB_IOC_ATTACH, &at)) == want,
			 "%u x %u slots on %u CPUs (%llu bytes): %s", sizes[i][0], sizes[i][1],
			 ncpu, (unsigned long long)bytes, strerror(errno));
		MT_CHECK_EQ(mlg_sysfs("p0", "attached"), !want);
		if (want) {
			refused++;
		} else {
			fitted++;
			MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_DETACH)), 0);
		}
	}
	close(fd);
	MT_CHECK(refused && fitted, "both sides of the cap tried: %u refused, %u fitted",
		 refused, fitted);
	MT_CHECK_EQ(mlg_sysfs("p0", "bad_requests"), pbad0 + refused);
	MT_CHECK_EQ(mlg_write_file(MAX_RING_MB, old), 0);
}

static void test_ring_info_and_mmap(void)
{
	struct mlg_agent a;
	struct ml_lib_ring_info ri = { .size = sizeof(ri) };
	__u64 off = 0;
	__u32 i;
	void *m;

	MT_REQUIRE(mlg_attach(&a, id_p0, 128, 64, 0, 0) == 0, "attach");
	for (i = 0; i < a.nr_rings; i++) {
		struct ml_lib_ring_info *r = &a.info[i];
		struct ml_lib_ring_ctl *c = mlg_ring(&a, i);
		bool sample = i < a.ncpu;

		MT_CHECK_EQ(r->kind, sample ? ML_LIB_RING_SAMPLES : ML_LIB_RING_FEEDBACK);
		MT_CHECK_EQ(r->cpu, sample ? i : i - a.ncpu);
		MT_CHECK_EQ(r->record_size, sample ? 40 : 128);
		MT_CHECK_EQ(r->nr_records, sample ? 128 : 64);
		MT_CHECK_EQ(r->mmap_offset, off);
		MT_CHECK_EQ(r->mmap_size, ml_ring_map_bytes(r->record_size, r->nr_records, 4096));
		off += r->mmap_size;
		MT_CHECK_EQ(c->record_size, r->record_size);
		MT_CHECK_EQ(c->nr_records, r->nr_records);
		/* The feedback ring of the attaching CPU has the mode record. */
		MT_CHECK(sample ? c->head == 0 : c->head <= 1, "head %llu", c->head);
		MT_CHECK_EQ(c->tail, 0);
	}
	ri.index = a.nr_rings;
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_RING_INFO, &ri)), EINVAL);
	ri.index = 0;
	ri.size = 8;
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_RING_INFO, &ri)), EINVAL);

	/* Offsets that are not a ring's start, sizes beyond a ring, exec. */
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, a.fd, 4096);
	MT_CHECK(m == MAP_FAILED && errno == EINVAL, "offset inside a ring: %s", strerror(errno));
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, a.fd, off);
	MT_CHECK(m == MAP_FAILED && errno == EINVAL, "offset past the rings: %s", strerror(errno));
	m = mmap(NULL, a.info[0].mmap_size + 4096, PROT_READ, MAP_SHARED, a.fd, 0);
	MT_CHECK(m == MAP_FAILED && errno == EINVAL, "too large: %s", strerror(errno));
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, a.fd, 0);
	MT_CHECK(m == MAP_FAILED && errno == EPERM, "exec: %s", strerror(errno));
	/* Only the control page: fine. */
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, a.fd, a.info[1 % a.nr_rings].mmap_offset);
	MT_CHECK(m != MAP_FAILED, "control page only: %s", strerror(errno));
	if (m != MAP_FAILED)
		munmap(m, 4096);
	mlg_close(&a);

	/* Not attached: nothing to map, nothing will ever be readable. */
	int fd = mlg_open();
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	MT_CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLHUP, "revents %#x", pfd.revents);

	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	MT_CHECK(m == MAP_FAILED && errno == ENOTCONN, "unattached: %s", strerror(errno));
	ri.size = sizeof(ri);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_RING_INFO, &ri)), ENOTCONN);
	MT_CHECK_EQ(MLG_ERR(ioctl(fd, ML_LIB_IOC_HEARTBEAT)), ENOTCONN);
	close(fd);
}

/* Samples published on each CPU arrive, exact and in order, on that CPU's ring only. */
static void test_publish_consume_exact(void)
{
	struct mlg_agent a;
	long long pub0 = mlg_sysfs("p0", "published");
	__u64 buf[40 / 8 * 16];
	__u32 cpu, r;

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	for (cpu = 0; cpu < a.ncpu; cpu++) {
		__u64 prev_ts = 0;

		MT_CHECK_EQ(mlg_ctl("publish p0 %u %u 10 %d %d", cpu, 1000 * cpu + 5, -7, 900), 0);
		MT_CHECK_EQ(mlg_last("published"), 10);
		for (r = 0; r < a.ncpu; r++)
			MT_CHECK_EQ(mlg_pending(&a, r), r == cpu ? 10 : 0);
		MT_CHECK_EQ(mlg_ring(&a, cpu)->head, 10);
		MT_REQUIRE(mlg_consume(&a, cpu, buf, 16) == 10, "10 records");
		for (r = 0; r < 10; r++) {
			struct ml_lib_sample *s = (struct ml_lib_sample *)&buf[r * 5];

			MT_CHECK_EQ(s->key, 1000 * cpu + 5 + r);
			MT_CHECK_EQ(s->decision_id, 0);
			MT_CHECK_EQ(s->features[0], -7 + (int)r);
			MT_CHECK_EQ(s->features[1], 900 - (int)r);
			MT_CHECK(s->ts_ns >= prev_ts && s->ts_ns, "timestamps in order");
			prev_ts = s->ts_ns;
		}
	}
	MT_CHECK_EQ(mlg_sysfs("p0", "published"), pub0 + 10 * a.ncpu);
	/* Wrap around the ring several times, consuming as we go. */
	for (r = 0; r < 5; r++) {
		MT_CHECK_EQ(mlg_ctl("publish p0 0 %u 50 0 0", 100 * r), 0);
		MT_CHECK_EQ(mlg_last("published"), 50);
		MT_CHECK_EQ(mlg_consume(&a, 0, buf, 1), 1);
		MT_CHECK_EQ(((struct ml_lib_sample *)buf)->key, 100 * r);
		MT_CHECK_EQ(mlg_consume(&a, 0, NULL, 100), 49);
	}
	MT_CHECK_EQ(mlg_ring(&a, 0)->head, 10 + 250);
	mlg_close(&a);
}

static void test_drops_while_stalled(void)
{
	struct mlg_agent a;
	long long drop0 = mlg_sysfs("p0", "dropped");
	__u64 buf[5 * 64];
	__u64 i;

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 100 0 0"), 0);
	MT_CHECK_EQ(mlg_last("published"), 64);
	MT_CHECK_EQ(mlg_last("enobufs"), 36);
	MT_CHECK_EQ(mlg_ring(&a, 0)->dropped, 36);
	MT_CHECK_EQ(mlg_sysfs("p0", "dropped"), drop0 + 36);
	/* The first 64 are kept, in order; consume 10 and 10 more fit. */
	MT_CHECK_EQ(mlg_consume(&a, 0, buf, 10), 10);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 1000 20 0 0"), 0);
	MT_CHECK_EQ(mlg_last("published"), 10);
	MT_CHECK_EQ(mlg_last("enobufs"), 10);
	MT_CHECK_EQ(mlg_ring(&a, 0)->dropped, 46);
	MT_CHECK_EQ(mlg_consume(&a, 0, buf, 64), 64);
	for (i = 0; i < 64; i++)
		MT_CHECK_EQ(((struct ml_lib_sample *)&buf[5 * i])->key, i < 54 ? i + 10 : 1000 + i - 54);
	/* A corrupted tail never lets the kernel overwrite: it reads as full. */
	mlg_ring(&a, 0)->tail = mlg_ring(&a, 0)->head + 5;
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 3 0 0"), 0);
	MT_CHECK_EQ(mlg_last("enobufs"), 3);
	mlg_ring(&a, 0)->tail = mlg_ring(&a, 0)->head;
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 3 0 0"), 0);
	MT_CHECK_EQ(mlg_last("published"), 3);
	mlg_close(&a);
}

/* STATUS of p0, as any opener reads it (zeroes on failure). */
static struct ml_lib_status status_of_p0(void)
{
	struct ml_lib_status st = { 0 };
	int fd = mlg_open();

	MT_CHECK(fd >= 0 && mlg_status(fd, id_p0, &st) == 0, "status: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return st;
}

static void test_filter_and_rewrite(void)
{
	struct mlg_agent a;
	long long filt0 = mlg_sysfs("p0", "filtered");
	__u64 buf[5 * 16];

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(mlg_ctl("filter p0 3"), 0);
	MT_CHECK_EQ(mlg_ctl("rewrite p0 100"), 0);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 6 1 2"), 0);
	MT_CHECK_EQ(mlg_last("published"), 5);
	MT_CHECK_EQ(mlg_last("ecanceled"), 1);
	MT_CHECK_EQ(mlg_sysfs("p0", "filtered"), filt0 + 1);
	MT_CHECK_EQ(status_of_p0().filtered, (__u64)filt0 + 1);
	MT_REQUIRE(mlg_consume(&a, 0, buf, 16) == 5, "5 records");
	MT_CHECK_EQ(((struct ml_lib_sample *)&buf[5 * 3])->key, 4);
	MT_CHECK_EQ(((struct ml_lib_sample *)&buf[5 * 3])->features[0], 1 + 4 + 100);
	MT_CHECK_EQ(((struct ml_lib_sample *)&buf[5 * 3])->features[1], 2 - 4);
	MT_CHECK_EQ(mlg_ctl("filter p0 -1"), 0);
	MT_CHECK_EQ(mlg_ctl("rewrite p0 0"), 0);
	mlg_close(&a);
}

static void test_no_agent_and_stopped(void)
{
	long long unc0 = mlg_sysfs("p0", "unconsumed"), pub0 = mlg_sysfs("p0", "published");

	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 7 0 0"), 0);
	MT_CHECK_EQ(mlg_last("enotconn"), 7);
	MT_CHECK_EQ(mlg_sysfs("p0", "unconsumed"), unc0 + 7);
	MT_CHECK_EQ(mlg_ctl("stop p0"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "started"), 0);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 7 0 0"), 0);
	MT_CHECK_EQ(mlg_last("eagain"), 7);
	MT_CHECK_EQ(mlg_sysfs("p0", "unconsumed"), unc0 + 7);
	MT_CHECK_EQ(mlg_ctl("start p0"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "published"), pub0);
}

struct poller {
	int fd;
	int timeout_ms;
	short revents;
	int ret;
	pid_t tid;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	__atomic_store_n(&p->tid, gettid(), __ATOMIC_RELEASE);
	p->ret = poll(&pfd, 1, p->timeout_ms);
	p->revents = pfd.revents;
	return NULL;
}

/* Wait until thread @tid sleeps (state S): it is blocked in poll(). */
static int wait_sleeping(pid_t tid)
{
	long long end = mlg_now_ms() + 5000;
	char path[64], buf[256], *s;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	while (mlg_now_ms() < end) {
		if (!mlg_read_file(path, buf, sizeof(buf))) {
			s = strrchr(buf, ')');
			if (s && s[1] == ' ' && s[2] == 'S')
				return 1;
		}
		usleep(1000);
	}
	return 0;
}

/* Start a poller and wait until it is blocked. */
static int start_poller(pthread_t *t, struct poller *p)
{
	pid_t tid;

	if (pthread_create(t, NULL, poll_thread, p))
		return 0;
	while (!(tid = __atomic_load_n(&p->tid, __ATOMIC_ACQUIRE)))
		sched_yield();
	return wait_sleeping(tid);
}

static void test_poll_watermark_batching(void)
{
	struct mlg_agent a;
	struct pollfd pfd;
	struct poller p = { .timeout_ms = 20000 };
	pthread_t t;
	long long w0;

	/* Watermark 16, and a timer too slow to matter. */
	MT_REQUIRE(mlg_attach(&a, id_p0, 256, 64, 16, 60000) == 0, "attach");
	mlg_drain(&a);
	pfd = (struct pollfd){ .fd = a.fd, .events = POLLIN };
	MT_CHECK_EQ(poll(&pfd, 1, 0), 0);
	w0 = mlg_sysfs("p0", "wakeups");
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 15 0 0"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "wakeups"), w0);
	MT_CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN, "readable below the watermark");
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 1 0 0"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "wakeups"), w0 + 1);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 200 0 0"), 0);
	MT_CHECK_EQ(mlg_sysfs("p0", "wakeups"), w0 + 1);	/* one per crossing, not per record */
	mlg_drain(&a);
	MT_CHECK_EQ(poll(&pfd, 1, 0), 0);

	/* A blocked poller is woken by the crossing. */
	p.fd = a.fd;
	if (!start_poller(&t, &p)) {
		mlg_close(&a);
		MT_REQUIRE(0, "poller blocked");
	}
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 15 0 0"), 0);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 0 1 0 0"), 0);
	pthread_join(t, NULL);
	MT_CHECK(p.ret == 1 && p.revents == POLLIN, "poller woken: ret %d revents %#x", p.ret,
		 p.revents);
	MT_CHECK_EQ(mlg_sysfs("p0", "wakeups"), w0 + 2);
	MT_CHECK_EQ(status_of_p0().wakeups, (__u64)w0 + 2);
	mlg_close(&a);
}

static void test_poll_timer(void)
{
	struct mlg_agent a;
	struct poller p = { .timeout_ms = 20000 };
	pthread_t t;
	long long w0, t0;

	/* A watermark never reached: only the 20 ms timer wakes the poller. */
	MT_REQUIRE(mlg_attach(&a, id_p0, 256, 256, 200, 20) == 0, "attach");
	mlg_drain(&a);
	w0 = mlg_sysfs("p0", "wakeups");
	p.fd = a.fd;
	if (!start_poller(&t, &p)) {
		mlg_close(&a);
		MT_REQUIRE(0, "poller blocked");
	}
	t0 = mlg_now_ms();
	MT_CHECK_EQ(mlg_ctl("publish p0 1 0 1 0 0"), 0);
	pthread_join(t, NULL);
	MT_CHECK(p.ret == 1 && p.revents == POLLIN, "poller woken: ret %d revents %#x", p.ret,
		 p.revents);
	MT_CHECK(mlg_now_ms() - t0 < 10000, "woken by the timer, not the poll timeout");
	MT_CHECK(mlg_sysfs("p0", "wakeups") >= w0 + 1, "the timer's wake-up is counted");
	mlg_close(&a);
}

static void test_destroy_hangs_up(void)
{
	struct mlg_agent a;
	struct pollfd pfd;
	struct ml_lib_status st;
	struct ml_lib_ring_info ri = { .size = sizeof(ri) };
	void *m;

	MT_REQUIRE(mlg_attach(&a, id_p1, 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(mlg_ctl("publish p1 0 42 1 5 0"), 0);
	MT_CHECK_EQ(mlg_ctl("destroy p1"), 0);
	pfd = (struct pollfd){ .fd = a.fd, .events = POLLIN };
	MT_CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & (POLLHUP | POLLERR)) ==
		 (POLLHUP | POLLERR), "revents %#x", pfd.revents);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_HEARTBEAT)), ENODEV);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_RING_INFO, &ri)), ENODEV);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), -ENODEV);
	MT_CHECK_EQ(mlg_status(a.fd, id_p1, &st), -ENOENT);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, a.fd, 0);
	MT_CHECK(m == MAP_FAILED && errno == ENODEV, "mmap after destroy: %s", strerror(errno));
	/* The mapped rings stay readable. */
	MT_CHECK_EQ(mlg_pending(&a, 0), 1);
	MT_CHECK_EQ(((struct ml_lib_sample *)((char *)a.map[0] + 4096))->key, 42);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_DETACH)), 0);
	MT_CHECK_EQ(mlg_pending(&a, 0), 1);
	mlg_close(&a);
	MT_CHECK_EQ(mlg_ctl("create p1"), 0);
	id_p1 = mlg_proxy_id("p1");
	MT_CHECK(id_p1 != 0, "p1 back");
}

static void test_rings_outlive_detach(void)
{
	struct mlg_agent a;

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(mlg_ctl("publish p0 0 9 3 0 0"), 0);
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_DETACH)), 0);
	close(a.fd);
	a.fd = -1;
	/* Detached and closed: the mappings still hold the memory. */
	MT_CHECK_EQ(mlg_pending(&a, 0), 3);
	MT_CHECK_EQ(mlg_consume(&a, 0, NULL, 10), 3);
	MT_CHECK_EQ(mlg_ctl("publish p0 0 9 3 0 0"), 0);
	MT_CHECK_EQ(mlg_last("enotconn"), 3);
	MT_CHECK_EQ(mlg_pending(&a, 0), 0);
	mlg_close(&a);
}

static void test_heartbeat(void)
{
	struct mlg_agent a;
	struct ml_lib_status st;

	MT_REQUIRE(mlg_attach(&a, id_p0, 64, 64, 0, 0) == 0, "attach");
	MT_CHECK_EQ(MLG_ERR(ioctl(a.fd, ML_LIB_IOC_HEARTBEAT)), 0);
	MT_CHECK_EQ(mlg_status(a.fd, 0, &st), 0);
	MT_CHECK_EQ(st.agent_pid, getpid());
	MT_CHECK(st.heartbeat_age_ms < 5000, "age %llu", (unsigned long long)st.heartbeat_age_ms);
	mlg_close(&a);
	MT_CHECK_EQ(mlg_status(mlg_open(), id_p0, &st), 0);
	MT_CHECK_EQ(st.agent_pid, 0);
	MT_CHECK_EQ(st.heartbeat_age_ms, 0);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	if (!mlg_find_testmod(&id_p0, &id_p1))
		return 1;
	MT_RUN(test_attach_exclusive);
	MT_RUN(test_attach_bad_input);
	MT_RUN(test_attach_ring_cap);
	MT_RUN(test_ring_info_and_mmap);
	MT_RUN(test_publish_consume_exact);
	MT_RUN(test_drops_while_stalled);
	MT_RUN(test_filter_and_rewrite);
	MT_RUN(test_no_agent_and_stopped);
	MT_RUN(test_poll_watermark_batching);
	MT_RUN(test_poll_timer);
	MT_RUN(test_destroy_hangs_up);
	MT_RUN(test_rings_outlive_detach);
	MT_RUN(test_heartbeat);
	return mt_summary();
}
