# The shim benchmark, from bench/shim-compare.sh's table, before and after:
#   gnuplot -e "dat='shim-compare.dat'; out='DIR'" bench/shim-plot.gp
# or one run alone (single=1; the table shim-run.dat):
#   gnuplot -e "single=1; dat='shim-run.dat'; out='DIR'" bench/shim-plot.gp
# Left: median ns per operation; right: callgrind instructions per
# operation. The raw rows are the same calls made without the library.
if (!exists("dat")) dat = 'shim-compare.dat'
if (!exists("out")) out = '.'

set terminal pngcairo size 1200,560 font ",10" noenhanced
set output out.'/shim.png'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set key top left
set xtics rotate by -30
set yrange [0:*]
set multiplot layout 1,2 title "4 KiB alloc+free, one thread, the kernel faked below libc (LD_PRELOAD shim)"
set ylabel "median ns per operation"
if (exists("single")) {
	plot dat using 3:xtic(1) notitle
} else {
	plot dat using 2:xtic(1) title "before", '' using 3 title "after"
}
set ylabel "instructions per operation (callgrind)"
if (exists("single")) {
	plot dat using 5:xtic(1) notitle
} else {
	plot dat using 4:xtic(1) title "before", '' using 5 title "after"
}
unset multiplot
