/* SPDX-License-Identifier: MIT */
/*
 * dma-buf ioctls on buffers (SYNC, SET_NAME) and what the mock tells of
 * a buffer.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "mock-private.h"

static int buf_sync(struct mock_obj *o, const void *arg)
{
	struct dma_buf_sync s;

	if (!arg)
		return -EFAULT;
	memcpy(&s, arg, sizeof(s));
	if (s.flags & ~(uint64_t)DMA_BUF_SYNC_VALID_FLAGS_MASK)
		return -EINVAL;
	if (!(s.flags & DMA_BUF_SYNC_RW))
		return -EINVAL;
	if (s.flags & DMA_BUF_SYNC_END) {
		/* Modern kernels accept an END without a START. */
		if ((s.flags & DMA_BUF_SYNC_READ) && o->reads)
			o->reads--;
		if ((s.flags & DMA_BUF_SYNC_WRITE) && o->writes)
			o->writes--;
	} else {
		if ((s.flags & DMA_BUF_SYNC_READ) && o->reads < UINT_MAX)
			o->reads++;
		if ((s.flags & DMA_BUF_SYNC_WRITE) && o->writes < UINT_MAX)
			o->writes++;
	}
	return 0;
}

static int buf_set_name(struct mock_obj *o, const char *name)
{
	size_t len;

	if (!name)
		return -EFAULT;
	len = strnlen(name, DMA_BUF_NAME_LEN);
	if (len == DMA_BUF_NAME_LEN)
		return -EINVAL;
	memcpy(o->name, name, len + 1);
	return 0;
}

/* dma_buf_ioctl() dispatches on the whole command. */
int dmock_buf_ioctl(struct dmaheap_mock *m, struct mock_obj *o,
		    unsigned long req, void *arg)
{
	if (req == DMA_BUF_IOCTL_SYNC)
		return buf_sync(o, arg);
	if (req == DMA_BUF_SET_NAME_A || req == DMA_BUF_SET_NAME_B)
		return buf_set_name(o, arg);
	if (req == DMA_BUF_IOCTL_EXPORT_SYNC_FILE)
		return dmock_buf_export(m, o, arg);
	if (req == DMA_BUF_IOCTL_IMPORT_SYNC_FILE)
		return dmock_buf_import(m, o, arg);
	return -ENOTTY;
}

int dmaheap_mock_buf_info(struct dmaheap_mock *mock, int fd,
			  struct dmaheap_mock_buf_info *out)
{
	const struct mock_obj *o;
	struct stat st;
	int r = -ENOENT;

	if (!mock || !out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st) < 0)
		return neg_errno();
	mock_lock(mock);
	o = dmock_obj_find_fd(mock, fd, &st);
	if (o && o->kind == OBJ_BUF) {
		memset(out, 0, sizeof(*out));
		/* Heap names are at most 255 bytes: they fit. */
		memcpy(out->heap, o->heap->name, strlen(o->heap->name) + 1);
		out->size = o->size;
		memcpy(out->name, o->name, sizeof(out->name));
		out->sync_reads = o->reads;
		out->sync_writes = o->writes;
		r = 0;
	}
	mock_unlock(mock);
	return r;
}
