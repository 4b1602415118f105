/* SPDX-License-Identifier: MIT */
/*
 * The words that name usage bits: the policy file's, the CLI's and the
 * GStreamer plugin's spelling of enum dmaheap_usage, kept in one table.
 */
#include <errno.h>
#include <string.h>

#include "policy.h"

/* Indexed by bit number; "default" (no bit) is handled apart. */
static const char *const usage_names[] = {
	"cpu-read-often",  "cpu-write-often", "cpu-rarely",
	"device-only",     "contiguous",      "protected",
	"uncached",        "camera-write",    "display-scanout",
	"video-decode",    "video-encode",    "gpu-texture",
	"gpu-render",
};

_Static_assert(DMAHEAP_USAGE_GPU_RENDER ==
		       1u << (sizeof(usage_names) / sizeof(usage_names[0]) - 1),
	       "a usage bit without a name");

#define N_NAMES (sizeof(usage_names) / sizeof(usage_names[0]))

DMAHEAP_EXPORT const char *dmaheap_usage_name(unsigned int usage)
{
	if (usage == 0)
		return "default";
	/* Exactly one bit, and a known one. */
	if (usage & (usage - 1))
		return NULL;
	for (unsigned int i = 0; i < N_NAMES; i++)
		if (usage == 1u << i)
			return usage_names[i];
	return NULL;
}

DMAHEAP_EXPORT int dmaheap_usage_from_name(const char *name,
					   unsigned int *usage)
{
	if (!name || !usage)
		return -EINVAL;
	if (strcmp(name, "default") == 0) {
		*usage = 0;
		return 0;
	}
	for (unsigned int i = 0; i < N_NAMES; i++) {
		if (strcmp(name, usage_names[i]) == 0) {
			*usage = 1u << i;
			return 0;
		}
	}
	return -EINVAL;
}
