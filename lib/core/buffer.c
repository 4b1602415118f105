/* SPDX-License-Identifier: MIT */
/* Buffer objects: wrapping and importing fds, accessors, mapping, naming. */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "buffer.h"
#include "tally.h"
#include "uapi.h"

/* No spare: the first buffer of a thread, or one freed elsewhere. */
DMAHEAP_COLD struct dmaheap_buf *dmaheap_buf_object_new(void)
{
	/* malloc, not calloc: glibc's calloc skips the thread cache. */
	return malloc(sizeof(struct dmaheap_buf));
}

static void buf_object_put(struct dmaheap_ctx *ctx, struct dmaheap_buf *buf,
			   unsigned int i)
{
	struct dmaheap_buf *old = dmaheap_buf_spare_swap(ctx, i, buf);

	/* Mostly none: the slot was emptied by this thread's allocation. */
	if (old)
		free(old);
}

void dmaheap_buf_spares_free(struct dmaheap_ctx *ctx)
{
	for (unsigned int i = 0; i < DMAHEAP_SHARDS; i++)
		free(atomic_load(&ctx->total.shard[i].s.spare));
}

int dmaheap_buf_wrap(struct dmaheap_ctx *ctx, struct dmaheap_heap *heap,
		     int fd, size_t size, int prot, struct dmaheap_buf **ret)
{
	return dmaheap_buf_wrap_at(ctx, heap, fd, size, prot,
				   dmaheap_shard_index(ctx), ret);
}

static void buf_lock_make(struct dmaheap_buf *buf)
{
	int state = DMAHEAP_BUF_LOCK_NONE;

	if (atomic_compare_exchange_strong_explicit(&buf->lock_state, &state,
						    DMAHEAP_BUF_LOCK_MAKING,
						    memory_order_acquire,
						    memory_order_acquire)) {
		/* Default attributes: glibc and musl never fail here. */
		(void)pthread_mutex_init(&buf->lock, NULL);
		atomic_store_explicit(&buf->lock_state, DMAHEAP_BUF_LOCK_MADE,
				      memory_order_release);
		return;
	}
	while (atomic_load_explicit(&buf->lock_state, memory_order_acquire) !=
	       DMAHEAP_BUF_LOCK_MADE)
		sched_yield();
}

void dmaheap_buf_lock(struct dmaheap_buf *buf)
{
	if (atomic_load_explicit(&buf->lock_state, memory_order_acquire) !=
	    DMAHEAP_BUF_LOCK_MADE)
		buf_lock_make(buf);
	pthread_mutex_lock(&buf->lock);
}

void dmaheap_buf_unlock(struct dmaheap_buf *buf)
{
	pthread_mutex_unlock(&buf->lock);
}

static int import_size(struct dmaheap_ctx *ctx, int fd, size_t *size)
{
	int64_t end;
	int r = ctx->sys->lseek(ctx->sys, fd, 0, SEEK_END, &end);

	if (r)
		return r;
	if (end <= 0 || (uint64_t)end > SIZE_MAX)
		return -EOVERFLOW;
	*size = (size_t)end;
	return 0;
}

static int import_prot(struct dmaheap_ctx *ctx, int fd)
{
	int fl = ctx->sys->fcntl(ctx->sys, fd, F_GETFL, 0);

	if (fl < 0)
		return fl;
	switch (fl & O_ACCMODE) {
	case O_RDWR:
		return PROT_READ | PROT_WRITE;
	case O_RDONLY:
		return PROT_READ;
	default:
		return PROT_WRITE;
	}
}

DMAHEAP_EXPORT int dmaheap_import(struct dmaheap_ctx *ctx, int fd,
				  struct dmaheap_buf **ret)
{
	size_t size;
	int prot, dup_fd, r;

	if (!ctx || !ret)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	prot = import_prot(ctx, fd);
	if (prot < 0)
		return prot;
	r = dmaheap_check_dmabuf(ctx->sys, fd);
	if (r == 0)
		r = import_size(ctx, fd, &size);
	if (r)
		return r;
	dup_fd = ctx->sys->fcntl(ctx->sys, fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return dup_fd;
	r = dmaheap_buf_wrap(ctx, NULL, dup_fd, size, prot, ret);
	if (r)
		ctx->sys->close(ctx->sys, dup_fd);
	return r;
}

/* Ends leftover CPU access and drops the mapping; the caller forgot.
 * False if there was any. */
static DMAHEAP_COLD bool buf_release_state(struct dmaheap_buf *buf)
{
	struct dmaheap_ctx *ctx = buf->ctx;
	uint64_t dirs = (buf->reads ? DMA_BUF_SYNC_READ : 0) |
			(buf->writes ? DMA_BUF_SYNC_WRITE : 0);

	if (dirs) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "freeing buffer fd %d inside CPU access", buf->fd);
		dmaheap_sync_ioctl(ctx->sys, buf->fd, DMA_BUF_SYNC_END | dirs);
	}
	if (buf->map_refs) {
		int r;

		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "freeing buffer fd %d while mapped", buf->fd);
		r = ctx->sys->munmap(ctx->sys, buf->addr, buf->size);
		if (r)
			dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
				    "buffer fd %d: munmap of %zu bytes at %p: "
				    "%s; they stay mapped", buf->fd, buf->size,
				    buf->addr, dmaheap_strerror(r));
	}
	return !dirs && !buf->map_refs;
}

/* Frees the object but not its dma-buf fd: no accounting, context kept. */
static DMAHEAP_INLINE void buf_free_object(struct dmaheap_buf *buf, unsigned int i)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;

	if (buf->info_fd >= 0)
		sys->close(sys, buf->info_fd);
	if (atomic_load_explicit(&buf->lock_state, memory_order_relaxed) ==
	    DMAHEAP_BUF_LOCK_MADE)
		pthread_mutex_destroy(&buf->lock);
	if (buf->origin_heap)
		free(buf->origin_heap);
	buf_object_put(buf->ctx, buf, i);
}

/*
 * Closes the fd and frees the object; with @unref, drops the buffer's
 * context reference too. The close comes last, as a tail call, so the
 * caller returns straight from the system call. The context may be gone
 * by then: only the fd and the system-call table, which outlives it, are
 * used after.
 */
static DMAHEAP_INLINE void buf_release_at(struct dmaheap_buf *buf,
					   unsigned int i, bool unref)
{
	struct dmaheap_ctx *ctx = buf->ctx;
	const struct dmaheap_sys *sys = ctx->sys;
	int fd = buf->fd;

	/* Raw sync must not trust the number once it is gone. */
	dmaheap_dmabuf_fd_forget(ctx, fd);
	buf_free_object(buf, i);
	if (unref)
		dmaheap_ctx_unref_at(ctx, i);
	dmaheap_sys_close_last(sys, fd);
}

/* Closes the fd and frees the object: no accounting, context kept. */
void dmaheap_buf_release(struct dmaheap_buf *buf)
{
	buf_release_at(buf, dmaheap_shard_index(buf->ctx), false);
}

DMAHEAP_HOT
DMAHEAP_EXPORT void dmaheap_buf_free(struct dmaheap_buf *buf)
{
	struct dmaheap_ctx *ctx;
	unsigned int i;
	bool clean;

	if (!buf)
		return;
	ctx = buf->ctx;
	i = dmaheap_shard_index(ctx);
	/* Most buffers are freed unmapped and outside CPU access. */
	clean = !(buf->reads | buf->writes | buf->map_refs) ||
		buf_release_state(buf);
	if (buf->heap)
		dmaheap_stats_release_at(ctx, buf->heap, buf->size, i);
	if (atomic_load_explicit(&ctx->pool, memory_order_acquire) &&
	    dmaheap_pool_give(buf, clean, i)) {
		dmaheap_ctx_unref_at(ctx, i);
		return;
	}
	buf_release_at(buf, i, true);
}

DMAHEAP_EXPORT int dmaheap_buf_fd(const struct dmaheap_buf *buf)
{
	return buf ? buf->fd : -EINVAL;
}

DMAHEAP_EXPORT int dmaheap_buf_dup_fd(const struct dmaheap_buf *buf)
{
	const struct dmaheap_sys *sys;

	if (!buf)
		return -EINVAL;
	sys = buf->ctx->sys;
	return sys->fcntl(sys, buf->fd, F_DUPFD_CLOEXEC, 0);
}

DMAHEAP_EXPORT int dmaheap_buf_release_fd(struct dmaheap_buf *buf)
{
	struct dmaheap_ctx *ctx;
	bool busy;
	int fd;

	if (!buf)
		return -EINVAL;
	dmaheap_buf_lock(buf);
	busy = buf->map_refs || buf->reads || buf->writes;
	dmaheap_buf_unlock(buf);
	if (busy)
		return -EBUSY;
	ctx = buf->ctx;
	fd = buf->fd;
	/* The fd leaves the library: it is no longer a live buffer here,
	 * exactly as a dmaheap_alloc_fd() allocation never was. */
	if (buf->heap)
		dmaheap_stats_release(ctx, buf->heap, buf->size);
	buf_free_object(buf, dmaheap_shard_index(ctx));
	/* A dma-buf the library made: raw sync on it needs no check. */
	dmaheap_dmabuf_fd_mark(ctx, fd);
	dmaheap_ctx_unref(ctx);
	return fd;
}

DMAHEAP_EXPORT size_t dmaheap_buf_size(const struct dmaheap_buf *buf)
{
	return buf ? buf->size : 0;
}

DMAHEAP_EXPORT const char *dmaheap_buf_heap_name(const struct dmaheap_buf *buf)
{
	if (!buf)
		return NULL;
	return buf->heap ? buf->heap->name : buf->origin_heap;
}

DMAHEAP_EXPORT int dmaheap_buf_set_name(struct dmaheap_buf *buf,
					const char *name)
{
	const struct dmaheap_sys *sys;

	if (!buf || !name)
		return -EINVAL;
	if (strnlen(name, DMAHEAP_NAME_MAX + 1) > DMAHEAP_NAME_MAX)
		return -ENAMETOOLONG;
	sys = buf->ctx->sys;
	/* The argument is the string itself; the kernel only reads it. */
	return sys->ioctl(sys, buf->fd, DMA_BUF_SET_NAME, (void *)(uintptr_t)name);
}

static int map_locked(struct dmaheap_buf *buf, void **addr)
{
	const struct dmaheap_sys *sys = buf->ctx->sys;
	int r;

	if (buf->map_refs == UINT_MAX)
		return -EOVERFLOW;
	if (buf->map_refs == 0) {
		r = sys->mmap(sys, buf->size, buf->prot, MAP_SHARED, buf->fd, 0,
			      &buf->addr);
		/* -EACCES alone would suggest heap permissions. */
		if (r == -EACCES)
			dmaheap_log(buf->ctx, DMAHEAP_LOG_WARNING,
				    "buffer fd %d: the kernel refused to map it %s: the fd's access mode does not allow that (an fd opened O_WRONLY cannot be mapped at all; import one opened O_RDWR)",
				    buf->fd, (buf->prot & PROT_WRITE) ?
				    "for writing" : "for reading");
		if (r)
			return r;
	}
	buf->map_refs++;
	*addr = buf->addr;
	return 0;
}

DMAHEAP_EXPORT int dmaheap_buf_map(struct dmaheap_buf *buf, void **addr)
{
	int r;

	if (!buf || !addr)
		return -EINVAL;
	if (dmaheap_buf_props(buf) & DMAHEAP_PROP_PROTECTED)
		return -EPERM;
	dmaheap_buf_lock(buf);
	r = map_locked(buf, addr);
	dmaheap_buf_unlock(buf);
	return r;
}

DMAHEAP_EXPORT int dmaheap_buf_unmap(struct dmaheap_buf *buf)
{
	const struct dmaheap_sys *sys;
	int r = 0;

	if (!buf)
		return -EINVAL;
	sys = buf->ctx->sys;
	dmaheap_buf_lock(buf);
	if (buf->map_refs == 0)
		r = -EINVAL;
	else if (--buf->map_refs == 0 &&
		 (r = sys->munmap(sys, buf->addr, buf->size)))
		buf->map_refs = 1; /* the kernel unmapped nothing: retry later */
	if (buf->map_refs == 0)
		buf->addr = NULL;
	dmaheap_buf_unlock(buf);
	return r;
}

DMAHEAP_EXPORT unsigned int dmaheap_buf_props(const struct dmaheap_buf *buf)
{
	if (!buf)
		return 0;
	return buf->heap ? atomic_load(&buf->heap->props) : buf->origin_props;
}
