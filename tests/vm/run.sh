#!/usr/bin/env bash
# Run a command inside a throwaway Linux VM whose kernel has DMA-BUF heaps,
# udmabuf, vgem and vivid, for hosts whose own kernel has none of these.
#
# The VM boots a 6.12 kernel under qemu with a busybox initramfs: Debian's
# package (modules loaded from the initramfs), or one of the minimal
# kernels tests/vm/build-kernel.sh builds from Debian's source (x86-64 with
# the CMA heap, arm64 with 4 or 64 KiB pages). Its /init (tests/vm/init)
# chroots into the host's root, exported read-only over 9p, so host
# binaries run unchanged; an arm64 guest chroots into a small arm64 root
# instead (tests/vm/arm64-root.sh). One host directory is exported writable
# for test output. See usage() for options and environment.
set -euo pipefail

# The guest gets the caller's PATH, not ours: depmod and modprobe live in
# sbin, which a non-root PATH may lack. The system dirs come first: meson
# puts a cross build's sysroot dirs in front, where the arm64 root's
# busybox links (cat, cut, sha256sum...) cannot run on this host.
readonly CALLER_PATH=$PATH
PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin:$PATH

SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SELF_DIR
readonly INIT_SCRIPT=$SELF_DIR/init
readonly BUILD_KERNEL=$SELF_DIR/build-kernel.sh
readonly ARM64_ROOT=$SELF_DIR/arm64-root.sh
# What --kernel accepts: Debian's package, or a build-kernel.sh flavour.
readonly KERNELS="debian cma arm64 arm64-64k cma-7.3 arm64-7.3"

# Meta-packages tried, in order, to name the current kernel image package:
# Debian 12 has 6.12 only as its own meta; on Debian 13 it is the default.
readonly KERNEL_METAS_DEFAULT="linux-image-6.12-amd64 linux-image-amd64"
# Modules the guest loads: 9p for the shares, vgem for /dev/dri/card0 and
# vivid for /dev/video*. Dependencies are resolved automatically.
readonly GUEST_MODULES=(netfs 9pnet 9p 9pnet_virtio vgem vivid)
# Bump when the layout of prepared artefacts changes, so old caches are
# not reused.
readonly PREP_FORMAT=1
# The guest's /init copies the modules run with --defer-module here (a
# tmpfs in the chroot) instead of loading them.
readonly GUEST_DEFERRED_DIR=/run/dmaheap-modules
# Variables always forwarded into the guest when set on the host.
readonly FORWARD_ENV_DEFAULT="PATH LANG LC_ALL LC_CTYPE LD_LIBRARY_PATH \
MALLOC_PERTURB_ MALLOC_CHECK_ ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS \
MSAN_OPTIONS TSAN_OPTIONS MESON_TEST_ITERATION MESON_SOURCE_ROOT \
MESON_BUILD_ROOT"

usage() {
	cat <<EOF
usage: tests/vm/run.sh [options] [--] CMD [ARGS...]
       tests/vm/run.sh --shell [options]
       tests/vm/run.sh --prepare-only

Runs CMD in a qemu VM with DMA-BUF heaps, chrooted into the host's root
(read-only) in the current directory; arm64 guests chroot into a small
arm64 root where only the writable dir comes from the host. Exit status is CMD's; 99 if the
kernel logged a warning/oops while CMD ran (unless CMD skipped with 77);
124 on timeout; 77 if the VM cannot be set up on this host.

options:
  -k, --kernel NAME     kernel to boot (DMAHEAP_VM_KERNEL; default debian,
                        arm64 when DMAHEAP_VM_ARCH=aarch64):
                          debian     Debian 12's linux-image-6.12 package
                          cma        x86-64 built from linux-source-6.12,
                                     with the CMA heap (/dev/dma_heap/reserved)
                          arm64      the same for arm64, 4 KiB pages
                          arm64-64k  arm64 with 64 KiB pages
                          cma-7.3    x86-64 built from linux-source-7.3
                                     (trixie-backports), with memory cgroups
                                     (/dev/dma_heap/default_cma_region too)
                          arm64-7.3  the same for arm64
                        all but debian come from tests/vm/build-kernel.sh,
                        which builds on a cache miss (3-4 minutes)
      --default-kernel NAME
                        kernel when none is chosen (e.g. cma for a test that
                        needs the CMA heap); arm64 programs always get arm64
      --no-build        skip (77) instead of building a missing kernel
                        (DMAHEAP_VM_NO_BUILD=1)
  -t, --timeout SECS    kill the VM after SECS (DMAHEAP_VM_TIMEOUT, 600;
                        --shell: none; 0 means none)
  -w, --writable DIR    host dir writable in the guest (DMAHEAP_VM_WRITABLE;
                        default: \$MESON_BUILD_ROOT if set, else \$PWD)
  -e, --env NAME=VALUE  set a variable for CMD (repeatable)
  -p, --pass-env NAME   forward host variable NAME (repeatable; also
                        DMAHEAP_VM_PASS_ENV="NAME...", and DMAHEAP_* vars)
  -m, --memory SIZE     guest memory (DMAHEAP_VM_MEMORY, 2G)
      --smp N           guest CPUs (DMAHEAP_VM_SMP, 2)
      --kvm             use KVM instead of TCG (DMAHEAP_VM_KVM=1)
      --tcg-thread MODE TCG threading, single or multi (DMAHEAP_VM_TCG_THREAD;
                        default: single for a kernel that patches its own
                        code at run time (jump labels), else multi)
      --append WORDS    extra kernel command line (DMAHEAP_VM_APPEND)
      --defer-module NAME
                        a kernel with modules (cma-7.3: cma_heap): do not
                        load module NAME at boot, leave it in
                        \$DMAHEAP_DEFERRED_MODULES (/run/dmaheap-modules) for
                        CMD to load (repeatable; DMAHEAP_VM_DEFER_MODULES)
      --dtb FILE        arm64: boot with this device tree instead of the one
                        qemu makes; "cma-regions": qemu's plus two reusable
                        CMA regions (tests/vm/cma-regions-dtb.sh)
      --shell           interactive shell in the VM (Ctrl-A X quits)
      --prepare-only    only download and build the cached artefacts
  -v, --verbose         show kernel boot messages
  -h, --help            this text

cache: \${DMAHEAP_VM_CACHE:-\${XDG_CACHE_HOME:-\$HOME/.cache}/libdmaheap-vm}
kernel: DMAHEAP_VM_KERNEL_PKG pins the image package (e.g.
        linux-image-6.12.117+deb12-amd64-unsigned)
EOF
}

msg() { printf 'vm: %s\n' "$*" >&2; }
skip() { msg "skip: $*"; exit 77; }
die() { msg "error: $*"; exit 99; }
usage_error() { msg "error: $* (see --help)"; exit 2; }

# --- options -----------------------------------------------------------------

timeout_secs=${DMAHEAP_VM_TIMEOUT:-}
kernel_name=${DMAHEAP_VM_KERNEL:-}
default_kernel=debian
# The architecture the command was built for (meson's cpu_family; the
# kernel suite sets it): picks the default kernel, and must fit the one
# asked for.
program_arch=${DMAHEAP_VM_ARCH:-}
no_build=${DMAHEAP_VM_NO_BUILD:-0}
memory=${DMAHEAP_VM_MEMORY:-2G}
smp=${DMAHEAP_VM_SMP:-2}
writable=${DMAHEAP_VM_WRITABLE:-${MESON_BUILD_ROOT:-$PWD}}
use_kvm=${DMAHEAP_VM_KVM:-0}
tcg_thread=${DMAHEAP_VM_TCG_THREAD:-}
append=${DMAHEAP_VM_APPEND:-}
dtb=
read -r -a defer_modules <<<"${DMAHEAP_VM_DEFER_MODULES:-}"
interactive=0
prepare_only=0
verbose=0
extra_env=()
pass_env=()
cmd=()

need_arg() { [[ $# -ge 2 ]] || usage_error "option $1 needs an argument"; }

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		-k | --kernel) need_arg "$@"; kernel_name=$2; shift ;;
		--default-kernel) need_arg "$@"; default_kernel=$2; shift ;;
		--no-build) no_build=1 ;;
		-t | --timeout) need_arg "$@"; timeout_secs=$2; shift ;;
		-w | --writable) need_arg "$@"; writable=$2; shift ;;
		-e | --env) need_arg "$@"; extra_env+=("$2"); shift ;;
		-p | --pass-env) need_arg "$@"; pass_env+=("$2"); shift ;;
		-m | --memory) need_arg "$@"; memory=$2; shift ;;
		--smp) need_arg "$@"; smp=$2; shift ;;
		--kvm) use_kvm=1 ;;
		--tcg-thread) need_arg "$@"; tcg_thread=$2; shift ;;
		--append) need_arg "$@"; append=$2; shift ;;
		--dtb) need_arg "$@"; dtb=$2; shift ;;
		--defer-module) need_arg "$@"; defer_modules+=("$2"); shift ;;
		--shell) interactive=1 ;;
		--prepare-only) prepare_only=1 ;;
		-v | --verbose) verbose=1 ;;
		-h | --help) usage; exit 0 ;;
		--) shift; break ;;
		-*) usage_error "unknown option $1" ;;
		*) break ;;
		esac
		shift
	done
	cmd=("$@")
}

check_args() {
	# A shell session is not bounded unless asked (0 means no limit).
	[[ -n $timeout_secs ]] || timeout_secs=$((interactive ? 0 : 600))
	[[ $timeout_secs =~ ^[0-9]+$ ]] || usage_error "bad timeout '$timeout_secs'"
	[[ $smp =~ ^[0-9]+$ ]] || usage_error "bad CPU count '$smp'"
	if [[ -z $kernel_name ]]; then
		kernel_name=$default_kernel
		[[ $program_arch != aarch64 ]] || kernel_name=arm64
	fi
	case $tcg_thread in
	'' | single | multi) ;;
	*) usage_error "bad --tcg-thread '$tcg_thread' (single or multi)" ;;
	esac
	[[ " $KERNELS " = *" $kernel_name "* ]] ||
		usage_error "unknown kernel '$kernel_name' (one of: $KERNELS)"
	case $kernel_name in
	arm64*) guest_arch=arm64 ;;
	*) guest_arch=x86_64 ;;
	esac
	case $program_arch/$guest_arch in
	/* | x86_64/x86_64 | x86/x86_64 | aarch64/arm64) ;;
	*) usage_error "a $program_arch program cannot run on kernel '$kernel_name'" ;;
	esac
	if [[ $guest_arch = arm64 && $use_kvm = 1 ]]; then
		usage_error "--kvm needs an x86-64 kernel"
	fi
	if [[ -n $dtb ]]; then
		[[ $guest_arch = arm64 ]] || usage_error "--dtb needs an arm64 kernel"
		[[ $dtb = cma-regions || -r $dtb ]] ||
			usage_error "cannot read --dtb '$dtb'"
	fi
	if [[ $interactive = 1 && ${#cmd[@]} -eq 0 ]]; then
		cmd=(/bin/bash -l)
	fi
	[[ $prepare_only = 1 || ${#cmd[@]} -gt 0 ]] || usage_error "no command"
	local e
	for e in "${extra_env[@]}"; do
		[[ $e = *=* ]] || usage_error "bad --env '$e' (want NAME=VALUE)"
		valid_name "${e%%=*}" || usage_error "bad variable name in --env '$e'"
	done
	for e in "${defer_modules[@]}"; do
		[[ $e =~ ^[A-Za-z0-9_-]+$ ]] || usage_error "bad --defer-module '$e'"
	done
}

valid_name() { [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; }

# --- host tools --------------------------------------------------------------

check_tools() {
	local t missing=() tools=(apt-get dpkg-deb cpio flock timeout sha256sum)
	if [[ $guest_arch = arm64 ]]; then
		tools+=(qemu-system-aarch64)
	else
		tools+=(qemu-system-x86_64)
	fi
	[[ $kernel_name != debian ]] || tools+=(apt-cache depmod modprobe xz)
	for t in "${tools[@]}"; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[[ ${#missing[@]} -eq 0 ]] || skip "missing host tools: ${missing[*]}"
	find_busybox
	if [[ $use_kvm = 1 && ! -w /dev/kvm ]]; then
		skip "KVM requested but /dev/kvm is not usable"
	fi
}

# The initramfs has no libc, so only a static busybox (busybox-static) works.
# The host's also names the applets for an arm64 one (same package).
find_busybox() {
	host_busybox=$(command -v busybox || true)
	[[ -n $host_busybox ]] || skip "busybox-static is not installed"
	if LC_ALL=C ldd "$host_busybox" 2>&1 | grep -q '=>'; then
		skip "$host_busybox is dynamically linked; install busybox-static"
	fi
	busybox_bin=$host_busybox
}

# --- cache and locking ---------------------------------------------------------

cache_dir=${DMAHEAP_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libdmaheap-vm}
cleanup_paths=()

cleanup() {
	[[ ${#cleanup_paths[@]} -eq 0 ]] || rm -rf -- "${cleanup_paths[@]}"
}
trap cleanup EXIT
# Without these, a signal would end bash without running the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

# Parallel runs (meson test -j) share the cache: preparation happens under
# an exclusive lock, and each artefact is built in a temporary directory
# then renamed into place, so an interrupted build never looks finished.
lock_cache() {
	mkdir -p -- "$cache_dir" || skip "cannot create cache dir $cache_dir"
	exec {cache_lock_fd}>"$cache_dir/lock"
	flock "$cache_lock_fd"
	# Holding the lock, any temporary build left is from a killed run.
	rm -rf -- "$cache_dir"/*/.tmp.*
}

unlock_cache() { exec {cache_lock_fd}>&-; }

# Sets tmp_dir to a new directory in PARENT, removed at exit unless renamed.
# (Not a $(...) function: the cleanup list must grow in this shell.)
new_tmp_dir() { # PARENT
	mkdir -p -- "$1"
	tmp_dir=$(mktemp -d -- "$1/.tmp.XXXXXX")
	chmod 755 -- "$tmp_dir"
	cleanup_paths+=("$tmp_dir")
}

publish_dir() { # TMP FINAL
	rm -rf -- "$2"
	mv -- "$1" "$2"
}

# --- kernel package --------------------------------------------------------------

apt_updated=0

# apt lists may be missing or stale (old security versions vanish from the
# archive); one refresh is worth trying when we are allowed to.
refresh_apt_lists() {
	[[ $apt_updated = 0 && $(id -u) = 0 ]] || return 1
	[[ ${DMAHEAP_VM_APT_UPDATE:-1} = 1 ]] || return 1
	apt_updated=1
	msg "refreshing apt package lists"
	apt-get update -qq >/dev/null 2>&1
}

# Prints "PACKAGE VERSION" of the kernel image to use, or fails. apt-cache
# takes ~0.5 s a call, which every test would pay, so the answer is kept
# until the apt lists or the settings change.
resolve_kernel_pkg() {
	local memo=$cache_dir/kernel-choice key answer
	key="$(stat -c %Y /var/lib/apt/lists 2>/dev/null) ${DMAHEAP_VM_KERNEL_PKG:-}"
	key+=" ${DMAHEAP_VM_KERNEL_METAS:-$KERNEL_METAS_DEFAULT}"
	if [[ -f $memo && $(head -n 1 -- "$memo") = "$key" ]]; then
		sed -n 2p -- "$memo"
		return
	fi
	answer=$(ask_apt_kernel_pkg) || return 1
	printf '%s\n' "$key" "$answer" >"$memo"
	printf '%s\n' "$answer"
}

ask_apt_kernel_pkg() {
	local pkg=${DMAHEAP_VM_KERNEL_PKG:-} meta dep
	if [[ -n $pkg ]]; then
		dep="$pkg (= $(apt_field "$pkg" Version))" || return 1
	else
		# The meta-package depends on "linux-image-X (= VERSION)"; the
		# -unsigned twin of X is built from the same source, same version.
		for meta in ${DMAHEAP_VM_KERNEL_METAS:-$KERNEL_METAS_DEFAULT}; do
			dep=$(apt_field "$meta" Depends) && break
		done
		[[ -n $dep ]] || return 1
		dep=${dep/ /-unsigned }
	fi
	[[ $dep =~ ^(linux-image-[^ ,]+)\ \(=\ ([^\) ]+)\) ]] || return 1
	printf '%s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}

apt_field() { # PACKAGE FIELD
	apt-cache show --no-all-versions -- "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n 1 | grep .
}

download_deb() { # PACKAGE VERSION -> prints .deb path
	local dir=$cache_dir/debs
	# apt-get download names the file like this (an epoch's ":" as "%3a").
	local deb=$dir/${1}_${2/:/%3a}_amd64.deb
	mkdir -p -- "$dir"
	if [[ ! -f $deb ]]; then
		# As root, apt drops to the _apt user, which cannot write to a
		# cache under $HOME; this download does not need that sandbox.
		msg "downloading $1=$2"
		(cd -- "$dir" && apt-get download -qq \
			-o APT::Sandbox::User="$(id -un)" "$1=$2" >&2) || return 1
		[[ -f $deb ]] || return 1
	fi
	prune_debs "$deb"
	printf '%s\n' "$deb"
}

# A kernel image is ~100 MiB: keep only the one in use.
prune_debs() { # KEEP
	find "$cache_dir/debs" -maxdepth 1 -name '*.deb' ! -path "$1" -delete
}

# --- prepared kernel: vmlinuz, config and the guest's modules -----------------------------

# Unpacks the .deb, then keeps only what the guest needs: the kernel, its
# config and the listed modules plus dependencies, decompressed (busybox
# insmod does not decompress), with a load order in modules.load.
build_kernel_dir() { # DEB FINAL_DIR
	local tmp root
	new_tmp_dir "$cache_dir/kernels"
	tmp=$tmp_dir root=$tmp/unpacked
	msg "unpacking $(basename -- "$1")"
	dpkg-deb -x "$1" "$root"
	local kver
	kver=$(basename -- "$root"/boot/vmlinuz-*)
	kver=${kver#vmlinuz-}
	[[ -d $root/lib/modules/$kver ]] || die "no modules for $kver in $1"
	grep -q '^CONFIG_DMABUF_HEAPS_SYSTEM=y' "$root/boot/config-$kver" ||
		die "kernel $kver has no built-in DMA-BUF system heap"
	cp -- "$root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
	cp -- "$root/boot/config-$kver" "$tmp/config"
	printf '%s\n' "$kver" >"$tmp/kernel-version"
	extract_modules "$root" "$kver" "$tmp"
	rm -rf -- "$root"
	publish_dir "$tmp" "$2"
}

extract_modules() { # ROOT KVER DEST
	local moddir=$1/lib/modules/$2 order path rel
	depmod -b "$1" "$2"
	order=$(module_load_order "$1" "$2") || die "cannot resolve guest modules"
	mkdir -p -- "$3/modules"
	: >"$3/modules.load"
	while read -r path; do
		rel=$2/${path#"$moddir"/}
		rel=$(decompress_module "$path" "$3/modules/$rel")
		printf '%s\n' "${rel#"$3/modules/"}" >>"$3/modules.load"
	done <<<"$order"
}

# Files to insmod, dependencies first, each once. Built-in modules print
# "builtin NAME" and need nothing.
module_load_order() { # ROOT KVER
	local m deps=
	for m in "${GUEST_MODULES[@]}"; do
		deps+=$(modprobe -d "$1" -S "$2" --show-depends "$m")$'\n' || return 1
	done
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' <<<"$deps"
}

decompress_module() { # SRC DEST -> prints DEST minus .xz/.zst
	local out=${2%.xz}
	out=${out%.zst}
	mkdir -p -- "$(dirname -- "$out")"
	case $1 in
	*.xz) xz -dc -- "$1" >"$out" ;;
	*.zst) zstd -qdc -- "$1" >"$out" ;;
	*) cp -- "$1" "$out" ;;
	esac
	printf '%s\n' "$out"
}

# --- initramfs ---------------------------------------------------------------------

# The initramfs depends on the kernel dir, the init script and busybox;
# hashing them names it, so any change builds a new one.
initramfs_key() { # KERNEL_DIR
	{
		printf '%s\n' "$PREP_FORMAT" "$1"
		cat -- "$INIT_SCRIPT" "$busybox_bin"
		[[ ! -f $1/modules.load ]] || cat -- "$1/modules.load"
	} | sha256sum | cut -c1-16
}

build_initramfs() { # KERNEL_DIR FINAL_FILE
	local tmp stage
	new_tmp_dir "$cache_dir/initramfs"
	tmp=$tmp_dir stage=$tmp/root
	mkdir -p -- "$stage"/{bin,dev,proc,sys,etc,mnt/host,lib/modules}
	cp -- "$busybox_bin" "$stage/bin/busybox"
	install_busybox_links "$stage/bin"
	install -m 0755 -- "$INIT_SCRIPT" "$stage/init"
	if [[ -f $1/modules.load ]]; then
		cp -R -- "$1/modules/." "$stage/lib/modules/"
		cp -- "$1/modules.load" "$stage/etc/modules.load"
	else
		: >"$stage/etc/modules.load"
	fi
	# Uncompressed: under TCG, the kernel unpacks gzip slower than qemu
	# copies the extra megabytes.
	(cd -- "$stage" && find . | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 >"$tmp/initramfs.cpio")
	mv -- "$tmp/initramfs.cpio" "$2"
}

install_busybox_links() { # BINDIR
	local applet
	for applet in $("$host_busybox" --list); do
		[[ $applet = busybox ]] || ln -s busybox "$1/$applet"
	done
}

# --- preparation ---------------------------------------------------------------

# Sets kernel_dir, kernel_image, guest_root and initramfs to ready-to-boot
# artefacts.
prepare() {
	guest_root=/
	if [[ $kernel_name = debian ]]; then
		lock_cache
		prepare_debian_kernel
		kernel_image=$kernel_dir/vmlinuz
	else
		# Outside the cache lock: a build takes minutes, and has its own.
		prepare_built_kernel
		[[ $guest_arch != arm64 ]] || prepare_arm64_root
		lock_cache
	fi
	prepare_initramfs
	unlock_cache
}

# A kernel from build-kernel.sh: the image and its config, no modules.
prepare_built_kernel() {
	if [[ $no_build = 1 ]]; then
		kernel_image=$("$BUILD_KERNEL" --check "$kernel_name") ||
			skip "kernel '$kernel_name' is not built yet (run tests/vm/build-kernel.sh $kernel_name)"
	else
		kernel_image=$("$BUILD_KERNEL" "$kernel_name") ||
			die "cannot build kernel '$kernel_name'"
	fi
	kernel_dir=$(dirname -- "$kernel_image")
}

# The arm64 guest's root (busybox, libc, cmocka, libdrm) and its busybox.
prepare_arm64_root() {
	guest_root=$("$ARM64_ROOT") || skip "cannot prepare the arm64 guest root"
	busybox_bin=$guest_root/bin/busybox
}

prepare_debian_kernel() {
	local pkgver pkg ver
	if ! pkgver=$(resolve_kernel_pkg) && ! { refresh_apt_lists &&
		pkgver=$(resolve_kernel_pkg); }; then
		kernel_dir=$(newest_kernel_dir) ||
			skip "no DMA-BUF-heap kernel package known to apt (apt-get update?)"
		msg "apt knows no kernel package; using cached $(basename -- "$kernel_dir")"
		return
	fi
	read -r pkg ver <<<"$pkgver"
	kernel_dir=$cache_dir/kernels/$(kernel_key "$pkg" "$ver")
	[[ -f $kernel_dir/modules.load ]] && return
	local deb
	deb=$(download_deb "$pkg" "$ver") ||
		{ refresh_apt_lists && deb=$(download_deb "$pkg" "$ver"); } ||
		skip "cannot download kernel package $pkg=$ver"
	build_kernel_dir "$deb" "$kernel_dir"
}

# Package, version and the module list decide what a kernel dir contains.
kernel_key() { # PACKAGE VERSION
	local mods
	mods=$(printf '%s\n' "$PREP_FORMAT" "${GUEST_MODULES[@]}" | sha256sum | cut -c1-8)
	printf '%s_%s_%s\n' "$1" "$2" "$mods"
}

# Offline fallback: the newest prepared kernel (of the pinned package, if any).
newest_kernel_dir() {
	local d
	d=$(find "$cache_dir/kernels" -mindepth 2 -maxdepth 2 -name modules.load \
		-path "*/${DMAHEAP_VM_KERNEL_PKG:-linux-image-}*" 2>/dev/null |
		sort -V | tail -n 1)
	[[ -n $d ]] && dirname -- "$d"
}

prepare_initramfs() {
	initramfs=$cache_dir/initramfs/$(initramfs_key "$kernel_dir").cpio
	[[ -f $initramfs ]] || build_initramfs "$kernel_dir" "$initramfs"
}

# --- the run directory shared with the guest ---------------------------------------

# Single-quote for sh, so any byte survives (spaces, quotes, newlines).
shquote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

make_run_dir() {
	run_dir=$(mktemp -d -- "${TMPDIR:-/tmp}/dmaheap-vm.XXXXXX")
	cleanup_paths+=("$run_dir")
	write_guest_config >"$run_dir/config"
	write_cmd_script >"$run_dir/cmd.sh"
}

# Read by the guest's /init.
write_guest_config() {
	printf 'VM_CWD=%s\n' "$(shquote "$PWD")"
	printf 'VM_WRITABLE=%s\n' "$(shquote "$writable")"
	printf 'VM_INTERACTIVE=%s\n' "$interactive"
}

# Run by the host's /bin/sh inside the chroot, with an empty environment.
write_cmd_script() {
	printf 'cd %s || exit 1\n' "$(shquote "$PWD")"
	printf 'export HOME=/tmp\n'
	# Where the guest's /init leaves the modules it did not load.
	[[ ${#defer_modules[@]} -eq 0 ]] ||
		printf 'export DMAHEAP_DEFERRED_MODULES=%s\n' "$GUEST_DEFERRED_DIR"
	local name value
	for name in $(forwarded_names); do
		[[ -n ${!name+x} ]] || continue
		value=${!name}
		[[ $name != PATH ]] || value=$CALLER_PATH
		printf 'export %s=%s\n' "$name" "$(shquote "$value")"
	done
	local e
	for e in "${extra_env[@]}"; do
		printf 'export %s=%s\n' "${e%%=*}" "$(shquote "${e#*=}")"
	done
	printf 'exec'
	local a
	for a in "${cmd[@]}"; do printf ' %s' "$(shquote "$a")"; done
	printf '\n'
}

# Project test knobs (DMAHEAP_*) pass through; the runner's own do not.
forwarded_names() {
	local name
	for name in $FORWARD_ENV_DEFAULT ${DMAHEAP_VM_PASS_ENV:-} "${pass_env[@]}" \
		$(compgen -v DMAHEAP_); do
		[[ $name = DMAHEAP_VM_* ]] && continue
		valid_name "$name" && printf '%s\n' "$name"
	done
}

# --- qemu ------------------------------------------------------------------------

# The guest's /init learns its two consoles from vm_out and vm_err (the
# kernel hands unknown name=value words to init as environment).
kernel_cmdline() {
	local c="console=$tty_err vm_out=$tty_out vm_err=$tty_err panic=-1 rdinit=/init"
	[[ $verbose = 1 ]] || c+=" quiet loglevel=3"
	# Under TCG on a busy host the emulated CPU can miss the boot-time
	# check that the IO-APIC timer ticks, and the kernel panics ("IO-APIC
	# + timer doesn't work!"; 3 of about 30 boots at load 15-20). KVM
	# guests skip that check; so do these.
	[[ $guest_arch != x86_64 ]] || c+=" no_timer_check"
	# Some kernels build 32-bit syscall support but leave it off by default.
	if grep -q '^CONFIG_IA32_EMULATION_DEFAULT_DISABLED=y' "$kernel_dir/config"; then
		c+=" ia32_emulation=on"
	fi
	# The image tests want vivid's second, multi-planar instance. The
	# guest's init passes these to insmod; a kernel with vivid built in
	# takes them only from its command line.
	if grep -q '^CONFIG_VIDEO_VIVID=y' "$kernel_dir/config"; then
		c+=" vivid.n_devs=2 vivid.multiplanar=1,2"
	fi
	# Modules /init leaves unloaded, and where (see --defer-module).
	if [[ ${#defer_modules[@]} -gt 0 ]]; then
		c+=" vm_defer=$(IFS=,; printf '%s' "${defer_modules[*]}")"
		c+=" vm_defer_dir=$GUEST_DEFERRED_DIR"
	fi
	[[ -z $append ]] || c+=" $append"
	printf '%s\n' "$c"
}

# Multi-threaded TCG runs each vCPU in its own host thread, and an x86
# kernel with jump labels (Debian's) patches its code while the other vCPU
# runs it (text_poke_bp: int3 first, then the new bytes, then the int3
# away). Under MTTCG the other vCPU can still execute a stale translation
# with the int3 after the patch is done: "Oops: int3" (sched_clock_cpu at
# boot when the TSC watchdog flips a key; update_curr_se when
# sched_schedstats is toggled, which crashes nearly every time). One TCG
# thread for all vCPUs keeps SMP but serialises them, which makes the
# patching coherent. The minimal kernels have no jump labels.
default_tcg_thread() {
	if [[ $guest_arch = x86_64 ]] &&
		grep -q '^CONFIG_JUMP_LABEL=y' "$kernel_dir/config"; then
		echo single
	else
		echo multi
	fi
}

machine_args() {
	local tcg=tcg
	tcg+=",thread=${tcg_thread:-$(default_tcg_thread)}"
	if [[ $guest_arch = arm64 ]]; then
		printf '%s\n' -M virt -accel "$tcg" -cpu max
		[[ -z $dtb ]] || printf '%s\n' -dtb "$dtb"
	elif [[ $use_kvm = 1 ]]; then
		printf '%s\n' -accel kvm -cpu host
	else
		printf '%s\n' -accel "$tcg" -cpu max
	fi
}

# x86-64: ttyS0 carries the command's stdout, ttyS1 its stderr and the
# kernel console. arm64 (-M virt has one UART): ttyAMA0 is stderr and the
# console, a virtio console hvc0 is stdout. In a --shell session the
# stdout device is the terminal.
set_ttys() {
	if [[ $guest_arch = arm64 ]]; then
		tty_out=hvc0 tty_err=ttyAMA0
	else
		tty_out=ttyS0 tty_err=ttyS1
	fi
}

console_args() {
	local -a out_dev=(-serial chardev:out)
	[[ $guest_arch = x86_64 ]] ||
		out_dev=(-device virtio-serial-pci -device virtconsole,chardev=out)
	if [[ $interactive = 1 ]]; then
		printf '%s\n' -chardev stdio,mux=on,id=out -mon chardev=out
	else
		output_chardev out 1 3
	fi
	printf '%s\n' "${out_dev[@]}"
	output_chardev err 2 4
	printf '%s\n' -serial chardev:err
}

# qemu writes our fd MINE through its inherited copy COPY (see run_vm):
# reopening /dev/stdout would give a regular file its own offset, so the
# caller's later writes would overwrite the VM's output. qemu only takes an
# fd whose access mode matches its own open (write-only), so fds opened
# read-write (terminals) are reopened, which is harmless for them.
# append=on: otherwise qemu truncates the file.
output_chardev() { # ID MINE COPY
	local path=/dev/fd/$2 flags
	flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$$/fdinfo/$2" 2>/dev/null) || flags=
	if [[ -n $flags ]] && (((8#$flags & 3) == 1)); then
		printf '%s\n' -add-fd "fd=$3,set=$2"
		path=/dev/fdset/$2
	fi
	printf '%s\n' -chardev "file,id=$1,path=$path,append=on"
}

share_args() {
	printf '%s\n' \
		-virtfs "local,path=$(qemu_escape "$guest_root"),mount_tag=host,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$(qemu_escape "$writable"),mount_tag=rw,security_model=none,multidevs=remap" \
		-virtfs "local,path=$(qemu_escape "$run_dir"),mount_tag=vmrun,security_model=none"
}

# qemu option values use ",," for a literal comma.
qemu_escape() { printf '%s' "${1//,/,,}"; }

qemu_args() {
	local -a a
	set_ttys
	mapfile -t a < <(machine_args; console_args; share_args)
	local qemu=qemu-system-x86_64
	[[ $guest_arch = x86_64 ]] || qemu=qemu-system-aarch64
	qemu_cmd=("$qemu" -nodefaults -no-user-config -display none
		-no-reboot -m "$memory" -smp "$smp" "${a[@]}"
		-kernel "$kernel_image" -initrd "$initramfs"
		-append "$(kernel_cmdline)")
}

run_vm() {
	qemu_args
	local rc=0
	timeout --foreground -k 10 "$timeout_secs" "${qemu_cmd[@]}" 3>&1 4>&2 ||
		rc=$?
	if [[ $rc = 124 || $rc = 137 ]]; then
		msg "timeout: VM killed after ${timeout_secs}s"
		return 124
	fi
	guest_status "$rc"
}

# The guest's /init writes the command's status (after its kernel-log check)
# to the run directory just before powering off.
guest_status() { # QEMU_STATUS
	local status
	status=$(cat -- "$run_dir/status" 2>/dev/null) || status=
	if [[ ! $status =~ ^[0-9]+$ ]]; then
		msg "error: the VM stopped without a result (qemu status $1; kernel panic?)"
		return 99
	fi
	return "$status"
}

main() {
	parse_args "$@"
	check_args
	check_tools
	prepare
	[[ $prepare_only = 0 ]] || { msg "ready: $kernel_image $initramfs"; return 0; }
	[[ -f $INIT_SCRIPT ]] || die "missing $INIT_SCRIPT"
	mkdir -p -- "$writable" && writable=$(cd -- "$writable" && pwd -P)
	# The guest mounts the writable dir, and enters the current one, at
	# the same paths as here: a root of our own needs the mount points.
	[[ $guest_root = / ]] || mkdir -p -- "$guest_root$writable" "$guest_root$PWD"
	make_run_dir
	[[ $dtb != cma-regions ]] || make_regions_dtb
	run_vm
}

# --dtb cma-regions: made for this VM's memory and CPUs, in the run dir.
make_regions_dtb() {
	command -v dtc >/dev/null ||
		skip "--dtb cma-regions needs dtc (package device-tree-compiler)"
	"$SELF_DIR/cma-regions-dtb.sh" "$run_dir/cma-regions.dtb" "$memory" "$smp" ||
		skip "cannot make the cma-regions device tree"
	dtb=$run_dir/cma-regions.dtb
}

main "$@"
