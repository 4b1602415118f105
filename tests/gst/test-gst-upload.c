/* SPDX-License-Identifier: MIT */
/*
 * The pipeline check of dmaheapupload:
 *   videotestsrc num-buffers=60 ! video/x-raw,format=NV12,width=640,
 *   height=480 ! [identity drop-allocation=true !] dmaheapupload ! fakesink
 * Every output buffer must be dma-buf memory from the heap, and each
 * frame's checksum must equal that of the same pipeline without the
 * element. With drop-allocation, upstream writes system memory and the
 * element copies; without, upstream writes into the element's pool and
 * the element passes the buffers through: the same memory comes out.
 *
 * Suite 'gst' runs it on the mock (under libdmaheap-mock-preload.so);
 * suite 'kernel' in the VM, on the real "system" heap.
 */
#include "gstpipeline.h"

static void compare(const char *middle, guint passed_through)
{
	struct run ref = { 0 }, up = { 0 };

	run_pipeline("", &ref);
	run_pipeline(middle, &up);
	assert_int_equal(ref.frames, FRAMES);
	assert_int_equal(up.frames, FRAMES);
	assert_int_equal(ref.heap_buffers, 0);
	assert_int_equal(up.heap_buffers, FRAMES);
	assert_int_equal(up.passed_through, passed_through);
	for (guint i = 0; i < FRAMES; i++)
		assert_string_equal(g_checksum_get_string(ref.sums[i]),
				    g_checksum_get_string(up.sums[i]));
	free_run(&ref);
	free_run(&up);
}

/* Upstream takes the element's pool: heap buffers pass through. */
static void test_upstream_writes_heap(void **state)
{
	compare("dmaheapupload name=up !", FRAMES);
}

/* Upstream allocates system memory: the element copies. */
static void test_copy(void **state)
{
	compare("identity drop-allocation=true ! dmaheapupload name=up !", 0);
}

/* Downstream without video meta and system-memory caps. */
static void test_copy_plain_caps(void **state)
{
	compare("identity drop-allocation=true ! dmaheapupload name=up "
		"pool=true ! " CAPS " !", 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_writes_heap),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_copy_plain_caps),
	};

	gsttest_init(&argc, &argv, 0);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
