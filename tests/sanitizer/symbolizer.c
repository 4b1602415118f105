/* SPDX-License-Identifier: MIT */
/*
 * The sanitizers start llvm-symbolizer with the failing test's own
 * environment. Tests that preload the mock (LD_PRELOAD of an instrumented
 * libdmaheap-mock-preload.so) would make the symbolizer fail to load
 * ("undefined symbol: __tsan_init"), and the report would come out
 * without function names, or not at all when the sanitizer's pipe to it
 * broke. Built static (it must not load the preload itself) and named
 * llvm-symbolizer, which is how the sanitizers tell which tool it is, it
 * drops LD_PRELOAD and runs the real one, REAL_SYMBOLIZER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef REAL_SYMBOLIZER
#error "build with -DREAL_SYMBOLIZER=\"/usr/bin/llvm-symbolizer-N\""
#endif

int main(int argc, char **argv)
{
	(void)argc;
	unsetenv("LD_PRELOAD");
	argv[0] = (char *)REAL_SYMBOLIZER;
	execv(REAL_SYMBOLIZER, argv);
	perror(REAL_SYMBOLIZER);
	return 127;
}
