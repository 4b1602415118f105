#!/bin/bash
# Makes (once) and prints the path of a Debian 13 (trixie) root with
# GStreamer 1.26, meson, gcc, cmocka and Mesa's Vulkan drivers, in which
# tests/trixie/run.sh builds and tests libdmaheap, and which the VM tests
# enter with chroot to run a newer GStreamer than this Debian 12 host has.
#
# debootstrap --variant=minbase from the Debian mirror this machine's apt
# uses, then apt-get installs tests/trixie/packages. The root is cached
# under $(trixie_cache_dir) (common.sh), keyed on the package list and
# ROOT_FORMAT: changing either builds a new one, and older ones are removed.
# Concurrent callers share one build (a lock); the root is made in DIR.tmp
# and renamed when complete, so a killed run leaves nothing half made.
set -euo pipefail

SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SELF_DIR
readonly SUITE=trixie
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Bump when what provision() does changes, so older roots are not reused.
readonly ROOT_FORMAT=1
# shellcheck source=tests/trixie/common.sh
. "$SELF_DIR/common.sh"

usage() {
	cat <<EOF2
usage: $0 [--check]

Prints the path of the cached Debian 13 root, making it first if the
cache has none for this package list (about 2 minutes, 1.3 GB; needs
root, debootstrap and debian-archive-keyring). With --check, makes
nothing: exit 1 if it is not there.

environment:
  DMAHEAP_TRIXIE_CACHE   where roots are kept ($(trixie_cache_dir))
  DMAHEAP_TRIXIE_MIRROR  Debian mirror (default: the one apt uses here)
EOF2
}

msg() { echo "make-root: $*" >&2; }

packages() {
	sed 's/#.*//' "$SELF_DIR/packages" | tr -s ' \t' '\n' | sed '/^$/d'
}

cache_key() {
	{ packages; echo "$SUITE $ROOT_FORMAT"; } | sha256sum | cut -c1-16
}

# The first Debian archive (not -security) in this machine's apt sources,
# one-line or deb822.
host_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] && cat -- "$f"
	done | grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+' |
		sed 's,/*$,,' | grep -E '/debian$' | head -n1 || true
}

# The steps run inside ROOT, in a mount namespace of their own: the
# mounts go away with it, whichever way it ends.
provision() { # ROOT
	local root=$1
	chroot_mount "$root"
	# Nothing here must survive a crash of this machine: no fsync.
	echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/01-libdmaheap-unsafe-io"
	# No documentation or translations: a third less to unpack.
	cat >"$root/etc/dpkg/dpkg.cfg.d/01-libdmaheap-nodoc" <<'EOF2'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
EOF2
	# shellcheck disable=SC2046 # one word per package
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive \
		apt-get -qq -o Dpkg::Use-Pty=0 install -y --no-install-recommends \
		$(packages) >"$root.apt.log" 2>&1 ||
		{ tail -n 30 "$root.apt.log" >&2; msg "apt-get install failed"; exit 1; }
	rm -f -- "$root.apt.log"
	chroot "$root" apt-get clean
	# The mount point for the source tree and the build dir (run.sh).
	mkdir -p "$root/src" "$root/build"
}

build() { # DIR
	local dir=$1 tmp=$1.tmp mirror start=$SECONDS
	mirror=${DMAHEAP_TRIXIE_MIRROR:-$(host_mirror)}
	[[ -n $mirror ]] || { msg "no Debian mirror in /etc/apt; set DMAHEAP_TRIXIE_MIRROR"; exit 1; }
	# A killed run may have left a .tmp, with its mounts.
	if [[ -e $tmp ]]; then
		chroot_umount "$tmp"
		nothing_mounted_below "$tmp" || { msg "$tmp still has mounts"; exit 1; }
		rm -rf --one-file-system -- "$tmp"
	fi
	msg "debootstrap $SUITE from $mirror into $tmp"
	debootstrap --variant=minbase --keyring="$KEYRING" "$SUITE" "$tmp" \
		"$mirror" >"$tmp.log" 2>&1 ||
		{ tail -n 30 "$tmp.log" >&2; msg "debootstrap failed"; exit 1; }
	msg "debootstrap: $((SECONDS - start)) s; apt-get install"
	local apt_start=$SECONDS
	unshare --mount --propagation private -- "$0" --provision "$tmp"
	nothing_mounted_below "$tmp" || { msg "$tmp still has mounts"; exit 1; }
	msg "apt-get install: $((SECONDS - apt_start)) s"
	mv -- "$tmp" "$dir"
	rm -f -- "$tmp.log"
	msg "root made in $((SECONDS - start)) s, $(du -sh --one-file-system "$dir" | cut -f1)"
}

main() {
	local check=0
	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	--check) check=1; shift ;;
	--provision) provision "$2"; exit ;; # internal: see build()
	esac
	[[ $# -eq 0 ]] || { usage >&2; exit 2; }
	local cache dir lock_fd
	cache=$(trixie_cache_dir)
	dir=$cache/root-$(cache_key)
	if [[ -x $dir/usr/bin/gst-launch-1.0 ]]; then
		printf '%s\n' "$dir"
		return
	fi
	[[ $check = 0 ]] || exit 1
	[[ $(id -u) = 0 ]] || { msg "making the root needs root (debootstrap, chroot)"; exit 1; }
	command -v debootstrap >/dev/null ||
		{ msg "debootstrap is not installed"; exit 1; }
	mkdir -p -- "$cache"
	exec {lock_fd}>"$cache/lock"
	if ! flock -n "$lock_fd"; then
		msg "waiting for another build of the root"
		flock "$lock_fd"
	fi
	if [[ ! -x $dir/usr/bin/gst-launch-1.0 ]]; then
		build "$dir"
		# Older package lists' roots: of no further use.
		local old
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
