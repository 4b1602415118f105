/* SPDX-License-Identifier: MIT */
/*
 * The mock's udmabuf device, driven through its system-call layer the way
 * the library drives the kernel's: memfd_create, ftruncate, F_ADD_SEALS,
 * UDMABUF_CREATE, then the dma-buf.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/sys.h"
#include "testutil.h"
#include "core/uapi.h"

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define SIZE_PARAM "/sys/module/udmabuf/parameters/size_limit_mb"
#define LIST_PARAM "/sys/module/udmabuf/parameters/list_limit"

struct ufix {
	struct dmaheap_mock *mock;
	const struct dmaheap_sys *sys;
	size_t page;
	int fds_before;
};

static int ufix_setup(void **state)
{
	struct ufix *u = calloc(1, sizeof(*u));
	uint64_t ram;

	assert_non_null(u);
	u->fds_before = count_open_fds();
	assert_int_equal(dmaheap_mock_new(&u->mock), 0);
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock,
			 &(struct dmaheap_mock_udmabuf){ 0 }), 0);
	u->sys = dmaheap_mock_sys(u->mock);
	assert_int_equal(u->sys->meminfo(u->sys, &u->page, &ram), 0);
	*state = u;
	return 0;
}

static int ufix_teardown(void **state)
{
	struct ufix *u = *state;
	struct dmaheap_mock_leaks leaks;
	char report[1024];
	int n = dmaheap_mock_leaks(u->mock, &leaks, report, sizeof(report));

	if (n != 0)
		fail_msg("mock reports %d leaks:\n%s", n, report);
	dmaheap_mock_free(u->mock);
	assert_int_equal(count_open_fds(), u->fds_before);
	free(u);
	return 0;
}

#define UTEST(fn) cmocka_unit_test_setup_teardown(fn, ufix_setup, ufix_teardown)

static int open_dev(struct ufix *u)
{
	int fd = u->sys->open(u->sys, dmaheap_mock_udmabuf_path(u->mock),
			      O_RDONLY | O_CLOEXEC, 0);

	assert_true(fd >= 0);
	return fd;
}

/* A memfd of @size filled with @fill, with @seals added. */
static int memfd_with(struct ufix *u, size_t size, unsigned int mfd_flags,
		      int seals, int fill)
{
	const struct dmaheap_sys *s = u->sys;
	int fd = s->memfd_create(s, "t", mfd_flags | MFD_CLOEXEC);
	void *p;

	assert_true(fd >= 0);
	assert_int_equal(s->ftruncate(s, fd, (int64_t)size), 0);
	if (size) {
		assert_int_equal(s->mmap(s, size, PROT_WRITE, MAP_SHARED, fd,
					 0, &p), 0);
		memset(p, fill, size);
		assert_int_equal(s->munmap(s, p, size), 0);
	}
	if (seals)
		assert_int_equal(s->fcntl(s, fd, F_ADD_SEALS, seals), 0);
	return fd;
}

static int sealed_memfd(struct ufix *u, size_t size, int fill)
{
	return memfd_with(u, size, MFD_ALLOW_SEALING, F_SEAL_SHRINK, fill);
}

static int create(struct ufix *u, int dev, int memfd, uint64_t offset,
		  uint64_t size, uint32_t flags)
{
	struct udmabuf_create c = { (__u32)memfd, flags, offset, size };

	return u->sys->ioctl(u->sys, dev, UDMABUF_CREATE, &c);
}

static void close_all(struct ufix *u, int a, int b)
{
	if (a >= 0)
		assert_int_equal(u->sys->close(u->sys, a), 0);
	if (b >= 0)
		assert_int_equal(u->sys->close(u->sys, b), 0);
}

static void expect_bytes(const void *p, size_t len, int byte)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i] != (unsigned char)byte)
			fail_msg("byte %zu is %#x, not %#x", i, c[i], byte);
}

/* ------------------------------------------------------------------------ */

static void test_happy_path(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct dmaheap_mock_buf_info info;
	size_t size = 2 * u->page;
	struct statfs sfs;
	int64_t pos;
	void *p;
	int dev = open_dev(u), memfd, fd;

	memfd = sealed_memfd(u, size, 0x5a);
	dmaheap_mock_reset_calls(u->mock);
	fd = create(u, dev, memfd, 0, size, UDMABUF_FLAGS_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(dmaheap_mock_calls(u->mock,
			 DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE), 1);
	assert_int_equal(dmaheap_mock_calls(u->mock, DMAHEAP_MOCK_IOCTL_OTHER),
			 0);
	/* The library closes the memfd at once; the dma-buf keeps the pages. */
	assert_int_equal(s->close(s, memfd), 0);

	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(s->fstatfs(s, fd, &sfs), 0);
	assert_true((uint32_t)sfs.f_type == DMA_BUF_MAGIC);
	assert_int_equal(s->lseek(s, fd, 0, SEEK_END, &pos), 0);
	assert_int_equal(pos, (int64_t)size);
	assert_int_equal(s->mmap(s, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 fd, 0, &p), 0);
	assert_int_equal(s->ioctl(s, fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	expect_bytes(p, size, 0x5a);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	assert_int_equal(s->ioctl(s, fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	assert_int_equal(s->ioctl(s, fd, DMA_BUF_SET_NAME_B, "udm-frame"), 0);
	assert_int_equal(dmaheap_mock_buf_info(u->mock, fd, &info), 0);
	assert_string_equal(info.heap, "udmabuf");
	assert_string_equal(info.name, "udm-frame");
	assert_int_equal(info.size, size);
	assert_int_equal(info.sync_reads + info.sync_writes, 0);
	assert_int_equal(s->munmap(s, p, size), 0);
	close_all(u, fd, dev);
}

static void test_pages_shared_both_ways(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	size_t size = u->page;
	unsigned char c = 0;
	void *p;
	int dev = open_dev(u), memfd = sealed_memfd(u, size, 1), fd;

	fd = create(u, dev, memfd, 0, size, 0);
	assert_true(fd >= 0);
	assert_int_equal(s->mmap(s, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				 fd, 0, &p), 0);
	/* Written through the memfd after creation: seen in the dma-buf. */
	assert_int_equal(pwrite(memfd, "\x77", 1, 10), 1);
	assert_int_equal(((unsigned char *)p)[10], 0x77);
	/* And the other way. */
	((unsigned char *)p)[20] = 0x99;
	assert_int_equal(pread(memfd, &c, 1, 20), 1);
	assert_int_equal(c, 0x99);
	assert_int_equal(s->ioctl(s, fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	assert_int_equal(s->ioctl(s, fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	assert_int_equal(s->munmap(s, p, size), 0);
	close_all(u, fd, memfd);
	close_all(u, dev, -1);
}

/* The memfd shares the dma-buf's inode, yet stays a plain memfd. */
static void test_memfd_not_mistaken(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct dmaheap_mock_buf_info info;
	struct dmaheap_mock_leaks leaks;
	size_t size = 4 * u->page;
	struct statfs sfs;
	struct stat st;
	int64_t pos;
	char text[4];
	int dev = open_dev(u), memfd = sealed_memfd(u, size, 'a'), fd;

	fd = create(u, dev, memfd, 0, 2 * u->page, 0);
	assert_true(fd >= 0);
	assert_int_equal(s->fstatfs(s, memfd, &sfs), 0);
	assert_true((uint32_t)sfs.f_type == TMPFS_MAGIC);
	assert_int_equal(s->lseek(s, memfd, 0, SEEK_END, &pos), 0);
	assert_int_equal(pos, (int64_t)size);
	assert_int_equal(s->lseek(s, memfd, 0, SEEK_SET, &pos), 0);
	assert_int_equal(s->read(s, memfd, text, 3), 3);
	assert_memory_equal(text, "aaa", 3);
	assert_int_equal(s->ioctl(s, memfd, DMA_BUF_IOCTL_SYNC, &sync),
			 -ENOTTY);
	assert_int_equal(dmaheap_mock_buf_info(u->mock, memfd, &info),
			 -ENOENT);
	/* The dma-buf reports its own size, not the memfd's. */
	assert_int_equal(s->fstat(s, fd, &st), 0);
	assert_int_equal(st.st_size, 2 * u->page);
	assert_int_equal(s->lseek(s, fd, 0, SEEK_END, &pos), 0);
	assert_int_equal(pos, (int64_t)(2 * u->page));
	assert_int_equal(s->read(s, fd, text, 3), -EINVAL);
	/* The dma-buf closed and the memfd open: nothing is leaked. */
	assert_int_equal(s->close(s, fd), 0);
	assert_int_equal(dmaheap_mock_leaks(u->mock, &leaks, NULL, 0), 1);
	assert_int_equal(leaks.heap_fds, 1);
	assert_int_equal(leaks.buffers, 0);
	close_all(u, memfd, dev);
}

static void test_memfd_larger_than_size(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	void *p;
	int dev = open_dev(u), memfd = sealed_memfd(u, 4 * u->page, 0), fd;

	fd = create(u, dev, memfd, 0, u->page, 0);
	assert_true(fd >= 0);
	assert_int_equal(s->mmap(s, 2 * u->page, PROT_READ, MAP_SHARED, fd, 0,
				 &p), -EINVAL);
	assert_int_equal(s->mmap(s, u->page, PROT_READ, MAP_SHARED, fd,
				 (int64_t)u->page, &p), -EINVAL);
	assert_int_equal(s->mmap(s, u->page, PROT_READ, MAP_SHARED, fd, 0, &p),
			 0);
	assert_int_equal(s->munmap(s, p, u->page), 0);
	close_all(u, fd, memfd);
	close_all(u, dev, -1);
}

static void test_mmap_needs_shared(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	void *p;
	int dev = open_dev(u), memfd = sealed_memfd(u, u->page, 0), fd;

	fd = create(u, dev, memfd, 0, u->page, 0);
	assert_true(fd >= 0);
	assert_int_equal(s->mmap(s, u->page, PROT_READ, MAP_PRIVATE, fd, 0,
				 &p), -EINVAL);
	close_all(u, fd, memfd);
	close_all(u, dev, -1);
}

static void test_cloexec_flag(void **state)
{
	struct ufix *u = *state;
	int dev = open_dev(u), memfd = sealed_memfd(u, u->page, 0);
	int plain = create(u, dev, memfd, 0, u->page, 0);
	/* Unknown flag bits are ignored; CLOEXEC among them is read. */
	int others = create(u, dev, memfd, 0, u->page,
			    ~(uint32_t)UDMABUF_FLAGS_CLOEXEC);
	int all = create(u, dev, memfd, 0, u->page, UINT32_MAX);

	assert_true(plain >= 0 && others >= 0 && all >= 0);
	assert_int_equal(fcntl(plain, F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(fcntl(others, F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(fcntl(all, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fcntl(plain, F_GETFL) & O_ACCMODE, O_RDWR);
	close_all(u, plain, others);
	close_all(u, all, memfd);
	close_all(u, dev, -1);
}

/* Several dma-bufs from one memfd are distinct buffers. */
static void test_two_from_one_memfd(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dmaheap_mock_buf_info info;
	struct dmaheap_mock_leaks leaks;
	int dev = open_dev(u), memfd = sealed_memfd(u, 2 * u->page, 0);
	int a = create(u, dev, memfd, 0, u->page, 0);
	int b = create(u, dev, memfd, 0, 2 * u->page, 0);
	int dup_b;

	assert_true(a >= 0 && b >= 0);
	assert_int_equal(s->close(s, memfd), 0);
	assert_int_equal(s->ioctl(s, a, DMA_BUF_SET_NAME_B, "a"), 0);
	assert_int_equal(s->ioctl(s, b, DMA_BUF_SET_NAME_B, "b"), 0);
	dup_b = s->fcntl(s, b, F_DUPFD_CLOEXEC, 0);
	assert_true(dup_b >= 0);
	assert_int_equal(dmaheap_mock_buf_info(u->mock, dup_b, &info), 0);
	assert_string_equal(info.name, "b");
	assert_int_equal(info.size, 2 * u->page);
	assert_int_equal(dmaheap_mock_leaks(u->mock, &leaks, NULL, 0), 3);
	assert_int_equal(leaks.buffers, 2);
	assert_int_equal(s->close(s, a), 0);
	assert_int_equal(dmaheap_mock_buf_info(u->mock, b, &info), 0);
	assert_string_equal(info.name, "b");
	assert_int_equal(dmaheap_mock_leaks(u->mock, &leaks, NULL, 0), 2);
	assert_int_equal(leaks.buffers, 1);
	close_all(u, b, dup_b);
	close_all(u, dev, -1);
}

static void test_leak_report(void **state)
{
	struct ufix *u = *state;
	struct dmaheap_mock_leaks leaks;
	char report[512];
	void *p;
	int dev = open_dev(u), memfd = sealed_memfd(u, u->page, 0), fd;

	fd = create(u, dev, memfd, 0, u->page, 0);
	assert_true(fd >= 0);
	close_all(u, memfd, -1);
	assert_int_equal(u->sys->mmap(u->sys, u->page, PROT_READ, MAP_SHARED,
				      fd, 0, &p), 0);
	assert_int_equal(dmaheap_mock_leaks(u->mock, &leaks, report,
					    sizeof(report)), 3);
	assert_int_equal(leaks.buffers, 1);
	assert_int_equal(leaks.mappings, 1);
	assert_int_equal(leaks.heap_fds, 1);
	assert_non_null(strstr(report, "buffer: heap udmabuf"));
	assert_non_null(strstr(report, "1 fd(s) open"));
	assert_non_null(strstr(report, "mapping: heap udmabuf"));
	assert_non_null(strstr(report, "heap fd: heap udmabuf"));
	assert_int_equal(u->sys->munmap(u->sys, p, u->page), 0);
	close_all(u, fd, dev);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

static void expect_create(struct ufix *u, int dev, int memfd, uint64_t off,
			  uint64_t size, int err)
{
	int before = count_open_fds();

	assert_int_equal(create(u, dev, memfd, off, size, 0), err);
	assert_int_equal(count_open_fds(), before);
}

static void test_seal_errors(void **state)
{
	struct ufix *u = *state;
	int dev = open_dev(u), fd;

	fd = memfd_with(u, u->page, MFD_ALLOW_SEALING, 0, 0);
	expect_create(u, dev, fd, 0, u->page, -EINVAL); /* no shrink seal */
	close_all(u, fd, -1);
	fd = memfd_with(u, u->page, 0, 0, 0); /* sealing never allowed */
	expect_create(u, dev, fd, 0, u->page, -EINVAL);
	close_all(u, fd, -1);
	fd = memfd_with(u, u->page, MFD_ALLOW_SEALING,
			F_SEAL_SHRINK | F_SEAL_WRITE, 0);
	expect_create(u, dev, fd, 0, u->page, -EINVAL);
	close_all(u, fd, -1);
	fd = memfd_with(u, u->page, MFD_ALLOW_SEALING,
			F_SEAL_SHRINK | F_SEAL_FUTURE_WRITE, 0);
	expect_create(u, dev, fd, 0, u->page, -EINVAL);
	close_all(u, fd, -1);
	/* Sealed against growing too: still fine. */
	fd = memfd_with(u, u->page, MFD_ALLOW_SEALING,
			F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL, 0);
	assert_int_equal(fcntl(fd, F_GET_SEALS),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	close_all(u, create(u, dev, fd, 0, u->page, 0), fd);
	close_all(u, dev, -1);
}

static void test_size_errors(void **state)
{
	struct ufix *u = *state;
	int dev = open_dev(u), fd = sealed_memfd(u, 4 * u->page, 0);

	expect_create(u, dev, fd, 0, 0, -EINVAL);
	expect_create(u, dev, fd, 0, u->page + 1, -EINVAL);
	expect_create(u, dev, fd, 1, u->page, -EINVAL);
	expect_create(u, dev, fd, u->page / 2, u->page, -EINVAL);
	/* Past the memfd's end. */
	expect_create(u, dev, fd, 0, 5 * u->page, -EINVAL);
	expect_create(u, dev, fd, 3 * u->page, 2 * u->page, -EINVAL);
	expect_create(u, dev, fd, 5 * u->page, u->page, -EINVAL);
	expect_create(u, dev, fd, UINT64_MAX - u->page + 1, 2 * u->page,
		      -EINVAL);
	/* Alignment and size come before the fd: a bad one is not seen. */
	expect_create(u, dev, -1, 0, 0, -EINVAL);
	expect_create(u, dev, -1, 1, u->page, -EINVAL);
	expect_create(u, dev, -1, 0, (uint64_t)65 << 20, -EINVAL);
	close_all(u, create(u, dev, fd, 3 * u->page, u->page, 0), fd);
	close_all(u, dev, -1);
}

static void test_size_limit(void **state)
{
	struct ufix *u = *state;
	struct dmaheap_mock_udmabuf props = { .size_limit_mb = 1 };
	size_t mib = (size_t)1 << 20;
	int dev = open_dev(u), fd = sealed_memfd(u, 2 * mib, 0);

	/* The default, 64 MiB, allows 2 MiB. */
	close_all(u, create(u, dev, fd, 0, 2 * mib, 0), -1);
	/* A parameter change reaches fds already open. */
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &props), 0);
	expect_create(u, dev, fd, 0, 2 * mib, -EINVAL);
	expect_create(u, dev, fd, 0, mib + u->page, -EINVAL);
	close_all(u, create(u, dev, fd, 0, mib, 0), -1);
	close_all(u, fd, dev);
}

static void test_fd_errors(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dma_heap_allocation_data alloc = { .len = 4096,
						  .fd_flags = O_RDWR };
	int dev = open_dev(u), p[2], file, closed, heap, memfd, buf, udm;
	char path[300];

	assert_int_equal(pipe(p), 0);
	expect_create(u, dev, p[0], 0, u->page, -EBADFD);
	close(p[0]);
	close(p[1]);
	file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	assert_true(file >= 0);
	expect_create(u, dev, file, 0, u->page, -EBADFD);
	close(file);
	closed = sealed_memfd(u, u->page, 0);
	close_all(u, closed, -1);
	expect_create(u, dev, closed, 0, u->page, -EBADFD);
	expect_create(u, dev, (int)INT_MAX, 0, u->page, -EBADFD);
	/* fget() refuses O_PATH fds, even of a good memfd. */
	memfd = sealed_memfd(u, u->page, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	file = open(path, O_PATH | O_CLOEXEC);
	assert_true(file >= 0);
	expect_create(u, dev, file, 0, u->page, -EBADFD);
	close(file);
	close_all(u, memfd, -1);
	expect_create(u, dev, -1, 0, u->page, -EBADFD); /* (u32)-1 */
	/* The mock's own objects are memfds underneath, but no shmem files:
	 * a heap buffer, a udmabuf dma-buf, the device itself. */
	assert_int_equal(dmaheap_mock_add_heap(u->mock, "system", NULL), 0);
	snprintf(path, sizeof(path), "%s/system", dmaheap_mock_dir(u->mock));
	heap = s->open(s, path, O_RDONLY | O_CLOEXEC, 0);
	assert_true(heap >= 0);
	assert_int_equal(s->ioctl(s, heap, DMA_HEAP_IOCTL_ALLOC, &alloc), 0);
	buf = (int)alloc.fd;
	expect_create(u, dev, buf, 0, u->page, -EBADFD);
	memfd = sealed_memfd(u, u->page, 0);
	udm = create(u, dev, memfd, 0, u->page, 0);
	assert_true(udm >= 0);
	expect_create(u, dev, udm, 0, u->page, -EBADFD);
	expect_create(u, dev, dev, 0, u->page, -EBADFD);
	close_all(u, heap, buf);
	close_all(u, memfd, udm);
	close_all(u, dev, -1);
}

static void test_other_requests(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dma_heap_allocation_data alloc = { .len = 4096 };
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct stat st;
	int64_t pos;
	void *p;
	int dev = open_dev(u);

	assert_int_equal(s->ioctl(s, dev, UDMABUF_CREATE, NULL), -EFAULT);
	assert_int_equal(s->ioctl(s, dev, UDMABUF_CREATE_LIST, NULL),
			 -EFAULT);
	assert_int_equal(s->ioctl(s, dev, DMA_HEAP_IOCTL_ALLOC, &alloc),
			 -ENOTTY);
	assert_int_equal(s->ioctl(s, dev, DMA_BUF_IOCTL_SYNC, &sync),
			 -ENOTTY);
	/* The same number with another size is another command. */
	assert_int_equal(s->ioctl(s, dev, _IOW('u', 0x42, __u64), &pos),
			 -ENOTTY);
	assert_int_equal(s->mmap(s, u->page, PROT_READ, MAP_SHARED, dev, 0,
				 &p), -ENODEV);
	assert_int_equal(s->lseek(s, dev, 0, SEEK_END, &pos), -ESPIPE);
	assert_int_equal(s->fstat(s, dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 10);
	assert_int_equal(st.st_uid, 0);
	close_all(u, dev, -1);
}

static void test_injection(void **state)
{
	struct ufix *u = *state;
	int dev = open_dev(u), memfd = sealed_memfd(u, u->page, 0);

	dmaheap_mock_reset_calls(u->mock);
	assert_int_equal(dmaheap_mock_inject(u->mock,
			 DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE, 0, 1, EINTR), 0);
	expect_create(u, dev, memfd, 0, u->page, -EINTR);
	close_all(u, create(u, dev, memfd, 0, u->page, 0), -1);
	assert_int_equal(dmaheap_mock_calls(u->mock,
			 DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE), 2);
	/* The library's other steps are counted and injectable as before. */
	assert_int_equal(dmaheap_mock_inject(u->mock, DMAHEAP_MOCK_FCNTL, 0, 1,
					     ENOMEM), 0);
	assert_int_equal(u->sys->fcntl(u->sys, memfd, F_ADD_SEALS,
				       F_SEAL_GROW), -ENOMEM);
	assert_int_equal(fcntl(memfd, F_GET_SEALS), F_SEAL_SHRINK);
	close_all(u, memfd, dev);
}

/* ------------------------------------------------------------------------ */
/* Offsets and lists: copies                                                */
/* ------------------------------------------------------------------------ */

static void test_offset_is_copied(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	unsigned char *p;
	void *v;
	int dev = open_dev(u), memfd = sealed_memfd(u, 3 * u->page, 0), fd;

	assert_int_equal(pwrite(memfd, "\x11", 1, (off_t)u->page), 1);
	assert_int_equal(pwrite(memfd, "\x22", 1, (off_t)(3 * u->page - 1)),
			 1);
	fd = create(u, dev, memfd, u->page, 2 * u->page, 0);
	assert_true(fd >= 0);
	assert_int_equal(s->mmap(s, 2 * u->page, PROT_READ, MAP_SHARED, fd, 0,
				 &v), 0);
	p = v;
	assert_int_equal(p[0], 0x11);
	assert_int_equal(p[2 * u->page - 1], 0x22);
	/* Documented: these pages are not shared. */
	assert_int_equal(pwrite(memfd, "\x33", 1, (off_t)u->page), 1);
	assert_int_equal(p[0], 0x11);
	assert_int_equal(s->munmap(s, v, 2 * u->page), 0);
	close_all(u, fd, memfd);
	close_all(u, dev, -1);
}

/* struct udmabuf_create_list with room for items (a struct with a flexible
 * array member cannot be embedded in ISO C). */
struct list2 {
	struct {
		__u32 flags;
		__u32 count;
	} head;
	struct udmabuf_create_item item[3];
};

_Static_assert(offsetof(struct list2, item) ==
		       sizeof(struct udmabuf_create_list),
	       "items follow the head");

static void set_item(struct list2 *l, unsigned int i, int memfd,
		     uint64_t off, uint64_t size)
{
	l->item[i].memfd = (__u32)memfd;
	l->item[i].offset = off;
	l->item[i].size = size;
}

static void test_create_list(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dmaheap_mock_buf_info info;
	struct list2 l;
	unsigned char *p;
	void *v;
	int dev = open_dev(u), a = sealed_memfd(u, u->page, 0xaa);
	int b = sealed_memfd(u, 2 * u->page, 0xbb), fd;

	memset(&l, 0, sizeof(l));
	l.head.flags = UDMABUF_FLAGS_CLOEXEC;
	l.head.count = 2;
	set_item(&l, 0, a, 0, u->page);
	set_item(&l, 1, b, u->page, u->page);
	dmaheap_mock_reset_calls(u->mock);
	fd = s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l);
	assert_true(fd >= 0);
	assert_int_equal(dmaheap_mock_calls(u->mock,
			 DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE), 1);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(dmaheap_mock_buf_info(u->mock, fd, &info), 0);
	assert_int_equal(info.size, 2 * u->page);
	assert_int_equal(s->mmap(s, 2 * u->page, PROT_READ, MAP_SHARED, fd, 0,
				 &v), 0);
	p = v;
	expect_bytes(p, u->page, 0xaa);
	expect_bytes(p + u->page, u->page, 0xbb);
	assert_int_equal(s->munmap(s, v, 2 * u->page), 0);
	close_all(u, fd, -1);

	/* A bad fd in the second item; sizes are all checked first. */
	set_item(&l, 1, -1, 0, u->page);
	assert_int_equal(s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l), -EBADFD);
	set_item(&l, 0, a, 0, u->page + 1);
	assert_int_equal(s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l), -EINVAL);
	l.head.count = 0;
	assert_int_equal(s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l), -EINVAL);
	close_all(u, a, b);
	close_all(u, dev, -1);
}

static void test_list_limit(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dmaheap_mock_udmabuf props = { .list_limit = 2 };
	struct list2 l;
	int dev = open_dev(u), a = sealed_memfd(u, u->page, 1), fd;

	memset(&l, 0, sizeof(l));
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &props), 0);
	set_item(&l, 0, a, 0, u->page);
	set_item(&l, 1, a, 0, u->page);
	set_item(&l, 2, a, 0, u->page);
	l.head.count = 3;
	assert_int_equal(s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l), -EINVAL);
	/* Checked before the items are read at all. */
	l.head.count = 1000;
	assert_int_equal(s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l), -EINVAL);
	l.head.count = 2;
	fd = s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l);
	assert_true(fd >= 0);
	close_all(u, fd, a);
	close_all(u, dev, -1);
}

/* A one-item list from offset 0 shares pages like UDMABUF_CREATE. */
static void test_list_of_one_shares(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct list2 l;
	void *v;
	int dev = open_dev(u), a = sealed_memfd(u, u->page, 0), fd;

	memset(&l, 0, sizeof(l));
	l.head.count = 1;
	set_item(&l, 0, a, 0, u->page);
	fd = s->ioctl(s, dev, UDMABUF_CREATE_LIST, &l);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(s->mmap(s, u->page, PROT_READ, MAP_SHARED, fd, 0, &v),
			 0);
	assert_int_equal(pwrite(a, "\x44", 1, 7), 1);
	assert_int_equal(((unsigned char *)v)[7], 0x44);
	assert_int_equal(s->munmap(s, v, u->page), 0);
	close_all(u, fd, a);
	close_all(u, dev, -1);
}

/* With a mock page larger than the machine's, alignment follows it. */
static void test_mock_page_size(void **state)
{
	struct ufix *u = *state;
	size_t big = 2 * u->page;
	int dev, fd;

	assert_int_equal(dmaheap_mock_set_meminfo(u->mock, big, 0), 0);
	dev = open_dev(u);
	fd = sealed_memfd(u, 2 * big, 0);
	expect_create(u, dev, fd, 0, u->page, -EINVAL);
	expect_create(u, dev, fd, u->page, big, -EINVAL);
	close_all(u, create(u, dev, fd, big, big, 0), fd);
	close_all(u, dev, -1);
}

/* ------------------------------------------------------------------------ */
/* The module parameter files                                               */
/* ------------------------------------------------------------------------ */

static void expect_param(struct ufix *u, const char *path, const char *text)
{
	const struct dmaheap_sys *s = u->sys;
	char buf[32];
	int fd = s->open(s, path, O_RDONLY | O_CLOEXEC, 0);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(s->read(s, fd, buf, sizeof(buf)), (int)len);
	assert_memory_equal(buf, text, len);
	assert_int_equal(s->read(s, fd, buf, sizeof(buf)), 0);
	close_all(u, fd, -1);
}

static void expect_no_param(struct ufix *u, const char *path)
{
	assert_int_equal(u->sys->open(u->sys, path, O_RDONLY | O_CLOEXEC, 0),
			 -ENOENT);
}

static void test_params(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	struct dmaheap_mock_udmabuf props = { .size_limit_mb = 16,
					      .list_limit = 7 };
	struct statfs sfs;
	struct stat st;
	char c[2];
	void *p;
	int fd;

	expect_param(u, SIZE_PARAM, "64\n");
	expect_param(u, LIST_PARAM, "1024\n");
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &props), 0);
	expect_param(u, SIZE_PARAM, "16\n");
	expect_param(u, LIST_PARAM, "7\n");

	fd = s->open(s, SIZE_PARAM, O_RDONLY | O_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(s->fstat(s, fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(s->fstatfs(s, fd, &sfs), 0);
	assert_true((uint32_t)sfs.f_type == SYSFS_MAGIC);
	assert_int_equal(s->mmap(s, 4096, PROT_READ, MAP_SHARED, fd, 0, &p),
			 -ENODEV);
	assert_int_equal(s->read(s, fd, c, 1), 1);
	assert_int_equal(s->read(s, fd, c, 2), 2);
	assert_memory_equal(c, "6\n", 2);
	assert_int_equal(s->read(s, fd, c, 2), 0);
	close_all(u, fd, -1);
	assert_int_equal(s->open(s, SIZE_PARAM, O_RDWR | O_CLOEXEC, 0),
			 -EACCES);
	assert_int_equal(s->open(s, SIZE_PARAM, O_RDONLY | O_DIRECTORY, 0),
			 -ENOTDIR);
	assert_int_equal(s->readdir(s, SIZE_PARAM, NULL, NULL), -ENOTDIR);
	/* The rest of the module's directory is not the machine's either. */
	expect_no_param(u, "/sys/module/udmabuf/refcnt");
	expect_no_param(u, "/sys/module/udmabuf");
	assert_int_equal(s->readdir(s, "/sys/module/udmabuf/parameters", NULL,
				    NULL), -ENOENT);

	props.no_sysfs = 1;
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &props), 0);
	expect_no_param(u, SIZE_PARAM);
	expect_no_param(u, LIST_PARAM);
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, NULL), 0);
	expect_no_param(u, SIZE_PARAM);
	assert_int_equal(s->readdir(s, SIZE_PARAM, NULL, NULL), -ENOENT);
}

/* Without the device ever set, the parameters are absent, not the
 * machine's. */
static void test_params_without_udmabuf(void **state)
{
	struct dmaheap_mock *mock;
	const struct dmaheap_sys *s;

	(void)state;
	assert_int_equal(dmaheap_mock_new(&mock), 0);
	s = dmaheap_mock_sys(mock);
	assert_int_equal(s->open(s, SIZE_PARAM, O_RDONLY, 0), -ENOENT);
	assert_int_equal(s->open(s, dmaheap_mock_udmabuf_path(mock), O_RDONLY,
				 0), -ENOENT);
	dmaheap_mock_free(mock);
}

/* ------------------------------------------------------------------------ */
/* The node                                                                 */
/* ------------------------------------------------------------------------ */

static int open_path(struct ufix *u, const char *path, int flags)
{
	return u->sys->open(u->sys, path, flags | O_CLOEXEC, 0);
}

static void test_node_kinds(void **state)
{
	struct ufix *u = *state;
	const struct dmaheap_sys *s = u->sys;
	const char *path = dmaheap_mock_udmabuf_path(u->mock);
	struct dmaheap_mock_udmabuf props = {
		.node = DMAHEAP_MOCK_NODE_REGULAR,
	};
	int old = open_dev(u), memfd = sealed_memfd(u, u->page, 0), fd;
	char sub[300];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/x", path);
	assert_int_equal(open_path(u, sub, O_RDONLY), -ENOTDIR);
	assert_int_equal(s->readdir(s, path, NULL, NULL), -ENOTDIR);

	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &props), 0);
	fd = open_path(u, path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(s->fstat(s, fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(create(u, fd, memfd, 0, u->page, 0), -ENOTTY);
	close_all(u, fd, -1);
	/* The fd opened on the old node is still the device. */
	close_all(u, create(u, old, memfd, 0, u->page, 0), -1);

	props.node = DMAHEAP_MOCK_NODE_NO_ACCESS;
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &props), 0);
	assert_int_equal(open_path(u, path, O_RDONLY), -EACCES);
	props.node = DMAHEAP_MOCK_NODE_NO_DEVICE;
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &props), 0);
	assert_int_equal(open_path(u, path, O_RDWR), -ENODEV);
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, NULL), 0);
	assert_int_equal(open_path(u, path, O_RDONLY), -ENOENT);
	assert_int_equal(open_path(u, path, O_RDWR | O_CREAT), -EACCES);
	assert_int_equal(s->readdir(s, path, NULL, NULL), -ENOENT);
	close_all(u, create(u, old, memfd, 0, u->page, 0), -1);
	close_all(u, old, memfd);
}

static void test_api_arguments(void **state)
{
	struct ufix *u = *state;
	struct dmaheap_mock_udmabuf bad = { .node = (enum dmaheap_mock_node)9 };
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	const char *path = dmaheap_mock_udmabuf_path(u->mock);

	assert_int_equal(dmaheap_mock_set_udmabuf(NULL, NULL), -EINVAL);
	assert_int_equal(dmaheap_mock_set_udmabuf(u->mock, &bad), -EINVAL);
	assert_null(dmaheap_mock_udmabuf_path(NULL));
	assert_non_null(path);
	assert_int_not_equal(access(path, F_OK), 0);
	dmaheap_mock_options(u->mock, &o);
	assert_ptr_equal(o.udmabuf_dev, path);
	assert_ptr_equal(o.sys, u->sys);
	assert_ptr_equal(o.heap_dir, dmaheap_mock_dir(u->mock));
}

static int no_udmabuf_entry(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "udmabuf") == 0;
}

/* The device is not a heap: not listed, not openable as one. */
static void test_not_a_heap(void **state)
{
	struct ufix *u = *state;
	char path[300];

	assert_int_equal(u->sys->readdir(u->sys, dmaheap_mock_dir(u->mock),
					 no_udmabuf_entry, NULL), 0);
	snprintf(path, sizeof(path), "%s/udmabuf", dmaheap_mock_dir(u->mock));
	assert_int_equal(open_path(u, path, O_RDONLY), -ENOENT);
	assert_int_equal(dmaheap_mock_add_heap(u->mock, "udmabuf", NULL), 0);
	assert_int_equal(dmaheap_mock_remove_heap(u->mock, "udmabuf"), 0);
	close_all(u, open_dev(u), -1);
}

/* The library's own path, end to end, for the wiring of the options. */
static void test_through_library(void **state)
{
	struct ufix *u = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	void *p;

	dmaheap_mock_options(u->mock, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_int_equal(dmaheap_alloc(ctx, "udmabuf", u->page, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "udmabuf");
	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	memset(p, 0xcd, u->page);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		UTEST(test_happy_path),
		UTEST(test_pages_shared_both_ways),
		UTEST(test_memfd_not_mistaken),
		UTEST(test_memfd_larger_than_size),
		UTEST(test_mmap_needs_shared),
		UTEST(test_cloexec_flag),
		UTEST(test_two_from_one_memfd),
		UTEST(test_leak_report),
		UTEST(test_seal_errors),
		UTEST(test_size_errors),
		UTEST(test_size_limit),
		UTEST(test_fd_errors),
		UTEST(test_other_requests),
		UTEST(test_injection),
		UTEST(test_offset_is_copied),
		UTEST(test_create_list),
		UTEST(test_list_limit),
		UTEST(test_list_of_one_shares),
		UTEST(test_mock_page_size),
		UTEST(test_params),
		UTEST(test_params_without_udmabuf),
		UTEST(test_node_kinds),
		UTEST(test_api_arguments),
		UTEST(test_not_a_heap),
		UTEST(test_through_library),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
