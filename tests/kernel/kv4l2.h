/* SPDX-License-Identifier: MIT */
/* V4L2 and vivid, the virtual video driver: the device the kernel tests
 * (and the GStreamer one) queue heap buffers to. */
#ifndef DMAHEAP_KV4L2_H
#define DMAHEAP_KV4L2_H

#include <stdint.h>

/* ioctl(@fd, @req, @arg), retried while a signal interrupts it, as V4L2
 * programs do. Returns its non-negative result, or -errno. */
int kt_v4l2_ioctl(int fd, unsigned long req, void *arg);

/* An O_RDWR | O_NONBLOCK | O_CLOEXEC fd of the first vivid node whose
 * device capabilities include @cap and V4L2_CAP_STREAMING, or -1 when
 * there is none. Non-blocking, so that DQBUF never hangs: callers poll(). */
int kt_open_vivid(uint32_t cap);

#endif
