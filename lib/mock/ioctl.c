/* SPDX-License-Identifier: MIT */
/*
 * ioctl: dispatch to the object the fd refers to, or to the real kernel.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "mock-private.h"

static enum dmaheap_mock_call classify_ioctl(unsigned long req)
{
	if (req == DMA_HEAP_IOCTL_ALLOC)
		return DMAHEAP_MOCK_IOCTL_ALLOC;
	if (req == DMA_BUF_IOCTL_SYNC)
		return DMAHEAP_MOCK_IOCTL_SYNC;
	if (req == DMA_BUF_SET_NAME_A || req == DMA_BUF_SET_NAME_B)
		return DMAHEAP_MOCK_IOCTL_SET_NAME;
	if (req == DMA_BUF_IOCTL_EXPORT_SYNC_FILE)
		return DMAHEAP_MOCK_IOCTL_EXPORT_SYNC_FILE;
	if (req == DMA_BUF_IOCTL_IMPORT_SYNC_FILE)
		return DMAHEAP_MOCK_IOCTL_IMPORT_SYNC_FILE;
	if (req == UDMABUF_CREATE || req == UDMABUF_CREATE_LIST)
		return DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE;
	return DMAHEAP_MOCK_IOCTL_OTHER;
}

/* The VFS answers these itself, before any driver sees them. */
static bool vfs_ioctl(unsigned long req)
{
	return req == FIOCLEX || req == FIONCLEX || req == FIONBIO ||
	       req == FIOASYNC;
}

static int real_ioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? neg_errno() : r;
}

static int obj_ioctl(struct dmaheap_mock *m, struct mock_obj *o,
		     unsigned long req, void *arg)
{
	if (o->kind == OBJ_BUF)
		return dmock_buf_ioctl(m, o, req, arg);
	/* Neither kernfs attributes nor plain files have ioctls. */
	if (o->kind == OBJ_PARAM ||
	    o->heap->props.node == DMAHEAP_MOCK_NODE_REGULAR)
		return -ENOTTY;
	if (o->heap->udmabuf)
		return dmock_udm_ioctl(m, o->heap, req, arg);
	return dmock_heap_ioctl(m, o->heap, req, arg);
}

int dmock_ioctl(const struct dmaheap_sys *self, int fd,
		unsigned long req, void *arg)
{
	struct dmaheap_mock *m = mock_of(self);
	struct mock_obj *o;
	struct stat st;
	bool mine;
	int r = dmock_enter(m, classify_ioctl(req));

	if (r)
		return r;
	/* The mock's sync files are eventfds, which the kernel would answer
	 * with ENOTTY. */
	if (req == SYNC_IOC_FILE_INFO && dmock_is_sync_file(m, fd))
		return dmock_sync_file_info(arg);
	if (vfs_ioctl(req) || fstat(fd, &st) < 0)
		return real_ioctl(fd, req, arg);
	mock_lock(m);
	o = dmock_obj_find_fd(m, fd, &st);
	mine = o != NULL;
	if (mine)
		r = obj_ioctl(m, o, req, arg);
	mock_unlock(m);
	/* Not the mock's: may block, so outside the lock. */
	return mine ? r : real_ioctl(fd, req, arg);
}
