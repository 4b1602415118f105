/* SPDX-License-Identifier: MIT */
/*
 * Where the library's alloc+free loses time against the raw system calls
 * on a real kernel: the raw sequences, the library's, and pieces of the
 * library's user-space work added to the raw sequence, interleaved round
 * by round, each operation timed alone, with the minor page faults it
 * took (getrusage, outside the timed span). Run it in the VM:
 *   tests/vm/run.sh -w BUILD -- BUILD/bench/dmaheap-tcg-gap [ROUNDS [METHOD]]
 * METHOD (an index) runs one method alone, for strace or perf.
 */
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dmaheap.h"

enum { RAW, RAW_NAME, LIB, LIB_NONAME, LIB_FD, OBJ, ATOMICS, RAW_OBJ,
       CLOCK, NMETHODS };

static const char *const names[NMETHODS] = {
	"raw_alloc_close", "raw_alloc_name_close", "lib_alloc_free",
	"lib_alloc_free_noname", "lib_alloc_fd_close",
	"calloc_mutex_free", "8_atomics", "raw_close+calloc_mutex_atomics",
	"clock_gettime",
};

/* The shape of the library's buffer object: 128 bytes with a mutex. */
struct obj {
	pthread_mutex_t lock;
	char rest[128 - sizeof(pthread_mutex_t)];
};

static int heap_fd;
static struct dmaheap_ctx *ctx;
static _Atomic unsigned long counters[8];

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int raw_alloc(void)
{
	struct dma_heap_allocation_data d = {
		.len = 4096, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d) < 0) {
		perror("DMA_HEAP_IOCTL_ALLOC");
		exit(1);
	}
	return (int)d.fd;
}

static void obj_cycle(void)
{
	struct obj *o = calloc(1, sizeof(*o));

	if (!o)
		exit(1);
	pthread_mutex_init(&o->lock, NULL);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static void atomics(void)
{
	for (int i = 0; i < 8; i++)
		atomic_fetch_add_explicit(&counters[i], 1, memory_order_relaxed);
}

static void lib(unsigned int flags)
{
	struct dmaheap_buf *b;

	if (dmaheap_alloc(ctx, "system", 4096, flags, &b) < 0)
		exit(1);
	dmaheap_buf_free(b);
}

static void run(int m)
{
	struct timespec t;
	int fd;

	switch (m) {
	case RAW:
		close(raw_alloc());
		break;
	case RAW_NAME:
		fd = raw_alloc();
		ioctl(fd, DMA_BUF_SET_NAME, "system");
		close(fd);
		break;
	case LIB:
		lib(0);
		break;
	case LIB_NONAME:
		lib(DMAHEAP_ALLOC_NO_NAME);
		break;
	case LIB_FD:
		fd = dmaheap_alloc_fd(ctx, "system", 4096, 0);
		if (fd < 0)
			exit(1);
		close(fd);
		break;
	case OBJ:
		obj_cycle();
		break;
	case ATOMICS:
		atomics();
		break;
	case RAW_OBJ:
		fd = raw_alloc();
		obj_cycle();
		atomics();
		close(fd);
		break;
	case CLOCK:
		clock_gettime(CLOCK_MONOTONIC, &t);
		break;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 4000;
	int only = argc > 2 ? atoi(argv[2]) : -1;
	static double t[NMETHODS][100000];
	long faults[NMETHODS] = { 0 };

	if (rounds < 10 || rounds > 100000 || only >= NMETHODS) {
		fprintf(stderr, "usage: dmaheap-tcg-gap [ROUNDS [METHOD]]\n");
		return 2;
	}
	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0 || dmaheap_ctx_new(&ctx) < 0) {
		fprintf(stderr, "dmaheap-tcg-gap: no system heap: skip\n");
		return 77;
	}
	for (int m = 0; m < NMETHODS; m++)
		run(m); /* warm: the heap entry, first allocations */
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < NMETHODS; m++) {
			long f0;
			double s;

			if (only >= 0 && m != only)
				continue;
			f0 = minflt();
			s = now_ns();
			run(m);
			t[m][r] = now_ns() - s;
			faults[m] += minflt() - f0;
		}
	for (int m = 0; m < NMETHODS; m++) {
		if (only >= 0 && m != only)
			continue;
		qsort(t[m], (size_t)rounds, sizeof(double), cmp_double);
		printf("%-32s median %8.2f us  p10 %8.2f  p90 %8.2f  "
		       "minflt/op %.3f\n", names[m], t[m][rounds / 2] / 1e3,
		       t[m][rounds / 10] / 1e3, t[m][rounds * 9 / 10] / 1e3,
		       (double)faults[m] / rounds);
	}
	dmaheap_ctx_free(ctx);
	close(heap_fd);
	return 0;
}
