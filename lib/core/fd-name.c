/* SPDX-License-Identifier: MIT */
/* Naming a raw dma-buf fd (DMA_BUF_SET_NAME), for code that keeps fds. */
#include <errno.h>
#include <string.h>

#include "core.h"
#include "uapi.h"

DMAHEAP_EXPORT int dmaheap_fd_set_name(struct dmaheap_ctx *ctx, int fd,
				       const char *name)
{
	int r;

	if (!ctx || !name)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	if (strnlen(name, DMAHEAP_NAME_MAX + 1) > DMAHEAP_NAME_MAX)
		return -ENAMETOOLONG;
	/* Other drivers may give type 'b' number 1 a meaning of their own:
	 * the same check as raw sync (sync.c), remembered the same way. */
	if (!dmaheap_dmabuf_fd_known(ctx, fd)) {
		r = dmaheap_check_dmabuf(ctx->sys, fd);
		if (r)
			return r;
		dmaheap_dmabuf_fd_mark(ctx, fd);
	}
	/* The argument is the string itself; the kernel only reads it. */
	r = ctx->sys->ioctl(ctx->sys, fd, DMA_BUF_SET_NAME,
			    (void *)(uintptr_t)name);
	if (r == -EBADF || r == -ENOTTY)
		dmaheap_dmabuf_fd_forget(ctx, fd);
	return r < 0 ? r : 0;
}
