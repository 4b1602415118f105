#!/bin/sh
# Renders the man pages into OUTDIR/man (doc/meson.build runs this;
# doxygen and help2man date the pages by SOURCE_DATE_EPOCH, in UTC, when
# it is set):
# section 3 from include/dmaheap.h through doxygen (any doxygen warning
# fails the build), libdmaheap(7) from the header's opening comment and
# dmaheap(1) from the tool's --help through help2man.
# usage: build-man.sh DOXYGEN DOXYFILE OUTDIR STAMP [HELP2MAN DMAHEAP VERSION H2M]
set -eu
doxygen=$1 doxyfile=$2 out=$3
stamp=$(realpath -m "$4")
[ $# -ge 8 ] && h2m=$(realpath "$8")

rm -rf "$out/man" "$out/doxygen-warnings.log"
if ! "$doxygen" "$doxyfile" || [ -s "$out/doxygen-warnings.log" ]; then
	cat "$out/doxygen-warnings.log" >&2
	echo "build-man.sh: doxygen warned about include/dmaheap.h or dmaheap-mock.h (above): fix the comment (doc/kdoc-filter.py says what markup is understood), or configure with -Dman=disabled" >&2
	exit 1
fi

cd "$out/man/man3"
# MAN_LINKS also makes a page for every struct member (error.3, size.3,
# ...): those would shadow other manuals. Keep the library's names only.
for page in *.3; do
	case $page in
	dmaheap_*|DMAHEAP_*|libdmaheap*) ;;
	*) rm -f "$page" ;;
	esac
done
# Group pages: say which header to include.
for page in libdmaheap_*.3; do
	case $page in
	libdmaheap_mock*) header=dmaheap-mock.h ;;
	*) header=dmaheap.h ;;
	esac
	sed -i "/^\\.SH SYNOPSIS\$/a .nf\\n\\\\fB#include <$header>\\\\fP\\n.fi" "$page"
done
# The overview is a page of its own, section 7.
mkdir -p ../man7
sed '1s/^\.TH "libdmaheap" 3 /.TH "libdmaheap" 7 /' libdmaheap.3 >../man7/libdmaheap.7
rm libdmaheap.3
# doxygen leaves a sentence that opens with a quoted 'name' at the start
# of a line, where roff takes it for a request and man drops it: \& keeps
# it text.
sed -i "s/^'/\\\\\&'/" ./*.3 ../man7/*.7

if [ $# -ge 8 ]; then
	mkdir -p ../man1
	"$5" --no-info --section=1 --version-string="$7" \
		--name="allocate from and inspect Linux DMA-BUF heaps" \
		--include="$h2m" --output=../man1/dmaheap.1 "$6"
fi
touch "$stamp"
