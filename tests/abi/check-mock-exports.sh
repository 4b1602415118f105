#!/bin/sh
# The mock's symbols, which land in test programs and in whole programs
# under LD_PRELOAD:
# - the preload exports exactly what interposition needs (ioctl, mmap,
#   mmap64, munmap, poll, fstatfs64, fstatfs on 64-bit ABIs only, and the
#   context constructors it wraps) and the
#   documented dmaheap_mock_preload(); the mock inside it stays private;
# - the static mock library defines no global name outside the project's
#   prefixes (dmaheap_, and dmock_ for its internals), so none clashes
#   with a name of the program linking it. Names starting with "__" are
#   the compiler's (sanitizers, coverage).
# usage: check-mock-exports.sh PATH/TO/libdmaheap-mock-preload.so PATH/TO/libdmaheap-mock.a
set -eu
preload=$1
archive=$2
# ELF class, byte 4 of the file: 2 is 64-bit, where struct statfs is
# struct statfs64 and both names are interposed.
class=$(od -An -tu1 -j4 -N1 "$preload" | tr -d ' ')
fstatfs=
[ "$class" = 2 ] && fstatfs='
fstatfs'
want="dmaheap_ctx_new
dmaheap_ctx_new_with
dmaheap_mock_preload$fstatfs
fstatfs64
ioctl
mmap
mmap64
munmap
poll"
got=$(nm -D --defined-only "$preload" | awk 'NF == 3 {print $3}' |
	sed 's/@.*//' | LC_ALL=C sort -u) || { echo "nm failed on $preload"; exit 1; }
if [ "$got" != "$want" ]; then
	echo "$preload exports:"
	printf '%s\n' "$got"
	echo "want exactly:"
	printf '%s\n' "$want"
	exit 1
fi
echo "ok: $preload exports only the interposed calls and its API"

bad=$(nm -g --defined-only "$archive" | awk 'NF == 3 {print $3}' |
	grep -v -E '^(dmaheap_|dmock_|__)' || true)
if [ -n "$bad" ]; then
	echo "$archive defines global names outside dmaheap_ and dmock_:"
	printf '%s\n' "$bad"
	exit 1
fi
echo "ok: every global name in $archive is dmaheap_* or dmock_*"
