/* SPDX-License-Identifier: MIT */
/*
 * Process hygiene on the real kernel:
 *  - after fork and exec, the child holds none of the fds the library
 *    made (heap nodes, buffers, duplicates, sync files, udmabuf), read
 *    from /proc/<child>/fd while the child runs;
 *  - with RLIMIT_NOFILE exhausted, every call that needs a new fd fails
 *    with a clean -EMFILE, calls that need none still work, nothing
 *    leaks, and the same context works again once fds are free.
 *
 * Runs inside the VM of tests/vm/run.sh; elsewhere it exits 77.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kutil.h"

#define MAX_BUFS 64

/* What a library-made fd looks like from /proc/<pid>/fd. */
static bool library_kind(const char *target)
{
	static const char *const kinds[] = {
		"/dev/dma_heap/", "/dmabuf:", "anon_inode:dmabuf",
		"anon_inode:sync_file", "sync_file", "/dev/udmabuf", "memfd:",
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strstr(target, kinds[i]))
			return true;
	return false;
}

/* Starts /bin/sleep in a child and returns its pid once exec is done. */
static pid_t spawn_after_exec(void)
{
	int p[2];
	char c;
	pid_t pid;

	assert_syscall_ok(pipe2(p, O_CLOEXEC));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		c = 1;
		(void)!write(p[1], &c, 1);
		_exit(127);
	}
	close(p[1]);
	/* EOF: the close-on-exec pipe closed, so exec happened. */
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	return pid;
}

/* Fds of @pid that were not open in this process before the library was
 * used, or that look like the library's; returns how many, printing them. */
static int foreign_fds(pid_t pid, const struct kt_fdset *before, int *seen)
{
	char dir[64], path[320], target[256];
	struct dirent *de;
	int bad = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	assert_non_null(d);
	*seen = 0;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		(*seen)++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		if (fd >= KT_MAX_FDS || !before->open[fd] ||
		    library_kind(target)) {
			printf("child fd %d -> %s\n", fd, target);
			bad++;
		}
	}
	closedir(d);
	return bad;
}

static void test_exec_child_holds_no_library_fd(void **state)
{
	struct dmaheap_buf *buf = NULL, *ubuf = NULL, *imp = NULL;
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx;
	struct kt_fdset before;
	int dup, raw, sync = -1, seen, status;
	pid_t pid;

	kt_fdset_take(&before);
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_alloc(ctx, "system", 65536, 0, &buf), 0);
	assert_true(dmaheap_heap_list(ctx, &list) >= 1);
	dup = dmaheap_buf_dup_fd(buf);
	assert_true(dup >= 0);
	raw = dmaheap_alloc_fd(ctx, "system", 4096, 0);
	assert_true(raw >= 0);
	assert_ret(dmaheap_import(ctx, raw, &imp), 0);
	/* Optional kernel features: what exists must not leak either. */
	(void)dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_READ, &sync);
	(void)dmaheap_alloc(ctx, "udmabuf", 65536, 0, &ubuf);

	pid = spawn_after_exec();
	int bad = foreign_fds(pid, &before, &seen);

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	printf("child after exec: %d fds, %d not inherited from before the "
	       "library ran (parent: %d fds%s%s)\n", seen, bad, kt_count_fds(),
	       sync >= 0 ? ", with a sync file" : "",
	       ubuf ? ", with a udmabuf" : "");
	assert_int_equal(bad, 0);

	if (sync >= 0)
		close(sync);
	close(dup);
	close(raw);
	dmaheap_buf_free(imp);
	dmaheap_buf_free(ubuf);
	dmaheap_buf_free(buf);
	dmaheap_heap_list_free(list);
	dmaheap_ctx_free(ctx);
	(void)state;
}

/* Lowers the soft fd limit so that exactly @spare more fds fit. */
static void limit_fds(struct rlimit *old, int spare)
{
	struct rlimit rl;
	int highest = 0;

	for (int fd = 0; fd < KT_MAX_FDS; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			highest = fd;
	/* Holes below the highest fd would give extra room: fill them. */
	assert_int_equal(kt_count_fds(), highest + 1);
	assert_syscall_ok(getrlimit(RLIMIT_NOFILE, old));
	rl = *old;
	rl.rlim_cur = (rlim_t)(highest + 1 + spare);
	assert_syscall_ok(setrlimit(RLIMIT_NOFILE, &rl));
}

static void test_emfile_is_clean_and_recovers(void **state)
{
	struct dmaheap_buf *bufs[MAX_BUFS] = { 0 }, *extra = NULL, *imp = NULL;
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx, *fresh;
	int before = kt_count_fds(), n = 0, r, sync = -1;
	struct rlimit old;
	void *addr;

	assert_ret(dmaheap_ctx_new(&ctx), 0);
	assert_ret(dmaheap_ctx_new(&fresh), 0);
	limit_fds(&old, 8);
	/* Fill the table: the heap node takes one, each buffer one. */
	while (n < MAX_BUFS &&
	       (r = dmaheap_alloc(ctx, "system", 4096, 0, &bufs[n])) == 0)
		n++;
	assert_ret(r, -EMFILE);
	assert_true(n >= 1 && n < 8);

	/* Everything that needs a new fd says so; nothing leaks. */
	assert_ret(dmaheap_alloc_fd(ctx, "system", 4096, 0), -EMFILE);
	assert_ret(dmaheap_alloc_usage(ctx, 0, 4096, 0, &extra), -EMFILE);
	assert_ret(dmaheap_buf_dup_fd(bufs[0]), -EMFILE);
	assert_ret(dmaheap_import(ctx, dmaheap_buf_fd(bufs[0]), &imp), -EMFILE);
	assert_ret(dmaheap_buf_export_sync_file(bufs[0], DMAHEAP_ACCESS_READ,
						&sync), -EMFILE);
	assert_ret(dmaheap_alloc(fresh, "system", 4096, 0, &extra), -EMFILE);
	assert_ret(dmaheap_heap_list(ctx, &list), -EMFILE);
	r = dmaheap_alloc(ctx, "udmabuf", 4096, 0, &extra);
	assert_true(r == -EMFILE || r == -ENOENT);
	assert_null(extra);
	assert_null(imp);

	/* What needs no fd still works. */
	assert_ret(dmaheap_buf_map(bufs[0], &addr), 0);
	assert_ret(dmaheap_buf_begin_cpu_access(bufs[0], DMAHEAP_ACCESS_RW), 0);
	kt_fill_pattern(addr, 4096, 7);
	assert_ret(dmaheap_buf_end_cpu_access(bufs[0], DMAHEAP_ACCESS_RW), 0);
	assert_ret(dmaheap_buf_unmap(bufs[0]), 0);

	/* One fd free again: the same context works. */
	dmaheap_buf_free(bufs[--n]);
	bufs[n] = NULL;
	assert_ret(dmaheap_alloc(ctx, "system", 4096, 0, &bufs[n]), 0);
	n++;
	/* Two: the fresh one too (its heap node, then the buffer). */
	assert_true(n >= 2);
	dmaheap_buf_free(bufs[--n]);
	dmaheap_buf_free(bufs[--n]);
	bufs[n] = bufs[n + 1] = NULL;
	assert_ret(dmaheap_alloc(fresh, "system", 4096, 0, &extra), 0);
	dmaheap_buf_free(extra);

	assert_syscall_ok(setrlimit(RLIMIT_NOFILE, &old));
	for (int i = 0; i < n; i++)
		dmaheap_buf_free(bufs[i]);
	assert_true(dmaheap_heap_list(ctx, &list) >= 1);
	dmaheap_heap_list_free(list);
	dmaheap_ctx_free(fresh);
	dmaheap_ctx_free(ctx);
	assert_no_fd_leak(before);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_child_holds_no_library_fd),
		cmocka_unit_test(test_emfile_is_clean_and_recovers),
	};

	kt_require_system_heap();
	return cmocka_run_group_tests_name("kernel-hygiene", tests, NULL, NULL);
}
