#!/bin/sh
# dmaheapupload's copy against memcpy, in one run, then the plot:
#   bench/gst-upload.sh BUILD_DIR [OUT_DIR] [dmaheap-gst-bench options]
# On this machine on the mock heap (LD_PRELOAD of the mock), then in the
# VM (tests/vm/run.sh, TCG) on the kernel's system heap, the figure that
# counts. OUT_DIR (default bench/results) receives gst-upload.txt (both
# tables and what was measured), gst-upload.dat, gst-upload.raw (every
# batch's GB/s and its fastest frame's) and gst-upload.png.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: bench/gst-upload.sh BUILD_DIR [OUT_DIR] [options]}
out=${2:-$here/results}
[ $# -ge 2 ] && shift 2 || shift 1
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$(cd "$build" && pwd)
ninja -C "$build" bench/dmaheap-gst-bench lib/libdmaheap-mock-preload.so \
	>/dev/null
# The VM writes into the build dir; the results are copied out after.
tmp=$build/bench/gst-run
rm -rf "$tmp"
mkdir -p "$tmp"
{
	"$here/commit-facts.sh"
	echo
	LD_PRELOAD=$build/lib/libdmaheap-mock-preload.so \
	DMAHEAP_MOCK_HEAPS=system \
		"$build/bench/dmaheap-gst-bench" --label host \
		--dat "$tmp/gst-upload.dat" --raw "$tmp/gst-upload.raw" "$@"
	echo
	echo "host load average before the VM: $(cat /proc/loadavg)"
	"$here/../tests/vm/run.sh" --timeout 1800 -w "$build" -- \
		"$build/bench/dmaheap-gst-bench" --label vm \
		--dat "$tmp/gst-upload.dat" --raw "$tmp/gst-upload.raw" "$@"
	# Inside the VM /proc/loadavg is the guest's: the host's is what
	# competes with qemu for the CPUs.
	echo "host load average after the VM:  $(cat /proc/loadavg)"
} | tee "$out/gst-upload.txt"
cp "$tmp/gst-upload.dat" "$tmp/gst-upload.raw" "$out/"
gnuplot -e "dat='$out/gst-upload.dat'; out='$out'" "$here/gst-plot.gp"
echo "results in $out"
