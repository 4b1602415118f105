/* SPDX-License-Identifier: MIT */
/* Contexts: options, reference counting, logging and accounting. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define DEFAULT_HEAP_DIR "/dev/dma_heap"
#define KNOWN_CTX_FLAGS (DMAHEAP_CTX_NO_AUTONAME | DMAHEAP_CTX_NO_ENV)

/* Room must remain for "/<heap name>" with a NAME_MAX name. */
#define HEAP_DIR_MAX (PATH_MAX - NAME_MAX - 2)

static const char *pick_heap_dir(const struct dmaheap_options *o)
{
	const char *env;

	if (o->heap_dir)
		return o->heap_dir;
	env = (o->flags & DMAHEAP_CTX_NO_ENV) ? NULL : secure_getenv("DMAHEAP_DIR");
	return env && *env ? env : DEFAULT_HEAP_DIR;
}

static int check_options(const struct dmaheap_options *o, const char *dir)
{
	size_t len = strlen(dir);

	if (o->struct_size < sizeof(*o))
		return -EINVAL;
	if (o->flags & ~KNOWN_CTX_FLAGS)
		return -EINVAL;
	if (len == 0 || len > HEAP_DIR_MAX)
		return -EINVAL;
	if (o->sys && o->sys->abi != DMAHEAP_SYS_ABI)
		return -EINVAL;
	return 0;
}

static void apply_options(struct dmaheap_ctx *ctx,
			  const struct dmaheap_options *o)
{
	ctx->sys = o->sys ? o->sys : &dmaheap_sys_kernel;
	ctx->flags = o->flags;
	ctx->log_fn = o->log_fn;
	ctx->log_userdata = o->log_userdata;
	ctx->log_priority = o->log_priority ? o->log_priority : DMAHEAP_LOG_INFO;
}

DMAHEAP_EXPORT int dmaheap_ctx_new_with(const struct dmaheap_options *opts,
					struct dmaheap_ctx **ret)
{
	static const struct dmaheap_options defaults = DMAHEAP_OPTIONS_INIT;
	const struct dmaheap_options *o = opts ? opts : &defaults;
	struct dmaheap_ctx *ctx;
	const char *dir;
	size_t len;
	int r;

	if (!ret)
		return -EINVAL;
	if (o->struct_size < sizeof(*o))
		return -EINVAL;
	dir = pick_heap_dir(o);
	r = check_options(o, dir);
	if (r)
		return r;
	len = strlen(dir);
	ctx = calloc(1, sizeof(*ctx) + len + 1);
	if (!ctx)
		return -ENOMEM;
	memcpy(ctx->dir, dir, len + 1);
	apply_options(ctx, o);
	r = ctx->sys->meminfo(ctx->sys, &ctx->page_size, &ctx->ram_bytes);
	if (r == 0 && pthread_mutex_init(&ctx->lock, NULL) != 0)
		r = -ENOMEM;
	if (r) {
		free(ctx);
		return r;
	}
	atomic_init(&ctx->refs, 1);
	*ret = ctx;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_ctx_new(struct dmaheap_ctx **ret)
{
	return dmaheap_ctx_new_with(NULL, ret);
}

void dmaheap_ctx_ref(struct dmaheap_ctx *ctx)
{
	atomic_fetch_add_explicit(&ctx->refs, 1, memory_order_relaxed);
}

static void ctx_destroy(struct dmaheap_ctx *ctx)
{
	struct dmaheap_heap *h = ctx->heaps;

	while (h) {
		struct dmaheap_heap *next = h->next;

		ctx->sys->close(ctx->sys, h->fd);
		free(h);
		h = next;
	}
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

void dmaheap_ctx_unref(struct dmaheap_ctx *ctx)
{
	/* acq_rel: the last owner must see every write the others made. */
	if (atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel) == 1)
		ctx_destroy(ctx);
}

DMAHEAP_EXPORT void dmaheap_ctx_free(struct dmaheap_ctx *ctx)
{
	if (ctx)
		dmaheap_ctx_unref(ctx);
}

DMAHEAP_EXPORT const char *dmaheap_ctx_heap_dir(const struct dmaheap_ctx *ctx)
{
	return ctx ? ctx->dir : NULL;
}

void dmaheap_log(struct dmaheap_ctx *ctx, int priority, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!ctx->log_fn || priority > ctx->log_priority)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_userdata, priority, msg);
}

static void stats_add(struct dmaheap_stats *s, uint64_t bytes, bool live)
{
	s->allocations++;
	if (!live)
		return;
	s->live_buffers++;
	s->live_bytes += bytes;
	if (s->live_bytes > s->peak_bytes)
		s->peak_bytes = s->live_bytes;
}

void dmaheap_stats_alloc(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			 uint64_t bytes, bool live)
{
	pthread_mutex_lock(&ctx->lock);
	stats_add(&heap->stats, bytes, live);
	stats_add(&ctx->total, bytes, live);
	pthread_mutex_unlock(&ctx->lock);
}

void dmaheap_stats_fail(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap)
{
	pthread_mutex_lock(&ctx->lock);
	if (heap)
		heap->stats.failures++;
	ctx->total.failures++;
	pthread_mutex_unlock(&ctx->lock);
}

void dmaheap_stats_release(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			   uint64_t bytes)
{
	pthread_mutex_lock(&ctx->lock);
	heap->stats.live_buffers--;
	heap->stats.live_bytes -= bytes;
	ctx->total.live_buffers--;
	ctx->total.live_bytes -= bytes;
	pthread_mutex_unlock(&ctx->lock);
}

DMAHEAP_EXPORT int dmaheap_ctx_stats(struct dmaheap_ctx *ctx, const char *heap,
				     struct dmaheap_stats *out)
{
	struct dmaheap_heap *h = NULL;

	if (!ctx || !out || (heap && !dmaheap_heap_name_valid(heap)))
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	if (heap)
		h = dmaheap_heap_find_locked(ctx, heap);
	if (!heap || h)
		*out = h ? h->stats : ctx->total;
	pthread_mutex_unlock(&ctx->lock);
	return heap && !h ? -ENOENT : 0;
}
