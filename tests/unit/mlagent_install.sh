#!/bin/bash
# Host test: `make install-libmlagent install-mlctl` into a DESTDIR gives a
# library that programs find with pkg-config and link shared (through the
# soname) or static, the man pages and a working mlctl.
# usage: mlagent_install.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
unset MAKEFLAGS MAKELEVEL MFLAGS
make -s --no-print-directory -C "$TOP" BUILD="$BUILD" DESTDIR="$D/root" PREFIX=/usr/local \
	install-libmlagent install-mlctl > "$D/install.log" 2>&1
result $? "make install-libmlagent install-mlctl"
L=$D/root/usr/local/lib
export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D/root PKG_CONFIG_LIBDIR=

[ "$(readlink "$L/libmlagent.so")" = libmlagent.so.1 ] && [ -e "$L/libmlagent.so.1" ] &&
	readelf -d "$L/libmlagent.so.1" | grep -q 'SONAME.*\[libmlagent.so.1\]'
result $? "soname libmlagent.so.1 and its links"

cat > "$D/prog.c" <<'EOC'
#include <stdio.h>
#include <mlagent.h>
int main(void)
{
	struct mla_ctx *ctx;

	printf("%s %d %zu %d\n", mla_mode_name(ML_LIB_MODE_COLLABORATION),
	       mla_mode_parse("auto"), mla_table_size(1),
	       mla_open("/nonexistent", &ctx));
	return 0;
}
EOC
want="collaboration 255 112 -2"
cc -Wall -Werror $(pkg-config --cflags mlagent) -o "$D/prog" "$D/prog.c" $(pkg-config --libs mlagent) &&
	readelf -d "$D/prog" | grep -q 'NEEDED.*\[libmlagent.so.1\]' &&
	[ "$(LD_LIBRARY_PATH=$L "$D/prog")" = "$want" ]
result $? "a program built with pkg-config links the shared library and runs"
cc -Wall -Werror -static $(pkg-config --cflags mlagent) -o "$D/prog-static" "$D/prog.c" \
	"$L/libmlagent.a" && [ "$("$D/prog-static")" = "$want" ]
result $? "a static program links libmlagent.a and runs"

n3=$(ls "$D/root/usr/local/share/man/man3" | wc -l)
[ "$n3" = "$(ls "$TOP/man/man3" | wc -l)" ] && [ -e "$D/root/usr/local/share/man/man8/mlctl.8" ] &&
	[ -e "$D/root/usr/local/share/man/man7/libmlagent.7" ]
result $? "man pages installed ($n3 in section 3)"
"$D/root/usr/local/sbin/mlctl" --version | grep -q '^mlctl 1\.0 (ml_lib ABI 1\.'
result $? "installed mlctl runs"

summary
