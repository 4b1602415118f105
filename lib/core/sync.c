/* SPDX-License-Identifier: MIT */
/* CPU-access brackets (DMA_BUF_IOCTL_SYNC) and sync files. */
#include <errno.h>
#include <sys/statfs.h>

#include "core.h"
#include "uapi.h"

/* The kernel has no EAGAIN path today; exporters may. Bounded so that a
 * misbehaving one cannot spin us forever. */
#define EAGAIN_RETRIES 16

int dmaheap_access_valid(unsigned int access)
{
	return access != 0 && (access & ~(unsigned int)DMAHEAP_ACCESS_RW) == 0;
}

static uint64_t access_to_sync(unsigned int access)
{
	return ((access & DMAHEAP_ACCESS_READ) ? DMA_BUF_SYNC_READ : 0) |
	       ((access & DMAHEAP_ACCESS_WRITE) ? DMA_BUF_SYNC_WRITE : 0);
}

int dmaheap_sync_ioctl(const struct dmaheap_sys *sys, int fd, uint64_t flags)
{
	struct dma_buf_sync arg = { .flags = flags };
	unsigned int again = 0;
	int r;

	/* START waits on fences interruptibly; a signal surfaces as EINTR. */
	for (;;) {
		r = sys->ioctl(sys, fd, DMA_BUF_IOCTL_SYNC, &arg);
		if (r == -EINTR)
			continue;
		if (r == -EAGAIN && again++ < EAGAIN_RETRIES)
			continue;
		return r < 0 ? r : 0;
	}
}

/* -EBADFD unless @fd lives on the dma-buf file system. */
int dmaheap_check_dmabuf(const struct dmaheap_sys *sys, int fd)
{
	struct statfs st;
	int r = sys->fstatfs(sys, fd, &st);

	if (r)
		return r;
	return st.f_type == DMA_BUF_MAGIC ? 0 : -EBADFD;
}

/*
 * A raw fd must be a dma-buf: heap nodes dispatch on the ioctl number
 * alone, so DMA_BUF_IOCTL_SYNC (number 0) on a heap fd would be taken for
 * an ALLOC and leak a buffer the caller never sees. Fds the context knows
 * (dmabuf-fds.c) skip the check: one system call per call.
 */
static int raw_sync(struct dmaheap_ctx *ctx, int fd, unsigned int access,
		    uint64_t when)
{
	const struct dmaheap_sys *sys = ctx ? ctx->sys : &dmaheap_sys_kernel;
	uint64_t flags = when | access_to_sync(access);
	int r;

	if (!dmaheap_access_valid(access))
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	if (!ctx || !dmaheap_dmabuf_fd_known(ctx, fd)) {
		r = dmaheap_check_dmabuf(sys, fd);
		if (r)
			return r;
		if (ctx)
			dmaheap_dmabuf_fd_mark(ctx, fd);
	}
	r = dmaheap_sync_ioctl(sys, fd, flags);
	/* Closed, or no longer a dma-buf: check it again next time. */
	if (ctx && (r == -EBADF || r == -ENOTTY))
		dmaheap_dmabuf_fd_forget(ctx, fd);
	return r;
}

DMAHEAP_EXPORT int dmaheap_sync_start(struct dmaheap_ctx *ctx, int fd,
				      unsigned int access)
{
	return raw_sync(ctx, fd, access, DMA_BUF_SYNC_START);
}

DMAHEAP_EXPORT int dmaheap_sync_end(struct dmaheap_ctx *ctx, int fd,
				    unsigned int access)
{
	return raw_sync(ctx, fd, access, DMA_BUF_SYNC_END);
}

/*
 * Counts the begin of @access before the kernel sees it, so that a count
 * at its limit fails without leaving an unmatched START; false if full.
 */
static bool reserve_begin(struct dmaheap_buf *buf, unsigned int access)
{
	bool ok;

	dmaheap_buf_lock(buf);
	ok = !((access & DMAHEAP_ACCESS_READ) && buf->reads == UINT_MAX) &&
	     !((access & DMAHEAP_ACCESS_WRITE) && buf->writes == UINT_MAX);
	if (ok) {
		buf->reads += !!(access & DMAHEAP_ACCESS_READ);
		buf->writes += !!(access & DMAHEAP_ACCESS_WRITE);
	}
	dmaheap_buf_unlock(buf);
	return ok;
}

static void unreserve_begin(struct dmaheap_buf *buf, unsigned int access)
{
	dmaheap_buf_lock(buf);
	buf->reads -= !!(access & DMAHEAP_ACCESS_READ);
	buf->writes -= !!(access & DMAHEAP_ACCESS_WRITE);
	dmaheap_buf_unlock(buf);
}

DMAHEAP_EXPORT int dmaheap_buf_begin_cpu_access(struct dmaheap_buf *buf,
						unsigned int access)
{
	int r;

	if (!buf || !dmaheap_access_valid(access))
		return -EINVAL;
	/* The kernel would only wait on fences; the CPU still cannot touch
	 * protected memory, so say so. */
	if (dmaheap_buf_props(buf) & DMAHEAP_PROP_PROTECTED)
		return -EPERM;
	/* Not under the lock: START may wait on fences for long. */
	if (!reserve_begin(buf, access))
		return -EOVERFLOW;
	r = dmaheap_sync_ioctl(buf->ctx->sys, buf->fd,
			       DMA_BUF_SYNC_START | access_to_sync(access));
	if (r)
		unreserve_begin(buf, access);
	return r;
}

/* Claims the begins that an end of @access closes; false if missing. */
static bool claim_end(struct dmaheap_buf *buf, unsigned int access)
{
	bool ok;

	dmaheap_buf_lock(buf);
	ok = (!(access & DMAHEAP_ACCESS_READ) || buf->reads) &&
	     (!(access & DMAHEAP_ACCESS_WRITE) || buf->writes);
	if (ok) {
		buf->reads -= !!(access & DMAHEAP_ACCESS_READ);
		buf->writes -= !!(access & DMAHEAP_ACCESS_WRITE);
	}
	dmaheap_buf_unlock(buf);
	return ok;
}

DMAHEAP_EXPORT int dmaheap_buf_end_cpu_access(struct dmaheap_buf *buf,
					      unsigned int access)
{
	if (!buf || !dmaheap_access_valid(access))
		return -EINVAL;
	if (!claim_end(buf, access))
		return -EINVAL;
	return dmaheap_sync_ioctl(buf->ctx->sys, buf->fd,
				  DMA_BUF_SYNC_END | access_to_sync(access));
}

DMAHEAP_EXPORT int dmaheap_buf_export_sync_file(struct dmaheap_buf *buf,
						unsigned int access,
						int *sync_fd)
{
	struct dma_buf_export_sync_file arg = { .fd = -1 };
	const struct dmaheap_sys *sys;
	int r;

	if (!buf || !sync_fd || !dmaheap_access_valid(access))
		return -EINVAL;
	sys = buf->ctx->sys;
	arg.flags = (__u32)access_to_sync(access);
	r = sys->ioctl(sys, buf->fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg);
	if (r < 0)
		return r;
	*sync_fd = arg.fd;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_buf_import_sync_file(struct dmaheap_buf *buf,
						unsigned int access,
						int sync_fd)
{
	struct dma_buf_import_sync_file arg = { .fd = sync_fd };
	const struct dmaheap_sys *sys;
	int r;

	if (!buf || !dmaheap_access_valid(access))
		return -EINVAL;
	if (sync_fd < 0)
		return -EBADF;
	sys = buf->ctx->sys;
	arg.flags = (__u32)access_to_sync(access);
	r = sys->ioctl(sys, buf->fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg);
	return r < 0 ? r : 0;
}
