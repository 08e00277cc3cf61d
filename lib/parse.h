/* parse.h - strict number parsing shared by the tools' option parsers.
 * Each returns 0, or -EINVAL (not a number) / -ERANGE (out of range). */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* A decimal number in [min, max]: no sign, no spaces, no trailing junk. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_u32(const char *s, uint32_t *out);
/* A process id: a positive decimal number that fits pid_t. */
int parse_pid(const char *s, pid_t *out);
/* A size in bytes in [min, max]: a decimal number as parse_u64 takes it,
 * optionally followed by K, M, G or T (either case; powers of 1024). */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
