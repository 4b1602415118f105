/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of formats and images.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>

#include <drm_fourcc.h>
#include <linux/videodev2.h>

#include "fault.h"

static long run_format_name(struct fault_env *e)
{
	char name[16];

	(void)e;
	return dmaheap_format_name(DRM_FORMAT_NV12, name, sizeof(name)) ?
		       0 : -EFAULT;
}

static long run_format_planes(struct fault_env *e)
{
	(void)e;
	return dmaheap_format_planes(DRM_FORMAT_YUV420);
}

static long run_format_parse(struct fault_env *e)
{
	uint32_t fourcc;

	(void)e;
	return dmaheap_format_parse("YUV420", &fourcc);
}

static long run_format_at(struct fault_env *e)
{
	(void)e;
	return dmaheap_format_at(0) ? 0 : -EFAULT;
}

static long run_constraints_merge(struct fault_env *e)
{
	struct dmaheap_image_constraints a = { .stride_align = 64 };
	struct dmaheap_image_constraints b = { .stride_align = 96,
					       .height_align = 16 };

	return dmaheap_image_constraints_merge(e->ctx, &a, &b, &a);
}

static long run_image_layout(struct fault_env *e)
{
	struct dmaheap_image_layout l;

	return dmaheap_image_layout(e->ctx, &fault_nv12, &l);
}

static long run_image_alloc(struct fault_env *e)
{
	return dmaheap_image_alloc(e->ctx, "system", &fault_nv12, 0, &e->out_img);
}

static long run_image_alloc_separate(struct fault_env *e)
{
	return dmaheap_image_alloc(e->ctx, "system", &fault_nv12m, 0, &e->out_img);
}

static long run_image_alloc_from(struct fault_env *e)
{
	return dmaheap_image_alloc_from(e->ctx, fault_fallback, 3, &fault_nv12m, 0,
					&e->out_img);
}

static long run_image_alloc_usage(struct fault_env *e)
{
	return dmaheap_image_alloc_usage(e->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
					 &fault_nv12m, 0, &e->out_img);
}

static long run_image_import(struct fault_env *e)
{
	struct dmaheap_image_layout l;
	int fds[2];

	FAULT_REQUIRE(dmaheap_image_layout(NULL, &fault_nv12m, &l) == 0);
	fds[0] = e->raw_fd;
	fds[1] = e->sync_fd;
	return dmaheap_image_import(e->ctx, &l, fds, 2, &e->out_img);
}

static long run_image_v4l2_format(struct fault_env *e)
{
	struct v4l2_format fmt;

	return dmaheap_image_v4l2_format(e->ctx,
					 dmaheap_image_get_layout(e->img),
					 V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
					 &fmt);
}

static long run_image_gst_drm_format(struct fault_env *e)
{
	char caps[8];

	return dmaheap_image_gst_drm_format(dmaheap_image_get_layout(e->img),
					    caps, sizeof(caps));
}

static long run_image_egl_attribs(struct fault_env *e)
{
	int32_t attribs[DMAHEAP_EGL_ATTRIBS_MAX];

	return dmaheap_image_egl_attribs(e->img, attribs,
					 DMAHEAP_EGL_ATTRIBS_MAX);
}

static long run_image_drm_fb(struct fault_env *e)
{
	struct dmaheap_drm_fb fb;

	return dmaheap_image_drm_fb(e->img, e->raw_fd, &fb);
}

static long run_image_free(struct fault_env *e)
{
	dmaheap_image_free(e->img);
	e->img = NULL;
	return 0;
}

static long run_image_get_layout(struct fault_env *e)
{
	return dmaheap_image_get_layout(e->img) ? 0 : -EFAULT;
}

static long run_image_buf(struct fault_env *e)
{
	return dmaheap_image_buf(e->img, 1) ? 0 : -EFAULT;
}

static long run_image_plane_fd(struct fault_env *e)
{
	return dmaheap_image_plane_fd(e->img, 1);
}

static long run_image_map(struct fault_env *e)
{
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];

	return dmaheap_image_map(e->img, planes);
}

static long run_image_unmap(struct fault_env *e)
{
	return dmaheap_image_unmap(e->img);
}

static long run_image_begin(struct fault_env *e)
{
	return dmaheap_image_begin_cpu_access(e->img, DMAHEAP_ACCESS_RW);
}

static long run_image_end(struct fault_env *e)
{
	return dmaheap_image_end_cpu_access(e->img, DMAHEAP_ACCESS_RW);
}

static long run_image_send(struct fault_env *e)
{
	return dmaheap_image_send(e->img, e->sock[0]);
}

static long run_image_recv(struct fault_env *e)
{
	e->out_imports = true;
	return dmaheap_image_recv(e->ctx, e->sock[1], &e->out_img);
}

static long run_image_send_extra(struct fault_env *e)
{
	struct dmaheap_handoff_extra *x = fault_extra(e);
	long r = dmaheap_image_send_extra(e->img, e->sock[0], x);

	free(x);
	return r;
}

static long run_image_recv_extra(struct fault_env *e)
{
	struct dmaheap_handoff_extra *x = fault_extra(e);

	e->out_imports = true;
	return fault_recv_extra_done(e, dmaheap_image_recv_extra(
		e->ctx, e->sock[1], &e->out_img, x), x);
}

const struct fault_scenario fault_image_scenarios[] = {
	S("dmaheap_format_name", "", NULL, run_format_name, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_format_planes", "", NULL, run_format_planes, ERRS(EINVAL),
	  false, RET_NONNEG),
	S("dmaheap_format_at", "", NULL, run_format_at, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_format_parse", "", NULL, run_format_parse, ERRS(EINVAL),
	  false, RET_ZERO),
	S("dmaheap_image_constraints_merge", "", NULL, run_constraints_merge,
	  ERRS(EINVAL), false, RET_ZERO),
	S("dmaheap_image_layout", "nv12", NULL, run_image_layout,
	  ERRS(EINVAL, EOPNOTSUPP, EOVERFLOW), false, RET_ZERO),
	S("dmaheap_image_alloc", "nv12, one dma-buf", NULL, run_image_alloc,
	  ERRS(ALLOC_ERRS, EOPNOTSUPP), true, RET_ZERO),
	S("dmaheap_image_alloc", "nv12, separate planes", NULL,
	  run_image_alloc_separate, ERRS(ALLOC_ERRS, EOPNOTSUPP), true,
	  RET_ZERO),
	S("dmaheap_image_alloc_from", "missing, full cma, system", NULL,
	  run_image_alloc_from, ERRS(ALLOC_ERRS, EOPNOTSUPP), true,
	  RET_NONNEG),
	S("dmaheap_image_alloc_usage", "cpu-read-often", NULL,
	  run_image_alloc_usage, ERRS(ALLOC_ERRS, EOPNOTSUPP), true,
	  RET_ZERO),
	S("dmaheap_image_import", "separate planes", setup_image_fds,
	  run_image_import, ERRS(EINVAL, EMSGSIZE, EBADF, EBADFD, EMFILE,
				 ENOMEM), false, RET_ZERO),
	S("dmaheap_image_v4l2_format", "nv12m", setup_image,
	  run_image_v4l2_format, ERRS(EINVAL), false, RET_ZERO),
	S("dmaheap_image_gst_drm_format", "nv12m", setup_image,
	  run_image_gst_drm_format, ERRS(EINVAL, ENOSPC), false, RET_NONNEG),
	S("dmaheap_image_egl_attribs", "nv12m", setup_image,
	  run_image_egl_attribs, ERRS(EINVAL, ENOSPC, EOVERFLOW), false,
	  RET_NONNEG),
	S("dmaheap_image_drm_fb", "not a DRM device", setup_image_not_drm,
	  run_image_drm_fb, ERRS(EINVAL, EOVERFLOW, EBADF, ENOTTY, EOPNOTSUPP,
				 ENOMEM), true, RET_ZERO),
	SC("dmaheap_image_free", "mapped, in CPU access", setup_image_busy,
	   run_image_free, ERRS(0), false, RET_ZERO, check_free),
	S("dmaheap_image_get_layout", "", setup_image, run_image_get_layout,
	  ERRS(0), false, RET_ZERO),
	S("dmaheap_image_buf", "", setup_image, run_image_buf, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_image_plane_fd", "", setup_image, run_image_plane_fd,
	  ERRS(EINVAL), false, RET_NONNEG),
	S("dmaheap_image_map", "separate planes", setup_image, run_image_map,
	  ERRS(EINVAL, EPERM, EACCES, EAGAIN, ENOMEM, EOVERFLOW), false,
	  RET_ZERO),
	S("dmaheap_image_unmap", "separate planes", setup_image_mapped,
	  run_image_unmap, ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_image_begin_cpu_access", "separate planes", setup_image,
	  run_image_begin, ERRS(EINVAL, EPERM, EAGAIN, EOVERFLOW), true,
	  RET_ZERO),
	S("dmaheap_image_end_cpu_access", "separate planes",
	  setup_image_begun, run_image_end, ERRS(EINVAL, EAGAIN), true,
	  RET_ZERO),
	S("dmaheap_image_send", "separate planes", setup_image_socket,
	  run_image_send, ERRS(SEND_ERRS), true, RET_ZERO),
	S("dmaheap_image_recv", "separate planes", setup_image_sent,
	  run_image_recv, ERRS(RECV_ERRS, EINVAL), true, RET_ZERO),
	S("dmaheap_image_send_extra", "blob and fence",
	  setup_image_fence_socket, run_image_send_extra,
	  ERRS(SEND_EXTRA_ERRS), true, RET_ZERO),
	S("dmaheap_image_recv_extra", "blob and fence", setup_image_sent_extra,
	  run_image_recv_extra, ERRS(RECV_ERRS, EINVAL), true, RET_ZERO),
};

const size_t fault_image_n =
	sizeof(fault_image_scenarios) / sizeof(fault_image_scenarios[0]);
