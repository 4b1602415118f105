#!/bin/bash
# Installs the Debian 12 packages the build and the tests need. Asks apt
# only for what is missing, so a prepared machine pays nothing.
set -euo pipefail

packages=(
	# build and unit tests
	meson ninja-build pkg-config gcc clang
	libcmocka-dev libdrm-dev valgrind
	# image layouts compared with GStreamer's (optional in meson)
	libgstreamer-plugins-base1.0-dev
	# clang's sanitizer runtimes are only recommended by clang
	libclang-rt-dev
	# man pages from the header (doxygen) and dmaheap(1) (help2man)
	doxygen help2man
	# the real-kernel VM (tests/vm/run.sh)
	qemu-system-x86 busybox-static kmod xz-utils cpio
	# the 32-bit build of the library and its tests
	gcc-multilib libcmocka-dev:i386 libdrm-dev:i386
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "all ${#packages[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}; run this script as root" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The :i386 packages need the architecture enabled first.
if ! dpkg --print-foreign-architectures | grep -qx i386; then
	dpkg --add-architecture i386
fi
# A mirror caught mid-sync fails one index ("File has unexpected size")
# and makes update exit non-zero although the packages wanted come from
# the indexes that did load: retry a little, then let install decide.
for try in 1 2 3; do
	apt-get update -qq && break
	echo "apt-get update failed (try $try of 3)" >&2
	sleep $((try * 5))
done
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
