/* SPDX-License-Identifier: MIT */
/*
 * Hand-off and layout fuzzer. The first byte picks what to do:
 *  - bit 0 clear: the rest is a hand-off message received over a
 *    SOCK_SEQPACKET socketpair by dmaheap_buf_recv() (bit 1 clear) or
 *    dmaheap_image_recv() (bit 1 set), with 0 to 7 fds attached (bits 2-4)
 *    of kinds picked by the next byte: a 4 KiB or a 4 MiB dma-buf of the
 *    mock, a pipe; with bit 6 of that byte the last fd is a sync file of
 *    the mock, and with bit 7 the receive is dmaheap_buf_recv_extra() or
 *    dmaheap_image_recv_extra(); the receiving socket has SO_PASSCRED (bit 5),
 *    SO_PASSPIDFD (bit 6), SO_PASSSEC with a mock security label (bit 7:
 *    a short label, or with bits 5 and 6 one too long to fit);
 *  - bit 0 set: the rest decodes to an image spec for dmaheap_image_layout().
 *
 * Promises checked: a documented errno or success; on success a buffer or
 * image consistent with its fds, a layout meeting its constraints; no fd
 * left open by a refusal (fd count back to where it was), no mock leak.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dmaheap-mock.h"
#include "dmaheap.h"
#include "fuzz.h"

#define MAX_ATTACH 7

struct env {
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *small, *large;
	int pipefd[2];
	int sync_fd;
	struct dmaheap_handoff_extra extra;
};

static void env_open(struct env *e)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;

	fz_check(dmaheap_mock_new(&e->mock) == 0, "mock");
	fz_check(dmaheap_mock_add_heap(e->mock, "system", NULL) == 0, "heap");
	dmaheap_mock_options(e->mock, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	fz_check(dmaheap_ctx_new_with(&o, &e->ctx) == 0, "ctx");
	fz_check(dmaheap_alloc(e->ctx, "system", 4096, 0, &e->small) == 0,
		 "small");
	fz_check(dmaheap_alloc(e->ctx, "system", 4 << 20, 0, &e->large) == 0,
		 "large");
	fz_check(pipe(e->pipefd) == 0, "pipe");
	fz_check(dmaheap_buf_export_sync_file(e->small, DMAHEAP_ACCESS_RW,
					      &e->sync_fd) == 0, "sync file");
}

static void env_close(struct env *e)
{
	struct dmaheap_mock_leaks leaks;
	char report[512];

	close(e->pipefd[0]);
	close(e->pipefd[1]);
	close(e->sync_fd);
	dmaheap_buf_free(e->small);
	dmaheap_buf_free(e->large);
	dmaheap_ctx_free(e->ctx);
	fz_check(dmaheap_mock_leaks(e->mock, &leaks, report,
				    sizeof(report)) == 0, "%s", report);
	dmaheap_mock_free(e->mock);
}

static int pick_fd(struct env *e, unsigned int kind)
{
	switch (kind % 3) {
	case 0:
		return dmaheap_buf_fd(e->small);
	case 1:
		return dmaheap_buf_fd(e->large);
	default:
		return e->pipefd[0];
	}
}

static void send_message(int sock, const uint8_t *msg, size_t len,
			 const int *fds, unsigned int n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * MAX_ATTACH)];
	} control;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&control, 0, sizeof(control));
	if (n) {
		struct cmsghdr *cm;

		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	}
	fz_check(sendmsg(sock, &mh, 0) == (ssize_t)len, "sendmsg");
}

/* What the kernel adds to each message on @sock (see the top). */
static void socket_options(struct env *e, uint8_t mode, int sock)
{
	static char label[5001];
	int on = 1;

	if (mode & 0x20)
		(void)setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	if (mode & 0x40) /* SO_PASSPIDFD, Linux 6.5; older ones refuse it */
		(void)setsockopt(sock, SOL_SOCKET, 76, &on, sizeof(on));
	if (!(mode & 0x80))
		return;
	(void)setsockopt(sock, SOL_SOCKET, SO_PASSSEC, &on, sizeof(on));
	memset(label, 'l', sizeof(label) - 1);
	fz_check(dmaheap_mock_set_socket_label(e->mock, (mode & 0x60) == 0x60 ?
			label : "system_u:system_r:unconfined_t:s0") == 0,
		 "label");
}

static bool recv_errno_documented(int r)
{
	return r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT ||
	       r == -EMSGSIZE || r == -EBADFD || r == -EINVAL ||
	       r == -ECONNRESET;
}

static void check_image(const struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);

	for (unsigned int p = 0; p < l->n_planes; p++) {
		const struct dmaheap_plane_layout *pl = &l->planes[p];
		struct dmaheap_buf *b = dmaheap_image_buf(img, pl->buffer);

		fz_check(b, "plane %u has no buffer", p);
		fz_check(pl->offset + pl->size <= dmaheap_buf_size(b),
			 "plane %u outside its dma-buf", p);
	}
}

static void receive(struct env *e, uint8_t mode, struct fz_reader *in)
{
	unsigned int n = (mode >> 2) & 7, kinds = fz_u8(in);
	int fds[MAX_ATTACH], sv[2], before, r;
	struct dmaheap_image *img = NULL;
	struct dmaheap_buf *buf = NULL;

	for (unsigned int i = 0; i < n; i++)
		fds[i] = pick_fd(e, kinds >> i);
	if (n && (kinds & 0x40))
		fds[n - 1] = e->sync_fd;
	fz_check(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0,
		 "socketpair");
	socket_options(e, mode, sv[1]);
	/* An empty datagram is how a closed peer looks: send one byte. */
	send_message(sv[0], in->left ? in->p : (const uint8_t *)"", in->left ?
		     in->left : 1, fds, n);
	before = count_open_fds();
	if (kinds & 0x80) {
		r = mode & 2 ? dmaheap_image_recv_extra(e->ctx, sv[1], &img,
							&e->extra)
			     : dmaheap_buf_recv_extra(e->ctx, sv[1], &buf,
						      &e->extra);
		fz_check(recv_errno_documented(r), "recv_extra %d", r);
		fz_check(r == 0 || e->extra.fence_fd == -1,
			 "a refusal left a fence");
		fz_check(e->extra.blob_len <= DMAHEAP_HANDOFF_BLOB_MAX, "blob");
		if (img)
			check_image(img);
		if (e->extra.fence_fd >= 0)
			close(e->extra.fence_fd);
		dmaheap_image_free(img);
		dmaheap_buf_free(buf);
	} else if (mode & 2) {
		r = dmaheap_image_recv(e->ctx, sv[1], &img);
		fz_check(recv_errno_documented(r), "image_recv %d", r);
		if (r == 0)
			check_image(img);
		dmaheap_image_free(img);
	} else {
		r = dmaheap_buf_recv(e->ctx, sv[1], &buf);
		fz_check(recv_errno_documented(r), "buf_recv %d", r);
		if (r == 0)
			fz_check(dmaheap_buf_size(buf) == 4096 ||
				 dmaheap_buf_size(buf) == 4 << 20, "size");
		dmaheap_buf_free(buf);
	}
	/* The message's fds arrived during the call: all gone again. */
	fz_check(count_open_fds() == before, "fds %d, before %d",
		 count_open_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

static bool multiple(uint64_t v, uint32_t align)
{
	return align == 0 || v % align == 0;
}

static void layout(struct fz_reader *in)
{
	static const uint32_t fourccs[] = {
		0x3231564e /* NV12 */, 0x32315559 /* YU12 */,
		0x34325258 /* XR24 */, 0x56595559 /* YUYV */,
		0x30313050 /* P010 */, 0x20203852 /* R8 */,
	};
	struct dmaheap_image_spec s;
	struct dmaheap_image_layout l;
	uint8_t f = fz_u8(in);
	uint64_t end = 0, total = 0;
	int r;

	memset(&s, 0, sizeof(s));
	s.fourcc = f < 240 ? fourccs[f % 6] : fz_u32(in);
	s.width = fz_u32(in) >> (fz_u8(in) % 32);
	s.height = fz_u32(in) >> (fz_u8(in) % 32);
	s.modifier = fz_u8(in) == 0xff ? fz_u32(in) : 0;
	s.constraints.stride_align = fz_u32(in) >> (fz_u8(in) % 32);
	s.constraints.offset_align = fz_u32(in) >> (fz_u8(in) % 32);
	s.constraints.height_align = fz_u32(in) >> (fz_u8(in) % 32);
	s.constraints.size_align = fz_u32(in) >> (fz_u8(in) % 32);
	s.constraints.placement = fz_u8(in) % 4;
	r = dmaheap_image_layout(NULL, &s, &l);
	fz_check(r == 0 || r == -EINVAL || r == -EOPNOTSUPP || r == -EOVERFLOW,
		 "layout %d", r);
	if (r)
		return;
	fz_check(l.padded_height >= s.height &&
		 multiple(l.padded_height, s.constraints.height_align),
		 "height");
	for (unsigned int p = 0; p < l.n_planes; p++) {
		const struct dmaheap_plane_layout *pl = &l.planes[p];

		fz_check(multiple(pl->stride, s.constraints.stride_align) &&
			 pl->stride >= s.width / 2, "stride %u", pl->stride);
		fz_check(pl->offset + pl->size <= l.buffer_size[pl->buffer],
			 "plane %u past its buffer", p);
		if (l.n_buffers == 1) {
			fz_check(pl->offset >= end &&
				 multiple(pl->offset, s.constraints.offset_align),
				 "offset");
			end = pl->offset + pl->size;
		}
	}
	for (unsigned int b = 0; b < l.n_buffers; b++) {
		fz_check(multiple(l.buffer_size[b], s.constraints.size_align),
			 "size align");
		total += l.buffer_size[b];
	}
	fz_check(total == l.size && l.size <= SIZE_MAX, "total");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_reader in = { data, size };
	uint8_t mode = fz_u8(&in);
	struct env e;
	int fds_before = count_open_fds();

	if (mode & 1) {
		layout(&in);
		return 0;
	}
	env_open(&e);
	receive(&e, mode, &in);
	env_close(&e);
	fz_check(count_open_fds() == fds_before, "fds after the run");
	return 0;
}
