/* SPDX-License-Identifier: MIT */
/*
 * Fault injection and call counts: every entry point passes through
 * dmock_enter() first.
 */
#include <errno.h>

#include "mock-private.h"

/* Counts the call and returns the injected failure, if one is due. */
int dmock_enter(struct dmaheap_mock *m, enum dmaheap_mock_call call)
{
	struct mock_call *c = &m->calls[call];
	int r = 0;

	mock_lock(m);
	if (c->count < INT64_MAX)
		c->count++;
	if (c->fail) {
		if (c->skip) {
			c->skip--;
		} else {
			c->fail--;
			r = -c->err;
		}
	}
	mock_unlock(m);
	return r;
}

int dmaheap_mock_inject(struct dmaheap_mock *mock, enum dmaheap_mock_call call,
			unsigned int skip, unsigned int count, int err)
{
	struct mock_call *c;

	if (!mock || (unsigned int)call >= DMAHEAP_MOCK_CALL_COUNT)
		return -EINVAL;
	if (count && (err <= 0 || err >= 4096))
		return -EINVAL;
	c = &mock->calls[call];
	mock_lock(mock);
	c->skip = count ? skip : 0;
	c->fail = count;
	c->err = count ? err : 0;
	mock_unlock(mock);
	return 0;
}

int64_t dmaheap_mock_calls(const struct dmaheap_mock *mock,
			   enum dmaheap_mock_call call)
{
	int64_t n;

	if (!mock || (unsigned int)call >= DMAHEAP_MOCK_CALL_COUNT)
		return -EINVAL;
	mock_lock(mock);
	n = mock->calls[call].count;
	mock_unlock(mock);
	return n;
}

void dmaheap_mock_reset_calls(struct dmaheap_mock *mock)
{
	size_t i;

	if (!mock)
		return;
	mock_lock(mock);
	for (i = 0; i < DMAHEAP_MOCK_CALL_COUNT; i++)
		mock->calls[i].count = 0;
	mock_unlock(mock);
}
