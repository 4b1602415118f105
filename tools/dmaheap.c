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
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

/* internal: options parsed, go on */
#define STATUS_CONTINUE (-1)

static const struct command *const commands[] = {
	&cmd_list,
	&cmd_alloc,
	&cmd_layout,
	&cmd_plan,
	&cmd_stat,
};

struct cli {
	const char *dir;	/* --dir, or NULL for the library's default */
	bool verbose;		/* -v */
};

static const char options_help[] =
	"\n"
	"Options (anywhere: before or after the command name or its operands;\n"
	"'--' ends them):\n"
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

static const struct option longopts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parses the options in @argv[1] to @argv[@argc - 1], stopping at the
 * first operand ("+"). Returns STATUS_CONTINUE, or an exit status for
 * --help, --version and errors.
 */
static int parse_options(int argc, char **argv, struct cli *cli)
{
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
			if (optopt)
				return usage_error("unknown option '-%c'",
						   optopt);
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	return STATUS_CONTINUE;
}

/* "-5" is a (bad) size and "-" a name, not options. */
static bool looks_like_option(const char *arg)
{
	return arg[0] == '-' && arg[1] != '\0' &&
	       !(arg[1] >= '0' && arg[1] <= '9');
}

/* The global long option @arg ("--dir", "--dir=X") names, or NULL. */
static const struct option *global_option(const char *arg)
{
	size_t len = strcspn(arg + 2, "=");

	for (const struct option *o = longopts; o->name; o++)
		if (strlen(o->name) == len && strncmp(arg + 2, o->name, len) == 0)
			return o;
	return NULL;
}

static bool in_list(const char *const *list, const char *arg)
{
	for (; list && *list; list++)
		if (strcmp(*list, arg) == 0)
			return true;
	return false;
}

/*
 * How many arguments, from @arg on, are one global option (2: "--dir X"),
 * 0 if @arg is not one: an operand, or an option of @cmd's own.
 */
static int global_option_args(const struct command *cmd, char **arg)
{
	const struct option *o;

	if (!looks_like_option(arg[0]))
		return 0;
	if (arg[0][1] != '-')
		return 1;	/* short ones take no value */
	o = global_option(arg[0]);
	if (!o)
		return cmd->own_options ? 0 : 1; /* else getopt refuses it */
	return o->has_arg == required_argument && !strchr(arg[0], '=') &&
	       arg[1] ? 2 : 1;
}

/*
 * Options may follow operands, as getopt's permutation lets them in other
 * tools ("alloc system 1M -v"): moves the global options among
 * @argv[1..@argc-1] ahead of the operands, each kept in its order, and
 * drops a "--", after which all are operands. Returns where the operands
 * start, or -1 out of memory; *@n_operands: how many there are.
 */
static int options_first(int argc, char **argv, const struct command *cmd,
			 int *n_operands)
{
	char **operands = calloc((size_t)argc, sizeof(*operands));
	int n_opts = 1, n_ops = 0, i = 1;

	if (!operands)
		return -1;
	while (i < argc && strcmp(argv[i], "--") != 0) {
		int n = global_option_args(cmd, argv + i);

		if (n == 0) {
			/* An own option's value is the command's too. */
			n = in_list(cmd->valued, argv[i]) && i + 1 < argc ? 2 : 1;
			for (int k = 0; k < n; k++)
				operands[n_ops++] = argv[i + k];
		} else {
			for (int k = 0; k < n; k++)
				argv[n_opts++] = argv[i + k];
		}
		i += n;
	}
	for (i++; i < argc; i++)
		operands[n_ops++] = argv[i];
	memcpy(argv + n_opts, operands, (size_t)n_ops * sizeof(*operands));
	free(operands);
	*n_operands = n_ops;
	return n_opts;
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
	int status, first, nargs, ops;

	status = parse_options(argc, argv, &cli);
	if (status != STATUS_CONTINUE)
		return status;
	if (optind >= argc)
		return usage_error("no command given");
	first = optind;
	cmd = find_command(argv[first]);
	if (!cmd)
		return usage_error("unknown command '%s'", argv[first]);
	/* Options may also follow the command name and its operands. */
	ops = options_first(argc - first, argv + first, cmd, &nargs);
	if (ops < 0) {
		fail(-ENOMEM, "parse the command line");
		return STATUS_FAILED;
	}
	status = parse_options(ops, argv + first, &cli);
	if (status != STATUS_CONTINUE)
		return status;
	if (nargs < cmd->min_args || nargs > cmd->max_args)
		return usage_error("wrong number of operands for '%s'",
				   cmd->name);
	return run(cmd, &cli, nargs, argv + first + ops);
}
