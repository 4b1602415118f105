/* SPDX-License-Identifier: MIT */
/* What images tell other APIs: V4L2 formats. */
#include <drm_fourcc.h>
#include <linux/videodev2.h>

#include "testutil.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4l2_single_planar),
		cmocka_unit_test(test_v4l2_multi_planar),
		cmocka_unit_test(test_v4l2_cannot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
