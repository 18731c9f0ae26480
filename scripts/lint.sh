#!/bin/bash
# Kernel lint: checkpatch, sparse and kernel-doc over the kernel code
# (kernel/, core/, include/, tests/vm/modules/). Prints "N passed, N failed".
#
# checkpatch.pl and kernel-doc are not in Debian's headers packages: the first
# run takes them out of linux-source-$KSERIES (one apt download, ~10 s) into
# a cache that later runs reuse.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
BUILD=${BUILD:-build}
KSERIES=${KSERIES:-6.12}
KVER=$(scripts/kver.sh) || exit 1
CACHE=${ML_LIB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ml-lib}/linux-$KSERIES-scripts
# result and summary: the shell tests' "N passed, N failed".
. tests/lib/result.sh

if [ ! -x "$CACHE/checkpatch.pl" ] || [ ! -x "$CACHE/kernel-doc" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download "linux-source-$KSERIES" >/dev/null 2>&1) ||
		{ apt-get update -qq && (cd "$tmp" && apt-get download "linux-source-$KSERIES" >/dev/null 2>&1); } ||
		{ echo "lint: cannot download linux-source-$KSERIES"; rm -rf "$tmp"; echo "0 passed, 1 failed"; exit 1; }
	mkdir -p "$CACHE"
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-*.deb |
		tar -xO "./usr/src/linux-source-$KSERIES.tar.xz" | xz -dc |
		tar -x -C "$tmp" --wildcards "linux-source-$KSERIES/scripts/checkpatch.pl" \
			"linux-source-$KSERIES/scripts/spelling.txt" \
			"linux-source-$KSERIES/scripts/const_structs.checkpatch" \
			"linux-source-$KSERIES/scripts/kernel-doc"
	cp "$tmp/linux-source-$KSERIES"/scripts/* "$CACHE/"
	rm -rf "$tmp"
fi

FILES=$(find kernel core include tests/vm/modules -name '*.[ch]' 2>/dev/null | sort)

# checkpatch: kernel style, every file.
out=$(perl "$CACHE/checkpatch.pl" --no-tree --terse --show-types --max-line-length=100 \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $FILES 2>&1 |
	grep -E '(WARNING|ERROR|CHECK):')
result "$([ -z "$out" ]; echo $?)" "checkpatch" "$out"

# sparse, on a separate copy of the module tree so the normal build is untouched.
S=$BUILD/sparse
mkdir -p "$S"
cp --parents -u -p Kbuild $FILES $(find kernel core tests/vm/modules -name Kbuild) "$S/" 2>/dev/null
out=$(make -s -C "/usr/src/linux-headers-$KVER" M="$TOP/$S" C=2 CHECK=sparse modules 2>&1 |
	grep -E 'warning:|error:')
result "$([ -z "$out" ]; echo $?)" "sparse" "$out"

# kernel-doc: no warnings, and every exported symbol documented.
out=$(perl "$CACHE/kernel-doc" -none -Wall $FILES 2>&1)
for f in $FILES; do
	for sym in $(sed -n 's/^EXPORT_SYMBOL_GPL(\(.*\));/\1/p' "$f"); do
		grep -Eq "^ \* $sym\(\) - |^ \* $sym - " "$f" ||
			out="$out"$'\n'"$f: exported $sym has no kernel-doc comment"
	done
	if grep -q '^EXPORT_SYMBOL(' "$f"; then
		out="$out"$'\n'"$f: use EXPORT_SYMBOL_GPL"
	fi
done
out=$(sed '/^$/d' <<< "$out")
result "$([ -z "$out" ]; echo $?)" "kernel-doc" "$out"

summary
