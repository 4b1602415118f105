/* SPDX-License-Identifier: MIT */
/* dmaheap list: the heaps, whether each can be opened, and the aliases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

/* " (32 MiB)", when the kernel says how large the region is. */
static void print_region_size(struct dmaheap_ctx *ctx, const char *heap)
{
	uint64_t bytes;

	if (dmaheap_heap_region_size(ctx, heap, &bytes) != 0)
		return;
	if (bytes % (1u << 20) == 0)
		printf(" (%llu MiB)", (unsigned long long)(bytes >> 20));
	else
		printf(" (%llu KiB)", (unsigned long long)(bytes >> 10));
}

/* "region reserved (32 MiB): default_cma_region reserved": each CMA
 * region and the heap names that are that one pool of memory (the CMA
 * heap's stable and legacy names; a device-tree region's own heap). */
static void print_regions(struct dmaheap_ctx *ctx,
			  const struct dmaheap_heap_info *heaps, int n)
{
	char (*region)[64] = calloc(n > 0 ? (size_t)n : 1, sizeof(*region));

	if (!region)
		return;
	for (int i = 0; i < n; i++)
		if (dmaheap_heap_region(ctx, heaps[i].name, region[i],
					sizeof(region[i])) != 0)
			region[i][0] = '\0';
	for (int i = 0; i < n; i++) {
		int shared = 0, first = 1;

		for (int j = 0; j < n; j++)
			shared += region[i][0] && strcmp(region[i], region[j]) == 0;
		/* Once per region, at its first heap. */
		for (int j = 0; j < i && first; j++)
			first = strcmp(region[i], region[j]) != 0;
		if (shared < 1 || !first)
			continue;
		printf("region %s", region[i]);
		print_region_size(ctx, heaps[i].name);
		printf(":");
		for (int j = i; j < n; j++)
			if (strcmp(region[i], region[j]) == 0)
				printf(" %s", heaps[j].name);
		printf("\n");
	}
	free(region);
}

/* "alias cma -> reserved   (default_cma_region linux,cma reserved ...)" */
static void print_aliases(struct dmaheap_ctx *ctx)
{
	struct dmaheap_alias_info *aliases;
	int n = dmaheap_alias_list(ctx, &aliases);

	for (int i = 0; i < n; i++)
		printf("alias %s -> %s   (%s)\n", aliases[i].alias,
		       aliases[i].heap ? aliases[i].heap : "none here",
		       aliases[i].members);
	if (n >= 0)
		dmaheap_alias_list_free(aliases);
}

static int run_list(struct dmaheap_ctx *ctx, int argc, char **argv)
{
	struct dmaheap_heap_info *heaps;
	int n, status, width, usable = 0;
	bool denied[2] = { false, false };	/* heaps, udmabuf */

	(void)argc;
	(void)argv;
	n = get_heaps(ctx, &heaps, &status);
	if (n < 0)
		return status;
	width = heap_name_width(heaps, n);
	for (int i = 0; i < n; i++) {
		print_heap_line(&heaps[i], width);
		usable += heaps[i].error == 0;
		if (is_permission_error(heaps[i].error))
			denied[is_udmabuf(heaps[i].name)] = true;
	}
	print_regions(ctx, heaps, n);
	dmaheap_heap_list_free(heaps);
	print_aliases(ctx);
	for (int k = 0; k < 2; k++)
		if (denied[k])
			print_access_hint(k == 1);
	return usable ? STATUS_OK : STATUS_UNUSABLE;
}

const struct command cmd_list = {
	.name = "list",
	.synopsis = "",
	.help =
	"  list             list the heaps and whether each can be opened\n",
	.min_args = 0,
	.max_args = 0,
	.run = run_list,
};
