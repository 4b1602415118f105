/* SPDX-License-Identifier: MIT */
/*
 * mmap and munmap, and the tracking of mappings of buffers.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "mock-private.h"

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

void dmock_maps_drop_buf(struct dmaheap_mock *m, const struct mock_obj *o)
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

int dmock_mmap(const struct dmaheap_sys *self, size_t len, int prot,
	       int flags, int fd, int64_t off, void **addr)
{
	struct dmaheap_mock *m = mock_of(self);
	struct mock_obj *o = NULL;
	struct stat st;
	int r = dmock_enter(m, DMAHEAP_MOCK_MMAP);

	if (r)
		return r;
	/* Mapping and tracking under the lock, so that a concurrent munmap
	 * cannot untrack an address before it is tracked. */
	mock_lock(m);
	if (!(flags & MAP_ANONYMOUS) && fstat(fd, &st) == 0)
		o = dmock_obj_find_fd(m, fd, &st);
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

int dmock_munmap(const struct dmaheap_sys *self, void *addr, size_t len)
{
	struct dmaheap_mock *m = mock_of(self);
	int r = dmock_enter(m, DMAHEAP_MOCK_MUNMAP);

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

/* Anonymous memory only matters to the mock as a call to count. */
int dmock_madvise(const struct dmaheap_sys *self, void *addr, size_t len,
		  int advice)
{
	int r = dmock_enter(mock_of(self), DMAHEAP_MOCK_MADVISE);

	if (r)
		return r;
	return madvise(addr, len, advice) < 0 ? neg_errno() : 0;
}
