/* SPDX-License-Identifier: MIT */
/*
 * Counts what the library itself does per operation: heap allocations
 * (malloc, calloc, realloc, and those libc makes on its behalf, e.g. in
 * strdup) and lock acquisitions (pthread mutex and rwlock). The test
 * executable interposes those functions; only calls on the counting thread
 * whose caller is not the executable (the mock and the test live there)
 * are counted. An allocation can also be made to fail, to reach the error
 * paths behind it.
 *
 * Include from exactly one source file of an executable. Sanitizer runtimes
 * interpose the same functions, so under ASan/TSan/MSan the counters are
 * compiled out and counting_available() says so (tests then skip).
 * Valgrind replaces malloc too: counting_available() notices that the
 * counter does not move.
 */
#ifndef DMAHEAP_TEST_COUNTING_H
#define DMAHEAP_TEST_COUNTING_H

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COUNTING_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define COUNTING_SANITIZED 1
#endif
#endif

struct counts {
	long allocs;	/* malloc, calloc, realloc */
	long locks;	/* mutex and rwlock acquisitions */
};

static __thread bool counting_on;
static __thread struct counts counting_now;
static __thread long counting_fail_at; /* 1-based; 0: never */

#ifndef COUNTING_SANITIZED
static uintptr_t exe_start, exe_end;

static int find_exe(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	/* The first object is the executable itself. */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (!exe_start || start < exe_start)
			exe_start = start;
		if (start + ph->p_memsz > exe_end)
			exe_end = start + ph->p_memsz;
	}
	return 1;
}

static bool from_outside(const void *caller)
{
	uintptr_t a = (uintptr_t)caller;

	if (!exe_end)
		dl_iterate_phdr(find_exe, NULL);
	return a < exe_start || a >= exe_end;
}

/* Counts an allocation; false if it is the one to fail. */
static bool count_alloc(const void *caller)
{
	if (!counting_on || !from_outside(caller))
		return true;
	counting_now.allocs++;
	return counting_now.allocs != counting_fail_at;
}

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
	if (!count_alloc(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (!count_alloc(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (!count_alloc(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

static void count_lock(const void *caller)
{
	if (counting_on && from_outside(caller))
		counting_now.locks++;
}

#define COUNTING_FORWARD(name, type)                                        \
	int name(type *l)                                                   \
	{                                                                   \
		static int (*real)(type *);                                 \
                                                                            \
		if (!real)                                                  \
			*(void **)&real = dlsym(RTLD_NEXT, #name);          \
		count_lock(__builtin_return_address(0));                    \
		return real(l);                                             \
	}

COUNTING_FORWARD(pthread_mutex_lock, pthread_mutex_t)
COUNTING_FORWARD(pthread_mutex_trylock, pthread_mutex_t)
COUNTING_FORWARD(pthread_rwlock_rdlock, pthread_rwlock_t)
COUNTING_FORWARD(pthread_rwlock_wrlock, pthread_rwlock_t)

static inline bool counting_available(void)
{
	/* Through a pointer: the compiler would inline strdup("x"). */
	char *(*volatile dup)(const char *) = strdup;
	void *volatile p;
	long before = counting_now.allocs;
	bool on = counting_on;

	/* Called from the executable, so it would not count: go through a
	 * libc function that allocates. */
	counting_on = true;
	p = dup("x");
	counting_on = on;
	free(p);
	if (!p || counting_now.allocs == before)
		return false;
	counting_now.allocs = before;
	return true;
}
#else
static inline bool counting_available(void)
{
	return false;
}
#endif

/* Starts counting on this thread from zero; fail the @fail_at-th
 * allocation (1-based), or none if 0. */
static inline void counting_start(long fail_at)
{
	counting_now = (struct counts){ 0 };
	counting_fail_at = fail_at;
	counting_on = true;
}

static inline struct counts counting_stop(void)
{
	counting_on = false;
	counting_fail_at = 0;
	return counting_now;
}

#endif /* DMAHEAP_TEST_COUNTING_H */
