/* SPDX-License-Identifier: MIT */
/*
 * Hand-off on a real kernel: an image and a buffer go to a forked child
 * that has dropped root for nobody (so it cannot open any heap itself),
 * over a SOCK_SEQPACKET socketpair. The child sees the parent's pixels at
 * the layout's offsets, writes its answer, and a description that lies
 * about the size is refused. Then the receiving socket's options that
 * make the kernel add to each message (credentials, a pidfd, a security
 * label) must not stop a hand-off. A caller blob and a real sync_file
 * (DMA_BUF_IOCTL_EXPORT_SYNC_FILE of a heap buffer) travel beside an
 * image to the same unprivileged child, and a fence that is not a
 * sync_file is refused. Runs in the VM of tests/vm/run.sh (as root);
 * elsewhere it exits 77.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "kutil.h"

#define NOBODY 65534

/* Linux 6.5's, from <asm-generic/socket.h> and <linux/socket.h>; older
 * C library headers lack them. Every architecture the VM runs (x86,
 * arm64) takes the generic numbers. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_SECURITY
#define SCM_SECURITY 0x03
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

static void drop_root(void)
{
	KT_CHILD_CHECK(setgroups(0, NULL) == 0);
	KT_CHILD_CHECK(setgid(NOBODY) == 0);
	KT_CHILD_CHECK(setuid(NOBODY) == 0);
	KT_CHILD_CHECK(getuid() == NOBODY && geteuid() == NOBODY);
}

static void child(int sock)
{
	const struct dmaheap_image_layout *l;
	struct dmaheap_image *img = NULL;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx;
	uint8_t *p[DMAHEAP_IMAGE_MAX_PLANES];
	uint8_t ack = 1;

	drop_root();
	KT_CHILD_CHECK(dmaheap_ctx_new(&ctx) == 0);
	/* nobody has no heap of its own... */
	KT_CHILD_CHECK(dmaheap_heap_open(ctx, "system") == -EACCES);
	/* ...but can use what it is given. */
	KT_CHILD_CHECK(dmaheap_image_recv(ctx, sock, &img) == 0);
	l = dmaheap_image_get_layout(img);
	KT_CHILD_CHECK(l->fourcc == DRM_FORMAT_NV12 && l->width == 1920);
	KT_CHILD_CHECK(strcmp(dmaheap_buf_heap_name(dmaheap_image_buf(img, 0)),
			   "system") == 0);
	KT_CHILD_CHECK(dmaheap_image_map(img, (void **)p) == 0);
	KT_CHILD_CHECK(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_RW) == 0);
	KT_CHILD_CHECK(p[0][0] == 0x10 && p[0][l->planes[0].size - 1] == 0x10);
	KT_CHILD_CHECK(p[1][0] == 0x80 && p[1][l->planes[1].size - 1] == 0x80);
	memset(p[1], 0x42, l->planes[1].size);
	KT_CHILD_CHECK(dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_RW) == 0);
	KT_CHILD_CHECK(dmaheap_image_unmap(img) == 0);
	dmaheap_image_free(img);
	/* A buffer, then one whose description lies about its size. */
	KT_CHILD_CHECK(dmaheap_buf_recv(ctx, sock, &buf) == 0);
	KT_CHILD_CHECK(dmaheap_buf_props(buf) == DMAHEAP_PROP_CACHED);
	dmaheap_buf_free(buf);
	KT_CHILD_CHECK(dmaheap_buf_recv(ctx, sock, &buf) == -EMSGSIZE);
	dmaheap_ctx_free(ctx);
	KT_CHILD_CHECK(write(sock, &ack, 1) == 1);
	_exit(0);
}

/* A buffer message saying 1 MiB, with a 4 KiB dma-buf. */
static void send_lie(int sock, int fd)
{
	uint8_t m[31] = { 'D', 'M', 'H', 'O', 1, 0, 1, 0 };
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm;

	m[12] = 1;		/* one fd */
	m[18] = 0x10;		/* size 0x100000 */
	m[24] = 6;
	memcpy(m + 25, "system", 6);
	memset(control, 0, sizeof(control));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &mh, 0), (ssize_t)sizeof(m));
}

static void test_fork_and_uid_drop(void **state)
{
	struct dmaheap_image_spec s = { .fourcc = DRM_FORMAT_NV12,
					.width = 1920, .height = 1080 };
	int fds_before = kt_count_fds(), sv[2], status;
	const struct dmaheap_image_layout *l;
	struct dmaheap_image *img = NULL;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_ctx *ctx;
	uint8_t *p[DMAHEAP_IMAGE_MAX_PLANES];
	uint8_t ack = 0;
	pid_t pid;

	(void)state;
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_image_alloc(ctx, "system", &s, 0, &img), 0);
	assert_ret(dmaheap_alloc(ctx, "system", 4096, 0, &buf), 0);
	l = dmaheap_image_get_layout(img);
	assert_ret(dmaheap_image_map(img, (void **)p), 0);
	assert_ret(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_WRITE), 0);
	memset(p[0], 0x10, l->planes[0].size);
	memset(p[1], 0x80, l->planes[1].size);
	assert_ret(dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		child(sv[1]);
	}
	close(sv[1]);
	assert_ret(dmaheap_image_send(img, sv[0]), 0);
	assert_ret(dmaheap_buf_send(buf, sv[0]), 0);
	send_lie(sv[0], dmaheap_buf_fd(buf));
	assert_int_equal(read(sv[0], &ack, 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The child's answer, in the parent's mapping. */
	assert_ret(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(p[1][0], 0x42);
	assert_int_equal(p[1][l->planes[1].size - 1], 0x42);
	assert_int_equal(p[0][0], 0x10);
	assert_ret(dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_image_unmap(img), 0);
	close(sv[0]);
	dmaheap_buf_free(buf);
	dmaheap_image_free(img);
	dmaheap_ctx_free(ctx);
	assert_no_fd_leak(fds_before);
}

/*
 * What the kernel adds to a message on @sock: a bit per control message
 * type (1 << SCM_CREDENTIALS, ...) in one raw receive of a byte sent
 * through @peer. A pidfd that arrives is closed.
 */
static unsigned int kernel_adds(int peer, int sock)
{
	char control[8192], byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	unsigned int types = 0;

	assert_int_equal(send(peer, &byte, 1, 0), 1);
	assert_int_equal(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC), 1);
	assert_false(mh.msg_flags & MSG_CTRUNC);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type >= 32)
			continue;
		types |= 1u << cm->cmsg_type;
		if (cm->cmsg_type == SCM_PIDFD) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
			close(fd);
		}
	}
	return types;
}

/* A buffer and a two-buffer image, there and back over @sv. */
static void hand_off(struct dmaheap_ctx *ctx, const int sv[2])
{
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_NV12, .width = 640, .height = 480,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_image *ia = NULL, *ib = NULL;
	struct dmaheap_buf *a = NULL, *b = NULL;
	int before;

	assert_ret(dmaheap_alloc(ctx, "system", 65536, 0, &a), 0);
	assert_ret(dmaheap_image_alloc(ctx, "system", &s, 0, &ia), 0);
	before = kt_count_fds();
	assert_ret(dmaheap_buf_send(a, sv[0]), 0);
	assert_ret(dmaheap_buf_recv(ctx, sv[1], &b), 0);
	assert_true(kt_same_file(dmaheap_buf_fd(a), dmaheap_buf_fd(b)));
	assert_int_equal(dmaheap_buf_size(b), 65536);
	assert_ret(dmaheap_image_send(ia, sv[0]), 0);
	assert_ret(dmaheap_image_recv(ctx, sv[1], &ib), 0);
	assert_true(kt_same_file(dmaheap_image_plane_fd(ia, 1),
				 dmaheap_image_plane_fd(ib, 1)));
	/* Nothing but the received buffers' own fds: a pidfd was closed. */
	assert_int_equal(kt_count_fds(), before + 3);
	dmaheap_image_free(ib);
	dmaheap_buf_free(b);
	assert_int_equal(kt_count_fds(), before);
	dmaheap_image_free(ia);
	dmaheap_buf_free(a);
}

/*
 * SO_PASSCRED (the usual way to authenticate the sender), SO_PASSPIDFD
 * (Linux 6.5, in every kernel the VM runs) and SO_PASSSEC, alone and all
 * at once. The kernel adds the first two's messages here; SO_PASSSEC's
 * label only under a security module (Debian's kernel runs AppArmor, the
 * minimal one none), and the hand-off must work either way.
 */
static void test_receiver_socket_options(void **state)
{
	static const struct {
		int opt;
		unsigned int adds;	/* what the kernel must add */
	} opts[] = {
		{ SO_PASSCRED, 1u << SCM_CREDENTIALS },
		{ SO_PASSPIDFD, 1u << SCM_PIDFD },
		{ SO_PASSSEC, 0 },
		{ 0, (1u << SCM_CREDENTIALS) | (1u << SCM_PIDFD) },
	};
	int fds_before = kt_count_fds(), on = 1;
	struct dmaheap_ctx *ctx;

	(void)state;
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		unsigned int adds;
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET |
					    SOCK_CLOEXEC, 0, sv), 0);
		for (int o = 0; o < 3; o++) {
			int opt = (int[]){ SO_PASSCRED, SO_PASSPIDFD,
					   SO_PASSSEC }[o];

			if (opts[i].opt != 0 && opts[i].opt != opt)
				continue;
			if (setsockopt(sv[1], SOL_SOCKET, opt, &on,
				       sizeof(on)) == 0)
				continue;
			/* A newer kernel without CONFIG_SECURITY_NETWORK (7.3;
			 * 6.12 accepted it) refuses SO_PASSSEC: no label
			 * can come, and the other options still must work. */
			assert_int_equal(opt, SO_PASSSEC);
			assert_int_equal(errno, EOPNOTSUPP);
			print_message("SO_PASSSEC: refused by this kernel (%s)\n",
				      strerror(errno));
		}
		adds = kernel_adds(sv[0], sv[1]);
		assert_int_equal(adds & opts[i].adds, opts[i].adds);
		if (adds & (1u << SCM_SECURITY))
			print_message("SO_PASSSEC: the kernel adds a label\n");
		hand_off(ctx, sv);
		close(sv[0]);
		close(sv[1]);
	}
	dmaheap_ctx_free(ctx);
	assert_no_fd_leak(fds_before);
}

/* --- the sender's blob and fence ------------------------------------- */

#define BLOB_TAG 0x48414c31 /* "HAL1" */

static bool is_sync_file(int fd)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	return ioctl(fd, SYNC_IOC_FILE_INFO, &info) == 0;
}

static void extra_child(int sock)
{
	struct dmaheap_handoff_extra *e = calloc(1, sizeof(*e));
	struct dmaheap_image *img = NULL;
	struct dmaheap_ctx *ctx;
	struct pollfd pfd;
	uint8_t ack = 1;

	KT_CHILD_CHECK(e != NULL);
	drop_root();
	KT_CHILD_CHECK(dmaheap_ctx_new(&ctx) == 0);
	KT_CHILD_CHECK(dmaheap_image_recv_extra(ctx, sock, &img, e) == 0);
	KT_CHILD_CHECK(e->tag == BLOB_TAG && e->blob_len == 3000);
	for (uint32_t i = 0; i < e->blob_len; i++)
		KT_CHILD_CHECK(e->blob[i] == (uint8_t)(i ^ 0x5a));
	/* A sync_file of its own, close-on-exec, already signalled (no
	 * device wrote the buffer), that the buffer takes back. */
	KT_CHILD_CHECK(e->fence_fd >= 0 && is_sync_file(e->fence_fd));
	KT_CHILD_CHECK(fcntl(e->fence_fd, F_GETFD) & FD_CLOEXEC);
	pfd.fd = e->fence_fd;
	pfd.events = POLLIN;
	KT_CHILD_CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN));
	KT_CHILD_CHECK(dmaheap_buf_import_sync_file(
		(struct dmaheap_buf *)dmaheap_image_buf(img, 0),
		DMAHEAP_ACCESS_WRITE, e->fence_fd) == 0);
	close(e->fence_fd);
	dmaheap_image_free(img);
	dmaheap_ctx_free(ctx);
	free(e);
	KT_CHILD_CHECK(write(sock, &ack, 1) == 1);
	_exit(0);
}

/* A sync_file of @buf's fences, or a skip where the kernel has none. */
static int export_fence(struct dmaheap_buf *buf)
{
	int fd = -1, r;

	r = dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_WRITE, &fd);
	if (r == -ENOTTY)
		kt_skip("DMA_BUF_IOCTL_EXPORT_SYNC_FILE: ENOTTY (no CONFIG_SYNC_FILE, or Linux before 6.0)");
	assert_ret(r, 0);
	return fd;
}

static void test_blob_and_fence(void **state)
{
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_NV12, .width = 1280, .height = 720,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_handoff_extra *e = calloc(1, sizeof(*e));
	int fds_before = kt_count_fds(), sv[2], status;
	struct dmaheap_image *img = NULL;
	struct dmaheap_ctx *ctx;
	uint8_t ack = 0;
	pid_t pid;

	(void)state;
	assert_non_null(e);
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_image_alloc(ctx, "system", &s, 0, &img), 0);
	e->tag = BLOB_TAG;
	e->blob_len = 3000;
	for (uint32_t i = 0; i < e->blob_len; i++)
		e->blob[i] = (uint8_t)(i ^ 0x5a);
	e->fence_fd = export_fence((struct dmaheap_buf *)dmaheap_image_buf(img, 0));
	assert_true(is_sync_file(e->fence_fd));
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		extra_child(sv[1]);
	}
	close(sv[1]);
	assert_ret(dmaheap_image_send_extra(img, sv[0], e), 0);
	assert_int_equal(read(sv[0], &ack, 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);
	close(e->fence_fd);
	dmaheap_image_free(img);
	dmaheap_ctx_free(ctx);
	free(e);
	assert_no_fd_leak(fds_before);
}

/* A version 2 buffer message announcing a fence, with @fence after the
 * dma-buf @fd of @size bytes (a page: 64 KiB on such a kernel). */
static void send_with_fence(int sock, int fd, size_t size, int fence)
{
	uint8_t m[25 + 6 + 12] = { 'D', 'M', 'H', 'O', 2, 0, 1, 0 };
	int fds[2] = { fd, fence };
	char control[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm;

	m[12] = 1;		/* one dma-buf */
	for (int i = 0; i < 8; i++)
		m[16 + i] = (uint8_t)((uint64_t)size >> (8 * i));
	m[24] = 6;
	memcpy(m + 25, "system", 6);
	m[31 + 8] = 1;		/* flags: a fence follows */
	memset(control, 0, sizeof(control));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	assert_int_equal(sendmsg(sock, &mh, 0), (ssize_t)sizeof(m));
}

/* On the real kernel, only a sync_file passes for a fence: an eventfd, a
 * memfd and a dma-buf are refused, and nothing stays open. */
static void test_fence_must_be_sync_file(void **state)
{
	struct dmaheap_handoff_extra *e = calloc(1, sizeof(*e));
	int fds_before = kt_count_fds(), sv[2], fake[3], fence;
	struct dmaheap_buf *a = NULL, *b = NULL;
	struct dmaheap_ctx *ctx;

	(void)state;
	assert_non_null(e);
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "system", 4096, 0, &a), 0);
	fence = export_fence(a);
	fake[0] = eventfd(1, EFD_CLOEXEC);
	fake[1] = memfd_create("not-a-fence", MFD_CLOEXEC);
	fake[2] = dmaheap_buf_fd(a);
	assert_true(fake[0] >= 0 && fake[1] >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	for (int i = 0; i < 3; i++) {
		int before = kt_count_fds();

		e->fence_fd = fake[i];
		e->tag = 1;
		assert_ret(dmaheap_buf_send_extra(a, sv[0], e), -EINVAL);
		send_with_fence(sv[0], dmaheap_buf_fd(a), dmaheap_buf_size(a),
				fake[i]);
		assert_ret(dmaheap_buf_recv_extra(ctx, sv[1], &b, e), -EBADFD);
		assert_null(b);
		assert_int_equal(e->fence_fd, -1);
		assert_int_equal(kt_count_fds(), before);
	}
	send_with_fence(sv[0], dmaheap_buf_fd(a), dmaheap_buf_size(a), fence);
	assert_ret(dmaheap_buf_recv_extra(ctx, sv[1], &b, e), 0);
	assert_true(is_sync_file(e->fence_fd));
	close(e->fence_fd);
	dmaheap_buf_free(b);
	close(fake[0]);
	close(fake[1]);
	close(fence);
	close(sv[0]);
	close(sv[1]);
	dmaheap_buf_free(a);
	dmaheap_ctx_free(ctx);
	free(e);
	assert_no_fd_leak(fds_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_and_uid_drop),
		cmocka_unit_test(test_receiver_socket_options),
		cmocka_unit_test(test_blob_and_fence),
		cmocka_unit_test(test_fence_must_be_sync_file),
	};

	kt_require_system_heap();
	if (geteuid() != 0)
		kt_skip("needs root to drop to nobody (the VM runs as root)");
	return cmocka_run_group_tests_name("kernel-handoff", tests, NULL, NULL);
}
