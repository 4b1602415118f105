/* SPDX-License-Identifier: MIT */
/* Buffer objects: accessors, fds, naming, mapping, import, free. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"
#include "testutil.h"

static struct dmaheap_buf *alloc_page(struct fixture *f)
{
	struct dmaheap_buf *buf = NULL;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	return buf;
}

static void test_null_buffer(void **state)
{
	void *p;
	int fd;

	(void)state;
	assert_int_equal(dmaheap_buf_fd(NULL), -EINVAL);
	assert_int_equal(dmaheap_buf_dup_fd(NULL), -EINVAL);
	assert_int_equal(dmaheap_buf_size(NULL), 0);
	assert_null(dmaheap_buf_heap_name(NULL));
	assert_int_equal(dmaheap_buf_set_name(NULL, "x"), -EINVAL);
	assert_int_equal(dmaheap_buf_map(NULL, &p), -EINVAL);
	assert_int_equal(dmaheap_buf_unmap(NULL), -EINVAL);
	assert_int_equal(dmaheap_buf_export_sync_file(NULL, 1, &fd), -EINVAL);
	assert_int_equal(dmaheap_buf_import_sync_file(NULL, 1, 0), -EINVAL);
	assert_int_equal(dmaheap_buf_begin_cpu_access(NULL, 1), -EINVAL);
	assert_int_equal(dmaheap_buf_end_cpu_access(NULL, 1), -EINVAL);
	assert_int_equal(dmaheap_import(NULL, 0, NULL), -EINVAL);
	dmaheap_buf_free(NULL);
}

static void test_fd_and_dup(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	struct stat a, b;
	int fd = dmaheap_buf_fd(buf);
	int dup_fd = dmaheap_buf_dup_fd(buf);

	assert_true(fd >= 0);
	assert_true(dup_fd >= 0 && dup_fd != fd);
	assert_int_equal(fcntl(dup_fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(dup_fd, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_FCNTL, 0, 1,
					     EMFILE), 0);
	assert_int_equal(dmaheap_buf_dup_fd(buf), -EMFILE);
	dmaheap_buf_free(buf);
	/* The duplicate outlives the buffer object. */
	assert_int_equal(fstat(dup_fd, &b), 0);
	close(dup_fd);
}

static void test_set_name(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	struct dmaheap_mock_buf_info info;
	const char *n31 = "0123456789012345678901234567890";
	const char *n32 = "01234567890123456789012345678901";

	assert_int_equal(dmaheap_buf_set_name(buf, "frame-0"), 0);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf),
					       &info), 0);
	assert_string_equal(info.name, "frame-0");
	assert_int_equal(dmaheap_buf_set_name(buf, n31), 0);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(buf),
					       &info), 0);
	assert_string_equal(info.name, n31);

	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_buf_set_name(buf, n32), -ENAMETOOLONG);
	assert_int_equal(dmaheap_buf_set_name(buf, NULL), -EINVAL);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SET_NAME,
					     0, 1, EBUSY), 0);
	assert_int_equal(dmaheap_buf_set_name(buf, "busy"), -EBUSY);
	dmaheap_buf_free(buf);
}

static void test_map_is_refcounted(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	unsigned char *p = NULL, *q = NULL, *other;

	dmaheap_mock_reset_calls(f->mock);
	assert_int_equal(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_int_equal(dmaheap_buf_map(buf, (void **)&q), 0);
	assert_ptr_equal(p, q);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MMAP), 1);
	memset(p, 0xa5, 4096);
	/* MAP_SHARED: another mapping of the same dma-buf sees the bytes. */
	other = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dmaheap_buf_fd(buf), 0);
	assert_true(other != MAP_FAILED);
	assert_int_equal(other[4095], 0xa5);
	munmap(other, 4096);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MUNMAP), 0);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MUNMAP), 1);
	assert_int_equal(dmaheap_buf_unmap(buf), -EINVAL);
	assert_int_equal(dmaheap_buf_map(buf, NULL), -EINVAL);
	dmaheap_buf_free(buf);
}

/* The kernel's munmap fails before unmapping anything: the buffer must
 * stay mapped, and a later unmap release it. */
static void test_unmap_failure_keeps_mapping(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	volatile char *p;
	void *addr;

	assert_int_equal(dmaheap_buf_map(buf, &addr), 0);
	assert_int_equal(dmaheap_buf_map(buf, &addr), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_MUNMAP, 0,
					     1, ENOMEM), 0);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	assert_int_equal(dmaheap_buf_unmap(buf), -ENOMEM);
	p = addr;
	p[4095] = 'x';
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	assert_int_equal(dmaheap_buf_unmap(buf), -EINVAL);
	dmaheap_buf_free(buf);
}

/* Freeing a mapped buffer when munmap fails: the mapping stays, no more. */
static void test_free_munmap_failure(void **state)
{
	struct fixture *f = *state;
	const struct dmaheap_sys *sys = dmaheap_mock_sys(f->mock);
	struct dmaheap_buf *buf = alloc_page(f);
	struct dmaheap_mock_leaks leaks;
	void *addr;

	assert_int_equal(dmaheap_buf_map(buf, &addr), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_MUNMAP, 0,
					     1, ENOMEM), 0);
	dmaheap_buf_free(buf);
	/* The context's heap fd counts too. */
	assert_int_equal(dmaheap_mock_leaks(f->mock, &leaks, NULL, 0), 2);
	assert_int_equal(leaks.mappings, 1);
	assert_int_equal(leaks.heap_fds, 1);
	assert_int_equal(sys->munmap(sys, addr, 4096), 0);
}

static void test_map_failures(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap prot = { .unmappable = 1 };
	struct dmaheap_buf *buf = NULL;
	void *p;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "protected", &prot), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "protected", 4096, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_map(buf, &p), -EINVAL);
	assert_int_equal(dmaheap_buf_unmap(buf), -EINVAL);
	dmaheap_buf_free(buf);

	buf = alloc_page(f);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_MMAP, 0, 1,
					     ENOMEM), 0);
	assert_int_equal(dmaheap_buf_map(buf, &p), -ENOMEM);
	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
}

static void test_free_cleans_up(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_page(f);
	void *p;

	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	assert_int_equal(dmaheap_buf_map(buf, &p), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	dmaheap_mock_reset_calls(f->mock);
	dmaheap_buf_free(buf);
	/* One END for both directions, one munmap, one close. */
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_SYNC), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MUNMAP), 1);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_CLOSE), 1);
	/* The fixture's teardown checks the mock reports nothing left. */
}

static void test_import(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats st;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 3 * 4096, 0);
	unsigned char *p;

	assert_true(fd >= 0);
	assert_int_equal(dmaheap_import(f->ctx, fd, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), 3 * 4096);
	assert_null(dmaheap_buf_heap_name(buf));
	assert_true(dmaheap_buf_fd(buf) != fd);
	assert_int_equal(fcntl(dmaheap_buf_fd(buf), F_GETFD) & FD_CLOEXEC,
			 FD_CLOEXEC);
	assert_int_equal(dmaheap_buf_map(buf, (void **)&p), 0);
	p[0] = 7;
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, 0);
	dmaheap_buf_free(buf);
	/* The caller's fd is untouched. */
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
}

static void test_import_read_only(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	char path[64];
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);
	int ro;
	volatile unsigned char *p;

	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(ro >= 0);
	close(fd);
	assert_int_equal(dmaheap_import(f->ctx, ro, &buf), 0);
	assert_int_equal(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_int_equal(p[100], 0);
	assert_int_equal(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
	close(ro);
}

static void test_import_rejects_non_dmabuf(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int pipefd[2], sv[2], before;
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int memfd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_true(file >= 0 && memfd >= 0);
	assert_int_equal(ftruncate(memfd, 4096), 0);
	before = count_open_fds();
	assert_int_equal(dmaheap_import(f->ctx, -1, &buf), -EBADF);
	assert_int_equal(dmaheap_import(f->ctx, 1000000, &buf), -EBADF);
	assert_int_equal(dmaheap_import(f->ctx, pipefd[0], &buf), -EBADFD);
	assert_int_equal(dmaheap_import(f->ctx, sv[0], &buf), -EBADFD);
	assert_int_equal(dmaheap_import(f->ctx, file, &buf), -EBADFD);
	assert_int_equal(dmaheap_import(f->ctx, memfd, &buf), -EBADFD);
	assert_int_equal(dmaheap_import(f->ctx, 0, NULL), -EINVAL);
	assert_null(buf);
	assert_int_equal(count_open_fds(), before);
	close(pipefd[0]);
	close(pipefd[1]);
	close(sv[0]);
	close(sv[1]);
	close(file);
	close(memfd);
}

static void test_import_injected_failures(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);
	int before = count_open_fds();

	assert_true(fd >= 0);
	/* F_GETFL passes, F_DUPFD_CLOEXEC fails. */
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_FCNTL, 1, 1,
					     EMFILE), 0);
	assert_int_equal(dmaheap_import(f->ctx, fd, &buf), -EMFILE);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_LSEEK, 0, 1,
					     EIO), 0);
	assert_int_equal(dmaheap_import(f->ctx, fd, &buf), -EIO);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_FSTATFS, 0, 1,
					     EIO), 0);
	assert_int_equal(dmaheap_import(f->ctx, fd, &buf), -EIO);
	assert_null(buf);
	assert_int_equal(count_open_fds(), before);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_buffer),
		FIXTURE_TEST(test_fd_and_dup),
		FIXTURE_TEST(test_set_name),
		FIXTURE_TEST(test_map_is_refcounted),
		FIXTURE_TEST(test_map_failures),
		FIXTURE_TEST(test_unmap_failure_keeps_mapping),
		FIXTURE_TEST(test_free_munmap_failure),
		FIXTURE_TEST(test_free_cleans_up),
		FIXTURE_TEST(test_import),
		FIXTURE_TEST(test_import_read_only),
		FIXTURE_TEST(test_import_rejects_non_dmabuf),
		FIXTURE_TEST(test_import_injected_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
