/* SPDX-License-Identifier: MIT */
/*
 * membarrier: the ordering of the process's own memory accesses, which
 * only the real kernel can give. The mock counts the call, injects its
 * failures (a kernel without it, a seccomp filter refusing it) and
 * otherwise passes it on.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mock-private.h"

int dmock_membarrier(const struct dmaheap_sys *self, int cmd,
		     unsigned int flags)
{
	int r = dmock_enter(mock_of(self), DMAHEAP_MOCK_MEMBARRIER);

	if (r)
		return r;
#ifdef SYS_membarrier
	{
		long n = syscall(SYS_membarrier, cmd, flags, 0);

		return n < 0 ? neg_errno() : (int)n;
	}
#else
	return -ENOSYS;
#endif
}
