/* SPDX-License-Identifier: MIT */
/*
 * Buffers and images that travel between processes: one SCM_RIGHTS message
 * over a UNIX socket carrying the dma-buf fds and a small versioned
 * description (the wire format is in dmaheap.h, "Hand-off"). The receiver
 * believes nothing it can check: fd count, kind, lengths, names, property
 * bits and layout are verified, and every dma-buf must be the size the
 * description says. Any refusal closes every fd that arrived.
 *
 * Version 2 adds the sender's own tag and blob, and a sync_file fd after
 * the dma-bufs. A sender with nothing to add still sends version 1, so
 * that receivers of version 1 read it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/uapi.h"
#include "image.h"
#include "policy/policy.h"

#define MAGIC "DMHO"
#define VERSION 1
#define VERSION_EXTRA 2
#define KIND_BUFFER 1
#define KIND_IMAGE 2
#define HEADER_BYTES 25
#define PLANE_BYTES 24
#define LAYOUT_BYTES (4 * 4 + 8 + 2 * 4 + \
		      DMAHEAP_IMAGE_MAX_PLANES * (PLANE_BYTES + 8))
#define MAX_NAME 255
/* Tag, blob length, flags. */
#define EXTRA_BYTES 12
#define FLAG_FENCE 1u
#define MAX_MESSAGE (HEADER_BYTES + MAX_NAME + LAYOUT_BYTES + EXTRA_BYTES + \
		     DMAHEAP_HANDOFF_BLOB_MAX)
/* The most a message has: every plane's dma-buf and a fence. */
#define MAX_MSG_FDS (DMAHEAP_IMAGE_MAX_PLANES + 1)
/* Room for one fd more than any message has, to notice extra ones. */
#define MAX_FDS (MAX_MSG_FDS + 1)
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
	unsigned int version;
	unsigned int kind;
	unsigned int props;
	uint32_t n_fds; /* the dma-bufs' */
	uint64_t size;
	char heap[MAX_NAME + 1];
	struct dmaheap_image_layout layout;
	/* Version 2: the blob points into the message. */
	uint32_t tag, blob_len, flags;
	const uint8_t *blob;
};

/* Whether @e adds anything, which takes version 2. */
static bool has_extra(const struct dmaheap_handoff_extra *e)
{
	return e && (e->tag || e->blob_len || e->fence_fd >= 0);
}

static size_t encode(const struct description *d, uint8_t *msg)
{
	struct cursor c = { .p = msg, .len = MAX_MESSAGE };
	size_t name_len = strlen(d->heap);

	memcpy(msg, MAGIC, 4);
	c.pos = 4;
	put(&c, d->version, 2);
	put(&c, d->kind, 2);
	put(&c, d->props, 4);
	put(&c, d->n_fds, 4);
	put(&c, d->size, 8);
	put(&c, name_len, 1);
	memcpy(msg + c.pos, d->heap, name_len);
	c.pos += name_len;
	if (d->kind == KIND_IMAGE)
		put_layout(&c, &d->layout);
	if (d->version == VERSION_EXTRA) {
		put(&c, d->tag, 4);
		put(&c, d->blob_len, 4);
		put(&c, d->flags, 4);
		memcpy(msg + c.pos, d->blob, d->blob_len);
		c.pos += d->blob_len;
	}
	return c.pos;
}

/* @fds: the dma-bufs' fds, then the fence's if @d has one. */
static int send_description(struct dmaheap_ctx *ctx, int sock,
			    const struct description *d, const int *fds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * MAX_MSG_FDS)];
	} control;
	uint8_t msg[MAX_MESSAGE];
	struct iovec iov = { .iov_base = msg, .iov_len = encode(d, msg) };
	size_t n = d->n_fds + (d->flags & FLAG_FENCE ? 1 : 0);
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = CMSG_SPACE(sizeof(int) * n),
	};
	struct cmsghdr *cm;
	int r;

	memset(&control, 0, sizeof(control));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
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

/*
 * 0 if @fd is a sync_file. Its own ioctl is the test: any other file
 * answers it with an error (-ENOTTY mostly), a closed fd with -EBADF.
 */
static int check_sync_file(struct dmaheap_ctx *ctx, int fd)
{
	struct sync_file_info info;
	int r;

	memset(&info, 0, sizeof(info));
	r = ctx->sys->ioctl(ctx->sys, fd, SYNC_IOC_FILE_INFO, &info);
	return r == 0 || r == -EBADF ? r : -EINVAL;
}

/* Puts @e into @d, its fence after the @d->n_fds dma-bufs of @fds. */
static int describe_extra(struct dmaheap_ctx *ctx,
			  const struct dmaheap_handoff_extra *e,
			  struct description *d, int *fds)
{
	int r;

	if (!has_extra(e)) {
		d->version = VERSION;
		return e && e->fence_fd < -1 ? -EINVAL : 0;
	}
	if (e->blob_len > DMAHEAP_HANDOFF_BLOB_MAX || e->fence_fd < -1)
		return -EINVAL;
	if (e->fence_fd >= 0) {
		r = check_sync_file(ctx, e->fence_fd);
		if (r)
			return r;
		fds[d->n_fds] = e->fence_fd;
		d->flags = FLAG_FENCE;
	}
	d->version = VERSION_EXTRA;
	d->tag = e->tag;
	d->blob_len = e->blob_len;
	d->blob = e->blob;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_buf_send_extra(
	const struct dmaheap_buf *buf, int sock,
	const struct dmaheap_handoff_extra *extra)
{
	struct description d = { .kind = KIND_BUFFER, .n_fds = 1 };
	int fds[2], r;

	if (!buf || sock < 0)
		return -EINVAL;
	fds[0] = buf->fd;
	r = describe_extra(buf->ctx, extra, &d, fds);
	if (r)
		return r;
	describe_origin(buf, &d);
	d.size = buf->size;
	return send_description(buf->ctx, sock, &d, fds);
}

DMAHEAP_EXPORT int dmaheap_buf_send(const struct dmaheap_buf *buf, int sock)
{
	return dmaheap_buf_send_extra(buf, sock, NULL);
}

DMAHEAP_EXPORT int dmaheap_image_send_extra(
	const struct dmaheap_image *img, int sock,
	const struct dmaheap_handoff_extra *extra)
{
	struct description d = { .kind = KIND_IMAGE };
	const struct dmaheap_buf *first = dmaheap_image_buf(img, 0);
	int fds[MAX_MSG_FDS], r;

	if (!img || sock < 0)
		return -EINVAL;
	d.layout = *dmaheap_image_get_layout(img);
	d.n_fds = d.layout.n_buffers;
	d.size = d.layout.size;
	for (unsigned int b = 0; b < d.n_fds; b++)
		fds[b] = dmaheap_buf_fd(dmaheap_image_buf(img, b));
	r = describe_extra(first->ctx, extra, &d, fds);
	if (r)
		return r;
	describe_origin(first, &d);
	return send_description(first->ctx, sock, &d, fds);
}

DMAHEAP_EXPORT int dmaheap_image_send(const struct dmaheap_image *img,
				      int sock)
{
	return dmaheap_image_send_extra(img, sock, NULL);
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

/* The version 2 fields after the description; the blob is checked
 * against the bound, and against the message's end by decode(). */
static int decode_extra(struct dmaheap_ctx *ctx, struct cursor *c,
			struct description *d)
{
	d->tag = (uint32_t)get(c, 4);
	d->blob_len = (uint32_t)get(c, 4);
	d->flags = (uint32_t)get(c, 4);
	if (c->bad)
		return refuse(ctx, -EBADMSG, "truncated description");
	if (d->blob_len > DMAHEAP_HANDOFF_BLOB_MAX)
		return refuse(ctx, -EBADMSG,
			      "caller blob over DMAHEAP_HANDOFF_BLOB_MAX (4096 bytes)");
	if (d->flags & ~FLAG_FENCE)
		return refuse(ctx, -EBADMSG, "unknown flags");
	d->blob = c->p + c->pos;
	if (c->pos + d->blob_len > c->len)
		return refuse(ctx, -EBADMSG, "caller blob shorter than announced");
	c->pos += d->blob_len;
	return 0;
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
	if (version != VERSION && version != VERSION_EXTRA) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "received dma-buf refused: description version %u, this library reads %u and %u",
			    version, VERSION, VERSION_EXTRA);
		return -EPROTONOSUPPORT;
	}
	d->version = version;
	/* Version 1 adds nothing. */
	d->tag = d->blob_len = d->flags = 0;
	d->blob = NULL;
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
	if (version == VERSION_EXTRA) {
		int r = decode_extra(ctx, &c, d);

		if (r)
			return r;
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
	if (d->n_fds + (d->flags & FLAG_FENCE ? 1 : 0) != n_fds ||
	    (kind == KIND_BUFFER && d->n_fds != 1) ||
	    (kind == KIND_IMAGE && d->n_fds != d->layout.n_buffers))
		return refuse(ctx, -EBADMSG, "wrong number of fds");
	if (d->heap[0] && !dmaheap_heap_name_valid(d->heap))
		return refuse(ctx, -EBADMSG, "invalid heap name");
	if (!dmaheap_props_valid(d->props))
		return refuse(ctx, -EBADMSG, "invalid heap properties");
	if (kind == KIND_IMAGE && !sizes_add_up(&d->layout))
		return refuse(ctx, -EBADMSG, "image size and layout disagree");
	return 0;
}

/* What a failed receive leaves in @e: nothing. */
static void clear_extra(struct dmaheap_handoff_extra *e)
{
	if (e) {
		e->tag = 0;
		e->blob_len = 0;
		e->fence_fd = -1;
	}
}

/* The tag and the blob into @e, while the message they are in lives. */
static void copy_blob(const struct description *d,
		      struct dmaheap_handoff_extra *e)
{
	clear_extra(e);
	if (!e || d->version != VERSION_EXTRA)
		return;
	e->tag = d->tag;
	e->blob_len = d->blob_len;
	if (d->blob_len)
		memcpy(e->blob, d->blob, d->blob_len);
}

/*
 * Once the dma-bufs are imported: the fence out of @a into @e, or closed
 * with no @e, and said so: the buffer may still be being written.
 */
static void take_fence(struct dmaheap_ctx *ctx, const struct description *d,
		       struct arrival *a, struct dmaheap_handoff_extra *e)
{
	int fence;

	if (!(d->flags & FLAG_FENCE))
		return;
	fence = a->fds[--a->n];
	if (e) {
		e->fence_fd = fence;
		return;
	}
	dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
		    "received dma-buf came with a fence, closed unread: receive it with dmaheap_buf_recv_extra() or dmaheap_image_recv_extra() to wait on it");
	ctx->sys->close(ctx->sys, fence);
}

/* Receives one message of @kind: its description and its fds, checked
 * against each other. On failure no fd is left open. */
static int receive(struct dmaheap_ctx *ctx, int sock, unsigned int kind,
		   struct description *d, struct arrival *a,
		   struct dmaheap_handoff_extra *e)
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
	if (a->too_many || a->n > MAX_MSG_FDS)
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
	if (r == 0 && (d->flags & FLAG_FENCE) &&
	    check_sync_file(ctx, a->fds[a->n - 1]))
		r = refuse(ctx, -EBADFD, "the fence fd is not a sync_file");
	if (r)
		close_arrival(ctx, a);
	else
		copy_blob(d, e);
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

DMAHEAP_EXPORT int dmaheap_buf_recv_extra(struct dmaheap_ctx *ctx, int sock,
					  struct dmaheap_buf **ret,
					  struct dmaheap_handoff_extra *extra)
{
	struct arrival a = { .n = 0 };
	struct dmaheap_buf *buf = NULL;
	struct description d;
	int r;

	clear_extra(extra);
	if (!ctx || !ret || sock < 0)
		return -EINVAL;
	r = receive(ctx, sock, KIND_BUFFER, &d, &a, extra);
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
	if (r == 0)
		take_fence(ctx, &d, &a, extra);
	close_arrival(ctx, &a);
	if (r) {
		clear_extra(extra);
		dmaheap_buf_free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_buf_recv(struct dmaheap_ctx *ctx, int sock,
				    struct dmaheap_buf **ret)
{
	return dmaheap_buf_recv_extra(ctx, sock, ret, NULL);
}

DMAHEAP_EXPORT int dmaheap_image_recv_extra(
	struct dmaheap_ctx *ctx, int sock, struct dmaheap_image **ret,
	struct dmaheap_handoff_extra *extra)
{
	struct arrival a = { .n = 0 };
	struct dmaheap_image *img = NULL;
	struct description d;
	int r;

	clear_extra(extra);
	if (!ctx || !ret || sock < 0)
		return -EINVAL;
	r = receive(ctx, sock, KIND_IMAGE, &d, &a, extra);
	if (r)
		return r;
	r = dmaheap_image_import(ctx, &d.layout, a.fds, d.n_fds, &img);
	for (unsigned int b = 0; r == 0 && b < d.n_fds; b++)
		r = set_origin(dmaheap_image_buf(img, b), &d);
	if (r == 0)
		take_fence(ctx, &d, &a, extra);
	close_arrival(ctx, &a);
	if (r) {
		clear_extra(extra);
		dmaheap_image_free(img);
		return r;
	}
	*ret = img;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_image_recv(struct dmaheap_ctx *ctx, int sock,
				      struct dmaheap_image **ret)
{
	return dmaheap_image_recv_extra(ctx, sock, ret, NULL);
}
