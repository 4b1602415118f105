/* SPDX-License-Identifier: MIT */
/*
 * Image layouts checked against the kernel's own answers: vivid's
 * VIDIOC_S_FMT (single- and multi-planar API) and vgem's dumb buffers;
 * then a 1920x1080 NV12 image captured into by vivid through the
 * multi-planar DMABUF API, read through the image's mapping, and imported
 * into vgem through PRIME.
 *
 * vivid is loaded by the VM with two instances, the second multi-planar
 * (tests/vm/init). Runs inside the VM of tests/vm/run.sh; elsewhere it
 * exits 77.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/videodev2.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "kutil.h"
#include "kv4l2.h"
#include "kvgem.h"

#define FRAME_TIMEOUT_MS 20000

static const uint32_t sizes[][2] = {
	{ 64, 48 }, { 640, 480 }, { 641, 481 }, { 35, 17 }, { 1920, 1080 },
};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

struct fixture {
	int fds_before;
	int video;
};

static struct dmaheap_image_spec spec_of(uint32_t fourcc, uint32_t w,
					 uint32_t h, uint32_t placement)
{
	struct dmaheap_image_spec s = {
		.fourcc = fourcc, .width = w, .height = h,
		.constraints = { .placement = placement },
	};
	return s;
}

struct tally {
	unsigned int compared, unsupported, adjusted, odd, header;
};

/* vivid tests data_offset with a 128-byte header in one plane of NV16M
 * and NV61M (PLANE0_DATA_OFFSET in vivid-vid-common.c: plane 0 of NV16M,
 * plane 1 of NV61M): its sizeimage counts the header, which is not part
 * of the image. */
#define VIVID_PLANE0_HEADER 128

static int vivid_header_plane(uint32_t pixfmt)
{
	return pixfmt == V4L2_PIX_FMT_NV16M ? 0
	       : pixfmt == V4L2_PIX_FMT_NV61M ? 1 : -1;
}

/*
 * At odd widths of horizontally subsampled formats V4L2 sizes rows by
 * pixels (YUYV: width * 2; NV12 chroma: the luma stride), one block short
 * of the last chroma sample; the library keeps whole samples (README,
 * "Images"). Such a difference is one block at most and only in the
 * library's favour.
 */
static bool odd_width_difference(uint32_t fourcc, uint32_t width,
				 uint64_t vivid, uint64_t library,
				 uint64_t rows)
{
	bool subsampled = dmaheap_format_planes(fourcc) > 1 ||
			  fourcc == DRM_FORMAT_YUYV || fourcc == DRM_FORMAT_YVYU ||
			  fourcc == DRM_FORMAT_UYVY || fourcc == DRM_FORMAT_VYUY;

	return subsampled && (width & 1) && library > vivid &&
	       library - vivid <= 4 * rows;
}

/* Equal, or the documented odd-width difference (counted). */
static bool same_or_odd(uint32_t fourcc, uint32_t width, uint64_t vivid,
			uint64_t library, uint64_t rows, struct tally *t)
{
	if (vivid == library)
		return true;
	if (!odd_width_difference(fourcc, width, vivid, library, rows))
		return false;
	t->odd++;
	return true;
}

/*
 * Sets @fourcc at @w x @h through the library's V4L2 format and compares
 * what the driver answers with the library's layout for the size the
 * driver kept. Returns false when vivid does not do the format.
 */
static bool compare_one(int video, uint32_t type, uint32_t fourcc,
			uint32_t w, uint32_t h, struct tally *t)
{
	bool mp = type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	struct dmaheap_image_spec s = spec_of(fourcc, w, h, 0);
	struct dmaheap_image_layout l;
	struct v4l2_format want, got;
	uint32_t pixfmt;
	char name[16];

	dmaheap_format_name(fourcc, name, sizeof(name));
	assert_ret(dmaheap_image_layout(NULL, &s, &l), 0);
	if (dmaheap_image_v4l2_format(NULL, &l, type, &want) != 0) {
		/* Separate planes, where V4L2 has an "M" format. */
		s.constraints.placement = DMAHEAP_PLANES_SEPARATE;
		assert_ret(dmaheap_image_layout(NULL, &s, &l), 0);
		if (!mp || dmaheap_image_v4l2_format(NULL, &l, type, &want))
			return false;
	}
	pixfmt = mp ? want.fmt.pix_mp.pixelformat : want.fmt.pix.pixelformat;
	/* The driver's own strides and sizes, not the library's. */
	got = want;
	if (mp) {
		for (unsigned int p = 0; p < VIDEO_MAX_PLANES; p++)
			memset(&got.fmt.pix_mp.plane_fmt[p], 0,
			       sizeof(got.fmt.pix_mp.plane_fmt[p]));
	} else {
		got.fmt.pix.bytesperline = 0;
		got.fmt.pix.sizeimage = 0;
	}
	assert_ret(kt_v4l2_ioctl(video, VIDIOC_S_FMT, &got), 0);
	if ((mp ? got.fmt.pix_mp.pixelformat : got.fmt.pix.pixelformat) !=
	    pixfmt)
		return false;
	s.width = mp ? got.fmt.pix_mp.width : got.fmt.pix.width;
	s.height = mp ? got.fmt.pix_mp.height : got.fmt.pix.height;
	if (s.width != w || s.height != h) {
		print_message("%s: vivid made %ux%u of %ux%u\n", name, s.width,
			      s.height, w, h);
		t->adjusted++;
	}
	assert_ret(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_ret(dmaheap_image_v4l2_format(NULL, &l, type, &want), 0);
	if (!mp) {
		if (!same_or_odd(fourcc, s.width, got.fmt.pix.bytesperline,
				 want.fmt.pix.bytesperline, 1, t) ||
		    !same_or_odd(fourcc, s.width, got.fmt.pix.sizeimage,
				 want.fmt.pix.sizeimage, s.height * 2, t))
			fail_msg("%s %ux%u: vivid bytesperline %u sizeimage %u, library %u %u",
				 name, s.width, s.height,
				 got.fmt.pix.bytesperline,
				 got.fmt.pix.sizeimage,
				 want.fmt.pix.bytesperline,
				 want.fmt.pix.sizeimage);
	} else {
		assert_int_equal(got.fmt.pix_mp.num_planes,
				 want.fmt.pix_mp.num_planes);
		for (unsigned int p = 0; p < got.fmt.pix_mp.num_planes; p++) {
			const struct v4l2_plane_pix_format *g =
				&got.fmt.pix_mp.plane_fmt[p];
			const struct v4l2_plane_pix_format *e =
				&want.fmt.pix_mp.plane_fmt[p];

			uint32_t size = g->sizeimage;

			if ((int)p == vivid_header_plane(pixfmt) &&
			    size >= VIVID_PLANE0_HEADER) {
				size -= VIVID_PLANE0_HEADER;
				t->header++;
			}
			if (!same_or_odd(fourcc, s.width, g->bytesperline,
					 e->bytesperline, 1, t) ||
			    !same_or_odd(fourcc, s.width, size, e->sizeimage,
					 s.height * 2, t))
				fail_msg("%s %ux%u plane %u: vivid bytesperline %u sizeimage %u, library %u %u",
					 name, s.width, s.height, p,
					 g->bytesperline, g->sizeimage,
					 e->bytesperline, e->sizeimage);
		}
	}
	t->compared++;
	return true;
}

/* A vivid input that scales to any size (not the webcam, whose sizes are
 * fixed): the last one. */
static void pick_scaling_input(int video)
{
	struct v4l2_input in = { 0 };
	int last = -1;

	for (in.index = 0; kt_v4l2_ioctl(video, VIDIOC_ENUMINPUT, &in) == 0;
	     in.index++)
		last = (int)in.index;
	assert_true(last >= 0);
	assert_ret(kt_v4l2_ioctl(video, VIDIOC_S_INPUT, &last), 0);
}

static void compare_all(int video, uint32_t type)
{
	struct tally t = { 0 };
	uint32_t f;

	pick_scaling_input(video);

	for (unsigned int i = 0; (f = dmaheap_format_at(i)) != 0; i++) {
		bool ok = true;

		for (size_t k = 0; ok && k < N_SIZES; k++)
			ok = compare_one(video, type, f, sizes[k][0],
					 sizes[k][1], &t);
		if (!ok)
			t.unsupported++;
	}
	print_message("%u layouts compared with vivid's: %u values differ at odd widths as documented, %u plane sizes count vivid's header, %u sizes adjusted by vivid, %u formats vivid does not take this way\n",
		      t.compared, t.odd, t.header, t.adjusted, t.unsupported);
	assert_true(t.compared >= 10 * N_SIZES);
}

static void test_vivid_single_planar(void **state)
{
	struct fixture *f = *state;

	f->video = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE);
	assert_true(f->video >= 0);
	compare_all(f->video, V4L2_BUF_TYPE_VIDEO_CAPTURE);
}

static void test_vivid_multi_planar(void **state)
{
	struct fixture *f = *state;

	f->video = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE_MPLANE);
	if (f->video < 0)
		skip();
	compare_all(f->video, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
}

/* vgem's dumb buffers: pitch = width * bytes per pixel, size page-rounded. */
static void test_vgem_dumb(void **state)
{
	static const uint32_t rgb[] = {
		DRM_FORMAT_R8, DRM_FORMAT_RGB565, DRM_FORMAT_RGB888,
		DRM_FORMAT_XRGB8888, DRM_FORMAT_ABGR2101010,
		DRM_FORMAT_ABGR16161616F,
	};
	int vgem = kt_open_vgem();
	unsigned int n = 0;

	(void)state;
	if (vgem < 0)
		skip();
	for (size_t i = 0; i < sizeof(rgb) / sizeof(rgb[0]); i++) {
		for (size_t k = 0; k < N_SIZES; k++) {
			struct dmaheap_image_spec s = spec_of(rgb[i],
					sizes[k][0], sizes[k][1], 0);
			struct drm_mode_create_dumb d = {
				.width = sizes[k][0], .height = sizes[k][1],
			};
			struct dmaheap_image_layout l;

			assert_ret(dmaheap_image_layout(NULL, &s, &l), 0);
			/* bpp: bits per pixel of the single plane. */
			d.bpp = l.planes[0].stride / s.width * 8;
			assert_ret(drmIoctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &d) ? -errno : 0, 0);
			if (d.pitch != l.planes[0].stride ||
			    d.size != kt_page_round(l.size))
				fail_msg("bpp %u %ux%u: vgem pitch %u size %llu, library %u %llu",
					 d.bpp, s.width, s.height, d.pitch,
					 (unsigned long long)d.size,
					 l.planes[0].stride,
					 (unsigned long long)l.size);
			kt_gem_close(vgem, d.handle);
			n++;
		}
	}
	print_message("%u dumb buffers laid out as the library does\n", n);
	close(vgem);
}

/* --- NV12 1920x1080 captured by vivid into images, end to end --------- */

#define N_IMAGES 3

static void clear_image(struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	void *p[DMAHEAP_IMAGE_MAX_PLANES];

	assert_ret(dmaheap_image_map(img, p), 0);
	assert_ret(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_WRITE), 0);
	for (unsigned int i = 0; i < l->n_planes; i++)
		memset(p[i], 0, l->planes[i].size);
	assert_ret(dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_image_unmap(img), 0);
}

static int queue_image(int video, unsigned int index,
		       const struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
		.memory = V4L2_MEMORY_DMABUF,
		.m.planes = planes,
		.length = l->n_buffers,
	};

	memset(planes, 0, sizeof(planes));
	for (unsigned int i = 0; i < l->n_buffers; i++) {
		struct dmaheap_buf *buf = dmaheap_image_buf(img, i);

		planes[i].m.fd = dmaheap_buf_fd(buf);
		planes[i].length = (uint32_t)dmaheap_buf_size(buf);
	}
	return kt_v4l2_ioctl(video, VIDIOC_QBUF, &b);
}

static unsigned int dequeue_image(int video)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
		.memory = V4L2_MEMORY_DMABUF,
		.m.planes = planes,
		.length = VIDEO_MAX_PLANES,
	};
	struct pollfd p = { .fd = video, .events = POLLIN };

	if (poll(&p, 1, FRAME_TIMEOUT_MS) != 1)
		fail_msg("no frame within %d ms", FRAME_TIMEOUT_MS);
	assert_ret(kt_v4l2_ioctl(video, VIDIOC_DQBUF, &b), 0);
	assert_false(b.flags & V4L2_BUF_FLAG_ERROR);
	return b.index;
}

/*
 * vivid's default pattern is 75% colour bars, white first then yellow, in
 * limited-range BT.601: white is Y 180, Cb Cr 128; yellow Y 162, Cb 44,
 * Cr 142. Rows in the middle are free of vivid's text overlay. Reading
 * those values at the library's plane offsets and strides shows the layout
 * is the one vivid wrote.
 */
static void check_bars(struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	const uint8_t *p[DMAHEAP_IMAGE_MAX_PLANES];
	uint32_t row = l->height / 2, white = l->width / 16,
		 yellow = l->width * 3 / 16;
	const uint8_t *y, *c;

	assert_ret(dmaheap_image_map(img, (void **)p), 0);
	assert_ret(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_READ), 0);
	y = p[0] + (size_t)row * l->planes[0].stride;
	c = p[1] + (size_t)(row / 2) * l->planes[1].stride;
	print_message("white Y %u Cb %u Cr %u, yellow Y %u Cb %u Cr %u\n",
		      y[white], c[white & ~1u], c[(white & ~1u) + 1],
		      y[yellow], c[yellow & ~1u], c[(yellow & ~1u) + 1]);
	assert_in_range(y[white], 170, 190);
	assert_in_range(c[white & ~1u], 120, 136);
	assert_in_range(c[(white & ~1u) + 1], 120, 136);
	assert_in_range(y[yellow], 150, 175);
	assert_in_range(c[yellow & ~1u], 30, 60);
	assert_in_range(c[(yellow & ~1u) + 1], 130, 155);
	assert_ret(dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_image_unmap(img), 0);
}

static int request(int video, unsigned int count)
{
	struct v4l2_requestbuffers req = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	int r = kt_v4l2_ioctl(video, VIDIOC_REQBUFS, &req);

	return r < 0 ? r : (int)req.count;
}

/* Imports @img into vgem through the library's DRM helper: the
 * arguments of drmModeAddFB2WithModifiers() (vgem has no KMS to take
 * them), with one GEM handle per dma-buf. */
static void import_into_vgem(const struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	struct dmaheap_drm_fb fb;
	int vgem = kt_open_vgem();

	assert_true(vgem >= 0);
	assert_ret(dmaheap_image_drm_fb(img, vgem, &fb), 0);
	assert_int_equal(fb.width, l->width);
	assert_int_equal(fb.fourcc, DRM_FORMAT_NV12);
	assert_int_equal(fb.flags, DRM_MODE_FB_MODIFIERS);
	for (unsigned int p = 0; p < l->n_planes; p++) {
		assert_true(fb.handles[p] != 0);
		assert_int_equal(fb.pitches[p], l->planes[p].stride);
		assert_int_equal(fb.offsets[p], l->planes[p].offset);
		assert_true(fb.modifiers[p] == DRM_FORMAT_MOD_LINEAR);
	}
	if (l->n_buffers == 1)
		assert_int_equal(fb.handles[0], fb.handles[1]);
	else
		assert_int_not_equal(fb.handles[0], fb.handles[1]);
	for (unsigned int b = 0; b < l->n_buffers; b++)
		kt_gem_close(vgem, fb.handles[b]);
	close(vgem);
}

static void capture_nv12(int video, uint32_t placement, uint32_t stride_align)
{
	int input = 0; /* the webcam: colour bars, 1920x1080 among its sizes */
	struct dmaheap_image_spec s = spec_of(DRM_FORMAT_NV12, 1920, 1080,
					      placement);
	struct v4l2_format want;
	struct dmaheap_image *imgs[N_IMAGES] = { 0 };
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	struct dmaheap_ctx *ctx;
	struct v4l2_format fmt;
	int n;

	s.constraints.stride_align = stride_align;
	assert_ret(kt_v4l2_ioctl(video, VIDIOC_S_INPUT, &input), 0);
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	for (int i = 0; i < N_IMAGES; i++) {
		assert_ret(dmaheap_image_alloc(ctx, "system", &s, 0, &imgs[i]),
			   0);
		clear_image(imgs[i]);
	}
	assert_ret(dmaheap_image_v4l2_format(ctx,
			dmaheap_image_get_layout(imgs[0]), (uint32_t)type, &fmt),
		   0);
	want = fmt;
	assert_ret(kt_v4l2_ioctl(video, VIDIOC_S_FMT, &fmt), 0);
	assert_int_equal(fmt.fmt.pix_mp.width, 1920);
	assert_int_equal(fmt.fmt.pix_mp.height, 1080);
	/* The driver takes the library's strides, padded ones too. */
	for (unsigned int p = 0; p < fmt.fmt.pix_mp.num_planes; p++)
		assert_int_equal(fmt.fmt.pix_mp.plane_fmt[p].bytesperline,
				 want.fmt.pix_mp.plane_fmt[p].bytesperline);
	n = request(video, N_IMAGES);
	assert_true(n >= 2 && n <= N_IMAGES);
	for (int i = 0; i < n; i++)
		assert_ret(queue_image(video, (unsigned int)i, imgs[i]), 0);
	assert_ret(kt_v4l2_ioctl(video, VIDIOC_STREAMON, &type), 0);
	for (int frame = 0; frame < 2; frame++) {
		unsigned int i = dequeue_image(video);

		assert_true(i < (unsigned int)n);
		check_bars(imgs[i]);
		assert_ret(queue_image(video, i, imgs[i]), 0);
	}
	assert_ret(kt_v4l2_ioctl(video, VIDIOC_STREAMOFF, &type), 0);
	assert_ret(request(video, 0), 0);
	import_into_vgem(imgs[0]);
	for (int i = 0; i < N_IMAGES; i++)
		dmaheap_image_free(imgs[i]);
	dmaheap_ctx_free(ctx);
}

static void test_capture_nv12_one_buffer(void **state)
{
	struct fixture *f = *state;

	f->video = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE_MPLANE);
	if (f->video < 0)
		skip();
	capture_nv12(f->video, DMAHEAP_PLANES_ONE_BUFFER, 0);
}

/* 256-byte strides, as GPUs want: 2048 bytes per row for 1920 pixels. */
static void test_capture_nv12_gpu_strides(void **state)
{
	struct fixture *f = *state;

	f->video = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE_MPLANE);
	if (f->video < 0)
		skip();
	capture_nv12(f->video, DMAHEAP_PLANES_ONE_BUFFER, 256);
}

static void test_capture_nv12_separate(void **state)
{
	struct fixture *f = *state;

	f->video = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE_MPLANE);
	if (f->video < 0)
		skip();
	capture_nv12(f->video, DMAHEAP_PLANES_SEPARATE, 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = kt_count_fds();
	f->video = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->video >= 0)
		close(f->video);
	assert_no_fd_leak(f->fds_before);
	free(f);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vivid_single_planar),
		T(test_vivid_multi_planar),
		T(test_vgem_dumb),
		T(test_capture_nv12_one_buffer),
		T(test_capture_nv12_separate),
		T(test_capture_nv12_gpu_strides),
	};
	int fd;

	kt_require_system_heap();
	fd = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE);
	if (fd < 0)
		kt_skip("no vivid capture node among /dev/video* (modprobe vivid)");
	close(fd);
	return cmocka_run_group_tests_name("kernel-image", tests, NULL, NULL);
}
