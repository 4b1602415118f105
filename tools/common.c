/* SPDX-License-Identifier: MIT */
/* What the dmaheap subcommands share; see common.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"

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

const char *errno_name(int r, char *buf, size_t len)
{
	int e = r < 0 ? -r : r;

	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == e)
			return errno_names[i].name;
	snprintf(buf, len, "errno %d", e);
	return buf;
}

void fail(int r, const char *fmt, ...)
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

bool is_permission_error(int r)
{
	return r == -EACCES || r == -EPERM;
}

void print_access_hint(bool udmabuf)
{
	fflush(stdout);	/* keep the hint after the results it explains */
	if (udmabuf) {
		fputs("hint: /dev/udmabuf is a misc device, root-only unless a rule\n"
		      "      grants access (systemd 257+ gives console users access).\n"
		      "      To let a group use it, put a udev rule such as\n"
		      "        KERNEL==\"udmabuf\", GROUP=\"video\", MODE=\"0660\"\n"
		      "      in a file in /etc/udev/rules.d/, apply it with\n"
		      "        udevadm control --reload && "
		      "udevadm trigger --sysname-match=udmabuf\n"
		      "      and add yourself to that group.\n", stderr);
		return;
	}
	fputs("hint: heap nodes are root-only by default. To let a group use them,\n"
	      "      put a udev rule such as\n"
	      "        SUBSYSTEM==\"dma_heap\", GROUP=\"video\", MODE=\"0660\"\n"
	      "      in a file in /etc/udev/rules.d/, apply it with\n"
	      "        udevadm control --reload && "
	      "udevadm trigger --subsystem-match=dma_heap\n"
	      "      and add yourself to that group.\n", stderr);
}

bool is_udmabuf(const char *heap)
{
	return strcmp(heap, "udmabuf") == 0;
}

/* ------------------------------------------------------------------------ */
/* Sizes and times                                                          */
/* ------------------------------------------------------------------------ */

/*
 * Only digits are accepted up front: strtoull() would take "-5" as a huge
 * number and skip leading blanks.
 */
const char *parse_size(const char *s, size_t *out)
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
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
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

void format_size(char *buf, size_t len, size_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	const int nunits = (int)ARRAY_SIZE(units);
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

/* The length of the valid UTF-8 sequence at @s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void print_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	fputc('"', f);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void format_duration(char *buf, size_t len, uint64_t ns)
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

int get_heaps(struct dmaheap_ctx *ctx, struct dmaheap_heap_info **heaps,
	      int *status)
{
	int n = dmaheap_heap_list(ctx, heaps);

	if (n < 0) {
		*status = report_list_error(ctx, n);
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "dmaheap: no DMA-BUF heaps: %s is empty\n",
			dmaheap_ctx_heap_dir(ctx));
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
					     "protected", "udmabuf",
					     "memcg-charged" };
	static const char *const sources[] = { "unknown", "built-in", "name",
					       "policy file", "API", "kernel" };
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < ARRAY_SIZE(names) && used < len; i++)
		if (props & (1u << i))
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? ", " : "", names[i]);
	if (used < len)
		snprintf(buf + used, len - used, "%s(%s)", used ? " " : "",
			 source >= 0 && source < (int)ARRAY_SIZE(sources) ?
			 sources[source] : "?");
}

int heap_name_width(const struct dmaheap_heap_info *heaps, int n)
{
	int width = 0;

	for (int i = 0; i < n; i++)
		if ((int)strlen(heaps[i].name) > width)
			width = (int)strlen(heaps[i].name);
	return width;
}

void print_heap_line(const struct dmaheap_heap_info *h, int width)
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
