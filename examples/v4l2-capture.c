/* SPDX-License-Identifier: MIT */
/*
 * v4l2-capture [HEAP]: a camera writes frames straight into heap buffers.
 *
 * Finds the first V4L2 capture node of vivid (the virtual video test
 * driver; a camera takes the same calls), asks for 320x240 YUYV, and
 * gives it buffers allocated from HEAP ("system" by default) with
 * V4L2_MEMORY_DMABUF: the driver writes into the dma-bufs, no copy. It
 * captures FRAMES frames, reads each between begin and end of CPU access
 * (which lets the kernel invalidate CPU caches after the device's write)
 * and prints a checksum, then requeues the buffer.
 *
 * Exits 0 on success, 1 on failure, 77 when the heap or a vivid capture
 * node is missing or not accessible: as a test, it skips there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include <dmaheap.h>

#define NUM_BUFFERS 3
#define FRAMES 6
/* vivid under emulation is slow; a camera stalled this long is broken. */
#define FRAME_TIMEOUT_MS 10000

static int heap_unusable(int r)
{
	return r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTTY ||
	       r == -ENODEV;
}

/* ioctl, retried when a signal interrupts it; -errno on failure. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int is_vivid_capture(int fd)
{
	struct v4l2_capability cap;
	uint32_t caps;

	memset(&cap, 0, sizeof(cap));
	if (xioctl(fd, VIDIOC_QUERYCAP, &cap) < 0)
		return 0;
	caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps
							 : cap.capabilities;
	return strcmp((const char *)cap.driver, "vivid") == 0 &&
	       (caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING);
}

/* Non-blocking, so that poll() does the waiting; -1 if none. */
static int open_vivid_capture(void)
{
	DIR *d = opendir("/dev");
	struct dirent *de;
	int found = -1;

	while (d && found < 0 && (de = readdir(d))) {
		char path[300];
		int fd;

		if (strncmp(de->d_name, "video", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 && is_vivid_capture(fd))
			found = fd;
		else if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
	return found;
}

/* Sets 320x240 YUYV; the driver's choice of size goes to *sizeimage. */
static int set_format(int video, size_t *sizeimage)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	int r;

	fmt.fmt.pix.width = 320;
	fmt.fmt.pix.height = 240;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	r = xioctl(video, VIDIOC_S_FMT, &fmt);
	if (r < 0)
		return r;
	printf("format %ux%u YUYV, %u bytes a frame\n", fmt.fmt.pix.width,
	       fmt.fmt.pix.height, fmt.fmt.pix.sizeimage);
	*sizeimage = fmt.fmt.pix.sizeimage;
	return 0;
}

static int queue(int video, unsigned int index, struct dmaheap_buf *buf)
{
	struct v4l2_buffer b = {
		.index = index,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.length = (uint32_t)dmaheap_buf_size(buf),
	};

	b.m.fd = dmaheap_buf_fd(buf);
	return xioctl(video, VIDIOC_QBUF, &b);
}

/* Sums the frame's bytes, read inside begin/end CPU access. */
static int checksum(struct dmaheap_buf *buf, size_t len, unsigned long *sum)
{
	const unsigned char *p;
	void *addr;
	int r = dmaheap_buf_map(buf, &addr);

	if (r < 0)
		return r;
	p = addr;
	*sum = 0;
	r = dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ);
	for (size_t i = 0; r == 0 && i < len; i++)
		*sum += p[i];
	if (r == 0)
		r = dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ);
	dmaheap_buf_unmap(buf);
	return r;
}

/* Captures FRAMES frames into bufs, already queued. */
static int capture(int video, struct dmaheap_buf **bufs)
{
	for (int n = 0; n < FRAMES; n++) {
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_DMABUF,
		};
		struct pollfd p = { .fd = video, .events = POLLIN };
		unsigned long sum = 0;
		int r;

		if (poll(&p, 1, FRAME_TIMEOUT_MS) != 1) {
			fprintf(stderr, "no frame within %d ms\n", FRAME_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		r = xioctl(video, VIDIOC_DQBUF, &b);
		if (r == 0 && (b.index >= NUM_BUFFERS || b.bytesused == 0))
			r = -EPROTO;
		if (r == 0)
			r = checksum(bufs[b.index], b.bytesused, &sum);
		if (r < 0)
			return r;
		printf("frame %d in heap buffer %u: %u bytes, checksum %lu\n", n,
		       b.index, b.bytesused, sum);
		if (sum == 0)
			return -ENODATA;	/* the device wrote nothing */
		r = queue(video, b.index, bufs[b.index]);
		if (r < 0)
			return r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *heap = argc > 1 ? argv[1] : "system";
	struct v4l2_requestbuffers req = {
		.count = NUM_BUFFERS,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct dmaheap_buf *bufs[NUM_BUFFERS] = { NULL };
	struct dmaheap_ctx *ctx = NULL;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int video, r, status = 1, streaming = 0;
	size_t size = 0;

	video = open_vivid_capture();
	if (video < 0) {
		fprintf(stderr, "skip: no vivid capture node among /dev/video* "
			"(modprobe vivid)\n");
		return 77;
	}
	r = dmaheap_ctx_new(&ctx);
	if (r == 0)
		r = set_format(video, &size);
	for (int i = 0; r == 0 && i < NUM_BUFFERS; i++)
		r = dmaheap_alloc(ctx, heap, size, 0, &bufs[i]);
	if (r < 0 && heap_unusable(r)) {
		fprintf(stderr, "skip: heap '%s': %s\n", heap, dmaheap_strerror(r));
		status = 77;
		goto out;
	}
	if (r == 0)
		r = xioctl(video, VIDIOC_REQBUFS, &req);
	if (r == 0 && req.count != NUM_BUFFERS)
		r = -ENOBUFS;
	for (unsigned int i = 0; r == 0 && i < NUM_BUFFERS; i++)
		r = queue(video, i, bufs[i]);
	if (r == 0)
		r = xioctl(video, VIDIOC_STREAMON, &type);
	streaming = r == 0;
	if (r == 0)
		r = capture(video, bufs);
	if (r < 0)
		fprintf(stderr, "%s\n", dmaheap_strerror(r));
	else
		status = 0;
out:
	if (streaming)
		xioctl(video, VIDIOC_STREAMOFF, &type);
	/* The driver holds references until its buffers are released. */
	req.count = 0;
	xioctl(video, VIDIOC_REQBUFS, &req);
	for (int i = 0; i < NUM_BUFFERS; i++)
		dmaheap_buf_free(bufs[i]);
	dmaheap_ctx_free(ctx);
	close(video);
	return status;
}
