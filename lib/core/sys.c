/* SPDX-License-Identifier: MIT */
/*
 * The real system-call layer. Each wrapper turns -1-and-errno into -errno
 * so the rest of the library never reads errno.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys.h"
#include "uapi.h"

static int neg_errno(void)
{
	return dmaheap_sys_errno();
}

/* O_CLOEXEC is forced here so that no caller can forget it. */
static int k_open(const struct dmaheap_sys *self, const char *path, int flags,
		  unsigned int mode)
{
	int fd = open(path, flags | O_CLOEXEC, (mode_t)mode);

	return fd < 0 ? neg_errno() : fd;
}

static int k_close(const struct dmaheap_sys *self, int fd)
{
	/* Linux always releases the fd, even on EINTR: never retry close. */
	return close(fd) < 0 ? neg_errno() : 0;
}

static int k_ioctl(const struct dmaheap_sys *self, int fd, unsigned long req,
		   void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? neg_errno() : r;
}

static int k_mmap(const struct dmaheap_sys *self, size_t len, int prot,
		  int flags, int fd, int64_t off, void **addr)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);

	if (p == MAP_FAILED)
		return neg_errno();
	*addr = p;
	return 0;
}

static int k_munmap(const struct dmaheap_sys *self, void *addr, size_t len)
{
	return munmap(addr, len) < 0 ? neg_errno() : 0;
}

static int k_lseek(const struct dmaheap_sys *self, int fd, int64_t off,
		   int whence, int64_t *pos)
{
	off_t r = lseek(fd, (off_t)off, whence);

	if (r < 0)
		return neg_errno();
	*pos = (int64_t)r;
	return 0;
}

static int k_fcntl(const struct dmaheap_sys *self, int fd, int cmd, int arg)
{
	int r = fcntl(fd, cmd, arg);

	return r < 0 ? neg_errno() : r;
}

static int k_fstat(const struct dmaheap_sys *self, int fd, struct stat *st)
{
	return fstat(fd, st) < 0 ? neg_errno() : 0;
}

static int k_fstatfs(const struct dmaheap_sys *self, int fd, struct statfs *st)
{
	return fstatfs(fd, st) < 0 ? neg_errno() : 0;
}

static int k_readdir(const struct dmaheap_sys *self, const char *path,
		     dmaheap_sys_dirent_fn fn, void *arg)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	int r = 0;

	if (fd < 0)
		return neg_errno();
	dir = fdopendir(fd);
	if (!dir) {
		r = neg_errno();
		close(fd);
		return r;
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			r = errno ? -errno : 0;
			break;
		}
		r = fn(arg, de->d_name);
		if (r)
			break;
	}
	closedir(dir);
	return r;
}

static int k_memfd_create(const struct dmaheap_sys *self, const char *name,
			  unsigned int flags)
{
	int fd = memfd_create(name, flags | MFD_CLOEXEC);

	return fd < 0 ? neg_errno() : fd;
}

static int k_ftruncate(const struct dmaheap_sys *self, int fd, int64_t len)
{
	return ftruncate(fd, (off_t)len) < 0 ? neg_errno() : 0;
}

static int k_read(const struct dmaheap_sys *self, int fd, void *buf,
		  size_t len)
{
	ssize_t r = read(fd, buf, len > INT_MAX ? INT_MAX : len);

	return r < 0 ? neg_errno() : (int)r;
}

static int k_meminfo(const struct dmaheap_sys *self, size_t *page_size,
		     uint64_t *ram_bytes)
{
	long ps = sysconf(_SC_PAGESIZE);
	long pages = sysconf(_SC_PHYS_PAGES);

	if (ps <= 0 || pages <= 0)
		return -ENOSYS;
	*page_size = (size_t)ps;
	*ram_bytes = (uint64_t)pages * (uint64_t)ps;
	return 0;
}

static int k_poll(const struct dmaheap_sys *self, int fd, short events,
		  int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return neg_errno();
	return r == 0 ? 0 : p.revents;
}

static int k_pread(const struct dmaheap_sys *self, int fd, void *buf,
		   size_t len, int64_t off)
{
	ssize_t r = pread(fd, buf, len > INT_MAX ? INT_MAX : len, (off_t)off);

	return r < 0 ? neg_errno() : (int)r;
}

static int k_madvise(const struct dmaheap_sys *self, void *addr, size_t len,
		     int advice)
{
	return madvise(addr, len, advice) < 0 ? neg_errno() : 0;
}

static int k_sendmsg(const struct dmaheap_sys *self, int sock,
		     const struct msghdr *msg, int flags)
{
	ssize_t r;

	r = sendmsg(sock, msg, flags);
	return r < 0 ? neg_errno() : (int)r;
}

static int k_recvmsg(const struct dmaheap_sys *self, int sock,
		     struct msghdr *msg, int flags)
{
	ssize_t r;

	r = recvmsg(sock, msg, flags);
	return r < 0 ? neg_errno() : (int)r;
}

/* The C library has no wrapper for it. */
static int k_membarrier(const struct dmaheap_sys *self, int cmd,
			unsigned int flags)
{
#ifdef SYS_membarrier
	long r = syscall(SYS_membarrier, cmd, flags, 0);

	return r < 0 ? neg_errno() : (int)r;
#else
	return -ENOSYS;
#endif
}

const struct dmaheap_sys dmaheap_sys_kernel = {
	.abi = DMAHEAP_SYS_ABI,
	.open = k_open,
	.close = k_close,
	.ioctl = k_ioctl,
	.mmap = k_mmap,
	.munmap = k_munmap,
	.lseek = k_lseek,
	.fcntl = k_fcntl,
	.fstat = k_fstat,
	.fstatfs = k_fstatfs,
	.readdir = k_readdir,
	.memfd_create = k_memfd_create,
	.ftruncate = k_ftruncate,
	.read = k_read,
	.meminfo = k_meminfo,
	.poll = k_poll,
	.pread = k_pread,
	.madvise = k_madvise,
	.sendmsg = k_sendmsg,
	.recvmsg = k_recvmsg,
	.membarrier = k_membarrier,
};
