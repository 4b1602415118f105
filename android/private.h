/* SPDX-License-Identifier: MIT */
/* libdmaheap-android's internals: the state behind a BufferAllocator. */
#ifndef DMAHEAP_ANDROID_PRIVATE_H
#define DMAHEAP_ANDROID_PRIVATE_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <BufferAllocator/BufferAllocatorWrapper.h>

#define ANDROID_EXPORT __attribute__((visibility("default")))

/* The C view of the object C++ sees as class BufferAllocator. */
struct BufferAllocator {
	struct dmaheap_android *state;
};

struct ion_map_entry {
	char *heap_name;
	struct dmaheap_android_ion_map map;
};

/* Whether "system-uncached" exists: not looked for yet, yes, no. */
enum uncached_state { UNCACHED_UNKNOWN = 0, UNCACHED_YES, UNCACHED_NO };

struct dmaheap_android {
	struct dmaheap_ctx *ctx; /* NULL if making it failed: see error */
	bool own_ctx;
	int error;
	atomic_int uncached; /* enum uncached_state */
	pthread_mutex_t lock; /* the ION mappings */
	struct ion_map_entry *maps;
	size_t n_maps;
};

/*
 * The allocator's context (NULL on failure), or the error every call on it
 * returns. Inline,
 * as android_ret() is: every call of the API goes through both, and the
 * layer is to cost next to nothing over libdmaheap's own calls.
 */
static inline int android_ctx(BufferAllocator *ba, struct dmaheap_ctx **ctx)
{
	*ctx = NULL;
	if (!ba)
		return -EINVAL;
	if (!ba->state)
		return -ENOMEM;
	if (!ba->state->ctx)
		return ba->state->error;
	*ctx = ba->state->ctx;
	return 0;
}

/* errno for a failed call, out of line: the successful call then keeps
 * nothing across its call into libdmaheap (allocator.c). */
int android_fail(int r) __attribute__((cold));

/* @r as returned; a negative @r also goes to errno, positive. */
static inline int android_ret(int r)
{
	return r < 0 ? android_fail(r) : r;
}

/* Names @fd with @name cut to what the kernel keeps. */
int android_set_name(struct dmaheap_ctx *ctx, unsigned int fd,
		     const char *name);

/* A context for the calls that have no allocator. */
int android_temp_ctx(struct dmaheap_ctx **ctx);

#endif
