/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz harnesses: a reader that turns fuzzer bytes into
 * values (running dry gives zeros, so every input decodes), the check that
 * turns a broken promise into a crash libFuzzer keeps, and an fd counter.
 *
 * Each harness defines LLVMFuzzerTestOneInput(). Linked with libFuzzer it
 * is a fuzzer; linked with replay.c it replays a corpus as a unit test.
 */
#ifndef DMAHEAP_FUZZ_H
#define DMAHEAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fdcount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_reader {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fz_u8(struct fz_reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static inline uint32_t fz_u32(struct fz_reader *r)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | fz_u8(r);
	return v;
}

/* Up to @max bytes, length first; the result is NUL-terminated. */
static inline size_t fz_bytes(struct fz_reader *r, char *out, size_t max)
{
	size_t n = fz_u8(r) % (max + 1);

	if (n > r->left)
		n = r->left;
	memcpy(out, r->p, n);
	out[n] = '\0';
	r->p += n;
	r->left -= n;
	return n;
}

/* A promise of the library was broken: crash so that libFuzzer keeps the
 * input (and the replay test fails). */
#define fz_check(cond, ...)                                                   \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s: ",          \
				__FILE__, __LINE__, #cond);                   \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			abort();                                              \
		}                                                             \
	} while (0)

#endif /* DMAHEAP_FUZZ_H */
