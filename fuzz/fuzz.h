/* fuzz.h - what every nskit fuzz target shares. A target is one file,
 * fuzz/fuzz_WHAT.c, defining LLVMFuzzerTestOneInput over one lib/ parser;
 * it checks the parser's contract (FUZZ_ASSERT) as well as memory safety,
 * which ASan and UBSan check for it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A contract broken: report it the way a sanitizer would, and crash so
 * libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz: %s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The input as a C string, as it would arrive in argv or a line of a
 * file: it ends at the first NUL byte. The caller frees it. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
