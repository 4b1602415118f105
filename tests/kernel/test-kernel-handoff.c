/* SPDX-License-Identifier: MIT */
/*
 * Hand-off on a real kernel: an image and a buffer go to a forked child
 * that has dropped root for nobody (so it cannot open any heap itself),
 * over a SOCK_SEQPACKET socketpair. The child sees the parent's pixels at
 * the layout's offsets, writes its answer, and a description that lies
 * about the size is refused. Runs in the VM of tests/vm/run.sh (as root);
 * elsewhere it exits 77.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "kutil.h"

#define NOBODY 65534

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_and_uid_drop),
	};

	kt_require_system_heap();
	if (geteuid() != 0)
		kt_skip("needs root to drop to nobody (the VM runs as root)");
	return cmocka_run_group_tests_name("kernel-handoff", tests, NULL, NULL);
}
