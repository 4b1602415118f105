#!/bin/sh
# The dmaheap CLI on this machine, no heaps needed: what it says when the
# policy file is broken, when udmabuf is missing or is not udmabuf, and
# when the heap directory holds things that are not heaps.
# usage: test-cli.sh PATH/TO/dmaheap
. "$(dirname "$0")/common.sh"

# run WANT_STATUS CMD...: runs CMD (10 s at most), stderr into $err.
run() {
	want=$1
	shift
	timeout 10 "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	err=$(cat "$tmp/err")
	echo "# \$ $* -> $status"
	sed 's/^/#   /' "$tmp/err"
	[ "$status" -eq "$want" ] || fail "$*: exit status $status, want $want"
}

mkdir "$tmp/heaps"
printf '# comment\nrule cpu-often = system\n' >"$tmp/bad.conf"

# A broken policy file with --dir: the file's line, not the directory.
DMAHEAP_POLICY=$tmp/bad.conf run 1 "$cli" --dir "$tmp/heaps" list
says "bad.conf:2: unknown usage word: 'cpu-often'"
never_says "invalid heap directory"

# Without --dir: the same message, not a bare "Invalid argument".
DMAHEAP_POLICY=$tmp/bad.conf run 1 "$cli" alloc system 1M
says "bad.conf:2: unknown usage word: 'cpu-often'"

# A FIFO as the policy file is refused at once.
mkfifo "$tmp/fifo.conf"
DMAHEAP_POLICY=$tmp/fifo.conf run 1 "$cli" list
says "fifo.conf: not a regular file"

# No heap directory, no udmabuf: udmabuf's own path is blamed.
DMAHEAP_UDMABUF_DEV=$tmp/none/udmabuf \
	run 2 "$cli" --dir "$tmp/none" alloc udmabuf 1M
says "$tmp/none/udmabuf does not exist"
never_says "no DMA-BUF heaps"
never_says "$tmp/none does not exist"
never_says "dma_heap/udmabuf"

# A device that is not udmabuf: refused unopened, named, no heap hint.
DMAHEAP_UDMABUF_DEV=/dev/null run 2 "$cli" alloc udmabuf 1M
says "/dev/null is device"
says "cannot open the udmabuf device /dev/null"
never_says 'SUBSYSTEM=="dma_heap"'

# A heap directory of things that are not heaps, and no udmabuf (this
# machine's /dev/udmabuf would be listed).
ln -s /dev/zero "$tmp/heaps/zero"
: >"$tmp/heaps/plain"
DMAHEAP_UDMABUF_DEV=$tmp/none/udmabuf run 2 "$cli" --dir "$tmp/heaps" list
says "$tmp/heaps/zero is device"
says "not a dma_heap device"
run 2 "$cli" --dir "$tmp/heaps" alloc zero 4K
says "cannot open heap 'zero'"

# What is the directory's fault still is.
run 64 "$cli" --dir "" list
says "invalid heap directory ''"

# Options after the operands, as other tools take them (getopt's
# permutation); "--" ends them, and "-5" stays a (bad) size.
DMAHEAP_UDMABUF_DEV=$tmp/none/udmabuf \
	run 2 "$cli" alloc udmabuf 1M -v --dir "$tmp/none"
never_says "wrong number of operands"
says "libdmaheap debug: udmabuf: the udmabuf device $tmp/none/udmabuf"
says "$tmp/none/udmabuf does not exist"
run 2 "$cli" alloc system 1M --dir="$tmp/none"
never_says "wrong number of operands"
says "$tmp/none does not exist"
run 64 "$cli" alloc system -5
says "invalid size '-5'"
run 64 "$cli" alloc -- system -5
says "invalid size '-5'"
run 64 "$cli" alloc -- system 1M -v
says "wrong number of operands"
run 64 "$cli" alloc system 1M --bogus
says "unknown option '--bogus'"
run 64 "$cli" alloc system 1M --dir
says "option '--dir' needs an argument"
run 0 "$cli" layout NV12 64x48 --height-align 16 -v
grep -q '^NV12 64x48, LINEAR, 2 planes in 1 dma-buf$' "$tmp/out" ||
	fail "layout with -v last: $(cat "$tmp/out")"
run 0 "$cli" layout NV12 64x48 -v --json --stride-align 128
grep -q '"stride":128' "$tmp/out" || fail "layout --json: $(cat "$tmp/out")"

# On the mock kernel (the preload, where it loads into this build): the
# allocation itself, with -v after it.
preload=${2:-}
# env: the preload goes into the tool only, not into timeout.
if [ -n "$preload" ] &&
   env LD_PRELOAD="$preload" "$cli" --version >/dev/null 2>&1; then
	run 0 env LD_PRELOAD="$preload" DMAHEAP_MOCK_HEAPS=system \
		"$cli" alloc system 1M -v
	grep -q '^size: *1048576 bytes' "$tmp/out" ||
		fail "alloc system 1M -v: $(cat "$tmp/out")"
else
	echo "# no mock preload here: the allocation with -v last not run"
fi

finish "ok - all CLI diagnostics"
