#!/bin/sh
# A Debian symbols file (debian/*.symbols) lists exactly what the
# library's version script exports, each symbol in its version node, and
# each node itself. A symbol added to the script and not to the file only
# makes dpkg-gensymbols warn at package build time; this fails at once.
#   check-symbols-file.sh VERSION_SCRIPT SYMBOLS_FILE
set -eu
map=$1
symbols=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# name@NODE for every name of every node of the script, and the nodes.
awk '
	/^[A-Za-z0-9_.]+ *\{/ { node = $1; sub(/\{.*/, "", node); print node "@" node; next }
	/^\}/ { node = ""; next }
	node != "" && /^[ \t]*[A-Za-z_][A-Za-z0-9_]*;/ {
		s = $1; sub(/;.*/, "", s); print s "@" node
	}' "$map" | sort >"$tmp/map"
# The file: " name@NODE MINVER" lines.
sed -n 's/^ \([^ ]*@[^ ]*\) .*/\1/p' "$symbols" | sort >"$tmp/file"
if ! cmp -s "$tmp/map" "$tmp/file"; then
	echo "$(basename "$symbols") and $(basename "$map") differ" \
		"(< only in the version script, > only in the symbols file):"
	diff "$tmp/map" "$tmp/file" | grep '^[<>]' || true
	exit 1
fi
echo "ok: $(basename "$symbols") lists the $(wc -l <"$tmp/map") symbols and nodes of $(basename "$map")"
