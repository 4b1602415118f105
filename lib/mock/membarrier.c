/* SPDX-License-Identifier: MIT */
/*
 * membarrier: the ordering of the process's own memory accesses, which
 * only the real kernel can give. The mock counts the call, injects its
 * failures (a kernel without it, a seccomp filter refusing it) and
 * otherwise passes it on.
 */
#include "mock-private.h"

int dmock_membarrier(const struct dmaheap_sys *self, int cmd,
		     unsigned int flags)
{
	int r = dmock_enter(mock_of(self), DMAHEAP_MOCK_MEMBARRIER);

	if (r)
		return r;
	return dmaheap_sys_kernel.membarrier(&dmaheap_sys_kernel, cmd, flags);
}
