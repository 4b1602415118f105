/* SPDX-License-Identifier: MIT */
/*
 * System-wide accounting: the walk over /proc/PID/fdinfo and
 * /proc/PID/maps that finds who holds which dma-buf (dmaheap_stat_scan()).
 * Parsing is in parse.c, summing in sum.c.
 *
 * Processes come and go while the walk runs, so "gone" (ENOENT, ESRCH) is
 * an ordinary outcome at every step; a process that fails part-way is left
 * out entirely rather than half counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "stat.h"

#define DEFAULT_PROC_DIR "/proc"
/* Room after the directory for "/PID/fdinfo/FD". */
#define PROC_DIR_MAX (PATH_MAX - 64)
/* A dma-buf's fdinfo is a few hundred bytes; other files' may be long,
 * and their tail is of no interest. */
#define FDINFO_MAX 4096
#define MAPS_CHUNK 16384
#define COMM_MAX 64

struct numbers {
	int *v;
	size_t n, cap;
};

struct scan {
	struct dmaheap_ctx *ctx;
	const char *proc;
	struct dmaheap_stat_recs recs;
	struct dmaheap_stat_comm *comms;
	size_t n_comms, cap_comms;
	unsigned int unreadable, vanished, malformed;
	unsigned int denied;   /* of unreadable: for want of permission */
	int denied_pid;        /* the first of those, for the warning */
	int self;              /* this process's pid */
};

static bool is_gone(int r)
{
	return r == -ENOENT || r == -ESRCH;
}

static bool is_denied(int r)
{
	return r == -EACCES || r == -EPERM;
}

/* Errors that would make the rest of the scan as wrong: stop. */
static bool is_fatal(int r)
{
	return r == -ENOMEM || r == -EMFILE || r == -ENFILE;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *nv;

	if (n < *cap)
		return 0;
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* readdir callback: collects the entries that are numbers (pids, fds). */
static int add_number(void *arg, const char *name)
{
	struct numbers *nums = arg;
	long v = 0;

	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	if (!*name)
		return 0;
	if (grow((void **)&nums->v, &nums->cap, nums->n, sizeof(*nums->v)))
		return -ENOMEM;
	nums->v[nums->n++] = (int)v;
	return 0;
}

static int list_numbers(struct scan *s, const char *path,
			struct numbers *nums)
{
	const struct dmaheap_sys *sys = s->ctx->sys;
	int r;

	memset(nums, 0, sizeof(*nums));
	r = sys->readdir(sys, path, add_number, nums);
	if (r) {
		free(nums->v);
		nums->v = NULL;
	}
	return r;
}

static int read_retry(const struct dmaheap_sys *sys, int fd, char *buf,
		      size_t len)
{
	int r;

	do
		r = sys->read(sys, fd, buf, len);
	while (r == -EINTR);
	return r;
}

/* Reads up to @cap bytes of @path; the length read, or -errno. */
static int read_small(struct scan *s, const char *path, char *buf, size_t cap)
{
	const struct dmaheap_sys *sys = s->ctx->sys;
	size_t len = 0;
	int fd, r = 0;

	fd = sys->open(sys, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	while (len < cap && (r = read_retry(sys, fd, buf + len, cap - len)) > 0)
		len += (size_t)r;
	sys->close(sys, fd);
	return r < 0 ? r : (int)len;
}

static int add_rec(struct scan *s, int pid, bool mapping, uint64_t ino,
		   uint64_t size, const char *exporter, const char *name)
{
	struct dmaheap_stat_rec *rec;

	if (grow((void **)&s->recs.v, &s->recs.cap, s->recs.n,
		 sizeof(*s->recs.v)))
		return -ENOMEM;
	rec = &s->recs.v[s->recs.n];
	*rec = (struct dmaheap_stat_rec){ .pid = pid, .mapping = mapping,
					  .ino = ino, .size = size };
	rec->exporter = exporter ? strdup(exporter) : NULL;
	rec->name = strdup(name);
	if ((exporter && !rec->exporter) || !rec->name) {
		free(rec->exporter);
		free(rec->name);
		return -ENOMEM;
	}
	s->recs.n++;
	return 0;
}

static void note_malformed(struct scan *s, const char *path)
{
	s->malformed++;
	dmaheap_log(s->ctx, DMAHEAP_LOG_DEBUG,
		    "stat: %s describes a dma-buf in a way not understood; "
		    "left out", path);
}

static int scan_fd(struct scan *s, int pid, int fd)
{
	struct dmaheap_fdinfo fi;
	char path[PATH_MAX], text[FDINFO_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", s->proc, pid, fd);
	r = read_small(s, path, text, sizeof(text));
	if (r < 0)
		return r;
	r = dmaheap_fdinfo_parse(text, (size_t)r, &fi);
	if (r == -EBADMSG)
		note_malformed(s, path);
	if (r <= 0)
		return 0;
	return add_rec(s, pid, false, fi.ino, fi.size, fi.exporter, fi.name);
}

static int scan_fds(struct scan *s, int pid)
{
	struct numbers fds;
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/%d/fdinfo", s->proc, pid);
	r = list_numbers(s, path, &fds);
	for (size_t i = 0; !r && i < fds.n; i++) {
		r = scan_fd(s, pid, fds.v[i]);
		/* Closed since the listing: the process is still there.
		 * This process always lists the directory fd of the
		 * listing itself, closed by now: that one is no news. */
		if (is_gone(r)) {
			s->vanished += pid != s->self;
			r = 0;
		}
	}
	free(fds.v);
	return r;
}

static int map_line(struct scan *s, int pid, const char *line, size_t len,
		    const char *path)
{
	struct dmaheap_mapinfo mi;
	int r = dmaheap_maps_parse(line, len, &mi);

	if (r == -EBADMSG)
		note_malformed(s, path);
	if (r <= 0)
		return 0;
	return add_rec(s, pid, true, mi.ino, mi.offset + mi.len, NULL,
		       mi.name);
}

/* Lines of @buf[0, *len) that are complete go to map_line(); the partial
 * last one moves to the front. A line longer than the buffer is dropped:
 * no dma-buf's line is that long. */
static int map_lines(struct scan *s, int pid, char *buf, size_t *len,
		     bool *skip, const char *path)
{
	size_t start = 0;
	char *nl;
	int r = 0;

	while (!r && (nl = memchr(buf + start, '\n', *len - start))) {
		size_t end = (size_t)(nl - buf);

		if (!*skip)
			r = map_line(s, pid, buf + start, end - start, path);
		*skip = false;
		start = end + 1;
	}
	if (start == 0 && *len == MAPS_CHUNK) {
		*skip = true;
		start = *len;
	}
	memmove(buf, buf + start, *len - start);
	*len -= start;
	return r;
}

static int scan_maps(struct scan *s, int pid)
{
	const struct dmaheap_sys *sys = s->ctx->sys;
	char path[PATH_MAX];
	char *buf = malloc(MAPS_CHUNK);
	size_t len = 0;
	bool skip = false;
	int fd, r;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%d/maps", s->proc, pid);
	fd = r = sys->open(sys, path, O_RDONLY | O_CLOEXEC, 0);
	while (r >= 0) {
		r = read_retry(sys, fd, buf + len, MAPS_CHUNK - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		r = map_lines(s, pid, buf, &len, &skip, path);
	}
	/* A last line without a newline is a line too. */
	if (r == 0 && len && !skip)
		r = map_line(s, pid, buf, len, path);
	if (fd >= 0)
		sys->close(sys, fd);
	free(buf);
	return r;
}

/* /proc/PID/comm for the report; "" when it cannot be read. */
static int scan_comm(struct scan *s, int pid)
{
	struct dmaheap_stat_comm *c;
	char path[PATH_MAX], text[COMM_MAX];
	int r;

	if (grow((void **)&s->comms, &s->cap_comms, s->n_comms,
		 sizeof(*s->comms)))
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%d/comm", s->proc, pid);
	r = read_small(s, path, text, sizeof(text) - 1);
	if (r < 0)
		r = 0;
	text[r] = '\0';
	text[strcspn(text, "\n")] = '\0';
	c = &s->comms[s->n_comms];
	c->pid = pid;
	c->comm = strdup(text);
	if (!c->comm)
		return -ENOMEM;
	s->n_comms++;
	return 0;
}

/* One process: all of it, or (on failure) nothing of it. */
static int scan_proc(struct scan *s, int pid)
{
	size_t before = s->recs.n;
	int r = scan_fds(s, pid);

	if (!r)
		r = scan_maps(s, pid);
	if (!r && s->recs.n > before)
		r = scan_comm(s, pid);
	if (r) {
		while (s->recs.n > before) {
			s->recs.n--;
			free(s->recs.v[s->recs.n].exporter);
			free(s->recs.v[s->recs.n].name);
		}
	}
	return r;
}

/* Counts a process that failed; returns what stops the scan. */
static int proc_failed(struct scan *s, int pid, int r, bool wanted)
{
	if (is_fatal(r))
		return r;
	if (is_gone(r)) {
		s->vanished++;
		return wanted ? -ESRCH : 0;
	}
	s->unreadable++;
	if (is_denied(r) && s->denied++ == 0)
		s->denied_pid = pid;
	else if (!is_denied(r))
		dmaheap_log(s->ctx, DMAHEAP_LOG_DEBUG,
			    "stat: %s/%d: %s; left out", s->proc, pid,
			    dmaheap_strerror(r));
	if (!wanted)
		return 0;
	return is_denied(r) ? -EACCES : r;
}

static int scan_all(struct scan *s, int pid)
{
	struct numbers pids;
	bool found = pid == 0;
	int r = list_numbers(s, s->proc, &pids);

	for (size_t i = 0; !r && i < pids.n; i++) {
		bool wanted = pids.v[i] == pid;

		found |= wanted;
		r = scan_proc(s, pids.v[i]);
		if (r)
			r = proc_failed(s, pids.v[i], r, wanted);
	}
	free(pids.v);
	if (!r && !found)
		r = -ESRCH;
	return r;
}

/* Capabilities that reading other processes' fds and maps needs: the
 * ptrace access check, and getting into their 0500 directories. */
#define CAP_DAC_OVERRIDE_BIT 1
#define CAP_DAC_READ_SEARCH_BIT 2
#define CAP_SYS_PTRACE_BIT 19

/* The scanning process's effective uid and capabilities, from the
 * procfs's self/status; false if it cannot tell. */
static bool read_self(struct scan *s, unsigned long *euid, uint64_t *caps)
{
	char path[PATH_MAX], text[4096];
	const char *uid, *cap;
	unsigned long long v;
	int n;

	snprintf(path, sizeof(path), "%s/self/status", s->proc);
	n = read_small(s, path, text + 1, sizeof(text) - 2);
	if (n < 0)
		return false;
	text[0] = '\n';
	text[n + 1] = '\0';
	uid = strstr(text, "\nUid:");
	cap = strstr(text, "\nCapEff:");
	if (!uid || !cap || sscanf(uid, "\nUid: %*u %lu", euid) != 1 ||
	    sscanf(cap, "\nCapEff: %llx", &v) != 1)
		return false;
	*caps = v;
	return true;
}

/*
 * What to do about refused processes. "Run as root" only helps who is
 * not root: root in a container lacks capabilities, or is root of a user
 * namespace that does not own the processes, or a security module says
 * no.
 */
static const char *denied_advice(struct scan *s, char *buf, size_t len)
{
	bool ptrace, dac;
	unsigned long euid;
	uint64_t caps;

	if (!read_self(s, &euid, &caps) || euid != 0)
		return "run as root to see every process";
	ptrace = caps & (1ull << CAP_SYS_PTRACE_BIT);
	dac = caps & ((1ull << CAP_DAC_OVERRIDE_BIT) |
		      (1ull << CAP_DAC_READ_SEARCH_BIT));
	if (ptrace && dac)
		return "this process is root with CAP_SYS_PTRACE and "
		       "CAP_DAC_READ_SEARCH, so what refuses it is a user "
		       "namespace that does not own those processes (a "
		       "container's root is not the host's: run on the host) "
		       "or a security module (Yama ptrace_scope 3, SELinux, "
		       "AppArmor)";
	snprintf(buf, len,
		 "this process is root but lacks %s%s%s, which reading other "
		 "processes' fds needs (containers drop %s: grant %s, e.g. "
		 "docker run --cap-add %s%s%s)",
		 ptrace ? "" : "CAP_SYS_PTRACE", ptrace || dac ? "" : " and ",
		 dac ? "" : "CAP_DAC_READ_SEARCH",
		 ptrace || dac ? "it" : "them", ptrace || dac ? "it" : "them",
		 ptrace ? "" : "SYS_PTRACE", ptrace || dac ? "" : " --cap-add ",
		 dac ? "" : "DAC_READ_SEARCH");
	return buf;
}

static void warn_denied(struct scan *s)
{
	char advice[384];

	if (!s->denied)
		return;
	dmaheap_log(s->ctx, DMAHEAP_LOG_WARNING,
		    "stat: the fds or maps of %u process%s could not be read "
		    "(%s/%d%s: permission denied), so their dma-bufs are not "
		    "counted; %s",
		    s->denied, s->denied == 1 ? "" : "es", s->proc,
		    s->denied_pid, s->denied == 1 ? "" : " and others",
		    denied_advice(s, advice, sizeof(advice)));
}

static void scan_clear(struct scan *s)
{
	dmaheap_stat_recs_clear(&s->recs);
	for (size_t i = 0; i < s->n_comms; i++)
		free(s->comms[i].comm);
	free(s->comms);
}

static int cmp_comm(const void *a, const void *b)
{
	const struct dmaheap_stat_comm *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

DMAHEAP_EXPORT int dmaheap_stat_scan(struct dmaheap_ctx *ctx,
				     const char *proc_dir, int pid,
				     struct dmaheap_stat **ret)
{
	struct scan s = { .ctx = ctx, .self = (int)getpid(),
			  .proc = proc_dir ? proc_dir : DEFAULT_PROC_DIR };
	struct dmaheap_stat *st;
	int r;

	if (!ctx || !ret || pid < 0 || !*s.proc ||
	    strlen(s.proc) > PROC_DIR_MAX)
		return -EINVAL;
	r = scan_all(&s, pid);
	warn_denied(&s);
	if (!r && s.n_comms)
		qsort(s.comms, s.n_comms, sizeof(*s.comms), cmp_comm);
	if (!r)
		r = dmaheap_stat_sum(&s.recs, s.comms, s.n_comms, pid, &st);
	if (!r) {
		st->unreadable = s.unreadable;
		st->vanished = s.vanished;
		st->malformed = s.malformed;
		*ret = st;
	}
	scan_clear(&s);
	return r;
}
