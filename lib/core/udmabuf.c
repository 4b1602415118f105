/* SPDX-License-Identifier: MIT */
/*
 * The "udmabuf" pseudo-heap: a sealed memfd turned into a dma-buf by the
 * udmabuf device. Useful where no heap is accessible: systemd grants
 * console users the udmabuf device, not the heaps.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>

#include "core.h"
#include "uapi.h"

#define SIZE_LIMIT_PARAM "/sys/module/udmabuf/parameters/size_limit_mb"

/*
 * The module's size_limit_mb, or 0 when it cannot be read. Root may change
 * it at any time, so it is read again whenever a size comes near it.
 */
static unsigned int read_limit_mib(struct dmaheap_ctx *ctx)
{
	const struct dmaheap_sys *sys = ctx->sys;
	char text[32];
	char *end;
	unsigned long long mb;
	int fd = sys->open(sys, SIZE_LIMIT_PARAM, O_RDONLY | O_CLOEXEC, 0);
	int n;

	if (fd < 0)
		return 0;
	n = sys->read(sys, fd, text, sizeof(text) - 1);
	sys->close(sys, fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	mb = strtoull(text, &end, 10);
	if (end == text || mb == 0)
		return 0;
	return mb > UINT_MAX ? UINT_MAX : (unsigned int)mb;
}

static unsigned int reread_limit(struct dmaheap_ctx *ctx,
				 struct dmaheap_heap *heap)
{
	unsigned int mib = read_limit_mib(ctx);

	atomic_store(&heap->limit_mib, mib);
	return mib;
}

static bool over(unsigned int limit_mib, size_t size)
{
	return limit_mib && (uint64_t)size > ((uint64_t)limit_mib << 20);
}

static int too_big(struct dmaheap_ctx *ctx, size_t size, unsigned int mib)
{
	if (mib)
		dmaheap_log(ctx, DMAHEAP_LOG_ERR,
			    "udmabuf: %zu bytes is over the module's limit of %u MiB (raise %s)",
			    size, mib, SIZE_LIMIT_PARAM);
	else
		dmaheap_log(ctx, DMAHEAP_LOG_ERR,
			    "udmabuf: the device refused %zu bytes, over the module's size limit (%s unreadable here; raise size_limit_mb)",
			    size, SIZE_LIMIT_PARAM);
	return -EFBIG;
}

int dmaheap_udmabuf_open(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap)
{
	int fd = dmaheap_open_node(ctx, ctx->udmabuf_dev, true);

	if (fd < 0)
		return fd;
	heap->fd = fd;
	heap->udmabuf = true;
	atomic_init(&heap->limit_mib, read_limit_mib(ctx));
	return 0;
}

/* A memfd of @size that can never shrink under the device's pin. */
static int sealed_memfd(struct dmaheap_ctx *ctx, size_t size)
{
	const struct dmaheap_sys *sys = ctx->sys;
	int fd = sys->memfd_create(sys, "dmaheap-udmabuf",
				   MFD_ALLOW_SEALING | MFD_CLOEXEC);
	int r;

	if (fd < 0)
		return fd;
	r = sys->ftruncate(sys, fd, (int64_t)size);
	/* Never a write seal: udmabuf refuses those. */
	if (r == 0)
		r = sys->fcntl(sys, fd, F_ADD_SEALS, F_SEAL_SHRINK);
	if (r < 0) {
		sys->close(sys, fd);
		return r;
	}
	return fd;
}

int dmaheap_udmabuf_alloc(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			  size_t size)
{
	const struct dmaheap_sys *sys = ctx->sys;
	struct udmabuf_create create = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = size,
	};
	unsigned int mib = atomic_load(&heap->limit_mib);
	int memfd, fd;

	/* Over the limit as last read: it may have been raised since. */
	if (over(mib, size)) {
		mib = reread_limit(ctx, heap);
		if (over(mib, size))
			return too_big(ctx, size, mib);
	}
	memfd = sealed_memfd(ctx, size);
	if (memfd < 0)
		return memfd;
	create.memfd = (__u32)memfd;
	do
		fd = sys->ioctl(sys, heap->fd, UDMABUF_CREATE, &create);
	while (fd == -EINTR);
	/* The dma-buf holds the pages; the memfd is no longer needed. */
	sys->close(sys, memfd);
	/*
	 * The request is well-formed, so EINVAL means over the limit unless
	 * the limit, read again (it may have been lowered), allows the size.
	 */
	if (fd == -EINVAL) {
		mib = reread_limit(ctx, heap);
		if (!mib || over(mib, size))
			return too_big(ctx, size, mib);
	}
	return fd;
}

DMAHEAP_EXPORT const char *dmaheap_ctx_udmabuf_dev(const struct dmaheap_ctx *ctx)
{
	return ctx ? ctx->udmabuf_dev : NULL;
}
