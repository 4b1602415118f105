#!/bin/sh
# Compiles programs against the public headers alone, as a C99 and a C++
# consumer would, with every warning an error.
set -eu
include=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/use.c" <<'SRC'
#include <dmaheap.h>
#include <dmaheap-mock.h>
#include <dmaheap.h> /* twice: include guards */
int main(void)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;
	int r = dmaheap_ctx_new_with(&o, &ctx);
	dmaheap_ctx_free(ctx);
	return r == 0 ? 0 : 1;
}
SRC
"$@" -std=c99 -pedantic -Wall -Wextra -Werror -I"$include" -c "$tmp/use.c" -o "$tmp/use.o"
echo "ok: public headers compile as C99 with -pedantic -Werror"
