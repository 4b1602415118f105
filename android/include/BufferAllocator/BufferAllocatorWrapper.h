/* SPDX-License-Identifier: MIT */
/*
 * Android libdmabufheap's C API, implemented by libdmaheap-android on
 * libdmaheap. The declarations are Android's; the comments say what this
 * implementation does, where it differs from Android's and why. Return
 * values and errno: see <dmaheap-android.h> ("Return values"). Every
 * function taking an allocator returns -EINVAL for a NULL one, as
 * Android's do.
 *
 * There is no ION: the ION-era arguments (legacy_align, the ION mapping,
 * the legacy CPU-sync callback) are accepted and have no effect, as in
 * Android's own library once ION was removed.
 */
#ifndef DMAHEAP_ANDROID_BUFFER_ALLOCATOR_WRAPPER_H_
#define DMAHEAP_ANDROID_BUFFER_ALLOCATOR_WRAPPER_H_

#include <BufferAllocator/dmabufheap-defs.h>
#include <stdbool.h>
#include <sys/types.h>

#include <dmaheap-android.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A new allocator with a libdmaheap context of its own (see
 * dmaheap_android_init()); NULL with errno set if that fails (Android's
 * cannot fail short of aborting). Heap nodes are opened on first use and
 * kept open until the allocator is freed, as Android does.
 */
BufferAllocator *CreateDmabufHeapBufferAllocator(void);

/* Releases an allocator from CreateDmabufHeapBufferAllocator(),
 * dmaheap_android_new() or C++ new; NULL is accepted. */
void FreeDmabufHeapBufferAllocator(BufferAllocator *buffer_allocator);

/*
 * Allocates @len bytes from the heap @heap_name (a libdmaheap alias such as
 * "cma", and "udmabuf", are accepted too) and returns the dma-buf fd,
 * O_RDWR | O_CLOEXEC, owned by the caller. The buffer is named after its
 * heap, as Android names it (a naming failure is not an error). Fresh
 * buffers are zeroed by the kernel: this never recycles memory.
 *
 * @heap_flags reach the kernel (struct dma_heap_allocation_data), which
 * Android's library never did: it passed them to ION only. Upstream
 * kernels refuse any non-zero heap_flags with EINVAL, so when the kernel
 * refuses them the allocation is made again without them, as Android
 * would have made it: code passing ION flags (ION_FLAG_CACHED,
 * ION_FLAG_CACHED_NEEDS_SYNC) keeps working, and a heap that defines
 * flags gets them. That costs one refused ioctl per such call.
 *
 * Returns the fd, or a negative errno: -EINVAL (NULL argument, bad heap
 * name, @len 0), -ENOENT (no such heap; Android's main branch returned
 * -EINVAL here, its ION-less one -1), -EACCES, -ENOMEM, ... as
 * dmaheap_alloc_fd(). @legacy_align is ignored (it was ION's).
 */
int DmabufHeapAlloc(BufferAllocator *buffer_allocator, const char *heap_name,
		    size_t len, unsigned int heap_flags, size_t legacy_align);

/* DmabufHeapAlloc() without the ION-era argument. */
int DmabufHeapAlloc2(BufferAllocator *buffer_allocator, const char *heap_name,
		     size_t len, unsigned int heap_flags);

/*
 * Allocates from "system" when @cpu_access, else from "system-uncached"
 * if this allocator finds that heap (looked for once, then remembered;
 * Android looks once per process), else from "system". A failure of
 * "system-uncached" other than its absence is returned, not retried on
 * "system", as Android does. Otherwise as DmabufHeapAlloc().
 */
int DmabufHeapAllocSystem(BufferAllocator *buffer_allocator, bool cpu_access,
			  size_t len, unsigned int heap_flags,
			  size_t legacy_align);

/* DmabufHeapAllocSystem() without the ION-era argument. */
int DmabufHeapAllocSystem2(BufferAllocator *buffer_allocator, bool cpu_access,
			   size_t len, unsigned int heap_flags);

/*
 * Names the dma-buf (DMA_BUF_SET_NAME): shown as "name:" in
 * /proc/<pid>/fdinfo/<fd>. Names longer than 31 bytes are cut to 31, as
 * Android does since 2024. Returns 0, or -EINVAL (NULL argument), -EBADF,
 * -EBADFD (@dmabuf_fd is not a dma-buf: checked first, where Android
 * would send the ioctl anyway), -EBUSY, -ENOTTY (kernel before 5.8),
 * -ENOMEM.
 */
int DmabufSetName(BufferAllocator *buffer_allocator, unsigned int dmabuf_fd,
		  const char *name);

/*
 * Records the mapping (dmaheap_android_ion_mapping() shows it) and
 * returns 0: there is no ION, so it changes no allocation, as in
 * Android's library on a device without ION. Returns -EINVAL for a NULL
 * argument, -ENOMEM, or -ENOSPC beyond 128 heap names (the kernel's
 * limit on heaps).
 */
int MapDmabufHeapNameToIonHeap(BufferAllocator *buffer_allocator,
			       const char *heap_name, const char *ion_heap_name,
			       unsigned int ion_heap_flags,
			       unsigned int legacy_ion_heap_mask,
			       unsigned int legacy_ion_heap_flags);

/*
 * DMA_BUF_IOCTL_SYNC START (END) with @sync_type's direction on
 * @dmabuf_fd, retried on EINTR (as Android) and on EAGAIN up to 16 times.
 * @legacy_ion_cpu_sync is never called and @legacy_ion_custom_data never
 * read: Android called them only on legacy ION. Returns 0, or -EINVAL
 * (NULL allocator, @sync_type not one of SyncType), -EBADF, -EBADFD
 * (@dmabuf_fd is not a dma-buf; checked once per fd number, see
 * dmaheap_sync_start()), or the exporter's error.
 */
int DmabufHeapCpuSyncStart(BufferAllocator *buffer_allocator,
			   unsigned int dmabuf_fd, SyncType sync_type,
			   int (*legacy_ion_cpu_sync)(int, int, void *),
			   void *legacy_ion_custom_data);

int DmabufHeapCpuSyncEnd(BufferAllocator *buffer_allocator,
			 unsigned int dmabuf_fd, SyncType sync_type,
			 int (*legacy_ion_cpu_sync)(int, int, void *),
			 void *legacy_ion_custom_data);

/* The CPU-sync calls without the ION-era arguments. */
int DmabufHeapCpuSyncStart2(BufferAllocator *buffer_allocator,
			    unsigned int dmabuf_fd, SyncType sync_type);
int DmabufHeapCpuSyncEnd2(BufferAllocator *buffer_allocator,
			  unsigned int dmabuf_fd, SyncType sync_type);

/* Always false: there is no ION (Android's ION-less library says the
 * same; its main branch tested /dev/ion). */
bool CheckIonSupport(void);

#ifdef __cplusplus
}
#endif

#endif
