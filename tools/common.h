/* SPDX-License-Identifier: MIT */
/*
 * What the dmaheap subcommands share: exit statuses, messages and hints,
 * sizes and times, heap listing. Each subcommand lives in cmd-<name>.c and
 * is declared in commands.h.
 */
#ifndef DMAHEAP_TOOLS_COMMON_H
#define DMAHEAP_TOOLS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <dmaheap.h>

/* Exit statuses, as documented in --help. */
enum {
	STATUS_OK = 0,
	STATUS_FAILED = 1,	/* the operation itself failed */
	STATUS_UNUSABLE = 2,	/* no heaps, or the heap cannot be used */
	STATUS_USAGE = 64,	/* EX_USAGE of sysexits.h */
};

#define DEFAULT_HEAP_DIR "/dev/dma_heap"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Messages */

/* "EACCES" (or "errno 123" written into @buf) for the errno @r (any sign). */
const char *errno_name(int r, char *buf, size_t len);

/* Prints "dmaheap: <what>: <message> (<ERRNO>)" on stderr. */
__attribute__((format(printf, 2, 3)))
void fail(int r, const char *fmt, ...);

bool is_permission_error(int r);

/*
 * How to let a group use the heap nodes or, for @udmabuf, the udmabuf
 * device (a udev rule each: they are different devices), on stderr.
 */
void print_access_hint(bool udmabuf);

/* Whether @heap names the udmabuf pseudo-heap, not a heap node. */
bool is_udmabuf(const char *heap);

/* Sizes and times */

/*
 * Parses a SIZE operand ("8M", "4096", "1GiB") into *@out. Returns NULL,
 * or a static text saying why it is invalid (then *@out is untouched).
 */
const char *parse_size(const char *s, size_t *out);

/* "8388608 bytes (8 MiB)", or just "512 bytes". */
void format_size(char *buf, size_t len, size_t bytes);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* "12.3 µs", "4.56 ms", "1.234 s". */
void format_duration(char *buf, size_t len, uint64_t ns);

/* JSON */

/*
 * Prints @s as a JSON string, quotes included: '"', '\\' and control
 * characters escaped, valid UTF-8 kept, each byte of invalid UTF-8 (names
 * are bytes, not text) printed as U+FFFD.
 */
void print_json_string(FILE *f, const char *s);

/* Heaps */

/*
 * Lists the heaps into *@heaps (free with dmaheap_heap_list_free()) and
 * returns their number; on failure or when there are none, says why on
 * stderr and returns -1 with *@status set to the exit status.
 */
int get_heaps(struct dmaheap_ctx *ctx, struct dmaheap_heap_info **heaps,
	      int *status);

/* The longest name of @heaps, for print_heap_line(). */
int heap_name_width(const struct dmaheap_heap_info *heaps, int n);

/* "NAME  ok  cached (built-in)" or "NAME  not accessible  PROPS: why
 * (ERRNO)", the name padded to @width. */
void print_heap_line(const struct dmaheap_heap_info *h, int width);

#endif
