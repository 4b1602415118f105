/* SPDX-License-Identifier: MIT */
/*
 * Memory pressure probe, for a small-RAM VM (not part of any suite: the
 * OOM killer's report fails a kernel-suite run by design):
 *
 *   tests/vm/run.sh --memory 256M -- BUILD/tests/stress/pressure
 *
 * Finds, with the system heap, (1) what a single request does as it nears
 * and passes the machine's RAM, and (2) what holding more and more buffers
 * does: where the kernel answers ENOMEM and where the OOM killer ends the
 * process instead. Every probe runs in a child with oom_score_adj 1000 so
 * the OOM killer picks it, not the VM's init; the parent reports how each
 * child ended. Exit 0 when the parent survived every probe, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmaheap.h"

#define MIB (1024 * 1024)

static void expendable(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		(void)!write(fd, "1000", 4);
		close(fd);
	}
}

/* Runs @probe(@arg) in a child; tells how it ended. @probe reports its
 * progress as one line on stdout (flushed), its result as exit status. */
static void run(const char *what, int (*probe)(uint64_t), uint64_t arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		expendable();
		_exit(probe(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("%s: cannot run the probe\n", what);
		return;
	}
	if (WIFSIGNALED(status))
		printf("%s: child killed by signal %d (%s)\n", what,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGKILL ? "OOM killer" : "?");
	else
		printf("%s: child exited %d\n", what, WEXITSTATUS(status));
}

/* One buffer of @bytes, touched through the CPU. */
static int one_request(uint64_t bytes)
{
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *buf = NULL;
	int r;

	if (dmaheap_ctx_new(&ctx) < 0)
		return 2;
	r = dmaheap_alloc(ctx, "system", (size_t)bytes, 0, &buf);
	printf("  one request of %llu MiB: %s\n",
	       (unsigned long long)(bytes / MIB),
	       r ? dmaheap_strerror(r) : "allocated");
	fflush(stdout);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	return r ? 1 : 0;
}

/* Buffers of @chunk bytes, held, until something gives. */
static int hold_until_failure(uint64_t chunk)
{
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *buf;
	uint64_t held = 0;
	int r;

	if (dmaheap_ctx_new(&ctx) < 0)
		return 2;
	for (;;) {
		buf = NULL;
		r = dmaheap_alloc(ctx, "system", (size_t)chunk, 0, &buf);
		if (r) {
			printf("  holding %llu MiB: next %llu MiB: %s\n",
			       (unsigned long long)(held / MIB),
			       (unsigned long long)(chunk / MIB),
			       dmaheap_strerror(r));
			return 1;
		}
		held += chunk;
		printf("  holding %llu MiB\r", (unsigned long long)(held / MIB));
		fflush(stdout);
	}
}

int main(void)
{
	uint64_t ram = (uint64_t)sysconf(_SC_PHYS_PAGES) *
		       (uint64_t)sysconf(_SC_PAGESIZE);
	static const unsigned int percent[] = { 50, 75, 90, 99, 101 };

	if (access("/dev/dma_heap/system", R_OK) != 0) {
		printf("pressure: no /dev/dma_heap/system: run in the VM\n");
		return 77;
	}
	printf("pressure: RAM %llu MiB\n", (unsigned long long)(ram / MIB));
	for (size_t i = 0; i < sizeof(percent) / sizeof(percent[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "single request, %u%% of RAM",
			 percent[i]);
		run(what, one_request, ram / 100 * percent[i]);
	}
	run("holding 16 MiB buffers", hold_until_failure, 16 * MIB);
	printf("pressure: the parent survived every probe\n");
	return 0;
}
