#!/bin/sh
# One version everywhere: meson's project() against what users see of it,
# the header's DMAHEAP_VERSION_NUMBER, `dmaheap --version`, libdmaheap.pc,
# the shared object's file name (soname 0, file .so.0.MINOR.PATCH) and,
# when they were generated, the man pages.
# usage: check-version.sh VERSION HEADER PC-FILE LIBRARY|'' [DMAHEAP] [MANDIR]
set -eu
version=$1 header=$2 pc=$3 lib=$4 tool=${5:-} mandir=${6:-}
bad=0
differs() { echo "version: $1 says '$2', meson's project() '$version'" >&2; bad=1; }

num=$(sed -n 's/^#define DMAHEAP_VERSION_NUMBER \([0-9]*\)$/\1/p' "$header")
[ -n "$num" ] || { echo "version: no DMAHEAP_VERSION_NUMBER in $header" >&2; exit 1; }
hv=$((num / 10000)).$((num / 100 % 100)).$((num % 100))
[ "$hv" = "$version" ] || differs "dmaheap.h's DMAHEAP_VERSION_NUMBER ($num)" "$hv"

pv=$(sed -n 's/^Version: //p' "$pc")
[ "$pv" = "$version" ] || differs "$(basename "$pc")" "$pv"

# soversion 0 while the major version is 0: libdmaheap.so.0.MINOR.PATCH.
if [ -n "$lib" ]; then
	lv=${lib##*/libdmaheap.so.}
	[ "$lv" = "0.${version#*.}" ] && [ "${version%%.*}" = 0 ] ||
		differs "the library's file name ${lib##*/}" "$lv"
fi

if [ -n "$tool" ]; then
	tv=$("$tool" --version)
	[ "$tv" = "dmaheap $version" ] || differs "dmaheap --version" "$tv"
fi
if [ -n "$mandir" ] && [ -d "$mandir" ]; then
	# .TH "name" 3 "date" "Version 0.2.0" "libdmaheap" (doxygen) and
	# .TH DMAHEAP "1" "date" "dmaheap 0.2.0" "User Commands" (help2man).
	for page in "$mandir"/man7/libdmaheap.7 "$mandir"/man1/dmaheap.1; do
		[ -e "$page" ] || continue
		grep -q "^\.TH .*\"\(Version\|dmaheap\) $version\"" "$page" ||
			differs "${page##*/}" "$(grep '^\.TH' "$page")"
	done
fi
[ $bad = 0 ] && echo "ok: version $version everywhere"
exit $bad
