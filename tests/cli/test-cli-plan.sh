#!/bin/sh
# dmaheap plan: the heaps the usage policy tries for a usage, what the
# usage's devices add, and its refusals. Heaps come from the mock (the
# preload, where it loads into this build), the IOMMU verdict from the
# policy file, so that this machine's own heaps and IOMMU do not matter.
# usage: test-cli-plan.sh PATH/TO/dmaheap [PATH/TO/libdmaheap-mock-preload.so]
. "$(dirname "$0")/common.sh"
preload=${2:-}

# run WANT_STATUS CMD...: runs CMD (10 s at most), stdout into $out,
# stderr into $err.
run() {
	want=$1
	shift
	timeout 10 "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	echo "# \$ $* -> $status"
	sed 's/^/#   /' "$tmp/out" "$tmp/err"
	[ "$status" -eq "$want" ] || fail "$*: exit status $status, want $want"
}

# prints TEXT: about $out.
prints() {
	case $out in
	*"$1"*) ;;
	*) fail "stdout lacks: $1" ;;
	esac
}

never_prints() {
	case $out in
	*"$1"*) fail "stdout has: $1" ;;
	esac
}

mkdir "$tmp/heaps"
printf 'device display-scanout camera-write = contiguous\n' >"$tmp/noiommu.conf"
printf 'device display-scanout = iommu\n' >"$tmp/iommu.conf"
printf '\ndevice cpu-rarely = iommu\n' >"$tmp/bad.conf"

# Refusals, before anything is looked at.
run 64 "$cli" --dir "$tmp/heaps" plan
run 64 "$cli" --dir "$tmp/heaps" plan gpu-render scanout
says "unknown usage word 'scanout'"
says "known: default cpu-read-often cpu-write-often cpu-rarely device-only contiguous protected uncached camera-write display-scanout video-decode video-encode gpu-texture gpu-render"
run 64 "$cli" --dir "$tmp/heaps" plan device-only cpu-read-often
says "contradictory usage"
DMAHEAP_POLICY=$tmp/bad.conf run 1 "$cli" --dir "$tmp/heaps" plan default
says "bad.conf:2: not a device usage"

# No heap here: the candidates are listed, none usable (exit 2).
DMAHEAP_POLICY=$tmp/iommu.conf DMAHEAP_UDMABUF_DEV=$tmp/none/udmabuf \
	run 2 "$cli" --dir "$tmp/heaps" plan display-scanout
prints "usage: display-scanout"
prints " 1. system-uncached"
prints " 2. system "
never_prints "requires:"
never_prints "udmabuf"
says "none of these heaps is usable here"

# A display without an IOMMU: contiguous heaps only, and why.
DMAHEAP_POLICY=$tmp/noiommu.conf run 2 "$cli" --dir "$tmp/heaps" \
	plan display-scanout cpu-write-often
prints "usage: cpu-write-often display-scanout"
prints "requires: contiguous"
prints " 1. default_cma_region"
prints " 3. reserved"
never_prints "system"

# The GPU has its own MMU: nothing added.
DMAHEAP_POLICY=$tmp/noiommu.conf run 2 "$cli" --dir "$tmp/heaps" \
	plan gpu-render gpu-texture
prints "usage: gpu-texture gpu-render"
never_prints "requires:"
prints " 1. system "

if [ -n "$preload" ] &&
   env LD_PRELOAD="$preload" "$cli" --version >/dev/null 2>&1; then
	# env: the preload goes into the tool only, not into timeout.
	DMAHEAP_POLICY=$tmp/noiommu.conf run 0 env LD_PRELOAD="$preload" \
		DMAHEAP_MOCK_HEAPS=system,reserved "$cli" plan camera-write
	prints "requires: contiguous"
	prints " 3. reserved            ok "
	DMAHEAP_POLICY=$tmp/iommu.conf run 0 env LD_PRELOAD="$preload" \
		DMAHEAP_MOCK_HEAPS=system,reserved "$cli" plan display-scanout
	prints " 2. system           ok "
	# -v: the probe's verdict (the mock has no device tree).
	run 0 env LD_PRELOAD="$preload" DMAHEAP_MOCK_HEAPS=system \
		"$cli" plan video-decode -v
	says "no device tree in /proc/device-tree"
	prints " 1. system   ok "
else
	echo "# no mock preload here: the plans on mock heaps not run"
fi

finish "ok: dmaheap plan"
