/* SPDX-License-Identifier: MIT */
/*
 * System-wide accounting (stat.c): the parsers and the summing it uses.
 * Of these, other folders use only the fdinfo parser (the pool's check
 * that a buffer has no other holder, pool/check.c).
 */
#ifndef DMAHEAP_STAT_H
#define DMAHEAP_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmaheap.h"

/* The path a dma-buf's mapping shows in maps: "/dmabuf:" and its name. */
#define DMAHEAP_MAPS_DMABUF "/dmabuf:"
/* Longest exporter and buffer name kept; the kernel limits names to 32
 * bytes, exporters are short constant strings. */
#define DMAHEAP_STAT_TEXT_MAX 256

/* What one fdinfo file says of a dma-buf. */
struct dmaheap_fdinfo {
	uint64_t ino;
	uint64_t size;
	/* "count:", the dma-buf file's references; 0 when the line is
	 * absent (older kernels), malformed, given twice or after
	 * "exp_name:" (where only a name holding a newline puts it). An fd
	 * open on the buffer makes the true count at least 1, so 0 is
	 * "unknown". */
	uint64_t count;
	char exporter[DMAHEAP_STAT_TEXT_MAX];
	char name[DMAHEAP_STAT_TEXT_MAX];
};

/* What one maps line says of a dma-buf mapping. */
struct dmaheap_mapinfo {
	uint64_t ino;
	uint64_t offset;
	uint64_t len;
	char name[DMAHEAP_STAT_TEXT_MAX];
};

/* parse.c: 1 for a dma-buf, 0 for anything else, -EBADMSG for a
 * dma-buf described in a way this parser does not understand. */
int dmaheap_fdinfo_parse(const char *text, size_t len,
			 struct dmaheap_fdinfo *fi);
int dmaheap_maps_parse(const char *line, size_t len,
		       struct dmaheap_mapinfo *mi);

/* One holding of a buffer by a process: an fd or a mapping. */
struct dmaheap_stat_rec {
	int pid;
	bool mapping;
	uint64_t ino;
	uint64_t size; /* an fd: the buffer's; a mapping: its extent's end */
	char *exporter; /* NULL for a mapping */
	char *name;
};

struct dmaheap_stat_recs {
	struct dmaheap_stat_rec *v;
	size_t n, cap;
};

/* A process's name, kept for the report. */
struct dmaheap_stat_comm {
	int pid;
	char *comm;
};

/* sum.c: the result from the holdings @recs (sorted here) of the
 * processes @comms; only @pid's part if @pid is not 0. */
int dmaheap_stat_sum(struct dmaheap_stat_recs *recs,
		     const struct dmaheap_stat_comm *comms, size_t n_comms,
		     int pid, struct dmaheap_stat **ret);
void dmaheap_stat_recs_clear(struct dmaheap_stat_recs *recs);

#endif /* DMAHEAP_STAT_H */
