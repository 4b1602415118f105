/* SPDX-License-Identifier: MIT */
/*
 * dmaheap: list the DMA-BUF heaps of this machine and try allocations.
 *
 * Uses only the public libdmaheap API. Results go to stdout, errors and
 * hints to stderr; the exit status says which kind of failure it was.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dmaheap.h>

/* Exit statuses, as documented in --help. */
enum {
	STATUS_OK = 0,
	STATUS_FAILED = 1,	/* the operation itself failed */
	STATUS_UNUSABLE = 2,	/* no heaps, or the heap cannot be used */
	STATUS_USAGE = 64,	/* EX_USAGE of sysexits.h */
	STATUS_CONTINUE = -1,	/* internal: options parsed, go on */
};

#define DEFAULT_HEAP_DIR "/dev/dma_heap"

struct cli {
	const char *dir;	/* --dir, or NULL for the library's default */
	bool verbose;		/* -v */
};

static const char usage_text[] =
	"usage: dmaheap [OPTIONS] list\n"
	"       dmaheap [OPTIONS] alloc HEAP SIZE\n";

static const char help_text[] =
	"\n"
	"List the Linux DMA-BUF heaps and try allocations from them.\n"
	"\n"
	"Commands:\n"
	"  list             list the heaps and whether each can be opened\n"
	"  alloc HEAP SIZE  allocate SIZE bytes from HEAP, map the buffer, write\n"
	"                   and read back every page and report the times taken;\n"
	"                   HEAP \"auto\" takes the first usable heap the usage\n"
	"                   policy offers for CPU access (built in: system,\n"
	"                   then udmabuf; see /etc/libdmaheap/policy.conf)\n"
	"\n"
	"SIZE is a decimal number of bytes, optionally followed by K, M or G\n"
	"(or KiB, MiB, GiB): powers of 1024. Example: 8M.\n"
	"\n"
	"Options (before the command's operands):\n"
	"      --dir DIR    look for heaps in DIR instead of $DMAHEAP_DIR or\n"
	"                   " DEFAULT_HEAP_DIR "\n"
	"  -v, --verbose    print the library's debug log on stderr\n"
	"  -h, --help       show this help and exit\n"
	"      --version    show the version and exit\n"
	"\n"
	"Exit status:\n"
	"   0  success\n"
	"   1  the operation failed\n"
	"   2  nothing usable: no heap directory, no heaps, no usable heap, or\n"
	"      the named heap is missing or not accessible\n"
	"  64  usage error (EX_USAGE)\n";

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */
/* ------------------------------------------------------------------------ */

/* Our own table: strerrorname_np() is glibc-only. */
static const struct {
	int err;
	const char *name;
} errno_names[] = {
#define E(x) { x, #x }
	E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(EBADF), E(EAGAIN),
	E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV),
	E(ENOTDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ENOSPC),
	E(ERANGE), E(EFBIG), E(ENAMETOOLONG), E(ENOSYS), E(ELOOP), E(EOVERFLOW),
	E(EBADFD), E(EOPNOTSUPP), E(ETIMEDOUT),
#undef E
};

/* Writes "EACCES" (or "errno 123") for a negative errno @r into @buf. */
static const char *errno_name(int r, char *buf, size_t len)
{
	int e = r < 0 ? -r : r;

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == e)
			return errno_names[i].name;
	snprintf(buf, len, "errno %d", e);
	return buf;
}

/* Prints "dmaheap: <what>: <message> (<ERRNO>)" on stderr. */
__attribute__((format(printf, 2, 3)))
static void fail(int r, const char *fmt, ...)
{
	char name[32];
	va_list ap;

	fputs("dmaheap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", dmaheap_strerror(r),
		errno_name(r, name, sizeof(name)));
}

static bool is_permission_error(int r)
{
	return r == -EACCES || r == -EPERM;
}

static void print_access_hint(void)
{
	fflush(stdout);	/* keep the hint after the results it explains */
	fputs("hint: heap nodes are root-only by default. To let a group use them,\n"
	      "      put a udev rule such as\n"
	      "        SUBSYSTEM==\"dma_heap\", GROUP=\"video\", MODE=\"0660\"\n"
	      "      in a file in /etc/udev/rules.d/, apply it with\n"
	      "        udevadm control --reload && "
	      "udevadm trigger --subsystem-match=dma_heap\n"
	      "      and add yourself to that group.\n", stderr);
}

/* Library log lines, for -v. */
static void log_to_stderr(void *userdata, int priority, const char *msg)
{
	static const char *const names[] = {
		[DMAHEAP_LOG_ERR] = "error",
		[DMAHEAP_LOG_WARNING] = "warning",
		[DMAHEAP_LOG_INFO] = "info",
		[DMAHEAP_LOG_DEBUG] = "debug",
	};
	const char *name = NULL;

	(void)userdata;
	if (priority >= 0 && priority < (int)(sizeof(names) / sizeof(names[0])))
		name = names[priority];
	fprintf(stderr, "libdmaheap %s: %s\n", name ? name : "log", msg);
}

/* ------------------------------------------------------------------------ */
/* Sizes and times                                                          */
/* ------------------------------------------------------------------------ */

/*
 * Parses a SIZE operand into *@out. Returns NULL, or why it is invalid.
 * Only digits are accepted up front: strtoull() would take "-5" as a huge
 * number and skip leading blanks.
 */
static const char *parse_size(const char *s, size_t *out)
{
	static const struct {
		const char *suffix;
		unsigned int shift;
	} units[] = {
		{ "", 0 }, { "K", 10 }, { "KiB", 10 }, { "M", 20 },
		{ "MiB", 20 }, { "G", 30 }, { "GiB", 30 },
	};
	size_t value = 0;

	if (*s == '\0')
		return "empty size";
	if (*s == '-')
		return "a size cannot be negative";
	if (*s < '0' || *s > '9')
		return "a size starts with a decimal digit";
	for (; *s >= '0' && *s <= '9'; s++) {
		size_t digit = (size_t)(*s - '0');

		if (value > (SIZE_MAX - digit) / 10)
			return "too large";
		value = value * 10 + digit;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].suffix) != 0)
			continue;
		if (value > SIZE_MAX >> units[i].shift)
			return "too large";
		if (value == 0)
			return "the size must be greater than zero";
		*out = value << units[i].shift;
		return NULL;
	}
	return "unknown suffix (use K, M, G, KiB, MiB or GiB)";
}

/* "8388608 bytes (8 MiB)", or just "512 bytes". */
static void format_size(char *buf, size_t len, size_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	const int nunits = (int)(sizeof(units) / sizeof(units[0]));
	double v = (double)bytes;
	int u = -1;

	while (u + 1 < nunits && v >= 1024) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%zu byte%s", bytes, bytes == 1 ? "" : "s");
	else if ((uint64_t)bytes % ((uint64_t)1 << (10 * (u + 1))) == 0)
		snprintf(buf, len, "%zu bytes (%.0f %s)", bytes, v, units[u]);
	else
		snprintf(buf, len, "%zu bytes (%.1f %s)", bytes, v, units[u]);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void format_duration(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000000)
		snprintf(buf, len, "%.1f µs", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
}

/* ------------------------------------------------------------------------ */
/* Heaps                                                                    */
/* ------------------------------------------------------------------------ */

/* Reports a failed dmaheap_heap_list(); returns the exit status. */
static int report_list_error(struct dmaheap_ctx *ctx, int r)
{
	const char *dir = dmaheap_ctx_heap_dir(ctx);

	if (r != -ENOENT) {
		fail(r, "cannot list heaps in %s", dir);
		return r == -ENOTDIR || is_permission_error(r) ?
		       STATUS_UNUSABLE : STATUS_FAILED;
	}
	/* The default directory is missing only if the kernel has no heaps. */
	fprintf(stderr, "dmaheap: no DMA-BUF heaps: %s does not exist%s\n", dir,
		strcmp(dir, DEFAULT_HEAP_DIR) == 0 ?
		" (kernel without CONFIG_DMABUF_HEAPS?)" : "");
	return STATUS_UNUSABLE;
}

static void report_empty_dir(struct dmaheap_ctx *ctx)
{
	fprintf(stderr, "dmaheap: no DMA-BUF heaps: %s is empty\n",
		dmaheap_ctx_heap_dir(ctx));
}

/* Lists the heaps into *@heaps: their number, or -1 with *@status set. */
static int get_heaps(struct dmaheap_ctx *ctx, struct dmaheap_heap_info **heaps,
		     int *status)
{
	int n = dmaheap_heap_list(ctx, heaps);

	if (n < 0) {
		*status = report_list_error(ctx, n);
		return -1;
	}
	if (n == 0) {
		report_empty_dir(ctx);
		dmaheap_heap_list_free(*heaps);
		*status = STATUS_UNUSABLE;
		return -1;
	}
	return n;
}

/* "cached, contiguous (built-in)": what the library knows of a heap. */
static void format_props(char *buf, size_t len, unsigned int props, int source)
{
	static const char *const names[] = { "cached", "uncached", "contiguous",
					     "protected", "udmabuf" };
	static const char *const sources[] = { "unknown", "built-in", "name",
					       "policy file", "API" };
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < 5 && used < len; i++)
		if (props & (1u << i))
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? ", " : "", names[i]);
	if (used < len)
		snprintf(buf + used, len - used, "%s(%s)", used ? " " : "",
			 source >= 0 && source <= 4 ? sources[source] : "?");
}

static int name_width(const struct dmaheap_heap_info *heaps, int n)
{
	int width = 0;

	for (int i = 0; i < n; i++)
		if ((int)strlen(heaps[i].name) > width)
			width = (int)strlen(heaps[i].name);
	return width;
}

static void print_heap_line(const struct dmaheap_heap_info *h, int width)
{
	char props[96], name[32];

	format_props(props, sizeof(props), h->props, h->props_source);
	if (h->error == 0)
		printf("%-*s  ok              %s\n", width, h->name, props);
	else
		printf("%-*s  not accessible  %s: %s (%s)\n", width, h->name,
		       props, dmaheap_strerror(h->error),
		       errno_name(h->error, name, sizeof(name)));
}

/* "alias cma -> reserved   (default_cma_region linux,cma reserved ...)" */
static void print_aliases(struct dmaheap_ctx *ctx)
{
	struct dmaheap_alias_info *aliases;
	int n = dmaheap_alias_list(ctx, &aliases);

	for (int i = 0; i < n; i++)
		printf("alias %s -> %s   (%s)\n", aliases[i].alias,
		       aliases[i].heap ? aliases[i].heap : "none here",
		       aliases[i].members);
	if (n >= 0)
		dmaheap_alias_list_free(aliases);
}

static int cmd_list(struct dmaheap_ctx *ctx, char **args)
{
	struct dmaheap_heap_info *heaps;
	int n, status, width, usable = 0;
	bool denied = false;

	(void)args;
	n = get_heaps(ctx, &heaps, &status);
	if (n < 0)
		return status;
	width = name_width(heaps, n);
	for (int i = 0; i < n; i++) {
		print_heap_line(&heaps[i], width);
		usable += heaps[i].error == 0;
		denied |= is_permission_error(heaps[i].error);
	}
	dmaheap_heap_list_free(heaps);
	print_aliases(ctx);
	if (denied)
		print_access_hint();
	return usable ? STATUS_OK : STATUS_UNUSABLE;
}

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
	if (r == -ENOENT)
		return report_missing_heap(ctx, heap);
	fail(r, "cannot open heap '%s' in %s", heap, dmaheap_ctx_heap_dir(ctx));
	if (is_permission_error(r))
		print_access_hint();
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
	bool denied = false;

	if (n < 0) {
		fail(n, "ask the heap policy");
		return STATUS_FAILED;
	}
	for (int i = 0; i < n; i++) {
		denied |= is_permission_error(plan[i].error);
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
	if (denied)
		print_access_hint();
	return STATUS_UNUSABLE;
}

/* ------------------------------------------------------------------------ */
/* alloc                                                                    */
/* ------------------------------------------------------------------------ */

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
			print_access_hint();
		return STATUS_FAILED;
	}
	if (exercise(buf, page, &t) == 0) {
		print_report(buf, heap, picked, size, page, &t);
		status = STATUS_OK;
	}
	dmaheap_buf_free(buf);
	return status;
}

static int cmd_alloc(struct dmaheap_ctx *ctx, char **args)
{
	const char *heap = args[0], *why;
	char picked[NAME_MAX + 1];
	size_t size;
	int status;

	why = parse_size(args[1], &size);
	if (why) {
		fprintf(stderr, "dmaheap: invalid size '%s': %s\n", args[1], why);
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

/* ------------------------------------------------------------------------ */
/* Command line                                                             */
/* ------------------------------------------------------------------------ */

static const struct command {
	const char *name;
	int args;	/* exact number of operands */
	int (*run)(struct dmaheap_ctx *ctx, char **args);
} commands[] = {
	{ "list", 0, cmd_list },
	{ "alloc", 2, cmd_alloc },
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dmaheap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%sTry 'dmaheap --help' for more.\n", usage_text);
	return STATUS_USAGE;
}

/*
 * Parses options from @argv[1] on, stopping at the first operand ("+"), so
 * that "alloc system -5" reaches the size parser. Returns STATUS_CONTINUE,
 * or an exit status for --help, --version and errors.
 */
static int parse_options(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* 0, not 1: makes glibc and musl reset getopt for a second pass. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cli->dir = optarg;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'h':
			printf("%s%s", usage_text, help_text);
			return STATUS_OK;
		case 'V':
			printf("dmaheap %d.%d.%d\n",
			       DMAHEAP_VERSION_NUMBER / 10000,
			       DMAHEAP_VERSION_NUMBER / 100 % 100,
			       DMAHEAP_VERSION_NUMBER % 100);
			return STATUS_OK;
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			/* optopt is 0 for an unknown long option. */
			if (optopt)
				return usage_error("unknown option '-%c'",
						   optopt);
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	return STATUS_CONTINUE;
}

static int make_ctx(const struct cli *cli, struct dmaheap_ctx **ctx)
{
	struct dmaheap_options opts = DMAHEAP_OPTIONS_INIT;
	int r;

	opts.heap_dir = cli->dir;
	if (cli->verbose) {
		opts.log_fn = log_to_stderr;
		opts.log_priority = DMAHEAP_LOG_DEBUG;
	}
	r = dmaheap_ctx_new_with(&opts, ctx);
	if (r == -EINVAL && cli->dir) {
		fprintf(stderr, "dmaheap: invalid heap directory '%s'\n",
			cli->dir);
		return STATUS_USAGE;
	}
	if (r < 0) {
		fail(r, "cannot create a context");
		return STATUS_FAILED;
	}
	return STATUS_OK;
}

static int run(const struct command *cmd, const struct cli *cli, char **args)
{
	struct dmaheap_ctx *ctx;
	int status = make_ctx(cli, &ctx);

	if (status != STATUS_OK)
		return status;
	status = cmd->run(ctx, args);
	dmaheap_ctx_free(ctx);
	return status;
}

int main(int argc, char **argv)
{
	struct cli cli = { NULL, false };
	const struct command *cmd = NULL;
	int status, first;

	status = parse_options(argc, argv, &cli);
	if (status != STATUS_CONTINUE)
		return status;
	if (optind >= argc)
		return usage_error("no command given");
	first = optind;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[first], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd)
		return usage_error("unknown command '%s'", argv[first]);
	/* Options may also follow the command name: "dmaheap list -v". */
	status = parse_options(argc - first, argv + first, &cli);
	if (status != STATUS_CONTINUE)
		return status;
	if (argc - first - optind != cmd->args)
		return usage_error("wrong number of operands for '%s'",
				   cmd->name);
	return run(cmd, &cli, argv + first + optind);
}
