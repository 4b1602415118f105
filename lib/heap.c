/* SPDX-License-Identifier: MIT */
/* Heap discovery: name checks, opening and caching nodes, listing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "private.h"

bool dmaheap_heap_name_valid(const char *name)
{
	size_t len;

	if (!name || name[0] == '\0' || name[0] == '.')
		return false;
	len = strnlen(name, NAME_MAX + 1);
	return len <= NAME_MAX && !memchr(name, '/', len);
}

struct dmaheap_heap *dmaheap_heap_find_locked(struct dmaheap_ctx *ctx,
					      const char *name)
{
	struct dmaheap_heap *h;

	for (h = ctx->heaps; h; h = h->next)
		if (strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

static int check_char_device(struct dmaheap_ctx *ctx, int fd)
{
	struct stat st;
	int r = ctx->sys->fstat(ctx->sys, fd, &st);

	if (r)
		return r;
	return S_ISCHR(st.st_mode) ? 0 : -ENOTTY;
}

/*
 * Read access is enough for DMA_HEAP_IOCTL_ALLOC, and asking for more turns
 * 0644-style nodes into EACCES. O_NONBLOCK keeps a FIFO planted in the heap
 * directory from hanging the open; heaps ignore it.
 */
static int open_node(struct dmaheap_ctx *ctx, const char *name)
{
	char path[PATH_MAX];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", ctx->dir, name);
	fd = ctx->sys->open(ctx->sys, path,
			    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	r = check_char_device(ctx, fd);
	if (r) {
		ctx->sys->close(ctx->sys, fd);
		return r;
	}
	return fd;
}

static int add_heap_locked(struct dmaheap_ctx *ctx, const char *name,
			   struct dmaheap_heap **ret)
{
	size_t len = strlen(name);
	struct dmaheap_heap *h = calloc(1, sizeof(*h) + len + 1);

	if (!h)
		return -ENOMEM;
	h->fd = open_node(ctx, name);
	if (h->fd < 0) {
		int r = h->fd;

		free(h);
		return r;
	}
	memcpy(h->name, name, len + 1);
	h->next = ctx->heaps;
	ctx->heaps = h;
	*ret = h;
	return 0;
}

int dmaheap_heap_get(struct dmaheap_ctx *ctx, const char *name,
		     struct dmaheap_heap **ret)
{
	struct dmaheap_heap *h;
	int r = 0;

	/* Opening under the lock is what makes "once per context" true. */
	pthread_mutex_lock(&ctx->lock);
	h = dmaheap_heap_find_locked(ctx, name);
	if (!h)
		r = add_heap_locked(ctx, name, &h);
	pthread_mutex_unlock(&ctx->lock);
	if (r) {
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG, "heap %s/%s: %s", ctx->dir,
			    name, dmaheap_strerror(r));
		return r;
	}
	*ret = h;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_heap_open(struct dmaheap_ctx *ctx, const char *heap)
{
	struct dmaheap_heap *h;

	if (!ctx || !dmaheap_heap_name_valid(heap))
		return -EINVAL;
	return dmaheap_heap_get(ctx, heap, &h);
}

DMAHEAP_EXPORT int dmaheap_has_heap(struct dmaheap_ctx *ctx, const char *heap)
{
	int r = dmaheap_heap_open(ctx, heap);

	if (r == -EINVAL)
		return r;
	return r == 0;
}

/* Names gathered from the directory, before sorting. */
struct name_set {
	char **names;
	size_t count;
	size_t cap;
	size_t bytes;
};

static int collect_name(void *arg, const char *name)
{
	struct name_set *set = arg;
	char *copy;

	if (!dmaheap_heap_name_valid(name))
		return 0;
	if (set->count == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		char **n = realloc(set->names, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		set->names = n;
		set->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	set->names[set->count++] = copy;
	set->bytes += strlen(name) + 1;
	return 0;
}

static void name_set_clear(struct name_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		free(set->names[i]);
	free(set->names);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int build_list(struct dmaheap_ctx *ctx, const struct name_set *set,
		      struct dmaheap_heap_info **ret)
{
	size_t head = (set->count ? set->count : 1) * sizeof(**ret);
	struct dmaheap_heap_info *list = calloc(1, head + set->bytes);
	char *strings = (char *)list + head;

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < set->count; i++) {
		size_t len = strlen(set->names[i]) + 1;
		struct dmaheap_heap *h;

		memcpy(strings, set->names[i], len);
		list[i].name = strings;
		list[i].error = dmaheap_heap_get(ctx, strings, &h);
		strings += len;
	}
	*ret = list;
	return (int)set->count;
}

DMAHEAP_EXPORT int dmaheap_heap_list(struct dmaheap_ctx *ctx,
				     struct dmaheap_heap_info **ret)
{
	struct name_set set = { 0 };
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	r = ctx->sys->readdir(ctx->sys, ctx->dir, collect_name, &set);
	if (r == 0 && set.count > INT_MAX)
		r = -EOVERFLOW;
	if (r == 0) {
		/* qsort's base must not be NULL, even with no entries. */
		if (set.count > 1)
			qsort(set.names, set.count, sizeof(*set.names),
			      cmp_names);
		r = build_list(ctx, &set, ret);
	}
	name_set_clear(&set);
	return r;
}

DMAHEAP_EXPORT void dmaheap_heap_list_free(struct dmaheap_heap_info *list)
{
	free(list);
}
