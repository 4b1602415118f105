/* SPDX-License-Identifier: MIT */
/*
 * Threads sharing one context: what an allocation writes stays in the
 * allocating thread's shard (tally.c, context.c), and the figures and
 * the context's lifetime stay what they were with one shared counter.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "testutil.h"
#include "core/core.h"

#define PAGE 4096

/* After the first, an alloc+free writes no reference count the context's
 * threads share: ctx->refs does not move. */
static void test_refs_not_written(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_buf *buf = NULL;
	unsigned int before;

	assert_int_equal(dmaheap_alloc(f->ctx, "system", PAGE, 0, &buf), 0);
	dmaheap_buf_free(buf);
	before = atomic_load(&f->ctx->refs);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(dmaheap_alloc(f->ctx, "system", PAGE, 0, &buf),
				 0);
		assert_int_equal(atomic_load(&f->ctx->refs), before);
		dmaheap_buf_free(buf);
		assert_int_equal(atomic_load(&f->ctx->refs), before);
	}
}

struct holder {
	struct dmaheap_ctx *ctx;
	pthread_barrier_t *all_live; /* NULL: no waiting */
	int n;			     /* buffers to allocate */
	struct dmaheap_buf *bufs[300];
	bool free_them;
};

static void *hold(void *arg)
{
	struct holder *h = arg;

	for (int i = 0; i < h->n; i++)
		if (dmaheap_alloc(h->ctx, "system", PAGE, 0, &h->bufs[i]))
			return arg;
	if (h->all_live)
		pthread_barrier_wait(h->all_live);
	if (h->free_them)
		for (int i = 0; i < h->n; i++)
			dmaheap_buf_free(h->bufs[i]);
	return NULL;
}

static void run_thread(struct holder *h)
{
	pthread_t t;
	void *ret;

	assert_int_equal(pthread_create(&t, NULL, hold, h), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_null(ret);
}

static void assert_stats(struct dmaheap_ctx *ctx, const char *heap,
			 uint64_t live, uint64_t peak, uint64_t allocations)
{
	struct dmaheap_stats st;

	assert_int_equal(dmaheap_ctx_stats(ctx, heap, &st), 0);
	assert_int_equal(st.live_bytes, live);
	assert_int_equal(st.live_buffers, live / PAGE);
	assert_int_equal(st.peak_bytes, peak);
	assert_int_equal(st.allocations, allocations);
}

/* Buffers made in one thread and freed in another, budgets passed from
 * thread to thread: the peak is the most that was ever live at once. */
static void test_peak_across_threads(void **state)
{
	struct fixture *f = *state;
	struct holder a = { .ctx = f->ctx, .n = 2 };
	struct holder b = { .ctx = f->ctx, .n = 1 };
	struct holder c = { .ctx = f->ctx, .n = 1, .free_them = true };
	struct holder d = { .ctx = f->ctx, .n = 4 };

	run_thread(&a);
	run_thread(&b);
	assert_stats(f->ctx, "system", 3 * PAGE, 3 * PAGE, 3);
	/* Freed here, made there: this thread's shard goes below zero. */
	dmaheap_buf_free(a.bufs[0]);
	dmaheap_buf_free(a.bufs[1]);
	dmaheap_buf_free(b.bufs[0]);
	assert_stats(f->ctx, "system", 0, 3 * PAGE, 3);
	assert_stats(f->ctx, NULL, 0, 3 * PAGE, 3);
	/* Within what was live before: the peak stays. */
	run_thread(&c);
	assert_stats(f->ctx, NULL, 0, 3 * PAGE, 4);
	run_thread(&d);
	assert_stats(f->ctx, "system", 4 * PAGE, 4 * PAGE, 8);
	for (int i = 0; i < 4; i++)
		dmaheap_buf_free(d.bufs[i]);
	assert_stats(f->ctx, NULL, 0, 4 * PAGE, 8);
}

/* Eight threads each hold a buffer at one moment, then free it: the peak
 * is exactly the eight, however the threads ran. */
static void test_peak_threads_at_once(void **state)
{
	struct fixture *f = *state;
	struct holder h[8];
	pthread_barrier_t all_live;
	pthread_t t[8];

	for (int round = 1; round <= 20; round++) {
		pthread_barrier_init(&all_live, NULL, 8);
		for (int i = 0; i < 8; i++) {
			h[i] = (struct holder){ .ctx = f->ctx, .n = 1,
						.all_live = &all_live,
						.free_them = true };
			assert_int_equal(pthread_create(&t[i], NULL, hold,
							&h[i]), 0);
		}
		for (int i = 0; i < 8; i++) {
			void *ret;

			assert_int_equal(pthread_join(t[i], &ret), 0);
			assert_null(ret);
		}
		pthread_barrier_destroy(&all_live);
		assert_stats(f->ctx, "system", 0, 8 * PAGE,
			     (uint64_t)round * 8);
		assert_stats(f->ctx, NULL, 0, 8 * PAGE, (uint64_t)round * 8);
	}
}

static void *free_all(void *arg)
{
	struct holder *h = arg;

	for (int i = 0; i < h->n; i++)
		dmaheap_buf_free(h->bufs[i]);
	return NULL;
}

/* More buffers than one batch of references taken ahead, freed by other
 * threads after the context: it lives until the last, then goes (ASan and
 * valgrind see a use after free or a leak). */
static void test_ctx_outlives_free_in_threads(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *ctx = fixture_ctx(f, 0);
	struct holder a = { .ctx = ctx, .n = 300 };
	struct holder b = { .ctx = ctx, .n = 150 };
	struct dmaheap_stats st;
	pthread_t t;

	run_thread(&a);
	run_thread(&b);
	assert_int_equal(dmaheap_ctx_stats(ctx, NULL, &st), 0);
	assert_int_equal(st.live_buffers, 450);
	dmaheap_ctx_free(ctx);
	/* Freed by a third thread, then by this one. */
	assert_int_equal(pthread_create(&t, NULL, free_all, &a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	for (int i = 0; i < 150; i++)
		dmaheap_buf_free(b.bufs[i]);
}

/* A context freed with its pool on: a buffer freed afterwards is closed,
 * not kept, since nobody can allocate from it again. */
static void test_pool_keeps_nothing_after_ctx_free(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = fixture_ctx(f, 0);
	struct dmaheap_buf *a = NULL, *b = NULL;

	assert_int_equal(dmaheap_ctx_set_pool(ctx, &o), 0);
	assert_int_equal(dmaheap_alloc(ctx, "system", PAGE, 0, &a), 0);
	assert_int_equal(dmaheap_alloc(ctx, "system", PAGE, 0, &b), 0);
	dmaheap_ctx_free(ctx);
	dmaheap_mock_reset_calls(f->mock);
	dmaheap_buf_free(a);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_CLOSE), 1);
	/* The last: the context goes, and with it the heap's fd. */
	dmaheap_buf_free(b);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_CLOSE), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_refs_not_written),
		FIXTURE_TEST(test_peak_across_threads),
		FIXTURE_TEST(test_peak_threads_at_once),
		FIXTURE_TEST(test_ctx_outlives_free_in_threads),
		FIXTURE_TEST(test_pool_keeps_nothing_after_ctx_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
