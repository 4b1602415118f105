/* SPDX-License-Identifier: MIT */
/* vgem, the virtual GEM driver: a DRM device the kernel tests share
 * dma-bufs with. */
#ifndef DMAHEAP_KVGEM_H
#define DMAHEAP_KVGEM_H

#include <stdint.h>

/* An O_RDWR | O_CLOEXEC fd of the vgem card node, found by driver name,
 * or -1 when there is none. */
int kt_open_vgem(void);

/* Closes a GEM handle, asserting success. */
void kt_gem_close(int drm_fd, uint32_t handle);

#endif
