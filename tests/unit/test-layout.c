/* SPDX-License-Identifier: MIT */
/* Image layouts: every format at several sizes, edge cases, constraints
 * and their merging. Pure computation: no mock kernel is needed. */
#include <stdbool.h>

#include <drm_fourcc.h>

#include "testutil.h"

struct expect {
	uint32_t fourcc;
	uint32_t width, height;
	uint32_t n_planes;
	struct {
		uint64_t stride, offset, size;
	} planes[DMAHEAP_IMAGE_MAX_PLANES];
	uint64_t size;
};

#include "layout-expected.h"

#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

/* A context that touches nothing and records its last log line. */
struct logctx {
	struct dmaheap_ctx *ctx;
	char last[512];
};

static void record(void *userdata, int priority, const char *msg)
{
	struct logctx *l = userdata;

	(void)priority;
	snprintf(l->last, sizeof(l->last), "%s", msg);
}

static int log_setup(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct logctx *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	o.log_fn = record;
	o.log_userdata = l;
	o.log_priority = DMAHEAP_LOG_DEBUG;
	assert_int_equal(dmaheap_ctx_new_with(&o, &l->ctx), 0);
	*state = l;
	return 0;
}

static int log_teardown(void **state)
{
	struct logctx *l = *state;

	dmaheap_ctx_free(l->ctx);
	free(l);
	return 0;
}

static struct dmaheap_image_spec spec_of(uint32_t fourcc, uint32_t w,
					 uint32_t h)
{
	struct dmaheap_image_spec s = { .fourcc = fourcc, .width = w,
					.height = h };
	return s;
}

static void test_every_format_every_size(void **state)
{
	char name[16];

	(void)state;
	for (size_t i = 0; i < N_EXPECTED; i++) {
		const struct expect *e = &expected[i];
		struct dmaheap_image_spec s = spec_of(e->fourcc, e->width,
						      e->height);
		struct dmaheap_image_layout l;

		dmaheap_format_name(e->fourcc, name, sizeof(name));
		if (dmaheap_image_layout(NULL, &s, &l) != 0)
			fail_msg("%s %ux%u refused", name, e->width, e->height);
		if (l.n_planes != e->n_planes || l.n_buffers != 1 ||
		    l.size != e->size || l.buffer_size[0] != e->size ||
		    l.padded_height != e->height)
			fail_msg("%s %ux%u: %u planes, size %llu; want %u, %llu",
				 name, e->width, e->height, l.n_planes,
				 (unsigned long long)l.size, e->n_planes,
				 (unsigned long long)e->size);
		for (unsigned int p = 0; p < e->n_planes; p++) {
			if (l.planes[p].stride != e->planes[p].stride ||
			    l.planes[p].offset != e->planes[p].offset ||
			    l.planes[p].size != e->planes[p].size ||
			    l.planes[p].buffer != 0)
				fail_msg("%s %ux%u plane %u: stride %u offset %llu size %llu; want %llu %llu %llu",
					 name, e->width, e->height, p,
					 l.planes[p].stride,
					 (unsigned long long)l.planes[p].offset,
					 (unsigned long long)l.planes[p].size,
					 (unsigned long long)e->planes[p].stride,
					 (unsigned long long)e->planes[p].offset,
					 (unsigned long long)e->planes[p].size);
		}
	}
}

/* Every format of the library is in the expected table, and the other
 * way round: neither can grow alone. */
static void test_table_covers_library(void **state)
{
	unsigned int n = 0;
	uint32_t f;

	(void)state;
	for (; (f = dmaheap_format_at(n)) != 0; n++) {
		bool found = false;

		for (size_t i = 0; i < N_EXPECTED; i++)
			found = found || expected[i].fourcc == f;
		assert_true(found);
		assert_true(dmaheap_format_planes(f) >= 1);
	}
	assert_int_equal(n * 5, N_EXPECTED);
	assert_int_equal(dmaheap_format_at(n + 1000), 0);
}

static void test_format_planes(void **state)
{
	(void)state;
	assert_int_equal(dmaheap_format_planes(DRM_FORMAT_XRGB8888), 1);
	assert_int_equal(dmaheap_format_planes(DRM_FORMAT_NV12), 2);
	assert_int_equal(dmaheap_format_planes(DRM_FORMAT_YUV420), 3);
	assert_int_equal(dmaheap_format_planes(fourcc_code('N', 'V', '9', '9')),
			 -EINVAL);
	assert_int_equal(dmaheap_format_planes(0), -EINVAL);
}

static void test_format_name(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(dmaheap_format_name(DRM_FORMAT_NV12, b, sizeof(b)),
			    "NV12");
	assert_string_equal(dmaheap_format_name(DRM_FORMAT_R8, b, sizeof(b)),
			    "R8");
	assert_string_equal(dmaheap_format_name(0x0132564e, b, sizeof(b)),
			    "0x0132564e");
	assert_string_equal(dmaheap_format_name(0x0132564e, b, 11),
			    "0x0132564e");
	assert_null(dmaheap_format_name(0x0132564e, b, 10));
	assert_null(dmaheap_format_name(DRM_FORMAT_NV12, b, 4));
	assert_null(dmaheap_format_name(DRM_FORMAT_NV12, NULL, 16));
}

static void test_format_parse(void **state)
{
	uint32_t f = 0, g;

	(void)state;
	assert_int_equal(dmaheap_format_parse("NV12", &f), 0);
	assert_int_equal(f, DRM_FORMAT_NV12);
	assert_int_equal(dmaheap_format_parse("xrgb8888", &f), 0);
	assert_int_equal(f, DRM_FORMAT_XRGB8888);
	assert_int_equal(dmaheap_format_parse("DRM_FORMAT_YUV420", &f), 0);
	assert_int_equal(f, DRM_FORMAT_YUV420);
	assert_int_equal(dmaheap_format_parse("YU12", &f), 0);
	assert_int_equal(f, DRM_FORMAT_YUV420);
	assert_int_equal(dmaheap_format_parse("XR24", &f), 0);
	assert_int_equal(f, DRM_FORMAT_XRGB8888);
	assert_int_equal(dmaheap_format_parse("R8", &f), 0);
	assert_int_equal(f, DRM_FORMAT_R8);
	assert_int_equal(dmaheap_format_parse("ABGR16161616F", &f), 0);
	assert_int_equal(f, DRM_FORMAT_ABGR16161616F);
	f = 7;
	assert_int_equal(dmaheap_format_parse("NV99", &f), -EINVAL);
	assert_int_equal(dmaheap_format_parse("", &f), -EINVAL);
	assert_int_equal(dmaheap_format_parse("DRM_FORMAT_", &f), -EINVAL);
	assert_int_equal(f, 7);
	assert_int_equal(dmaheap_format_parse(NULL, &f), -EINVAL);
	assert_int_equal(dmaheap_format_parse("NV12", NULL), -EINVAL);
	/* Every format's own code finds it again. */
	for (unsigned int i = 0; (g = dmaheap_format_at(i)) != 0; i++) {
		char code[16];

		assert_int_equal(dmaheap_format_parse(
			dmaheap_format_name(g, code, sizeof(code)), &f), 0);
		assert_int_equal(f, g);
	}
}

static void test_zero_sizes(void **state)
{
	struct dmaheap_image_layout l;
	uint32_t f;

	(void)state;
	for (unsigned int i = 0; (f = dmaheap_format_at(i)) != 0; i++) {
		struct dmaheap_image_spec a = spec_of(f, 0, 16);
		struct dmaheap_image_spec b = spec_of(f, 16, 0);

		assert_int_equal(dmaheap_image_layout(NULL, &a, &l), -EINVAL);
		assert_int_equal(dmaheap_image_layout(NULL, &b, &l), -EINVAL);
	}
}

static void test_huge_overflows(void **state)
{
	struct dmaheap_image_layout l;
	uint32_t f;

	(void)state;
	for (unsigned int i = 0; (f = dmaheap_format_at(i)) != 0; i++) {
		struct dmaheap_image_spec s = spec_of(f, UINT32_MAX, UINT32_MAX);
		struct dmaheap_image_spec t = spec_of(f, 1, UINT32_MAX);

		memset(&l, 0x5a, sizeof(l));
		assert_int_equal(dmaheap_image_layout(NULL, &s, &l),
				 -EOVERFLOW);
		/* Output parameters are written only on success. */
		assert_int_equal(l.n_planes, 0x5a5a5a5a);
		/* A height alignment that takes the height past 32 bits. */
		t.constraints.height_align = 1024;
		assert_int_equal(dmaheap_image_layout(NULL, &t, &l),
				 -EOVERFLOW);
	}
}

static void test_huge_stride_overflows(void **state)
{
	struct dmaheap_image_spec s = spec_of(DRM_FORMAT_XRGB8888,
					      UINT32_MAX / 4 + 1, 1);
	struct dmaheap_image_layout l;

	(void)state;
	/* The stride is 4 GiB: more than a 32-bit pitch holds. */
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), -EOVERFLOW);
	s.width = UINT32_MAX / 4;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(l.planes[0].stride, (UINT32_MAX / 4) * 4);
	s.constraints.stride_align = 1024;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), -EOVERFLOW);
}

static void test_unknown_fourcc_logged(void **state)
{
	struct logctx *lc = *state;
	struct dmaheap_image_spec s = spec_of(fourcc_code('N', 'V', '9', '9'),
					      64, 64);
	struct dmaheap_image_layout l;

	assert_int_equal(dmaheap_image_layout(lc->ctx, &s, &l), -EINVAL);
	assert_non_null(strstr(lc->last, "'NV99'"));
	s.fourcc = 0x01020304;
	assert_int_equal(dmaheap_image_layout(lc->ctx, &s, &l), -EINVAL);
	assert_non_null(strstr(lc->last, "'0x01020304'"));
}

static void test_modifier_refused(void **state)
{
	struct logctx *lc = *state;
	struct dmaheap_image_spec s = spec_of(DRM_FORMAT_NV12, 64, 64);
	struct dmaheap_image_layout l;

	s.modifier = I915_FORMAT_MOD_X_TILED;
	assert_int_equal(dmaheap_image_layout(lc->ctx, &s, &l), -EOPNOTSUPP);
	assert_non_null(strstr(lc->last, "0x0100000000000001"));
	assert_non_null(strstr(lc->last, "DRM_FORMAT_MOD_LINEAR"));
	s.modifier = DRM_FORMAT_MOD_INVALID;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), -EOPNOTSUPP);
	s.modifier = DRM_FORMAT_MOD_LINEAR;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
}

static void test_null_args(void **state)
{
	struct dmaheap_image_spec s = spec_of(DRM_FORMAT_NV12, 64, 64);
	struct dmaheap_image_constraints c = { 0 };
	struct dmaheap_image_layout l;

	(void)state;
	assert_int_equal(dmaheap_image_layout(NULL, NULL, &l), -EINVAL);
	assert_int_equal(dmaheap_image_layout(NULL, &s, NULL), -EINVAL);
	assert_int_equal(dmaheap_image_constraints_merge(NULL, NULL, &c, &c),
			 -EINVAL);
	assert_int_equal(dmaheap_image_constraints_merge(NULL, &c, NULL, &c),
			 -EINVAL);
	assert_int_equal(dmaheap_image_constraints_merge(NULL, &c, &c, NULL),
			 -EINVAL);
}

/* A GPU (256-byte strides), an encoder (16-line heights) and a page-based
 * IOMMU (4 KiB offsets and sizes). */
static void test_constraints_one_buffer(void **state)
{
	struct dmaheap_image_spec s = spec_of(DRM_FORMAT_NV12, 1920, 1080);
	struct dmaheap_image_layout l;

	(void)state;
	s.constraints = (struct dmaheap_image_constraints){
		.stride_align = 256, .offset_align = 4096,
		.height_align = 16, .size_align = 4096,
	};
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(l.padded_height, 1088);
	assert_int_equal(l.height, 1080);
	assert_int_equal(l.planes[0].stride, 2048);
	assert_int_equal(l.planes[0].size, 2048 * 1088);
	assert_int_equal(l.planes[1].stride, 2048);
	assert_int_equal(l.planes[1].offset, 2048 * 1088);
	assert_int_equal(l.planes[1].size, 2048 * 544);
	assert_int_equal(l.size, 2048 * 1088 + 2048 * 544);
	assert_int_equal(l.size % 4096, 0);

	/* Offsets and the size round up; a chroma stride is realigned. */
	s = spec_of(DRM_FORMAT_YUV420, 641, 481);
	s.constraints.stride_align = 64;
	s.constraints.offset_align = 1000;
	s.constraints.size_align = 7;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(l.planes[0].stride, 704);
	assert_int_equal(l.planes[1].stride, 384); /* 352 realigned to 64 */
	assert_int_equal(l.planes[0].size, 704 * 481);
	assert_int_equal(l.planes[1].offset, 339000);
	assert_int_equal(l.planes[1].size, 384 * 241);
	assert_int_equal(l.planes[2].offset, 432000);
	assert_int_equal(l.planes[2].size, 384 * 241);
	assert_int_equal(l.size, 524545); /* 432000 + 92544, up to 7 */
}

static void test_constraints_separate(void **state)
{
	struct dmaheap_image_spec s = spec_of(DRM_FORMAT_NV12, 33, 17);
	struct dmaheap_image_layout l;

	(void)state;
	s.constraints.placement = DMAHEAP_PLANES_SEPARATE;
	s.constraints.size_align = 64;
	s.constraints.offset_align = 4096; /* nothing to offset */
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(l.n_buffers, 2);
	assert_int_equal(l.planes[0].buffer, 0);
	assert_int_equal(l.planes[1].buffer, 1);
	assert_int_equal(l.planes[1].offset, 0);
	assert_int_equal(l.planes[0].size, 33 * 17);
	assert_int_equal(l.planes[1].size, 34 * 9);
	assert_int_equal(l.buffer_size[0], 576);
	assert_int_equal(l.buffer_size[1], 320);
	assert_int_equal(l.size, 896);

	/* One plane: separate or not is the same layout. */
	s = spec_of(DRM_FORMAT_XRGB8888, 3, 3);
	s.constraints.placement = DMAHEAP_PLANES_SEPARATE;
	assert_int_equal(dmaheap_image_layout(NULL, &s, &l), 0);
	assert_int_equal(l.n_buffers, 1);
	assert_int_equal(l.size, 36);
}

static void test_bad_constraints(void **state)
{
	struct logctx *lc = *state;
	struct dmaheap_image_spec s = spec_of(DRM_FORMAT_NV12, 64, 64);
	struct dmaheap_image_layout l;

	s.constraints.offset_align = DMAHEAP_IMAGE_ALIGN_MAX + 1;
	assert_int_equal(dmaheap_image_layout(lc->ctx, &s, &l), -EINVAL);
	assert_non_null(strstr(lc->last, "offset alignment 1048577"));
	s.constraints.offset_align = DMAHEAP_IMAGE_ALIGN_MAX;
	assert_int_equal(dmaheap_image_layout(lc->ctx, &s, &l), 0);
	s.constraints.placement = 3;
	assert_int_equal(dmaheap_image_layout(lc->ctx, &s, &l), -EINVAL);
	assert_non_null(strstr(lc->last, "placement 3"));
}

static void test_merge(void **state)
{
	struct logctx *lc = *state;
	const struct dmaheap_image_constraints gpu = { .stride_align = 256 };
	const struct dmaheap_image_constraints enc = {
		.stride_align = 48, .height_align = 16,
		.placement = DMAHEAP_PLANES_SEPARATE,
	};
	const struct dmaheap_image_constraints one = {
		.size_align = 4096, .placement = DMAHEAP_PLANES_ONE_BUFFER,
	};
	struct dmaheap_image_constraints c, keep;

	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &gpu, &enc,
							 &c), 0);
	assert_int_equal(c.stride_align, 768);
	assert_int_equal(c.height_align, 16);
	assert_int_equal(c.offset_align, 0);
	assert_int_equal(c.size_align, 0);
	assert_int_equal(c.placement, DMAHEAP_PLANES_SEPARATE);
	/* In place, and merging again changes nothing. */
	keep = c;
	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &c, &c, &c),
			 0);
	assert_memory_equal(&c, &keep, sizeof(c));
	/* Conflicting placements. */
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &enc, &one,
							 &c), -EINVAL);
	assert_non_null(strstr(lc->last, "one dma-buf per plane"));
	assert_int_equal(c.stride_align, 0x5a5a5a5a);
	/* ONE_BUFFER wins over ANY. */
	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &gpu, &one,
							 &c), 0);
	assert_int_equal(c.placement, DMAHEAP_PLANES_ONE_BUFFER);
	assert_int_equal(c.stride_align, 256);
	assert_int_equal(c.size_align, 4096);
}

static void test_merge_too_large(void **state)
{
	struct logctx *lc = *state;
	struct dmaheap_image_constraints a = { .offset_align = 1000000 };
	struct dmaheap_image_constraints b = { .offset_align = 1024 };
	struct dmaheap_image_constraints c;

	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &a, &b, &c),
			 -EINVAL);
	assert_non_null(strstr(lc->last, "1000000 and 1024"));
	b.offset_align = 1000;
	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &a, &b, &c),
			 0);
	assert_int_equal(c.offset_align, 1000000);
	a.height_align = DMAHEAP_IMAGE_ALIGN_MAX + 1;
	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &a, &b, &c),
			 -EINVAL);
	a.height_align = 0;
	b.placement = 7;
	assert_int_equal(dmaheap_image_constraints_merge(lc->ctx, &a, &b, &c),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_format_every_size),
		cmocka_unit_test(test_table_covers_library),
		cmocka_unit_test(test_format_planes),
		cmocka_unit_test(test_format_name),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_zero_sizes),
		cmocka_unit_test(test_huge_overflows),
		cmocka_unit_test(test_huge_stride_overflows),
		cmocka_unit_test_setup_teardown(test_unknown_fourcc_logged,
						log_setup, log_teardown),
		cmocka_unit_test_setup_teardown(test_modifier_refused,
						log_setup, log_teardown),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_constraints_one_buffer),
		cmocka_unit_test(test_constraints_separate),
		cmocka_unit_test_setup_teardown(test_bad_constraints,
						log_setup, log_teardown),
		cmocka_unit_test_setup_teardown(test_merge, log_setup,
						log_teardown),
		cmocka_unit_test_setup_teardown(test_merge_too_large,
						log_setup, log_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
