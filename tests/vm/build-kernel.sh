#!/usr/bin/env bash
# Builds a test kernel from Debian's linux-source-6.12 or, for the -7.3
# flavours, trixie-backports' linux-source-7.3 (allnoconfig plus the
# fragments in tests/vm/kernels/, everything built in but what a fragment
# asks for as a module), or reuses the cached one, and prints the path of
# the bootable image. Modules, if any, land beside it in modules/, listed
# in modules.load, where tests/vm/run.sh puts them into the initramfs.
#
# The cache entry is keyed on the fragments, this script and the source
# package's version: a change to any of them builds anew, nothing else
# does. Concurrent callers for one flavour share one build (a lock).
set -euo pipefail

SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SELF_DIR SELF=$SELF_DIR/build-kernel.sh
readonly FRAGMENT_DIR=$SELF_DIR/kernels
# The installed source package of the 6.12 flavours.
readonly HOST_SOURCE_PKG=linux-source-6.12
# The -7.3 flavours' source comes from trixie-backports through a private
# apt configuration and state under the cache (the host's apt is never
# touched), downloaded once: the cached .deb pins the version until
# DMAHEAP_KSRC_REFRESH=1 asks the archive for a newer one.
readonly BACKPORTS_SUITE=trixie-backports
readonly BACKPORTS_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
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
builder and source package version. With --check, builds nothing: exits
0 and prints the path if the image is cached, 1 if not.

flavours:
  cma        x86-64: system and CMA heaps (/dev/dma_heap/reserved, 32 MiB),
             udmabuf, vgem, vivid, CMA debugfs; 32-bit programs run too
  arm64      the same for qemu-system-aarch64 -M virt, 4 KiB pages
  arm64-64k  arm64 with 64 KiB pages (CONFIG_ARM64_64K_PAGES)
  cma-7.3    cma built from trixie-backports' linux-source-7.3, plus memory
             cgroups; heaps /dev/dma_heap/default_cma_region and reserved
             from the CMA heap built as a module (cma_heap.ko)
  arm64-7.3  arm64 built from linux-source-7.3, plus memory cgroups

The 6.12 flavours build from the installed linux-source-6.12; the -7.3
ones download linux-source-7.3 once into the cache with a private apt
configuration (network needed the first time only).

environment:
  DMAHEAP_VM_CACHE  cache dir (\${XDG_CACHE_HOME:-\$HOME/.cache}/libdmaheap-vm)
  DMAHEAP_KBUILD_JOBS  make -j (default: number of CPUs)
  DMAHEAP_KSRC_REFRESH=1  look for a newer linux-source-7.3 in the archive
  DMAHEAP_DEBIAN_MIRROR  archive for linux-source-7.3 (default: the host's
                      deb.debian.org-style mirror from its apt sources)
EOF
}

msg() { printf 'build-kernel: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# Sets arch, make_args, image (path under the build dir) and fragments.
flavour_settings() { # FLAVOUR
	cross_gcc=0
	source_pkg=$HOST_SOURCE_PKG
	case $1 in
	*-7.3) source_pkg=linux-source-7.3 ;;
	esac
	case ${1%-7.3} in
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
		[[ ${1%-7.3} = arm64 ]] || fragments+=(arm64-64k)
		;;
	*) return 1 ;;
	esac
	case $1 in
	arm64-64k-7.3) return 1 ;;
	cma-7.3) fragments+=(v7.3 cma-7.3) ;;
	*-7.3) fragments+=(v7.3) ;;
	esac
	fragments=("${fragments[@]/#/$FRAGMENT_DIR/}")
	fragments=("${fragments[@]/%/.config}")
}

# The source package's version: the installed one for 6.12, the cached
# (or, on a cache miss, the archive's) one for 7.3.
# Asked once (it may need the network), remembered in src_version.
source_version() {
	if [[ -z ${src_version:-} ]]; then
		if [[ $source_pkg = "$HOST_SOURCE_PKG" ]]; then
			src_version=$(dpkg-query -W -f='${Version}' "$source_pkg" 2>/dev/null) ||
				die "$source_pkg is not installed (scripts/install-deps.sh)"
		else
			src_version=$(backports_version) || exit 1
		fi
	fi
	printf '%s\n' "$src_version"
}

# The path of the source tarball inside the unpacked source package.
source_tarball() { # VERSION
	if [[ $source_pkg = "$HOST_SOURCE_PKG" ]]; then
		printf '%s\n' "/usr/src/$source_pkg.tar.xz"
	else
		printf '%s\n' "$cache_dir/debian-src/$source_pkg/$1/usr/src/$source_pkg.tar.xz"
	fi
}

# --- linux-source-7.3 from trixie-backports, with a private apt --------------

# apt-get/apt-cache with our own sources, lists, caches and archives under
# the cache dir; the host's status file is read (apt needs one) but never
# written, and no configuration of the host's applies but its defaults.
private_apt() { # COMMAND ARGS...
	local d=$cache_dir/apt-$BACKPORTS_SUITE
	"$@" -qq -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null -o Dir::State::Lists="$d/lists" \
		-o Dir::Cache="$d/cache" -o Dir::Cache::Archives="$d/archives" \
		-o APT::Sandbox::User=root -o Debug::NoLocking=1
}

# The host's Debian mirror (the URI of its first "debian" source), so that
# a proxy or local mirror the host uses also serves the backports.
debian_mirror() {
	if [[ -n ${DMAHEAP_DEBIAN_MIRROR:-} ]]; then
		printf '%s\n' "$DMAHEAP_DEBIAN_MIRROR"
		return
	fi
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -nE 's,^(deb[[:space:]]+(\[[^]]*\][[:space:]]+)?|URIs:[[:space:]]*)(https?://[^[:space:]]+/debian)/?([[:space:]].*)?$,\3,p' |
		head -n 1)
	printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

# Prints the version to build: the newest one already downloaded, unless
# there is none or DMAHEAP_KSRC_REFRESH=1, then the archive's candidate.
backports_version() {
	local dir=$cache_dir/debian-src/$source_pkg v
	if [[ ${DMAHEAP_KSRC_REFRESH:-0} != 1 ]]; then
		v=$(find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp' \
			-printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
		[[ -z $v || ! -f $dir/$v/.unpacked ]] || { printf '%s\n' "$v"; return; }
	fi
	# --check builds nothing, and so downloads nothing either.
	[[ $check = 0 ]] || exit 1
	backports_update
	v=$(private_apt apt-cache policy "$source_pkg" | sed -n 's/^ *Candidate: //p')
	[[ -n $v && $v != '(none)' ]] ||
		die "$BACKPORTS_SUITE at $(debian_mirror) has no $source_pkg"
	printf '%s\n' "$v"
}

backports_update() {
	local d=$cache_dir/apt-$BACKPORTS_SUITE lock_fd
	mkdir -p -- "$d/lists/partial" "$d/cache" "$d/archives/partial"
	# Our apt state has no lock of its own (Debug::NoLocking): this one.
	exec {lock_fd}>"$d/lock"
	flock "$lock_fd"
	printf 'deb [signed-by=%s] %s %s main\n' "$BACKPORTS_KEYRING" \
		"$(debian_mirror)" "$BACKPORTS_SUITE" >"$d/sources.list"
	msg "apt-get update ($BACKPORTS_SUITE, private lists in $d)"
	private_apt apt-get update >&2 || die "apt-get update of $BACKPORTS_SUITE failed"
	exec {lock_fd}>&-
}

# The source package, downloaded and unpacked once per version.
prepare_backports_source() { # VERSION
	make_once "$cache_dir/debian-src/$source_pkg/$1" download_backports_source "$1"
}

download_backports_source() { # VERSION DIR
	local d=$cache_dir/apt-$BACKPORTS_SUITE deb
	[[ -f $d/sources.list ]] || backports_update
	msg "downloading $source_pkg $1 (~170 MB)"
	(cd -- "$2" && private_apt apt-get download "$source_pkg=$1") >&2 ||
		die "apt-get download $source_pkg=$1 failed (DMAHEAP_KSRC_REFRESH=1 for a newer one?)"
	deb=$(find "$2" -maxdepth 1 -name "${source_pkg}_*.deb" | head -n 1)
	dpkg-deb -x "$deb" "$2"
	rm -f -- "$deb"
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
	[[ $source_pkg = "$HOST_SOURCE_PKG" ]] || prepare_backports_source "$1"
	src=$cache_dir/kernel-src/$source_pkg-$1
	[[ $source_pkg = "$HOST_SOURCE_PKG" ]] ||
		src=$cache_dir/kernel-src-${source_pkg#linux-source-}/$source_pkg-$1
	make_once "$src" unpack_source "$(source_tarball "$1")"
}

unpack_source() { # TARBALL DIR
	[[ -f $1 ]] || die "missing $1"
	msg "unpacking $1"
	tar -xJf "$1" -C "$2" --strip-components=1
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
	local targets=("$(basename -- "$image")")
	! grep -qx 'CONFIG_MODULES=y' "$bdir/.config" || targets+=(modules)
	make -s -C "$src" O="$bdir" "${make_args[@]}" -j"$jobs" \
		"${targets[@]}" >"$bdir/build.log" 2>&1 ||
		{ tail -n 40 -- "$bdir/build.log" >&2; die "kernel build failed (log: $bdir/build.log)"; }
	msg "built $1 in $((SECONDS - start)) s"
	local tmp=$2.tmp
	rm -rf -- "$tmp"
	mkdir -p -- "$tmp"
	cp -- "$bdir/$image" "$tmp/image"
	cp -- "$bdir/.config" "$tmp/config"
	copy_modules "$bdir" "$tmp"
	printf '%s\n' "$(source_version)" >"$tmp/source-version"
	printf '%s\n' "$((SECONDS - start))" >"$tmp/build-seconds"
	rm -rf -- "$2"
	mv -- "$tmp" "$2"
}

# The modules the build made (modules.order, in build order), flat in
# DIR/modules/ and named in DIR/modules.load: the layout run.sh gives a
# Debian kernel's modules, so its initramfs carries them the same way.
copy_modules() { # BUILD_DIR DIR
	grep -qx 'CONFIG_MODULES=y' "$1/.config" && [[ -s $1/modules.order ]] ||
		return 0
	local ko
	mkdir -p -- "$2/modules"
	: >"$2/modules.load"
	while read -r ko; do
		ko=${ko%.o}
		ko=${ko%.ko}.ko
		cp -- "$1/$ko" "$2/modules/"
		basename -- "$ko" >>"$2/modules.load"
	done <"$1/modules.order"
}

main() {
	check=0
	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	--check) check=1; shift ;;
	esac
	[[ $# -eq 1 ]] || { usage >&2; exit 2; }
	local flavour=$1
	flavour_settings "$flavour" || { msg "unknown flavour '$flavour'"; usage >&2; exit 2; }
	cache_dir=${DMAHEAP_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libdmaheap-vm}
	local key final
	source_version >/dev/null
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
		# Keep only the newest image of this flavour: FLAVOUR-KEY
		# exactly, or "cma" would take "cma-7.3-KEY" (and "arm64" the
		# arm64-64k image) with it.
		find "$cache_dir/built-kernels" -mindepth 1 -maxdepth 1 -type d \
			-name "$flavour-????????????????" ! -path "$final" \
			-exec rm -rf -- {} +
	fi
	exec {lock_fd}>&-
	printf '%s\n' "$final/image"
}

main "$@"
