/* SPDX-License-Identifier: MIT */
/*
 * The dmaheap subcommands. To add one: write cmd-<name>.c defining its
 * struct command, declare it here, list it in dmaheap.c's table and in
 * meson.build.
 */
#ifndef DMAHEAP_TOOLS_COMMANDS_H
#define DMAHEAP_TOOLS_COMMANDS_H

#include <stdbool.h>

#include <dmaheap.h>

struct command {
	const char *name;
	const char *synopsis;	/* operands, for the usage line: "HEAP SIZE" */
	const char *help;	/* for --help: lines indented by 2 spaces */
	int min_args, max_args;	/* how many operands it takes */
	/* Takes --options of its own: they reach @run among its operands,
	 * in the order given, wherever they stand; so does the value after
	 * each of @valued ("--pid" of "--pid 5"), which ends with NULL. */
	bool own_options;
	const char *const *valued;
	/*
	 * Runs the command on a context made from the global options, with
	 * its @argc operands in @argv; returns an exit status (common.h).
	 */
	int (*run)(struct dmaheap_ctx *ctx, int argc, char **argv);
};

extern const struct command cmd_list;
extern const struct command cmd_alloc;
extern const struct command cmd_layout;
extern const struct command cmd_plan;
extern const struct command cmd_stat;

#endif
