/* SPDX-License-Identifier: MIT */
/*
 * The policy file: lets integrators change heap policy without
 * recompiling. Grammar in dmaheap.h ("Heap policy").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"

#define MAX_FILE (64 * 1024)
#define MAX_WORDS 130 /* keyword, subject, '=', up to 127 more */

static const struct {
	const char *word;
	unsigned int bits;
} prop_words[] = {
	{ "cached", DMAHEAP_PROP_CACHED },
	{ "uncached", DMAHEAP_PROP_UNCACHED },
	{ "contiguous", DMAHEAP_PROP_CONTIGUOUS },
	{ "protected", DMAHEAP_PROP_PROTECTED },
};

#define WORD_BITS(table, w, out) \
	word_bits(table, sizeof(table) / sizeof(table[0]), w, out)

struct line {
	struct dmaheap_ctx *ctx;
	const char *path;
	unsigned int number;
	char *word[MAX_WORDS];
	size_t n;   /* words */
	size_t eq;  /* index of "=" */
};

static int bad_line(const struct line *l, const char *what)
{
	dmaheap_log(l->ctx, DMAHEAP_LOG_ERR, "%s:%u: %s", l->path, l->number,
		    what);
	return -EINVAL;
}

/* Like bad_line(), naming the word at fault. */
static int bad_word(const struct line *l, const char *what, const char *word)
{
	dmaheap_log(l->ctx, DMAHEAP_LOG_ERR, "%s:%u: %s: '%s'", l->path,
		    l->number, what, word);
	return -EINVAL;
}

/* A statement the policy refused: say which line, and why. */
static int refused(const struct line *l, int r)
{
	if (r < 0)
		dmaheap_log(l->ctx, DMAHEAP_LOG_ERR, "%s:%u: %s", l->path,
			    l->number, dmaheap_strerror(r));
	return r;
}

static int word_bits(const void *table, size_t n, const char *w,
		     unsigned int *out)
{
	const struct { const char *word; unsigned int bits; } *t = table;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].word, w) == 0) {
			*out |= t[i].bits;
			return 0;
		}
	}
	return -EINVAL;
}

static int heap_names_after_eq(const struct line *l)
{
	size_t count = l->n - l->eq - 1;

	if (count == 0)
		return bad_line(l, "no heap after '='");
	for (size_t i = l->eq + 1; i < l->n; i++)
		if (!dmaheap_heap_name_valid(l->word[i]))
			return bad_word(l, "invalid heap name", l->word[i]);
	return 0;
}

static int do_rule(const struct line *l)
{
	unsigned int usage = 0, bit;
	int r;

	for (size_t i = 1; i < l->eq; i++) {
		if (dmaheap_usage_from_name(l->word[i], &bit))
			return bad_word(l, "unknown usage word", l->word[i]);
		usage |= bit;
	}
	if (!dmaheap_usage_valid(usage))
		return bad_line(l, "contradictory usage");
	r = heap_names_after_eq(l);
	if (r)
		return r;
	return refused(l, dmaheap_policy_add_rule(l->ctx, usage,
				(const char *const *)&l->word[l->eq + 1],
				l->n - l->eq - 1, true));
}

static int do_heap(const struct line *l)
{
	unsigned int props = 0;

	if (l->eq != 2 || !dmaheap_heap_name_valid(l->word[1]))
		return bad_line(l, "expected: heap NAME = PROP...");
	for (size_t i = 3; i < l->n; i++)
		if (WORD_BITS(prop_words, l->word[i], &props))
			return bad_word(l, "unknown property", l->word[i]);
	if (!dmaheap_props_valid(props))
		return bad_line(l, "cached and uncached at once");
	return refused(l, dmaheap_policy_set_props(l->ctx, l->word[1], props,
						   DMAHEAP_PROPS_CONFIG));
}

/* device DEVICE... = iommu | contiguous */
static int do_device(const struct line *l)
{
	unsigned int devices = 0, bits;
	bool iommu;

	if (l->eq < 2)
		return bad_line(l, "expected: device DEVICE... = iommu|contiguous");
	for (size_t i = 1; i < l->eq; i++) {
		if (dmaheap_usage_from_name(l->word[i], &bits) ||
		    !dmaheap_devices_valid(bits))
			return bad_word(l, "not a device usage (camera-write, "
					"display-scanout, video-decode, "
					"video-encode, gpu-texture, gpu-render)",
					l->word[i]);
		devices |= bits;
	}
	if (l->n != l->eq + 2)
		return bad_line(l, "expected one word after '=': iommu or contiguous");
	if (strcmp(l->word[l->eq + 1], "iommu") == 0)
		iommu = true;
	else if (strcmp(l->word[l->eq + 1], "contiguous") == 0)
		iommu = false;
	else
		return bad_word(l, "expected iommu or contiguous",
				l->word[l->eq + 1]);
	pthread_mutex_lock(&l->ctx->lock);
	dmaheap_device_declare_locked(l->ctx, devices, iommu);
	pthread_mutex_unlock(&l->ctx->lock);
	return 0;
}

static int do_alias(const struct line *l)
{
	int r;

	if (l->eq != 2 || !dmaheap_heap_name_valid(l->word[1]) ||
	    strcmp(l->word[1], DMAHEAP_UDMABUF) == 0)
		return bad_line(l, "expected: alias NAME = HEAP...");
	r = heap_names_after_eq(l);
	if (r)
		return r;
	r = dmaheap_policy_set_alias(l->ctx, l->word[1],
				     (const char *const *)&l->word[3],
				     l->n - 3);
	if (r == -EINVAL)
		return bad_line(l, "aliases do not nest: a member is an alias, "
				   "or this alias is a member of another");
	return refused(l, r);
}

static int split_words(struct line *l, char *text)
{
	char *save = NULL;
	char *hash = strchr(text, '#');

	if (hash)
		*hash = '\0';
	l->n = 0;
	l->eq = 0;
	for (char *w = strtok_r(text, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (l->n == MAX_WORDS)
			return bad_line(l, "line too long");
		if (strcmp(w, "=") == 0 && l->eq == 0)
			l->eq = l->n;
		l->word[l->n++] = w;
	}
	return 0;
}

static int do_line(struct line *l, char *text)
{
	int r = split_words(l, text);

	if (r || l->n == 0)
		return r;
	if (l->eq < 1)
		return bad_line(l, "expected '='");
	if (strcmp(l->word[0], "rule") == 0)
		return l->eq >= 2 ? do_rule(l) : bad_line(l, "rule without usage");
	if (strcmp(l->word[0], "heap") == 0)
		return do_heap(l);
	if (strcmp(l->word[0], "alias") == 0)
		return do_alias(l);
	if (strcmp(l->word[0], "device") == 0)
		return do_device(l);
	return bad_word(l, "unknown statement (rule, heap, alias or device)",
			l->word[0]);
}

/*
 * Opens @path without blocking (a FIFO would wait for a writer) and checks
 * what was opened, not what a stat() saw before: a regular file. An absent
 * file is reported only if it @must_exist.
 */
static int open_regular(struct dmaheap_ctx *ctx, const char *path,
			bool must_exist)
{
	const struct dmaheap_sys *sys = ctx->sys;
	struct stat st;
	int fd, r;

	fd = sys->open(sys, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		       0);
	if (fd < 0) {
		if (fd != -ENOENT || must_exist)
			dmaheap_log(ctx, DMAHEAP_LOG_ERR, "policy file %s: %s",
				    path, dmaheap_strerror(fd));
		return fd;
	}
	r = sys->fstat(sys, fd, &st);
	if (r == 0 && !S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		dmaheap_log(ctx, DMAHEAP_LOG_ERR,
			    "policy file %s: not a regular file", path);
	} else if (r) {
		dmaheap_log(ctx, DMAHEAP_LOG_ERR, "policy file %s: %s", path,
			    dmaheap_strerror(r));
	}
	if (r) {
		sys->close(sys, fd);
		return r;
	}
	return fd;
}

/* Reads the whole file into *@out (NUL-terminated) and its length. */
static int read_file(struct dmaheap_ctx *ctx, const char *path,
		     bool must_exist, char **out, size_t *out_len)
{
	const struct dmaheap_sys *sys = ctx->sys;
	char *text;
	size_t len = 0;
	int fd, n = 0;

	fd = open_regular(ctx, path, must_exist);
	if (fd < 0)
		return fd;
	text = malloc(MAX_FILE + 1);
	if (!text) {
		sys->close(sys, fd);
		return -ENOMEM;
	}
	while (len <= MAX_FILE &&
	       (n = sys->read(sys, fd, text + len, MAX_FILE + 1 - len)) > 0)
		len += (size_t)n;
	sys->close(sys, fd);
	if (n < 0)
		dmaheap_log(ctx, DMAHEAP_LOG_ERR, "policy file %s: %s", path,
			    dmaheap_strerror(n));
	else if (len > MAX_FILE)
		dmaheap_log(ctx, DMAHEAP_LOG_ERR,
			    "policy file %s: larger than %d KiB, the most a policy file may hold",
			    path, MAX_FILE / 1024);
	if (n < 0 || len > MAX_FILE) {
		free(text);
		return n < 0 ? n : -EFBIG;
	}
	text[len] = '\0';
	*out = text;
	*out_len = len;
	return 0;
}

/*
 * A NUL byte would end the text early and hide the rest of the file, bad
 * lines included: refuse the file, naming the line.
 */
static int check_no_nul(const struct line *l, const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	struct line at = *l;

	if (!nul)
		return 0;
	at.number = 1;
	for (const char *p = text; p < nul; p++)
		at.number += *p == '\n';
	return bad_line(&at, "NUL byte (a binary file?)");
}

int dmaheap_config_load(struct dmaheap_ctx *ctx, const char *path,
			bool must_exist)
{
	struct line l = { .ctx = ctx, .path = path };
	char *text, *save = NULL;
	size_t len;
	int r;

	r = read_file(ctx, path, must_exist, &text, &len);
	if (r == -ENOENT && !must_exist)
		return 0;
	if (r)
		return r;
	r = check_no_nul(&l, text, len);
	/* strtok_r would merge empty lines and lose the line numbers. */
	for (char *line = text; line && r == 0; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		l.number++;
		r = do_line(&l, line);
	}
	free(text);
	return r;
}
