# dmaheapupload against memcpy, from bench/gst-upload.sh's table:
#   gnuplot -e "dat='gst-upload.dat'; out='DIR'" bench/gst-plot.gp
# Columns: where-size, then the median round's GB/s of memcpy (two heap
# buffers), rotating (system memory into the pool's number of heap
# buffers) and upload; fps of memcpy, upload and through; buffers copied;
# the ratio upload/memcpy over rounds: median, p10, p90, 95 % interval of
# the median (low, high); best/best; median of upload/rotating; the
# ratio of the rounds' fastest frames: median, interval (low, high).
if (!exists("dat")) dat = 'gst-upload.dat'
if (!exists("out")) out = '.'

set terminal pngcairo size 1200,520 font ",10" noenhanced
set output out.'/gst-upload.png'
set multiplot layout 1,2
set style fill solid 0.8 border -1
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set xtics rotate by -20

set title "GB/s per CPU-second (median of the interleaved rounds; log scale)"
set ylabel "GB/s"
set logscale y
set yrange [0.05:*]
set key top right Left reverse
set style data histograms
set style histogram clustered gap 1
plot dat using 2:xtic(1) title "memcpy, heap to heap", \
     '' using 3 title "memcpy, system memory to the pool's buffers", \
     '' using 4 title "dmaheapupload"

set title "dmaheapupload / memcpy: median of per-round ratios, 95 % interval"
set ylabel "%"
unset logscale y
set yrange [0:140]
set offsets 0, 0, 0, 0
set style histogram errorbars gap 2 lw 1.5
set key top left Left reverse
plot dat using (100*$9):(100*$12):(100*$13):xtic(1) title "batches", \
     '' using (100*$16):(100*$17):(100*$18) title "fastest frames", \
     90 with lines lw 2 dt 2 lc rgb "red" title "target 90 %"
unset multiplot
