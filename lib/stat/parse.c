/* SPDX-License-Identifier: MIT */
/*
 * Parsing what procfs says of dma-bufs: a /proc/PID/fdinfo/FD file and a
 * /proc/PID/maps line. Pure functions on text, so that the fuzzer reaches
 * them through the scan with whatever bytes it likes.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "stat.h"

/* A decimal or (@hex) hexadecimal number of the whole of [@s, @s + @len). */
static bool parse_u64(const char *s, size_t len, bool hex, uint64_t *out)
{
	uint64_t v = 0, base = hex ? 16 : 10;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned int)(s[i] - '0');
		else if (hex && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned int)(s[i] - 'a' + 10);
		else
			return false;
		/* No division: the pool parses an fdinfo on every free. */
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return false;
	}
	*out = v;
	return true;
}

/* Copies [@s, @s + @len) as a string; false if it does not fit or holds a
 * NUL (a name with one could not be told from a shorter name). */
static bool copy_text(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap || memchr(s, '\0', len))
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

enum fdinfo_key { KEY_INO, KEY_SIZE, KEY_EXP, KEY_NAME, KEY_REFS, KEY_COUNT };

static int key_of(const char *line, size_t len, size_t *value)
{
	static const char *const keys[KEY_COUNT] = {
		"ino:", "size:", "exp_name:", "name:", "count:"
	};

	for (int k = 0; k < KEY_COUNT; k++) {
		size_t klen = strlen(keys[k]);

		if (len >= klen && memcmp(line, keys[k], klen) == 0) {
			*value = klen;
			while (*value < len && (line[*value] == '\t' ||
						line[*value] == ' '))
				(*value)++;
			return k;
		}
	}
	return -1;
}

static bool fdinfo_field(struct dmaheap_fdinfo *fi, int key, const char *v,
			 size_t len)
{
	switch (key) {
	case KEY_INO:
		return parse_u64(v, len, false, &fi->ino);
	case KEY_SIZE:
		return parse_u64(v, len, false, &fi->size);
	case KEY_EXP:
		return copy_text(fi->exporter, sizeof(fi->exporter), v, len);
	case KEY_REFS:
		return parse_u64(v, len, false, &fi->count);
	default:
		return copy_text(fi->name, sizeof(fi->name), v, len);
	}
}

int dmaheap_fdinfo_parse(const char *text, size_t len,
			 struct dmaheap_fdinfo *fi)
{
	unsigned int seen = 0;
	bool bad = false, bad_refs = false;
	size_t pos = 0;

	/* Not a memset: the two strings are 512 of its 536 bytes. */
	fi->ino = fi->size = fi->count = 0;
	fi->exporter[0] = fi->name[0] = '\0';
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		size_t value;
		int key = key_of(line, llen, &value);

		pos += llen + (nl != NULL);
		if (key < 0)
			continue;
		/* A key twice (a name holding a newline can fake one) leaves
		 * no telling which is true. The kernel prints "count:" before
		 * "exp_name:" and the name last, so a "count:" after
		 * "exp_name:" is a fake too. A bad count is the pool's
		 * business, not the accounting's: it only makes it unknown. */
		if ((seen & (1u << key)) ||
		    (key == KEY_REFS && (seen & (1u << KEY_EXP))) ||
		    !fdinfo_field(fi, key, line + value, llen - value)) {
			if (key == KEY_REFS)
				bad_refs = true;
			else
				bad = true;
		}
		seen |= 1u << key;
	}
	if (bad_refs)
		fi->count = 0;
	if (!(seen & (1u << KEY_EXP)))
		return 0; /* not a dma-buf */
	if (bad || !(seen & (1u << KEY_INO)) || !(seen & (1u << KEY_SIZE)))
		return -EBADMSG;
	return 1;
}

/* The next field of a maps line, separated by one or more spaces. */
static bool next_field(const char **p, const char *end, const char **f,
		       size_t *flen)
{
	while (*p < end && **p == ' ')
		(*p)++;
	*f = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	*flen = (size_t)(*p - *f);
	return *flen > 0;
}

/* "start-end", hexadecimal, start below end. */
static bool parse_range(const char *f, size_t len, uint64_t *bytes)
{
	const char *dash = memchr(f, '-', len);
	uint64_t start, end;

	if (!dash || !parse_u64(f, (size_t)(dash - f), true, &start) ||
	    !parse_u64(dash + 1, len - (size_t)(dash - f) - 1, true, &end) ||
	    end <= start)
		return false;
	*bytes = end - start;
	return true;
}

int dmaheap_maps_parse(const char *line, size_t len, struct dmaheap_mapinfo *mi)
{
	const char *p = line, *end = line + len, *f[5], *path;
	size_t flen[5], plen;

	memset(mi, 0, sizeof(*mi));
	/* range, perms, offset, device, inode; then the path. */
	for (int i = 0; i < 5; i++)
		if (!next_field(&p, end, &f[i], &flen[i]))
			return 0;
	while (p < end && *p == ' ')
		p++;
	path = p;
	plen = (size_t)(end - p);
	if (plen < strlen(DMAHEAP_MAPS_DMABUF) ||
	    memcmp(path, DMAHEAP_MAPS_DMABUF, strlen(DMAHEAP_MAPS_DMABUF)) != 0)
		return 0;
	if (!parse_range(f[0], flen[0], &mi->len) ||
	    !parse_u64(f[2], flen[2], true, &mi->offset) ||
	    !parse_u64(f[4], flen[4], false, &mi->ino) ||
	    mi->offset > UINT64_MAX - mi->len ||
	    !copy_text(mi->name, sizeof(mi->name),
		       path + strlen(DMAHEAP_MAPS_DMABUF),
		       plen - strlen(DMAHEAP_MAPS_DMABUF)))
		return -EBADMSG;
	return 1;
}
