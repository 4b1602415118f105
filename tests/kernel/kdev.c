/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kdev.h"

int kt_open_first(const char *dir, const char *prefix, int flags,
		  bool (*match)(int fd, const void *arg), const void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		char path[300];
		int fd;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, flags | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (match(fd, arg))
			found = fd;
		else
			close(fd);
	}
	closedir(d);
	return found;
}
