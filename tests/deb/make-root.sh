#!/bin/bash
# Makes (once) and prints the path of a clean Debian 12 (bookworm) root,
# debootstrap --variant=minbase plus tests/deb/packages, into which
# tests/deb/check.sh installs the built .debs. Cached beside the VM
# kernels (not under /tmp), keyed on the package list and ROOT_FORMAT;
# older roots are removed. check.sh never changes it: each run installs
# into an overlay on top of it. Concurrent callers share one build (a
# lock); the root is made in DIR.tmp and renamed when complete.
# Needs root, debootstrap and debian-archive-keyring; about 2 minutes.
set -euo pipefail

SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SELF_DIR
readonly SUITE=bookworm
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Bump when what provision() does changes.
readonly ROOT_FORMAT=1
# The mount helpers of the Debian 13 root (tests/trixie).
# shellcheck source=tests/trixie/common.sh
. "$SELF_DIR/../trixie/common.sh"

msg() { echo "deb make-root: $*" >&2; }

deb_cache_dir() {
	printf '%s\n' "${DMAHEAP_DEB_CACHE:-${DMAHEAP_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libdmaheap-vm}/deb-bookworm}"
}

packages() {
	sed 's/#.*//' "$SELF_DIR/packages" | tr -s ' \t' '\n' | sed '/^$/d'
}

cache_key() {
	{ packages; echo "$SUITE $ROOT_FORMAT"; } | sha256sum | cut -c1-16
}

# The first Debian archive (not -security) in this machine's apt sources.
host_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] && cat -- "$f"
	done | grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+' |
		sed 's,/*$,,' | grep -E '/debian$' | head -n1 || true
}

provision() { # ROOT (in a mount namespace of its own)
	local root=$1
	chroot_mount "$root"
	echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/01-libdmaheap-unsafe-io"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	# shellcheck disable=SC2046 # one word per package
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive \
		apt-get -qq -o Dpkg::Use-Pty=0 install -y --no-install-recommends \
		$(packages) >"$root.apt.log" 2>&1 ||
		{ tail -n 30 "$root.apt.log" >&2; msg "apt-get install failed"; exit 1; }
	rm -f -- "$root.apt.log"
	chroot "$root" apt-get clean
}

build() { # DIR
	local dir=$1 tmp=$1.tmp mirror start=$SECONDS
	mirror=${DMAHEAP_DEB_MIRROR:-$(host_mirror)}
	[[ -n $mirror ]] || { msg "no Debian mirror in /etc/apt; set DMAHEAP_DEB_MIRROR"; exit 1; }
	if [[ -e $tmp ]]; then
		chroot_umount "$tmp"
		nothing_mounted_below "$tmp" || { msg "$tmp still has mounts"; exit 1; }
		rm -rf --one-file-system -- "$tmp"
	fi
	msg "debootstrap $SUITE from $mirror into $tmp"
	debootstrap --variant=minbase --keyring="$KEYRING" "$SUITE" "$tmp" \
		"$mirror" >"$tmp.log" 2>&1 ||
		{ tail -n 30 "$tmp.log" >&2; msg "debootstrap failed"; exit 1; }
	unshare --mount --propagation private -- "$0" --provision "$tmp"
	nothing_mounted_below "$tmp" || { msg "$tmp still has mounts"; exit 1; }
	mv -- "$tmp" "$dir"
	rm -f -- "$tmp.log"
	msg "root made in $((SECONDS - start)) s, $(du -sh --one-file-system "$dir" | cut -f1)"
}

main() {
	case ${1:-} in
	--provision) provision "$2"; exit ;; # internal: see build()
	"") ;;
	*) echo "usage: $0" >&2; exit 2 ;;
	esac
	local cache dir lock_fd old
	cache=$(deb_cache_dir)
	dir=$cache/root-$(cache_key)
	if [[ -x $dir/usr/bin/gst-inspect-1.0 ]]; then
		printf '%s\n' "$dir"
		return
	fi
	[[ $(id -u) = 0 ]] || { msg "making the root needs root (debootstrap, chroot)"; exit 1; }
	command -v debootstrap >/dev/null || { msg "debootstrap is not installed"; exit 1; }
	mkdir -p -- "$cache"
	exec {lock_fd}>"$cache/lock"
	if ! flock -n "$lock_fd"; then
		msg "waiting for another build of the root"
		flock "$lock_fd"
	fi
	if [[ ! -x $dir/usr/bin/gst-inspect-1.0 ]]; then
		build "$dir"
		for old in "$cache"/root-*; do
			[[ $old = "$dir" || ! -d $old ]] && continue
			chroot_umount "$old"
			nothing_mounted_below "$old" && rm -rf --one-file-system -- "$old"
		done
	fi
	exec {lock_fd}>&-
	printf '%s\n' "$dir"
}

main "$@"
