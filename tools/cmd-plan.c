/* SPDX-License-Identifier: MIT */
/*
 * dmaheap plan: the heaps the usage policy would try for a usage, in
 * order, and what the devices of the usage require on this machine.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"

/* The policy file's words (dmaheap.h, "Heap policy"), in bit order. */
static const struct {
	const char *word;
	unsigned int bits;
} usage_words[] = {
	{ "default", 0 },
	{ "cpu-read-often", DMAHEAP_USAGE_CPU_READ_OFTEN },
	{ "cpu-write-often", DMAHEAP_USAGE_CPU_WRITE_OFTEN },
	{ "cpu-rarely", DMAHEAP_USAGE_CPU_RARELY },
	{ "device-only", DMAHEAP_USAGE_DEVICE_ONLY },
	{ "contiguous", DMAHEAP_USAGE_CONTIGUOUS },
	{ "protected", DMAHEAP_USAGE_PROTECTED },
	{ "uncached", DMAHEAP_USAGE_UNCACHED },
	{ "camera-write", DMAHEAP_USAGE_CAMERA_WRITE },
	{ "display-scanout", DMAHEAP_USAGE_DISPLAY_SCANOUT },
	{ "video-decode", DMAHEAP_USAGE_VIDEO_DECODE },
	{ "video-encode", DMAHEAP_USAGE_VIDEO_ENCODE },
	{ "gpu-texture", DMAHEAP_USAGE_GPU_TEXTURE },
	{ "gpu-render", DMAHEAP_USAGE_GPU_RENDER },
};

static int parse_words(int argc, char **argv, unsigned int *usage)
{
	*usage = 0;
	for (int i = 0; i < argc; i++) {
		size_t k = 0;

		while (k < ARRAY_SIZE(usage_words) &&
		       strcmp(usage_words[k].word, argv[i]) != 0)
			k++;
		if (k == ARRAY_SIZE(usage_words)) {
			fprintf(stderr, "dmaheap: unknown usage word '%s'; "
				"known:", argv[i]);
			for (k = 0; k < ARRAY_SIZE(usage_words); k++)
				fprintf(stderr, " %s", usage_words[k].word);
			fputc('\n', stderr);
			return STATUS_USAGE;
		}
		*usage |= usage_words[k].bits;
	}
	return STATUS_OK;
}

/* "cpu-write-often display-scanout", or "default" for no bit. */
static void print_words(unsigned int usage)
{
	if (usage == 0)
		printf(" default");
	for (size_t k = 1; k < ARRAY_SIZE(usage_words); k++)
		if (usage & usage_words[k].bits)
			printf(" %s", usage_words[k].word);
	printf("\n");
}

static int print_plan(struct dmaheap_ctx *ctx, unsigned int usage)
{
	struct dmaheap_heap_info *plan;
	int n = dmaheap_usage_plan(ctx, usage, &plan), width, usable = 0;

	if (n < 0) {
		fail(n, "ask the heap policy");
		return STATUS_FAILED;
	}
	width = heap_name_width(plan, n);
	for (int i = 0; i < n; i++) {
		printf("%2d. ", i + 1);
		print_heap_line(&plan[i], width);
		usable += plan[i].error == 0;
	}
	dmaheap_heap_list_free(plan);
	if (n == 0)
		fprintf(stderr, "dmaheap: no heap of the rule that applies "
			"meets the usage's requirements\n");
	else if (!usable)
		fprintf(stderr, "dmaheap: none of these heaps is usable here "
			"(see 'dmaheap list')\n");
	return usable ? STATUS_OK : STATUS_UNUSABLE;
}

static int run_plan(struct dmaheap_ctx *ctx, int argc, char **argv)
{
	unsigned int usage, effective;
	int status = parse_words(argc, argv, &usage);
	int r;

	if (status != STATUS_OK)
		return status;
	r = dmaheap_usage_requirements(ctx, usage, &effective);
	if (r) {
		fprintf(stderr, "dmaheap: contradictory usage: device-only and "
			"protected exclude the cpu-* words\n");
		return STATUS_USAGE;
	}
	printf("usage:");
	print_words(usage);
	if (effective != usage) {
		printf("requires:");
		print_words(effective & ~usage);
		printf("  (a device of this usage has no IOMMU; a 'device' "
		       "line of the policy file can say otherwise)\n");
	}
	return print_plan(ctx, usage);
}

const struct command cmd_plan = {
	.name = "plan",
	.synopsis = "USAGE...",
	.help =
	"  plan USAGE...    the heaps the usage policy would try, in order, and\n"
	"                   whether each can be opened; USAGE words as in the\n"
	"                   policy file: default, cpu-read-often,\n"
	"                   cpu-write-often, cpu-rarely, device-only,\n"
	"                   contiguous, protected, uncached, camera-write,\n"
	"                   display-scanout, video-decode, video-encode,\n"
	"                   gpu-texture, gpu-render\n",
	.min_args = 1,
	.max_args = 16,
	.run = run_plan,
};
