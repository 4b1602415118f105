/* SPDX-License-Identifier: MIT */
/*
 * The recycling pool's safety check: is a freed buffer's fd the only
 * reference to its dma-buf (/proc/self/fdinfo "count:", read with the
 * parser `dmaheap stat` uses), and is no fence pending on it (poll)? See
 * "Recycling pool" in dmaheap.h for the rule and
 * tests/kernel/test-kernel-pool.c for the kernel facts behind it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pool.h"
#include "stat/stat.h"
#include "core/uapi.h"

/*
 * The fdinfo of @buf's fd. Its file stays open with the buffer: procfs
 * prints an fdinfo afresh on every read, and opening one costs a path walk
 * that allocates dentries (about ten times a pread under TCG). It holds no
 * reference to the dma-buf, only to this process. Returns the length read.
 */
static int read_fdinfo(struct dmaheap_buf *buf, char *text, size_t len)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;
	char path[64];
	int r;

	if (buf->info_fd < 0) {
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", buf->fd);
		r = sys->open(sys, path, O_RDONLY | O_CLOEXEC, 0);
		if (r < 0)
			return r;
		buf->info_fd = r;
	}
	return sys->pread(sys, buf->info_fd, text, len, 0);
}

/* The name auto-naming gives buffers of @heap. */
void dmaheap_pool_auto_name(const struct dmaheap_heap *heap,
			 char name[DMA_BUF_NAME_LEN])
{
	strncpy(name, heap->name, DMA_BUF_NAME_LEN - 1);
	name[DMA_BUF_NAME_LEN - 1] = '\0';
}

/* What the fdinfo name @fi_name is to the pool. The auto name is the
 * heap's cut to fit (dmaheap_pool_auto_name()), compared without a copy:
 * this runs on every free. */
static enum pool_name name_kind(const struct dmaheap_heap *heap,
				const char *fi_name)
{
	if (!fi_name[0])
		return POOL_NAME_NONE;
	return strncmp(fi_name, heap->name, DMA_BUF_NAME_LEN - 1) == 0 &&
	       strnlen(fi_name, DMA_BUF_NAME_LEN) < DMA_BUF_NAME_LEN ?
	       POOL_NAME_AUTO : POOL_NAME_OTHER;
}

/*
 * 0 if @buf's fd is the only reference to its dma-buf; -EBUSY if anything
 * else holds it or the count cannot be read. *@name tells what name the
 * buffer carries.
 */
int dmaheap_pool_check_sole_owner(struct dmaheap_buf *buf,
				  enum pool_name *name)
{
	char text[POOL_FDINFO_MAX];
	struct dmaheap_fdinfo fi;
	int r = read_fdinfo(buf, text, sizeof(text));

	if (r < 0) {
		dmaheap_log(buf->ctx, DMAHEAP_LOG_DEBUG,
			    "pool: fdinfo of fd %d: %s", buf->fd,
			    dmaheap_strerror(r));
		return -EBUSY;
	}
	if (dmaheap_fdinfo_parse(text, (size_t)r, &fi) != 1)
		return -EBUSY;
	/* No "count:" reads 0: never taken for a sole owner. */
	if (fi.count != 1)
		return -EBUSY;
	*name = name_kind(buf->heap, fi.name);
	return 0;
}

/* 0 if no fence, read or write, is pending on @buf. Polled only after
 * dmaheap_pool_check_sole_owner(): a poll that finds a fence holds a file reference
 * until it signals. */
int dmaheap_pool_check_no_fence(struct dmaheap_buf *buf)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;
	int r = sys->poll(sys, buf->fd, POLLOUT, 0);

	return r > 0 && (r & POLLOUT) ? 0 : -EBUSY;
}

int dmaheap_pool_zero(struct dmaheap_buf *buf)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;
	void *addr;
	int r;

	if (dmaheap_buf_props(buf) & DMAHEAP_PROP_PROTECTED)
		return -EPERM;
	r = sys->mmap(sys, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      buf->fd, 0, &addr);
	if (r)
		return r;
	r = dmaheap_sync_ioctl(sys, buf->fd,
			       DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	if (r == 0) {
		memset(addr, 0, buf->size);
		r = dmaheap_sync_ioctl(sys, buf->fd,
				       DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	}
	sys->munmap(sys, addr, buf->size);
	return r;
}
