#!/bin/sh
# Fails if the shared library exports anything but dmaheap_* functions (and
# the version node itself), or if an exported symbol is not versioned.
set -eu
lib=$1
nm_out=$(nm -D --defined-only "$lib") || { echo "nm failed on $lib"; exit 1; }
bad=$(printf '%s\n' "$nm_out" | awk '{print $3}' |
	grep -v -E '^dmaheap_[a-z0-9_]+@@DMAHEAP_[0-9]+\.[0-9]+$' |
	grep -v -E '^DMAHEAP_[0-9]+\.[0-9]+$' || true)
if [ -n "$bad" ]; then
	echo "unexpected exports from $lib:"
	printf '%s\n' "$bad"
	exit 1
fi
count=$(printf '%s\n' "$nm_out" | grep -c ' T dmaheap_')
echo "ok: $count dmaheap_* functions exported, all versioned"
