/* SPDX-License-Identifier: MIT */
/*
 * The mock kernel's internals, shared by the files of lib/mock/. The mock is a
 * struct dmaheap_sys that emulates DMA-BUF heaps on top of real, ordinary
 * kernel objects.
 *
 *  - A heap node fd is a fresh memfd, so every open has its own inode and
 *    the mock recognises the fd (and any dup of it, made anywhere) by
 *    (st_dev, st_ino) instead of by fd number, which the caller may close
 *    behind the mock's back and the kernel may reuse.
 *  - A buffer is a memfd of the rounded size, recognised the same way.
 *  - A sync file is an eventfd whose counter holds a per-mock marker: all
 *    eventfds share one anonymous inode, so the marker (read back from
 *    /proc/self/fdinfo) is what tells the mock's own apart.
 *  - A udmabuf dma-buf made from a whole memfd is a second file description
 *    of the caller's memfd, so that it shares its pages as udmabuf's does.
 *    The inode is then the memfd's too: the description's file position,
 *    parked at a per-object tag the mock never moves, is what tells the
 *    dma-buf apart from the memfd (see dmock_desc_tag()).
 *  - The udmabuf device node is a memfd like a heap node; its module's
 *    sysfs parameter files are memfds holding the text sysfs would show.
 *
 * Whether an object is still open is decided by looking at the process's
 * fd table (/proc/self/fd, or every fd number when /proc is missing), not
 * by counting the fds the mock handed out: that sees the caller's own
 * dup()s and close()s too. The look is a snapshot, taken under the mock's
 * lock; fds the caller dups and closes with raw system calls while another
 * thread takes it can be missed.
 *
 * One mutex guards all state. Calls that may block for long (read, passed
 * through ioctls, fcntl locks) run without it; calls that create or destroy
 * fds of mock objects run with it, so a snapshot never sees half of one.
 */
#ifndef DMAHEAP_MOCK_PRIVATE_H
#define DMAHEAP_MOCK_PRIVATE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "dmaheap-mock.h"
#include "core/sys.h"
#include "core/uapi.h"

/*
 * The mock is an installed static library: every name its files share
 * reaches the link of the caller's program. They all start with dmock_,
 * which a test program is unlikely to use (mock_open would be).
 */

/* NUM_HEAP_MINORS in drivers/dma-buf/dma-heap.c */
#define MOCK_MAX_HEAPS 128
#define MOCK_NAME_MAX 255
/* Char majors are handed out downwards from 254; dma_heap gets one of
 * those, so a node looks the part. */
#define MOCK_HEAP_MAJOR 253
/* memfd names are limited to NAME_MAX - strlen("memfd:"). */
#define MOCK_MEMFD_NAME 250
/* Never sweep more often than this many objects; amortises the fd scan. */
#define MOCK_SWEEP_MIN 64
/* The fd-number scan used without /proc stops here. */
#define MOCK_SCAN_FALLBACK_MAX 65536
#define MOCK_ALLOC_DATA_SIZE 24
/* udmabuf is a misc device: major 10 and a dynamic minor. */
#define MOCK_MISC_MAJOR 10
#define MOCK_UDMABUF_MINOR 125
/* The module's defaults for its parameters. */
#define MOCK_UDMABUF_SIZE_LIMIT_MB 64
#define MOCK_UDMABUF_LIST_LIMIT 1024
#define MOCK_SYSFS_DIR "/sys/module/udmabuf"
/* kernfs gives every attribute a page as its size. */
#define MOCK_SYSFS_ATTR_SIZE 4096
/* File positions that name udmabuf dma-bufs: far past any memfd position a
 * caller would use, yet under the 32-bit kernels' MAX_LFS_FILESIZE (2^44). */
#define MOCK_TAG_BASE ((int64_t)1 << 42)
#define MOCK_TAG_BITS 20
#define MOCK_COPY_CHUNK 65536
/* The name of a buffer's memfd starts so (object.c) */
#define MOCK_BUF_PREFIX "dmaheap-mock-buf:"
/* dmaheap_mock_set_socket_label(): SCM_SECURITY labels up to this long */
#define MOCK_SOCKET_LABEL_MAX 65536

/* Older C libraries' headers lack these; the numbers are ABI. */
#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#if defined(__GNUC__)
#define MOCK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MOCK_PRINTF(a, b)
#endif

struct mock_heap {
	struct mock_heap *next;
	struct dmaheap_mock_heap props;
	unsigned int minor;
	bool removed;
	bool udmabuf;        /* the udmabuf device, not in the heap directory */
	unsigned int users;  /* objects pointing here; freed at 0 if removed */
	unsigned int allocs; /* successful allocations, for fail_after */
	uint64_t live;       /* bytes of live buffers, for capacity */
	char name[];
};

enum obj_kind {
	OBJ_NODE,  /* an open heap node, or the udmabuf device */
	OBJ_BUF,   /* a dma-buf */
	OBJ_PARAM, /* a udmabuf module parameter file */
	OBJ_FDINFO, /* /proc/self/fdinfo of a buffer: printed on each pread */
};

struct mock_obj {
	struct mock_obj *next;
	enum obj_kind kind;
	dev_t dev;
	ino_t ino;
	/* 0, or the file position that tells this object's description from
	 * others on the same inode (a udmabuf sharing the caller's memfd) */
	int64_t tag;
	struct mock_heap *heap;
	/* OBJ_BUF only */
	uint64_t size;
	unsigned int maps;
	unsigned int reads;
	unsigned int writes;
	int target;         /* OBJ_FDINFO: the fd it describes */
	unsigned int holds; /* references from outside: dmaheap_mock_buf_hold() */
	bool fence;         /* a fence is pending: dmaheap_mock_buf_set_fence() */
	bool adopted;       /* OBJ_BUF made by another process or mock */
	char name[DMA_BUF_NAME_LEN];
};

struct mock_map {
	struct mock_map *next;
	uintptr_t addr;
	size_t len; /* rounded up to the real page size, as the kernel does */
	struct mock_obj *buf;
};

struct mock_call {
	int64_t count;
	unsigned int skip;
	unsigned int fail;
	int err;
};

struct dmaheap_mock {
	struct dmaheap_sys sys; /* first, so the ops get from self to here */
	pthread_mutex_t lock;
	char dir[64];
	char udm_path[80];
	size_t real_page;
	size_t page_size;
	uint64_t ram_bytes;
	uint32_t sync_marker;
	uint32_t id; /* in its buffers' memfd names, to know its own */
	bool have_anon;
	dev_t anon_dev;
	ino_t anon_ino;
	struct mock_call calls[DMAHEAP_MOCK_CALL_COUNT];
	/* dmaheap_mock_inject_nth(): calls of any kind to let pass, then
	 * the errno to fail the next one with (0: none armed) */
	unsigned int nth_skip;
	int nth_err;
	int64_t injected;
	enum dmaheap_mock_call last_injected;
	struct mock_heap *heaps;
	unsigned int nheaps; /* not removed */
	unsigned int next_minor;
	struct mock_obj *objs;
	size_t nobjs;
	size_t sweep_at;
	struct mock_map *maps;
	struct mock_heap *udm; /* the udmabuf device; NULL while absent */
	/* Last set; the module's parameters apply to every open device fd. */
	struct dmaheap_mock_udmabuf udm_params;
	uint32_t next_tag;
	/* fdinfo.c: print buffers' fdinfo without "count:" */
	bool fdinfo_no_count;
	/* SO_PASSSEC's label on received messages (socket.c), or NULL */
	char *sock_label;
	/* The fake procfs (proc.c) */
	char proc_dir[80];
	struct mock_proc *procs;
	/* Kernel text files set by the test (kfiles.c) */
	struct mock_kfile *kfiles;
};

/* One open fd of the process, as found by a scan. */
struct fd_key {
	dev_t dev;
	ino_t ino;
	int fd;
};

struct fd_scan {
	struct fd_key *v;
	size_t n;
	size_t cap;
};

enum path_kind {
	PATH_FOREIGN, /* not the mock's: the real kernel answers */
	PATH_DIR,     /* the heap directory itself */
	PATH_NODE,    /* a name in it: *name, *len */
	PATH_ERROR,   /* fails with *err */
};

struct path_info {
	const char *name;
	size_t len;
	bool trailing; /* something follows the name */
	int err;
};

/* The paths of udmabuf, which the mock answers whether or not the device
 * is set, so that a test never sees the machine's own. */
enum udm_path {
	UDM_NONE,      /* not udmabuf's */
	UDM_DEV,       /* the device node */
	UDM_BELOW_DEV, /* a path through the node, as if it were a directory */
	UDM_PARAM,     /* a module parameter file: *param */
	UDM_SYSFS,     /* the rest of the module's sysfs directory */
};

enum udm_param { UDM_SIZE_LIMIT_MB, UDM_LIST_LIMIT, UDM_NPARAMS };

static inline int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

static inline struct dmaheap_mock *mock_of(const struct dmaheap_sys *self)
{
	/* The ops get a const table, but the mock around it is the caller's
	 * own, mutable allocation. */
	return (struct dmaheap_mock *)(uintptr_t)((const char *)self -
						  offsetof(struct dmaheap_mock,
							   sys));
}

static inline void mock_lock(const struct dmaheap_mock *m)
{
	pthread_mutex_lock((pthread_mutex_t *)(uintptr_t)&m->lock);
}

static inline void mock_unlock(const struct dmaheap_mock *m)
{
	pthread_mutex_unlock((pthread_mutex_t *)(uintptr_t)&m->lock);
}

static inline bool is_pow2(size_t v)
{
	return v && !(v & (v - 1));
}

static inline size_t round_up(size_t v, size_t page)
{
	/* Wraps to 0 near SIZE_MAX, which is what PAGE_ALIGN does. */
	return (v + page - 1) & ~(page - 1);
}

/* inject.c */
int dmock_enter(struct dmaheap_mock *m, enum dmaheap_mock_call call);

/* heap.c */
struct mock_heap *dmock_heap_find(struct dmaheap_mock *m, const char *name,
				  size_t len);
void dmock_heap_unlink(struct dmaheap_mock *m, struct mock_heap *h);

/* alloc.c */
int dmock_heap_ioctl(struct dmaheap_mock *m, struct mock_heap *h,
		     unsigned long req, void *arg);

/* object.c */
int64_t dmock_desc_tag(int fd);
struct mock_obj *dmock_obj_find_fd(struct dmaheap_mock *m, int fd,
				   const struct stat *st);
void dmock_obj_remove(struct dmaheap_mock *m, struct mock_obj *o);
void dmock_obj_forget_inode(struct dmaheap_mock *m, const struct stat *st);
int dmock_obj_new(struct dmaheap_mock *m, enum obj_kind kind,
		  struct mock_heap *h, const struct stat *st,
		  struct mock_obj **ret);
int dmock_obj_add(struct dmaheap_mock *m, enum obj_kind kind,
		  struct mock_heap *h, int fd, struct mock_obj **ret);
int dmock_buf_memfd(const struct dmaheap_mock *m, char kind,
		    const char *heap);

/* fdscan.c */
int dmock_scan_fds(struct fd_scan *s);
size_t dmock_scan_count(const struct fd_scan *s, const struct mock_obj *o,
			int *first);
void dmock_prune(struct dmaheap_mock *m, const struct fd_scan *s);
int dmock_sweep(struct dmaheap_mock *m);

/* fd.c */
int dmock_proc_fd_path(char *buf, size_t len, const char *dir, int fd);
int dmock_memfd_named(const char *prefix, const char *heap);
int dmock_reopen_mode(int fd, int accmode, int extra);
int dmock_set_fd_flags(int fd, bool cloexec, bool nonblock);
int dmock_shape_fd(int fd, int flags, bool lenient);
int dmock_text_memfd(const char *name, const char *text);

/* path.c */
enum path_kind dmock_classify_path(const struct dmaheap_mock *m,
				   const char *path, struct path_info *pi);

/* sysdev.c */
bool dmock_is_sysdev(const char *path);
int dmock_sysdev_open(struct dmaheap_mock *m, const char *path, int flags);

/* sysfs.c */
enum udm_path dmock_classify_udm(const struct dmaheap_mock *m,
				 const char *path, enum udm_param *param);
unsigned int dmock_udm_param_value(const struct dmaheap_mock *m,
				   enum udm_param param);
void dmock_param_stat(struct stat *st);
int dmock_udm_open(struct dmaheap_mock *m, enum udm_path kind,
		   enum udm_param param, int flags);
int dmock_udm_readdir(struct dmaheap_mock *m, enum udm_path kind);

/* kfiles.c */
bool dmock_is_kfile_path(const char *path);
int dmock_kfile_open(struct dmaheap_mock *m, const char *path, int flags);
int dmock_kfile_readdir(struct dmaheap_mock *m, const char *path,
			dmaheap_sys_dirent_fn fn, void *arg);
void dmock_kfiles_free(struct dmaheap_mock *m);

/* open.c */
int dmock_node_open(struct dmaheap_mock *m, struct mock_heap *h,
		    bool trailing, int flags);
int dmock_open(const struct dmaheap_sys *self, const char *path,
	       int flags, unsigned int mode);
int dmock_close(const struct dmaheap_sys *self, int fd);

/* ioctl.c */
int dmock_ioctl(const struct dmaheap_sys *self, int fd,
		unsigned long req, void *arg);

/* buffer.c */
int dmock_buf_ioctl(struct dmaheap_mock *m, struct mock_obj *o,
		    unsigned long req, void *arg);

/* syncfile.c */
int dmock_buf_export(struct dmaheap_mock *m, const struct mock_obj *o,
		     void *arg);
int dmock_buf_import(const struct dmaheap_mock *m, const struct mock_obj *o,
		     const void *arg);
/* Whether @fd is one of the mock's sync files (takes the lock). */
bool dmock_is_sync_file(struct dmaheap_mock *m, int fd);
/* SYNC_IOC_FILE_INFO on one of them: one signalled fence. */
int dmock_sync_file_info(void *arg);

/* udmabuf.c */
int dmock_udm_ioctl(struct dmaheap_mock *m, struct mock_heap *h,
		    unsigned long req, void *arg);

/* mmap.c */
void dmock_maps_drop_buf(struct dmaheap_mock *m, const struct mock_obj *o);
int dmock_mmap(const struct dmaheap_sys *self, size_t len, int prot,
	       int flags, int fd, int64_t off, void **addr);
int dmock_munmap(const struct dmaheap_sys *self, void *addr, size_t len);
/* socket.c */
int dmock_sendmsg(const struct dmaheap_sys *self, int sock,
		  const struct msghdr *msg, int flags);
int dmock_recvmsg(const struct dmaheap_sys *self, int sock,
		  struct msghdr *msg, int flags);

int dmock_madvise(const struct dmaheap_sys *self, void *addr, size_t len,
		  int advice);
/* membarrier.c */
int dmock_membarrier(const struct dmaheap_sys *self, int cmd,
		     unsigned int flags);

/* file.c */
int dmock_lseek(const struct dmaheap_sys *self, int fd, int64_t off,
		int whence, int64_t *pos);
int dmock_fcntl(const struct dmaheap_sys *self, int fd, int cmd,
		int arg);
int dmock_fstat(const struct dmaheap_sys *self, int fd, struct stat *st);
int dmock_fstatfs(const struct dmaheap_sys *self, int fd,
		  struct statfs *st);
int dmock_ftruncate(const struct dmaheap_sys *self, int fd, int64_t len);
int dmock_read(const struct dmaheap_sys *self, int fd, void *buf,
	       size_t len);
int dmock_memfd_create(const struct dmaheap_sys *self, const char *name,
		       unsigned int flags);

/* fdinfo.c */
int dmock_fdinfo_open(struct dmaheap_mock *m, const char *path, bool *mine);
int dmock_pread(const struct dmaheap_sys *self, int fd, void *buf,
		size_t len, int64_t off);

/* poll.c */
int dmock_poll(const struct dmaheap_sys *self, int fd, short events,
	       int timeout_ms);

/* proc.c: *mine says whether @path is the fake procfs's. */
int dmock_proc_open(struct dmaheap_mock *m, const char *path, int flags,
		    bool *mine);
int dmock_proc_readdir(struct dmaheap_mock *m, const char *path,
		       dmaheap_sys_dirent_fn fn, void *arg, bool *mine);
void dmock_procs_free(struct dmaheap_mock *m);

/* dir.c */
int dmock_readdir(const struct dmaheap_sys *self, const char *path,
		  dmaheap_sys_dirent_fn fn, void *arg);

#endif /* DMAHEAP_MOCK_PRIVATE_H */
