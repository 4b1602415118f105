/* SPDX-License-Identifier: MIT */
/*
 * dmaheap stat: who holds which dma-bufs, system-wide (dmaheap_stat_scan()):
 * per process with its proportional share, per buffer, per exporter and
 * per buffer name. --json prints one stable JSON object (README: "dmaheap
 * stat").
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

/* Bumped when a field changes meaning or goes; new fields do not. */
#define STAT_JSON_VERSION 1

struct stat_args {
	int pid;
	bool json;
	const char *proc;
};

static int usage(const char *what, const char *arg)
{
	fprintf(stderr, "dmaheap stat: %s '%s'\n", what, arg);
	fputs("usage: dmaheap [OPTIONS] stat [--pid PID] [--json] "
	      "[--proc DIR]\n", stderr);
	return STATUS_USAGE;
}

static bool parse_pid(const char *s, int *pid)
{
	char *end;
	long v;

	if (*s < '1' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return false;
	*pid = (int)v;
	return true;
}

/* "--name VALUE" or "--name=VALUE": the value, moving *@i past it; NULL
 * if @argv[*@i] is not that option. *@missing: it is, without a value. */
static const char *option_value(int argc, char **argv, int *i,
				const char *name, bool *missing)
{
	size_t len = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, len) != 0)
		return NULL;
	if (a[len] == '=')
		return a + len + 1;
	if (a[len] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int parse_args(int argc, char **argv, struct stat_args *a)
{
	for (int i = 0; i < argc; i++) {
		bool missing = false;
		const char *v;

		if (strcmp(argv[i], "--json") == 0) {
			a->json = true;
		} else if ((v = option_value(argc, argv, &i, "--pid",
					     &missing))) {
			if (!parse_pid(v, &a->pid))
				return usage("invalid process id", v);
		} else if ((v = option_value(argc, argv, &i, "--proc",
					     &missing))) {
			if (!*v)
				return usage("empty directory", v);
			a->proc = v;
		} else {
			return usage(missing ? "a value must follow" :
				     "unknown option", argv[i]);
		}
	}
	return STATUS_OK;
}

/* "512 B", "8 KiB", "1.5 MiB". */
static const char *human(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	uint64_t div = 1;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes >= div * 1024) {
		div *= 1024;
		u++;
	}
	if (bytes % div == 0)
		snprintf(buf, len, "%" PRIu64 " %s", bytes / div, units[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)bytes / (double)div,
			 units[u]);
	return buf;
}

/* @s for a terminal: control characters (a name may hold any byte but
 * NUL) become '?'. */
static const char *printable(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void print_procs(const struct dmaheap_stat *st)
{
	char pss[24], size[24], comm[64];

	printf("%8s %11s %11s %5s %5s %5s  %s\n", "PID", "PSS", "SIZE", "FDS",
	       "MAPS", "BUFS", "COMMAND");
	for (size_t i = 0; i < st->n_procs; i++) {
		const struct dmaheap_stat_proc *p = &st->procs[i];

		printf("%8d %11s %11s %5u %5u %5zu  %s\n", p->pid,
		       human(pss, sizeof(pss), p->pss),
		       human(size, sizeof(size), p->bytes), p->fds,
		       p->mappings, p->n_bufs,
		       printable(comm, sizeof(comm), p->comm));
	}
}

static void print_bufs(const struct dmaheap_stat *st)
{
	char size[24], exp[64], name[64];

	printf("\n%10s %11s %5s %5s %5s  %-12s %s\n", "INODE", "SIZE",
	       "PROCS", "FDS", "MAPS", "EXPORTER", "NAME");
	for (size_t i = 0; i < st->n_bufs; i++) {
		const struct dmaheap_stat_buf *b = &st->bufs[i];

		printf("%10" PRIu64 " %11s %5u %5u %5u  %-12s %s\n", b->inode,
		       human(size, sizeof(size), b->size), b->processes,
		       b->fds, b->mappings,
		       *b->exporter ? printable(exp, sizeof(exp), b->exporter)
				    : "?",
		       *b->name ? printable(name, sizeof(name), b->name) : "-");
	}
}

static void print_groups(const char *title, const char *none,
			 const struct dmaheap_stat_group *g, size_t n)
{
	char size[24], key[64];

	printf("\n%-16s %7s %11s\n", title, "BUFFERS", "SIZE");
	for (size_t i = 0; i < n; i++)
		printf("%-16s %7zu %11s\n",
		       *g[i].key ? printable(key, sizeof(key), g[i].key) : none,
		       g[i].buffers, human(size, sizeof(size), g[i].bytes));
}

static void print_text(const struct dmaheap_stat *st)
{
	char size[24];

	print_procs(st);
	print_bufs(st);
	print_groups("EXPORTER", "? (mapped only)", st->exporters,
		     st->n_exporters);
	print_groups("NAME", "- (unnamed)", st->names, st->n_names);
	printf("\ntotal %zu buffer%s, %s in %zu process%s\n", st->n_bufs,
	       st->n_bufs == 1 ? "" : "s", human(size, sizeof(size), st->bytes),
	       st->n_procs, st->n_procs == 1 ? "" : "es");
	if (st->unreadable || st->vanished || st->malformed)
		printf("not counted: unreadable processes %u, processes or "
		       "fds gone during the scan %u, entries not understood "
		       "%u\n", st->unreadable, st->vanished, st->malformed);
}

static void json_procs(const struct dmaheap_stat *st)
{
	fputs("\"processes\":[", stdout);
	for (size_t i = 0; i < st->n_procs; i++) {
		const struct dmaheap_stat_proc *p = &st->procs[i];

		printf("%s{\"pid\":%d,\"comm\":", i ? "," : "", p->pid);
		print_json_string(stdout, p->comm);
		printf(",\"pss\":%" PRIu64 ",\"size\":%" PRIu64 ",\"fds\":%u"
		       ",\"mappings\":%u,\"buffers\":[", p->pss, p->bytes,
		       p->fds, p->mappings);
		for (size_t k = 0; k < p->n_bufs; k++)
			printf("%s%" PRIu64, k ? "," : "",
			       st->bufs[p->bufs[k]].inode);
		fputs("]}", stdout);
	}
	fputs("]", stdout);
}

static void json_bufs(const struct dmaheap_stat *st)
{
	fputs(",\"buffers\":[", stdout);
	for (size_t i = 0; i < st->n_bufs; i++) {
		const struct dmaheap_stat_buf *b = &st->bufs[i];

		printf("%s{\"inode\":%" PRIu64 ",\"size\":%" PRIu64
		       ",\"exporter\":", i ? "," : "", b->inode, b->size);
		print_json_string(stdout, b->exporter);
		fputs(",\"name\":", stdout);
		print_json_string(stdout, b->name);
		printf(",\"processes\":%u,\"fds\":%u,\"mappings\":%u}",
		       b->processes, b->fds, b->mappings);
	}
	fputs("]", stdout);
}

static void json_groups(const char *member, const char *key,
			const struct dmaheap_stat_group *g, size_t n)
{
	printf(",\"%s\":[", member);
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"%s\":", i ? "," : "", key);
		print_json_string(stdout, g[i].key);
		printf(",\"buffers\":%zu,\"size\":%" PRIu64 "}", g[i].buffers,
		       g[i].bytes);
	}
	fputs("]", stdout);
}

static void print_json(const struct dmaheap_stat *st)
{
	printf("{\"version\":%d,", STAT_JSON_VERSION);
	json_procs(st);
	json_bufs(st);
	json_groups("exporters", "exporter", st->exporters, st->n_exporters);
	json_groups("names", "name", st->names, st->n_names);
	printf(",\"total\":{\"buffers\":%zu,\"size\":%" PRIu64 "}"
	       ",\"unreadable\":%u,\"vanished\":%u,\"malformed\":%u}\n",
	       st->n_bufs, st->bytes, st->unreadable, st->vanished,
	       st->malformed);
}

static int run_stat(struct dmaheap_ctx *ctx, int argc, char **argv)
{
	struct stat_args a = { .pid = 0, .json = false, .proc = NULL };
	struct dmaheap_stat *st;
	int r = parse_args(argc, argv, &a);

	if (r != STATUS_OK)
		return r;
	r = dmaheap_stat_scan(ctx, a.proc, a.pid, &st);
	if (r == -ESRCH) {
		fprintf(stderr, "dmaheap: no process %d in %s\n", a.pid,
			a.proc ? a.proc : "/proc");
		return STATUS_FAILED;
	}
	if (r) {
		if (a.pid)
			fail(r, "read the fds of process %d", a.pid);
		else
			fail(r, "scan %s", a.proc ? a.proc : "/proc");
		return STATUS_FAILED;
	}
	if (a.json)
		print_json(st);
	else
		print_text(st);
	dmaheap_stat_free(st);
	return STATUS_OK;
}

const struct command cmd_stat = {
	.name = "stat",
	.synopsis = "[--pid PID] [--json] [--proc DIR]",
	.help =
	"  stat [--pid PID] [--json] [--proc DIR]\n"
	"                   the dma-bufs every process holds (fds and\n"
	"                   mappings), each counted once: per process with\n"
	"                   its proportional share (PSS: size / holders), per\n"
	"                   buffer, per exporter and per name. Other users'\n"
	"                   processes need root (in a container, with\n"
	"                   CAP_SYS_PTRACE). --pid: that process only;\n"
	"                   --json: one JSON object (README: dmaheap stat);\n"
	"                   --proc: procfs mounted elsewhere than /proc\n",
	.min_args = 0,
	.max_args = 5,
	.own_options = true,
	.valued = (const char *const[]){ "--pid", "--proc", NULL },
	.run = run_stat,
};
