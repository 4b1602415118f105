/* SPDX-License-Identifier: MIT */
/* ION heap mappings: accepted and recorded; there is no ION to use them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define MAX_MAPS 128 /* the kernel's limit on heaps */

static struct ion_map_entry *find_locked(struct dmaheap_android *st,
					 const char *heap_name)
{
	for (size_t i = 0; i < st->n_maps; i++)
		if (strcmp(st->maps[i].heap_name, heap_name) == 0)
			return &st->maps[i];
	return NULL;
}

/* The entry for @heap_name, added if new; NULL with *err set. */
static struct ion_map_entry *entry_locked(struct dmaheap_android *st,
					  const char *heap_name, int *err)
{
	struct ion_map_entry *e = find_locked(st, heap_name), *maps;
	char *copy;

	if (e)
		return e;
	*err = -ENOSPC;
	if (st->n_maps == MAX_MAPS)
		return NULL;
	*err = -ENOMEM;
	copy = strdup(heap_name);
	maps = copy ? realloc(st->maps, (st->n_maps + 1) * sizeof(*maps))
		    : NULL;
	if (!maps) {
		free(copy);
		return NULL;
	}
	st->maps = maps;
	e = &maps[st->n_maps++];
	memset(e, 0, sizeof(*e));
	e->heap_name = copy;
	return e;
}

ANDROID_EXPORT int MapDmabufHeapNameToIonHeap(BufferAllocator *ba,
					      const char *heap_name,
					      const char *ion_heap_name,
					      unsigned int ion_heap_flags,
					      unsigned int legacy_ion_heap_mask,
					      unsigned int legacy_ion_heap_flags)
{
	struct dmaheap_ctx *ctx;
	struct ion_map_entry *e;
	int r = android_ctx(ba, &ctx);

	if (r)
		return android_ret(r);
	if (!heap_name || !ion_heap_name)
		return android_ret(-EINVAL);
	pthread_mutex_lock(&ba->state->lock);
	e = entry_locked(ba->state, heap_name, &r);
	if (e) {
		/* ION's own limit is 32 bytes: a longer name named no heap. */
		strncpy(e->map.ion_heap_name, ion_heap_name,
			DMAHEAP_ANDROID_ION_NAME_MAX);
		e->map.ion_heap_flags = ion_heap_flags;
		e->map.legacy_ion_heap_mask = legacy_ion_heap_mask;
		e->map.legacy_ion_heap_flags = legacy_ion_heap_flags;
		r = 0;
	}
	pthread_mutex_unlock(&ba->state->lock);
	return android_ret(r);
}

ANDROID_EXPORT int dmaheap_android_ion_mapping(const BufferAllocator *ba,
					       const char *heap_name,
					       struct dmaheap_android_ion_map *out)
{
	struct dmaheap_android *st;
	struct ion_map_entry *e;

	if (!ba || !ba->state || !heap_name || !out)
		return -EINVAL;
	st = ba->state;
	pthread_mutex_lock(&st->lock);
	e = find_locked(st, heap_name);
	if (e)
		*out = e->map;
	pthread_mutex_unlock(&st->lock);
	return e ? 0 : -ENOENT;
}
