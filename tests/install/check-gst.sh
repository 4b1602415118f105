#!/bin/bash
# The GStreamer plugin built out of tree: its sources compiled against an
# installed libdmaheap with nothing but pkg-config, then loaded by
# GStreamer and run in a pipeline on the installed mock for whole programs
# (libdmaheap-mock-preload.so). Needs a build made with the plugin and the
# mock; exits 77 if GStreamer's development files are missing.
set -euo pipefail
build=$1
dest=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gst_pcs="gstreamer-1.0 gstreamer-base-1.0 gstreamer-allocators-1.0 gstreamer-video-1.0"

# shellcheck disable=SC2086 # a list of names
pkg-config --exists $gst_pcs || { echo "SKIP: GStreamer development files missing"; exit 77; }
rm -rf "$dest"
meson install -C "$build" --destdir "$dest" >/dev/null
pc=$(find "$dest" -name libdmaheap.pc | head -1)
[ -n "$pc" ] || { echo "no libdmaheap.pc installed under $dest"; exit 1; }
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
preload=$libdir/libdmaheap/libdmaheap-mock-preload.so
[ -f "$preload" ] || { echo "no libdmaheap-mock-preload.so installed in $libdir"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Only libdmaheap comes from the staging tree; GStreamer and libdrm are the
# system's.
# shellcheck disable=SC2046,SC2086 # pkg-config output is meant to be split
cc -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC \
	-D_GNU_SOURCE \
	-DDMAHEAP_VERSION='"out-of-tree"' -o "$tmp/libgstdmaheap.so" \
	"$top"/gst/*.c \
	$(PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest \
		pkg-config --cflags --libs libdmaheap) \
	$(pkg-config --cflags --libs $gst_pcs libdrm)

export LD_LIBRARY_PATH=$libdir GST_PLUGIN_PATH=$tmp GST_PLUGIN_SYSTEM_PATH= \
	GST_REGISTRY=$tmp/registry.bin
# No system plugins at first, so the plugin found is this one; then the
# system's too, for videotestsrc.
inspect=$(gst-inspect-1.0 dmaheapupload)
grep -q "$tmp/libgstdmaheap.so" <<<"$inspect" ||
	{ echo "GStreamer did not load the out-of-tree plugin"; exit 1; }
unset GST_PLUGIN_SYSTEM_PATH
LD_PRELOAD=$preload DMAHEAP_MOCK_HEAPS=system gst-launch-1.0 -q \
	videotestsrc num-buffers=10 ! video/x-raw,format=NV12,width=320,height=240 ! \
	identity drop-allocation=true ! dmaheapupload heap=system ! fakesink
echo "ok: out-of-tree plugin built with pkg-config, loaded, and run on the installed mock"
