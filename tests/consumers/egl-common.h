/* SPDX-License-Identifier: MIT */
/* EGL on Mesa's surfaceless platform with GLES 2, for the EGL judge and
 * the rendering reproducer (which must not use libdmaheap: nor does this). */
#ifndef DMAHEAP_EGL_COMMON_H
#define DMAHEAP_EGL_COMMON_H

#include <stdint.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>

struct egl {
	EGLDisplay dpy;
	EGLContext ctx;
	PFNEGLCREATEIMAGEKHRPROC create_image;
	PFNEGLDESTROYIMAGEKHRPROC destroy_image;
	PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;
	PFNEGLQUERYDMABUFFORMATSEXTPROC query_formats;
};

/* Prints "SKIP: @why" and exits 77. */
_Noreturn void egl_skip(const char *why);

enum egl_platform {
	/* EGL_MESA_platform_surfaceless: Mesa takes a DRM device it has a
	 * driver for; kms_swrast on vgem in the VM. */
	EGL_SURFACELESS,
	/* EGL_EXT_platform_device, the EGL_MESA_device_software device:
	 * llvmpipe on no DRM device. */
	EGL_SOFTWARE_DEVICE,
};

/*
 * A current GLES 2 context without a surface on @platform,
 * with dma-buf import (and modifiers) and GL_OES_EGL_image(_external).
 * Prints the EGL and GL versions and renderer. Exits 77 when any of that
 * is missing.
 */
void egl_open(struct egl *e, enum egl_platform platform);
void egl_close(struct egl *e);

/* Whether eglQueryDmaBufFormatsEXT lists @fourcc. */
int egl_has_format(struct egl *e, uint32_t fourcc);

/* A linked program of the two sources, or 0 (the log printed). */
GLuint egl_program(const char *vs, const char *fs);

/* Binds a new framebuffer with a new RGBA8 texture of @w x @h as colour;
 * 0, or -1 when incomplete. egl_free_fbo() deletes both. */
int egl_target_fbo(int w, int h, GLuint *fb);
void egl_free_fbo(GLuint fb);

/* Draws two triangles covering the viewport with the current program,
 * whose attribute 0 is "pos". */
void egl_draw_quad(void);

#endif
