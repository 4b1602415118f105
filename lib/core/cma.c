/* SPDX-License-Identifier: MIT */
/*
 * Which CMA area a heap name stands for. From Linux 6.17 the default CMA
 * area is a heap under the stable name "default_cma_region" and, on most
 * kernels, under its legacy name as well ("reserved", "linux,cma", ...):
 * two nodes, one pool of memory. No kernel file says so; the areas are
 * listed in /sys/kernel/mm/cma/ (CONFIG_CMA_SYSFS), and the default one
 * is the device tree's linux,cma-default region, or else "reserved" (the
 * name the kernel gives the area of cma= and CONFIG_CMA_SIZE_MBYTES), or
 * else the only area there is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CMA_SYSFS "/sys/kernel/mm/cma"
#define DT_RESERVED "/proc/device-tree/reserved-memory"
#define STABLE_NAME "default_cma_region"
#define LEGACY_DEFAULT "reserved"
#define AREA_MAX 256

struct area_walk {
	const struct dmaheap_sys *sys;
	const char *want; /* the area asked about; NULL: none */
	char *found;      /* the first area, or the DT's default one */
	size_t len;
	int areas;	  /* entries seen */
	bool match;	  /* @want is one of them (DT: a default was found) */
	bool too_long;	  /* the name for @found did not fit */
};

static void keep(struct area_walk *w, const char *name)
{
	w->too_long = strlen(name) >= w->len;
	if (!w->too_long)
		strcpy(w->found, name);
}

static int see_area(void *arg, const char *name)
{
	struct area_walk *w = arg;

	if (name[0] == '.')
		return 0;
	w->areas++;
	if (w->want && strcmp(name, w->want) == 0)
		w->match = true;
	/* Remembered: the answer when it is the only area. */
	if (w->areas == 1)
		keep(w, name);
	return 0;
}

/* A reserved-memory node with "linux,cma-default" is the default area. */
static int see_dt_node(void *arg, const char *name)
{
	struct area_walk *w = arg;
	char path[sizeof(DT_RESERVED) + AREA_MAX + 24];
	int fd;

	if (name[0] == '.' || strlen(name) >= AREA_MAX)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/linux,cma-default", DT_RESERVED, name);
	fd = w->sys->open(w->sys, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	w->sys->close(w->sys, fd);
	w->match = true;
	keep(w, name);
	return 1;
}

static int default_area(struct dmaheap_ctx *ctx, char *buf, size_t len)
{
	struct area_walk w = { .sys = ctx->sys, .found = buf, .len = len };
	int r = ctx->sys->readdir(ctx->sys, DT_RESERVED, see_dt_node, &w);

	if (r >= 0 && w.match)
		return w.too_long ? -ERANGE : 0;
	w = (struct area_walk){ .sys = ctx->sys, .want = LEGACY_DEFAULT,
				.found = buf, .len = len };
	r = ctx->sys->readdir(ctx->sys, CMA_SYSFS, see_area, &w);
	if (r < 0 || !(w.match || w.areas == 1))
		return -ENODATA;
	if (w.match)
		keep(&w, LEGACY_DEFAULT);
	return w.too_long ? -ERANGE : 0;
}

/* The number in the small text file @path, or -errno. */
static int read_number(const struct dmaheap_sys *sys, const char *path,
		       uint64_t *value)
{
	char text[32], *end;
	int fd = sys->open(sys, path, O_RDONLY | O_CLOEXEC, 0);
	int n;

	if (fd < 0)
		return fd;
	n = sys->read(sys, fd, text, sizeof(text) - 1);
	sys->close(sys, fd);
	if (n < 0)
		return n;
	text[n] = '\0';
	errno = 0;
	*value = strtoull(text, &end, 10);
	if (end == text || errno || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_heap_region_size(struct dmaheap_ctx *ctx,
					    const char *heap, uint64_t *bytes)
{
	char area[AREA_MAX], path[sizeof(CMA_SYSFS) + AREA_MAX + 16];
	uint64_t pages;
	int r;

	if (!ctx || !bytes)
		return -EINVAL;
	r = dmaheap_heap_region(ctx, heap, area, sizeof(area));
	if (r)
		return r == -ERANGE ? -ENODATA : r;
	snprintf(path, sizeof(path), "%s/%s/total_pages", CMA_SYSFS, area);
	/* total_pages is new in CMA sysfs (7.3 has it, 6.12 not). */
	r = read_number(ctx->sys, path, &pages);
	if (r)
		return r == -ENOMEM ? r : -ENODATA;
	if (pages > UINT64_MAX / ctx->page_size)
		return -ENODATA;
	*bytes = pages * ctx->page_size;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_heap_region(struct dmaheap_ctx *ctx,
				       const char *heap, char *buf, size_t len)
{
	struct area_walk w = { .want = heap, .found = buf, .len = len };
	int r;

	if (!ctx || !buf || len == 0 || !dmaheap_heap_name_valid(heap))
		return -EINVAL;
	if (strcmp(heap, STABLE_NAME) == 0)
		return default_area(ctx, buf, len);
	w.sys = ctx->sys;
	r = ctx->sys->readdir(ctx->sys, CMA_SYSFS, see_area, &w);
	if (r < 0 || !w.match)
		return -ENODATA;
	keep(&w, heap);
	return w.too_long ? -ERANGE : 0;
}
