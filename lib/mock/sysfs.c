/* SPDX-License-Identifier: MIT */
/*
 * udmabuf's paths: the device node and the module's parameter files
 * under /sys/module/udmabuf, which the mock answers itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mock-private.h"

static const char *const udm_param_files[UDM_NPARAMS] = {
	[UDM_SIZE_LIMIT_MB] = "/parameters/size_limit_mb",
	[UDM_LIST_LIMIT] = "/parameters/list_limit",
};

enum udm_path dmock_classify_udm(const struct dmaheap_mock *m,
				 const char *path, enum udm_param *param)
{
	size_t dlen = strlen(m->udm_path), slen = strlen(MOCK_SYSFS_DIR);
	int i;

	if (!path)
		return UDM_NONE;
	if (strncmp(path, m->udm_path, dlen) == 0 &&
	    (path[dlen] == '\0' || path[dlen] == '/'))
		return path[dlen] ? UDM_BELOW_DEV : UDM_DEV;
	if (strncmp(path, MOCK_SYSFS_DIR, slen) != 0 ||
	    (path[slen] != '/' && path[slen] != '\0'))
		return UDM_NONE;
	for (i = 0; i < UDM_NPARAMS; i++) {
		if (strcmp(path + slen, udm_param_files[i]) == 0) {
			*param = (enum udm_param)i;
			return UDM_PARAM;
		}
	}
	return UDM_SYSFS;
}

unsigned int dmock_udm_param_value(const struct dmaheap_mock *m,
				   enum udm_param param)
{
	const struct dmaheap_mock_udmabuf *p = &m->udm_params;

	if (param == UDM_SIZE_LIMIT_MB)
		return p->size_limit_mb ? p->size_limit_mb :
					  MOCK_UDMABUF_SIZE_LIMIT_MB;
	return p->list_limit ? p->list_limit : MOCK_UDMABUF_LIST_LIMIT;
}

/* Whether the parameter files are there: the module is, with sysfs. */
static bool udm_params_exist(const struct dmaheap_mock *m)
{
	return m->udm && !m->udm_params.no_sysfs;
}

/*
 * A module parameter file, as sysfs shows it to an unprivileged process:
 * the value and a newline, 0644 root, so not writable. The value is read
 * at open, as kernfs does at the first read.
 */
static int param_open(struct dmaheap_mock *m, enum udm_param param,
		      int flags)
{
	char text[16];
	int fd, r;

	if (!udm_params_exist(m))
		return -ENOENT;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EACCES;
	snprintf(text, sizeof(text), "%u\n", dmock_udm_param_value(m, param));
	fd = dmock_text_memfd(udm_param_files[param] + strlen("/parameters/"),
			      text);
	if (fd < 0)
		return fd;
	fd = dmock_shape_fd(fd, flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK),
			    true);
	if (fd < 0)
		return fd;
	r = dmock_obj_add(m, OBJ_PARAM, m->udm, fd, NULL);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* What kernfs says of a module parameter. */
void dmock_param_stat(struct stat *st)
{
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_size = MOCK_SYSFS_ATTR_SIZE;
}

/* Under the lock. */
int dmock_udm_open(struct dmaheap_mock *m, enum udm_path kind,
		   enum udm_param param, int flags)
{
	switch (kind) {
	case UDM_DEV:
	case UDM_BELOW_DEV:
		return dmock_node_open(m, m->udm, kind == UDM_BELOW_DEV, flags);
	case UDM_PARAM:
		return param_open(m, param, flags);
	default:
		/* The rest of the module's directory is not emulated. */
		return -ENOENT;
	}
}

/* No udmabuf path is a directory the mock lists: the node and the
 * parameter files are files, the rest of sysfs is not emulated. */
int dmock_udm_readdir(struct dmaheap_mock *m, enum udm_path kind)
{
	bool exists;

	mock_lock(m);
	exists = kind == UDM_PARAM ? udm_params_exist(m) :
				     kind != UDM_SYSFS && m->udm;
	mock_unlock(m);
	return exists ? -ENOTDIR : -ENOENT;
}
