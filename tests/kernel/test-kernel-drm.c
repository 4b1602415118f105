/* SPDX-License-Identifier: MIT */
/*
 * Heap buffers shared with a DRM device, both ways, through vgem (the
 * virtual GEM driver; the kernel selftest uses it for the same purpose):
 *  - a heap buffer imported into vgem and exported back is the same memory;
 *  - a vgem fence on the buffer is what the library's sync file and CPU
 *    access wait for;
 *  - a vgem dumb buffer exported as a dma-buf works with dmaheap_import().
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere, or without vgem, it
 * exits 77.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kutil.h"
#include "kvgem.h"

#define BUF_SIZE (256u * 1024u)

struct fixture {
	int vgem;
	struct dmaheap_ctx *ctx;
	int fds_before;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = kt_count_fds();
	f->vgem = kt_open_vgem();
	assert_true(f->vgem >= 0);
	assert_ret(dmaheap_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dmaheap_ctx_free(f->ctx);
	close(f->vgem);
	assert_no_fd_leak(f->fds_before);
	free(f);
	return 0;
}

static struct dmaheap_buf *alloc_pattern(struct dmaheap_ctx *ctx,
					 uint32_t seed)
{
	struct dmaheap_buf *buf = NULL;
	void *p;

	assert_ret(dmaheap_alloc(ctx, "system", BUF_SIZE, 0, &buf), 0);
	assert_ret(dmaheap_buf_map(buf, &p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(p, BUF_SIZE, seed);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	return buf;
}

/* ------------------------------------------------------------------------ */
/* Heap buffer -> vgem                                                       */
/* ------------------------------------------------------------------------ */

static void test_heap_buffer_through_vgem(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_pattern(f->ctx, 21);
	uint32_t handle = 0;
	int fd = -1;

	assert_int_equal(drmPrimeFDToHandle(f->vgem, dmaheap_buf_fd(buf),
					    &handle), 0);
	assert_true(handle != 0);
	assert_int_equal(drmPrimeHandleToFD(f->vgem, handle,
					    DRM_CLOEXEC | DRM_RDWR, &fd), 0);
	/* Re-exporting an import hands back the original dma-buf. */
	assert_true(kt_same_file(fd, dmaheap_buf_fd(buf)));
	assert_int_equal(kt_fd_size(fd), BUF_SIZE);
	kt_assert_fd_pattern(fd, BUF_SIZE, 21);
	close(fd);
	kt_gem_close(f->vgem, handle);
	dmaheap_buf_free(buf);
}

/* The selftest's check: CPU access still works while a device has the
 * buffer attached and mapped (vgem maps it at import), where SYNC does
 * real cache maintenance for the attachment. */
static void test_cpu_access_while_attached(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_pattern(f->ctx, 22);
	uint32_t handle = 0;
	uint8_t *p;

	assert_int_equal(drmPrimeFDToHandle(f->vgem, dmaheap_buf_fd(buf),
					    &handle), 0);
	assert_ret(dmaheap_buf_map(buf, (void **)&p), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	assert_int_equal(kt_check_pattern(p, BUF_SIZE, 22), BUF_SIZE);
	memset(p, 0xff, BUF_SIZE);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), 0);
	/* Linux 6.x allows renaming an attached buffer (5.x: EBUSY). */
	assert_ret(dmaheap_buf_set_name(buf, "attached"), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
	kt_gem_close(f->vgem, handle);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* Fences                                                                    */
/* ------------------------------------------------------------------------ */

static uint32_t attach_write_fence(int vgem, uint32_t handle)
{
	struct kt_vgem_fence_attach a = {
		.handle = handle,
		.flags = KT_VGEM_FENCE_WRITE,
	};

	assert_int_equal(drmIoctl(vgem, KT_IOCTL_VGEM_FENCE_ATTACH, &a), 0);
	return a.out_fence;
}

static void signal_fence(int vgem, uint32_t fence)
{
	struct kt_vgem_fence_signal s = { .fence = fence };

	/* ETIMEDOUT here: vgem's 10 s watchdog signalled it first. */
	assert_int_equal(drmIoctl(vgem, KT_IOCTL_VGEM_FENCE_SIGNAL, &s), 0);
}

/* An unsignalled device write: readers must wait, then may go. */
static void test_sync_file_waits_for_fence(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_pattern(f->ctx, 23);
	int bfd = dmaheap_buf_fd(buf);
	uint32_t handle = 0, fence;
	int sync_fd = -1;

	assert_int_equal(drmPrimeFDToHandle(f->vgem, bfd, &handle), 0);
	fence = attach_write_fence(f->vgem, handle);
	assert_ret(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_READ,
						&sync_fd), 0);
	assert_int_equal(kt_poll_now(sync_fd, POLLIN), 0);
	assert_int_equal(kt_poll_now(bfd, POLLIN), 0);
	signal_fence(f->vgem, fence);
	assert_int_equal(kt_poll_now(sync_fd, POLLIN), POLLIN);
	assert_int_equal(kt_poll_now(bfd, POLLIN), POLLIN);
	/* Re-importing the (now signalled) fence keeps the buffer idle. */
	assert_ret(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_WRITE,
						sync_fd), 0);
	assert_int_equal(kt_poll_now(bfd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	close(sync_fd);
	kt_gem_close(f->vgem, handle);
	dmaheap_buf_free(buf);
}

struct signaller {
	int vgem;
	uint32_t fence;
	atomic_bool signalled;
};

static void *signal_later(void *arg)
{
	struct signaller *s = arg;
	struct kt_vgem_fence_signal sig = { .fence = s->fence };

	usleep(300 * 1000);
	atomic_store(&s->signalled, true);
	if (drmIoctl(s->vgem, KT_IOCTL_VGEM_FENCE_SIGNAL, &sig) != 0)
		return (void *)1;
	return NULL;
}

/* Begin READ waits for the device's write: it cannot return before the
 * other thread signals the fence. */
static void test_begin_waits_for_fence(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = alloc_pattern(f->ctx, 24);
	/* Static: if an assertion bails out, the thread must still find it. */
	static struct signaller s;
	uint32_t handle = 0;
	pthread_t t;
	void *ret;

	s.vgem = f->vgem;
	assert_int_equal(drmPrimeFDToHandle(f->vgem, dmaheap_buf_fd(buf),
					    &handle), 0);
	s.fence = attach_write_fence(f->vgem, handle);
	atomic_init(&s.signalled, false);
	assert_int_equal(pthread_create(&t, NULL, signal_later, &s), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_true(atomic_load(&s.signalled));
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_null(ret);
	kt_gem_close(f->vgem, handle);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* vgem buffer -> library                                                    */
/* ------------------------------------------------------------------------ */

/* A vgem dumb buffer; skips the test if vgem cannot make one. */
static struct drm_mode_create_dumb create_dumb(int vgem)
{
	struct drm_mode_create_dumb c = { .width = 256, .height = 64,
					  .bpp = 32 };

	if (drmIoctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &c) != 0) {
		print_message("vgem cannot create dumb buffers: %s\n",
			      strerror(errno));
		skip();
	}
	return c;
}

/* vgem's own CPU mapping of one of its objects. */
static uint8_t *map_dumb(int vgem, uint32_t handle, size_t size)
{
	struct drm_mode_map_dumb m = { .handle = handle };
	void *p;

	assert_int_equal(drmIoctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &m), 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vgem,
		 (off_t)m.offset);
	assert_true(p != MAP_FAILED);
	return p;
}

static void test_vgem_buffer_imported(void **state)
{
	struct fixture *f = *state;
	struct drm_mode_create_dumb c = create_dumb(f->vgem);
	struct dmaheap_buf *buf = NULL;
	uint8_t *vp, *lp;
	int fd = -1;

	print_message("vgem dumb buffer: %llu bytes, pitch %u\n",
		      (unsigned long long)c.size, c.pitch);
	assert_int_equal(drmPrimeHandleToFD(f->vgem, c.handle,
					    DRM_CLOEXEC | DRM_RDWR, &fd), 0);
	assert_ret(dmaheap_import(f->ctx, fd, &buf), 0);
	assert_int_equal(dmaheap_buf_size(buf), c.size);
	assert_null(dmaheap_buf_heap_name(buf));
	vp = map_dumb(f->vgem, c.handle, c.size);
	/* Library writes, vgem's mapping reads... */
	assert_ret(dmaheap_buf_map(buf, (void **)&lp), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(lp, c.size, 31);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(kt_check_pattern(vp, c.size, 31), c.size);
	/* ...and the other way round. */
	kt_fill_pattern(vp, c.size, 32);
	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_check_pattern(lp, c.size, 32), c.size);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_set_name(buf, "from-vgem"), 0);
	munmap(vp, c.size);
	dmaheap_buf_free(buf);
	close(fd);
	kt_gem_close(f->vgem, c.handle);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_heap_buffer_through_vgem),
		T(test_cpu_access_while_attached),
		T(test_sync_file_waits_for_fence),
		T(test_begin_waits_for_fence),
		T(test_vgem_buffer_imported),
	};
	int vgem;

	kt_require_system_heap();
	vgem = kt_open_vgem();
	if (vgem < 0)
		kt_skip("no vgem node among /dev/dri/card* (modprobe vgem)");
	close(vgem);
	return cmocka_run_group_tests_name("kernel-drm", tests, NULL, NULL);
}
