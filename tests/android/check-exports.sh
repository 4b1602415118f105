#!/bin/sh
# Fails unless libdmaheap-android exports exactly the functions its version
# script lists, each versioned DMAHEAP_ANDROID_0.2: Android's C API and
# the dmaheap_android_* bridge, nothing of libdmaheap's or the C runtime's.
set -eu
lib=$1
map=$2
got=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sort) ||
	{ echo "nm failed on $lib"; exit 1; }
want=$(awk '/global:/ {on = 1; next} /local:/ {on = 0} on && NF {
	sub(/;/, ""); print $1 "@@DMAHEAP_ANDROID_0.2"}' "$map" | sort)
if [ "$got" != "$want" ]; then
	echo "exports of $lib differ from $map:"
	printf '%s\n' "$want" > "${TMPDIR:-/tmp}/want.$$"
	printf '%s\n' "$got" | diff -u "${TMPDIR:-/tmp}/want.$$" - || true
	rm -f "${TMPDIR:-/tmp}/want.$$"
	exit 1
fi
echo "ok: $(printf '%s\n' "$got" | wc -l) functions exported, all versioned"
