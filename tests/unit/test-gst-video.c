/* SPDX-License-Identifier: MIT */
/*
 * Image layouts against GStreamer's gst_video_info_set_format(), for the
 * formats both know, at even and odd sizes. GStreamer aligns every stride
 * to 4 bytes and, for vertically subsampled formats, gives plane 0 an even
 * number of rows: the library matches it exactly when asked for those
 * constraints (stride_align 4, height_align 2 for 4:2:0), which is what
 * this test asks. README, "Images", explains it.
 */
#include <drm_fourcc.h>
#include <gst/video/video.h>

#include "testutil.h"

static const struct {
	uint32_t fourcc;
	const char *gst;
} names[] = {
	{ DRM_FORMAT_XRGB8888, "BGRx" }, { DRM_FORMAT_ARGB8888, "BGRA" },
	{ DRM_FORMAT_XBGR8888, "RGBx" }, { DRM_FORMAT_ABGR8888, "RGBA" },
	{ DRM_FORMAT_RGBX8888, "xBGR" }, { DRM_FORMAT_RGBA8888, "ABGR" },
	{ DRM_FORMAT_BGRX8888, "xRGB" }, { DRM_FORMAT_BGRA8888, "ARGB" },
	{ DRM_FORMAT_RGB888, "BGR" }, { DRM_FORMAT_BGR888, "RGB" },
	{ DRM_FORMAT_RGB565, "RGB16" }, { DRM_FORMAT_BGR565, "BGR16" },
	{ DRM_FORMAT_ARGB2101010, "BGR10A2_LE" },
	{ DRM_FORMAT_ABGR2101010, "RGB10A2_LE" },
	{ DRM_FORMAT_R8, "GRAY8" }, { DRM_FORMAT_R16, "GRAY16_LE" },
	{ DRM_FORMAT_GR88, "RG88" }, { DRM_FORMAT_RG88, "GR88" },
	{ DRM_FORMAT_NV12, "NV12" }, { DRM_FORMAT_NV21, "NV21" },
	{ DRM_FORMAT_NV16, "NV16" }, { DRM_FORMAT_NV61, "NV61" },
	{ DRM_FORMAT_NV24, "NV24" }, { DRM_FORMAT_P010, "P010_10LE" },
	{ DRM_FORMAT_P012, "P012_LE" }, { DRM_FORMAT_P016, "P016_LE" },
	{ DRM_FORMAT_YUV420, "I420" }, { DRM_FORMAT_YVU420, "YV12" },
	{ DRM_FORMAT_YUV422, "Y42B" }, { DRM_FORMAT_YUV444, "Y444" },
	{ DRM_FORMAT_YUYV, "YUY2" }, { DRM_FORMAT_YVYU, "YVYU" },
	{ DRM_FORMAT_UYVY, "UYVY" }, { DRM_FORMAT_VYUY, "VYUY" },
};

static const uint32_t sizes[][2] = {
	{ 1, 1 }, { 2, 2 }, { 64, 48 }, { 33, 17 }, { 641, 481 },
	{ 1920, 1080 },
};

/* Both number planes in memory order, so plane p is compared with p. */
static void compare(uint32_t fourcc, GstVideoFormat gf, uint32_t w,
		    uint32_t h, const char *gname)
{
	struct dmaheap_image_spec s = {
		.fourcc = fourcc, .width = w, .height = h,
		.constraints = { .stride_align = 4 },
	};
	struct dmaheap_image_layout l;
	GstVideoInfo info;

	gst_video_info_init(&info);
	assert_true(gst_video_info_set_format(&info, gf, w, h));
	if (dmaheap_format_planes(fourcc) > 1 &&
	    GST_VIDEO_FORMAT_INFO_H_SUB(info.finfo, 1) == 1)
		s.constraints.height_align = 2;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	if (GST_VIDEO_INFO_N_PLANES(&info) != l.n_planes)
		fail_msg("%s: %u planes, library %u", gname,
			 GST_VIDEO_INFO_N_PLANES(&info), l.n_planes);
	for (unsigned int p = 0; p < l.n_planes; p++) {
		if ((uint64_t)GST_VIDEO_INFO_PLANE_STRIDE(&info, p) !=
			    l.planes[p].stride ||
		    (uint64_t)GST_VIDEO_INFO_PLANE_OFFSET(&info, p) !=
			    l.planes[p].offset)
			fail_msg("%s %ux%u plane %u: GStreamer stride %d offset %zu, library %u %llu",
				 gname, w, h, p,
				 GST_VIDEO_INFO_PLANE_STRIDE(&info, p),
				 GST_VIDEO_INFO_PLANE_OFFSET(&info, p),
				 l.planes[p].stride,
				 (unsigned long long)l.planes[p].offset);
	}
	if ((uint64_t)GST_VIDEO_INFO_SIZE(&info) != l.size)
		fail_msg("%s %ux%u: GStreamer size %zu, library %llu", gname, w,
			 h, GST_VIDEO_INFO_SIZE(&info),
			 (unsigned long long)l.size);
}

static void test_gstreamer_video_info(void **state)
{
	unsigned int compared = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		GstVideoFormat gf = gst_video_format_from_string(names[i].gst);

		if (gf == GST_VIDEO_FORMAT_UNKNOWN)
			continue;
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			compare(names[i].fourcc, gf, sizes[k][0], sizes[k][1],
				names[i].gst);
			compared++;
		}
	}
	print_message("%u layouts equal to GStreamer's\n", compared);
	assert_true(compared >= 30 * 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gstreamer_video_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
