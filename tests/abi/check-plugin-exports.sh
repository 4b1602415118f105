#!/bin/sh
# Fails if the GStreamer plugin exports anything but its entry point,
# gst_plugin_dmaheap_get_desc: its allocator, pool and element functions
# are its own and must not meet an application's or another plugin's
# symbols of the same name. Then, if gst-inspect-1.0 is there, checks that
# GStreamer still loads the plugin through that one symbol.
# usage: check-plugin-exports.sh PATH/TO/libgstdmaheap.so [--no-load]
# --no-load: a sanitized build, which GStreamer's own programs cannot load.
set -eu
plugin=$1
load=${2:-}
want=gst_plugin_dmaheap_get_desc
nm_out=$(nm -D --defined-only "$plugin") || { echo "nm failed on $plugin"; exit 1; }
names=$(printf '%s\n' "$nm_out" | awk 'NF == 3 {print $3}' | sed 's/@.*//')
bad=$(printf '%s\n' "$names" | grep -v -x -e "$want" || true)
if [ -n "$bad" ]; then
	echo "unexpected exports from $plugin:"
	printf '%s\n' "$bad"
	exit 1
fi
printf '%s\n' "$names" | grep -q -x -e "$want" ||
	{ echo "$plugin does not export $want"; exit 1; }
echo "ok: $plugin exports only $want"

[ "$load" != --no-load ] || { echo "sanitized build: load not checked"; exit 0; }
command -v gst-inspect-1.0 >/dev/null || { echo "no gst-inspect-1.0: load not checked"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(GST_REGISTRY=$tmp/registry.bin GST_PLUGIN_SYSTEM_PATH= GST_PLUGIN_PATH=$tmp \
	gst-inspect-1.0 "$plugin" 2>&1) || {
	echo "gst-inspect-1.0 could not load $plugin:"
	printf '%s\n' "$out"
	exit 1
}
printf '%s\n' "$out" | grep -q 'dmaheapupload' ||
	{ echo "gst-inspect-1.0 lists no dmaheapupload in $plugin:"; printf '%s\n' "$out"; exit 1; }
echo "ok: GStreamer loads it and finds dmaheapupload"
