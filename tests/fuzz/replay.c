/* SPDX-License-Identifier: MIT */
/*
 * Runs a fuzz harness over files, as a plain program: each argument is a
 * file or a directory of files (a corpus). This is how a build without
 * libFuzzer (gcc, valgrind) replays the seed corpus and the inputs that
 * once crashed, as unit tests.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *data = NULL;
	long len;
	int r = -1;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)len + 1)) &&
	    fread(data, 1, (size_t)len, f) == (size_t)len) {
		LLVMFuzzerTestOneInput(data, (size_t)len);
		r = 0;
	}
	free(data);
	fclose(f);
	return r;
}


/* Files of @dir in name order, so runs are reproducible. */
static int run_dir(const char *dir, int *n)
{
	struct dirent **ents;
	char path[4096];
	int count = scandir(dir, &ents, NULL, alphasort), r = 0;

	if (count < 0)
		return -errno;
	for (int i = 0; i < count; i++) {
		if (ents[i]->d_name[0] != '.' && r == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 ents[i]->d_name);
			r = run_file(path);
			if (r == 0)
				(*n)++;
			else
				fprintf(stderr, "%s: cannot read\n", path);
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		int r;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		r = S_ISDIR(st.st_mode) ? run_dir(argv[i], &n)
					: run_file(argv[i]);
		if (r == 0 && !S_ISDIR(st.st_mode))
			n++;
		if (r != 0)
			return 1;
	}
	printf("replayed %d inputs\n", n);
	return n ? 0 : 1;
}
