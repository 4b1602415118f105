/* SPDX-License-Identifier: MIT */
/*
 * dmaheap stat on a real kernel: two processes and two known buffers.
 *
 *   shared  64 KiB, "kstat-shared": an fd in the parent and in the child
 *   mapped 128 KiB, "kstat-mapped": only a mapping in the child, whose
 *           fd both closed
 *
 * The scan, filtered to the two pids, must report exactly these, with
 * their holders, sizes, exporter and names, and the PSS of each process;
 * `dmaheap stat --pid CHILD --json` (the CLI given as the first argument)
 * must print the same. Runs in the VM of tests/vm/run.sh (as root);
 * elsewhere it exits 77.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kutil.h"

#define SHARED_SIZE (64u * 1024)
#define MAPPED_SIZE (128u * 1024)
#define CHILD_COMM "kstat-child"

static const char *cli_path;

struct scene {
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *shared;
	int fds_before;
	pid_t child;
	int release;	/* write end: closing it lets the child exit */
	uint64_t shared_ino, mapped_ino;
};

static uint64_t ino_of(int fd)
{
	struct stat st;

	assert_syscall_ok(fstat(fd, &st));
	return (uint64_t)st.st_ino;
}

/* Maps the buffer, closes its fd, says so, then waits to be released. */
static void child(int mapped_fd, int ready, int release)
{
	char c;
	void *p;

	KT_CHILD_CHECK(prctl(PR_SET_NAME, CHILD_COMM) == 0);
	p = mmap(NULL, MAPPED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 mapped_fd, 0);
	KT_CHILD_CHECK(p != MAP_FAILED);
	KT_CHILD_CHECK(close(mapped_fd) == 0);
	KT_CHILD_CHECK(write(ready, "r", 1) == 1);
	/* EOF when the parent is done. */
	KT_CHILD_CHECK(read(release, &c, 1) == 0);
	_exit(0);
}

static int scene_setup(void **state)
{
	struct scene *s = calloc(1, sizeof(*s));
	struct dmaheap_buf *shared, *mapped = NULL;
	int ready[2], release[2];
	char c;

	assert_non_null(s);
	s->fds_before = kt_count_fds();
	assert_ret(dmaheap_ctx_new(&s->ctx), 0);
	assert_ret(dmaheap_alloc(s->ctx, "system", SHARED_SIZE, 0, &s->shared),
		   0);
	shared = s->shared;
	assert_ret(dmaheap_alloc(s->ctx, "system", MAPPED_SIZE, 0, &mapped), 0);
	assert_ret(dmaheap_buf_set_name(shared, "kstat-shared"), 0);
	assert_ret(dmaheap_buf_set_name(mapped, "kstat-mapped"), 0);
	s->shared_ino = ino_of(dmaheap_buf_fd(shared));
	s->mapped_ino = ino_of(dmaheap_buf_fd(mapped));
	assert_syscall_ok(pipe2(ready, O_CLOEXEC));
	assert_syscall_ok(pipe2(release, O_CLOEXEC));
	s->child = fork();
	assert_true(s->child >= 0);
	if (s->child == 0) {
		close(ready[0]);
		close(release[1]);
		child(dmaheap_buf_fd(mapped), ready[1], release[0]);
	}
	close(ready[1]);
	close(release[0]);
	s->release = release[1];
	/* The parent keeps the shared buffer's fd, drops the other. */
	dmaheap_buf_free(mapped);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*state = s;
	return 0;
}

static int scene_teardown(void **state)
{
	struct scene *s = *state;
	int status;

	close(s->release);
	assert_int_equal(waitpid(s->child, &status, 0), s->child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	dmaheap_buf_free(s->shared);
	dmaheap_ctx_free(s->ctx);
	assert_no_fd_leak(s->fds_before);
	free(s);
	return 0;
}

static const struct dmaheap_stat_buf *buf_of(const struct dmaheap_stat *st,
					     uint64_t ino)
{
	for (size_t i = 0; i < st->n_bufs; i++)
		if (st->bufs[i].inode == ino)
			return &st->bufs[i];
	fail_msg("buffer with inode %" PRIu64 " not found", ino);
	return NULL;
}

static const struct dmaheap_stat_proc *proc_of(const struct dmaheap_stat *st,
					       int pid)
{
	for (size_t i = 0; i < st->n_procs; i++)
		if (st->procs[i].pid == pid)
			return &st->procs[i];
	fail_msg("process %d not found", pid);
	return NULL;
}

static void check_bufs(const struct scene *s, const struct dmaheap_stat *st)
{
	const struct dmaheap_stat_buf *sh = buf_of(st, s->shared_ino);
	const struct dmaheap_stat_buf *mp = buf_of(st, s->mapped_ino);

	assert_int_equal(sh->size, SHARED_SIZE);
	assert_string_equal(sh->exporter, "system");
	assert_string_equal(sh->name, "kstat-shared");
	assert_int_equal(sh->processes, 2);
	assert_int_equal(sh->fds, 2);
	assert_int_equal(sh->mappings, 0);
	/* No fd anywhere: size from the mapping, exporter unknown. */
	assert_int_equal(mp->size, MAPPED_SIZE);
	assert_string_equal(mp->exporter, "");
	assert_string_equal(mp->name, "kstat-mapped");
	assert_int_equal(mp->processes, 1);
	assert_int_equal(mp->fds, 0);
	assert_int_equal(mp->mappings, 1);
}

/* The whole system, filtered to the test's two processes. */
static void test_scan_all(void **state)
{
	struct scene *s = *state;
	const struct dmaheap_stat_proc *parent, *kid;
	struct dmaheap_stat *st = NULL;

	assert_ret(dmaheap_stat_scan(s->ctx, NULL, 0, &st), 0);
	assert_int_equal(st->unreadable, 0);
	parent = proc_of(st, (int)getpid());
	kid = proc_of(st, (int)s->child);
	check_bufs(s, st);
	assert_int_equal(parent->n_bufs, 1);
	assert_int_equal(st->bufs[parent->bufs[0]].inode, s->shared_ino);
	assert_int_equal(parent->fds, 1);
	assert_int_equal(parent->mappings, 0);
	assert_int_equal(parent->bytes, SHARED_SIZE);
	assert_int_equal(parent->pss, SHARED_SIZE / 2);
	assert_string_equal(kid->comm, CHILD_COMM);
	assert_int_equal(kid->n_bufs, 2);
	assert_int_equal(kid->fds, 1);
	assert_int_equal(kid->mappings, 1);
	assert_int_equal(kid->bytes, SHARED_SIZE + MAPPED_SIZE);
	assert_int_equal(kid->pss, SHARED_SIZE / 2 + MAPPED_SIZE);
	dmaheap_stat_free(st);
}

static void test_scan_child(void **state)
{
	struct scene *s = *state;
	struct dmaheap_stat *st = NULL;

	assert_ret(dmaheap_stat_scan(s->ctx, NULL, (int)s->child, &st), 0);
	assert_int_equal(st->n_procs, 1);
	assert_int_equal(st->procs[0].pid, s->child);
	assert_int_equal(st->n_bufs, 2);
	check_bufs(s, st);
	assert_int_equal(st->procs[0].pss, SHARED_SIZE / 2 + MAPPED_SIZE);
	assert_int_equal(st->bytes, SHARED_SIZE + MAPPED_SIZE);
	assert_int_equal(st->n_exporters, 2);
	assert_int_equal(st->n_names, 2);
	dmaheap_stat_free(st);
}

/* The JSON the CLI must print for the child, up to the counters. */
static void expected_json(const struct scene *s, char *out, size_t len)
{
	uint64_t lo = s->shared_ino < s->mapped_ino ? s->shared_ino :
						      s->mapped_ino;
	uint64_t hi = lo == s->shared_ino ? s->mapped_ino : s->shared_ino;
	char shared[256], mapped[256];

	snprintf(shared, sizeof(shared),
		 "{\"inode\":%" PRIu64 ",\"size\":%u,\"exporter\":\"system\","
		 "\"name\":\"kstat-shared\",\"processes\":2,\"fds\":2,"
		 "\"mappings\":0}", s->shared_ino, SHARED_SIZE);
	snprintf(mapped, sizeof(mapped),
		 "{\"inode\":%" PRIu64 ",\"size\":%u,\"exporter\":\"\","
		 "\"name\":\"kstat-mapped\",\"processes\":1,\"fds\":0,"
		 "\"mappings\":1}", s->mapped_ino, MAPPED_SIZE);
	snprintf(out, len,
		 "{\"version\":1,\"processes\":[{\"pid\":%d,\"comm\":\"%s\","
		 "\"pss\":%u,\"size\":%u,\"fds\":1,\"mappings\":1,"
		 "\"buffers\":[%" PRIu64 ",%" PRIu64 "]}],\"buffers\":[%s,%s],"
		 "\"exporters\":[{\"exporter\":\"\",\"buffers\":1,\"size\":%u},"
		 "{\"exporter\":\"system\",\"buffers\":1,\"size\":%u}],"
		 "\"names\":[{\"name\":\"kstat-mapped\",\"buffers\":1,"
		 "\"size\":%u},{\"name\":\"kstat-shared\",\"buffers\":1,"
		 "\"size\":%u}],\"total\":{\"buffers\":2,\"size\":%u},"
		 "\"unreadable\":0,",
		 (int)s->child, CHILD_COMM, SHARED_SIZE / 2 + MAPPED_SIZE,
		 SHARED_SIZE + MAPPED_SIZE, lo, hi,
		 lo == s->shared_ino ? shared : mapped,
		 lo == s->shared_ino ? mapped : shared, MAPPED_SIZE,
		 SHARED_SIZE, MAPPED_SIZE, SHARED_SIZE,
		 SHARED_SIZE + MAPPED_SIZE);
}

static void test_cli(void **state)
{
	struct scene *s = *state;
	char cmd[512], out[4096], want[2048];
	size_t n;
	FILE *p;

	if (!cli_path)
		skip();
	snprintf(cmd, sizeof(cmd), "'%s' stat --pid %d --json", cli_path,
		 (int)s->child);
	p = popen(cmd, "re");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	expected_json(s, want, sizeof(want));
	/* "vanished" counts whatever else came and went meanwhile. */
	if (strncmp(out, want, strlen(want)) != 0)
		fail_msg("dmaheap stat printed\n%s\nwant it to start with\n%s",
			 out, want);
	assert_non_null(strstr(out, "\"malformed\":0}\n"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_all, scene_setup,
						scene_teardown),
		cmocka_unit_test_setup_teardown(test_scan_child, scene_setup,
						scene_teardown),
		cmocka_unit_test_setup_teardown(test_cli, scene_setup,
						scene_teardown),
	};

	kt_require_system_heap();
	cli_path = argc > 1 ? argv[1] : NULL;
	return cmocka_run_group_tests_name("kernel-stat", tests, NULL, NULL);
}
