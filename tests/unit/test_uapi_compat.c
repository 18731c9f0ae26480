// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit process on a 64-bit kernel reaches ml_lib's ioctls through
 * compat_ptr_ioctl (kernel/ml_lib/ml_lib_dev.c), which passes its structs
 * on unchanged: that is right only if every UAPI struct has the same
 * layout for i386 as for x86-64. The only difference between the two ABIs
 * for the types the UAPI uses is the alignment of 64-bit integers in
 * structs (4 on i386), and that alignment can only add padding on x86-64;
 * so equal sizes mean equal offsets. The ioctl numbers encode the sizes,
 * so they are equal too. Also checked: the header has no type whose size
 * differs (long, pointers, size_t) and no struct missing from the list,
 * and that the i386 emulation moves a misplaced 64-bit field (the check
 * can fail).
 */
#include <stdio.h>
#include <string.h>
#include <linux/ml_lib.h>
#include <linux/ml_lib_model.h>
#include "mltest.h"
#include "uapi_structs.h"

#define NAME(name) #name,
#define SIZE(name) sizeof(struct name),
static const char *const names[] = { UAPI_STRUCTS(NAME) };
static const unsigned long sizes[] = { UAPI_STRUCTS(SIZE) };

static void test_same_layout(void)
{
	unsigned int i;

	MT_REQUIRE(uapi_nr_structs_i386 == sizeof(sizes) / sizeof(sizes[0]));
	for (i = 0; i < uapi_nr_structs_i386; i++)
		MT_CHECK(uapi_sizes_i386[i] == sizes[i], "struct %s: %lu bytes on x86-64, %lu on i386",
			 names[i], sizes[i], uapi_sizes_i386[i]);
	printf("# %u structs compared\n", i);
}

/* The emulation is not a no-op: a 64-bit field after a 32-bit one moves. */
struct uapi_probe {
	__u32 a;
	__u64 b;
};

static void test_misplaced_field_is_caught(void)
{
	MT_CHECK_EQ(sizeof(struct uapi_probe), 16ul);
	MT_CHECK_EQ(uapi_probe_size_i386, 12ul);
}

/* Types whose size differs between the ABIs must not appear in the UAPI. */
static void test_no_abi_dependent_types(void)
{
	static const char *const headers[] = { UAPI_DIR "/ml_lib.h", UAPI_DIR "/ml_lib_model.h" };
	static const char *const bad[] = { "long", "size_t", "void *", "char *", "ptrdiff_t" };
	unsigned int structs = 0;
	char line[512];

	for (unsigned int h = 0; h < 2; h++) {
		FILE *f = fopen(headers[h], "r");
		unsigned int n = 0, in_comment = 0;

		MT_REQUIRE(f, "%s", headers[h]);
		while (fgets(line, sizeof(line), f)) {
			char *c;

			n++;
			structs += !strncmp(line, "struct ", 7) && strstr(line, " {");
			/* Only code: drop comments (block comments may span lines). */
			if (in_comment) {
				c = strstr(line, "*/");
				if (!c)
					continue;
				memmove(line, c + 2, strlen(c + 2) + 1);
				in_comment = 0;
			}
			while ((c = strstr(line, "/*"))) {
				char *e = strstr(c + 2, "*/");

				if (!e) {
					*c = 0;
					in_comment = 1;
					break;
				}
				memmove(c, e + 2, strlen(e + 2) + 1);
			}
			for (unsigned int b = 0; b < sizeof(bad) / sizeof(bad[0]); b++)
				MT_CHECK(!strstr(line, bad[b]), "%s:%u uses %s", headers[h], n, bad[b]);
		}
		fclose(f);
	}
	/* Every struct defined is in UAPI_STRUCTS (tests/unit/uapi_structs.h). */
	MT_CHECK_EQ(structs, uapi_nr_structs_i386);
}

int main(int argc, char **argv)
{
	mt_filter(argc, argv);
	MT_RUN(test_same_layout);
	MT_RUN(test_misplaced_field_is_caught);
	MT_RUN(test_no_abi_dependent_types);
	return mt_summary();
}
