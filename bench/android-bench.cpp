// SPDX-License-Identifier: MIT
//
// What libdmaheap-android adds to a call: the same operations through the
// layer (C API and C++ class, as Android code calls them) and through
// libdmaheap's own calls, in one run, with the kernel faked below libc by
// bench/shim.c:
//   LD_PRELOAD=BUILD/bench/libdmaheap-shim.so BUILD/bench/dmaheap-bench-android
// bench/android-shim.sh runs it, and callgrind on --loop for instruction
// counts.
//   --rounds N   interleaved rounds of batches (default 301)
//   --batch N    operations per timed batch (default 1000)
//   --loop M N   run method M (a name below) N times untimed, and exit
// Each layer method is compared with the libdmaheap method that does what
// the layer does underneath: an allocation on "system" named after its
// heap (dmaheap_alloc_fd_heap_flags), or a CPU sync START and END on a raw
// dma-buf fd (dmaheap_sync_start/end), each on a context of its own made
// as the layer makes one (dmaheap_ctx_new). The shim answers SYNC without
// a system call, which a kernel never does: sync_syscall_floor makes the
// two SYNC ioctls as real system calls (on /dev/null, which refuses
// them), the least a real START and END add to every sync method.
#include <BufferAllocator/BufferAllocator.h>
#include <BufferAllocator/BufferAllocatorWrapper.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

#include "dmaheap.h"

namespace {

constexpr size_t kSize = 4096;

enum Method {
	NATIVE_ALLOC,
	C_ALLOC,
	CPP_ALLOC,
	C_ALLOC_SYSTEM,
	CPP_ALLOC_SYSTEM,
	NATIVE_SYNC,
	C_SYNC,
	CPP_SYNC,
	SYNC_FLOOR,
	NMETHODS
};

const char *const kNames[NMETHODS] = {
	"native_alloc_close",	   "c_alloc_close",
	"cpp_alloc_close",	   "c_alloc_system_close",
	"cpp_alloc_system_close",  "native_sync_start_end",
	"c_sync_start_end",	   "cpp_sync_start_end",
	"sync_syscall_floor",
};

// The libdmaheap method each layer method is measured against.
const Method kBaseline[NMETHODS] = {
	NATIVE_ALLOC, NATIVE_ALLOC, NATIVE_ALLOC, NATIVE_ALLOC,
	NATIVE_ALLOC, NATIVE_SYNC,  NATIVE_SYNC,  NATIVE_SYNC,
	SYNC_FLOOR,
};

struct dmaheap_ctx *native_ctx;
BufferAllocator *c_ba;
BufferAllocator *cpp_ba;
int native_fd = -1, c_fd = -1, cpp_fd = -1; // held for the sync methods
int null_fd = -1;

void must(int r, const char *what)
{
	if (r < 0) {
		std::fprintf(stderr, "dmaheap-bench-android: %s: %s\n", what,
			     std::strerror(-r));
		std::exit(1);
	}
}

void must_fd(int fd, const char *what)
{
	must(fd, what);
	close(fd);
}

void op(Method m)
{
	switch (m) {
	case NATIVE_ALLOC:
		must_fd(dmaheap_alloc_fd_heap_flags(native_ctx, "system", kSize,
						    0, 0),
			"dmaheap_alloc_fd_heap_flags");
		return;
	case C_ALLOC:
		must_fd(DmabufHeapAlloc(c_ba, "system", kSize, 0, 0),
			"DmabufHeapAlloc");
		return;
	case CPP_ALLOC:
		must_fd(cpp_ba->Alloc("system", kSize), "BufferAllocator::Alloc");
		return;
	case C_ALLOC_SYSTEM:
		must_fd(DmabufHeapAllocSystem(c_ba, true, kSize, 0, 0),
			"DmabufHeapAllocSystem");
		return;
	case CPP_ALLOC_SYSTEM:
		must_fd(cpp_ba->AllocSystem(true, kSize),
			"BufferAllocator::AllocSystem");
		return;
	case NATIVE_SYNC:
		must(dmaheap_sync_start(native_ctx, native_fd, DMAHEAP_ACCESS_RW),
		     "dmaheap_sync_start");
		must(dmaheap_sync_end(native_ctx, native_fd, DMAHEAP_ACCESS_RW),
		     "dmaheap_sync_end");
		return;
	case C_SYNC:
		must(DmabufHeapCpuSyncStart(c_ba, (unsigned int)c_fd,
					    kSyncReadWrite, nullptr, nullptr),
		     "DmabufHeapCpuSyncStart");
		must(DmabufHeapCpuSyncEnd(c_ba, (unsigned int)c_fd,
					  kSyncReadWrite, nullptr, nullptr),
		     "DmabufHeapCpuSyncEnd");
		return;
	case CPP_SYNC:
		must(cpp_ba->CpuSyncStart((unsigned int)cpp_fd, kSyncReadWrite),
		     "BufferAllocator::CpuSyncStart");
		must(cpp_ba->CpuSyncEnd((unsigned int)cpp_fd, kSyncReadWrite),
		     "BufferAllocator::CpuSyncEnd");
		return;
	case SYNC_FLOOR: {
		struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

		// Past the shim: the kernel's entry and exit, nothing more.
		(void)syscall(SYS_ioctl, null_fd, DMA_BUF_IOCTL_SYNC, &sync);
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		(void)syscall(SYS_ioctl, null_fd, DMA_BUF_IOCTL_SYNC, &sync);
		return;
	}
	case NMETHODS:
		break;
	}
}

void setup()
{
	if (!dlsym(RTLD_DEFAULT, "dmaheap_shim_counts")) {
		std::fprintf(stderr, "dmaheap-bench-android: run it with LD_PRELOAD=libdmaheap-shim.so\n");
		std::exit(77);
	}
	must(dmaheap_ctx_new(&native_ctx), "dmaheap_ctx_new");
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0)
		must(-errno, "/dev/null");
	c_ba = CreateDmabufHeapBufferAllocator();
	if (!c_ba)
		must(-errno, "CreateDmabufHeapBufferAllocator");
	cpp_ba = new BufferAllocator();
	native_fd = dmaheap_alloc_fd(native_ctx, "system", kSize, 0);
	must(native_fd, "dmaheap_alloc_fd");
	c_fd = DmabufHeapAlloc(c_ba, "system", kSize, 0, 0);
	must(c_fd, "DmabufHeapAlloc");
	cpp_fd = cpp_ba->Alloc("system", kSize);
	must(cpp_fd, "BufferAllocator::Alloc");
	// Opens the heap, resolves names: not what is measured.
	for (int m = 0; m < NMETHODS; m++)
		op(static_cast<Method>(m));
}

void teardown()
{
	close(native_fd);
	close(c_fd);
	close(cpp_fd);
	close(null_fd);
	delete cpp_ba;
	FreeDmabufHeapBufferAllocator(c_ba);
	dmaheap_ctx_free(native_ctx);
}

double now_ns()
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return static_cast<double>(t.tv_sec) * 1e9 +
	       static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	size_t n = v.size();
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Median ns per operation of each method, and the median over rounds of
// each layer method's ratio to its baseline in the same round (which
// cancels the drift of a shared machine better than a ratio of medians).
void run(int rounds, int batch)
{
	std::vector<std::vector<double>> t(NMETHODS);
	std::vector<std::vector<double>> ratio(NMETHODS);
	std::vector<std::vector<double>> floored(NMETHODS);
	std::vector<int> order(NMETHODS);
	std::mt19937 rng(1);

	for (int m = 0; m < NMETHODS; m++)
		order[static_cast<size_t>(m)] = m;
	for (int r = -3; r < rounds; r++) {
		double round_t[NMETHODS];

		std::shuffle(order.begin(), order.end(), rng);
		for (int m : order) {
			double start = now_ns();

			for (int i = 0; i < batch; i++)
				op(static_cast<Method>(m));
			round_t[m] = (now_ns() - start) / batch;
		}
		if (r < 0)
			continue;
		for (int m = 0; m < NMETHODS; m++) {
			t[static_cast<size_t>(m)].push_back(round_t[m]);
			ratio[static_cast<size_t>(m)].push_back(
				round_t[m] / round_t[kBaseline[m]]);
			// A sync method as a real kernel would run it: with
			// the two system calls the shim leaves out.
			floored[static_cast<size_t>(m)].push_back(
				(round_t[m] + round_t[SYNC_FLOOR]) /
				(round_t[kBaseline[m]] + round_t[SYNC_FLOOR]));
		}
	}
	std::printf("%d rounds of %d operations, 4 KiB, median ns per operation;\n"
		    "overhead: median over rounds of (method / its libdmaheap baseline) - 1\n",
		    rounds, batch);
	for (int m = 0; m < NMETHODS; m++) {
		size_t i = static_cast<size_t>(m);

		if (m == SYNC_FLOOR)
			std::printf("  %-24s %8.1f ns   (two real system calls)\n",
				    kNames[m], median(t[i]));
		else if (kBaseline[m] == m)
			std::printf("  %-24s %8.1f ns   (baseline)\n", kNames[m],
				    median(t[i]));
		else
			std::printf("  %-24s %8.1f ns   %+6.2f %% against %s\n",
				    kNames[m], median(t[i]),
				    (median(ratio[i]) - 1) * 100,
				    kNames[kBaseline[m]]);
		if (kBaseline[m] == NATIVE_SYNC && m != NATIVE_SYNC)
			std::printf("  %-24s %8s      %+6.2f %% with the floor's system calls on both\n",
				    "", "", (median(floored[i]) - 1) * 100);
	}
}

Method method_named(const char *s)
{
	for (int m = 0; m < NMETHODS; m++)
		if (std::strcmp(s, kNames[m]) == 0)
			return static_cast<Method>(m);
	std::fprintf(stderr, "dmaheap-bench-android: no method %s\n", s);
	std::exit(2);
}

} // namespace

int main(int argc, char **argv)
{
	int rounds = 301, batch = 1000;

	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--loop") == 0 && i + 2 < argc) {
			Method m = method_named(argv[i + 1]);
			long n = std::atol(argv[i + 2]);

			setup();
			for (long k = 0; k < n; k++)
				op(m);
			teardown();
			return 0;
		} else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = std::atoi(argv[++i]);
		} else if (std::strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			batch = std::atoi(argv[++i]);
		} else if (std::strcmp(argv[i], "--methods") == 0) {
			for (int m = 0; m < NMETHODS; m++)
				std::printf("%s %s\n", kNames[m],
					    kNames[kBaseline[m]]);
			return 0;
		} else {
			std::fprintf(stderr, "usage: see bench/android-bench.cpp\n");
			return 2;
		}
	}
	setup();
	run(rounds, batch);
	teardown();
	return 0;
}
