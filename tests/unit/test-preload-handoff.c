/* SPDX-License-Identifier: MIT */
/*
 * Hand-off between processes under libdmaheap-mock-preload.so, as a whole
 * program would do it: buffers allocated after fork() in the child or in
 * the parent, and by a process of its own (this program again, exec()ed,
 * with a mock of its own), reach the other side as dma-bufs. The
 * receiver maps them, syncs them with a raw DMA_BUF_IOCTL_SYNC (which the
 * preload routes to its mock only for the buffers it knows) and sees the
 * sender's bytes.
 *
 * Runs with LD_PRELOAD set by meson; without the preload it exits 77.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/dma-buf.h>

#include "dmaheap.h"

#define SIZE (5 * 4096)

/* Steps of a child: no cmocka there, a failed one is its exit status. */
#define STEP(n, cond)                                                        \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "child step %d failed: %s\n", n,     \
				#cond);                                      \
			_exit(n);                                            \
		}                                                            \
	} while (0)

static const char *self_exe;

static int pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static void fill(struct dmaheap_buf *b, uint8_t v)
{
	void *p = NULL;

	if (dmaheap_buf_map(b, &p) == 0) {
		memset(p, v, dmaheap_buf_size(b));
		dmaheap_buf_unmap(b);
	}
}

/* The buffer holds @v, seen through a raw sync and a mapping. */
static bool holds(struct dmaheap_buf *b, uint8_t v)
{
	struct dma_buf_sync s = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	size_t n = dmaheap_buf_size(b);
	uint8_t *p = NULL;
	bool ok;

	if (ioctl(dmaheap_buf_fd(b), DMA_BUF_IOCTL_SYNC, &s) != 0)
		return false;
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	if (ioctl(dmaheap_buf_fd(b), DMA_BUF_IOCTL_SYNC, &s) != 0)
		return false;
	if (dmaheap_buf_map(b, (void **)&p) != 0)
		return false;
	ok = p[0] == v && p[n - 1] == v;
	dmaheap_buf_unmap(b);
	return ok;
}

static void wait_ok(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Sender: allocate, fill with @v, send over @sock. */
static int send_new(int sock, uint8_t v)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *b = NULL;

	STEP(2, dmaheap_ctx_new(&ctx) == 0);
	STEP(3, dmaheap_alloc(ctx, "system", SIZE, 0, &b) == 0);
	fill(b, v);
	STEP(4, dmaheap_buf_send(b, sock) == 0);
	dmaheap_buf_free(b);
	dmaheap_ctx_free(ctx);
	return 0;
}

/* Receiver: take a buffer holding @v, answer with @answer in it. */
static int receive_check(int sock, uint8_t v, uint8_t answer)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *b = NULL;

	STEP(5, dmaheap_ctx_new(&ctx) == 0);
	STEP(6, dmaheap_buf_recv(ctx, sock, &b) == 0);
	STEP(7, dmaheap_buf_size(b) == SIZE);
	STEP(8, holds(b, v));
	fill(b, answer);
	STEP(9, write(sock, "k", 1) == 1);
	dmaheap_buf_free(b);
	dmaheap_ctx_free(ctx);
	return 0;
}

static void test_child_allocates_after_fork(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *b = NULL;
	int sv[2];
	pid_t pid;

	(void)state;
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	assert_int_equal(pair(sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(send_new(sv[1], 0x3c));
	wait_ok(pid);
	assert_int_equal(dmaheap_buf_recv(ctx, sv[0], &b), 0);
	assert_int_equal(dmaheap_buf_size(b), SIZE);
	assert_true(holds(b, 0x3c));
	dmaheap_buf_free(b);
	dmaheap_ctx_free(ctx);
	close(sv[0]);
	close(sv[1]);
}

static void test_parent_allocates_after_fork(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *a = NULL;
	char ack;
	int sv[2];
	pid_t pid;

	(void)state;
	assert_int_equal(pair(sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(receive_check(sv[1], 0xc3, 0x11));
	/* The child's end: a child that fails closes it, and the read below
	 * sees end of file instead of waiting. */
	close(sv[1]);
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	assert_int_equal(dmaheap_alloc(ctx, "system", SIZE, 0, &a), 0);
	fill(a, 0xc3);
	assert_int_equal(dmaheap_buf_send(a, sv[0]), 0);
	assert_int_equal(read(sv[0], &ack, 1), 1);
	wait_ok(pid);
	assert_true(holds(a, 0x11));
	dmaheap_buf_free(a);
	dmaheap_ctx_free(ctx);
	close(sv[0]);
}

/* This program again, in a process of its own with a mock of its own,
 * on the socket @sock (kept across exec). */
static pid_t spawn(const char *role, int sock)
{
	char fd[16];
	pid_t pid;

	snprintf(fd, sizeof(fd), "%d", sock);
	pid = fork();
	if (pid == 0) {
		STEP(30, fcntl(sock, F_SETFD, 0) == 0);
		execl(self_exe, self_exe, role, fd, (char *)NULL);
		_exit(31);
	}
	return pid;
}

static void test_other_process(void **state)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *a = NULL, *b = NULL;
	char ack;
	int sv[2];
	pid_t pid;

	(void)state;
	assert_int_equal(dmaheap_ctx_new(&ctx), 0);
	/* It sends. */
	assert_int_equal(pair(sv), 0);
	pid = spawn("send", sv[1]);
	assert_true(pid > 0);
	wait_ok(pid);
	assert_int_equal(dmaheap_buf_recv(ctx, sv[0], &b), 0);
	assert_true(holds(b, 0x6e));
	close(sv[0]);
	close(sv[1]);
	/* It receives. */
	assert_int_equal(pair(sv), 0);
	pid = spawn("receive", sv[1]);
	assert_true(pid > 0);
	close(sv[1]);
	assert_int_equal(dmaheap_alloc(ctx, "system", SIZE, 0, &a), 0);
	fill(a, 0x6f);
	assert_int_equal(dmaheap_buf_send(a, sv[0]), 0);
	assert_int_equal(read(sv[0], &ack, 1), 1);
	wait_ok(pid);
	assert_true(holds(a, 0x22));
	dmaheap_buf_free(a);
	dmaheap_buf_free(b);
	dmaheap_ctx_free(ctx);
	close(sv[0]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_child_allocates_after_fork),
		cmocka_unit_test(test_parent_allocates_after_fork),
		cmocka_unit_test(test_other_process),
	};

	if (argc == 3 && strcmp(argv[1], "send") == 0)
		return send_new(atoi(argv[2]), 0x6e);
	if (argc == 3 && strcmp(argv[1], "receive") == 0)
		return receive_check(atoi(argv[2]), 0x6f, 0x22);
	if (!dlsym(RTLD_DEFAULT, "dmaheap_mock_preload")) {
		fprintf(stderr, "skip: not run under libdmaheap-mock-preload.so\n");
		return 77;
	}
	self_exe = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
