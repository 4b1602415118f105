/* SPDX-License-Identifier: MIT */
/*
 * dmaheap stat fuzzer: the input decodes into the mock's fake procfs (up to
 * 6 processes, each live, gone or unreadable, with fds whose fdinfo is
 * either raw bytes or a dma-buf's fields with fuzzed values, some closing
 * mid-scan, and a maps text of raw or dma-buf lines), which
 * dmaheap_stat_scan() then reads through the public API, for every process
 * and for one.
 *
 * Checks: the scan succeeds (nothing in procfs may fail it); every count
 * agrees with the others (each buffer once, sorted, holders, PSS, groups,
 * totals); the one-process scan says the same of that process as the full
 * one, or -ESRCH / -EACCES for a gone or unreadable one; no fd or mock
 * object leaks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

#include "dmaheap-mock.h"
#include "dmaheap.h"
#include "fuzz.h"

#define MAX_PROCS 6
#define MAX_FDS 6
#define MAX_LINES 6

struct fake {
	int pids[MAX_PROCS];
	int states[MAX_PROCS];
	size_t n;
	unsigned int vanishing_fds;
};

/* A dma-buf's fdinfo, with fuzzed fields; some lines left out or bent. */
static void fdinfo_text(struct fz_reader *r, char *out, size_t len)
{
	char exp[64], name[64];
	unsigned int shape = fz_u8(r);
	unsigned int ino = fz_u8(r) % 8 + 1;
	uint32_t size = fz_u32(r);
	int n;

	fz_bytes(r, exp, 40);
	fz_bytes(r, name, 40);
	n = snprintf(out, len, "pos:\t0\nflags:\t02\nmnt_id:\t9\n");
	if (!(shape & 1))
		n += snprintf(out + n, len - (size_t)n, "ino:\t%u\n", ino);
	if (!(shape & 2))
		n += snprintf(out + n, len - (size_t)n, "size:\t%" PRIu32 "\n",
			      size);
	n += snprintf(out + n, len - (size_t)n, "count:\t1\nexp_name:\t%s\n",
		      exp);
	if (shape & 4)
		n += snprintf(out + n, len - (size_t)n, "name:\t%s\n", name);
	if (shape & 8) /* the same buffer seen twice in one file */
		snprintf(out + n, len - (size_t)n, "ino:\t%u\n", ino + 1);
}

static void add_fds(struct dmaheap_mock *m, struct fz_reader *r, int pid,
		    struct fake *f)
{
	unsigned int nfds = fz_u8(r) % (MAX_FDS + 1);
	char text[512];

	for (unsigned int i = 0; i < nfds; i++) {
		int fd = fz_u8(r) % 16;
		unsigned int how = fz_u8(r);

		if (how % 4 == 0)
			fz_bytes(r, text, 255);
		else
			fdinfo_text(r, text, sizeof(text));
		fz_check(dmaheap_mock_proc_set_fd(m, pid, fd, text) == 0,
			 "set fd");
		if (how % 16 == 1 && dmaheap_mock_proc_vanish_fd(m, pid, fd) == 0)
			f->vanishing_fds++;
	}
}

static void add_maps(struct dmaheap_mock *m, struct fz_reader *r, int pid)
{
	unsigned int nlines = fz_u8(r) % (MAX_LINES + 1);
	char maps[MAX_LINES * 320 + 1], raw[256], name[64];
	size_t used = 0;

	maps[0] = '\0';
	for (unsigned int i = 0; i < nlines; i++) {
		unsigned int how = fz_u8(r);
		uint32_t start = fz_u32(r), len = fz_u32(r), off = fz_u32(r);

		if (how % 4 == 0) {
			fz_bytes(r, raw, 255);
			used += (size_t)snprintf(maps + used, sizeof(maps) - used,
						 "%s%s", raw, how & 4 ? "\n" : "");
			continue;
		}
		fz_bytes(r, name, 40);
		used += (size_t)snprintf(maps + used, sizeof(maps) - used,
			"%" PRIx64 "-%" PRIx64 " rw-s %08" PRIx32
			" 00:0d %u                 /dmabuf:%s\n",
			(uint64_t)start << 12,
			((uint64_t)start << 12) + ((uint64_t)len << (how & 8 ? 0 : 12)),
			off, fz_u8(r) % 8 + 1, name);
	}
	fz_check(dmaheap_mock_proc_set_maps(m, pid, maps) == 0, "set maps");
}

static void build(struct dmaheap_mock *m, struct fz_reader *r, struct fake *f)
{
	unsigned int nprocs = fz_u8(r) % (MAX_PROCS + 1);

	for (unsigned int i = 0; i < nprocs; i++) {
		int pid = fz_u8(r) % 12 + 1;
		int state = fz_u8(r) % 8;
		char comm[32];

		fz_bytes(r, comm, 20);
		if (dmaheap_mock_proc_add(m, pid, comm) != 0)
			continue; /* the pid was taken */
		add_fds(m, r, pid, f);
		add_maps(m, r, pid);
		state = state == 6 ? DMAHEAP_MOCK_PROC_GONE :
			state == 7 ? DMAHEAP_MOCK_PROC_NO_ACCESS :
				     DMAHEAP_MOCK_PROC_LIVE;
		fz_check(dmaheap_mock_proc_set_state(m, pid, state) == 0,
			 "state");
		f->pids[f->n] = pid;
		f->states[f->n++] = state;
	}
}

static void check_groups(const struct dmaheap_stat *st,
			 const struct dmaheap_stat_group *g, size_t n)
{
	size_t bufs = 0;
	uint64_t bytes = 0;

	for (size_t i = 0; i < n; i++) {
		fz_check(g[i].buffers > 0, "empty group");
		fz_check(i == 0 || strcmp(g[i - 1].key, g[i].key) < 0,
			 "groups not sorted or repeated");
		bufs += g[i].buffers;
		bytes += g[i].bytes;
	}
	fz_check(bufs == st->n_bufs && bytes == st->bytes,
		 "groups hold %zu buffers, %" PRIu64 " bytes", bufs, bytes);
}

static void check_proc(const struct dmaheap_stat *st,
		       const struct dmaheap_stat_proc *p)
{
	uint64_t bytes = 0, pss = 0;

	fz_check(p->n_bufs > 0 && p->fds + p->mappings >= p->n_bufs,
		 "process %d: %zu buffers by %u fds, %u mappings", p->pid,
		 p->n_bufs, p->fds, p->mappings);
	for (size_t k = 0; k < p->n_bufs; k++) {
		const struct dmaheap_stat_buf *b;

		fz_check(p->bufs[k] < st->n_bufs, "index out of range");
		fz_check(k == 0 || p->bufs[k - 1] < p->bufs[k],
			 "process buffers not sorted or repeated");
		b = &st->bufs[p->bufs[k]];
		bytes += b->size;
		pss += b->size / b->processes;
	}
	fz_check(bytes == p->bytes && pss == p->pss && p->pss <= p->bytes,
		 "process %d: size %" PRIu64 " pss %" PRIu64, p->pid,
		 p->bytes, p->pss);
}

/* Every figure agrees with the others. @full: a scan of every process,
 * not one, so the holders it counts are the processes it lists. */
static void check_stat(const struct dmaheap_stat *st, const struct fake *f,
		       bool full)
{
	size_t holders = 0, held = 0;
	uint64_t bytes = 0;

	fz_check(st->n_procs <= f->n, "%zu processes of %zu", st->n_procs,
		 f->n);
	for (size_t i = 0; i < st->n_bufs; i++) {
		const struct dmaheap_stat_buf *b = &st->bufs[i];

		fz_check(i == 0 || st->bufs[i - 1].inode < b->inode,
			 "buffers not sorted or repeated");
		fz_check(b->processes >= 1 &&
			 (!full || b->processes <= st->n_procs),
			 "buffer %" PRIu64 ": %u holders", b->inode,
			 b->processes);
		fz_check(b->fds + b->mappings >= b->processes, "holdings");
		fz_check(b->fds > 0 || !*b->exporter, "mapped-only exporter");
		holders += b->processes;
		bytes += b->size;
	}
	fz_check(bytes == st->bytes, "total");
	for (size_t i = 0; i < st->n_procs; i++) {
		fz_check(i == 0 || st->procs[i - 1].pid < st->procs[i].pid,
			 "processes not sorted");
		check_proc(st, &st->procs[i]);
		held += st->procs[i].n_bufs;
	}
	fz_check(!full || held == holders, "holdings %zu, holders %zu", held,
		 holders);
	fz_check(st->vanished <= f->vanishing_fds + f->n &&
		 st->unreadable <= f->n, "vanished %u, unreadable %u",
		 st->vanished, st->unreadable);
	check_groups(st, st->exporters, st->n_exporters);
	check_groups(st, st->names, st->n_names);
}

static const struct dmaheap_stat_proc *find(const struct dmaheap_stat *st,
					    int pid)
{
	for (size_t i = 0; i < st->n_procs; i++)
		if (st->procs[i].pid == pid)
			return &st->procs[i];
	return NULL;
}

/* The one-process scan against the full one. */
static void check_one(struct dmaheap_ctx *ctx, const char *proc,
		      const struct fake *f, unsigned int which,
		      const struct dmaheap_stat *all)
{
	const struct dmaheap_stat_proc *a, *b;
	struct dmaheap_stat *one = NULL;
	int pid = f->pids[which], r;

	r = dmaheap_stat_scan(ctx, proc, pid, &one);
	if (f->states[which] == DMAHEAP_MOCK_PROC_GONE) {
		fz_check(r == -ESRCH, "gone process %d: %d", pid, r);
		return;
	}
	if (f->states[which] == DMAHEAP_MOCK_PROC_NO_ACCESS) {
		fz_check(r == -EACCES, "unreadable process %d: %d", pid, r);
		return;
	}
	fz_check(r == 0, "scan of process %d: %d", pid, r);
	check_stat(one, f, false);
	a = find(all, pid);
	b = find(one, pid);
	fz_check(one->n_procs == (a ? 1u : 0u), "one-process scan");
	if (a)
		fz_check(b && a->bytes == b->bytes && a->pss == b->pss &&
			 a->n_bufs == b->n_bufs && one->n_bufs == a->n_bufs,
			 "process %d differs alone", pid);
	dmaheap_stat_free(one);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct fz_reader r = { data, size };
	struct dmaheap_mock_leaks leaks;
	struct dmaheap_stat *st = NULL;
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx = NULL;
	struct fake f = { .n = 0 };
	int fds = count_open_fds(), ret;
	unsigned int which = fz_u8(&r);
	char report[512];

	fz_check(dmaheap_mock_new(&mock) == 0, "mock");
	dmaheap_mock_options(mock, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	fz_check(dmaheap_ctx_new_with(&o, &ctx) == 0, "context");
	build(mock, &r, &f);
	ret = dmaheap_stat_scan(ctx, dmaheap_mock_proc_dir(mock), 0, &st);
	fz_check(ret == 0, "scan: %d", ret);
	check_stat(st, &f, true);
	if (f.n)
		check_one(ctx, dmaheap_mock_proc_dir(mock), &f, which % f.n,
			  st);
	dmaheap_stat_free(st);
	dmaheap_ctx_free(ctx);
	ret = dmaheap_mock_leaks(mock, &leaks, report, sizeof(report));
	fz_check(ret == 0, "mock reports %d leaks:\n%s", ret, report);
	dmaheap_mock_free(mock);
	fz_check(count_open_fds() == fds, "fd leak");
	return 0;
}
