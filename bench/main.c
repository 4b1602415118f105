/* SPDX-License-Identifier: MIT */
/* dmaheap-bench: see bench.h and BENCHMARKS.md. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "bench.h"

#define MAX_SIZES 32

static void usage(void)
{
	printf("usage: dmaheap-bench [options]\n"
	       "  --heap NAME         heap for the kernel part (system)\n"
	       "  --sizes LIST        comma-separated sizes with K/M suffixes\n"
	       "                      (4K,16K,64K,256K,1M,4M,16M,32M,64M)\n"
	       "  --rounds-scale F    multiply the rounds per size (1.0)\n"
	       "  --thread-ops N      alloc+free per thread and round (1000)\n"
	       "  --native-iterations N  operations per native method (200000)\n"
	       "  --json FILE         write the results as JSON\n"
	       "  --dat FILE          write latency medians for gnuplot\n"
	       "  --skip-kernel, --skip-native, --skip-calls\n");
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	return (size_t)v;
}

static size_t parse_sizes(char *list, size_t *out)
{
	size_t n = 0;

	for (char *t = strtok(list, ","); t && n < MAX_SIZES;
	     t = strtok(NULL, ","))
		if ((out[n] = parse_size(t)) != 0)
			n++;
	return n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "heap", required_argument, NULL, 'h' },
		{ "sizes", required_argument, NULL, 's' },
		{ "rounds-scale", required_argument, NULL, 'r' },
		{ "thread-ops", required_argument, NULL, 't' },
		{ "native-iterations", required_argument, NULL, 'n' },
		{ "json", required_argument, NULL, 'j' },
		{ "dat", required_argument, NULL, 'd' },
		{ "skip-kernel", no_argument, NULL, 'K' },
		{ "skip-native", no_argument, NULL, 'N' },
		{ "skip-calls", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, '?' },
		{ NULL, 0, NULL, 0 },
	};
	char default_sizes[] = "4K,16K,64K,256K,1M,4M,16M,32M,64M";
	size_t sizes[MAX_SIZES];
	struct kernel_opts ko = { .heap = "system", .rounds_scale = 1.0,
				  .thread_ops = 1000 };
	const char *json = NULL, *dat = NULL;
	unsigned int native_iter = 200000;
	bool kernel = true, native = true, calls = true;
	struct bench_report r;
	struct utsname u;
	int c;

	ko.sizes = sizes;
	ko.nsizes = parse_sizes(default_sizes, sizes);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': ko.heap = optarg; break;
		case 's': ko.nsizes = parse_sizes(optarg, sizes); break;
		case 'r': ko.rounds_scale = atof(optarg); break;
		case 't': ko.thread_ops = (unsigned int)atoi(optarg); break;
		case 'n': native_iter = (unsigned int)atoi(optarg); break;
		case 'j': json = optarg; break;
		case 'd': dat = optarg; break;
		case 'K': kernel = false; break;
		case 'N': native = false; break;
		case 'C': calls = false; break;
		default: usage(); return c == '?' ? 0 : 2;
		}
	}
	uname(&u);
	report_begin(&r, json, dat);
	report_section(&r, "run");
	report_entry(&r, "{\"kernel\": \"%s %s %s\", \"time\": %lld}",
		     u.sysname, u.release, u.machine, (long long)time(NULL));
	printf("dmaheap-bench on %s %s %s\n\n", u.sysname, u.release,
	       u.machine);
	if (kernel)
		bench_kernel(&ko, &r);
	if (native)
		bench_native(native_iter, &r);
	if (calls)
		bench_calls(&r);
	report_end(&r);
	return 0;
}
