/* SPDX-License-Identifier: MIT */
/*
 * sendmsg and recvmsg: UNIX sockets are the real kernel's. The mock counts
 * the calls and injects failures; the dma-bufs that travel are its memfds,
 * which it recognises on arrival by inode like any other fd of theirs.
 *
 * What it adds: the label of a security module. Credentials (SO_PASSCRED)
 * and the sender's pidfd (SO_PASSPIDFD) come from the real kernel, but an
 * SO_PASSSEC label only where a security module runs, which a test machine
 * may lack: dmaheap_mock_set_socket_label() stands in for one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mock-private.h"

#ifndef SCM_SECURITY
#define SCM_SECURITY 0x03
#endif

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

int dmaheap_mock_set_socket_label(struct dmaheap_mock *mock,
				  const char *label)
{
	char *copy = NULL;

	if (!mock || (label && (!*label ||
				strlen(label) > MOCK_SOCKET_LABEL_MAX)))
		return -EINVAL;
	if (label && !(copy = strdup(label)))
		return -ENOMEM;
	mock_lock(mock);
	free(mock->sock_label);
	mock->sock_label = copy;
	mock_unlock(mock);
	return 0;
}

/* The label to add to a message received on @sock, or NULL (freed by the
 * caller). */
static char *label_for(struct dmaheap_mock *m, int sock)
{
	int on = 0;
	socklen_t len = sizeof(on);
	char *label = NULL;

	if (getsockopt(sock, SOL_SOCKET, SO_PASSSEC, &on, &len) < 0 || !on)
		return NULL;
	mock_lock(m);
	if (m->sock_label)
		label = strdup(m->sock_label);
	mock_unlock(m);
	return label;
}

/* put_cmsg(): a header and as much of @label as fits in @room, with
 * MSG_CTRUNC if not all of it. */
static size_t put_label(struct msghdr *msg, const char *label, size_t room)
{
	size_t len = strlen(label);
	struct cmsghdr *cm = msg->msg_control;

	if (room < CMSG_LEN(0)) {
		msg->msg_flags |= MSG_CTRUNC;
		return 0;
	}
	if (CMSG_LEN(len) > room) {
		len = room - CMSG_LEN(0);
		msg->msg_flags |= MSG_CTRUNC;
	}
	memset(cm, 0, CMSG_LEN(0));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_SECURITY;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), label, len);
	return CMSG_SPACE(len) < room ? CMSG_SPACE(len) : room;
}

/*
 * A recvmsg whose control data starts with @label, the real kernel's
 * behind it. When the label does not fit, the kernel gets no room at all:
 * with none it closes the message's fds, drops the credentials and says
 * MSG_CTRUNC, as it does when a cut label leaves no room for them.
 */
static ssize_t recv_labelled(int sock, struct msghdr *msg, int flags,
			     const char *label)
{
	size_t room = msg->msg_control ? msg->msg_controllen : 0;
	size_t space = CMSG_SPACE(strlen(label));
	void *control = msg->msg_control;
	bool fits = space <= room;
	ssize_t n;

	msg->msg_control = fits ? (char *)control + space : NULL;
	msg->msg_controllen = fits ? room - space : 0;
	n = recvmsg(sock, msg, flags);
	msg->msg_control = control;
	if (n < 0)
		return n;
	if (fits) {
		msg->msg_controllen += put_label(msg, label, space);
	} else {
		msg->msg_controllen = control ? put_label(msg, label, room) : 0;
		msg->msg_flags |= MSG_CTRUNC;
	}
	return n;
}

int dmock_recvmsg(const struct dmaheap_sys *self, int sock,
		  struct msghdr *msg, int flags)
{
	struct dmaheap_mock *m = mock_of(self);
	int r = dmock_enter(m, DMAHEAP_MOCK_RECVMSG);
	char *label;
	ssize_t n;

	if (r)
		return r;
	label = label_for(m, sock);
	n = label ? recv_labelled(sock, msg, flags, label)
		  : recvmsg(sock, msg, flags);
	r = n < 0 ? neg_errno() : (int)n;
	free(label);
	return r;
}
