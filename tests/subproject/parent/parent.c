/* SPDX-License-Identifier: MIT */
/*
 * The parent's program: links the vendored library and uses it. Exits 0
 * whether or not this machine has heaps: the point is the build.
 */
#include <stdio.h>

#include <dmaheap.h>

int main(void)
{
	struct dmaheap_ctx *ctx = NULL;
	int r = dmaheap_ctx_new(&ctx);

	if (r < 0) {
		fprintf(stderr, "dmaheap_ctx_new: %s\n", dmaheap_strerror(r));
		return 1;
	}
	printf("libdmaheap %d linked; -ENOMEM reads \"%s\"\n",
	       DMAHEAP_VERSION_NUMBER, dmaheap_strerror(-12));
	dmaheap_ctx_free(ctx);
	return 0;
}
