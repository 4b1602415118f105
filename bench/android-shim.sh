#!/bin/sh
# libdmaheap-android against the libdmaheap calls it makes, with the
# kernel faked below libc (bench/shim.c preloaded under both), plus
# callgrind's instruction counts:
#   bench/android-shim.sh BUILD_DIR [OUT_DIR] [dmaheap-bench-android options]
# OUT_DIR (default bench/results) receives android.txt (times, and each
# layer method's overhead over its baseline) and android-instr.txt
# (instructions per operation: callgrind on N and N+10000 untimed
# operations, the difference over 10000, so start-up cancels out).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/android-shim.sh BUILD_DIR [OUT_DIR] [options]}
out=${2:-$here/results}
[ $# -ge 2 ] && shift 2 || shift 1
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$(cd "$build" && pwd)
ninja -C "$build" bench/dmaheap-bench-android bench/libdmaheap-shim.so >/dev/null
exe=$build/bench/dmaheap-bench-android
shim=$build/bench/libdmaheap-shim.so
"$here/commit-facts.sh" >"$out/android-commit.txt"
LD_PRELOAD=$shim "$exe" "$@" | tee "$out/android.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
instr() { # METHOD N: instructions of the whole run
	LD_PRELOAD=$shim valgrind --tool=callgrind --callgrind-out-file="$tmp/$1.$2" \
		"$exe" --loop "$1" "$2" 2>"$tmp/log" >/dev/null
	sed -n 's/^summary: //p' "$tmp/$1.$2"
}
echo "instructions per operation (callgrind, (N=12000 - N=2000) / 10000):" |
	tee "$out/android-instr.txt"
LD_PRELOAD=$shim "$exe" --methods | while read -r m base; do
	a=$(instr "$m" 2000)
	b=$(instr "$m" 12000)
	per=$(echo "($b - $a) / 10000" | bc -l)
	echo "$m $base $per" >>"$tmp/per"
	if [ "$m" = sync_syscall_floor ]; then
		printf '  %-24s %8.1f  (two real system calls)\n' "$m" "$per"
	elif [ "$m" = "$base" ]; then
		printf '  %-24s %8.1f  (baseline)\n' "$m" "$per"
	else
		b0=$(sed -n "s/^$base $base //p" "$tmp/per")
		printf '  %-24s %8.1f  %+6.2f %% against %s\n' "$m" "$per" \
			"$(echo "($per / $b0 - 1) * 100" | bc -l)" "$base"
	fi
done | tee -a "$out/android-instr.txt"
echo "results in $out"
