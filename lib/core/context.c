/* SPDX-License-Identifier: MIT */
/* Contexts: options, reference counting, logging and accounting. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define DEFAULT_HEAP_DIR "/dev/dma_heap"
#define DEFAULT_UDMABUF_DEV "/dev/udmabuf"
#define DEFAULT_POLICY_FILE "/etc/libdmaheap/policy.conf"
#define KNOWN_CTX_FLAGS \
	(DMAHEAP_CTX_NO_AUTONAME | DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE)

/* Room must remain for "/<heap name>" with a NAME_MAX name. */
#define HEAP_DIR_MAX (PATH_MAX - NAME_MAX - 2)

/* The most of a caller's struct read to check its tail, as clone3() and
 * openat2() cap theirs: a larger struct_size is garbage, not a struct. */
#define STRUCT_SIZE_MAX 4096

/*
 * struct dmaheap_options as 0.1 released it: the smallest struct_size
 * accepted. Fields added since go after log_priority; a caller built
 * against an older header gets their defaults.
 */
struct options_0_1 {
	size_t struct_size;
	unsigned int flags;
	const char *heap_dir;
	const char *udmabuf_dev;
	const char *policy_file;
	const struct dmaheap_sys *sys;
	dmaheap_log_fn log_fn;
	void *log_userdata;
	int log_priority;
};

_Static_assert(offsetof(struct dmaheap_options, log_priority) ==
	       offsetof(struct options_0_1, log_priority),
	       "the fields of 0.1 keep their places");

/*
 * An extensible struct's size, the kernel's way (copy_struct_from_user()):
 * @size from @first on is a layout this library knows or one older; a
 * larger one, from a newer header, is accepted only if the fields this
 * library does not know are all zero, so none of the caller's options is
 * silently ignored. Returns 0, -EINVAL or -E2BIG.
 */
int dmaheap_struct_size_check(const void *src, size_t size, size_t first,
			      size_t known)
{
	const unsigned char *tail = (const unsigned char *)src + known;

	if (size < first)
		return -EINVAL;
	if (size <= known)
		return 0;
	if (size > STRUCT_SIZE_MAX)
		return -E2BIG;
	for (size_t i = 0; i < size - known; i++)
		if (tail[i])
			return -E2BIG;
	return 0;
}

/* The caller's options over the defaults: as many bytes as both know. */
static int copy_options(const struct dmaheap_options *opts,
			struct dmaheap_options *o)
{
	int r;

	if (!opts)
		return 0;
	r = dmaheap_struct_size_check(opts, opts->struct_size,
				      sizeof(struct options_0_1), sizeof(*o));
	if (r)
		return r;
	memcpy(o, opts, opts->struct_size < sizeof(*o) ? opts->struct_size :
							    sizeof(*o));
	o->struct_size = sizeof(*o);
	return 0;
}

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
	if (pthread_mutex_init(&ctx->stats_lock, NULL) != 0) {
		pthread_mutex_destroy(&ctx->lock);
		return -ENOMEM;
	}
	/* 0 never matches: nothing is remembered before the first lookup. */
	atomic_init(&ctx->gen, 1);
	r = load_policy(ctx, o);
	if (r) {
		dmaheap_policy_clear(&ctx->policy);
		pthread_mutex_destroy(&ctx->stats_lock);
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
	struct dmaheap_options options = DMAHEAP_OPTIONS_INIT;
	const struct dmaheap_options *o = &options;
	struct dmaheap_ctx *ctx;
	const char *dir;
	size_t len;
	int r;

	if (!ret)
		return -EINVAL;
	r = copy_options(opts, &options);
	if (r)
		return r;
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

void dmaheap_ctx_bump_gen_locked(struct dmaheap_ctx *ctx)
{
	atomic_fetch_add_explicit(&ctx->gen, 1, memory_order_release);
}

static void ctx_destroy(struct dmaheap_ctx *ctx)
{
	struct dmaheap_heap *h = atomic_load(&ctx->heaps);

	/* Pooled buffers point at the heaps: gone first. */
	dmaheap_pool_destroy(ctx);
	dmaheap_buf_spares_free(ctx);
	while (h) {
		struct dmaheap_heap *next = h->next;

		ctx->sys->close(ctx->sys, h->fd);
		free(h);
		h = next;
	}
	dmaheap_resolved_free_all(ctx);
	dmaheap_plans_free(ctx);
	free(atomic_load(&ctx->dmabuf_fds));
	dmaheap_policy_clear(&ctx->policy);
	pthread_mutex_destroy(&ctx->stats_lock);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->udmabuf_dev);
	free(ctx);
}

/*
 * References. ctx->refs counts the caller's reference, every buffer's, and
 * those taken ahead into the shards of ctx->total: a buffer made or freed
 * takes or puts one in its thread's shard, and ctx->refs, which every
 * thread would write, changes once per DMAHEAP_REFS_BATCH of them.
 * dmaheap_ctx_free() closes the shards and gives back what they held.
 */
static void refs_put(struct dmaheap_ctx *ctx, unsigned int n)
{
	/* acq_rel: the last owner must see every write the others made. */
	if (atomic_fetch_sub_explicit(&ctx->refs, n, memory_order_acq_rel) == n)
		ctx_destroy(ctx);
}


/* Adds @n references to @shard, or gives them back if it is closed. */
static void refs_stash(struct dmaheap_ctx *ctx, atomic_uint *shard,
		       unsigned int n)
{
	unsigned int v = atomic_load_explicit(shard, memory_order_relaxed);

	while (!(v & DMAHEAP_REFS_CLOSED))
		if (atomic_compare_exchange_weak_explicit(
			    shard, &v, v + n, memory_order_release,
			    memory_order_relaxed))
			return;
	refs_put(ctx, n);
}

/* dmaheap_ctx_ref_at() when its one try failed: the shard is empty,
 * closed, or another thread changed it. The caller holds a reference:
 * ctx->refs cannot reach 0 meanwhile. */
void dmaheap_ctx_ref_slow(struct dmaheap_ctx *ctx, unsigned int i)
{
	atomic_uint *shard = &ctx->total.shard[i].s.refs;
	unsigned int v = atomic_load_explicit(shard, memory_order_relaxed);

	while (v != 0 && !(v & DMAHEAP_REFS_CLOSED))
		if (atomic_compare_exchange_weak_explicit(
			    shard, &v, v - 1, memory_order_relaxed,
			    memory_order_relaxed))
			return;
	if (v & DMAHEAP_REFS_CLOSED) {
		atomic_fetch_add_explicit(&ctx->refs, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&ctx->refs, DMAHEAP_REFS_BATCH,
				  memory_order_relaxed);
	refs_stash(ctx, shard, DMAHEAP_REFS_BATCH - 1);
}

/* dmaheap_ctx_unref_at() when its one try failed: the shard is full,
 * closed, or another thread changed it. */
void dmaheap_ctx_unref_slow(struct dmaheap_ctx *ctx, unsigned int i)
{
	atomic_uint *shard = &ctx->total.shard[i].s.refs;
	unsigned int v = atomic_load_explicit(shard, memory_order_relaxed);

	/* Release: whoever gives it back to ctx->refs sees our writes. */
	while (!(v & DMAHEAP_REFS_CLOSED) && v < 2 * DMAHEAP_REFS_BATCH)
		if (atomic_compare_exchange_weak_explicit(
			    shard, &v, v + 1, memory_order_release,
			    memory_order_relaxed))
			return;
	if (v & DMAHEAP_REFS_CLOSED) {
		refs_put(ctx, 1);
		return;
	}
	/* Too many ahead here: a batch goes back, ours stays. */
	while (!(v & DMAHEAP_REFS_CLOSED))
		if (atomic_compare_exchange_weak_explicit(
			    shard, &v, v + 1 - DMAHEAP_REFS_BATCH,
			    memory_order_release, memory_order_relaxed)) {
			refs_put(ctx, DMAHEAP_REFS_BATCH);
			return;
		}
	refs_put(ctx, 1);
}

void dmaheap_ctx_ref(struct dmaheap_ctx *ctx)
{
	dmaheap_ctx_ref_at(ctx, dmaheap_shard_index(ctx));
}

void dmaheap_ctx_unref(struct dmaheap_ctx *ctx)
{
	dmaheap_ctx_unref_at(ctx, dmaheap_shard_index(ctx));
}

DMAHEAP_EXPORT void dmaheap_ctx_free(struct dmaheap_ctx *ctx)
{
	unsigned int n = 1; /* the caller's */

	if (!ctx)
		return;
	atomic_store_explicit(&ctx->closed, true, memory_order_relaxed);
	for (unsigned int i = 0; i < DMAHEAP_SHARDS; i++)
		n += atomic_exchange_explicit(&ctx->total.shard[i].s.refs,
					      DMAHEAP_REFS_CLOSED,
					      memory_order_acq_rel);
	refs_put(ctx, n);
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

/* The total: every heap's counts, plus what only the context knows. */
static void total_read(struct dmaheap_ctx *ctx, struct dmaheap_stats *out)
{
	struct dmaheap_heap *h = atomic_load_explicit(&ctx->heaps,
						      memory_order_acquire);
	struct dmaheap_stats total;

	memset(out, 0, sizeof(*out));
	for (; h; h = h->next) {
		struct dmaheap_stats one;

		dmaheap_counters_read(&h->stats, &one);
		out->allocations += one.allocations;
		out->failures += one.failures;
		out->live_buffers += one.live_buffers;
	}
	out->failures += atomic_load_explicit(&ctx->lookup_failures,
					      memory_order_relaxed);
	dmaheap_counters_read(&ctx->total, &total);
	out->live_bytes = total.live_bytes;
	out->peak_bytes = total.peak_bytes;
}

DMAHEAP_EXPORT int dmaheap_ctx_stats(struct dmaheap_ctx *ctx, const char *heap,
				     struct dmaheap_stats *out)
{
	struct dmaheap_heap *h = NULL;

	if (!ctx || !out || (heap && !dmaheap_heap_name_valid(heap)))
		return -EINVAL;
	if (heap) {
		h = dmaheap_heap_find(ctx, heap);
		if (!h || !atomic_load_explicit(&h->stats.used,
						memory_order_relaxed))
			return -ENOENT;
		dmaheap_counters_read(&h->stats, out);
	} else {
		total_read(ctx, out);
	}
	/* Figures read while others allocate are moments apart; the peak
	 * is never shown below what is live. */
	if (out->peak_bytes < out->live_bytes)
		out->peak_bytes = out->live_bytes;
	return 0;
}
