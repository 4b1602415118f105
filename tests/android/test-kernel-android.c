/* SPDX-License-Identifier: MIT */
/*
 * libdmaheap-android's C API on the real kernel (the VM of tests/vm/run.sh;
 * elsewhere it exits 77): Android's own test cases (allocation at its
 * sizes, repeated allocation, zeroed buffers, CPU sync, the ION flags
 * callers pass, 100 threads), and what the kernel shows from outside:
 * the names in /proc/self/fdinfo, and its refusal of heap flags.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <BufferAllocator/BufferAllocatorWrapper.h>

#include "kutil.h"

#define KiB 1024u
#define MiB (1024u * 1024u)
#define THREADS 100

struct fx {
	BufferAllocator *ba;
	int fds_before;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = kt_count_fds();
	f->ba = CreateDmabufHeapBufferAllocator();
	assert_non_null(f->ba);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	FreeDmabufHeapBufferAllocator(f->ba);
	assert_no_fd_leak(f->fds_before);
	free(f);
	return 0;
}

/* Android's DmaBufHeapTest.Allocate and RepeatedAllocate (1024 rounds
 * at the small sizes; 128 at 1 and 2 MiB, which TCG zeroes slowly). */
static void test_allocate_repeatedly(void **state)
{
	struct fx *f = *state;
	const size_t sizes[] = { 4 * KiB, 64 * KiB, MiB, 2 * MiB };
	const int rounds[] = { 1024, 1024, 128, 128 };

	for (size_t s = 0; s < 4; s++)
		for (int cpu = 0; cpu < 2; cpu++)
			for (int i = 0; i < rounds[s]; i++) {
				int fd = DmabufHeapAllocSystem(f->ba, cpu,
							       sizes[s], 0, 0);

				assert_true(fd >= 0);
				if (i == 0)
					assert_int_equal(kt_fd_size(fd),
							 (int64_t)kt_page_round(sizes[s]));
				close(fd);
			}
}

/* Upstream refuses heap flags; the ION flag callers pass still works. */
static void test_heap_flags(void **state)
{
	struct fx *f = *state;
	struct dmaheap_ctx *ctx = dmaheap_android_ctx(f->ba);
	int fd;

	assert_ret(dmaheap_alloc_fd_heap_flags(ctx, "system", 4096, 0, 1),
		   -EINVAL);
	fd = DmabufHeapAlloc(f->ba, kDmabufSystemHeapName, 4096,
			     2 /* ION_FLAG_CACHED_NEEDS_SYNC */, 0);
	assert_true(fd >= 0);
	close(fd);
}

static void test_names_in_fdinfo(void **state)
{
	struct fx *f = *state;
	int fd = DmabufHeapAllocSystem2(f->ba, true, 4096, 0);

	assert_true(fd >= 0);
	kt_assert_fdinfo(fd, "name", "system");
	assert_ret(DmabufSetName(f->ba, fd, "camera-preview"), 0);
	kt_assert_fdinfo(fd, "name", "camera-preview");
	assert_ret(DmabufSetName(f->ba, fd,
				 "0123456789012345678901234567890123456789"),
		   0);
	kt_assert_fdinfo(fd, "name", "0123456789012345678901234567890");
	assert_ret(dmaheap_android_fd_set_name(fd, "static"), 0);
	kt_assert_fdinfo(fd, "name", "static");
	close(fd);
}

/* Android's DmaBufHeapTest.Zeroed. */
static void test_zeroed(void **state)
{
	struct fx *f = *state;
	int fds[16];

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 16; i++) {
			unsigned char *p;

			fds[i] = DmabufHeapAllocSystem2(f->ba, true, 64 * KiB, 0);
			assert_true(fds[i] >= 0);
			p = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fds[i], 0);
			assert_true(p != MAP_FAILED);
			assert_ret(DmabufHeapCpuSyncStart2(f->ba, fds[i],
							   kSyncReadWrite), 0);
			assert_int_equal(kt_find_not(p, 64 * KiB, 0), 64 * KiB);
			memset(p, 0xaa, 64 * KiB);
			assert_ret(DmabufHeapCpuSyncEnd2(f->ba, fds[i],
							 kSyncReadWrite), 0);
			munmap(p, 64 * KiB);
		}
		for (int i = 0; i < 16; i++)
			close(fds[i]);
	}
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

/* Android's TestCpuSync and TestCustomLegacyIonSyncCallback. */
static void test_cpu_sync(void **state)
{
	struct fx *f = *state;
	const SyncType types[] = { kSyncRead, kSyncWrite, kSyncReadWrite };
	int fd = DmabufHeapAllocSystem2(f->ba, true, MiB, 0);
	void *p;

	assert_true(fd >= 0);
	p = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	for (size_t i = 0; i < 3; i++) {
		assert_ret(DmabufHeapCpuSyncStart(f->ba, fd, types[i],
						  legacy_callback, NULL), 0);
		kt_fill_pattern(p, MiB, (uint32_t)i);
		assert_int_equal(kt_check_pattern(p, MiB, (uint32_t)i), MiB);
		assert_ret(DmabufHeapCpuSyncEnd(f->ba, fd, types[i],
						legacy_callback, NULL), 0);
	}
	assert_int_equal(callback_calls, 0);
	assert_ret(DmabufHeapCpuSyncStart2(f->ba, fd, (SyncType)0), -EINVAL);
	munmap(p, MiB);
	close(fd);
}

/* Android's TestDeviceCapabilityCheck, without the pseudo-heap. */
static void test_heap_list(void **state)
{
	struct dmaheap_heap_info *list = NULL;
	bool system = false;
	int n = dmaheap_android_heap_list(&list);

	(void)state;
	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		system |= strcmp(list[i].name, "system") == 0;
		assert_string_not_equal(list[i].name, "udmabuf");
	}
	assert_true(system);
	assert_false(CheckIonSupport());
	dmaheap_heap_list_free(list);
}

struct worker {
	BufferAllocator *ba;
	int index;
	int failures;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int fd = DmabufHeapAllocSystem(w->ba, w->index % 2, 4096, 0, 0);
	void *p;

	w->failures += MapDmabufHeapNameToIonHeap(w->ba, "system", "ion", 0, 0,
						  0) != 0;
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

/* Android's ConcurrentAllocTest and ConcurrentAllocWithMapNameTest. */
static void test_concurrent(void **state)
{
	struct fx *f = *state;
	static struct worker w[THREADS];
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ f->ba, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_allocate_repeatedly),
		T(test_heap_flags),
		T(test_names_in_fdinfo),
		T(test_zeroed),
		T(test_cpu_sync),
		T(test_heap_list),
		T(test_concurrent),
	};

	kt_require_system_heap();
	return cmocka_run_group_tests_name("kernel-android", tests, NULL, NULL);
}
