/* SPDX-License-Identifier: MIT */
/*
 * The "dmaheap" debug category. The library and the plugin each hold a
 * pointer of their own (neither exports it); GStreamer gives both the
 * same category, found by its name.
 */
#include "gstdmaheapallocator.h"

GST_DEBUG_CATEGORY(gst_dmaheap_debug);

void gst_dmaheap_debug_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		GST_DEBUG_CATEGORY_INIT(gst_dmaheap_debug, "dmaheap", 0,
					"libdmaheap allocator, pool and upload");
		g_once_init_leave(&done, 1);
	}
}
