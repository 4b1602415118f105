/* SPDX-License-Identifier: MIT */
/*
 * The recycling pool: freed buffers kept per (heap, page-rounded size) and
 * handed out again, once a check shows nothing else holds them.
 *
 * Locking: each size class has its own mutex, held only to push or pop a
 * slot. Classes hang off their heap in an append-only list read without a
 * lock; creating one takes the pool's grow_lock. The cached byte total is
 * an atomic counter reserved before a push. Closing, zeroing and the safety
 * check's system calls happen outside every lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "private.h"
#include "uapi.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

#define KNOWN_POOL_FLAGS DMAHEAP_POOL_ZERO
#define MAX_CLASSES_PER_HEAP 64
#define PREWARM_MAX 65536u
/* An fdinfo of a dma-buf is about 150 bytes; room for a long name. */
#define FDINFO_MAX 1024

struct pool_counters {
	atomic_uint_fast64_t hits;
	atomic_uint_fast64_t misses;
	atomic_uint_fast64_t recycled;
	atomic_uint_fast64_t refused_shared;
	atomic_uint_fast64_t refused_busy;
	atomic_uint_fast64_t refused_full;
	atomic_uint_fast64_t released;
};

struct pool_slot {
	struct dmaheap_buf *buf;
	uint64_t since_ms; /* when it was cached */
	bool named;        /* carries its heap's auto-name */
};

struct dmaheap_pool_class {
	struct dmaheap_pool_class *next;     /* same heap */
	struct dmaheap_pool_class *all_next; /* whole pool */
	struct dmaheap_heap *heap;
	size_t size;
	pthread_mutex_t lock; /* guards the slots: oldest first */
	struct pool_slot *slots;
	unsigned int count;
	unsigned int cap;
	atomic_uint count_hint; /* count, for a look without the lock */
	struct pool_counters c;
};

struct dmaheap_pool {
	atomic_bool on;
	atomic_uint flags;
	atomic_uint_fast64_t max_bytes;
	atomic_uint max_buffers;
	atomic_uint idle_ms;
	atomic_uint_fast64_t cached_bytes;
	_Atomic(struct dmaheap_pool_class *) classes;
	pthread_mutex_t grow_lock; /* serialises class creation */
	/* A MADV_WIPEONFORK page: reads 0 in a child after fork(). */
	volatile unsigned char *fork_page;
	size_t page_size;
	struct pool_counters unclassed; /* sizes beyond the class limit */
};

static void count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* Not a system call: clock_gettime() is served by the vDSO. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

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

/* ------------------------------------------------------------------------ */
/* Size classes                                                             */
/* ------------------------------------------------------------------------ */

static struct dmaheap_pool_class *class_find(struct dmaheap_heap *heap,
					     size_t size, unsigned int *n)
{
	struct dmaheap_pool_class *c;

	*n = 0;
	c = atomic_load_explicit(&heap->pool_classes, memory_order_acquire);
	for (; c; c = c->next, (*n)++)
		if (c->size == size)
			return c;
	return NULL;
}

static struct dmaheap_pool_class *class_new(struct dmaheap_heap *heap,
					    size_t size)
{
	struct dmaheap_pool_class *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->heap = heap;
	c->size = size;
	return c;
}

/* The class of (@heap, @size), made if missing; NULL if the heap has too
 * many classes or memory ran out. */
static struct dmaheap_pool_class *class_get(struct dmaheap_pool *pool,
					    struct dmaheap_heap *heap,
					    size_t size)
{
	struct dmaheap_pool_class *c;
	unsigned int n;

	c = class_find(heap, size, &n);
	if (c)
		return c;
	pthread_mutex_lock(&pool->grow_lock);
	c = class_find(heap, size, &n);
	if (!c && n < MAX_CLASSES_PER_HEAP) {
		c = class_new(heap, size);
		if (c) {
			c->next = atomic_load(&heap->pool_classes);
			c->all_next = atomic_load(&pool->classes);
			atomic_store_explicit(&heap->pool_classes, c,
					      memory_order_release);
			atomic_store_explicit(&pool->classes, c,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&pool->grow_lock);
	return c;
}

/* ------------------------------------------------------------------------ */
/* Slots                                                                    */
/* ------------------------------------------------------------------------ */

static bool reserve_bytes(struct dmaheap_pool *pool, uint64_t bytes)
{
	uint64_t max = atomic_load_explicit(&pool->max_bytes,
					    memory_order_relaxed);
	uint_fast64_t cur = atomic_load_explicit(&pool->cached_bytes,
						 memory_order_relaxed);

	do {
		if (cur + bytes > max)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(
		&pool->cached_bytes, &cur, cur + bytes, memory_order_relaxed,
		memory_order_relaxed));
	return true;
}

static void unreserve_bytes(struct dmaheap_pool *pool, uint64_t bytes)
{
	atomic_fetch_sub_explicit(&pool->cached_bytes, bytes,
				  memory_order_relaxed);
}

/* Room for one more slot; called with the class locked. */
static bool slots_room(struct dmaheap_pool_class *c, unsigned int max)
{
	struct pool_slot *s;
	unsigned int cap;

	if (c->count >= max)
		return false;
	if (c->count < c->cap)
		return true;
	cap = c->cap ? c->cap * 2 : 4;
	if (cap > max)
		cap = max;
	s = realloc(c->slots, cap * sizeof(*s));
	if (!s)
		return false;
	c->slots = s;
	c->cap = cap;
	return true;
}

/* Caches @buf in @c within the limits; false if they are reached. */
static bool slot_push(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		      struct dmaheap_buf *buf, bool named)
{
	unsigned int max = atomic_load_explicit(&pool->max_buffers,
						memory_order_relaxed);
	bool ok;

	if (!reserve_bytes(pool, c->size))
		return false;
	pthread_mutex_lock(&c->lock);
	ok = slots_room(c, max);
	if (ok)
		c->slots[c->count++] = (struct pool_slot){
			.buf = buf, .since_ms = now_ms(), .named = named };
	atomic_store_explicit(&c->count_hint, c->count, memory_order_relaxed);
	pthread_mutex_unlock(&c->lock);
	if (!ok)
		unreserve_bytes(pool, c->size);
	return ok;
}

/* The newest slot (warmest in caches), or false when empty. */
static bool slot_pop_newest(struct dmaheap_pool *pool,
			    struct dmaheap_pool_class *c, struct pool_slot *out)
{
	bool ok;

	pthread_mutex_lock(&c->lock);
	ok = c->count > 0;
	if (ok)
		*out = c->slots[--c->count];
	atomic_store_explicit(&c->count_hint, c->count, memory_order_relaxed);
	pthread_mutex_unlock(&c->lock);
	if (ok)
		unreserve_bytes(pool, c->size);
	return ok;
}

/* What trimming may take from a class. */
enum victim_rule {
	VICTIM_ANY,      /* any slot */
	VICTIM_IDLE,     /* cached for the idle timeout or longer */
	VICTIM_OVER_MAX, /* beyond max_buffers */
};

static bool is_victim(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		      enum victim_rule rule, uint64_t now)
{
	unsigned int idle;

	switch (rule) {
	case VICTIM_ANY:
		return true;
	case VICTIM_IDLE:
		idle = atomic_load_explicit(&pool->idle_ms,
					    memory_order_relaxed);
		return idle && now - c->slots[0].since_ms >= idle;
	case VICTIM_OVER_MAX:
		return c->count > atomic_load_explicit(&pool->max_buffers,
						       memory_order_relaxed);
	}
	return false;
}

/* The oldest slot if @rule allows taking it. */
static bool slot_pop_oldest(struct dmaheap_pool *pool,
			    struct dmaheap_pool_class *c, enum victim_rule rule,
			    uint64_t now, struct dmaheap_buf **out)
{
	bool ok;

	pthread_mutex_lock(&c->lock);
	ok = c->count > 0 && is_victim(pool, c, rule, now);
	if (ok) {
		*out = c->slots[0].buf;
		memmove(&c->slots[0], &c->slots[1],
			--c->count * sizeof(c->slots[0]));
	}
	atomic_store_explicit(&c->count_hint, c->count, memory_order_relaxed);
	pthread_mutex_unlock(&c->lock);
	if (ok)
		unreserve_bytes(pool, c->size);
	return ok;
}

/* Closes the oldest buffers of @c that @rule allows; how many. */
static int class_trim(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		      enum victim_rule rule)
{
	uint64_t now = rule == VICTIM_IDLE ? now_ms() : 0;
	struct dmaheap_buf *buf;
	int n = 0;

	while (slot_pop_oldest(pool, c, rule, now, &buf)) {
		dmaheap_buf_release(buf);
		count(&c->c.released);
		n++;
	}
	return n;
}

/* The idle timeout, applied to one class on its own alloc and free. */
static void class_expire(struct dmaheap_pool *pool, struct dmaheap_pool_class *c)
{
	if (atomic_load_explicit(&pool->idle_ms, memory_order_relaxed))
		class_trim(pool, c, VICTIM_IDLE);
}

/* ------------------------------------------------------------------------ */
/* The safety check                                                         */
/* ------------------------------------------------------------------------ */

/* The numeric value of "@key:\t" in fdinfo text, or -1. */
static long fdinfo_long(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, len) == 0 && p[len] == ':')
			return strtol(p + len + 1, NULL, 10);
	}
	return -1;
}

/* Whether fdinfo's "name:" is exactly @name. */
static bool fdinfo_name_is(const char *text, const char *name)
{
	for (const char *p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, "name:", 5) == 0) {
			size_t len = strlen(name);

			p += 5;
			p += strspn(p, " \t");
			return strncmp(p, name, len) == 0 &&
			       (p[len] == '\n' || p[len] == '\0');
		}
	}
	return false;
}

/*
 * The fdinfo of @buf's fd. Its file stays open with the buffer: procfs
 * prints an fdinfo afresh on every read, and opening one costs a path walk
 * that allocates dentries (about ten times a pread under TCG). It holds no
 * reference to the dma-buf, only to this process.
 */
static int read_fdinfo(struct dmaheap_buf *buf, char *text, size_t len)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;
	char path[64];
	int r;

	if (buf->info_fd < 0) {
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", buf->fd);
		r = sys->open(sys, path, O_RDONLY | O_CLOEXEC, 0);
		if (r < 0)
			return r;
		buf->info_fd = r;
	}
	r = sys->pread(sys, buf->info_fd, text, len - 1, 0);
	if (r < 0)
		return r;
	text[r] = '\0';
	return 0;
}

/* The name auto-naming gives buffers of @heap. */
static void auto_name_of(const struct dmaheap_heap *heap,
			 char name[DMA_BUF_NAME_LEN])
{
	strncpy(name, heap->name, DMA_BUF_NAME_LEN - 1);
	name[DMA_BUF_NAME_LEN - 1] = '\0';
}

/*
 * 0 if @buf's fd is the only reference to its dma-buf; -EBUSY if anything
 * else holds it or the count cannot be read. *@named tells whether the
 * buffer still carries its heap's auto-name.
 */
static int check_sole_owner(struct dmaheap_buf *buf, bool *named)
{
	char text[FDINFO_MAX], name[DMA_BUF_NAME_LEN];
	int r = read_fdinfo(buf, text, sizeof(text));

	if (r) {
		dmaheap_log(buf->ctx, DMAHEAP_LOG_DEBUG,
			    "pool: fdinfo of fd %d: %s", buf->fd,
			    dmaheap_strerror(r));
		return -EBUSY;
	}
	if (fdinfo_long(text, "count") != 1)
		return -EBUSY;
	auto_name_of(buf->heap, name);
	*named = fdinfo_name_is(text, name);
	return 0;
}

/* 0 if no fence, read or write, is pending on @buf. Polled only after
 * check_sole_owner(): a poll that finds a fence holds a file reference
 * until it signals. */
static int check_no_fence(struct dmaheap_buf *buf)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;
	int r = sys->poll(sys, buf->fd, POLLOUT, 0);

	return r > 0 && (r & POLLOUT) ? 0 : -EBUSY;
}

static int zero_buffer(struct dmaheap_buf *buf)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;
	void *addr;
	int r;

	if (dmaheap_buf_props(buf) & DMAHEAP_PROP_PROTECTED)
		return -EPERM;
	r = sys->mmap(sys, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      buf->fd, 0, &addr);
	if (r)
		return r;
	r = dmaheap_sync_ioctl(sys, buf->fd,
			       DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	if (r == 0) {
		memset(addr, 0, buf->size);
		r = dmaheap_sync_ioctl(sys, buf->fd,
				       DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	}
	sys->munmap(sys, addr, buf->size);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Hooks                                                                    */
/* ------------------------------------------------------------------------ */

/* Gives a recycled buffer its heap's name back if the caller renamed it. */
static void rename_if_needed(struct dmaheap_ctx *ctx, const struct pool_slot *s,
			     unsigned int flags)
{
	char name[DMA_BUF_NAME_LEN];
	int r;

	if (s->named || (flags & DMAHEAP_ALLOC_NO_NAME) ||
	    (ctx->flags & DMAHEAP_CTX_NO_AUTONAME))
		return;
	auto_name_of(s->buf->heap, name);
	r = ctx->sys->ioctl(ctx->sys, s->buf->fd, DMA_BUF_SET_NAME, name);
	if (r)
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG, "pool: renaming fd %d: %s",
			    s->buf->fd, dmaheap_strerror(r));
}

bool dmaheap_pool_take(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		       size_t size, unsigned int flags,
		       struct dmaheap_buf **ret)
{
	struct dmaheap_pool *pool = pool_of(ctx);
	struct dmaheap_pool_class *c;
	struct pool_slot s;

	if (!pool_usable(pool) || (flags & DMAHEAP_ALLOC_FRESH))
		return false;
	c = class_get(pool, heap, size);
	if (!c) {
		count(&pool->unclassed.misses);
		return false;
	}
	class_expire(pool, c);
	if (!slot_pop_newest(pool, c, &s)) {
		count(&c->c.misses);
		return false;
	}
	count(&c->c.hits);
	rename_if_needed(ctx, &s, flags);
	dmaheap_ctx_ref(ctx);
	dmaheap_stats_alloc(ctx, heap, size, true);
	*ret = s.buf;
	return true;
}

/* A cheap look before the check's system calls; slot_push() decides. */
static bool has_room(struct dmaheap_pool *pool, struct dmaheap_pool_class *c)
{
	uint64_t bytes = atomic_load_explicit(&pool->cached_bytes,
					      memory_order_relaxed);
	unsigned int n = atomic_load_explicit(&c->count_hint,
					      memory_order_relaxed);

	return n < atomic_load_explicit(&pool->max_buffers,
					memory_order_relaxed) &&
	       bytes + c->size <= atomic_load_explicit(&pool->max_bytes,
						       memory_order_relaxed);
}

/* Why a freed buffer was not kept, or 0 if it may be. */
static int give_check(struct dmaheap_pool *pool, struct dmaheap_buf *buf,
		      bool *named)
{
	int r = check_sole_owner(buf, named);

	if (r)
		return r;
	r = check_no_fence(buf);
	if (r)
		return -EAGAIN;
	if (atomic_load_explicit(&pool->flags, memory_order_relaxed) &
	    DMAHEAP_POOL_ZERO)
		return zero_buffer(buf) ? -ENOSPC : 0;
	return 0;
}

/* Called by dmaheap_buf_free() with the buffer's accounting released;
 * @clean: the caller left no mapping or CPU access open (a buffer freed
 * while mapped may still be written through stale pointers, so it is never
 * recycled). True if the pool kept @buf. */
bool dmaheap_pool_give(struct dmaheap_buf *buf, bool clean)
{
	struct dmaheap_ctx *ctx = buf->ctx;
	struct dmaheap_pool *pool = pool_of(ctx);
	struct dmaheap_pool_class *c;
	bool named = false;
	int r;

	/* Only this buffer holds the context: nobody can allocate again. */
	if (!pool_usable(pool) || !buf->heap || atomic_load(&ctx->refs) <= 1)
		return false;
	c = class_get(pool, buf->heap, buf->size);
	if (!c) {
		count(&pool->unclassed.refused_full);
		return false;
	}
	class_expire(pool, c);
	if (!clean)
		r = -EBUSY;
	else
		r = has_room(pool, c) ? give_check(pool, buf, &named) : -ENOSPC;
	if (r == 0 && !slot_push(pool, c, buf, named))
		r = -ENOSPC;
	if (r == 0)
		count(&c->c.recycled);
	else if (r == -EBUSY)
		count(&c->c.refused_shared);
	else if (r == -EAGAIN)
		count(&c->c.refused_busy);
	else
		count(&c->c.refused_full);
	return r == 0;
}

/* ------------------------------------------------------------------------ */
/* Public functions                                                         */
/* ------------------------------------------------------------------------ */

static int check_pool_options(const struct dmaheap_ctx *ctx,
			      const struct dmaheap_pool_options *o)
{
	if (o->struct_size < sizeof(*o) || (o->flags & ~KNOWN_POOL_FLAGS))
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

/* Releases oldest buffers until the byte total is within the limit. */
static int trim_to_bytes(struct dmaheap_pool *pool)
{
	struct dmaheap_pool_class *c;
	struct dmaheap_buf *buf;
	bool progress = true;
	int n = 0;

	while (progress && atomic_load(&pool->cached_bytes) >
				   atomic_load(&pool->max_bytes)) {
		progress = false;
		for (c = first_class(pool); c; c = c->all_next) {
			if (atomic_load(&pool->cached_bytes) <=
			    atomic_load(&pool->max_bytes))
				break;
			if (slot_pop_oldest(pool, c, VICTIM_ANY, 0, &buf)) {
				dmaheap_buf_release(buf);
				count(&c->c.released);
				progress = true;
				n++;
			}
		}
	}
	return n;
}

static int trim_all(struct dmaheap_pool *pool, enum victim_rule rule)
{
	int n = 0;

	for (struct dmaheap_pool_class *c = first_class(pool); c;
	     c = c->all_next)
		n += class_trim(pool, c, rule);
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
		r = pool_get(ctx, &pool);
	if (r)
		return r;
	atomic_store(&pool->flags, opts->flags);
	atomic_store(&pool->max_bytes, opts->max_bytes);
	atomic_store(&pool->max_buffers, opts->max_buffers);
	atomic_store(&pool->idle_ms, opts->idle_ms);
	atomic_store(&pool->on, true);
	trim_all(pool, VICTIM_OVER_MAX);
	trim_to_bytes(pool);
	return 0;
}

/* Caches a buffer fresh from the kernel: never shared, already zeroed. */
static bool keep_fresh(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		       struct dmaheap_buf *buf, unsigned int flags)
{
	struct dmaheap_ctx *ctx = buf->ctx;
	bool named = !(flags & DMAHEAP_ALLOC_NO_NAME) &&
		     !(ctx->flags & DMAHEAP_CTX_NO_AUTONAME);

	if (!slot_push(pool, c, buf, named))
		return false;
	dmaheap_stats_release(ctx, buf->heap, buf->size);
	dmaheap_ctx_unref(ctx); /* the caller's reference keeps it alive */
	return true;
}

static unsigned int class_count(struct dmaheap_pool_class *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
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
	if (!pool_usable(pool))
		return -ENODEV;
	r = dmaheap_heap_lookup(ctx, heap, &h);
	if (r)
		return r;
	c = class_get(pool, h, rounded);
	if (!c)
		return -ENOSPC;
	while ((have = class_count(c)) < count) {
		r = dmaheap_alloc_checked(ctx, h->name, rounded,
					  flags | DMAHEAP_ALLOC_FRESH, &buf);
		if (r)
			break;
		if (!keep_fresh(pool, c, buf, flags)) {
			dmaheap_buf_release(buf);
			dmaheap_stats_release(ctx, h, rounded);
			dmaheap_ctx_unref(ctx);
			break;
		}
	}
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

static void counters_add(struct dmaheap_pool_stats *out,
			 const struct pool_counters *c)
{
	out->hits += atomic_load(&c->hits);
	out->misses += atomic_load(&c->misses);
	out->recycled += atomic_load(&c->recycled);
	out->refused_shared += atomic_load(&c->refused_shared);
	out->refused_busy += atomic_load(&c->refused_busy);
	out->refused_full += atomic_load(&c->refused_full);
	out->released += atomic_load(&c->released);
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
	if (!heap)
		counters_add(out, &pool->unclassed);
	for (struct dmaheap_pool_class *c = first_class(pool); c;
	     c = c->all_next) {
		unsigned int n;

		if (heap && strcmp(c->heap->name, heap) != 0)
			continue;
		counters_add(out, &c->c);
		n = class_count(c);
		out->cached_buffers += n;
		out->cached_bytes += (uint64_t)n * c->size;
	}
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
		for (unsigned int i = 0; i < c->count; i++)
			dmaheap_buf_release(c->slots[i].buf);
		free(c->slots);
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
	ctx->sys->munmap(ctx->sys, (void *)pool->fork_page, pool->page_size);
	pthread_mutex_destroy(&pool->grow_lock);
	free(pool);
}
