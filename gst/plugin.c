/* SPDX-License-Identifier: MIT */
/* The GStreamer plugin "dmaheap": libdmaheap's allocator and upload. */
#include "gstdmaheapregister.h"

#define PACKAGE "libdmaheap"

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, dmaheap,
		  "DMA-BUF heap memory through libdmaheap",
		  gst_dmaheap_register, DMAHEAP_VERSION, "MIT/X11", PACKAGE,
		  "libdmaheap")
