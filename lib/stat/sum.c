/* SPDX-License-Identifier: MIT */
/*
 * Summing the holdings a scan found into struct dmaheap_stat: each buffer
 * once, each process with its proportional share, the groups per exporter
 * and per name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stat.h"

/* A holding, reduced to which process holds which buffer, and how. */
struct holding {
	int pid;
	bool mapping;
	size_t buf;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct dmaheap_stat_rec *x = a, *y = b;

	if (x->ino != y->ino)
		return cmp_u64(x->ino, y->ino);
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (int)x->mapping - (int)y->mapping;
}

static int cmp_holding(const void *a, const void *b)
{
	const struct holding *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->buf != y->buf)
		return x->buf < y->buf ? -1 : 1;
	return (int)x->mapping - (int)y->mapping;
}

static int cmp_comm(const void *a, const void *b)
{
	const struct dmaheap_stat_comm *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void dmaheap_stat_recs_clear(struct dmaheap_stat_recs *recs)
{
	for (size_t i = 0; i < recs->n; i++) {
		free(recs->v[i].exporter);
		free(recs->v[i].name);
	}
	free(recs->v);
	memset(recs, 0, sizeof(*recs));
}

/* The buffer of the holdings recs[first, end): one inode. An fd's fdinfo
 * knows the size, exporter and name; mappings only a name and how far
 * they reach. */
static int make_buf(const struct dmaheap_stat_rec *r, size_t n,
		    struct dmaheap_stat_buf *b)
{
	const char *exporter = NULL, *name = NULL, *map_name = NULL;
	uint64_t fd_size = 0, map_end = 0;

	memset(b, 0, sizeof(*b));
	b->inode = r[0].ino;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || r[i].pid != r[i - 1].pid)
			b->processes++;
		if (r[i].mapping) {
			b->mappings++;
			map_end = r[i].size > map_end ? r[i].size : map_end;
			if (!map_name || !*map_name)
				map_name = r[i].name;
			continue;
		}
		b->fds++;
		fd_size = r[i].size > fd_size ? r[i].size : fd_size;
		if (!exporter)
			exporter = r[i].exporter;
		if (!name || !*name)
			name = r[i].name;
	}
	b->size = b->fds ? fd_size : map_end;
	b->exporter = strdup(exporter ? exporter : "");
	b->name = strdup(name && *name ? name : map_name ? map_name : "");
	return b->exporter && b->name ? 0 : -ENOMEM;
}

static void free_bufs(struct dmaheap_stat_buf *bufs, size_t n)
{
	for (size_t i = 0; bufs && i < n; i++) {
		free((char *)bufs[i].exporter);
		free((char *)bufs[i].name);
	}
	free(bufs);
}

/* One buffer per inode, in inode order; @of[i] receives recs[i]'s. */
static int make_bufs(struct dmaheap_stat_recs *recs, struct dmaheap_stat *st,
		     size_t *of)
{
	struct dmaheap_stat_buf *bufs = NULL;
	size_t n = 0;
	int r = 0;

	if (recs->n)
		qsort(recs->v, recs->n, sizeof(*recs->v), cmp_rec);
	if (recs->n && !(bufs = calloc(recs->n, sizeof(*bufs))))
		return -ENOMEM;
	for (size_t i = 0, end; i < recs->n && !r; i = end, n++) {
		for (end = i + 1; end < recs->n; end++)
			if (recs->v[end].ino != recs->v[i].ino)
				break;
		for (size_t k = i; k < end; k++)
			of[k] = n;
		r = make_buf(&recs->v[i], end - i, &bufs[n]);
	}
	st->bufs = bufs;
	st->n_bufs = n;
	return r;
}

static const char *comm_of(const struct dmaheap_stat_comm *comms, size_t n,
			   int pid)
{
	struct dmaheap_stat_comm key = { .pid = pid };
	const struct dmaheap_stat_comm *c =
		n ? bsearch(&key, comms, n, sizeof(*comms), cmp_comm) : NULL;

	return c && c->comm ? c->comm : "";
}

/* The process of holdings h[0, n): one pid, sorted by buffer. */
static int make_proc(const struct holding *h, size_t n,
		     const struct dmaheap_stat *st, const char *comm,
		     struct dmaheap_stat_proc *p)
{
	size_t *idx = malloc(n * sizeof(*idx));

	memset(p, 0, sizeof(*p));
	p->pid = h[0].pid;
	p->comm = strdup(comm);
	p->bufs = idx;
	if (!idx || !p->comm)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct dmaheap_stat_buf *b = &st->bufs[h[i].buf];

		if (h[i].mapping)
			p->mappings++;
		else
			p->fds++;
		if (i > 0 && h[i].buf == h[i - 1].buf)
			continue;
		idx[p->n_bufs++] = h[i].buf;
		p->bytes += b->size;
		p->pss += b->size / b->processes;
	}
	return 0;
}

static void free_proc(struct dmaheap_stat_proc *p)
{
	free((char *)p->comm);
	free((size_t *)p->bufs);
}

static void free_procs(struct dmaheap_stat_proc *procs, size_t n)
{
	for (size_t i = 0; procs && i < n; i++)
		free_proc(&procs[i]);
	free(procs);
}

static int make_procs(const struct dmaheap_stat_recs *recs, const size_t *of,
		      const struct dmaheap_stat_comm *comms, size_t n_comms,
		      struct dmaheap_stat *st)
{
	struct holding *h = recs->n ? malloc(recs->n * sizeof(*h)) : NULL;
	struct dmaheap_stat_proc *procs = NULL;
	size_t n = 0;
	int r = 0;

	if (recs->n && (!h || !(procs = calloc(recs->n, sizeof(*procs))))) {
		free(h);
		return -ENOMEM;
	}
	for (size_t i = 0; i < recs->n; i++)
		h[i] = (struct holding){ recs->v[i].pid, recs->v[i].mapping,
					 of[i] };
	if (recs->n)
		qsort(h, recs->n, sizeof(*h), cmp_holding);
	for (size_t i = 0, end; i < recs->n && !r; i = end, n++) {
		for (end = i + 1; end < recs->n; end++)
			if (h[end].pid != h[i].pid)
				break;
		r = make_proc(&h[i], end - i, st,
			      comm_of(comms, n_comms, h[i].pid), &procs[n]);
	}
	free(h);
	st->procs = procs;
	st->n_procs = n;
	return r;
}

/* Keeps only process @pid and the buffers it holds, renumbered. */
static int keep_pid(struct dmaheap_stat *st, int pid)
{
	struct dmaheap_stat_proc *procs = (struct dmaheap_stat_proc *)st->procs;
	struct dmaheap_stat_buf *bufs = (struct dmaheap_stat_buf *)st->bufs;
	struct dmaheap_stat_proc keep;
	size_t *idx, i, k = 0;

	for (i = 0; i < st->n_procs && procs[i].pid != pid; i++)
		;
	if (i == st->n_procs) {
		free_procs(procs, st->n_procs);
		free_bufs(bufs, st->n_bufs);
		st->procs = NULL;
		st->bufs = NULL;
		st->n_procs = st->n_bufs = 0;
		return 0;
	}
	keep = procs[i];
	for (size_t p = 0; p < st->n_procs; p++)
		if (p != i)
			free_proc(&procs[p]);
	/* Its buffers, in inode order, move to the front. */
	idx = (size_t *)keep.bufs;
	for (size_t b = 0; b < st->n_bufs; b++) {
		if (k < keep.n_bufs && idx[k] == b) {
			bufs[k] = bufs[b];
			idx[k] = k;
			k++;
		} else {
			free((char *)bufs[b].exporter);
			free((char *)bufs[b].name);
		}
	}
	procs[0] = keep;
	st->procs = procs;
	st->n_procs = 1;
	st->n_bufs = k;
	return 0;
}

/* Sorting buffers by one of their keys, without globals. */
struct by_key {
	const char *key;
	uint64_t size;
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct by_key *)a)->key,
		      ((const struct by_key *)b)->key);
}

static int make_groups(const struct dmaheap_stat *st, bool names,
		       const struct dmaheap_stat_group **ret, size_t *n_ret)
{
	struct by_key *k = st->n_bufs ? malloc(st->n_bufs * sizeof(*k)) : NULL;
	struct dmaheap_stat_group *g = NULL;
	size_t n = 0;

	if (st->n_bufs && (!k || !(g = calloc(st->n_bufs, sizeof(*g))))) {
		free(k);
		return -ENOMEM;
	}
	for (size_t i = 0; i < st->n_bufs; i++)
		k[i] = (struct by_key){ names ? st->bufs[i].name :
					st->bufs[i].exporter,
					st->bufs[i].size };
	if (st->n_bufs)
		qsort(k, st->n_bufs, sizeof(*k), cmp_key);
	for (size_t i = 0; i < st->n_bufs; i++) {
		if (i == 0 || strcmp(k[i].key, k[i - 1].key) != 0)
			g[n++].key = k[i].key;
		g[n - 1].buffers++;
		g[n - 1].bytes += k[i].size;
	}
	free(k);
	*ret = g;
	*n_ret = n;
	return 0;
}

static int finish(struct dmaheap_stat *st, int pid)
{
	int r = pid ? keep_pid(st, pid) : 0;

	for (size_t i = 0; i < st->n_bufs; i++)
		st->bytes += st->bufs[i].size;
	if (!r)
		r = make_groups(st, false, &st->exporters, &st->n_exporters);
	if (!r)
		r = make_groups(st, true, &st->names, &st->n_names);
	return r;
}

int dmaheap_stat_sum(struct dmaheap_stat_recs *recs,
		     const struct dmaheap_stat_comm *comms, size_t n_comms,
		     int pid, struct dmaheap_stat **ret)
{
	struct dmaheap_stat *st = calloc(1, sizeof(*st));
	size_t *of = recs->n ? malloc(recs->n * sizeof(*of)) : NULL;
	int r = st && (of || !recs->n) ? 0 : -ENOMEM;

	if (!r)
		r = make_bufs(recs, st, of);
	if (!r)
		r = make_procs(recs, of, comms, n_comms, st);
	if (!r)
		r = finish(st, pid);
	free(of);
	if (r) {
		dmaheap_stat_free(st);
		return r;
	}
	*ret = st;
	return 0;
}

DMAHEAP_EXPORT void dmaheap_stat_free(struct dmaheap_stat *stat)
{
	if (!stat)
		return;
	free_procs((struct dmaheap_stat_proc *)stat->procs, stat->n_procs);
	free_bufs((struct dmaheap_stat_buf *)stat->bufs, stat->n_bufs);
	free((struct dmaheap_stat_group *)stat->exporters);
	free((struct dmaheap_stat_group *)stat->names);
	free(stat);
}
