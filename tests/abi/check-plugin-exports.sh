#!/bin/sh
# Fails if the GStreamer plugin exports anything but its entry point,
# gst_plugin_dmaheap_get_desc: its allocator, pool and element functions
# are its own and must not meet an application's or another plugin's
# symbols of the same name. Then, if gst-inspect-1.0 is there, checks that
# GStreamer still loads the plugin through that one symbol.
# usage: check-plugin-exports.sh PATH/TO/libgstdmaheap.so [--no-load]
# --no-load: a sanitized build, which GStreamer's own programs cannot load.
#
# usage: check-plugin-exports.sh --lib PATH/TO/libgstdmaheap-1.0.so HEADER
# The helper library the plugin is built on exports exactly the functions
# its public header (gst/gstdmaheap.h) declares, the get_type of each
# G_DECLARE_FINAL_TYPE among them, each in version node GSTDMAHEAP_0.2.
set -eu

check_lib() { # LIB HEADER
	lib=$1
	header=$2
	node=GSTDMAHEAP_0.2
	nm_out=$(nm -D --defined-only "$lib") || { echo "nm failed on $lib"; exit 1; }
	got=$(printf '%s\n' "$nm_out" | awk 'NF == 3 {print $3}' | grep -v -x "$node" | sort)
	want=$({
		sed -n 's/^[a-zA-Z].*[ *]\(gst_[a-z0-9_]*\)(.*/\1/p' "$header"
		sed -n 's/^G_DECLARE_[A-Z]*_TYPE([A-Za-z]*, *\([a-z_]*\),.*/\1_get_type/p' "$header"
	} | sort -u)
	[ -n "$want" ] || { echo "no functions found in $header"; exit 1; }
	want_v=$(printf '%s\n' "$want" | sed "s/\$/@@$node/")
	if [ "$got" != "$want_v" ]; then
		echo "$lib exports differ from what $header declares (- declared, + exported):"
		printf '%s\n' "$want_v" | grep -v -x -F "$got" | sed 's/^/- /' || true
		printf '%s\n' "$got" | grep -v -x -F "$want_v" | sed 's/^/+ /' || true
		exit 1
	fi
	echo "ok: $lib exports the $(printf '%s\n' "$want" | wc -l) functions of $(basename "$header"), in $node"
}

if [ "${1:-}" = --lib ]; then
	check_lib "$2" "$3"
	exit 0
fi
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
