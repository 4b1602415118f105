/* SPDX-License-Identifier: MIT */
/*
 * Making fds: memfds that stand in for the kernel's files, with the
 * access mode and flags the emulated call would give.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mock-private.h"

int dmock_proc_fd_path(char *buf, size_t len, const char *dir, int fd)
{
	int n = snprintf(buf, len, "/proc/self/%s/%d", dir, fd);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int dmock_memfd_named(const char *prefix, const char *heap)
{
	char name[MOCK_MEMFD_NAME];
	int fd;

	/* A label only: cutting a long heap name is fine, and checking the
	 * result tells gcc the cut is intended. */
	if (snprintf(name, sizeof(name), "%s:%s", prefix, heap) >= (int)sizeof(name))
		name[sizeof(name) - 1] = '\0';
	fd = memfd_create(name, MFD_CLOEXEC);
	return fd < 0 ? neg_errno() : fd;
}

/* Reopens a memfd with another access mode; the new fd shares the inode. */
int dmock_reopen_mode(int fd, int accmode, int extra)
{
	char path[64];
	int nfd, r;

	r = dmock_proc_fd_path(path, sizeof(path), "fd", fd);
	if (r)
		return r;
	nfd = open(path, accmode | O_CLOEXEC | extra);
	return nfd < 0 ? neg_errno() : nfd;
}

int dmock_set_fd_flags(int fd, bool cloexec, bool nonblock)
{
	int fl;

	if (!cloexec && fcntl(fd, F_SETFD, 0) < 0)
		return neg_errno();
	if (!nonblock)
		return 0;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return neg_errno();
	return 0;
}

/*
 * Gives a fresh memfd (O_RDWR, close-on-exec) the access mode, close-on-exec
 * and O_NONBLOCK in @flags, as the emulated open or allocation would. The
 * access mode needs /proc; with @lenient, an fd that cannot be reopened
 * stays O_RDWR. Consumes @fd.
 */
int dmock_shape_fd(int fd, int flags, bool lenient)
{
	int r;

	if ((flags & O_ACCMODE) != O_RDWR) {
		int nfd = dmock_reopen_mode(fd, flags & O_ACCMODE,
					    flags & O_NONBLOCK);

		if (nfd >= 0 || !lenient) {
			close(fd);
			if (nfd < 0)
				return nfd;
			fd = nfd;
			flags &= ~O_NONBLOCK;
		}
	}
	r = dmock_set_fd_flags(fd, flags & O_CLOEXEC, flags & O_NONBLOCK);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* A fresh memfd holding @text, positioned at its start. */
int dmock_text_memfd(const char *name, const char *text)
{
	size_t len = strlen(text);
	int fd = dmock_memfd_named("dmaheap-mock-param", name);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = pwrite(fd, text, len, 0);
	if (n != (ssize_t)len) {
		int r = n < 0 ? neg_errno() : -EIO;

		close(fd);
		return r;
	}
	return fd;
}
