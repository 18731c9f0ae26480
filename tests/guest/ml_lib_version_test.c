// SPDX-License-Identifier: GPL-2.0
/* Guest test: /dev/ml_lib is a 0600 misc device that answers its version ioctl. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/ml_lib.h>
#include "mltest.h"

static void test_device_mode(void)
{
	struct stat st;

	MT_REQUIRE(stat(ML_LIB_DEVICE, &st) == 0, "%s", strerror(errno));
	MT_CHECK(S_ISCHR(st.st_mode), "not a character device");
	MT_CHECK_EQ(st.st_mode & 07777, 0600);
}

static void test_version(void)
{
	struct ml_lib_version v = { .size = sizeof(v) };
	int fd = open(ML_LIB_DEVICE, O_RDWR);

	MT_REQUIRE(fd >= 0, "%s", strerror(errno));
	MT_CHECK(ioctl(fd, ML_LIB_IOC_VERSION, &v) == 0, "%s", strerror(errno));
	MT_CHECK_EQ(v.major, ML_LIB_ABI_MAJOR);
	MT_CHECK_EQ(v.minor, ML_LIB_ABI_MINOR);
	MT_CHECK_EQ(v.max_features, ML_LIB_MAX_FEATURES);
	MT_CHECK_EQ(v.max_actions, ML_LIB_MAX_ACTIONS);
	close(fd);
}

static void test_version_bad_size(void)
{
	struct ml_lib_version v = { .size = 2 };
	int fd = open(ML_LIB_DEVICE, O_RDWR);

	MT_REQUIRE(fd >= 0, "%s", strerror(errno));
	MT_CHECK(ioctl(fd, ML_LIB_IOC_VERSION, &v) == -1 && errno == EINVAL,
		 "size 2: %s", strerror(errno));
	v.size = 1 << 20;
	MT_CHECK(ioctl(fd, ML_LIB_IOC_VERSION, &v) == -1 && errno == E2BIG,
		 "size 1M: %s", strerror(errno));
	MT_CHECK(ioctl(fd, _IO(ML_LIB_IOC_MAGIC, 0x7f)) == -1 && errno == ENOTTY,
		 "unknown ioctl: %s", strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_device_mode);
	MT_RUN(test_version);
	MT_RUN(test_version_bad_size);
	return mt_summary();
}
