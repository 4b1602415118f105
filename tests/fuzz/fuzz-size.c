/* SPDX-License-Identifier: MIT */
/*
 * Fuzzer of the dmaheap CLI's SIZE operand parser (tools/common.c): the
 * input, up to its first NUL, is the operand.
 *
 * Checks it against an independent reading of the documented grammar
 * (decimal digits, then "", K, KiB, M, MiB, G or GiB; greater than zero;
 * no overflow): the same verdict and the same value, the output untouched
 * on refusal with a reason given, and the formatted size of an accepted
 * value reads back as the same number of bytes.
 */
#include <stdbool.h>

#include "common.h"
#include "fuzz.h"

/* The grammar, read independently of the parser. */
static bool oracle(const char *s, size_t *out)
{
	static const char *const suffix[] = { "", "K", "KiB", "M", "MiB",
					      "G", "GiB" };
	static const unsigned int shift[] = { 0, 10, 10, 20, 20, 30, 30 };
	size_t v = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9') {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (size_t)(*p - '0'), &v))
			return false;
		p++;
	}
	if (p == s || v == 0)
		return false;
	for (size_t i = 0; i < sizeof(shift) / sizeof(shift[0]); i++) {
		if (strcmp(p, suffix[i]) != 0)
			continue;
		if (v > SIZE_MAX >> shift[i])
			return false;
		*out = v << shift[i];
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[128];
	size_t got = 12345, want = 0;
	const char *why;
	bool ok;

	fz_check(s != NULL, "malloc");
	memcpy(s, data, size);
	s[size] = '\0';
	why = parse_size(s, &got);
	ok = oracle(s, &want);
	fz_check(!why == ok, "\"%s\": parser says %s, the grammar %s", s,
		 why ? why : "valid", ok ? "valid" : "invalid");
	if (why) {
		fz_check(got == 12345, "\"%s\" refused but *out written", s);
		fz_check(*why != '\0', "\"%s\" refused without a reason", s);
	} else {
		fz_check(got == want, "\"%s\": %zu, want %zu", s, got, want);
		format_size(buf, sizeof(buf), got);
		/* "N bytes (...)": N parses back to the same size. */
		buf[strspn(buf, "0123456789")] = '\0';
		fz_check(parse_size(buf, &want) == NULL && want == got,
			 "formatted \"%s\" does not read back as %zu", buf, got);
	}
	free(s);
	return 0;
}
