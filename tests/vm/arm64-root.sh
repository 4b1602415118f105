#!/usr/bin/env bash
# Prepares (or reuses) the root an arm64 test guest chroots into, and
# prints its path. The same tree is the sysroot the arm64 cross build
# finds cmocka and libdrm in: with --cross-file, prints instead the path of
# a meson cross file naming it, to give after
# tests/cross/aarch64-linux-gnu.ini.
#
# It holds an arm64 static busybox (also as /bin/sh and /usr/bin/sh), the
# arm64 C library of libc6-arm64-cross, and the arm64 cmocka, libdrm and
# libstdc++ packages (runtime and -dev) from `apt-get download`, unpacked
# (libstdc++ for libdmaheap-android's C++ test): nothing
# of arm64 is installed through dpkg, so the host's packages are untouched
# (the :arm64 -dev packages cannot always be co-installed, and the cross
# gcc conflicts with gcc-multilib). Needs `dpkg --add-architecture arm64`
# and apt lists, as scripts/install-deps.sh sets up.
set -euo pipefail

SELF=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/arm64-root.sh
readonly SELF
readonly PACKAGES=(busybox-static libcmocka0 libcmocka-dev libdrm2 libdrm-dev
	libstdc++6 libstdc++-12-dev)
# The C++ headers' version: libstdc++-12-dev's.
readonly CXX_VERSION=12
readonly CROSS_LIBC=/usr/aarch64-linux-gnu/lib
# Mount points the guest's /init needs; the root is exported read-only.
readonly MOUNT_POINTS=(dev proc sys tmp var/tmp run mnt)

msg() { printf 'arm64-root: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

cache_dir=${DMAHEAP_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libdmaheap-vm}
deb_dir=$cache_dir/arm64-debs

# Prints the cached .deb of PACKAGE:arm64, downloading it first if absent.
deb_of() { # PACKAGE
	local deb
	deb=$(find "$deb_dir" -maxdepth 1 -name "${1}_*_arm64.deb" | sort -V | tail -n 1)
	if [[ -z $deb ]]; then
		msg "downloading $1:arm64"
		# As root, apt drops to the _apt user, which cannot write here.
		(cd -- "$deb_dir" && apt-get download -qq \
			-o APT::Sandbox::User="$(id -un)" "$1:arm64" >&2) ||
			die "cannot download $1:arm64 (dpkg --add-architecture arm64 && apt-get update?)"
		deb=$(find "$deb_dir" -maxdepth 1 -name "${1}_*_arm64.deb" | sort -V | tail -n 1)
	fi
	[[ -n $deb ]] || die "no $1:arm64 package in $deb_dir"
	printf '%s\n' "$deb"
}

build_root() { # DEBS... ; into $tmp
	local deb applet
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$tmp"
	done
	mkdir -p -- "$tmp/lib/aarch64-linux-gnu" "$tmp/usr/bin"
	cp -P -- "$CROSS_LIBC"/*.so* "$tmp/lib/aarch64-linux-gnu/"
	ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$tmp/lib/ld-linux-aarch64.so.1"
	# The arm64 busybox cannot run here to list its applets; the host's
	# comes from the same source package.
	for applet in $(busybox --list); do
		[[ $applet = busybox ]] && continue
		[[ -e $tmp/bin/$applet ]] || ln -s busybox "$tmp/bin/$applet"
		[[ -e $tmp/usr/bin/$applet ]] || ln -s ../../bin/busybox "$tmp/usr/bin/$applet"
	done
	for applet in "${MOUNT_POINTS[@]}"; do mkdir -p -- "$tmp/$applet"; done
}

# Paths, and the C++ compiler: the C toolchain is in
# tests/cross/aarch64-linux-gnu.ini. The root's headers are system
# headers, as cmocka's and libdrm's are on the host (cmocka.h is not
# -Wpedantic clean). clang++ finds no libstdc++ for arm64 on the host
# (that would be libstdc++-12-dev-arm64-cross, which the cross gcc's
# conflicts keep out): its headers and libstdc++.so come from the root.
write_cross_file() { # ROOT
	local cxx=$1/usr/include/c++/$CXX_VERSION
	local cxx_arch=$1/usr/include/aarch64-linux-gnu/c++/$CXX_VERSION
	cat <<EOF
[binaries]
cpp = ['clang++', '--target=aarch64-linux-gnu']
cpp_ld = 'lld'

[built-in options]
c_args = ['-isystem', '$1/usr/include']
cpp_args = ['-isystem', '$cxx', '-isystem', '$cxx_arch', '-isystem', '$1/usr/include']
cpp_link_args = ['-L$1/usr/lib/gcc/aarch64-linux-gnu/$CXX_VERSION']

[properties]
sys_root = '$1'
pkg_config_libdir = ['$1/usr/lib/aarch64-linux-gnu/pkgconfig', '$1/usr/share/pkgconfig']
EOF
}

main() {
	local want=root
	case ${1:-} in
	--cross-file) want=cross ;;
	'') ;;
	*) die "usage: arm64-root.sh [--cross-file]" ;;
	esac
	[[ -d $CROSS_LIBC ]] || die "missing $CROSS_LIBC (install libc6-dev-arm64-cross)"
	command -v busybox >/dev/null || die "busybox-static is not installed"
	mkdir -p -- "$deb_dir"
	local lock_fd debs=() p key root
	exec {lock_fd}>"$cache_dir/arm64-root.lock"
	flock "$lock_fd"
	for p in "${PACKAGES[@]}"; do debs+=("$(deb_of "$p")"); done
	key=$({
		cat -- "$SELF"
		printf '%s\n' "${debs[@]##*/}"
		dpkg-query -W -f='${Version}\n' libc6-arm64-cross 2>/dev/null
	} | sha256sum | cut -c1-16)
	root=$cache_dir/arm64-root-$key
	if [[ ! -x $root/bin/busybox ]]; then
		msg "preparing $root"
		# Older roots (and a killed run's leftovers) are of no further use.
		find "$cache_dir" -maxdepth 1 -name 'arm64-root-*' -type d \
			-exec rm -rf -- {} +
		tmp=$root.tmp
		mkdir -p -- "$tmp"
		build_root "${debs[@]}"
		write_cross_file "$root" >"$tmp/meson-cross.ini"
		mv -- "$tmp" "$root"
	fi
	exec {lock_fd}>&-
	if [[ $want = cross ]]; then
		printf '%s\n' "$root/meson-cross.ini"
	else
		printf '%s\n' "$root"
	fi
}

main "$@"
