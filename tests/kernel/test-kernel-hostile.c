/* SPDX-License-Identifier: MIT */
/*
 * Hostile inputs where only the kernel can tell: imports of every kind of
 * fd that is not a dma-buf, and of dma-bufs that did not come from a heap;
 * a heap directory holding regular files, FIFOs and symlinks to other
 * character devices; hostile names and sizes against the real system heap;
 * access flags out of range. Each case has its documented error, does not
 * hang, and leaks nothing (the fixture counts fds).
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kutil.h"
#include "kvgem.h"

#include <xf86drm.h>

static int setup(void **state)
{
	/* A FIFO opened for reading would block forever: fail instead. */
	alarm(60);
	return kt_fixture_setup(state);
}

static int teardown(void **state)
{
	alarm(0);
	return kt_fixture_teardown(state);
}

static void expect_import(struct dmaheap_ctx *ctx, int fd, int want,
			  const char *what)
{
	struct dmaheap_buf *buf = NULL;
	int r = dmaheap_import(ctx, fd, &buf);

	if (r != want)
		fail_msg("import of %s: got %d (%s), want %d (%s)", what, r,
			 kt_errname(r), want, kt_errname(want));
	assert_null(buf);
}

static void test_import_non_dmabufs(void **state)
{
	struct kt_fixture *f = *state;
	int sv[2], fd;

	fd = kt_pipe_fd();
	expect_import(f->ctx, fd, -EBADFD, "a pipe");
	close(fd);
	assert_syscall_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	expect_import(f->ctx, sv[0], -EBADFD, "a socket");
	close(sv[0]);
	close(sv[1]);
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	expect_import(f->ctx, fd, -EBADFD, "a directory");
	close(fd);
	fd = memfd_create("hostile", MFD_CLOEXEC);
	assert_syscall_ok(ftruncate(fd, 4096));
	expect_import(f->ctx, fd, -EBADFD, "a memfd");
	close(fd);
	fd = open(KT_SYSTEM_HEAP, O_PATH | O_CLOEXEC);
	expect_import(f->ctx, fd, -EBADFD, "an O_PATH fd of a heap node");
	close(fd);
	fd = open(KT_SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);
	expect_import(f->ctx, fd, -EBADFD, "a heap node");
	close(fd);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	close(fd);
	expect_import(f->ctx, fd, -EBADF, "a closed fd");
	expect_import(f->ctx, -1, -EBADF, "fd -1");
}

/* Dma-bufs from udmabuf and vgem import, map and sync like heap ones. */
static void use_import(struct dmaheap_ctx *ctx, int fd)
{
	struct dmaheap_buf *buf = NULL;
	void *p;

	assert_ret(dmaheap_import(ctx, fd, &buf), 0);
	assert_true(dmaheap_buf_size(buf) >= 4096);
	assert_null(dmaheap_buf_heap_name(buf));
	assert_ret(dmaheap_buf_map(buf, &p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	kt_fill_pattern(p, 4096, 3);
	assert_int_equal(kt_check_pattern(p, 4096, 3), 4096);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	dmaheap_buf_free(buf);
}

static void test_import_foreign_dmabufs(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *ubuf = NULL;
	int drm = kt_open_vgem(), fd, r;

	r = dmaheap_alloc(f->ctx, "udmabuf", 65536, 0, &ubuf);
	if (r == 0) {
		fd = dmaheap_buf_dup_fd(ubuf);
		dmaheap_buf_free(ubuf);
		use_import(f->ctx, fd);
		close(fd);
	} else {
		printf("no udmabuf here (%s): that import is not tried\n",
		       kt_errname(r));
	}
	if (drm >= 0) {
		struct drm_mode_create_dumb c = { .width = 64, .height = 64,
						  .bpp = 32 };

		assert_syscall_ok(drmIoctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &c));
		assert_syscall_ok(drmPrimeHandleToFD(drm, c.handle,
						     DRM_CLOEXEC | DRM_RDWR, &fd));
		use_import(f->ctx, fd);
		close(fd);
		kt_gem_close(drm, c.handle);
		close(drm);
	} else {
		printf("no vgem here: that import is not tried\n");
	}
}

/* A heap directory of things that are not heaps. */
static void test_heap_dir_of_impostors(void **state)
{
	static const struct { const char *name; int want; } cases[] = {
		{ "regular", -ENOTTY }, { "fifo", -ENOTTY },
		{ "zero", -ENOTTY }, { "null", -ENOTTY },
		{ "watchdog", -ENOTTY }, { "dangling", -ENOENT },
		{ "subdir", -ENOTTY }, { "system", 0 },
	};
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	char dir[] = "/tmp/hostile-XXXXXX", path[128], target[128];
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx;
	struct stat st;
	int fd, n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/regular", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	close(fd);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_syscall_ok(mkfifo(path, 0644));
	snprintf(path, sizeof(path), "%s/zero", dir);
	assert_syscall_ok(symlink("/dev/zero", path));
	snprintf(path, sizeof(path), "%s/null", dir);
	assert_syscall_ok(symlink("/dev/null", path));
	snprintf(path, sizeof(path), "%s/watchdog", dir);
	assert_syscall_ok(symlink("/dev/watchdog", path));
	/* The target is inside our own fresh directory, so it cannot exist
	 * whatever else the machine holds. */
	snprintf(target, sizeof(target), "%s/never-created", dir);
	snprintf(path, sizeof(path), "%s/dangling", dir);
	assert_syscall_ok(symlink(target, path));
	snprintf(path, sizeof(path), "%s/subdir", dir);
	assert_syscall_ok(mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/system", dir);
	assert_syscall_ok(symlink(KT_SYSTEM_HEAP, path));
	/* /dev/watchdog may be absent; then that link dangles. */
	bool watchdog = stat("/dev/watchdog", &st) == 0;

	o.heap_dir = dir;
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int want = cases[i].want;

		if (strcmp(cases[i].name, "watchdog") == 0 && !watchdog)
			want = -ENOENT;
		int r = dmaheap_heap_open(ctx, cases[i].name);

		if (r != want)
			fail_msg("heap node '%s': got %d (%s), want %d (%s)",
				 cases[i].name, r, kt_errname(r), want,
				 kt_errname(want));
	}
	n = dmaheap_heap_list(ctx, &list);
	assert_true(n >= 8);
	for (int i = 0; i < n; i++)
		if (strcmp(list[i].name, "system") == 0)
			assert_int_equal(list[i].error, 0);
		else if (strcmp(list[i].name, "udmabuf") != 0)
			assert_true(list[i].error < 0);
	dmaheap_heap_list_free(list);
	dmaheap_ctx_free(ctx);

	static const char *const names[] = {
		"regular", "fifo", "zero", "null", "watchdog", "dangling",
		"system",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/subdir", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_hostile_names(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	char longname[300];

	memset(longname, 'a', 256);
	longname[256] = '\0';
	assert_ret(dmaheap_alloc(f->ctx, "../dma_heap/system", 4096, 0, &buf),
		   -EINVAL);
	assert_ret(dmaheap_alloc(f->ctx, "..", 4096, 0, &buf), -EINVAL);
	assert_ret(dmaheap_alloc(f->ctx, "a/b", 4096, 0, &buf), -EINVAL);
	assert_ret(dmaheap_alloc(f->ctx, longname, 4096, 0, &buf), -EINVAL);
	longname[255] = '\0';
	assert_ret(dmaheap_alloc(f->ctx, longname, 4096, 0, &buf), -ENOENT);
	assert_ret(dmaheap_alloc(f->ctx, "\xff\xfe\x80", 4096, 0, &buf),
		   -ENOENT);
	assert_ret(dmaheap_heap_open(f->ctx, "system\n"), -ENOENT);
	assert_null(buf);
}

static void test_hostile_sizes(void **state)
{
	struct kt_fixture *f = *state;
	size_t page = kt_page_size();
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc(f->ctx, "system", 0, 0, &buf), -EINVAL);
	assert_ret(dmaheap_alloc(f->ctx, "system", 1, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), page);
	dmaheap_buf_free(buf);
	assert_ret(dmaheap_alloc(f->ctx, "system", page - 1, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), page);
	dmaheap_buf_free(buf);
	assert_ret(dmaheap_alloc(f->ctx, "system", page + 1, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), 2 * page);
	dmaheap_buf_free(buf);
	buf = NULL;
	assert_ret(dmaheap_alloc(f->ctx, "system", SIZE_MAX, 0, &buf),
		   -EOVERFLOW);
	/* Rounds to a valid size, far beyond RAM: refused before the kernel
	 * could have the OOM killer act. */
	assert_ret(dmaheap_alloc(f->ctx, "system", SIZE_MAX - page, 0, &buf),
		   -ENOMEM);
	assert_null(buf);
}

static void test_access_out_of_range(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int fd = -1;

	assert_ret(dmaheap_alloc(f->ctx, "system", 4096, 0, &buf), 0);
	for (unsigned int a = 0; a < 64; a += (a < 8 ? 1 : 7)) {
		int want = (a >= 1 && a <= 3) ? 0 : -EINVAL;

		assert_ret(dmaheap_buf_begin_cpu_access(buf, a), want);
		if (want == 0)
			assert_ret(dmaheap_buf_end_cpu_access(buf, a), 0);
		else
			assert_ret(dmaheap_buf_end_cpu_access(buf, a), -EINVAL);
		assert_ret(dmaheap_sync_start(f->ctx, dmaheap_buf_fd(buf), a),
			   want);
		if (want == 0)
			assert_ret(dmaheap_sync_end(f->ctx, dmaheap_buf_fd(buf),
						    a), 0);
	}
	assert_ret(dmaheap_buf_begin_cpu_access(buf, ~0u), -EINVAL);
	assert_ret(dmaheap_buf_export_sync_file(buf, 0, &fd), -EINVAL);
	assert_ret(dmaheap_buf_export_sync_file(buf, 4, &fd), -EINVAL);
	assert_int_equal(fd, -1);
	dmaheap_buf_free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_import_non_dmabufs),
		T(test_import_foreign_dmabufs),
		T(test_heap_dir_of_impostors),
		T(test_hostile_names),
		T(test_hostile_sizes),
		T(test_access_out_of_range),
	};

	kt_require_system_heap();
	return cmocka_run_group_tests_name("kernel-hostile", tests, NULL, NULL);
}
