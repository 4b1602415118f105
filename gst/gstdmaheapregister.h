/* SPDX-License-Identifier: MIT */
/* What the plugin registers, for the plugin and for tests that register it
 * statically (gst_plugin_register_static()). */
#ifndef GST_DMAHEAP_REGISTER_H
#define GST_DMAHEAP_REGISTER_H

#include <gst/gst.h>

/* The "dmaheap" debug category, the "dmaheap" allocator and the
 * dmaheapupload element. */
gboolean gst_dmaheap_register(GstPlugin *plugin);

#endif /* GST_DMAHEAP_REGISTER_H */
