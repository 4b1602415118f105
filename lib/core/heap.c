/* SPDX-License-Identifier: MIT */
/* Heap discovery: name checks, opening and caching nodes, listing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

bool dmaheap_heap_name_valid(const char *name)
{
	size_t len;

	if (!name || name[0] == '\0' || name[0] == '.')
		return false;
	len = strnlen(name, NAME_MAX + 1);
	return len <= NAME_MAX && !memchr(name, '/', len);
}

/* Lock-free: see struct dmaheap_heap. */
struct dmaheap_heap *dmaheap_heap_find(struct dmaheap_ctx *ctx,
				       const char *name)
{
	struct dmaheap_heap *h = atomic_load_explicit(&ctx->heaps,
						      memory_order_acquire);

	for (; h; h = h->next)
		if (strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

static int open_heap(struct dmaheap_ctx *ctx, struct dmaheap_heap *h,
		     const char *name)
{
	char path[PATH_MAX];

	if (strcmp(name, DMAHEAP_UDMABUF) == 0)
		return dmaheap_udmabuf_open(ctx, h);
	snprintf(path, sizeof(path), "%s/%s", ctx->dir, name);
	h->fd = dmaheap_open_node(ctx, path, false);
	return h->fd < 0 ? h->fd : 0;
}

static int add_heap_locked(struct dmaheap_ctx *ctx, const char *name,
			   struct dmaheap_heap **ret)
{
	size_t len = strlen(name);
	struct dmaheap_heap *h = calloc(1, sizeof(*h) + len + 1);
	int r, source;

	if (!h)
		return -ENOMEM;
	r = open_heap(ctx, h, name);
	if (r) {
		free(h);
		return r;
	}
	/* A heap fd must never pass for a dma-buf that had its number. */
	dmaheap_dmabuf_fd_forget(ctx, h->fd);
	memcpy(h->name, name, len + 1);
	atomic_init(&h->props, dmaheap_props_lookup_locked(ctx, name, &source));
	h->next = atomic_load_explicit(&ctx->heaps, memory_order_relaxed);
	/* Release: a reader that finds the entry sees it whole. */
	atomic_store_explicit(&ctx->heaps, h, memory_order_release);
	*ret = h;
	return 0;
}

/* Opening under the lock is what makes "once per context" true. */
int dmaheap_heap_get_locked(struct dmaheap_ctx *ctx, const char *name,
			    struct dmaheap_heap **ret)
{
	struct dmaheap_heap *h = dmaheap_heap_find(ctx, name);

	if (h) {
		*ret = h;
		return 0;
	}
	return add_heap_locked(ctx, name, ret);
}

/* The heap @name (never an alias), opened if need be. */
int dmaheap_heap_get(struct dmaheap_ctx *ctx, const char *name,
		     struct dmaheap_heap **ret)
{
	struct dmaheap_heap *h = dmaheap_heap_find(ctx, name);
	int r;

	if (h) {
		*ret = h;
		return 0;
	}
	pthread_mutex_lock(&ctx->lock);
	r = dmaheap_heap_get_locked(ctx, name, &h);
	pthread_mutex_unlock(&ctx->lock);
	/* A node that failed to open was logged by node.c. */
	if (r)
		return r;
	*ret = h;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_heap_open(struct dmaheap_ctx *ctx, const char *heap)
{
	struct dmaheap_heap *h;

	if (!ctx || !dmaheap_heap_name_valid(heap))
		return -EINVAL;
	return dmaheap_heap_lookup_fresh(ctx, heap, &h);
}

DMAHEAP_EXPORT int dmaheap_heap_resolve(struct dmaheap_ctx *ctx,
					const char *name, const char **heap)
{
	struct dmaheap_heap *h;
	int r;

	if (!ctx || !heap || !dmaheap_heap_name_valid(name))
		return -EINVAL;
	r = dmaheap_heap_lookup_fresh(ctx, name, &h);
	if (r == 0)
		*heap = h->name;
	return r;
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

static bool cma_area(struct dmaheap_ctx *ctx, const char *name)
{
	char area[NAME_MAX + 1];

	return dmaheap_heap_region(ctx, name, area, sizeof(area)) == 0;
}

static void fill_info(struct dmaheap_ctx *ctx, struct dmaheap_heap_info *info)
{
	struct dmaheap_heap *h = NULL;

	info->error = dmaheap_heap_get(ctx, info->name, &h);
	pthread_mutex_lock(&ctx->lock);
	info->props = dmaheap_props_lookup_locked(ctx, info->name,
						  &info->props_source);
	pthread_mutex_unlock(&ctx->lock);
	/* Facts of the running kernel, not of the name: a heap named after
	 * a CMA area (one per device-tree region since Linux 6.19, named
	 * after its node) is that area's CMA heap. */
	if (info->props_source == DMAHEAP_PROPS_UNKNOWN && cma_area(ctx, info->name)) {
		info->props = DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED;
		info->props_source = DMAHEAP_PROPS_KERNEL;
	}
	if (info->error == 0 && dmaheap_memcg_heap_charged(ctx, h))
		info->props |= DMAHEAP_PROP_MEMCG;
}

/* One allocation holding the entries and their strings. */
int dmaheap_info_list(struct dmaheap_ctx *ctx, char *const names[], size_t n,
		      struct dmaheap_heap_info **ret)
{
	size_t head = (n ? n : 1) * sizeof(**ret), bytes = 0;
	struct dmaheap_heap_info *list;
	char *strings;

	if (n > INT_MAX)
		return -EOVERFLOW;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(names[i]) + 1;
	list = calloc(1, head + bytes);
	if (!list)
		return -ENOMEM;
	strings = (char *)list + head;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]) + 1;

		list[i].name = memcpy(strings, names[i], len);
		fill_info(ctx, &list[i]);
		strings += len;
	}
	*ret = list;
	return (int)n;
}

/* The udmabuf pseudo-heap is listed unless its device is absent. */
static int add_udmabuf(struct dmaheap_ctx *ctx, struct name_set *set)
{
	struct dmaheap_heap *h;

	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->names[i], DMAHEAP_UDMABUF) == 0)
			return 0;
	if (dmaheap_heap_get(ctx, DMAHEAP_UDMABUF, &h) == -ENOENT)
		return 0;
	return collect_name(set, DMAHEAP_UDMABUF);
}

DMAHEAP_EXPORT int dmaheap_heap_list(struct dmaheap_ctx *ctx,
				     struct dmaheap_heap_info **ret)
{
	struct name_set set = { 0 };
	bool dir_missing;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	/* Listing looks at the directory anew; so do later lookups. */
	pthread_mutex_lock(&ctx->lock);
	dmaheap_ctx_bump_gen_locked(ctx);
	pthread_mutex_unlock(&ctx->lock);
	r = ctx->sys->readdir(ctx->sys, ctx->dir, collect_name, &set);
	if (r == -ENOENT || r == -ENOTDIR)
		dmaheap_warn_no_heap_dir(ctx, r);
	/* No heap directory, but udmabuf may still serve. */
	dir_missing = r == -ENOENT;
	if (dir_missing)
		r = 0;
	if (r == 0)
		r = add_udmabuf(ctx, &set);
	if (r == 0 && dir_missing && set.count == 0)
		r = -ENOENT;
	if (r == 0) {
		/* qsort's base must not be NULL, even with no entries. */
		if (set.count > 1)
			qsort(set.names, set.count, sizeof(*set.names),
			      cmp_names);
		r = dmaheap_info_list(ctx, set.names, set.count, ret);
	}
	name_set_clear(&set);
	return r;
}

DMAHEAP_EXPORT void dmaheap_heap_list_free(struct dmaheap_heap_info *list)
{
	free(list);
}

/* One alias as dmaheap_alias_list() gathers it before packing. */
struct alias_row {
	char *alias;
	char *members;
	const char *heap; /* a heap entry's name: lives as long as ctx */
	int error;
};

static char *join_names(const struct dmaheap_names *names)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < names->n; i++)
		len += strlen(names->v[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < names->n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, names->v[i]);
	}
	return s;
}

static void rows_free(struct alias_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].alias);
		free(rows[i].members);
	}
	free(rows);
}

static int rows_snapshot_locked(struct dmaheap_ctx *ctx,
				struct alias_row **ret, size_t *count)
{
	struct alias_row *rows;
	size_t n = 0;

	for (struct dmaheap_alias *a = ctx->policy.aliases; a; a = a->next)
		n++;
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	*ret = rows;
	*count = n;
	for (struct dmaheap_alias *a = ctx->policy.aliases; a; a = a->next) {
		rows->alias = strdup(a->name);
		rows->members = join_names(&a->members);
		if (!rows->alias || !rows->members)
			return -ENOMEM;
		rows++;
	}
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(((const struct alias_row *)a)->alias,
		      ((const struct alias_row *)b)->alias);
}

static size_t row_bytes(const struct alias_row *row)
{
	return strlen(row->alias) + strlen(row->members) + 2 +
	       (row->heap ? strlen(row->heap) + 1 : 0);
}

static char *put_string(char **strings, const char *s)
{
	char *at = *strings;
	size_t len = strlen(s) + 1;

	memcpy(at, s, len);
	*strings += len;
	return at;
}

static int pack_rows(const struct alias_row *rows, size_t n,
		     struct dmaheap_alias_info **ret)
{
	size_t head = (n ? n : 1) * sizeof(**ret), bytes = 0;
	struct dmaheap_alias_info *list;
	char *strings;

	for (size_t i = 0; i < n; i++)
		bytes += row_bytes(&rows[i]);
	list = calloc(1, head + bytes);
	if (!list)
		return -ENOMEM;
	strings = (char *)list + head;
	for (size_t i = 0; i < n; i++) {
		list[i].alias = put_string(&strings, rows[i].alias);
		list[i].members = put_string(&strings, rows[i].members);
		if (rows[i].heap)
			list[i].heap = put_string(&strings, rows[i].heap);
		list[i].error = rows[i].error;
	}
	*ret = list;
	return (int)n;
}

DMAHEAP_EXPORT int dmaheap_alias_list(struct dmaheap_ctx *ctx,
				      struct dmaheap_alias_info **ret)
{
	struct alias_row *rows = NULL;
	size_t n = 0;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	r = rows_snapshot_locked(ctx, &rows, &n);
	pthread_mutex_unlock(&ctx->lock);
	for (size_t i = 0; i < n && r == 0; i++) {
		rows[i].error = dmaheap_heap_resolve(ctx, rows[i].alias,
						     &rows[i].heap);
		if (rows[i].error)
			rows[i].heap = NULL;
	}
	if (r == 0 && n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	if (r == 0)
		r = pack_rows(rows, n, ret);
	rows_free(rows, n);
	return r;
}

DMAHEAP_EXPORT void dmaheap_alias_list_free(struct dmaheap_alias_info *list)
{
	free(list);
}
