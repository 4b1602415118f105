/* SPDX-License-Identifier: MIT */
/* The allocator object: its state, its context, the C API's lifecycle. */
#include <errno.h>
#include <stdlib.h>

#include "private.h"

int android_fail(int r)
{
	errno = -r;
	return r;
}

ANDROID_EXPORT int dmaheap_android_init(BufferAllocator *ba,
					struct dmaheap_ctx *ctx)
{
	struct dmaheap_android *st;

	if (!ba)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	ba->state = st;
	if (!st)
		return -ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	atomic_init(&st->uncached, UNCACHED_UNKNOWN);
	if (ctx) {
		st->ctx = ctx;
		return 0;
	}
	st->own_ctx = true;
	st->error = dmaheap_ctx_new(&st->ctx);
	return st->error;
}

ANDROID_EXPORT void dmaheap_android_fini(BufferAllocator *ba)
{
	struct dmaheap_android *st = ba ? ba->state : NULL;

	if (!st)
		return;
	for (size_t i = 0; i < st->n_maps; i++)
		free(st->maps[i].heap_name);
	free(st->maps);
	pthread_mutex_destroy(&st->lock);
	if (st->own_ctx)
		dmaheap_ctx_free(st->ctx);
	free(st);
	ba->state = NULL;
}

static BufferAllocator *new_allocator(struct dmaheap_ctx *ctx)
{
	BufferAllocator *ba = malloc(sizeof(*ba));
	int r;

	if (!ba) {
		errno = ENOMEM;
		return NULL;
	}
	r = dmaheap_android_init(ba, ctx);
	if (r) {
		dmaheap_android_fini(ba);
		free(ba);
		android_ret(r);
		return NULL;
	}
	return ba;
}

ANDROID_EXPORT BufferAllocator *CreateDmabufHeapBufferAllocator(void)
{
	return new_allocator(NULL);
}

ANDROID_EXPORT BufferAllocator *dmaheap_android_new(struct dmaheap_ctx *ctx)
{
	if (!ctx) {
		errno = EINVAL;
		return NULL;
	}
	return new_allocator(ctx);
}

ANDROID_EXPORT void FreeDmabufHeapBufferAllocator(BufferAllocator *ba)
{
	dmaheap_android_fini(ba);
	free(ba);
}

ANDROID_EXPORT struct dmaheap_ctx *dmaheap_android_ctx(const BufferAllocator *ba)
{
	return ba && ba->state ? ba->state->ctx : NULL;
}

ANDROID_EXPORT bool CheckIonSupport(void)
{
	return false;
}

int android_temp_ctx(struct dmaheap_ctx **ctx)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;

	/* Listing and naming need no policy: do not read a file for them. */
	o.flags = DMAHEAP_CTX_NO_POLICY_FILE;
	return dmaheap_ctx_new_with(&o, ctx);
}
