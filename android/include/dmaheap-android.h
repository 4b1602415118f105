/* SPDX-License-Identifier: MIT */
/*
 * libdmaheap-android: Android's libdmabufheap API on libdmaheap.
 *
 * Code written against Android's libdmabufheap builds unchanged with
 * `pkg-config --cflags --libs libdmaheap-android`:
 *  - <BufferAllocator/BufferAllocatorWrapper.h>: the C API
 *    (CreateDmabufHeapBufferAllocator(), DmabufHeapAlloc(), ...);
 *  - <BufferAllocator/BufferAllocator.h>: the C++ class BufferAllocator,
 *    header-only, over the C API;
 *  - <BufferAllocator/dmabufheap-defs.h>: kDmabufSystemHeapName,
 *    kDmabufSystemUncachedHeapName, SyncType.
 * The library is C and calls only libdmaheap's public API. This header
 * adds what Android has not: an allocator on a libdmaheap context of the
 * caller's, and the functions the header-only class is built on.
 *
 * BufferAllocator in both languages
 * ---------------------------------
 * Android's C API takes `BufferAllocator *`: an incomplete struct in C,
 * the C++ class in C++ (the C functions are extern "C", so the symbol is
 * the same). Here the object is one pointer wide in both languages: a
 * pointer to the layer's private state (struct dmaheap_android). C sees
 * an incomplete struct; C++ sees a standard-layout class whose only data
 * member is that pointer, set by dmaheap_android_init() in its
 * constructor and released by dmaheap_android_fini() in its destructor.
 * So a C++ BufferAllocator (on the stack, or from new) may be passed to
 * every C function, and one from CreateDmabufHeapBufferAllocator() may be
 * used through the class. Both allocate with malloc(): the class has an
 * operator new and delete of its own, so FreeDmabufHeapBufferAllocator()
 * and delete each release either kind.
 *
 * Return values (decided per function; each says so)
 * --------------------------------------------------
 * Android mixes conventions: a failed heap open gives -errno, a failed
 * ALLOC or SYNC ioctl gives -1 with errno set, a NULL allocator -EINVAL.
 * Its callers can only test `< 0` (or `!= 0` for sync), as Android's own
 * tests do. Here every failure returns a negative errno AND sets errno to
 * the same (positive) value, so both `ret < 0` and "-1, see errno"
 * readers (Android's Rust binding takes -1 to mean errno) get the right
 * error. The one difference: a refused ioctl returns -errno where Android
 * returned -1, so a caller that tests `ret == -1` sees only EPERM.
 *
 * The dmaheap_android_*() functions below follow libdmaheap's convention
 * (-errno, errno untouched), except the two that stand for Android calls:
 * dmaheap_android_new() and dmaheap_android_fd_set_name().
 *
 * Threads: an allocator may be used by any number of threads at once,
 * as Android's; dmaheap_android_init() and _fini() are its constructor
 * and destructor, not to be called concurrently with its other uses.
 */
#ifndef DMAHEAP_ANDROID_H
#define DMAHEAP_ANDROID_H

#include <stdbool.h>
#include <stddef.h>

#include <dmaheap.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef DMAHEAP_ANDROID_BUFFER_ALLOCATOR_TYPEDEF
#define DMAHEAP_ANDROID_BUFFER_ALLOCATOR_TYPEDEF
#ifdef __cplusplus
typedef class BufferAllocator BufferAllocator;
#else
typedef struct BufferAllocator BufferAllocator;
#endif
#endif

/** The layer's private state, behind every BufferAllocator. */
struct dmaheap_android;

/**
 * dmaheap_android_init() - set up a BufferAllocator object in place.
 * @ba: the object (one pointer: struct BufferAllocator's only member).
 * @ctx: a libdmaheap context to allocate with, borrowed (it must outlive
 *	the allocator); NULL makes a context of the allocator's own with
 *	dmaheap_ctx_new(): $DMAHEAP_DIR and the policy file apply.
 *
 * The C++ constructor calls this. On failure @ba stays usable as an
 * allocator that fails: every call on it returns this error (an
 * allocator whose state could not be allocated returns -ENOMEM).
 *
 * Return: 0, or -EINVAL (@ba NULL), -ENOMEM, or an error of
 * dmaheap_ctx_new() (a bad policy file).
 */
int dmaheap_android_init(BufferAllocator *ba, struct dmaheap_ctx *ctx);

/**
 * dmaheap_android_fini() - release what dmaheap_android_init() set up.
 * @ba: the object, or NULL.
 *
 * Frees the context if the allocator made it; fds it returned stay open
 * and belong to the caller.
 */
void dmaheap_android_fini(BufferAllocator *ba);

/**
 * dmaheap_android_new() - an allocator on the caller's libdmaheap context.
 * @ctx: the context, borrowed: it must outlive the allocator.
 *
 * For a port that moves to the native API one call at a time: the
 * allocator uses @ctx's policy, aliases, statistics and log callback,
 * and buffers from either API come from the same open heap fds.
 *
 * Return: the allocator (FreeDmabufHeapBufferAllocator()), or NULL with
 * errno EINVAL (@ctx NULL) or ENOMEM.
 */
BufferAllocator *dmaheap_android_new(struct dmaheap_ctx *ctx);

/**
 * dmaheap_android_ctx() - the libdmaheap context an allocator uses.
 * @ba: the allocator.
 *
 * Return: the context (borrowed, valid as long as @ba), or NULL if @ba is
 * NULL or its set-up failed.
 */
struct dmaheap_ctx *dmaheap_android_ctx(const BufferAllocator *ba);

/**
 * dmaheap_android_heap_list() - the heaps BufferAllocator::GetDmabufHeapList()
 *	returns.
 * @ret: receives the entries as dmaheap_heap_list() gives them, owned by
 *	the caller (dmaheap_heap_list_free()).
 *
 * Uses a context of its own without a policy file ($DMAHEAP_DIR applies).
 * The heap directory's entries, as Android's readdir() lists them, with
 * the ones that cannot be opened: not libdmaheap's "udmabuf" pseudo-heap,
 * which DmabufHeapAlloc() accepts but Android has not.
 *
 * Return: the number of entries (0 with no heap directory; the array must
 * still be freed), or -EINVAL (@ret NULL), -ENOMEM, -EACCES, -EIO, ... as
 * dmaheap_heap_list().
 */
int dmaheap_android_heap_list(struct dmaheap_heap_info **ret);

/**
 * dmaheap_android_fd_set_name() - BufferAllocator::DmabufSetName(), which
 *	has no allocator: DmabufSetName() with a context of its own.
 * @dmabuf_fd, @name: as DmabufSetName().
 *
 * Return: as DmabufSetName() (errno set on failure).
 */
int dmaheap_android_fd_set_name(unsigned int dmabuf_fd, const char *name);

/** Longest ION heap name MapDmabufHeapNameToIonHeap() records. */
#define DMAHEAP_ANDROID_ION_NAME_MAX 255

/**
 * struct dmaheap_android_ion_map - a mapping MapDmabufHeapNameToIonHeap()
 *	recorded.
 * @ion_heap_name: the ION heap name given.
 * @ion_heap_flags, @legacy_ion_heap_mask, @legacy_ion_heap_flags: the
 *	values given.
 */
struct dmaheap_android_ion_map {
	char ion_heap_name[DMAHEAP_ANDROID_ION_NAME_MAX + 1];
	unsigned int ion_heap_flags;
	unsigned int legacy_ion_heap_mask;
	unsigned int legacy_ion_heap_flags;
};

/**
 * dmaheap_android_ion_mapping() - what was recorded for a heap name.
 * @ba: the allocator.
 * @heap_name: the DMA-BUF heap name given to MapDmabufHeapNameToIonHeap().
 * @out: receives the last mapping recorded for it.
 *
 * There is no ION here: the mappings change nothing. They are kept so
 * that a port can see what its code asked for.
 *
 * Return: 0, or -EINVAL (NULL argument), -ENOENT (none recorded).
 */
int dmaheap_android_ion_mapping(const BufferAllocator *ba,
				const char *heap_name,
				struct dmaheap_android_ion_map *out);

#ifdef __cplusplus
}
#endif

#endif
