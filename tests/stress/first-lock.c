/* SPDX-License-Identifier: MIT */
/*
 * A buffer's mutex is made by the first call that needs it (buffer.c).
 * Here 8 threads race on that first use, 500 times, each time on a fresh
 * buffer: all map it, begin and end CPU access, and unmap it at once.
 * Passes when every call succeeded, the mapping count came back to zero
 * (a further unmap is -EINVAL) and, run under ThreadSanitizer (suite
 * 'stress'), no data race was reported.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "mock-ctx.h"

#define THREADS 8
#define ROUNDS 500

static pthread_barrier_t go, done;
static struct dmaheap_buf *volatile current;
static atomic_uint errors;

static void check(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "first-lock: %s: %d\n", what, r);
		atomic_fetch_add(&errors, 1);
	}
}

static void *racer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		struct dmaheap_buf *buf;
		void *addr;

		pthread_barrier_wait(&go);
		buf = current;
		check(dmaheap_buf_map(buf, &addr), "map");
		check(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_RW),
		      "begin");
		check(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_RW), "end");
		check(dmaheap_buf_unmap(buf), "unmap");
		pthread_barrier_wait(&done);
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
		return fprintf(stderr, "first-lock: mock context: %d\n", r), 1;
	pthread_barrier_init(&go, NULL, THREADS + 1);
	pthread_barrier_init(&done, NULL, THREADS + 1);
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, racer, NULL))
			return 1;
	for (int i = 0; i < ROUNDS; i++) {
		struct dmaheap_buf *buf;

		check(dmaheap_alloc(ctx, "system", 4096, 0, &buf), "alloc");
		current = buf;
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
		if (dmaheap_buf_unmap(buf) != -EINVAL)
			check(-EPROTO, "mapping count after the race");
		dmaheap_buf_free(buf);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	dmaheap_ctx_free(ctx);
	struct dmaheap_mock_leaks l;

	r = dmaheap_mock_leaks(mock, &l, NULL, 0);
	check(r == 0 ? 0 : -EBADF, "mock leaks");
	dmaheap_mock_free(mock);
	printf("first-lock: %u errors\n", atomic_load(&errors));
	return atomic_load(&errors) != 0;
}
