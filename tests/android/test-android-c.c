/* SPDX-License-Identifier: MIT */
/*
 * libdmaheap-android's C API, included as Android C code includes it, on
 * the mock: every function, its errors and errno, and the behaviours
 * Android's own tests check (concurrent allocation, zeroed buffers,
 * repeated allocation, CPU sync, the legacy callback never called).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <BufferAllocator/BufferAllocatorWrapper.h>

#include "../fdcount.h"
#include "dmaheap-mock.h"

#define KiB 1024u
#define MiB (1024u * 1024u)
#define THREADS 100
#define ION_FLAG_CACHED_NEEDS_SYNC 2 /* ION's value, which callers pass */

struct fixture {
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx;
	BufferAllocator *ba;
	int fds_before;
};

static void add_heap(struct fixture *f, const char *name,
		     enum dmaheap_mock_node node)
{
	struct dmaheap_mock_heap props = { .node = node };

	assert_int_equal(dmaheap_mock_add_heap(f->mock, name, &props), 0);
}

static int setup(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = count_open_fds();
	assert_int_equal(dmaheap_mock_new(&f->mock), 0);
	add_heap(f, "system", DMAHEAP_MOCK_NODE_HEAP);
	dmaheap_mock_options(f->mock, &o);
	assert_int_equal(dmaheap_ctx_new_with(&o, &f->ctx), 0);
	f->ba = dmaheap_android_new(f->ctx);
	assert_non_null(f->ba);
	dmaheap_mock_reset_calls(f->mock);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_leaks leaks;
	char report[512];

	FreeDmabufHeapBufferAllocator(f->ba);
	dmaheap_ctx_free(f->ctx);
	if (dmaheap_mock_leaks(f->mock, &leaks, report, sizeof(report)))
		fail_msg("mock leaks:\n%s", report);
	dmaheap_mock_free(f->mock);
	assert_int_equal(count_open_fds(), f->fds_before);
	free(f);
	return 0;
}

static struct dmaheap_mock_buf_info info_of(struct fixture *f, int fd)
{
	struct dmaheap_mock_buf_info info;

	assert_int_equal(dmaheap_mock_buf_info(f->mock, fd, &info), 0);
	return info;
}

/* Asserts @expr fails with -@err and sets errno to @err. */
#define assert_fails(expr, err)                                               \
	do {                                                                  \
		errno = 0;                                                    \
		assert_int_equal((expr), -(err));                             \
		assert_int_equal(errno, (err));                               \
	} while (0)

static void test_null_allocator(void **state)
{
	(void)state;
	assert_fails(DmabufHeapAlloc(NULL, "system", 4096, 0, 0), EINVAL);
	assert_fails(DmabufHeapAlloc2(NULL, "system", 4096, 0), EINVAL);
	assert_fails(DmabufHeapAllocSystem(NULL, true, 4096, 0, 0), EINVAL);
	assert_fails(DmabufHeapAllocSystem2(NULL, false, 4096, 0), EINVAL);
	assert_fails(DmabufSetName(NULL, 0, "x"), EINVAL);
	assert_fails(MapDmabufHeapNameToIonHeap(NULL, "a", "b", 0, 1, 0), EINVAL);
	assert_fails(DmabufHeapCpuSyncStart(NULL, 0, kSyncRead, NULL, NULL),
		     EINVAL);
	assert_fails(DmabufHeapCpuSyncEnd(NULL, 0, kSyncRead, NULL, NULL),
		     EINVAL);
	assert_fails(DmabufHeapCpuSyncStart2(NULL, 0, kSyncRead), EINVAL);
	assert_fails(DmabufHeapCpuSyncEnd2(NULL, 0, kSyncRead), EINVAL);
	FreeDmabufHeapBufferAllocator(NULL);
	errno = 0;
	assert_null(dmaheap_android_new(NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(dmaheap_android_ctx(NULL));
	assert_int_equal(dmaheap_android_init(NULL, NULL), -EINVAL);
	dmaheap_android_fini(NULL);
}

static void test_constants(void **state)
{
	(void)state;
	assert_string_equal(kDmabufSystemHeapName, "system");
	assert_string_equal(kDmabufSystemUncachedHeapName, "system-uncached");
	assert_int_equal(kSyncRead, DMA_BUF_SYNC_READ);
	assert_int_equal(kSyncWrite, DMA_BUF_SYNC_WRITE);
	assert_int_equal(kSyncReadWrite, DMA_BUF_SYNC_RW);
	assert_false(CheckIonSupport());
}

/* The allocator's own context (Create) honours libdmaheap's settings; one
 * that cannot be made gives NULL with errno, an in-place one the error. */
static void test_create_own_context(void **state)
{
	/* The object is one pointer wide (see dmaheap-android.h). */
	void *storage = NULL;
	BufferAllocator *ba, *in_place = (BufferAllocator *)&storage;

	(void)state;
	assert_int_equal(setenv("DMAHEAP_POLICY", "/nonexistent/policy", 1), 0);
	errno = 0;
	assert_null(CreateDmabufHeapBufferAllocator());
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dmaheap_android_init(in_place, NULL), -ENOENT);
	assert_null(dmaheap_android_ctx(in_place));
	assert_fails(DmabufHeapAlloc2(in_place, "system", 4096, 0), ENOENT);
	assert_fails(DmabufHeapCpuSyncStart2(in_place, 0, kSyncRead), ENOENT);
	assert_fails(MapDmabufHeapNameToIonHeap(in_place, "a", "b", 0, 0, 0),
		     ENOENT);
	dmaheap_android_fini(in_place);
	assert_int_equal(unsetenv("DMAHEAP_POLICY"), 0);
	ba = CreateDmabufHeapBufferAllocator();
	assert_non_null(ba);
	assert_non_null(dmaheap_android_ctx(ba));
	FreeDmabufHeapBufferAllocator(ba);
}

static void test_alloc(void **state)
{
	struct fixture *f = *state;
	int fd = DmabufHeapAlloc(f->ba, kDmabufSystemHeapName, 5000, 0, 64);

	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	assert_int_equal(lseek(fd, 0, SEEK_END), 8192);
	/* Named after its heap, as Android names it. */
	assert_string_equal(info_of(f, fd).name, "system");
	assert_string_equal(info_of(f, fd).heap, "system");
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	close(fd);
}

static void test_alloc_errors(void **state)
{
	struct fixture *f = *state;

	add_heap(f, "locked", DMAHEAP_MOCK_NODE_NO_ACCESS);
	assert_fails(DmabufHeapAlloc2(f->ba, NULL, 4096, 0), EINVAL);
	assert_fails(DmabufHeapAlloc2(f->ba, "", 4096, 0), EINVAL);
	assert_fails(DmabufHeapAlloc2(f->ba, "system", 0, 0), EINVAL);
	assert_fails(DmabufHeapAlloc2(f->ba, "absent", 4096, 0), ENOENT);
	assert_fails(DmabufHeapAlloc2(f->ba, "locked", 4096, 0), EACCES);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     0, 1, ENOMEM), 0);
	assert_fails(DmabufHeapAlloc2(f->ba, "system", 4096, 0), ENOMEM);
}

/* ION flags reach the kernel, which refuses them; then the allocation is
 * made as Android made it, without them. */
static void test_alloc_heap_flags(void **state)
{
	struct fixture *f = *state;
	int fd = DmabufHeapAlloc(f->ba, "system", 4096,
				 ION_FLAG_CACHED_NEEDS_SYNC, 0);

	assert_true(fd >= 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 2);
	close(fd);
	/* A refusal other than the flags' is not retried. */
	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     0, 1, ENOMEM), 0);
	assert_fails(DmabufHeapAlloc2(f->ba, "system", 4096, 1), ENOMEM);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
}

static void assert_system_alloc(struct fixture *f, bool cpu_access,
				const char *want_heap)
{
	int fd = DmabufHeapAllocSystem(f->ba, cpu_access, 4096, 0, 0);

	assert_true(fd >= 0);
	assert_string_equal(info_of(f, fd).heap, want_heap);
	assert_string_equal(info_of(f, fd).name, want_heap);
	close(fd);
}

static void test_alloc_system_no_uncached(void **state)
{
	struct fixture *f = *state;

	assert_system_alloc(f, true, "system");
	assert_system_alloc(f, false, "system");
	/* Looked for once: a heap appearing later is not seen. */
	add_heap(f, "system-uncached", DMAHEAP_MOCK_NODE_HEAP);
	assert_system_alloc(f, false, "system");
	assert_int_equal(DmabufHeapAllocSystem2(NULL, false, 1, 0), -EINVAL);
}

static void test_alloc_system_uncached(void **state)
{
	struct fixture *f = *state;

	add_heap(f, "system-uncached", DMAHEAP_MOCK_NODE_HEAP);
	assert_system_alloc(f, false, "system-uncached");
	assert_system_alloc(f, true, "system");
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     0, 1, ENOMEM), 0);
	/* Its failure is the caller's answer, not a reason for "system". */
	assert_fails(DmabufHeapAllocSystem2(f->ba, false, 4096, 0), ENOMEM);
}

/* A system-uncached node that cannot be opened is not absent: its error
 * is returned, not hidden by the cached heap. */
static void test_alloc_system_uncached_locked(void **state)
{
	struct fixture *f = *state;

	add_heap(f, "system-uncached", DMAHEAP_MOCK_NODE_NO_ACCESS);
	assert_fails(DmabufHeapAllocSystem2(f->ba, false, 4096, 0), EACCES);
	assert_system_alloc(f, true, "system");
}

static int callback_calls;

static int legacy_callback(int ion_fd, int dmabuf_fd, void *data)
{
	(void)ion_fd;
	(void)dmabuf_fd;
	(void)data;
	callback_calls++;
	return -EIO;
}

static void test_cpu_sync(void **state)
{
	struct fixture *f = *state;
	const SyncType types[] = { kSyncRead, kSyncWrite, kSyncReadWrite };
	int fd = DmabufHeapAllocSystem(f->ba, true, 4096, 0, 0);
	int custom = 7;

	assert_true(fd >= 0);
	callback_calls = 0;
	for (size_t i = 0; i < 3; i++) {
		unsigned int want_r = !!(types[i] & DMA_BUF_SYNC_READ);
		unsigned int want_w = !!(types[i] & DMA_BUF_SYNC_WRITE);

		assert_int_equal(DmabufHeapCpuSyncStart(f->ba, fd, types[i],
							legacy_callback,
							&custom), 0);
		assert_int_equal(info_of(f, fd).sync_reads, want_r);
		assert_int_equal(info_of(f, fd).sync_writes, want_w);
		assert_int_equal(DmabufHeapCpuSyncEnd(f->ba, fd, types[i],
						      legacy_callback, &custom),
				 0);
		assert_int_equal(info_of(f, fd).sync_reads, 0);
		assert_int_equal(DmabufHeapCpuSyncStart2(f->ba, fd, types[i]), 0);
		assert_int_equal(DmabufHeapCpuSyncEnd2(f->ba, fd, types[i]), 0);
	}
	assert_int_equal(callback_calls, 0);
	/* Made by the allocator: the SYNC ioctl is the only call. */
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_FSTATFS), 0);
	close(fd);
}

static void test_cpu_sync_errors(void **state)
{
	struct fixture *f = *state;
	int fd = DmabufHeapAlloc2(f->ba, "system", 4096, 0);
	int pipefd[2];

	assert_true(fd >= 0);
	assert_fails(DmabufHeapCpuSyncStart2(f->ba, fd, (SyncType)0), EINVAL);
	assert_fails(DmabufHeapCpuSyncEnd2(f->ba, fd, (SyncType)4), EINVAL);
	assert_fails(DmabufHeapCpuSyncStart2(f->ba, UINT_MAX, kSyncRead), EBADF);
	assert_fails(DmabufHeapCpuSyncEnd2(f->ba, 1u << 31, kSyncRead), EBADF);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	assert_fails(DmabufHeapCpuSyncStart(f->ba, pipefd[0], kSyncRead, NULL,
					    NULL),
		     EBADFD);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC, 0,
					     1, EIO), 0);
	assert_fails(DmabufHeapCpuSyncStart2(f->ba, fd, kSyncWrite), EIO);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 1);
	close(fd);
}

static void test_set_name(void **state)
{
	struct fixture *f = *state;
	const char *long_name = "a-name-much-longer-than-thirty-one-bytes";
	int fd = DmabufHeapAlloc2(f->ba, "system", 4096, 0);

	assert_true(fd >= 0);
	assert_int_equal(DmabufSetName(f->ba, fd, "camera-preview"), 0);
	assert_string_equal(info_of(f, fd).name, "camera-preview");
	/* Cut to the kernel's 31 bytes, as Android does. */
	assert_int_equal(DmabufSetName(f->ba, fd, long_name), 0);
	assert_int_equal(strlen(info_of(f, fd).name), 31);
	assert_memory_equal(info_of(f, fd).name, long_name, 31);
	assert_fails(DmabufSetName(f->ba, fd, NULL), EINVAL);
	assert_fails(DmabufSetName(f->ba, UINT_MAX, "x"), EBADF);
	assert_int_equal(dmaheap_mock_inject(f->mock,
					     DMAHEAP_MOCK_IOCTL_SET_NAME, 0, 1,
					     EBUSY), 0);
	assert_fails(DmabufSetName(f->ba, fd, "x"), EBUSY);
	close(fd);
}

static void test_set_name_not_dmabuf(void **state)
{
	struct fixture *f = *state;
	int pipefd[2];

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	assert_fails(DmabufSetName(f->ba, pipefd[1], "x"), EBADFD);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME),
			 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_ion_mapping(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_android_ion_map m;
	char name[16];
	int fd;

	assert_int_equal(dmaheap_android_ion_mapping(f->ba, "system", &m),
			 -ENOENT);
	assert_int_equal(MapDmabufHeapNameToIonHeap(f->ba, "system",
						    "ion_system_heap", 1, 0, 0),
			 0);
	assert_int_equal(MapDmabufHeapNameToIonHeap(f->ba, "vendor", "", 0,
						    1u << 4, 3), 0);
	assert_int_equal(dmaheap_android_ion_mapping(f->ba, "system", &m), 0);
	assert_string_equal(m.ion_heap_name, "ion_system_heap");
	assert_int_equal(m.ion_heap_flags, 1);
	assert_int_equal(dmaheap_android_ion_mapping(f->ba, "vendor", &m), 0);
	assert_string_equal(m.ion_heap_name, "");
	assert_int_equal(m.legacy_ion_heap_mask, 1u << 4);
	assert_int_equal(m.legacy_ion_heap_flags, 3);
	/* A later mapping replaces the earlier one. */
	assert_int_equal(MapDmabufHeapNameToIonHeap(f->ba, "system", "ion", 0, 0,
						    0), 0);
	assert_int_equal(dmaheap_android_ion_mapping(f->ba, "system", &m), 0);
	assert_string_equal(m.ion_heap_name, "ion");
	assert_int_equal(m.ion_heap_flags, 0);
	/* Inert: allocation still goes to the DMA-BUF heap. */
	dmaheap_mock_reset_calls(f->mock);
	fd = DmabufHeapAlloc2(f->ba, "system", 4096, 0);
	assert_true(fd >= 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC), 1);
	close(fd);
	assert_fails(MapDmabufHeapNameToIonHeap(f->ba, NULL, "x", 0, 0, 0),
		     EINVAL);
	assert_fails(MapDmabufHeapNameToIonHeap(f->ba, "x", NULL, 0, 0, 0),
		     EINVAL);
	assert_int_equal(dmaheap_android_ion_mapping(NULL, "system", &m), -EINVAL);
	assert_int_equal(dmaheap_android_ion_mapping(f->ba, NULL, &m), -EINVAL);
	assert_int_equal(dmaheap_android_ion_mapping(f->ba, "system", NULL),
			 -EINVAL);
	/* 2 recorded; up to 128 names in all. */
	for (int i = 0; i < 126; i++) {
		snprintf(name, sizeof(name), "heap-%d", i);
		assert_int_equal(MapDmabufHeapNameToIonHeap(f->ba, name, "", 0,
							    1, 0), 0);
	}
	assert_fails(MapDmabufHeapNameToIonHeap(f->ba, "one-more", "", 0, 1, 0),
		     ENOSPC);
	assert_int_equal(MapDmabufHeapNameToIonHeap(f->ba, "heap-0", "", 0, 2, 0),
			 0);
}

/* The bridge: the allocator works on the caller's context. */
static void test_bridge_context(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_stats st;
	int fd = DmabufHeapAlloc2(f->ba, "system", 4096, 0);

	assert_true(fd >= 0);
	assert_ptr_equal(dmaheap_android_ctx(f->ba), f->ctx);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.allocations, 1);
	close(fd);
}

/* Android's DmaBufHeapTest.Allocate and RepeatedAllocate. */
static void test_allocate_sizes_repeatedly(void **state)
{
	struct fixture *f = *state;
	const size_t sizes[] = { 4 * KiB, 64 * KiB, MiB, 2 * MiB };

	add_heap(f, "system-uncached", DMAHEAP_MOCK_NODE_HEAP);
	for (size_t s = 0; s < 4; s++)
		for (int cpu = 0; cpu < 2; cpu++)
			for (int i = 0; i < 1024; i++) {
				int fd = DmabufHeapAllocSystem(f->ba, cpu,
							       sizes[s], 0, 0);

				assert_true(fd >= 0);
				close(fd);
			}
}

/* Android's DmaBufHeapTest.Zeroed. */
static void test_zeroed(void **state)
{
	struct fixture *f = *state;
	int fds[16];

	for (int i = 0; i < 16; i++) {
		void *p;

		fds[i] = DmabufHeapAlloc2(f->ba, "system", 4096, 0);
		assert_true(fds[i] >= 0);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
		assert_true(p != MAP_FAILED);
		assert_int_equal(DmabufHeapCpuSyncStart2(f->ba, fds[i], kSyncWrite), 0);
		memset(p, 0xaa, 4096);
		assert_int_equal(DmabufHeapCpuSyncEnd2(f->ba, fds[i], kSyncWrite), 0);
		munmap(p, 4096);
	}
	for (int i = 0; i < 16; i++)
		close(fds[i]);
	for (int i = 0; i < 16; i++) {
		unsigned char *p;

		fds[i] = DmabufHeapAlloc2(f->ba, "system", 4096, 0);
		assert_true(fds[i] >= 0);
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fds[i], 0);
		assert_true(p != MAP_FAILED);
		for (size_t b = 0; b < 4096; b++)
			assert_int_equal(p[b], 0);
		munmap(p, 4096);
		close(fds[i]);
	}
}

struct worker {
	BufferAllocator *ba;
	bool map_names;
	int index;
	int failures;
};

/* One thread of Android's ConcurrentAllocTest: allocate, map, sync, free. */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int fd = DmabufHeapAllocSystem(w->ba, w->index % 2, 4096, 0, 0);
	void *p;

	if (w->map_names &&
	    MapDmabufHeapNameToIonHeap(w->ba, "system", "ion_system_heap",
				       (unsigned int)w->index, 0, 0) != 0)
		w->failures++;
	if (fd < 0) {
		w->failures++;
		return NULL;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		w->failures++;
	} else {
		w->failures += DmabufHeapCpuSyncStart2(w->ba, fd, kSyncReadWrite) != 0;
		memset(p, w->index, 4096);
		w->failures += DmabufHeapCpuSyncEnd2(w->ba, fd, kSyncReadWrite) != 0;
		munmap(p, 4096);
	}
	close(fd);
	return NULL;
}

static void run_threads(struct fixture *f, bool map_names)
{
	static struct worker w[THREADS];
	pthread_t t[THREADS];

	add_heap(f, "system-uncached", DMAHEAP_MOCK_NODE_HEAP);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ f->ba, map_names, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
}

static void test_concurrent_alloc(void **state)
{
	run_threads(*state, false);
}

static void test_concurrent_alloc_with_map_name(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_android_ion_map m;

	run_threads(f, true);
	assert_int_equal(dmaheap_android_ion_mapping(f->ba, "system", &m), 0);
	assert_string_equal(m.ion_heap_name, "ion_system_heap");
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_allocator),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_create_own_context),
		TEST(test_alloc),
		TEST(test_alloc_errors),
		TEST(test_alloc_heap_flags),
		TEST(test_alloc_system_no_uncached),
		TEST(test_alloc_system_uncached),
		TEST(test_alloc_system_uncached_locked),
		TEST(test_cpu_sync),
		TEST(test_cpu_sync_errors),
		TEST(test_set_name),
		TEST(test_set_name_not_dmabuf),
		TEST(test_ion_mapping),
		TEST(test_bridge_context),
		TEST(test_allocate_sizes_repeatedly),
		TEST(test_zeroed),
		TEST(test_concurrent_alloc),
		TEST(test_concurrent_alloc_with_map_name),
	};

	/* The allocators made by Create must not read this machine's policy. */
	unsetenv("DMAHEAP_POLICY");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
