#!/bin/sh
# Two bench/shim.sh output directories side by side: a table
# (shim-compare.dat: method, ns and instructions per operation, before and
# after) and its plot (shim.png, bench/shim-plot.gp), and the same for the
# threads (shim-threads.dat: per thread count, each method's throughput
# and CPU time per operation against raw, before and after; the plot
# shim-threads.png, bench/shim-threads.gp), written to OUT_DIR:
#   bench/shim-compare.sh BEFORE_DIR AFTER_DIR OUT_DIR
# BEFORE_DIR "-" plots one run alone (what bench/run.sh does): the tables
# are then shim-run.dat and shim-threads-run.dat, their "before" columns
# NaN, and the plots show the one run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
before=${1:?usage: bench/shim-compare.sh BEFORE_DIR|- AFTER_DIR OUT_DIR}
after=${2:?}
out=${3:?}
if [ "$before" = - ]; then
	single="single=1; "
	table=$out/shim-run.dat
	threads=$out/shim-threads-run.dat
else
	single=
	table=$out/shim-compare.dat
	threads=$out/shim-threads.dat
fi
value() { # DIR FILE METHOD: the number on the METHOD's two-field line
	if [ "$1" = - ]; then
		echo NaN
		return
	fi
	v=$(awk -v m="$3" '$1 == m && NF == 2 { print $2 }' "$1/$2")
	echo "${v:-NaN}" # a method the run did not have
}
{
	echo "# method ns_before ns_after instr_before instr_after"
	for m in raw_alloc_close raw_alloc_name_close lib_alloc_free \
		 lib_alloc_free_noname lib_alloc_fd_close lib_alloc_usage_free \
		 raw_deep_name_close raw_frame_name_close raw_calls_name_close; do
		echo "$m $(value "$before" shim.txt $m) $(value "$after" shim.txt $m)" \
		     "$(value "$before" shim-instr.txt $m)" \
		     "$(value "$after" shim-instr.txt $m)"
	done
} >"$table"
thread_value() { # DIR METHOD THREADS FIELD: 5 throughput x raw, 9 CPU x raw
	if [ "$1" = - ]; then
		echo NaN
		return
	fi
	awk -v m="$2" -v t="$3T" -v f="$4" \
		'$1 == m && $2 == t && $6 == "CPU" { sub(/x$/, "", $f); print $f }' \
		"$1/shim.txt"
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
				row="$row $(thread_value "$before" $m $t $f)"
				row="$row $(thread_value "$after" $m $t $f)"
			done
		done
		echo "$row"
	done
} >"$threads"
gnuplot -e "${single}dat='$table'; out='$out'" "$here/shim-plot.gp"
gnuplot -e "${single}dat='$threads'; out='$out'" "$here/shim-threads.gp"
cat "$table" "$threads"
