/* SPDX-License-Identifier: MIT */
/*
 * dmaheap layout: what dmaheap_image_layout() computes for a format, a
 * size and constraints, without allocating: per plane its buffer, offset,
 * stride and size, and the total. --json prints one stable JSON object
 * (README, "dmaheap layout").
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

struct layout_args {
	struct dmaheap_image_spec spec;
	bool json;
};

/* A format the library knows by name ("YUV420", "XR24"), or else any
 * four-character code, for the library to refuse by name. */
static int parse_fourcc(const char *s, uint32_t *out)
{
	size_t len = strlen(s);
	uint32_t v = 0;

	if (dmaheap_format_parse(s, out) == 0)
		return 0;
	if (len == 0 || len > 4)
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : ' ';

		if (c < 0x20 || c > 0x7e)
			return -EINVAL;
		v |= (uint32_t)c << (8 * i);
	}
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return end == s ? -EINVAL : (int)(end - s);
}

/* A whole operand that is a number. */
static bool whole_u32(const char *s, uint32_t *out)
{
	int n = parse_u32(s, out);

	return n > 0 && s[n] == '\0';
}

/* "1920x1080" */
static int parse_size_wxh(const char *s, uint32_t *w, uint32_t *h)
{
	int n = parse_u32(s, w);

	if (n <= 0 || s[n] != 'x')
		return -EINVAL;
	s += n + 1;
	n = parse_u32(s, h);
	return n > 0 && s[n] == '\0' ? 0 : -EINVAL;
}

static int parse_placement(const char *s, uint32_t *out)
{
	if (strcmp(s, "any") == 0)
		*out = DMAHEAP_PLANES_ANY;
	else if (strcmp(s, "one") == 0)
		*out = DMAHEAP_PLANES_ONE_BUFFER;
	else if (strcmp(s, "separate") == 0)
		*out = DMAHEAP_PLANES_SEPARATE;
	else
		return -EINVAL;
	return 0;
}

/* The value field an alignment option sets, or NULL. */
static uint32_t *align_field(struct dmaheap_image_constraints *c,
			     const char *opt)
{
	if (strcmp(opt, "--stride-align") == 0)
		return &c->stride_align;
	if (strcmp(opt, "--offset-align") == 0)
		return &c->offset_align;
	if (strcmp(opt, "--height-align") == 0)
		return &c->height_align;
	if (strcmp(opt, "--size-align") == 0)
		return &c->size_align;
	return NULL;
}

/* "dmaheap layout: @what '@arg'" and the usage line. */
static int usage(const char *what, const char *arg)
{
	fprintf(stderr, "dmaheap layout: %s '%s'\n", what, arg);
	fputs("usage: dmaheap layout FOURCC WIDTHxHEIGHT [--stride-align N] "
	      "[--offset-align N] [--height-align N] [--size-align N] "
	      "[--planes any|one|separate] [--json]\n", stderr);
	return STATUS_USAGE;
}

static int parse_options(int argc, char **argv, struct layout_args *a)
{
	struct dmaheap_image_constraints *c = &a->spec.constraints;

	for (int i = 2; i < argc; i++) {
		uint32_t *field = align_field(c, argv[i]);

		if (strcmp(argv[i], "--json") == 0) {
			a->json = true;
			continue;
		}
		if (!field && strcmp(argv[i], "--planes") != 0)
			return usage("unknown option", argv[i]);
		if (i + 1 == argc)
			return usage("a value must follow", argv[i]);
		i++;
		if (field ? !whole_u32(argv[i], field)
			  : parse_placement(argv[i], &c->placement) != 0)
			return usage("invalid value", argv[i]);
	}
	return STATUS_OK;
}

static void print_text(const struct dmaheap_image_layout *l, const char *name)
{
	printf("%s %" PRIu32 "x%" PRIu32, name, l->width, l->height);
	if (l->padded_height != l->height)
		printf(" (padded to %" PRIu32 " rows)", l->padded_height);
	printf(", LINEAR, %" PRIu32 " plane%s in %" PRIu32 " dma-buf%s\n",
	       l->n_planes, l->n_planes == 1 ? "" : "s", l->n_buffers,
	       l->n_buffers == 1 ? "" : "s");
	printf("%-6s %-7s %12s %8s %12s\n", "plane", "buffer", "offset",
	       "stride", "size");
	for (unsigned int p = 0; p < l->n_planes; p++)
		printf("%-6u %-7" PRIu32 " %12" PRIu64 " %8" PRIu32
		       " %12" PRIu64 "\n", p, l->planes[p].buffer,
		       l->planes[p].offset, l->planes[p].stride,
		       l->planes[p].size);
	printf("total %" PRIu64 " bytes\n", l->size);
}

static void print_json(const struct dmaheap_image_layout *l, const char *name)
{
	printf("{\"format\":\"%s\",\"fourcc\":%" PRIu32 ",\"width\":%" PRIu32
	       ",\"height\":%" PRIu32 ",\"padded_height\":%" PRIu32
	       ",\"modifier\":\"0x%016" PRIx64 "\",\"buffers\":[", name,
	       l->fourcc, l->width, l->height, l->padded_height, l->modifier);
	for (unsigned int b = 0; b < l->n_buffers; b++)
		printf("%s{\"size\":%" PRIu64 "}", b ? "," : "",
		       l->buffer_size[b]);
	printf("],\"planes\":[");
	for (unsigned int p = 0; p < l->n_planes; p++)
		printf("%s{\"buffer\":%" PRIu32 ",\"offset\":%" PRIu64
		       ",\"stride\":%" PRIu32 ",\"size\":%" PRIu64 "}",
		       p ? "," : "", l->planes[p].buffer, l->planes[p].offset,
		       l->planes[p].stride, l->planes[p].size);
	printf("],\"size\":%" PRIu64 "}\n", l->size);
}

static int run_layout(struct dmaheap_ctx *ctx, int argc, char **argv)
{
	struct layout_args a = { .json = false };
	struct dmaheap_image_layout l;
	char name[16];
	int r;

	if (parse_fourcc(argv[0], &a.spec.fourcc) != 0)
		return usage("invalid fourcc", argv[0]);
	if (parse_size_wxh(argv[1], &a.spec.width, &a.spec.height) != 0)
		return usage("invalid size (want WIDTHxHEIGHT)", argv[1]);
	r = parse_options(argc, argv, &a);
	if (r != STATUS_OK)
		return r;
	r = dmaheap_image_layout(ctx, &a.spec, &l);
	if (r == -EINVAL || r == -EOPNOTSUPP) {
		/* The library has said why (unknown format, bad constraint)
		 * when it knew; a zero size it leaves to us. */
		if (a.spec.width == 0 || a.spec.height == 0)
			fprintf(stderr, "dmaheap: width and height must be at "
				"least 1\n");
		return STATUS_USAGE;
	}
	if (r) {
		fail(r, "lay out %s %s", argv[0], argv[1]);
		return STATUS_FAILED;
	}
	dmaheap_format_name(l.fourcc, name, sizeof(name));
	if (a.json)
		print_json(&l, name);
	else
		print_text(&l, name);
	return STATUS_OK;
}

const struct command cmd_layout = {
	.name = "layout",
	.synopsis = "FOURCC WIDTHxHEIGHT [LAYOUT-OPTIONS]",
	.help =
	"  layout FOURCC WIDTHxHEIGHT [LAYOUT-OPTIONS]\n"
	"                   print the image layout the library computes for a\n"
	"                   DRM format (NV12, XRGB8888 or XR24, YUV420...):\n"
	"                   per plane its dma-buf, offset, stride and size,\n"
	"                   and the total.\n"
	"                   Allocates nothing. After the operands:\n"
	"                     --stride-align N  --offset-align N\n"
	"                     --height-align N  --size-align N\n"
	"                     --planes any|one|separate\n"
	"                     --json  one JSON object (README: dmaheap layout)\n",
	.min_args = 2,
	.max_args = 13,
	.own_options = true,
	.valued = (const char *const[]){ "--stride-align", "--offset-align",
					 "--height-align", "--size-align",
					 "--planes", NULL },
	.run = run_layout,
};
