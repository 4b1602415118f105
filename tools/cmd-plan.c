/* SPDX-License-Identifier: MIT */
/*
 * dmaheap plan: the heaps the usage policy would try for a usage, in
 * order, and what the devices of the usage require on this machine.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"


/* "default", then the word of every bit in bit order. */
static void print_known_words(void)
{
	const char *w;

	fprintf(stderr, " %s", dmaheap_usage_name(0));
	for (unsigned int bit = 1; (w = dmaheap_usage_name(bit)); bit <<= 1)
		fprintf(stderr, " %s", w);
	fputc('\n', stderr);
}

static int parse_words(int argc, char **argv, unsigned int *usage)
{
	unsigned int bit;

	*usage = 0;
	for (int i = 0; i < argc; i++) {
		if (dmaheap_usage_from_name(argv[i], &bit)) {
			fprintf(stderr, "dmaheap: unknown usage word '%s'; "
				"known:", argv[i]);
			print_known_words();
			return STATUS_USAGE;
		}
		*usage |= bit;
	}
	return STATUS_OK;
}

/* "cpu-write-often display-scanout", or "default" for no bit. */
static void print_words(unsigned int usage)
{
	if (usage == 0)
		printf(" %s", dmaheap_usage_name(0));
	for (unsigned int bit = 1; bit && bit <= usage; bit <<= 1)
		if ((usage & bit) && dmaheap_usage_name(bit))
			printf(" %s", dmaheap_usage_name(bit));
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
