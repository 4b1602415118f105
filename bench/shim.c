/* SPDX-License-Identifier: MIT */
/*
 * A kernel faked below libc, for dmaheap-bench-shim: preloaded
 * (LD_PRELOAD) under both the library and the raw calls it is compared
 * with, so both pay the same libc wrappers and the same real system calls.
 *   open("/dev/dma_heap/NAME")          opens /dev/null (char 1:3)
 *   open("/sys/dev/char/1:3/uevent")    a memfd saying DEVNAME=dma_heap/system
 *   ioctl(DMA_HEAP_IOCTL_ALLOC)         a dup of the heap fd (one system call)
 *   ioctl(DMA_BUF_SET_NAME*, _SYNC)     succeed without a system call
 *   open("/proc/self/fdinfo/N")         for N open on /dev/null (a buffer
 *                                       the shim made): a memfd with a
 *                                       4 KiB dma-buf's fdinfo, count 1,
 *                                       so the pool's safety check passes
 * Everything else goes to the kernel; pread and poll are counted too. Each thread counts what it asked
 * for (dmaheap_shim_counts()); thread-local, so that counting shares no
 * cache line between threads.
 */
/* open and open64 both interposed, neither renamed to the other. */
#undef _FILE_OFFSET_BITS
/* pread, open and the rest are defined here: glibc's fortified inline
 * wrappers of them (-D_FORTIFY_SOURCE, as distributions build) would
 * call the definitions they wrap and fail to compile. */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define HEAP_DIR "/dev/dma_heap/"
#define UEVENT "/sys/dev/char/1:3/uevent"
#define FDINFO "/proc/self/fdinfo/"
#define DEVNAME "MAJOR=1\nMINOR=3\nDEVNAME=dma_heap/system\n"

static _Thread_local struct dmaheap_shim_counts counts;

__attribute__((visibility("default")))
void dmaheap_shim_counts(struct dmaheap_shim_counts *out)
{
	*out = counts;
}

static long fail(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static int text_fd(const char *text, size_t len, int flags)
{
	int fd = (int)syscall(SYS_memfd_create, "shim",
			      (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int uevent_fd(int flags)
{
	return text_fd(DEVNAME, sizeof(DEVNAME) - 1, flags);
}

/* The fdinfo of fd @n if it is one of the shim's buffers, else -2. */
static int fdinfo_fd(const char *n, int flags)
{
	struct stat st;
	char text[256];
	int fd = atoi(n), len;

	if (syscall(SYS_fstat, fd, &st) != 0 || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != makedev(1, 3))
		return -2;
	len = snprintf(text, sizeof(text),
		       "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t%d\n"
		       "size:\t4096\ncount:\t1\nexp_name:\tsystem\n"
		       "name:\tsystem\n", fd + 1000);
	return text_fd(text, (size_t)len, flags);
}

static int shim_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	counts.open++;
	if (strncmp(path, FDINFO, sizeof(FDINFO) - 1) == 0) {
		int fd = fdinfo_fd(path + sizeof(FDINFO) - 1, flags);

		if (fd != -2)
			return fd;
	}
	if (strncmp(path, HEAP_DIR, sizeof(HEAP_DIR) - 1) == 0 &&
	    path[sizeof(HEAP_DIR) - 1] != '\0')
		path = "/dev/null";
	else if (strcmp(path, UEVENT) == 0)
		return uevent_fd(flags);
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

#define EXPORT __attribute__((visibility("default")))

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(AT_FDCWD, path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(AT_FDCWD, path, flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(dirfd, path, flags, mode);
}

/* What _FORTIFY_SOURCE builds call. */
EXPORT int __open_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags, 0);
}

EXPORT int __open64_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags, 0);
}

EXPORT ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	counts.pread++;
	return (ssize_t)fail(syscall(SYS_pread64, fd, buf, len, off));
}

EXPORT ssize_t pread64(int fd, void *buf, size_t len, off64_t off)
{
	counts.pread++;
	return (ssize_t)fail(syscall(SYS_pread64, fd, buf, len, off));
}

EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	counts.poll++;
#ifdef SYS_poll
	return (int)fail(syscall(SYS_poll, fds, n, timeout));
#else
	/* arm64 and other newer ABIs have ppoll only. */
	struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };

	return (int)fail(syscall(SYS_ppoll, fds, n, timeout < 0 ? NULL : &ts,
				 NULL, (size_t)0));
#endif
}

EXPORT int close(int fd)
{
	counts.close++;
	return (int)fail(syscall(SYS_close, fd));
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (req) {
	case DMA_HEAP_IOCTL_ALLOC: {
		struct dma_heap_allocation_data *d = arg;
		long r = syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);

		counts.alloc++;
		if (r < 0)
			return (int)fail(r);
		d->fd = (__u32)r;
		return 0;
	}
	case DMA_BUF_SET_NAME_A:
	case DMA_BUF_SET_NAME_B:
		counts.set_name++;
		return 0;
	case DMA_BUF_IOCTL_SYNC:
		counts.sync++;
		return 0;
	default:
		counts.other_ioctl++;
		return (int)fail(syscall(SYS_ioctl, fd, req, arg));
	}
}
