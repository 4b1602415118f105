/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the kernel test programs. These run against the real
 * kernel (inside the VM of tests/vm/run.sh), so they check what the kernel
 * shows from outside the library: /proc/self/fd, /proc/self/fdinfo, fcntl,
 * fstat, lseek.
 *
 * Helpers return values and leave asserting to the tests, except the
 * assert_* macros (which print errno names instead of cmocka's hex), the
 * kt_assert_* checks and the buffer helpers below, which fail the test.
 */
#ifndef DMAHEAP_KUTIL_H
#define DMAHEAP_KUTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dmaheap.h"

#define KT_HEAP_DIR "/dev/dma_heap"
#define KT_SYSTEM_HEAP KT_HEAP_DIR "/system"

/* Highest fd number tracked by struct kt_fdset; tests stay far below. */
#define KT_MAX_FDS 1024

/* Which fds were open at one moment. */
struct kt_fdset {
	bool open[KT_MAX_FDS];
};

/* The test was built and started outside the VM: exit 77 with @reason. */
void kt_skip(const char *reason) __attribute__((noreturn));

/* Skips unless the system heap can be opened; call first thing in main. */
void kt_require_system_heap(void);

/* Number of open fds of this process, or -1. */
int kt_count_fds(void);

/* Records the open fds into @set. */
void kt_fdset_take(struct kt_fdset *set);

/*
 * Fds open now that were not in @before, written to @out (up to @max);
 * returns how many there are.
 */
int kt_fdset_new(const struct kt_fdset *before, int *out, int max);

/* 1 if @fd has FD_CLOEXEC, 0 if not, -errno if fcntl fails. */
int kt_cloexec(int fd);

/* O_ACCMODE bits of @fd's open file, or -errno. */
int kt_accmode(int fd);

/* Size of a dma-buf from lseek(SEEK_END), or -errno. */
int64_t kt_fd_size(int fd);

/* True if @a and @b are fds of the same file (same device and inode). */
bool kt_same_file(int a, int b);

/*
 * Copies the value of "@key:" from /proc/self/fdinfo/@fd into @out.
 * Returns 0, -ENOENT if the line is absent, or another -errno.
 */
int kt_fdinfo(int fd, const char *key, char *out, size_t len);

/* The kernel's page size, from sysconf (4 KiB, 16 KiB, 64 KiB...). */
size_t kt_page_size(void);

/* @size rounded up to a whole number of pages, as the kernel rounds. */
size_t kt_page_round(size_t size);

/* True if the kernel shows a heap node @name in KT_HEAP_DIR. */
bool kt_heap_present(const char *name);

/*
 * The name of this kernel's CMA heap, the one the "cma" alias must give,
 * or NULL when it has none. Asks the kernel: "default_cma_region" if it
 * has that node (6.17+, where the default area has two heap names), else
 * kt_cma_area()'s; without /sys/kernel/mm/cma, the first of the upstream
 * CMA heap names ("default_cma_region", "linux,cma", "reserved",
 * "default-pool") that has a node. The name is written to @buf (@len
 * bytes, NAME_MAX + 1 is enough) and @buf returned.
 */
const char *kt_cma_heap(char *buf, size_t len);

/*
 * The CMA area behind that heap, as /sys/kernel/mm/cma and debugfs name it
 * (CONFIG_CMA_SYSFS): the first area listed there that is also a heap node
 * ("reserved" for cma= or CONFIG_CMA_SIZE_MBYTES); NULL if none.
 */
const char *kt_cma_area(char *buf, size_t len);

/* Total RAM in bytes, from sysconf. */
uint64_t kt_ram_bytes(void);

/* Writes a pattern derived from @seed; kt_check_pattern() verifies it. */
void kt_fill_pattern(void *p, size_t len, uint32_t seed);

/* Offset of the first byte not matching the pattern of @seed, or @len. */
size_t kt_check_pattern(const void *p, size_t len, uint32_t seed);

/* Offset of the first byte that is not @value, or @len. */
size_t kt_find_not(const void *p, size_t len, uint8_t value);

/* True if [addr, addr + one page) is mapped in this process. */
bool kt_is_mapped(const void *addr);

/* poll() revents of @fd with a zero timeout, or -errno. */
int kt_poll_now(int fd, short events);

/* A pipe's read end, its write end closed; -errno on failure. */
int kt_pipe_fd(void);

/* Short name of an errno value ("EINVAL"), sign ignored. */
const char *kt_errname(int err);

/* Asserts that @expr, a library-style return value, equals @want. */
#define assert_ret(expr, want)                                                \
	do {                                                                  \
		int kt_got_ = (int)(expr);                                    \
		int kt_want_ = (int)(want);                                   \
		if (kt_got_ != kt_want_)                                      \
			fail_msg("%s: got %d (%s), want %d (%s)", #expr,      \
				 kt_got_, kt_errname(kt_got_), kt_want_,      \
				 kt_errname(kt_want_));                       \
	} while (0)

/* Asserts that @expr, a raw system call, fails with errno @want. */
#define assert_syscall_err(expr, want)                                        \
	do {                                                                  \
		int kt_want_ = (int)(want);                                   \
		errno = 0;                                                    \
		long kt_got_ = (long)(expr);                                  \
		int kt_err_ = errno;                                          \
		if (kt_got_ != -1 || kt_err_ != kt_want_)                     \
			fail_msg("%s: returned %ld errno %s, want -1 errno %s", \
				 #expr, kt_got_,                              \
				 kt_got_ == -1 ? kt_errname(kt_err_) : "-",   \
				 kt_errname(kt_want_));                       \
	} while (0)

/* Asserts that the process has @before fds open, as at the start. */
#define assert_no_fd_leak(before)                                             \
	do {                                                                  \
		int kt_now_ = kt_count_fds();                                 \
		if (kt_now_ != (before))                                      \
			fail_msg("fd leak: %d fds open, %d before the test",  \
				 kt_now_, (int)(before));                     \
	} while (0)

/* Asserts that @expr, a raw system call, succeeds (returns >= 0). */
#define assert_syscall_ok(expr)                                               \
	do {                                                                  \
		errno = 0;                                                    \
		long kt_got_ = (long)(expr);                                  \
		if (kt_got_ < 0)                                              \
			fail_msg("%s: failed with %s", #expr,                 \
				 kt_errname(errno));                          \
	} while (0)

/* @buf's mapping, asserting that dmaheap_buf_map() succeeds. */
void *kt_map_buf(struct dmaheap_buf *buf);

/* Writes the pattern of @seed over @buf through the library's mapping,
 * bracketed by CPU WRITE access, and unmaps it. */
void kt_fill_buf(struct dmaheap_buf *buf, uint32_t seed);

/* Asserts @buf holds the pattern of @seed, read through the library's
 * mapping bracketed by CPU READ access. */
void kt_assert_buf_pattern(struct dmaheap_buf *buf, uint32_t seed);

/* Asserts the first @size bytes of dma-buf @fd hold the pattern of @seed,
 * read through a mapping of its own bracketed by SYNC READ. */
void kt_assert_fd_pattern(int fd, size_t size, uint32_t seed);

/* Asserts /proc/self/fdinfo/@fd has "@key:" with value @want, or no such
 * line when @want is NULL. */
void kt_assert_fdinfo(int fd, const char *key, const char *want);

/* Asserts that dmaheap_heap_list() shows at least two heaps (system and
 * the one under test), @name among them exactly once, without error and
 * with the built-in properties @props. */
void kt_assert_listed_once(struct dmaheap_ctx *ctx, const char *name,
			   unsigned int props);

/* A check in a forked child, where cmocka's asserts would unwind into the
 * parent's test: prints the condition and ends the child with status 1. */
#define KT_CHILD_CHECK(cond)                                                  \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "child: %s:%d: %s\n", __FILE__,      \
				__LINE__, #cond);                             \
			_exit(1);                                             \
		}                                                             \
	} while (0)

/*
 * The usual fixture: a default context, and at teardown the check that
 * the test left no fd open (freeing the context closes its heap fds).
 */
struct kt_fixture {
	struct dmaheap_ctx *ctx;
	int fds_before;
};

int kt_fixture_setup(void **state);
int kt_fixture_teardown(void **state);

#endif /* DMAHEAP_KUTIL_H */
