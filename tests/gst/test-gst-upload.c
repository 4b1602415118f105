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
 * With separate-planes=true, both ways, each frame is two heap dma-bufs.
 *
 * A heap that is not there (or a usage no heap serves) must end the
 * pipeline with an error of the element naming the heap and what to
 * change, whichever element activates the pool.
 *
 * Suite 'gst' runs it on the mock (under libdmaheap-mock-preload.so);
 * suite 'kernel' in the VM, on the real "system" heap.
 */
#include <errno.h>

#include "gstpipeline.h"

static void compare_planes(const char *middle, guint passed_through,
			   guint two_memories)
{
	struct run ref = { 0 }, up = { 0 };

	run_pipeline("", &ref);
	run_pipeline(middle, &up);
	assert_int_equal(ref.frames, FRAMES);
	assert_int_equal(up.frames, FRAMES);
	assert_int_equal(ref.heap_buffers, 0);
	assert_int_equal(up.heap_buffers, FRAMES);
	assert_int_equal(up.passed_through, passed_through);
	assert_int_equal(up.two_memories, two_memories);
	for (guint i = 0; i < FRAMES; i++)
		assert_string_equal(g_checksum_get_string(ref.sums[i]),
				    g_checksum_get_string(up.sums[i]));
	free_run(&ref);
	free_run(&up);
}

static void compare(const char *middle, guint passed_through)
{
	compare_planes(middle, passed_through, 0);
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

/* separate-planes: each NV12 frame is two heap dma-bufs, the same
 * pixels, whether upstream writes into them or the element copies. */
static void test_separate_planes(void **state)
{
	compare_planes("dmaheapupload name=up separate-planes=true !", FRAMES,
		       FRAMES);
	compare_planes("identity drop-allocation=true ! dmaheapupload name=up "
		       "separate-planes=true !", 0, FRAMES);
	/* Downstream that did not ask for the meta gets it all the same. */
	compare_planes("identity drop-allocation=true ! dmaheapupload name=up "
		       "separate-planes=true ! " CAPS " !", 0, FRAMES);
}

/* The first error @middle's pipeline posts: from the element "up", in
 * the RESOURCE domain; its text is returned. */
static gchar *first_error(const char *middle)
{
	gchar *desc = g_strdup_printf(
		"videotestsrc num-buffers=5 ! " CAPS " ! %s fakesink", middle);
	GstElement *p = gst_parse_launch(desc, NULL);
	GstMessage *msg;
	GError *err = NULL;
	gchar *text;

	assert_non_null(p);
	gst_element_set_state(p, GST_STATE_PLAYING);
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(p), 30 * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	assert_non_null(msg);
	assert_int_equal(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR);
	gst_message_parse_error(msg, &err, NULL);
	print_message("%s: %s: %s\n", desc, GST_MESSAGE_SRC_NAME(msg),
		      err->message);
	assert_string_equal(GST_MESSAGE_SRC_NAME(msg), "up");
	assert_true(err->domain == GST_RESOURCE_ERROR);
	text = g_strdup(err->message);
	g_error_free(err);
	gst_message_unref(msg);
	gst_element_set_state(p, GST_STATE_NULL);
	gst_object_unref(p);
	g_free(desc);
	return text;
}

static void check_missing_heap(const char *middle)
{
	gchar *text = first_error(middle);

	assert_non_null(strstr(text, "\"no-such-heap\""));
	assert_non_null(strstr(text, dmaheap_strerror(-ENOENT)));
	assert_non_null(strstr(text, "heap property"));
	assert_non_null(strstr(text, "DMAHEAP_DIR"));
	g_free(text);
}

/* Upstream activates the element's pool (it took it in the allocation
 * query), then the element's own pool when it copies. */
static void test_missing_heap_error(void **state)
{
	check_missing_heap("dmaheapupload name=up heap=no-such-heap !");
	check_missing_heap("identity drop-allocation=true ! "
			   "dmaheapupload name=up heap=no-such-heap !");
}

/* No heap set: the error names the usage and the policy file. */
static void test_usage_without_heap_error(void **state)
{
	gchar *text = first_error("dmaheapupload name=up usage=protected !");

	assert_non_null(strstr(text, "usage protected"));
	assert_non_null(strstr(text, "policy file"));
	g_free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_writes_heap),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_copy_plain_caps),
		cmocka_unit_test(test_separate_planes),
		cmocka_unit_test(test_missing_heap_error),
		cmocka_unit_test(test_usage_without_heap_error),
	};

	gsttest_init(&argc, &argv, 0);
	return cmocka_run_group_tests(tests, NULL, gsttest_no_leaks);
}
