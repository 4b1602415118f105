/* SPDX-License-Identifier: MIT */
/*
 * The "udmabuf" pseudo-heap: a sealed memfd turned into a dma-buf by the
 * udmabuf device. Useful where no heap is accessible: systemd grants
 * console users the udmabuf device, not the heaps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "private.h"
#include "uapi.h"

#define SIZE_LIMIT_PARAM "/sys/module/udmabuf/parameters/size_limit_mb"

/* The module's size_limit_mb in bytes, or 0 when it cannot be read. */
static uint64_t read_size_limit(struct dmaheap_ctx *ctx)
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
	if (end == text || mb == 0 || mb > (UINT64_MAX >> 20))
		return 0;
	return (uint64_t)mb << 20;
}

int dmaheap_udmabuf_open(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap)
{
	int fd = dmaheap_open_char_device(ctx, ctx->udmabuf_dev);

	if (fd < 0)
		return fd;
	heap->fd = fd;
	heap->udmabuf = true;
	heap->max_bytes = read_size_limit(ctx);
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
	int memfd, fd;

	if (heap->max_bytes && size > heap->max_bytes) {
		dmaheap_log(ctx, DMAHEAP_LOG_ERR,
			    "udmabuf: %zu bytes is over the module's limit of %llu MiB (%s)",
			    size, (unsigned long long)(heap->max_bytes >> 20),
			    SIZE_LIMIT_PARAM);
		return -EFBIG;
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
	return fd;
}
