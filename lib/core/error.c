/* SPDX-License-Identifier: MIT */
/* Messages for return values. */
#include <errno.h>
#include <string.h>

#include "core.h"

/*
 * Only where the library gives an errno its own meaning; every other errno
 * gets the C library's description, as from strerror(3).
 */
static const struct {
	int err;
	const char *msg;
} library_messages[] = {
	{ ENOMEM, "Out of memory (heap exhausted, or larger than RAM)" },
	{ EFBIG, "Larger than allowed (a heap's size limit, or a policy file over 64 KiB)" },
	{ ENODEV, "No heap behind this device node" },
	{ ENOTTY, "Not supported by this file (not a heap, not a dma-buf, or kernel too old)" },
	{ EOVERFLOW, "Value too large (size overflows)" },
	{ EBADFD, "File descriptor is not a dma-buf" },
};

#ifdef HAVE_STRERRORDESC_NP
/* glibc 2.32+: static strings, nothing shared is written. */
static const char *c_library_message(int e)
{
	const char *msg = strerrordesc_np(e);

	return msg ? msg : "Unknown error";
}
#else
/* Per thread: strerror(3) may share one buffer between threads. */
static const char *c_library_message(int e)
{
	static _Thread_local char buf[128];

#if defined(__GLIBC__)
	return strerror_r(e, buf, sizeof(buf));
#else
	return strerror_r(e, buf, sizeof(buf)) == 0 ? buf : "Unknown error";
#endif
}
#endif

DMAHEAP_EXPORT const char *dmaheap_strerror(int err)
{
	/* Widened first: -INT_MIN does not fit an int. */
	long e = err < 0 ? -(long)err : err;

	if (e > INT_MAX)
		return "Unknown error";
	for (size_t i = 0; i < sizeof(library_messages) /
			       sizeof(library_messages[0]); i++)
		if (library_messages[i].err == e)
			return library_messages[i].msg;
	return c_library_message((int)e);
}
