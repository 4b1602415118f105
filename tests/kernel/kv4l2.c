/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "kv4l2.h"

int kt_v4l2_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static bool is_vivid_with(int fd, uint32_t cap)
{
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
	DIR *d = opendir("/dev");
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		char path[300];
		int fd;

		if (strncmp(de->d_name, "video", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vivid_with(fd, cap))
			found = fd;
		else
			close(fd);
	}
	closedir(d);
	return found;
}
