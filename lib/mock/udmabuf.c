/* SPDX-License-Identifier: MIT */
/*
 * The udmabuf device: UDMABUF_CREATE(_LIST) and the device's presence.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "mock-private.h"

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
	uint64_t limit = ((uint64_t)dmock_udm_param_value(m, UDM_SIZE_LIMIT_MB)
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
	    dmock_obj_find_fd(m, fd, &st))
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
			  dmock_reopen_mode(src, O_RDONLY, 0) : -1;
	int r = copy_range(dst, at, rfd >= 0 ? rfd : src, it->offset,
			   it->size);

	if (rfd >= 0)
		close(rfd);
	return r;
}

/* The items' ranges one after another in a new memfd: the mock cannot
 * make one file out of pages of others, so these pages are not shared. */
static int udm_copy(const struct dmaheap_mock *m, uint32_t count,
		    const unsigned char *items, uint64_t size)
{
	struct udmabuf_create_item it;
	uint64_t at = 0;
	uint32_t i;
	int fd = dmock_buf_memfd(m, 'u', "udmabuf"), r = 0;

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
	int fd = dmock_reopen_mode(memfd, O_RDWR, 0);

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
		dmock_obj_forget_inode(m, &st);
	r = dmock_obj_new(m, OBJ_BUF, h, &st, &o);
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
		fd = udm_copy(m, count, items, size);
	}
	if (fd < 0)
		return fd;
	r = dmock_set_fd_flags(fd, cloexec, false);
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
int dmock_udm_ioctl(struct dmaheap_mock *m, struct mock_heap *h,
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
		if (head.count > dmock_udm_param_value(m, UDM_LIST_LIMIT))
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
		dmock_heap_unlink(m, h);
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

const char *dmaheap_mock_udmabuf_path(const struct dmaheap_mock *mock)
{
	return mock ? mock->udm_path : NULL;
}
