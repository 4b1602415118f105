#!/bin/sh
# Two bench/shim.sh output directories side by side: a table
# (shim-compare.dat: method, ns and instructions per operation, before and
# after) and its plot (shim.png, bench/shim-plot.gp), and the same for the
# threads (shim-threads.dat: per thread count, each method's throughput
# and CPU time per operation against raw, before and after; the plot
# shim-threads.png, bench/shim-threads.gp), written to OUT_DIR:
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
thread_value() { # FILE METHOD THREADS FIELD: 5 throughput x raw, 9 CPU x raw
	awk -v m="$2" -v t="$3T" -v f="$4" \
		'$1 == m && $2 == t && $6 == "CPU" { sub(/x$/, "", $f); print $f }' "$1"
}
{
	echo "# threads, then for lib_alloc_free, lib_alloc_fd_close,"
	echo "# lib_alloc_usage_free: throughput x raw before, after;"
	echo "# then the same for CPU time per operation x raw"
	for t in 1 2 8; do
		row=$t
		for f in 5 9; do
			for m in lib_alloc_free lib_alloc_fd_close \
				 lib_alloc_usage_free; do
				row="$row $(thread_value "$before/shim.txt" $m $t $f)"
				row="$row $(thread_value "$after/shim.txt" $m $t $f)"
			done
		done
		echo "$row"
	done
} >"$out/shim-threads.dat"
gnuplot -e "dat='$out/shim-compare.dat'; out='$out'" "$here/shim-plot.gp"
gnuplot -e "dat='$out/shim-threads.dat'; out='$out'" "$here/shim-threads.gp"
cat "$out/shim-compare.dat" "$out/shim-threads.dat"
