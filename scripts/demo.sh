#!/bin/bash
# The main job: build libdmaheap and its CLI, list the heaps and allocate
# 8 MiB from the best one. Installs what it needs (Debian 12, as root).
# Where this machine has no usable heap, the demo runs inside a VM with a
# real kernel that has them (tests/vm/run.sh).
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
# shellcheck disable=SC2016 # expanded by the inner shell
demo='echo "\$ dmaheap list" && "$0" list && echo "\$ dmaheap alloc auto 8M" && "$0" alloc auto 8M'

if "$cli" list >/dev/null 2>&1 || [ "${DMAHEAP_DEMO_NATIVE:-}" = 1 ]; then
	exec bash -c "$demo" "$cli"
fi
echo "demo: this machine has no usable DMA-BUF heap, so the demo runs in a VM with a real kernel (tests/vm/run.sh)"
exec tests/vm/run.sh -- bash -c "$demo" "$cli"
