/* batch.c - batch files: lines, words, comments, "FILE:LINE". */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "util.h"

int batch_read(struct batch *b, const char *file)
{
	FILE *f = streq(file, "-") ? stdin : fopen(file, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;
	int e = 0;

	if (!f)
		return -errno;
	do {
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				e = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
	} while (r > 0);
	if (!e && ferror(f))
		e = errno ? -errno : -EIO;
	if (f != stdin)
		fclose(f);
	if (e) {
		free(buf);
		return e;
	}
	buf[len] = '\0';
	batch_init(b, file, buf);
	return 0;
}

void batch_init(struct batch *b, const char *file, char *text)
{
	*b = (struct batch){ .text = text, .next = text, .file = file };
}

char *batch_next_line(struct batch *b)
{
	char *line = b->next, *eol;

	if (!line || !*line)
		return NULL;
	eol = strchr(line, '\n');
	if (eol)
		*eol = '\0';
	b->next = eol ? eol + 1 : NULL;
	b->lineno++;
	return line;
}

char *batch_where(const struct batch *b)
{
	char *s;

	if (asprintf(&s, "%s:%zu", streq(b->file, "-") ? "stdin" : b->file, b->lineno) < 0)
		return NULL;
	return s;
}

int batch_split(char *line, const char *argv0, char ***argv)
{
	size_t cap = 8, n = 1;
	char **v = malloc(cap * sizeof(*v));
	char *save = NULL;

	if (!v)
		return -ENOMEM;
	v[0] = (char *)argv0;
	for (char *w = strtok_r(line, " \t\r\n", &save); w && *w != '#';
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n + 2 > cap) {
			char **nv = n < INT_MAX / 2 ? reallocarray(v, cap *= 2, sizeof(*v)) : NULL;

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = w;
	}
	v[n] = NULL;
	*argv = v;
	return (int)n;
}

void batch_free(struct batch *b)
{
	free(b->text);
	*b = (struct batch){ 0 };
}
