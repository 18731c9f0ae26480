#!/bin/bash
# Install what ml-lib needs to build, test and demo, idempotently.
#
# A second run finds everything present and returns in about a second: the
# only work it does is a few dpkg-query calls. Apt is touched only when a
# package is missing.
#
# The guest kernel is Debian's 6.12 (bookworm-security). Its exact ABI name is
# resolved from the linux-image-6.12-amd64 meta package and cached in
# build/kver; never from `uname -r`, which is the host's kernel.
set -euo pipefail

KSERIES=${KSERIES:-6.12}
TOP=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

# Host tools and libraries; docs/testing.md says what each is for.
PKGS=(
	build-essential clang libclang-rt-14-dev valgrind qemu-user
	qemu-system-x86 busybox-static cpio kmod xz-utils
	sparse
	libsqlite3-dev libinih-dev liblinear-dev libblas-dev librocksdb-dev
	systemd
	fio e2fsprogs f2fs-tools sqlite3
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

updated=0
apt_update() {
	[ "$updated" = 1 ] && return
	apt-get update -qq
	updated=1
}

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt_update
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The 6.12 kernel: image (booted in QEMU) and headers (to build modules).
if ! KVER=$("$TOP/scripts/kver.sh" 2>/dev/null); then
	apt_update
	KVER=$(apt-cache depends "linux-image-$KSERIES-amd64" |
		awk '/Depends: linux-image-/{sub("linux-image-","",$2); print $2; exit}')
	[ -n "$KVER" ] || { echo "deps: cannot resolve linux-image-$KSERIES-amd64" >&2; exit 1; }
	echo "deps: installing kernel $KVER"
	# INITRD=No: the host never boots this kernel, so skip the 50 s host
	# initrd build.
	INITRD=No apt-get install -y -qq --no-install-recommends \
		"linux-image-$KVER" "linux-headers-$KVER" >/dev/null
	"$TOP/scripts/kver.sh" >/dev/null
fi
exit 0
