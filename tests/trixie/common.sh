# shellcheck shell=bash
# Shared by tests/trixie/*.sh (sourced): where the Debian 13 root lives,
# and the mounts a chroot into it needs.

# The root sits beside the VM kernels, not under /tmp or /var/tmp: those
# are tmpfs in the VM guest, which sees this machine's root otherwise.
trixie_cache_dir() {
	printf '%s\n' "${DMAHEAP_TRIXIE_CACHE:-${DMAHEAP_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libdmaheap-vm}/trixie}"
}

# Mount points under ROOT that chroot_mount fills, in mount order.
readonly TRIXIE_MOUNTS="proc sys dev dev/pts"

# The mounts of ROOT's chroot. Callers make them in a mount namespace of
# their own (unshare --mount), so that they vanish with it however it ends
# and two runs do not see each other's. Extra "SRC DEST ro|rw" binds follow.
chroot_mount() { # ROOT [SRC DEST ro|rw]...
	local root=$1 m
	shift
	for m in $TRIXIE_MOUNTS; do
		mount --bind "/$m" "$root/$m"
	done
	# In the VM the root is read-only, as the guest sees this machine's.
	mount -t tmpfs -o mode=1777 tmp "$root/tmp"
	while [ $# -ge 3 ]; do
		mkdir -p -- "$root$2" 2>/dev/null || true
		mount --bind "$1" "$root$2"
		if [ "$3" = ro ]; then
			mount -o remount,bind,ro "$root$2"
		fi
		shift 3
	done
}

# Unmounts everything mounted below ROOT, deepest first (lazily, so a
# process still inside cannot keep the host's /dev tied to a stale dir):
# for a root a killed run of an older version may have left mounted.
chroot_umount() { # ROOT
	local root m
	root=$(realpath -- "$1")
	findmnt -rn -o TARGET | awk -v r="$root" \
		'index($0, r "/") == 1 { print length($0) " " $0 }' |
		sort -rn | cut -d' ' -f2- | while read -r m; do
		umount -l -- "$m" || echo "trixie: cannot unmount $m" >&2
	done
}

# True if nothing is mounted below DIR: then rm -rf cannot reach the host.
nothing_mounted_below() { # DIR
	local d
	d=$(realpath -- "$1")
	! findmnt -rn -o TARGET | grep -q -F -- "$d/"
}
