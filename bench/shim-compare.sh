#!/bin/sh
# Two bench/shim.sh output directories side by side: a table
# (shim-compare.dat: method, ns and instructions per operation, before and
# after) and its plot (shim.png, bench/shim-plot.gp), written to OUT_DIR:
#   bench/shim-compare.sh BEFORE_DIR AFTER_DIR OUT_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
before=${1:?usage: bench/shim-compare.sh BEFORE_DIR AFTER_DIR OUT_DIR}
after=${2:?}
out=${3:?}
value() { # FILE METHOD: the number on the METHOD's two-field line
	awk -v m="$2" '$1 == m && NF == 2 { print $2 }' "$1"
}
{
	echo "# method ns_before ns_after instr_before instr_after"
	for m in raw_alloc_close raw_alloc_name_close lib_alloc_free \
		 lib_alloc_free_noname lib_alloc_fd_close lib_alloc_usage_free; do
		echo "$m $(value "$before/shim.txt" $m) $(value "$after/shim.txt" $m)" \
		     "$(value "$before/shim-instr.txt" $m) $(value "$after/shim-instr.txt" $m)"
	done
} >"$out/shim-compare.dat"
gnuplot -e "dat='$out/shim-compare.dat'; out='$out'" "$here/shim-plot.gp"
cat "$out/shim-compare.dat"
