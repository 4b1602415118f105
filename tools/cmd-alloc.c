/* SPDX-License-Identifier: MIT */
/*
 * dmaheap alloc: allocate from a heap (or the one the usage policy picks),
 * map the buffer, write and read back every page, report the times taken.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "common.h"

/* For a heap that does not exist: say why, and what there is instead. */
static int report_missing_heap(struct dmaheap_ctx *ctx, const char *heap)
{
	struct dmaheap_heap_info *heaps;
	int n, status;

	n = get_heaps(ctx, &heaps, &status);
	if (n < 0)
		return status;
	fprintf(stderr, "dmaheap: no heap '%s' in %s; available:", heap,
		dmaheap_ctx_heap_dir(ctx));
	for (int i = 0; i < n; i++)
		fprintf(stderr, " %s", heaps[i].name);
	fputc('\n', stderr);
	dmaheap_heap_list_free(heaps);
	return STATUS_UNUSABLE;
}

/* The udmabuf device is no heap node: its own path, its own fix. */
static int report_udmabuf_error(struct dmaheap_ctx *ctx, int r)
{
	const char *dev = dmaheap_ctx_udmabuf_dev(ctx);

	if (r == -ENOENT) {
		fprintf(stderr, "dmaheap: no udmabuf device: %s does not exist "
			"(kernel without CONFIG_UDMABUF, or module udmabuf not "
			"loaded?)\n", dev);
		return STATUS_UNUSABLE;
	}
	fail(r, "cannot open the udmabuf device %s", dev);
	if (is_permission_error(r))
		print_access_hint(true);
	return r == -ENOTTY || r == -ENODEV || is_permission_error(r) ?
	       STATUS_UNUSABLE : STATUS_FAILED;
}

/* Makes sure @heap can be used; returns an exit status. */
static int check_heap(struct dmaheap_ctx *ctx, const char *heap)
{
	int r = dmaheap_heap_open(ctx, heap);

	if (r == 0)
		return STATUS_OK;
	if (r == -EINVAL) {
		fprintf(stderr, "dmaheap: invalid heap name '%s'\n", heap);
		return STATUS_USAGE;
	}
	if (is_udmabuf(heap))
		return report_udmabuf_error(ctx, r);
	if (r == -ENOENT)
		return report_missing_heap(ctx, heap);
	fail(r, "cannot open heap '%s' in %s", heap, dmaheap_ctx_heap_dir(ctx));
	if (is_permission_error(r))
		print_access_hint(false);
	return r == -ENOTTY || r == -ENODEV || is_permission_error(r) ?
	       STATUS_UNUSABLE : STATUS_FAILED;
}

/* What "auto" asks the policy for: memory the CPU writes and reads. */
#define AUTO_USAGE (DMAHEAP_USAGE_CPU_READ_OFTEN | DMAHEAP_USAGE_CPU_WRITE_OFTEN)

/*
 * "auto": the first usable heap the library's usage policy offers for CPU
 * access, which is what dmaheap_alloc_usage() would pick; into @out.
 */
static int pick_heap(struct dmaheap_ctx *ctx, char *out, size_t len)
{
	struct dmaheap_heap_info *plan;
	int n = dmaheap_usage_plan(ctx, AUTO_USAGE, &plan), pick = -1;
	bool denied[2] = { false, false };	/* heaps, udmabuf */

	if (n < 0) {
		fail(n, "ask the heap policy");
		return STATUS_FAILED;
	}
	for (int i = 0; i < n; i++) {
		if (is_permission_error(plan[i].error))
			denied[is_udmabuf(plan[i].name)] = true;
		if (pick < 0 && plan[i].error == 0)
			pick = i;
	}
	if (pick >= 0)
		snprintf(out, len, "%s", plan[pick].name);
	dmaheap_heap_list_free(plan);
	if (pick >= 0)
		return STATUS_OK;
	fprintf(stderr, "dmaheap: no heap the policy offers for CPU access "
		"is usable here (see 'dmaheap list')\n");
	for (int k = 0; k < 2; k++)
		if (denied[k])
			print_access_hint(k == 1);
	return STATUS_UNUSABLE;
}

struct timings {
	uint64_t alloc, map, touch, verify, sync;
};

/* One byte per page, never 0, so that fresh (zeroed) memory fails. */
static unsigned char page_pattern(size_t page_index)
{
	return (unsigned char)(0x80 | (page_index & 0x7f));
}

static const char *access_name(unsigned int access)
{
	return access == DMAHEAP_ACCESS_READ ? "read" : "write";
}

/* Begins or ends CPU access, adding the time taken to @t->sync. */
static int sync_step(struct dmaheap_buf *buf, bool begin, unsigned int access,
		     struct timings *t)
{
	uint64_t start = now_ns();
	int r = begin ? dmaheap_buf_begin_cpu_access(buf, access) :
			dmaheap_buf_end_cpu_access(buf, access);

	t->sync += now_ns() - start;
	if (r < 0)
		fail(r, "%s CPU access (%s)", begin ? "begin" : "end",
		     access_name(access));
	return r;
}

static int write_pages(struct dmaheap_buf *buf, unsigned char *p, size_t page,
		       struct timings *t)
{
	size_t size = dmaheap_buf_size(buf);
	uint64_t start;

	if (sync_step(buf, true, DMAHEAP_ACCESS_WRITE, t) < 0)
		return -1;
	start = now_ns();
	for (size_t off = 0; off < size; off += page)
		p[off] = page_pattern(off / page);
	t->touch = now_ns() - start;
	return sync_step(buf, false, DMAHEAP_ACCESS_WRITE, t);
}

static int verify_pages(struct dmaheap_buf *buf, const unsigned char *p,
			size_t page, struct timings *t)
{
	size_t size = dmaheap_buf_size(buf), bad = SIZE_MAX;
	uint64_t start;

	if (sync_step(buf, true, DMAHEAP_ACCESS_READ, t) < 0)
		return -1;
	start = now_ns();
	for (size_t off = 0; off < size && bad == SIZE_MAX; off += page)
		if (p[off] != page_pattern(off / page))
			bad = off;
	t->verify = now_ns() - start;
	if (sync_step(buf, false, DMAHEAP_ACCESS_READ, t) < 0)
		return -1;
	if (bad == SIZE_MAX)
		return 0;
	fprintf(stderr, "dmaheap: verify: byte at offset %zu reads 0x%02x, "
		"wrote 0x%02x\n", bad, p[bad], page_pattern(bad / page));
	return -1;
}

/* The "name:" line of the fd's /proc fdinfo, if the kernel shows one. */
static bool read_buf_name(int fd, char *out, size_t len)
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *value = line + strlen("name:");

		if (strncmp(line, "name:", strlen("name:")) != 0)
			continue;
		value += strspn(value, " \t");
		value[strcspn(value, "\n")] = '\0';
		snprintf(out, len, "%s", value);
		found = true;
	}
	fclose(f);
	return found;
}

static void print_report(struct dmaheap_buf *buf, const char *heap, bool picked,
			 size_t requested, size_t page, const struct timings *t)
{
	size_t pages = dmaheap_buf_size(buf) / page;
	char text[64], name[256];

	printf("heap:       %s%s\n", heap, picked ? " (chosen by auto)" : "");
	format_size(text, sizeof(text), requested);
	printf("requested:  %s\n", text);
	format_size(text, sizeof(text), dmaheap_buf_size(buf));
	printf("size:       %s, %zu page%s of %zu bytes\n", text, pages,
	       pages == 1 ? "" : "s", page);
	if (read_buf_name(dmaheap_buf_fd(buf), name, sizeof(name)))
		printf("name:       %s\n", name);
	else
		printf("name:       (the kernel did not report one)\n");
	format_duration(text, sizeof(text), t->alloc);
	printf("alloc:      %s\n", text);
	format_duration(text, sizeof(text), t->map);
	printf("map:        %s\n", text);
	format_duration(text, sizeof(text), t->touch);
	printf("touch:      %s (one byte written per page)\n", text);
	format_duration(text, sizeof(text), t->verify);
	printf("verify:     %s (one byte read per page)\n", text);
	format_duration(text, sizeof(text), t->sync);
	printf("sync:       %s (begin/end CPU access, write then read)\n", text);
}

/* Maps the buffer, writes and verifies every page, unmaps; 0 or -1. */
static int exercise(struct dmaheap_buf *buf, size_t page, struct timings *t)
{
	uint64_t start = now_ns();
	void *addr;
	int r, ret;

	r = dmaheap_buf_map(buf, &addr);
	t->map = now_ns() - start;
	if (r < 0) {
		fail(r, "map the buffer");
		return -1;
	}
	ret = write_pages(buf, addr, page, t);
	if (ret == 0)
		ret = verify_pages(buf, addr, page, t);
	r = dmaheap_buf_unmap(buf);
	if (r < 0) {
		fail(r, "unmap the buffer");
		ret = -1;
	}
	return ret;
}

/* Allocates, exercises and reports; returns an exit status. */
static int try_alloc(struct dmaheap_ctx *ctx, const char *heap, bool picked,
		     size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct timings t = { 0 };
	struct dmaheap_buf *buf;
	uint64_t start = now_ns();
	int r, status = STATUS_FAILED;

	r = dmaheap_alloc(ctx, heap, size, 0, &buf);
	t.alloc = now_ns() - start;
	if (r < 0) {
		fail(r, "allocate %zu bytes from heap '%s'", size, heap);
		if (is_permission_error(r))
			print_access_hint(is_udmabuf(heap));
		return STATUS_FAILED;
	}
	if (exercise(buf, page, &t) == 0) {
		print_report(buf, heap, picked, size, page, &t);
		status = STATUS_OK;
	}
	dmaheap_buf_free(buf);
	return status;
}

static int run_alloc(struct dmaheap_ctx *ctx, int argc, char **argv)
{
	const char *heap = argv[0], *why;
	char picked[NAME_MAX + 1];
	size_t size;
	int status;

	(void)argc;
	why = parse_size(argv[1], &size);
	if (why) {
		fprintf(stderr, "dmaheap: invalid size '%s': %s\n", argv[1], why);
		return STATUS_USAGE;
	}
	if (strcmp(heap, "auto") == 0) {
		status = pick_heap(ctx, picked, sizeof(picked));
		heap = picked;
	} else {
		status = check_heap(ctx, heap);
	}
	if (status != STATUS_OK)
		return status;
	return try_alloc(ctx, heap, heap == picked, size);
}

const struct command cmd_alloc = {
	.name = "alloc",
	.synopsis = "HEAP SIZE",
	.help =
	"  alloc HEAP SIZE  allocate SIZE bytes from HEAP, map the buffer, write\n"
	"                   and read back every page and report the times taken;\n"
	"                   HEAP \"auto\" takes the first usable heap the usage\n"
	"                   policy offers for CPU access (built in: system,\n"
	"                   then udmabuf; see /etc/libdmaheap/policy.conf).\n"
	"                   SIZE is a decimal number of bytes, optionally\n"
	"                   followed by K, M or G (or KiB, MiB, GiB): powers of\n"
	"                   1024. Example: 8M.\n",
	.min_args = 2,
	.max_args = 2,
	.run = run_alloc,
};
