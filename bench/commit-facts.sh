#!/bin/sh
# What a benchmark run measured, and on what: the commit (and any local
# change), the time, the load, the processor and the kernel, with the
# kernel's mitigations of the return-predictor attacks. Those decide what
# a function still on the stack across a system call costs (BENCHMARKS.md,
# "Where the time goes"), so runs on two machines compare only with them.
#   bench/commit-facts.sh >OUT
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
git -C "$top" log -1 --format='%H %s'
git -C "$top" status --porcelain --untracked-files=no -- . \
	":(exclude)bench/results" | sed 's/^/dirty: /'
date -u '+%Y-%m-%d %H:%M UTC'
echo "host load average: $(cat /proc/loadavg) on $(nproc) CPUs"
cpu() { # FIELD: its value for the first processor
	sed -n "s/^$1[[:space:]]*: //p" /proc/cpuinfo | sed -n 1p
}
echo "cpu: $(cpu 'model name') (family $(cpu 'cpu family'), model $(cpu model))"
echo "kernel: $(uname -srm)"
for v in spec_rstack_overflow retbleed spectre_v2; do
	f=/sys/devices/system/cpu/vulnerabilities/$v
	[ -r "$f" ] && echo "$v: $(cat "$f")"
done
exit 0
