/* SPDX-License-Identifier: MIT */
/*
 * Hand-off of buffers and images over a UNIX socket: round trips, and
 * every malformed message refused with a clear error, no fd left open
 * (the fixture counts fds and asks the mock for leaks at teardown).
 * Malformed messages are written here byte by byte from the format
 * documented in dmaheap.h, not with the library's encoder.
 */
#include <drm_fourcc.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys.h"
#include "testutil.h"
#include "core/uapi.h"

/* <asm-generic/socket.h> of Linux 6.5; older headers lack it. */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif

struct pair {
	int tx, rx;
};

static struct pair socket_pair(int type)
{
	int sv[2];
	struct pair p;

	assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
	p.tx = sv[0];
	p.rx = sv[1];
	return p;
}

static void close_pair(struct pair p)
{
	close(p.tx);
	close(p.rx);
}

static void test_buffer_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_buf *a = NULL, *b = NULL, *c = NULL;
	struct dmaheap_stats st;
	void *pa, *pb;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 8192, 0, &a), 0);
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), 0);
	assert_string_equal(dmaheap_buf_heap_name(b), "system");
	assert_int_equal(dmaheap_buf_props(b), DMAHEAP_PROP_CACHED);
	assert_int_equal(dmaheap_buf_size(b), 8192);
	assert_int_not_equal(dmaheap_buf_fd(b), dmaheap_buf_fd(a));
	/* Same memory. */
	assert_int_equal(dmaheap_buf_map(a, &pa), 0);
	assert_int_equal(dmaheap_buf_map(b, &pb), 0);
	memset(pa, 0x3c, 8192);
	assert_int_equal(((unsigned char *)pb)[8191], 0x3c);
	assert_int_equal(dmaheap_buf_unmap(a), 0);
	assert_int_equal(dmaheap_buf_unmap(b), 0);
	/* Forwarded again, it still says where it came from. */
	assert_int_equal(dmaheap_buf_send(b, p.tx), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &c), 0);
	assert_string_equal(dmaheap_buf_heap_name(c), "system");
	/* The receiver's stats hold only the one allocation. */
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, 1);
	dmaheap_buf_free(c);
	dmaheap_buf_free(b);
	dmaheap_buf_free(a);
	close_pair(p);
}

/* A protected heap's buffer stays unmappable on the other side. */
static void test_protected_stays_protected(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_buf *a = NULL, *b = NULL;
	void *addr;

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "protected,secure-video",
					       NULL), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "protected,secure-video", 4096,
				       0, &a), 0);
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), 0);
	assert_int_equal(dmaheap_buf_props(b), DMAHEAP_PROP_PROTECTED);
	assert_int_equal(dmaheap_buf_map(b, &addr), -EPERM);
	dmaheap_buf_free(b);
	dmaheap_buf_free(a);
	close_pair(p);
}

static void test_image_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	static const uint32_t placements[] = { DMAHEAP_PLANES_ONE_BUFFER,
					       DMAHEAP_PLANES_SEPARATE };

	for (int i = 0; i < 2; i++) {
		struct dmaheap_image_spec s = {
			.fourcc = DRM_FORMAT_YUV420, .width = 65, .height = 33,
			.constraints = { .stride_align = 64,
					 .placement = placements[i] },
		};
		struct dmaheap_image *a = NULL, *b = NULL;
		void *pa[4], *pb[4];

		assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0,
						     &a), 0);
		assert_int_equal(dmaheap_image_send(a, p.tx), 0);
		assert_int_equal(dmaheap_image_recv(f->ctx, p.rx, &b), 0);
		assert_memory_equal(dmaheap_image_get_layout(a),
				    dmaheap_image_get_layout(b),
				    sizeof(struct dmaheap_image_layout));
		assert_string_equal(dmaheap_buf_heap_name(
					dmaheap_image_buf(b, 0)), "system");
		assert_int_equal(dmaheap_image_map(a, pa), 0);
		assert_int_equal(dmaheap_image_map(b, pb), 0);
		memset(pa[2], 0x77, 32);
		assert_int_equal(((unsigned char *)pb[2])[31], 0x77);
		assert_int_equal(dmaheap_image_unmap(a), 0);
		assert_int_equal(dmaheap_image_unmap(b), 0);
		dmaheap_image_free(b);
		dmaheap_image_free(a);
	}
	close_pair(p);
}

/* --- malformed messages, written by hand ------------------------------ */

struct msg {
	uint8_t b[8192];
	size_t len;
};

static void le(struct msg *m, uint64_t v, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		m->b[m->len++] = (uint8_t)(v >> (8 * i));
}

static void header(struct msg *m, unsigned int version, unsigned int kind,
		   unsigned int props, unsigned int n_fds, uint64_t size,
		   const char *heap)
{
	memcpy(m->b, "DMHO", 4);
	m->len = 4;
	le(m, version, 2);
	le(m, kind, 2);
	le(m, props, 4);
	le(m, n_fds, 4);
	le(m, size, 8);
	le(m, strlen(heap), 1);
	memcpy(m->b + m->len, heap, strlen(heap));
	m->len += strlen(heap);
}

static void layout_bytes(struct msg *m, const struct dmaheap_image_layout *l)
{
	le(m, l->fourcc, 4);
	le(m, l->width, 4);
	le(m, l->height, 4);
	le(m, l->padded_height, 4);
	le(m, l->modifier, 8);
	le(m, l->n_planes, 4);
	le(m, l->n_buffers, 4);
	for (int p = 0; p < 4; p++) {
		le(m, l->planes[p].buffer, 4);
		le(m, l->planes[p].stride, 4);
		le(m, l->planes[p].offset, 8);
		le(m, l->planes[p].size, 8);
	}
	for (int b = 0; b < 4; b++)
		le(m, l->buffer_size[b], 8);
}

static void send_raw(int sock, const struct msg *m, const int *fds, int n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} control;
	struct iovec iov = { .iov_base = (void *)m->b, .iov_len = m->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&control, 0, sizeof(control));
	if (n > 0) {
		struct cmsghdr *cm;

		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
	}
	assert_int_equal(sendmsg(sock, &mh, 0), (ssize_t)m->len);
}

/* Sends @m with @n copies of @fd and expects dmaheap_buf_recv() to fail
 * with @err; the test's fd count at teardown shows nothing stayed open. */
static void expect_buf_refused(struct fixture *f, const struct msg *m,
			       int fd, int n, int err)
{
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_buf *b = NULL;
	int fds[8];

	for (int i = 0; i < n; i++)
		fds[i] = fd;
	send_raw(p.tx, m, fds, n);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), err);
	if (err)
		assert_null(b);
	dmaheap_buf_free(b);
	close_pair(p);
}

static void test_malformed_buffer_messages(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *a = NULL;
	int fd, pipefd[2];
	struct msg m;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	fd = dmaheap_buf_fd(a);

	/* The good message, as a control. */
	header(&m, 1, 1, DMAHEAP_PROP_CACHED, 1, 4096, "system");
	expect_buf_refused(f, &m, fd, 1, 0);
	/* Then one fault each. */
	m.len = 10;
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* short */
	header(&m, 1, 1, 0, 1, 4096, "system");
	m.b[0] = 'X';
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* magic */
	header(&m, 3, 1, 0, 1, 4096, "system");
	expect_buf_refused(f, &m, fd, 1, -EPROTONOSUPPORT);
	header(&m, 1, 2, 0, 1, 4096, "system");
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* image, no layout */
	header(&m, 1, 7, 0, 1, 4096, "system");
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* unknown kind */
	header(&m, 1, 1, 0, 1, 4096, "system");
	expect_buf_refused(f, &m, fd, 0, -EBADMSG);	/* no fd */
	header(&m, 1, 1, 0, 2, 4096, "system");
	expect_buf_refused(f, &m, fd, 2, -EBADMSG);	/* two fds */
	header(&m, 1, 1, 0, 1, 4096, "system");
	expect_buf_refused(f, &m, fd, 2, -EBADMSG);	/* count disagrees */
	expect_buf_refused(f, &m, fd, 8, -EBADMSG);	/* far too many */
	header(&m, 1, 1, 0, 1, 8192, "system");
	expect_buf_refused(f, &m, fd, 1, -EMSGSIZE);	/* larger than it is */
	header(&m, 1, 1, 0, 1, 2048, "system");
	expect_buf_refused(f, &m, fd, 1, -EMSGSIZE);	/* smaller */
	header(&m, 1, 1, 0, 1, 4096, "sys/tem");
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* heap name */
	header(&m, 1, 1, 0, 1, 4096, "..");
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);
	header(&m, 1, 1, 1u << 30, 1, 4096, "system");
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* property bits */
	header(&m, 1, 1, DMAHEAP_PROP_CACHED | DMAHEAP_PROP_UNCACHED, 1, 4096,
	       "system");
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);
	header(&m, 1, 1, 0, 1, 4096, "system");
	m.len -= 2;
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* name cut short */
	header(&m, 1, 1, 0, 1, 4096, "system");
	le(&m, 0, 1);
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* trailing byte */
	header(&m, 1, 1, 0, 1, 4096, "system");
	memset(m.b + m.len, 'x', 700);
	m.len += 700;
	expect_buf_refused(f, &m, fd, 1, -EBADMSG);	/* over-long */
	/* A pipe is not a dma-buf. */
	assert_int_equal(pipe(pipefd), 0);
	header(&m, 1, 1, 0, 1, 4096, "system");
	expect_buf_refused(f, &m, pipefd[0], 1, -EBADFD);
	close(pipefd[0]);
	close(pipefd[1]);
	dmaheap_buf_free(a);
}

static void expect_image_refused(struct fixture *f, const struct msg *m,
				 const int *fds, int n, int err)
{
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_image *img = NULL;

	send_raw(p.tx, m, fds, n);
	assert_int_equal(dmaheap_image_recv(f->ctx, p.rx, &img), err);
	if (err)
		assert_null(img);
	dmaheap_image_free(img);
	close_pair(p);
}

static void image_msg(struct msg *m, const struct dmaheap_image_layout *l,
		      unsigned int n_fds, uint64_t size)
{
	header(m, 1, 2, DMAHEAP_PROP_CACHED, n_fds, size, "system");
	layout_bytes(m, l);
}

static void test_malformed_image_messages(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 64,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_image *a = NULL, *small = NULL;
	struct dmaheap_image_layout l, big;
	int fds[2], small_fds[2];
	struct msg m;

	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &a), 0);
	l = *dmaheap_image_get_layout(a);
	fds[0] = dmaheap_image_plane_fd(a, 0);
	fds[1] = dmaheap_image_plane_fd(a, 1);

	image_msg(&m, &l, 2, l.size);
	expect_image_refused(f, &m, fds, 2, 0);		/* control */
	expect_image_refused(f, &m, fds, 1, -EBADMSG);	/* one fd short */
	image_msg(&m, &l, 1, l.size);
	expect_image_refused(f, &m, fds, 1, -EBADMSG);	/* != n_buffers */
	image_msg(&m, &l, 2, l.size + 1);
	expect_image_refused(f, &m, fds, 2, -EBADMSG);	/* size vs layout */
	image_msg(&m, &l, 2, l.size);
	m.len -= 8;
	expect_image_refused(f, &m, fds, 2, -EBADMSG);	/* layout cut */
	header(&m, 1, 1, 0, 1, 4096, "system");
	expect_image_refused(f, &m, fds, 1, -EBADMSG);	/* a buffer */
	/* Five buffers: more than any image has. */
	big = l;
	big.n_buffers = 5;
	image_msg(&m, &big, 5, l.size);
	{
		int five[5] = { fds[0], fds[1], fds[0], fds[1], fds[0] };

		expect_image_refused(f, &m, five, 5, -EBADMSG);
	}
	/* An inconsistent layout: planes overlap their buffer's end. */
	big = l;
	big.planes[1].size = l.buffer_size[1] + 1;
	image_msg(&m, &big, 2, big.size);
	expect_image_refused(f, &m, fds, 2, -EINVAL);
	/* A consistent layout larger than the dma-bufs that came with it. */
	s.width = 32;
	s.height = 32;
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &small),
			 0);
	small_fds[0] = dmaheap_image_plane_fd(small, 0);
	small_fds[1] = dmaheap_image_plane_fd(small, 1);
	s.width = 1024;
	s.height = 1024;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &big), 0);
	image_msg(&m, &big, 2, big.size);
	expect_image_refused(f, &m, small_fds, 2, -EMSGSIZE);
	dmaheap_image_free(small);
	dmaheap_image_free(a);
}

static void test_closed_and_bad_sockets(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_buf *b = NULL, *a = NULL;
	struct dmaheap_image *img = NULL;
	int flags;

	assert_int_equal(dmaheap_buf_recv(NULL, p.rx, &b), -EINVAL);
	assert_int_equal(dmaheap_buf_recv(f->ctx, -1, &b), -EINVAL);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, NULL), -EINVAL);
	assert_int_equal(dmaheap_image_recv(f->ctx, p.rx, NULL), -EINVAL);
	assert_int_equal(dmaheap_buf_send(NULL, p.tx), -EINVAL);
	assert_int_equal(dmaheap_image_send(NULL, p.tx), -EINVAL);
	/* Nothing there on a non-blocking socket. */
	flags = fcntl(p.rx, F_GETFL);
	assert_int_equal(fcntl(p.rx, F_SETFL, flags | O_NONBLOCK), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), -EAGAIN);
	/* Not a socket. */
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	assert_int_equal(dmaheap_buf_send(a, dmaheap_buf_fd(a)), -ENOTSOCK);
	/* The peer went away. */
	close(p.tx);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), -ECONNRESET);
	assert_int_equal(dmaheap_image_recv(f->ctx, p.rx, &img), -ECONNRESET);
	assert_null(b);
	close(p.rx);
	/* Injected failures reach the caller. */
	p = socket_pair(SOCK_SEQPACKET);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_SENDMSG, 0,
					     1, EPIPE), 0);
	assert_int_equal(dmaheap_buf_send(a, p.tx), -EPIPE);
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_RECVMSG, 0,
					     1, EINTR), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), 0); /* retried */
	dmaheap_buf_free(b);
	dmaheap_buf_free(a);
	close_pair(p);
}

/* --- what the receiving socket's options add -------------------------- */

static void set_opt(int sock, int opt)
{
	int on = 1;

	assert_int_equal(setsockopt(sock, SOL_SOCKET, opt, &on, sizeof(on)), 0);
}

/* A buffer and a two-buffer image go over @p and arrive whole; the
 * options' extras (a pidfd) leave no fd behind. */
static void round_trips(struct fixture *f, struct pair p)
{
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 64,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_image *ia = NULL, *ib = NULL;
	struct dmaheap_buf *a = NULL, *b = NULL;
	int fds;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 8192, 0, &a), 0);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &ia), 0);
	fds = count_open_fds();
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), 0);
	assert_int_equal(dmaheap_buf_size(b), 8192);
	assert_string_equal(dmaheap_buf_heap_name(b), "system");
	assert_int_equal(count_open_fds(), fds + 1);
	dmaheap_buf_free(b);
	assert_int_equal(dmaheap_image_send(ia, p.tx), 0);
	assert_int_equal(dmaheap_image_recv(f->ctx, p.rx, &ib), 0);
	assert_memory_equal(dmaheap_image_get_layout(ia),
			    dmaheap_image_get_layout(ib),
			    sizeof(struct dmaheap_image_layout));
	assert_int_equal(count_open_fds(), fds + 2);
	dmaheap_image_free(ib);
	assert_int_equal(count_open_fds(), fds);
	dmaheap_image_free(ia);
	dmaheap_buf_free(a);
}

/* The refusals stay: too many fds, and one that is not a dma-buf, with
 * the options' extras closed too. */
static void refusals(struct fixture *f, struct pair p)
{
	struct dmaheap_buf *a = NULL, *b = NULL;
	int fds[8], pipefd[2], before;
	struct msg m;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	for (int i = 0; i < 8; i++)
		fds[i] = dmaheap_buf_fd(a);
	header(&m, 1, 1, 0, 1, 4096, "system");
	before = count_open_fds();
	send_raw(p.tx, &m, fds, 8);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), -EBADMSG);
	send_raw(p.tx, &m, fds, 2);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), -EBADMSG);
	assert_int_equal(pipe(pipefd), 0);
	send_raw(p.tx, &m, pipefd, 1);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), -EBADFD);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_null(b);
	assert_int_equal(count_open_fds(), before);
	dmaheap_buf_free(a);
}

/* SO_PASSCRED, the usual way to learn who sent a buffer: the kernel puts
 * the sender's credentials before the fds. */
static void test_receiver_passes_credentials(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);

	set_opt(p.rx, SO_PASSCRED);
	round_trips(f, p);
	refusals(f, p);
	close_pair(p);
	/* The same on a datagram socket. */
	p = socket_pair(SOCK_DGRAM);
	set_opt(p.rx, SO_PASSCRED);
	round_trips(f, p);
	close_pair(p);
}

/* SO_PASSPIDFD (Linux 6.5): the kernel adds a pidfd of the sender, an fd
 * the receiver must close. */
static void test_receiver_passes_pidfd(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	int on = 1;

	if (setsockopt(p.rx, SOL_SOCKET, SO_PASSPIDFD, &on, sizeof(on)) < 0) {
		close_pair(p);
		print_message("SO_PASSPIDFD: %s (Linux before 6.5): not tested\n",
			      strerror(errno));
		skip();
	}
	round_trips(f, p);
	refusals(f, p);
	/* With credentials too. */
	set_opt(p.rx, SO_PASSCRED);
	round_trips(f, p);
	close_pair(p);
}

/* SO_PASSSEC: a security module's label of the sender (here the mock's,
 * as a test machine may run none): there is room for 4096 bytes of it
 * whatever else the options add. A label much longer does not fit: the
 * kernel cuts it and drops the fds, and the hand-off is refused with
 * nothing left open. */
static void test_receiver_passes_label(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_buf *a = NULL, *b = NULL;
	char label[8193];
	int on = 1, before;

	set_opt(p.rx, SO_PASSSEC);
	assert_int_equal(dmaheap_mock_set_socket_label(
		f->mock, "system_u:system_r:unconfined_t:s0-s15:c0.c1023"), 0);
	round_trips(f, p);
	refusals(f, p);
	/* Every option at once, with the longest label there is room for. */
	set_opt(p.rx, SO_PASSCRED);
	(void)setsockopt(p.rx, SOL_SOCKET, SO_PASSPIDFD, &on, sizeof(on));
	memset(label, 'l', 4096);
	label[4096] = '\0';
	assert_int_equal(dmaheap_mock_set_socket_label(f->mock, label), 0);
	round_trips(f, p);
	/* Far more than that. */
	memset(label, 'l', 8192);
	label[8192] = '\0';
	assert_int_equal(dmaheap_mock_set_socket_label(f->mock, label), 0);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	before = count_open_fds();
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), -EBADMSG);
	assert_null(b);
	assert_int_equal(count_open_fds(), before);
	/* The mock's own checks. */
	assert_int_equal(dmaheap_mock_set_socket_label(f->mock, ""), -EINVAL);
	assert_int_equal(dmaheap_mock_set_socket_label(NULL, "x"), -EINVAL);
	assert_int_equal(dmaheap_mock_set_socket_label(f->mock, NULL), 0);
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), 0);
	dmaheap_buf_free(b);
	dmaheap_buf_free(a);
	close_pair(p);
}

/* --- what a sender adds: its blob and a fence ------------------------- */

/* A sync file of @b, as a producer's fence would come. */
static int fence_of(struct dmaheap_buf *b)
{
	int fd = -1;

	assert_int_equal(dmaheap_buf_export_sync_file(b, DMAHEAP_ACCESS_WRITE,
						      &fd), 0);
	return fd;
}

static void fill_extra(struct dmaheap_handoff_extra *e, uint32_t tag,
		       uint32_t len, int fence)
{
	e->tag = tag;
	e->blob_len = len;
	for (uint32_t i = 0; i < len; i++)
		e->blob[i] = (uint8_t)(i * 7 + 3);
	e->fence_fd = fence;
}

static void assert_blob(const struct dmaheap_handoff_extra *e, uint32_t tag,
			uint32_t len)
{
	assert_int_equal(e->tag, tag);
	assert_int_equal(e->blob_len, len);
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(e->blob[i], (uint8_t)(i * 7 + 3));
}

/* The receiver's fence is its own new fd of a sync file, close-on-exec,
 * and the buffer takes it back. */
static void assert_fence(struct dmaheap_buf *b, int sent, int got)
{
	assert_true(got >= 0);
	assert_int_not_equal(got, sent);
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(dmaheap_buf_import_sync_file(b, DMAHEAP_ACCESS_WRITE,
						      got), 0);
}

static void test_extra_buffer_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_handoff_extra *tx = calloc(1, sizeof(*tx));
	struct dmaheap_handoff_extra *rx = calloc(1, sizeof(*rx));
	struct dmaheap_buf *a = NULL, *b = NULL;
	int fence, before;

	assert_non_null(tx);
	assert_non_null(rx);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 8192, 0, &a), 0);
	fence = fence_of(a);
	before = count_open_fds();
	/* The largest blob, a tag and a fence. */
	fill_extra(tx, 0x4e563132, DMAHEAP_HANDOFF_BLOB_MAX, fence);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, tx), 0);
	assert_int_equal(dmaheap_buf_recv_extra(f->ctx, p.rx, &b, rx), 0);
	assert_blob(rx, 0x4e563132, DMAHEAP_HANDOFF_BLOB_MAX);
	assert_int_equal(dmaheap_buf_size(b), 8192);
	assert_string_equal(dmaheap_buf_heap_name(b), "system");
	assert_fence(b, fence, rx->fence_fd);
	assert_int_equal(count_open_fds(), before + 2);
	close(rx->fence_fd);
	dmaheap_buf_free(b);
	/* A blob without a fence; a tag alone. */
	fill_extra(tx, 7, 33, -1);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, tx), 0);
	assert_int_equal(dmaheap_buf_recv_extra(f->ctx, p.rx, &b, rx), 0);
	assert_blob(rx, 7, 33);
	assert_int_equal(rx->fence_fd, -1);
	dmaheap_buf_free(b);
	fill_extra(tx, 9, 0, -1);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, tx), 0);
	assert_int_equal(dmaheap_buf_recv_extra(f->ctx, p.rx, &b, rx), 0);
	assert_blob(rx, 9, 0);
	dmaheap_buf_free(b);
	/* A fence alone, on a datagram socket. */
	close_pair(p);
	p = socket_pair(SOCK_DGRAM);
	fill_extra(tx, 0, 0, fence);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, tx), 0);
	assert_int_equal(dmaheap_buf_recv_extra(f->ctx, p.rx, &b, rx), 0);
	assert_blob(rx, 0, 0);
	assert_fence(b, fence, rx->fence_fd);
	close(rx->fence_fd);
	dmaheap_buf_free(b);
	assert_int_equal(count_open_fds(), before);
	close(fence);
	dmaheap_buf_free(a);
	close_pair(p);
	free(tx);
	free(rx);
}

static void test_extra_image_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 64,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_handoff_extra *tx = calloc(1, sizeof(*tx));
	struct dmaheap_handoff_extra *rx = calloc(1, sizeof(*rx));
	struct dmaheap_image *a = NULL, *b = NULL;
	struct dmaheap_buf *luma;
	int fence;

	assert_non_null(tx);
	assert_non_null(rx);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &a), 0);
	luma = (struct dmaheap_buf *)dmaheap_image_buf(a, 0);
	fence = fence_of(luma);
	fill_extra(tx, 2, 100, fence);
	assert_int_equal(dmaheap_image_send_extra(a, p.tx, tx), 0);
	assert_int_equal(dmaheap_image_recv_extra(f->ctx, p.rx, &b, rx), 0);
	assert_memory_equal(dmaheap_image_get_layout(a),
			    dmaheap_image_get_layout(b),
			    sizeof(struct dmaheap_image_layout));
	assert_blob(rx, 2, 100);
	assert_fence(luma, fence, rx->fence_fd);
	close(rx->fence_fd);
	dmaheap_image_free(b);
	/* Nothing added: what dmaheap_image_recv() reads too. */
	fill_extra(tx, 0, 0, -1);
	assert_int_equal(dmaheap_image_send_extra(a, p.tx, tx), 0);
	assert_int_equal(dmaheap_image_recv(f->ctx, p.rx, &b), 0);
	dmaheap_image_free(b);
	close(fence);
	dmaheap_image_free(a);
	close_pair(p);
	free(tx);
	free(rx);
}

/* The version byte of the next message on @sock, left queued. */
static unsigned int peek_version(int sock)
{
	uint8_t b[8];

	assert_int_equal(recv(sock, b, sizeof(b), MSG_PEEK | MSG_TRUNC) >= 8,
			 1);
	return b[4] | (unsigned int)b[5] << 8;
}

struct warnings {
	int n;
	char last[512];
};

static void count_warning(void *userdata, int priority, const char *msg)
{
	struct warnings *w = userdata;

	if (priority <= DMAHEAP_LOG_WARNING) {
		w->n++;
		snprintf(w->last, sizeof(w->last), "%s", msg);
	}
}

/* Old and new interoperate: adding nothing sends version 1; version 1
 * reads as nothing added; a receiver that asks for no extras takes a
 * fenced buffer, closes the fence and says so. */
static void test_extra_interoperates(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_handoff_extra none = DMAHEAP_HANDOFF_EXTRA_INIT;
	struct dmaheap_handoff_extra *rx = calloc(1, sizeof(*rx));
	struct dmaheap_buf *a = NULL, *b = NULL;
	struct warnings w = { 0 };
	struct dmaheap_ctx *ctx;
	int fence, before;

	assert_non_null(rx);
	ctx = fixture_logging_ctx(f, count_warning, &w, DMAHEAP_LOG_INFO);
	assert_int_equal(dmaheap_alloc(ctx, "system", 4096, 0, &a), 0);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, &none), 0);
	assert_int_equal(peek_version(p.rx), 1);
	rx->fence_fd = 42;
	rx->tag = 5;
	assert_int_equal(dmaheap_buf_recv_extra(ctx, p.rx, &b, rx), 0);
	assert_int_equal(rx->tag, 0);
	assert_int_equal(rx->blob_len, 0);
	assert_int_equal(rx->fence_fd, -1);
	dmaheap_buf_free(b);
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(peek_version(p.rx), 1);
	assert_int_equal(dmaheap_buf_recv(ctx, p.rx, &b), 0);
	dmaheap_buf_free(b);
	assert_int_equal(w.n, 0);
	/* A blob and a fence to a receiver that wants neither. */
	fence = fence_of(a);
	before = count_open_fds();
	none.blob_len = 16;
	none.fence_fd = fence;
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, &none), 0);
	assert_int_equal(peek_version(p.rx), 2);
	assert_int_equal(dmaheap_buf_recv(ctx, p.rx, &b), 0);
	assert_int_equal(count_open_fds(), before + 1);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "dmaheap_buf_recv_extra"));
	dmaheap_buf_free(b);
	close(fence);
	dmaheap_buf_free(a);
	dmaheap_ctx_free(ctx);
	close_pair(p);
	free(rx);
}

/* Version 2's fields after a version 1 description, written by hand. */
static void extra_bytes(struct msg *m, uint32_t tag, uint32_t len,
			uint32_t flags, uint32_t blob_bytes)
{
	le(m, tag, 4);
	le(m, len, 4);
	le(m, flags, 4);
	for (uint32_t i = 0; i < blob_bytes; i++)
		m->b[m->len++] = (uint8_t)i;
}

/* As expect_buf_refused(), through dmaheap_buf_recv_extra(): nothing is
 * left in @extra and no fd stays open. */
static void expect_extra_refused(struct fixture *f, const struct msg *m,
				 const int *fds, int n, int err)
{
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_handoff_extra *e = calloc(1, sizeof(*e));
	struct dmaheap_buf *b = NULL;
	int before;

	assert_non_null(e);
	before = count_open_fds();
	send_raw(p.tx, m, fds, n);
	e->fence_fd = 99;
	assert_int_equal(dmaheap_buf_recv_extra(f->ctx, p.rx, &b, e), err);
	if (err) {
		assert_null(b);
		assert_int_equal(e->fence_fd, -1);
		assert_int_equal(e->blob_len, 0);
	} else {
		if (e->fence_fd >= 0)
			close(e->fence_fd);
		dmaheap_buf_free(b);
	}
	assert_int_equal(count_open_fds(), before);
	free(e);
	close_pair(p);
}

static void test_extra_malformed(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *a = NULL;
	int fds[4], pipefd[2], efd;
	struct msg m;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	fds[0] = dmaheap_buf_fd(a);
	fds[1] = fence_of(a);
	fds[2] = fds[1];
	assert_int_equal(pipe(pipefd), 0);
	efd = eventfd(1, EFD_CLOEXEC);
	assert_true(efd >= 0);

	/* The good ones, as controls. */
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 10, 1, 10);
	expect_extra_refused(f, &m, fds, 2, 0);
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 10, 0, 10);
	expect_extra_refused(f, &m, fds, 1, 0);
	/* The blob: longer than announced, shorter, over the bound. */
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 10, 0, 11);
	expect_extra_refused(f, &m, fds, 1, -EBADMSG);
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 10, 1, 9);
	expect_extra_refused(f, &m, fds, 2, -EBADMSG);
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, DMAHEAP_HANDOFF_BLOB_MAX + 1, 0,
		    DMAHEAP_HANDOFF_BLOB_MAX + 1);
	expect_extra_refused(f, &m, fds, 1, -EBADMSG);
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, UINT32_MAX, 0, 8);
	expect_extra_refused(f, &m, fds, 1, -EBADMSG);
	/* The extra fields cut short, or missing. */
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 0, 0, 0);
	m.len -= 3;
	expect_extra_refused(f, &m, fds, 1, -EBADMSG);
	header(&m, 2, 1, 0, 1, 4096, "system");
	expect_extra_refused(f, &m, fds, 1, -EBADMSG);
	/* Flags this library does not know. */
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 0, 2, 0);
	expect_extra_refused(f, &m, fds, 1, -EBADMSG);
	/* A fence announced, none sent; one sent, none announced; extras. */
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 0, 1, 0);
	expect_extra_refused(f, &m, fds, 1, -EBADMSG);
	expect_extra_refused(f, &m, fds, 3, -EBADMSG);
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 0, 0, 0);
	expect_extra_refused(f, &m, fds, 2, -EBADMSG);
	header(&m, 1, 1, 0, 1, 4096, "system");
	expect_extra_refused(f, &m, fds, 2, -EBADMSG);
	/* A fence that is not a sync file: a pipe, an eventfd that is not
	 * the mock's, a dma-buf. */
	header(&m, 2, 1, 0, 1, 4096, "system");
	extra_bytes(&m, 1, 0, 1, 0);
	fds[1] = pipefd[0];
	expect_extra_refused(f, &m, fds, 2, -EBADFD);
	fds[1] = efd;
	expect_extra_refused(f, &m, fds, 2, -EBADFD);
	fds[1] = fds[0];
	expect_extra_refused(f, &m, fds, 2, -EBADFD);
	/* The fence where the dma-buf goes. */
	fds[1] = fds[2];
	{
		int swapped[2] = { fds[1], fds[0] };

		expect_extra_refused(f, &m, swapped, 2, -EBADFD);
	}
	close(efd);
	close(pipefd[0]);
	close(pipefd[1]);
	close(fds[2]);
	dmaheap_buf_free(a);
}

/* An image's fence is the fd after its n_buffers dma-bufs. */
static void test_extra_image_malformed(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 64,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_handoff_extra *e = calloc(1, sizeof(*e));
	struct dmaheap_image *a = NULL, *img = NULL;
	struct dmaheap_image_layout l;
	int fds[4], pipefd[2], before;
	struct msg m;

	assert_non_null(e);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &a), 0);
	l = *dmaheap_image_get_layout(a);
	fds[0] = dmaheap_image_plane_fd(a, 0);
	fds[1] = dmaheap_image_plane_fd(a, 1);
	assert_int_equal(pipe(pipefd), 0);
	fds[2] = pipefd[0];
	fds[3] = pipefd[0];
	before = count_open_fds();
	for (int k = 0; k < 3; k++) {
		struct pair p = socket_pair(SOCK_SEQPACKET);
		static const int n[] = { 3, 2, 4 };
		static const int err[] = { -EBADFD, -EBADMSG, -EBADMSG };

		header(&m, 2, 2, DMAHEAP_PROP_CACHED, 2, l.size, "system");
		layout_bytes(&m, &l);
		extra_bytes(&m, 1, 4, 1, 4);
		send_raw(p.tx, &m, fds, n[k]);
		assert_int_equal(dmaheap_image_recv_extra(f->ctx, p.rx, &img,
							  e), err[k]);
		assert_null(img);
		assert_int_equal(e->fence_fd, -1);
		close_pair(p);
	}
	assert_int_equal(count_open_fds(), before);
	close(pipefd[0]);
	close(pipefd[1]);
	dmaheap_image_free(a);
	free(e);
}

/* SYNC_IOC_FILE_INFO, which tells a fence from other fds: the mock answers
 * it on its sync files as the kernel does on a sync_file (one signalled
 * fence), and leaves every other fd to the real kernel, which refuses. */
static void test_mock_sync_file_info(void **state)
{
	struct fixture *f = *state;
	const struct dmaheap_sys *sys = dmaheap_mock_sys(f->mock);
	struct sync_fence_info fence;
	struct sync_file_info info;
	struct dmaheap_buf *a = NULL;
	int sync_fd, pipefd[2], efd;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	sync_fd = fence_of(a);
	memset(&info, 0, sizeof(info));
	assert_int_equal(sys->ioctl(sys, sync_fd, SYNC_IOC_FILE_INFO, &info), 0);
	assert_int_equal(info.num_fences, 1);
	assert_int_equal(info.status, 1);
	/* The fences themselves, into the caller's array. */
	memset(&fence, 0, sizeof(fence));
	info.sync_fence_info = (uint64_t)(uintptr_t)&fence;
	assert_int_equal(sys->ioctl(sys, sync_fd, SYNC_IOC_FILE_INFO, &info), 0);
	assert_int_equal(fence.status, 1);
	info.sync_fence_info = 0;
	assert_int_equal(sys->ioctl(sys, sync_fd, SYNC_IOC_FILE_INFO, &info),
			 -EFAULT);
	memset(&info, 0, sizeof(info));
	info.flags = 1;
	assert_int_equal(sys->ioctl(sys, sync_fd, SYNC_IOC_FILE_INFO, &info),
			 -EINVAL);
	assert_int_equal(sys->ioctl(sys, sync_fd, SYNC_IOC_FILE_INFO, NULL),
			 -EFAULT);
	/* Not sync files: a dma-buf, a pipe, an eventfd of no mock. */
	assert_int_equal(pipe(pipefd), 0);
	efd = eventfd(1, EFD_CLOEXEC);
	assert_true(efd >= 0);
	memset(&info, 0, sizeof(info));
	assert_int_equal(sys->ioctl(sys, dmaheap_buf_fd(a), SYNC_IOC_FILE_INFO,
				    &info), -ENOTTY);
	assert_int_equal(sys->ioctl(sys, pipefd[0], SYNC_IOC_FILE_INFO, &info),
			 -ENOTTY);
	assert_int_equal(sys->ioctl(sys, efd, SYNC_IOC_FILE_INFO, &info),
			 -ENOTTY);
	close(efd);
	close(pipefd[0]);
	close(pipefd[1]);
	close(sync_fd);
	dmaheap_buf_free(a);
}

/* The sender's own checks: nothing goes out for a bad blob or fence. */
static void test_extra_send_errors(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_handoff_extra *e = calloc(1, sizeof(*e));
	struct dmaheap_buf *a = NULL, *b = NULL;
	struct dmaheap_image *img = NULL;
	int pipefd[2], flags;

	assert_non_null(e);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 4096, 0, &a), 0);
	assert_int_equal(pipe(pipefd), 0);
	fill_extra(e, 1, DMAHEAP_HANDOFF_BLOB_MAX, -1);
	e->blob_len++;
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, e), -EINVAL);
	fill_extra(e, 0, 0, -2);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, e), -EINVAL);
	fill_extra(e, 1, 0, pipefd[1]);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, e), -EINVAL);
	fill_extra(e, 1, 0, dmaheap_buf_fd(a));
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, e), -EINVAL);
	fill_extra(e, 1, 0, 1000000);
	assert_int_equal(dmaheap_buf_send_extra(a, p.tx, e), -EBADF);
	assert_int_equal(dmaheap_buf_send_extra(NULL, p.tx, e), -EINVAL);
	assert_int_equal(dmaheap_image_send_extra(NULL, p.tx, e), -EINVAL);
	assert_int_equal(dmaheap_buf_recv_extra(NULL, p.rx, &b, e), -EINVAL);
	assert_int_equal(e->fence_fd, -1);
	assert_int_equal(dmaheap_image_recv_extra(f->ctx, p.rx, NULL, e),
			 -EINVAL);
	/* None of them sent anything. */
	flags = fcntl(p.rx, F_GETFL);
	assert_int_equal(fcntl(p.rx, F_SETFL, flags | O_NONBLOCK), 0);
	assert_int_equal(dmaheap_buf_recv_extra(f->ctx, p.rx, &b, e), -EAGAIN);
	assert_int_equal(dmaheap_image_recv_extra(f->ctx, p.rx, &img, e),
			 -EAGAIN);
	close(pipefd[0]);
	close(pipefd[1]);
	dmaheap_buf_free(a);
	close_pair(p);
	free(e);
}

/* --- between processes: buffers made after fork() ---------------------- */

/* In a child: no cmocka there, a failed step is its exit status. */
#define CHILD_STEP(n, cond)                                                  \
	do {                                                                 \
		if (!(cond))                                                 \
			_exit(n);                                            \
	} while (0)

static void fill(struct dmaheap_buf *b, uint8_t v)
{
	void *p = NULL;

	if (dmaheap_buf_map(b, &p) == 0) {
		memset(p, v, dmaheap_buf_size(b));
		dmaheap_buf_unmap(b);
	}
}

static bool holds(struct dmaheap_buf *b, uint8_t v)
{
	size_t n = dmaheap_buf_size(b);
	uint8_t *p = NULL;
	bool ok;

	if (dmaheap_buf_map(b, (void **)&p) != 0)
		return false;
	ok = p[0] == v && p[n - 1] == v;
	dmaheap_buf_unmap(b);
	return ok;
}

static void wait_child(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The child's copy of the mock allocates: the parent's mock has never
 * heard of the buffer, and must take it for the dma-buf it is. */
static void test_child_allocates_after_fork(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 64,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_image *img = NULL;
	struct dmaheap_buf *b = NULL;
	struct dmaheap_mock_buf_info info;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct dmaheap_image *ci = NULL;
		struct dmaheap_buf *cb = NULL;

		CHILD_STEP(10, dmaheap_alloc(f->ctx, "system", 3 * 4096, 0,
					     &cb) == 0);
		fill(cb, 0x5a);
		CHILD_STEP(11, dmaheap_buf_send(cb, p.tx) == 0);
		CHILD_STEP(12, dmaheap_image_alloc(f->ctx, "system", &s, 0,
						   &ci) == 0);
		CHILD_STEP(13, dmaheap_image_send(ci, p.tx) == 0);
		_exit(0);
	}
	wait_child(pid);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), 0);
	assert_int_equal(dmaheap_buf_size(b), 3 * 4096);
	assert_true(holds(b, 0x5a));
	/* The mock knows it now, as a buffer of its heap. */
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(b),
					       &info), 0);
	assert_string_equal(info.heap, "system");
	assert_int_equal(info.size, 3 * 4096);
	assert_int_equal(dmaheap_buf_begin_cpu_access(b, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_buf_end_cpu_access(b, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(dmaheap_image_recv(f->ctx, p.rx, &img), 0);
	assert_int_equal(dmaheap_image_get_layout(img)->n_buffers, 2);
	dmaheap_image_free(img);
	dmaheap_buf_free(b);
	close_pair(p);
}

/* And the other way: the parent allocates after fork(), the child's copy
 * of the mock receives. */
static void test_parent_allocates_after_fork(void **state)
{
	struct fixture *f = *state;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_buf *a = NULL;
	uint8_t ack = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct dmaheap_buf *cb = NULL;

		CHILD_STEP(20, dmaheap_buf_recv(f->ctx, p.rx, &cb) == 0);
		CHILD_STEP(21, dmaheap_buf_size(cb) == 2 * 4096);
		CHILD_STEP(22, holds(cb, 0xa5));
		fill(cb, 0x17);
		CHILD_STEP(23, write(p.rx, "k", 1) == 1);
		_exit(0);
	}
	/* The child's end: a child that fails closes it, and the read below
	 * sees end of file instead of waiting. */
	close(p.rx);
	assert_int_equal(dmaheap_alloc(f->ctx, "system", 2 * 4096, 0, &a), 0);
	fill(a, 0xa5);
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(read(p.tx, &ack, 1), 1);
	wait_child(pid);
	assert_true(holds(a, 0x17));
	dmaheap_buf_free(a);
	close(p.tx);
}

/* Two mocks of one process are two kernels: neither takes the other's
 * buffers, whether or not they travelled. */
static void test_other_mock_in_process_refused(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct pair p = socket_pair(SOCK_SEQPACKET);
	struct dmaheap_mock_buf_info info;
	struct dmaheap_buf *a = NULL, *b = NULL;
	struct dmaheap_mock *other;
	struct dmaheap_ctx *ctx;

	assert_int_equal(dmaheap_mock_new(&other), 0);
	assert_int_equal(dmaheap_mock_add_heap(other, "system", NULL), 0);
	dmaheap_mock_options(other, &o);
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	assert_int_equal(dmaheap_alloc(ctx, "system", 4096, 0, &a), 0);
	assert_int_equal(dmaheap_mock_buf_info(f->mock, dmaheap_buf_fd(a),
					       &info), -ENOENT);
	assert_int_equal(dmaheap_buf_send(a, p.tx), 0);
	assert_int_equal(dmaheap_buf_recv(f->ctx, p.rx, &b), -EBADFD);
	dmaheap_buf_free(a);
	dmaheap_ctx_free(ctx);
	dmaheap_mock_free(other);
	close_pair(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_buffer_round_trip),
		FIXTURE_TEST(test_protected_stays_protected),
		FIXTURE_TEST(test_image_round_trip),
		FIXTURE_TEST(test_malformed_buffer_messages),
		FIXTURE_TEST(test_malformed_image_messages),
		FIXTURE_TEST(test_closed_and_bad_sockets),
		FIXTURE_TEST(test_extra_buffer_round_trip),
		FIXTURE_TEST(test_extra_image_round_trip),
		FIXTURE_TEST(test_extra_interoperates),
		FIXTURE_TEST(test_extra_malformed),
		FIXTURE_TEST(test_extra_image_malformed),
		FIXTURE_TEST(test_extra_send_errors),
		FIXTURE_TEST(test_mock_sync_file_info),
		FIXTURE_TEST(test_receiver_passes_credentials),
		FIXTURE_TEST(test_receiver_passes_pidfd),
		FIXTURE_TEST(test_receiver_passes_label),
		FIXTURE_TEST(test_child_allocates_after_fork),
		FIXTURE_TEST(test_parent_allocates_after_fork),
		FIXTURE_TEST(test_other_mock_in_process_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
