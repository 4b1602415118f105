/* SPDX-License-Identifier: MIT */
/*
 * Fault injection and call counts: every entry point passes through
 * dmock_enter() first.
 */
#include <errno.h>

#include "mock-private.h"

/* The failure dmaheap_mock_inject_nth() armed, if this call is due. */
static int nth_due(struct dmaheap_mock *m)
{
	int err = m->nth_err;

	if (!err)
		return 0;
	if (m->nth_skip) {
		m->nth_skip--;
		return 0;
	}
	m->nth_err = 0;
	return -err;
}

/* The failure dmaheap_mock_inject() armed for @c, if this call is due. */
static int kind_due(struct mock_call *c)
{
	if (!c->fail)
		return 0;
	if (c->skip) {
		c->skip--;
		return 0;
	}
	c->fail--;
	return -c->err;
}

/* Counts the call and returns the injected failure, if one is due. Both
 * kinds of injection count every call, whichever of them fails it. */
int dmock_enter(struct dmaheap_mock *m, enum dmaheap_mock_call call)
{
	struct mock_call *c = &m->calls[call];
	int r, k;

	mock_lock(m);
	if (c->count < INT64_MAX)
		c->count++;
	r = nth_due(m);
	k = kind_due(c);
	if (!r)
		r = k;
	if (r) {
		if (m->injected < INT64_MAX)
			m->injected++;
		m->last_injected = call;
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

int dmaheap_mock_inject_nth(struct dmaheap_mock *mock, unsigned int skip,
			    int err)
{
	if (!mock || err < 0 || err >= 4096)
		return -EINVAL;
	mock_lock(mock);
	mock->nth_skip = err ? skip : 0;
	mock->nth_err = err;
	mock_unlock(mock);
	return 0;
}

int64_t dmaheap_mock_injected(const struct dmaheap_mock *mock,
			      enum dmaheap_mock_call *last)
{
	int64_t n;

	if (!mock)
		return -EINVAL;
	mock_lock(mock);
	n = mock->injected;
	if (n && last)
		*last = mock->last_injected;
	mock_unlock(mock);
	return n;
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
	mock->injected = 0;
	mock_unlock(mock);
}
