/* SPDX-License-Identifier: MIT */
/* Internal structures shared by the library's source files. */
#ifndef DMAHEAP_PRIVATE_H
#define DMAHEAP_PRIVATE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmaheap.h"
#include "sys.h"

#if defined(__GNUC__)
#define DMAHEAP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DMAHEAP_PRINTF(a, b)
#endif

/* The pseudo-heap backed by memfds and the udmabuf device. */
#define DMAHEAP_UDMABUF "udmabuf"

/* A heap node the context has opened. Entries live as long as the context,
 * so buffers may point at them. */
struct dmaheap_heap {
	struct dmaheap_heap *next;
	int fd;
	bool udmabuf;
	atomic_uint limit_mib; /* udmabuf's size_limit_mb as last read; 0: unknown */
	atomic_uint props;   /* enum dmaheap_heap_props; set_heap_props updates */
	bool stats_used;     /* an allocation was tried: stats has figures */
	struct dmaheap_stats stats;
	/* Recycling pool size classes of this heap (pool.c); append-only. */
	_Atomic(struct dmaheap_pool_class *) pool_classes;
	char name[];
};

/* An owned list of distinct strings, in insertion order, with a hash
 * index so that adding is not quadratic. */
struct dmaheap_names {
	size_t n;
	char **v;
	size_t cap;	   /* of v */
	uint32_t *index;   /* open addressing: 1 + position in v; 0 empty */
	size_t index_cap;  /* a power of two, or 0 */
};

struct dmaheap_alias {
	struct dmaheap_alias *next;
	struct dmaheap_names members;
	char name[];
};

struct dmaheap_rule {
	struct dmaheap_rule *next;
	unsigned int usage;
	struct dmaheap_names heaps;
};

struct dmaheap_propdef {
	struct dmaheap_propdef *next;
	unsigned int props;
	int source;
	char name[];
};

/* Everything dmaheap_alloc_usage() decides with; guarded by ctx->lock. */
struct dmaheap_policy {
	struct dmaheap_alias *aliases;
	struct dmaheap_rule *api_rules;  /* newest first */
	struct dmaheap_rule *file_rules; /* file order */
	struct dmaheap_propdef *props;
};

struct dmaheap_ctx {
	atomic_uint refs;
	pthread_mutex_t lock; /* guards heaps and every stats field */
	const struct dmaheap_sys *sys;
	dmaheap_log_fn log_fn;
	void *log_userdata;
	int log_priority;
	unsigned int flags;
	size_t page_size;
	uint64_t ram_bytes;
	struct dmaheap_heap *heaps;
	struct dmaheap_stats total;
	struct dmaheap_policy policy;
	char *udmabuf_dev;
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
	pthread_mutex_t lock; /* guards everything below */
	void *addr;
	unsigned int map_refs;
	unsigned int reads;  /* open begins covering READ */
	unsigned int writes; /* open begins covering WRITE */
	int info_fd; /* its /proc/self/fdinfo file, kept by the pool; or -1 */
};

/* context.c */
void dmaheap_ctx_ref(struct dmaheap_ctx *ctx);
void dmaheap_ctx_unref(struct dmaheap_ctx *ctx);
void dmaheap_log(struct dmaheap_ctx *ctx, int priority, const char *fmt, ...)
	DMAHEAP_PRINTF(3, 4);
void dmaheap_stats_alloc(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			 uint64_t bytes, bool live);
void dmaheap_stats_fail(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap);
void dmaheap_stats_release(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
			   uint64_t bytes);

/* heap.c */
bool dmaheap_heap_name_valid(const char *name);
struct dmaheap_heap *dmaheap_heap_find_locked(struct dmaheap_ctx *ctx,
					      const char *name);
int dmaheap_heap_get(struct dmaheap_ctx *ctx, const char *name,
		     struct dmaheap_heap **ret);
int dmaheap_heap_lookup(struct dmaheap_ctx *ctx, const char *name,
			struct dmaheap_heap **ret);
int dmaheap_info_list(struct dmaheap_ctx *ctx, char *const names[], size_t n,
		      struct dmaheap_heap_info **ret);

/* alloc.c */
int dmaheap_fallback_rank(int err);
int dmaheap_alloc_checked(struct dmaheap_ctx *ctx, const char *heap,
			  size_t size, unsigned int flags,
			  struct dmaheap_buf **ret);
int dmaheap_alloc_plain(struct dmaheap_ctx *ctx, const char *heap_name,
			size_t size, unsigned int flags,
			struct dmaheap_buf **ret);
int dmaheap_check_alloc_args(const struct dmaheap_ctx *ctx, size_t size,
			     unsigned int flags, size_t *rounded);

/* node.c */
int dmaheap_open_node(struct dmaheap_ctx *ctx, const char *path, bool udmabuf);

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

/* policy.c */
int dmaheap_policy_init(struct dmaheap_ctx *ctx);
void dmaheap_policy_clear(struct dmaheap_policy *policy);
unsigned int dmaheap_props_lookup_locked(struct dmaheap_ctx *ctx,
					 const char *heap, int *source);
int dmaheap_alias_members(struct dmaheap_ctx *ctx, const char *name,
			  struct dmaheap_names *out);
int dmaheap_policy_set_props(struct dmaheap_ctx *ctx, const char *heap,
			     unsigned int props, int source);
int dmaheap_policy_set_alias(struct dmaheap_ctx *ctx, const char *alias,
			     const char *const heaps[], size_t n);
int dmaheap_policy_add_rule(struct dmaheap_ctx *ctx, unsigned int usage,
			    const char *const heaps[], size_t n, bool from_file);
int dmaheap_usage_valid(unsigned int usage);
int dmaheap_rule_heaps(struct dmaheap_ctx *ctx, unsigned int usage,
		       struct dmaheap_names *out);
int dmaheap_props_valid(unsigned int props);

/* config.c */
int dmaheap_config_load(struct dmaheap_ctx *ctx, const char *path,
			bool must_exist);

/* buffer.c */
int dmaheap_buf_wrap(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		     int fd, size_t size, int prot, struct dmaheap_buf **ret);
void dmaheap_buf_release(struct dmaheap_buf *buf);

/* pool.c: the hooks of the recycling pool into allocation and free. */
bool dmaheap_pool_take(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		       size_t size, unsigned int flags,
		       struct dmaheap_buf **ret);
bool dmaheap_pool_give(struct dmaheap_buf *buf, bool clean);
void dmaheap_pool_destroy(struct dmaheap_ctx *ctx);

/* sync.c */
int dmaheap_access_valid(unsigned int access);
int dmaheap_sync_ioctl(const struct dmaheap_sys *sys, int fd,
		       uint64_t flags);
int dmaheap_check_dmabuf(const struct dmaheap_sys *sys, int fd);

#endif /* DMAHEAP_PRIVATE_H */
