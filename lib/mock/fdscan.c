/* SPDX-License-Identifier: MIT */
/*
 * Liveness: which objects some fd of the process still refers to, found
 * by scanning the fd table.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "mock-private.h"

static int scan_add(struct fd_scan *s, int fd, const struct stat *st)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct fd_key *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].dev = st->st_dev;
	s->v[s->n].ino = st->st_ino;
	s->v[s->n].fd = fd;
	s->n++;
	return 0;
}

static int scan_proc(struct fd_scan *s)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	struct stat st;
	int r = 0;

	if (!d)
		return neg_errno();
	while (!r && (de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd < 0 || fd > INT_MAX ||
		    fd == dirfd(d))
			continue;
		/* Through the fd's link in /proc, not the fd: other threads
		 * close their fds while this runs, and a scan that used the
		 * number would race with them. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue; /* closed meanwhile */
		r = scan_add(s, (int)fd, &st);
	}
	closedir(d);
	return r;
}

/* Without /proc: try every fd number below the limit (the numbers are all
 * there is; a concurrent close makes fstat() fail or see the new file). */
static int scan_numbers(struct fd_scan *s)
{
	struct rlimit rl;
	rlim_t max = MOCK_SCAN_FALLBACK_MAX;
	struct stat st;
	int fd, r = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max)
		max = rl.rlim_cur;
	for (fd = 0; !r && (rlim_t)fd < max; fd++)
		if (fstat(fd, &st) == 0)
			r = scan_add(s, fd, &st);
	return r;
}

static int key_cmp(const void *a, const void *b)
{
	const struct fd_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

int dmock_scan_fds(struct fd_scan *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	r = scan_proc(s);
	if (r == -ENOMEM)
		return r;
	if (r) {
		s->n = 0;
		r = scan_numbers(s);
	}
	if (r) {
		free(s->v);
		return r;
	}
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), key_cmp);
	return 0;
}

/* How many scanned fds refer to @o; *first gets the lowest of them. */
size_t dmock_scan_count(const struct fd_scan *s, const struct mock_obj *o,
			int *first)
{
	struct fd_key k = { o->dev, o->ino, INT_MIN };
	size_t lo = 0, hi = s->n, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(&s->v[mid], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n && s->v[lo].dev == o->dev && s->v[lo].ino == o->ino;
	     lo++) {
		/* The memfd a udmabuf shares is not the dma-buf. */
		if (o->tag && dmock_desc_tag(s->v[lo].fd) != o->tag)
			continue;
		if (!n && first)
			*first = s->v[lo].fd;
		n++;
	}
	return n;
}

/* Forgets the objects no fd and no tracked mapping holds any more. */
void dmock_prune(struct dmaheap_mock *m, const struct fd_scan *s)
{
	struct mock_obj *o = m->objs;

	while (o) {
		struct mock_obj *next = o->next;

		if (!o->maps && !dmock_scan_count(s, o, NULL))
			dmock_obj_remove(m, o);
		o = next;
	}
}

int dmock_sweep(struct dmaheap_mock *m)
{
	struct fd_scan s;
	int r = dmock_scan_fds(&s);

	if (r)
		return r;
	dmock_prune(m, &s);
	free(s.v);
	m->sweep_at = m->nobjs * 2 > MOCK_SWEEP_MIN ? m->nobjs * 2 :
						       MOCK_SWEEP_MIN;
	return 0;
}
