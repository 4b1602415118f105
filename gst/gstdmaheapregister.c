/* SPDX-License-Identifier: MIT */
#include "gstdmaheapallocator.h"
#include "gstdmaheapregister.h"
#include "gstdmaheapupload.h"

gboolean gst_dmaheap_register(GstPlugin *plugin)
{
	gst_dmaheap_debug_init();
	/* The process's shared allocator, with the default usage; an
	 * application wanting another heap makes its own
	 * (gst_dmaheap_allocator_new()). gst_allocator_register() takes the
	 * reference. */
	gst_allocator_register(GST_DMAHEAP_ALLOCATOR_NAME,
			       gst_dmaheap_allocator_new(NULL, 0));
	return gst_element_register(plugin, "dmaheapupload", GST_RANK_NONE,
				    GST_TYPE_DMAHEAP_UPLOAD);
}
