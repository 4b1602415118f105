/* SPDX-License-Identifier: MIT */
/*
 * A program as it was written and built against libdmaheap 0.1: only the
 * 0.1 header (dmaheap-0.1.h, never the current one), with 0.1's options
 * struct, run against this build's libdmaheap.so.0 on the preloaded mock
 * (tests/abi/check-0.1.sh). Every struct the library fills has a canary
 * behind it: a library that wrote a bigger struct than 0.1's would
 * overwrite it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dmaheap-0.1.h"

#define CANARY 0x5a5a5a5a5a5a5a5aull
#define SIZE (64 * 1024)

static int failed;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "abi-0.1: %s\n", what);
		failed = 1;
	}
}

static void use_buffer(struct dmaheap_ctx *ctx)
{
	struct dmaheap_buf *buf = NULL;
	void *addr = NULL;
	struct {
		struct dmaheap_stats st;
		uint64_t canary;
	} s = { .canary = CANARY };
	int r = dmaheap_alloc(ctx, "system", SIZE - 100, 0, &buf);

	check(r == 0, "dmaheap_alloc(system) failed");
	if (r != 0) {
		fprintf(stderr, "  %s\n", dmaheap_strerror(r));
		return;
	}
	check(dmaheap_buf_size(buf) == SIZE, "buffer size not rounded to the page");
	check(strcmp(dmaheap_buf_heap_name(buf), "system") == 0, "heap name");
	check(dmaheap_buf_fd(buf) >= 0, "no fd");
	check(dmaheap_buf_map(buf, &addr) == 0 && addr, "dmaheap_buf_map");
	if (addr) {
		check(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE) == 0,
		      "begin_cpu_access");
		memset(addr, 0xab, SIZE);
		check(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE) == 0,
		      "end_cpu_access");
		check(dmaheap_buf_unmap(buf) == 0, "dmaheap_buf_unmap");
	}
	check(dmaheap_ctx_stats(ctx, "system", &s.st) == 0, "dmaheap_ctx_stats");
	check(s.st.live_buffers == 1 && s.st.live_bytes == SIZE,
	      "stats do not count the live buffer");
	check(s.canary == CANARY, "dmaheap_ctx_stats wrote past 0.1's struct");
	dmaheap_buf_free(buf);
}

int main(void)
{
	struct {
		struct dmaheap_options o;
		uint64_t canary;
	} opts = { DMAHEAP_OPTIONS_INIT, CANARY };
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_heap_info *list = NULL;
	int n, r;

	r = dmaheap_ctx_new_with(&opts.o, &ctx);
	check(r == 0, "dmaheap_ctx_new_with with 0.1's options struct failed");
	if (r != 0) {
		fprintf(stderr, "  %s (struct_size %zu)\n", dmaheap_strerror(r),
			opts.o.struct_size);
		return 1;
	}
	n = dmaheap_heap_list(ctx, &list);
	check(n >= 1, "dmaheap_heap_list found no heap");
	for (int i = 0; i < n; i++)
		if (strcmp(list[i].name, "system") == 0)
			check(list[i].error == 0, "the system heap cannot be opened");
	dmaheap_heap_list_free(list);
	use_buffer(ctx);
	check(dmaheap_alloc(ctx, "system", 0, 0, &(struct dmaheap_buf *){ NULL }) == -EINVAL,
	      "size 0 is not -EINVAL");
	check(strlen(dmaheap_strerror(-EINVAL)) > 0, "dmaheap_strerror");
	check(opts.canary == CANARY, "the library wrote into 0.1's options struct");
	dmaheap_ctx_free(ctx);
	if (!failed)
		printf("ok: a 0.1 program (options struct of %zu bytes) runs on this library\n",
		       sizeof(struct dmaheap_options));
	return failed;
}
