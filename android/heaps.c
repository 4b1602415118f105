/* SPDX-License-Identifier: MIT */
/* What has no allocator in Android's API: the heap list, naming by fd. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "private.h"

/* libdmaheap's pseudo-heap: not a node of the heap directory. */
#define PSEUDO_HEAP "udmabuf"

int android_set_name(struct dmaheap_ctx *ctx, unsigned int fd,
		     const char *name)
{
	char cut[DMAHEAP_NAME_MAX + 1];

	if (!name)
		return -EINVAL;
	if (fd > INT_MAX)
		return -EBADF;
	/* Android cuts long names rather than fail (since 2024). */
	strncpy(cut, name, DMAHEAP_NAME_MAX);
	cut[DMAHEAP_NAME_MAX] = '\0';
	return dmaheap_fd_set_name(ctx, (int)fd, cut);
}

ANDROID_EXPORT int DmabufSetName(BufferAllocator *ba, unsigned int dmabuf_fd,
				 const char *name)
{
	struct dmaheap_ctx *ctx;
	int r = android_ctx(ba, &ctx);

	return android_ret(r ? r : android_set_name(ctx, dmabuf_fd, name));
}

ANDROID_EXPORT int dmaheap_android_fd_set_name(unsigned int dmabuf_fd,
					       const char *name)
{
	struct dmaheap_ctx *ctx = NULL;
	int r = android_temp_ctx(&ctx);

	if (!r)
		r = android_set_name(ctx, dmabuf_fd, name);
	dmaheap_ctx_free(ctx);
	return android_ret(r);
}

/* Drops the pseudo-heap from @list of @n entries; the new count. */
static int drop_pseudo(struct dmaheap_heap_info *list, int n)
{
	int kept = 0;

	for (int i = 0; i < n; i++)
		if (strcmp(list[i].name, PSEUDO_HEAP) != 0)
			list[kept++] = list[i];
	return kept;
}

ANDROID_EXPORT int dmaheap_android_heap_list(struct dmaheap_heap_info **ret)
{
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	r = android_temp_ctx(&ctx);
	if (!r)
		r = dmaheap_heap_list(ctx, &list);
	dmaheap_ctx_free(ctx);
	/* No heap directory: no heaps, as Android's readdir() finds. */
	if (r == -ENOENT)
		r = 0;
	if (r < 0)
		return r;
	*ret = list;
	return list ? drop_pseudo(list, r) : 0;
}
