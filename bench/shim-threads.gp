# Threads sharing one context, from bench/shim-compare.sh, before and after:
#   gnuplot -e "dat='shim-threads.dat'; out='DIR'" bench/shim-threads.gp
# or one run alone (single=1; the table shim-threads-run.dat).
# Left: throughput against as many threads making the raw calls; right:
# CPU time per operation (summed over the threads) against raw's. 1.0 is
# raw; the target is 0.95 or more on the left.
if (!exists("dat")) dat = 'shim-threads.dat'
if (!exists("out")) out = '.'

set terminal pngcairo size 1200,560 font ",10" noenhanced
set output out.'/shim-threads.png'
set grid ytics
set key bottom left
set xlabel "threads sharing one context"
set xtics ("1" 1, "2" 2, "8" 8)
set logscale x 2
set xrange [0.8:10]
set multiplot layout 1,2 title "4 KiB alloc+free with threads, the kernel faked below libc (medians of the rounds' ratios)"
set ylabel "throughput x raw ALLOC+SET_NAME+close"
set yrange [0.5:1.3]
if (exists("single")) {
	plot 0.95 with lines dt 2 lc rgb "gray" title "target 0.95", \
	     dat using 1:3 with linespoints lc 1 title "alloc+free", \
	     '' using 1:5 with linespoints lc 2 title "alloc_fd", \
	     '' using 1:7 with linespoints lc 3 title "alloc_usage"
} else {
	plot 0.95 with lines dt 2 lc rgb "gray" title "target 0.95", \
	     dat using 1:2 with linespoints dt 3 lc 1 title "alloc+free before", \
	     '' using 1:3 with linespoints lc 1 title "alloc+free after", \
	     '' using 1:4 with linespoints dt 3 lc 2 title "alloc_fd before", \
	     '' using 1:5 with linespoints lc 2 title "alloc_fd after", \
	     '' using 1:6 with linespoints dt 3 lc 3 title "alloc_usage before", \
	     '' using 1:7 with linespoints lc 3 title "alloc_usage after"
}
set ylabel "CPU time per operation x raw"
set yrange [0.8:*]
if (exists("single")) {
	plot 1.0 with lines dt 2 lc rgb "gray" title "raw", \
	     dat using 1:9 with linespoints lc 1 title "alloc+free", \
	     '' using 1:11 with linespoints lc 2 title "alloc_fd", \
	     '' using 1:13 with linespoints lc 3 title "alloc_usage"
} else {
	plot dat using 1:8 with linespoints dt 3 lc 1 title "alloc+free before", \
	     '' using 1:9 with linespoints lc 1 title "alloc+free after", \
	     '' using 1:10 with linespoints dt 3 lc 2 title "alloc_fd before", \
	     '' using 1:11 with linespoints lc 2 title "alloc_fd after", \
	     '' using 1:12 with linespoints dt 3 lc 3 title "alloc_usage before", \
	     '' using 1:13 with linespoints lc 3 title "alloc_usage after"
}
unset multiplot
