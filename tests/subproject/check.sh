#!/bin/bash
# A parent meson project vendors libdmaheap as a subproject: it must build
# and run without cmocka, compile the README's image example (drm_fourcc.h
# found through the dependency), register none of the library's tests
# (the kernel suite above all) and install nothing of the library; the
# README's wrap file, pasted into an empty project, must configure.
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

# The README's image example, as a consumer pastes it: its #include lines
# (<drm_fourcc.h> among them, which the dependency must make findable) on
# top, the rest as the body of a function given a context. It compiles
# into a library of the parent's, never run.
awk '/^## Images/ { sec = 1 } sec && /^```c$/ { code = 1; next }
	code && /^```$/ { exit } code' "$top/README.md" >"$work/example.c"
grep -q '^#include <drm_fourcc.h>$' "$work/example.c" ||
	fail "README.md's image example (under '## Images') not found or without drm_fourcc.h"
{
	grep '^#include' "$work/example.c"
	echo 'void readme_image_example(struct dmaheap_ctx *ctx);'
	echo 'void readme_image_example(struct dmaheap_ctx *ctx)'
	echo '{'
	grep -v '^#include' "$work/example.c"
	echo '}'
} >"$work/parent/image.c"
# The example names the layout only to show what it holds.
cat >>"$work/parent/meson.build" <<'MESON'
static_library('readme-image', 'image.c', dependencies : dmaheap,
  c_args : '-Wno-unused-variable')
MESON

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
# The README's wrap file and dependency() line pasted into an empty
# project, the url pointing at a git repository of this source tree as it
# is (committed or not; revision = head clones its default branch): meson
# finds and configures the library through them.
mkdir -p "$work/repo" "$work/paste/subprojects"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do
			[ ! -e "$f" ] || cp --parents -P "$f" "$work/repo/"
		done)
else
	(cd "$top" && tar --exclude='./build*' -cf - .) | tar -C "$work/repo" -xf -
fi
git -C "$work/repo" init -q
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=check -c user.email=check@invalid \
	commit -qm "the tree under test"
awk '/^    # subprojects\/libdmaheap.wrap$/ { w = 1; next }
	w && /^(    .*)?$/ { sub(/^    /, ""); print; next } w { exit }' "$top/README.md" |
	sed "s|^url = .*|url = file://$work/repo|" >"$work/paste/subprojects/libdmaheap.wrap"
grep -q '^\[provide\]' "$work/paste/subprojects/libdmaheap.wrap" ||
	fail "README.md's wrap file not found"
line=$(grep -m1 "^    dmaheap_dep = dependency('libdmaheap'" "$top/README.md") ||
	fail "README.md's dependency() line not found"
printf "project('paste', 'c')\n%s\nassert(dmaheap_dep.found())\n" "${line#    }" \
	>"$work/paste/meson.build"
(cd "$work/paste" && meson setup build --wrap-mode=forcefallback) \
	>"$work/paste.log" 2>&1 ||
	{ cat "$work/paste.log"; fail "the README's wrap and dependency() do not configure in an empty project"; }

echo "ok: a parent project without cmocka vendors libdmaheap, runs only its own test and installs only its own files"
