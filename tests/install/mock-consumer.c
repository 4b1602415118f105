/* A third-party unit test built against an installed libdmaheap-mock. */
#include <dmaheap-mock.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	struct dmaheap_options opts = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_mock *mock = NULL;
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	void *p;
	int r;

	if ((r = dmaheap_mock_new(&mock)) ||
	    (r = dmaheap_mock_add_heap(mock, "system", NULL)))
		goto out;
	dmaheap_mock_options(mock, &opts);
	if ((r = dmaheap_ctx_new_with(&opts, &ctx)) ||
	    (r = dmaheap_alloc(ctx, "system", 5000, 0, &buf)) ||
	    (r = dmaheap_buf_map(buf, &p)))
		goto out;
	memset(p, 0x5a, dmaheap_buf_size(buf));
	printf("mock-consumer: %zu bytes from %s\n", dmaheap_buf_size(buf),
	       dmaheap_buf_heap_name(buf));
	r = dmaheap_buf_unmap(buf);
out:
	if (r)
		fprintf(stderr, "mock-consumer: %s\n", dmaheap_strerror(r));
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	dmaheap_mock_free(mock);
	return r ? 1 : 0;
}
