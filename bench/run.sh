#!/bin/sh
# One full benchmark run in the real-kernel VM, then the plots:
#   bench/run.sh BUILD_DIR [OUT_DIR] [dmaheap-bench options...]
# OUT_DIR (default bench/results) receives bench.txt (the table), bench.json,
# latency.dat, latency.png and pool-vs-fresh.png, and commit.txt (what was
# measured). BENCHMARKS.md quotes such a run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/run.sh BUILD_DIR [OUT_DIR] [options]}
out=${2:-$here/results}
[ $# -ge 2 ] && shift 2 || shift 1
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$(cd "$build" && pwd)
ninja -C "$build" bench/dmaheap-bench >/dev/null
# The VM writes into the build dir; the results are copied out after.
tmp=$build/bench/run
mkdir -p "$tmp"
git -C "$here/.." log -1 --format='%H %s' >"$out/commit.txt"
git -C "$here/.." status --porcelain --untracked-files=no | sed 's/^/dirty: /' >>"$out/commit.txt"
"$here/../tests/vm/run.sh" --timeout 3000 -w "$build" -- \
	"$build/bench/dmaheap-bench" --json "$tmp/bench.json" \
	--dat "$tmp/latency.dat" "$@" | tee "$out/bench.txt"
cp "$tmp/bench.json" "$tmp/latency.dat" "$out/"
gnuplot -e "dat='$out/latency.dat'; out='$out'" "$here/plot.gp"
echo "results in $out"
