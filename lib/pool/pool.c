/* SPDX-License-Identifier: MIT */
/*
 * The recycling pool: freed buffers kept per (heap, page-rounded size) and
 * handed out again, once a check shows nothing else holds them. Here: the
 * hooks into allocation and dmaheap_buf_free(), and the public functions.
 * Size classes live in class.c, the check in check.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/alloc.h"
#include "core/tally.h"
#include "pool.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

#define KNOWN_POOL_FLAGS DMAHEAP_POOL_ZERO
#define PREWARM_MAX 65536u

static struct dmaheap_pool *pool_of(struct dmaheap_ctx *ctx)
{
	return atomic_load_explicit(&ctx->pool, memory_order_acquire);
}

/* The pool serves this process, not a fork()ed child's copy of it. */
static bool pool_usable(const struct dmaheap_pool *pool)
{
	return pool && atomic_load_explicit(&pool->on, memory_order_relaxed) &&
	       pool->fork_page[0] != 0;
}

/* The idle timeout, applied to one class on its own alloc and free. */
static void class_expire(struct dmaheap_pool *pool, struct dmaheap_pool_class *c)
{
	if (atomic_load_explicit(&pool->idle_ms, memory_order_relaxed))
		dmaheap_pool_class_trim(pool, c, VICTIM_IDLE);
}

/* ------------------------------------------------------------------------ */
/* Hooks                                                                    */
/* ------------------------------------------------------------------------ */

/* The name a buffer handed out for @flags must carry. */
static enum pool_name wanted_name(const struct dmaheap_ctx *ctx,
				  unsigned int flags)
{
	if ((flags & DMAHEAP_ALLOC_NO_NAME) ||
	    (ctx->flags & DMAHEAP_CTX_NO_AUTONAME))
		return POOL_NAME_NONE;
	return POOL_NAME_AUTO;
}

/*
 * Gives a recycled buffer the name its new request asks for: its heap's,
 * or none (the empty name: the kernel cannot unset one). False if that
 * failed and the buffer would carry something of its last user.
 */
static bool rename_for(struct dmaheap_ctx *ctx, const struct pool_slot *s,
		       unsigned int flags)
{
	enum pool_name want = wanted_name(ctx, flags);
	char name[DMA_BUF_NAME_LEN] = "";
	int r;

	if (s->name == want)
		return true;
	if (want == POOL_NAME_AUTO)
		dmaheap_pool_auto_name(s->buf->heap, name);
	r = ctx->sys->ioctl(ctx->sys, s->buf->fd, DMA_BUF_SET_NAME, name);
	if (r == 0)
		return true;
	dmaheap_log(ctx, DMAHEAP_LOG_DEBUG, "pool: renaming fd %d: %s",
		    s->buf->fd, dmaheap_strerror(r));
	/* Unnamed and left so: as a fresh buffer whose naming failed. */
	return s->name == POOL_NAME_NONE;
}

/*
 * A buffer cached before this process last forked: a child that did not
 * exec inherited its fd, so it is checked again as on a free; a child may
 * also have written to it before letting go, so it counts as not zeroed.
 */
static bool still_sole(struct pool_slot *s)
{
	unsigned int gen = dmaheap_pool_fork_gen();
	enum pool_name name;

	if (s->fork_gen == gen)
		return true;
	if (dmaheap_pool_check_sole_owner(s->buf, &name) ||
	    dmaheap_pool_check_no_fence(s->buf))
		return false;
	s->fork_gen = gen;
	s->name = (unsigned char)name;
	s->zeroed = false;
	return true;
}

/* Whether the popped @s may be handed out for @flags, made ready if so. */
static bool ready(struct dmaheap_ctx *ctx, struct dmaheap_pool *pool,
		  struct pool_slot *s, unsigned int flags)
{
	if (!still_sole(s))
		return false;
	/* Cached before DMAHEAP_POOL_ZERO was turned on, or after a fork. */
	if ((atomic_load_explicit(&pool->flags, memory_order_relaxed) &
	     DMAHEAP_POOL_ZERO) && !s->zeroed) {
		if (dmaheap_pool_zero(s->buf))
			return false;
		s->zeroed = true;
	}
	return rename_for(ctx, s, flags);
}

bool dmaheap_pool_take(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		       size_t size, unsigned int flags, unsigned int i,
		       struct dmaheap_buf **ret)
{
	struct dmaheap_shard *sh = &heap->stats.shard[i].s;
	struct dmaheap_pool *pool = pool_of(ctx);
	struct dmaheap_pool_class *c;
	unsigned int stripe = dmaheap_pool_stripe(ctx, i);
	struct pool_slot s;

	if (!pool_usable(pool) || (flags & DMAHEAP_ALLOC_FRESH))
		return false;
	c = dmaheap_pool_class_get(pool, heap, size);
	if (!c) {
		dmaheap_shard_count(&sh->pool_misses, i);
		return false;
	}
	class_expire(pool, c);
	while (dmaheap_pool_pop(pool, c, &s, stripe)) {
		if (ready(ctx, pool, &s, flags)) {
			/* The thread's own shard: no line shared to write. */
			dmaheap_shard_count(&sh->pool_hits, i);
			dmaheap_ctx_ref_at(ctx, i);
			dmaheap_stats_alloc_at(ctx, heap, size, true, i);
			*ret = s.buf;
			return true;
		}
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
			    "pool: fd %d cannot be handed out, closed",
			    s.buf->fd);
		dmaheap_buf_release(s.buf);
		pool_count(&dmaheap_pool_counters(c, stripe)->released);
	}
	dmaheap_shard_count(&sh->pool_misses, i);
	return false;
}

/* Why a freed buffer was not kept, or 0 if it may be; fills @s. */
static int give_check(struct dmaheap_pool *pool, struct pool_slot *s)
{
	enum pool_name name;
	int r;

	/* Before the check: a fork after this reading is redone at a hit. */
	s->fork_gen = dmaheap_pool_fork_gen();
	r = dmaheap_pool_check_sole_owner(s->buf, &name);
	if (r)
		return r;
	if (dmaheap_pool_check_no_fence(s->buf))
		return -EAGAIN;
	s->name = (unsigned char)name;
	s->zeroed = false;
	if (atomic_load_explicit(&pool->flags, memory_order_relaxed) &
	    DMAHEAP_POOL_ZERO) {
		if (dmaheap_pool_zero(s->buf))
			return -ENOSPC;
		s->zeroed = true;
	}
	return 0;
}

/* Called by dmaheap_buf_free() with the buffer's accounting released;
 * @clean: the caller left no mapping or CPU access open (a buffer freed
 * while mapped may still be written through stale pointers, so it is never
 * recycled). True if the pool kept @buf. */
bool dmaheap_pool_give(struct dmaheap_buf *buf, bool clean, unsigned int i)
{
	struct dmaheap_ctx *ctx = buf->ctx;
	struct dmaheap_pool *pool = pool_of(ctx);
	struct dmaheap_pool_class *c;
	struct pool_counters *counters;
	struct pool_slot slot = { .buf = buf };
	unsigned int stripe = dmaheap_pool_stripe(ctx, i);
	int r;

	/* The caller freed the context: nobody can allocate again. */
	if (!pool_usable(pool) || !buf->heap ||
	    atomic_load_explicit(&ctx->closed, memory_order_relaxed))
		return false;
	c = dmaheap_pool_class_get(pool, buf->heap, buf->size);
	if (!c) {
		pool_count(&buf->heap->pool_unclassed_full);
		return false;
	}
	class_expire(pool, c);
	if (!clean)
		r = -EBUSY;
	else if (!dmaheap_pool_room(pool, c, stripe))
		r = -ENOSPC;
	else
		r = give_check(pool, &slot);
	if (r == 0 && !dmaheap_pool_push(pool, c, &slot, stripe))
		r = -ENOSPC;
	counters = dmaheap_pool_counters(c, stripe);
	if (r == 0)
		dmaheap_shard_count(&buf->heap->stats.shard[i].s.pool_recycled,
				    i);
	else if (r == -EBUSY)
		pool_count(&counters->refused_shared);
	else if (r == -EAGAIN)
		pool_count(&counters->refused_busy);
	else
		pool_count(&counters->refused_full);
	/* Turned off meanwhile: its trim may have run before the push. */
	if (r == 0 && !atomic_load(&pool->on))
		dmaheap_pool_class_trim(pool, c, VICTIM_ANY);
	return r == 0;
}

/* ------------------------------------------------------------------------ */
/* Public functions                                                         */
/* ------------------------------------------------------------------------ */

static int check_pool_options(const struct dmaheap_ctx *ctx,
			      const struct dmaheap_pool_options *o)
{
	/* 0.2's layout is the first: no older one to fill in. */
	int r = dmaheap_struct_size_check(o, o->struct_size, sizeof(*o),
					  sizeof(*o));

	if (r)
		return r;
	if (o->flags & ~KNOWN_POOL_FLAGS)
		return -EINVAL;
	if (o->max_bytes < ctx->page_size || o->max_buffers == 0)
		return -EINVAL;
	return 0;
}

static int fork_page_new(struct dmaheap_ctx *ctx, struct dmaheap_pool *pool)
{
	const struct dmaheap_sys *sys = ctx->sys;
	void *page;
	int r;

	r = sys->mmap(sys, ctx->page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &page);
	if (r)
		return r;
	r = sys->madvise(sys, page, ctx->page_size, MADV_WIPEONFORK);
	if (r) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "pool: madvise(MADV_WIPEONFORK): %s; the pool needs "
			    "Linux 4.14 or later", dmaheap_strerror(r));
		sys->munmap(sys, page, ctx->page_size);
		return r;
	}
	pool->fork_page = page;
	pool->fork_page[0] = 1;
	pool->page_size = ctx->page_size;
	return 0;
}

static int pool_new(struct dmaheap_ctx *ctx, struct dmaheap_pool **ret)
{
	struct dmaheap_pool *pool = calloc(1, sizeof(*pool));
	int r;

	if (!pool)
		return -ENOMEM;
	if (pthread_mutex_init(&pool->grow_lock, NULL) != 0) {
		free(pool);
		return -ENOMEM;
	}
	r = fork_page_new(ctx, pool);
	if (r) {
		pthread_mutex_destroy(&pool->grow_lock);
		free(pool);
		return r;
	}
	*ret = pool;
	return 0;
}

/* The context's pool, made on first use; a lost race frees its copy. */
static int pool_get(struct dmaheap_ctx *ctx, struct dmaheap_pool **ret)
{
	struct dmaheap_pool *pool = pool_of(ctx), *expected = NULL;
	int r;

	if (pool) {
		*ret = pool;
		return 0;
	}
	r = pool_new(ctx, &pool);
	if (r)
		return r;
	if (!atomic_compare_exchange_strong_explicit(&ctx->pool, &expected,
						     pool, memory_order_acq_rel,
						     memory_order_acquire)) {
		ctx->sys->munmap(ctx->sys, (void *)pool->fork_page,
				 pool->page_size);
		pthread_mutex_destroy(&pool->grow_lock);
		free(pool);
		pool = expected;
	}
	*ret = pool;
	return 0;
}

static struct dmaheap_pool_class *first_class(struct dmaheap_pool *pool)
{
	return atomic_load_explicit(&pool->classes, memory_order_acquire);
}

static int trim_all(struct dmaheap_pool *pool, enum victim_rule rule)
{
	int n = 0;

	/* The limits' rules read the counters, which count held
	 * reservations too: without them, they count what is cached. */
	if (rule != VICTIM_IDLE)
		dmaheap_pool_drop_held(pool);

	for (struct dmaheap_pool_class *c = first_class(pool); c;
	     c = c->all_next)
		n += dmaheap_pool_class_trim(pool, c, rule);
	return n;
}

DMAHEAP_EXPORT int dmaheap_ctx_set_pool(struct dmaheap_ctx *ctx,
					const struct dmaheap_pool_options *opts)
{
	struct dmaheap_pool *pool;
	int r;

	if (!ctx)
		return -EINVAL;
	if (!opts) {
		pool = pool_of(ctx);
		if (pool) {
			atomic_store(&pool->on, false);
			trim_all(pool, VICTIM_ANY);
		}
		return 0;
	}
	r = check_pool_options(ctx, opts);
	if (r == 0)
		r = dmaheap_pool_fork_watch();
	if (r == 0)
		r = pool_get(ctx, &pool);
	if (r)
		return r;
	atomic_store(&pool->flags, opts->flags);
	atomic_store(&pool->max_bytes, opts->max_bytes);
	atomic_store(&pool->max_buffers, opts->max_buffers);
	atomic_store(&pool->idle_ms, opts->idle_ms);
	atomic_store(&pool->on, true);
	trim_all(pool, VICTIM_OVER_MAX);
	trim_all(pool, VICTIM_OVER_BYTES);
	return 0;
}

/* Caches a buffer fresh from the kernel: never shared, already zeroed;
 * @gen: the fork generation before it was allocated. */
static bool keep_fresh(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		       struct dmaheap_buf *buf, unsigned int flags,
		       unsigned int gen)
{
	struct dmaheap_ctx *ctx = buf->ctx;
	struct pool_slot slot = {
		.buf = buf,
		.fork_gen = gen,
		.name = (unsigned char)wanted_name(ctx, flags),
		.zeroed = true,
	};

	if (!dmaheap_pool_push(pool, c, &slot,
			       dmaheap_pool_stripe(ctx,
						   dmaheap_shard_index(ctx))))
		return false;
	dmaheap_stats_release(ctx, buf->heap, buf->size);
	dmaheap_ctx_unref(ctx); /* the caller's reference keeps it alive */
	return true;
}

DMAHEAP_EXPORT int dmaheap_pool_prewarm(struct dmaheap_ctx *ctx,
					const char *heap, size_t size,
					unsigned int count, unsigned int flags)
{
	struct dmaheap_pool *pool;
	struct dmaheap_pool_class *c;
	struct dmaheap_heap *h;
	struct dmaheap_buf *buf;
	unsigned int have;
	size_t rounded;
	int r;

	if (!ctx || !dmaheap_heap_name_valid(heap) || count == 0 ||
	    count > PREWARM_MAX)
		return -EINVAL;
	r = dmaheap_check_alloc_args(ctx, size, flags, &rounded);
	if (r)
		return r;
	pool = pool_of(ctx);
	/* Not -ENODEV: a heap whose node has no driver gives that. */
	if (!pool_usable(pool))
		return -EOPNOTSUPP;
	r = dmaheap_heap_lookup(ctx, heap, &h);
	if (r)
		return r;
	c = dmaheap_pool_class_get(pool, h, rounded);
	if (!c)
		return -ENOSPC;
	/* At most @count allocations, even while other threads take. */
	for (unsigned int made = 0; made < count; made++) {
		unsigned int gen = dmaheap_pool_fork_gen();

		if (dmaheap_pool_class_count(c) >= count)
			break;
		r = dmaheap_alloc_on_heap(ctx, h, rounded,
					  flags | DMAHEAP_ALLOC_FRESH, &buf);
		if (r)
			break;
		if (!keep_fresh(pool, c, buf, flags, gen)) {
			dmaheap_buf_release(buf);
			dmaheap_stats_release(ctx, h, rounded);
			dmaheap_ctx_unref(ctx);
			break;
		}
	}
	have = dmaheap_pool_class_count(c);
	if (have == 0 && r)
		return r;
	return (int)(have < count ? have : count);
}

DMAHEAP_EXPORT int dmaheap_pool_trim(struct dmaheap_ctx *ctx,
				     unsigned int mode)
{
	struct dmaheap_pool *pool;

	if (!ctx || mode > DMAHEAP_POOL_TRIM_IDLE)
		return -EINVAL;
	pool = pool_of(ctx);
	if (!pool)
		return 0;
	return trim_all(pool, mode == DMAHEAP_POOL_TRIM_IDLE ? VICTIM_IDLE :
							       VICTIM_ANY);
}

/* Adds what @heap's shards counted (its classes' hits, misses and buffers
 * kept) and its frees refused for sizes beyond its classes. */
static void heap_counts_add(struct dmaheap_heap *heap,
			    struct dmaheap_pool_stats *out)
{
	for (unsigned int i = 0; i < DMAHEAP_SHARDS; i++) {
		struct dmaheap_shard *sh = &heap->stats.shard[i].s;

		out->hits += atomic_load(&sh->pool_hits);
		out->misses += atomic_load(&sh->pool_misses);
		out->recycled += atomic_load(&sh->pool_recycled);
	}
	out->refused_full += atomic_load(&heap->pool_unclassed_full);
}

DMAHEAP_EXPORT int dmaheap_pool_stats(struct dmaheap_ctx *ctx,
				      const char *heap,
				      struct dmaheap_pool_stats *out)
{
	struct dmaheap_pool *pool;

	if (!ctx || !out || (heap && !dmaheap_heap_name_valid(heap)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pool = pool_of(ctx);
	if (!pool)
		return 0;
	for (struct dmaheap_pool_class *c = first_class(pool); c;
	     c = c->all_next)
		if (!heap || strcmp(c->heap->name, heap) == 0)
			dmaheap_pool_class_stats(c, out);
	for (struct dmaheap_heap *h = atomic_load_explicit(
		     &ctx->heaps, memory_order_acquire);
	     h; h = h->next)
		if (!heap || strcmp(h->name, heap) == 0)
			heap_counts_add(h, out);
	return 0;
}

/* With the context: every cached buffer closed, every class freed. */
void dmaheap_pool_destroy(struct dmaheap_ctx *ctx)
{
	struct dmaheap_pool *pool = pool_of(ctx);
	struct dmaheap_pool_class *c, *next;

	if (!pool)
		return;
	for (c = first_class(pool); c; c = next) {
		next = c->all_next;
		dmaheap_pool_class_free(c);
	}
	ctx->sys->munmap(ctx->sys, (void *)pool->fork_page, pool->page_size);
	pthread_mutex_destroy(&pool->grow_lock);
	free(pool);
}
