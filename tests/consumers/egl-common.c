/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egl-common.h"

_Noreturn void egl_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(77);
}

/* Whether the space-separated list @exts has @name as a whole word. */
static int has_word(const char *exts, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = exts; p && (p = strstr(p, name)); p += n)
		if ((p == exts || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static void need_ext(const char *exts, const char *name)
{
	static char why[160];

	if (has_word(exts, name))
		return;
	snprintf(why, sizeof(why), "no %s", name);
	egl_skip(why);
}

/* Mesa's software device (EGL_MESA_device_software): llvmpipe without a
 * DRM device, where the surfaceless platform would take kms_swrast on
 * vgem. */
static EGLDisplay software_display(PFNEGLGETPLATFORMDISPLAYEXTPROC get_display)
{
	PFNEGLQUERYDEVICESEXTPROC query_devices =
		(PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress(
			"eglQueryDevicesEXT");
	PFNEGLQUERYDEVICESTRINGEXTPROC device_string =
		(PFNEGLQUERYDEVICESTRINGEXTPROC)eglGetProcAddress(
			"eglQueryDeviceStringEXT");
	EGLDeviceEXT devs[16];
	EGLint n = 0;

	need_ext(eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS),
		 "EGL_EXT_platform_device");
	if (!query_devices || !device_string || !query_devices(16, devs, &n))
		egl_skip("no EGL devices");
	for (EGLint i = 0; i < n; i++)
		if (has_word(device_string(devs[i], EGL_EXTENSIONS),
			     "EGL_MESA_device_software"))
			return get_display(EGL_PLATFORM_DEVICE_EXT, devs[i],
					   NULL);
	egl_skip("no EGL_MESA_device_software device");
}

static EGLDisplay platform_display(enum egl_platform platform)
{
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
		(PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress(
			"eglGetPlatformDisplayEXT");

	if (!get_display)
		egl_skip("no eglGetPlatformDisplayEXT");
	if (platform == EGL_SOFTWARE_DEVICE)
		return software_display(get_display);
	need_ext(eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS),
		 "EGL_MESA_platform_surfaceless");
	return get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY,
			   NULL);
}

void egl_open(struct egl *e, enum egl_platform platform)
{
	static const EGLint ctx_attr[] = { EGL_CONTEXT_CLIENT_VERSION, 2,
					   EGL_NONE };
	EGLint major, minor;
	const char *exts;

	e->dpy = platform_display(platform);
	if (e->dpy == EGL_NO_DISPLAY || !eglInitialize(e->dpy, &major, &minor))
		egl_skip("no EGL display");
	exts = eglQueryString(e->dpy, EGL_EXTENSIONS);
	printf("EGL %d.%d, %s %s\n", major, minor,
	       eglQueryString(e->dpy, EGL_VENDOR),
	       eglQueryString(e->dpy, EGL_VERSION));
	need_ext(exts, "EGL_EXT_image_dma_buf_import");
	need_ext(exts, "EGL_EXT_image_dma_buf_import_modifiers");
	need_ext(exts, "EGL_KHR_surfaceless_context");
	need_ext(exts, "EGL_KHR_no_config_context");
	if (!eglBindAPI(EGL_OPENGL_ES_API))
		egl_skip("no OpenGL ES");
	e->ctx = eglCreateContext(e->dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT,
				  ctx_attr);
	if (e->ctx == EGL_NO_CONTEXT ||
	    !eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, e->ctx))
		egl_skip("no GLES 2 context");
	printf("GL: %s, %s\n", (const char *)glGetString(GL_RENDERER),
	       (const char *)glGetString(GL_VERSION));
	exts = (const char *)glGetString(GL_EXTENSIONS);
	need_ext(exts, "GL_OES_EGL_image");
	need_ext(exts, "GL_OES_EGL_image_external");
	e->create_image = (PFNEGLCREATEIMAGEKHRPROC)eglGetProcAddress(
		"eglCreateImageKHR");
	e->destroy_image = (PFNEGLDESTROYIMAGEKHRPROC)eglGetProcAddress(
		"eglDestroyImageKHR");
	e->image_target_texture =
		(PFNGLEGLIMAGETARGETTEXTURE2DOESPROC)eglGetProcAddress(
			"glEGLImageTargetTexture2DOES");
	e->query_formats = (PFNEGLQUERYDMABUFFORMATSEXTPROC)eglGetProcAddress(
		"eglQueryDmaBufFormatsEXT");
	if (!e->create_image || !e->destroy_image || !e->image_target_texture ||
	    !e->query_formats)
		egl_skip("EGL image entry points missing");
}

void egl_close(struct egl *e)
{
	eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(e->dpy, e->ctx);
	eglTerminate(e->dpy);
}

int egl_has_format(struct egl *e, uint32_t fourcc)
{
	EGLint formats[256], n = 0;
	int found = 0;

	if (!e->query_formats(e->dpy, 256, formats, &n))
		return 0;
	for (EGLint i = 0; i < n; i++)
		found |= (uint32_t)formats[i] == fourcc;
	return found;
}

static GLuint shader(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;
	char log[512];

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (ok)
		return s;
	glGetShaderInfoLog(s, sizeof(log), NULL, log);
	printf("shader: %s\n", log);
	glDeleteShader(s);
	return 0;
}

GLuint egl_program(const char *vs, const char *fs)
{
	GLuint v = shader(GL_VERTEX_SHADER, vs), f = shader(GL_FRAGMENT_SHADER, fs);
	GLuint p = 0;
	GLint ok = 0;

	if (v && f) {
		p = glCreateProgram();
		glAttachShader(p, v);
		glAttachShader(p, f);
		glBindAttribLocation(p, 0, "pos");
		glLinkProgram(p);
		glGetProgramiv(p, GL_LINK_STATUS, &ok);
		if (!ok) {
			printf("program did not link\n");
			glDeleteProgram(p);
			p = 0;
		}
	}
	glDeleteShader(v);
	glDeleteShader(f);
	return p;
}

int egl_target_fbo(int w, int h, GLuint *fb)
{
	GLuint tex;

	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA,
		     GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, fb);
	glBindFramebuffer(GL_FRAMEBUFFER, *fb);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	glViewport(0, 0, w, h);
	glBindTexture(GL_TEXTURE_2D, 0);
	return glCheckFramebufferStatus(GL_FRAMEBUFFER) ==
			       GL_FRAMEBUFFER_COMPLETE
		       ? 0
		       : -1;
}

void egl_free_fbo(GLuint fb)
{
	GLint tex = 0;

	glBindFramebuffer(GL_FRAMEBUFFER, fb);
	glGetFramebufferAttachmentParameteriv(
		GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
		GL_FRAMEBUFFER_ATTACHMENT_OBJECT_NAME, &tex);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &fb);
	glDeleteTextures(1, (GLuint *)&tex);
}

void egl_draw_quad(void)
{
	static const GLfloat quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };

	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, quad);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	glDisableVertexAttribArray(0);
}
