#!/bin/sh
# Runs the program built against libdmaheap 0.1's header (abi-0.1.c) on
# this build's library, under the preloaded mock, after checking that
# the dynamic linker binds each of its libdmaheap symbols to the version
# node 0.1 released (a symbol moved to another node would not resolve in
# a binary built against 0.1).
#   check-0.1.sh PROGRAM PRELOAD
set -eu
prog=$1
preload=$2
syms=$(LC_ALL=C readelf --dyn-syms -W "$prog" | awk '$8 ~ /^dmaheap_/ { print $8 }')
[ -n "$syms" ] || { echo "FAIL: $prog uses no dmaheap_ symbol"; exit 1; }
bad=$(printf '%s\n' "$syms" | grep -v '@DMAHEAP_0\.1' || true)
if [ -n "$bad" ]; then
	echo "FAIL: bound to another version node than DMAHEAP_0.1:"
	printf '%s\n' "$bad" | sed 's/^/  /'
	exit 1
fi
echo "ok: $(printf '%s\n' "$syms" | wc -l) symbols, all DMAHEAP_0.1"
LD_PRELOAD=$preload DMAHEAP_MOCK_HEAPS=system "$prog"
