/* SPDX-License-Identifier: MIT */
/*
 * The heap table: the nodes dmaheap_mock_add_heap() declares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mock-private.h"

struct mock_heap *dmock_heap_find(struct dmaheap_mock *m, const char *name,
				  size_t len)
{
	struct mock_heap *h;

	for (h = m->heaps; h; h = h->next)
		if (!h->removed && !h->udmabuf && strlen(h->name) == len &&
		    memcmp(h->name, name, len) == 0)
			return h;
	return NULL;
}

void dmock_heap_unlink(struct dmaheap_mock *m, struct mock_heap *h)
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

static int add_heap_locked(struct dmaheap_mock *m, const char *name,
			   const struct dmaheap_mock_heap *props)
{
	size_t len = strlen(name);
	struct mock_heap *h;

	if (dmock_heap_find(m, name, len))
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
	h = dmock_heap_find(mock, name, strlen(name));
	if (h) {
		/* Open nodes and buffers keep the heap's properties. */
		h->removed = true;
		mock->nheaps--;
		if (!h->users)
			dmock_heap_unlink(mock, h);
	}
	mock_unlock(mock);
	return h ? 0 : -ENOENT;
}
