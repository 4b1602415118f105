/* SPDX-License-Identifier: MIT */
/*
 * share-socket [HEAP]: two processes share one dma-buf over a UNIX socket.
 *
 * The parent allocates 64 KiB from HEAP ("system" by default), writes a
 * pattern into the first half between begin and end of CPU access, and
 * sends the buffer with dmaheap_buf_send(). The child, a process with a
 * context of its own, receives it with dmaheap_buf_recv(), checks the
 * pattern inside its own begin/end READ, writes an answer into the second
 * half inside begin/end WRITE and says "done" on the socket; the parent
 * then reads the answer inside begin/end READ. Both sides bracket every
 * CPU access: on a heap with cached memory, that is what makes each
 * side's writes visible to the other (and to devices).
 *
 * Exits 0 on success, 1 on failure, 77 when the heap is missing or not
 * accessible: as a test, it skips there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaheap.h>

#define BUF_SIZE (64 * 1024)
#define HALF (BUF_SIZE / 2)

/* Errors meaning "no usable heap here", as opposed to "something broke". */
static int heap_unusable(int r)
{
	return r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTTY ||
	       r == -ENODEV;
}

static unsigned char pattern(size_t i, unsigned char seed)
{
	return (unsigned char)((i * 7 + seed) % 251);
}

/* Fills [from, from + len) with the pattern of seed, inside begin/end. */
static int fill(struct dmaheap_buf *buf, unsigned char *p, size_t from,
		size_t len, unsigned char seed)
{
	int r = dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE);

	if (r < 0)
		return r;
	for (size_t i = from; i < from + len; i++)
		p[i] = pattern(i, seed);
	return dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE);
}

/* 0 if [from, from + len) holds the pattern of seed, read inside
 * begin/end; 1 if it does not; or a negative errno. */
static int check(struct dmaheap_buf *buf, const unsigned char *p,
		 size_t from, size_t len, unsigned char seed)
{
	int bad = 0, r = dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ);

	if (r < 0)
		return r;
	for (size_t i = from; i < from + len && !bad; i++)
		bad = p[i] != pattern(i, seed);
	r = dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ);
	return r < 0 ? r : bad;
}

/* The child: receive, check the parent's half, answer in the other. */
static int child(int sock)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	void *addr = NULL;
	int r;

	r = dmaheap_ctx_new(&ctx);
	if (r == 0)
		r = dmaheap_buf_recv(ctx, sock, &buf);
	if (r == 0)
		r = dmaheap_buf_map(buf, &addr);
	if (r == 0) {
		printf("child: received %zu bytes from heap '%s'\n",
		       dmaheap_buf_size(buf), dmaheap_buf_heap_name(buf));
		r = check(buf, addr, 0, HALF, 1);
		if (r == 1)
			fprintf(stderr, "child: the parent's half is wrong\n");
	}
	if (r == 0)
		r = fill(buf, addr, HALF, HALF, 2);
	if (r == 0 && write(sock, "done", 4) != 4)
		r = -errno;
	if (r < 0)
		fprintf(stderr, "child: %s\n", dmaheap_strerror(r));
	if (addr)
		dmaheap_buf_unmap(buf);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	return r == 0 ? 0 : 1;
}

/* The parent, once the buffer is mapped: send it, await the answer. */
static int parent(struct dmaheap_buf *buf, unsigned char *p, int sock)
{
	char done[4];
	int r = fill(buf, p, 0, HALF, 1);

	if (r == 0)
		r = dmaheap_buf_send(buf, sock);
	if (r < 0)
		return r;
	if (read(sock, done, sizeof(done)) != (ssize_t)sizeof(done))
		return 1;	/* the child failed; it said why */
	r = check(buf, p, HALF, HALF, 2);
	if (r == 1)
		fprintf(stderr, "parent: the child's half is wrong\n");
	return r;
}

int main(int argc, char **argv)
{
	const char *heap = argc > 1 ? argv[1] : "system";
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	void *addr = NULL;
	int sv[2], r, status = 1, child_status = 1;
	pid_t pid;

	r = dmaheap_ctx_new(&ctx);
	if (r == 0)
		r = dmaheap_alloc(ctx, heap, BUF_SIZE, 0, &buf);
	if (r < 0 && heap_unusable(r)) {
		fprintf(stderr, "skip: heap '%s': %s\n", heap, dmaheap_strerror(r));
		dmaheap_ctx_free(ctx);
		return 77;
	}
	if (r == 0)
		r = dmaheap_buf_map(buf, &addr);
	/* SEQPACKET keeps each hand-off one message, as the library wants. */
	if (r == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "parent: %s\n", dmaheap_strerror(r));
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);
	r = pid < 0 ? -errno : parent(buf, addr, sv[0]);
	close(sv[0]);	/* a child still waiting sees end of file */
	if (pid > 0 && waitpid(pid, &child_status, 0) == pid &&
	    WIFEXITED(child_status))
		child_status = WEXITSTATUS(child_status);
	if (r < 0)
		fprintf(stderr, "parent: %s\n", dmaheap_strerror(r));
	else if (r == 0 && child_status == 0) {
		printf("parent: the child's answer arrived through the same "
		       "dma-buf\n");
		status = 0;
	}
out:
	if (addr)
		dmaheap_buf_unmap(buf);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	return status;
}
