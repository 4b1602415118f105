/* SPDX-License-Identifier: MIT */
/*
 * poll on buffers: the state of their (pretended) fences.
 *
 * dma_buf_poll() reports POLLIN once no write fence is pending and POLLOUT
 * once no fence at all is. The mock's buffers have no devices; a test says
 * that one has a pending fence with dmaheap_mock_buf_set_fence().
 */
#include <errno.h>
#include <poll.h>

#include "mock-private.h"

int dmock_poll(const struct dmaheap_sys *self, int fd, short events,
	       int timeout_ms)
{
	struct dmaheap_mock *m = mock_of(self);
	struct pollfd p = { .fd = fd, .events = events };
	struct mock_obj *o;
	struct stat st;
	int r = dmock_enter(m, DMAHEAP_MOCK_POLL);

	if (r)
		return r;
	if (fstat(fd, &st) == 0) {
		bool buf;

		mock_lock(m);
		o = dmock_obj_find_fd(m, fd, &st);
		buf = o && o->kind == OBJ_BUF;
		if (buf)
			r = o->fence ? 0 : events & (POLLIN | POLLOUT);
		mock_unlock(m);
		/* A pending fence never signals in the mock: a wait would
		 * hang, so it times out at once. */
		if (buf)
			return r;
	}
	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return neg_errno();
	return r ? p.revents : 0;
}

int dmaheap_mock_buf_set_fence(struct dmaheap_mock *mock, int fd,
			       bool pending)
{
	struct mock_obj *o;
	struct stat st;
	int r = 0;

	if (!mock)
		return -EINVAL;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -EBADF;
	mock_lock(mock);
	o = dmock_obj_find_fd(mock, fd, &st);
	if (o && o->kind == OBJ_BUF)
		o->fence = pending;
	else
		r = -ENOENT;
	mock_unlock(mock);
	return r;
}
