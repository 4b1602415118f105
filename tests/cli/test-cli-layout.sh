#!/bin/sh
# dmaheap layout: the text and the documented JSON for known layouts, and
# the exit statuses of bad input. No heaps needed.
# usage: test-cli-layout.sh PATH/TO/dmaheap
. "$(dirname "$0")/common.sh"

# expect WANT_STATUS WANT_STDOUT ARGS...: stdout must be exactly WANT_STDOUT.
expect() {
	want_status=$1
	want_out=$2
	shift 2
	"$cli" layout "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	echo "# dmaheap layout $* -> $status"
	sed 's/^/#   /' "$tmp/err"
	[ "$status" -eq "$want_status" ] ||
		fail "layout $*: exit status $status, want $want_status"
	[ "$(cat "$tmp/out")" = "$want_out" ] ||
		fail "layout $*: stdout is '$(cat "$tmp/out")'"
}

expect 0 '{"format":"NV12","fourcc":842094158,"width":1920,"height":1080,"padded_height":1088,"modifier":"0x0000000000000000","buffers":[{"size":3342336}],"planes":[{"buffer":0,"offset":0,"stride":2048,"size":2228224},{"buffer":0,"offset":2228224,"stride":2048,"size":1114112}],"size":3342336}' \
	NV12 1920x1080 --stride-align 256 --height-align 16 --json
expect 0 '{"format":"YU12","fourcc":842093913,"width":33,"height":17,"padded_height":17,"modifier":"0x0000000000000000","buffers":[{"size":561},{"size":153},{"size":153}],"planes":[{"buffer":0,"offset":0,"stride":33,"size":561},{"buffer":1,"offset":0,"stride":17,"size":153},{"buffer":2,"offset":0,"stride":17,"size":153}],"size":867}' \
	YU12 33x17 --planes separate --json
expect 0 '{"format":"XR24","fourcc":875713112,"width":2,"height":1,"padded_height":1,"modifier":"0x0000000000000000","buffers":[{"size":8}],"planes":[{"buffer":0,"offset":0,"stride":8,"size":8}],"size":8}' \
	xrgb8888 2x1 --json
expect 0 'R8 3x1, LINEAR, 1 plane in 1 dma-buf
plane  buffer        offset   stride         size
0      0                  0        4            4
total 4 bytes' R8 3x1 --stride-align 4
expect 64 '' NV99 64x64
grep -q "'NV99'" "$tmp/err" || fail "the unknown fourcc is not named"
expect 64 '' NV12 0x64
expect 64 '' NV12 64
expect 64 '' NV12 64x64 --planes two
expect 64 '' NV12 64x64 --stride-align
expect 64 '' NV12 64x64 --stride-align -1
expect 64 '' NV12 64x64 --stride-align 2000000
expect 64 '' NV12 64x64 --frob
expect 64 '' NV123 64x64
expect 64 '' NV12 64x64 --planes one --planes separate --modifier 1
expect 1 '' NV12 4294967295x4294967295

finish "ok: dmaheap layout"
