/* SPDX-License-Identifier: MIT */
/*
 * open and close.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "mock-private.h"

static int node_fd(struct dmaheap_mock *m, struct mock_heap *h, int flags)
{
	int fd = dmock_memfd_named("dmaheap-mock-node", h->name);
	int r;

	if (fd < 0)
		return fd;
	fd = dmock_shape_fd(fd, flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK),
			    true);
	if (fd < 0)
		return fd;
	r = dmock_obj_add(m, OBJ_NODE, h, fd, NULL);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* Opens the node of @h (NULL: there is none); @trailing: a path through
 * it, as if it were a directory. */
int dmock_node_open(struct dmaheap_mock *m, struct mock_heap *h,
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
	/* O_PATH opens no driver and needs no permission on the node. */
	if (flags & O_PATH)
		return node_fd(m, h, flags);
	switch (h->props.node) {
	case DMAHEAP_MOCK_NODE_NO_ACCESS:
		return -EACCES;
	case DMAHEAP_MOCK_NODE_NO_DEVICE:
		return -ENODEV;
	default:
		return node_fd(m, h, flags);
	}
}

int dmock_open(const struct dmaheap_sys *self, const char *path,
	       int flags, unsigned int mode)
{
	struct dmaheap_mock *m = mock_of(self);
	enum udm_param param = UDM_SIZE_LIMIT_MB;
	enum udm_path udm = dmock_classify_udm(m, path, &param);
	struct path_info pi;
	bool mine;
	int r = dmock_enter(m, DMAHEAP_MOCK_OPEN);

	if (r)
		return r;
	r = dmock_fdinfo_open(m, path, &mine);
	if (mine)
		return r;
	r = dmock_proc_open(m, path, flags, &mine);
	if (mine)
		return r;
	if (udm != UDM_NONE) {
		mock_lock(m);
		r = dmock_udm_open(m, udm, param, flags);
		mock_unlock(m);
		return r;
	}
	if (dmock_is_kfile_path(path))
		return dmock_kfile_open(m, path, flags);
	if (dmock_is_sysdev(path)) {
		mock_lock(m);
		r = dmock_sysdev_open(m, path, flags);
		mock_unlock(m);
		return r;
	}
	switch (dmock_classify_path(m, path, &pi)) {
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
	r = dmock_node_open(m, dmock_heap_find(m, pi.name, pi.len),
			    pi.trailing, flags);
	mock_unlock(m);
	return r;
}

/*
 * Linux releases the fd before anything in close() can fail (EINTR, EIO
 * from a flush...): only an fd that is not open fails without effect. So
 * an injected failure closes the fd too; a caller that retried the close
 * would hit EBADF, or worse another thread's new fd, as on Linux.
 */
int dmock_close(const struct dmaheap_sys *self, int fd)
{
	struct dmaheap_mock *m = mock_of(self);
	int injected = dmock_enter(m, DMAHEAP_MOCK_CLOSE);
	int r;

	/* Under the lock so that a sweep sees the fd either open or gone;
	 * the object itself is forgotten by the next sweep. */
	mock_lock(m);
	r = close(fd) < 0 ? neg_errno() : 0;
	mock_unlock(m);
	return r ? r : injected;
}
