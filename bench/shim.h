/* SPDX-License-Identifier: MIT */
/* What the preloaded fake kernel (bench/shim.c) counts, per thread. */
#ifndef DMAHEAP_BENCH_SHIM_H
#define DMAHEAP_BENCH_SHIM_H

struct dmaheap_shim_counts {
	unsigned long open;        /* open/openat of any path */
	unsigned long close;
	unsigned long alloc;       /* DMA_HEAP_IOCTL_ALLOC: one dup */
	unsigned long set_name;    /* DMA_BUF_SET_NAME: no system call */
	unsigned long sync;        /* DMA_BUF_IOCTL_SYNC: no system call */
	unsigned long other_ioctl; /* passed to the kernel */
	unsigned long pread;       /* pread/pread64 (the pool's check) */
	unsigned long poll;        /* poll (the pool's fence check) */
};

/* The calling thread's counts (bench/shim.c). */
void dmaheap_shim_counts(struct dmaheap_shim_counts *out);

#endif
