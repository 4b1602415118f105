# Plots of dmaheap-bench's latency data (--dat): run as
#   gnuplot -e "dat='latency.dat'; out='DIR'" bench/plot.gp
# Columns: method size median_us p10_us p90_us.
if (!exists("dat")) dat = 'latency.dat'
if (!exists("out")) out = '.'

set terminal pngcairo size 1100,700 font ",11"
set logscale xy
set grid
set key outside right top
set xlabel "buffer size"
set ylabel "median latency per operation (us)"
set xtics ("4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, "1M" 1048576, \
           "4M" 4194304, "16M" 16777216, "32M" 33554432, "64M" 67108864)
# One series of the file: the medians of method m, NaN elsewhere.
sel(m) = (strcol(1) eq m) ? column(3) : NaN

methods = "raw_alloc_close raw_alloc_name_close lib_alloc_free lib_alloc_free_noname lib_alloc_fd_close pool_hit_alloc_free pool_hit_steady first_map_unmap repeat_map_unmap buf_begin_end raw_fd_sync_start_end"

set output out.'/latency.png'
set title "libdmaheap on the VM's kernel (TCG): every method, median of interleaved rounds"
plot for [m in methods] dat using 2:(sel(m)) with linespoints title m

set output out.'/pool-vs-fresh.png'
set title "Pool hit against a fresh allocation (alloc + free)"
set y2label "fresh / pool hit"
set y2tics
set logscale y2
plot dat using 2:(sel("raw_alloc_name_close")) with linespoints title "raw ALLOC + SET_NAME + close", \
     dat using 2:(sel("lib_alloc_free")) with linespoints title "library alloc + free (fresh)", \
     dat using 2:(sel("pool_hit_alloc_free")) with linespoints title "pool hit, after any method", \
     dat using 2:(sel("pool_hit_steady")) with linespoints title "pool hit, after a pool hit", \
     '< awk ''$1=="lib_alloc_free"{f[$2]=$3} $1=="pool_hit_steady"{p[$2]=$3} END{for (s in f) if (s in p) print s, f[s]/p[s]}'' '.dat.' | sort -n' \
         using 1:2 axes x1y2 with linespoints dashtype 2 title "fresh / steady pool hit (right axis)"
