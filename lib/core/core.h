/* SPDX-License-Identifier: MIT */
/*
 * What core/ offers the library's other folders: the context, heaps,
 * buffers and the calls that make them. policy/, pool/, image/ and stat/
 * include this; core/ includes no header of theirs (lib/README.md).
 */
#ifndef DMAHEAP_CORE_H
#define DMAHEAP_CORE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dmaheap.h"
#include "sys.h"

#if defined(__GNUC__)
#define DMAHEAP_PRINTF(a, b) __attribute__((format(printf, a, b)))
/* A rare path out of line, so the hot one needs no saved registers. */
#define DMAHEAP_COLD __attribute__((cold, noinline))
#define DMAHEAP_INLINE inline __attribute__((always_inline))
#define DMAHEAP_UNLIKELY(x) __builtin_expect(!!(x), 0)
/*
 * On the way of an allocation and a free: starts at a cache line. Their
 * speed around a system call depends on where their code falls in the
 * lines (a change elsewhere in the library that moved them cost 0.015x
 * of an alloc+free; BENCHMARKS.md, "Where the time goes"); aligned, a
 * function's layout no longer depends on the code before it.
 */
#define DMAHEAP_HOT __attribute__((aligned(64)))
#else
#define DMAHEAP_PRINTF(a, b)
#define DMAHEAP_COLD
#define DMAHEAP_INLINE inline
#define DMAHEAP_UNLIKELY(x) (x)
#define DMAHEAP_HOT
#endif

/* The pseudo-heap backed by memfds and the udmabuf device. */
#define DMAHEAP_UDMABUF "udmabuf"

/* Shards of the accounting, so threads allocating at once write different
 * cache lines (tally.c): a thread owns one of the first 32, found
 * from its id, or, when none near that is free, uses the last, shared. */
#define DMAHEAP_SHARDS 33
#define DMAHEAP_SHARD_SHARED (DMAHEAP_SHARDS - 1)

/* One thread's share of a heap's (or the context's) figures; the figures
 * are the sums. An owned shard's counters have one writer, its thread,
 * which updates them with plain loads and stores; the shared shard's are
 * updated with atomic read-modify-writes. Atomic types either way, since
 * readers load them while they change. */
struct dmaheap_shard {
	_Atomic(int64_t) live_bytes; /* negative: more freed here than made */
	/* live_bytes may rise to this without a look at the peak: the
	 * budgets of all shards add up to at most the peak. */
	_Atomic(int64_t) budget;
	_Atomic(uint64_t) allocations;
	_Atomic(int64_t) live_buffers;
	/* Context only: references taken ahead for buffers, or closed
	 * once the context is freed (context.c)... */
	atomic_uint refs;
	/* ...threads of this shard reading a usage plan (usage.c)... */
	atomic_uint plan_readers;
	/* ...a freed buffer object kept for the next (buffer.c)... */
	_Atomic(struct dmaheap_buf *) spare;
	/* ...and the plain heap its threads last found by name: a hint,
	 * checked by name and generation on use (resolve.c). */
	_Atomic(struct dmaheap_heap *) last_heap;
	/* Context only: the id of the thread that owns this shard, or 0,
	 * and how many shards were claimed before it (dmaheap_shard_order()). */
	_Atomic(uintptr_t) owner;
	atomic_uint order;
	/* Heaps only: the pool's hits, misses and buffers kept (pool.c). */
	_Atomic(uint64_t) pool_hits;
	_Atomic(uint64_t) pool_misses;
	_Atomic(uint64_t) pool_recycled;
};

/* 256 bytes a shard, of which the fields take 96: with any alignment of
 * the array, two lines at least lie between two shards' fields, so no
 * 64-byte line and no prefetched pair of lines holds both. */
union dmaheap_shard_slot {
	struct dmaheap_shard s;
	char line[256];
};

/* Accounting of one heap, or of all heaps of a context. */
struct dmaheap_counters {
	atomic_bool used; /* an allocation was tried: there are figures */
	_Atomic(uint64_t) failures;
	_Atomic(uint64_t) peak_bytes; /* written under ctx->stats_lock */
	int64_t budgets; /* the sum of the shards' budgets; same lock */
	char gap[64];	 /* keeps shard 0 off the lines of the above */
	union dmaheap_shard_slot shard[DMAHEAP_SHARDS];
};

/*
 * A heap node the context has opened. Entries live as long as the context,
 * so buffers may point at them. The list is only ever prepended to, under
 * ctx->lock, and published with a release store: readers walk it without a
 * lock.
 */
struct dmaheap_heap {
	struct dmaheap_heap *next;
	int fd;
	bool udmabuf;
	/* Whether the kernel charges its buffers to the caller's memcg,
	 * read when first needed (memcg.c): 0 not yet, 1 no, 2 yes. */
	atomic_int memcg;
	atomic_uint limit_mib; /* udmabuf's size_limit_mb as last read; 0: unknown */
	atomic_uint props;   /* enum dmaheap_heap_props; set_heap_props updates */
	/* The policy generation at which this name was last seen not to be
	 * an alias; 0: never. Lets a plain name skip the policy. */
	_Atomic(uint64_t) plain_gen;
	struct dmaheap_counters stats;
	/* Whether auto-naming must cut the name (alloc.c): 0 not yet
	 * known, 1 no, 2 yes. */
	atomic_uchar name_cut;
	/* Recycling pool size classes of this heap (pool.c); append-only. */
	_Atomic(struct dmaheap_pool_class *) pool_classes;
	/* Frees the pool refused for a size beyond those classes (pool.c):
	 * rare, so one counter the threads share. */
	atomic_uint_fast64_t pool_unclassed_full;
	char name[];
};

/* What an alias resolved to at generation @gen, remembered so that later
 * allocations make no open() and take no lock. Same list discipline as
 * struct dmaheap_heap. */
struct dmaheap_resolved {
	struct dmaheap_resolved *next;
	_Atomic(struct dmaheap_heap *) heap; /* NULL: no member was usable */
	atomic_int err;			     /* ...and this is why */
	_Atomic(uint64_t) gen;		     /* 0: nothing remembered */
	char name[];
};

/* Open addressing over names; see index.c. */
struct dmaheap_index_slot {
	const char *key; /* NULL: empty */
	void *entry;
};

struct dmaheap_index {
	struct dmaheap_index_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

uint32_t dmaheap_name_hash(const char *s);
void *dmaheap_index_find(const struct dmaheap_index *ix, const char *key);
int dmaheap_index_put(struct dmaheap_index *ix, const char *key, void *entry);
void dmaheap_index_del(struct dmaheap_index *ix, const char *key);
void dmaheap_index_clear(struct dmaheap_index *ix);

/* An owned list of distinct strings, in insertion order, with a hash
 * index so that adding is not quadratic. */
struct dmaheap_names {
	size_t n;
	char **v;
	size_t cap;		    /* of v */
	struct dmaheap_index index; /* built by dmaheap_names_add() only */
};

/* One plan slot per combination of the CPU and requirement bits (the
 * usage bits of 0.1), in a row per combination of device bits: row 0 is
 * in the context, the others are made on first use. Plans are policy/'s
 * (usage.c); the context only holds them. */
#define DMAHEAP_USAGE_SLOTS 128
#define DMAHEAP_DEVICE_ROWS 64
struct dmaheap_plan;

/*
 * The policy's state (policy/). It is here because the context embeds it;
 * policy/ alone writes it, and of it core/ reads only the aliases: to
 * resolve a name (resolve.c) and to list them (heap.c).
 */
struct dmaheap_rule;
struct dmaheap_propdef;

struct dmaheap_alias {
	struct dmaheap_alias *next;
	struct dmaheap_alias *prev;
	struct dmaheap_names members;
	char name[];
};

/* Everything dmaheap_alloc_usage() decides with; guarded by ctx->lock. */
struct dmaheap_policy {
	struct dmaheap_alias *aliases;
	struct dmaheap_rule *api_rules;  /* newest first */
	struct dmaheap_rule *file_rules; /* file order */
	struct dmaheap_rule *file_last;  /* where the next file rule goes */
	struct dmaheap_propdef *props;
	struct dmaheap_index alias_index;  /* name -> struct dmaheap_alias */
	struct dmaheap_index member_index; /* name -> struct dmaheap_member */
	struct dmaheap_index prop_index;   /* name -> struct dmaheap_propdef */
	/* Devices whose IOMMU was declared (device.c), and of those the
	 * ones that need contiguous memory; then what the probe found. */
	unsigned int devices_declared;
	unsigned int devices_contiguous;
	atomic_bool probed;
	unsigned int probed_contiguous;
};

struct dmaheap_ctx {
	atomic_uint refs;
	/* Guards the policy, plans, and additions to heaps and resolved.
	 * Allocation from a heap already open does not take it. */
	pthread_mutex_t lock;
	const struct dmaheap_sys *sys;
	dmaheap_log_fn log_fn;
	void *log_userdata;
	int log_priority;
	unsigned int flags;
	size_t page_size;
	uint64_t ram_bytes;
	_Atomic(struct dmaheap_heap *) heaps;
	_Atomic(struct dmaheap_resolved *) resolved;
	/* The same entries by alias name, for additions (under lock). */
	struct dmaheap_index resolved_index;
	/* Bumped, under lock, by every policy change and rescan: what was
	 * remembered at another generation is looked up again. */
	_Atomic(uint64_t) gen;
	_Atomic(uint64_t) lookup_failures; /* on heaps that could not open */
	/* Set by dmaheap_ctx_free(): the caller's reference is gone. */
	atomic_bool closed;
	atomic_uint shard_claims; /* shards claimed so far (tally.c) */
	/* Serialises the accounting's slow path (tally.c). */
	pthread_mutex_t stats_lock;
	/* Live bytes of all heaps, for the total's peak; its shards also
	 * hold the references taken ahead for buffers. */
	struct dmaheap_counters total;
	/* Read without the lock; written under it (usage.c). */
	_Atomic(struct dmaheap_plan *) plans[DMAHEAP_USAGE_SLOTS];
	/* [0] unused; a row is made on first use and kept. */
	_Atomic(_Atomic(struct dmaheap_plan *) *) device_plans[DMAHEAP_DEVICE_ROWS];
	/* Plans replaced while someone may still read them; under lock. */
	struct dmaheap_plan *retired_plans;
	/* How plan readers are ordered against a replacement (usage.c):
	 * chosen under lock before the first plan, then kept. */
	atomic_int plan_barrier;
	_Atomic(atomic_ulong *) dmabuf_fds; /* bit per fd number; see sync.c */
	struct dmaheap_policy policy;
	char *udmabuf_dev;
	/* The missing heap directory was logged (node.c): once. */
	atomic_bool dir_missing_told;
	/* Set once by dmaheap_ctx_set_pool(), freed with the context. */
	_Atomic(struct dmaheap_pool *) pool;
	char dir[];
};

struct dmaheap_buf {
	struct dmaheap_ctx *ctx;
	struct dmaheap_heap *heap; /* NULL for imports */
	int fd;
	int prot;
	size_t size;
	/* Guards everything below; made on first use (dmaheap_buf_lock()),
	 * since most buffers are freed without ever needing it. */
	pthread_mutex_t lock;
	void *addr;
	unsigned int map_refs;
	unsigned int reads;  /* open begins covering READ */
	unsigned int writes; /* open begins covering WRITE */
	int info_fd; /* its /proc/self/fdinfo file, kept by the pool; or -1 */
	/* For a received import: the heap and properties its sender
	 * described (handoff.c); NULL and 0 otherwise. */
	char *origin_heap;
	unsigned int origin_props;
	atomic_int lock_state; /* enum buf_lock_state (buffer.c) */
};

/* memcg.c: smaller allocations are not checked (no file is read for
 * them); see DMAHEAP_PROP_MEMCG in dmaheap.h. */
#define DMAHEAP_MEMCG_CHECK_MIN ((size_t)1 << 20)
bool dmaheap_memcg_heap_charged(struct dmaheap_ctx *ctx,
				struct dmaheap_heap *heap);
int dmaheap_memcg_check(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			size_t size);

/* buffer.c */
void dmaheap_buf_lock(struct dmaheap_buf *buf);
void dmaheap_buf_unlock(struct dmaheap_buf *buf);

/* context.c */
void dmaheap_ctx_ref(struct dmaheap_ctx *ctx);
void dmaheap_ctx_unref(struct dmaheap_ctx *ctx);
/* What dmaheap_ctx_ref_at() and dmaheap_ctx_unref_at() (below) do when
 * their one try fails. */
void dmaheap_ctx_ref_slow(struct dmaheap_ctx *ctx, unsigned int i);
void dmaheap_ctx_unref_slow(struct dmaheap_ctx *ctx, unsigned int i);
void dmaheap_log(struct dmaheap_ctx *ctx, int priority, const char *fmt, ...)
	DMAHEAP_PRINTF(3, 4);
void dmaheap_ctx_bump_gen_locked(struct dmaheap_ctx *ctx);
int dmaheap_struct_size_check(const void *src, size_t size, size_t first,
			      size_t known);

/* tally.c */
unsigned int dmaheap_shard_claim(struct dmaheap_ctx *ctx, uintptr_t id,
				 unsigned int home);

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DMAHEAP_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define DMAHEAP_TSAN 1
#endif

/*
 * A sequentially consistent fence. On x86-64 a locked add to the stack:
 * gcc's atomic_thread_fence(memory_order_seq_cst) is that already, but
 * clang's is mfence, which cost 0.07x of a 4 KiB alloc+free on the AMD
 * machine of BENCHMARKS.md. Any locked instruction orders all earlier
 * loads and stores before all later ones on x86. ThreadSanitizer cannot
 * see the asm, so it gets the C11 fence.
 */
static inline void dmaheap_fence(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DMAHEAP_TSAN)
	__asm__ __volatile__("lock orq $0, (%%rsp)" ::: "memory", "cc");
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* Unique among live threads: the thread pointer where the compiler reads
 * it (one instruction), else pthread_self() (a call into libc). */
static inline uintptr_t dmaheap_thread_id(void)
{
#if defined(__has_builtin) && (defined(__x86_64__) || defined(__aarch64__))
#if __has_builtin(__builtin_thread_pointer)
	return (uintptr_t)__builtin_thread_pointer();
#endif
#endif
	return (uintptr_t)pthread_self();
}

/*
 * The shard of @ctx the calling thread owns (found first at its id's home,
 * else claimed by dmaheap_shard_claim()), or DMAHEAP_SHARD_SHARED. Inline:
 * every allocation and every free asks.
 */
static inline unsigned int dmaheap_shard_index(struct dmaheap_ctx *ctx)
{
	uintptr_t id = dmaheap_thread_id();
	/* Thread ids are addresses a stack apart: mix their bits. */
	unsigned int home = (unsigned int)(((uint64_t)id *
					    UINT64_C(0x9e3779b97f4a7c15)) >>
					   59);

	if (atomic_load_explicit(&ctx->total.shard[home].s.owner,
				 memory_order_relaxed) == id)
		return home;
	return dmaheap_shard_claim(ctx, id, home);
}

/*
 * Of the calling thread's shard @i: 0 for the first thread that claimed
 * one, 1 for the next, and so on, so that a structure striped by it puts
 * the first threads on different stripes; a hash of the thread's id for
 * DMAHEAP_SHARD_SHARED. Inline: the pool asks on every hit and free.
 */
static inline unsigned int dmaheap_shard_order(struct dmaheap_ctx *ctx,
					       unsigned int i)
{
	uint64_t id;

	if (i != DMAHEAP_SHARD_SHARED)
		return atomic_load_explicit(&ctx->total.shard[i].s.order,
					    memory_order_relaxed);
	id = dmaheap_thread_id();
	return (unsigned int)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 32);
}

/* A context's references in its shards (context.c): closed once the
 * context is freed; a shard holds up to 2 * DMAHEAP_REFS_BATCH ahead. */
#define DMAHEAP_REFS_CLOSED (1u << 31)
#define DMAHEAP_REFS_BATCH 64u

/*
 * A reference to @ctx for a buffer, from shard @i (dmaheap_shard_index())
 * of the caller, who holds one. Inline, one try: a thread that allocates
 * and frees in turn always finds its shard with references to spare.
 */
static DMAHEAP_INLINE void dmaheap_ctx_ref_at(struct dmaheap_ctx *ctx,
					      unsigned int i)
{
	atomic_uint *shard = &ctx->total.shard[i].s.refs;
	unsigned int v = atomic_load_explicit(shard, memory_order_relaxed);

	if (DMAHEAP_UNLIKELY(v == 0 || (v & DMAHEAP_REFS_CLOSED) ||
			     !atomic_compare_exchange_weak_explicit(
				     shard, &v, v - 1, memory_order_relaxed,
				     memory_order_relaxed)))
		dmaheap_ctx_ref_slow(ctx, i);
}

/* Gives back a buffer's reference to @ctx, into shard @i; the context
 * may be gone when it returns. */
static DMAHEAP_INLINE void dmaheap_ctx_unref_at(struct dmaheap_ctx *ctx,
						unsigned int i)
{
	atomic_uint *shard = &ctx->total.shard[i].s.refs;
	unsigned int v = atomic_load_explicit(shard, memory_order_relaxed);

	/* Release: whoever gives it back to ctx->refs sees our writes. */
	if (DMAHEAP_UNLIKELY((v & DMAHEAP_REFS_CLOSED) ||
			     v >= 2 * DMAHEAP_REFS_BATCH ||
			     !atomic_compare_exchange_weak_explicit(
				     shard, &v, v + 1, memory_order_release,
				     memory_order_relaxed)))
		dmaheap_ctx_unref_slow(ctx, i);
}
void dmaheap_stats_alloc(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			 uint64_t bytes, bool live);
void dmaheap_stats_fail(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap);
/* Adds one to @counter of shard @i, which the caller got from
 * dmaheap_shard_index(). */
void dmaheap_shard_count(_Atomic(uint64_t) *counter, unsigned int i);
void dmaheap_stats_release(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			   uint64_t bytes);
void dmaheap_counters_read(const struct dmaheap_counters *c,
			   struct dmaheap_stats *out);

/* heap.c */
bool dmaheap_heap_name_valid(const char *name);
struct dmaheap_heap *dmaheap_heap_find(struct dmaheap_ctx *ctx,
				       const char *name);
int dmaheap_heap_get_locked(struct dmaheap_ctx *ctx, const char *name,
			    struct dmaheap_heap **ret);
int dmaheap_heap_get(struct dmaheap_ctx *ctx, const char *name,
		     struct dmaheap_heap **ret);
int dmaheap_info_list(struct dmaheap_ctx *ctx, char *const names[], size_t n,
		      struct dmaheap_heap_info **ret);

/* resolve.c */
int dmaheap_heap_lookup_cached(struct dmaheap_ctx *ctx, const char *name,
			       struct dmaheap_heap **ret);
/* dmaheap_heap_lookup_cached_at() past the thread's last heap: what the
 * context remembers for @name at its current generation. */
int dmaheap_heap_lookup_remembered(struct dmaheap_ctx *ctx, const char *name,
				   unsigned int i, struct dmaheap_heap **ret);

/*
 * dmaheap_heap_lookup_cached(), for a thread whose shard index @i is
 * already known. Inline for allocation: a thread asking for the name it
 * asked for last, the common case, finds its heap in its shard with one
 * comparison of names, no walk of the list.
 */
static inline int dmaheap_heap_lookup_cached_at(struct dmaheap_ctx *ctx,
						const char *name,
						unsigned int i,
						struct dmaheap_heap **ret)
{
	uint64_t gen = atomic_load_explicit(&ctx->gen, memory_order_acquire);
	struct dmaheap_heap *h = atomic_load_explicit(
		&ctx->total.shard[i].s.last_heap, memory_order_acquire);

	if (h && atomic_load_explicit(&h->plain_gen, memory_order_acquire) ==
			 gen && strcmp(h->name, name) == 0) {
		*ret = h;
		return 1;
	}
	return dmaheap_heap_lookup_remembered(ctx, name, i, ret);
}
int dmaheap_heap_lookup(struct dmaheap_ctx *ctx, const char *name,
			struct dmaheap_heap **ret);
int dmaheap_heap_lookup_fresh(struct dmaheap_ctx *ctx, const char *name,
			      struct dmaheap_heap **ret);
void dmaheap_resolved_free_all(struct dmaheap_ctx *ctx);

/* alloc.c */
int dmaheap_fallback_rank(int err);
int dmaheap_alloc_on_heap(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			  size_t size, unsigned int flags,
			  struct dmaheap_buf **ret);
int dmaheap_lookup_failed(struct dmaheap_ctx *ctx, const char *heap_name,
			  int err);

/* node.c */
int dmaheap_open_node(struct dmaheap_ctx *ctx, const char *path, bool udmabuf);
bool dmaheap_warn_no_heap_dir(struct dmaheap_ctx *ctx, int err);

/* udmabuf.c */
int dmaheap_udmabuf_open(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap);
int dmaheap_udmabuf_alloc(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			  size_t size);

/* names.c */
int dmaheap_names_set(struct dmaheap_names *names, const char *const v[],
		      size_t n);
void dmaheap_names_clear(struct dmaheap_names *names);
bool dmaheap_names_contain(const struct dmaheap_names *names,
			   const char *name);
int dmaheap_names_add(struct dmaheap_names *names, const char *name);

/*
 * Calls up, out of core/, into policy/, which builds on core/: a context
 * sets up and frees its policy and its plans with itself and loads the
 * policy file, and resolving a name asks the policy what an alias names
 * and what properties a heap was given. policy/ defines them; core/
 * includes no header of policy/ (lib/README.md).
 */
/* policy.c */
int dmaheap_policy_init(struct dmaheap_ctx *ctx);
void dmaheap_policy_clear(struct dmaheap_policy *policy);
unsigned int dmaheap_props_lookup_locked(struct dmaheap_ctx *ctx,
					 const char *heap, int *source);
const struct dmaheap_alias *dmaheap_alias_find_locked(struct dmaheap_ctx *ctx,
						     const char *name);

/* usage.c */
void dmaheap_plans_free(struct dmaheap_ctx *ctx);

/* config.c */
int dmaheap_config_load(struct dmaheap_ctx *ctx, const char *path,
			bool must_exist);

/* buffer.c */
int dmaheap_buf_wrap(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		     int fd, size_t size, int prot, struct dmaheap_buf **ret);
/* The same, for a known shard: dmaheap_buf_wrap_at() in buffer.h. */
void dmaheap_buf_release(struct dmaheap_buf *buf);
void dmaheap_buf_spares_free(struct dmaheap_ctx *ctx);

/*
 * Calls up, out of core/, into pool/, which builds on core/: a context
 * frees its pool with itself, allocation takes from the pool first and
 * free gives the buffer back to it. pool/ defines them; core/ includes no
 * header of pool/.
 */
/* pool.c: the hooks of the recycling pool into allocation and free. */
/* @i: the caller's shard (dmaheap_shard_index()). */
bool dmaheap_pool_take(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		       size_t size, unsigned int flags, unsigned int i,
		       struct dmaheap_buf **ret);
bool dmaheap_pool_give(struct dmaheap_buf *buf, bool clean, unsigned int i);
void dmaheap_pool_destroy(struct dmaheap_ctx *ctx);

/* sync.c */
int dmaheap_access_valid(unsigned int access);
int dmaheap_sync_ioctl(const struct dmaheap_sys *sys, int fd,
		       uint64_t flags);
int dmaheap_check_dmabuf(const struct dmaheap_sys *sys, int fd);

/* dmabuf-fds.c */
void dmaheap_dmabuf_fd_mark(struct dmaheap_ctx *ctx, int fd);

#define DMAHEAP_TRACKED_FDS 65536
#define DMAHEAP_FD_WORD_BITS (sizeof(unsigned long) * CHAR_BIT)

/* The word of table @t that holds @fd's bit, and in @bit that bit; NULL
 * without a table or for an fd past it. */
static inline atomic_ulong *dmaheap_dmabuf_fd_word(atomic_ulong *t, int fd,
						   unsigned long *bit)
{
	if (!t || fd < 0 || fd >= DMAHEAP_TRACKED_FDS)
		return NULL;
	*bit = 1ul << ((unsigned int)fd % DMAHEAP_FD_WORD_BITS);
	return &t[(unsigned int)fd / DMAHEAP_FD_WORD_BITS];
}

/* Whether @fd is known to be a dma-buf. Inline: dmaheap_alloc_fd() asks
 * after every ALLOC. */
static inline bool dmaheap_dmabuf_fd_known(struct dmaheap_ctx *ctx, int fd)
{
	unsigned long bit;
	atomic_ulong *word = dmaheap_dmabuf_fd_word(
		atomic_load_explicit(&ctx->dmabuf_fds, memory_order_acquire),
		fd, &bit);

	return word && (atomic_load_explicit(word, memory_order_relaxed) & bit);
}

/* Forgets that @fd is a dma-buf. Inline: every free of a buffer object
 * asks, and its fd was mostly never marked. */
static inline void dmaheap_dmabuf_fd_forget(struct dmaheap_ctx *ctx, int fd)
{
	unsigned long bit;
	atomic_ulong *word = dmaheap_dmabuf_fd_word(
		atomic_load_explicit(&ctx->dmabuf_fds, memory_order_acquire),
		fd, &bit);

	/* A load first: a bit already clear (a buffer object's fd, never
	 * marked) must not cost a write to a line all threads share. */
	if (word && (atomic_load_explicit(word, memory_order_relaxed) & bit))
		atomic_fetch_and_explicit(word, ~bit, memory_order_relaxed);
}

#endif /* DMAHEAP_CORE_H */
