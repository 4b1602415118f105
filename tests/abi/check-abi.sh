#!/bin/sh
# The library's ABI against its committed baseline (abi/*.abi, made by
# abi/update.sh): abidw describes this build the same way, and abidiff
# compares. Any change to what the baseline has (a symbol removed, a
# public type's size or members, a function's signature) fails; symbols
# added are shown and pass, until abi/update.sh takes them in.
#   check-abi.sh ABIDW_SH BASELINE LIBRARY HEADERS_DIR...
set -eu
abidw_sh=$1
baseline=$2
lib=$3
shift 3
command -v abidiff >/dev/null ||
	{ echo "skip: abidiff not found (abigail-tools)"; exit 77; }
# Without DWARF abidw sees symbols only, and a changed struct would pass.
if ! LC_ALL=C readelf -S "$lib" | grep -q '\.debug_info'; then
	echo "skip: $lib has no debug info (build with -g: buildtype debug or debugoptimized)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$abidw_sh" "$lib" "$tmp/new.abi" "$@"
# Added symbols are filtered out: what remains is a change to what 0.2.0
# programs already use. abidiff's status is a bit field: 1 error, 2
# usage, 4 change, 8 incompatible change.
rc=0
abidiff --no-added-syms "$baseline" "$tmp/new.abi" >"$tmp/diff" 2>&1 || rc=$?
if [ $((rc & 3)) -ne 0 ]; then
	cat "$tmp/diff"
	echo "FAIL: abidiff could not compare (status $rc)"
	exit 1
fi
if [ $((rc & 12)) -ne 0 ]; then
	cat "$tmp/diff"
	echo "FAIL: $(basename "$lib") changes the ABI of $(basename "$baseline") (above)."
	echo "A changed or removed interface needs a new soname; one meant before the release: abi/update.sh"
	exit 1
fi
# Symbols added since the baseline: compatible, shown until recorded.
abidiff "$baseline" "$tmp/new.abi" >"$tmp/added" 2>&1 || true
if grep -q 'Added' "$tmp/added" && ! grep -q ' 0 Added function' "$tmp/added"; then
	cat "$tmp/added"
	echo "ok: only additions against $(basename "$baseline") (above); abi/update.sh records them"
else
	echo "ok: $(basename "$lib") has the ABI of $(basename "$baseline")"
fi
