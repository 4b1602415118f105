/* SPDX-License-Identifier: MIT */
/*
 * An application built against an installed libgstdmaheap-1.0 with
 * nothing but pkg-config (tests/gst/check-install.sh): the plugin loaded by
 * name, its shared allocator found by name and left alone, an allocator of
 * the application's own on the heap named by argv[1]. Exit 0 when every
 * step does what the README says.
 */
#include <stdio.h>
#include <string.h>

#include <gst/dmaheap/dmaheap.h>

static int fail(const char *what)
{
	fprintf(stderr, "app-pc: %s\n", what);
	return 1;
}

static int use_own(const char *heap)
{
	GstAllocator *mine = gst_dmaheap_allocator_new(heap, 0);
	GError *error = NULL;
	GstMemory *mem;
	int r = 0;

	mem = gst_dmaheap_allocator_alloc_full(mine, 4096, NULL, &error);
	if (!mem) {
		fprintf(stderr, "app-pc: %s\n", error->message);
		g_error_free(error);
		r = 1;
	} else if (strcmp(dmaheap_buf_heap_name(gst_dmaheap_memory_get_buf(mem)),
			  heap) != 0) {
		r = fail("the memory is not from the allocator's heap");
	}
	if (mem)
		gst_memory_unref(mem);
	gst_object_unref(mine);
	return r;
}

int main(int argc, char **argv)
{
	GstAllocator *shared;
	GstPlugin *plugin;
	gchar *heap;
	int r;

	gst_init(&argc, &argv);
	if (argc != 2)
		return fail("usage: app-pc HEAP");
	if (gst_allocator_find(GST_DMAHEAP_ALLOCATOR_NAME))
		return fail("the shared allocator is there before the plugin");
	plugin = gst_plugin_load_by_name("dmaheap");
	if (!plugin)
		return fail("gst_plugin_load_by_name(\"dmaheap\") failed");
	gst_object_unref(plugin);
	shared = gst_allocator_find(GST_DMAHEAP_ALLOCATOR_NAME);
	if (!shared || !GST_IS_DMAHEAP_ALLOCATOR(shared))
		return fail("no shared dmaheap allocator after loading");
	r = use_own(argv[1]);
	heap = gst_dmaheap_allocator_get_heap(shared);
	if (heap)
		r = fail("the shared allocator's heap changed");
	g_free(heap);
	gst_object_unref(shared);
	if (r == 0)
		printf("ok: own allocator on %s, shared one unchanged\n",
		       argv[1]);
	return r;
}
