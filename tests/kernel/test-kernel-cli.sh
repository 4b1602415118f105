#!/bin/sh
# The dmaheap CLI against the real kernel: 'list' shows the system heap as
# usable, 'alloc system 8M' succeeds and reports 8388608 bytes, 'alloc
# auto' follows the usage policy.
# usage: test-kernel-cli.sh PATH/TO/dmaheap
# Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77.
set -u

cli=${1:?usage: $0 PATH/TO/dmaheap}
failures=0

if [ ! -e /dev/dma_heap/system ]; then
	echo "SKIP: /dev/dma_heap/system does not exist (run me through tests/vm/run.sh)"
	exit 77
fi

fail() {
	echo "not ok - $*"
	failures=$((failures + 1))
}

# run NAME CMD...: runs CMD, keeps its stdout in $out, fails on non-zero.
run() {
	name=$1
	shift
	out=$("$@" 2>"$errfile")
	status=$?
	echo "# \$ $*"
	printf '%s\n' "$out" | sed 's/^/#   /'
	sed 's/^/#   stderr: /' "$errfile"
	if [ "$status" -ne 0 ]; then
		fail "$name: exit status $status"
		return 1
	fi
	return 0
}

errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT

if run list "$cli" list; then
	if printf '%s\n' "$out" | grep -Eq '^system[[:space:]]+ok([[:space:]]|$)'; then
		echo "ok - list shows system as ok"
	else
		fail "list: no 'system ... ok' line"
	fi
fi

if run alloc "$cli" alloc system 8M; then
	if printf '%s\n' "$out" | grep -Eq '^size:.*[^0-9]8388608 bytes'; then
		echo "ok - alloc system 8M reports 8388608 bytes"
	else
		fail "alloc: size line does not say 8388608 bytes"
	fi
fi

# auto follows the usage policy: system here; udmabuf on a machine with
# no heap directory at all.
if run auto "$cli" alloc auto 1M; then
	if printf '%s\n' "$out" | grep -Eq '^heap:[[:space:]]+system \(chosen by auto\)'; then
		echo "ok - alloc auto picks system"
	else
		fail "alloc auto: did not pick system"
	fi
fi
if run auto-udmabuf "$cli" --dir /nonexistent/dma_heap alloc auto 1M; then
	if printf '%s\n' "$out" | grep -Eq '^heap:[[:space:]]+udmabuf \(chosen by auto\)'; then
		echo "ok - alloc auto without heaps picks udmabuf"
	else
		fail "alloc auto without heaps: did not pick udmabuf"
	fi
fi

# plan: the GPU has its own MMU, so the system heap serves it on any
# machine; it is usable here.
if run plan "$cli" plan gpu-render cpu-write-often; then
	if printf '%s\n' "$out" | grep -Eq '^ *[0-9]+\. system +ok'; then
		echo "ok - plan gpu-render offers system, usable"
	else
		fail "plan gpu-render: no 'N. system ok' line"
	fi
fi

# A heap that does not exist: the documented 'unusable' status, 2.
"$cli" alloc no-such-heap 4K >/dev/null 2>&1
status=$?
if [ "$status" -eq 2 ]; then
	echo "ok - alloc from a missing heap exits 2"
else
	fail "alloc no-such-heap: exit status $status, want 2"
fi

[ "$failures" -eq 0 ]
