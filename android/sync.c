/* SPDX-License-Identifier: MIT */
/* CPU sync: DmabufHeapCpuSync{Start,End}*(). */
#include <errno.h>
#include <limits.h>

#include "private.h"

static int access_of(SyncType type, unsigned int *access)
{
	switch (type) {
	case kSyncRead:
		*access = DMAHEAP_ACCESS_READ;
		return 0;
	case kSyncWrite:
		*access = DMAHEAP_ACCESS_WRITE;
		return 0;
	case kSyncReadWrite:
		*access = DMAHEAP_ACCESS_RW;
		return 0;
	}
	return -EINVAL;
}

/* Always with the allocator's context, never NULL: the context's
 * system-call layer is the one that made the fd (a mock's, in tests). */
static int cpu_sync(BufferAllocator *ba, unsigned int fd, SyncType type,
		    bool start)
{
	struct dmaheap_ctx *ctx;
	unsigned int access;
	int r = android_ctx(ba, &ctx);

	if (!r)
		r = access_of(type, &access);
	if (!r && fd > INT_MAX)
		r = -EBADF;
	if (!r)
		r = start ? dmaheap_sync_start(ctx, (int)fd, access)
			  : dmaheap_sync_end(ctx, (int)fd, access);
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
