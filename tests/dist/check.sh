#!/bin/bash
# The release tarball, as a distribution gets it: `meson dist` from a
# fresh clone of the committed tree, then checked twice.
#  - Its contents: the committed files less what .gitattributes marks
#    export-ignore, and none of what that rule keeps out (so a rule lost
#    from .gitattributes fails here too), with what a build needs.
#  - It builds: unpacked elsewhere, configured with warnings as errors,
#    built, and its unit and abi suites run.
# Usage: check.sh OUTDIR   (made afresh; about 4 minutes on two cores)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "$1")
say() { echo "dist: $*"; }
fail() { echo "dist: FAIL: $*"; exit 1; }

rm -rf "$out"
mkdir -p "$out"
# Committed files only, whatever the work tree holds.
git clone --quiet --shared "$top" "$out/clone" ||
	fail "git clone of $top failed"
say "clone of $(git -C "$out/clone" rev-parse --short HEAD)"
# The smallest configuration: meson dist only needs a configured tree.
meson setup "$out/clone/build" "$out/clone" -Dtests=false -Dtools=false \
	-Dmock=false -Dman=disabled -Dgst=disabled -Dandroid=disabled \
	>"$out/setup.log" 2>&1 || { tail -n 20 "$out/setup.log"; fail "meson setup of the clone failed"; }
meson dist -C "$out/clone/build" --no-tests --formats xztar \
	>"$out/dist.log" 2>&1 || { tail -n 20 "$out/dist.log"; fail "meson dist failed"; }
tarball=$(find "$out/clone/build/meson-dist" -name '*.tar.xz' | head -n 1)
[[ -n $tarball ]] || fail "meson dist wrote no .tar.xz (log: $out/dist.log)"
version=$(sed -n "s/^  version : '\(.*\)',\$/\1/p" "$out/clone/meson.build")
[[ $(basename "$tarball") = libdmaheap-$version.tar.xz ]] ||
	fail "tarball named $(basename "$tarball"), not libdmaheap-$version.tar.xz"
say "$(basename "$tarball"): $(du -k "$tarball" | cut -f1) KiB"

# Contents against the rule.
tar -tJf "$tarball" | grep -v '/$' | sed "s|^libdmaheap-$version/||" |
	sort >"$out/contents"
git -C "$out/clone" ls-files | sort >"$out/committed"
# A file is left out when it or a directory above it is export-ignore.
awk -F/ '{ p = $1; print p; for (i = 2; i <= NF; i++) { p = p "/" $i; print p } }' \
	"$out/committed" | sort -u |
	git -C "$out/clone" check-attr --stdin export-ignore |
	awk -F': ' '$3 == "set" { print $1 }' >"$out/ignored-paths"
awk 'NR == FNR { ign[$0] = 1; next }
     { p = ""; n = split($0, c, "/"); out = 0
       for (i = 1; i <= n; i++) { p = (i == 1) ? c[1] : p "/" c[i]; if (p in ign) out = 1 }
       if (out) print }' "$out/ignored-paths" "$out/committed" | sort >"$out/ignored"
comm -23 "$out/committed" "$out/ignored" >"$out/expected"
if ! diff -u "$out/expected" "$out/contents" >"$out/contents.diff"; then
	cat "$out/contents.diff"
	fail "the tarball is not the committed tree less export-ignore (- missing, + extra)"
fi
# The rule itself (.gitattributes says why).
if grep -E '^(\.ci/|\.git|debian/|bench/results/.*\.(dat|json|txt|md)$)' \
	"$out/contents"; then
	fail "the files above are kept out of a release (.gitattributes)"
fi
for f in meson.build meson_options.txt COPYING NEWS README.md \
	include/dmaheap.h lib/libdmaheap.map abi/libdmaheap.abi; do
	grep -qx "$f" "$out/contents" || fail "$f is not in the tarball"
done
say "contents: $(wc -l <"$out/contents") files, the committed tree less $(wc -l <"$out/ignored") export-ignored"

# Builds and tests from the tarball alone.
mkdir -p "$out/unpacked"
tar -xJf "$tarball" -C "$out/unpacked"
src=$out/unpacked/libdmaheap-$version
meson setup "$out/build" "$src" -Dwerror=true -Db_ndebug=false \
	>"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; fail "meson setup from the tarball failed"; }
ninja -C "$out/build" >>"$out/build.log" 2>&1 ||
	{ sed -n '/^FAILED: /,$p' "$out/build.log" | head -n 60; fail "the tarball does not build"; }
meson test -C "$out/build" --suite unit --suite abi --print-errorlogs
say "ok: the tarball builds and its unit and abi suites pass"
