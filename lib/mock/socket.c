/* SPDX-License-Identifier: MIT */
/*
 * sendmsg and recvmsg: UNIX sockets are the real kernel's. The mock counts
 * the calls and injects failures; the dma-bufs that travel are its memfds,
 * which it recognises on arrival by inode like any other fd of theirs.
 */
#include <errno.h>
#include <sys/socket.h>

#include "mock-private.h"

int dmock_sendmsg(const struct dmaheap_sys *self, int sock,
		  const struct msghdr *msg, int flags)
{
	int r = dmock_enter(mock_of(self), DMAHEAP_MOCK_SENDMSG);
	ssize_t n;

	if (r)
		return r;
	n = sendmsg(sock, msg, flags);
	return n < 0 ? neg_errno() : (int)n;
}

int dmock_recvmsg(const struct dmaheap_sys *self, int sock,
		  struct msghdr *msg, int flags)
{
	int r = dmock_enter(mock_of(self), DMAHEAP_MOCK_RECVMSG);
	ssize_t n;

	if (r)
		return r;
	n = recvmsg(sock, msg, flags);
	return n < 0 ? neg_errno() : (int)n;
}
