/* SPDX-License-Identifier: MIT */
/*
 * The system-call layer: the only place the library reaches the kernel.
 *
 * Every operation returns a non-negative result or a negative errno, never
 * -1-and-errno, so callers need not touch errno. The mock kernel
 * (lib/mock/) fills the same table with its own functions; @self lets it
 * find its state without globals.
 */
#ifndef DMAHEAP_SYS_H
#define DMAHEAP_SYS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "dmaheap.h"

/* Bumped whenever the table below changes, so a mock built from another
 * version of the library is refused instead of called through a wrong
 * layout. */
#define DMAHEAP_SYS_ABI 5

/*
 * Callback of readdir: return 0 to go on, anything else stops the walk and
 * becomes readdir's result.
 */
typedef int (*dmaheap_sys_dirent_fn)(void *arg, const char *name);

struct dmaheap_sys {
	unsigned int abi;
	/* open(2); returns an fd. */
	int (*open)(const struct dmaheap_sys *self, const char *path, int flags,
		    unsigned int mode);
	int (*close)(const struct dmaheap_sys *self, int fd);
	/* ioctl(2) with a pointer argument; returns the ioctl's value. */
	int (*ioctl)(const struct dmaheap_sys *self, int fd, unsigned long req,
		     void *arg);
	int (*mmap)(const struct dmaheap_sys *self, size_t len, int prot,
		    int flags, int fd, int64_t off, void **addr);
	int (*munmap)(const struct dmaheap_sys *self, void *addr, size_t len);
	/* lseek(2); the offset is written to *pos. */
	int (*lseek)(const struct dmaheap_sys *self, int fd, int64_t off,
		     int whence, int64_t *pos);
	/* fcntl(2) with an integer argument. */
	int (*fcntl)(const struct dmaheap_sys *self, int fd, int cmd, int arg);
	int (*fstat)(const struct dmaheap_sys *self, int fd, struct stat *st);
	int (*fstatfs)(const struct dmaheap_sys *self, int fd,
		       struct statfs *st);
	/* Calls fn once per entry of a directory, "." and ".." included. */
	int (*readdir)(const struct dmaheap_sys *self, const char *path,
		       dmaheap_sys_dirent_fn fn, void *arg);
	/* memfd_create(2); returns an fd. */
	int (*memfd_create)(const struct dmaheap_sys *self, const char *name,
			    unsigned int flags);
	int (*ftruncate)(const struct dmaheap_sys *self, int fd, int64_t len);
	/* read(2); returns the byte count. */
	int (*read)(const struct dmaheap_sys *self, int fd, void *buf,
		    size_t len);
	/* Page size and total RAM in bytes. */
	int (*meminfo)(const struct dmaheap_sys *self, size_t *page_size,
		       uint64_t *ram_bytes);
	/* poll(2) on one fd; returns its revents (0 on timeout). */
	int (*poll)(const struct dmaheap_sys *self, int fd, short events,
		    int timeout_ms);
	/* pread(2); returns the byte count. */
	int (*pread)(const struct dmaheap_sys *self, int fd, void *buf,
		     size_t len, int64_t off);
	/* madvise(2). */
	int (*madvise)(const struct dmaheap_sys *self, void *addr, size_t len,
		       int advice);
	/* sendmsg(2) and recvmsg(2); return the byte count. */
	int (*sendmsg)(const struct dmaheap_sys *self, int sock,
		       const struct msghdr *msg, int flags);
	int (*recvmsg)(const struct dmaheap_sys *self, int sock,
		       struct msghdr *msg, int flags);
	/* membarrier(2), MEMBARRIER_CMD_* in @cmd; returns its value. */
	int (*membarrier)(const struct dmaheap_sys *self, int cmd,
			  unsigned int flags);
};

/* The real kernel. */
extern const struct dmaheap_sys dmaheap_sys_kernel;

/*
 * The calls every allocation and free makes, for the hot path: with the
 * real kernel's table they call libc here, without the indirect call and
 * the wrapper (what an LD_PRELOAD interposes is still what runs); any
 * other table (the mock's, a caller's) is called as always. Same results
 * as the table's functions.
 */
static inline int dmaheap_sys_errno(void)
{
	/* A failing call that left errno 0 must still read as failure. */
	return errno > 0 ? -errno : -EIO;
}

static inline int dmaheap_sys_ioctl(const struct dmaheap_sys *sys, int fd,
				    unsigned long req, void *arg)
{
	int r;

	if (sys != &dmaheap_sys_kernel)
		return sys->ioctl(sys, fd, req, arg);
	r = ioctl(fd, req, arg);
	return r < 0 ? dmaheap_sys_errno() : r;
}

/*
 * A close nobody reads the result of, for the last statement of a
 * function: with nothing after it, the compiler makes it a jump, so the
 * caller's frame is gone while the system call runs. A frame that lives
 * across a system call can cost a mispredicted return after it
 * (BENCHMARKS.md: raw_deep_name_close).
 */
static inline void dmaheap_sys_close_last(const struct dmaheap_sys *sys,
					  int fd)
{
	if (sys != &dmaheap_sys_kernel) {
		sys->close(sys, fd);
		return;
	}
	/* Linux always releases the fd, even on EINTR: never retry close. */
	close(fd);
}

#endif /* DMAHEAP_SYS_H */
