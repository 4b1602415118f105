/* SPDX-License-Identifier: MIT */
/* Helpers shared by the kernel test programs; see kutil.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kutil.h"

void kt_skip(const char *reason)
{
	printf("SKIP: %s\n", reason);
	fflush(stdout);
	exit(77);
}

void kt_require_system_heap(void)
{
	int fd = open(KT_SYSTEM_HEAP, O_RDONLY | O_CLOEXEC);
	char reason[128];

	if (fd >= 0) {
		close(fd);
		return;
	}
	/* One line: meson shows it as the reason for the skip. */
	snprintf(reason, sizeof(reason), "cannot open %s: %s%s", KT_SYSTEM_HEAP,
		 strerror(errno),
		 errno == ENOENT ? " (run me through tests/vm/run.sh)" : "");
	kt_skip(reason);
}

/* Calls @fn for each open fd except the directory's own. */
static int for_each_fd(void (*fn)(void *arg, int fd), void *arg)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(d))
			continue;
		if (fn)
			fn(arg, fd);
		n++;
	}
	closedir(d);
	return n;
}

int kt_count_fds(void)
{
	return for_each_fd(NULL, NULL);
}

static void mark_fd(void *arg, int fd)
{
	struct kt_fdset *set = arg;

	if (fd >= 0 && fd < KT_MAX_FDS)
		set->open[fd] = true;
}

void kt_fdset_take(struct kt_fdset *set)
{
	memset(set, 0, sizeof(*set));
	for_each_fd(mark_fd, set);
}

int kt_fdset_new(const struct kt_fdset *before, int *out, int max)
{
	struct kt_fdset now;
	int n = 0;

	kt_fdset_take(&now);
	for (int fd = 0; fd < KT_MAX_FDS; fd++) {
		if (!now.open[fd] || before->open[fd])
			continue;
		if (n < max)
			out[n] = fd;
		n++;
	}
	return n;
}

int kt_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -errno;
	return (fl & FD_CLOEXEC) ? 1 : 0;
}

int kt_accmode(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -errno : (fl & O_ACCMODE);
}

int64_t kt_fd_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	return end < 0 ? -errno : (int64_t)end;
}

bool kt_same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) || fstat(b, &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Copies the value after "key:" and any blanks, without the newline. */
static void copy_value(const char *v, char *out, size_t len)
{
	size_t n;

	v += strspn(v, " \t");
	n = strcspn(v, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

int kt_fdinfo(int fd, const char *key, char *out, size_t len)
{
	char path[64], line[512];
	size_t klen = strlen(key);
	FILE *f;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			copy_value(line + klen + 1, out, len);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

size_t kt_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

size_t kt_page_round(size_t size)
{
	size_t page = kt_page_size();

	return (size + page - 1) / page * page;
}

bool kt_heap_present(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", KT_HEAP_DIR, name);
	return access(path, F_OK) == 0;
}

#define KT_CMA_SYSFS "/sys/kernel/mm/cma"

/* The first CMA area of the kernel's sysfs list that has a heap node. */
static const char *cma_heap_from_sysfs(DIR *d, char *buf, size_t len)
{
	struct dirent *de;

	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !kt_heap_present(de->d_name))
			continue;
		snprintf(buf, len, "%s", de->d_name);
		return buf;
	}
	return NULL;
}

const char *kt_cma_area(char *buf, size_t len)
{
	DIR *d = opendir(KT_CMA_SYSFS);
	const char *found;

	if (!d)
		return NULL;
	found = cma_heap_from_sysfs(d, buf, len);
	closedir(d);
	return found;
}

const char *kt_cma_heap(char *buf, size_t len)
{
	static const char *const upstream[] = {
		"default_cma_region", "linux,cma", "reserved", "default-pool",
	};

	if (access(KT_CMA_SYSFS, F_OK) == 0) {
		if (!kt_cma_area(buf, len))
			return NULL;
		if (kt_heap_present(upstream[0]))
			snprintf(buf, len, "%s", upstream[0]);
		return buf;
	}
	for (size_t i = 0; i < sizeof(upstream) / sizeof(upstream[0]); i++) {
		if (kt_heap_present(upstream[i])) {
			snprintf(buf, len, "%s", upstream[i]);
			return buf;
		}
	}
	return NULL;
}

uint64_t kt_ram_bytes(void)
{
	return (uint64_t)sysconf(_SC_PHYS_PAGES) * kt_page_size();
}

/* A cheap generator whose bytes differ from their neighbours and seeds. */
static uint8_t pattern_byte(size_t i, uint32_t seed)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ seed * 40503u;

	return (uint8_t)(x >> 13 ^ x >> 24 ^ i);
}

void kt_fill_pattern(void *p, size_t len, uint32_t seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = pattern_byte(i, seed);
}

size_t kt_check_pattern(const void *p, size_t len, uint32_t seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != pattern_byte(i, seed))
			return i;
	return len;
}

size_t kt_find_not(const void *p, size_t len, uint8_t value)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != value)
			return i;
	return len;
}

bool kt_is_mapped(const void *addr)
{
	/* msync fails with ENOMEM on an address with no mapping. */
	return msync((void *)(uintptr_t)addr, kt_page_size(), MS_ASYNC) == 0;
}

int kt_poll_now(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, 0);

	if (r < 0)
		return -errno;
	return p.revents;
}

int kt_pipe_fd(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	close(p[1]);
	return p[0];
}

const char *kt_errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
#define KT_E(x) { x, #x }
		KT_E(EPERM), KT_E(ENOENT), KT_E(EINTR), KT_E(EIO),
		KT_E(ENXIO), KT_E(EBADF), KT_E(EAGAIN), KT_E(ENOMEM),
		KT_E(EACCES), KT_E(EFAULT), KT_E(EBUSY), KT_E(EEXIST),
		KT_E(ENODEV), KT_E(ENOTDIR), KT_E(EINVAL), KT_E(ENFILE),
		KT_E(EMFILE), KT_E(ENOTTY), KT_E(ENOSPC), KT_E(ERANGE),
		KT_E(ENAMETOOLONG), KT_E(ENOSYS), KT_E(EOVERFLOW),
		KT_E(EBADFD), KT_E(EOPNOTSUPP), KT_E(ETIMEDOUT),
#undef KT_E
	};
	int e = err < 0 ? -err : err;

	if (e == 0)
		return "0";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == e)
			return names[i].name;
	return "?";
}

int kt_fixture_setup(void **state)
{
	struct kt_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = kt_count_fds();
	assert_ret(dmaheap_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

int kt_fixture_teardown(void **state)
{
	struct kt_fixture *f = *state;

	dmaheap_ctx_free(f->ctx);
	assert_no_fd_leak(f->fds_before);
	free(f);
	return 0;
}

void *kt_map_buf(struct dmaheap_buf *buf)
{
	void *p = NULL;

	assert_ret(dmaheap_buf_map(buf, &p), 0);
	assert_non_null(p);
	return p;
}

void kt_fill_buf(struct dmaheap_buf *buf, uint32_t seed)
{
	void *p = kt_map_buf(buf);

	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	kt_fill_pattern(p, dmaheap_buf_size(buf), seed);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

void kt_assert_buf_pattern(struct dmaheap_buf *buf, uint32_t seed)
{
	size_t size = dmaheap_buf_size(buf);
	void *p = kt_map_buf(buf);

	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_check_pattern(p, size, seed), size);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

void kt_assert_fd_pattern(int fd, size_t size, uint32_t seed)
{
	uint8_t *q = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	assert_true(q != MAP_FAILED);
	assert_ret(dmaheap_sync_start(NULL, fd, DMAHEAP_ACCESS_READ), 0);
	assert_int_equal(kt_check_pattern(q, size, seed), size);
	assert_ret(dmaheap_sync_end(NULL, fd, DMAHEAP_ACCESS_READ), 0);
	munmap(q, size);
}

void kt_assert_fdinfo(int fd, const char *key, const char *want)
{
	char got[128];
	int r = kt_fdinfo(fd, key, got, sizeof(got));

	if (!want) {
		if (r != -ENOENT)
			fail_msg("fdinfo of fd %d has %s: '%s', want none", fd,
				 key, r == 0 ? got : kt_errname(r));
		return;
	}
	if (r != 0)
		fail_msg("fdinfo of fd %d: no %s: (%s)", fd, key, kt_errname(r));
	if (strcmp(got, want) != 0)
		fail_msg("fdinfo of fd %d: %s: '%s', want '%s'", fd, key, got,
			 want);
}

void kt_assert_listed_once(struct dmaheap_ctx *ctx, const char *name,
			   unsigned int props)
{
	struct dmaheap_heap_info *list = NULL;
	int n = dmaheap_heap_list(ctx, &list), found = 0;

	assert_true(n >= 2);
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i].name, name) != 0)
			continue;
		found++;
		assert_ret(list[i].error, 0);
		assert_int_equal(list[i].props, props);
		assert_int_equal(list[i].props_source, DMAHEAP_PROPS_BUILTIN);
	}
	dmaheap_heap_list_free(list);
	assert_int_equal(found, 1);
}
