#!/bin/sh
# Compiles programs against the public headers alone, as consumers would,
# with every warning an error: <dmaheap.h> and <dmaheap-mock.h> (and
# <dmaheap-android.h> when the Android layer is built) as C99 and C11,
# and as C++17 where there is a C++ compiler.
#   check-header.sh INCLUDE ANDROID_INCLUDE|"" -- CC... [-- CXX...]
set -eu
include=$1
android=$2
shift 3
cc=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do cc="$cc $1"; shift; done
[ $# -gt 0 ] && shift
cxx="$*"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
incs="-I$include"
extra=
if [ -n "$android" ]; then
	incs="$incs -I$android"
	extra='#include <dmaheap-android.h>'
fi
cat > "$tmp/use.c" <<SRC
#include <dmaheap.h>
#include <dmaheap-mock.h>
#include <dmaheap.h> /* twice: include guards */
$extra
int main(void)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;
	int r = dmaheap_ctx_new_with(&o, &ctx);
	dmaheap_ctx_free(ctx);
	return r == 0 ? 0 : 1;
}
SRC
cp "$tmp/use.c" "$tmp/use.cpp"
for std in c99 c11; do
	# shellcheck disable=SC2086 # a compiler command line
	$cc -std=$std -pedantic -Wall -Wextra -Werror $incs -c "$tmp/use.c" -o "$tmp/use.o"
	echo "ok: public headers compile as $std with -pedantic -Werror"
done
if [ -n "$cxx" ]; then
	# shellcheck disable=SC2086
	$cxx -std=c++17 -pedantic -Wall -Wextra -Werror $incs -c "$tmp/use.cpp" -o "$tmp/use.o"
	echo "ok: public headers compile as c++17 with -pedantic -Werror"
else
	echo "no C++ compiler configured: C++17 not checked"
fi
