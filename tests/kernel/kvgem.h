/* SPDX-License-Identifier: MIT */
/* vgem, the virtual GEM driver: a DRM device the kernel tests share
 * dma-bufs with. */
#ifndef DMAHEAP_KVGEM_H
#define DMAHEAP_KVGEM_H

#include <stdint.h>

#include <xf86drm.h>

/*
 * vgem's fence ioctls (include/uapi/drm/vgem_drm.h, which libdrm does not
 * ship). The numbers are ABI.
 */
struct kt_vgem_fence_attach {
	__u32 handle;
	__u32 flags;
	__u32 out_fence;
	__u32 pad;
};
struct kt_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};
#define KT_VGEM_FENCE_WRITE 0x1
#define KT_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct kt_vgem_fence_attach)
#define KT_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct kt_vgem_fence_signal)

/* An O_RDWR | O_CLOEXEC fd of the vgem card node, found by driver name,
 * or -1 when there is none. */
int kt_open_vgem(void);

/* Closes a GEM handle, asserting success. */
void kt_gem_close(int drm_fd, uint32_t handle);

#endif
