#!/bin/bash
# Print the ABI name of the newest installed Debian 6.12 kernel that has both
# its image and its headers (e.g. 6.12.118+deb12-amd64); fail if none.
# Never `uname -r`: the host runs another kernel and cannot load modules.
set -euo pipefail
KSERIES=${KSERIES:-6.12}
for d in $(ls -d /usr/src/linux-headers-"$KSERIES".*-amd64 2>/dev/null | sort -rV); do
	k=${d#/usr/src/linux-headers-}
	if [ -e "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/kernel" ]; then
		echo "$k"
		exit 0
	fi
done
echo "kver: no Debian $KSERIES kernel with headers installed; run 'make deps'" >&2
exit 1
