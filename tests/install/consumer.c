/* A third-party program built against an installed libdmaheap. */
#include <dmaheap.h>
#include <drm_fourcc.h>
#include <stdio.h>

int main(void)
{
	struct dmaheap_image_spec spec = { .fourcc = DRM_FORMAT_NV12,
					   .width = 1920, .height = 1080 };
	struct dmaheap_image_layout layout;
	struct dmaheap_ctx *ctx;
	int r = dmaheap_ctx_new(&ctx);

	if (r < 0) {
		fprintf(stderr, "dmaheap_ctx_new: %s\n", dmaheap_strerror(r));
		return 1;
	}
	printf("consumer: heap directory %s\n", dmaheap_ctx_heap_dir(ctx));
	/* drm_fourcc.h comes from libdrm, through libdmaheap's pkg-config. */
	r = dmaheap_image_layout(ctx, &spec, &layout);
	if (r < 0 || layout.size != 1920 * 1080 * 3 / 2) {
		fprintf(stderr, "dmaheap_image_layout: %s\n",
			dmaheap_strerror(r));
		dmaheap_ctx_free(ctx);
		return 1;
	}
	dmaheap_ctx_free(ctx);
	return 0;
}
