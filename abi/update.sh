#!/bin/sh
# Regenerates the ABI baselines that the abi suite's abidiff tests compare
# each build with (tests/abi/check-abi.sh): one command, run when an
# interface is meant to change before a release, and at the release.
#
#   abi/update.sh [BUILDDIR]
#
# Builds the three shared libraries in BUILDDIR (default build-abi, made
# fresh) as the tests build them (gcc, debug info, x86-64) and writes
# abi/libdmaheap.abi, abi/libdmaheap-android.abi and
# abi/libgstdmaheap-1.0.abi with abidw. Only the
# types of the installed headers are kept, without source locations or
# paths, so that a baseline changes when the interface does and not when
# a line moves. Needs abigail-tools, meson, ninja, gcc and g++.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build-abi}
command -v abidw >/dev/null || { echo "abi/update.sh: abidw not found (apt-get install abigail-tools)" >&2; exit 1; }
case $(uname -m) in
x86_64) ;;
*) echo "abi/update.sh: the baselines are x86-64's; this is $(uname -m)" >&2; exit 1 ;;
esac
rm -rf "$build"
CC=gcc CXX=g++ meson setup "$build" "$top" -Dbuildtype=debugoptimized \
	-Dtests=false -Dtools=false -Dmock=false -Dgst=disabled \
	-Dman=disabled -Dandroid=enabled -Dgst=enabled >/dev/null
ninja -C "$build" >/dev/null
"$top/abi/abidw.sh" "$build/lib/libdmaheap.so" "$top/abi/libdmaheap.abi" \
	"$top/include"
"$top/abi/abidw.sh" "$build/android/libdmaheap-android.so" \
	"$top/abi/libdmaheap-android.abi" "$top/android/include" "$top/include"
# The GStreamer helper library: its public header alone, as the
# abidiff-gst test describes it.
gsthd=$(mktemp -d)
trap 'rm -rf "$gsthd"' EXIT
cp "$top/gst/gstdmaheap.h" "$gsthd/"
"$top/abi/abidw.sh" "$build/gst/libgstdmaheap-1.0.so" \
	"$top/abi/libgstdmaheap-1.0.abi" "$gsthd"
echo "abi/update.sh: wrote abi/libdmaheap.abi, abi/libdmaheap-android.abi and abi/libgstdmaheap-1.0.abi; review with git diff abi/"
