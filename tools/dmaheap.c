/* SPDX-License-Identifier: MIT */
/*
 * dmaheap: list the DMA-BUF heaps of this machine and try allocations.
 *
 * Uses only the public libdmaheap API. Results go to stdout, errors and
 * hints to stderr; the exit status says which kind of failure it was.
 * This file holds the command line: global options, the table of
 * subcommands (each in cmd-<name>.c) and the context they run on.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"

/* internal: options parsed, go on */
#define STATUS_CONTINUE (-1)

static const struct command *const commands[] = {
	&cmd_list,
	&cmd_alloc,
	&cmd_layout,
	&cmd_stat,
};

struct cli {
	const char *dir;	/* --dir, or NULL for the library's default */
	bool verbose;		/* -v */
};

static const char options_help[] =
	"\n"
	"Options (before or after the command name, before its operands):\n"
	"      --dir DIR    look for heaps in DIR instead of $DMAHEAP_DIR or\n"
	"                   " DEFAULT_HEAP_DIR "\n"
	"  -v, --verbose    print the library's whole log on stderr (without\n"
	"                   it, only its warnings and errors)\n"
	"  -h, --help       show this help and exit\n"
	"      --version    show the version and exit\n"
	"\n"
	"Exit status:\n"
	"   0  success\n"
	"   1  the operation failed (or the policy file was refused)\n"
	"   2  nothing usable: no heap directory, no heaps, no usable heap, or\n"
	"      the named heap is missing or not accessible\n"
	"  64  usage error (EX_USAGE)\n";

/* GNU's form ("Usage:", then "  or:"), which help2man turns into the
 * SYNOPSIS of dmaheap(1). */
static void print_usage(FILE *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "%s dmaheap [OPTIONS] %s%s%s\n",
			i == 0 ? "Usage:" : "  or: ", commands[i]->name,
			commands[i]->synopsis[0] ? " " : "",
			commands[i]->synopsis);
}

static void print_help(void)
{
	print_usage(stdout);
	fputs("\n"
	      "List the Linux DMA-BUF heaps and try allocations from them.\n"
	      "\n"
	      "Commands:\n", stdout);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fputs(commands[i]->help, stdout);
	fputs(options_help, stdout);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dmaheap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr);
	fputs("Try 'dmaheap --help' for more.\n", stderr);
	return STATUS_USAGE;
}

/* What the library logged while a command ran. */
struct log_state {
	unsigned int errors;	/* lines at DMAHEAP_LOG_ERR */
};

/*
 * Library log lines on stderr: warnings and errors always (a bad policy
 * line, a device that is no heap: the user acts on those), the rest
 * with -v.
 */
static void log_to_stderr(void *userdata, int priority, const char *msg)
{
	static const char *const names[] = {
		[DMAHEAP_LOG_ERR] = "error",
		[DMAHEAP_LOG_WARNING] = "warning",
		[DMAHEAP_LOG_INFO] = "info",
		[DMAHEAP_LOG_DEBUG] = "debug",
	};
	struct log_state *state = userdata;
	const char *name = NULL;

	if (priority <= DMAHEAP_LOG_ERR)
		state->errors++;
	if (priority >= 0 && priority < (int)ARRAY_SIZE(names))
		name = names[priority];
	fflush(stdout);	/* in order with the results they explain */
	fprintf(stderr, "libdmaheap %s: %s\n", name ? name : "log", msg);
}

/*
 * Parses options from @argv[1] on, stopping at the first operand ("+"), so
 * that "alloc system -5" reaches the size parser, or, if @cmd takes options
 * of its own, at the first long option that is not global. Returns
 * STATUS_CONTINUE, or an exit status for --help, --version and errors.
 */
static int parse_options(int argc, char **argv, struct cli *cli,
			 const struct command *cmd)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* 0, not 1: makes glibc and musl reset getopt for a second pass. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cli->dir = optarg;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'h':
			print_help();
			return STATUS_OK;
		case 'V':
			printf("dmaheap %d.%d.%d\n",
			       DMAHEAP_VERSION_NUMBER / 10000,
			       DMAHEAP_VERSION_NUMBER / 100 % 100,
			       DMAHEAP_VERSION_NUMBER % 100);
			return STATUS_OK;
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			/* optopt is 0 for an unknown long option. */
			if (!optopt && cmd && cmd->own_options) {
				optind--;
				return STATUS_CONTINUE;
			}
			if (optopt)
				return usage_error("unknown option '-%c'",
						   optopt);
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	return STATUS_CONTINUE;
}

static int make_ctx(const struct cli *cli, struct log_state *log,
		    struct dmaheap_ctx **ctx)
{
	struct dmaheap_options opts = DMAHEAP_OPTIONS_INIT;
	int r;

	opts.heap_dir = cli->dir;
	opts.log_fn = log_to_stderr;
	opts.log_userdata = log;
	opts.log_priority = cli->verbose ? DMAHEAP_LOG_DEBUG :
					   DMAHEAP_LOG_WARNING;
	r = dmaheap_ctx_new_with(&opts, ctx);
	if (r == 0)
		return STATUS_OK;
	/* The library said what was wrong (a policy file's FILE:LINE). */
	if (log->errors) {
		fail(r, "cannot create a context (see above)");
		return STATUS_FAILED;
	}
	/* The one option of ours it refuses without a word. */
	if (r == -EINVAL && cli->dir) {
		fprintf(stderr, "dmaheap: invalid heap directory '%s'\n",
			cli->dir);
		return STATUS_USAGE;
	}
	fail(r, "cannot create a context");
	return STATUS_FAILED;
}

static int run(const struct command *cmd, const struct cli *cli, int argc,
	       char **argv)
{
	struct log_state log = { 0 };
	struct dmaheap_ctx *ctx;
	int status = make_ctx(cli, &log, &ctx);

	if (status != STATUS_OK)
		return status;
	status = cmd->run(ctx, argc, argv);
	dmaheap_ctx_free(ctx);
	return status;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli cli = { NULL, false };
	const struct command *cmd;
	int status, first, nargs;

	status = parse_options(argc, argv, &cli, NULL);
	if (status != STATUS_CONTINUE)
		return status;
	if (optind >= argc)
		return usage_error("no command given");
	first = optind;
	cmd = find_command(argv[first]);
	if (!cmd)
		return usage_error("unknown command '%s'", argv[first]);
	/* Options may also follow the command name: "dmaheap list -v". */
	status = parse_options(argc - first, argv + first, &cli, cmd);
	if (status != STATUS_CONTINUE)
		return status;
	nargs = argc - first - optind;
	if (nargs < cmd->min_args || nargs > cmd->max_args)
		return usage_error("wrong number of operands for '%s'",
				   cmd->name);
	return run(cmd, &cli, nargs, argv + first + optind);
}
