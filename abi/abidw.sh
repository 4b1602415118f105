#!/bin/sh
# The one abidw command line, shared by abi/update.sh (the baselines) and
# tests/abi/check-abi.sh (each build), so that both describe a library
# the same way: only the types of the installed headers, no source
# locations, paths or build-order type ids.
#   abidw.sh LIBRARY OUT HEADERS_DIR...
set -eu
lib=$1
out=$2
shift 2
hd=
for d in "$@"; do hd="$hd --headers-dir $d"; done
# shellcheck disable=SC2086 # one word per option
exec abidw $hd --drop-private-types --no-show-locs --no-corpus-path \
	--no-comp-dir-path --type-id-style hash --out-file "$out" "$lib"
