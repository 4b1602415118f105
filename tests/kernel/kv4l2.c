/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "kdev.h"
#include "kv4l2.h"

int kt_v4l2_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static bool is_vivid_with(int fd, const void *arg)
{
	uint32_t cap = *(const uint32_t *)arg;
	struct v4l2_capability c;
	uint32_t caps;

	memset(&c, 0, sizeof(c));
	if (kt_v4l2_ioctl(fd, VIDIOC_QUERYCAP, &c) < 0)
		return false;
	caps = (c.capabilities & V4L2_CAP_DEVICE_CAPS) ? c.device_caps
						       : c.capabilities;
	return strcmp((const char *)c.driver, "vivid") == 0 && (caps & cap) &&
	       (caps & V4L2_CAP_STREAMING);
}

int kt_open_vivid(uint32_t cap)
{
	return kt_open_first("/dev", "video", O_RDWR | O_NONBLOCK,
			     is_vivid_with, &cap);
}
