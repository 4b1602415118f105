/* SPDX-License-Identifier: MIT */
/* The recycling pool's size classes and their striped slots; see pool.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"

#define MAX_CLASSES_PER_HEAP 64

/* Not a system call: clock_gettime() is served by the vDSO. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct pool_counters *dmaheap_pool_counters(struct dmaheap_pool_class *c,
					    unsigned int stripe)
{
	return &c->stripes[stripe].c;
}

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
	struct dmaheap_pool_class *c;
	int i;

	/* The stripes' alignment is the class's: calloc's is not enough. */
	c = aligned_alloc(_Alignof(struct dmaheap_pool_class), sizeof(*c));
	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < POOL_STRIPES; i++) {
		if (pthread_mutex_init(&c->stripes[i].lock, NULL) != 0)
			break;
	}
	if (i < POOL_STRIPES) {
		while (i--)
			pthread_mutex_destroy(&c->stripes[i].lock);
		free(c);
		return NULL;
	}
	c->heap = heap;
	c->size = size;
	return c;
}

struct dmaheap_pool_class *dmaheap_pool_class_get(struct dmaheap_pool *pool,
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

/* Takes one of @max places of @counter; false if none is left. */
static bool reserve(atomic_uint_fast64_t *counter, uint64_t n, uint64_t max)
{
	uint_fast64_t cur = atomic_load_explicit(counter, memory_order_relaxed);

	do {
		if (cur + n > max)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(
		counter, &cur, cur + n, memory_order_relaxed,
		memory_order_relaxed));
	return true;
}

static bool reserve_slot(struct dmaheap_pool *pool,
			 struct dmaheap_pool_class *c)
{
	unsigned int max = atomic_load_explicit(&pool->max_buffers,
						memory_order_relaxed);
	unsigned int cur = atomic_load_explicit(&c->count,
						memory_order_relaxed);

	do {
		if (cur >= max)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(
		&c->count, &cur, cur + 1, memory_order_relaxed,
		memory_order_relaxed));
	if (reserve(&pool->cached_bytes, c->size,
		    atomic_load_explicit(&pool->max_bytes,
					 memory_order_relaxed)))
		return true;
	atomic_fetch_sub_explicit(&c->count, 1, memory_order_relaxed);
	return false;
}

static void unreserve_slots(struct dmaheap_pool *pool,
			    struct dmaheap_pool_class *c, unsigned int n)
{
	atomic_fetch_sub_explicit(&c->count, n, memory_order_relaxed);
	atomic_fetch_sub_explicit(&pool->cached_bytes, (uint64_t)n * c->size,
				  memory_order_relaxed);
}

static void unreserve_slot(struct dmaheap_pool *pool,
			   struct dmaheap_pool_class *c)
{
	unreserve_slots(pool, c, 1);
}

/* Gives back the reservations @c's stripes hold; false if none did. */
static bool class_drop_held(struct dmaheap_pool *pool,
			    struct dmaheap_pool_class *c)
{
	bool any = false;

	for (unsigned int i = 0; i < POOL_STRIPES; i++) {
		struct pool_stripe *s = &c->stripes[i];
		unsigned int held;

		/* One taken after this look is its thread's to use. */
		if (!atomic_load_explicit(&s->held, memory_order_relaxed))
			continue;
		pthread_mutex_lock(&s->lock);
		held = atomic_load_explicit(&s->held, memory_order_relaxed);
		atomic_store_explicit(&s->held, 0, memory_order_relaxed);
		pthread_mutex_unlock(&s->lock);
		unreserve_slots(pool, c, held);
		any |= held > 0;
	}
	return any;
}

bool dmaheap_pool_drop_held(struct dmaheap_pool *pool)
{
	struct dmaheap_pool_class *c;
	bool any = false;

	c = atomic_load_explicit(&pool->classes, memory_order_acquire);
	for (; c; c = c->all_next)
		any |= class_drop_held(pool, c);
	return any;
}

static bool room_left(struct dmaheap_pool *pool, struct dmaheap_pool_class *c)
{
	return atomic_load_explicit(&c->count, memory_order_relaxed) <
		       atomic_load_explicit(&pool->max_buffers,
					    memory_order_relaxed) &&
	       atomic_load_explicit(&pool->cached_bytes,
				    memory_order_relaxed) + c->size <=
		       atomic_load_explicit(&pool->max_bytes,
					    memory_order_relaxed);
}

/* A look before the safety check's system calls; the push decides. A
 * reservation this thread's stripe holds is room. */
bool dmaheap_pool_room(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		       unsigned int stripe)
{
	if (atomic_load_explicit(&c->stripes[stripe].held,
				 memory_order_relaxed))
		return true;
	return room_left(pool, c) ||
	       (dmaheap_pool_drop_held(pool) && room_left(pool, c));
}

/* Room for one more slot in @s; called with it locked. */
static bool stripe_grow(struct pool_stripe *s)
{
	struct pool_slot *v;
	unsigned int cap;

	if (s->count < s->cap)
		return true;
	cap = s->cap ? s->cap * 2 : 4;
	v = realloc(s->slots, cap * sizeof(*v));
	if (!v)
		return false;
	s->slots = v;
	s->cap = cap;
	return true;
}

/* Puts @slot on top of @s; called with it locked and grown. */
static void stripe_put(struct pool_stripe *s, const struct pool_slot *slot,
		       uint64_t stamp)
{
	s->slots[s->count] = *slot;
	s->slots[s->count++].since_ms = stamp;
}

/* A push onto a reservation @s holds; false if it holds none. */
static bool push_held(struct pool_stripe *s, const struct pool_slot *slot,
		      uint64_t stamp)
{
	unsigned int held;
	bool ok = false;

	if (!atomic_load_explicit(&s->held, memory_order_relaxed))
		return false;
	pthread_mutex_lock(&s->lock);
	held = atomic_load_explicit(&s->held, memory_order_relaxed);
	if (held && stripe_grow(s)) {
		stripe_put(s, slot, stamp);
		atomic_store_explicit(&s->held, held - 1,
				      memory_order_relaxed);
		ok = true;
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

bool dmaheap_pool_push(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		       const struct pool_slot *slot, unsigned int stripe)
{
	struct pool_stripe *s = &c->stripes[stripe];
	/* The clock only with a timeout: it is a tenth of a hit's cost. */
	uint64_t stamp = atomic_load_explicit(&pool->idle_ms,
					      memory_order_relaxed) ?
				 now_ms() : 0;
	bool ok;

	if (push_held(s, slot, stamp))
		return true;
	/* At a limit, maybe only because of what other stripes hold. */
	if (!reserve_slot(pool, c) &&
	    !(dmaheap_pool_drop_held(pool) && reserve_slot(pool, c)))
		return false;
	pthread_mutex_lock(&s->lock);
	ok = stripe_grow(s);
	if (ok)
		stripe_put(s, slot, stamp);
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		unreserve_slot(pool, c);
	return ok;
}

/* The newest slot of this thread's stripe (warmest in caches), else of
 * another; false when the class is empty. */
bool dmaheap_pool_pop(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		      struct pool_slot *out, unsigned int stripe)
{
	unsigned int first = stripe;

	if (!atomic_load_explicit(&c->count, memory_order_relaxed))
		return false;
	for (unsigned int i = 0; i < POOL_STRIPES; i++) {
		struct pool_stripe *s = &c->stripes[(first + i) % POOL_STRIPES];
		unsigned int held = 0;
		bool ok;

		pthread_mutex_lock(&s->lock);
		ok = s->count > 0;
		if (ok) {
			*out = s->slots[--s->count];
			/* Held for this thread's next push: its own stripe
			 * is where that goes. */
			held = atomic_load_explicit(&s->held,
						    memory_order_relaxed);
			if (i == 0 && held < POOL_HELD_MAX)
				atomic_store_explicit(&s->held, ++held,
						      memory_order_relaxed);
			else
				held = 0;
		}
		pthread_mutex_unlock(&s->lock);
		if (ok) {
			if (!held)
				unreserve_slot(pool, c);
			return true;
		}
	}
	return false;
}

static bool is_victim(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		      struct pool_stripe *s, enum victim_rule rule,
		      uint64_t now)
{
	unsigned int idle;

	switch (rule) {
	case VICTIM_ANY:
		return true;
	case VICTIM_IDLE:
		idle = atomic_load_explicit(&pool->idle_ms,
					    memory_order_relaxed);
		if (!idle)
			return false;
		/* Cached while no timeout was set: its idle time starts now. */
		if (!s->slots[0].since_ms) {
			s->slots[0].since_ms = now;
			return false;
		}
		return now - s->slots[0].since_ms >= idle;
	case VICTIM_OVER_MAX:
		return atomic_load(&c->count) >
		       atomic_load_explicit(&pool->max_buffers,
					    memory_order_relaxed);
	case VICTIM_OVER_BYTES:
		return atomic_load(&pool->cached_bytes) >
		       atomic_load_explicit(&pool->max_bytes,
					    memory_order_relaxed);
	}
	return false;
}

/* The oldest slot of some stripe if @rule allows taking it; *@from is
 * that stripe. */
static bool pop_oldest(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		       enum victim_rule rule, uint64_t now,
		       struct dmaheap_buf **out, struct pool_stripe **from)
{
	/* The count is reserved before a push and given back after a pop,
	 * so at 0 no stripe holds a slot: no need to lock them all. */
	if (!atomic_load_explicit(&c->count, memory_order_relaxed))
		return false;
	for (unsigned int i = 0; i < POOL_STRIPES; i++) {
		struct pool_stripe *s = &c->stripes[i];
		bool ok;

		pthread_mutex_lock(&s->lock);
		ok = s->count > 0 && is_victim(pool, c, s, rule, now);
		if (ok) {
			*out = s->slots[0].buf;
			memmove(&s->slots[0], &s->slots[1],
				--s->count * sizeof(s->slots[0]));
		}
		pthread_mutex_unlock(&s->lock);
		if (ok) {
			unreserve_slot(pool, c);
			*from = s;
			return true;
		}
	}
	return false;
}

/* Closes the oldest buffers of @c that @rule allows; how many. */
int dmaheap_pool_class_trim(struct dmaheap_pool *pool,
			    struct dmaheap_pool_class *c, enum victim_rule rule)
{
	uint64_t now = rule == VICTIM_IDLE ? now_ms() : 0;
	struct pool_stripe *from;
	struct dmaheap_buf *buf;
	int n = 0;

	while (pop_oldest(pool, c, rule, now, &buf, &from)) {
		dmaheap_buf_release(buf);
		pool_count(&from->c.released);
		n++;
	}
	return n;
}

/* Buffers @c caches: its count less the reservations held. */
unsigned int dmaheap_pool_class_count(struct dmaheap_pool_class *c)
{
	unsigned int n = 0;

	for (int i = 0; i < POOL_STRIPES; i++) {
		struct pool_stripe *s = &c->stripes[i];

		pthread_mutex_lock(&s->lock);
		n += s->count;
		pthread_mutex_unlock(&s->lock);
	}
	return n;
}

void dmaheap_pool_counters_add(struct dmaheap_pool_stats *out,
			       struct pool_counters *c)
{
	out->refused_shared += atomic_load(&c->refused_shared);
	out->refused_busy += atomic_load(&c->refused_busy);
	out->refused_full += atomic_load(&c->refused_full);
	out->released += atomic_load(&c->released);
}

void dmaheap_pool_class_stats(struct dmaheap_pool_class *c,
			      struct dmaheap_pool_stats *out)
{
	unsigned int n = dmaheap_pool_class_count(c);

	for (int i = 0; i < POOL_STRIPES; i++)
		dmaheap_pool_counters_add(out, &c->stripes[i].c);
	out->cached_buffers += n;
	out->cached_bytes += (uint64_t)n * c->size;
}

/* With the context: every cached buffer closed. */
void dmaheap_pool_class_free(struct dmaheap_pool_class *c)
{
	for (int i = 0; i < POOL_STRIPES; i++) {
		struct pool_stripe *s = &c->stripes[i];

		for (unsigned int j = 0; j < s->count; j++)
			dmaheap_buf_release(s->slots[j].buf);
		free(s->slots);
		pthread_mutex_destroy(&s->lock);
	}
	free(c);
}
