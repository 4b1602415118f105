/* SPDX-License-Identifier: MIT */
#include "gstdmaheapallocator.h"
#include "gstdmaheapregister.h"
#include "gstdmaheapupload.h"

gboolean gst_dmaheap_register(GstPlugin *plugin)
{
	GST_DEBUG_CATEGORY_INIT(gst_dmaheap_debug, "dmaheap", 0,
				"libdmaheap allocator, pool and upload");
	/* gst_allocator_register() takes the reference. */
	gst_allocator_register(GST_DMAHEAP_ALLOCATOR_NAME,
			       gst_dmaheap_allocator_new());
	return gst_element_register(plugin, "dmaheapupload", GST_RANK_NONE,
				    GST_TYPE_DMAHEAP_UPLOAD);
}
