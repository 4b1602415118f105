/* SPDX-License-Identifier: MIT */
/*
 * The mock forgets a buffer when no fd refers to it any more, which it
 * learns by scanning the process's fds every so many objects
 * (lib/mock/fdscan.c). Programs close their dma-buf fds with close(2),
 * past the mock, while other threads allocate and so start scans. Here 8
 * threads allocate and close 10000 buffers each: every one must succeed
 * and, run under ThreadSanitizer (suite 'stress'), the scan of one thread
 * must not touch the fds another thread is closing (a data race on the
 * fd in ThreadSanitizer's model, and a scan that would read whatever file
 * reused the number).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "mock-ctx.h"

#define THREADS 8
#define ROUNDS 10000

static atomic_uint errors;

static void *worker(void *arg)
{
	struct dmaheap_ctx *ctx = arg;

	for (int i = 0; i < ROUNDS; i++) {
		int fd = dmaheap_alloc_fd(ctx, "system", 4096, 0);

		if (fd < 0) {
			fprintf(stderr, "sweep-close: alloc: %d\n", fd);
			atomic_fetch_add(&errors, 1);
			continue;
		}
		close(fd);
	}
	return NULL;
}

int main(void)
{
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx;
	pthread_t t[THREADS];
	int r;

	if ((r = mock_ctx_new(&mock, &ctx)) < 0)
		return fprintf(stderr, "sweep-close: mock context: %d\n", r), 1;
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, ctx))
			return fprintf(stderr, "sweep-close: no thread\n"), 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	dmaheap_ctx_free(ctx);
	dmaheap_mock_free(mock);
	printf("sweep-close: %u errors\n", atomic_load(&errors));
	return atomic_load(&errors) != 0;
}
