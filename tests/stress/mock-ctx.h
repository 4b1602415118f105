/* SPDX-License-Identifier: MIT */
/*
 * The set-up the mock-only stress programs share: a mock kernel with one
 * "system" heap and a context on it that reads no environment and no
 * policy file.
 */
#ifndef STRESS_MOCK_CTX_H
#define STRESS_MOCK_CTX_H

#include "dmaheap-mock.h"
#include "dmaheap.h"

/* 0, or -errno of the step that failed (then nothing is left to free). */
static inline int mock_ctx_new(struct dmaheap_mock **mock,
			       struct dmaheap_ctx **ctx)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	int r;

	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	if ((r = dmaheap_mock_new(mock)) < 0)
		return r;
	if ((r = dmaheap_mock_add_heap(*mock, "system", NULL)) < 0)
		goto fail;
	dmaheap_mock_options(*mock, &o);
	if ((r = dmaheap_ctx_new_with(&o, ctx)) < 0)
		goto fail;
	return 0;
fail:
	dmaheap_mock_free(*mock);
	return r;
}

#endif
