/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kdev.h"
#include "kutil.h"
#include "kvgem.h"

static bool is_vgem(int fd, const void *arg)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool yes = v && strcmp(v->name, "vgem") == 0;

	(void)arg;
	drmFreeVersion(v);
	return yes;
}

int kt_open_vgem(void)
{
	return kt_open_first("/dev/dri", "card", O_RDWR, is_vgem, NULL);
}

void kt_gem_close(int drm_fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	assert_int_equal(drmIoctl(drm_fd, DRM_IOCTL_GEM_CLOSE, &c), 0);
}
