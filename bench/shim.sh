#!/bin/sh
# The library against the raw calls with the kernel faked below libc
# (bench/shim.c preloaded under both), plus callgrind's instruction counts:
#   bench/shim.sh BUILD_DIR [OUT_DIR] [dmaheap-bench-shim options]
# OUT_DIR (default bench/results) receives shim.txt, shim.json (times,
# thread throughput, calls per operation, pool figures), shim-instr.txt
# (instructions per operation: callgrind on N and N+10000 untimed
# operations, the difference over 10000, so start-up cancels out) and
# shim-callgrind.txt (where lib_alloc_free's instructions go).
# LD_LIBRARY_PATH picks another build of the library (shim-commit.txt
# names the one measured).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/shim.sh BUILD_DIR [OUT_DIR] [options]}
out=${2:-$here/results}
[ $# -ge 2 ] && shift 2 || shift 1
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$(cd "$build" && pwd)
ninja -C "$build" bench/dmaheap-bench-shim bench/libdmaheap-shim.so >/dev/null
exe=$build/bench/dmaheap-bench-shim
shim=$build/bench/libdmaheap-shim.so
{
	"$here/commit-facts.sh"
	echo "library: $(ldd "$exe" | sed -n 's/.*libdmaheap.so.0 => \([^ ]*\).*/\1/p')"
} >"$out/shim-commit.txt"
LD_PRELOAD=$shim "$exe" --json "$out/shim.json" "$@" | tee "$out/shim.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
instr() { # METHOD N: instructions of the whole run
	LD_PRELOAD=$shim valgrind --tool=callgrind --callgrind-out-file="$tmp/$1.$2" \
		"$exe" --loop "$1" "$2" 2>"$tmp/log" >/dev/null
	sed -n 's/^summary: //p' "$tmp/$1.$2"
}
echo "instructions per operation (callgrind, (N=12000 - N=2000) / 10000):" |
	tee "$out/shim-instr.txt"
for m in raw_alloc_close raw_alloc_name_close lib_alloc_free \
	 lib_alloc_free_noname lib_alloc_fd_close lib_alloc_usage_free \
	 pool_alloc_free raw_deep_name_close raw_frame_name_close \
	 raw_calls_name_close; do
	a=$(instr $m 2000)
	b=$(instr $m 12000)
	printf '  %-24s %8.1f\n' $m "$(echo "($b - $a) / 10000" | bc -l)"
done | tee -a "$out/shim-instr.txt"
callgrind_annotate --inclusive=no "$tmp/lib_alloc_free.12000" 2>/dev/null |
	sed -n '1,60p' >"$out/shim-callgrind.txt"
echo "results in $out"
