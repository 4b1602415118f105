/* SPDX-License-Identifier: MIT */
/*
 * GstDmaHeapAllocator's insides, for the library and the plugin: the
 * contract is in gstdmaheap.h (the installed <gst/dmaheap/dmaheap.h>).
 */
#ifndef GST_DMAHEAP_ALLOCATOR_H
#define GST_DMAHEAP_ALLOCATOR_H

#include "gstdmaheap.h"

G_BEGIN_DECLS

struct _GstDmaHeapAllocator {
	GstDmaBufAllocator parent;
	/* NULL when the context could not be made (logged); allocations
	 * then fail. */
	struct dmaheap_ctx *ctx;
	int ctx_error; /* why ctx is NULL (-errno) */
	GMutex lock; /* the properties, and map/begin/end pairs */
	gchar *heap;
	guint usage;
	gboolean pool;
};

/* The "dmaheap" category: one of the library's and one of the plugin's,
 * both the one GStreamer object found by name. */
GST_DEBUG_CATEGORY_EXTERN(gst_dmaheap_debug);

/* Installs the "heap", "usage" and "pool" properties the allocator and
 * dmaheapupload share, as ids @heap_id, @heap_id + 1 and @heap_id + 2,
 * so both document and default them the same way. */
void gst_dmaheap_install_properties(GObjectClass *oc, guint heap_id);

/* Makes the "dmaheap" debug category, once; the library and the plugin
 * each call it before they log. */
void gst_dmaheap_debug_init(void);

G_END_DECLS

#endif /* GST_DMAHEAP_ALLOCATOR_H */
