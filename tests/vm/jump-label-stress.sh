#!/bin/sh
# Reproducer for the "Oops: int3" of x86 kernels under multi-threaded TCG
# (see machine_args in run.sh): flips a jump label N times (the scheduler's
# sched_schedstats key, default 1000) while a second CPU runs the code it
# patches. Needs a kernel with jump labels and schedstats (Debian's):
#   tests/vm/run.sh --kernel debian --tcg-thread multi -- tests/vm/jump-label-stress.sh
# crashes nearly every time (status 99); with --tcg-thread single (the
# default for such a kernel) or --smp 1 it passes.
n=${1:-1000}
knob=/proc/sys/kernel/sched_schedstats
if [ ! -w "$knob" ]; then
	echo "SKIP: no writable $knob (kernel without schedstats, or not root)"
	exit 77
fi
( while :; do :; done ) &
spinner=$!
i=0
while [ "$i" -lt "$n" ]; do
	echo 1 >"$knob" && echo 0 >"$knob" || exit 1
	i=$((i + 1))
done
kill "$spinner"
echo "flipped $knob $n times"
