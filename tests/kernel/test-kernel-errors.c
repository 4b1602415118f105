/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own errors, checked with raw ioctls where the library would
 * refuse first, and the library's errors where it does refuse first. Also
 * the ALLOC struct-size compatibility the kernel promises (the selftest's
 * compat check, redone).
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "kutil.h"

/*
 * The library relies on the 24-byte layout of the system header (the same
 * on 32- and 64-bit: no padding) and on the command number that encodes it.
 * The kernel copies max(encoded size, 24) bytes, so any size works, but a
 * command without _IOC_READ would never give the fd back.
 */
_Static_assert(sizeof(struct dma_heap_allocation_data) == 24,
	       "the ALLOC argument is 24 bytes");
_Static_assert(_IOC_SIZE(DMA_HEAP_IOCTL_ALLOC) == 24 &&
	       _IOC_DIR(DMA_HEAP_IOCTL_ALLOC) == (_IOC_READ | _IOC_WRITE),
	       "ALLOC is _IOWR of the 24-byte struct");

#ifndef DMA_BUF_SET_NAME_A
#define DMA_BUF_SET_NAME_A _IOW(DMA_BUF_BASE, 1, __u32)
#define DMA_BUF_SET_NAME_B _IOW(DMA_BUF_BASE, 1, __u64)
#endif

/* Before heap_flags existed. */
struct alloc_data_old {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
};
#define ALLOC_OLD _IOWR('H', 0x0, struct alloc_data_old)

/* A future version with more fields after heap_flags. */
struct alloc_data_new {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
	__u64 heap_flags;
	__u64 future[3];
};
#define ALLOC_NEW _IOWR('H', 0x0, struct alloc_data_new)

/* Above 128 bytes the kernel allocates its copy instead of using the
 * stack: another path through the same ioctl. */
struct alloc_data_big {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
	__u64 heap_flags;
	__u8 future[232];
};
#define ALLOC_BIG _IOWR('H', 0x0, struct alloc_data_big)

_Static_assert(sizeof(struct alloc_data_old) == 16, "old layout");
_Static_assert(sizeof(struct alloc_data_new) == 48, "new layout");
_Static_assert(sizeof(struct alloc_data_big) == 256, "big layout");

#define VALID_FD_FLAGS (O_RDWR | O_CLOEXEC)

struct fixture {
	int heap_fd;
	int fds_before;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = kt_count_fds();
	f->heap_fd = open(KT_SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);
	assert_true(f->heap_fd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->heap_fd);
	assert_no_fd_leak(f->fds_before);
	free(f);
	return 0;
}

/* A fresh dma-buf fd of @len bytes from the raw ioctl. */
static int raw_alloc(int heap_fd, size_t len)
{
	struct dma_heap_allocation_data d = {
		.len = len,
		.fd_flags = VALID_FD_FLAGS,
	};

	assert_syscall_ok(ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d));
	assert_true((int)d.fd > 0);
	return (int)d.fd;
}

/* The raw ALLOC must fail with EINVAL, create no fd and return none. */
static void assert_alloc_einval(int heap_fd, struct dma_heap_allocation_data d)
{
	int fds = kt_count_fds();
	__u32 fd_in = d.fd;

	assert_syscall_err(ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d), EINVAL);
	assert_int_equal(d.fd, fd_in);
	assert_no_fd_leak(fds);
}

/* ------------------------------------------------------------------------ */
/* DMA_HEAP_IOCTL_ALLOC                                                      */
/* ------------------------------------------------------------------------ */

/* The control for the refusals below: the same call, valid. */
static void test_raw_alloc_ok(void **state)
{
	struct fixture *f = *state;
	size_t page = kt_page_size();
	int fd = raw_alloc(f->heap_fd, page + 1);

	/* The kernel rounds up to a page. */
	assert_int_equal(kt_fd_size(fd), 2 * (int64_t)page);
	assert_int_equal(kt_accmode(fd), O_RDWR);
	assert_int_equal(kt_cloexec(fd), 1);
	close(fd);
}

static void test_raw_bad_fd_flags(void **state)
{
	struct fixture *f = *state;
	struct dma_heap_allocation_data d = { .len = 4096 };

	d.fd_flags = VALID_FD_FLAGS | O_NONBLOCK;
	assert_alloc_einval(f->heap_fd, d);
	d.fd_flags = ~(__u32)VALID_FD_FLAGS;
	assert_alloc_einval(f->heap_fd, d);
}

static void test_raw_heap_flags(void **state)
{
	struct fixture *f = *state;
	struct dma_heap_allocation_data d = {
		.len = 4096,
		.fd_flags = VALID_FD_FLAGS,
	};

	d.heap_flags = 1;
	assert_alloc_einval(f->heap_fd, d);
	d.heap_flags = 1ULL << 63;
	assert_alloc_einval(f->heap_fd, d);
}

static void test_raw_zero_len(void **state)
{
	struct fixture *f = *state;
	struct dma_heap_allocation_data d = { .fd_flags = VALID_FD_FLAGS };

	d.len = 0;
	assert_alloc_einval(f->heap_fd, d);
	/* Page rounding wraps to 0 within a page of the top. */
	d.len = UINT64_MAX;
	assert_alloc_einval(f->heap_fd, d);
	d.len = UINT64_MAX - kt_page_size() + 2;
	assert_alloc_einval(f->heap_fd, d);
}

static void test_raw_fd_nonzero(void **state)
{
	struct fixture *f = *state;
	struct dma_heap_allocation_data d = {
		.len = 4096,
		.fd_flags = VALID_FD_FLAGS,
	};

	d.fd = 3;
	assert_alloc_einval(f->heap_fd, d);
	d.fd = UINT32_MAX;
	assert_alloc_einval(f->heap_fd, d);
}

/* The heap dispatches on _IOC_NR only: any other number is EINVAL (not
 * ENOTTY), whatever the type and size bits say. */
static void test_raw_bad_nr(void **state)
{
	struct fixture *f = *state;
	struct dma_heap_allocation_data d = {
		.len = 4096,
		.fd_flags = VALID_FD_FLAGS,
	};
	int fds = kt_count_fds();

	assert_syscall_err(ioctl(f->heap_fd,
				 _IOWR('H', 1, struct dma_heap_allocation_data),
				 &d), EINVAL);
	assert_syscall_err(ioctl(f->heap_fd,
				 _IOWR('H', 0xff, struct dma_heap_allocation_data),
				 &d), EINVAL);
	assert_syscall_err(ioctl(f->heap_fd, _IO('H', 1), 0), EINVAL);
	assert_syscall_err(ioctl(f->heap_fd, DMA_BUF_SET_NAME_B, "x"), EINVAL);
	assert_int_equal(d.fd, 0);
	assert_no_fd_leak(fds);
}

/* ...so the magic byte is ignored: nr 0 of any type allocates. */
static void test_raw_magic_ignored(void **state)
{
	struct fixture *f = *state;
	struct dma_heap_allocation_data d = {
		.len = 4096,
		.fd_flags = VALID_FD_FLAGS,
	};

	assert_syscall_ok(ioctl(f->heap_fd,
				_IOWR('Z', 0, struct dma_heap_allocation_data),
				&d));
	assert_true((int)d.fd > 0);
	assert_int_equal(kt_fd_size((int)d.fd), kt_page_round(4096));
	close((int)d.fd);
}

/* Without _IOC_READ the kernel installs the fd but never copies it back:
 * the caller cannot know it. The library must use _IOWR. */
static void test_raw_write_only_cmd_loses_fd(void **state)
{
	struct fixture *f = *state;
	struct dma_heap_allocation_data d = {
		.len = 4096,
		.fd_flags = VALID_FD_FLAGS,
	};
	struct kt_fdset before;
	int fds[4];

	kt_fdset_take(&before);
	assert_syscall_ok(ioctl(f->heap_fd,
				_IOW('H', 0, struct dma_heap_allocation_data),
				&d));
	assert_int_equal(d.fd, 0);
	assert_int_equal(kt_fdset_new(&before, fds, 4), 1);
	assert_int_equal(kt_fd_size(fds[0]), kt_page_round(4096));
	close(fds[0]);
}

/* ------------------------------------------------------------------------ */
/* Struct-size compatibility                                                 */
/* ------------------------------------------------------------------------ */

static void assert_compat_fd(int fd, int64_t size)
{
	assert_true(fd > 0);
	assert_int_equal(kt_fd_size(fd), size);
	assert_int_equal(kt_accmode(fd), O_RDWR);
	assert_int_equal(kt_cloexec(fd), 1);
	close(fd);
}

/* An older caller: 16 bytes, no heap_flags; the kernel zero-fills it. */
static void test_compat_old_struct(void **state)
{
	struct fixture *f = *state;
	struct alloc_data_old d = { .len = 8192, .fd_flags = VALID_FD_FLAGS };

	assert_syscall_ok(ioctl(f->heap_fd, ALLOC_OLD, &d));
	assert_compat_fd((int)d.fd, kt_page_round(8192));
}

/* A newer caller: a tail the kernel does not know is ignored, and the
 * whole user-declared size is copied back (the tail unchanged). */
static void test_compat_new_struct(void **state)
{
	struct fixture *f = *state;
	struct alloc_data_new d = { .len = 8192, .fd_flags = VALID_FD_FLAGS };

	for (int i = 0; i < 3; i++)
		d.future[i] = 0xdeadbeefcafef00dULL + (__u64)i;
	assert_syscall_ok(ioctl(f->heap_fd, ALLOC_NEW, &d));
	for (int i = 0; i < 3; i++)
		assert_true(d.future[i] == 0xdeadbeefcafef00dULL + (__u64)i);
	assert_int_equal(d.heap_flags, 0);
	assert_compat_fd((int)d.fd, kt_page_round(8192));
}

static void test_compat_big_struct(void **state)
{
	struct fixture *f = *state;
	struct alloc_data_big d = { .len = 4096, .fd_flags = VALID_FD_FLAGS };

	memset(d.future, 0xa5, sizeof(d.future));
	assert_syscall_ok(ioctl(f->heap_fd, ALLOC_BIG, &d));
	assert_int_equal(kt_find_not(d.future, sizeof(d.future), 0xa5),
			 sizeof(d.future));
	assert_compat_fd((int)d.fd, kt_page_round(4096));
}

/* ------------------------------------------------------------------------ */
/* Sizes through the library                                                 */
/* ------------------------------------------------------------------------ */

static void test_lib_size_zero_and_overflow(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	const char *chain[] = { "system" };
	int fds = kt_count_fds();

	(void)state;
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "system", 0, 0, &buf), -EINVAL);
	assert_ret(dmaheap_alloc_fd(ctx, "system", 0, 0), -EINVAL);
	assert_ret(dmaheap_alloc(ctx, "system", SIZE_MAX, 0, &buf), -EOVERFLOW);
	assert_ret(dmaheap_alloc(ctx, "system", SIZE_MAX - kt_page_size() + 2,
				 0, &buf), -EOVERFLOW);
	assert_ret(dmaheap_alloc_fd(ctx, "system", SIZE_MAX, 0), -EOVERFLOW);
	assert_ret(dmaheap_alloc_from(ctx, chain, 1, SIZE_MAX, 0, &buf),
		   -EOVERFLOW);
	assert_null(buf);
	dmaheap_ctx_free(ctx);
	assert_no_fd_leak(fds);
}

/* A size over RAM: the system heap would invoke the OOM killer (killing
 * us) instead of failing; the library refuses before any ioctl. */
static size_t over_ram_size(void)
{
	uint64_t ram = kt_ram_bytes();
	uint64_t page = kt_page_size();
	uint64_t limit = (uint64_t)(SIZE_MAX - page);

	if (2 * ram <= limit)
		return (size_t)(2 * ram);
	if (ram + page <= limit) /* 32-bit processes */
		return (size_t)(ram + page);
	skip();
	return 0;
}

static void test_lib_size_over_ram(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats s;
	const char *chain[] = { "system" };
	size_t size = over_ram_size();
	int fds = kt_count_fds();

	(void)state;
	print_message("RAM %llu bytes, asking for %zu\n",
		      (unsigned long long)kt_ram_bytes(), size);
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "system", size, 0, &buf), -ENOMEM);
	assert_ret(dmaheap_alloc_fd(ctx, "system", size, 0), -ENOMEM);
	assert_ret(dmaheap_alloc_from(ctx, chain, 1, size, 0, &buf), -ENOMEM);
	assert_null(buf);
	/* No ioctl was made: the heap was never even opened, and nothing
	 * counts as a failure after the arguments were accepted. */
	assert_ret(dmaheap_ctx_stats(ctx, "system", &s), -ENOENT);
	assert_ret(dmaheap_ctx_stats(ctx, NULL, &s), 0);
	assert_int_equal(s.failures, 0);
	assert_no_fd_leak(fds);
	/* Still usable afterwards. */
	assert_ret(dmaheap_alloc(ctx, "system", 4096, 0, &buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* DMA_BUF_IOCTL_SYNC, SET_NAME, import                                      */
/* ------------------------------------------------------------------------ */

static void sync_raw(int fd, __u64 flags, int want_errno)
{
	struct dma_buf_sync s = { .flags = flags };

	if (want_errno)
		assert_syscall_err(ioctl(fd, DMA_BUF_IOCTL_SYNC, &s),
				   want_errno);
	else
		assert_syscall_ok(ioctl(fd, DMA_BUF_IOCTL_SYNC, &s));
}

static void test_sync_bad_flags(void **state)
{
	struct fixture *f = *state;
	int fd = raw_alloc(f->heap_fd, 4096);
	struct dmaheap_ctx *ctx = NULL;

	/* Controls: valid START and END pass. */
	sync_raw(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0);
	sync_raw(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 0);
	/* No direction, an unknown bit, END without direction. */
	sync_raw(fd, 0, EINVAL);
	sync_raw(fd, 0x8, EINVAL);
	sync_raw(fd, DMA_BUF_SYNC_END | 0, EINVAL);
	sync_raw(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW | 0x8, EINVAL);
	sync_raw(fd, DMA_BUF_SYNC_READ | (1ULL << 32), EINVAL);
	/* The library refuses a bad direction before the kernel sees it. */
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_sync_start(ctx, fd, 0), -EINVAL);
	assert_ret(dmaheap_sync_end(ctx, fd, 8), -EINVAL);
	dmaheap_ctx_free(ctx);
	close(fd);
}

static void test_set_name_too_long(void **state)
{
	static const char name31[] = "0123456789abcdef0123456789abcde";
	static const char name32[] = "0123456789abcdef0123456789abcdef";
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	char got[64];
	int fd;

	(void)state;
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "system", 4096, 0, &buf), 0);
	fd = dmaheap_buf_fd(buf);
	/* The kernel keeps 31 bytes and a NUL; one more is EINVAL. */
	assert_syscall_ok(ioctl(fd, DMA_BUF_SET_NAME, name31));
	assert_syscall_err(ioctl(fd, DMA_BUF_SET_NAME, name32), EINVAL);
	assert_ret(kt_fdinfo(fd, "name", got, sizeof(got)), 0);
	assert_string_equal(got, name31);
	/* Both pointer-size variants of the number reach the same code. */
	assert_syscall_ok(ioctl(fd, DMA_BUF_SET_NAME_A, "name-a"));
	assert_syscall_ok(ioctl(fd, DMA_BUF_SET_NAME_B, "name-b"));
	assert_ret(kt_fdinfo(fd, "name", got, sizeof(got)), 0);
	assert_string_equal(got, "name-b");
	/* The library refuses without calling the kernel. */
	assert_ret(dmaheap_buf_set_name(buf, name32), -ENAMETOOLONG);
	assert_ret(kt_fdinfo(fd, "name", got, sizeof(got)), 0);
	assert_string_equal(got, "name-b");
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

static void test_import_not_dmabuf(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	int pipe_fd = kt_pipe_fd();
	int memfd = memfd_create("kt", MFD_CLOEXEC);
	int sv[2];
	int fds;

	assert_true(pipe_fd >= 0 && memfd >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	assert_int_equal(ftruncate(memfd, 4096), 0);
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	fds = kt_count_fds();
	assert_ret(dmaheap_import(ctx, pipe_fd, &buf), -EBADFD);
	assert_ret(dmaheap_import(ctx, memfd, &buf), -EBADFD);
	assert_ret(dmaheap_import(ctx, sv[0], &buf), -EBADFD);
	/* A heap node is a character device, not a dma-buf. */
	assert_ret(dmaheap_import(ctx, f->heap_fd, &buf), -EBADFD);
	assert_ret(dmaheap_import(ctx, -1, &buf), -EBADF);
	close(sv[1]);
	assert_ret(dmaheap_import(ctx, sv[1], &buf), -EBADF);
	assert_null(buf);
	assert_int_equal(kt_count_fds(), fds - 1);
	close(sv[0]);
	close(memfd);
	close(pipe_fd);
	dmaheap_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Sync files, mmap, lseek                                                   */
/* ------------------------------------------------------------------------ */

static int export_sync(int fd, __u32 flags)
{
	struct dma_buf_export_sync_file e = { .flags = flags, .fd = -1 };

	if (ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e) < 0)
		return -errno;
	return e.fd;
}

static int import_sync(int fd, __u32 flags, int sync_fd)
{
	struct dma_buf_import_sync_file i = { .flags = flags, .fd = sync_fd };

	return ioctl(fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i) < 0 ? -errno : 0;
}

static void test_sync_file_raw(void **state)
{
	struct fixture *f = *state;
	int fd = raw_alloc(f->heap_fd, 4096);
	int pipe_fd = kt_pipe_fd();
	int sync_fd = export_sync(fd, DMA_BUF_SYNC_READ);

	assert_true(sync_fd >= 0);
	assert_int_equal(kt_cloexec(sync_fd), 1);
	/* No fences: a signalled stub, readable at once. */
	assert_int_equal(kt_poll_now(sync_fd, POLLIN), POLLIN);
	assert_ret(import_sync(fd, DMA_BUF_SYNC_WRITE, sync_fd), 0);
	assert_ret(import_sync(fd, DMA_BUF_SYNC_READ, sync_fd), 0);
	close(sync_fd);
	/* Its signalled fence keeps the buffer idle for readers and writers. */
	assert_int_equal(kt_poll_now(fd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	sync_fd = export_sync(fd, DMA_BUF_SYNC_RW);
	assert_true(sync_fd >= 0);
	assert_int_equal(kt_poll_now(sync_fd, POLLIN), POLLIN);
	/* Flags must be a non-empty subset of RW. */
	assert_ret(export_sync(fd, 0), -EINVAL);
	assert_ret(export_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), -EINVAL);
	assert_ret(import_sync(fd, 0, sync_fd), -EINVAL);
	/* Only a sync file can be imported. */
	assert_ret(import_sync(fd, DMA_BUF_SYNC_WRITE, pipe_fd), -EINVAL);
	assert_ret(import_sync(fd, DMA_BUF_SYNC_WRITE, fd), -EINVAL);
	close(sync_fd);
	close(pipe_fd);
	close(fd);
}

static void test_mmap_errors(void **state)
{
	struct fixture *f = *state;
	size_t page = kt_page_size();
	int fd = raw_alloc(f->heap_fd, 2 * page);
	void *p;

	/* Past the end of the buffer, by length or by offset. */
	assert_true(mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, fd, 0) ==
		    MAP_FAILED);
	assert_int_equal(errno, EINVAL);
	assert_true(mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd,
			 (off_t)page) == MAP_FAILED);
	assert_int_equal(errno, EINVAL);
	/* Control: the whole buffer, and its second page alone. */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, (off_t)page);
	assert_true(p != MAP_FAILED);
	munmap(p, page);
	close(fd);
}

/* The library reads sizes with lseek(SEEK_END); nothing else is allowed. */
static void test_lseek(void **state)
{
	struct fixture *f = *state;
	size_t page = kt_page_size();
	int fd = raw_alloc(f->heap_fd, 3 * page);

	assert_int_equal(lseek(fd, 0, SEEK_END), 3 * (off_t)page);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_syscall_err(lseek(fd, 0, SEEK_CUR), EINVAL);
	assert_syscall_err(lseek(fd, 1, SEEK_END), EINVAL);
	assert_syscall_err(lseek(fd, (off_t)page, SEEK_SET), EINVAL);
	close(fd);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_raw_alloc_ok),
		T(test_raw_bad_fd_flags),
		T(test_raw_heap_flags),
		T(test_raw_zero_len),
		T(test_raw_fd_nonzero),
		T(test_raw_bad_nr),
		T(test_raw_magic_ignored),
		T(test_raw_write_only_cmd_loses_fd),
		T(test_compat_old_struct),
		T(test_compat_new_struct),
		T(test_compat_big_struct),
		T(test_lib_size_zero_and_overflow),
		T(test_lib_size_over_ram),
		T(test_sync_bad_flags),
		T(test_set_name_too_long),
		T(test_import_not_dmabuf),
		T(test_sync_file_raw),
		T(test_mmap_errors),
		T(test_lseek),
	};

	kt_require_system_heap();
	return cmocka_run_group_tests_name("kernel-errors", tests, NULL, NULL);
}
