/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kutil.h"
#include "kvgem.h"

int kt_open_vgem(void)
{
	DIR *d = opendir("/dev/dri");
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		char path[300];
		drmVersionPtr v;
		int fd;

		if (strncmp(de->d_name, "card", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && strcmp(v->name, "vgem") == 0)
			found = fd;
		else
			close(fd);
		drmFreeVersion(v);
	}
	closedir(d);
	return found;
}

void kt_gem_close(int drm_fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	assert_int_equal(drmIoctl(drm_fd, DRM_IOCTL_GEM_CLOSE, &c), 0);
}
