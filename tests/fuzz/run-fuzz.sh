#!/bin/sh
# Fuzz for a bounded time: run-fuzz.sh FUZZER WORKDIR SEEDDIR...
# New inputs go to WORKDIR (in the build tree), never into the seed
# corpora; a crashing input is saved as WORKDIR/artifacts/crash-* and the
# run fails. DMAHEAP_FUZZ_SECONDS sets the time (30 by default).
# libFuzzer's own exit status for a crash is 77, which meson reads as a
# skip: -error_exitcode makes a crash a failure.
set -eu
fuzzer=$1
work=$2
shift 2
mkdir -p "$work/artifacts"
exec "$fuzzer" -max_total_time="${DMAHEAP_FUZZ_SECONDS:-30}" \
	-timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-artifact_prefix="$work/artifacts/" "$work" "$@"
