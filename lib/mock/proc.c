/* SPDX-License-Identifier: MIT */
/*
 * A fake procfs for dmaheap_stat_scan(): processes declared by the test,
 * each with fds whose fdinfo text and a maps text the test wrote, at a
 * path only the mock knows (dmaheap_mock_proc_dir()).
 *
 *   DIR            readdir: the pids
 *   DIR/PID/fdinfo readdir: the fd numbers
 *   DIR/PID/fdinfo/FD, DIR/PID/maps, DIR/PID/comm: open gives a memfd
 *                  holding the text as it is at the open
 *
 * A process may be gone (listed in DIR, everything below it ENOENT, as when
 * it exits between the listing and the look) or not accessible (its fdinfo
 * and maps EACCES, as another user's process); an fd may be gone (listed,
 * its fdinfo ENOENT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock-private.h"

enum proc_file { PF_ROOT, PF_PID, PF_FDINFO_DIR, PF_FDINFO, PF_MAPS, PF_COMM };

/* A parsed path below the proc directory. */
struct proc_path {
	enum proc_file file;
	int pid;
	int fd;
};

struct mock_proc_fd {
	struct mock_proc_fd *next;
	int fd;
	bool gone;
	char *fdinfo;
};

struct mock_proc {
	struct mock_proc *next;
	int pid;
	enum dmaheap_mock_proc_state state;
	char *comm;
	char *maps;
	struct mock_proc_fd *fds;
};

/* A decimal int starting at *@p, which moves past it: positive, or 0 if
 * @zero, written as procfs does (no leading zero). */
static bool take_number(const char **p, bool zero, int *out)
{
	long v = 0;
	const char *s = *p;

	if (zero && s[0] == '0' && (s[1] < '0' || s[1] > '9')) {
		*out = 0;
		*p = s + 1;
		return true;
	}
	if (*s < '1' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > INT32_MAX)
			return false;
	}
	*out = (int)v;
	*p = s;
	return true;
}

/* Whether @path is the mock's proc directory or below it; *@err is set for
 * a path below it that does not exist whatever the processes. */
static bool classify(const struct dmaheap_mock *m, const char *path,
		     struct proc_path *pp, int *err)
{
	size_t len = strlen(m->proc_dir);
	const char *p;

	*err = 0;
	if (!path || strncmp(path, m->proc_dir, len) != 0 ||
	    (path[len] != '/' && path[len] != '\0'))
		return false;
	p = path + len;
	memset(pp, 0, sizeof(*pp));
	if (*p == '\0' || strcmp(p, "/") == 0)
		return true;
	p++;
	if (!take_number(&p, false, &pp->pid))
		*err = -ENOENT;
	else if (*p == '\0')
		pp->file = PF_PID;
	else if (strcmp(p, "/fdinfo") == 0)
		pp->file = PF_FDINFO_DIR;
	else if (strcmp(p, "/maps") == 0)
		pp->file = PF_MAPS;
	else if (strcmp(p, "/comm") == 0)
		pp->file = PF_COMM;
	else if (strncmp(p, "/fdinfo/", 8) == 0 &&
		 (p += 8, take_number(&p, true, &pp->fd)) && *p == '\0')
		pp->file = PF_FDINFO;
	else
		*err = -ENOENT;
	return true;
}

static struct mock_proc *find_proc(const struct dmaheap_mock *m, int pid)
{
	struct mock_proc *p;

	for (p = m->procs; p && p->pid != pid; p = p->next)
		;
	return p;
}

static struct mock_proc_fd *find_fd(const struct mock_proc *p, int fd)
{
	struct mock_proc_fd *f;

	for (f = p->fds; f && f->fd != fd; f = f->next)
		;
	return f;
}

/* The text @pp names, copied; NULL with *@err set if it cannot be read. */
static char *file_text(const struct dmaheap_mock *m,
		       const struct proc_path *pp, int *err)
{
	const struct mock_proc *p = find_proc(m, pp->pid);
	const struct mock_proc_fd *f;
	const char *text = NULL;

	*err = -ENOENT;
	if (!p || p->state == DMAHEAP_MOCK_PROC_GONE)
		return NULL;
	if (pp->file == PF_COMM) {
		text = p->comm;
	} else if (pp->file == PF_MAPS || pp->file == PF_FDINFO) {
		if (p->state == DMAHEAP_MOCK_PROC_NO_ACCESS) {
			*err = -EACCES;
			return NULL;
		}
		f = pp->file == PF_FDINFO ? find_fd(p, pp->fd) : NULL;
		text = pp->file == PF_MAPS ? p->maps :
		       f && !f->gone ? f->fdinfo : NULL;
	} else {
		*err = -EISDIR;
		return NULL;
	}
	if (!text)
		return NULL;
	*err = -ENOMEM;
	return strdup(text);
}

int dmock_proc_open(struct dmaheap_mock *m, const char *path, int flags,
		    bool *mine)
{
	struct proc_path pp;
	char *text;
	int r;

	*mine = classify(m, path, &pp, &r);
	if (!*mine || r)
		return r;
	if (pp.file == PF_ROOT)
		return -EISDIR;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	mock_lock(m);
	text = file_text(m, &pp, &r);
	mock_unlock(m);
	if (!text)
		return r;
	r = dmock_text_memfd("proc", text);
	free(text);
	return r;
}

/* The entries of a directory, snapshotted so the callback runs unlocked. */
static int dir_numbers(const struct dmaheap_mock *m,
		       const struct proc_path *pp, int **v, size_t *n)
{
	const struct mock_proc *p = NULL;
	const struct mock_proc_fd *f;
	size_t count = 0;

	if (pp->file == PF_ROOT) {
		for (p = m->procs; p; p = p->next)
			count++;
	} else {
		p = find_proc(m, pp->pid);
		if (!p || p->state == DMAHEAP_MOCK_PROC_GONE)
			return -ENOENT;
		if (pp->file != PF_FDINFO_DIR)
			return pp->file == PF_PID ? -EOPNOTSUPP : -ENOTDIR;
		if (p->state == DMAHEAP_MOCK_PROC_NO_ACCESS)
			return -EACCES;
		for (f = p->fds; f; f = f->next)
			count++;
	}
	*v = malloc((count + 1) * sizeof(**v));
	if (!*v)
		return -ENOMEM;
	*n = 0;
	if (pp->file == PF_ROOT)
		for (p = m->procs; p; p = p->next)
			(*v)[(*n)++] = p->pid;
	else
		for (f = p->fds; f; f = f->next)
			(*v)[(*n)++] = f->fd;
	return 0;
}

int dmock_proc_readdir(struct dmaheap_mock *m, const char *path,
		       dmaheap_sys_dirent_fn fn, void *arg, bool *mine)
{
	struct proc_path pp;
	char name[16];
	size_t n = 0;
	int *v = NULL, r;

	*mine = classify(m, path, &pp, &r);
	if (!*mine || r)
		return r;
	mock_lock(m);
	r = dir_numbers(m, &pp, &v, &n);
	mock_unlock(m);
	if (r)
		return r;
	r = fn(arg, ".");
	if (!r)
		r = fn(arg, "..");
	for (size_t i = 0; !r && i < n; i++) {
		snprintf(name, sizeof(name), "%d", v[i]);
		r = fn(arg, name);
	}
	free(v);
	return r;
}

static void proc_free(struct mock_proc *p)
{
	while (p->fds) {
		struct mock_proc_fd *f = p->fds;

		p->fds = f->next;
		free(f->fdinfo);
		free(f);
	}
	free(p->comm);
	free(p->maps);
	free(p);
}

void dmock_procs_free(struct dmaheap_mock *m)
{
	while (m->procs) {
		struct mock_proc *p = m->procs;

		m->procs = p->next;
		proc_free(p);
	}
}

const char *dmaheap_mock_proc_dir(const struct dmaheap_mock *mock)
{
	return mock ? mock->proc_dir : NULL;
}

int dmaheap_mock_proc_add(struct dmaheap_mock *mock, int pid,
			  const char *comm)
{
	struct mock_proc *p;
	int r = 0;

	if (!mock || pid <= 0 || !comm)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->comm = strdup(comm)) || !(p->maps = strdup(""))) {
		if (p)
			proc_free(p);
		return -ENOMEM;
	}
	p->pid = pid;
	mock_lock(mock);
	if (find_proc(mock, pid)) {
		r = -EEXIST;
	} else {
		p->next = mock->procs;
		mock->procs = p;
	}
	mock_unlock(mock);
	if (r)
		proc_free(p);
	return r;
}

int dmaheap_mock_proc_remove(struct dmaheap_mock *mock, int pid)
{
	struct mock_proc **pp, *p = NULL;

	if (!mock)
		return -EINVAL;
	mock_lock(mock);
	for (pp = &mock->procs; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid == pid) {
			p = *pp;
			*pp = p->next;
			break;
		}
	}
	mock_unlock(mock);
	if (!p)
		return -ENOENT;
	proc_free(p);
	return 0;
}

int dmaheap_mock_proc_set_state(struct dmaheap_mock *mock, int pid,
				enum dmaheap_mock_proc_state state)
{
	struct mock_proc *p;

	if (!mock || state < DMAHEAP_MOCK_PROC_LIVE ||
	    state > DMAHEAP_MOCK_PROC_NO_ACCESS)
		return -EINVAL;
	mock_lock(mock);
	p = find_proc(mock, pid);
	if (p)
		p->state = state;
	mock_unlock(mock);
	return p ? 0 : -ENOENT;
}

/* Replaces *@slot by a copy of @text; @text NULL is not allowed here. */
static int set_text(char **slot, const char *text)
{
	char *copy = strdup(text);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

int dmaheap_mock_proc_set_maps(struct dmaheap_mock *mock, int pid,
			       const char *maps)
{
	struct mock_proc *p;
	int r = -ENOENT;

	if (!mock || !maps)
		return -EINVAL;
	mock_lock(mock);
	p = find_proc(mock, pid);
	if (p)
		r = set_text(&p->maps, maps);
	mock_unlock(mock);
	return r;
}

/* Removes fd @fd of @p, if it has it. */
static void drop_fd(struct mock_proc *p, int fd)
{
	struct mock_proc_fd **fp;

	for (fp = &p->fds; *fp; fp = &(*fp)->next) {
		if ((*fp)->fd == fd) {
			struct mock_proc_fd *f = *fp;

			*fp = f->next;
			free(f->fdinfo);
			free(f);
			return;
		}
	}
}

static int add_fd(struct mock_proc *p, int fd, const char *fdinfo)
{
	struct mock_proc_fd *f = find_fd(p, fd);

	if (f) {
		f->gone = false;
		return set_text(&f->fdinfo, fdinfo);
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->fdinfo = strdup(fdinfo))) {
		free(f);
		return -ENOMEM;
	}
	f->fd = fd;
	f->next = p->fds;
	p->fds = f;
	return 0;
}

int dmaheap_mock_proc_set_fd(struct dmaheap_mock *mock, int pid, int fd,
			     const char *fdinfo)
{
	struct mock_proc *p;
	int r = 0;

	if (!mock || fd < 0)
		return -EINVAL;
	mock_lock(mock);
	p = find_proc(mock, pid);
	if (!p)
		r = -ENOENT;
	else if (!fdinfo)
		drop_fd(p, fd);
	else
		r = add_fd(p, fd, fdinfo);
	mock_unlock(mock);
	return r;
}

int dmaheap_mock_proc_vanish_fd(struct dmaheap_mock *mock, int pid, int fd)
{
	struct mock_proc *p;
	struct mock_proc_fd *f = NULL;

	if (!mock)
		return -EINVAL;
	mock_lock(mock);
	p = find_proc(mock, pid);
	if (p)
		f = find_fd(p, fd);
	if (f)
		f->gone = true;
	mock_unlock(mock);
	return f ? 0 : -ENOENT;
}
