#!/bin/bash
# Installs a build into a staging tree and builds two third-party programs
# from it with nothing but pkg-config: one against libdmaheap, one against
# libdmaheap-mock (which then runs, since it needs no kernel heaps).
set -euo pipefail
build=$1
# meson reads a relative --destdir against the build directory.
dest=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$dest"
meson install -C "$build" --destdir "$dest" >/dev/null
# The man pages, where the build rendered them (-Dman).
if [ -e "$build/doc/man.stamp" ]; then
	for page in man7/libdmaheap.7 man3/dmaheap_alloc.3 man3/libdmaheap_context.3; do
		[ -n "$(find "$dest" -path "*/share/man/$page")" ] ||
			{ echo "man page $page not installed under $dest"; exit 1; }
	done
fi
pc=$(find "$dest" -name libdmaheap.pc | head -1)
[ -n "$pc" ] || { echo "no libdmaheap.pc installed under $dest"; exit 1; }
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# libdrm (drm_fourcc.h) is required through the .pc; its flags are taken
# outside the staging sysroot, where the system's libdrm really is.
pkg-config --print-requires-private libdmaheap | grep -q '^libdrm' ||
	{ echo "libdmaheap.pc does not require libdrm"; exit 1; }
# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer" "$here/consumer.c" \
	$(pkg-config --cflags --libs libdmaheap) \
	$(PKG_CONFIG_SYSROOT_DIR='' pkg-config --cflags libdrm)
LD_LIBRARY_PATH=$libdir "$tmp/consumer"

# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/mock-consumer" \
	"$here/mock-consumer.c" \
	$(pkg-config --cflags --libs libdmaheap-mock)
LD_LIBRARY_PATH=$libdir "$tmp/mock-consumer"

# The preloadable mock has no soname: it stays out of the public libdir,
# in the library's own directory, which libdmaheap-mock.pc names.
if [ -e "$build/lib/libdmaheap-mock-preload.so" ]; then
	[ ! -e "$libdir/libdmaheap-mock-preload.so" ] ||
		{ echo "libdmaheap-mock-preload.so installed in the public $libdir"; exit 1; }
	[ -f "$libdir/libdmaheap/libdmaheap-mock-preload.so" ] ||
		{ echo "libdmaheap-mock-preload.so not installed in $libdir/libdmaheap"; exit 1; }
	preload=$(PKG_CONFIG_SYSROOT_DIR='' pkg-config --variable=preload libdmaheap-mock)
	[ "$dest$preload" -ef "$libdir/libdmaheap/libdmaheap-mock-preload.so" ] ||
		{ echo "libdmaheap-mock.pc's preload is '$preload'"; exit 1; }
fi
echo "ok: installed tree builds pkg-config consumers of libdmaheap and libdmaheap-mock"
