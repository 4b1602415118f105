/* SPDX-License-Identifier: MIT */
/*
 * hal-image [DRM-DEVICE]: what a camera HAL does with a frame, from
 * allocation to the display's framebuffer, in two processes.
 *
 * The HAL process allocates an NV12 image that the camera writes and the
 * display scans out: it says so with device usages, and lets the library
 * pick the heap (on a board whose display has no IOMMU, a contiguous
 * one). The layout satisfies both devices' constraints, merged. The
 * camera's part is played by the CPU here, between begin and end of CPU
 * access. The frame goes to the display process (the compositor) over a
 * UNIX socket with dmaheap_image_send(), layout and all; the compositor
 * receives it with dmaheap_image_recv(), checks a few pixels, and builds
 * the arguments of drmModeAddFB2WithModifiers() from the layout it got:
 * size, format, a pitch, offset and modifier per plane. The GEM handles
 * belong to the compositor's DRM fd: given DRM-DEVICE (e.g.
 * /dev/dri/card0), it imports the image there with dmaheap_image_drm_fb()
 * and checks that the library's arguments are the ones it built.
 *
 * Exits 0 on success, 1 on failure, 77 when no heap here can serve the
 * usage (or DRM-DEVICE cannot import dma-bufs): as a test, it skips there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>
#include <dmaheap.h>

#define WIDTH 640
#define HEIGHT 480

/* The camera writes, the display scans out; and since the CPU plays the
 * camera here, the CPU writes too. */
#define USAGE (DMAHEAP_USAGE_CAMERA_WRITE | DMAHEAP_USAGE_DISPLAY_SCANOUT | \
	       DMAHEAP_USAGE_CPU_WRITE_OFTEN)

/* What each device asks of a layout (a HAL reads these from its drivers). */
static const struct dmaheap_image_constraints camera = {
	.stride_align = 32, .height_align = 2,
};
static const struct dmaheap_image_constraints display = {
	.stride_align = 64, .offset_align = 4096,
	.placement = DMAHEAP_PLANES_ONE_BUFFER,
};

/* Errors meaning "nothing here can serve", as opposed to "it broke". */
static int unusable(int r)
{
	return r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTTY ||
	       r == -ENODEV || r == -EOPNOTSUPP;
}

/* The frame's luma at (x, y): a gradient, never the zero of fresh memory. */
static uint8_t luma(uint32_t x, uint32_t y)
{
	return (uint8_t)(16 + (x + 2 * y) % 220);
}

/* The camera's part: a gradient in Y, a flat colour in UV. */
static int capture(struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];
	int r = dmaheap_image_map(img, planes);

	if (r)
		return r;
	r = dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_WRITE);
	if (r == 0) {
		for (uint32_t y = 0; y < l->height; y++)
			for (uint32_t x = 0; x < l->width; x++)
				((uint8_t *)planes[0])[y * l->planes[0].stride +
						      x] = luma(x, y);
		memset(planes[1], 0x80, l->planes[1].size);
		r = dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_WRITE);
	}
	dmaheap_image_unmap(img);
	return r;
}

/* The compositor's look at a frame it did not write: a few pixels. */
static int check_frame(struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	const uint32_t xs[] = { 0, 1, WIDTH / 2, WIDTH - 1 };
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];
	int bad = 0, r = dmaheap_image_map(img, planes);

	if (r)
		return r;
	r = dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_READ);
	for (size_t i = 0; r == 0 && i < sizeof(xs) / sizeof(xs[0]); i++) {
		uint32_t y = l->height - 1 - (uint32_t)i;
		const uint8_t *y_plane = planes[0];
		const uint8_t *uv_plane = planes[1];

		bad |= y_plane[y * l->planes[0].stride + xs[i]] != luma(xs[i], y);
		bad |= uv_plane[(y / 2) * l->planes[1].stride + xs[i]] != 0x80;
	}
	if (r == 0)
		r = dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_READ);
	dmaheap_image_unmap(img);
	if (r == 0 && bad)
		fprintf(stderr, "compositor: the frame is not the camera's\n");
	return r ? r : bad;
}

/*
 * The arguments of drmModeAddFB2WithModifiers() but the handles, which the
 * caller gets from its DRM fd (drmPrimeFDToHandle() on
 * dmaheap_image_plane_fd(img, plane); planes in one dma-buf share one).
 */
static void fb_args(const struct dmaheap_image_layout *l,
		    struct dmaheap_drm_fb *fb)
{
	memset(fb, 0, sizeof(*fb));
	fb->width = l->width;
	fb->height = l->height;
	fb->fourcc = l->fourcc;
	for (uint32_t p = 0; p < l->n_planes; p++) {
		fb->pitches[p] = l->planes[p].stride;
		fb->offsets[p] = (uint32_t)l->planes[p].offset;
		fb->modifiers[p] = l->modifier;
	}
	fb->flags = DRM_MODE_FB_MODIFIERS;
}

/* What a display controller needs of NV12, checked on what we built. */
static int check_fb_args(const struct dmaheap_drm_fb *fb)
{
	int bad = fb->width != WIDTH || fb->height != HEIGHT ||
		  fb->fourcc != DRM_FORMAT_NV12 ||
		  fb->flags != DRM_MODE_FB_MODIFIERS;

	for (int p = 0; p < 2; p++)
		bad |= fb->modifiers[p] != DRM_FORMAT_MOD_LINEAR ||
		       fb->pitches[p] < WIDTH ||
		       fb->pitches[p] % display.stride_align != 0 ||
		       fb->offsets[p] % display.offset_align != 0;
	/* The chroma plane comes after every row of luma. */
	bad |= fb->offsets[1] < fb->offsets[0] + fb->pitches[0] * HEIGHT;
	bad |= fb->pitches[2] || fb->offsets[2] || fb->modifiers[2];
	if (bad)
		fprintf(stderr, "compositor: the AddFB2 arguments are wrong\n");
	return bad;
}

static void print_fb_args(const struct dmaheap_drm_fb *fb)
{
	char name[16];

	printf("compositor: drmModeAddFB2WithModifiers(fd, %u, %u, %s, "
	       "handles, pitches {%u, %u}, offsets {%u, %u}, modifiers "
	       "{0x%llx, 0x%llx}, &fb_id, DRM_MODE_FB_MODIFIERS)\n",
	       fb->width, fb->height,
	       dmaheap_format_name(fb->fourcc, name, sizeof(name)),
	       fb->pitches[0], fb->pitches[1], fb->offsets[0], fb->offsets[1],
	       (unsigned long long)fb->modifiers[0],
	       (unsigned long long)fb->modifiers[1]);
}

/* With a DRM device: the library's PRIME import must agree with us. */
static int import_on(const char *path, const struct dmaheap_image *img,
		     const struct dmaheap_drm_fb *ours)
{
	struct dmaheap_drm_fb fb;
	struct drm_gem_close gem_close = { 0 };
	int fd = open(path, O_RDWR | O_CLOEXEC), r;

	if (fd < 0) {
		r = -errno;
		fprintf(stderr, "compositor: %s: %s\n", path, strerror(errno));
		return r;
	}
	r = dmaheap_image_drm_fb(img, fd, &fb);
	if (r == 0) {
		printf("compositor: GEM handle %u on %s\n", fb.handles[0], path);
		/* One dma-buf: one handle, the framebuffer's to hold. A real
		 * compositor calls drmModeAddFB2WithModifiers() here, then
		 * closes the handle (the framebuffer keeps its reference). */
		gem_close.handle = fb.handles[0];
		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gem_close);
		fb.handles[0] = fb.handles[1] = 0;
		if (memcmp(&fb, ours, sizeof(fb)) != 0) {
			fprintf(stderr, "compositor: dmaheap_image_drm_fb() "
				"disagrees\n");
			r = 1;
		}
	}
	close(fd);
	return r;
}

/* The display process: receive, look, build the framebuffer's arguments. */
static int compositor(int sock, const char *drm_path)
{
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_image *img = NULL;
	struct dmaheap_drm_fb fb;
	int r = dmaheap_ctx_new(&ctx);

	if (r == 0)
		r = dmaheap_image_recv(ctx, sock, &img);
	if (r == 0) {
		printf("compositor: received a frame from heap '%s'\n",
		       dmaheap_buf_heap_name(dmaheap_image_buf(img, 0)));
		r = check_frame(img);
	}
	if (r == 0) {
		fb_args(dmaheap_image_get_layout(img), &fb);
		print_fb_args(&fb);
		r = check_fb_args(&fb);
	}
	if (r == 0 && drm_path)
		r = import_on(drm_path, img, &fb);
	if (r < 0)
		fprintf(stderr, "compositor: %s\n", dmaheap_strerror(r));
	dmaheap_image_free(img);
	dmaheap_ctx_free(ctx);
	if (r < 0 && drm_path && unusable(r))
		return 77;
	return r == 0 ? 0 : 1;
}

/* The HAL's image: both devices' constraints, the policy's heap. */
static int allocate(struct dmaheap_ctx *ctx, struct dmaheap_image **img)
{
	struct dmaheap_image_spec spec = {
		.fourcc = DRM_FORMAT_NV12, .width = WIDTH, .height = HEIGHT,
		.modifier = DRM_FORMAT_MOD_LINEAR,
	};
	unsigned int effective = 0;
	int r = dmaheap_image_constraints_merge(ctx, &camera, &display,
						&spec.constraints);

	if (r == 0)
		r = dmaheap_usage_requirements(ctx, USAGE, &effective);
	if (r == 0)
		printf("hal: usage 0x%x%s\n", USAGE,
		       effective & DMAHEAP_USAGE_CONTIGUOUS ?
		       ": a device without an IOMMU, contiguous memory" : "");
	if (r == 0)
		r = dmaheap_image_alloc_usage(ctx, USAGE, &spec, 0, img);
	if (r == 0)
		printf("hal: NV12 %ux%u, %llu bytes from heap '%s'\n", WIDTH,
		       HEIGHT,
		       (unsigned long long)dmaheap_image_get_layout(*img)->size,
		       dmaheap_buf_heap_name(dmaheap_image_buf(*img, 0)));
	return r;
}

int main(int argc, char **argv)
{
	const char *drm_path = argc > 1 ? argv[1] : NULL;
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_image *img = NULL;
	int sv[2], r, status = 1, child = 1;
	pid_t pid;

	r = dmaheap_ctx_new(&ctx);
	if (r == 0)
		r = allocate(ctx, &img);
	if (r < 0 && unusable(r)) {
		fprintf(stderr, "skip: no heap here serves a camera and display "
			"image: %s (see 'dmaheap plan camera-write "
			"display-scanout cpu-write-often')\n",
			dmaheap_strerror(r));
		dmaheap_ctx_free(ctx);
		return 77;
	}
	if (r == 0)
		r = capture(img);
	/* SEQPACKET keeps each hand-off one message, as the library wants. */
	if (r == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		r = -errno;
	if (r < 0) {
		fprintf(stderr, "hal: %s\n", dmaheap_strerror(r));
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		status = compositor(sv[1], drm_path);
		fflush(stdout);	/* _exit() would drop what is buffered */
		_exit(status);
	}
	close(sv[1]);
	if (pid < 0) {
		perror("fork");
	} else {
		r = dmaheap_image_send(img, sv[0]);
		if (r < 0)
			fprintf(stderr, "hal: send: %s\n", dmaheap_strerror(r));
		/* The HAL keeps its image: the next frame goes into it
		 * once the display is done with this one. */
		if (waitpid(pid, &child, 0) == pid && WIFEXITED(child))
			child = WEXITSTATUS(child);
		else
			child = 1;
		status = r < 0 ? 1 : child;
	}
	close(sv[0]);
out:
	dmaheap_image_free(img);
	dmaheap_ctx_free(ctx);
	if (status == 0)
		printf("ok\n");
	return status;
}
