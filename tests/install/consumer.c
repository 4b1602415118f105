/* A third-party program built against an installed libdmaheap. */
#include <dmaheap.h>
#include <stdio.h>

int main(void)
{
	struct dmaheap_ctx *ctx;
	int r = dmaheap_ctx_new(&ctx);

	if (r < 0) {
		fprintf(stderr, "dmaheap_ctx_new: %s\n", dmaheap_strerror(r));
		return 1;
	}
	printf("consumer: heap directory %s\n", dmaheap_ctx_heap_dir(ctx));
	dmaheap_ctx_free(ctx);
	return 0;
}
