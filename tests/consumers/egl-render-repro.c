/* SPDX-License-Identifier: MIT */
/*
 * Rendering into, and sampling from, an imported dma-buf with Mesa's EGL,
 * WITHOUT libdmaheap: the buffer comes from the system heap's ioctl, from
 * udmabuf, or from a vgem dumb buffer exported with PRIME, and the
 * EGL_EXT_image_dma_buf_import attributes are written here by hand, with
 * the values libdmaheap gives for a linear ARGB8888 image of 64 rows
 * (offset 0, pitch 4 x width, DRM_FORMAT_MOD_LINEAR, in its order).
 *
 *   egl-render-repro [--software] [--width=N] [--scissor] [SOURCE OP]
 *
 * SOURCE  heap, udmabuf or vgem
 * OP      sample: the CPU writes a pattern through the dma-buf's own
 *         mapping; a shader samples the imported image into a texture of
 *         ours; glReadPixels must give the pattern.
 *         render: the imported image is the colour attachment of a
 *         framebuffer; glClear to a known colour; the CPU must read it
 *         through the dma-buf's own mapping.
 * --software   Mesa's software EGL device (llvmpipe) instead of the
 *              surfaceless platform (kms_swrast on vgem in the VM)
 * --width=N    N pixels a row (default 64), so the pitch is 4 x N
 * --scissor    render clears only a 20x13 rectangle at (5,7)
 *
 * Each case runs in a child process, so a crash inside Mesa is reported
 * (with its signal) instead of ending the run. Without SOURCE and OP, all
 * six cases and a line each. Exit status: 0 if every case run worked, 1 if
 * one gave wrong pixels or an EGL/GL error, 2 if one crashed, 77 if a
 * SOURCE asked for is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <xf86drm.h>

#include "egl-common.h"

#define H 64
#define MAX_W 1024

/* The image's width (--width), its pitch and the buffer's size. */
static uint32_t W = 64;
/* --scissor: glClear only a rectangle (RX, RY, RW, RH). */
static int scissor;
#define RX 5
#define RY 7
#define RW 20
#define RH 13
#define PITCH (W * 4)
#define SIZE ((size_t)PITCH * H)

/* The colour glClear writes, as RGBA bytes (0.2, 0.4, 0.6, 0.8). */
static const uint8_t clear_rgba[4] = { 51, 102, 153, 204 };

static int heap_fd(void)
{
	struct dma_heap_allocation_data a = {
		.len = SIZE,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	int r;

	if (heap < 0)
		return -1;
	r = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a);
	close(heap);
	return r < 0 ? -1 : (int)a.fd;
}

static int udmabuf_fd(void)
{
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int memfd = memfd_create("repro", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	/* udmabuf takes whole pages. */
	size_t size = (SIZE + 4095) & ~(size_t)4095;
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC,
				    .size = size };
	int fd = -1;

	if (dev >= 0 && memfd >= 0 && ftruncate(memfd, (off_t)size) == 0 &&
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0) {
		c.memfd = (uint32_t)memfd;
		fd = ioctl(dev, UDMABUF_CREATE, &c);
	}
	if (dev >= 0)
		close(dev);
	if (memfd >= 0)
		close(memfd);
	return fd;
}

/* A dumb buffer of vgem's, exported: Mesa imports it back into the vgem
 * device it renders with, where it is that device's own object. */
static int vgem_fd(void)
{
	char path[32];
	int fd = -1;

	for (int i = 0; i < 16 && fd < 0; i++) {
		int card;
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		card = open(path, O_RDWR | O_CLOEXEC);
		if (card < 0)
			continue;
		v = drmGetVersion(card);
		if (v && strcmp(v->name, "vgem") == 0) {
			struct drm_mode_create_dumb d = {
				.width = W, .height = H, .bpp = 32 };

			if (drmIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &d) == 0 &&
			    d.pitch == PITCH)
				drmPrimeHandleToFD(card, d.handle,
						   DRM_CLOEXEC | DRM_RDWR, &fd);
		}
		drmFreeVersion(v);
		/* The exported dma-buf keeps the object alive. */
		close(card);
	}
	return fd;
}

static int sync_buf(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 8));
}

static EGLImageKHR import(struct egl *e, int fd)
{
	/* Hand-written: what dmaheap_image_egl_attribs() gives for this
	 * image, in the same order. */
	const EGLint attribs[] = {
		EGL_WIDTH, (EGLint)W,
		EGL_HEIGHT, H,
		EGL_LINUX_DRM_FOURCC_EXT, DRM_FORMAT_ARGB8888,
		EGL_DMA_BUF_PLANE0_FD_EXT, fd,
		EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
		EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)PITCH,
		EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, 0,
		EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT, 0,
		EGL_NONE,
	};

	return e->create_image(e->dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT,
			       NULL, attribs);
}

static GLuint image_texture(struct egl *e, EGLImageKHR img)
{
	GLuint tex;

	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	e->image_target_texture(GL_TEXTURE_2D, img);
	return tex;
}

static const char vs[] = "attribute vec2 pos;\n"
			 "void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n";
static const char fs[] = "precision highp float;\n"
			 "uniform sampler2D t;\n"
			 "uniform vec2 size;\n"
			 "void main() {\n"
			 "  gl_FragColor = texture2D(t, gl_FragCoord.xy / size);\n"
			 "}\n";

static int do_sample(struct egl *e, int fd, uint8_t *cpu)
{
	static uint8_t got[MAX_W * 4 * H];
	size_t wrong = 0;
	GLuint fb, tex, prog = egl_program(vs, fs);
	EGLImageKHR img;

	sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t i = 0; i < SIZE; i++)
		cpu[i] = pattern(i);
	sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	img = import(e, fd);
	if (img == EGL_NO_IMAGE_KHR || !prog ||
	    egl_target_fbo(W, H, &fb) < 0) {
		printf("import or framebuffer failed (EGL 0x%x)\n",
		       eglGetError());
		return 1;
	}
	tex = image_texture(e, img);
	glUseProgram(prog);
	glUniform2f(glGetUniformLocation(prog, "size"), (GLfloat)W, H);
	egl_draw_quad();
	glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE, got);
	/* Memory B, G, R, A; glReadPixels R, G, B, A. */
	for (size_t i = 0; i < SIZE; i += 4)
		wrong += got[i] != pattern(i + 2) ||
			 got[i + 1] != pattern(i + 1) ||
			 got[i + 2] != pattern(i) ||
			 got[i + 3] != pattern(i + 3);
	printf("sampled: %zu of %u pixels wrong\n", wrong, W * H);
	glDeleteTextures(1, &tex);
	egl_free_fbo(fb);
	e->destroy_image(e->dpy, img);
	return wrong != 0;
}

static int do_render(struct egl *e, int fd, uint8_t *cpu)
{
	size_t wrong = 0;
	GLuint fb, tex;
	EGLImageKHR img = import(e, fd);

	if (img == EGL_NO_IMAGE_KHR) {
		printf("import failed (EGL 0x%x)\n", eglGetError());
		return 1;
	}
	tex = image_texture(e, img);
	glGenFramebuffers(1, &fb);
	glBindFramebuffer(GL_FRAMEBUFFER, fb);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	if (glCheckFramebufferStatus(GL_FRAMEBUFFER) !=
	    GL_FRAMEBUFFER_COMPLETE) {
		printf("framebuffer on the imported image incomplete\n");
		return 1;
	}
	glViewport(0, 0, W, H);
	glClearColor(0.2f, 0.4f, 0.6f, 0.8f);
	if (scissor) {
		glEnable(GL_SCISSOR_TEST);
		glScissor(RX, RY, RW, RH);
	}
	printf("glClear into the imported image (pitch %u%s)\n", PITCH,
	       scissor ? ", a scissor rectangle" : "");
	glClear(GL_COLOR_BUFFER_BIT);
	glDisable(GL_SCISSOR_TEST);
	glFinish();
	sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < SIZE; i += 4) {
		size_t x = i % PITCH / 4, y = i / PITCH;

		if (scissor && (x < RX || x >= RX + RW || y < RY || y >= RY + RH))
			continue;
		wrong += cpu[i] != clear_rgba[2] || cpu[i + 1] != clear_rgba[1] ||
			 cpu[i + 2] != clear_rgba[0] ||
			 cpu[i + 3] != clear_rgba[3];
	}
	sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	printf("rendered: %zu of %u pixels wrong in the dma-buf\n", wrong,
	       W * H);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &fb);
	glDeleteTextures(1, &tex);
	e->destroy_image(e->dpy, img);
	return wrong != 0;
}

/* The child: one case, from EGL's start. */
static enum egl_platform platform;

static int run_case(const char *source, const char *op)
{
	int fd = strcmp(source, "heap") == 0      ? heap_fd()
		 : strcmp(source, "udmabuf") == 0 ? udmabuf_fd()
						  : vgem_fd();
	struct egl e;
	uint8_t *cpu;
	int r;

	if (fd < 0) {
		printf("SKIP: no %s buffer: %s\n", source, strerror(errno));
		return 77;
	}
	cpu = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cpu == MAP_FAILED) {
		printf("mmap of the %s dma-buf: %s\n", source, strerror(errno));
		return 1;
	}
	egl_open(&e, platform);
	r = strcmp(op, "sample") == 0 ? do_sample(&e, fd, cpu)
				      : do_render(&e, fd, cpu);
	egl_close(&e);
	munmap(cpu, SIZE);
	close(fd);
	return r;
}

/* 0 worked, 1 wrong or an error, 2 crashed, 77 skipped. */
static int fork_case(const char *source, const char *op)
{
	int status;
	pid_t pid;

	printf("--- %s %s\n", source, op);
	pid = fork();
	if (pid == 0)
		_exit(run_case(source, op));
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	if (WIFSIGNALED(status)) {
		printf("%s %s: CRASHED (signal %d)\n", source, op,
		       WTERMSIG(status));
		return 2;
	}
	status = WEXITSTATUS(status);
	printf("%s %s: %s\n", source, op,
	       status == 0 ? "works" : status == 77 ? "skipped" : "FAILS");
	return status;
}

int main(int argc, char **argv)
{
	static const char *const sources[] = { "heap", "udmabuf", "vgem" };
	static const char *const ops[] = { "sample", "render" };
	int worst = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* The shader cache wants a writable home; the VM's is read-only. */
	setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
	for (; argc > 1 && strncmp(argv[1], "--", 2) == 0; argc--, argv++) {
		if (strcmp(argv[1], "--software") == 0) {
			platform = EGL_SOFTWARE_DEVICE;
		} else if (strcmp(argv[1], "--scissor") == 0) {
			scissor = 1;
		} else if (strncmp(argv[1], "--width=", 8) == 0) {
			int w = atoi(argv[1] + 8);

			if (w < 1 || w > MAX_W)
				argc = -1;
			W = (uint32_t)w;
		} else {
			argc = -1;
		}
	}
	if (argc == 3 && (!strcmp(argv[1], "heap") ||
			  !strcmp(argv[1], "udmabuf") ||
			  !strcmp(argv[1], "vgem")) &&
	    (!strcmp(argv[2], "sample") || !strcmp(argv[2], "render")))
		return fork_case(argv[1], argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--software] [--width=N] [--scissor] "
			"[heap|udmabuf|vgem sample|render]\n",
			argv[0]);
		return 2;
	}
	for (int s = 0; s < 3; s++)
		for (int o = 0; o < 2; o++) {
			int r = fork_case(sources[s], ops[o]);

			if (r != 77 && r > worst)
				worst = r;
		}
	return worst;
}
