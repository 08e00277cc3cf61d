/* fuzz_word - word_lookup/word_error (lib/parse.h) against an independent
 * reading of the contract: a word is its command when it is a name, or a
 * prefix of names that all have one id; the error fits the buffer it is
 * given, whatever its size, and names the word. The first byte (when there
 * are more) is the buffer size. */
#include <errno.h>

#include "fuzz.h"
#include "parse.h"

static const struct word table[] = {
	{ "add", 0 }, { "attach", 1 }, { "del", 2 }, { "exists", 3 }, { "list", 4 },
	{ "delete", 2 }, { "ls", 4 }, { "lst", 4 }, { "show", 4 },
};
#define N (sizeof(table) / sizeof(table[0]))

static int oracle(const char *w)
{
	int id = -ENOENT;

	if (!*w)
		return -ENOENT;
	for (size_t i = 0; i < N; i++)
		if (strcmp(w, table[i].name) == 0)
			return table[i].id;
	for (size_t i = 0; i < N; i++)
		if (strncmp(w, table[i].name, strlen(w)) == 0) {
			if (id >= 0 && id != table[i].id)
				return -ENOTUNIQ;
			id = table[i].id;
		}
	return id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bufsize = 256;
	char *s, *buf;
	int r;

	if (size > 1) {
		bufsize = 1 + data[0];
		data++, size--;
	}
	s = fuzz_str(data, size);
	r = word_lookup(table, N, s);
	FUZZ_ASSERT(r == oracle(s));
	if (r < 0) {
		buf = malloc(bufsize);
		if (!buf)
			abort();
		FUZZ_ASSERT(word_error(table, N, s, r, "command", buf, bufsize) == buf);
		FUZZ_ASSERT(strlen(buf) < bufsize);
		FUZZ_ASSERT(buf[0] == '\'' || bufsize == 1);
		free(buf);
	}
	free(s);
	return 0;
}
