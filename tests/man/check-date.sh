#!/bin/sh
# Reproducible man pages: with SOURCE_DATE_EPOCH set, every page carries
# that date, not the clock's. Renders the pages twice into a directory of
# its own through doc/build-man.sh, as the build does, with
# SOURCE_DATE_EPOCH=0 and =86399 (the last second of 1970-01-01, a later
# day in a zone east of UTC: the date is UTC's) and a different TZ each.
# usage: check-date.sh BUILD-MAN.SH DOXYGEN DOXYFILE [HELP2MAN DMAHEAP VERSION H2M]
set -eu
script=$1 doxygen=$2 doxyfile=$3
shift 3
# build-man.sh runs the tool from inside the output directory.
if [ $# -ge 4 ]; then
	h2m=$1 tool=$(realpath "$2")
	shift 2
	set -- "$h2m" "$tool" "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

render() { # DIR EPOCH TZ [HELP2MAN DMAHEAP VERSION H2M]
	dir=$1 epoch=$2 zone=$3
	shift 3
	mkdir -p "$dir"
	# Later assignments win: the same configuration, written elsewhere.
	{ cat "$doxyfile"
	  echo "OUTPUT_DIRECTORY = $dir"
	  echo "WARN_LOGFILE = $dir/doxygen-warnings.log"; } >"$dir/Doxyfile"
	SOURCE_DATE_EPOCH=$epoch TZ=$zone sh "$script" "$doxygen" \
		"$dir/Doxyfile" "$dir" "$dir/stamp" "$@" >"$dir/log" 2>&1 ||
		{ cat "$dir/log"; exit 1; }
}
render "$tmp/a" 0 UTC "$@"
render "$tmp/b" 86399 Pacific/Kiritimati "$@"

bad=0
for page in "$tmp"/a/man/man*/*; do
	th=$(grep -m1 '^\.TH' "$page") || continue	# .so links
	case $th in
	*'"Thu Jan 1 1970"'*|*'"January 1970"'*) ;;
	*) echo "date: ${page#"$tmp"/a/man/} is not dated 1970-01-01 with SOURCE_DATE_EPOCH=0: $th" >&2
	   bad=1 ;;
	esac
done
[ -e "$tmp/a/man/man7/libdmaheap.7" ] || { echo "date: no pages rendered" >&2; exit 1; }
if ! diff -r "$tmp/a/man" "$tmp/b/man" >"$tmp/diff"; then
	head -20 "$tmp/diff" >&2
	echo "date: the pages differ between two renderings of the same day" >&2
	bad=1
fi
[ $bad = 0 ] && echo "ok: the man pages carry SOURCE_DATE_EPOCH's date, in UTC"
exit $bad
