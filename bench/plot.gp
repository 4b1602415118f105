# Plots of dmaheap-bench's latency data (--dat): run as
#   gnuplot -e "dat='latency.dat'; out='DIR'" bench/plot.gp
# Columns: method size median_us p10_us p90_us. bench/run.sh calls this.
if (!exists("dat")) dat = 'latency.dat'
if (!exists("out")) out = '.'

set terminal pngcairo size 1100,750 font ",11" noenhanced
set logscale xy
set grid
set key top left
set xlabel "buffer size"
set ylabel "median latency per operation (us)"
set xtics rotate by -45 ("4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, \
           "1M" 1048576, "4M" 4194304, "16M" 16777216, "32M" 33554432, \
           "64M" 67108864)
# The rows of one method, in size order.
rows(m) = sprintf("< awk '$1 == \"%s\"' '%s' | sort -k2,2n", m, dat)

methods = "raw_alloc_close raw_alloc_name_close lib_alloc_free lib_alloc_free_noname lib_alloc_fd_close pool_hit_alloc_free pool_hit_steady first_map_unmap repeat_map_unmap buf_begin_end raw_fd_sync_start_end"

set output out.'/latency.png'
set title "libdmaheap on the VM's kernel (TCG): median of rounds in shuffled order"
plot for [m in methods] rows(m) using 2:3 with linespoints title m

set output out.'/pool-vs-fresh.png'
set title "Pool hit against a fresh allocation (alloc + free), and their ratio"
set y2label "fresh / steady pool hit"
set y2tics
set logscale y2
ratio = sprintf("< awk '$1==\"lib_alloc_free\"{f[$2]=$3} $1==\"pool_hit_steady\"{p[$2]=$3} END{for (s in f) if (s in p) print s, f[s]/p[s]}' '%s' | sort -n", dat)
plot rows("raw_alloc_name_close") using 2:3 with linespoints title "raw ALLOC + SET_NAME + close", \
     rows("lib_alloc_free") using 2:3 with linespoints title "library alloc + free, fresh", \
     rows("pool_hit_alloc_free") using 2:3 with linespoints title "pool hit, after any method", \
     rows("pool_hit_steady") using 2:3 with linespoints title "pool hit, after a pool hit", \
     ratio using 1:2 axes x1y2 with linespoints dashtype 2 title "fresh / steady pool hit (right axis)"
