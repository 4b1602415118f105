/* SPDX-License-Identifier: MIT */
/* Messages for return values. */
#include <errno.h>

#include "private.h"

/*
 * Our own table rather than strerror(3): it must be thread-safe and
 * static, and several errnos mean something specific here.
 */
static const struct {
	int err;
	const char *msg;
} messages[] = {
	{ 0, "Success" },
	{ EPERM, "Operation not permitted" },
	{ ENOENT, "No such heap or directory" },
	{ EINTR, "Interrupted system call" },
	{ EIO, "Input/output error" },
	{ EBADF, "Bad file descriptor" },
	{ EAGAIN, "Resource temporarily unavailable" },
	{ ENOMEM, "Out of memory (heap exhausted, or larger than RAM)" },
	{ EACCES, "Permission denied (heap nodes are root-only unless a udev rule grants access)" },
	{ EFAULT, "Bad address" },
	{ EBUSY, "Device or resource busy" },
	{ EEXIST, "Already exists" },
	{ ENODEV, "No heap behind this device node" },
	{ ENOTDIR, "Not a directory" },
	{ EFBIG, "Larger than this heap allows at all" },
	{ EINVAL, "Invalid argument" },
	{ ENFILE, "Too many open files in system" },
	{ EMFILE, "Too many open files" },
	{ ENOTTY, "Not supported by this file (not a heap, not a dma-buf, or kernel too old)" },
	{ ENOSPC, "No space left" },
	{ ERANGE, "Result out of range" },
	{ ENAMETOOLONG, "Name too long" },
	{ ENOSYS, "System call not available" },
	{ EOVERFLOW, "Value too large (size overflows)" },
	{ EBADFD, "File descriptor is not a dma-buf" },
	{ EOPNOTSUPP, "Operation not supported" },
	{ ETIMEDOUT, "Timed out" },
};

DMAHEAP_EXPORT const char *dmaheap_strerror(int err)
{
	/* Widened first: -INT_MIN does not fit an int. */
	long e = err < 0 ? -(long)err : err;

	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (messages[i].err == e)
			return messages[i].msg;
	return "Unknown error";
}
