/* SPDX-License-Identifier: MIT */
/*
 * Raw sync with a NULL context under libdmaheap-mock-preload.so: the
 * library's system-call layer is the only way to the kernel, so a program
 * run on the mock must see the mock there too, with no context to carry
 * it. The dma-buf check (fstatfs) and the SYNC ioctl of
 * dmaheap_sync_start(NULL, ...) and dmaheap_sync_end(NULL, ...) reach the
 * mock for its buffers, and the real kernel for every other fd.
 *
 * Runs with LD_PRELOAD set by meson; without the preload it exits 77.
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/magic.h>

#include "dmaheap.h"

#define SIZE 4096

static void test_null_ctx_sync_on_mock_buffer(void **state)
{
	struct dmaheap_ctx *ctx;
	unsigned char *p;
	int fd;

	(void)state;
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	fd = dmaheap_alloc_fd(ctx, "system", SIZE, 0);
	assert_true(fd >= 0);
	assert_int_equal(dmaheap_sync_start(NULL, fd, DMAHEAP_ACCESS_WRITE), 0);
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 0x5a, SIZE);
	assert_int_equal(dmaheap_sync_end(NULL, fd, DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(dmaheap_sync_start(NULL, fd, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(p[SIZE - 1], 0x5a);
	assert_int_equal(dmaheap_sync_end(NULL, fd, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(munmap(p, SIZE), 0);
	close(fd);
	dmaheap_ctx_free(ctx);
}

/* What the program sees itself: fstatfs(2) names a mock buffer a
 * dma-buf, as the kernel would name a real one. */
static void test_fstatfs_names_mock_buffer(void **state)
{
	struct dmaheap_ctx *ctx;
	struct statfs st;
	int fd;

	(void)state;
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	fd = dmaheap_alloc_fd(ctx, "system", SIZE, 0);
	assert_true(fd >= 0);
	assert_int_equal(fstatfs(fd, &st), 0);
	assert_true(st.f_type == DMA_BUF_MAGIC);
	close(fd);
	dmaheap_ctx_free(ctx);
}

/* The check still holds for what the mock did not make. */
static void test_null_ctx_sync_refuses_other_fds(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(pipe(sv), 0);
	assert_int_equal(dmaheap_sync_start(NULL, sv[0], DMAHEAP_ACCESS_READ),
			 -EBADFD);
	assert_int_equal(dmaheap_sync_end(NULL, sv[1], DMAHEAP_ACCESS_READ),
			 -EBADFD);
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(dmaheap_sync_start(NULL, sv[0], DMAHEAP_ACCESS_READ),
			 -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_ctx_sync_on_mock_buffer),
		cmocka_unit_test(test_fstatfs_names_mock_buffer),
		cmocka_unit_test(test_null_ctx_sync_refuses_other_fds),
	};

	if (!dlsym(RTLD_DEFAULT, "dmaheap_mock_preload")) {
		fprintf(stderr, "skip: not run under libdmaheap-mock-preload.so\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
