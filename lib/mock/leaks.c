/* SPDX-License-Identifier: MIT */
/*
 * The leak report: what is still held, for a test's teardown check.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mock-private.h"

struct report {
	char *buf;
	size_t len;
	size_t pos;
};

static void MOCK_PRINTF(2, 3) report_add(struct report *rep, const char *fmt,
					 ...)
{
	va_list ap;
	int n;

	if (!rep->buf || rep->pos + 1 >= rep->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(rep->buf + rep->pos, rep->len - rep->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* A cut line leaves pos at the end, so nothing follows it. */
	rep->pos += (size_t)n < rep->len - rep->pos ? (size_t)n :
						      rep->len - rep->pos - 1;
}

static unsigned int sat_add(unsigned int a, unsigned int b)
{
	return a > UINT_MAX - b ? UINT_MAX : a + b;
}

static void leak_buf(const struct mock_obj *o, const struct fd_scan *s,
		     struct dmaheap_mock_leaks *out, struct report *rep)
{
	unsigned int cpu = o->reads > o->writes ? o->reads : o->writes;
	int first = -1;
	size_t fds = dmock_scan_count(s, o, &first);

	if (fds) {
		out->buffers = sat_add(out->buffers, 1);
		report_add(rep,
			   "buffer: heap %s, size %" PRIu64
			   ", name \"%s\": %zu fd(s) open, e.g. %d\n",
			   o->heap->name, o->size, o->name, fds, first);
	}
	if (cpu) {
		/* An RW START raises both counts: count STARTs, not sides. */
		out->cpu_access = sat_add(out->cpu_access, cpu);
		report_add(rep,
			   "cpu access: heap %s, size %" PRIu64
			   ", name \"%s\": %u read and %u write START(s) "
			   "without END\n",
			   o->heap->name, o->size, o->name, o->reads,
			   o->writes);
	}
}

static void leak_node(const struct mock_obj *o, const struct fd_scan *s,
		      struct dmaheap_mock_leaks *out, struct report *rep)
{
	int first = -1;
	size_t fds = dmock_scan_count(s, o, &first);

	if (!fds)
		return;
	out->heap_fds = sat_add(out->heap_fds, 1);
	report_add(rep, "heap fd: heap %s: %zu fd(s) open, e.g. %d\n",
		   o->heap->name, fds, first);
}

static void leak_maps(const struct dmaheap_mock *m,
		      struct dmaheap_mock_leaks *out, struct report *rep)
{
	const struct mock_map *mp;

	for (mp = m->maps; mp; mp = mp->next) {
		out->mappings = sat_add(out->mappings, 1);
		report_add(rep,
			   "mapping: heap %s, size %" PRIu64
			   ", name \"%s\": %zu bytes at %p\n",
			   mp->buf->heap->name, mp->buf->size, mp->buf->name,
			   mp->len, (void *)mp->addr);
	}
}

int dmaheap_mock_leaks(struct dmaheap_mock *mock,
		       struct dmaheap_mock_leaks *out, char *report,
		       size_t report_len)
{
	struct dmaheap_mock_leaks l = { 0, 0, 0, 0 };
	struct report rep = { report_len ? report : NULL, report_len, 0 };
	const struct mock_obj *o;
	struct fd_scan s;
	uint64_t total;
	int r;

	if (!mock || !out)
		return -EINVAL;
	if (rep.buf)
		rep.buf[0] = '\0';
	mock_lock(mock);
	r = dmock_scan_fds(&s);
	if (!r) {
		dmock_prune(mock, &s);
		for (o = mock->objs; o; o = o->next) {
			if (o->kind == OBJ_BUF)
				leak_buf(o, &s, &l, &rep);
			else if (o->kind == OBJ_NODE)
				leak_node(o, &s, &l, &rep);
		}
		leak_maps(mock, &l, &rep);
		free(s.v);
	}
	mock_unlock(mock);
	if (r)
		return r;
	*out = l;
	total = (uint64_t)l.buffers + l.mappings + l.cpu_access + l.heap_fds;
	return total > INT_MAX ? INT_MAX : (int)total;
}
