/* SPDX-License-Identifier: MIT */
/*
 * What the scenarios share: the specs and heap lists they ask for, the
 * setups that make their inputs, and the check of what free leaves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "fault.h"
#include "core/sys.h"

const char *const fault_fallback[] = { "missing", "linux,cma", "system" };
const char *const fault_fast[] = { "system-uncached", "system" };

/* NV12 at 64x48: two planes, in one dma-buf or in two. */
const struct dmaheap_image_spec fault_nv12 = {
	.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 48,
};
const struct dmaheap_image_spec fault_nv12m = {
	.fourcc = DRM_FORMAT_NV12, .width = 64, .height = 48,
	.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
};

void setup_buf(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_alloc(e->ctx, "system", FAULT_SIZE, 0,
				    &e->buf) == 0);
}

void setup_mapped(struct fault_env *e)
{
	void *addr;

	setup_buf(e);
	FAULT_REQUIRE(dmaheap_buf_map(e->buf, &addr) == 0);
}

void setup_begun(struct fault_env *e)
{
	setup_buf(e);
	FAULT_REQUIRE(dmaheap_buf_begin_cpu_access(e->buf,
						   DMAHEAP_ACCESS_RW) == 0);
}

/* A buffer with everything buf_free must undo: a mapping, open access. */
void setup_busy(struct fault_env *e)
{
	setup_mapped(e);
	FAULT_REQUIRE(dmaheap_buf_begin_cpu_access(e->buf,
						   DMAHEAP_ACCESS_RW) == 0);
}

void setup_sync_file(struct fault_env *e)
{
	setup_buf(e);
	FAULT_REQUIRE(dmaheap_buf_export_sync_file(e->buf, DMAHEAP_ACCESS_RW,
						   &e->sync_fd) == 0);
}

void setup_raw(struct fault_env *e)
{
	e->raw_fd = dmaheap_alloc_fd(e->ctx, "system", FAULT_SIZE, 0);
	FAULT_REQUIRE(e->raw_fd >= 0);
}

void setup_raw_started(struct fault_env *e)
{
	setup_raw(e);
	FAULT_REQUIRE(dmaheap_sync_start(e->ctx, e->raw_fd,
					 DMAHEAP_ACCESS_RW) == 0);
}

void setup_heaps_open(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_heap_open(e->ctx, "system") == 0);
	FAULT_REQUIRE(dmaheap_heap_open(e->ctx, "udmabuf") == 0);
	setup_buf(e);
}

void setup_pipe(struct fault_env *e)
{
	int p[2];

	FAULT_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	e->raw_fd = p[0];
	e->sync_fd = p[1];
}

void setup_gone_alias(struct fault_env *e)
{
	static const char *const gone[] = { "nope-1", "nope-2" };

	FAULT_REQUIRE(dmaheap_ctx_set_alias(e->ctx, "gone", gone, 2) == 0);
}

void setup_list(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_heap_list(e->ctx, &e->out_list) >= 0);
}

void setup_aliases(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_alias_list(e->ctx, &e->out_aliases) >= 0);
}

void setup_image(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_image_alloc(e->ctx, "system", &fault_nv12m, 0,
					  &e->img) == 0);
}

/* An image and an fd that is no DRM device: the mock has none, so the
 * PRIME import fails as on a machine without one. */
void setup_image_not_drm(struct fault_env *e)
{
	int p[2];

	setup_image(e);
	FAULT_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	e->raw_fd = p[0];
	e->sync_fd = p[1];
}

void setup_image_mapped(struct fault_env *e)
{
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];

	setup_image(e);
	FAULT_REQUIRE(dmaheap_image_map(e->img, planes) == 0);
}

void setup_image_begun(struct fault_env *e)
{
	setup_image(e);
	FAULT_REQUIRE(dmaheap_image_begin_cpu_access(e->img,
						     DMAHEAP_ACCESS_RW) == 0);
}

void setup_image_busy(struct fault_env *e)
{
	setup_image_mapped(e);
	FAULT_REQUIRE(dmaheap_image_begin_cpu_access(e->img,
						     DMAHEAP_ACCESS_RW) == 0);
}

/* Two dma-bufs the size of NV12M's planes, for an import. */
void setup_image_fds(struct fault_env *e)
{
	struct dmaheap_image_layout l;

	FAULT_REQUIRE(dmaheap_image_layout(NULL, &fault_nv12m, &l) == 0);
	e->raw_fd = dmaheap_alloc_fd(e->ctx, "system",
				     (size_t)l.buffer_size[0], 0);
	e->sync_fd = dmaheap_alloc_fd(e->ctx, "system",
				      (size_t)l.buffer_size[1], 0);
	FAULT_REQUIRE(e->raw_fd >= 0 && e->sync_fd >= 0);
}

void setup_pool(struct fault_env *e)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	FAULT_REQUIRE(dmaheap_ctx_set_pool(e->ctx, &o) == 0);
}

void setup_pool_zero(struct fault_env *e)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	o.flags = DMAHEAP_POOL_ZERO;
	FAULT_REQUIRE(dmaheap_ctx_set_pool(e->ctx, &o) == 0);
}

void setup_pool_warm(struct fault_env *e)
{
	setup_pool(e);
	FAULT_REQUIRE(dmaheap_pool_prewarm(e->ctx, "system", FAULT_SIZE, 2,
					   0) == 2);
}

void setup_pool_buf(struct fault_env *e)
{
	setup_pool(e);
	setup_buf(e);
}

void setup_pool_zero_buf(struct fault_env *e)
{
	setup_pool_zero(e);
	setup_buf(e);
}

void setup_socket(struct fault_env *e)
{
	FAULT_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				 e->sock) == 0);
}

void setup_buf_socket(struct fault_env *e)
{
	setup_buf(e);
	setup_socket(e);
}

void setup_buf_sent(struct fault_env *e)
{
	setup_buf_socket(e);
	FAULT_REQUIRE(dmaheap_buf_send(e->buf, e->sock[0]) == 0);
}

struct dmaheap_handoff_extra *fault_extra(struct fault_env *e)
{
	struct dmaheap_handoff_extra *x = calloc(1, sizeof(*x));

	FAULT_REQUIRE(x != NULL);
	x->tag = 3;
	x->blob_len = 64;
	memset(x->blob, 0x5c, x->blob_len);
	x->fence_fd = e->sync_fd;
	return x;
}

long fault_recv_extra_done(struct fault_env *e, long r,
			   struct dmaheap_handoff_extra *x)
{
	if (r == 0 && (x->blob_len != 64 || x->tag != 3))
		r = -EFAULT;
	if (r != 0 && x->fence_fd != -1)
		r = -EFAULT; /* a failed receive handed out a fence */
	e->out_fd = x->fence_fd;
	free(x);
	return r;
}

void setup_buf_fence_socket(struct fault_env *e)
{
	setup_sync_file(e);
	setup_socket(e);
}

void setup_buf_sent_extra(struct fault_env *e)
{
	struct dmaheap_handoff_extra *x;

	setup_buf_fence_socket(e);
	x = fault_extra(e);
	FAULT_REQUIRE(dmaheap_buf_send_extra(e->buf, e->sock[0], x) == 0);
	free(x);
}

void setup_image_fence_socket(struct fault_env *e)
{
	setup_image_socket(e);
	FAULT_REQUIRE(dmaheap_buf_export_sync_file(
		(struct dmaheap_buf *)dmaheap_image_buf(e->img, 0),
		DMAHEAP_ACCESS_RW, &e->sync_fd) == 0);
}

void setup_image_sent_extra(struct fault_env *e)
{
	struct dmaheap_handoff_extra *x;

	setup_image_fence_socket(e);
	x = fault_extra(e);
	FAULT_REQUIRE(dmaheap_image_send_extra(e->img, e->sock[0], x) == 0);
	free(x);
}

void setup_image_socket(struct fault_env *e)
{
	setup_image(e);
	setup_socket(e);
}

void setup_image_sent(struct fault_env *e)
{
	setup_image_socket(e);
	FAULT_REQUIRE(dmaheap_image_send(e->img, e->sock[0]) == 0);
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
const char *check_free(struct fault_env *e, long r)
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
