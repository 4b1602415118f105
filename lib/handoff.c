/* SPDX-License-Identifier: MIT */
/*
 * Buffers and images that travel between processes: one SCM_RIGHTS message
 * over a UNIX socket carrying the dma-buf fds and a small versioned
 * description (the wire format is in dmaheap.h, "Hand-off"). The receiver
 * believes nothing it can check: fd count, kind, lengths, names, property
 * bits and layout are verified, and every dma-buf must be the size the
 * description says. Any refusal closes every fd that arrived.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"

#define MAGIC "DMHO"
#define VERSION 1
#define KIND_BUFFER 1
#define KIND_IMAGE 2
#define HEADER_BYTES 25
#define PLANE_BYTES 24
#define LAYOUT_BYTES (4 * 4 + 8 + 2 * 4 + \
		      DMAHEAP_IMAGE_MAX_PLANES * (PLANE_BYTES + 8))
#define MAX_NAME 255
#define MAX_MESSAGE (HEADER_BYTES + MAX_NAME + LAYOUT_BYTES)
/* Room for one fd more than any message has, to notice extra ones. */
#define MAX_FDS (DMAHEAP_IMAGE_MAX_PLANES + 1)
/* Room for an SO_PASSSEC label: an SELinux context with a long MLS
 * range, or an AppArmor profile path, stays well below it. */
#define MAX_LABEL 4096
_Static_assert(MAX_LABEL == 4096, "receive()'s refusal names the limit");

/* Control message types the kernel adds on receive; the numbers are ABI
 * (<linux/socket.h>), older C libraries lack the names. */
#ifndef SCM_SECURITY
#define SCM_SECURITY 0x03
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

/*
 * What a received message may carry: our fds, and what the receiving
 * socket's options make the kernel add beside them (credentials and a
 * label before the fds). Without room for those, the kernel cuts the fds
 * off (MSG_CTRUNC).
 */
#define RECV_CONTROL (CMSG_SPACE(sizeof(int) * MAX_FDS) +          \
		      CMSG_SPACE(sizeof(struct ucred)) + /* SO_PASSCRED */ \
		      CMSG_SPACE(sizeof(int)) +          /* SO_PASSPIDFD */ \
		      CMSG_SPACE(MAX_LABEL))             /* SO_PASSSEC */

/* A little-endian cursor over a message. */
struct cursor {
	uint8_t *p;
	size_t len, pos;
	bool bad; /* read or wrote past the end */
};

static void put(struct cursor *c, uint64_t v, size_t bytes)
{
	if (c->pos + bytes > c->len) {
		c->bad = true;
		return;
	}
	for (size_t i = 0; i < bytes; i++)
		c->p[c->pos++] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(struct cursor *c, size_t bytes)
{
	uint64_t v = 0;

	if (c->pos + bytes > c->len) {
		c->bad = true;
		return 0;
	}
	for (size_t i = 0; i < bytes; i++)
		v |= (uint64_t)c->p[c->pos++] << (8 * i);
	return v;
}

static void put_layout(struct cursor *c, const struct dmaheap_image_layout *l)
{
	put(c, l->fourcc, 4);
	put(c, l->width, 4);
	put(c, l->height, 4);
	put(c, l->padded_height, 4);
	put(c, l->modifier, 8);
	put(c, l->n_planes, 4);
	put(c, l->n_buffers, 4);
	for (int p = 0; p < DMAHEAP_IMAGE_MAX_PLANES; p++) {
		put(c, l->planes[p].buffer, 4);
		put(c, l->planes[p].stride, 4);
		put(c, l->planes[p].offset, 8);
		put(c, l->planes[p].size, 8);
	}
	for (int b = 0; b < DMAHEAP_IMAGE_MAX_PLANES; b++)
		put(c, l->buffer_size[b], 8);
}

static void get_layout(struct cursor *c, struct dmaheap_image_layout *l)
{
	l->fourcc = (uint32_t)get(c, 4);
	l->width = (uint32_t)get(c, 4);
	l->height = (uint32_t)get(c, 4);
	l->padded_height = (uint32_t)get(c, 4);
	l->modifier = get(c, 8);
	l->n_planes = (uint32_t)get(c, 4);
	l->n_buffers = (uint32_t)get(c, 4);
	for (int p = 0; p < DMAHEAP_IMAGE_MAX_PLANES; p++) {
		l->planes[p].buffer = (uint32_t)get(c, 4);
		l->planes[p].stride = (uint32_t)get(c, 4);
		l->planes[p].offset = get(c, 8);
		l->planes[p].size = get(c, 8);
	}
	for (int b = 0; b < DMAHEAP_IMAGE_MAX_PLANES; b++)
		l->buffer_size[b] = get(c, 8);
}

/* What a message says, decoded. */
struct description {
	unsigned int kind;
	unsigned int props;
	uint32_t n_fds;
	uint64_t size;
	char heap[MAX_NAME + 1];
	struct dmaheap_image_layout layout;
};

static size_t encode(const struct description *d, uint8_t *msg)
{
	struct cursor c = { .p = msg, .len = MAX_MESSAGE };
	size_t name_len = strlen(d->heap);

	memcpy(msg, MAGIC, 4);
	c.pos = 4;
	put(&c, VERSION, 2);
	put(&c, d->kind, 2);
	put(&c, d->props, 4);
	put(&c, d->n_fds, 4);
	put(&c, d->size, 8);
	put(&c, name_len, 1);
	memcpy(msg + c.pos, d->heap, name_len);
	c.pos += name_len;
	if (d->kind == KIND_IMAGE)
		put_layout(&c, &d->layout);
	return c.pos;
}

static int send_description(struct dmaheap_ctx *ctx, int sock,
			    const struct description *d, const int *fds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * DMAHEAP_IMAGE_MAX_PLANES)];
	} control;
	uint8_t msg[MAX_MESSAGE];
	struct iovec iov = { .iov_base = msg, .iov_len = encode(d, msg) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = CMSG_SPACE(sizeof(int) * d->n_fds),
	};
	struct cmsghdr *cm;
	int r;

	memset(&control, 0, sizeof(control));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * d->n_fds);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * d->n_fds);
	do
		r = ctx->sys->sendmsg(ctx->sys, sock, &mh, MSG_NOSIGNAL);
	while (r == -EINTR);
	if (r >= 0 && (size_t)r != iov.iov_len)
		return -EMSGSIZE;
	return r < 0 ? r : 0;
}

static void describe_origin(const struct dmaheap_buf *buf,
			    struct description *d)
{
	const char *heap = dmaheap_buf_heap_name(buf);

	d->props = dmaheap_buf_props(buf);
	snprintf(d->heap, sizeof(d->heap), "%s", heap ? heap : "");
}

DMAHEAP_EXPORT int dmaheap_buf_send(const struct dmaheap_buf *buf, int sock)
{
	struct description d = { .kind = KIND_BUFFER, .n_fds = 1 };

	if (!buf || sock < 0)
		return -EINVAL;
	describe_origin(buf, &d);
	d.size = buf->size;
	return send_description(buf->ctx, sock, &d, &buf->fd);
}

DMAHEAP_EXPORT int dmaheap_image_send(const struct dmaheap_image *img,
				      int sock)
{
	struct description d = { .kind = KIND_IMAGE };
	const struct dmaheap_buf *first = dmaheap_image_buf(img, 0);
	int fds[DMAHEAP_IMAGE_MAX_PLANES];

	if (!img || sock < 0)
		return -EINVAL;
	d.layout = *dmaheap_image_get_layout(img);
	d.n_fds = d.layout.n_buffers;
	d.size = d.layout.size;
	describe_origin(first, &d);
	for (unsigned int b = 0; b < d.n_fds; b++)
		fds[b] = dmaheap_buf_fd(dmaheap_image_buf(img, b));
	return send_description(first->ctx, sock, &d, fds);
}

/* The fds that arrived, wherever the kernel put them. */
struct arrival {
	int fds[MAX_FDS];
	unsigned int n;
	bool too_many;
};

/* Closes the fds of a control message that carries fds we do not want
 * (SO_PASSPIDFD's pidfd of the sender). */
static void close_cmsg_fds(struct dmaheap_ctx *ctx, struct cmsghdr *cm)
{
	size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	int fd;

	for (size_t i = 0; i < n; i++) {
		memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
		ctx->sys->close(ctx->sys, fd);
	}
}

/* Takes the SCM_RIGHTS fds; closes the pidfd, skips credentials, labels
 * and anything else the socket's options added. */
static void collect_fds(struct dmaheap_ctx *ctx, struct msghdr *mh,
			struct arrival *a)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_PIDFD)
			close_cmsg_fds(ctx, cm);
		if (cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (a->n < MAX_FDS) {
				a->fds[a->n++] = fd;
			} else {
				/* The control buffer's padding can hold
				 * more than MAX_FDS. */
				ctx->sys->close(ctx->sys, fd);
				a->too_many = true;
			}
		}
	}
}

static void close_arrival(struct dmaheap_ctx *ctx, struct arrival *a)
{
	for (unsigned int i = 0; i < a->n; i++)
		ctx->sys->close(ctx->sys, a->fds[i]);
	a->n = 0;
}

static int refuse(struct dmaheap_ctx *ctx, int err, const char *why)
{
	dmaheap_log(ctx, DMAHEAP_LOG_WARNING, "received dma-buf refused: %s",
		    why);
	return err;
}

static int decode(struct dmaheap_ctx *ctx, uint8_t *msg, size_t len,
		  struct description *d)
{
	struct cursor c = { .p = msg, .len = len, .pos = 4 };
	unsigned int version;
	size_t name_len;

	if (len < HEADER_BYTES || memcmp(msg, MAGIC, 4) != 0)
		return refuse(ctx, -EBADMSG, "not a libdmaheap description");
	version = (unsigned int)get(&c, 2);
	if (version != VERSION) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "received dma-buf refused: description version %u, this library reads %u",
			    version, VERSION);
		return -EPROTONOSUPPORT;
	}
	d->kind = (unsigned int)get(&c, 2);
	d->props = (unsigned int)get(&c, 4);
	d->n_fds = (uint32_t)get(&c, 4);
	d->size = get(&c, 8);
	name_len = (size_t)get(&c, 1);
	if (c.pos + name_len > len)
		return refuse(ctx, -EBADMSG, "truncated description");
	memcpy(d->heap, msg + c.pos, name_len);
	d->heap[name_len] = '\0';
	c.pos += name_len;
	if (d->kind == KIND_IMAGE) {
		get_layout(&c, &d->layout);
		d->layout.size = d->size;
	}
	if (c.bad || c.pos != len)
		return refuse(ctx, -EBADMSG, "description of the wrong length");
	return 0;
}

/* The size sent is the sum of the buffer sizes (n_buffers checked). */
static bool sizes_add_up(const struct dmaheap_image_layout *l)
{
	uint64_t sum = 0;

	if (l->n_buffers > DMAHEAP_IMAGE_MAX_PLANES)
		return false;
	for (unsigned int b = 0; b < l->n_buffers; b++)
		if (__builtin_add_overflow(sum, l->buffer_size[b], &sum))
			return false;
	return sum == l->size;
}

static int check_description(struct dmaheap_ctx *ctx,
			     const struct description *d, unsigned int kind,
			     unsigned int n_fds)
{
	if (d->kind != kind)
		return refuse(ctx, -EBADMSG, kind == KIND_IMAGE
				? "a buffer arrived where an image was expected"
				: "an image arrived where a buffer was expected");
	if (d->n_fds != n_fds || (kind == KIND_BUFFER && n_fds != 1) ||
	    (kind == KIND_IMAGE && n_fds != d->layout.n_buffers))
		return refuse(ctx, -EBADMSG, "wrong number of fds");
	if (d->heap[0] && !dmaheap_heap_name_valid(d->heap))
		return refuse(ctx, -EBADMSG, "invalid heap name");
	if (!dmaheap_props_valid(d->props))
		return refuse(ctx, -EBADMSG, "invalid heap properties");
	if (kind == KIND_IMAGE && !sizes_add_up(&d->layout))
		return refuse(ctx, -EBADMSG, "image size and layout disagree");
	return 0;
}

/* Receives one message of @kind: its description and its fds, checked
 * against each other. On failure no fd is left open. */
static int receive(struct dmaheap_ctx *ctx, int sock, unsigned int kind,
		   struct description *d, struct arrival *a)
{
	union {
		struct cmsghdr align;
		char buf[RECV_CONTROL];
	} control;
	uint8_t msg[MAX_MESSAGE + 1];
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control),
	};
	int r;

	do
		r = ctx->sys->recvmsg(ctx->sys, sock, &mh, MSG_CMSG_CLOEXEC);
	while (r == -EINTR);
	if (r < 0)
		return r;
	collect_fds(ctx, &mh, a);
	if (r == 0 && a->n == 0)
		return refuse(ctx, -ECONNRESET, "the sender closed the socket");
	if (a->too_many || a->n > DMAHEAP_IMAGE_MAX_PLANES)
		r = refuse(ctx, -EBADMSG, "too many fds");
	else if (mh.msg_flags & MSG_CTRUNC)
		r = refuse(ctx, -EBADMSG,
			   "control data cut short (more fds than a hand-off has, or an SO_PASSSEC label over 4096 bytes)");
	else if ((mh.msg_flags & MSG_TRUNC) || (size_t)r > MAX_MESSAGE)
		r = refuse(ctx, -EBADMSG, "description too long");
	else
		r = decode(ctx, msg, (size_t)r, d);
	if (r == 0)
		r = check_description(ctx, d, kind, a->n);
	if (r)
		close_arrival(ctx, a);
	return r;
}

/* Gives an import what its sender said it is. */
static int set_origin(struct dmaheap_buf *buf, const struct description *d)
{
	if (d->heap[0]) {
		buf->origin_heap = strdup(d->heap);
		if (!buf->origin_heap)
			return -ENOMEM;
	}
	buf->origin_props = d->props;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_buf_recv(struct dmaheap_ctx *ctx, int sock,
				    struct dmaheap_buf **ret)
{
	struct arrival a = { .n = 0 };
	struct dmaheap_buf *buf = NULL;
	struct description d;
	int r;

	if (!ctx || !ret || sock < 0)
		return -EINVAL;
	r = receive(ctx, sock, KIND_BUFFER, &d, &a);
	if (r)
		return r;
	r = dmaheap_import(ctx, a.fds[0], &buf);
	if (r == 0 && dmaheap_buf_size(buf) != d.size) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "received dma-buf refused: described as %llu bytes, it has %zu",
			    (unsigned long long)d.size, dmaheap_buf_size(buf));
		r = -EMSGSIZE;
	}
	if (r == 0)
		r = set_origin(buf, &d);
	close_arrival(ctx, &a);
	if (r) {
		dmaheap_buf_free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_image_recv(struct dmaheap_ctx *ctx, int sock,
				      struct dmaheap_image **ret)
{
	struct arrival a = { .n = 0 };
	struct dmaheap_image *img = NULL;
	struct description d;
	int r;

	if (!ctx || !ret || sock < 0)
		return -EINVAL;
	r = receive(ctx, sock, KIND_IMAGE, &d, &a);
	if (r)
		return r;
	r = dmaheap_image_import(ctx, &d.layout, a.fds, a.n, &img);
	for (unsigned int b = 0; r == 0 && b < a.n; b++)
		r = set_origin(dmaheap_image_buf(img, b), &d);
	close_arrival(ctx, &a);
	if (r) {
		dmaheap_image_free(img);
		return r;
	}
	*ret = img;
	return 0;
}
