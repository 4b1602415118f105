#!/usr/bin/env bash
# Builds a test kernel from Debian's linux-source-6.12 (allnoconfig plus
# the fragments in tests/vm/kernels/, everything built in, no modules), or
# reuses the cached one, and prints the path of the bootable image.
#
# The cache entry is keyed on the fragments, this script and the source
# package's version: a change to any of them builds anew, nothing else
# does. Concurrent callers for one flavour share one build (a lock).
set -euo pipefail

SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SELF_DIR SELF=$SELF_DIR/build-kernel.sh
readonly FRAGMENT_DIR=$SELF_DIR/kernels
readonly SOURCE_PKG=linux-source-6.12
readonly SOURCE_TARBALL=/usr/src/$SOURCE_PKG.tar.xz
# Debian's gcc-12-aarch64-linux-gnu conflicts with gcc-multilib (the i386
# build needs that), a packaging rule about /usr/include/asm that a
# kernel build never touches: its packages are downloaded and unpacked
# into the cache instead of installed. Its binutils install normally.
readonly CROSS_GCC_PKG=gcc-12-aarch64-linux-gnu
readonly CROSS_GCC_DEBS="$CROSS_GCC_PKG cpp-12-aarch64-linux-gnu gcc-12-aarch64-linux-gnu-base"
readonly CROSS_TOOLDIR=/usr/aarch64-linux-gnu

usage() {
	cat <<EOF
usage: tests/vm/build-kernel.sh [--check] FLAVOUR

Prints the path of a kernel image for tests/vm/run.sh --kernel FLAVOUR,
building it first unless the cache holds one for the same fragments,
builder and $SOURCE_PKG version. With --check, builds nothing: exits 0
and prints the path if the image is cached, 1 if not.

flavours:
  cma        x86-64: system and CMA heaps (/dev/dma_heap/reserved, 32 MiB),
             udmabuf, vgem, vivid, CMA debugfs; 32-bit programs run too
  arm64      the same for qemu-system-aarch64 -M virt, 4 KiB pages
  arm64-64k  arm64 with 64 KiB pages (CONFIG_ARM64_64K_PAGES)

environment:
  DMAHEAP_VM_CACHE  cache dir (\${XDG_CACHE_HOME:-\$HOME/.cache}/libdmaheap-vm)
  DMAHEAP_KBUILD_JOBS  make -j (default: number of CPUs)
EOF
}

msg() { printf 'build-kernel: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# Sets arch, make_args, image (path under the build dir) and fragments.
flavour_settings() { # FLAVOUR
	cross_gcc=0
	case $1 in
	cma)
		arch=x86_64 image=arch/x86/boot/bzImage
		make_args=(ARCH=x86_64)
		fragments=(common x86_64)
		;;
	arm64 | arm64-64k)
		# Debian's cross gcc, unpacked by prepare_cross_gcc: it compiles
		# this kernel in 0.7 of the CPU time clang takes (6.9 against 9.8
		# CPU minutes).
		arch=arm64 image=arch/arm64/boot/Image
		cross_gcc=1
		make_args=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		fragments=(common arm64)
		[[ $1 = arm64 ]] || fragments+=(arm64-64k)
		;;
	*) return 1 ;;
	esac
	fragments=("${fragments[@]/#/$FRAGMENT_DIR/}")
	fragments=("${fragments[@]/%/.config}")
}

source_version() {
	dpkg-query -W -f='${Version}' "$SOURCE_PKG" 2>/dev/null ||
		die "$SOURCE_PKG is not installed (scripts/install-deps.sh)"
}

# The cross gcc's package version (what apt would download), or nothing.
cross_gcc_version() {
	[[ $cross_gcc = 1 ]] || return 0
	apt-cache policy "$CROSS_GCC_PKG" | sed -n 's/^ *Candidate: //p'
}

cache_key() { # FLAVOUR
	{
		printf '%s\n' "$1" "$(source_version)" "$(cross_gcc_version)"
		cat -- "${fragments[@]}" "$SELF"
	} | sha256sum | cut -c1-16
}

# Fills DIR once, under a lock beside it: COMMAND... DIR.tmp runs, then
# DIR.tmp becomes DIR. Concurrent callers wait for it; a later one finds
# DIR done. Other entries there (older versions) are of no further use.
make_once() { # DIR COMMAND...
	local dir=$1 parent lock_fd
	shift
	[[ -f $dir/.unpacked ]] && return
	parent=$(dirname -- "$dir")
	mkdir -p -- "$parent"
	exec {lock_fd}>"$parent/lock"
	flock "$lock_fd"
	if [[ ! -f $dir/.unpacked ]]; then
		find "$parent" -mindepth 1 -maxdepth 1 -type d -exec rm -rf -- {} +
		mkdir -p -- "$dir.tmp"
		"$@" "$dir.tmp"
		mv -- "$dir.tmp" "$dir"
		: >"$dir/.unpacked"
	fi
	exec {lock_fd}>&-
}

# The unpacked source tree, shared by all flavours (out-of-tree builds
# leave it clean), once per source version.
prepare_source() { # VERSION -> sets src
	src=$cache_dir/kernel-src/$SOURCE_PKG-$1
	make_once "$src" unpack_source
}

unpack_source() { # DIR
	[[ -f $SOURCE_TARBALL ]] || die "missing $SOURCE_TARBALL"
	msg "unpacking $SOURCE_TARBALL"
	tar -xJf "$SOURCE_TARBALL" -C "$1" --strip-components=1
}

# The cross gcc, unpacked under the cache once per version and put first
# in PATH (as aarch64-linux-gnu-gcc, what CROSS_COMPILE names). The driver
# finds cc1 relative to itself, and as and ld in its tooldir, which links
# to binutils-aarch64-linux-gnu's.
prepare_cross_gcc() { # VERSION
	[[ -n $1 ]] || die "apt knows no $CROSS_GCC_PKG (apt-get update)"
	[[ -x $CROSS_TOOLDIR/bin/as ]] ||
		die "binutils-aarch64-linux-gnu is not installed (scripts/install-deps.sh)"
	local dir=$cache_dir/cross-gcc/$1
	PATH=$dir/usr/bin:$PATH
	make_once "$dir" unpack_cross_gcc "$1"
}

unpack_cross_gcc() { # VERSION DIR
	local deb
	msg "unpacking $CROSS_GCC_PKG $1"
	mkdir -p -- "$2/debs"
	# shellcheck disable=SC2086 # a list of package names
	(cd -- "$2/debs" && apt-get download -qq \
		-o APT::Sandbox::User=root $CROSS_GCC_DEBS) ||
		die "apt-get download $CROSS_GCC_DEBS failed"
	for deb in "$2/debs"/*.deb; do
		dpkg-deb -x "$deb" "$2"
	done
	rm -rf -- "$2/debs"
	ln -s -- "$CROSS_TOOLDIR" "$2/usr/aarch64-linux-gnu"
	ln -s aarch64-linux-gnu-gcc-12 "$2/usr/bin/aarch64-linux-gnu-gcc"
}

# allnoconfig with the fragments as its fixed values (merge_config.sh -n),
# merged in order: a later fragment overrides an earlier one.
configure() { # BUILD_DIR
	(cd -- "$src" && env "${make_args[@]}" scripts/kconfig/merge_config.sh \
		-n -O "$1" "${fragments[@]}") >"$1/merge.log" 2>&1 ||
		{ cat -- "$1/merge.log" >&2; die "merge_config.sh failed"; }
	check_config "$1/.config"
}

# Kconfig silently drops an option whose dependencies are unmet: every
# value the fragments ask for (the last one, for a repeated symbol) must
# be in the final .config.
check_config() { # CONFIG
	local want line bad=()
	want=$(sed -nE 's/^(CONFIG_[A-Za-z0-9_]+=.*)$/\1/p;
		s/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1=n/p' "${fragments[@]}" |
		awk -F= '{ v[$1] = $0; if (!($1 in o)) o[$1] = n++ }
			END { for (k in o) print o[k], v[k] }' | sort -n | cut -d' ' -f2-)
	while read -r line; do
		if [[ $line = *=n ]]; then
			! grep -q "^${line%=n}=" "$1" || bad+=("$line")
		else
			grep -qxF -- "$line" "$1" || bad+=("$line")
		fi
	done <<<"$want"
	[[ ${#bad[@]} -eq 0 ]] ||
		die "options not in the final .config (unmet dependencies?): ${bad[*]}"
}

build() { # FLAVOUR FINAL_DIR
	local bdir=$cache_dir/kernel-build/$1 jobs start
	jobs=${DMAHEAP_KBUILD_JOBS:-$(nproc)}
	mkdir -p -- "$bdir"
	# The build dir of the previous key is kept: a changed fragment
	# recompiles only what the change touches.
	msg "configuring $1 ($arch) in $bdir"
	configure "$bdir"
	msg "building $1 with make -j$jobs (3-4 minutes on 2 idle CPUs)"
	start=$SECONDS
	make -s -C "$src" O="$bdir" "${make_args[@]}" -j"$jobs" \
		"$(basename -- "$image")" >"$bdir/build.log" 2>&1 ||
		{ tail -n 40 -- "$bdir/build.log" >&2; die "kernel build failed (log: $bdir/build.log)"; }
	msg "built $1 in $((SECONDS - start)) s"
	local tmp=$2.tmp
	rm -rf -- "$tmp"
	mkdir -p -- "$tmp"
	cp -- "$bdir/$image" "$tmp/image"
	cp -- "$bdir/.config" "$tmp/config"
	printf '%s\n' "$(source_version)" >"$tmp/source-version"
	printf '%s\n' "$((SECONDS - start))" >"$tmp/build-seconds"
	rm -rf -- "$2"
	mv -- "$tmp" "$2"
}

main() {
	local check=0
	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	--check) check=1; shift ;;
	esac
	[[ $# -eq 1 ]] || { usage >&2; exit 2; }
	local flavour=$1
	flavour_settings "$flavour" || { msg "unknown flavour '$flavour'"; usage >&2; exit 2; }
	cache_dir=${DMAHEAP_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libdmaheap-vm}
	local key final
	key=$(cache_key "$flavour")
	final=$cache_dir/built-kernels/$flavour-$key
	if [[ -f $final/image ]]; then
		printf '%s\n' "$final/image"
		return
	fi
	[[ $check = 0 ]] || exit 1
	mkdir -p -- "$cache_dir/built-kernels"
	local lock_fd
	exec {lock_fd}>"$cache_dir/built-kernels/$flavour.lock"
	if ! flock -n "$lock_fd"; then
		msg "waiting for another build of $flavour"
		flock "$lock_fd"
	fi
	if [[ ! -f $final/image ]]; then
		prepare_source "$(source_version)"
		[[ $cross_gcc = 0 ]] || prepare_cross_gcc "$(cross_gcc_version)"
		build "$flavour" "$final"
		# Keep only the newest image of this flavour.
		find "$cache_dir/built-kernels" -mindepth 1 -maxdepth 1 -type d \
			-name "$flavour-*" ! -path "$final" -exec rm -rf -- {} +
	fi
	exec {lock_fd}>&-
	printf '%s\n' "$final/image"
}

main "$@"
