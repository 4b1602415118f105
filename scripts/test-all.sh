#!/bin/bash
# The whole test suite, as CI runs it: installs what it needs (Debian 12,
# as root), then builds and tests with gcc and clang (warnings are errors),
# under ASan+UBSan and valgrind, checks an installed tree, and runs the
# kernel suite in a VM with a real kernel, 64- and 32-bit.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${DMAHEAP_TEST_OUT:-$top/build-test}
cd "$top"

step() { printf '\n=== %s\n' "$*"; }

# Every meson test run goes through here, so the totals can be summed.
mtest() {
	meson test "$@" | tee -a "$out/meson-test.log"
}

# The closing line CI reads: meson's own summary is per run.
totals() {
	awk '/^Ok:/ { ok += $2 } /^Fail:/ { fail += $2 }
	     /^Timeout:/ { fail += $2 } /^Skipped:/ { skip += $2 }
	     END { printf "test-all: %d passed, %d failed, %d skipped\n",
	                  ok, fail, skip }' "$out/meson-test.log"
}

install_deps() {
	bash "$top/scripts/install-deps.sh"
}

setup() { # setup DIR [meson args...]
	local dir=$1
	shift
	rm -rf "$dir"
	meson setup "$dir" -Dwerror=true -Db_ndebug=false "$@" >/dev/null
	ninja -C "$dir" >/dev/null
}

# With the fault-injection suite: it runs against the mock, like unit.
unit() { # unit DIR [meson test args...]
	local dir=$1
	shift
	mtest -C "$dir" --suite unit --suite abi --suite fault --suite cli \
		--suite install --print-errorlogs "$@"
}

# The kernel suite skips (77) where the VM cannot run; here, where
# everything was just installed, a skip would hide a broken test bed.
kernel() { # kernel DIR [meson test args...]
	local dir=$1 log
	shift
	log=$(mktemp)
	mtest -C "$dir" --suite kernel --print-errorlogs "$@" | tee "$log"
	if ! grep -qE '^Skipped: +0 *$' "$log"; then
		echo "kernel suite: tests were skipped; the VM test bed is broken"
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

main() {
	mkdir -p "$out"
	: > "$out/meson-test.log"
	step "dependencies"
	install_deps

	step "gcc build, unit suite"
	CC=gcc setup "$out/gcc" -Ddefault_library=both
	unit "$out/gcc"
	# Hostile policy sizes: prints CPU times and growth per doubling (~2 s).
	mtest -C "$out/gcc" --suite scale --verbose

	step "clang build, unit suite"
	CC=clang setup "$out/clang"
	unit "$out/clang"

	step "ASan + UBSan, unit and fault suites"
	CC=clang setup "$out/asan" -Db_sanitize=address,undefined -Db_lundef=false
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		mtest -C "$out/asan" --suite unit --suite fault --suite cli \
			--print-errorlogs

	# Bounded: DMAHEAP_FUZZ_SECONDS per harness (tests/fuzz/fuzz-*.c), plus the
	# build. The seed corpora and crashes/ also replay in every unit run.
	step "libFuzzer: each harness for ${DMAHEAP_FUZZ_SECONDS:-30} s"
	CC=clang setup "$out/fuzz" -Dfuzz=true -Db_lundef=false
	DMAHEAP_FUZZ_SECONDS=${DMAHEAP_FUZZ_SECONDS:-30} \
		mtest -C "$out/fuzz" --suite fuzz --print-errorlogs

	# The stress program: 100 threads x 1000 iterations on one context.
	step "ThreadSanitizer: unit suite and concurrency stress"
	CC=clang setup "$out/tsan" -Db_sanitize=thread -Db_lundef=false
	TSAN_OPTIONS=halt_on_error=1 \
		mtest -C "$out/tsan" --suite unit --suite stress --print-errorlogs

	step "valgrind memcheck, unit and fault suites"
	mtest -C "$out/gcc" --suite unit --suite fault --print-errorlogs \
		--wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"

	step "installed tree: pkg-config consumers"
	bash "$top/tests/install/check.sh" "$out/gcc" "$out/destdir"

	# About 10 s: configure and build a parent with only the library.
	step "subproject: a parent without cmocka vendors the library"
	bash "$top/tests/subproject/check.sh" "$out/subproject"

	step "kernel suite: 64-bit, in a VM with a real kernel"
	kernel "$out/gcc"

	step "32-bit build (gcc -m32): unit and kernel suites"
	setup "$out/i386" --cross-file "$top/tests/kernel/i386-linux-gnu.ini"
	unit "$out/i386"
	kernel "$out/i386"

	echo
	echo "all test stages passed"
	totals
}

main "$@"
