/* SPDX-License-Identifier: MIT */
/*
 * EGL (Mesa) as a judge of the image API: images laid out by
 * dmaheap_image_*, imported with EGL_EXT_image_dma_buf_import through the
 * attribute list of dmaheap_image_egl_attribs() and nothing else.
 *
 *   egl-import [MEMORY [PLATFORM [nv12]]]
 *
 * Without nv12, two checks on ARGB8888 70x46:
 * sample  at the library's packed stride (280): a shader samples the
 *         imported image into a texture of our own, read back with
 *         glReadPixels: every pixel exactly as the CPU wrote it
 * render  with stride_align 64 (320): the image is a framebuffer's colour
 *         attachment; glClear of a scissor rectangle is seen by the CPU
 *         through the library's mapping at the rectangle's rows and
 *         columns, and nothing else changed
 * With nv12: NV12 70x46 sampled through samplerExternalOES, each pixel
 * within 2 of BT.601 narrow range (EGL's default) of what the CPU wrote.
 *
 * MEMORY heap (default): dmaheap_image_alloc() on the system heap. vgem:
 * the library's layout (dmaheap_image_layout()) on a vgem dumb buffer,
 * wrapped by dmaheap_image_import(): Mesa's kms_swrast on vgem maps an
 * imported buffer with DRM_IOCTL_MODE_MAP_DUMB, which the kernel refuses
 * for a buffer another driver exported, and then crashes; it can use only
 * vgem's own (egl-render-repro.c shows this without the library).
 * PLATFORM software (default): Mesa's software EGL device (llvmpipe, which
 * maps dma-bufs itself from Mesa 24.1 on). surfaceless: Mesa's surfaceless
 * platform, which takes kms_swrast on vgem in the VM.
 *
 * Exits 77 when there is no system heap (or vgem), no such EGL display,
 * no dma-buf import, or (nv12) no NV12 among the driver's formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>
#include <drm_fourcc.h>
#include <xf86drm.h>

#include <dmaheap.h>

#include "egl-common.h"

#define WIDTH 70 /* rows of 280 bytes: not a multiple of 16 */
#define HEIGHT 46

static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);          \
			printf(__VA_ARGS__);                                 \
			printf("\n");                                        \
			failures++;                                          \
			return -1;                                           \
		}                                                            \
	} while (0)

static const char vs_src[] = "attribute vec2 pos;\n"
			     "void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n";

/* Texel centres: fragment (x, y) samples texel (x, y), nearest. */
static const char fs_2d[] = "precision highp float;\n"
			    "uniform sampler2D t;\n"
			    "uniform vec2 size;\n"
			    "void main() {\n"
			    "  gl_FragColor = texture2D(t, gl_FragCoord.xy / size);\n"
			    "}\n";

static const char fs_ext[] = "#extension GL_OES_EGL_image_external : require\n"
			     "precision highp float;\n"
			     "uniform samplerExternalOES t;\n"
			     "uniform vec2 size;\n"
			     "void main() {\n"
			     "  gl_FragColor = texture2D(t, gl_FragCoord.xy / size);\n"
			     "}\n";

/* What the CPU writes: smooth enough for YUV to stay in range, different
 * in every row and column so a wrong offset or stride shows. */
static uint8_t luma(uint32_t x, uint32_t y)
{
	return (uint8_t)(16 + (x * 3 + y * 5) % 220);
}

static void chroma(uint32_t cx, uint32_t cy, uint8_t *u, uint8_t *v)
{
	*u = (uint8_t)(64 + (cx * 7 + cy * 3) % 128);
	*v = (uint8_t)(64 + (cx * 5 + cy * 11) % 128);
}

static uint8_t argb_byte(uint32_t x, uint32_t y, uint32_t c)
{
	return (uint8_t)(x * 11 + y * 37 + c * 64 + 1);
}

static uint8_t clamp8(double f)
{
	f = f * 255.0 + 0.5;
	return f < 0 ? 0 : f > 255 ? 255 : (uint8_t)f;
}

/* BT.601, narrow range: what EGL assumes without colour hints. */
static void yuv_to_rgb(uint8_t y, uint8_t u, uint8_t v, uint8_t rgb[3])
{
	double yf = (y - 16) / 219.0, uf = (u - 128) / 224.0,
	       vf = (v - 128) / 224.0;

	rgb[0] = clamp8(yf + 1.402 * vf);
	rgb[1] = clamp8(yf - 0.344136 * uf - 0.714136 * vf);
	rgb[2] = clamp8(yf + 1.772 * uf);
}

static void fill(struct dmaheap_image *img, uint8_t *cpu)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	const struct dmaheap_plane_layout *p = l->planes;

	for (uint32_t y = 0; y < l->height; y++)
		for (uint32_t x = 0; x < l->width; x++) {
			uint8_t *px = cpu + p[0].offset + (size_t)y * p[0].stride;

			if (l->fourcc == DRM_FORMAT_NV12) {
				px[x] = luma(x, y);
				continue;
			}
			for (uint32_t c = 0; c < 4; c++)
				px[x * 4 + c] = argb_byte(x, y, c);
		}
	if (l->fourcc != DRM_FORMAT_NV12)
		return;
	for (uint32_t cy = 0; cy < l->height / 2; cy++)
		for (uint32_t cx = 0; cx < l->width / 2; cx++) {
			uint8_t *uv = cpu + p[1].offset +
				      (size_t)cy * p[1].stride + cx * 2;

			chroma(cx, cy, &uv[0], &uv[1]);
		}
}

/* The RGBA the shader must have seen at (x, y). */
static void expected(uint32_t fourcc, uint32_t x, uint32_t y, uint8_t out[4])
{
	if (fourcc == DRM_FORMAT_NV12) {
		uint8_t u, v;

		chroma(x / 2, y / 2, &u, &v);
		yuv_to_rgb(luma(x, y), u, v, out);
		out[3] = 255;
		return;
	}
	/* ARGB8888 is B, G, R, A in memory. */
	out[0] = argb_byte(x, y, 2);
	out[1] = argb_byte(x, y, 1);
	out[2] = argb_byte(x, y, 0);
	out[3] = argb_byte(x, y, 3);
}

/* Pixels of @got (RGBA rows, bottom-up as glReadPixels gives them, which
 * is the image's top-down: texture row 0 is the buffer's first) further
 * than @tol from expected(). */
static size_t compare(uint32_t fourcc, const uint8_t *got, int tol,
		      int *worst)
{
	size_t wrong = 0;

	*worst = 0;
	for (uint32_t y = 0; y < HEIGHT; y++)
		for (uint32_t x = 0; x < WIDTH; x++) {
			const uint8_t *g = got + ((size_t)y * WIDTH + x) * 4;
			uint8_t want[4];
			int bad = 0;

			expected(fourcc, x, y, want);
			for (int c = 0; c < 4; c++) {
				int d = abs(g[c] - want[c]);

				bad |= d > tol;
				if (d > *worst)
					*worst = d;
			}
			if (bad && wrong++ < 3)
				printf("  (%u,%u): got %u,%u,%u,%u want "
				       "%u,%u,%u,%u\n", x, y, g[0], g[1], g[2],
				       g[3], want[0], want[1], want[2], want[3]);
		}
	return wrong;
}

/* Imports @img with the library's attributes, draws it into an RGBA
 * texture of our own through @prog, reads that back into @out. */
static int sample(struct egl *e, struct dmaheap_image *img, GLenum target,
		  GLuint prog, uint8_t *out)
{
	int32_t attribs[DMAHEAP_EGL_ATTRIBS_MAX];
	EGLint eattr[DMAHEAP_EGL_ATTRIBS_MAX];
	int n = dmaheap_image_egl_attribs(img, attribs, DMAHEAP_EGL_ATTRIBS_MAX);
	GLuint tex, fb;
	EGLImageKHR eimg;

	CHECK(n > 0, "dmaheap_image_egl_attribs: %s", strerror(-n));
	for (int i = 0; i < n; i++)
		eattr[i] = attribs[i];
	eimg = e->create_image(e->dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT,
			       NULL, eattr);
	CHECK(eimg != EGL_NO_IMAGE_KHR, "eglCreateImageKHR: 0x%x",
	      eglGetError());
	if (egl_target_fbo(WIDTH, HEIGHT, &fb) < 0)
		CHECK(0, "framebuffer incomplete");
	glGenTextures(1, &tex);
	glBindTexture(target, tex);
	glTexParameteri(target, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(target, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	e->image_target_texture(target, eimg);
	CHECK(glGetError() == GL_NO_ERROR, "glEGLImageTargetTexture2DOES");
	glUseProgram(prog);
	glUniform1i(glGetUniformLocation(prog, "t"), 0);
	glUniform2f(glGetUniformLocation(prog, "size"), WIDTH, HEIGHT);
	egl_draw_quad();
	glReadPixels(0, 0, WIDTH, HEIGHT, GL_RGBA, GL_UNSIGNED_BYTE, out);
	CHECK(glGetError() == GL_NO_ERROR, "draw and glReadPixels");
	egl_free_fbo(fb);
	glDeleteTextures(1, &tex);
	e->destroy_image(e->dpy, eimg);
	return 0;
}

/* vgem's card node, or -1. */
static int open_vgem(void)
{
	char path[32];

	for (int i = 0; i < 16; i++) {
		int fd;
		drmVersionPtr v;
		int yes;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		yes = v && strcmp(v->name, "vgem") == 0;
		drmFreeVersion(v);
		if (yes)
			return fd;
		close(fd);
	}
	return -1;
}

/* An image of @spec: from the system heap, or (@vgem_fd >= 0) the
 * library's layout on a vgem dumb buffer, imported. */
static int make_image(struct dmaheap_ctx *ctx, int vgem_fd,
		      const struct dmaheap_image_spec *spec,
		      struct dmaheap_image **img)
{
	struct dmaheap_image_layout l;
	struct drm_mode_create_dumb d = { .width = 1024, .bpp = 8 };
	int fd, r;

	if (vgem_fd < 0)
		return dmaheap_image_alloc(ctx, "system", spec, 0, img);
	r = dmaheap_image_layout(ctx, spec, &l);
	if (r < 0)
		return r;
	d.height = (uint32_t)((l.size + 1023) / 1024);
	if (drmIoctl(vgem_fd, DRM_IOCTL_MODE_CREATE_DUMB, &d) < 0 ||
	    drmPrimeHandleToFD(vgem_fd, d.handle, DRM_CLOEXEC | DRM_RDWR,
			       &fd) < 0)
		return -errno;
	/* The dma-buf holds the object now. */
	struct drm_mode_destroy_dumb dd = { .handle = d.handle };
	drmIoctl(vgem_fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
	r = dmaheap_image_import(ctx, &l, &fd, 1, img);
	close(fd);
	return r;
}

static int check_image(struct egl *e, struct dmaheap_ctx *ctx, int vgem_fd,
		       uint32_t fourcc, const char *what)
{
	struct dmaheap_image_spec spec = {
		.fourcc = fourcc, .width = WIDTH, .height = HEIGHT,
		.modifier = DRM_FORMAT_MOD_LINEAR,
	};
	int nv12 = fourcc == DRM_FORMAT_NV12, worst, r;
	GLenum target = nv12 ? GL_TEXTURE_EXTERNAL_OES : GL_TEXTURE_2D;
	GLuint prog = egl_program(vs_src, nv12 ? fs_ext : fs_2d);
	static uint8_t got[WIDTH * HEIGHT * 4];
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];
	struct dmaheap_image *img;
	uint32_t stride;
	size_t wrong;

	CHECK(prog, "%s: shader program", what);
	r = make_image(ctx, vgem_fd, &spec, &img);
	CHECK(r == 0, "image %s: %s", what, strerror(-r));
	stride = dmaheap_image_get_layout(img)->planes[0].stride;
	CHECK(dmaheap_image_map(img, planes) == 0, "map");
	CHECK(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_WRITE) == 0,
	      "begin");
	fill(img, planes[0]);
	CHECK(dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_WRITE) == 0,
	      "end");
	memset(got, 0, sizeof(got));
	r = sample(e, img, target, prog, got);
	dmaheap_image_unmap(img);
	dmaheap_image_free(img);
	glDeleteProgram(prog);
	if (r < 0)
		return -1;
	/* NV12: Mesa's shader conversion rounds differently from ours. */
	wrong = compare(fourcc, got, nv12 ? 2 : 0, &worst);
	CHECK(wrong == 0, "%s: %zu of %d pixels wrong (largest difference %d)",
	      what, wrong, WIDTH * HEIGHT, worst);
	printf("sample %s %dx%d, stride %u: imported with the library's "
	       "attributes, %d pixels as the CPU wrote them (largest "
	       "difference %d)\n", what, WIDTH, HEIGHT, stride, WIDTH * HEIGHT,
	       worst);
	return 0;
}

/* The rectangle glClear writes, and its colour (B, G, R, A in memory). */
#define RX 5
#define RY 7
#define RW 20
#define RH 13
static const uint8_t clear_bgra[4] = { 153, 102, 51, 204 };

static int in_rect(uint32_t x, uint32_t y)
{
	return x >= RX && x < RX + RW && y >= RY && y < RY + RH;
}

/* Pixels of the mapped ARGB8888 image @l at @cpu that are neither the
 * clear colour inside the rectangle nor the CPU's pattern outside it. */
static size_t render_wrong(const struct dmaheap_image_layout *l,
			   const uint8_t *cpu)
{
	size_t wrong = 0;

	for (uint32_t y = 0; y < HEIGHT; y++)
		for (uint32_t x = 0; x < WIDTH; x++) {
			const uint8_t *px = cpu + l->planes[0].offset +
					    (size_t)y * l->planes[0].stride +
					    x * 4;
			int bad = 0;

			for (uint32_t c = 0; c < 4; c++)
				bad |= px[c] != (in_rect(x, y)
							 ? clear_bgra[c]
							 : argb_byte(x, y, c));
			wrong += bad;
		}
	return wrong;
}

/* glClear of a scissor rectangle into an imported ARGB8888 image. */
static int check_render(struct egl *e, struct dmaheap_ctx *ctx, int vgem_fd)
{
	/* llvmpipe's partial clears store 16 bytes at a time, aligned: with
	 * rows of 280 bytes it faults (egl-render-repro --scissor shows it
	 * without the library). What a renderer needs, the caller asks. */
	struct dmaheap_image_spec spec = {
		.fourcc = DRM_FORMAT_ARGB8888, .width = WIDTH,
		.height = HEIGHT, .modifier = DRM_FORMAT_MOD_LINEAR,
		.constraints = { .stride_align = 64 },
	};
	int32_t attribs[DMAHEAP_EGL_ATTRIBS_MAX];
	EGLint eattr[DMAHEAP_EGL_ATTRIBS_MAX];
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];
	struct dmaheap_image *img;
	EGLImageKHR eimg;
	GLuint tex, fb;
	uint32_t stride;
	size_t wrong;
	int n, r;

	r = make_image(ctx, vgem_fd, &spec, &img);
	CHECK(r == 0, "image: %s", strerror(-r));
	CHECK(dmaheap_image_map(img, planes) == 0, "map");
	CHECK(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_WRITE) == 0,
	      "begin");
	fill(img, planes[0]);
	CHECK(dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_WRITE) == 0,
	      "end");
	n = dmaheap_image_egl_attribs(img, attribs, DMAHEAP_EGL_ATTRIBS_MAX);
	CHECK(n > 0, "dmaheap_image_egl_attribs: %s", strerror(-n));
	for (int i = 0; i < n; i++)
		eattr[i] = attribs[i];
	eimg = e->create_image(e->dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT,
			       NULL, eattr);
	CHECK(eimg != EGL_NO_IMAGE_KHR, "eglCreateImageKHR: 0x%x",
	      eglGetError());
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	e->image_target_texture(GL_TEXTURE_2D, eimg);
	glGenFramebuffers(1, &fb);
	glBindFramebuffer(GL_FRAMEBUFFER, fb);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	CHECK(glCheckFramebufferStatus(GL_FRAMEBUFFER) ==
		      GL_FRAMEBUFFER_COMPLETE,
	      "framebuffer on the imported image incomplete");
	glViewport(0, 0, WIDTH, HEIGHT);
	glEnable(GL_SCISSOR_TEST);
	glScissor(RX, RY, RW, RH);
	glClearColor(0.2f, 0.4f, 0.6f, 0.8f);
	glClear(GL_COLOR_BUFFER_BIT);
	glDisable(GL_SCISSOR_TEST);
	glFinish();
	CHECK(glGetError() == GL_NO_ERROR, "glClear");
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &fb);
	glDeleteTextures(1, &tex);
	e->destroy_image(e->dpy, eimg);
	CHECK(dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_READ) == 0,
	      "begin");
	wrong = render_wrong(dmaheap_image_get_layout(img), planes[0]);
	stride = dmaheap_image_get_layout(img)->planes[0].stride;
	dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_READ);
	dmaheap_image_unmap(img);
	dmaheap_image_free(img);
	CHECK(wrong == 0, "render: %zu of %d pixels wrong in the buffer", wrong,
	      WIDTH * HEIGHT);
	printf("render ARGB8888 %dx%d, stride %u: glClear of %dx%d at "
	       "(%d,%d) seen by the CPU there, nothing else changed\n", WIDTH,
	       HEIGHT, stride, RW, RH, RX, RY);
	return 0;
}

int main(int argc, char **argv)
{
	const char *source = argc > 1 ? argv[1] : "heap";
	const char *plat = argc > 2 ? argv[2] : "software";
	int nv12 = argc > 3 && strcmp(argv[3], "nv12") == 0;
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *probe;
	int vgem_fd = -1, r;
	struct egl e;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* The shader cache wants a writable home; the VM's is read-only. */
	setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
	if (argc > 4 || (argc == 4 && !nv12) ||
	    (strcmp(source, "heap") && strcmp(source, "vgem")) ||
	    (strcmp(plat, "software") && strcmp(plat, "surfaceless"))) {
		fprintf(stderr, "usage: %s [heap|vgem [software|surfaceless [nv12]]]\n",
			argv[0]);
		return 2;
	}
	if (dmaheap_ctx_new(&ctx) < 0)
		egl_skip("no libdmaheap context");
	r = dmaheap_alloc(ctx, "system", 4096, 0, &probe);
	if (r < 0) {
		printf("SKIP: no system heap: %s\n", strerror(-r));
		return 77;
	}
	dmaheap_buf_free(probe);
	if (strcmp(source, "vgem") == 0) {
		vgem_fd = open_vgem();
		if (vgem_fd < 0)
			egl_skip("no vgem device");
	}
	printf("memory: %s\n", vgem_fd < 0 ? "system heap (dmaheap_image_alloc)"
					   : "vgem dumb buffer "
					     "(dmaheap_image_import)");
	egl_open(&e, strcmp(plat, "software") == 0 ? EGL_SOFTWARE_DEVICE
							 : EGL_SURFACELESS);
	if (nv12) {
		if (!egl_has_format(&e, DRM_FORMAT_NV12))
			egl_skip("NV12 is not among the driver's dma-buf formats");
		check_image(&e, ctx, vgem_fd, DRM_FORMAT_NV12, "NV12");
	} else {
		check_image(&e, ctx, vgem_fd, DRM_FORMAT_ARGB8888, "ARGB8888");
		check_render(&e, ctx, vgem_fd);
	}
	egl_close(&e);
	if (vgem_fd >= 0)
		close(vgem_fd);
	dmaheap_ctx_free(ctx);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
