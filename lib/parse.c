/* parse.c - strict number parsing (strtoull alone accepts " -1" and
 * "12abc"; every nskit number goes through here instead), and command
 * words with prefixes, aliases and a suggestion for a typo. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int r = parse_u64(s, 0, UINT32_MAX, &v);

	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

int parse_pid(const char *s, pid_t *out)
{
	uint64_t v;
	int r = parse_u64(s, 1, INT_MAX, &v);

	if (r == 0)
		*out = (pid_t)v;
	return r;
}

/* Command words. */

static bool is_prefix(const char *word, const char *name)
{
	return strncmp(word, name, strlen(word)) == 0;
}

int word_lookup(const struct word *table, size_t n, const char *word)
{
	int id = -ENOENT;

	if (!*word)
		return -ENOENT;
	for (size_t i = 0; i < n; i++)
		if (strcmp(word, table[i].name) == 0)
			return table[i].id;
	for (size_t i = 0; i < n; i++) {
		if (!is_prefix(word, table[i].name))
			continue;
		if (id >= 0 && id != table[i].id)
			return -ENOTUNIQ;
		id = table[i].id;
	}
	return id;
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of neighbours, each 1 (the typos people make). Words longer
 * than LEN_MAX are far from every command. */
#define LEN_MAX 32

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[LEN_MAX + 1][LEN_MAX + 1];

	if (la > LEN_MAX || lb > LEN_MAX)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/* The command's name: the first entry with its id. */
static const char *word_name(const struct word *table, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].id == id)
			return table[i].name;
	return NULL;
}

/* Append the names of the commands (those WORD prefixes, when PREFIXED)
 * to BUF at *LEN, comma-separated, each once. */
static void list_names(const struct word *table, size_t n, const char *word, bool prefixed,
		       char *buf, size_t size, size_t *len)
{
	for (size_t i = 0; i < n; i++) {
		int w;

		if (word_name(table, n, table[i].id) != table[i].name)
			continue;	/* an alias */
		if (prefixed) {
			bool any = false;

			for (size_t k = 0; k < n; k++)
				any |= table[k].id == table[i].id && is_prefix(word, table[k].name);
			if (!any)
				continue;
		}
		w = snprintf(buf + *len, size - *len, "%s%s", buf[*len - 1] == '(' ? "" : ", ",
			     table[i].name);
		if (w < 0 || (size_t)w >= size - *len)
			return;
		*len += (size_t)w;
	}
}

char *word_error(const struct word *table, size_t n, const char *word, int r,
		 const char *what, char *buf, size_t size)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, len;
	int w;

	w = snprintf(buf, size, "'%s': %s %s (", word, r == -ENOTUNIQ ? "ambiguous" : "unknown", what);
	if (w < 0 || (size_t)w >= size)
		return buf;
	len = (size_t)w;
	if (r != -ENOTUNIQ) {
		/* Near enough to be a typo: one edit in a short word, two in
		 * a longer one. */
		for (size_t i = 0; i < n; i++) {
			size_t d = distance(word, table[i].name);

			if (d < best_d)
				best_d = d, best = word_name(table, n, table[i].id);
		}
		if (best && best_d <= (strlen(word) <= 4 ? 1u : 2u)) {
			snprintf(buf + len, size - len, "did you mean '%s'?)", best);
			return buf;
		}
	}
	list_names(table, n, word, r == -ENOTUNIQ, buf, size, &len);
	if (len + 2 <= size)
		buf[len] = ')', buf[len + 1] = 0;
	return buf;
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	static const char units[] = "kmgt";
	size_t len = s ? strlen(s) : 0;
	const char *u = len ? strchr(units, s[len - 1] | 0x20) : NULL;
	unsigned shift = u ? 10 * (unsigned)(u - units + 1) : 0;
	char *num;
	uint64_t v;
	int r;

	if (!len)
		return -EINVAL;
	if (!(num = strndup(s, len - !!shift)))
		return -ENOMEM;
	r = parse_u64(num, 0, UINT64_MAX, &v);
	free(num);
	if (r < 0)
		return r;
	if (v > UINT64_MAX >> shift || v << shift < min || v << shift > max)
		return -ERANGE;
	*out = v << shift;
	return 0;
}
