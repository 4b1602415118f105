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

/* A heap node the context has opened. Entries live as long as the context,
 * so buffers may point at them. */
struct dmaheap_heap {
	struct dmaheap_heap *next;
	int fd;
	struct dmaheap_stats stats;
	char name[];
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

/* buffer.c */
int dmaheap_buf_wrap(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		     int fd, size_t size, int prot, struct dmaheap_buf **ret);

/* sync.c */
int dmaheap_access_valid(unsigned int access);
int dmaheap_sync_ioctl(const struct dmaheap_sys *sys, int fd,
		       uint64_t flags);

#endif /* DMAHEAP_PRIVATE_H */
