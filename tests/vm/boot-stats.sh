#!/usr/bin/env bash
# Boots the test VM N times with a command that cannot fail (`true`) and
# counts the boots that fail anyway: how dependable is the test bed? A
# boot whose kernel logged trouble before the command (the guest's /init
# prints it as "vm: boot: ..." and goes on) counts as failed too, with
# the status "trouble".
# Every option after N goes to tests/vm/run.sh (e.g. --kernel cma,
# --smp 1, --tcg-thread single, --append tsc=reliable). The console log of
# each failed boot is kept in the log dir; a summary line ends the output:
#   boot-stats: KERNEL OPTIONS: N boots, F failed (statuses), mean S s
set -euo pipefail

SELF_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SELF_DIR

usage() {
	echo "usage: tests/vm/boot-stats.sh [--stop-on-failure] [--log-dir DIR] N [run.sh options]" >&2
	exit 2
}

stop_on_failure=0
log_dir=
while [[ $# -gt 0 ]]; do
	case $1 in
	--stop-on-failure) stop_on_failure=1 ;;
	--log-dir) [[ $# -ge 2 ]] || usage; log_dir=$2; shift ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[[ $# -ge 1 && $1 =~ ^[1-9][0-9]*$ ]] || usage
count=$1
shift
log_dir=${log_dir:-$(mktemp -d -- "${TMPDIR:-/tmp}/boot-stats.XXXXXX")}
mkdir -p -- "$log_dir"

# Builds and downloads happen once, outside the timed boots.
"$SELF_DIR/run.sh" "$@" --prepare-only 2>/dev/null || {
	echo "boot-stats: cannot prepare the VM (run.sh $* --prepare-only)" >&2
	exit 1
}

failed=0 total_ms=0 statuses=
for ((i = 1; i <= count; i++)); do
	start=$(date +%s%N)
	rc=0
	"$SELF_DIR/run.sh" "$@" -- true >"$log_dir/out" 2>"$log_dir/err" || rc=$?
	[[ $rc != 0 ]] || ! grep -q '^vm: boot: ' "$log_dir/err" || rc=trouble
	ms=$((($(date +%s%N) - start) / 1000000))
	total_ms=$((total_ms + ms))
	if [[ $rc != 0 ]]; then
		failed=$((failed + 1))
		statuses+=" #$i:$rc"
		cp -- "$log_dir/err" "$log_dir/boot-$i.log"
		echo "boot $i: status $rc after $ms ms; log $log_dir/boot-$i.log" >&2
		grep -E 'Oops|panic|BUG|WARNING|RIP:|error' "$log_dir/err" | head -n 5 >&2 || true
		[[ $stop_on_failure = 0 ]] || { count=$i; break; }
	fi
done
rm -f -- "$log_dir/out" "$log_dir/err"
printf 'boot-stats: %s: %d boots, %d failed%s, mean %d.%02d s\n' \
	"${*:-default}" "$count" "$failed" "${statuses:+ (boot:status$statuses)}" \
	$((total_ms / count / 1000)) $((total_ms / count % 1000 / 10))
[[ $failed = 0 ]]
