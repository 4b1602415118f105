/* SPDX-License-Identifier: MIT */
/* The properties the allocator and dmaheapupload share (see
 * gstdmaheapallocator.h): built into the library and into the plugin. */
#include "gstdmaheapallocator.h"

void gst_dmaheap_install_properties(GObjectClass *oc, guint heap_id)
{
	const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

	g_object_class_install_property(oc, heap_id,
		g_param_spec_string("heap", "Heap",
			"Heap name or alias, or a comma-separated fallback "
			"list; unset: the usage picks", NULL, rw));
	g_object_class_install_property(oc, heap_id + 1,
		g_param_spec_flags("usage", "Usage",
			"What the memory is for, when no heap is set",
			gst_dmaheap_usage_get_type(),
			DMAHEAP_USAGE_CPU_WRITE_OFTEN, rw));
	g_object_class_install_property(oc, heap_id + 2,
		g_param_spec_boolean("pool", "Pool",
			"Recycle freed buffers through libdmaheap's pool",
			FALSE, rw));
}
