#!/bin/bash
# A parent meson project vendors libdmaheap as a subproject: it must build
# and run without cmocka, register none of the library's tests (the kernel
# suite above all) and install nothing of the library.
# usage: tests/subproject/check.sh [WORKDIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(realpath -m "${1:-$(mktemp -d)}")
rm -rf "$work"
mkdir -p "$work/pkgconfig"
trap 'rm -rf "$work"' EXIT

fail() { echo "subproject: $*" >&2; exit 1; }

cp -r "$top/tests/subproject/parent" "$work/parent"
mkdir "$work/parent/subprojects"
ln -s "$top" "$work/parent/subprojects/libdmaheap"

# pkg-config sees every package of this machine but cmocka, so cmocka
# cannot be found even where it is installed, while optional parts
# (the GStreamer plugin) could be: as a subproject they stay off.
for dir in $(pkg-config --variable=pc_path pkg-config | tr : ' '); do
	for pc in "$dir"/*.pc; do
		[ -e "$pc" ] && [ ! -e "$work/pkgconfig/${pc##*/}" ] &&
			ln -s "$pc" "$work/pkgconfig/"
	done
done
rm -f "$work/pkgconfig/cmocka.pc"
export PKG_CONFIG_LIBDIR=$work/pkgconfig PKG_CONFIG_PATH=

cd "$work/parent"
meson setup build --wrap-mode=forcefallback -Dwerror=true >"$work/setup.log" 2>&1 ||
	{ cat "$work/setup.log"; fail "meson setup of the parent failed"; }
if grep -qi cmocka build/meson-logs/meson-log.txt; then
	grep -i cmocka build/meson-logs/meson-log.txt
	fail "the subproject looked for cmocka"
fi
ninja -C build >"$work/build.log" 2>&1 ||
	{ cat "$work/build.log"; fail "the parent does not build"; }

# The parent's own test is the only one.
tests=$(meson test -C build --list --no-rebuild 2>/dev/null)
[ "$tests" = "parent" ] || fail "tests registered besides the parent's: $tests"
meson test -C build --print-errorlogs >"$work/test.log" 2>&1 ||
	{ cat "$work/test.log"; fail "the parent's test failed"; }

# Installing the parent installs the parent's program only.
meson install -C build --destdir "$work/dest" >/dev/null
installed=$(cd "$work/dest" && find . -type f -o -type l | sort)
[ "$(basename "$installed")" = parent ] && [ "$(echo "$installed" | wc -l)" -eq 1 ] ||
	fail "installed besides the parent's program: $installed"
echo "ok: a parent project without cmocka vendors libdmaheap, runs only its own test and installs only its own files"
