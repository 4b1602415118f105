/* SPDX-License-Identifier: MIT */
/*
 * The mock for whole programs: libdmaheap-mock-preload.so, loaded with
 * LD_PRELOAD, runs a program against one mock kernel of its own.
 *
 * Code that makes its own dma-buf calls (GStreamer maps and syncs buffers
 * itself) would otherwise reach the real kernel on the mock's memfds and
 * fail with ENOTTY. Here:
 *  - contexts the program makes without a system-call layer of its own get
 *    the mock's (dmaheap_ctx_new() and dmaheap_ctx_new_with() are wrapped);
 *  - ioctl(), mmap(), poll() and fstatfs() on a mock buffer's fd, and
 *    every munmap(), go to the mock, so DMA_BUF_IOCTL_SYNC, names, sync
 *    files and fences work, the mock counts mappings, and a buffer is a
 *    dma-buf to whoever checks its file system (the library does, for raw
 *    fds: with a NULL context it has no layer but the C library's);
 *  - everything else goes to the C library untouched.
 * The heaps are named by $DMAHEAP_MOCK_HEAPS, a comma list ("system" when
 * unset). dmaheap_mock_preload() hands the mock to a test that wants to
 * look at it.
 *
 * A preloaded interposer is process-wide by nature: the one mock is this
 * file's only global state, set once before main() and never changed. The
 * mock calls the C library itself (its memfds are real); a per-thread depth
 * sends those nested calls straight to the C library.
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statfs.h>

#include "mock-private.h"

#define PRELOAD_EXPORT __attribute__((visibility("default")))
#define PRELOAD_HEAPS_MAX 1024

static struct dmaheap_mock *preload_mock;
static _Thread_local unsigned int depth;

struct real_calls {
	int (*ioctl)(int, unsigned long, ...);
	/* mmap64: its offset is 64-bit on every ABI */
	void *(*mmap)(void *, size_t, int, int, int, int64_t);
	int (*munmap)(void *, size_t);
	int (*poll)(struct pollfd *, nfds_t, int);
	/* fstatfs64: struct statfs64 on every ABI (meson builds with
	 * _FILE_OFFSET_BITS=64, so this file's struct statfs is that) */
	int (*fstatfs)(int, struct statfs *);
};

static struct real_calls real;

static void add_heaps(struct dmaheap_mock *m, const char *list)
{
	char copy[PRELOAD_HEAPS_MAX];
	char *save = NULL;

	if (strlen(list) >= sizeof(copy))
		return;
	strcpy(copy, list);
	for (char *n = strtok_r(copy, ",", &save); n;
	     n = strtok_r(NULL, ",", &save))
		dmaheap_mock_add_heap(m, n, NULL);
}

__attribute__((constructor)) static void preload_init(void)
{
	const char *heaps = getenv("DMAHEAP_MOCK_HEAPS");

	/* dlsym() returns void *; POSIX guarantees it converts. */
	*(void **)&real.ioctl = dlsym(RTLD_NEXT, "ioctl");
	*(void **)&real.mmap = dlsym(RTLD_NEXT, "mmap64");
	*(void **)&real.munmap = dlsym(RTLD_NEXT, "munmap");
	*(void **)&real.poll = dlsym(RTLD_NEXT, "poll");
	*(void **)&real.fstatfs = dlsym(RTLD_NEXT, "fstatfs64");
	depth++;
	if (dmaheap_mock_new(&preload_mock) == 0)
		add_heaps(preload_mock, heaps && *heaps ? heaps : "system");
	depth--;
}

__attribute__((destructor)) static void preload_fini(void)
{
	/* Contexts still open at exit keep pointing at the mock: leave it. */
}

/**
 * dmaheap_mock_preload() - the mock of the preloaded library.
 *
 * Return: the mock, or NULL if it could not be made. Look it up with
 * dlsym(RTLD_DEFAULT, "dmaheap_mock_preload"): absent when the program
 * runs without the preload.
 */
PRELOAD_EXPORT struct dmaheap_mock *dmaheap_mock_preload(void);
struct dmaheap_mock *dmaheap_mock_preload(void)
{
	return preload_mock;
}

/* Whether a call on @fd is the mock's: a buffer it handed out. */
static bool mock_buf_fd(int fd)
{
	struct dmaheap_mock_buf_info info;
	bool mine;

	if (!preload_mock || depth || fd < 0)
		return false;
	depth++;
	mine = dmaheap_mock_buf_info(preload_mock, fd, &info) == 0;
	depth--;
	return mine;
}

static int set_errno(int r)
{
	if (r >= 0)
		return r;
	errno = -r;
	return -1;
}

/*
 * The layer contexts get: the mock's, with the depth raised around each
 * call, so that the C library calls the mock makes meanwhile (its mmap of
 * a buffer) go to the C library and not back into the mock.
 */
#define GUARDED(name, params, ...)                                        \
	static int guarded_##name params                                  \
	{                                                                 \
		int ret_;                                                 \
		depth++;                                                  \
		ret_ = preload_mock->sys.name(&preload_mock->sys, __VA_ARGS__); \
		depth--;                                                  \
		return ret_;                                              \
	}

typedef const struct dmaheap_sys sys_t;
GUARDED(open, (sys_t *s, const char *p, int f, unsigned int m), p, f, m)
GUARDED(close, (sys_t *s, int fd), fd)
GUARDED(ioctl, (sys_t *s, int fd, unsigned long q, void *a), fd, q, a)
GUARDED(mmap, (sys_t *s, size_t l, int p, int f, int fd, int64_t o, void **a),
	l, p, f, fd, o, a)
GUARDED(munmap, (sys_t *s, void *a, size_t l), a, l)
GUARDED(lseek, (sys_t *s, int fd, int64_t o, int w, int64_t *p), fd, o, w, p)
GUARDED(fcntl, (sys_t *s, int fd, int c, int a), fd, c, a)
GUARDED(fstat, (sys_t *s, int fd, struct stat *st), fd, st)
GUARDED(fstatfs, (sys_t *s, int fd, struct statfs *st), fd, st)
GUARDED(readdir, (sys_t *s, const char *p, dmaheap_sys_dirent_fn fn, void *a),
	p, fn, a)
GUARDED(memfd_create, (sys_t *s, const char *n, unsigned int f), n, f)
GUARDED(ftruncate, (sys_t *s, int fd, int64_t l), fd, l)
GUARDED(read, (sys_t *s, int fd, void *b, size_t l), fd, b, l)
GUARDED(meminfo, (sys_t *s, size_t *p, uint64_t *m), p, m)
GUARDED(poll, (sys_t *s, int fd, short e, int t), fd, e, t)
GUARDED(pread, (sys_t *s, int fd, void *b, size_t l, int64_t o), fd, b, l, o)
GUARDED(madvise, (sys_t *s, void *a, size_t l, int v), a, l, v)
GUARDED(sendmsg, (sys_t *s, int k, const struct msghdr *m, int f), k, m, f)
GUARDED(recvmsg, (sys_t *s, int k, struct msghdr *m, int f), k, m, f)
GUARDED(membarrier, (sys_t *s, int c, unsigned int f), c, f)

static const struct dmaheap_sys guarded_sys = {
	.abi = DMAHEAP_SYS_ABI,
	.open = guarded_open,
	.close = guarded_close,
	.ioctl = guarded_ioctl,
	.mmap = guarded_mmap,
	.munmap = guarded_munmap,
	.lseek = guarded_lseek,
	.fcntl = guarded_fcntl,
	.fstat = guarded_fstat,
	.fstatfs = guarded_fstatfs,
	.readdir = guarded_readdir,
	.memfd_create = guarded_memfd_create,
	.ftruncate = guarded_ftruncate,
	.read = guarded_read,
	.meminfo = guarded_meminfo,
	.poll = guarded_poll,
	.pread = guarded_pread,
	.madvise = guarded_madvise,
	.sendmsg = guarded_sendmsg,
	.recvmsg = guarded_recvmsg,
	.membarrier = guarded_membarrier,
};

typedef int (*ctx_new_fn)(const struct dmaheap_options *,
			  struct dmaheap_ctx **);

/*
 * The library's own function. Looked up at each call, not before main():
 * the library may come later, and from a dlopen()ed plugin whose
 * dependencies are local to it (GStreamer's), which RTLD_NEXT does not
 * search but a handle of the library itself does.
 */
static ctx_new_fn library_ctx_new_with(void)
{
	void *h = dlopen("libdmaheap.so." DMAHEAP_SOVERSION,
			 RTLD_LAZY | RTLD_NOLOAD);
	ctx_new_fn fn;

	*(void **)&fn = h ? dlsym(h, "dmaheap_ctx_new_with")
			  : dlsym(RTLD_NEXT, "dmaheap_ctx_new_with");
	if (h)
		dlclose(h);
	return fn;
}

PRELOAD_EXPORT int dmaheap_ctx_new_with(const struct dmaheap_options *opts,
					struct dmaheap_ctx **ret);
int dmaheap_ctx_new_with(const struct dmaheap_options *opts,
			 struct dmaheap_ctx **ret)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	ctx_new_fn fn = library_ctx_new_with();

	if (!fn)
		return -ENOSYS;
	/* A caller with a layer of its own (a test's own mock) keeps it;
	 * a layout other than this header's is the library's to judge (a
	 * copy of sizeof(o) bytes would hide a newer caller's tail). */
	if (!preload_mock || (opts && opts->sys) ||
	    (opts && opts->struct_size != sizeof(o)))
		return fn(opts, ret);
	if (opts)
		o = *opts;
	dmaheap_mock_options(preload_mock, &o);
	o.sys = &guarded_sys;
	return fn(&o, ret);
}

PRELOAD_EXPORT int dmaheap_ctx_new(struct dmaheap_ctx **ret);
int dmaheap_ctx_new(struct dmaheap_ctx **ret)
{
	return dmaheap_ctx_new_with(NULL, ret);
}

PRELOAD_EXPORT int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!mock_buf_fd(fd))
		return real.ioctl(fd, req, arg);
	depth++;
	r = preload_mock->sys.ioctl(&preload_mock->sys, fd, req, arg);
	depth--;
	return set_errno(r);
}

/*
 * mmap and mmap64 by their symbol names: with _FILE_OFFSET_BITS=64 (as
 * meson builds) <sys/mman.h> renames mmap to mmap64, and callers built
 * either way must all meet the mock. The offset types are the ABI's.
 */
static void *map_any(void *addr, size_t len, int prot, int flags, int fd,
		     int64_t off)
{
	void *p = NULL;
	int r;

	/* A fixed address is the caller's business; the mock picks its own. */
	if (addr || !mock_buf_fd(fd))
		return real.mmap(addr, len, prot, flags, fd, off);
	depth++;
	r = preload_mock->sys.mmap(&preload_mock->sys, len, prot, flags, fd,
				   off, &p);
	depth--;
	return set_errno(r) < 0 ? MAP_FAILED : p;
}

PRELOAD_EXPORT void *preload_mmap(void *addr, size_t len, int prot, int flags,
				  int fd, long off) __asm__("mmap");
void *preload_mmap(void *addr, size_t len, int prot, int flags, int fd,
		   long off)
{
	return map_any(addr, len, prot, flags, fd, off);
}

PRELOAD_EXPORT void *preload_mmap64(void *addr, size_t len, int prot,
				    int flags, int fd, int64_t off)
	__asm__("mmap64");
void *preload_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		     int64_t off)
{
	return map_any(addr, len, prot, flags, fd, off);
}

PRELOAD_EXPORT int munmap(void *addr, size_t len);
int munmap(void *addr, size_t len)
{
	int r;

	if (!preload_mock || depth)
		return real.munmap(addr, len);
	/* Every unmap: the mock forgets what it tracked there. */
	depth++;
	r = preload_mock->sys.munmap(&preload_mock->sys, addr, len);
	depth--;
	return set_errno(r);
}

/* By its symbol name: glibc declares poll()'s array write-only, yet
 * events and fd are read. */
PRELOAD_EXPORT int preload_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
	__asm__("poll");
int preload_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	int r;

	if (n != 1 || !mock_buf_fd(fds[0].fd))
		return real.poll(fds, n, timeout_ms);
	depth++;
	r = preload_mock->sys.poll(&preload_mock->sys, fds[0].fd,
				   fds[0].events, timeout_ms);
	depth--;
	if (r < 0)
		return set_errno(r);
	fds[0].revents = (short)r;
	return r ? 1 : 0;
}

/*
 * fstatfs64 always; plain fstatfs only where its struct is the same
 * (64-bit ABIs): a 32-bit caller built without _FILE_OFFSET_BITS=64 passes
 * a smaller struct statfs, which goes to the C library untouched.
 */
static int statfs_any(int fd, struct statfs *st)
{
	int r;

	if (!mock_buf_fd(fd))
		return real.fstatfs(fd, st);
	depth++;
	r = preload_mock->sys.fstatfs(&preload_mock->sys, fd, st);
	depth--;
	return set_errno(r);
}

PRELOAD_EXPORT int preload_fstatfs64(int fd, struct statfs *st)
	__asm__("fstatfs64");
int preload_fstatfs64(int fd, struct statfs *st)
{
	return statfs_any(fd, st);
}

#if __SIZEOF_LONG__ == 8
PRELOAD_EXPORT int preload_fstatfs(int fd, struct statfs *st)
	__asm__("fstatfs");
int preload_fstatfs(int fd, struct statfs *st)
{
	return statfs_any(fd, st);
}
#endif
