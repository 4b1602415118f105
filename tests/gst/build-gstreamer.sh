#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Builds the smallest GStreamer the plugin's tests need (core with its
# tools, and gst-plugins-base's libraries with videotestsrc,
# videoconvertscale and app) from a GStreamer monorepo source tree into a
# prefix, so the DMA_DRM tests can run on a system whose GStreamer is
# older than 1.24 (Debian 12 has 1.22). Downloads nothing.
#
#   tests/gst/build-gstreamer.sh SRC PREFIX
#
# SRC is a checkout or unpacked archive of the monorepo (the directory
# holding subprojects/gstreamer and subprojects/gst-plugins-base), for
# example from `git archive 1.24.13 subprojects/gstreamer
# subprojects/gst-plugins-base`. GStreamer 1.24 needs meson >= 1.1, 1.26
# and later >= 1.4: set MESON to a newer one than the system's, e.g.
# MESON="python3 /opt/src/meson/meson.py". Build trees go to
# PREFIX/.build. See TESTING.md for using the prefix.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 GSTREAMER-SOURCE-DIR PREFIX" >&2
	exit 2
fi
src=$(cd "$1" && pwd)
prefix=$2
meson=${MESON:-meson}
for sub in gstreamer gst-plugins-base; do
	if [ ! -f "$src/subprojects/$sub/meson.build" ]; then
		echo "$0: $src/subprojects/$sub/meson.build is missing" >&2
		exit 1
	fi
done
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

# gst-plugins-base finds the core just installed through pkg-config.
PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH

build() {
	sub=$1
	shift
	dir=$prefix/.build/$sub
	reconf=
	[ -f "$dir/build.ninja" ] && reconf=--reconfigure
	$meson setup $reconf "$dir" "$src/subprojects/$sub" \
		--prefix "$prefix" --libdir lib --wrap-mode nodownload \
		-Dexamples=disabled -Dtests=disabled -Ddoc=disabled \
		-Dintrospection=disabled -Dnls=disabled "$@"
	$meson compile -C "$dir"
	$meson install -C "$dir"
}

build gstreamer -Dtools=enabled -Dbenchmarks=disabled -Dcheck=disabled \
	-Dlibunwind=disabled -Dlibdw=disabled -Dptp-helper=disabled \
	-Dbash-completion=disabled
build gst-plugins-base -Dauto_features=disabled -Dtools=disabled \
	-Dvideotestsrc=enabled -Dvideoconvertscale=enabled -Dapp=enabled

echo "GStreamer $("$prefix/bin/gst-launch-1.0" --version | sed -n 's/.*version //p;q') in $prefix"
