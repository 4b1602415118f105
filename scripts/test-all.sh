#!/bin/bash
# The whole test suite, as CI runs it: installs what it needs (Debian 12,
# as root), then builds and tests with gcc and clang (warnings are errors),
# under ASan+UBSan and valgrind, checks an installed tree, and runs the
# kernel suites in VMs with real kernels:
#   Debian's kernel package  x86-64: kernel, egl and vivid-loop suites;
#                            i386: kernel suite
#   arm64-64k (6.12)         arm64 build: kernel and CMA suites, 64 KiB
#                            pages
#   cma-7.3, arm64-7.3       x86-64, i386 and arm64 on Linux 7.3: kernel,
#                            CMA, memcg, late heaps, CMA regions (arm64
#                            with 4 KiB pages); Vulkan on a CMA buffer
# The three kernels build in the background (tests/vm/build-kernel.sh,
# cached) while apt installs the rest and the stages that need no kernel
# run. Two more run only when named (DMAHEAP_TEST_STAGES): kernel-cma (the
# x86-64 CMA kernel built from 6.12) and kernel-arm64 (arm64 6.12 with 4
# KiB pages). What they prove is proven above too, bar the CMA heap on
# 6.12 with 4 KiB pages: on a 2-core machine each kernel built from
# source adds about seven minutes to a cold run, which must stay under 40.
#
# The last line is always "test-all: N passed, N failed, N skipped", also
# when a stage fails (the status is then non-zero, and the lines above say
# which command failed and why).
#
# DMAHEAP_TEST_STAGES="i386 kernel-cma" runs only the stages named (see
# STAGES below, in their order; a stage uses the build directories of the
# ones before it, so name those too); without it, all but OPT_IN_STAGES.
# DMAHEAP_I386_ROUTE=auto|native|vm: how the i386 programs run
# (TESTING.md).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${DMAHEAP_TEST_OUT:-$top/build-test}
cd "$top"

# The stage now running, for the closing lines when one fails.
stage_title=
step() {
	stage_title=$*
	printf '\n=== %s (at %d s)\n' "$*" "$SECONDS"
}

readonly STAGES="gcc clang asan trixie fuzz tsan valgrind install dist deb subproject \
kernel-debian trixie-vm i386 kernel-debian-i386 kernel-7.3 arm64 kernel-cma \
kernel-arm64 kernel-arm64-64k kernel-arm64-7.3"
# Run only when named (see the top of this file).
readonly OPT_IN_STAGES="kernel-cma kernel-arm64"
default_stages=
for s in $STAGES; do
	[[ " $OPT_IN_STAGES " = *" $s "* ]] || default_stages+=" $s"
done
stages=${DMAHEAP_TEST_STAGES:-$default_stages}
stages=${stages//,/ }
for s in $stages; do
	[[ " $STAGES " = *" $s "* ]] || {
		echo "DMAHEAP_TEST_STAGES: no stage '$s' (stages: $STAGES)" >&2
		exit 2
	}
done
want() { [[ " $stages " = *" $1 "* ]]; }

# Kernels built from source that the chosen stages boot.
BUILT_KERNELS=
# In the order the stages need them. trixie-vm runs Vulkan on a CMA heap's
# buffer in a second VM (cma-7.3).
{ want trixie-vm || want kernel-7.3; } && BUILT_KERNELS+=" cma-7.3"
want kernel-cma && BUILT_KERNELS+=" cma"
want kernel-arm64 && BUILT_KERNELS+=" arm64"
want kernel-arm64-64k && BUILT_KERNELS+=" arm64-64k"
want kernel-arm64-7.3 && BUILT_KERNELS+=" arm64-7.3"
readonly BUILT_KERNELS
kernel_builds_pid=

# One build after the other (two CPUs are all they get), niced so that the
# foreground stages keep going. Status and times in $out/kernels/.
start_kernel_builds() {
	rm -rf "$out/kernels"
	mkdir -p "$out/kernels"
	# A process group of its own, so a failed run can stop the builds.
	set -m
	(
		for k in $BUILT_KERNELS; do
			start=$SECONDS
			rc=0
			nice -n 5 "$top/tests/vm/build-kernel.sh" "$k" \
				>"$out/kernels/$k.path" 2>"$out/kernels/$k.log" || rc=$?
			echo "$rc $((SECONDS - start))" >"$out/kernels/$k.done"
		done
	) &
	kernel_builds_pid=$!
	set +m
}

# On any exit: stop the kernel builds, and after a failure say where it
# happened and still close with the totals line CI reads.
finish() {
	local rc=$?
	[[ -z $kernel_builds_pid ]] || kill -- "-$kernel_builds_pid" 2>/dev/null || true
	if [[ $rc != 0 ]]; then
		echo
		echo "test-all: FAILED (status $rc) in stage: ${stage_title:-before the first stage}"
		totals failed
	fi
	exit "$rc"
}
trap finish EXIT

# tests/trixie/make-root.sh in the background: the first caller makes the
# root, later ones (run.sh) find it cached.
start_trixie_root() {
	"$top/tests/trixie/make-root.sh" >"$out/trixie-root.log" 2>&1 &
	trixie_root_pid=$!
}

need_trixie_root() {
	[[ -n ${trixie_root_pid:-} ]] || return 0
	local rc=0
	wait "$trixie_root_pid" || rc=$?
	trixie_root_pid=
	if [[ $rc != 0 ]]; then
		tail -n 40 "$out/trixie-root.log"
		echo "the Debian 13 root could not be made (status $rc; log above)"
		return 1
	fi
}

# Waits for one kernel; fails the run if it did not build.
need_kernel() { # FLAVOUR
	local start=$SECONDS rc secs
	while [[ ! -f $out/kernels/$1.done ]]; do
		kill -0 "$kernel_builds_pid" 2>/dev/null || break
		sleep 2
	done
	read -r rc secs <"$out/kernels/$1.done" || rc=1
	echo "kernel $1: ready after waiting $((SECONDS - start)) s (build or cache lookup took ${secs:-?} s)"
	if [[ $rc != 0 ]]; then
		cat "$out/kernels/$1.log"
		echo "kernel $1 did not build"
		return 1
	fi
}

# Every meson test run goes through here, so the totals can be summed.
mtest() {
	meson test "$@" | tee -a "$out/meson-test.log"
}

# The closing line CI reads: meson's own summary is per run. "failed": the
# run stopped on a failure, so at least one failure is counted even when
# it was no test's (a build, a VM that did not start).
totals() { # [failed]
	awk -v stopped="${1:-}" '
	     /^Ok:/ { ok += $2 } /^Fail:/ { fail += $2 }
	     /^Timeout:/ { fail += $2 } /^Skipped:/ { skip += $2 }
	     END { if (stopped != "" && fail == 0) fail = 1
	           printf "test-all: %d passed, %d failed, %d skipped\n",
	                  ok, fail, skip }' "$out/meson-test.log" 2>/dev/null ||
		echo "test-all: 0 passed, 1 failed, 0 skipped"
}

# Every build of the run goes through ccache (Debian's compiler links in
# /usr/lib/ccache first in PATH, so the cross files' bare gcc and clang
# do too), with its cache beside the VM cache: a warm run compiles almost
# nothing. Paths under the clone are hashed relative to it, so a clone in
# a new directory still hits. The kernel builds started before this keep
# the plain compilers: their objects would only crowd the cache.
use_ccache() {
	[[ -d /usr/lib/ccache ]] || return 0
	export PATH=/usr/lib/ccache:$PATH
	export CCACHE_DIR=${DMAHEAP_CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/libdmaheap-ccache}
	export CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-2G}
	ccache --zero-stats >/dev/null
	echo "ccache: $CCACHE_DIR"
}

ccache_report() {
	[[ -n ${CCACHE_DIR:-} ]] || return 0
	ccache --show-stats 2>/dev/null | grep -E '^(Cacheable calls|  Hits|  Misses)' | tr -s ' ' || true
}

install_deps() { # [--kernel-builds]
	bash "$top/scripts/install-deps.sh" "$@"
}

# Runs CMD with its output appended to LOG, quiet when it succeeds. When it
# fails: the command, and its output from the first failed ninja step on
# (else its last lines), so the CI log says why.
logged() { # LOG CMD...
	local log=$1 rc=0
	shift
	printf '$ %s\n' "$*" >>"$log"
	"$@" >>"$log" 2>&1 || rc=$?
	[[ $rc != 0 ]] || return 0
	echo "test-all: this command failed with status $rc: $*"
	if grep -q '^FAILED: ' "$log"; then
		sed -n '/^FAILED: /,$p' "$log" | head -n 100
	else
		tail -n 40 "$log"
	fi
	echo "test-all: (its whole output: $log)"
	return "$rc"
}

setup() { # setup DIR [meson args...]
	local dir=$1
	shift
	rm -rf "$dir"
	: >"$dir.log"
	logged "$dir.log" meson setup "$dir" -Dwerror=true -Db_ndebug=false "$@"
	logged "$dir.log" ninja -C "$dir"
}

# The sanitizers' symbolizer, made immune to the preloaded mock
# (tests/sanitizer/symbolizer.c). Prints the option that names it, or
# nothing (then reports keep their addresses only) when there is none.
symbolizer() {
	local real dir=$out/symbolizer
	real=$(command -v llvm-symbolizer) || return 0
	real=$(readlink -f "$real")
	mkdir -p "$dir"
	logged "$dir.log" cc -static -O2 -Wall -Werror \
		-DREAL_SYMBOLIZER="\"$real\"" -o "$dir/llvm-symbolizer" \
		"$top/tests/sanitizer/symbolizer.c" >&2 || return 1
	echo "external_symbolizer_path=$dir/llvm-symbolizer"
}

# With the fault-injection and GStreamer plugin suites: they run against
# the mock, like unit.
unit() { # unit DIR [meson test args...]
	local dir=$1
	shift
	mtest -C "$dir" --suite unit --suite abi --suite fault --suite cli \
		--suite install --suite gst --print-errorlogs "$@"
}

# The kernel suites skip (77) where the VM cannot run; here, where
# everything was just installed, the rule is: no skip at all. A test that
# cannot run on one of the kernels below is a failure of this run, not a
# pass (add the case here, with its reason, if it ever must be).
kernel() { # kernel KERNEL DIR SUITE... (KERNEL: a run.sh --kernel name)
	local k=$1 dir=$2 log suites=()
	shift 2
	for s in "$@"; do suites+=(--suite "$s"); done
	log=$(mktemp)
	DMAHEAP_VM_KERNEL=$k mtest -C "$dir" "${suites[@]}" --print-errorlogs |
		tee "$log"
	if ! grep -qE '^Skipped: +0 *$' "$log"; then
		echo "kernel suites on $k: tests were skipped; the VM test bed is broken"
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
	# A cmocka case that skips inside a passing program is as much a hole
	# in the test bed (vivid's multi-planar device once went missing on
	# the kernels built here that way).
	if grep -E '^\[  SKIPPED \] test' "$dir/meson-logs/testlog.txt"; then
		echo "kernel suites on $k: test cases above skipped inside their programs"
		return 1
	fi
}

# --- the 32-bit (i386) build -------------------------------------------------
#
# An x86-64 kernel runs i386 programs only with IA32_EMULATION, which a
# kernel may lack or switch off (ia32_emulation=0). The build runs no i386
# program either way: meson has no exe_wrapper, so it runs none itself
# (not even its compiler check), and dmaheap(1) comes from native builds
# only (doc/meson.build). i386-linux-gnu.ini alone makes meson test skip
# the i386 programs (a host that cannot run them); i386-runs-here.ini on
# top says they run where the tests run, which is true of both routes
# below (the VM's kernels run them). Two routes for the tests:
#   native  the host runs the i386 programs, as meson test does anywhere
#   vm      the suites that run i386 programs run inside the test VM, on
#           a kernel that runs them natively
# Not qemu-user: Debian 12's qemu-i386 (7.2) answers ENOSYS to ioctls it
# does not know (DMA_BUF_IOCTL_SYNC on a memfd, where the kernel says
# ENOTTY), ignores MADV_WIPEONFORK and truncates SCM_RIGHTS differently, so
# 7 of the unit and fault programs fail under it for no fault of theirs.

# The mock suites with programs of the build (cmocka, the fuzz replays, the
# tool). abi and install are scripts that only compile and inspect, so they
# run on the host in either route; no i386 GStreamer, so no gst suite.
readonly I386_PROGRAM_SUITES="unit fault cli"

# Sets i386_host_error: empty if this host runs an i386 program, else the
# reason it gave. A program built as the i386 build builds them.
probe_i386() {
	local dir=$out/i386-probe
	rm -rf "$dir"
	mkdir -p "$dir"
	printf 'int main(void) { return 0; }\n' >"$dir/probe.c"
	logged "$dir/build.log" gcc -m32 -o "$dir/probe" "$dir/probe.c"
	i386_host_error=
	if ! timeout 10 "$dir/probe" >"$dir/run.log" 2>&1; then
		i386_host_error=$(tr '\n' ' ' <"$dir/run.log")
		i386_host_error=${i386_host_error% }
		i386_host_error=${i386_host_error:-exit status not 0}
	fi
}

# Sets i386_route (native or vm) from DMAHEAP_I386_ROUTE and the probe,
# and says which and why.
choose_i386_route() {
	local want=${DMAHEAP_I386_ROUTE:-auto}
	case $want in
	auto | native | vm) ;;
	*)
		echo "DMAHEAP_I386_ROUTE=$want: want auto, native or vm"
		return 1
		;;
	esac
	probe_i386
	if [[ -z $i386_host_error ]]; then
		echo "i386 probe: this host runs i386 programs"
	else
		echo "i386 probe: this host cannot run i386 programs: $i386_host_error"
	fi
	case $want in
	native)
		if [[ -n $i386_host_error ]]; then
			echo "DMAHEAP_I386_ROUTE=native: impossible on this host (above)"
			return 1
		fi
		i386_route=native ;;
	vm) i386_route=vm ;;
	auto) [[ -n $i386_host_error ]] && i386_route=vm || i386_route=native ;;
	esac
	echo "i386 route: $i386_route (DMAHEAP_I386_ROUTE=$want)"
}

# Runs meson test for SUITE... of the i386 build DIR inside one VM: a
# kernel that runs i386 programs (Debian's, booted by the stage before).
# The guest's meson writes its output to a file, shown here afterwards (on
# the VM's console it would be a progress bar). Under TCG, with the
# machine loaded, cli-stat took 250 s of its 60: hence the multiplier.
i386_in_vm() { # DIR SUITE...
	local dir=$1 log=$1/meson-logs/vm-test.txt rc=0 s args=()
	shift
	for s in "$@"; do args+=(--suite "$s"); done
	mkdir -p "$dir/meson-logs"
	rm -f "$log"
	# shellcheck disable=SC2016 # the guest's sh expands them
	"$top/tests/vm/run.sh" --kernel debian --writable "$dir" --timeout 2400 -- \
		sh -c 'meson test "$@" >"$0" 2>&1' "$log" -C "$dir" --no-rebuild \
		--print-errorlogs --timeout-multiplier 10 "${args[@]}" || rc=$?
	if [[ -f $log ]]; then
		tee -a "$out/meson-test.log" <"$log"
	fi
	case $rc in
	0) ;;
	77) echo "i386 suites in the VM: the VM could not start on this host (above)" ;;
	*) echo "i386 suites in the VM: status $rc" ;;
	esac
	return "$rc"
}

i386_stage() {
	step "32-bit build (gcc -m32): unit, fault and cli suites"
	choose_i386_route
	setup "$out/i386" --cross-file "$top/tests/kernel/i386-linux-gnu.ini" \
		--cross-file "$top/tests/kernel/i386-runs-here.ini"
	if [[ $i386_route = native ]]; then
		unit "$out/i386"
		# The other route too, so that it keeps working where it is
		# needed: the same build's unit suite inside the VM.
		step "32-bit: unit suite inside the VM too (the route for hosts without i386 support)"
		i386_in_vm "$out/i386" unit
	else
		mtest -C "$out/i386" --suite abi --suite install --print-errorlogs
		# shellcheck disable=SC2086 # a list of words
		i386_in_vm "$out/i386" $I386_PROGRAM_SUITES
		if [[ -n $i386_host_error ]]; then
			echo "i386 native route: not possible on this host (it cannot run i386 programs)"
		else
			echo "i386 native route: not run (DMAHEAP_I386_ROUTE=vm)"
		fi
	fi
}

main() {
	mkdir -p "$out"
	: > "$out/meson-test.log"
	step "dependencies"
	# On a fresh machine the kernel builds start as soon as their own
	# packages are in, and compile while apt fetches the rest.
	install_deps --kernel-builds
	[[ -z $BUILT_KERNELS ]] || start_kernel_builds
	install_deps
	use_ccache
	# The Debian 13 root (cached; ~3 minutes cold) is made while the
	# first stages run.
	if want trixie || want trixie-vm; then start_trixie_root; fi

	if want gcc; then
		step "gcc build, unit suite"
		CC=gcc CXX=g++ setup "$out/gcc" -Ddefault_library=both
		unit "$out/gcc"
		# Hostile policy sizes: prints CPU times and growth per doubling (~2 s).
		mtest -C "$out/gcc" --suite scale --verbose
	fi

	if want clang; then
		step "clang build, unit suite"
		CC=clang CXX=clang++ setup "$out/clang"
		unit "$out/clang"
	fi

	if want asan; then
		step "ASan + UBSan, unit, fault and GStreamer plugin suites"
		CC=clang CXX=clang++ setup "$out/asan" -Db_sanitize=address,undefined -Db_lundef=false
		symb=$(symbolizer)
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1${symb:+:$symb} \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${symb:+:$symb} \
			mtest -C "$out/asan" --suite unit --suite fault --suite cli --suite gst \
				--print-errorlogs
	fi

	# Bounded: DMAHEAP_FUZZ_SECONDS per harness (tests/fuzz/fuzz-*.c), plus the
	# build. The seed corpora and crashes/ also replay in every unit run.
	if want trixie; then
		step "Debian 13 root (GStreamer 1.26): build, unit and gst suites"
		need_trixie_root
		"$top/tests/trixie/run.sh" --build "$out/trixie" unit |
			tee -a "$out/meson-test.log"
	fi

	if want fuzz; then
		step "libFuzzer: each harness for ${DMAHEAP_FUZZ_SECONDS:-30} s"
		CC=clang CXX=clang++ setup "$out/fuzz" -Dfuzz=true -Db_lundef=false
		DMAHEAP_FUZZ_SECONDS=${DMAHEAP_FUZZ_SECONDS:-30} \
			mtest -C "$out/fuzz" --suite fuzz --print-errorlogs
	fi

	# The stress program: 100 threads x 1000 iterations on one context.
	if want tsan; then
		step "ThreadSanitizer: unit suite and concurrency stress"
		CC=clang CXX=clang++ setup "$out/tsan" -Db_sanitize=thread -Db_lundef=false
		symb=$(symbolizer)
		TSAN_OPTIONS=halt_on_error=1${symb:+:$symb} \
			mtest -C "$out/tsan" --suite unit --suite stress --print-errorlogs
	fi

	if want valgrind; then
		step "valgrind memcheck, unit and fault suites"
		mtest -C "$out/gcc" --suite unit --suite fault --print-errorlogs \
			--wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
	fi

	if want install; then
		step "installed tree: pkg-config consumers"
		bash "$top/tests/install/check.sh" "$out/gcc" "$out/destdir"
		# The GStreamer plugin out of tree, from the same kind of tree (~10 s).
		bash "$top/tests/install/check-gst.sh" "$out/gcc" "$out/destdir-gst"
		# Android code, C and C++, against the installed Android layer.
		bash "$top/tests/android/check-install.sh" "$out/gcc" "$out/destdir-android"
	fi

	# The release tarball from a clean clone: its contents against
	# .gitattributes' rule, then built and its unit and abi suites run
	# (about 4 minutes on two cores).
	if want dist; then
		step "release tarball: meson dist, contents, unit and abi suites from it"
		bash "$top/tests/dist/check.sh" "$out/dist" | tee -a "$out/meson-test.log"
	fi

	# The Debian packages: built (their own test run included), lintian,
	# then installed and used in a clean Debian 12 root (about 7 minutes
	# on two cores, most of it the package build; the root is cached).
	if want deb; then
		step "Debian packages: dpkg-buildpackage, lintian, a clean Debian 12 root"
		bash "$top/tests/deb/check.sh" "$out/deb"
	fi

	# About 10 s: configure and build a parent with only the library.
	if want subproject; then
		step "subproject: a parent without cmocka vendors the library"
		bash "$top/tests/subproject/check.sh" "$out/subproject"
	fi

	if want kernel-debian; then
		step "kernel, egl and vivid-loop suites: x86-64 on Debian's kernel package"
		# egl: Debian 12's Mesa judges images on vgem (tests/consumers)
		kernel debian "$out/gcc" kernel egl vivid-loop
	fi

	if want trixie-vm; then
		step "Debian 13 root in the VM: GStreamer 1.26's V4L2 elements, Vulkan, EGL"
		need_trixie_root
		need_kernel cma-7.3
		DMAHEAP_VM_KERNEL=debian "$top/tests/trixie/run.sh" \
			--build "$out/trixie" vm | tee -a "$out/meson-test.log"
	fi

	if want i386; then
		i386_stage
	fi

	# The i386 programs on a distribution kernel: its compat ioctls for
	# heaps, dma-bufs, udmabuf, V4L2 and DRM (CMA on 7.3 below).
	if want kernel-debian-i386; then
		step "kernel suite (i386) on Debian's kernel package"
		kernel debian "$out/i386" kernel
	fi

	# Linux 7.3 (Debian's trixie-backports source): the CMA names of 6.17
	# on, memcg charging of the system heap (booted with
	# dma_heap.mem_accounting=1), the CMA heap as a module loaded after
	# a context exists (late-heaps), and on arm64 one heap per reusable
	# CMA region of the device tree. memcg, late-heaps and cma-regions
	# skip on 6.12, so they run only here. The i386 build's kernel and
	# CMA suites take the compat ioctl paths of 7.3, as the stage above
	# does those of 6.12 (the i386 stage builds it). Its kernel is built
	# first: this runs while the arm64 kernels build.
	if want kernel-7.3; then
		step "kernel, CMA, memcg and late-heaps suites: x86-64 and i386 on Linux 7.3"
		need_kernel cma-7.3
		kernel cma-7.3 "$out/gcc" kernel cma memcg late-heaps
		kernel cma-7.3 "$out/i386" kernel cma
	fi

	if want arm64; then
		step "arm64 cross build (clang)"
		setup "$out/arm64" --cross-file "$top/tests/cross/aarch64-linux-gnu.ini" \
			--cross-file "$("$top/tests/vm/arm64-root.sh" --cross-file)"
	fi

	# Not in a default run (see the top of this file): the CMA heap on
	# 6.12 with 4 KiB pages (x86-64 and i386), and vivid's loop on a
	# kernel built without preemption (Debian's runs it with preempt=none).
	if want kernel-cma; then
		step "CMA and vivid-loop suites (x86-64), kernel and CMA suites (i386): the CMA kernel"
		need_kernel cma
		kernel cma "$out/gcc" cma vivid-loop
		kernel cma "$out/i386" kernel cma
	fi

	# Not in a default run (see the top of this file): arm64-7.3 below
	# has 4 KiB pages.
	if want kernel-arm64; then
		step "kernel and CMA suites: arm64, 4 KiB pages"
		need_kernel arm64
		kernel arm64 "$out/arm64" kernel cma
	fi

	if want kernel-arm64-64k; then
		step "kernel and CMA suites: arm64, 64 KiB pages"
		need_kernel arm64-64k
		kernel arm64-64k "$out/arm64" kernel cma
	fi

	if want kernel-arm64-7.3; then
		step "kernel, CMA, memcg and CMA-regions suites: arm64 on Linux 7.3"
		need_kernel arm64-7.3
		kernel arm64-7.3 "$out/arm64" kernel cma memcg cma-regions
	fi
	[[ -z $kernel_builds_pid ]] || wait "$kernel_builds_pid"
	kernel_builds_pid=

	echo
	ccache_report
	echo "all test stages passed in $SECONDS s"
	totals
}

main "$@"
