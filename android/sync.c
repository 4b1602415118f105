/* SPDX-License-Identifier: MIT */
/* CPU sync: DmabufHeapCpuSync{Start,End}*(). */
#include <errno.h>
#include <limits.h>

#include "private.h"

/* SyncType is DMA_BUF_SYNC_*, the bits libdmaheap's access is made of:
 * valid values pass as they are. */
_Static_assert((int)kSyncRead == (int)DMAHEAP_ACCESS_READ &&
	       (int)kSyncWrite == (int)DMAHEAP_ACCESS_WRITE &&
	       (int)kSyncReadWrite == (int)DMAHEAP_ACCESS_RW,
	       "SyncType is libdmaheap's access bits");

/* Always with the allocator's context, never NULL: the context's
 * system-call layer is the one that made the fd (a mock's, in tests).
 * Inline in each exported call, which then reaches libdmaheap in one
 * call. */
static inline int cpu_sync(BufferAllocator *ba, unsigned int fd,
			   SyncType type, bool start)
{
	struct dmaheap_ctx *ctx;
	int r = android_ctx(ba, &ctx);

	if (r)
		return android_ret(r);
	/* kSyncRead, kSyncWrite and kSyncReadWrite are 1, 2 and 3. */
	if ((unsigned int)type - 1 > 2)
		return android_ret(-EINVAL);
	if (fd > INT_MAX)
		return android_ret(-EBADF);
	r = start ? dmaheap_sync_start(ctx, (int)fd, (unsigned int)type)
		  : dmaheap_sync_end(ctx, (int)fd, (unsigned int)type);
	return android_ret(r);
}

ANDROID_EXPORT int DmabufHeapCpuSyncStart2(BufferAllocator *ba,
					   unsigned int dmabuf_fd,
					   SyncType sync_type)
{
	return cpu_sync(ba, dmabuf_fd, sync_type, true);
}

ANDROID_EXPORT int DmabufHeapCpuSyncEnd2(BufferAllocator *ba,
					 unsigned int dmabuf_fd,
					 SyncType sync_type)
{
	return cpu_sync(ba, dmabuf_fd, sync_type, false);
}

/* The legacy-ION callback is Android's for ION alone: never called. */
ANDROID_EXPORT int DmabufHeapCpuSyncStart(BufferAllocator *ba,
					  unsigned int dmabuf_fd,
					  SyncType sync_type,
					  int (*legacy_ion_cpu_sync)(int, int,
								     void *),
					  void *legacy_ion_custom_data)
{
	(void)legacy_ion_cpu_sync;
	(void)legacy_ion_custom_data;
	return cpu_sync(ba, dmabuf_fd, sync_type, true);
}

ANDROID_EXPORT int DmabufHeapCpuSyncEnd(BufferAllocator *ba,
					unsigned int dmabuf_fd,
					SyncType sync_type,
					int (*legacy_ion_cpu_sync)(int, int,
								   void *),
					void *legacy_ion_custom_data)
{
	(void)legacy_ion_cpu_sync;
	(void)legacy_ion_custom_data;
	return cpu_sync(ba, dmabuf_fd, sync_type, false);
}
