/* SPDX-License-Identifier: MIT */
/*
 * Shared setup of the GStreamer plugin tests: GStreamer initialised, the
 * plugin registered statically, and the mock of the preloaded
 * libdmaheap-mock-preload.so when the test runs under it (suite 'gst');
 * without it (suite 'kernel', in the VM) the real kernel's heaps.
 */
#ifndef DMAHEAP_GSTTEST_H
#define DMAHEAP_GSTTEST_H

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <gst/gst.h>

#include "dmaheap-mock.h"
#include "gstdmaheapregister.h"

/* The preloaded mock, or NULL on the real kernel. */
static inline struct dmaheap_mock *gsttest_mock(void)
{
	struct dmaheap_mock *(*fn)(void);

	*(void **)&fn = dlsym(RTLD_DEFAULT, "dmaheap_mock_preload");
	return fn ? fn() : NULL;
}

static inline void gsttest_load(const char *path)
{
	GError *err = NULL;
	GstPlugin *p = gst_plugin_load_file(path, &err);

	if (!p) {
		/* gstreamer1.0-plugins-base is what the tests need */
		printf("SKIP: cannot load %s: %s\n", path,
		       err ? err->message : "?");
		exit(77);
	}
	gst_object_unref(p);
}

/* The registry file GStreamer writes at exit, in a directory of this
 * program's own: never outside the test's temporary space. */
static char gsttest_registry_dir[] = "/tmp/libdmaheap-gst-XXXXXX";
static char gsttest_registry_file[sizeof(gsttest_registry_dir) + 16];

static inline void gsttest_remove_registry(void)
{
	unlink(gsttest_registry_file);
	rmdir(gsttest_registry_dir);
}

static inline void gsttest_private_registry(void)
{
	if (!mkdtemp(gsttest_registry_dir)) {
		printf("cannot make a directory for the registry\n");
		exit(1);
	}
	snprintf(gsttest_registry_file, sizeof(gsttest_registry_file),
		 "%s/registry.bin", gsttest_registry_dir);
	g_setenv("GST_REGISTRY", gsttest_registry_file, TRUE);
	atexit(gsttest_remove_registry);
}

/* GStreamer initialised with the two plugins the pipelines use; exits 77
 * when neither the mock nor a real "system" heap is there. */
static inline void gsttest_start(int *argc, char ***argv, int need_mock)
{
	if (!gsttest_mock()) {
		if (need_mock) {
			printf("SKIP: needs LD_PRELOAD=libdmaheap-mock-preload.so\n");
			exit(77);
		}
		if (access("/dev/dma_heap/system", R_OK) != 0) {
			printf("SKIP: no mock preloaded and no "
			       "/dev/dma_heap/system\n");
			exit(77);
		}
	}
	/* No registry scan (minutes under the VM's emulation): the two
	 * plugins the pipelines use are loaded by path. With an empty
	 * private registry GStreamer scans all the same, in a
	 * gst-plugin-scanner child that inherits LD_PRELOAD; under ASan the
	 * instrumented preload cannot load there, GStreamer then loads every
	 * plugin in this process, and glib's quark table outgrows its first
	 * block, which glib leaks on purpose. An empty plugin path leaves
	 * nothing to scan. */
	g_setenv("GST_REGISTRY_UPDATE", "no", TRUE);
	g_setenv("GST_PLUGIN_SYSTEM_PATH_1_0", "", TRUE);
	g_setenv("GST_PLUGIN_PATH_1_0", "", TRUE);
	gsttest_private_registry();
	gst_init(argc, argv);
	gsttest_load(GST_PLUGINS_DIR "/libgstcoreelements.so");
	gsttest_load(GST_PLUGINS_DIR "/libgstvideotestsrc.so");
}

/* gsttest_start(), and the plugin registered statically. */
static inline void gsttest_init(int *argc, char ***argv, int need_mock)
{
	gsttest_start(argc, argv, need_mock);
	if (!gst_plugin_register_static(GST_VERSION_MAJOR, GST_VERSION_MINOR,
					"dmaheap", "libdmaheap (test)",
					gst_dmaheap_register, "0", "MIT/X11",
					"libdmaheap", "libdmaheap",
					"libdmaheap")) {
		printf("registering the plugin failed\n");
		exit(1);
	}
}

/*
 * Group teardown: on the mock, no buffer left open, no mapping, no CPU
 * access never ended. Heap node fds are not counted: the allocator
 * registered as "dmaheap" lives on with its context.
 */
static inline int gsttest_no_leaks(void **state)
{
	struct dmaheap_mock_leaks l;
	char report[1024] = "";

	(void)state;
	if (!gsttest_mock())
		return 0;
	if (dmaheap_mock_leaks(gsttest_mock(), &l, report, sizeof(report)) < 0)
		return -1;
	if (l.buffers || l.mappings || l.cpu_access) {
		printf("leaked: %u buffers, %u mappings, %u CPU accesses\n%s",
		       l.buffers, l.mappings, l.cpu_access, report);
		return -1;
	}
	return 0;
}

#endif /* DMAHEAP_GSTTEST_H */
