/* SPDX-License-Identifier: MIT */
/*
 * Kernel UAPI headers, plus what older copies of them lack. The fallbacks
 * come from the ABI (the numbers are fixed forever); the system headers win
 * wherever they have a definition.
 */
#ifndef DMAHEAP_UAPI_H
#define DMAHEAP_UAPI_H

#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/magic.h>
#include <linux/sync_file.h>
#include <linux/types.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>

#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC 0x444d4142 /* "DMAB" */
#endif

#ifndef DMA_BUF_NAME_LEN
#define DMA_BUF_NAME_LEN 32
#endif

/* Both sizes of the pointer argument reach the same handler; the kernel
 * accepts either from any process, which keeps 32-bit callers working. */
#ifndef DMA_BUF_SET_NAME_A
#define DMA_BUF_SET_NAME_A _IOW(DMA_BUF_BASE, 1, __u32)
#endif
#ifndef DMA_BUF_SET_NAME_B
#define DMA_BUF_SET_NAME_B _IOW(DMA_BUF_BASE, 1, __u64)
#endif

/* Linux 6.0 */
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
	__u32 flags;
	__s32 fd;
};
struct dma_buf_import_sync_file {
	__u32 flags;
	__s32 fd;
};
#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE \
	_IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE \
	_IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

/* The sync_file ioctl that tells a sync_file from any other fd (Linux 4.7). */
#ifndef SYNC_IOC_FILE_INFO
struct sync_file_info {
	char name[32];
	__s32 status;
	__u32 flags;
	__u32 num_fences;
	__u32 pad;
	__u64 sync_fence_info;
};
#define SYNC_IOC_FILE_INFO _IOWR('>', 4, struct sync_file_info)
#endif

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#endif
#ifndef F_SEAL_SHRINK
#define F_SEAL_SHRINK 0x0002
#endif

#endif /* DMAHEAP_UAPI_H */
