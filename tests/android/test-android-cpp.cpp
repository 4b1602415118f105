// SPDX-License-Identifier: MIT
//
// libdmaheap-android's C++ class, included as Android C++ code includes it,
// the whole program under libdmaheap-mock-preload.so: the default
// constructor, the static members and the C API on C++ objects reach the
// mock as they would reach the kernel. DMAHEAP_MOCK_HEAPS names the heaps
// ("system,system-uncached"). Also the thread test of Android's
// ConcurrentAllocTest with std::thread, which the TSan build runs.
#include <BufferAllocator/BufferAllocator.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dmaheap-mock.h"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			std::fprintf(stderr, "%s:%d: %s\n", __FILE__,          \
				     __LINE__, #cond);                         \
			failures++;                                            \
		}                                                              \
	} while (0)

static struct dmaheap_mock *mock()
{
	typedef struct dmaheap_mock *(*get_fn)();
	void *sym = dlsym(RTLD_DEFAULT, "dmaheap_mock_preload");

	if (!sym) {
		std::fprintf(stderr, "needs LD_PRELOAD=libdmaheap-mock-preload.so\n");
		std::exit(77);
	}
	return reinterpret_cast<get_fn>(sym)();
}

static struct dmaheap_mock_buf_info info_of(int fd)
{
	struct dmaheap_mock_buf_info info{};

	CHECK(dmaheap_mock_buf_info(mock(), fd, &info) == 0);
	return info;
}

static void test_alloc()
{
	BufferAllocator ba;
	int fd = ba.Alloc(kDmabufSystemHeapName, 4096);

	CHECK(fd >= 0);
	CHECK(std::strcmp(info_of(fd).name, "system") == 0);
	close(fd);
	fd = ba.Alloc("absent", 4096);
	CHECK(fd == -ENOENT && errno == ENOENT);
	// ION_FLAG_CACHED_NEEDS_SYNC: Android's AllocateCachedNeedsSync.
	fd = ba.Alloc("system", 4096, 2);
	CHECK(fd >= 0);
	close(fd);
	// Android's own signature, a std::string, and what a const char *
	// cannot be there: a null name is refused, not undefined.
	const std::string name("system");
	fd = ba.Alloc(name, 8192);
	CHECK(fd >= 0 && std::strcmp(info_of(fd).heap, "system") == 0);
	close(fd);
	int (BufferAllocator::*by_string)(const std::string &, size_t,
					  unsigned int, size_t) =
		&BufferAllocator::Alloc;
	fd = (ba.*by_string)(name, 4096, 0, 0);
	CHECK(fd >= 0);
	close(fd);
	const char *none = nullptr;
	CHECK(ba.Alloc(none, 4096) == -EINVAL && errno == EINVAL);
}

static void test_alloc_system()
{
	BufferAllocator ba;
	int cached = ba.AllocSystem(true, 4096);
	int uncached = ba.AllocSystem(false, 4096);

	CHECK(cached >= 0 && uncached >= 0);
	CHECK(std::strcmp(info_of(cached).heap, "system") == 0);
	CHECK(std::strcmp(info_of(uncached).heap, "system-uncached") == 0);
	close(cached);
	close(uncached);
}

static void test_cpu_sync()
{
	BufferAllocator ba;
	int calls = 0;
	BufferAllocator::CustomCpuSyncLegacyIon cb = [&calls](int, int, void *) {
		calls++;
		return -1;
	};
	int fd = ba.AllocSystem(true, 4096);

	CHECK(fd >= 0);
	for (SyncType t : { kSyncRead, kSyncWrite, kSyncReadWrite }) {
		CHECK(ba.CpuSyncStart(fd, t, cb, &calls) == 0);
		CHECK(info_of(fd).sync_writes == !!(t & DMA_BUF_SYNC_WRITE));
		CHECK(ba.CpuSyncEnd(fd, t, cb, &calls) == 0);
		CHECK(info_of(fd).sync_writes == 0);
	}
	// The defaults: kSyncRead, no callback.
	CHECK(ba.CpuSyncStart(fd) == 0);
	CHECK(info_of(fd).sync_reads == 1);
	CHECK(ba.CpuSyncEnd(fd) == 0);
	CHECK(calls == 0);
	close(fd);
}

static void test_statics()
{
	struct dmaheap_mock_udmabuf dev{};
	// A udmabuf device: libdmaheap's pseudo-heap, not a heap to Android.
	CHECK(dmaheap_mock_set_udmabuf(mock(), &dev) == 0);
	std::unordered_set<std::string> heaps = BufferAllocator::GetDmabufHeapList();
	BufferAllocator ba;
	int fd = ba.Alloc("system", 4096);

	CHECK(heaps == (std::unordered_set<std::string>{ "system",
							 "system-uncached" }));
	CHECK(!BufferAllocator::CheckIonSupport());
	CHECK(fd >= 0);
	CHECK(BufferAllocator::DmabufSetName(fd, "preview") == 0);
	CHECK(std::strcmp(info_of(fd).name, "preview") == 0);
	CHECK(BufferAllocator::DmabufSetName(fd, std::string(40, 'x')) == 0);
	CHECK(std::string(info_of(fd).name) == std::string(31, 'x'));
	CHECK(BufferAllocator::DmabufSetName(0x80000000u, "x") == -EBADF);
	CHECK(ba.MapNameToIonHeap("system", "ion_system_heap") == 0);
	close(fd);
}

// The same object through the C API, and either way of releasing it.
static void test_c_api_on_objects()
{
	BufferAllocator on_stack;
	BufferAllocator *from_new = new BufferAllocator;
	BufferAllocator *from_c = CreateDmabufHeapBufferAllocator();
	int a = DmabufHeapAlloc2(&on_stack, "system", 4096, 0);
	int b = from_c->Alloc("system", 4096);

	CHECK(from_new && from_c && a >= 0 && b >= 0);
	CHECK(DmabufHeapCpuSyncStart2(&on_stack, a, kSyncWrite) == 0);
	CHECK(on_stack.CpuSyncEnd(a, kSyncWrite) == 0);
	CHECK(from_new->CpuSyncStart(b, kSyncRead) == 0);
	CHECK(DmabufHeapCpuSyncEnd(from_new, b, kSyncRead, nullptr, nullptr) == 0);
	close(a);
	close(b);
	FreeDmabufHeapBufferAllocator(from_new);
	delete from_c;
}

// Android's DmaBufHeapConcurrentAccessTest, with and without name mapping.
static void test_threads(bool map_names)
{
	BufferAllocator ba;
	std::atomic<int> bad{ 0 };
	std::vector<std::thread> threads;

	for (int i = 0; i < 100; i++)
		threads.emplace_back([&ba, &bad, i, map_names] {
			int fd = ba.AllocSystem(i % 2, 4096);
			void *p;

			if (map_names &&
			    ba.MapNameToIonHeap("system", "ion_system_heap", i))
				bad++;
			if (fd < 0) {
				bad++;
				return;
			}
			p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
			if (p == MAP_FAILED) {
				bad++;
			} else {
				bad += ba.CpuSyncStart(fd, kSyncReadWrite) != 0;
				std::memset(p, i, 4096);
				bad += ba.CpuSyncEnd(fd, kSyncReadWrite) != 0;
				munmap(p, 4096);
			}
			close(fd);
		});
	for (std::thread &t : threads)
		t.join();
	CHECK(bad == 0);
}

int main()
{
	mock();
	test_alloc();
	test_alloc_system();
	test_cpu_sync();
	test_statics();
	test_c_api_on_objects();
	test_threads(false);
	test_threads(true);
	if (failures)
		std::fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
