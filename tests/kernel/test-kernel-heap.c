/* SPDX-License-Identifier: MIT */
/*
 * Every public function of libdmaheap against the real system heap
 * (/dev/dma_heap/system), checked by what the kernel shows from outside the
 * library: fdinfo, fcntl flags, lseek sizes, mappings of other fds.
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77.
 * Every test's teardown checks that the process has as many fds as before.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "kutil.h"

#define MiB (1024u * 1024u)
#define ZEROED_ROUNDS 32 /* buffers per round of the zeroing check */


static struct dmaheap_buf *alloc_sys(struct dmaheap_ctx *ctx, size_t size)
{
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc(ctx, "system", size, 0, &buf), 0);
	assert_non_null(buf);
	return buf;
}

static void assert_fdinfo_size(int fd, size_t size)
{
	char want[32];

	snprintf(want, sizeof(want), "%zu", size);
	kt_assert_fdinfo(fd, "size", want);
}

/* ------------------------------------------------------------------------ */
/* Contexts                                                                  */
/* ------------------------------------------------------------------------ */

static void test_ctx_new_default_dir(void **state)
{
	const char *env = secure_getenv("DMAHEAP_DIR");
	struct dmaheap_ctx *ctx = NULL;
	int fds = kt_count_fds();

	(void)state;
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_string_equal(dmaheap_ctx_heap_dir(ctx),
			    env && *env ? env : KT_HEAP_DIR);
	/* Heap nodes are opened lazily: a new context holds no fd. */
	assert_no_fd_leak(fds);
	dmaheap_ctx_free(ctx);
	dmaheap_ctx_free(NULL);
	assert_null(dmaheap_ctx_heap_dir(NULL));
	assert_ret(dmaheap_ctx_new(NULL), -EINVAL);
}

static void test_ctx_new_with_options(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;
	char dir[] = KT_HEAP_DIR;

	(void)state;
	o.heap_dir = dir;
	o.flags = DMAHEAP_CTX_NO_ENV;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	/* The string was copied: scribbling on ours changes nothing. */
	dir[1] = 'X';
	assert_string_equal(dmaheap_ctx_heap_dir(ctx), KT_HEAP_DIR);
	assert_ret(dmaheap_has_heap(ctx, "system"), 1);
	dmaheap_ctx_free(ctx);

	ctx = NULL;
	assert_ret(dmaheap_ctx_new_with(NULL, &ctx), 0);
	assert_non_null(ctx);
	dmaheap_ctx_free(ctx);

	o.flags = 1u << 30;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), -EINVAL);
}

/* Buffers keep the context (and its heap fd) alive after ctx_free. */
static void test_buffer_outlives_ctx(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf;
	int fds = kt_count_fds();
	uint8_t *p;

	(void)state;
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	buf = alloc_sys(ctx, 4096);
	dmaheap_ctx_free(ctx);
	/* Still two fds: the cached heap node and the buffer. */
	assert_int_equal(kt_count_fds(), fds + 2);
	p = kt_map_buf(buf);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	p[0] = 0x5a;
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
	assert_no_fd_leak(fds);
}

/* ------------------------------------------------------------------------ */
/* Heap discovery                                                            */
/* ------------------------------------------------------------------------ */

/* Whether /dev/dma_heap/@name exists. */
static bool heap_node_exists(const char *name)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", KT_HEAP_DIR, name);
	return lstat(path, &st) == 0;
}

/* Entries of /dev/dma_heap not starting with '.', as the library counts. */
static int count_heap_nodes(void)
{
	DIR *d = opendir(KT_HEAP_DIR);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_heap_list(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;
	int n = dmaheap_heap_list(f->ctx, &list);
	int system = -1, nodes = 0;

	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		print_message("heap %s: %s\n", list[i].name,
			      dmaheap_strerror(list[i].error));
		if (i > 0)
			assert_true(strcmp(list[i - 1].name, list[i].name) < 0);
		if (strcmp(list[i].name, "system") == 0)
			system = i;
		/* Besides the nodes, only the udmabuf pseudo-heap. */
		if (heap_node_exists(list[i].name))
			nodes++;
		else
			assert_string_equal(list[i].name, "udmabuf");
	}
	assert_int_equal(nodes, count_heap_nodes());
	assert_true(system >= 0);
	assert_ret(list[system].error, 0);
	dmaheap_heap_list_free(list);
	dmaheap_heap_list_free(NULL);
}

/* No heap directory: -ENOENT, unless the udmabuf pseudo-heap can serve. */
static void test_heap_list_missing_dir(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx = NULL;
	bool udmabuf = access("/dev/udmabuf", F_OK) == 0;

	(void)state;
	o.heap_dir = "/nonexistent-dmaheap-dir";
	o.udmabuf_dev = "/nonexistent-udmabuf";
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_ret(dmaheap_heap_list(ctx, &list), -ENOENT);
	assert_null(list);
	assert_ret(dmaheap_has_heap(ctx, "system"), 0);
	dmaheap_ctx_free(ctx);

	o.udmabuf_dev = NULL;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	if (udmabuf) {
		assert_ret(dmaheap_heap_list(ctx, &list), 1);
		assert_string_equal(list[0].name, "udmabuf");
		assert_ret(list[0].error, 0);
		dmaheap_heap_list_free(list);
	} else {
		assert_ret(dmaheap_heap_list(ctx, &list), -ENOENT);
	}
	dmaheap_ctx_free(ctx);

	o.heap_dir = "/dev/null";
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_ret(dmaheap_heap_list(ctx, &list), -ENOTDIR);
	dmaheap_ctx_free(ctx);
}

static void test_heap_open(void **state)
{
	struct kt_fixture *f = *state;
	int fds = kt_count_fds();

	assert_ret(dmaheap_heap_open(f->ctx, "system"), 0);
	assert_int_equal(kt_count_fds(), fds + 1);
	/* Cached: opening again costs no fd. */
	assert_ret(dmaheap_heap_open(f->ctx, "system"), 0);
	assert_int_equal(kt_count_fds(), fds + 1);
	assert_ret(dmaheap_heap_open(f->ctx, "no-such-heap"), -ENOENT);
	assert_ret(dmaheap_heap_open(f->ctx, ""), -EINVAL);
	assert_ret(dmaheap_heap_open(f->ctx, "../dma_heap/system"), -EINVAL);
	assert_ret(dmaheap_heap_open(f->ctx, ".system"), -EINVAL);
	assert_ret(dmaheap_heap_open(NULL, "system"), -EINVAL);
	assert_int_equal(kt_count_fds(), fds + 1);
}

static void test_has_heap(void **state)
{
	struct kt_fixture *f = *state;

	assert_ret(dmaheap_has_heap(f->ctx, "system"), 1);
	assert_ret(dmaheap_has_heap(f->ctx, "no-such-heap"), 0);
	assert_ret(dmaheap_has_heap(f->ctx, ""), -EINVAL);
	assert_ret(dmaheap_has_heap(f->ctx, "a/b"), -EINVAL);
}

/* A heap directory of our own: a symlink to the real heap, a plain file
 * and a character device that is not a heap (/dev/null). */
struct odd_dir {
	char path[64];
	char files[3][96];
};

static void odd_dir_make(struct odd_dir *d)
{
	int fd;

	strcpy(d->path, "/tmp/dmaheap-kt-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->files[0], sizeof(d->files[0]), "%s/sys", d->path);
	snprintf(d->files[1], sizeof(d->files[1]), "%s/plain", d->path);
	snprintf(d->files[2], sizeof(d->files[2]), "%s/null", d->path);
	assert_int_equal(symlink(KT_SYSTEM_HEAP, d->files[0]), 0);
	fd = open(d->files[1], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlink("/dev/null", d->files[2]), 0);
}

static void odd_dir_remove(struct odd_dir *d)
{
	for (int i = 0; i < 3; i++)
		unlink(d->files[i]);
	rmdir(d->path);
}

static void test_heap_dir_odd_nodes(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	const char *chain[] = { "null", "sys" };
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	struct odd_dir d;

	(void)state;
	odd_dir_make(&d);
	o.heap_dir = d.path;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_ret(dmaheap_heap_open(ctx, "plain"), -ENOTTY);
	assert_ret(dmaheap_heap_open(ctx, "sys"), 0);
	/* /dev/null is a character device, but not of the dma_heap class:
	 * refused without being opened; the chain moves on to the next heap. */
	assert_ret(dmaheap_heap_open(ctx, "null"), -ENOTTY);
	assert_ret(dmaheap_alloc(ctx, "null", 4096, 0, &buf), -ENOTTY);
	assert_ret(dmaheap_alloc_from(ctx, chain, 2, 4096, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "sys");
	kt_assert_fdinfo(dmaheap_buf_fd(buf), "exp_name", "system");
	kt_assert_fdinfo(dmaheap_buf_fd(buf), "name", "sys");
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	odd_dir_remove(&d);
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */
/* ------------------------------------------------------------------------ */

/* What the kernel says about a fresh buffer fd of @size from the system
 * heap, auto-named unless @name is NULL. */
static void assert_fresh_fd(int fd, size_t size, const char *name)
{
	assert_true(fd >= 0);
	assert_int_equal(kt_fd_size(fd), (int64_t)size);
	assert_int_equal(kt_accmode(fd), O_RDWR);
	assert_int_equal(kt_cloexec(fd), 1);
	assert_fdinfo_size(fd, size);
	kt_assert_fdinfo(fd, "exp_name", "system");
	kt_assert_fdinfo(fd, "name", name);
}

static void test_alloc_rounds_to_page(void **state)
{
	struct kt_fixture *f = *state;
	size_t page = kt_page_size();
	struct dmaheap_buf *buf = alloc_sys(f->ctx, 1);

	assert_int_equal(dmaheap_buf_size(buf), page);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	assert_fresh_fd(dmaheap_buf_fd(buf), page, "system");
	dmaheap_buf_free(buf);

	buf = alloc_sys(f->ctx, 3 * page + 1);
	assert_int_equal(dmaheap_buf_size(buf), 4 * page);
	assert_fresh_fd(dmaheap_buf_fd(buf), 4 * page, "system");
	dmaheap_buf_free(buf);
}

static void test_alloc_no_name(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct kt_fixture *f = *state;
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	size_t page = kt_page_size();

	assert_ret(dmaheap_alloc(f->ctx, "system", page, DMAHEAP_ALLOC_NO_NAME,
				 &buf), 0);
	assert_fresh_fd(dmaheap_buf_fd(buf), page, NULL);
	dmaheap_buf_free(buf);

	o.flags = DMAHEAP_CTX_NO_AUTONAME;
	assert_ret(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "system", page, 0, &buf), 0);
	assert_fresh_fd(dmaheap_buf_fd(buf), page, NULL);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

static void test_alloc_fd(void **state)
{
	struct kt_fixture *f = *state;
	size_t page = kt_page_size();
	int fd = dmaheap_alloc_fd(f->ctx, "system", 2 * page - 7, 0);

	assert_fresh_fd(fd, 2 * page, "system");
	close(fd);
	fd = dmaheap_alloc_fd(f->ctx, "system", page, DMAHEAP_ALLOC_NO_NAME);
	assert_fresh_fd(fd, page, NULL);
	close(fd);
	assert_ret(dmaheap_alloc_fd(f->ctx, "no-such-heap", page, 0), -ENOENT);
}

static void test_alloc_from_skips_absent(void **state)
{
	struct kt_fixture *f = *state;
	const char *chain[] = { "no-such-heap", "system" };
	const char *absent[] = { "absent-a", "absent-b" };
	struct dmaheap_buf *buf = NULL;
	int fds = kt_count_fds();

	assert_ret(dmaheap_alloc_from(f->ctx, chain, 2, 1 * MiB, 0, &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	assert_fresh_fd(dmaheap_buf_fd(buf), 1 * MiB, "system");
	dmaheap_buf_free(buf);
	buf = NULL;
	assert_ret(dmaheap_alloc_from(f->ctx, absent, 2, 4096, 0, &buf),
		   -ENOENT);
	assert_null(buf);
	/* Only the cached system heap fd remains. */
	assert_int_equal(kt_count_fds(), fds + 1);
}

/* ------------------------------------------------------------------------ */
/* Import, fds, names                                                        */
/* ------------------------------------------------------------------------ */

/* Writes through the library's mapping of @buf, reads through a mapping of
 * @fd made here: the two must be the same memory. */
static void assert_shared_memory(struct dmaheap_buf *buf, int fd,
				 uint32_t seed)
{
	size_t size = dmaheap_buf_size(buf);
	uint8_t *p = kt_map_buf(buf);
	uint8_t *q;

	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(p, size, seed);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	q = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(q != MAP_FAILED);
	assert_ret(dmaheap_sync_start(NULL, fd, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_check_pattern(q, size, seed), size);
	assert_ret(dmaheap_sync_end(NULL, fd, DMAHEAP_ACCESS_READ), 0);
	munmap(q, size);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

static void test_import_alloc_fd(void **state)
{
	struct kt_fixture *f = *state;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 64 * 1024, 0);
	struct dmaheap_buf *buf = NULL;

	assert_true(fd >= 0);
	assert_ret(dmaheap_import(f->ctx, fd, &buf), 0);
	assert_true(dmaheap_buf_fd(buf) != fd);
	assert_true(kt_same_file(dmaheap_buf_fd(buf), fd));
	assert_int_equal(kt_cloexec(dmaheap_buf_fd(buf)), 1);
	assert_int_equal(dmaheap_buf_size(buf), 64 * 1024);
	assert_null(dmaheap_buf_heap_name(buf));
	assert_shared_memory(buf, fd, 11);
	dmaheap_buf_free(buf);
	/* The caller's fd was not consumed. */
	assert_int_equal(kt_fd_size(fd), 64 * 1024);
	close(fd);
}

/* A dma-buf fd with access mode @accmode, straight from the kernel. */
static int raw_alloc_mode(size_t len, int accmode)
{
	struct dma_heap_allocation_data d = {
		.len = len,
		.fd_flags = (__u32)accmode | O_CLOEXEC,
	};
	int hfd = open(KT_SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);

	assert_true(hfd >= 0);
	assert_syscall_ok(ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d));
	close(hfd);
	return (int)d.fd;
}

/* The kernel refuses a writable shared mapping of a read-only dma-buf fd;
 * the library must notice the access mode and map read-only. */
static void test_import_read_only(void **state)
{
	struct kt_fixture *f = *state;
	size_t page = kt_page_size();
	int fd = raw_alloc_mode(page, O_RDONLY);
	struct dmaheap_buf *buf = NULL;
	uint8_t *p;

	assert_int_equal(kt_accmode(fd), O_RDONLY);
	assert_syscall_err(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, 0) == MAP_FAILED ? -1 : 0, EACCES);
	assert_ret(dmaheap_import(f->ctx, fd, &buf), 0);
	p = kt_map_buf(buf);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_find_not(p, page, 0), page);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	dmaheap_buf_free(buf);
	close(fd);
}

/* mmap needs read access to the file whatever the protection: a write-only
 * dma-buf imports fine but cannot be mapped (-EACCES, as documented). */
static void test_import_write_only(void **state)
{
	struct kt_fixture *f = *state;
	int fd = raw_alloc_mode(kt_page_size(), O_WRONLY);
	struct dmaheap_buf *buf = NULL;
	void *p = NULL;

	assert_int_equal(kt_accmode(fd), O_WRONLY);
	assert_ret(dmaheap_import(f->ctx, fd, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), kt_page_size());
	assert_ret(dmaheap_buf_map(buf, &p), -EACCES);
	assert_null(p);
	/* CPU-access brackets do not depend on the access mode. */
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	dmaheap_buf_free(buf);
	close(fd);
}

static void test_dup_fd(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = alloc_sys(f->ctx, kt_page_size());
	int fd = dmaheap_buf_fd(buf);
	int dup = dmaheap_buf_dup_fd(buf);

	assert_true(dup >= 0 && dup != fd);
	assert_int_equal(kt_cloexec(dup), 1);
	assert_true(kt_same_file(fd, dup));
	/* A name is a property of the dma-buf, visible through every fd. */
	assert_ret(dmaheap_buf_set_name(buf, "via-buf"), 0);
	kt_assert_fdinfo(dup, "name", "via-buf");
	dmaheap_buf_free(buf);
	assert_fdinfo_size(dup, kt_page_size());
	kt_assert_fdinfo(dup, "count", "1");
	close(dup);
	assert_ret(dmaheap_buf_fd(NULL), -EINVAL);
	assert_ret(dmaheap_buf_dup_fd(NULL), -EINVAL);
}

static void test_set_name_fdinfo(void **state)
{
	struct kt_fixture *f = *state;
	static const char max_name[] = "0123456789abcdef0123456789abcde";
	struct dmaheap_buf *buf = alloc_sys(f->ctx, 2 * kt_page_size());
	int fd = dmaheap_buf_fd(buf);
	char too_long[DMAHEAP_NAME_MAX + 2];

	assert_int_equal(strlen(max_name), DMAHEAP_NAME_MAX);
	kt_assert_fdinfo(fd, "name", "system");
	kt_assert_fdinfo(fd, "exp_name", "system");
	assert_fdinfo_size(fd, 2 * kt_page_size());
	assert_ret(dmaheap_buf_set_name(buf, "kernel-test"), 0);
	kt_assert_fdinfo(fd, "name", "kernel-test");
	assert_ret(dmaheap_buf_set_name(buf, max_name), 0);
	kt_assert_fdinfo(fd, "name", max_name);
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	assert_ret(dmaheap_buf_set_name(buf, too_long), -ENAMETOOLONG);
	kt_assert_fdinfo(fd, "name", max_name);
	/* Naming changes neither the exporter's name nor the size. */
	kt_assert_fdinfo(fd, "exp_name", "system");
	assert_fdinfo_size(fd, 2 * kt_page_size());
	assert_ret(dmaheap_buf_set_name(buf, NULL), -EINVAL);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* Mapping and CPU access                                                    */
/* ------------------------------------------------------------------------ */

static void test_map_unmap(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = alloc_sys(f->ctx, 3 * kt_page_size());
	void *p = kt_map_buf(buf);
	void *q = kt_map_buf(buf);

	/* Counted: one mmap, the same address for both. */
	assert_ptr_equal(p, q);
	assert_true(kt_is_mapped(p));
	assert_ret(dmaheap_buf_unmap(buf), 0);
	assert_true(kt_is_mapped(p));
	assert_ret(dmaheap_buf_unmap(buf), 0);
	assert_false(kt_is_mapped(p));
	assert_ret(dmaheap_buf_unmap(buf), -EINVAL);
	/* Freeing a mapped buffer unmaps it. */
	p = kt_map_buf(buf);
	dmaheap_buf_free(buf);
	assert_false(kt_is_mapped(p));
}

static void cpu_write(struct dmaheap_buf *buf, unsigned int access,
		      uint32_t seed)
{
	assert_ret(dmaheap_buf_begin_cpu_access(buf, access), 0);
	kt_fill_pattern(kt_map_buf(buf), dmaheap_buf_size(buf), seed);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, access), 0);
}

static void cpu_check(struct dmaheap_buf *buf, unsigned int access,
		      uint32_t seed)
{
	size_t size = dmaheap_buf_size(buf);

	assert_ret(dmaheap_buf_begin_cpu_access(buf, access), 0);
	assert_int_equal(kt_check_pattern(kt_map_buf(buf), size, seed), size);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, access), 0);
}

static void test_cpu_access_patterns(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = alloc_sys(f->ctx, 1 * MiB);
	int dup = dmaheap_buf_dup_fd(buf);
	uint8_t *other;

	cpu_write(buf, DMAHEAP_ACCESS_WRITE, 1);
	cpu_check(buf, DMAHEAP_ACCESS_READ, 1);
	cpu_check(buf, DMAHEAP_ACCESS_RW, 1);
	cpu_write(buf, DMAHEAP_ACCESS_RW, 2);
	cpu_check(buf, DMAHEAP_ACCESS_READ, 2);
	/* A mapping of another fd sees the last pattern. */
	other = mmap(NULL, 1 * MiB, PROT_READ, MAP_SHARED, dup, 0);
	assert_true(other != MAP_FAILED);
	assert_ret(dmaheap_sync_start(f->ctx, dup, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_check_pattern(other, 1 * MiB, 2), 1 * MiB);
	assert_ret(dmaheap_sync_end(f->ctx, dup, DMAHEAP_ACCESS_READ), 0);
	munmap(other, 1 * MiB);
	close(dup);
	dmaheap_buf_free(buf);
}

static void test_cpu_access_pairing(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = alloc_sys(f->ctx, 4096);

	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), -EINVAL);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, 0), -EINVAL);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, 4), -EINVAL);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), -EINVAL);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	/* Begins nest. */
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), -EINVAL);
	/* Freeing inside an access ends it (the kernel must not complain). */
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	dmaheap_buf_free(buf);
}

/* The raw-fd variants, on the library's fd and on other files. */
static void test_sync_raw_fd(void **state)
{
	static const unsigned int access[] = {
		DMAHEAP_ACCESS_READ, DMAHEAP_ACCESS_WRITE, DMAHEAP_ACCESS_RW,
	};
	struct kt_fixture *f = *state;
	int fd = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);
	int pipe_fd = kt_pipe_fd();

	assert_true(fd >= 0 && pipe_fd >= 0);
	for (size_t i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
		assert_ret(dmaheap_sync_start(f->ctx, fd, access[i]), 0);
		assert_ret(dmaheap_sync_end(f->ctx, fd, access[i]), 0);
		assert_ret(dmaheap_sync_start(NULL, fd, access[i]), 0);
		assert_ret(dmaheap_sync_end(NULL, fd, access[i]), 0);
	}
	/* The system heap keeps no pairing state: END alone is accepted. */
	assert_ret(dmaheap_sync_end(f->ctx, fd, DMAHEAP_ACCESS_RW), 0);
	assert_ret(dmaheap_sync_start(f->ctx, fd, 0), -EINVAL);
	assert_ret(dmaheap_sync_start(f->ctx, pipe_fd, DMAHEAP_ACCESS_READ),
		   -EBADFD);
	assert_ret(dmaheap_sync_end(f->ctx, pipe_fd, DMAHEAP_ACCESS_READ),
		   -EBADFD);
	assert_ret(dmaheap_sync_start(f->ctx, -1, DMAHEAP_ACCESS_READ), -EBADF);
	close(pipe_fd);
	close(fd);
	assert_ret(dmaheap_sync_start(f->ctx, fd, DMAHEAP_ACCESS_READ), -EBADF);
}

static void test_sync_file(void **state)
{
	static const unsigned int access[] = {
		DMAHEAP_ACCESS_READ, DMAHEAP_ACCESS_WRITE, DMAHEAP_ACCESS_RW,
	};
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = alloc_sys(f->ctx, 4096);
	int pipe_fd = kt_pipe_fd();
	int sync_fd = -1;

	for (size_t i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
		assert_ret(dmaheap_buf_export_sync_file(buf, access[i],
							&sync_fd), 0);
		assert_true(sync_fd >= 0);
		assert_int_equal(kt_cloexec(sync_fd), 1);
		/* No fence attached: the stub fence is already signalled. */
		assert_int_equal(kt_poll_now(sync_fd, POLLIN), POLLIN);
		assert_ret(dmaheap_buf_import_sync_file(buf, access[i],
							sync_fd), 0);
		close(sync_fd);
	}
	assert_ret(dmaheap_buf_export_sync_file(buf, 0, &sync_fd), -EINVAL);
	assert_ret(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_READ,
						pipe_fd), -EINVAL);
	assert_ret(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_READ, -1),
		   -EBADF);
	close(pipe_fd);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* Zeroing (the kernel selftest's check, redone)                             */
/* ------------------------------------------------------------------------ */

static void fill_and_free(struct dmaheap_ctx *ctx, size_t size, uint8_t v)
{
	struct dmaheap_buf *bufs[ZEROED_ROUNDS];

	for (int i = 0; i < ZEROED_ROUNDS; i++) {
		bufs[i] = alloc_sys(ctx, size);
		assert_ret(dmaheap_buf_begin_cpu_access(bufs[i],
							DMAHEAP_ACCESS_WRITE), 0);
		memset(kt_map_buf(bufs[i]), v, size);
		assert_ret(dmaheap_buf_end_cpu_access(bufs[i],
						      DMAHEAP_ACCESS_WRITE), 0);
	}
	for (int i = 0; i < ZEROED_ROUNDS; i++)
		dmaheap_buf_free(bufs[i]);
}

static void alloc_and_check_zero(struct dmaheap_ctx *ctx, size_t size)
{
	struct dmaheap_buf *bufs[ZEROED_ROUNDS];

	for (int i = 0; i < ZEROED_ROUNDS; i++)
		bufs[i] = alloc_sys(ctx, size);
	for (int i = 0; i < ZEROED_ROUNDS; i++) {
		size_t at;

		assert_ret(dmaheap_buf_begin_cpu_access(bufs[i],
							DMAHEAP_ACCESS_READ), 0);
		at = kt_find_not(kt_map_buf(bufs[i]), size, 0);
		if (at != size)
			fail_msg("buffer %d of %zu bytes: byte %zu is not 0", i,
				 size, at);
		assert_ret(dmaheap_buf_end_cpu_access(bufs[i],
						      DMAHEAP_ACCESS_READ), 0);
	}
	for (int i = 0; i < ZEROED_ROUNDS; i++)
		dmaheap_buf_free(bufs[i]);
}

static void test_zeroed_4k(void **state)
{
	struct kt_fixture *f = *state;

	fill_and_free(f->ctx, kt_page_size(), 0xff);
	alloc_and_check_zero(f->ctx, kt_page_size());
}

static void test_zeroed_1m(void **state)
{
	struct kt_fixture *f = *state;

	fill_and_free(f->ctx, 1 * MiB, 0xff);
	alloc_and_check_zero(f->ctx, 1 * MiB);
}

/* ------------------------------------------------------------------------ */
/* Accounting and messages                                                   */
/* ------------------------------------------------------------------------ */

static void assert_stats(struct dmaheap_ctx *ctx, const char *heap,
			 uint64_t live, uint64_t bytes, uint64_t peak,
			 uint64_t allocs, uint64_t fails)
{
	struct dmaheap_stats s;

	assert_ret(dmaheap_ctx_stats(ctx, heap, &s), 0);
	assert_int_equal(s.live_buffers, live);
	assert_int_equal(s.live_bytes, bytes);
	assert_int_equal(s.peak_bytes, peak);
	assert_int_equal(s.allocations, allocs);
	assert_int_equal(s.failures, fails);
}

static void test_ctx_stats(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *a, *b, *c = NULL;
	struct dmaheap_stats s;
	size_t p = kt_page_size();
	int fd;

	assert_stats(f->ctx, NULL, 0, 0, 0, 0, 0);
	assert_ret(dmaheap_ctx_stats(f->ctx, "system", &s), -ENOENT);
	a = alloc_sys(f->ctx, p);
	b = alloc_sys(f->ctx, 2 * p);
	assert_stats(f->ctx, NULL, 2, 3 * p, 3 * p, 2, 0);
	assert_stats(f->ctx, "system", 2, 3 * p, 3 * p, 2, 0);
	dmaheap_buf_free(a);
	assert_stats(f->ctx, "system", 1, 2 * p, 3 * p, 2, 0);
	/* Raw fds count as allocations, not as live buffers. */
	fd = dmaheap_alloc_fd(f->ctx, "system", p, 0);
	assert_true(fd >= 0);
	assert_stats(f->ctx, "system", 1, 2 * p, 3 * p, 3, 0);
	/* Imports are not allocations. */
	assert_ret(dmaheap_import(f->ctx, fd, &c), 0);
	assert_stats(f->ctx, NULL, 1, 2 * p, 3 * p, 3, 0);
	/* A failure on a missing heap counts only in the total. */
	assert_ret(dmaheap_alloc(f->ctx, "no-such-heap", p, 0, &a), -ENOENT);
	assert_stats(f->ctx, NULL, 1, 2 * p, 3 * p, 3, 1);
	assert_stats(f->ctx, "system", 1, 2 * p, 3 * p, 3, 0);
	assert_ret(dmaheap_ctx_stats(f->ctx, "no-such-heap", &s), -ENOENT);
	assert_ret(dmaheap_ctx_stats(NULL, NULL, &s), -EINVAL);
	dmaheap_buf_free(c);
	dmaheap_buf_free(b);
	close(fd);
	assert_stats(f->ctx, NULL, 0, 0, 3 * p, 3, 1);
}

/* Messages for the errors the kernel really produced in this run. */
static void test_strerror(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	int pipe_fd = kt_pipe_fd();
	int errs[4];

	errs[0] = dmaheap_heap_open(f->ctx, "no-such-heap");
	errs[1] = dmaheap_import(f->ctx, pipe_fd, &buf);
	errs[2] = dmaheap_alloc(f->ctx, "system", 0, 0, &buf);
	errs[3] = dmaheap_sync_start(f->ctx, -1, DMAHEAP_ACCESS_READ);
	close(pipe_fd);
	for (int i = 0; i < 4; i++) {
		const char *m = dmaheap_strerror(errs[i]);

		print_message("%s: %s\n", kt_errname(errs[i]), m);
		assert_true(errs[i] < 0);
		assert_true(m[0] != '\0');
		assert_string_not_equal(m, "Unknown error");
		/* Plain errno values work too. */
		assert_string_equal(m, dmaheap_strerror(-errs[i]));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(m, dmaheap_strerror(errs[j]));
	}
	assert_string_equal(dmaheap_strerror(0), "Success");
	assert_string_equal(dmaheap_strerror(-4095), "Unknown error");
	assert_non_null(dmaheap_strerror(INT_MIN));
}

/* ------------------------------------------------------------------------ */
/* Fd hygiene                                                                */
/* ------------------------------------------------------------------------ */

/* One failing call; returns its result. */
typedef int (*error_path_fn)(struct dmaheap_ctx *ctx, struct dmaheap_buf *buf,
			     int pipe_fd);

static int ep_alloc_absent(struct dmaheap_ctx *c, struct dmaheap_buf *b, int p)
{
	(void)b, (void)p;
	return dmaheap_alloc(c, "no-such-heap", 4096, 0, &b);
}

static int ep_alloc_zero(struct dmaheap_ctx *c, struct dmaheap_buf *b, int p)
{
	(void)p;
	return dmaheap_alloc(c, "system", 0, 0, &b);
}

static int ep_alloc_huge(struct dmaheap_ctx *c, struct dmaheap_buf *b, int p)
{
	(void)p;
	return dmaheap_alloc(c, "system", SIZE_MAX, 0, &b);
}

static int ep_alloc_fd_absent(struct dmaheap_ctx *c, struct dmaheap_buf *b,
			      int p)
{
	(void)b, (void)p;
	return dmaheap_alloc_fd(c, "no-such-heap", 4096, 0);
}

static int ep_alloc_from_absent(struct dmaheap_ctx *c, struct dmaheap_buf *b,
				int p)
{
	const char *chain[] = { "absent-a", "absent-b", "absent-c" };

	(void)p;
	return dmaheap_alloc_from(c, chain, 3, 4096, 0, &b);
}

static int ep_import_pipe(struct dmaheap_ctx *c, struct dmaheap_buf *b, int p)
{
	return dmaheap_import(c, p, &b);
}

static int ep_import_heap_node(struct dmaheap_ctx *c, struct dmaheap_buf *b,
			       int p)
{
	int fd = open(KT_SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);
	int r;

	(void)p;
	if (fd < 0)
		return 0; /* not an error path: the test fails */
	r = dmaheap_import(c, fd, &b);
	close(fd);
	return r;
}

static int ep_list_missing(struct dmaheap_ctx *c, struct dmaheap_buf *b, int p)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_heap_info *list;
	struct dmaheap_ctx *ctx;
	int r;

	(void)c, (void)b, (void)p;
	o.heap_dir = "/nonexistent-dmaheap-dir";
	o.udmabuf_dev = "/nonexistent-udmabuf";
	r = dmaheap_ctx_new_with(&o, &ctx);
	if (r)
		return 0;
	r = dmaheap_heap_list(ctx, &list);
	dmaheap_ctx_free(ctx);
	return r;
}

static int ep_heap_open_absent(struct dmaheap_ctx *c, struct dmaheap_buf *b,
			       int p)
{
	(void)b, (void)p;
	return dmaheap_heap_open(c, "no-such-heap");
}

static int ep_set_name_long(struct dmaheap_ctx *c, struct dmaheap_buf *b, int p)
{
	(void)c, (void)p;
	return dmaheap_buf_set_name(b, "0123456789abcdef0123456789abcdef");
}

static int ep_export_sync_bad(struct dmaheap_ctx *c, struct dmaheap_buf *b,
			      int p)
{
	int fd;

	(void)c, (void)p;
	return dmaheap_buf_export_sync_file(b, 8, &fd);
}

static int ep_import_sync_pipe(struct dmaheap_ctx *c, struct dmaheap_buf *b,
			       int p)
{
	(void)c;
	return dmaheap_buf_import_sync_file(b, DMAHEAP_ACCESS_WRITE, p);
}

static int ep_sync_pipe(struct dmaheap_ctx *c, struct dmaheap_buf *b, int p)
{
	(void)b;
	return dmaheap_sync_start(c, p, DMAHEAP_ACCESS_RW);
}

/* The heap takes SYNC (ioctl number 0) for an ALLOC and would leak the
 * buffer it makes; the fd count around this path catches that. */
static int ep_sync_heap_node(struct dmaheap_ctx *c, struct dmaheap_buf *b,
			     int p)
{
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	int r;

	(void)b;
	(void)p;
	if (heap < 0)
		return -errno;
	r = dmaheap_sync_start(c, heap, DMAHEAP_ACCESS_RW);
	close(heap);
	return r;
}

static const struct {
	const char *what;
	error_path_fn fn;
	int want;
} error_paths[] = {
	{ "alloc from a missing heap", ep_alloc_absent, -ENOENT },
	{ "alloc of 0 bytes", ep_alloc_zero, -EINVAL },
	{ "alloc of SIZE_MAX bytes", ep_alloc_huge, -EOVERFLOW },
	{ "alloc_fd from a missing heap", ep_alloc_fd_absent, -ENOENT },
	{ "alloc_from of missing heaps", ep_alloc_from_absent, -ENOENT },
	{ "import of a pipe", ep_import_pipe, -EBADFD },
	{ "import of the heap node", ep_import_heap_node, -EBADFD },
	{ "heap_list of a missing dir", ep_list_missing, -ENOENT },
	{ "heap_open of a missing heap", ep_heap_open_absent, -ENOENT },
	{ "set_name of 32 bytes", ep_set_name_long, -ENAMETOOLONG },
	{ "export_sync_file, bad access", ep_export_sync_bad, -EINVAL },
	{ "import_sync_file of a pipe", ep_import_sync_pipe, -EINVAL },
	{ "sync_start on a pipe", ep_sync_pipe, -EBADFD },
	{ "sync_start on a heap node", ep_sync_heap_node, -EBADFD },
};

static void test_error_paths_keep_fds(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf = alloc_sys(f->ctx, 4096);
	int pipe_fd = kt_pipe_fd();

	assert_true(pipe_fd >= 0);
	for (size_t i = 0; i < sizeof(error_paths) / sizeof(error_paths[0]);
	     i++) {
		int before = kt_count_fds();

		print_message("%s -> %s\n", error_paths[i].what,
			      kt_errname(error_paths[i].want));
		/* Twice: a leak per call would show as a growing count. */
		for (int n = 0; n < 2; n++)
			assert_ret(error_paths[i].fn(f->ctx, buf, pipe_fd),
				   error_paths[i].want);
		if (kt_count_fds() != before)
			fail_msg("%s: %d fds before, %d after",
				 error_paths[i].what, before, kt_count_fds());
	}
	close(pipe_fd);
	dmaheap_buf_free(buf);
}

/* Each fd the library creates, found by comparing /proc/self/fd. */
static void test_all_fds_cloexec(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_buf *buf, *imp = NULL;
	struct kt_fdset before;
	int fds[16], n, heaps, raw, dup, sync_fd = -1;

	kt_fdset_take(&before);
	heaps = dmaheap_heap_list(f->ctx, &list);
	assert_true(heaps >= 1);
	dmaheap_heap_list_free(list);
	buf = alloc_sys(f->ctx, 4096);
	raw = dmaheap_alloc_fd(f->ctx, "system", 4096, 0);
	assert_true(raw >= 0);
	assert_ret(dmaheap_import(f->ctx, raw, &imp), 0);
	dup = dmaheap_buf_dup_fd(buf);
	assert_true(dup >= 0);
	assert_ret(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_RW,
						&sync_fd), 0);
	n = kt_fdset_new(&before, fds, 16);
	/* Buffer, raw fd, import, dup, sync file, and the system heap's node
	 * plus whatever else the listing opened and cached. */
	assert_true(n >= 6 && n <= heaps + 5);
	for (int i = 0; i < n; i++) {
		if (kt_cloexec(fds[i]) != 1)
			fail_msg("fd %d made by the library lacks FD_CLOEXEC",
				 fds[i]);
	}
	close(sync_fd);
	close(dup);
	dmaheap_buf_free(imp);
	close(raw);
	dmaheap_buf_free(buf);
}

#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, kt_fixture_setup, kt_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ctx_new_default_dir),
		T(test_ctx_new_with_options),
		T(test_buffer_outlives_ctx),
		T(test_heap_list),
		T(test_heap_list_missing_dir),
		T(test_heap_open),
		T(test_has_heap),
		T(test_heap_dir_odd_nodes),
		T(test_alloc_rounds_to_page),
		T(test_alloc_no_name),
		T(test_alloc_fd),
		T(test_alloc_from_skips_absent),
		T(test_import_alloc_fd),
		T(test_import_read_only),
		T(test_import_write_only),
		T(test_dup_fd),
		T(test_set_name_fdinfo),
		T(test_map_unmap),
		T(test_cpu_access_patterns),
		T(test_cpu_access_pairing),
		T(test_sync_raw_fd),
		T(test_sync_file),
		T(test_zeroed_4k),
		T(test_zeroed_1m),
		T(test_ctx_stats),
		T(test_strerror),
		T(test_error_paths_keep_fds),
		T(test_all_fds_cloexec),
	};

	kt_require_system_heap();
	return cmocka_run_group_tests_name("kernel-heap", tests, NULL, NULL);
}
