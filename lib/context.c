/* SPDX-License-Identifier: MIT */
/* Contexts: options, reference counting, logging and accounting. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define DEFAULT_HEAP_DIR "/dev/dma_heap"
#define DEFAULT_UDMABUF_DEV "/dev/udmabuf"
#define DEFAULT_POLICY_FILE "/etc/libdmaheap/policy.conf"
#define KNOWN_CTX_FLAGS \
	(DMAHEAP_CTX_NO_AUTONAME | DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE)

/* Room must remain for "/<heap name>" with a NAME_MAX name. */
#define HEAP_DIR_MAX (PATH_MAX - NAME_MAX - 2)

/* An option, else its environment variable, else the default. */
static const char *pick(const struct dmaheap_options *o, const char *opt,
			const char *env_name, const char *fallback)
{
	const char *env;

	if (opt)
		return opt;
	env = (o->flags & DMAHEAP_CTX_NO_ENV) ? NULL : secure_getenv(env_name);
	return env && *env ? env : fallback;
}

static const char *pick_heap_dir(const struct dmaheap_options *o)
{
	return pick(o, o->heap_dir, "DMAHEAP_DIR", DEFAULT_HEAP_DIR);
}

static int check_options(const struct dmaheap_options *o, const char *dir)
{
	size_t len = strlen(dir);
	const char *udmabuf = pick(o, o->udmabuf_dev, "DMAHEAP_UDMABUF_DEV",
				   DEFAULT_UDMABUF_DEV);

	if (o->struct_size < sizeof(*o))
		return -EINVAL;
	if (o->flags & ~KNOWN_CTX_FLAGS)
		return -EINVAL;
	if (len == 0 || len > HEAP_DIR_MAX)
		return -EINVAL;
	if (o->sys && o->sys->abi != DMAHEAP_SYS_ABI)
		return -EINVAL;
	if (udmabuf[0] == '\0' || strlen(udmabuf) >= PATH_MAX)
		return -EINVAL;
	return 0;
}

/*
 * The policy file; one named by the caller or environment must exist.
 * NO_POLICY_FILE leaves only the caller's: not the environment's either.
 */
static int load_policy(struct dmaheap_ctx *ctx, const struct dmaheap_options *o)
{
	const char *path = (o->flags & DMAHEAP_CTX_NO_POLICY_FILE) ?
			   o->policy_file :
			   pick(o, o->policy_file, "DMAHEAP_POLICY", NULL);
	int r = dmaheap_policy_init(ctx);

	if (r)
		return r;
	if (path)
		return dmaheap_config_load(ctx, path, true);
	if (o->flags & DMAHEAP_CTX_NO_POLICY_FILE)
		return 0;
	return dmaheap_config_load(ctx, DEFAULT_POLICY_FILE, false);
}

static int init_ctx(struct dmaheap_ctx *ctx, const struct dmaheap_options *o)
{
	int r;

	ctx->udmabuf_dev = strdup(pick(o, o->udmabuf_dev, "DMAHEAP_UDMABUF_DEV",
				       DEFAULT_UDMABUF_DEV));
	if (!ctx->udmabuf_dev)
		return -ENOMEM;
	r = ctx->sys->meminfo(ctx->sys, &ctx->page_size, &ctx->ram_bytes);
	if (r)
		return r;
	if (pthread_mutex_init(&ctx->lock, NULL) != 0)
		return -ENOMEM;
	r = load_policy(ctx, o);
	if (r) {
		dmaheap_policy_clear(&ctx->policy);
		pthread_mutex_destroy(&ctx->lock);
	}
	return r;
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
	r = init_ctx(ctx, o);
	if (r) {
		free(ctx->udmabuf_dev);
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

	/* Pooled buffers point at the heaps: gone first. */
	dmaheap_pool_destroy(ctx);
	while (h) {
		struct dmaheap_heap *next = h->next;

		ctx->sys->close(ctx->sys, h->fd);
		free(h);
		h = next;
	}
	dmaheap_policy_clear(&ctx->policy);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->udmabuf_dev);
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
	heap->stats_used = true;
	stats_add(&heap->stats, bytes, live);
	stats_add(&ctx->total, bytes, live);
	pthread_mutex_unlock(&ctx->lock);
}

void dmaheap_stats_fail(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap)
{
	pthread_mutex_lock(&ctx->lock);
	if (heap) {
		heap->stats_used = true;
		heap->stats.failures++;
	}
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
	if (h && !h->stats_used)
		h = NULL;
	if (!heap || h)
		*out = h ? h->stats : ctx->total;
	pthread_mutex_unlock(&ctx->lock);
	return heap && !h ? -ENOENT : 0;
}
