#!/bin/bash
# Installs the Debian 12 packages the build and the tests need. Asks apt
# only for what is missing, so a prepared machine pays nothing.
#
# With --kernel-builds, installs only what tests/vm/build-kernel.sh needs:
# scripts/test-all.sh does that first and starts the kernel builds, which
# then compile while apt fetches the rest.
set -euo pipefail

kernel_build_packages=(
	# test kernels built from Debian's source (tests/vm/build-kernel.sh);
	# the arm64 ones with Debian's cross gcc, which the builder unpacks
	# (its package would remove gcc-multilib) over these binutils
	linux-source-6.12 xz-utils make gcc flex bison bc libelf-dev libssl-dev
	binutils-aarch64-linux-gnu
)

packages=(
	"${kernel_build_packages[@]}"
	# build and unit tests
	meson ninja-build pkg-config clang libcmocka-dev libdrm-dev valgrind
	# the GStreamer plugin and its tests (optional in meson): headers,
	# videotestsrc, gst-launch-1.0 and gst-inspect-1.0
	libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
	gstreamer1.0-tools
	# clang's sanitizer runtimes are only recommended by clang
	libclang-rt-dev
	# man pages from the header (doxygen) and dmaheap(1) (help2man)
	doxygen help2man
	# the real-kernel VM (tests/vm/run.sh)
	qemu-system-x86 busybox-static kmod cpio
	# systemd-udevd and udevadm, which kernel-udev-rules runs in the VM to
	# apply the shipped rules (data/). Priority important, so a full
	# Debian 12 has it; in a container its postinst sees a chroot and
	# starts no daemon
	udev
	# the Android layer (C++ headers and tests), native and 32-bit
	g++ g++-multilib
	# GStreamer's V4L2 elements, judges of the plugin's buffers on vivid
	# (tests/consumers; the VM guest uses the host's root)
	gstreamer1.0-plugins-good
	# EGL and GLES 2 with Mesa's kms_swrast, judges of the image API on
	# vgem in the VM (tests/consumers/egl-import.c)
	libegl-dev libgles-dev libgbm-dev libegl-mesa0 libgl1-mesa-dri
	# the Debian 13 root of tests/trixie (GStreamer 1.26, Mesa 25)
	debootstrap debian-archive-keyring
	# the 32-bit build of the library and its tests
	gcc-multilib libcmocka-dev:i386 libdrm-dev:i386
	# arm64: the VM, and the cross build of the library and its tests with
	# clang and lld. Not gcc-aarch64-linux-gnu: it would remove
	# gcc-multilib. The arm64 cmocka, libdrm and busybox are only
	# downloaded (arm64-root.sh).
	qemu-system-arm lld llvm libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
	# dtc: the arm64 device tree with two reusable CMA regions
	# (tests/vm/cma-regions-dtb.sh)
	device-tree-compiler
	# the Debian packages (debian/, tests/deb: dpkg-buildpackage, lintian;
	# the Debian 12 root needs debootstrap, above)
	build-essential dpkg-dev debhelper lintian
	# the abi suite's abidiff against abi/*.abi
	abigail-tools
	# scripts/test-all.sh compiles the same sources a dozen times per
	# run, and again on the next run: a compiler cache
	ccache
)

arches=(i386 arm64)
case ${1:-} in
--kernel-builds) packages=("${kernel_build_packages[@]}") arches=() ;;
"") ;;
*) echo "usage: $0 [--kernel-builds]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
# tests/vm/arm64-root.sh downloads arm64 packages: apt must know them.
# Read once: under pipefail, `dpkg ... | grep -q` fails whenever grep
# exits before dpkg has written everything (SIGPIPE), and then a present
# architecture looks missing and every run pays for an apt-get update.
known_arches=$(dpkg --print-foreign-architectures)
foreign=()
for a in "${arches[@]}"; do
	grep -qx "$a" <<<"$known_arches" || foreign+=("$a")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#foreign[@]} -eq 0 ]; then
	echo "all ${#packages[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}; run this script as root" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

# A mirror caught mid-sync fails one index ("File has unexpected size")
# and makes update exit non-zero: apt then keeps that repository's old
# indexes. Retry a little, then let install decide.
update() {
	for try in 1 2 3; do
		apt-get update -qq && return
		echo "apt-get update failed (try $try of 3)" >&2
		[ "$try" = 3 ] || sleep $((try * 5))
	done
}

# Installs the packages named, updating the indexes first only if
# install fails without (stale or absent indexes).
install() {
	[ $# -gt 0 ] || return 0
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 || {
		update
		apt-get install -y -qq --no-install-recommends "$@" >/dev/null
	}
}

native=() foreign_pkgs=()
for p in "${missing[@]}"; do
	case $p in
	*:*) foreign_pkgs+=("$p") ;;
	*) native+=("$p") ;;
	esac
done
# The native packages first, from indexes fetched without the foreign
# architectures: when one foreign index is broken on the mirror, apt
# drops the whole repository's update, and linux-source-6.12 is only in
# bookworm-security. Old indexes are kept, so the packages it already
# knows stay installable.
install "${native[@]}"
if [ ${#foreign[@]} -gt 0 ]; then
	for a in "${foreign[@]}"; do
		dpkg --add-architecture "$a"
	done
	update
fi
install "${foreign_pkgs[@]}"
