/* SPDX-License-Identifier: MIT */
/*
 * DMA_HEAP_IOCTL_ALLOC on a heap node, with the kernel's checks in its
 * order and the heap's limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mock-private.h"

static int alloc_checks(const struct dmaheap_mock *m,
			const struct dma_heap_allocation_data *d,
			uint64_t *size)
{
	/* The kernel takes len as a size_t: a 32-bit one truncates it. */
	size_t len = (size_t)d->len;

	if (d->fd != 0)
		return -EINVAL;
	if (d->fd_flags & ~(uint32_t)(O_CLOEXEC | O_ACCMODE))
		return -EINVAL;
	if (d->heap_flags != 0)
		return -EINVAL;
	*size = round_up(len, m->page_size);
	return *size ? 0 : -EINVAL;
}

static bool heap_full(const struct mock_heap *h, uint64_t size)
{
	uint64_t cap = h->props.capacity;

	return cap && (h->live > cap || size > cap - h->live);
}

static int heap_limits(struct dmaheap_mock *m, struct mock_heap *h,
		       uint64_t size)
{
	if (h->props.max_size && size > h->props.max_size)
		return -ENOMEM;
	/* Buffers the caller closed behind the mock's back still count until
	 * a sweep notices; only pay for one when it matters. */
	if (heap_full(h, size) && (dmock_sweep(m) || heap_full(h, size)))
		return -ENOMEM;
	if (h->props.fail_after && h->allocs + 1 >= h->props.fail_after)
		return -ENOMEM;
	return 0;
}

static int make_buf_fd(const struct dmaheap_mock *m, const struct mock_heap *h,
		       uint64_t size, unsigned int fd_flags)
{
	int fd = dmock_buf_memfd(m, 'h', h->name);

	if (fd < 0)
		return fd;
	if (size > INT64_MAX || ftruncate(fd, (off_t)size) < 0) {
		/* Too big for a memfd: a heap would be out of memory. */
		int r = size > INT64_MAX || errno == EFBIG || errno == EINVAL ?
				-ENOMEM : neg_errno();

		close(fd);
		return r;
	}
	return dmock_shape_fd(fd, (int)fd_flags, false);
}

static int heap_alloc(struct dmaheap_mock *m, struct mock_heap *h,
		      struct dma_heap_allocation_data *d)
{
	struct mock_obj *o;
	uint64_t size;
	int fd, r;

	r = alloc_checks(m, d, &size);
	if (!r)
		r = heap_limits(m, h, size);
	if (r)
		return r;
	fd = make_buf_fd(m, h, size, d->fd_flags);
	if (fd < 0)
		return fd;
	r = dmock_obj_add(m, OBJ_BUF, h, fd, &o);
	if (r) {
		close(fd);
		return r;
	}
	o->size = size;
	h->live += size;
	h->allocs++;
	d->fd = (uint32_t)fd;
	return 0;
}

/*
 * The heap's ioctl, with the kernel's argument copying: it accepts any
 * command with nr 0 whatever its size, copies in the caller's size if the
 * command writes, zero-fills up to its own struct, and copies back the
 * caller's size if the command reads, success or not.
 */
int dmock_heap_ioctl(struct dmaheap_mock *m, struct mock_heap *h,
		     unsigned long req, void *arg)
{
	unsigned char stack[128], *k = stack;
	struct dma_heap_allocation_data d;
	size_t usize = _IOC_SIZE(req);
	size_t in = (_IOC_DIR(req) & _IOC_WRITE) ? usize : 0;
	size_t out = (_IOC_DIR(req) & _IOC_READ) ? usize : 0;
	size_t ksize = usize > MOCK_ALLOC_DATA_SIZE ? usize :
						      MOCK_ALLOC_DATA_SIZE;
	int r;

	if (_IOC_NR(req) != 0)
		return -EINVAL;
	if (!arg && (in || out))
		return -EFAULT;
	if (ksize > sizeof(stack) && !(k = malloc(ksize)))
		return -ENOMEM;
	memset(k, 0, ksize);
	if (in)
		memcpy(k, arg, in);
	memcpy(&d, k, sizeof(d));
	r = heap_alloc(m, h, &d);
	memcpy(k, &d, sizeof(d));
	if (out)
		memcpy(arg, k, out);
	if (k != stack)
		free(k);
	return r;
}
