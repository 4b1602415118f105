/* SPDX-License-Identifier: MIT */
/*
 * The recycling pool's internals, shared by pool.c (the hooks into
 * allocation and free, the public functions), class.c (size classes
 * and their slots) and check.c (the safety check). No other folder
 * includes this: what allocation and free call of the pool is declared in
 * core/core.h.
 *
 * Locking: a size class keeps its buffers in POOL_STRIPES stripes, each
 * with its own mutex, held only to push or pop a slot. A thread pushes to
 * and pops from its own stripe first (dmaheap_pool_stripe()): the first
 * POOL_STRIPES threads to use the context each have one of their own, so
 * they do not meet on a lock; a pop moves on to the other stripes when
 * its own is empty. Classes hang off
 * their heap in an append-only list read without a lock; creating one
 * takes the pool's grow_lock. The buffers and bytes cached are atomic
 * counters, reserved before a push. Closing, zeroing and the check's system
 * calls run outside every lock.
 *
 * Those two counters are the only lines every thread would write, so a
 * pop from a thread's own stripe keeps its reservation there ("held") for
 * the stripe's next push, and a thread that takes a buffer and gives it
 * back writes neither. The counters then count held reservations as well
 * as cached buffers, so they never undercount and the limits hold; when
 * a reservation or a trim finds a limit reached, the held ones are given
 * back first (dmaheap_pool_drop_held()). What is cached is counted from
 * the stripes.
 *
 * A slot says what was true when its buffer was cached: the fork
 * generation then (fork.c), whether it was zeroed, and its name. A
 * hit redoes the check if the process has forked since, zeroes it if the
 * pool zeroes and it was not, and renames it to what the new request
 * asks, so none of that depends on the order of calls.
 */
#ifndef DMAHEAP_POOL_H
#define DMAHEAP_POOL_H

#include "core/core.h"
#include "core/uapi.h"

#define POOL_STRIPES 8
/* Reservations a stripe may hold: a thread that takes up to this many
 * buffers before giving them back makes no shared write. */
#define POOL_HELD_MAX 4
/* An fdinfo of a dma-buf is about 150 bytes; room for a long name. */
#define POOL_FDINFO_MAX 1024

/* The rarer outcomes. Hits, misses and buffers kept are counted in the
 * thread's own shard of the heap (struct dmaheap_shard), as they come
 * with every allocation and free the pool serves. */
struct pool_counters {
	atomic_uint_fast64_t refused_shared;
	atomic_uint_fast64_t refused_busy;
	atomic_uint_fast64_t refused_full;
	atomic_uint_fast64_t released;
};

/* What a cached buffer's fdinfo said of its name. */
enum pool_name {
	POOL_NAME_NONE,  /* none, or the empty name */
	POOL_NAME_AUTO,  /* its heap's auto-name */
	POOL_NAME_OTHER, /* a name its last user gave it */
};

struct pool_slot {
	struct dmaheap_buf *buf;
	uint64_t since_ms;     /* when it was cached; set by the push */
	unsigned int fork_gen; /* dmaheap_pool_fork_gen() before its check */
	unsigned char name;    /* enum pool_name */
	bool zeroed;           /* holds nothing of its last user */
};

struct pool_stripe {
	/* A cache line of its own: stripes exist to be used in parallel. */
	_Alignas(64) pthread_mutex_t lock; /* guards the slots */
	struct pool_slot *slots;           /* oldest first */
	unsigned int count;
	unsigned int cap;
	/* Reservations kept from pops for the next pushes; written with
	 * the lock held, read without it. */
	atomic_uint held;
	struct pool_counters c; /* of the threads that use this stripe */
};

struct dmaheap_pool_class {
	struct dmaheap_pool_class *next;     /* same heap */
	struct dmaheap_pool_class *all_next; /* whole pool */
	struct dmaheap_heap *heap;
	size_t size;
	atomic_uint count; /* slots in all stripes; reserved before a push */
	struct pool_stripe stripes[POOL_STRIPES];
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
};

/* What trimming may take from a class. */
enum victim_rule {
	VICTIM_ANY,      /* any slot */
	VICTIM_IDLE,     /* cached for the idle timeout or longer */
	VICTIM_OVER_MAX, /* beyond max_buffers */
	VICTIM_OVER_BYTES, /* beyond max_bytes */
};

static inline void pool_count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* class.c */
struct dmaheap_pool_class *dmaheap_pool_class_get(struct dmaheap_pool *pool,
						  struct dmaheap_heap *heap,
						  size_t size);
/*
 * The stripe of the thread whose shard of @ctx is @i: by the order in
 * which threads first used the context, so the first POOL_STRIPES
 * threads never share one (a hash of their ids would put two of them on
 * one stripe about once in eight). The @stripe arguments below are the
 * calling thread's, from here.
 */
static inline unsigned int dmaheap_pool_stripe(struct dmaheap_ctx *ctx,
					       unsigned int i)
{
	return dmaheap_shard_order(ctx, i) % POOL_STRIPES;
}
struct pool_counters *dmaheap_pool_counters(struct dmaheap_pool_class *c,
					    unsigned int stripe);
bool dmaheap_pool_room(struct dmaheap_pool *pool,
		       struct dmaheap_pool_class *c, unsigned int stripe);
bool dmaheap_pool_push(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		       const struct pool_slot *slot, unsigned int stripe);
bool dmaheap_pool_pop(struct dmaheap_pool *pool, struct dmaheap_pool_class *c,
		      struct pool_slot *out, unsigned int stripe);
int dmaheap_pool_class_trim(struct dmaheap_pool *pool,
			    struct dmaheap_pool_class *c,
			    enum victim_rule rule);
bool dmaheap_pool_drop_held(struct dmaheap_pool *pool);
unsigned int dmaheap_pool_class_count(struct dmaheap_pool_class *c);
void dmaheap_pool_class_stats(struct dmaheap_pool_class *c,
			      struct dmaheap_pool_stats *out);
void dmaheap_pool_counters_add(struct dmaheap_pool_stats *out,
			       struct pool_counters *c);
void dmaheap_pool_class_free(struct dmaheap_pool_class *c);

/* check.c */
void dmaheap_pool_auto_name(const struct dmaheap_heap *heap,
			    char name[DMA_BUF_NAME_LEN]);
int dmaheap_pool_check_sole_owner(struct dmaheap_buf *buf,
				  enum pool_name *name);
int dmaheap_pool_check_no_fence(struct dmaheap_buf *buf);
int dmaheap_pool_zero(struct dmaheap_buf *buf);

/* fork.c */
int dmaheap_pool_fork_watch(void);
unsigned int dmaheap_pool_fork_gen(void);

#endif /* DMAHEAP_POOL_H */
