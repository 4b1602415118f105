/* SPDX-License-Identifier: MIT */
/*
 * alloc-map-sync [HEAP]: allocate 1 MiB from HEAP ("system" by default),
 * fill it from the CPU and name it. Exits 0 on success, 1 on failure and 77
 * when the heap is missing or not accessible: as a test, it skips there.
 */
#include <errno.h>
#include <stdio.h>

#include <dmaheap.h>

#define BUF_SIZE (1024 * 1024)

/* Errors meaning "no usable heap here", as opposed to "something broke". */
static int heap_unusable(int r)
{
	return r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTTY ||
	       r == -ENODEV;
}

int main(int argc, char **argv)
{
	const char *heap = argc > 1 ? argv[1] : "system";
	const char *step = "creating a context";
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL;
	unsigned char *pixels;
	void *addr = NULL;
	int r, status = 1;

	r = dmaheap_ctx_new(&ctx);
	if (r < 0)
		goto fail;
	r = dmaheap_alloc(ctx, heap, BUF_SIZE, 0, &buf);
	if (r < 0 && heap_unusable(r)) {
		fprintf(stderr, "skip: heap '%s': %s\n", heap, dmaheap_strerror(r));
		status = 77;
		goto out;
	}
	step = "allocating";
	if (r < 0)
		goto fail;
	step = "mapping";
	r = dmaheap_buf_map(buf, &addr);
	if (r < 0)
		goto fail;
	/*
	 * A mapping is not coherent by itself: begin/end CPU access let the
	 * kernel flush or invalidate caches, so devices see what we wrote.
	 */
	step = "beginning CPU access";
	r = dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE);
	if (r < 0)
		goto fail;
	pixels = addr;
	for (size_t i = 0; i < dmaheap_buf_size(buf); i++)
		pixels[i] = (unsigned char)(i % 251);	/* a recognisable ramp */
	step = "ending CPU access";
	r = dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE);
	if (r < 0)
		goto fail;
	/* Done with the CPU view; the buffer itself lives on for devices. */
	step = "unmapping";
	r = dmaheap_buf_unmap(buf);
	if (r < 0)
		goto fail;
	addr = NULL;
	/*
	 * The name shows in /proc/<pid>/fdinfo and debugfs and helps find who
	 * holds a buffer. Kernels before 5.8 cannot name: not worth failing.
	 */
	step = "naming the buffer";
	r = dmaheap_buf_set_name(buf, "example-frame");
	if (r < 0 && r != -ENOTTY)
		goto fail;
	printf("allocated %zu bytes from heap '%s' as dma-buf fd %d, mapped\n"
	       "it, wrote a pattern inside begin/end CPU access, named it %s\n",
	       dmaheap_buf_size(buf), heap, dmaheap_buf_fd(buf),
	       r < 0 ? "(not supported by this kernel)" : "'example-frame'");
	status = 0;
	goto out;
fail:
	fprintf(stderr, "%s: %s\n", step, dmaheap_strerror(r));
out:
	if (addr)	/* error paths only: unmap before free, as is tidy */
		dmaheap_buf_unmap(buf);
	dmaheap_buf_free(buf);	/* NULL is fine */
	dmaheap_ctx_free(ctx);
	return status;
}
