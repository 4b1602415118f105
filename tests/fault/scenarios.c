/* SPDX-License-Identifier: MIT */
/*
 * One scenario (or a few) per public function of dmaheap.h. A scenario's
 * setup makes what the function needs without injection; its run calls the
 * function once and records what it made, for the driver to release.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/videodev2.h>

#include "fault.h"
#include "sys.h"

#define ERRS(...) ((const int[]){ __VA_ARGS__, 0 })

/* The documented errors of the allocation functions (dmaheap_alloc()). */
#define ALLOC_ERRS EINVAL, EOVERFLOW, ENOMEM, EFBIG, ENOENT, EACCES, EPERM, \
	ENOTTY, ENODEV, EMFILE, ENFILE
#define SEND_ERRS EINVAL, EMSGSIZE, ENOTSOCK, EPIPE, EAGAIN, ETOOMANYREFS
#define RECV_ERRS EINVAL, EBADMSG, EPROTONOSUPPORT, EMSGSIZE, EBADFD, \
	ECONNRESET, EAGAIN, ENOMEM, EMFILE
#define OPEN_ERRS EINVAL, ENOENT, EACCES, EPERM, ENOTTY, ENODEV, EMFILE, \
	ENFILE, ENOMEM

static const char *const fallback[] = { "missing", "linux,cma", "system" };
static const char *const fast[] = { "system-uncached", "system" };

/* NV12 at 64x48: two planes, in one dma-buf or in two. */
static const struct dmaheap_image_spec nv12 = {
	.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 48,
};
static const struct dmaheap_image_spec nv12m = {
	.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 48,
	.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
};

/* ---- setups ------------------------------------------------------------ */

static void setup_buf(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_alloc(e->ctx, "system", FAULT_SIZE, 0,
				    &e->buf) == 0);
}

static void setup_mapped(struct fault_env *e)
{
	void *addr;

	setup_buf(e);
	FAULT_REQUIRE(dmaheap_buf_map(e->buf, &addr) == 0);
}

static void setup_begun(struct fault_env *e)
{
	setup_buf(e);
	FAULT_REQUIRE(dmaheap_buf_begin_cpu_access(e->buf,
						   DMAHEAP_ACCESS_RW) == 0);
}

/* A buffer with everything buf_free must undo: a mapping, open access. */
static void setup_busy(struct fault_env *e)
{
	setup_mapped(e);
	FAULT_REQUIRE(dmaheap_buf_begin_cpu_access(e->buf,
						   DMAHEAP_ACCESS_RW) == 0);
}

static void setup_sync_file(struct fault_env *e)
{
	setup_buf(e);
	FAULT_REQUIRE(dmaheap_buf_export_sync_file(e->buf, DMAHEAP_ACCESS_RW,
						   &e->sync_fd) == 0);
}

static void setup_raw(struct fault_env *e)
{
	e->raw_fd = dmaheap_alloc_fd(e->ctx, "system", FAULT_SIZE, 0);
	FAULT_REQUIRE(e->raw_fd >= 0);
}

static void setup_raw_started(struct fault_env *e)
{
	setup_raw(e);
	FAULT_REQUIRE(dmaheap_sync_start(e->ctx, e->raw_fd,
					 DMAHEAP_ACCESS_RW) == 0);
}

static void setup_heaps_open(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_heap_open(e->ctx, "system") == 0);
	FAULT_REQUIRE(dmaheap_heap_open(e->ctx, "udmabuf") == 0);
	setup_buf(e);
}

static void setup_pipe(struct fault_env *e)
{
	int p[2];

	FAULT_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	e->raw_fd = p[0];
	e->sync_fd = p[1];
}

static void setup_gone_alias(struct fault_env *e)
{
	static const char *const gone[] = { "nope-1", "nope-2" };

	FAULT_REQUIRE(dmaheap_ctx_set_alias(e->ctx, "gone", gone, 2) == 0);
}

static void setup_list(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_heap_list(e->ctx, &e->out_list) >= 0);
}

static void setup_aliases(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_alias_list(e->ctx, &e->out_aliases) >= 0);
}

static void setup_image(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_image_alloc(e->ctx, "system", &nv12m, 0,
					  &e->img) == 0);
}

/* An image and an fd that is no DRM device: the mock has none, so the
 * PRIME import fails as on a machine without one. */
static void setup_image_not_drm(struct fault_env *e)
{
	int p[2];

	setup_image(e);
	FAULT_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	e->raw_fd = p[0];
	e->sync_fd = p[1];
}

static void setup_image_mapped(struct fault_env *e)
{
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];

	setup_image(e);
	FAULT_REQUIRE(dmaheap_image_map(e->img, planes) == 0);
}

static void setup_image_begun(struct fault_env *e)
{
	setup_image(e);
	FAULT_REQUIRE(dmaheap_image_begin_cpu_access(e->img,
						     DMAHEAP_ACCESS_RW) == 0);
}

static void setup_image_busy(struct fault_env *e)
{
	setup_image_mapped(e);
	FAULT_REQUIRE(dmaheap_image_begin_cpu_access(e->img,
						     DMAHEAP_ACCESS_RW) == 0);
}

/* Two dma-bufs the size of nv12m's planes, for an import. */
static void setup_image_fds(struct fault_env *e)
{
	struct dmaheap_image_layout l;

	FAULT_REQUIRE(dmaheap_image_layout(NULL, &nv12m, &l) == 0);
	e->raw_fd = dmaheap_alloc_fd(e->ctx, "system",
				     (size_t)l.buffer_size[0], 0);
	e->sync_fd = dmaheap_alloc_fd(e->ctx, "system",
				      (size_t)l.buffer_size[1], 0);
	FAULT_REQUIRE(e->raw_fd >= 0 && e->sync_fd >= 0);
}

static void setup_pool(struct fault_env *e)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	FAULT_REQUIRE(dmaheap_ctx_set_pool(e->ctx, &o) == 0);
}

static void setup_pool_zero(struct fault_env *e)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	o.flags = DMAHEAP_POOL_ZERO;
	FAULT_REQUIRE(dmaheap_ctx_set_pool(e->ctx, &o) == 0);
}

static void setup_pool_warm(struct fault_env *e)
{
	setup_pool(e);
	FAULT_REQUIRE(dmaheap_pool_prewarm(e->ctx, "system", FAULT_SIZE, 2,
					   0) == 2);
}

static void setup_pool_buf(struct fault_env *e)
{
	setup_pool(e);
	setup_buf(e);
}

static void setup_pool_zero_buf(struct fault_env *e)
{
	setup_pool_zero(e);
	setup_buf(e);
}

static void setup_socket(struct fault_env *e)
{
	FAULT_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 e->sock) == 0);
}

static void setup_buf_socket(struct fault_env *e)
{
	setup_buf(e);
	setup_socket(e);
}

static void setup_buf_sent(struct fault_env *e)
{
	setup_buf_socket(e);
	FAULT_REQUIRE(dmaheap_buf_send(e->buf, e->sock[0]) == 0);
}

static void setup_image_socket(struct fault_env *e)
{
	setup_image(e);
	setup_socket(e);
}

static void setup_image_sent(struct fault_env *e)
{
	setup_image_socket(e);
	FAULT_REQUIRE(dmaheap_image_send(e->img, e->sock[0]) == 0);
}

/* ---- context ------------------------------------------------------------ */

static long run_strerror(struct fault_env *e)
{
	(void)e;
	return dmaheap_strerror(-EIO) ? 0 : -EFAULT;
}

static long run_ctx_new(struct fault_env *e)
{
	return dmaheap_ctx_new(&e->out_ctx);
}

static long new_with(struct fault_env *e, unsigned int flags,
		     const char *policy)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;

	dmaheap_mock_options(e->mock, &o);
	o.flags = flags;
	o.policy_file = policy;
	return dmaheap_ctx_new_with(&o, &e->out_ctx);
}

static long run_ctx_new_with(struct fault_env *e)
{
	return new_with(e, DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE,
			NULL);
}

static long run_ctx_new_with_policy(struct fault_env *e)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->policy_fd);
	return new_with(e, DMAHEAP_CTX_NO_ENV, path);
}

static long run_ctx_new_with_bad_policy(struct fault_env *e)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->bad_policy_fd);
	return new_with(e, DMAHEAP_CTX_NO_ENV, path);
}

static long run_ctx_free(struct fault_env *e)
{
	dmaheap_ctx_free(e->ctx);
	e->ctx = NULL;
	return 0;
}

static long run_ctx_heap_dir(struct fault_env *e)
{
	return dmaheap_ctx_heap_dir(e->ctx) ? 0 : -EFAULT;
}

static long run_ctx_udmabuf_dev(struct fault_env *e)
{
	return dmaheap_ctx_udmabuf_dev(e->ctx) ? 0 : -EFAULT;
}

static long run_ctx_rescan(struct fault_env *e)
{
	return dmaheap_ctx_rescan(e->ctx);
}

static long run_ctx_stats(struct fault_env *e)
{
	struct dmaheap_stats st;

	return dmaheap_ctx_stats(e->ctx, NULL, &st);
}

/* ---- discovery ---------------------------------------------------------- */

static long run_heap_list(struct fault_env *e)
{
	return dmaheap_heap_list(e->ctx, &e->out_list);
}

static long run_heap_list_free(struct fault_env *e)
{
	dmaheap_heap_list_free(e->out_list);
	e->out_list = NULL;
	return 0;
}

static long run_heap_open(struct fault_env *e)
{
	return dmaheap_heap_open(e->ctx, "system");
}

static long run_heap_open_udmabuf(struct fault_env *e)
{
	return dmaheap_heap_open(e->ctx, "udmabuf");
}

static long run_has_heap(struct fault_env *e)
{
	return dmaheap_has_heap(e->ctx, "system-uncached");
}

/* ---- allocation --------------------------------------------------------- */

static long run_alloc(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "system", FAULT_SIZE, 0, &e->out_buf);
}

static long run_alloc_udmabuf(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "udmabuf", FAULT_SIZE, 0, &e->out_buf);
}

static long run_alloc_alias(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "cma", 4096, 0, &e->out_buf);
}

static long run_alloc_fd(struct fault_env *e)
{
	e->out_fd = dmaheap_alloc_fd(e->ctx, "system", FAULT_SIZE, 0);
	return e->out_fd;
}

static long run_alloc_from(struct fault_env *e)
{
	return dmaheap_alloc_from(e->ctx, fallback, 3, FAULT_SIZE, 0,
				  &e->out_buf);
}

static long run_alloc_usage(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
				   FAULT_SIZE, 0, &e->out_buf);
}

static long run_alloc_usage_uncached(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_UNCACHED, FAULT_SIZE,
				   0, &e->out_buf);
}

static long run_alloc_usage_device(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_DEVICE_ONLY,
				   FAULT_SIZE, 0, &e->out_buf);
}

static long run_alloc_udmabuf_too_big(struct fault_env *e)
{
	/* Over the module's default limit of 64 MiB: refused before any
	 * memfd is made. */
	return dmaheap_alloc(e->ctx, "udmabuf", (size_t)65 << 20, 0,
			     &e->out_buf);
}

static long run_alloc_fresh(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "system", FAULT_SIZE, DMAHEAP_ALLOC_FRESH,
			     &e->out_buf);
}

static long run_alloc_usage_protected(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_PROTECTED, FAULT_SIZE,
				   0, &e->out_buf);
}

static long run_import(struct fault_env *e)
{
	return dmaheap_import(e->ctx, e->raw_fd, &e->out_buf);
}

/* ---- buffers ------------------------------------------------------------ */

static long run_buf_free(struct fault_env *e)
{
	dmaheap_buf_free(e->buf);
	e->buf = NULL;
	return 0;
}

static long run_buf_fd(struct fault_env *e)
{
	return dmaheap_buf_fd(e->buf);
}

/* The fd now belongs to the run's output; the buffer is gone on success. */
static long run_buf_release_fd(struct fault_env *e)
{
	e->out_fd = dmaheap_buf_release_fd(e->buf);
	if (e->out_fd >= 0)
		e->buf = NULL;
	return e->out_fd;
}

static long run_buf_dup_fd(struct fault_env *e)
{
	e->out_fd = dmaheap_buf_dup_fd(e->buf);
	return e->out_fd;
}

static long run_buf_size(struct fault_env *e)
{
	return dmaheap_buf_size(e->buf) == FAULT_SIZE ? 0 : -EFAULT;
}

static long run_buf_heap_name(struct fault_env *e)
{
	return dmaheap_buf_heap_name(e->buf) ? 0 : -EFAULT;
}

static long run_buf_props(struct fault_env *e)
{
	return dmaheap_buf_props(e->buf);
}

static long run_buf_set_name(struct fault_env *e)
{
	return dmaheap_buf_set_name(e->buf, "frame-1");
}

static long run_buf_map(struct fault_env *e)
{
	return dmaheap_buf_map(e->buf, &e->out_addr);
}

static long run_buf_unmap(struct fault_env *e)
{
	return dmaheap_buf_unmap(e->buf);
}

static long run_begin(struct fault_env *e)
{
	return dmaheap_buf_begin_cpu_access(e->buf, DMAHEAP_ACCESS_RW);
}

static long run_end(struct fault_env *e)
{
	return dmaheap_buf_end_cpu_access(e->buf, DMAHEAP_ACCESS_RW);
}

static long run_sync_start(struct fault_env *e)
{
	return dmaheap_sync_start(e->ctx, e->raw_fd, DMAHEAP_ACCESS_READ);
}

static long run_sync_end(struct fault_env *e)
{
	return dmaheap_sync_end(e->ctx, e->raw_fd, DMAHEAP_ACCESS_RW);
}

static long run_export(struct fault_env *e)
{
	return dmaheap_buf_export_sync_file(e->buf, DMAHEAP_ACCESS_READ,
					    &e->out_fd);
}

static long run_import_sync(struct fault_env *e)
{
	return dmaheap_buf_import_sync_file(e->buf, DMAHEAP_ACCESS_WRITE,
					    e->sync_fd);
}

/* ---- policy ------------------------------------------------------------- */

static long run_heap_props(struct fault_env *e)
{
	unsigned int props;

	return dmaheap_heap_props(e->ctx, "system", &props);
}

static long run_set_heap_props(struct fault_env *e)
{
	return dmaheap_ctx_set_heap_props(e->ctx, "vendor,carveout",
					  DMAHEAP_PROP_CONTIGUOUS |
					  DMAHEAP_PROP_UNCACHED);
}

static long run_heap_resolve(struct fault_env *e)
{
	const char *heap;

	return dmaheap_heap_resolve(e->ctx, "cma", &heap);
}

static long run_heap_resolve_gone(struct fault_env *e)
{
	const char *heap;

	return dmaheap_heap_resolve(e->ctx, "gone", &heap);
}

static long run_set_alias(struct fault_env *e)
{
	return dmaheap_ctx_set_alias(e->ctx, "fast", fast, 2);
}

static long run_alias_list(struct fault_env *e)
{
	return dmaheap_alias_list(e->ctx, &e->out_aliases);
}

static long run_alias_list_free(struct fault_env *e)
{
	dmaheap_alias_list_free(e->out_aliases);
	e->out_aliases = NULL;
	return 0;
}

static long run_add_rule(struct fault_env *e)
{
	return dmaheap_ctx_add_rule(e->ctx, DMAHEAP_USAGE_CPU_RARELY, fast, 2);
}

static long run_usage_plan(struct fault_env *e)
{
	return dmaheap_usage_plan(e->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
				  &e->out_list);
}

/* ---- the table ---------------------------------------------------------- */

/* ---- images ------------------------------------------------------------- */

static long run_format_name(struct fault_env *e)
{
	char name[16];

	(void)e;
	return dmaheap_format_name(DRM_FORMAT_NV12, name, sizeof(name)) ?
		       0 : -EFAULT;
}

static long run_format_planes(struct fault_env *e)
{
	(void)e;
	return dmaheap_format_planes(DRM_FORMAT_YUV420);
}

static long run_format_at(struct fault_env *e)
{
	(void)e;
	return dmaheap_format_at(0) ? 0 : -EFAULT;
}

static long run_constraints_merge(struct fault_env *e)
{
	struct dmaheap_image_constraints a = { .stride_align = 64 };
	struct dmaheap_image_constraints b = { .stride_align = 96,
					       .height_align = 16 };

	return dmaheap_image_constraints_merge(e->ctx, &a, &b, &a);
}

static long run_image_layout(struct fault_env *e)
{
	struct dmaheap_image_layout l;

	return dmaheap_image_layout(e->ctx, &nv12, &l);
}

static long run_image_alloc(struct fault_env *e)
{
	return dmaheap_image_alloc(e->ctx, "system", &nv12, 0, &e->out_img);
}

static long run_image_alloc_separate(struct fault_env *e)
{
	return dmaheap_image_alloc(e->ctx, "system", &nv12m, 0, &e->out_img);
}

static long run_image_alloc_from(struct fault_env *e)
{
	return dmaheap_image_alloc_from(e->ctx, fallback, 3, &nv12m, 0,
					&e->out_img);
}

static long run_image_alloc_usage(struct fault_env *e)
{
	return dmaheap_image_alloc_usage(e->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
					 &nv12m, 0, &e->out_img);
}

static long run_image_import(struct fault_env *e)
{
	struct dmaheap_image_layout l;
	int fds[2];

	FAULT_REQUIRE(dmaheap_image_layout(NULL, &nv12m, &l) == 0);
	fds[0] = e->raw_fd;
	fds[1] = e->sync_fd;
	return dmaheap_image_import(e->ctx, &l, fds, 2, &e->out_img);
}

static long run_image_v4l2_format(struct fault_env *e)
{
	struct v4l2_format fmt;

	return dmaheap_image_v4l2_format(e->ctx,
					 dmaheap_image_get_layout(e->img),
					 V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
					 &fmt);
}

static long run_image_gst_drm_format(struct fault_env *e)
{
	char caps[8];

	return dmaheap_image_gst_drm_format(dmaheap_image_get_layout(e->img),
					    caps, sizeof(caps));
}

static long run_image_egl_attribs(struct fault_env *e)
{
	int32_t attribs[DMAHEAP_EGL_ATTRIBS_MAX];

	return dmaheap_image_egl_attribs(e->img, attribs,
					 DMAHEAP_EGL_ATTRIBS_MAX);
}

static long run_image_drm_fb(struct fault_env *e)
{
	struct dmaheap_drm_fb fb;

	return dmaheap_image_drm_fb(e->img, e->raw_fd, &fb);
}

static long run_image_free(struct fault_env *e)
{
	dmaheap_image_free(e->img);
	e->img = NULL;
	return 0;
}

static long run_image_get_layout(struct fault_env *e)
{
	return dmaheap_image_get_layout(e->img) ? 0 : -EFAULT;
}

static long run_image_buf(struct fault_env *e)
{
	return dmaheap_image_buf(e->img, 1) ? 0 : -EFAULT;
}

static long run_image_plane_fd(struct fault_env *e)
{
	return dmaheap_image_plane_fd(e->img, 1);
}

static long run_image_map(struct fault_env *e)
{
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];

	return dmaheap_image_map(e->img, planes);
}

static long run_image_unmap(struct fault_env *e)
{
	return dmaheap_image_unmap(e->img);
}

static long run_image_begin(struct fault_env *e)
{
	return dmaheap_image_begin_cpu_access(e->img, DMAHEAP_ACCESS_RW);
}

static long run_image_end(struct fault_env *e)
{
	return dmaheap_image_end_cpu_access(e->img, DMAHEAP_ACCESS_RW);
}

/* ---- hand-off over sockets ----------------------------------------------- */

static long run_buf_send(struct fault_env *e)
{
	return dmaheap_buf_send(e->buf, e->sock[0]);
}

static long run_buf_recv(struct fault_env *e)
{
	e->out_imports = true;
	return dmaheap_buf_recv(e->ctx, e->sock[1], &e->out_buf);
}

static long run_image_send(struct fault_env *e)
{
	return dmaheap_image_send(e->img, e->sock[0]);
}

static long run_image_recv(struct fault_env *e)
{
	e->out_imports = true;
	return dmaheap_image_recv(e->ctx, e->sock[1], &e->out_img);
}

/* ---- pool --------------------------------------------------------------- */

static long run_set_pool(struct fault_env *e)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	return dmaheap_ctx_set_pool(e->ctx, &o);
}

static long run_set_pool_off(struct fault_env *e)
{
	return dmaheap_ctx_set_pool(e->ctx, NULL);
}

static long run_pool_prewarm(struct fault_env *e)
{
	return dmaheap_pool_prewarm(e->ctx, "system", FAULT_SIZE, 2, 0);
}

static long run_pool_trim(struct fault_env *e)
{
	return dmaheap_pool_trim(e->ctx, DMAHEAP_POOL_TRIM_ALL);
}

static long run_pool_stats(struct fault_env *e)
{
	struct dmaheap_pool_stats st;

	return dmaheap_pool_stats(e->ctx, NULL, &st);
}

/* ---- checks ------------------------------------------------------------- */

/* The SYNC STARTs the mock sees open on @buf, as "reads,writes". */
static bool starts_open(struct fault_env *e, unsigned int reads,
			unsigned int writes)
{
	struct dmaheap_mock_buf_info info;

	return dmaheap_mock_buf_info(e->mock, dmaheap_buf_fd(e->buf),
				     &info) == 0 &&
	       info.sync_reads == reads && info.sync_writes == writes;
}

/* A failed begin leaves no START open; a good one leaves one. */
static const char *check_begin(struct fault_env *e, long r)
{
	unsigned int n = r == 0;

	return starts_open(e, n, n) ? NULL :
	       "the kernel's open STARTs do not match the result";
}

static const char *check_end(struct fault_env *e, long r)
{
	return r != 0 || starts_open(e, 0, 0) ? NULL :
	       "END succeeded but a START is still open";
}

/* A failed munmap leaves the pages mapped: the buffer must still know,
 * so that an unmap (or free) can release them. */
static const char *check_unmap(struct fault_env *e, long r)
{
	struct dmaheap_mock_leaks l;

	if (r == 0)
		return NULL;
	if (dmaheap_buf_unmap(e->buf) != 0)
		return "after a failed unmap, unmapping again fails";
	if (dmaheap_mock_leaks(e->mock, &l, NULL, 0) < 0 || l.mappings)
		return "after a failed unmap, a mapping is left behind";
	return NULL;
}

/* Unmaps, through the mock, each mapping its leak report lists ("...:
 * LEN bytes at ADDR"); how many, or -1. */
static int unmap_leaked(struct fault_env *e)
{
	const struct dmaheap_sys *sys = dmaheap_mock_sys(e->mock);
	struct dmaheap_mock_leaks l;
	char report[2048], *line, *save = NULL;
	int n = 0;

	if (dmaheap_mock_leaks(e->mock, &l, report, sizeof(report)) < 0)
		return -1;
	for (line = strtok_r(report, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *what = strrchr(line, ':');
		size_t len;
		void *addr;

		if (strncmp(line, "mapping: ", 9) != 0)
			continue;
		if (!what || sscanf(what + 1, "%zu bytes at %p", &len,
				    &addr) != 2 ||
		    sys->munmap(sys, addr, len) != 0)
			return -1;
		n++;
	}
	return n;
}

/*
 * Free cannot keep a mapping the kernel refused to unmap: it stays, and
 * only it. With every call failing, each buffer's mapping may stay (and
 * the START its refused END left open, until the mapping goes). Released
 * here so that the teardown finds no leak.
 */
static const char *check_free(struct fault_env *e, long r)
{
	(void)r;
	if (e->persistent)
		return unmap_leaked(e) >= 0 ? NULL :
		       "the mappings left by failed munmaps cannot be unmapped";
	if (!e->injected || e->injected_kind != DMAHEAP_MOCK_MUNMAP)
		return NULL;
	return unmap_leaked(e) == 1 ? NULL :
	       "after a failed munmap, not exactly its mapping is left";
}

#define S(fn, variant, setup, run, errs, pass, ret) \
	{ fn, variant, setup, run, errs, pass, ret, NULL }
#define SC(fn, variant, setup, run, errs, pass, ret, check) \
	{ fn, variant, setup, run, errs, pass, ret, check }

const struct fault_scenario fault_scenarios[] = {
	S("dmaheap_strerror", "", NULL, run_strerror, ERRS(0), false, RET_ZERO),
	S("dmaheap_ctx_new", "real kernel", NULL, run_ctx_new,
	  ERRS(EINVAL, ENOMEM, ENOENT, EACCES, EISDIR, EFBIG), true, RET_ZERO),
	S("dmaheap_ctx_new_with", "no policy file", NULL, run_ctx_new_with,
	  ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_ctx_new_with", "policy file", NULL,
	  run_ctx_new_with_policy,
	  ERRS(EINVAL, ENOMEM, ENOENT, EACCES, EISDIR, EFBIG), true, RET_ZERO),
	S("dmaheap_ctx_new_with", "bad policy file", NULL,
	  run_ctx_new_with_bad_policy,
	  ERRS(EINVAL, ENOMEM, ENOENT, EACCES, EISDIR, EFBIG), true, RET_ZERO),
	S("dmaheap_ctx_free", "with heaps open", setup_heaps_open,
	  run_ctx_free, ERRS(0), false, RET_ZERO),
	S("dmaheap_ctx_heap_dir", "", NULL, run_ctx_heap_dir, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_ctx_udmabuf_dev", "", NULL, run_ctx_udmabuf_dev, ERRS(0),
	  false, RET_ZERO),
	S("dmaheap_ctx_rescan", "", NULL, run_ctx_rescan, ERRS(EINVAL), false,
	  RET_ZERO),
	S("dmaheap_ctx_stats", "", setup_buf, run_ctx_stats,
	  ERRS(EINVAL, ENOENT), false, RET_ZERO),
	S("dmaheap_heap_list", "", NULL, run_heap_list,
	  ERRS(EINVAL, ENOENT, ENOTDIR, EACCES, EIO, ENOMEM, EMFILE), false,
	  RET_NONNEG),
	S("dmaheap_heap_list_free", "", setup_list, run_heap_list_free,
	  ERRS(0), false, RET_ZERO),
	S("dmaheap_heap_open", "system", NULL, run_heap_open, ERRS(OPEN_ERRS),
	  false, RET_ZERO),
	S("dmaheap_heap_open", "udmabuf", NULL, run_heap_open_udmabuf,
	  ERRS(OPEN_ERRS), false, RET_ZERO),
	S("dmaheap_has_heap", "", NULL, run_has_heap, ERRS(EINVAL), false,
	  RET_BOOL),
	S("dmaheap_alloc", "system", NULL, run_alloc, ERRS(ALLOC_ERRS), true,
	  RET_ZERO),
	S("dmaheap_alloc", "udmabuf", NULL, run_alloc_udmabuf,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "alias cma", NULL, run_alloc_alias,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "pool hit", setup_pool_warm, run_alloc,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "pool on, fresh", setup_pool_warm, run_alloc_fresh,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "udmabuf over its limit", NULL,
	  run_alloc_udmabuf_too_big, ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_fd", "", NULL, run_alloc_fd, ERRS(ALLOC_ERRS), true,
	  RET_NONNEG),
	S("dmaheap_alloc_from", "missing, full cma, system", NULL,
	  run_alloc_from, ERRS(ALLOC_ERRS), true, RET_NONNEG),
	S("dmaheap_alloc_usage", "cpu-read-often", NULL, run_alloc_usage,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_usage", "uncached", NULL, run_alloc_usage_uncached,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_usage", "device-only", NULL, run_alloc_usage_device,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_usage", "protected", NULL, run_alloc_usage_protected,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_import", "", setup_raw, run_import,
	  ERRS(EINVAL, EBADF, EBADFD, EMFILE, ENOMEM), false, RET_ZERO),
	S("dmaheap_import", "a pipe", setup_pipe, run_import,
	  ERRS(EINVAL, EBADF, EBADFD, EMFILE, ENOMEM), false, RET_ZERO),
	SC("dmaheap_buf_free", "mapped, in CPU access", setup_busy,
	   run_buf_free, ERRS(0), false, RET_ZERO, check_free),
	S("dmaheap_buf_free", "pool on: recycled", setup_pool_buf,
	  run_buf_free, ERRS(0), false, RET_ZERO),
	SC("dmaheap_buf_free", "pool on, zeroing", setup_pool_zero_buf,
	   run_buf_free, ERRS(0), false, RET_ZERO, check_free),
	S("dmaheap_buf_fd", "", setup_buf, run_buf_fd, ERRS(EINVAL), false,
	  RET_NONNEG),
	S("dmaheap_buf_release_fd", "", setup_buf, run_buf_release_fd,
	  ERRS(EINVAL, EBUSY), false, RET_NONNEG),
	S("dmaheap_buf_release_fd", "from the pool", setup_pool_buf,
	  run_buf_release_fd, ERRS(EINVAL, EBUSY), false, RET_NONNEG),
	S("dmaheap_buf_dup_fd", "", setup_buf, run_buf_dup_fd,
	  ERRS(EINVAL, EMFILE), false, RET_NONNEG),
	S("dmaheap_buf_size", "", setup_buf, run_buf_size, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_buf_heap_name", "", setup_buf, run_buf_heap_name, ERRS(0),
	  false, RET_ZERO),
	S("dmaheap_buf_props", "", setup_buf, run_buf_props, ERRS(0), false,
	  RET_ANY),
	S("dmaheap_buf_set_name", "", setup_buf, run_buf_set_name,
	  ERRS(EINVAL, ENAMETOOLONG, EBUSY, ENOTTY, ENOMEM), false, RET_ZERO),
	S("dmaheap_buf_map", "", setup_buf, run_buf_map,
	  ERRS(EINVAL, EPERM, EACCES, EAGAIN, ENOMEM, EOVERFLOW), false,
	  RET_ZERO),
	SC("dmaheap_buf_unmap", "", setup_mapped, run_buf_unmap,
	   ERRS(EINVAL, ENOMEM), false, RET_ZERO, check_unmap),
	SC("dmaheap_buf_begin_cpu_access", "rw", setup_buf, run_begin,
	   ERRS(EINVAL, EPERM, EAGAIN, EOVERFLOW), true, RET_ZERO,
	   check_begin),
	SC("dmaheap_buf_end_cpu_access", "rw", setup_begun, run_end,
	   ERRS(EINVAL, EAGAIN), true, RET_ZERO, check_end),
	S("dmaheap_sync_start", "", setup_raw, run_sync_start,
	  ERRS(EINVAL, EBADF, EBADFD, EAGAIN), true, RET_ZERO),
	S("dmaheap_sync_end", "", setup_raw_started, run_sync_end,
	  ERRS(EINVAL, EBADF, EBADFD, EAGAIN), true, RET_ZERO),
	S("dmaheap_buf_export_sync_file", "", setup_buf, run_export,
	  ERRS(EINVAL, ENOTTY, ENOMEM, EMFILE), false, RET_ZERO),
	S("dmaheap_buf_import_sync_file", "", setup_sync_file,
	  run_import_sync, ERRS(EINVAL, EBADF, ENOTTY, ENOMEM), false,
	  RET_ZERO),
	S("dmaheap_heap_props", "", NULL, run_heap_props, ERRS(EINVAL), false,
	  RET_NONNEG),
	S("dmaheap_ctx_set_heap_props", "", NULL, run_set_heap_props,
	  ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_heap_resolve", "alias cma", NULL, run_heap_resolve,
	  ERRS(OPEN_ERRS, EFBIG), false, RET_ZERO),
	S("dmaheap_heap_resolve", "alias of missing heaps", setup_gone_alias,
	  run_heap_resolve_gone, ERRS(OPEN_ERRS, EFBIG), false, RET_ZERO),
	S("dmaheap_ctx_set_alias", "", NULL, run_set_alias,
	  ERRS(EINVAL, ENOENT, ENOMEM), false, RET_ZERO),
	S("dmaheap_alias_list", "", NULL, run_alias_list,
	  ERRS(EINVAL, ENOMEM), false, RET_NONNEG),
	S("dmaheap_alias_list_free", "", setup_aliases, run_alias_list_free,
	  ERRS(0), false, RET_ZERO),
	S("dmaheap_ctx_add_rule", "", NULL, run_add_rule,
	  ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_usage_plan", "cpu-read-often", NULL, run_usage_plan,
	  ERRS(EINVAL, ENOMEM), false, RET_NONNEG),
	S("dmaheap_format_name", "", NULL, run_format_name, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_format_planes", "", NULL, run_format_planes, ERRS(EINVAL),
	  false, RET_NONNEG),
	S("dmaheap_format_at", "", NULL, run_format_at, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_image_constraints_merge", "", NULL, run_constraints_merge,
	  ERRS(EINVAL), false, RET_ZERO),
	S("dmaheap_image_layout", "nv12", NULL, run_image_layout,
	  ERRS(EINVAL, EOPNOTSUPP, EOVERFLOW), false, RET_ZERO),
	S("dmaheap_image_alloc", "nv12, one dma-buf", NULL, run_image_alloc,
	  ERRS(ALLOC_ERRS, EOPNOTSUPP), true, RET_ZERO),
	S("dmaheap_image_alloc", "nv12, separate planes", NULL,
	  run_image_alloc_separate, ERRS(ALLOC_ERRS, EOPNOTSUPP), true,
	  RET_ZERO),
	S("dmaheap_image_alloc_from", "missing, full cma, system", NULL,
	  run_image_alloc_from, ERRS(ALLOC_ERRS, EOPNOTSUPP), true,
	  RET_NONNEG),
	S("dmaheap_image_alloc_usage", "cpu-read-often", NULL,
	  run_image_alloc_usage, ERRS(ALLOC_ERRS, EOPNOTSUPP), true,
	  RET_ZERO),
	S("dmaheap_image_import", "separate planes", setup_image_fds,
	  run_image_import, ERRS(EINVAL, EMSGSIZE, EBADF, EBADFD, EMFILE,
				 ENOMEM), false, RET_ZERO),
	S("dmaheap_image_v4l2_format", "nv12m", setup_image,
	  run_image_v4l2_format, ERRS(EINVAL), false, RET_ZERO),
	S("dmaheap_image_gst_drm_format", "nv12m", setup_image,
	  run_image_gst_drm_format, ERRS(EINVAL, ENOSPC), false, RET_NONNEG),
	S("dmaheap_image_egl_attribs", "nv12m", setup_image,
	  run_image_egl_attribs, ERRS(EINVAL, ENOSPC, EOVERFLOW), false,
	  RET_NONNEG),
	S("dmaheap_image_drm_fb", "not a DRM device", setup_image_not_drm,
	  run_image_drm_fb, ERRS(EINVAL, EOVERFLOW, EBADF, ENOTTY, EOPNOTSUPP,
				 ENOMEM), true, RET_ZERO),
	SC("dmaheap_image_free", "mapped, in CPU access", setup_image_busy,
	   run_image_free, ERRS(0), false, RET_ZERO, check_free),
	S("dmaheap_image_get_layout", "", setup_image, run_image_get_layout,
	  ERRS(0), false, RET_ZERO),
	S("dmaheap_image_buf", "", setup_image, run_image_buf, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_image_plane_fd", "", setup_image, run_image_plane_fd,
	  ERRS(EINVAL), false, RET_NONNEG),
	S("dmaheap_image_map", "separate planes", setup_image, run_image_map,
	  ERRS(EINVAL, EPERM, EACCES, EAGAIN, ENOMEM, EOVERFLOW), false,
	  RET_ZERO),
	S("dmaheap_image_unmap", "separate planes", setup_image_mapped,
	  run_image_unmap, ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_image_begin_cpu_access", "separate planes", setup_image,
	  run_image_begin, ERRS(EINVAL, EPERM, EAGAIN, EOVERFLOW), true,
	  RET_ZERO),
	S("dmaheap_image_end_cpu_access", "separate planes",
	  setup_image_begun, run_image_end, ERRS(EINVAL, EAGAIN), true,
	  RET_ZERO),
	S("dmaheap_buf_send", "seqpacket", setup_buf_socket, run_buf_send,
	  ERRS(SEND_ERRS), true, RET_ZERO),
	S("dmaheap_buf_recv", "seqpacket", setup_buf_sent, run_buf_recv,
	  ERRS(RECV_ERRS), true, RET_ZERO),
	S("dmaheap_image_send", "separate planes", setup_image_socket,
	  run_image_send, ERRS(SEND_ERRS), true, RET_ZERO),
	S("dmaheap_image_recv", "separate planes", setup_image_sent,
	  run_image_recv, ERRS(RECV_ERRS, EINVAL), true, RET_ZERO),
	S("dmaheap_ctx_set_pool", "on", NULL, run_set_pool,
	  ERRS(EINVAL, ENOMEM), true, RET_ZERO),
	S("dmaheap_ctx_set_pool", "off, releasing", setup_pool_warm,
	  run_set_pool_off, ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_pool_prewarm", "system, 2", setup_pool, run_pool_prewarm,
	  ERRS(ALLOC_ERRS, ENODEV, ENOSPC), true, RET_NONNEG),
	S("dmaheap_pool_trim", "all", setup_pool_warm, run_pool_trim,
	  ERRS(EINVAL), false, RET_NONNEG),
	S("dmaheap_pool_stats", "", setup_pool_warm, run_pool_stats,
	  ERRS(EINVAL), false, RET_ZERO),
};

const size_t fault_nscenarios =
	sizeof(fault_scenarios) / sizeof(fault_scenarios[0]);
