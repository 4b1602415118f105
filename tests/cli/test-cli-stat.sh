#!/bin/sh
# dmaheap stat on a procfs written as files (--proc): the documented JSON
# exactly, the text, --pid, and what bad options and missing processes
# give. No heaps and no root needed.
# usage: test-cli-stat.sh PATH/TO/dmaheap
. "$(dirname "$0")/common.sh"

# run WANT_STATUS ARGS...: dmaheap ARGS, stdout in $tmp/out, stderr in $err.
run() {
	want=$1
	shift
	timeout 10 "$cli" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	err=$(cat "$tmp/err")
	echo "# dmaheap $* -> $status"
	sed 's/^/#   /' "$tmp/err"
	[ "$status" -eq "$want" ] || fail "$*: exit status $status, want $want"
}

out_is() {
	[ "$(cat "$tmp/out")" = "$1" ] ||
		fail "stdout is '$(cat "$tmp/out")', want '$1'"
}

# fdinfo PID FD INO SIZE EXPORTER [NAME]
fdinfo() {
	{
		printf 'pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t%s\n' "$3"
		printf 'size:\t%s\ncount:\t2\nexp_name:\t%s\n' "$4" "$5"
		[ $# -lt 6 ] || printf 'name:\t%s\n' "$6"
	} >"$proc/$1/fdinfo/$2"
}

# P10 "cam": fds on A (shared with P20) and B; an eventfd. P20 "disp": A,
# and C mapped after its fd was closed. P30: nothing.
proc=$tmp/proc
for p in 10 20 30; do
	mkdir -p "$proc/$p/fdinfo"
	: >"$proc/$p/maps"
done
printf 'cam\n' >"$proc/10/comm"
printf 'disp\n' >"$proc/20/comm"
printf 'idle\n' >"$proc/30/comm"
fdinfo 10 3 100 8192 system 'sh"ared'
fdinfo 10 4 200 4096 cma
printf 'pos:\t0\nflags:\t02\nmnt_id:\t14\nino:\t1057\neventfd-count:\t0\n' \
	>"$proc/10/fdinfo/5"
fdinfo 20 7 100 8192 system 'sh"ared'
printf '%s\n%s\n' \
	'55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1311                       /usr/bin/x' \
	'7f0000000000-7f0000003000 rw-s 00000000 00:0d 300                        /dmabuf:mapped' \
	>"$proc/20/maps"
mkdir "$proc/self" "$proc/sys"	# not processes

run 0 stat --json --proc "$proc"
out_is '{"version":1,"processes":[{"pid":10,"comm":"cam","pss":8192,"size":12288,"fds":2,"mappings":0,"buffers":[100,200]},{"pid":20,"comm":"disp","pss":16384,"size":20480,"fds":1,"mappings":1,"buffers":[100,300]}],"buffers":[{"inode":100,"size":8192,"exporter":"system","name":"sh\"ared","processes":2,"fds":2,"mappings":0},{"inode":200,"size":4096,"exporter":"cma","name":"","processes":1,"fds":1,"mappings":0},{"inode":300,"size":12288,"exporter":"","name":"mapped","processes":1,"fds":0,"mappings":1}],"exporters":[{"exporter":"","buffers":1,"size":12288},{"exporter":"cma","buffers":1,"size":4096},{"exporter":"system","buffers":1,"size":8192}],"names":[{"name":"","buffers":1,"size":4096},{"name":"mapped","buffers":1,"size":12288},{"name":"sh\"ared","buffers":1,"size":8192}],"total":{"buffers":3,"size":24576},"unreadable":0,"vanished":0,"malformed":0}'

# --pid: that process, the buffers it holds; the = forms.
run 0 stat --proc="$proc" --pid=20 --json
out_is '{"version":1,"processes":[{"pid":20,"comm":"disp","pss":16384,"size":20480,"fds":1,"mappings":1,"buffers":[100,300]}],"buffers":[{"inode":100,"size":8192,"exporter":"system","name":"sh\"ared","processes":2,"fds":2,"mappings":0},{"inode":300,"size":12288,"exporter":"","name":"mapped","processes":1,"fds":0,"mappings":1}],"exporters":[{"exporter":"","buffers":1,"size":12288},{"exporter":"system","buffers":1,"size":8192}],"names":[{"name":"mapped","buffers":1,"size":12288},{"name":"sh\"ared","buffers":1,"size":8192}],"total":{"buffers":2,"size":20480},"unreadable":0,"vanished":0,"malformed":0}'

# The text: a table per view and the total.
run 0 -v stat --proc "$proc" --pid 10
out_is '     PID         PSS        SIZE   FDS  MAPS  BUFS  COMMAND
      10       8 KiB      12 KiB     2     0     2  cam

     INODE        SIZE PROCS   FDS  MAPS  EXPORTER     NAME
       100       8 KiB     2     2     0  system       sh"ared
       200       4 KiB     1     1     0  cma          -

EXPORTER         BUFFERS        SIZE
cma                    1       4 KiB
system                 1       8 KiB

NAME             BUFFERS        SIZE
- (unnamed)            1       4 KiB
sh"ared                1       8 KiB

total 2 buffers, 12 KiB in 1 process'

# A process with no dma-buf: an empty report, success.
run 0 stat --proc "$proc" --pid 30 --json
out_is '{"version":1,"processes":[],"buffers":[],"exporters":[],"names":[],"total":{"buffers":0,"size":0},"unreadable":0,"vanished":0,"malformed":0}'

# Not understood: counted, said, left out.
printf 'ino:\t9\nexp_name:\tsystem\n' >"$proc/30/fdinfo/1"
run 0 stat --proc "$proc"
grep -q '^not counted: unreadable processes 0, processes or fds gone during the scan 0, entries not understood 1$' "$tmp/out" ||
	fail "text lacks the not-counted line"
rm "$proc/30/fdinfo/1"

# Root refused: what is missing, never "run as root". Who scans is read
# from the procfs's self/status; a process is refused by a mode of 000,
# which root reads through unless its DAC capabilities are dropped.
mkdir -p "$proc/40/fdinfo"
chmod 000 "$proc/40/fdinfo"
refuse=
if [ "$(id -u)" -ne 0 ]; then
	refuse=env
elif setpriv --bounding-set=-dac_override,-dac_read_search true 2>/dev/null; then
	refuse="setpriv --bounding-set=-dac_override,-dac_read_search"
fi
status_file() {
	printf 'Name:\tdmaheap\nUid:\t%s\t%s\t%s\t%s\nCapEff:\t%s\n' \
		"$1" "$1" "$1" "$1" "$2" >"$proc/self/status"
}
# run_refused WANT_STATUS ARGS...: run, with process 40 refused.
run_refused() {
	want=$1
	shift
	# shellcheck disable=SC2086 # $refuse is a command and its options
	timeout 10 $refuse "$cli" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	err=$(cat "$tmp/err")
	echo "# (refused) dmaheap $* -> $status"
	sed 's/^/#   /' "$tmp/err"
	[ "$status" -eq "$want" ] || fail "$*: exit status $status, want $want"
}
if [ -n "$refuse" ]; then
	status_file 1000 0000000000000000
	run_refused 0 stat --proc "$proc" --json
	says "$proc/40: permission denied"
	says "run as root"
	grep -q '"unreadable":1' "$tmp/out" || fail "unreadable not counted"
	run_refused 1 stat --proc "$proc" --pid 40
	says "run as root"
	# Root without CAP_SYS_PTRACE (bit 19) nor the DAC ones (1, 2).
	status_file 0 000001fffef7fff9
	run_refused 0 stat --proc "$proc"
	never_says "run as root"
	says "root but lacks CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH"
	says "--cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH"
	status_file 0 000001fffef7ffff
	run_refused 0 stat --proc "$proc"
	says "root but lacks CAP_SYS_PTRACE, which"
	# Root with all of them, refused all the same.
	status_file 0 000001ffffffffff
	run_refused 0 stat --proc "$proc"
	never_says "run as root"
	says "user namespace"
	says "security module"
	rm "$proc/self/status"
else
	echo "# root without setpriv: a refused process not tried"
fi
chmod 755 "$proc/40/fdinfo"
rm -r "$proc/40"

run 1 stat --proc "$proc" --pid 99
says "no process 99 in $proc"
run 1 stat --proc "$tmp/nothing"
says "scan $tmp/nothing"
for bad in "--pid 0" "--pid -3" "--pid x" "--pid" "--proc" "--proc=" \
	    "--bogus" "extra"; do
	# shellcheck disable=SC2086 # split on purpose
	run 64 stat --proc "$proc" $bad
done

# On this machine's /proc: whatever it holds, a valid report.
run 0 stat --json
if command -v python3 >/dev/null; then
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
		"$tmp/out" || fail "stat --json on /proc: not JSON"
fi

finish "all passed"
