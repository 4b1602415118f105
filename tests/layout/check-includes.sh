#!/bin/sh
# Fails if a file in lib/ includes a header of a folder it must not.
# The folders of lib/ include one another one way (lib/README.md):
#
#   policy -> core          pool  -> core, stat
#   image  -> core, policy  stat  -> core
#   mock   -> core          core  -> (none)
#
# An include that names a folder ("core/core.h") must name the file's own
# folder or one it may include; a bare name ("pool.h") must be a file of
# the same folder or a public header of include/; ".." is refused, as is a
# source file outside every folder, a folder inside a folder (not looked
# into) or a folder this graph does not know.
# Usage: check-includes.sh [SOURCE_ROOT]
set -eu
top=${1:-$(dirname "$0")/../..}
lib=$top/lib

may_include() {
	case $1 in
	core) echo "" ;;
	policy) echo "core" ;;
	pool) echo "core stat" ;;
	image) echo "core policy" ;;
	stat) echo "core" ;;
	mock) echo "core" ;;
	*) return 1 ;;
	esac
}

tmp_list=$(mktemp)
trap 'rm -f "$tmp_list"' EXIT
bad=0
fail() {
	echo "$*"
	bad=1
}

for f in "$lib"/*.c "$lib"/*.h; do
	[ -e "$f" ] && fail "lib/${f##*/}: sources belong in a folder of lib/"
done

for d in "$lib"/*/*/; do
	[ -d "$d" ] && fail "lib/${d#"$lib"/}: one level of folders only"
done

for dir in "$lib"/*/; do
	folder=$(basename "$dir")
	if ! allowed=$(may_include "$folder"); then
		fail "lib/$folder/: not in the include graph (tests/layout/check-includes.sh, lib/README.md)"
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] || continue
		rel=lib/$folder/${f##*/}
		# Line numbers and targets of #include "..." and #include <...>.
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
			sed 's/^\([0-9]*\):[^<"]*\([<"]\)\([^>"]*\)[>"].*/\1 \2 \3/' >"$tmp_list" || true
		while read -r line quote target; do
			where="$rel:$line: #include $target"
			case $target in
			*..*)
				fail "$where: no '..' in an include; name the folder"
				continue ;;
			*/*)
				to=${target%%/*}
				# <sys/stat.h>, <linux/...>: not a folder of lib/.
				[ -d "$lib/$to" ] || continue
				[ "$to" = "$folder" ] && continue
				ok=0
				for a in $allowed; do
					[ "$a" = "$to" ] && ok=1
				done
				[ $ok = 1 ] || fail "$where: $folder/ may include" \
					"$(if [ -n "$allowed" ]; then
						echo "only $(echo "$allowed" | sed 's|\([a-z]\) |\1/, |g; s|$|/|')"
					else
						echo "no other folder"
					fi)"
				;;
			*)
				[ "$quote" = '"' ] || continue
				[ -e "$dir$target" ] && continue
				[ -e "$top/include/$target" ] && continue
				fail "$where: neither in lib/$folder/ nor a public header; name its folder"
				;;
			esac
		done <"$tmp_list"
	done
done

if [ $bad != 0 ]; then
	echo "lib/README.md gives the folders and which may include which."
	exit 1
fi
echo "ok: lib/'s folders include one another as the graph allows"
