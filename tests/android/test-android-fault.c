/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures in libdmaheap-android: each Android entry point run
 * against the mock with each allocation it makes (the layer's and
 * libdmaheap's, both built with tests/fault's counting allocators) failed
 * in turn. A run that met a failure must fail with ENOMEM (as a negative
 * return and in errno, or NULL and errno), and every run must leave no fd,
 * buffer or heap fd behind (ASan and valgrind check the memory).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <BufferAllocator/BufferAllocatorWrapper.h>

#include "../fdcount.h"
#include "dmaheap-mock.h"
#include "fault.h"

struct env {
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx;
	BufferAllocator *ba;
	int fd;
};

/* A run: its result, negative errno on failure; NULL-returning calls
 * give -errno. */
typedef int (*run_fn)(struct env *e);

static int failed;

static void check(bool ok, const char *what, const char *name, long at)
{
	if (ok)
		return;
	fprintf(stderr, "%s, allocation %ld failed: %s\n", name, at, what);
	failed++;
}

static void env_up(struct env *e)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;

	memset(e, 0, sizeof(*e));
	e->fd = -1;
	if (dmaheap_mock_new(&e->mock) ||
	    dmaheap_mock_add_heap(e->mock, "system", NULL) ||
	    dmaheap_mock_add_heap(e->mock, "system-uncached", NULL))
		abort();
	dmaheap_mock_options(e->mock, &o);
	if (dmaheap_ctx_new_with(&o, &e->ctx))
		abort();
	e->ba = dmaheap_android_new(e->ctx);
	if (!e->ba)
		abort();
}

static int env_down(struct env *e)
{
	struct dmaheap_mock_leaks leaks;
	int n;

	if (e->fd >= 0)
		close(e->fd);
	FreeDmabufHeapBufferAllocator(e->ba);
	dmaheap_ctx_free(e->ctx);
	n = dmaheap_mock_leaks(e->mock, &leaks, NULL, 0);
	dmaheap_mock_free(e->mock);
	return n;
}

static int run_new(struct env *e)
{
	BufferAllocator *ba = dmaheap_android_new(e->ctx);

	FreeDmabufHeapBufferAllocator(ba);
	return ba ? 0 : -errno;
}

static int run_create(struct env *e)
{
	BufferAllocator *ba = CreateDmabufHeapBufferAllocator();

	(void)e;
	FreeDmabufHeapBufferAllocator(ba);
	return ba ? 0 : -errno;
}

/* The C++ constructor's path: a failed set-up answers every call. */
static int run_init_in_place(struct env *e)
{
	void *storage = NULL;
	BufferAllocator *ba = (BufferAllocator *)&storage;
	int r = dmaheap_android_init(ba, e->ctx);

	if (r == 0)
		r = MapDmabufHeapNameToIonHeap(ba, "system", "ion", 0, 0, 0);
	else if (DmabufHeapAlloc2(ba, "system", 4096, 0) != r)
		r = -EPROTO;
	dmaheap_android_fini(ba);
	return r;
}

static int run_alloc(struct env *e)
{
	e->fd = DmabufHeapAlloc(e->ba, "system", 4096, 0, 0);
	return e->fd < 0 ? e->fd : 0;
}

static int run_alloc_flags(struct env *e)
{
	e->fd = DmabufHeapAlloc2(e->ba, "system", 4096, 2);
	return e->fd < 0 ? e->fd : 0;
}

static int run_alloc_system(struct env *e)
{
	e->fd = DmabufHeapAllocSystem2(e->ba, false, 4096, 0);
	return e->fd < 0 ? e->fd : 0;
}

static int run_map_name(struct env *e)
{
	int r = MapDmabufHeapNameToIonHeap(e->ba, "a", "ion_a", 1, 0, 0);

	return r ? r : MapDmabufHeapNameToIonHeap(e->ba, "b", "", 0, 1, 0);
}

static int run_set_name(struct env *e)
{
	e->fd = DmabufHeapAlloc2(e->ba, "system", 4096, 0);
	return e->fd < 0 ? e->fd : DmabufSetName(e->ba, e->fd, "frame");
}

static int run_sync(struct env *e)
{
	int r;

	e->fd = DmabufHeapAlloc2(e->ba, "system", 4096, 0);
	if (e->fd < 0)
		return e->fd;
	r = DmabufHeapCpuSyncStart2(e->ba, e->fd, kSyncReadWrite);
	return r ? r : DmabufHeapCpuSyncEnd2(e->ba, e->fd, kSyncReadWrite);
}

/* A context of its own on a real directory holding one non-heap. */
static int run_heap_list(struct env *e)
{
	struct dmaheap_heap_info *list = NULL;
	int r = dmaheap_android_heap_list(&list);

	(void)e;
	dmaheap_heap_list_free(list);
	return r < 0 ? r : (r == 1 ? 0 : -EPROTO);
}

static int run_static_set_name(struct env *e)
{
	(void)e;
	/* Not a dma-buf: an answer after the context is made. */
	return dmaheap_android_fd_set_name(0, "x") == -EBADFD ? 0 : -errno;
}

static void run_case(const char *name, run_fn fn)
{
	long at;

	for (at = 0;; at++) {
		struct env e;
		int fds = count_open_fds();
		bool fired;
		int r;

		env_up(&e);
		fault_alloc_arm(at);
		errno = 0;
		r = fn(&e);
		fired = fault_alloc_fired();
		fault_alloc_arm(-1);
		if (fired && r != 0) {
			/* Some allocations only save work later (the fds a
			 * context remembers): their failure may go unseen. */
			if (r != -ENOMEM)
				fprintf(stderr, "%s: %d\n", name, r);
			check(r == -ENOMEM, "did not return -ENOMEM", name, at);
			check(errno == ENOMEM || fn == run_init_in_place,
			      "errno is not ENOMEM", name, at);
		} else if (!fired) {
			check(r == 0, "failed without an injected failure", name,
			      at);
		}
		check(env_down(&e) == 0, "mock leaks", name, at);
		check(count_open_fds() == fds, "fd leak", name, at);
		if (!fired)
			break;
	}
	printf("%s: %ld allocations failed in turn\n", name, at);
}

int main(void)
{
	char dir[] = "/tmp/dmaheap-android-fault-XXXXXX";
	char file[sizeof(dir) + 8];
	int fd;

	if (!mkdtemp(dir))
		return 99;
	snprintf(file, sizeof(file), "%s/fake", dir);
	fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return 99;
	close(fd);
	setenv("DMAHEAP_DIR", dir, 1);
	setenv("DMAHEAP_UDMABUF_DEV", "/nonexistent/udmabuf", 1);
	unsetenv("DMAHEAP_POLICY");

	run_case("dmaheap_android_new", run_new);
	run_case("CreateDmabufHeapBufferAllocator", run_create);
	run_case("dmaheap_android_init", run_init_in_place);
	run_case("DmabufHeapAlloc", run_alloc);
	run_case("DmabufHeapAlloc2 with heap flags", run_alloc_flags);
	run_case("DmabufHeapAllocSystem2", run_alloc_system);
	run_case("MapDmabufHeapNameToIonHeap", run_map_name);
	run_case("DmabufSetName", run_set_name);
	run_case("DmabufHeapCpuSyncStart2/End2", run_sync);
	run_case("dmaheap_android_heap_list", run_heap_list);
	run_case("dmaheap_android_fd_set_name", run_static_set_name);

	unlink(file);
	rmdir(dir);
	return failed ? 1 : 0;
}
