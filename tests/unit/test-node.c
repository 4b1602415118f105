/* SPDX-License-Identifier: MIT */
/*
 * Which nodes the library opens: only character devices of the dma_heap
 * class as heaps, only the misc device "udmabuf" as udmabuf. Directories
 * of regular files, FIFOs and symlinks to other devices are real files
 * here (the mock hands them to the kernel); the mock's own nodes answer
 * for themselves.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

struct hostile_dir {
	char path[64];
};

static const char *const hostile_names[] = { "zero", "null", "plain", "fifo" };

/* A heap directory of things that are not heaps. */
static void make_hostile_dir(struct hostile_dir *d)
{
	char p[128];
	int fd;

	snprintf(d->path, sizeof(d->path), "/tmp/dmaheap-node-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(p, sizeof(p), "%s/zero", d->path);
	assert_int_equal(symlink("/dev/zero", p), 0);
	snprintf(p, sizeof(p), "%s/null", d->path);
	assert_int_equal(symlink("/dev/null", p), 0);
	snprintf(p, sizeof(p), "%s/plain", d->path);
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/fifo", d->path);
	assert_int_equal(mkfifo(p, 0600), 0);
}

static void remove_hostile_dir(struct hostile_dir *d)
{
	char p[128];

	for (size_t i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", d->path, hostile_names[i]);
		unlink(p);
	}
	rmdir(d->path);
}

static struct dmaheap_ctx *ctx_in(struct fixture *f, const char *dir,
				  const char *udmabuf_dev)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(f->mock, &o);
	if (dir)
		o.heap_dir = dir;
	if (udmabuf_dev)
		o.udmabuf_dev = udmabuf_dev;
	assert_int_equal(dmaheap_ctx_new_with(&o, &ctx), 0);
	return ctx;
}

static void test_other_devices_not_opened(void **state)
{
	struct fixture *f = *state;
	struct hostile_dir d;
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *buf = NULL;

	make_hostile_dir(&d);
	ctx = ctx_in(f, d.path, NULL);
	for (size_t i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++) {
		const char *name = hostile_names[i];
		/* A device is looked at (O_PATH, then its uevent); a file
		 * that is not one, only through O_PATH. */
		int looks = strcmp(name, "zero") == 0 ||
			    strcmp(name, "null") == 0 ? 2 : 1;

		dmaheap_mock_reset_calls(f->mock);
		if (dmaheap_heap_open(ctx, name) != -ENOTTY)
			fail_msg("%s: not refused", name);
		assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_OPEN),
				 looks);
		assert_int_equal(dmaheap_alloc(ctx, name, 4096, 0, &buf),
				 -ENOTTY);
		assert_null(buf);
	}
	dmaheap_ctx_free(ctx);
	remove_hostile_dir(&d);
}

static void test_listed_as_not_heaps(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_heap_info *list = NULL;
	struct hostile_dir d;
	struct dmaheap_ctx *ctx;
	int n;

	make_hostile_dir(&d);
	ctx = ctx_in(f, d.path, NULL);
	n = dmaheap_heap_list(ctx, &list);
	assert_int_equal(n, 4);
	for (int i = 0; i < n; i++)
		assert_int_equal(list[i].error, -ENOTTY);
	dmaheap_heap_list_free(list);
	dmaheap_ctx_free(ctx);
	/* The machine's /dev itself is no heap directory. */
	ctx = ctx_in(f, "/dev", NULL);
	assert_int_equal(dmaheap_heap_open(ctx, "zero"), -ENOTTY);
	assert_int_equal(dmaheap_heap_open(ctx, "null"), -ENOTTY);
	dmaheap_ctx_free(ctx);
	remove_hostile_dir(&d);
}

/* udmabuf's own rule: a misc device named udmabuf. */
static void test_udmabuf_device_checked(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_ctx *ctx = ctx_in(f, NULL, "/dev/null");

	assert_int_equal(dmaheap_heap_open(ctx, "udmabuf"), -ENOTTY);
	dmaheap_ctx_free(ctx);
	ctx = ctx_in(f, NULL, "/dev/zero");
	assert_int_equal(dmaheap_alloc(ctx, "udmabuf", 4096, 0,
				       &(struct dmaheap_buf *){ NULL }),
			 -ENOTTY);
	dmaheap_ctx_free(ctx);
}

/* The mock's own nodes pass, root-only ones as far as the class check. */
static void test_mock_nodes_pass(void **state)
{
	struct fixture *f = *state;
	struct dmaheap_mock_heap locked = { .node = DMAHEAP_MOCK_NODE_NO_ACCESS };
	struct dmaheap_mock_udmabuf udm = { 0 };

	assert_int_equal(dmaheap_mock_add_heap(f->mock, "locked", &locked), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "system"), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "locked"), -EACCES);
	assert_int_equal(dmaheap_mock_set_udmabuf(f->mock, &udm), 0);
	assert_int_equal(dmaheap_heap_open(f->ctx, "udmabuf"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_other_devices_not_opened),
		FIXTURE_TEST(test_listed_as_not_heaps),
		FIXTURE_TEST(test_udmabuf_device_checked),
		FIXTURE_TEST(test_mock_nodes_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
