/* SPDX-License-Identifier: MIT */
/* Image objects against the mock: allocation from a heap, a list and a
 * usage, one or separate dma-bufs, import of a layout, mapping and CPU
 * access, and every failure leaving nothing behind. */
#include <drm_fourcc.h>
#include <unistd.h>

#include "testutil.h"

static struct dmaheap_image_spec nv12(uint32_t w, uint32_t h)
{
	struct dmaheap_image_spec s = { .fourcc = DRM_FORMAT_NV12,
					.width = w, .height = h };
	return s;
}

static void expect_live(struct fixture *f, uint64_t buffers)
{
	struct dmaheap_stats st;

	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, buffers);
}

static void test_alloc_one_buffer(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image_spec s = nv12(1920, 1080);
	const struct dmaheap_image_layout *l;
	struct dmaheap_image *img = NULL;
	void *p[DMAHEAP_IMAGE_MAX_PLANES];

	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img), 0);
	l = dmaheap_image_get_layout(img);
	assert_int_equal(l->n_buffers, 1);
	assert_int_equal(l->size, 1920 * 1080 * 3 / 2);
	assert_non_null(dmaheap_image_buf(img, 0));
	assert_null(dmaheap_image_buf(img, 1));
	assert_int_equal(dmaheap_buf_size(dmaheap_image_buf(img, 0)),
			 (l->size + 4095) / 4096 * 4096);
	assert_string_equal(dmaheap_buf_heap_name(dmaheap_image_buf(img, 0)),
			    "system");
	assert_int_equal(dmaheap_image_plane_fd(img, 0),
			 dmaheap_image_plane_fd(img, 1));
	assert_int_equal(dmaheap_image_plane_fd(img, 2), -EINVAL);
	expect_live(f, 1);

	assert_int_equal(dmaheap_image_map(img, p), 0);
	assert_ptr_equal((char *)p[1] - (char *)p[0], l->planes[1].offset);
	assert_null(p[2]);
	assert_null(p[3]);
	assert_int_equal(dmaheap_image_begin_cpu_access(img,
						DMAHEAP_ACCESS_WRITE), 0);
	memset(p[0], 0x10, l->planes[0].size);
	memset(p[1], 0x80, l->planes[1].size);
	assert_int_equal(dmaheap_image_end_cpu_access(img,
						      DMAHEAP_ACCESS_WRITE), 0);
	assert_int_equal(((unsigned char *)p[0])[l->planes[1].offset - 1],
			 0x10);
	assert_int_equal(dmaheap_image_unmap(img), 0);
	assert_int_equal(dmaheap_image_unmap(img), -EINVAL);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC),
			 1);
	dmaheap_image_free(img);
	expect_live(f, 0);
}

static void test_alloc_separate(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image_spec s = {
		.fourcc = DRM_FORMAT_YUV420, .width = 64, .height = 48,
		.constraints = { .placement = DMAHEAP_PLANES_SEPARATE },
	};
	struct dmaheap_image *img = NULL;
	void *p[DMAHEAP_IMAGE_MAX_PLANES];

	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img), 0);
	assert_int_equal(dmaheap_image_get_layout(img)->n_buffers, 3);
	expect_live(f, 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_non_null(dmaheap_image_buf(img, i));
		assert_int_equal(dmaheap_image_plane_fd(img, i),
				 dmaheap_buf_fd(dmaheap_image_buf(img, i)));
	}
	assert_int_not_equal(dmaheap_image_plane_fd(img, 0),
			     dmaheap_image_plane_fd(img, 1));
	/* Maps nest, one mapping per buffer. */
	assert_int_equal(dmaheap_image_map(img, p), 0);
	assert_int_equal(dmaheap_image_map(img, p), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MMAP), 3);
	assert_int_equal(dmaheap_image_unmap(img), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MUNMAP), 0);
	assert_int_equal(dmaheap_image_unmap(img), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_MUNMAP), 3);
	dmaheap_image_free(img);
	expect_live(f, 0);
}

static void test_alloc_from_and_usage(void **state)
{
	struct fixture *f = *state;
	const char *const heaps[] = { "absent", "system" };
	struct dmaheap_image_spec s = nv12(32, 32);
	struct dmaheap_image *img = NULL;

	s.constraints.placement = DMAHEAP_PLANES_SEPARATE;
	assert_int_equal(dmaheap_image_alloc_from(f->ctx, heaps, 2, &s, 0,
						  &img), 1);
	assert_string_equal(dmaheap_buf_heap_name(dmaheap_image_buf(img, 1)),
			    "system");
	dmaheap_image_free(img);
	img = NULL;
	assert_int_equal(dmaheap_image_alloc_usage(f->ctx,
				DMAHEAP_USAGE_CPU_READ_OFTEN, &s, 0, &img), 0);
	assert_string_equal(dmaheap_buf_heap_name(dmaheap_image_buf(img, 0)),
			    "system");
	dmaheap_image_free(img);
	img = NULL;
	assert_int_equal(dmaheap_image_alloc_from(f->ctx, heaps, 1, &s, 0,
						  &img), -ENOENT);
	assert_null(img);
	assert_int_equal(dmaheap_image_alloc_usage(f->ctx,
				DMAHEAP_USAGE_PROTECTED, &s, 0, &img), -ENOENT);
	assert_null(img);
}

/* A spec is refused before any heap is asked. */
static void test_bad_spec_touches_nothing(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image_spec s = nv12(0, 16);
	struct dmaheap_image *img = NULL;

	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img),
			 -EINVAL);
	s = nv12(UINT32_MAX, UINT32_MAX);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img),
			 -EOVERFLOW);
	s = nv12(16, 16);
	s.modifier = 1;
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img),
			 -EOPNOTSUPP);
	s.modifier = 0;
	assert_int_equal(dmaheap_image_alloc(NULL, "system", &s, 0, &img),
			 -EINVAL);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", NULL, 0, &img),
			 -EINVAL);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, NULL),
			 -EINVAL);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "sys/tem", &s, 0, &img),
			 -EINVAL);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 1u << 30,
					     &img), -EINVAL);
	assert_null(img);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC),
			 0);
}

/* A later plane failing frees the earlier ones. */
static void test_second_plane_fails(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image_spec s = nv12(64, 64);
	struct dmaheap_image *img = NULL;
	struct dmaheap_stats st;

	s.constraints.placement = DMAHEAP_PLANES_SEPARATE;
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_ALLOC,
					     1, 1, ENOMEM), 0);
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img),
			 -ENOMEM);
	assert_null(img);
	assert_int_equal(dmaheap_ctx_stats(f->ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, 0);
	assert_int_equal(st.allocations, 1);
	assert_int_equal(st.failures, 1);
}

static void test_null_image(void **state)
{
	void *p[DMAHEAP_IMAGE_MAX_PLANES];

	(void)state;
	dmaheap_image_free(NULL);
	assert_null(dmaheap_image_get_layout(NULL));
	assert_null(dmaheap_image_buf(NULL, 0));
	assert_int_equal(dmaheap_image_plane_fd(NULL, 0), -EINVAL);
	assert_int_equal(dmaheap_image_map(NULL, p), -EINVAL);
	assert_int_equal(dmaheap_image_unmap(NULL), -EINVAL);
	assert_int_equal(dmaheap_image_begin_cpu_access(NULL, 1), -EINVAL);
	assert_int_equal(dmaheap_image_end_cpu_access(NULL, 1), -EINVAL);
	assert_int_equal(dmaheap_image_import(NULL, NULL, NULL, 0, NULL),
			 -EINVAL);
}

/* A failing begin on the second buffer ends the first again. */
static void test_begin_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image_spec s = nv12(64, 64);
	struct dmaheap_image *img = NULL;
	void *p[DMAHEAP_IMAGE_MAX_PLANES];

	s.constraints.placement = DMAHEAP_PLANES_SEPARATE;
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img), 0);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_IOCTL_SYNC,
					     1, 1, EIO), 0);
	assert_int_equal(dmaheap_image_begin_cpu_access(img,
						DMAHEAP_ACCESS_READ), -EIO);
	/* Nothing is left begun: an end finds no open access. */
	assert_int_equal(dmaheap_image_end_cpu_access(img,
						DMAHEAP_ACCESS_READ), -EINVAL);
	assert_int_equal(dmaheap_image_begin_cpu_access(img, 0), -EINVAL);
	/* A failing map of the second buffer unmaps the first. */
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_MMAP, 1, 1,
					     ENOMEM), 0);
	assert_int_equal(dmaheap_image_map(img, p), -ENOMEM);
	assert_int_equal(dmaheap_image_unmap(img), -EINVAL);
	assert_int_equal(dmaheap_buf_unmap(dmaheap_image_buf(img, 0)),
			 -EINVAL);
	dmaheap_image_free(img);
}

static struct dmaheap_image *alloc_nv12(struct fixture *f, uint32_t w,
					uint32_t h, uint32_t placement)
{
	struct dmaheap_image_spec s = nv12(w, h);
	struct dmaheap_image *img = NULL;

	s.constraints.placement = placement;
	assert_int_equal(dmaheap_image_alloc(f->ctx, "system", &s, 0, &img), 0);
	return img;
}

static void test_import(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image *src = alloc_nv12(f, 64, 64, 0);
	struct dmaheap_image *img = NULL;
	int fd = dmaheap_image_plane_fd(src, 0);
	void *a[DMAHEAP_IMAGE_MAX_PLANES], *b[DMAHEAP_IMAGE_MAX_PLANES];

	assert_int_equal(dmaheap_image_import(f->ctx,
				dmaheap_image_get_layout(src), &fd, 1, &img),
			 0);
	assert_memory_equal(dmaheap_image_get_layout(img),
			    dmaheap_image_get_layout(src),
			    sizeof(struct dmaheap_image_layout));
	assert_int_not_equal(dmaheap_image_plane_fd(img, 0), fd);
	assert_null(dmaheap_buf_heap_name(dmaheap_image_buf(img, 0)));
	assert_int_equal(dmaheap_image_map(src, a), 0);
	assert_int_equal(dmaheap_image_map(img, b), 0);
	memset(a[1], 0x42, 16);
	assert_int_equal(((unsigned char *)b[1])[15], 0x42);
	assert_int_equal(dmaheap_image_unmap(img), 0);
	assert_int_equal(dmaheap_image_unmap(src), 0);
	dmaheap_image_free(img);
	assert_int_equal(dmaheap_image_import(f->ctx,
				dmaheap_image_get_layout(src), &fd, 2, &img),
			 -EINVAL);
	dmaheap_image_free(src);
}

/* The fd is smaller than the layout says. */
static void test_import_too_small(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image *small = alloc_nv12(f, 16, 16, 0);
	struct dmaheap_image_spec s = nv12(256, 256);
	struct dmaheap_image_layout l;
	struct dmaheap_image *img = NULL;
	int fd = dmaheap_image_plane_fd(small, 0);

	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(dmaheap_image_import(f->ctx, &l, &fd, 1, &img),
			 -EMSGSIZE);
	assert_null(img);
	dmaheap_image_free(small);
}

typedef void (*corrupt_fn)(struct dmaheap_image_layout *l);

static void c_fourcc(struct dmaheap_image_layout *l) { l->fourcc = 0x39395650; }
static void c_planes(struct dmaheap_image_layout *l) { l->n_planes = 3; }
static void c_many_planes(struct dmaheap_image_layout *l) { l->n_planes = 99; }
static void c_buffers(struct dmaheap_image_layout *l) { l->n_buffers = 3; }
static void c_stride(struct dmaheap_image_layout *l) { l->planes[1].stride = 63; }
static void c_size(struct dmaheap_image_layout *l) { l->planes[0].size -= 1; }
static void c_overlap(struct dmaheap_image_layout *l) { l->planes[1].offset -= 1; }
static void c_past_end(struct dmaheap_image_layout *l) { l->planes[1].offset += 1; }
static void c_total(struct dmaheap_image_layout *l) { l->size += 1; }
static void c_buffer_index(struct dmaheap_image_layout *l) { l->planes[1].buffer = 1; }
static void c_width(struct dmaheap_image_layout *l) { l->width = 0; }
static void c_padded(struct dmaheap_image_layout *l) { l->padded_height = 63; }
static void c_modifier(struct dmaheap_image_layout *l) { l->modifier = 1; }
static void c_wrap(struct dmaheap_image_layout *l) { l->planes[1].offset = UINT64_MAX - 8; }

static void test_import_inconsistent(void **state)
{
	static const corrupt_fn corrupt[] = {
		c_fourcc, c_planes, c_many_planes, c_buffers, c_stride, c_size,
		c_overlap, c_past_end, c_total, c_buffer_index, c_width,
		c_padded, c_modifier, c_wrap,
	};
	struct fixture *f = *state;
	struct dmaheap_image *src = alloc_nv12(f, 64, 64, 0);
	int fd = dmaheap_image_plane_fd(src, 0);

	for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		struct dmaheap_image_layout l = *dmaheap_image_get_layout(src);
		struct dmaheap_image *img = NULL;

		corrupt[i](&l);
		if (dmaheap_image_import(f->ctx, &l, &fd, 1, &img) != -EINVAL)
			fail_msg("corruption %zu accepted", i);
		assert_null(img);
	}
	dmaheap_image_free(src);
}

static void test_import_separate(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_image *src = alloc_nv12(f, 64, 64,
					       DMAHEAP_PLANES_SEPARATE);
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(src);
	int fds[2] = { dmaheap_image_plane_fd(src, 0),
		       dmaheap_image_plane_fd(src, 1) };
	int wrong[2] = { fds[0], -1 };
	int pipefd[2];
	struct dmaheap_image *img = NULL;

	assert_int_equal(dmaheap_image_import(f->ctx, l, fds, 2, &img), 0);
	dmaheap_image_free(img);
	img = NULL;
	assert_int_equal(dmaheap_image_import(f->ctx, l, wrong, 2, &img),
			 -EBADF);
	assert_int_equal(pipe(pipefd), 0);
	wrong[1] = pipefd[0];
	assert_int_equal(dmaheap_image_import(f->ctx, l, wrong, 2, &img),
			 -EBADFD);
	assert_null(img);
	close(pipefd[0]);
	close(pipefd[1]);
	dmaheap_image_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_alloc_one_buffer),
		FIXTURE_TEST(test_alloc_separate),
		FIXTURE_TEST(test_alloc_from_and_usage),
		FIXTURE_TEST(test_bad_spec_touches_nothing),
		FIXTURE_TEST(test_second_plane_fails),
		FIXTURE_TEST(test_null_image),
		FIXTURE_TEST(test_begin_rolls_back),
		FIXTURE_TEST(test_import),
		FIXTURE_TEST(test_import_too_small),
		FIXTURE_TEST(test_import_inconsistent),
		FIXTURE_TEST(test_import_separate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
