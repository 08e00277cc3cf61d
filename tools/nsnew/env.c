/* env.c - the command's environment and --env-file (env.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "env.h"

static ssize_t find(const struct envlist *e, const char *name, size_t len)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strncmp(e->v[i], name, len) && e->v[i][len] == '=')
			return (ssize_t)i;
	return -1;
}

static int reserve(struct envlist *e, size_t more)
{
	char **v;
	size_t cap;

	if (e->n + more + 1 <= e->cap)
		return 0;
	cap = (e->n + more + 1) * 2;
	if (!(v = reallocarray(e->v, cap, sizeof(*v))))
		return -ENOMEM;
	e->v = v;
	e->cap = cap;
	return 0;
}

int envlist_init(struct envlist *e, char *const *from)
{
	size_t n = 0;

	*e = (struct envlist){ NULL, 0, 0 };
	while (from && from[n])
		n++;
	if (reserve(e, n) < 0)
		return -ENOMEM;
	e->v[0] = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!(e->v[i] = strdup(from[i]))) {
			envlist_free(e);
			return -ENOMEM;
		}
		e->v[++e->n] = NULL;
	}
	return 0;
}

int envlist_set(struct envlist *e, const char *name, size_t namelen, const char *value)
{
	size_t vlen = strlen(value);
	ssize_t i = find(e, name, namelen);
	char *s;

	if (reserve(e, 1) < 0 || !(s = malloc(namelen + vlen + 2)))
		return -ENOMEM;
	memcpy(s, name, namelen);
	s[namelen] = '=';
	memcpy(s + namelen + 1, value, vlen + 1);
	if (i >= 0) {
		free(e->v[i]);
		e->v[i] = s;
		return 0;
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
	return 0;
}

void envlist_unset(struct envlist *e, const char *name)
{
	size_t len = strlen(name);
	ssize_t i;

	while ((i = find(e, name, len)) >= 0) {
		free(e->v[i]);
		memmove(e->v + i, e->v + i + 1, (e->n - (size_t)i) * sizeof(*e->v));
		e->n--;
	}
}

const char *envlist_get(const struct envlist *e, const char *name)
{
	size_t len = strlen(name);
	ssize_t i = find(e, name, len);

	return i < 0 ? NULL : e->v[i] + len + 1;
}

void envlist_free(struct envlist *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	*e = (struct envlist){ NULL, 0, 0 };
}

bool env_name_ok(const char *name, size_t len)
{
	return len > 0 && !memchr(name, '=', len) && !memchr(name, '\0', len);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* One line, without its \n. */
static int bad(const char **why, const char *what)
{
	*why = what;
	return -EINVAL;
}

static int parse_line(const char *s, size_t len, envfile_fn fn, void *arg, const char **why)
{
	const char *eq;
	size_t nlen;
	char *name;
	int r;

	if (memchr(s, '\0', len))
		return bad(why, "a NUL byte");
	if (len && s[len - 1] == '\r')
		len--;
	while (len && blank(*s))
		s++, len--;
	if (!len || *s == '#')
		return 0;
	eq = memchr(s, '=', len);
	nlen = eq ? (size_t)(eq - s) : len;
	if (!nlen)
		return bad(why, "no variable name");
	for (size_t i = 0; i < nlen; i++)
		if (blank(s[i]))
			return bad(why, "whitespace in the variable name");
	if (!(name = malloc(len + 2)))
		return -ENOMEM;
	memcpy(name, s, nlen);
	name[nlen] = '\0';
	if (eq) {
		memcpy(name + nlen + 1, eq + 1, len - nlen - 1);
		name[len] = '\0';
	}
	r = fn(arg, name, eq ? name + nlen + 1 : NULL);
	free(name);
	return r;
}

int envfile_parse(const char *buf, size_t len, envfile_fn fn, void *arg, size_t *line,
		  const char **why)
{
	static const char bom[] = "\xef\xbb\xbf";
	size_t off = 0;

	*line = 0;
	*why = NULL;
	if (len >= 3 && !memcmp(buf, bom, 3))
		off = 3;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) : len;
		int r;

		++*line;
		if ((r = parse_line(buf + off, end - off, fn, arg, why)) < 0)
			return r;
		off = end + 1;
	}
	return 0;
}
