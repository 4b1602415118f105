/* SPDX-License-Identifier: MIT */
/* What images tell other APIs: V4L2 formats. */
#include <drm_fourcc.h>
#include <linux/videodev2.h>

#include <unistd.h>

#include "testutil.h"

#ifdef DMAHEAP_HAVE_EGL
#include <EGL/egl.h>
#include <EGL/eglext.h>
#endif

static struct dmaheap_image_layout layout(uint32_t fourcc, uint32_t w,
					  uint32_t h, uint32_t placement)
{
	struct dmaheap_image_spec s = {
		.fourcc = fourcc, .width = w, .height = h,
		.constraints = { .placement = placement },
	};
	struct dmaheap_image_layout l;

	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	return l;
}

static void test_v4l2_single_planar(void **state)
{
	struct dmaheap_image_layout l = layout(DRM_FORMAT_NV12, 1920, 1080, 0);
	struct v4l2_format f;

	(void)state;
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, &f), 0);
	assert_int_equal(f.type, V4L2_BUF_TYPE_VIDEO_CAPTURE);
	assert_int_equal(f.fmt.pix.pixelformat, V4L2_PIX_FMT_NV12);
	assert_int_equal(f.fmt.pix.width, 1920);
	assert_int_equal(f.fmt.pix.height, 1080);
	assert_int_equal(f.fmt.pix.bytesperline, 1920);
	assert_int_equal(f.fmt.pix.sizeimage, 3110400);
	assert_int_equal(f.fmt.pix.field, V4L2_FIELD_NONE);

	l = layout(DRM_FORMAT_XRGB8888, 3, 2, 0);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_OUTPUT, &f), 0);
	assert_int_equal(f.fmt.pix.pixelformat, V4L2_PIX_FMT_XBGR32);
	assert_int_equal(f.fmt.pix.bytesperline, 12);
}

static void test_v4l2_multi_planar(void **state)
{
	struct dmaheap_image_layout l = layout(DRM_FORMAT_NV12, 64, 48, 0);
	struct v4l2_format f;

	(void)state;
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, &f), 0);
	assert_int_equal(f.fmt.pix_mp.pixelformat, V4L2_PIX_FMT_NV12);
	assert_int_equal(f.fmt.pix_mp.num_planes, 1);
	assert_int_equal(f.fmt.pix_mp.plane_fmt[0].bytesperline, 64);
	assert_int_equal(f.fmt.pix_mp.plane_fmt[0].sizeimage, 64 * 48 * 3 / 2);

	l = layout(DRM_FORMAT_YUV420, 64, 48, DMAHEAP_PLANES_SEPARATE);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE, &f), 0);
	assert_int_equal(f.fmt.pix_mp.pixelformat, V4L2_PIX_FMT_YUV420M);
	assert_int_equal(f.fmt.pix_mp.num_planes, 3);
	assert_int_equal(f.fmt.pix_mp.plane_fmt[1].bytesperline, 32);
	assert_int_equal(f.fmt.pix_mp.plane_fmt[2].sizeimage, 32 * 24);
}

static void test_v4l2_cannot(void **state)
{
	struct dmaheap_image_layout l = layout(DRM_FORMAT_NV12, 64, 48,
					       DMAHEAP_PLANES_SEPARATE);
	struct dmaheap_image_spec s = { .fourcc = DRM_FORMAT_NV12,
					.width = 64, .height = 48 };
	struct v4l2_format f;

	(void)state;
	/* Separate planes need the multi-planar API. */
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, &f), -EINVAL);
	/* NV24 has no "M" format. */
	l = layout(DRM_FORMAT_NV24, 64, 48, DMAHEAP_PLANES_SEPARATE);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, &f), -EINVAL);
	/* No V4L2 format at all. */
	l = layout(DRM_FORMAT_GR88, 64, 48, 0);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, &f), -EINVAL);
	/* V4L2 cannot say where chroma starts after padding. */
	s.constraints.height_align = 64;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, &f), -EINVAL);
	s.constraints.height_align = 0;
	s.constraints.offset_align = 4096;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, &f), -EINVAL);
	/* Nor a chroma row longer than plane 0's (odd widths). */
	l = layout(DRM_FORMAT_NV12, 33, 16, 0);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, &f), -EINVAL);
	/* Bad arguments. */
	l = layout(DRM_FORMAT_NV12, 64, 48, 0);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VBI_CAPTURE, &f), -EINVAL);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, NULL,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, &f), -EINVAL);
	assert_int_equal(dmaheap_image_v4l2_format(NULL, &l,
				V4L2_BUF_TYPE_VIDEO_CAPTURE, NULL), -EINVAL);
}

static void keep_last(void *userdata, int priority, const char *msg)
{
	(void)priority;
	snprintf(userdata, 512, "%s", msg);
}

/* The warning for a layout V4L2 cannot take: "@fourcc w x h in N
 * dma-buf(s)", and then why, which must hold each of @why. */
static void assert_refused_because(struct dmaheap_ctx *ctx, char *log,
				   const struct dmaheap_image_spec *s,
				   uint32_t type, const char *const why[])
{
	struct dmaheap_image_layout l;
	struct v4l2_format f;

	assert_int_equal(dmaheap_image_layout(NULL, s, &l), 0);
	log[0] = '\0';
	assert_int_equal(dmaheap_image_v4l2_format(ctx, &l, type, &f), -EINVAL);
	for (; *why; why++)
		if (!strstr(log, *why))
			fail_msg("'%s' lacks '%s'", log, *why);
}

static void test_v4l2_refusal_says_why(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_image_spec s = { .fourcc = DRM_FORMAT_NV12,
					.width = 64, .height = 48 };
	struct dmaheap_ctx *ctx = NULL;
	char log[512];

	(void)state;
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	o.log_fn = keep_last;
	o.log_userdata = log;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	/* Height padding: the cause, and what V4L2 needs instead. */
	s.constraints.height_align = 64;
	assert_refused_because(ctx, log, &s, V4L2_BUF_TYPE_VIDEO_CAPTURE,
		(const char *const[]){ "'NV12' 64x48 in 1 dma-buf",
				       "padded to 64 rows",
				       "height of 48", "height_align 1",
				       "DMAHEAP_PLANES_SEPARATE", NULL });
	s.fourcc = DRM_FORMAT_XRGB8888;
	assert_refused_because(ctx, log, &s, V4L2_BUF_TYPE_VIDEO_CAPTURE,
		(const char *const[]){ "padded to 64", "height_align 1",
				       NULL });
	s.fourcc = DRM_FORMAT_NV12;
	s.constraints.height_align = 0;
	s.constraints.offset_align = 4096;
	assert_refused_because(ctx, log, &s, V4L2_BUF_TYPE_VIDEO_CAPTURE,
		(const char *const[]){ "plane 1 starts at byte 4096",
				       "right after plane 0, at 3072",
				       "offset_align", NULL });
	s.constraints.offset_align = 0;
	s.width = 33;
	assert_refused_because(ctx, log, &s, V4L2_BUF_TYPE_VIDEO_CAPTURE,
		(const char *const[]){ "plane 1's stride is 34 bytes",
				       "plane 0's 33", NULL });
	s.width = 64;
	s.constraints.placement = DMAHEAP_PLANES_SEPARATE;
	assert_refused_because(ctx, log, &s, V4L2_BUF_TYPE_VIDEO_CAPTURE,
		(const char *const[]){ "in 2 dma-bufs", "_MPLANE", NULL });
	dmaheap_ctx_free(ctx);
}

static void test_gst_drm_format(void **state)
{
	struct dmaheap_image_layout l = layout(DRM_FORMAT_NV12, 64, 48, 0);
	char b[8];

	(void)state;
	assert_int_equal(dmaheap_image_gst_drm_format(&l, b, sizeof(b)), 4);
	assert_string_equal(b, "NV12");
	l = layout(DRM_FORMAT_R8, 64, 48, 0);
	assert_int_equal(dmaheap_image_gst_drm_format(&l, b, 5), 4);
	assert_string_equal(b, "R8  ");
	assert_int_equal(dmaheap_image_gst_drm_format(&l, b, 4), -ENOSPC);
	assert_int_equal(dmaheap_image_gst_drm_format(NULL, b, 5), -EINVAL);
	assert_int_equal(dmaheap_image_gst_drm_format(&l, NULL, 5), -EINVAL);
	l.modifier = 1;
	assert_int_equal(dmaheap_image_gst_drm_format(&l, b, 5), -EINVAL);
	l.modifier = 0;
	l.fourcc = 0x39395650;
	assert_int_equal(dmaheap_image_gst_drm_format(&l, b, 5), -EINVAL);
}

static struct dmaheap_image *alloc_image(struct fixture *f, uint32_t fourcc,
					 uint32_t placement)
{
	struct dmaheap_image_spec s = {
		.fourcc = fourcc, .width = 64, .height = 48,
		.constraints = { .placement = placement, .offset_align = 4096 },
	};
	struct dmaheap_image *img = NULL;

	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img), 0);
	return img;
}

static void test_egl_attribs(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image *img = alloc_image(f, DRM_FORMAT_YUV420, 0);
	int32_t a[DMAHEAP_EGL_ATTRIBS_MAX];
	int fd = dmaheap_image_plane_fd(img, 0);

	assert_int_equal(dmaheap_image_egl_attribs(img, a, 10), -ENOSPC);
	assert_int_equal(dmaheap_image_egl_attribs(img, a, 37), 37);
	assert_int_equal(a[1], 64);
	assert_int_equal(a[3], 48);
	assert_int_equal(a[5], (int32_t)DRM_FORMAT_YUV420);
	assert_int_equal(a[7], fd);
	assert_int_equal(a[9], 0);
	assert_int_equal(a[11], 64);
	assert_int_equal(a[19], 4096);	/* plane 1 offset */
	assert_int_equal(a[21], 32);	/* plane 1 pitch */
	assert_int_equal(a[36], 0x3038);
#ifdef DMAHEAP_HAVE_EGL
	/* The keys, checked against Khronos' header where installed. */
	{
		static const int32_t want[] = {
			EGL_WIDTH, 64, EGL_HEIGHT, 48,
			EGL_LINUX_DRM_FOURCC_EXT, (int32_t)DRM_FORMAT_YUV420,
			EGL_DMA_BUF_PLANE0_FD_EXT, -1,
			EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
			EGL_DMA_BUF_PLANE0_PITCH_EXT, 64,
			EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0,
			EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, 0,
			EGL_DMA_BUF_PLANE1_FD_EXT, -1,
			EGL_DMA_BUF_PLANE1_OFFSET_EXT, 4096,
			EGL_DMA_BUF_PLANE1_PITCH_EXT, 32,
			EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, 0,
			EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT, 0,
			EGL_DMA_BUF_PLANE2_FD_EXT, -1,
			EGL_DMA_BUF_PLANE2_OFFSET_EXT, 8192,
			EGL_DMA_BUF_PLANE2_PITCH_EXT, 32,
			EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT, 0,
			EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT, 0,
			EGL_NONE,
		};

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (want[i] != -1)
				assert_int_equal(a[i], want[i]);
	}
#endif
	assert_int_equal(dmaheap_image_egl_attribs(NULL, a, 47), -EINVAL);
	assert_int_equal(dmaheap_image_egl_attribs(img, NULL, 47), -EINVAL);
	dmaheap_image_free(img);

	/* Separate planes: each plane's own fd. */
	img = alloc_image(f, DRM_FORMAT_NV12, DMAHEAP_PLANES_SEPARATE);
	assert_int_equal(dmaheap_image_egl_attribs(img, a, 47), 27);
	assert_int_equal(a[16], 0x3275); /* EGL_DMA_BUF_PLANE1_FD_EXT */
	assert_int_equal(a[17], dmaheap_image_plane_fd(img, 1));
	assert_int_not_equal(a[17], a[7]);
	dmaheap_image_free(img);
}

/* A DRM device is only in the VM (kernel suite: vgem); here, the errors. */
static void test_drm_fb_errors(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image *img = alloc_image(f, DRM_FORMAT_NV12, 0);
	struct dmaheap_drm_fb fb;
	int pipefd[2];

	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(dmaheap_image_drm_fb(img, pipefd[0], &fb), -ENOTTY);
	assert_int_equal(dmaheap_image_drm_fb(NULL, pipefd[0], &fb), -EINVAL);
	assert_int_equal(dmaheap_image_drm_fb(img, -1, &fb), -EINVAL);
	assert_int_equal(dmaheap_image_drm_fb(img, pipefd[0], NULL), -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	dmaheap_image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gst_drm_format),
		FIXTURE_TEST(test_egl_attribs),
		FIXTURE_TEST(test_drm_fb_errors),
		cmocka_unit_test(test_v4l2_single_planar),
		cmocka_unit_test(test_v4l2_multi_planar),
		cmocka_unit_test(test_v4l2_cannot),
		cmocka_unit_test(test_v4l2_refusal_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
