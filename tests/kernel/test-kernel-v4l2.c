/* SPDX-License-Identifier: MIT */
/*
 * A V4L2 capture device writing into heap buffers: vivid (the virtual video
 * test driver) captures with V4L2_MEMORY_DMABUF into buffers from the
 * library, and the frames are read back through the library's mapping.
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere, or without a vivid
 * capture node, it exits 77.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "kutil.h"
#include "kv4l2.h"

#define NUM_BUFFERS 4
#define NUM_FRAMES 8
/* vivid under TCG emulation is slow; bounded all the same. */
#define FRAME_TIMEOUT_MS 10000

struct fixture {
	int video;
	struct dmaheap_ctx *ctx;
	int fds_before;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = kt_count_fds();
	f->video = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE);
	assert_true(f->video >= 0);
	assert_ret(dmaheap_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dmaheap_ctx_free(f->ctx);
	close(f->video);
	assert_no_fd_leak(f->fds_before);
	free(f);
	return 0;
}

/* A small YUYV format, to keep emulated frame generation quick. */
static struct v4l2_pix_format set_small_format(int fd)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	fmt.fmt.pix.width = 320;
	fmt.fmt.pix.height = 240;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	assert_ret(kt_v4l2_ioctl(fd, VIDIOC_S_FMT, &fmt), 0);
	memset(&fmt.fmt, 0, sizeof(fmt.fmt));
	assert_ret(kt_v4l2_ioctl(fd, VIDIOC_G_FMT, &fmt), 0);
	print_message("format %ux%u, %u bytes per line, sizeimage %u\n",
		      fmt.fmt.pix.width, fmt.fmt.pix.height,
		      fmt.fmt.pix.bytesperline, fmt.fmt.pix.sizeimage);
	assert_int_equal(fmt.fmt.pix.pixelformat, V4L2_PIX_FMT_YUYV);
	/* The driver may pick a nearby size; it must stay small. */
	assert_true(fmt.fmt.pix.width <= 640 && fmt.fmt.pix.height <= 480);
	assert_true(fmt.fmt.pix.sizeimage >=
		    fmt.fmt.pix.width * fmt.fmt.pix.height * 2);
	return fmt.fmt.pix;
}

static int request_buffers(int fd, unsigned int count)
{
	struct v4l2_requestbuffers req = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	int r = kt_v4l2_ioctl(fd, VIDIOC_REQBUFS, &req);

	return r < 0 ? r : (int)req.count;
}

static int queue_buffer(int fd, unsigned int index, struct dmaheap_buf *buf)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.length = (uint32_t)dmaheap_buf_size(buf),
	};

	b.m.fd = dmaheap_buf_fd(buf);
	return kt_v4l2_ioctl(fd, VIDIOC_QBUF, &b);
}

static struct v4l2_buffer dequeue_buffer(int fd)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, FRAME_TIMEOUT_MS) != 1)
		fail_msg("no frame within %d ms", FRAME_TIMEOUT_MS);
	assert_ret(kt_v4l2_ioctl(fd, VIDIOC_DQBUF, &b), 0);
	return b;
}

/* Zeroes @buf through the library, so a frame found in it afterwards can
 * only have come from the device. */
static void clear_buffer(struct dmaheap_buf *buf)
{
	void *p;

	assert_ret(dmaheap_buf_map(buf, &p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	memset(p, 0, dmaheap_buf_size(buf));
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

static void check_frame(struct dmaheap_buf *buf, const struct v4l2_buffer *b)
{
	const uint8_t *p;

	assert_true(b->bytesused > 0);
	assert_true(b->bytesused <= dmaheap_buf_size(buf));
	assert_int_equal(b->m.fd, dmaheap_buf_fd(buf));
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	if (kt_find_not(p, b->bytesused, 0) == b->bytesused)
		fail_msg("frame in buffer %u is all zero", b->index);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

static void test_capture_into_heap_buffers(void **state)
{
	struct fixture *f = *state;
	struct v4l2_pix_format pix = set_small_format(f->video);
	struct dmaheap_buf *bufs[NUM_BUFFERS] = { 0 };
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int n = request_buffers(f->video, NUM_BUFFERS);

	assert_true(n >= 2 && n <= NUM_BUFFERS);
	for (int i = 0; i < n; i++) {
		assert_ret(dmaheap_alloc(f->ctx, "system", pix.sizeimage, 0,
					 &bufs[i]), 0);
		clear_buffer(bufs[i]);
		assert_ret(queue_buffer(f->video, (unsigned int)i, bufs[i]), 0);
	}
	assert_ret(kt_v4l2_ioctl(f->video, VIDIOC_STREAMON, &type), 0);
	for (int frame = 0; frame < NUM_FRAMES; frame++) {
		struct v4l2_buffer b = dequeue_buffer(f->video);

		assert_true(b.index < (unsigned int)n);
		print_message("frame %d: buffer %u, %u bytes, sequence %u\n",
			      frame, b.index, b.bytesused, b.sequence);
		assert_false(b.flags & V4L2_BUF_FLAG_ERROR);
		check_frame(bufs[b.index], &b);
		clear_buffer(bufs[b.index]);
		assert_ret(queue_buffer(f->video, b.index, bufs[b.index]), 0);
	}
	assert_ret(kt_v4l2_ioctl(f->video, VIDIOC_STREAMOFF, &type), 0);
	assert_ret(request_buffers(f->video, 0), 0);
	for (int i = 0; i < n; i++)
		dmaheap_buf_free(bufs[i]);
}

/* vb2 checks the plane length against the format's size. */
static void test_small_buffer_refused(void **state)
{
	struct fixture *f = *state;
	struct v4l2_pix_format pix = set_small_format(f->video);
	struct dmaheap_buf *buf = NULL;
	/* The largest buffer short of the image: the heap rounds up to
	 * whole pages, which may be 64 KiB. */
	size_t small = kt_page_round(pix.sizeimage) - kt_page_size();

	assert_true(small > 0 && small < pix.sizeimage);
	assert_true(request_buffers(f->video, 2) >= 1);
	assert_ret(dmaheap_alloc(f->ctx, "system", small, 0, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), small);
	assert_ret(queue_buffer(f->video, 0, buf), -EINVAL);
	assert_ret(request_buffers(f->video, 0), 0);
	dmaheap_buf_free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_capture_into_heap_buffers),
		T(test_small_buffer_refused),
	};
	int fd;

	kt_require_system_heap();
	fd = kt_open_vivid(V4L2_CAP_VIDEO_CAPTURE);
	if (fd < 0)
		kt_skip("no vivid capture node among /dev/video* "
			"(modprobe vivid)");
	close(fd);
	return cmocka_run_group_tests_name("kernel-v4l2", tests, NULL, NULL);
}
