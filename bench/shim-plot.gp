# The shim benchmark before and after, from bench/shim-compare.sh's table:
#   gnuplot -e "dat='shim-compare.dat'; out='DIR'" bench/shim-plot.gp
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
plot dat using 2:xtic(1) title "before", '' using 3 title "after"
set ylabel "instructions per operation (callgrind)"
plot dat using 4:xtic(1) title "before", '' using 5 title "after"
unset multiplot
