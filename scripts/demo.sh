#!/bin/bash
# The main job: build libdmaheap and its CLI, list the heaps and allocate
# 8 MiB from the best one. Installs what it needs (Debian 12, as root).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${DMAHEAP_BUILD:-$top/build}
cd "$top"

bash scripts/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >/dev/null
fi
ninja -C "$build" >/dev/null

cli=$build/tools/dmaheap
echo "\$ dmaheap list"
"$cli" list || status=$?
if [ "${status:-0}" -ne 0 ]; then
	echo "this machine has no usable DMA-BUF heap; nothing to allocate from"
	exit "$status"
fi
echo "\$ dmaheap alloc auto 8M"
"$cli" alloc auto 8M
