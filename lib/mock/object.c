/* SPDX-License-Identifier: MIT */
/*
 * The object table: what the mock made, found again by inode (and by
 * file position for descriptions that share one).
 *
 * The table is the process's own, but dma-bufs travel: a child made by
 * fork() allocates into its copy of the table, and any process may send
 * a buffer to another over a UNIX socket. So a buffer's memfd carries its
 * identity in its name (dmock_buf_memfd()), which every process can read,
 * and a mock meeting a buffer it has no object for adopts it (below).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The object table's own entry for @fd, or NULL. */
static struct mock_obj *find_known(struct dmaheap_mock *m, int fd,
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

/*
 * A buffer's memfd: "dmaheap-mock-buf:MOCK:PID:KIND:HEAP", MOCK the making
 * mock's id, PID the process that allocated, KIND 'h' for a heap's buffer
 * and 'u' for a udmabuf copy.
 */
int dmock_buf_memfd(const struct dmaheap_mock *m, char kind, const char *heap)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), MOCK_BUF_PREFIX "%08" PRIx32 ":%ld:%c",
		 m->id, (long)getpid(), kind);
	return dmock_memfd_named(prefix, heap);
}

/* What a buffer's memfd name says. */
struct buf_name {
	uint32_t id;
	long pid;
	char kind;
	char heap[MOCK_NAME_MAX + 1];
};

static bool parse_buf_name(int fd, struct buf_name *b)
{
	static const char deleted[] = " (deleted)";
	char path[64], link[MOCK_MEMFD_NAME + 64];
	const char *name;
	ssize_t n;
	size_t len;
	int used = 0;

	if (dmock_proc_fd_path(path, sizeof(path), "fd", fd))
		return false;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	len = (size_t)n;
	if (len > strlen(deleted) &&
	    strcmp(link + len - strlen(deleted), deleted) == 0)
		link[len - strlen(deleted)] = '\0';
	if (strncmp(link, "/memfd:" MOCK_BUF_PREFIX,
		    strlen("/memfd:" MOCK_BUF_PREFIX)) != 0)
		return false;
	name = link + strlen("/memfd:" MOCK_BUF_PREFIX);
	if (sscanf(name, "%8" SCNx32 ":%ld:%c:%n", &b->id, &b->pid, &b->kind,
		   &used) != 3 || !used || (b->kind != 'h' && b->kind != 'u'))
		return false;
	snprintf(b->heap, sizeof(b->heap), "%s", name + used);
	return true;
}

/*
 * The heap an adopted buffer belongs to: this mock's of that name (the
 * udmabuf device for a udmabuf copy), or, when it has none, a removed
 * one made for it, which goes with its last buffer.
 */
static struct mock_heap *adopt_heap(struct dmaheap_mock *m,
				    const struct buf_name *b)
{
	size_t len = strlen(b->heap);
	struct mock_heap *h = b->kind == 'u' ? m->udm :
			      dmock_heap_find(m, b->heap, len);

	if (h)
		return h;
	h = calloc(1, sizeof(*h) + len + 1);
	if (!h)
		return NULL;
	memcpy(h->name, b->heap, len + 1);
	h->udmabuf = b->kind == 'u';
	h->removed = true;
	h->next = m->heaps;
	m->heaps = h;
	return h;
}

/*
 * @fd is a mock buffer this mock has no object for. Adopted if another
 * process made it (a child after fork(), or any process under the preload,
 * each with a mock of its own), or this mock did and has since forgotten
 * it (it came back over a socket); a buffer another mock of this process
 * made stays that mock's, as it was before buffers could travel.
 */
static struct mock_obj *adopt(struct dmaheap_mock *m, int fd,
			      const struct stat *st)
{
	struct mock_heap *h;
	struct mock_obj *o;
	struct buf_name b;

	if (!S_ISREG(st->st_mode) || st->st_nlink || !parse_buf_name(fd, &b))
		return NULL;
	if (b.id != m->id && b.pid == (long)getpid())
		return NULL;
	h = adopt_heap(m, &b);
	if (!h)
		return NULL;
	if (dmock_obj_new(m, OBJ_BUF, h, st, &o)) {
		if (!h->users && h->removed)
			dmock_heap_unlink(m, h);
		return NULL;
	}
	o->size = (uint64_t)st->st_size;
	o->adopted = true;
	return o;
}

/* The object @fd refers to (@st: its fstat), or NULL. */
struct mock_obj *dmock_obj_find_fd(struct dmaheap_mock *m, int fd,
				   const struct stat *st)
{
	struct mock_obj *o = find_known(m, fd, st);

	return o ? o : adopt(m, fd, st);
}

void dmock_obj_remove(struct dmaheap_mock *m, struct mock_obj *o)
{
	struct mock_heap *h = o->heap;
	struct mock_obj **p;

	dmock_maps_drop_buf(m, o);
	/* Another process's allocation never counted here. */
	if (o->kind == OBJ_BUF && !o->adopted)
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
