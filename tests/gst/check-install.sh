#!/bin/bash
# The helper library and the plugin as installed (meson install --destdir,
# moved to a private directory as a prefix of its own):
#  - RUNPATH: $ORIGIN in libgstdmaheap-1.0, $ORIGIN/.. in the plugin when
#    the build's libdir is not a system one (none when it is);
#  - gst-inspect-1.0 with GST_PLUGIN_PATH and a fresh registry file loads
#    the plugin with no LD_LIBRARY_PATH;
#  - an application built with `pkg-config gstreamer-dmaheap-1.0` alone
#    (tests/gst/app-pc.c) runs on the installed mock preload.
# usage: check-install.sh MESON BUILD_DIR SOURCE_DIR yes|no (RUNPATH expected)
set -euo pipefail
meson=$1
build=$2
src=$3
want_rpath=$4
fail() { echo "check-install: $*" >&2; exit 1; }

# meson test points LD_LIBRARY_PATH at the build tree: none of that here.
unset LD_LIBRARY_PATH
command -v gst-inspect-1.0 >/dev/null || { echo "SKIP: no gst-inspect-1.0"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$meson" install -C "$build" --no-rebuild --destdir "$tmp/dest" >/dev/null
pc=$(find "$tmp/dest" -name gstreamer-dmaheap-1.0.pc | head -1)
[ -n "$pc" ] || fail "no gstreamer-dmaheap-1.0.pc installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
libdir=$(dirname "$(dirname "$pc")")
lib=$libdir/libgstdmaheap-1.0.so.0
plugin=$libdir/gstreamer-1.0/libgstdmaheap.so
[ -f "$lib" ] && [ -f "$plugin" ] || fail "no $lib or no $plugin"
[ -f "$tmp/dest$prefix/include/gstreamer-1.0/gst/dmaheap/dmaheap.h" ] ||
	fail "no gst/dmaheap/dmaheap.h under $prefix/include/gstreamer-1.0"

runpath() { readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p'; }
if [ "$want_rpath" = yes ]; then
	[ "$(runpath "$lib")" = '$ORIGIN' ] || fail "$lib: RUNPATH '$(runpath "$lib")', not \$ORIGIN"
	[ "$(runpath "$plugin")" = '$ORIGIN/..' ] || fail "$plugin: RUNPATH '$(runpath "$plugin")', not \$ORIGIN/.."
	echo "ok: RUNPATH \$ORIGIN (library), \$ORIGIN/.. (plugin)"
else
	[ -z "$(runpath "$lib")$(runpath "$plugin")" ] || fail "RUNPATH in a system libdir"
	echo "ok: no RUNPATH in a system libdir"
	# Found only once installed for real, or through LD_LIBRARY_PATH.
	export LD_LIBRARY_PATH=$libdir
fi

# The plugin as GStreamer finds it: GST_PLUGIN_PATH, a new registry file,
# no system plugins (an installed copy of the plugin must not answer).
export GST_PLUGIN_PATH=$libdir/gstreamer-1.0 GST_PLUGIN_SYSTEM_PATH= \
	GST_REGISTRY=$tmp/registry.bin
out=$(gst-inspect-1.0 dmaheapupload 2>&1) || { printf '%s\n' "$out"; fail "gst-inspect-1.0 cannot load $plugin"; }
grep -q -F "$plugin" <<<"$out" || { printf '%s\n' "$out"; fail "gst-inspect-1.0 found another plugin"; }
echo "ok: gst-inspect-1.0 loads the plugin through GST_PLUGIN_PATH"

# The staged tree as a prefix of its own: its .pc files say where it is.
mkdir "$tmp/pc"
for f in "$libdir"/pkgconfig/*.pc; do
	sed "s|^\([a-z_]*\)=$prefix|\1=$tmp/dest$prefix|" "$f" >"$tmp/pc/${f##*/}"
done
# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/app" "$src/tests/gst/app-pc.c" \
	$(PKG_CONFIG_PATH=$tmp/pc pkg-config --cflags --libs gstreamer-dmaheap-1.0) \
	-Wl,-rpath,"$libdir"
LD_PRELOAD=$libdir/libdmaheap/libdmaheap-mock-preload.so \
	DMAHEAP_MOCK_HEAPS=system,reserved GST_REGISTRY=$tmp/registry2.bin \
	"$tmp/app" reserved
