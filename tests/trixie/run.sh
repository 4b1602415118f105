#!/bin/bash
# libdmaheap on Debian 13 (trixie): GStreamer 1.26, gcc 14, meson 1.7, in
# the root tests/trixie/make-root.sh makes and caches. The source tree is
# bind-mounted read-only at /src, the build dir read-write at /build.
#
#   unit   configure (-Dwerror=true) and build in the root, then run the
#          unit and gst suites on the mock (DMA_DRM caps included: the
#          upload-drm test is built from GStreamer 1.24 on)
#   vm     the same build, then, in the VM (tests/vm/run.sh, which boots a
#          kernel with vivid and the heaps), the root's binaries in a
#          chroot: suites 'judges' and 'judges-loop' (tests/consumers),
#          GStreamer 1.26's V4L2 elements on the heap buffers, with
#          DMA_DRM caps, frames read back through vivid's loop, Vulkan
#          (lavapipe) importing heap and udmabuf buffers and images, EGL
#          (llvmpipe) sampling and rendering heap images; then, in a
#          second VM on a kernel with a CMA heap, suite 'judges-cma'
#          (Vulkan on a CMA heap buffer)
#   shell  a shell in the root, with the mounts
#
# Prints GStreamer's version and meson test's summary (Ok:, Fail:...).
# Exit status: meson test's (vm: the last failing VM's); 77 when the root
# cannot be made here.
set -euo pipefail

SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SELF_DIR
TOP=$(cd -- "$SELF_DIR/../.." && pwd)
readonly TOP
# shellcheck source=tests/trixie/common.sh
. "$SELF_DIR/common.sh"

usage() {
	cat <<EOF2
usage: $0 [--build DIR] unit|vm|shell [-- MESON_TEST_ARGS...]

  --build DIR   build dir on this machine (DMAHEAP_TRIXIE_BUILD; default
                $TOP/build-trixie); in the VM it must be under the
                directory run.sh makes writable (the current one)
  vm options:   DMAHEAP_VM_KERNEL (default debian: it has vivid and
                udmabuf; a built kernel must be built already),
                DMAHEAP_TRIXIE_CMA_KERNEL (default cma-7.3: the kernel of
                suite judges-cma, built already), DMAHEAP_VM_TIMEOUT (900)
EOF2
}

msg() { echo "trixie: $*" >&2; }

# Runs CMD... in ROOT's chroot with the source and build dir mounted;
# called in a private mount namespace (the --inside re-execution).
in_root() { # ROOT BUILD CMD...
	local root=$1 build=$2
	shift 2
	chroot_mount "$root" "$TOP" /src ro "$build" /build rw
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp \
		LANG=C.UTF-8 TERM="${TRIXIE_TERM:-dumb}" "$@"
}

# The shell commands run in the root for each mode.
readonly CONFIGURE='gst-launch-1.0 --version | sed -n 2p
[ -f /build/build.ninja ] ||
	meson setup /build /src -Dwerror=true -Db_ndebug=false >/build/setup.log ||
	{ cat /build/setup.log; exit 1; }
ninja -C /build >/build/ninja.log || { tail -n 50 /build/ninja.log; exit 1; }'

enter() { # ROOT BUILD CMD...
	unshare --mount --propagation private -- "$0" --inside "$@"
}

# Runs meson test's SUITE in the VM on KERNEL, in ROOT's chroot. Records
# a failure in vm_status and goes on, so both VMs always run.
vm_status=0
# preempt=none and no_timer_check: for vivid's loop (suite judges-loop)
# and a boot on a loaded host (tests/consumers/meson.build).
in_vm() { # KERNEL ROOT BUILD "SUITE..." [MESON_TEST_ARGS...]
	local kernel=$1 root=$2 build=$3 suites=$4 rc=0 s sargs=
	shift 4
	for s in $suites; do sargs+=" --suite $s"; done
	"$TOP/tests/vm/run.sh" --kernel "$kernel" --no-build \
		--timeout "${DMAHEAP_VM_TIMEOUT:-900}" \
		--append "${DMAHEAP_VM_APPEND:+$DMAHEAP_VM_APPEND }preempt=none no_timer_check" -- \
		unshare --mount --propagation private -- "$0" --inside \
		"$root" "$build" sh -ec \
		"exec meson test -C /build$sargs --print-errorlogs $*" ||
		rc=$?
	[[ $rc = 0 ]] || { msg "suites $suites on kernel $kernel: status $rc"; vm_status=$rc; }
}

main() {
	local build=${DMAHEAP_TRIXIE_BUILD:-$TOP/build-trixie} mode root
	case ${1:-} in
	--inside) shift; in_root "$@"; exit ;; # internal: see enter()
	--build) build=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	esac
	mode=${1:-}
	shift || true
	[[ ${1:-} != -- ]] || shift
	case $mode in
	unit | vm | shell) ;;
	*) usage >&2; exit 2 ;;
	esac
	if [[ $(id -u) != 0 ]]; then
		msg "SKIP: chroot and mounts need root"
		exit 77
	fi
	root=$("$SELF_DIR/make-root.sh") || { msg "SKIP: no Debian 13 root"; exit 77; }
	mkdir -p -- "$build"
	build=$(cd -- "$build" && pwd)
	case $mode in
	unit)
		enter "$root" "$build" sh -ec "$CONFIGURE
exec meson test -C /build --suite unit --suite gst --print-errorlogs $*"
		;;
	vm)
		enter "$root" "$build" sh -ec "$CONFIGURE"
		# The guest sees this machine's root read-only, the current
		# dir writable: the build dir must be below it.
		in_vm "${DMAHEAP_VM_KERNEL:-debian}" "$root" "$build" \
			"judges judges-loop" "$@"
		# Vulkan on a CMA heap's buffer: a kernel with one.
		in_vm "${DMAHEAP_TRIXIE_CMA_KERNEL:-cma-7.3}" "$root" "$build" \
			judges-cma "$@"
		return "$vm_status"
		;;
	shell)
		TRIXIE_TERM=${TERM:-dumb} enter "$root" "$build" bash -i
		;;
	esac
}

main "$@"
