#!/bin/bash
# The Debian packages, built and used as a Debian 12 system would:
#  1. dpkg-buildpackage -us -uc -b in a fresh clone of the committed tree
#     (its dh_auto_test runs meson's default test setup: no VM);
#  2. lintian: no error and no warning;
#  3. apt-get installs the built packages into a clean Debian 12 root
#     (tests/deb/make-root.sh, cached; each run works in an overlay on
#     it, in a mount namespace of its own), and there, with no
#     environment variable: a pkg-config consumer builds and runs on the
#     mock, so does a mock API consumer; dmaheap --version, and dmaheap
#     list and alloc under the mock preload; gst-inspect-1.0 finds
#     dmaheapupload; a GStreamer application builds with pkg-config
#     gstreamer-dmaheap-1.0 and uses an allocator of its own on the mock;
#     the udev rules sit where udev reads them.
# Usage: check.sh OUTDIR   (needs root; OUTDIR is made afresh)
set -euo pipefail
SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$SELF_DIR/../.." && pwd)
# shellcheck source=tests/trixie/common.sh
. "$top/tests/trixie/common.sh"

step() { echo "deb: $*"; }
fail() { echo "deb: FAIL: $*"; exit 1; }

# Runs a command in the root, with an empty environment but PATH, HOME
# (a fresh one on the root's tmpfs: GStreamer's registry cache) and LANG.
in_root() {
	chroot "$merged" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp/home \
		LANG=C.UTF-8 "$@"
}

# Inside a private mount namespace (see main): the overlay and the checks.
inside() { # ROOT OUT
	local root=$1 out=$2 version
	local ov=$out/overlay
	merged=$ov/merged
	mkdir -p "$ov/upper" "$ov/work" "$merged"
	mount -t overlay overlay \
		-o "lowerdir=$root,upperdir=$ov/upper,workdir=$ov/work" "$merged" ||
		fail "cannot mount an overlay on $root"
	chroot_mount "$merged" "$out/debs" /debs ro "$top/tests/install" /src ro \
		"$top/tests/gst" /src-gst ro
	cp /etc/resolv.conf "$merged/etc/resolv.conf" 2>/dev/null || true
	mkdir -p "$merged/tmp/home"
	version=$(cat "$out/version")

	step "apt-get install $(cd "$out/debs" && echo *.deb)"
	# shellcheck disable=SC2046 # one word per package
	in_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Dpkg::Use-Pty=0 \
		install -y --no-install-recommends $(cd "$out/debs" && printf '/debs/%s ' *.deb) \
		>"$out/apt.log" 2>&1 ||
		{ tail -n 30 "$out/apt.log"; fail "apt-get could not install the packages (log: $out/apt.log)"; }

	step "a pkg-config consumer of libdmaheap-dev, run on the mock preload"
	# shellcheck disable=SC2016 # the root's shell expands them
	in_root sh -ec 'cc -std=c11 -Wall -Wextra -Werror -o /tmp/consumer /src/consumer.c \
		$(pkg-config --cflags --libs libdmaheap)
		LD_PRELOAD=$(pkg-config --variable=preload libdmaheap-mock) /tmp/consumer' ||
		fail "the consumer does not build or run against the installed libdmaheap-dev"
	step "a consumer of the mock API (libdmaheap-mock-dev)"
	# shellcheck disable=SC2016
	in_root sh -ec 'cc -std=c11 -Wall -Wextra -Werror -o /tmp/mock-consumer \
		/src/mock-consumer.c $(pkg-config --cflags --libs libdmaheap-mock)
		/tmp/mock-consumer' ||
		fail "the mock consumer does not build or run against libdmaheap-mock-dev"

	step "dmaheap --version, list and alloc on the mock"
	in_root dmaheap --version | tee "$out/version.txt"
	grep -q "$version" "$out/version.txt" ||
		fail "dmaheap --version does not say $version"
	preload=$(in_root pkg-config --variable=preload libdmaheap-mock)
	in_root env LD_PRELOAD="$preload" dmaheap list | tee "$out/list.txt" ||
		fail "dmaheap list failed under the mock preload ($preload)"
	grep -qw system "$out/list.txt" || fail "dmaheap list does not show the mock's system heap"
	in_root env LD_PRELOAD="$preload" dmaheap alloc system 1M >/dev/null ||
		fail "dmaheap alloc system 1M failed under the mock preload"

	step "gst-inspect-1.0 dmaheapupload, no GST_PLUGIN_PATH"
	in_root gst-inspect-1.0 dmaheapupload >"$out/gst-inspect.txt" 2>&1 ||
		{ cat "$out/gst-inspect.txt"; fail "gst-inspect-1.0 does not find dmaheapupload"; }
	grep -E '^ +(Filename|Version) ' "$out/gst-inspect.txt"
	grep -qE "^ +Version +$version\$" "$out/gst-inspect.txt" ||
		fail "the plugin gst-inspect-1.0 found is not version $version"

	step "a GStreamer application of libgstdmaheap-1.0-dev, its own allocator on the mock"
	# shellcheck disable=SC2016 # the root's shell expands them
	in_root sh -ec 'cc -std=c11 -Wall -Wextra -Werror -o /tmp/app /src-gst/app-pc.c \
		$(pkg-config --cflags --libs gstreamer-dmaheap-1.0)
		LD_PRELOAD=$(pkg-config --variable=preload libdmaheap-mock) \
			DMAHEAP_MOCK_HEAPS=system,reserved /tmp/app reserved' ||
		fail "the application does not build or run against libgstdmaheap-1.0-dev"

	step "udev rules where udev reads them"
	# udev reads /usr/lib/udev/rules.d (the package's place, /lib being
	# /usr/lib on Debian 12), /etc/udev/rules.d and /run/udev/rules.d.
	local rules=/usr/lib/udev/rules.d/60-dmaheap.rules
	[[ -f $merged$rules ]] || fail "$rules is not installed"
	in_root dpkg -S "$rules" | grep -q '^dmaheap:' ||
		fail "$rules does not belong to the package dmaheap"
	grep -q '^SUBSYSTEM=="dma_heap", GROUP="video", MODE="0660"$' "$merged$rules" ||
		fail "$rules does not give the group video the heaps"
	echo "$rules (package dmaheap)"
}

main() {
	if [[ ${1:-} = --inside ]]; then
		inside "$2" "$3"
		return
	fi
	[[ $# = 1 ]] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
	[[ $(id -u) = 0 ]] || fail "needs root (chroot, mounts)"
	local out start=$SECONDS root
	out=$(realpath -m "$1")
	if [[ -d $out/overlay ]]; then
		chroot_umount "$out/overlay"
		nothing_mounted_below "$out/overlay" || fail "$out/overlay still has mounts"
	fi
	rm -rf --one-file-system "$out"
	mkdir -p "$out/debs"
	# The root in the background while the packages build.
	"$SELF_DIR/make-root.sh" >"$out/root.path" 2>"$out/root.log" &
	local root_pid=$!

	step "dpkg-buildpackage -us -uc -b in a clone of $(git -C "$top" rev-parse --short HEAD)"
	git clone --quiet --shared "$top" "$out/src" || fail "git clone of $top failed"
	(cd "$out/src" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log"; fail "dpkg-buildpackage failed (log: $out/build.log)"; }
	grep -E '^(Ok|Fail|Skipped):' "$out/build.log" | tr -s ' ' | paste -sd' ' |
		sed 's/^/deb: dh_auto_test: /'
	! grep -E 'libdmaheap:(kernel|cma|memcg|cma-regions|vivid-loop|judges|judges-loop) / ' \
		"$out/build.log" || fail "dh_auto_test ran the VM suites above"
	! grep '^command:.*tests/vm/run\.sh' "$out"/src/obj-*/meson-logs/testlog.txt ||
		fail "dh_auto_test booted a VM: the commands above ran tests/vm/run.sh"
	dpkg-parsechangelog -l "$out/src/debian/changelog" -S Version |
		sed 's/-[^-]*$//' >"$out/version"
	cp "$out"/*.deb "$out/debs/"
	rm -f "$out"/debs/*-dbgsym_*.deb
	step "built in $((SECONDS - start)) s: $(cd "$out/debs" && echo *.deb)"

	step "lintian"
	lintian --fail-on error,warning "$out"/*.changes ||
		fail "lintian reports the errors or warnings above"

	wait "$root_pid" || { cat "$out/root.log"; fail "the Debian 12 root could not be made (above)"; }
	root=$(cat "$out/root.path")
	step "the Debian 12 root: $root"
	unshare --mount --propagation private -- "$0" --inside "$root" "$out"
	step "ok in $((SECONDS - start)) s"
}

main "$@"
