/* SPDX-License-Identifier: MIT */
/*
 * The mock kernel: a struct dmaheap_sys that emulates DMA-BUF heaps on top
 * of real, ordinary kernel objects.
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
 *    dma-buf apart from the memfd (see desc_tag()).
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dmaheap-mock.h"
#include "sys.h"
#include "uapi.h"

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
	bool have_anon;
	dev_t anon_dev;
	ino_t anon_ino;
	struct mock_call calls[DMAHEAP_MOCK_CALL_COUNT];
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

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

static struct dmaheap_mock *mock_of(const struct dmaheap_sys *self)
{
	/* The ops get a const table, but the mock around it is the caller's
	 * own, mutable allocation. */
	return (struct dmaheap_mock *)(uintptr_t)((const char *)self -
						  offsetof(struct dmaheap_mock,
							   sys));
}

static void mock_lock(const struct dmaheap_mock *m)
{
	pthread_mutex_lock((pthread_mutex_t *)(uintptr_t)&m->lock);
}

static void mock_unlock(const struct dmaheap_mock *m)
{
	pthread_mutex_unlock((pthread_mutex_t *)(uintptr_t)&m->lock);
}

/* Counts the call and returns the injected failure, if one is due. */
static int enter(struct dmaheap_mock *m, enum dmaheap_mock_call call)
{
	struct mock_call *c = &m->calls[call];
	int r = 0;

	mock_lock(m);
	if (c->count < INT64_MAX)
		c->count++;
	if (c->fail) {
		if (c->skip) {
			c->skip--;
		} else {
			c->fail--;
			r = -c->err;
		}
	}
	mock_unlock(m);
	return r;
}

static bool is_pow2(size_t v)
{
	return v && !(v & (v - 1));
}

static size_t round_up(size_t v, size_t page)
{
	/* Wraps to 0 near SIZE_MAX, which is what PAGE_ALIGN does. */
	return (v + page - 1) & ~(page - 1);
}

static int proc_fd_path(char *buf, size_t len, const char *dir, int fd)
{
	int n = snprintf(buf, len, "/proc/self/%s/%d", dir, fd);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ------------------------------------------------------------------------ */
/* Heaps                                                                    */
/* ------------------------------------------------------------------------ */

static struct mock_heap *heap_find(struct dmaheap_mock *m, const char *name,
				   size_t len)
{
	struct mock_heap *h;

	for (h = m->heaps; h; h = h->next)
		if (!h->removed && !h->udmabuf && strlen(h->name) == len &&
		    memcmp(h->name, name, len) == 0)
			return h;
	return NULL;
}

static void heap_unlink(struct dmaheap_mock *m, struct mock_heap *h)
{
	struct mock_heap **p;

	for (p = &m->heaps; *p; p = &(*p)->next) {
		if (*p == h) {
			*p = h->next;
			free(h);
			return;
		}
	}
}

static bool heap_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, MOCK_NAME_MAX + 1);
	if (len == 0 || len > MOCK_NAME_MAX || strchr(name, '/'))
		return false;
	/* They would shadow the directory's own entries. */
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* ------------------------------------------------------------------------ */
/* Objects                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * The file position of @fd's description, -1 for none. A udmabuf dma-buf
 * shares its inode with the caller's memfd; its position, set to the
 * object's tag at creation, tells the two apart. The mock emulates lseek on
 * dma-bufs and never moves the real position, so the tag stays.
 */
static int64_t desc_tag(int fd)
{
	off_t pos = lseek(fd, 0, SEEK_CUR);

	return pos < 0 ? -1 : (int64_t)pos;
}

/* The object @fd refers to (@st: its fstat), or NULL. */
static struct mock_obj *obj_find_fd(struct dmaheap_mock *m, int fd,
				    const struct stat *st)
{
	struct mock_obj *o;
	bool have_pos = false;
	int64_t pos = -1;

	for (o = m->objs; o; o = o->next) {
		if (o->dev != st->st_dev || o->ino != st->st_ino)
			continue;
		if (!o->tag)
			return o;
		if (!have_pos) {
			pos = desc_tag(fd);
			have_pos = true;
		}
		if (pos == o->tag)
			return o;
	}
	return NULL;
}

static void maps_drop_buf(struct dmaheap_mock *m, const struct mock_obj *o)
{
	struct mock_map **p = &m->maps;

	while (*p) {
		struct mock_map *mp = *p;

		if (mp->buf == o) {
			*p = mp->next;
			free(mp);
		} else {
			p = &mp->next;
		}
	}
}

static void obj_remove(struct dmaheap_mock *m, struct mock_obj *o)
{
	struct mock_heap *h = o->heap;
	struct mock_obj **p;

	maps_drop_buf(m, o);
	if (o->kind == OBJ_BUF)
		h->live -= o->size;
	if (--h->users == 0 && h->removed)
		heap_unlink(m, h);
	for (p = &m->objs; *p; p = &(*p)->next) {
		if (*p == o) {
			*p = o->next;
			break;
		}
	}
	m->nobjs--;
	free(o);
}

/* A new file took @st's inode number: whatever had it before is gone. */
static void obj_forget_inode(struct dmaheap_mock *m, const struct stat *st)
{
	struct mock_obj *o = m->objs;

	while (o) {
		struct mock_obj *next = o->next;

		if (o->dev == st->st_dev && o->ino == st->st_ino)
			obj_remove(m, o);
		o = next;
	}
}

/* ------------------------------------------------------------------------ */
/* Liveness: which objects some fd of the process still refers to          */
/* ------------------------------------------------------------------------ */

static int scan_add(struct fd_scan *s, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0; /* closed meanwhile, or never open */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct fd_key *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].dev = st.st_dev;
	s->v[s->n].ino = st.st_ino;
	s->v[s->n].fd = fd;
	s->n++;
	return 0;
}

static int scan_proc(struct fd_scan *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int r = 0;

	if (!d)
		return neg_errno();
	while (!r && (de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd < 0 || fd > INT_MAX ||
		    fd == dirfd(d))
			continue;
		r = scan_add(s, (int)fd);
	}
	closedir(d);
	return r;
}

/* Without /proc: try every fd number below the limit. */
static int scan_numbers(struct fd_scan *s)
{
	struct rlimit rl;
	rlim_t max = MOCK_SCAN_FALLBACK_MAX;
	int fd, r = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max)
		max = rl.rlim_cur;
	for (fd = 0; !r && (rlim_t)fd < max; fd++)
		r = scan_add(s, fd);
	return r;
}

static int key_cmp(const void *a, const void *b)
{
	const struct fd_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

static int scan_fds(struct fd_scan *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	r = scan_proc(s);
	if (r == -ENOMEM)
		return r;
	if (r) {
		s->n = 0;
		r = scan_numbers(s);
	}
	if (r) {
		free(s->v);
		return r;
	}
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), key_cmp);
	return 0;
}

/* How many scanned fds refer to @o; *first gets the lowest of them. */
static size_t scan_count(const struct fd_scan *s, const struct mock_obj *o,
			 int *first)
{
	struct fd_key k = { o->dev, o->ino, INT_MIN };
	size_t lo = 0, hi = s->n, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(&s->v[mid], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n && s->v[lo].dev == o->dev && s->v[lo].ino == o->ino;
	     lo++) {
		/* The memfd a udmabuf shares is not the dma-buf. */
		if (o->tag && desc_tag(s->v[lo].fd) != o->tag)
			continue;
		if (!n && first)
			*first = s->v[lo].fd;
		n++;
	}
	return n;
}

/* Forgets the objects no fd and no tracked mapping holds any more. */
static void prune(struct dmaheap_mock *m, const struct fd_scan *s)
{
	struct mock_obj *o = m->objs;

	while (o) {
		struct mock_obj *next = o->next;

		if (!o->maps && !scan_count(s, o, NULL))
			obj_remove(m, o);
		o = next;
	}
}

static int sweep(struct dmaheap_mock *m)
{
	struct fd_scan s;
	int r = scan_fds(&s);

	if (r)
		return r;
	prune(m, &s);
	free(s.v);
	m->sweep_at = m->nobjs * 2 > MOCK_SWEEP_MIN ? m->nobjs * 2 :
						       MOCK_SWEEP_MIN;
	return 0;
}

/* Registers an object for the file @st describes. */
static int obj_new(struct dmaheap_mock *m, enum obj_kind kind,
		   struct mock_heap *h, const struct stat *st,
		   struct mock_obj **ret)
{
	struct mock_obj *o;

	if (m->nobjs >= m->sweep_at)
		sweep(m); /* best effort: it only bounds memory */
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->kind = kind;
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->heap = h;
	o->next = m->objs;
	m->objs = o;
	m->nobjs++;
	h->users++;
	if (ret)
		*ret = o;
	return 0;
}

/* Registers the object behind @fd, a memfd the mock has just made. */
static int obj_add(struct dmaheap_mock *m, enum obj_kind kind,
		   struct mock_heap *h, int fd, struct mock_obj **ret)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return neg_errno();
	obj_forget_inode(m, &st);
	return obj_new(m, kind, h, &st, ret);
}

/* ------------------------------------------------------------------------ */
/* Making fds                                                               */
/* ------------------------------------------------------------------------ */

static int memfd_named(const char *prefix, const char *heap)
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
static int reopen_mode(int fd, int accmode, int extra)
{
	char path[64];
	int nfd, r;

	r = proc_fd_path(path, sizeof(path), "fd", fd);
	if (r)
		return r;
	nfd = open(path, accmode | O_CLOEXEC | extra);
	return nfd < 0 ? neg_errno() : nfd;
}

static int set_fd_flags(int fd, bool cloexec, bool nonblock)
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
static int shape_fd(int fd, int flags, bool lenient)
{
	int r;

	if ((flags & O_ACCMODE) != O_RDWR) {
		int nfd = reopen_mode(fd, flags & O_ACCMODE, flags & O_NONBLOCK);

		if (nfd >= 0 || !lenient) {
			close(fd);
			if (nfd < 0)
				return nfd;
			fd = nfd;
			flags &= ~O_NONBLOCK;
		}
	}
	r = set_fd_flags(fd, flags & O_CLOEXEC, flags & O_NONBLOCK);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* ------------------------------------------------------------------------ */
/* Paths                                                                    */
/* ------------------------------------------------------------------------ */

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

static const char *skip_dots(const char *p)
{
	/* Empty and "." components do not move. */
	for (;;) {
		if (*p == '/')
			p++;
		else if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
			p++;
		else
			return p;
	}
}

static enum path_kind classify_path(const struct dmaheap_mock *m,
				    const char *path, struct path_info *pi)
{
	size_t dlen = strlen(m->dir);
	const char *p;

	if (!path || strncmp(path, m->dir, dlen) != 0 ||
	    (path[dlen] != '/' && path[dlen] != '\0'))
		return PATH_FOREIGN;
	p = skip_dots(path + dlen);
	if (*p == '\0')
		return PATH_DIR;
	pi->name = p;
	pi->len = strcspn(p, "/");
	pi->trailing = p[pi->len] != '\0';
	pi->err = 0;
	/* The directory's parent does not exist on disk either. */
	if (pi->len == 2 && p[0] == '.' && p[1] == '.')
		pi->err = -ENOENT;
	else if (pi->len > MOCK_NAME_MAX)
		pi->err = -ENAMETOOLONG;
	return pi->err ? PATH_ERROR : PATH_NODE;
}

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

static const char *const udm_param_files[UDM_NPARAMS] = {
	[UDM_SIZE_LIMIT_MB] = "/parameters/size_limit_mb",
	[UDM_LIST_LIMIT] = "/parameters/list_limit",
};

static enum udm_path classify_udm(const struct dmaheap_mock *m,
				  const char *path, enum udm_param *param)
{
	size_t dlen = strlen(m->udm_path), slen = strlen(MOCK_SYSFS_DIR);
	int i;

	if (!path)
		return UDM_NONE;
	if (strncmp(path, m->udm_path, dlen) == 0 &&
	    (path[dlen] == '\0' || path[dlen] == '/'))
		return path[dlen] ? UDM_BELOW_DEV : UDM_DEV;
	if (strncmp(path, MOCK_SYSFS_DIR, slen) != 0 ||
	    (path[slen] != '/' && path[slen] != '\0'))
		return UDM_NONE;
	for (i = 0; i < UDM_NPARAMS; i++) {
		if (strcmp(path + slen, udm_param_files[i]) == 0) {
			*param = (enum udm_param)i;
			return UDM_PARAM;
		}
	}
	return UDM_SYSFS;
}

static unsigned int udm_param_value(const struct dmaheap_mock *m,
				    enum udm_param param)
{
	const struct dmaheap_mock_udmabuf *p = &m->udm_params;

	if (param == UDM_SIZE_LIMIT_MB)
		return p->size_limit_mb ? p->size_limit_mb :
					  MOCK_UDMABUF_SIZE_LIMIT_MB;
	return p->list_limit ? p->list_limit : MOCK_UDMABUF_LIST_LIMIT;
}

/* Whether the parameter files are there: the module is, with sysfs. */
static bool udm_params_exist(const struct dmaheap_mock *m)
{
	return m->udm && !m->udm_params.no_sysfs;
}

/* ------------------------------------------------------------------------ */
/* open / close                                                             */
/* ------------------------------------------------------------------------ */

static int node_fd(struct dmaheap_mock *m, struct mock_heap *h, int flags)
{
	int fd = memfd_named("dmaheap-mock-node", h->name);
	int r;

	if (fd < 0)
		return fd;
	fd = shape_fd(fd, flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK), true);
	if (fd < 0)
		return fd;
	r = obj_add(m, OBJ_NODE, h, fd, NULL);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* Opens the node of @h (NULL: there is none); @trailing: a path through
 * it, as if it were a directory. */
static int node_open(struct dmaheap_mock *m, struct mock_heap *h,
		     bool trailing, int flags)
{
	if (!h)
		return (flags & O_CREAT) && !trailing ? -EACCES : -ENOENT;
	if (trailing)
		return -ENOTDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	switch (h->props.node) {
	case DMAHEAP_MOCK_NODE_NO_ACCESS:
		return -EACCES;
	case DMAHEAP_MOCK_NODE_NO_DEVICE:
		return -ENODEV;
	default:
		return node_fd(m, h, flags);
	}
}

/* A fresh memfd holding @text, positioned at its start. */
static int text_memfd(const char *name, const char *text)
{
	size_t len = strlen(text);
	int fd = memfd_named("dmaheap-mock-param", name);
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

/*
 * A module parameter file, as sysfs shows it to an unprivileged process:
 * the value and a newline, 0644 root, so not writable. The value is read
 * at open, as kernfs does at the first read.
 */
static int param_open(struct dmaheap_mock *m, enum udm_param param,
		      int flags)
{
	char text[16];
	int fd, r;

	if (!udm_params_exist(m))
		return -ENOENT;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EACCES;
	snprintf(text, sizeof(text), "%u\n", udm_param_value(m, param));
	fd = text_memfd(udm_param_files[param] + strlen("/parameters/"),
			text);
	if (fd < 0)
		return fd;
	fd = shape_fd(fd, flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK), true);
	if (fd < 0)
		return fd;
	r = obj_add(m, OBJ_PARAM, m->udm, fd, NULL);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* Under the lock. */
static int udm_open(struct dmaheap_mock *m, enum udm_path kind,
		    enum udm_param param, int flags)
{
	switch (kind) {
	case UDM_DEV:
	case UDM_BELOW_DEV:
		return node_open(m, m->udm, kind == UDM_BELOW_DEV, flags);
	case UDM_PARAM:
		return param_open(m, param, flags);
	default:
		/* The rest of the module's directory is not emulated. */
		return -ENOENT;
	}
}

static int mock_open(const struct dmaheap_sys *self, const char *path,
		     int flags, unsigned int mode)
{
	struct dmaheap_mock *m = mock_of(self);
	enum udm_param param = UDM_SIZE_LIMIT_MB;
	enum udm_path udm = classify_udm(m, path, &param);
	struct path_info pi;
	int r = enter(m, DMAHEAP_MOCK_OPEN);

	if (r)
		return r;
	if (udm != UDM_NONE) {
		mock_lock(m);
		r = udm_open(m, udm, param, flags);
		mock_unlock(m);
		return r;
	}
	switch (classify_path(m, path, &pi)) {
	case PATH_FOREIGN:
		/* As the kernel layer does: no fd made here leaks into exec. */
		r = open(path, flags | O_CLOEXEC, (mode_t)mode);
		return r < 0 ? neg_errno() : r;
	case PATH_DIR:
		/* A virtual directory has nothing an fd could stand on. */
		return (flags & (O_CREAT | O_ACCMODE)) ? -EISDIR : -EOPNOTSUPP;
	case PATH_ERROR:
		return pi.err;
	case PATH_NODE:
		break;
	}
	mock_lock(m);
	r = node_open(m, heap_find(m, pi.name, pi.len), pi.trailing, flags);
	mock_unlock(m);
	return r;
}

static int mock_close(const struct dmaheap_sys *self, int fd)
{
	struct dmaheap_mock *m = mock_of(self);
	int r = enter(m, DMAHEAP_MOCK_CLOSE);

	if (r)
		return r;
	/* Under the lock so that a sweep sees the fd either open or gone;
	 * the object itself is forgotten by the next sweep. */
	mock_lock(m);
	r = close(fd) < 0 ? neg_errno() : 0;
	mock_unlock(m);
	return r;
}

/* ------------------------------------------------------------------------ */
/* ioctl                                                                    */
/* ------------------------------------------------------------------------ */

static enum dmaheap_mock_call classify_ioctl(unsigned long req)
{
	if (req == DMA_HEAP_IOCTL_ALLOC)
		return DMAHEAP_MOCK_IOCTL_ALLOC;
	if (req == DMA_BUF_IOCTL_SYNC)
		return DMAHEAP_MOCK_IOCTL_SYNC;
	if (req == DMA_BUF_SET_NAME_A || req == DMA_BUF_SET_NAME_B)
		return DMAHEAP_MOCK_IOCTL_SET_NAME;
	if (req == DMA_BUF_IOCTL_EXPORT_SYNC_FILE)
		return DMAHEAP_MOCK_IOCTL_EXPORT_SYNC_FILE;
	if (req == DMA_BUF_IOCTL_IMPORT_SYNC_FILE)
		return DMAHEAP_MOCK_IOCTL_IMPORT_SYNC_FILE;
	if (req == UDMABUF_CREATE || req == UDMABUF_CREATE_LIST)
		return DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE;
	return DMAHEAP_MOCK_IOCTL_OTHER;
}

/* The VFS answers these itself, before any driver sees them. */
static bool vfs_ioctl(unsigned long req)
{
	return req == FIOCLEX || req == FIONCLEX || req == FIONBIO ||
	       req == FIOASYNC;
}

static int real_ioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? neg_errno() : r;
}

static int alloc_checks(const struct dmaheap_mock *m,
			const struct dma_heap_allocation_data *d,
			uint64_t *size)
{
	/* The kernel takes len as a size_t: a 32-bit one truncates it. */
	size_t len = (size_t)d->len;

	if (d->fd != 0)
		return -EINVAL;
	if (d->fd_flags & ~(uint32_t)(O_CLOEXEC | O_ACCMODE))
		return -EINVAL;
	if (d->heap_flags != 0)
		return -EINVAL;
	*size = round_up(len, m->page_size);
	return *size ? 0 : -EINVAL;
}

static bool heap_full(const struct mock_heap *h, uint64_t size)
{
	uint64_t cap = h->props.capacity;

	return cap && (h->live > cap || size > cap - h->live);
}

static int heap_limits(struct dmaheap_mock *m, struct mock_heap *h,
		       uint64_t size)
{
	if (h->props.max_size && size > h->props.max_size)
		return -ENOMEM;
	/* Buffers the caller closed behind the mock's back still count until
	 * a sweep notices; only pay for one when it matters. */
	if (heap_full(h, size) && (sweep(m) || heap_full(h, size)))
		return -ENOMEM;
	if (h->props.fail_after && h->allocs + 1 >= h->props.fail_after)
		return -ENOMEM;
	return 0;
}

static int make_buf_fd(const struct mock_heap *h, uint64_t size,
		       unsigned int fd_flags)
{
	int fd = memfd_named("dmaheap-mock", h->name);

	if (fd < 0)
		return fd;
	if (size > INT64_MAX || ftruncate(fd, (off_t)size) < 0) {
		/* Too big for a memfd: a heap would be out of memory. */
		int r = size > INT64_MAX || errno == EFBIG || errno == EINVAL ?
				-ENOMEM : neg_errno();

		close(fd);
		return r;
	}
	return shape_fd(fd, (int)fd_flags, false);
}

static int heap_alloc(struct dmaheap_mock *m, struct mock_heap *h,
		      struct dma_heap_allocation_data *d)
{
	struct mock_obj *o;
	uint64_t size;
	int fd, r;

	r = alloc_checks(m, d, &size);
	if (!r)
		r = heap_limits(m, h, size);
	if (r)
		return r;
	fd = make_buf_fd(h, size, d->fd_flags);
	if (fd < 0)
		return fd;
	r = obj_add(m, OBJ_BUF, h, fd, &o);
	if (r) {
		close(fd);
		return r;
	}
	o->size = size;
	h->live += size;
	h->allocs++;
	d->fd = (uint32_t)fd;
	return 0;
}

/*
 * The heap's ioctl, with the kernel's argument copying: it accepts any
 * command with nr 0 whatever its size, copies in the caller's size if the
 * command writes, zero-fills up to its own struct, and copies back the
 * caller's size if the command reads, success or not.
 */
static int heap_ioctl(struct dmaheap_mock *m, struct mock_heap *h,
		      unsigned long req, void *arg)
{
	unsigned char stack[128], *k = stack;
	struct dma_heap_allocation_data d;
	size_t usize = _IOC_SIZE(req);
	size_t in = (_IOC_DIR(req) & _IOC_WRITE) ? usize : 0;
	size_t out = (_IOC_DIR(req) & _IOC_READ) ? usize : 0;
	size_t ksize = usize > MOCK_ALLOC_DATA_SIZE ? usize :
						      MOCK_ALLOC_DATA_SIZE;
	int r;

	if (_IOC_NR(req) != 0)
		return -EINVAL;
	if (!arg && (in || out))
		return -EFAULT;
	if (ksize > sizeof(stack) && !(k = malloc(ksize)))
		return -ENOMEM;
	memset(k, 0, ksize);
	if (in)
		memcpy(k, arg, in);
	memcpy(&d, k, sizeof(d));
	r = heap_alloc(m, h, &d);
	memcpy(k, &d, sizeof(d));
	if (out)
		memcpy(arg, k, out);
	if (k != stack)
		free(k);
	return r;
}

static int buf_sync(struct mock_obj *o, const void *arg)
{
	struct dma_buf_sync s;

	if (!arg)
		return -EFAULT;
	memcpy(&s, arg, sizeof(s));
	if (s.flags & ~(uint64_t)DMA_BUF_SYNC_VALID_FLAGS_MASK)
		return -EINVAL;
	if (!(s.flags & DMA_BUF_SYNC_RW))
		return -EINVAL;
	if (s.flags & DMA_BUF_SYNC_END) {
		/* Modern kernels accept an END without a START. */
		if ((s.flags & DMA_BUF_SYNC_READ) && o->reads)
			o->reads--;
		if ((s.flags & DMA_BUF_SYNC_WRITE) && o->writes)
			o->writes--;
	} else {
		if ((s.flags & DMA_BUF_SYNC_READ) && o->reads < UINT_MAX)
			o->reads++;
		if ((s.flags & DMA_BUF_SYNC_WRITE) && o->writes < UINT_MAX)
			o->writes++;
	}
	return 0;
}

static int buf_set_name(struct mock_obj *o, const char *name)
{
	size_t len;

	if (!name)
		return -EFAULT;
	len = strnlen(name, DMA_BUF_NAME_LEN);
	if (len == DMA_BUF_NAME_LEN)
		return -EINVAL;
	memcpy(o->name, name, len + 1);
	return 0;
}

static bool sync_flags_valid(uint32_t flags)
{
	return flags && !(flags & ~(uint32_t)DMA_BUF_SYNC_RW);
}

static int buf_export(struct dmaheap_mock *m, const struct mock_obj *o,
		      void *arg)
{
	struct dma_buf_export_sync_file e;
	struct stat st;
	int fd;

	if (o->heap->props.no_sync_file)
		return -ENOTTY;
	if (!arg)
		return -EFAULT;
	memcpy(&e, arg, sizeof(e));
	if (!sync_flags_valid(e.flags))
		return -EINVAL;
	/* A non-zero count polls readable, like a signalled fence. */
	fd = eventfd(m->sync_marker, EFD_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (!m->have_anon && fstat(fd, &st) == 0) {
		m->anon_dev = st.st_dev;
		m->anon_ino = st.st_ino;
		m->have_anon = true;
	}
	e.fd = fd;
	memcpy(arg, &e, sizeof(e));
	return 0;
}

/* The eventfd counter, from fdinfo; false if it cannot be read. */
static bool eventfd_count(int fd, uint64_t *count)
{
	char path[64], text[1024];
	const char *p;
	ssize_t n;
	int pfd;

	if (proc_fd_path(path, sizeof(path), "fdinfo", fd))
		return false;
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return false;
	n = read(pfd, text, sizeof(text) - 1);
	close(pfd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	p = strstr(text, "eventfd-count:");
	if (!p)
		return false;
	*count = strtoull(p + strlen("eventfd-count:"), NULL, 16);
	return true;
}

static bool is_mock_sync_file(const struct dmaheap_mock *m, int fd)
{
	struct stat st;
	uint64_t count;

	if (!m->have_anon || fd < 0 || fstat(fd, &st) < 0)
		return false;
	if (st.st_dev != m->anon_dev || st.st_ino != m->anon_ino)
		return false;
	/* Without /proc, an eventfd is the best the mock can tell. */
	if (!eventfd_count(fd, &count))
		return true;
	return count == m->sync_marker;
}

static int buf_import(const struct dmaheap_mock *m, const struct mock_obj *o,
		      const void *arg)
{
	struct dma_buf_import_sync_file im;

	if (o->heap->props.no_sync_file)
		return -ENOTTY;
	if (!arg)
		return -EFAULT;
	memcpy(&im, arg, sizeof(im));
	if (!sync_flags_valid(im.flags))
		return -EINVAL;
	/* The kernel finds no fence behind a bad fd either: EINVAL too. */
	return is_mock_sync_file(m, im.fd) ? 0 : -EINVAL;
}

/* dma_buf_ioctl() dispatches on the whole command. */
static int buf_ioctl(struct dmaheap_mock *m, struct mock_obj *o,
		     unsigned long req, void *arg)
{
	if (req == DMA_BUF_IOCTL_SYNC)
		return buf_sync(o, arg);
	if (req == DMA_BUF_SET_NAME_A || req == DMA_BUF_SET_NAME_B)
		return buf_set_name(o, arg);
	if (req == DMA_BUF_IOCTL_EXPORT_SYNC_FILE)
		return buf_export(m, o, arg);
	if (req == DMA_BUF_IOCTL_IMPORT_SYNC_FILE)
		return buf_import(m, o, arg);
	return -ENOTTY;
}

/* ------------------------------------------------------------------------ */
/* udmabuf                                                                  */
/* ------------------------------------------------------------------------ */

/* Items are read straight from the caller's list, which may be unaligned. */
static void udm_item(const unsigned char *items, uint32_t i,
		     struct udmabuf_create_item *it)
{
	memcpy(it, items + (size_t)i * sizeof(*it), sizeof(*it));
}

/* udmabuf_create()'s first loop: alignment and the running size limit,
 * then a non-empty total. *pages gets the total in (mock) pages. */
static int udm_sizes(const struct dmaheap_mock *m, uint32_t count,
		     const unsigned char *items, uint64_t *pages)
{
	uint64_t mask = m->page_size - 1;
	uint64_t limit = ((uint64_t)udm_param_value(m, UDM_SIZE_LIMIT_MB)
			  << 20) / m->page_size;
	struct udmabuf_create_item it;
	uint32_t i;

	*pages = 0;
	for (i = 0; i < count; i++) {
		udm_item(items, i, &it);
		if ((it.offset & mask) || (it.size & mask))
			return -EINVAL;
		*pages += it.size / m->page_size;
		if (*pages > limit)
			return -EINVAL;
	}
	return *pages ? 0 : -EINVAL;
}

static bool fs_is(const struct statfs *sfs, uint32_t magic)
{
	/* f_type is signed on 32-bit ABIs; compare the 32 bits. */
	return (uint32_t)sfs->f_type == magic;
}

/* udmabuf_create()'s second loop, for one item: the memfd must be a shmem
 * or hugetlbfs file, sealed against shrinking and not against writes, and
 * hold the range (shmem will not read pages past the end in). */
static int udm_check_item(struct dmaheap_mock *m,
			  const struct udmabuf_create_item *it)
{
	int fd = it->memfd > INT_MAX ? -1 : (int)it->memfd;
	struct statfs sfs;
	struct stat st;
	int seals;

	/* fget() failing (a closed fd), or a file of another kind: the mock's
	 * own objects are memfds underneath, but no dma-buf, device or sysfs
	 * file is. F_GET_SEALS fails on O_PATH fds, which fget() refuses. */
	if (fd < 0 || fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0 ||
	    obj_find_fd(m, fd, &st))
		return -EBADFD;
	if (!fs_is(&sfs, TMPFS_MAGIC) && !fs_is(&sfs, HUGETLBFS_MAGIC))
		return -EBADFD;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0)
		return -EBADFD;
	if (!(seals & F_SEAL_SHRINK) ||
	    (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EINVAL;
	if (it->offset > (uint64_t)st.st_size ||
	    it->size > (uint64_t)st.st_size - it->offset)
		return -EINVAL;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len, uint64_t at)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? neg_errno() : -EIO;
		buf += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}

static int copy_range(int dst, uint64_t at, int src, uint64_t off,
		      uint64_t len)
{
	char *buf = malloc(MOCK_COPY_CHUNK);
	int r = buf ? 0 : -ENOMEM;

	while (!r && len) {
		size_t want = len < MOCK_COPY_CHUNK ? (size_t)len :
						      MOCK_COPY_CHUNK;
		ssize_t n = pread(src, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The range was checked and the memfd cannot shrink. */
			r = n < 0 ? neg_errno() : -EIO;
			break;
		}
		r = write_all(dst, buf, (size_t)n, at);
		off += (uint64_t)n;
		at += (uint64_t)n;
		len -= (uint64_t)n;
	}
	free(buf);
	return r;
}

/* Copies one item's range to @dst at @at. The kernel pins pages whatever
 * the memfd's access mode; pread needs a readable fd. */
static int copy_item(int dst, uint64_t at,
		     const struct udmabuf_create_item *it)
{
	int src = (int)it->memfd, fl = fcntl(src, F_GETFL);
	int rfd = fl >= 0 && (fl & O_ACCMODE) == O_WRONLY ?
			  reopen_mode(src, O_RDONLY, 0) : -1;
	int r = copy_range(dst, at, rfd >= 0 ? rfd : src, it->offset,
			   it->size);

	if (rfd >= 0)
		close(rfd);
	return r;
}

/* The items' ranges one after another in a new memfd: the mock cannot
 * make one file out of pages of others, so these pages are not shared. */
static int udm_copy(uint32_t count, const unsigned char *items,
		    uint64_t size)
{
	struct udmabuf_create_item it;
	uint64_t at = 0;
	uint32_t i;
	int fd = memfd_named("dmaheap-mock", "udmabuf"), r = 0;

	if (fd < 0)
		return fd;
	/* Too big for a memfd: the kernel's page array would not fit. */
	if (size > INT64_MAX || ftruncate(fd, (off_t)size) < 0)
		r = -ENOMEM;
	for (i = 0; !r && i < count; i++) {
		udm_item(items, i, &it);
		r = copy_item(fd, at, &it);
		at += it.size;
	}
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* A new description of the memfd itself (via /proc), parked at a fresh
 * tag: the dma-buf then shares the memfd's pages, as udmabuf's does. */
static int udm_reopen(struct dmaheap_mock *m, int memfd, int64_t *tag)
{
	uint32_t low = (1u << MOCK_TAG_BITS) - 1;
	int fd = reopen_mode(memfd, O_RDWR, 0);

	if (fd < 0)
		return fd;
	/* Per mock and per object, so no two on one inode look alike. */
	*tag = MOCK_TAG_BASE |
	       (int64_t)(m->sync_marker & low) << MOCK_TAG_BITS |
	       (int64_t)(m->next_tag++ & low);
	if (lseek(fd, (off_t)*tag, SEEK_SET) != (off_t)*tag) {
		close(fd);
		return -EOVERFLOW;
	}
	return fd;
}

static int udm_register(struct dmaheap_mock *m, struct mock_heap *h, int fd,
			int64_t tag, uint64_t size)
{
	struct mock_obj *o;
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return neg_errno();
	/* A copy is a new file; a shared inode is the caller's live memfd,
	 * on which other udmabufs may still live. */
	if (!tag)
		obj_forget_inode(m, &st);
	r = obj_new(m, OBJ_BUF, h, &st, &o);
	if (r)
		return r;
	o->tag = tag;
	o->size = size;
	h->live += size;
	h->allocs++;
	return 0;
}

/* Makes the dma-buf: O_RDWR, close-on-exec only if asked. */
static int udm_make(struct dmaheap_mock *m, struct mock_heap *h,
		    bool cloexec, uint32_t count, const unsigned char *items,
		    uint64_t size)
{
	struct udmabuf_create_item it;
	int64_t tag = 0;
	int fd = -1, r;

	udm_item(items, 0, &it);
	/* Sharing needs /proc; without it, a copy is the best there is. */
	if (count == 1 && it.offset == 0)
		fd = udm_reopen(m, (int)it.memfd, &tag);
	if (fd < 0) {
		tag = 0;
		fd = udm_copy(count, items, size);
	}
	if (fd < 0)
		return fd;
	r = set_fd_flags(fd, cloexec, false);
	if (!r)
		r = udm_register(m, h, fd, tag, size);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* udmabuf_create(): checks in the kernel's order, nothing made before all
 * pass. Only UDMABUF_FLAGS_CLOEXEC of @flags is read. */
static int udm_create(struct dmaheap_mock *m, struct mock_heap *h,
		      uint32_t flags, uint32_t count,
		      const unsigned char *items)
{
	uint64_t pages;
	uint32_t i;
	int r = udm_sizes(m, count, items, &pages);

	for (i = 0; !r && i < count; i++) {
		struct udmabuf_create_item it;

		udm_item(items, i, &it);
		r = udm_check_item(m, &it);
	}
	if (r)
		return r;
	return udm_make(m, h, flags & UDMABUF_FLAGS_CLOEXEC, count, items,
			pages * m->page_size);
}

/* udmabuf_ioctl() dispatches on the whole command. */
static int udm_ioctl(struct dmaheap_mock *m, struct mock_heap *h,
		     unsigned long req, void *arg)
{
	struct udmabuf_create c;
	struct udmabuf_create_item it;
	struct udmabuf_create_list head;

	if (req != UDMABUF_CREATE && req != UDMABUF_CREATE_LIST)
		return -ENOTTY;
	if (!arg)
		return -EFAULT;
	if (req == UDMABUF_CREATE_LIST) {
		memcpy(&head, arg, sizeof(head));
		if (head.count > udm_param_value(m, UDM_LIST_LIMIT))
			return -EINVAL;
		return udm_create(m, h, head.flags, head.count,
				  (const unsigned char *)arg + sizeof(head));
	}
	memcpy(&c, arg, sizeof(c));
	memset(&it, 0, sizeof(it));
	it.memfd = c.memfd;
	it.offset = c.offset;
	it.size = c.size;
	return udm_create(m, h, c.flags, 1, (const unsigned char *)&it);
}

static int obj_ioctl(struct dmaheap_mock *m, struct mock_obj *o,
		     unsigned long req, void *arg)
{
	if (o->kind == OBJ_BUF)
		return buf_ioctl(m, o, req, arg);
	/* Neither kernfs attributes nor plain files have ioctls. */
	if (o->kind == OBJ_PARAM ||
	    o->heap->props.node == DMAHEAP_MOCK_NODE_REGULAR)
		return -ENOTTY;
	if (o->heap->udmabuf)
		return udm_ioctl(m, o->heap, req, arg);
	return heap_ioctl(m, o->heap, req, arg);
}

static int mock_ioctl(const struct dmaheap_sys *self, int fd,
		      unsigned long req, void *arg)
{
	struct dmaheap_mock *m = mock_of(self);
	struct mock_obj *o;
	struct stat st;
	bool mine;
	int r = enter(m, classify_ioctl(req));

	if (r)
		return r;
	if (vfs_ioctl(req) || fstat(fd, &st) < 0)
		return real_ioctl(fd, req, arg);
	mock_lock(m);
	o = obj_find_fd(m, fd, &st);
	mine = o != NULL;
	if (mine)
		r = obj_ioctl(m, o, req, arg);
	mock_unlock(m);
	/* Not the mock's: may block, so outside the lock. */
	return mine ? r : real_ioctl(fd, req, arg);
}

/* ------------------------------------------------------------------------ */
/* mmap / munmap                                                            */
/* ------------------------------------------------------------------------ */

static bool overlaps(const struct mock_map *mp, uintptr_t a, size_t len)
{
	return a < mp->addr + mp->len && mp->addr < a + len;
}

/* Cuts [a, a + len) out of one tracked mapping; may split it in two. */
static void map_cut(struct mock_map *mp, uintptr_t a, size_t len)
{
	uintptr_t end = mp->addr + mp->len, cut_end = a + len;

	if (a > mp->addr && cut_end < end) {
		struct mock_map *tail = malloc(sizeof(*tail));

		if (tail) {
			/* Keeping one record would misreport the hole. */
			*tail = *mp;
			tail->addr = cut_end;
			tail->len = end - cut_end;
			mp->next = tail;
			mp->buf->maps++;
		}
		mp->len = a - mp->addr;
	} else if (a > mp->addr) {
		mp->len = a - mp->addr;
	} else {
		mp->addr = cut_end;
		mp->len = end - cut_end;
	}
}

/* Forgets the tracked mappings in [a, a + len): unmapped, or replaced. */
static void maps_forget(struct dmaheap_mock *m, uintptr_t a, size_t len)
{
	struct mock_map **p = &m->maps;

	while (*p) {
		struct mock_map *mp = *p;

		if (!overlaps(mp, a, len)) {
			p = &mp->next;
		} else if (a <= mp->addr && mp->addr + mp->len <= a + len) {
			mp->buf->maps--;
			*p = mp->next;
			free(mp);
		} else {
			map_cut(mp, a, len);
			p = &mp->next;
		}
	}
}

static int buf_mmap(struct dmaheap_mock *m, struct mock_obj *o, size_t len,
		    int prot, int flags, int fd, int64_t off, void **addr)
{
	size_t rlen = round_up(len, m->real_page);
	struct mock_map *mp;
	void *p;

	/* The real call first: its checks (EACCES on a read-only fd...)
	 * come before the exporter's in the kernel too. */
	p = mmap(NULL, len, prot, flags, fd, (off_t)off);
	if (p == MAP_FAILED)
		return neg_errno();
	maps_forget(m, (uintptr_t)p, rlen);
	/* udmabuf's mmap wants a shared mapping. */
	if (o->heap->props.unmappable ||
	    (o->heap->udmabuf && !(flags & MAP_SHARED)) ||
	    (uint64_t)off > o->size || rlen > o->size - (uint64_t)off) {
		munmap(p, len);
		return -EINVAL;
	}
	mp = malloc(sizeof(*mp));
	if (!mp) {
		munmap(p, len);
		return -ENOMEM;
	}
	mp->addr = (uintptr_t)p;
	mp->len = rlen;
	mp->buf = o;
	mp->next = m->maps;
	m->maps = mp;
	o->maps++;
	*addr = p;
	return 0;
}

static int plain_mmap(struct dmaheap_mock *m, size_t len, int prot, int flags,
		      int fd, int64_t off, void **addr)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);

	if (p == MAP_FAILED)
		return neg_errno();
	/* Whatever was tracked there was unmapped behind the mock's back. */
	maps_forget(m, (uintptr_t)p, round_up(len, m->real_page));
	*addr = p;
	return 0;
}

static int mock_mmap(const struct dmaheap_sys *self, size_t len, int prot,
		     int flags, int fd, int64_t off, void **addr)
{
	struct dmaheap_mock *m = mock_of(self);
	struct mock_obj *o = NULL;
	struct stat st;
	int r = enter(m, DMAHEAP_MOCK_MMAP);

	if (r)
		return r;
	/* Mapping and tracking under the lock, so that a concurrent munmap
	 * cannot untrack an address before it is tracked. */
	mock_lock(m);
	if (!(flags & MAP_ANONYMOUS) && fstat(fd, &st) == 0)
		o = obj_find_fd(m, fd, &st);
	if (o && o->kind == OBJ_BUF)
		r = buf_mmap(m, o, len, prot, flags, fd, off, addr);
	else if (o && (o->kind == OBJ_PARAM ||
		       o->heap->props.node != DMAHEAP_MOCK_NODE_REGULAR))
		r = -ENODEV; /* no mmap on nodes, nor on kernfs attributes */
	else
		r = plain_mmap(m, len, prot, flags, fd, off, addr);
	mock_unlock(m);
	return r;
}

static int mock_munmap(const struct dmaheap_sys *self, void *addr, size_t len)
{
	struct dmaheap_mock *m = mock_of(self);
	int r = enter(m, DMAHEAP_MOCK_MUNMAP);

	if (r)
		return r;
	mock_lock(m);
	if (munmap(addr, len) < 0)
		r = neg_errno();
	else
		maps_forget(m, (uintptr_t)addr, round_up(len, m->real_page));
	mock_unlock(m);
	return r;
}

/* ------------------------------------------------------------------------ */
/* lseek / fcntl / fstat / fstatfs / ftruncate / read                       */
/* ------------------------------------------------------------------------ */

/* What the mock says a file is: an enum obj_kind, or -1 for not its own.
 * Copies out what the caller needs while the lock is held. */
static int lookup_fd(struct dmaheap_mock *m, int fd, uint64_t *size,
		     enum dmaheap_mock_node *node)
{
	struct mock_obj *o;
	struct stat st;
	int kind = -1;

	if (fstat(fd, &st) < 0)
		return -1;
	mock_lock(m);
	o = obj_find_fd(m, fd, &st);
	if (o) {
		kind = (int)o->kind;
		if (size)
			*size = o->size;
		if (node)
			*node = o->heap->props.node;
	}
	mock_unlock(m);
	return kind;
}

/* A heap node or buffer with no read/write ops: vfs_read's checks. */
static int no_read_op(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return neg_errno();
	fl &= O_ACCMODE;
	return fl == O_RDONLY || fl == O_RDWR ? -EINVAL : -EBADF;
}

static int mock_lseek(const struct dmaheap_sys *self, int fd, int64_t off,
		      int whence, int64_t *pos)
{
	struct dmaheap_mock *m = mock_of(self);
	enum dmaheap_mock_node node = DMAHEAP_MOCK_NODE_HEAP;
	uint64_t size = 0;
	off_t r;
	int kind, e = enter(m, DMAHEAP_MOCK_LSEEK);

	if (e)
		return e;
	kind = lookup_fd(m, fd, &size, &node);
	if (kind == OBJ_BUF) {
		/* dma_buf_llseek(): only the size, and position 0. */
		if ((whence != SEEK_END && whence != SEEK_SET) || off != 0)
			return -EINVAL;
		*pos = whence == SEEK_END ? (int64_t)size : 0;
		return 0;
	}
	if (kind == OBJ_NODE && node != DMAHEAP_MOCK_NODE_REGULAR)
		return -ESPIPE;
	r = lseek(fd, (off_t)off, whence);
	if (r < 0)
		return neg_errno();
	*pos = (int64_t)r;
	return 0;
}

static int mock_fcntl(const struct dmaheap_sys *self, int fd, int cmd,
		      int arg)
{
	struct dmaheap_mock *m = mock_of(self);
	bool is_dup = cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
	int r = enter(m, DMAHEAP_MOCK_FCNTL);

	if (r)
		return r;
	/* A dup under the lock, like close; other commands may block. */
	if (is_dup)
		mock_lock(m);
	r = fcntl(fd, cmd, arg);
	if (r < 0)
		r = neg_errno();
	if (is_dup)
		mock_unlock(m);
	return r;
}

static void node_stat(const struct mock_heap *h, struct stat *st)
{
	if (h->props.node == DMAHEAP_MOCK_NODE_REGULAR) {
		st->st_mode = S_IFREG | 0644;
		st->st_rdev = 0;
	} else {
		st->st_mode = S_IFCHR | 0600;
		st->st_rdev = h->udmabuf ?
			makedev(MOCK_MISC_MAJOR, MOCK_UDMABUF_MINOR) :
			makedev(MOCK_HEAP_MAJOR, h->minor);
	}
	st->st_nlink = 1;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_size = 0;
}

/* What kernfs says of a module parameter. */
static void param_stat(struct stat *st)
{
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_size = MOCK_SYSFS_ATTR_SIZE;
}

static int mock_fstat(const struct dmaheap_sys *self, int fd, struct stat *st)
{
	struct dmaheap_mock *m = mock_of(self);
	struct mock_obj *o;
	int r = enter(m, DMAHEAP_MOCK_FSTAT);

	if (r)
		return r;
	if (fstat(fd, st) < 0)
		return neg_errno();
	mock_lock(m);
	o = obj_find_fd(m, fd, st);
	if (o && o->kind == OBJ_NODE)
		node_stat(o->heap, st);
	else if (o && o->kind == OBJ_PARAM)
		param_stat(st);
	else if (o) /* a udmabuf's memfd may be larger than the buffer */
		st->st_size = (off_t)o->size;
	mock_unlock(m);
	return 0;
}

static int mock_fstatfs(const struct dmaheap_sys *self, int fd,
			struct statfs *st)
{
	struct dmaheap_mock *m = mock_of(self);
	int kind, r = enter(m, DMAHEAP_MOCK_FSTATFS);

	if (r)
		return r;
	if (fstatfs(fd, st) < 0)
		return neg_errno();
	kind = lookup_fd(m, fd, NULL, NULL);
	if (kind == OBJ_BUF)
		st->f_type = DMA_BUF_MAGIC;
	else if (kind == OBJ_PARAM)
		st->f_type = SYSFS_MAGIC;
	return 0;
}

static int mock_ftruncate(const struct dmaheap_sys *self, int fd, int64_t len)
{
	struct dmaheap_mock *m = mock_of(self);
	enum dmaheap_mock_node node = DMAHEAP_MOCK_NODE_HEAP;
	int kind, r = enter(m, DMAHEAP_MOCK_FTRUNCATE);

	if (r)
		return r;
	kind = lookup_fd(m, fd, NULL, &node);
	/* Not a regular file: do_ftruncate() says EINVAL. */
	if (kind == OBJ_BUF ||
	    (kind == OBJ_NODE && node != DMAHEAP_MOCK_NODE_REGULAR))
		return -EINVAL;
	return ftruncate(fd, (off_t)len) < 0 ? neg_errno() : 0;
}

static int mock_read(const struct dmaheap_sys *self, int fd, void *buf,
		     size_t len)
{
	struct dmaheap_mock *m = mock_of(self);
	enum dmaheap_mock_node node = DMAHEAP_MOCK_NODE_HEAP;
	ssize_t n;
	int kind, r = enter(m, DMAHEAP_MOCK_READ);

	if (r)
		return r;
	kind = lookup_fd(m, fd, NULL, &node);
	if (kind == OBJ_BUF ||
	    (kind == OBJ_NODE && node != DMAHEAP_MOCK_NODE_REGULAR))
		return no_read_op(fd);
	n = read(fd, buf, len);
	return n < 0 ? neg_errno() : (int)n;
}

/* ------------------------------------------------------------------------ */
/* readdir / memfd_create / meminfo                                         */
/* ------------------------------------------------------------------------ */

/* The heap names as one block of NUL-terminated strings ending in an empty
 * one, so the callback can run without the lock (it may call the mock). */
static char *snapshot_names(struct dmaheap_mock *m)
{
	static const char dots[] = ".\0..";
	struct mock_heap *h;
	size_t len = sizeof(dots) + 1;
	char *names, *p;

	for (h = m->heaps; h; h = h->next)
		if (!h->removed && !h->udmabuf)
			len += strlen(h->name) + 1;
	names = malloc(len);
	if (!names)
		return NULL;
	memcpy(names, dots, sizeof(dots));
	p = names + sizeof(dots);
	for (h = m->heaps; h; h = h->next) {
		if (!h->removed && !h->udmabuf) {
			size_t n = strlen(h->name) + 1;

			memcpy(p, h->name, n);
			p += n;
		}
	}
	*p = '\0';
	return names;
}

static int mock_dir_walk(struct dmaheap_mock *m, dmaheap_sys_dirent_fn fn,
			 void *arg)
{
	const char *p;
	char *names;
	int r = 0;

	mock_lock(m);
	names = snapshot_names(m);
	mock_unlock(m);
	if (!names)
		return -ENOMEM;
	for (p = names; *p && !r; p += strlen(p) + 1)
		r = fn(arg, p);
	free(names);
	return r;
}

/* No udmabuf path is a directory the mock lists: the node and the
 * parameter files are files, the rest of sysfs is not emulated. */
static int udm_readdir(struct dmaheap_mock *m, enum udm_path kind)
{
	bool exists;

	mock_lock(m);
	exists = kind == UDM_PARAM ? udm_params_exist(m) :
				     kind != UDM_SYSFS && m->udm;
	mock_unlock(m);
	return exists ? -ENOTDIR : -ENOENT;
}

static int mock_readdir(const struct dmaheap_sys *self, const char *path,
			dmaheap_sys_dirent_fn fn, void *arg)
{
	struct dmaheap_mock *m = mock_of(self);
	enum udm_param param = UDM_SIZE_LIMIT_MB;
	enum udm_path udm = classify_udm(m, path, &param);
	struct path_info pi;
	bool exists;
	int r = enter(m, DMAHEAP_MOCK_READDIR);

	if (r)
		return r;
	if (udm != UDM_NONE)
		return udm_readdir(m, udm);
	switch (classify_path(m, path, &pi)) {
	case PATH_FOREIGN:
		return dmaheap_sys_kernel.readdir(&dmaheap_sys_kernel, path, fn, arg);
	case PATH_DIR:
		return mock_dir_walk(m, fn, arg);
	case PATH_ERROR:
		return pi.err;
	case PATH_NODE:
		break;
	}
	mock_lock(m);
	exists = heap_find(m, pi.name, pi.len) != NULL;
	mock_unlock(m);
	return exists ? -ENOTDIR : -ENOENT;
}

static int mock_memfd_create(const struct dmaheap_sys *self, const char *name,
			     unsigned int flags)
{
	struct dmaheap_mock *m = mock_of(self);
	struct stat st;
	int fd, r = enter(m, DMAHEAP_MOCK_MEMFD_CREATE);

	if (r)
		return r;
	fd = memfd_create(name, flags);
	if (fd < 0)
		return neg_errno();
	/* Mock objects are memfds too: one whose inode number this new file
	 * took is gone, and must not make the new one look like a buffer. */
	mock_lock(m);
	if (fstat(fd, &st) == 0)
		obj_forget_inode(m, &st);
	mock_unlock(m);
	return fd;
}

static int mock_meminfo(const struct dmaheap_sys *self, size_t *page_size,
			uint64_t *ram_bytes)
{
	struct dmaheap_mock *m = mock_of(self);

	mock_lock(m);
	*page_size = m->page_size;
	*ram_bytes = m->ram_bytes;
	mock_unlock(m);
	return 0;
}

static const struct dmaheap_sys mock_sys_template = {
	.abi = DMAHEAP_SYS_ABI,
	.open = mock_open,
	.close = mock_close,
	.ioctl = mock_ioctl,
	.mmap = mock_mmap,
	.munmap = mock_munmap,
	.lseek = mock_lseek,
	.fcntl = mock_fcntl,
	.fstat = mock_fstat,
	.fstatfs = mock_fstatfs,
	.readdir = mock_readdir,
	.memfd_create = mock_memfd_create,
	.ftruncate = mock_ftruncate,
	.read = mock_read,
	.meminfo = mock_meminfo,
};

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

static uint32_t marker_for(const struct dmaheap_mock *m)
{
	uint64_t v = (uint64_t)(uintptr_t)m;

	/* Distinct per live mock (so one mock rejects another's sync
	 * files), and far from the small counts of ordinary eventfds. */
	v ^= v >> 29;
	return (uint32_t)(v >> 4) | 0x80000000u;
}

int dmaheap_mock_new(struct dmaheap_mock **ret)
{
	struct dmaheap_mock *m;
	long ps, pages;

	if (!ret)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (pthread_mutex_init(&m->lock, NULL)) {
		free(m);
		return -ENOMEM;
	}
	m->sys = mock_sys_template;
	snprintf(m->dir, sizeof(m->dir), "/dmaheap-mock/%" PRIxPTR,
		 (uintptr_t)m);
	snprintf(m->udm_path, sizeof(m->udm_path), "%s-udmabuf", m->dir);
	ps = sysconf(_SC_PAGESIZE);
	pages = sysconf(_SC_PHYS_PAGES);
	m->real_page = ps > 0 && is_pow2((size_t)ps) ? (size_t)ps : 4096;
	m->page_size = m->real_page;
	m->ram_bytes = pages > 0 ? (uint64_t)pages * m->real_page :
				   UINT64_C(1) << 30;
	m->sync_marker = marker_for(m);
	m->sweep_at = MOCK_SWEEP_MIN;
	*ret = m;
	return 0;
}

void dmaheap_mock_free(struct dmaheap_mock *mock)
{
	if (!mock)
		return;
	/* The mock holds no fd of its own: buffers and nodes belong to
	 * whoever holds their fds. */
	while (mock->maps) {
		struct mock_map *mp = mock->maps;

		mock->maps = mp->next;
		free(mp);
	}
	while (mock->objs) {
		struct mock_obj *o = mock->objs;

		mock->objs = o->next;
		free(o);
	}
	while (mock->heaps) {
		struct mock_heap *h = mock->heaps;

		mock->heaps = h->next;
		free(h);
	}
	pthread_mutex_destroy(&mock->lock);
	free(mock);
}

const struct dmaheap_sys *dmaheap_mock_sys(struct dmaheap_mock *mock)
{
	return mock ? &mock->sys : NULL;
}

const char *dmaheap_mock_dir(const struct dmaheap_mock *mock)
{
	return mock ? mock->dir : NULL;
}

void dmaheap_mock_options(struct dmaheap_mock *mock,
			  struct dmaheap_options *opts)
{
	if (!mock || !opts)
		return;
	opts->sys = &mock->sys;
	opts->heap_dir = mock->dir;
	opts->udmabuf_dev = mock->udm_path;
}

const char *dmaheap_mock_udmabuf_path(const struct dmaheap_mock *mock)
{
	return mock ? mock->udm_path : NULL;
}

static struct mock_heap *udm_new(enum dmaheap_mock_node node)
{
	static const char name[] = "udmabuf";
	struct mock_heap *h = calloc(1, sizeof(*h) + sizeof(name));

	if (!h)
		return NULL;
	h->props.node = node;
	h->udmabuf = true;
	memcpy(h->name, name, sizeof(name));
	return h;
}

/* Fds open on the device keep working, as with a removed heap. */
static void udm_remove(struct dmaheap_mock *m)
{
	struct mock_heap *h = m->udm;

	if (!h)
		return;
	m->udm = NULL;
	h->removed = true;
	if (!h->users)
		heap_unlink(m, h);
}

int dmaheap_mock_set_udmabuf(struct dmaheap_mock *mock,
			     const struct dmaheap_mock_udmabuf *props)
{
	struct mock_heap *h = NULL;

	if (!mock)
		return -EINVAL;
	if (props && ((unsigned int)props->node >
		      (unsigned int)DMAHEAP_MOCK_NODE_NO_DEVICE))
		return -EINVAL;
	/* Allocated first, so that a failure changes nothing. */
	if (props && !(h = udm_new(props->node)))
		return -ENOMEM;
	mock_lock(mock);
	/* Parameters change in place, like a write to them; a new kind of
	 * node is a new node, and fds open on the old one keep its kind. */
	if (!props || (mock->udm && mock->udm->props.node != props->node))
		udm_remove(mock);
	if (props)
		mock->udm_params = *props;
	if (h && !mock->udm) {
		h->next = mock->heaps;
		mock->heaps = h;
		mock->udm = h;
		h = NULL;
	}
	mock_unlock(mock);
	free(h);
	return 0;
}

static int add_heap_locked(struct dmaheap_mock *m, const char *name,
			   const struct dmaheap_mock_heap *props)
{
	size_t len = strlen(name);
	struct mock_heap *h;

	if (heap_find(m, name, len))
		return -EEXIST;
	if (m->nheaps >= MOCK_MAX_HEAPS)
		return -ENOSPC;
	h = calloc(1, sizeof(*h) + len + 1);
	if (!h)
		return -ENOMEM;
	if (props)
		h->props = *props;
	h->minor = m->next_minor++;
	memcpy(h->name, name, len + 1);
	h->next = m->heaps;
	m->heaps = h;
	m->nheaps++;
	return 0;
}

int dmaheap_mock_add_heap(struct dmaheap_mock *mock, const char *name,
			  const struct dmaheap_mock_heap *props)
{
	int r;

	if (!mock || !heap_name_valid(name))
		return -EINVAL;
	if (props && ((unsigned int)props->node >
		      (unsigned int)DMAHEAP_MOCK_NODE_NO_DEVICE))
		return -EINVAL;
	mock_lock(mock);
	r = add_heap_locked(mock, name, props);
	mock_unlock(mock);
	return r;
}

int dmaheap_mock_remove_heap(struct dmaheap_mock *mock, const char *name)
{
	struct mock_heap *h;

	if (!mock || !name)
		return -EINVAL;
	mock_lock(mock);
	h = heap_find(mock, name, strlen(name));
	if (h) {
		/* Open nodes and buffers keep the heap's properties. */
		h->removed = true;
		mock->nheaps--;
		if (!h->users)
			heap_unlink(mock, h);
	}
	mock_unlock(mock);
	return h ? 0 : -ENOENT;
}

int dmaheap_mock_set_meminfo(struct dmaheap_mock *mock, size_t page_size,
			     uint64_t ram_bytes)
{
	if (!mock)
		return -EINVAL;
	/* Buffers are real memfds: a smaller page than the machine's could
	 * not be mapped at the offsets the caller would compute. */
	if (page_size &&
	    (!is_pow2(page_size) || page_size < 4096 ||
	     page_size < mock->real_page))
		return -EINVAL;
	mock_lock(mock);
	if (page_size)
		mock->page_size = page_size;
	if (ram_bytes)
		mock->ram_bytes = ram_bytes;
	mock_unlock(mock);
	return 0;
}

int dmaheap_mock_inject(struct dmaheap_mock *mock, enum dmaheap_mock_call call,
			unsigned int skip, unsigned int count, int err)
{
	struct mock_call *c;

	if (!mock || (unsigned int)call >= DMAHEAP_MOCK_CALL_COUNT)
		return -EINVAL;
	if (count && (err <= 0 || err >= 4096))
		return -EINVAL;
	c = &mock->calls[call];
	mock_lock(mock);
	c->skip = count ? skip : 0;
	c->fail = count;
	c->err = count ? err : 0;
	mock_unlock(mock);
	return 0;
}

int64_t dmaheap_mock_calls(const struct dmaheap_mock *mock,
			   enum dmaheap_mock_call call)
{
	int64_t n;

	if (!mock || (unsigned int)call >= DMAHEAP_MOCK_CALL_COUNT)
		return -EINVAL;
	mock_lock(mock);
	n = mock->calls[call].count;
	mock_unlock(mock);
	return n;
}

void dmaheap_mock_reset_calls(struct dmaheap_mock *mock)
{
	size_t i;

	if (!mock)
		return;
	mock_lock(mock);
	for (i = 0; i < DMAHEAP_MOCK_CALL_COUNT; i++)
		mock->calls[i].count = 0;
	mock_unlock(mock);
}

/* ------------------------------------------------------------------------ */
/* Leaks                                                                    */
/* ------------------------------------------------------------------------ */

struct report {
	char *buf;
	size_t len;
	size_t pos;
};

static void MOCK_PRINTF(2, 3) report_add(struct report *rep, const char *fmt,
					 ...)
{
	va_list ap;
	int n;

	if (!rep->buf || rep->pos + 1 >= rep->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(rep->buf + rep->pos, rep->len - rep->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* A cut line leaves pos at the end, so nothing follows it. */
	rep->pos += (size_t)n < rep->len - rep->pos ? (size_t)n :
						      rep->len - rep->pos - 1;
}

static unsigned int sat_add(unsigned int a, unsigned int b)
{
	return a > UINT_MAX - b ? UINT_MAX : a + b;
}

static void leak_buf(const struct mock_obj *o, const struct fd_scan *s,
		     struct dmaheap_mock_leaks *out, struct report *rep)
{
	unsigned int cpu = o->reads > o->writes ? o->reads : o->writes;
	int first = -1;
	size_t fds = scan_count(s, o, &first);

	if (fds) {
		out->buffers = sat_add(out->buffers, 1);
		report_add(rep,
			   "buffer: heap %s, size %" PRIu64
			   ", name \"%s\": %zu fd(s) open, e.g. %d\n",
			   o->heap->name, o->size, o->name, fds, first);
	}
	if (cpu) {
		/* An RW START raises both counts: count STARTs, not sides. */
		out->cpu_access = sat_add(out->cpu_access, cpu);
		report_add(rep,
			   "cpu access: heap %s, size %" PRIu64
			   ", name \"%s\": %u read and %u write START(s) "
			   "without END\n",
			   o->heap->name, o->size, o->name, o->reads,
			   o->writes);
	}
}

static void leak_node(const struct mock_obj *o, const struct fd_scan *s,
		      struct dmaheap_mock_leaks *out, struct report *rep)
{
	int first = -1;
	size_t fds = scan_count(s, o, &first);

	if (!fds)
		return;
	out->heap_fds = sat_add(out->heap_fds, 1);
	report_add(rep, "heap fd: heap %s: %zu fd(s) open, e.g. %d\n",
		   o->heap->name, fds, first);
}

static void leak_maps(const struct dmaheap_mock *m,
		      struct dmaheap_mock_leaks *out, struct report *rep)
{
	const struct mock_map *mp;

	for (mp = m->maps; mp; mp = mp->next) {
		out->mappings = sat_add(out->mappings, 1);
		report_add(rep,
			   "mapping: heap %s, size %" PRIu64
			   ", name \"%s\": %zu bytes at %p\n",
			   mp->buf->heap->name, mp->buf->size, mp->buf->name,
			   mp->len, (void *)mp->addr);
	}
}

int dmaheap_mock_leaks(struct dmaheap_mock *mock,
		       struct dmaheap_mock_leaks *out, char *report,
		       size_t report_len)
{
	struct dmaheap_mock_leaks l = { 0, 0, 0, 0 };
	struct report rep = { report_len ? report : NULL, report_len, 0 };
	const struct mock_obj *o;
	struct fd_scan s;
	uint64_t total;
	int r;

	if (!mock || !out)
		return -EINVAL;
	if (rep.buf)
		rep.buf[0] = '\0';
	mock_lock(mock);
	r = scan_fds(&s);
	if (!r) {
		prune(mock, &s);
		for (o = mock->objs; o; o = o->next) {
			if (o->kind == OBJ_BUF)
				leak_buf(o, &s, &l, &rep);
			else if (o->kind == OBJ_NODE)
				leak_node(o, &s, &l, &rep);
		}
		leak_maps(mock, &l, &rep);
		free(s.v);
	}
	mock_unlock(mock);
	if (r)
		return r;
	*out = l;
	total = (uint64_t)l.buffers + l.mappings + l.cpu_access + l.heap_fds;
	return total > INT_MAX ? INT_MAX : (int)total;
}

int dmaheap_mock_buf_info(struct dmaheap_mock *mock, int fd,
			  struct dmaheap_mock_buf_info *out)
{
	const struct mock_obj *o;
	struct stat st;
	int r = -ENOENT;

	if (!mock || !out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st) < 0)
		return neg_errno();
	mock_lock(mock);
	o = obj_find_fd(mock, fd, &st);
	if (o && o->kind == OBJ_BUF) {
		memset(out, 0, sizeof(*out));
		/* Heap names are at most 255 bytes: they fit. */
		memcpy(out->heap, o->heap->name, strlen(o->heap->name) + 1);
		out->size = o->size;
		memcpy(out->name, o->name, sizeof(out->name));
		out->sync_reads = o->reads;
		out->sync_writes = o->writes;
		r = 0;
	}
	mock_unlock(mock);
	return r;
}
