/* SPDX-License-Identifier: MIT */
/*
 * The library's allocations, counted and failed one at a time. The test's
 * build of the library calls these instead of the C library's (see
 * meson.build); everything else (the mock, libc's own internals, this
 * test) allocates normally, so only the library's allocation sites count.
 *
 * Single-threaded: the fault test runs one scenario at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

void *fault_malloc(size_t size);
void *fault_calloc(size_t n, size_t size);
void *fault_realloc(void *p, size_t size);
char *fault_strdup(const char *s);
char *fault_strndup(const char *s, size_t n);

static long count;
static long fail_at = -1;
static bool fired;

void fault_alloc_arm(long at)
{
	count = 0;
	fail_at = at;
	fired = false;
}

long fault_alloc_count(void)
{
	return count;
}

bool fault_alloc_fired(void)
{
	return fired;
}

/* Whether this allocation is the one to fail. */
static bool due(void)
{
	if (count++ != fail_at)
		return false;
	fired = true;
	errno = ENOMEM;
	return true;
}

void *fault_malloc(size_t size)
{
	return due() ? NULL : malloc(size);
}

void *fault_calloc(size_t n, size_t size)
{
	return due() ? NULL : calloc(n, size);
}

void *fault_realloc(void *p, size_t size)
{
	return due() ? NULL : realloc(p, size);
}

char *fault_strdup(const char *s)
{
	return due() ? NULL : strdup(s);
}

char *fault_strndup(const char *s, size_t n)
{
	return due() ? NULL : strndup(s, n);
}
