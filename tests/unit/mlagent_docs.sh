#!/bin/bash
# Host test: every public function of libmlagent (exported, or inline in
# mlagent.h) has a man page; every man page (sections 3, 7, 8) renders with
# `man -l` without a warning; every mlctl command is documented in mlctl(8).
# Prints "N passed, N failed".
# usage: mlagent_docs.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
cd "$TOP/man" || exit 1
. "$TOP/tests/lib/result.sh"

bad=""
for p in man3/*.3 man7/*.7 man8/*.8; do
	w=$(MANWIDTH=80 man --warnings=all -E UTF-8 -l "$p" 2>&1 >/dev/null)
	[ -z "$w" ] || bad="$bad$p: $w"$'\n'
	lexgrog "$p" >/dev/null 2>&1 || bad="$bad$p: no NAME section that whatis can read"$'\n'
	case $(head -c 4 "$p") in
	.so*) [ -e "$(sed 's/^\.so //' "$p")" ] || bad="$bad$p: broken .so link"$'\n' ;;
	esac
done
result "$([ -z "$bad" ]; echo $?)" "man pages render without warnings" "$bad"

# The public functions: the exported symbols (less the private mla__*, the
# slow paths of inline functions) and the header's static inline functions.
so=$(ls "$TOP/$BUILD"/user/lib/libmlagent.so.*.*.* 2>/dev/null | head -1)
exported=$(nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }')
inline=$(sed -n 's/^static inline [^(]*[ *]\(mla_[a-z_]*\)(.*/\1/p' "$TOP/user/lib/mlagent.h")
syms=$(printf '%s\n' $exported $inline | grep -v '^mla__' | sort -u)
missing=""
for s in $syms; do
	[ -e "man3/$s.3" ] || missing="$missing $s"
done
result "$([ -n "$exported" ] && [ -n "$inline" ] && [ -z "$missing" ]; echo $?)" \
	"every public function has a man page ($(echo $syms | wc -w) functions)" "missing:$missing"

stale=""
for p in man3/*.3; do
	n=$(basename "$p" .3)
	grep -qx "$n" <<< "$syms" || stale="$stale $n"
done
result "$([ -z "$stale" ]; echo $?)" "every section 3 page names a public function" "stale:$stale"

undoc=""
for c in $("$TOP/$BUILD/user/ctl/mlctl" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
	grep -Fq -e ".B $c" -e "\\fB$c" -e "mlctl $c" man8/mlctl.8 || undoc="$undoc $c"
done
result "$([ -z "$undoc" ]; echo $?)" "every mlctl command is in mlctl(8)" "undocumented:$undoc"

summary
