# dmaheapupload against memcpy, from bench/gst-upload.sh's table:
#   gnuplot -e "dat='gst-upload.dat'; out='DIR'" bench/gst-plot.gp
# Columns: where-size, memcpy GB/s (two heap buffers), rotating GB/s
# (system memory into the pool's number of heap buffers), upload GB/s.
if (!exists("dat")) dat = 'gst-upload.dat'
if (!exists("out")) out = '.'

set terminal pngcairo size 900,520 font ",10" noenhanced
set output out.'/gst-upload.png'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set key top right
set yrange [0:*]
set title "NV12 frames into heap buffers: dmaheapupload against memcpy (GB/s per CPU-second, best round)"
set ylabel "GB/s"
plot dat using 2:xtic(1) title "memcpy, heap to heap", \
     '' using 3 title "memcpy, system memory to the pool's buffers", \
     '' using 4 title "dmaheapupload"
