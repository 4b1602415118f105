#!/bin/sh
# One full benchmark run, then the plots and the targets:
#   bench/run.sh BUILD_DIR [OUT_DIR] [dmaheap-bench options for the VM part]
# The real-kernel part runs inside the VM (tests/vm/run.sh, TCG); the
# library's own cost with the kernel faked, the bookkeeping and the system
# call counts run natively on this machine. OUT_DIR (default
# bench/results) receives vm.txt and vm.json, native.txt and native.json,
# vm-native.txt and vm-native.json (the fake-kernel part run in the VM),
# latency.dat, latency.png, pool-vs-fresh.png, targets.md (the table of
# BENCHMARKS.md) and commit.txt (what was measured); shim/ (bench/shim.sh:
# the kernel faked below libc, with DMAHEAP_BENCH_SHIM_ARGS, by default
# "--rounds 1001") and its plots shim.png and shim-threads.png with their
# tables shim-run.dat and shim-threads-run.dat; with the GStreamer plugin
# built, also bench/gst-upload.sh's gst-upload.txt, .dat and .png.
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
"$here/commit-facts.sh" >"$out/commit.txt"
"$here/../tests/vm/run.sh" --timeout 3000 -w "$build" -- \
	"$build/bench/dmaheap-bench" --skip-native --skip-calls \
	--json "$tmp/vm.json" --dat "$tmp/latency.dat" "$@" | tee "$out/vm.txt"
cp "$tmp/vm.json" "$tmp/latency.dat" "$out/"
# The fake-kernel loop once more, in the VM: how much TCG inflates the
# library's own user-space work.
"$here/../tests/vm/run.sh" --timeout 600 -w "$build" -- \
	"$build/bench/dmaheap-bench" --skip-kernel --skip-calls \
	--native-iterations 20000 --json "$tmp/vm-native.json" |
	tee "$out/vm-native.txt"
cp "$tmp/vm-native.json" "$out/"
"$build/bench/dmaheap-bench" --skip-kernel --json "$out/native.json" |
	tee "$out/native.txt"
# What callers see: the kernel faked below libc, one thread and threads.
# shellcheck disable=SC2086 # the options are words
"$here/shim.sh" "$build" "$out/shim" ${DMAHEAP_BENCH_SHIM_ARGS:---rounds 1001}
"$here/shim-compare.sh" - "$out/shim" "$out" >/dev/null
gnuplot -e "dat='$out/latency.dat'; out='$out'" "$here/plot.gp"
python3 "$here/targets.py" "$out/vm.json" "$out/native.json" >"$out/targets.md"
cat "$out/targets.md"
# dmaheapupload against memcpy, where the GStreamer plugin is built.
if ninja -C "$build" bench/dmaheap-gst-bench >/dev/null 2>&1; then
	"$here/gst-upload.sh" "$build" "$out"
fi
echo "results in $out"
