/* parse.h - strict number parsing shared by the tools' option parsers.
 * Each returns 0, or -EINVAL (not a number) / -ERANGE (out of range). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A decimal number in [min, max]: no sign, no spaces, no trailing junk. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_u32(const char *s, uint32_t *out);
/* A process id: a positive decimal number that fits pid_t. */
int parse_pid(const char *s, pid_t *out);

/* Command words, looked up the way iproute2's matches() takes them (any
 * unique prefix), with aliases: entries sharing an id are one command, the
 * first of them its name (what lists and suggestions show). */
struct word {
	const char *name;
	int id;
};

/* WORD's id: a name, or a prefix of names that all have one id. -ENOENT
 * when nothing matches, -ENOTUNIQ when it prefixes different commands. */
int word_lookup(const struct word *table, size_t n, const char *word);
/* Why WORD was refused (R from word_lookup), one line into BUF: "'dle':
 * unknown command (did you mean 'del'?)", "'xyz': unknown command (add,
 * del, list)" when no name is near, "'a': ambiguous command (add,
 * attach)". WHAT is "command" or the like. Returns BUF. */
char *word_error(const struct word *table, size_t n, const char *word, int r,
		 const char *what, char *buf, size_t size);

/* A size in bytes in [min, max]: a decimal number as parse_u64 takes it,
 * optionally followed by K, M, G or T (either case; powers of 1024). */
int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
