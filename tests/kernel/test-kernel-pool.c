/* SPDX-License-Identifier: MIT */
/*
 * The recycling pool's safety rule on a real kernel.
 *
 * First the facts the rule stands on, measured with raw system calls: the
 * "count:" of /proc/self/fdinfo/<fd> is 1 for a dma-buf held by one fd
 * alone, and every other holder raises it: a dup, a fork()ed child, an fd
 * in flight through SCM_RIGHTS and one received, a mapping (which outlives
 * its fd), a vgem PRIME import (by 3 on 6.12: DRM keeps several). poll()
 * shows a pending fence, also when nothing but the fd holds the buffer any
 * more; an exported sync file shows it too, and holds no reference.
 *
 * Then the library: a buffer still dup'ed, mapped, imported into vgem,
 * inherited by or sent to another process, or with a fence pending, is
 * closed on dmaheap_buf_free(), never recycled; a buffer held by nothing
 * else is, and content survives unless zeroing was asked for. A buffer
 * cached before a fork() is not handed out while the child holds it, and
 * zeroed again once it does not; one cached before zeroing was asked for
 * is zeroed; a recycled buffer loses its last user's name.
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77. The vgem
 * cases skip without vgem.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kutil.h"
#include "kvgem.h"

#define BUF_SIZE (64u * 1024u)

/* The fdinfo "count:" of @fd. */
static long fd_count(int fd)
{
	char v[64];

	assert_ret(kt_fdinfo(fd, "count", v, sizeof(v)), 0);
	return strtol(v, NULL, 10);
}

static int raw_alloc(void)
{
	struct dma_heap_allocation_data d = {
		.len = BUF_SIZE,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open(KT_SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);

	assert_true(heap >= 0);
	assert_syscall_ok(ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d));
	close(heap);
	return (int)d.fd;
}

/* A child that holds every fd of this process until released. */
struct child {
	pid_t pid;
	int release; /* write end: closing it lets the child exit */
};

static struct child fork_holder(void)
{
	struct child c;
	int p[2];
	char b;

	assert_syscall_ok(pipe2(p, O_CLOEXEC));
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		close(p[1]);
		while (read(p[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	c.release = p[1];
	return c;
}

static void child_release(struct child c)
{
	int status;

	close(c.release);
	assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &m, 0), 1);
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* A vgem write fence on @fd's dma-buf, left pending; the import that
 * carried it is gone again, so the fd is the only holder. */
static uint32_t pending_fence_alone(int vgem, int fd)
{
	struct kt_vgem_fence_attach a = { .flags = KT_VGEM_FENCE_WRITE };

	assert_int_equal(drmPrimeFDToHandle(vgem, fd, &a.handle), 0);
	assert_int_equal(drmIoctl(vgem, KT_IOCTL_VGEM_FENCE_ATTACH, &a), 0);
	kt_gem_close(vgem, a.handle);
	return a.out_fence;
}

static void signal_fence(int vgem, uint32_t fence)
{
	struct kt_vgem_fence_signal s = { .fence = fence };

	assert_int_equal(drmIoctl(vgem, KT_IOCTL_VGEM_FENCE_SIGNAL, &s), 0);
}

static int need_vgem(void)
{
	int vgem = kt_open_vgem();

	if (vgem < 0) {
		print_message("no vgem node\n");
		skip();
	}
	return vgem;
}

/* ------------------------------------------------------------------------ */
/* The facts                                                                 */
/* ------------------------------------------------------------------------ */

static void test_count_dup(void **state)
{
	int fd = raw_alloc(), d;

	(void)state;
	assert_int_equal(fd_count(fd), 1);
	d = dup(fd);
	assert_int_equal(fd_count(fd), 2);
	close(d);
	assert_int_equal(fd_count(fd), 1);
	close(fd);
}

static void test_count_mmap(void **state)
{
	int fd = raw_alloc(), d = dup(fd);
	void *p = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, fd, 0);

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(fd_count(fd), 3);
	/* The mapping outlives its fd. */
	close(fd);
	assert_int_equal(fd_count(d), 2);
	munmap(p, BUF_SIZE);
	assert_int_equal(fd_count(d), 1);
	close(d);
}

static void test_count_fork(void **state)
{
	int fd = raw_alloc();
	struct child c = fork_holder();

	(void)state;
	assert_int_equal(fd_count(fd), 2);
	child_release(c);
	assert_int_equal(fd_count(fd), 1);
	close(fd);
}

static void test_count_scm_rights(void **state)
{
	int fd = raw_alloc(), sv[2], got;

	(void)state;
	assert_syscall_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	send_fd(sv[0], fd);
	/* In flight: the socket buffer holds a reference. */
	assert_int_equal(fd_count(fd), 2);
	got = recv_fd(sv[1]);
	assert_true(got >= 0);
	assert_int_equal(fd_count(fd), 2);
	close(got);
	assert_int_equal(fd_count(fd), 1);
	/* Sent and never received: dropped with the socket. */
	send_fd(sv[0], fd);
	assert_int_equal(fd_count(fd), 2);
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(fd_count(fd), 1);
	close(fd);
}

static void test_count_vgem_import(void **state)
{
	int vgem = need_vgem(), fd = raw_alloc();
	uint32_t handle = 0;

	(void)state;
	assert_int_equal(drmPrimeFDToHandle(vgem, fd, &handle), 0);
	/* DRM takes several: the import's own, the GEM object's attachment,
	 * the PRIME handle cache (3 on 6.12). Any is enough. */
	print_message("count with a vgem import: %ld\n", fd_count(fd));
	assert_true(fd_count(fd) > 1);
	kt_gem_close(vgem, handle);
	assert_int_equal(fd_count(fd), 1);
	close(fd);
	close(vgem);
}

/* A fence can outlive every holder but the fd: count says 1, poll tells. */
static void test_poll_pending_fence(void **state)
{
	int vgem = need_vgem(), fd = raw_alloc();
	uint32_t fence = pending_fence_alone(vgem, fd);

	struct dma_buf_export_sync_file e = { .flags = DMA_BUF_SYNC_RW,
					      .fd = -1 };

	(void)state;
	assert_int_equal(fd_count(fd), 1);
	/* An exported sync file holds the fences, not the buffer. */
	assert_syscall_ok(ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e));
	assert_int_equal(fd_count(fd), 1);
	assert_int_equal(kt_poll_now(e.fd, POLLIN), 0);
	assert_int_equal(kt_poll_now(fd, POLLOUT), 0);
	/* A poll that found a fence holds a reference until it signals. */
	assert_int_equal(fd_count(fd), 2);
	signal_fence(vgem, fence);
	assert_int_equal(fd_count(fd), 1);
	assert_int_equal(kt_poll_now(fd, POLLOUT), POLLOUT);
	assert_int_equal(kt_poll_now(e.fd, POLLIN), POLLIN);
	assert_int_equal(fd_count(fd), 1);
	close(e.fd);
	close(fd);
	close(vgem);
}

/* ------------------------------------------------------------------------ */
/* The library                                                               */
/* ------------------------------------------------------------------------ */

static void pool_on(struct dmaheap_ctx *ctx, unsigned int flags)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	o.flags = flags;
	assert_ret(dmaheap_ctx_set_pool(ctx, &o), 0);
}

static struct dmaheap_pool_stats pool_stats(struct dmaheap_ctx *ctx)
{
	struct dmaheap_pool_stats s;

	assert_ret(dmaheap_pool_stats(ctx, "system", &s), 0);
	return s;
}

static struct dmaheap_buf *pool_alloc(struct dmaheap_ctx *ctx)
{
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc(ctx, "system", BUF_SIZE, 0, &buf), 0);
	return buf;
}

/* Frees @buf; the pool must refuse it for the reason counted in @field. */
#define assert_free_refused(ctx, buf, field)                                  \
	do {                                                                  \
		struct dmaheap_pool_stats b_ = pool_stats(ctx), a_;           \
		dmaheap_buf_free(buf);                                        \
		a_ = pool_stats(ctx);                                         \
		assert_int_equal(a_.recycled, b_.recycled);                   \
		assert_int_equal(a_.field, b_.field + 1);                     \
		assert_int_equal(a_.cached_buffers, 0);                       \
	} while (0)

static void test_recycles_sole_buffer(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	uint8_t *p;
	int fd;

	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	fd = dmaheap_buf_fd(buf);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	kt_fill_pattern(p, BUF_SIZE, 5);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(pool_stats(f->ctx).recycled, 1);
	buf = pool_alloc(f->ctx);
	assert_int_equal(pool_stats(f->ctx).hits, 1);
	assert_int_equal(dmaheap_buf_fd(buf), fd);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	/* Not zeroed. */
	assert_int_equal(kt_check_pattern(p, BUF_SIZE, 5), BUF_SIZE);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	/* Again: the fdinfo file the pool now keeps open holds no
	 * reference to the dma-buf. */
	dmaheap_buf_free(buf);
	assert_int_equal(pool_stats(f->ctx).recycled, 2);
	buf = pool_alloc(f->ctx);
	assert_int_equal(pool_stats(f->ctx).hits, 2);
	dmaheap_buf_free(buf);
}

static void test_zeroes_when_asked(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	uint8_t *p;

	pool_on(f->ctx, DMAHEAP_POOL_ZERO);
	buf = pool_alloc(f->ctx);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	memset(p, 0xee, BUF_SIZE);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
	buf = pool_alloc(f->ctx);
	assert_int_equal(pool_stats(f->ctx).hits, 1);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_int_equal(kt_find_not(p, BUF_SIZE, 0), BUF_SIZE);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
}

/* udmabuf pins the memfd's pages, not the dma-buf file: recycled too. */
static void test_udmabuf_recycled(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_pool_stats s;
	struct dmaheap_buf *buf = NULL;

	if (dmaheap_has_heap(f->ctx, "udmabuf") != 1) {
		print_message("no usable udmabuf device\n");
		skip();
	}
	pool_on(f->ctx, 0);
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", BUF_SIZE, 0, &buf), 0);
	assert_int_equal(fd_count(dmaheap_buf_fd(buf)), 1);
	dmaheap_buf_free(buf);
	assert_ret(dmaheap_alloc(f->ctx, "udmabuf", BUF_SIZE, 0, &buf), 0);
	assert_ret(dmaheap_pool_stats(f->ctx, "udmabuf", &s), 0);
	assert_int_equal(s.recycled, 1);
	assert_int_equal(s.hits, 1);
	dmaheap_buf_free(buf);
}

static void test_dup_never_recycled(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	int d;

	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	d = dmaheap_buf_dup_fd(buf);
	assert_true(d >= 0);
	assert_free_refused(f->ctx, buf, refused_shared);
	assert_int_equal(fd_count(d), 1);
	close(d);
}

static void test_mapped_never_recycled(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	void *p;

	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	p = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, dmaheap_buf_fd(buf), 0);
	assert_true(p != MAP_FAILED);
	assert_free_refused(f->ctx, buf, refused_shared);
	munmap(p, BUF_SIZE);
}

static void test_vgem_import_never_recycled(void **state)
{
	struct kt_fixture *f = *state;
	int vgem = need_vgem();
	struct dmaheap_buf *buf;
	uint32_t handle = 0;

	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	assert_int_equal(drmPrimeFDToHandle(vgem, dmaheap_buf_fd(buf),
					    &handle), 0);
	assert_free_refused(f->ctx, buf, refused_shared);
	kt_gem_close(vgem, handle);
	close(vgem);
}

static void test_forked_never_recycled(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	struct child c;

	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	c = fork_holder();
	assert_free_refused(f->ctx, buf, refused_shared);
	child_release(c);
}

/* The child was forked before the buffer existed: only SCM_RIGHTS gives
 * it the dma-buf. */
static void test_sent_never_recycled(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	int sv[2], ack[2], status;
	char b = 0;
	pid_t pid;

	assert_syscall_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	assert_syscall_ok(pipe2(ack, O_CLOEXEC));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = recv_fd(sv[1]);

		/* Tell the parent it arrived, then hold it until told. */
		if (fd < 0 || write(ack[1], "r", 1) != 1)
			_exit(1);
		_exit(read(sv[1], &b, 1) == 1 ? 0 : 2);
	}
	close(ack[1]);
	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	send_fd(sv[0], dmaheap_buf_fd(buf));
	assert_int_equal(read(ack[0], &b, 1), 1);
	assert_free_refused(f->ctx, buf, refused_shared);
	assert_int_equal(write(sv[0], "q", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);
	close(sv[1]);
	close(ack[0]);
}

static void test_fenced_never_recycled(void **state)
{
	struct kt_fixture *f = *state;
	int vgem = need_vgem();
	struct dmaheap_buf *buf;
	uint32_t fence;

	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	fence = pending_fence_alone(vgem, dmaheap_buf_fd(buf));
	assert_free_refused(f->ctx, buf, refused_busy);
	signal_fence(vgem, fence);
	close(vgem);
}

/* ------------------------------------------------------------------------ */
/* A recycled buffer: held by nobody else, nothing of its last user          */
/* ------------------------------------------------------------------------ */

static uint64_t fd_ino(int fd)
{
	struct stat st;

	assert_syscall_ok(fstat(fd, &st));
	return (uint64_t)st.st_ino;
}

/* A buffer freed into the pool; its inode, which tells it apart. */
static uint64_t cache_one(struct dmaheap_ctx *ctx, uint8_t fill)
{
	struct dmaheap_buf *buf = pool_alloc(ctx);
	uint64_t before = pool_stats(ctx).recycled;
	uint64_t ino = fd_ino(dmaheap_buf_fd(buf));
	uint8_t *p;

	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	memset(p, fill, BUF_SIZE);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(pool_stats(ctx).recycled, before + 1);
	return ino;
}

/* A child forked after the buffer was cached holds its fd: the parent
 * must not hand the buffer out while the child could read and write it. */
static void test_fork_after_caching_not_served(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	struct child c;
	uint64_t ino;

	pool_on(f->ctx, 0);
	ino = cache_one(f->ctx, 0x3c);
	c = fork_holder();
	buf = pool_alloc(f->ctx);
	assert_true(fd_ino(dmaheap_buf_fd(buf)) != ino);
	assert_int_equal(fd_count(dmaheap_buf_fd(buf)), 1);
	assert_int_equal(pool_stats(f->ctx).hits, 0);
	assert_int_equal(pool_stats(f->ctx).released, 1);
	assert_int_equal(pool_stats(f->ctx).cached_buffers, 0);
	dmaheap_buf_free(buf);
	child_release(c);
}

/* The child wrote to a cached buffer and exited: the buffer is the
 * parent's alone again and served, zeroed again by a zeroing pool. */
static void test_fork_child_gone_served_zeroed(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	int status, fd;
	uint64_t ino;
	uint8_t *p;
	pid_t pid;

	pool_on(f->ctx, DMAHEAP_POOL_ZERO);
	ino = cache_one(f->ctx, 0x3c);
	buf = pool_alloc(f->ctx);
	fd = dmaheap_buf_fd(buf);
	assert_int_equal(fd_ino(fd), ino);
	dmaheap_buf_free(buf);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		void *q = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);

		if (q == MAP_FAILED)
			_exit(2);
		memset(q, 0x77, BUF_SIZE);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	buf = pool_alloc(f->ctx);
	assert_int_equal(fd_ino(dmaheap_buf_fd(buf)), ino);
	assert_int_equal(pool_stats(f->ctx).hits, 2);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_int_equal(kt_find_not(p, BUF_SIZE, 0), BUF_SIZE);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
}

/* Buffers cached before DMAHEAP_POOL_ZERO was set are zeroed too. */
static void test_zero_set_later(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_buf *buf;
	uint64_t ino;
	uint8_t *p;

	pool_on(f->ctx, 0);
	ino = cache_one(f->ctx, 0xee);
	pool_on(f->ctx, DMAHEAP_POOL_ZERO);
	buf = pool_alloc(f->ctx);
	assert_int_equal(fd_ino(dmaheap_buf_fd(buf)), ino);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_int_equal(kt_find_not(p, BUF_SIZE, 0), BUF_SIZE);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	dmaheap_buf_free(buf);
}

/* fdinfo's "name:" of @fd, "" when it has none. */
static void fd_name(int fd, char *name, size_t len)
{
	int r = kt_fdinfo(fd, "name", name, len);

	if (r == -ENOENT)
		name[0] = '\0';
	else
		assert_ret(r, 0);
}

/* A request for no name, or a context that does not auto-name, gets a
 * recycled buffer without its last user's name (the empty name). */
static void test_recycled_name_cleared(void **state)
{
	struct kt_fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_buf *buf = NULL;
	char name[64];

	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	assert_ret(dmaheap_buf_set_name(buf, "alice-secret"), 0);
	dmaheap_buf_free(buf);
	assert_ret(dmaheap_alloc(f->ctx, "system", BUF_SIZE,
				 DMAHEAP_ALLOC_NO_NAME, &buf), 0);
	assert_int_equal(pool_stats(f->ctx).hits, 1);
	fd_name(dmaheap_buf_fd(buf), name, sizeof(name));
	assert_string_equal(name, "");
	dmaheap_buf_free(buf);
	/* Named after its heap again when auto-naming asks. */
	buf = pool_alloc(f->ctx);
	fd_name(dmaheap_buf_fd(buf), name, sizeof(name));
	assert_string_equal(name, "system");
	assert_ret(dmaheap_buf_set_name(buf, "alice-secret"), 0);
	dmaheap_buf_free(buf);
	assert_int_equal(pool_stats(f->ctx).recycled, 3);
	dmaheap_ctx_free(f->ctx);
	f->ctx = NULL;
	o.flags = DMAHEAP_CTX_NO_AUTONAME;
	assert_ret(dmaheap_ctx_new_with(&o, &f->ctx), 0);
	pool_on(f->ctx, 0);
	buf = pool_alloc(f->ctx);
	assert_ret(dmaheap_buf_set_name(buf, "alice-secret"), 0);
	dmaheap_buf_free(buf);
	buf = pool_alloc(f->ctx);
	assert_int_equal(pool_stats(f->ctx).hits, 1);
	fd_name(dmaheap_buf_fd(buf), name, sizeof(name));
	assert_string_equal(name, "");
	dmaheap_buf_free(buf);
}

#define F(fn) cmocka_unit_test_setup_teardown(fn, kt_fixture_setup, \
					      kt_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_dup),
		cmocka_unit_test(test_count_mmap),
		cmocka_unit_test(test_count_fork),
		cmocka_unit_test(test_count_scm_rights),
		cmocka_unit_test(test_count_vgem_import),
		cmocka_unit_test(test_poll_pending_fence),
		F(test_recycles_sole_buffer),
		F(test_zeroes_when_asked),
		F(test_udmabuf_recycled),
		F(test_dup_never_recycled),
		F(test_mapped_never_recycled),
		F(test_vgem_import_never_recycled),
		F(test_forked_never_recycled),
		F(test_sent_never_recycled),
		F(test_fenced_never_recycled),
		F(test_fork_after_caching_not_served),
		F(test_fork_child_gone_served_zeroed),
		F(test_zero_set_later),
		F(test_recycled_name_cleared),
	};

	kt_require_system_heap();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
