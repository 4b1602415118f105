/* SPDX-License-Identifier: MIT */
/*
 * Memory-cgroup charging of the system heap on a real kernel (Linux 7.0+
 * booted with dma_heap.mem_accounting=1; tests/vm/run.sh --append).
 *
 * A child process in a cgroup whose memory.max is 16 MiB asks for 32 MiB:
 * through the raw ioctl the cgroup's OOM killer ends it (what the library
 * guards against), through the library it gets -ENOMEM and a warning and
 * lives on; buffers well under the limit succeed and are charged.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/dma-heap.h>

#include "kutil.h"

#define MIB ((size_t)1 << 20)
#define CGROOT "/sys/fs/cgroup"
#define PARAM "/sys/module/dma_heap/parameters/mem_accounting"
#define LIMIT (16 * MIB)
#define OVER (32 * MIB)
#define UNDER (4 * MIB)

/* Exit statuses of the children (0: as expected). */
enum { CHILD_JOIN = 10, CHILD_CTX, CHILD_ALLOC, CHILD_WARN, CHILD_MAP, CHILD_OPEN };

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "re");
	bool ok = fp && fgets(buf, (int)len, fp);

	if (fp)
		fclose(fp);
	return ok;
}

static bool write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* A fresh child cgroup of the root limited to LIMIT; its path in @dir. */
static void make_cgroup(char *dir, size_t len, const char *tag)
{
	char path[PATH_MAX + 32], max[32];

	snprintf(dir, len, CGROOT "/dmaheap-memcg-%d-%s", (int)getpid(), tag);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	snprintf(max, sizeof(max), "%zu", LIMIT);
	if (!write_text(path, max))
		fail_msg("cannot write %s: %s", path, strerror(errno));
	/* No swap for the rest of it either: the limit is the limit. */
	snprintf(path, sizeof(path), "%s/memory.swap.max", dir);
	write_text(path, "0");
}

/* A number of a cgroup file (the line @key's, or the first); UINT64_MAX
 * if unreadable. No cmocka assertion: children call it too. */
static uint64_t cgroup_value(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 32], line[128];
	FILE *fp;
	uint64_t v = UINT64_MAX;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fp = fopen(path, "re");
	if (!fp)
		return v;
	while (fgets(line, sizeof(line), fp)) {
		size_t k = key ? strlen(key) : 0;

		if (!key || (strncmp(line, key, k) == 0 && line[k] == ' ')) {
			v = strtoull(line + k, NULL, 10);
			break;
		}
	}
	fclose(fp);
	return v;
}

static void remove_cgroup(const char *dir)
{
	/* The children are gone (waited for), so the cgroup is empty. */
	if (rmdir(dir) != 0)
		print_message("rmdir %s: %s\n", dir, strerror(errno));
}

/* Moves the calling (child) process into @dir. */
static bool join(const char *dir)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return write_text(path, "0");
}

/* Runs @fn(@arg) in a child inside cgroup @dir; its wait status. */
static int in_cgroup(const char *dir, int (*fn)(const char *), const char *arg)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(join(dir) ? fn(arg) : CHILD_JOIN);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* ------------------------------------------------------------------------ */
/* The kernel log: the OOM killer's report has a "Call Trace", which the   */
/* VM's init takes for trouble; this test expects it, checks it, clears it. */
/* ------------------------------------------------------------------------ */

static char *kernel_log(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n;

	assert_true(len > 0);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void assert_log_has_no(const char *log, const char *what)
{
	if (strstr(log, what))
		fail_msg("kernel log has '%s':\n%s", what, log);
}

/* ------------------------------------------------------------------------ */

static int raw_alloc_child(const char *arg)
{
	struct dma_heap_allocation_data data = {
		.len = OVER,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open(KT_SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);

	(void)arg;
	if (heap < 0)
		return CHILD_OPEN;
	/* Returns only if the kernel fails it instead of killing us. */
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return CHILD_ALLOC;
	return 0;
}

/* What the library is for: the raw ioctl gets the caller OOM-killed. */
static void test_raw_ioctl_is_oom_killed(void **state)
{
	char dir[PATH_MAX], *log;
	int status;

	(void)state;
	log = kernel_log();
	assert_log_has_no(log, "Call Trace");
	free(log);
	make_cgroup(dir, sizeof(dir), "raw");
	status = in_cgroup(dir, raw_alloc_child, NULL);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail_msg("child not OOM-killed: wait status 0x%x", status);
	assert_true(cgroup_value(dir, "memory.events", "oom_kill") >= 1);
	assert_true(cgroup_value(dir, "memory.events", "oom_kill") != UINT64_MAX);
	remove_cgroup(dir);
	log = kernel_log();
	if (!strstr(log, "Memory cgroup out of memory"))
		fail_msg("no memcg OOM report in the kernel log:\n%s", log);
	assert_log_has_no(log, "WARNING:");
	assert_log_has_no(log, "BUG");
	free(log);
	/* Nothing else was there before: only the expected report goes. */
	assert_int_equal(klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0), 0);
}

static char last_warning[1024];

static void keep_warning(void *userdata, int priority, const char *msg)
{
	(void)userdata;
	if (priority <= DMAHEAP_LOG_WARNING)
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static struct dmaheap_ctx *logging_ctx(void)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	o.log_fn = keep_warning;
	return dmaheap_ctx_new_with(&o, &ctx) == 0 ? ctx : NULL;
}

/* The cgroup the child is in must be named, and the limit to raise. */
static int lib_refuse_child(const char *dir)
{
	struct dmaheap_ctx *ctx = logging_ctx();
	struct dmaheap_buf *buf = NULL;
	char want[PATH_MAX + 32];
	int r;

	if (!ctx)
		return CHILD_CTX;
	r = dmaheap_alloc(ctx, "system", OVER, 0, &buf);
	dmaheap_ctx_free(ctx);
	if (r != -ENOMEM)
		return CHILD_ALLOC;
	snprintf(want, sizeof(want), "%s/memory.max", dir);
	return strstr(last_warning, want) ? 0 : CHILD_WARN;
}

static void test_library_refuses(void **state)
{
	char dir[PATH_MAX];
	int status;

	(void)state;
	make_cgroup(dir, sizeof(dir), "lib");
	status = in_cgroup(dir, lib_refuse_child, dir);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: wait status 0x%x (exit 12: not -ENOMEM, 13: "
			 "no warning naming the cgroup's memory.max)", status);
	assert_int_equal(cgroup_value(dir, "memory.events", "oom_kill"), 0);
	remove_cgroup(dir);
}

/* Well under the limit: allocated, usable, and charged to the cgroup. */
static int lib_under_child(const char *dir)
{
	struct dmaheap_ctx *ctx = logging_ctx();
	struct dmaheap_buf *buf = NULL;
	uint64_t before = cgroup_value(dir, "memory.current", NULL);
	unsigned char *p;
	int r = CHILD_ALLOC;

	if (!ctx)
		return CHILD_CTX;
	if (dmaheap_alloc(ctx, "system", UNDER, 0, &buf) == 0) {
		r = dmaheap_buf_map(buf, (void **)&p) == 0 ? 0 : CHILD_MAP;
		if (r == 0) {
			memset(p, 0x5a, UNDER);
			/* The kernel charged the pages here. */
			uint64_t now = cgroup_value(dir, "memory.current", NULL);

			if (before == UINT64_MAX || now == UINT64_MAX ||
			    now < before + UNDER)
				r = CHILD_WARN;
		}
		dmaheap_buf_free(buf);
	}
	dmaheap_ctx_free(ctx);
	return r;
}

static void test_under_limit_succeeds(void **state)
{
	char dir[PATH_MAX];
	int status;

	(void)state;
	make_cgroup(dir, sizeof(dir), "under");
	status = in_cgroup(dir, lib_under_child, dir);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: wait status 0x%x (exit 12: alloc failed, 13: not "
			 "charged to the cgroup, 14: map failed)", status);
	remove_cgroup(dir);
}

static void test_reported(void **state)
{
	struct dmaheap_heap_info *list = NULL;
	struct dmaheap_ctx *ctx = NULL;
	int n, found = 0;

	(void)state;
	assert_ret(dmaheap_ctx_new(&ctx), 0);
	n = dmaheap_heap_list(ctx, &list);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		bool charged = list[i].props & DMAHEAP_PROP_MEMCG;

		if (strcmp(list[i].name, "system") == 0)
			found += charged;
		else if (charged)
			fail_msg("heap %s reported memcg-charged", list[i].name);
	}
	dmaheap_heap_list_free(list);
	dmaheap_ctx_free(ctx);
	assert_int_equal(found, 1);
}

/* cgroup2 at /sys/fs/cgroup with the memory controller for children. */
static void require_memcg(void)
{
	char text[16] = "";

	if (!read_line(PARAM, text, sizeof(text)))
		kt_skip(PARAM " is missing (Linux before 7.0): boot "
			"tests/vm/run.sh --kernel cma-7.3");
	if (text[0] != 'Y')
		kt_skip("system heap charging is off: boot with "
			"--append dma_heap.mem_accounting=1");
	if (access(CGROOT "/cgroup.controllers", F_OK) != 0 &&
	    mount("cgroup2", CGROOT, "cgroup2", 0, NULL) != 0)
		kt_skip("cannot mount cgroup2 on " CGROOT " (CONFIG_MEMCG?)");
	if (!read_line(CGROOT "/cgroup.controllers", text, sizeof(text)) ||
	    !strstr(text, "memory"))
		kt_skip("no memory controller in " CGROOT "/cgroup.controllers");
	if (!write_text(CGROOT "/cgroup.subtree_control", "+memory"))
		kt_skip("cannot enable the memory controller for child cgroups");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reported),
		cmocka_unit_test(test_under_limit_succeeds),
		cmocka_unit_test(test_library_refuses),
		cmocka_unit_test(test_raw_ioctl_is_oom_killed),
	};

	kt_require_system_heap();
	require_memcg();
	return cmocka_run_group_tests_name("kernel-memcg", tests, NULL, NULL);
}
