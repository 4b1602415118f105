/* SPDX-License-Identifier: MIT */
/*
 * dmaheap_stat_scan() against the mock's fake procfs: counting each buffer
 * once, PSS, the groups, --pid, and what happens when processes and fds
 * vanish, cannot be read or describe buffers in ways not understood.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <unistd.h>

#include "core/sys.h"
#include "testutil.h"

#define KIB 1024u

struct logs {
	int warnings;
	char last[512];
};

static void capture(void *userdata, int priority, const char *msg)
{
	struct logs *l = userdata;

	if (priority <= DMAHEAP_LOG_WARNING) {
		l->warnings++;
		snprintf(l->last, sizeof(l->last), "%s", msg);
	}
}

struct env {
	struct fixture f;
	struct logs logs;
	const char *proc;
};

static int env_setup(void **state)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->f.fds_before = count_open_fds();
	assert_int_equal(dmaheap_mock_new(&e->f.mock), 0);
	dmaheap_mock_options(e->f.mock, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	o.log_fn = capture;
	o.log_userdata = &e->logs;
	o.log_priority = DMAHEAP_LOG_DEBUG;
	assert_int_equal(dmaheap_ctx_new_with(&o, &e->f.ctx), 0);
	e->proc = dmaheap_mock_proc_dir(e->f.mock);
	assert_non_null(e->proc);
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;
	void *f = &e->f;

	fixture_teardown(&f);
	/* fixture_teardown freed e->f's parts and e itself (its first
	 * member). */
	return 0;
}

#define STAT_TEST(fn) cmocka_unit_test_setup_teardown(fn, env_setup, \
						      env_teardown)

/* An fdinfo as the kernel prints it for a dma-buf. */
static const char *fdinfo(char *buf, size_t len, uint64_t ino, uint64_t size,
			  const char *exp, const char *name)
{
	int n = snprintf(buf, len,
			 "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t%" PRIu64
			 "\nsize:\t%" PRIu64 "\ncount:\t1\nexp_name:\t%s\n",
			 ino, size, exp);

	if (name)
		snprintf(buf + n, len - (size_t)n, "name:\t%s\n", name);
	return buf;
}

static void add_fd(struct env *e, int pid, int fd, uint64_t ino,
		   uint64_t size, const char *exp, const char *name)
{
	char text[512];

	assert_int_equal(dmaheap_mock_proc_set_fd(e->f.mock, pid, fd,
			 fdinfo(text, sizeof(text), ino, size, exp, name)), 0);
}

/* A maps line of a dma-buf mapping, padded as the kernel pads it. */
static int map_line(char *buf, size_t len, uint64_t start, uint64_t bytes,
		    uint64_t off, uint64_t ino, const char *name)
{
	return snprintf(buf, len,
			"%012" PRIx64 "-%012" PRIx64 " rw-s %08" PRIx64
			" 00:0d %-26" PRIu64 "  /dmabuf:%s\n", start,
			start + bytes, off, ino, name);
}

static const char *const other_maps =
	"55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1311       /usr/bin/x\n"
	"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0          [stack]\n"
	"7f0000300000-7f0000301000 rw-s 00000000 00:01 77         /memfd:a (deleted)\n";

/*
 * P1 (10): fd 3 on A (shared, system, 8 KiB), fd 4 on B (cma, 4 KiB,
 * unnamed), fd 5 an eventfd. P2 (20): fd 7 on A, and C mapped only (12 KiB,
 * no fd anywhere). P3 (30): no dma-buf.
 */
static void populate(struct env *e)
{
	char maps[1024];
	int n;

	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 10, "cam\n"), 0);
	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 20, "disp\n"), 0);
	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 30, "idle\n"), 0);
	add_fd(e, 10, 3, 100, 8 * KIB, "system", "shared");
	add_fd(e, 10, 4, 200, 4 * KIB, "cma", NULL);
	assert_int_equal(dmaheap_mock_proc_set_fd(e->f.mock, 10, 5,
			 "pos:\t0\nflags:\t02\nmnt_id:\t14\nino:\t1057\n"
			 "eventfd-count:\t0\neventfd-id: 3\n"), 0);
	add_fd(e, 20, 7, 100, 8 * KIB, "system", "shared");
	n = snprintf(maps, sizeof(maps), "%s", other_maps);
	map_line(maps + n, sizeof(maps) - (size_t)n, 0x7f0000000000,
		 12 * KIB, 0, 300, "mapped");
	assert_int_equal(dmaheap_mock_proc_set_maps(e->f.mock, 20, maps), 0);
	assert_int_equal(dmaheap_mock_proc_set_fd(e->f.mock, 30, 0,
			 "pos:\t0\nflags:\t02\nmnt_id:\t25\nino:\t3\n"), 0);
}

static const struct dmaheap_stat_buf *buf_of(const struct dmaheap_stat *st,
					     uint64_t ino)
{
	for (size_t i = 0; i < st->n_bufs; i++)
		if (st->bufs[i].inode == ino)
			return &st->bufs[i];
	fail_msg("no buffer with inode %" PRIu64, ino);
	return NULL;
}

static const struct dmaheap_stat_proc *proc_of(const struct dmaheap_stat *st,
					       int pid)
{
	for (size_t i = 0; i < st->n_procs; i++)
		if (st->procs[i].pid == pid)
			return &st->procs[i];
	fail_msg("no process %d", pid);
	return NULL;
}

static void check_group(const struct dmaheap_stat_group *g, const char *key,
			size_t buffers, uint64_t bytes)
{
	assert_string_equal(g->key, key);
	assert_int_equal(g->buffers, buffers);
	assert_int_equal(g->bytes, bytes);
}

static void test_empty(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->n_procs, 0);
	assert_int_equal(st->n_bufs, 0);
	assert_int_equal(st->n_exporters, 0);
	assert_int_equal(st->n_names, 0);
	assert_int_equal(st->bytes, 0);
	dmaheap_stat_free(st);
	dmaheap_stat_free(NULL);
}

static void test_each_buffer_once(void **state)
{
	struct env *e = *state;
	const struct dmaheap_stat_buf *a, *b, *c;
	struct dmaheap_stat *st = NULL;

	populate(e);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->n_bufs, 3);
	/* By inode. */
	assert_int_equal(st->bufs[0].inode, 100);
	assert_int_equal(st->bufs[2].inode, 300);
	a = buf_of(st, 100);
	b = buf_of(st, 200);
	c = buf_of(st, 300);
	assert_int_equal(a->size, 8 * KIB);
	assert_string_equal(a->exporter, "system");
	assert_string_equal(a->name, "shared");
	assert_int_equal(a->processes, 2);
	assert_int_equal(a->fds, 2);
	assert_int_equal(a->mappings, 0);
	assert_string_equal(b->exporter, "cma");
	assert_string_equal(b->name, "");
	assert_int_equal(b->processes, 1);
	/* Mapped only: its extent, its name from maps, exporter unknown. */
	assert_int_equal(c->size, 12 * KIB);
	assert_string_equal(c->exporter, "");
	assert_string_equal(c->name, "mapped");
	assert_int_equal(c->fds, 0);
	assert_int_equal(c->mappings, 1);
	assert_int_equal(st->bytes, 24 * KIB);
	assert_int_equal(st->unreadable + st->vanished + st->malformed, 0);
	dmaheap_stat_free(st);
}

static void test_pss(void **state)
{
	struct env *e = *state;
	const struct dmaheap_stat_proc *p1, *p2;
	struct dmaheap_stat *st = NULL;

	populate(e);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	/* P3 holds no dma-buf: not listed. */
	assert_int_equal(st->n_procs, 2);
	assert_int_equal(st->procs[0].pid, 10);
	p1 = proc_of(st, 10);
	p2 = proc_of(st, 20);
	assert_string_equal(p1->comm, "cam");
	assert_int_equal(p1->bytes, 12 * KIB);
	assert_int_equal(p1->pss, 4 * KIB + 4 * KIB);
	assert_int_equal(p1->fds, 2);
	assert_int_equal(p1->mappings, 0);
	assert_int_equal(p1->n_bufs, 2);
	assert_int_equal(st->bufs[p1->bufs[0]].inode, 100);
	assert_int_equal(st->bufs[p1->bufs[1]].inode, 200);
	assert_string_equal(p2->comm, "disp");
	assert_int_equal(p2->bytes, 20 * KIB);
	assert_int_equal(p2->pss, 4 * KIB + 12 * KIB);
	assert_int_equal(p2->fds, 1);
	assert_int_equal(p2->mappings, 1);
	/* The shares add up to the total. */
	assert_int_equal(p1->pss + p2->pss, st->bytes);
	dmaheap_stat_free(st);
}

static void test_groups(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	populate(e);
	add_fd(e, 30, 9, 400, 16 * KIB, "system", "shared");
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->n_exporters, 3);
	check_group(&st->exporters[0], "", 1, 12 * KIB);
	check_group(&st->exporters[1], "cma", 1, 4 * KIB);
	check_group(&st->exporters[2], "system", 2, 24 * KIB);
	assert_int_equal(st->n_names, 3);
	check_group(&st->names[0], "", 1, 4 * KIB);
	check_group(&st->names[1], "mapped", 1, 12 * KIB);
	check_group(&st->names[2], "shared", 2, 24 * KIB);
	dmaheap_stat_free(st);
}

/* One process with two fds and a mapping of one buffer holds it once. */
static void test_dup_and_map_count_once(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;
	char maps[512];
	int n;

	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 5, "one\n"), 0);
	add_fd(e, 5, 3, 42, 64 * KIB, "system", NULL);
	add_fd(e, 5, 8, 42, 64 * KIB, "system", NULL);
	n = map_line(maps, sizeof(maps), 0x7f0000000000, 16 * KIB,
		     48 * KIB, 42, "");
	map_line(maps + n, sizeof(maps) - (size_t)n, 0x7f0000100000,
		 64 * KIB, 0, 42, "");
	assert_int_equal(dmaheap_mock_proc_set_maps(e->f.mock, 5, maps), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->n_bufs, 1);
	assert_int_equal(st->bufs[0].processes, 1);
	assert_int_equal(st->bufs[0].fds, 2);
	assert_int_equal(st->bufs[0].mappings, 2);
	assert_int_equal(st->bufs[0].size, 64 * KIB);
	assert_int_equal(st->n_procs, 1);
	assert_int_equal(st->procs[0].n_bufs, 1);
	assert_int_equal(st->procs[0].bytes, 64 * KIB);
	assert_int_equal(st->procs[0].pss, 64 * KIB);
	dmaheap_stat_free(st);
}

/* Mappings alone: the size is how far the furthest reaches. */
static void test_mapped_extent(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;
	char maps[512];
	int n;

	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 5, "one\n"), 0);
	n = map_line(maps, sizeof(maps), 0x7f0000000000, 8 * KIB, 24 * KIB,
		     42, "tail");
	map_line(maps + n, sizeof(maps) - (size_t)n, 0x7f0000100000, 4 * KIB,
		 0, 42, "tail");
	assert_int_equal(dmaheap_mock_proc_set_maps(e->f.mock, 5, maps), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->n_bufs, 1);
	assert_int_equal(st->bufs[0].size, 32 * KIB);
	dmaheap_stat_free(st);
}

static void test_pid_filter(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	populate(e);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 20, &st), 0);
	assert_int_equal(st->n_procs, 1);
	assert_int_equal(st->procs[0].pid, 20);
	/* Its buffers only, renumbered; A's holders still count P1. */
	assert_int_equal(st->n_bufs, 2);
	assert_int_equal(st->bufs[0].inode, 100);
	assert_int_equal(st->bufs[0].processes, 2);
	assert_int_equal(st->bufs[1].inode, 300);
	assert_int_equal(st->procs[0].n_bufs, 2);
	assert_int_equal(st->procs[0].bufs[0], 0);
	assert_int_equal(st->procs[0].bufs[1], 1);
	assert_int_equal(st->procs[0].pss, 16 * KIB);
	assert_int_equal(st->bytes, 20 * KIB);
	assert_int_equal(st->n_exporters, 2);
	dmaheap_stat_free(st);

	/* A process that holds nothing: an empty result. */
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 30, &st), 0);
	assert_int_equal(st->n_procs, 0);
	assert_int_equal(st->n_bufs, 0);
	assert_int_equal(st->n_exporters, 0);
	dmaheap_stat_free(st);
}

static void test_pid_missing_gone_denied(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	populate(e);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 99, &st),
			 -ESRCH);
	assert_null(st);
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 20,
			 DMAHEAP_MOCK_PROC_GONE), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 20, &st),
			 -ESRCH);
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 20,
			 DMAHEAP_MOCK_PROC_NO_ACCESS), 0);
	assert_int_equal(e->logs.warnings, 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 20, &st),
			 -EACCES);
	assert_null(st);
	assert_int_equal(e->logs.warnings, 1);
	assert_non_null(strstr(e->logs.last, "run as root"));
	/* EPERM (ptrace rules) is the same refusal. */
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 20,
			 DMAHEAP_MOCK_PROC_LIVE), 0);
	/* Readdirs: the proc directory, then the fdinfo of each process,
	 * newest first: 30, 20. */
	assert_int_equal(dmaheap_mock_inject(e->f.mock, DMAHEAP_MOCK_READDIR,
					     2, 1, EPERM), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 20, &st),
			 -EACCES);
	assert_int_equal(dmaheap_mock_injected(e->f.mock, NULL), 1);
	assert_int_equal(e->logs.warnings, 2);
	/* Another error of its files comes back as it is. */
	assert_int_equal(dmaheap_mock_inject(e->f.mock, DMAHEAP_MOCK_READDIR,
					     2, 1, EIO), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 20, &st),
			 -EIO);
	assert_null(st);
}

/* A process listed, then gone: left out, the others counted. */
static void test_vanishing_pid(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	populate(e);
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 10,
			 DMAHEAP_MOCK_PROC_GONE), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->vanished, 1);
	assert_int_equal(st->unreadable, 0);
	assert_int_equal(st->n_procs, 1);
	assert_int_equal(st->procs[0].pid, 20);
	/* A is now held by P2 alone. */
	assert_int_equal(buf_of(st, 100)->processes, 1);
	assert_int_equal(st->procs[0].pss, 20 * KIB);
	assert_int_equal(st->n_bufs, 2);
	assert_int_equal(e->logs.warnings, 0);
	dmaheap_stat_free(st);

	/* Reaped: no longer listed, nothing vanished during the scan. */
	assert_int_equal(dmaheap_mock_proc_remove(e->f.mock, 10), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->vanished, 0);
	assert_int_equal(st->n_procs, 1);
	dmaheap_stat_free(st);
}

/* The scanning process always lists the fd of that very listing, closed
 * by the time its fdinfo is read: not counted as vanished. */
static void test_own_listing_fd_not_vanished(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;
	int self = (int)getpid();

	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, self, "me\n"), 0);
	add_fd(e, self, 3, 42, 4 * KIB, "system", NULL);
	add_fd(e, self, 4, 43, 4 * KIB, "system", NULL);
	assert_int_equal(dmaheap_mock_proc_vanish_fd(e->f.mock, self, 4), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->vanished, 0);
	assert_int_equal(st->n_bufs, 1);
	dmaheap_stat_free(st);
}

/* A process that fails part-way (here its maps) is left out whole, not
 * half counted. */
static void test_partial_process_left_out(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 5, "one\n"), 0);
	add_fd(e, 5, 3, 42, 4 * KIB, "system", NULL);
	/* Opens: fdinfo/3, then maps. */
	assert_int_equal(dmaheap_mock_inject(e->f.mock, DMAHEAP_MOCK_OPEN, 1,
					     1, EACCES), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(dmaheap_mock_injected(e->f.mock, NULL), 1);
	assert_int_equal(st->unreadable, 1);
	assert_int_equal(st->n_bufs, 0);
	assert_int_equal(st->n_procs, 0);
	assert_int_equal(e->logs.warnings, 1);
	dmaheap_stat_free(st);
}

static void test_vanishing_fd(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	populate(e);
	assert_int_equal(dmaheap_mock_proc_vanish_fd(e->f.mock, 10, 4), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->vanished, 1);
	assert_int_equal(st->n_bufs, 2); /* A and C; B went with its fd */
	assert_int_equal(proc_of(st, 10)->n_bufs, 1);
	assert_int_equal(proc_of(st, 10)->bytes, 8 * KIB);
	dmaheap_stat_free(st);
	/* Set again, it is back. */
	add_fd(e, 10, 4, 200, 4 * KIB, "cma", NULL);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->vanished, 0);
	assert_int_equal(st->n_bufs, 3);
	dmaheap_stat_free(st);
}

/* Unreadable processes: counted, left out, one warning per scan. */
static void test_unreadable_warns_once(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	populate(e);
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 10,
			 DMAHEAP_MOCK_PROC_NO_ACCESS), 0);
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 30,
			 DMAHEAP_MOCK_PROC_NO_ACCESS), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->unreadable, 2);
	assert_int_equal(st->vanished, 0);
	assert_int_equal(st->n_procs, 1);
	assert_int_equal(st->procs[0].pid, 20);
	assert_int_equal(e->logs.warnings, 1);
	assert_non_null(strstr(e->logs.last, "2 processes"));
	assert_non_null(strstr(e->logs.last, "run as root"));
	assert_non_null(strstr(e->logs.last, e->proc));
	dmaheap_stat_free(st);
	/* Everything readable: no warning. */
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 10,
			 DMAHEAP_MOCK_PROC_LIVE), 0);
	assert_int_equal(dmaheap_mock_proc_set_state(e->f.mock, 30,
			 DMAHEAP_MOCK_PROC_LIVE), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(e->logs.warnings, 1);
	assert_int_equal(st->unreadable, 0);
	dmaheap_stat_free(st);
}

static void test_malformed_fdinfo(void **state)
{
	static const char *const bad[] = {
		/* no ino: */
		"pos:\t0\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n",
		/* no size: */
		"ino:\t5\ncount:\t1\nexp_name:\tsystem\n",
		/* a size that is not a number, or too large */
		"ino:\t5\nsize:\t4k\nexp_name:\tsystem\n",
		"ino:\t5\nsize:\t99999999999999999999\nexp_name:\tsystem\n",
		"ino:\t5\nsize:\t\nexp_name:\tsystem\n",
		/* a key twice (a name with a newline) */
		"ino:\t5\nsize:\t4096\nexp_name:\tsystem\nname:\tx\nino:\t6\n",
		/* an exporter too long to keep */
		NULL,
	};
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;
	char longexp[600];
	size_t n = sizeof(bad) / sizeof(bad[0]);

	snprintf(longexp, sizeof(longexp), "ino:\t5\nsize:\t1\nexp_name:\t%0300d\n",
		 0);
	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 5, "bad\n"), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dmaheap_mock_proc_set_fd(e->f.mock, 5,
				 (int)i, bad[i] ? bad[i] : longexp), 0);
	/* A good one next to them, and one without a final newline. */
	add_fd(e, 5, 50, 77, 4 * KIB, "system", NULL);
	assert_int_equal(dmaheap_mock_proc_set_fd(e->f.mock, 5, 51,
			 "ino:\t78\nsize:\t8192\nexp_name:\tdrm"), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->malformed, n);
	assert_int_equal(st->n_bufs, 2);
	assert_int_equal(buf_of(st, 77)->size, 4 * KIB);
	assert_string_equal(buf_of(st, 78)->exporter, "drm");
	assert_int_equal(e->logs.warnings, 0);
	dmaheap_stat_free(st);
}

/* Numbers up to 2^64 - 1 are read; one more is malformed, not wrapped. */
static void test_fdinfo_number_limits(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 5, "big\n"), 0);
	add_fd(e, 5, 3, UINT64_MAX, 4 * KIB, "system", NULL);
	assert_int_equal(dmaheap_mock_proc_set_fd(e->f.mock, 5, 4,
			 "ino:\t18446744073709551616\nsize:\t4096\n"
			 "exp_name:\tsystem\n"), 0);
	assert_int_equal(dmaheap_mock_proc_set_fd(e->f.mock, 5, 5,
			 "ino:\t184467440737095516150\nsize:\t4096\n"
			 "exp_name:\tsystem\n"), 0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->malformed, 2);
	assert_int_equal(st->n_bufs, 1);
	assert_non_null(buf_of(st, UINT64_MAX));
	dmaheap_stat_free(st);
}

static void test_malformed_maps(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;

	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 5, "bad\n"), 0);
	assert_int_equal(dmaheap_mock_proc_set_maps(e->f.mock, 5,
		/* end before start, bad offset, bad inode */
		"7f0000002000-7f0000001000 rw-s 00000000 00:0d 5 /dmabuf:\n"
		"7f0000000000-7f0000001000 rw-s 0000zz00 00:0d 5 /dmabuf:\n"
		"7f0000000000-7f0000001000 rw-s 00000000 00:0d x5 /dmabuf:\n"
		"7f0000000000 rw-s 00000000 00:0d 5 /dmabuf:\n"
		/* too short to be anything: not a dma-buf line */
		"7f0000000000-7f0000001000 rw-s\n"
		"\n"
		/* good, without a final newline */
		"7f0000000000-7f0000003000 rw-s 00000000 00:0d 6 /dmabuf:a b"),
		0);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->malformed, 4);
	assert_int_equal(st->n_bufs, 1);
	assert_int_equal(st->bufs[0].inode, 6);
	assert_int_equal(st->bufs[0].size, 12 * KIB);
	assert_string_equal(st->bufs[0].name, "a b");
	dmaheap_stat_free(st);
}

/* Many lines across read chunks, and a line longer than a chunk. */
static void test_long_maps(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;
	size_t cap = 400000, used = 0;
	char *maps = malloc(cap);

	assert_non_null(maps);
	assert_int_equal(dmaheap_mock_proc_add(e->f.mock, 5, "big\n"), 0);
	for (unsigned int i = 0; i < 3000; i++)
		used += (size_t)map_line(maps + used, cap - used,
					 0x7f0000000000 + i * 0x10000,
					 4 * KIB, 0, 1000 + i, "");
	/* A path of 40000 bytes that says /dmabuf: (a file of that name
	 * elsewhere cannot: paths are at most PATH_MAX); dropped whole. */
	used += (size_t)snprintf(maps + used, cap - used,
				 "7f1000000000-7f1000001000 rw-s 00000000 "
				 "00:0d 9 /dmabuf:");
	memset(maps + used, 'x', 40000);
	used += 40000;
	maps[used++] = '\n';
	used += (size_t)map_line(maps + used, cap - used, 0x7f2000000000,
				 4 * KIB, 0, 9999, "last");
	assert_int_equal(dmaheap_mock_proc_set_maps(e->f.mock, 5, maps), 0);
	free(maps);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->n_bufs, 3001);
	assert_int_equal(st->bufs[3000].inode, 9999);
	assert_string_equal(st->bufs[3000].name, "last");
	assert_int_equal(st->procs[0].mappings, 3001);
	assert_int_equal(st->malformed, 0);
	dmaheap_stat_free(st);
}

static void test_bad_arguments(void **state)
{
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;
	char longdir[PATH_MAX];

	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	assert_int_equal(dmaheap_stat_scan(NULL, e->proc, 0, &st), -EINVAL);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, NULL),
			 -EINVAL);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, -1, &st),
			 -EINVAL);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, "", 0, &st), -EINVAL);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, longdir, 0, &st),
			 -EINVAL);
	assert_null(st);
	/* procfs not mounted there */
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, "/nonexistent-proc-dir",
					   0, &st), -ENOENT);
	assert_null(st);
}

/* Every call of a scan failing in turn: a clean -errno or a result, and
 * no fd left open (memory: the ASan and valgrind runs). */
static void test_every_call_fails(void **state)
{
	static const int errs[] = { ENOMEM, EIO, EACCES, ENOENT, EINTR };
	struct env *e = *state;
	struct dmaheap_stat *st = NULL;
	int64_t calls = 0;
	int fds = count_open_fds();

	populate(e);
	dmaheap_mock_reset_calls(e->f.mock);
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	dmaheap_stat_free(st);
	for (int c = 0; c < DMAHEAP_MOCK_CALL_COUNT; c++)
		calls += dmaheap_mock_calls(e->f.mock, c);
	assert_true(calls > 10);
	for (size_t k = 0; k < sizeof(errs) / sizeof(errs[0]); k++) {
		for (int64_t i = 0; i < calls; i++) {
			int r;

			st = NULL;
			assert_int_equal(dmaheap_mock_inject_nth(e->f.mock,
					 (unsigned int)i, errs[k]), 0);
			r = dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st);
			dmaheap_mock_inject_nth(e->f.mock, 0, 0);
			if (r == 0) {
				assert_non_null(st);
				assert_true(st->n_bufs <= 3);
				dmaheap_stat_free(st);
			} else {
				assert_int_equal(r, -errs[k]);
				assert_null(st);
			}
			assert_int_equal(count_open_fds(), fds);
		}
	}
	/* And the scan works again. */
	assert_int_equal(dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st), 0);
	assert_int_equal(st->n_bufs, 3);
	dmaheap_stat_free(st);
}

static void *scan_many(void *arg)
{
	struct env *e = arg;

	for (int i = 0; i < 20; i++) {
		struct dmaheap_stat *st = NULL;

		if (dmaheap_stat_scan(e->f.ctx, e->proc, 0, &st) != 0 ||
		    st->n_bufs != 3 || st->bytes != 24 * KIB)
			return (void *)1;
		dmaheap_stat_free(st);
	}
	return NULL;
}

/* Scans share a context (ThreadSanitizer runs this in CI). */
static void test_threads_share_ctx(void **state)
{
	struct env *e = *state;
	pthread_t t[4];
	void *ret;

	populate(e);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, scan_many, e), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
}

static void test_mock_proc_api(void **state)
{
	struct env *e = *state;
	struct dmaheap_mock *m = e->f.mock;

	assert_null(dmaheap_mock_proc_dir(NULL));
	assert_int_equal(dmaheap_mock_proc_add(NULL, 1, ""), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_add(m, 0, ""), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_add(m, 1, NULL), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_add(m, 1, "a\n"), 0);
	assert_int_equal(dmaheap_mock_proc_add(m, 1, "a\n"), -EEXIST);
	assert_int_equal(dmaheap_mock_proc_set_fd(m, 2, 0, "x"), -ENOENT);
	assert_int_equal(dmaheap_mock_proc_set_fd(m, 1, -1, "x"), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_set_fd(NULL, 1, 0, "x"), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_set_fd(m, 1, 0, "x"), 0);
	assert_int_equal(dmaheap_mock_proc_set_fd(m, 1, 0, NULL), 0);
	assert_int_equal(dmaheap_mock_proc_set_fd(m, 1, 0, NULL), 0);
	assert_int_equal(dmaheap_mock_proc_vanish_fd(m, 1, 0), -ENOENT);
	assert_int_equal(dmaheap_mock_proc_vanish_fd(m, 2, 0), -ENOENT);
	assert_int_equal(dmaheap_mock_proc_vanish_fd(NULL, 1, 0), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_set_maps(m, 2, ""), -ENOENT);
	assert_int_equal(dmaheap_mock_proc_set_maps(m, 1, NULL), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_set_state(m, 2,
			 DMAHEAP_MOCK_PROC_GONE), -ENOENT);
	assert_int_equal(dmaheap_mock_proc_set_state(m, 1,
			 (enum dmaheap_mock_proc_state)7), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_remove(m, 2), -ENOENT);
	assert_int_equal(dmaheap_mock_proc_remove(NULL, 1), -EINVAL);
	assert_int_equal(dmaheap_mock_proc_remove(m, 1), 0);
	assert_int_equal(dmaheap_mock_proc_remove(m, 1), -ENOENT);
}

/* The fake procfs through the system-call layer, as the library sees it. */
static int count_entry(void *arg, const char *name)
{
	(void)name;
	(*(int *)arg)++;
	return 0;
}

static void test_mock_proc_files(void **state)
{
	struct env *e = *state;
	const struct dmaheap_sys *sys = dmaheap_mock_sys(e->f.mock);
	char path[256], text[64];
	int fd, n = 0;

	populate(e);
	assert_int_equal(sys->readdir(sys, e->proc, count_entry, &n), 0);
	assert_int_equal(n, 5); /* . .. and three pids */
	n = 0;
	snprintf(path, sizeof(path), "%s/10/fdinfo", e->proc);
	assert_int_equal(sys->readdir(sys, path, count_entry, &n), 0);
	assert_int_equal(n, 5);
	snprintf(path, sizeof(path), "%s/10/comm", e->proc);
	fd = sys->open(sys, path, O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys->read(sys, fd, text, sizeof(text)), 4);
	assert_memory_equal(text, "cam\n", 4);
	assert_int_equal(sys->close(sys, fd), 0);
	assert_int_equal(sys->open(sys, path, O_RDWR, 0), -EACCES);
	snprintf(path, sizeof(path), "%s/10/fdinfo/9", e->proc);
	assert_int_equal(sys->open(sys, path, O_RDONLY, 0), -ENOENT);
	snprintf(path, sizeof(path), "%s/10/fdinfo/03", e->proc);
	assert_int_equal(sys->open(sys, path, O_RDONLY, 0), -ENOENT);
	snprintf(path, sizeof(path), "%s/10/status", e->proc);
	assert_int_equal(sys->open(sys, path, O_RDONLY, 0), -ENOENT);
	snprintf(path, sizeof(path), "%s/self", e->proc);
	assert_int_equal(sys->open(sys, path, O_RDONLY, 0), -ENOENT);
	snprintf(path, sizeof(path), "%s/30/fdinfo/0", e->proc);
	fd = sys->open(sys, path, O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys->close(sys, fd), 0);
	assert_int_equal(sys->open(sys, e->proc, O_RDONLY, 0), -EISDIR);
	snprintf(path, sizeof(path), "%s/10/maps", e->proc);
	assert_int_equal(sys->readdir(sys, path, count_entry, &n), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/99/fdinfo", e->proc);
	assert_int_equal(sys->readdir(sys, path, count_entry, &n), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		STAT_TEST(test_empty),
		STAT_TEST(test_each_buffer_once),
		STAT_TEST(test_pss),
		STAT_TEST(test_groups),
		STAT_TEST(test_dup_and_map_count_once),
		STAT_TEST(test_mapped_extent),
		STAT_TEST(test_pid_filter),
		STAT_TEST(test_pid_missing_gone_denied),
		STAT_TEST(test_vanishing_pid),
		STAT_TEST(test_vanishing_fd),
		STAT_TEST(test_partial_process_left_out),
		STAT_TEST(test_own_listing_fd_not_vanished),
		STAT_TEST(test_unreadable_warns_once),
		STAT_TEST(test_malformed_fdinfo),
		STAT_TEST(test_fdinfo_number_limits),
		STAT_TEST(test_malformed_maps),
		STAT_TEST(test_long_maps),
		STAT_TEST(test_bad_arguments),
		STAT_TEST(test_every_call_fails),
		STAT_TEST(test_threads_share_ctx),
		STAT_TEST(test_mock_proc_api),
		STAT_TEST(test_mock_proc_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
