/* SPDX-License-Identifier: MIT */
/*
 * The object table: what the mock made, found again by inode (and by
 * file position for descriptions that share one).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "mock-private.h"

/*
 * The file position of @fd's description, -1 for none. A udmabuf dma-buf
 * shares its inode with the caller's memfd; its position, set to the
 * object's tag at creation, tells the two apart. The mock emulates lseek on
 * dma-bufs and never moves the real position, so the tag stays.
 */
int64_t dmock_desc_tag(int fd)
{
	off_t pos = lseek(fd, 0, SEEK_CUR);

	return pos < 0 ? -1 : (int64_t)pos;
}

/* The object @fd refers to (@st: its fstat), or NULL. */
struct mock_obj *dmock_obj_find_fd(struct dmaheap_mock *m, int fd,
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
			pos = dmock_desc_tag(fd);
			have_pos = true;
		}
		if (pos == o->tag)
			return o;
	}
	return NULL;
}

void dmock_obj_remove(struct dmaheap_mock *m, struct mock_obj *o)
{
	struct mock_heap *h = o->heap;
	struct mock_obj **p;

	dmock_maps_drop_buf(m, o);
	if (o->kind == OBJ_BUF)
		h->live -= o->size;
	if (--h->users == 0 && h->removed)
		dmock_heap_unlink(m, h);
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
void dmock_obj_forget_inode(struct dmaheap_mock *m, const struct stat *st)
{
	struct mock_obj *o = m->objs;

	while (o) {
		struct mock_obj *next = o->next;

		if (o->dev == st->st_dev && o->ino == st->st_ino)
			dmock_obj_remove(m, o);
		o = next;
	}
}

/* Registers an object for the file @st describes. */
int dmock_obj_new(struct dmaheap_mock *m, enum obj_kind kind,
		  struct mock_heap *h, const struct stat *st,
		  struct mock_obj **ret)
{
	struct mock_obj *o;

	if (m->nobjs >= m->sweep_at)
		dmock_sweep(m); /* best effort: it only bounds memory */
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
int dmock_obj_add(struct dmaheap_mock *m, enum obj_kind kind,
		  struct mock_heap *h, int fd, struct mock_obj **ret)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return neg_errno();
	dmock_obj_forget_inode(m, &st);
	return dmock_obj_new(m, kind, h, &st, ret);
}
