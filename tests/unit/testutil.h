/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture for the unit tests: a mock kernel with a "system" heap, a
 * context using it, and checks at teardown that the test leaked no fd and
 * left nothing held in the mock. Memory leaks are caught by the ASan and
 * valgrind runs of the same tests.
 */
#ifndef DMAHEAP_TESTUTIL_H
#define DMAHEAP_TESTUTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fdcount.h"
#include "dmaheap-mock.h"
#include "dmaheap.h"

/* open() calls for opening one node: an O_PATH look at it, its sysfs
 * uevent (which device it is), then the node itself. */
#define NODE_OPEN_CALLS 3

struct fixture {
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx;
	int fds_before;
};

static inline struct dmaheap_ctx *fixture_ctx(struct fixture *f,
					      unsigned int flags)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(f->mock, &o);
	o.flags = flags;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	return ctx;
}

/* A context of the fixture's mock that logs to @fn with @userdata, at
 * @priority and above. */
static inline struct dmaheap_ctx *fixture_logging_ctx(struct fixture *f,
						      dmaheap_log_fn fn,
						      void *userdata,
						      int priority)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(f->mock, &o);
	o.log_fn = fn;
	o.log_userdata = userdata;
	o.log_priority = priority;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	return ctx;
}

static inline int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = count_open_fds();
	assert_int_equal(dmaheap_mock_new(&f->mock), 0);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "system", NULL), 0);
	f->ctx = fixture_ctx(f, 0);
	/* Tests count the calls they cause, not the fixture's. */
	dmaheap_mock_reset_calls(f->mock);
	*state = f;
	return 0;
}

static inline int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_leaks leaks;
	char report[1024];
	int n;

	dmaheap_ctx_free(f->ctx);
	n = dmaheap_mock_leaks(f->mock, &leaks, report, sizeof(report));
	if (n != 0)
		fail_msg("mock reports %d leaks:\n%s", n, report);
	dmaheap_mock_free(f->mock);
	assert_int_equal(count_open_fds(), f->fds_before);
	free(f);
	return 0;
}

#define FIXTURE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

#endif /* DMAHEAP_TESTUTIL_H */
