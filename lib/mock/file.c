/* SPDX-License-Identifier: MIT */
/*
 * lseek, fcntl, fstat, fstatfs, ftruncate, read and memfd_create: the
 * calls that mostly reach the real file, with the mock's view of its
 * own objects laid over.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mock-private.h"

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
	o = dmock_obj_find_fd(m, fd, &st);
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

int dmock_lseek(const struct dmaheap_sys *self, int fd, int64_t off,
		int whence, int64_t *pos)
{
	struct dmaheap_mock *m = mock_of(self);
	enum dmaheap_mock_node node = DMAHEAP_MOCK_NODE_HEAP;
	uint64_t size = 0;
	off_t r;
	int kind, e = dmock_enter(m, DMAHEAP_MOCK_LSEEK);

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

int dmock_fcntl(const struct dmaheap_sys *self, int fd, int cmd,
		int arg)
{
	struct dmaheap_mock *m = mock_of(self);
	bool is_dup = cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
	int r = dmock_enter(m, DMAHEAP_MOCK_FCNTL);

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

int dmock_fstat(const struct dmaheap_sys *self, int fd, struct stat *st)
{
	struct dmaheap_mock *m = mock_of(self);
	struct mock_obj *o;
	int r = dmock_enter(m, DMAHEAP_MOCK_FSTAT);

	if (r)
		return r;
	if (fstat(fd, st) < 0)
		return neg_errno();
	mock_lock(m);
	o = dmock_obj_find_fd(m, fd, st);
	if (o && o->kind == OBJ_NODE)
		node_stat(o->heap, st);
	else if (o && o->kind == OBJ_PARAM)
		dmock_param_stat(st);
	else if (o) /* a udmabuf's memfd may be larger than the buffer */
		st->st_size = (off_t)o->size;
	mock_unlock(m);
	return 0;
}

int dmock_fstatfs(const struct dmaheap_sys *self, int fd,
		  struct statfs *st)
{
	struct dmaheap_mock *m = mock_of(self);
	int kind, r = dmock_enter(m, DMAHEAP_MOCK_FSTATFS);

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

int dmock_ftruncate(const struct dmaheap_sys *self, int fd, int64_t len)
{
	struct dmaheap_mock *m = mock_of(self);
	enum dmaheap_mock_node node = DMAHEAP_MOCK_NODE_HEAP;
	int kind, r = dmock_enter(m, DMAHEAP_MOCK_FTRUNCATE);

	if (r)
		return r;
	kind = lookup_fd(m, fd, NULL, &node);
	/* Not a regular file: do_ftruncate() says EINVAL. */
	if (kind == OBJ_BUF ||
	    (kind == OBJ_NODE && node != DMAHEAP_MOCK_NODE_REGULAR))
		return -EINVAL;
	return ftruncate(fd, (off_t)len) < 0 ? neg_errno() : 0;
}

int dmock_read(const struct dmaheap_sys *self, int fd, void *buf,
	       size_t len)
{
	struct dmaheap_mock *m = mock_of(self);
	enum dmaheap_mock_node node = DMAHEAP_MOCK_NODE_HEAP;
	ssize_t n;
	int kind, r = dmock_enter(m, DMAHEAP_MOCK_READ);

	if (r)
		return r;
	kind = lookup_fd(m, fd, NULL, &node);
	if (kind == OBJ_BUF ||
	    (kind == OBJ_NODE && node != DMAHEAP_MOCK_NODE_REGULAR))
		return no_read_op(fd);
	n = read(fd, buf, len);
	return n < 0 ? neg_errno() : (int)n;
}

int dmock_memfd_create(const struct dmaheap_sys *self, const char *name,
		       unsigned int flags)
{
	struct dmaheap_mock *m = mock_of(self);
	struct stat st;
	int fd, r = dmock_enter(m, DMAHEAP_MOCK_MEMFD_CREATE);

	if (r)
		return r;
	fd = memfd_create(name, flags);
	if (fd < 0)
		return neg_errno();
	/* Mock objects are memfds too: one whose inode number this new file
	 * took is gone, and must not make the new one look like a buffer. */
	mock_lock(m);
	if (fstat(fd, &st) == 0)
		dmock_obj_forget_inode(m, &st);
	mock_unlock(m);
	return fd;
}
