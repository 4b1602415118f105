# Sourced by the tests/cli scripts: their argument, a scratch directory,
# an environment free of the user's knobs, and the checks they share.
# usage (from a test): . "$(dirname "$0")/common.sh"  (with "$@" unchanged)
set -u

cli=${1:?usage: $0 PATH/TO/dmaheap}
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset DMAHEAP_DIR DMAHEAP_UDMABUF_DEV DMAHEAP_POLICY

fail() {
	echo "not ok - $*"
	failures=$((failures + 1))
}

# says TEXT / never_says TEXT: about $err, which a test's run sets.
says() {
	case $err in
	*"$1"*) ;;
	*) fail "stderr lacks: $1" ;;
	esac
}

never_says() {
	case $err in
	*"$1"*) fail "stderr says: $1" ;;
	esac
}

# finish MESSAGE: exit 1 after any failure, else print MESSAGE.
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	echo "$1"
}
