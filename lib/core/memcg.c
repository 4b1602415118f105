/* SPDX-License-Identifier: MIT */
/*
 * Memory-cgroup charging of the system heap. From Linux 7.0, booting with
 * dma_heap.mem_accounting=1 makes the system heap allocate with
 * __GFP_ACCOUNT: a buffer's pages are charged to the allocating task's
 * memory cgroup. A buffer that does not fit under the cgroup's memory.max
 * then brings the cgroup's OOM killer, which usually kills the caller, not
 * an ENOMEM. The library refuses such a buffer itself first.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ACCOUNTING_PARAM "/sys/module/dma_heap/parameters/mem_accounting"
#define SELF_CGROUP "/proc/self/cgroup"
#define CGROUP_ROOT "/sys/fs/cgroup"

/* The heaps whose allocations mem_accounting charges (both take their
 * pages from the system heap's allocator). */
static const char *const charged_heaps[] = { "system", "system_cc_shared" };

/* Reads a small text file through the system-call layer: its length, or
 * -errno. */
static int read_small(const struct dmaheap_sys *sys, const char *path,
		      char *buf, size_t len)
{
	int fd = sys->open(sys, path, O_RDONLY | O_CLOEXEC, 0);
	int n;

	if (fd < 0)
		return fd;
	n = sys->read(sys, fd, buf, len - 1);
	sys->close(sys, fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

static bool charged_name(const char *heap)
{
	for (size_t i = 0; i < sizeof(charged_heaps) / sizeof(charged_heaps[0]); i++)
		if (strcmp(heap, charged_heaps[i]) == 0)
			return true;
	return false;
}

/*
 * The parameter is 0444 (boot only): read once per heap, when first
 * needed, so that opening a heap or allocating small buffers reads
 * nothing. Threads racing here read the same value.
 */
bool dmaheap_memcg_heap_charged(struct dmaheap_ctx *ctx,
				struct dmaheap_heap *heap)
{
	int known = atomic_load_explicit(&heap->memcg, memory_order_relaxed);
	char text[8];

	if (known == 0) {
		known = 1;
		if (!heap->udmabuf && charged_name(heap->name) &&
		    read_small(ctx->sys, ACCOUNTING_PARAM, text, sizeof(text)) > 0 &&
		    (text[0] == 'Y' || text[0] == 'y' || text[0] == '1'))
			known = 2;
		atomic_store_explicit(&heap->memcg, known, memory_order_relaxed);
	}
	return known == 2;
}

/* The caller's cgroup v2 path ("/a/b") from the "0::" line of
 * /proc/self/cgroup; 0 or -errno. */
static int own_cgroup(const struct dmaheap_sys *sys, char *path, size_t len)
{
	char text[PATH_MAX + 64];
	const char *line, *end;
	int n = read_small(sys, SELF_CGROUP, text, sizeof(text));

	if (n < 0)
		return n;
	for (line = text; *line; line = end + (*end == '\n')) {
		end = line + strcspn(line, "\n");
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		line += 3;
		if ((size_t)(end - line) >= len)
			return -ENAMETOOLONG;
		memcpy(path, line, (size_t)(end - line));
		path[end - line] = '\0';
		return 0;
	}
	return -ENOENT; /* cgroup v1 only: no unified hierarchy */
}

/* A cgroup file holding a byte count, or "max": UINT64_MAX. 0 or -errno. */
static int read_bytes(const struct dmaheap_sys *sys, const char *cgroup,
		      const char *file, uint64_t *bytes)
{
	char path[PATH_MAX], text[32], *end;
	int n;

	/* "/" is the mount's root: the host's (no memory.max there) or, in
	 * a cgroup namespace, a container's own cgroup (which has one). */
	if ((size_t)snprintf(path, sizeof(path), "%s%s/%s", CGROUP_ROOT,
			     cgroup[1] ? cgroup : "", file) >= sizeof(path))
		return -ENAMETOOLONG;
	n = read_small(sys, path, text, sizeof(text));
	if (n < 0)
		return n;
	if (strncmp(text, "max", 3) == 0) {
		*bytes = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*bytes = strtoull(text, &end, 10);
	return end == text || errno ? -EINVAL : 0;
}

/* How many bytes more @cgroup may be charged: memory.max - memory.current,
 * 0 when over; UINT64_MAX without a limit. 0 or -errno. */
static int headroom(const struct dmaheap_sys *sys, const char *cgroup,
		    uint64_t *room, uint64_t *max)
{
	uint64_t current;
	int r = read_bytes(sys, cgroup, "memory.max", max);

	if (r)
		return r;
	if (*max == UINT64_MAX) {
		*room = UINT64_MAX;
		return 0;
	}
	r = read_bytes(sys, cgroup, "memory.current", &current);
	if (r)
		return r;
	*room = current < *max ? *max - current : 0;
	return 0;
}

static int refuse(struct dmaheap_ctx *ctx, const struct dmaheap_heap *heap,
		  size_t size, const char *cgroup, uint64_t max, uint64_t room)
{
	dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
		    "memcg: refusing %zu bytes from heap %s: cgroup %s has %" PRIu64
		    " of its memory.max %" PRIu64
		    " bytes free, and the heap charges buffers to it (dma_heap.mem_accounting=Y), "
		    "where the kernel would OOM-kill instead of failing; raise "
		    CGROUP_ROOT "%s/memory.max",
		    size, heap->name, cgroup, room, max, cgroup[1] ? cgroup : "");
	return -ENOMEM;
}

int dmaheap_memcg_check(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			size_t size)
{
	char cgroup[PATH_MAX], *slash;
	uint64_t room, max;
	int r;

	if (size < DMAHEAP_MEMCG_CHECK_MIN || !dmaheap_memcg_heap_charged(ctx, heap))
		return 0;
	r = own_cgroup(ctx->sys, cgroup, sizeof(cgroup));
	/* Every level up to the root limits; one whose parent does not
	 * delegate the memory controller has no memory.max and is passed
	 * over. */
	while (r == 0) {
		r = headroom(ctx->sys, cgroup, &room, &max);
		if (r == 0 && size > room)
			return refuse(ctx, heap, size, cgroup, max, room);
		if (r == -ENOENT)
			r = 0;
		if (r || cgroup[1] == '\0')
			break;
		slash = strrchr(cgroup, '/');
		slash[slash == cgroup] = '\0';
	}
	/* The guard is best effort: without cgroup files, the kernel decides. */
	if (r)
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
			    "memcg: cannot read the cgroup limits of %zu bytes from %s: %s",
			    size, heap->name, dmaheap_strerror(r));
	return 0;
}
