/* env.h - the command's environment, for nsnew only: an editable list of
 * NAME=VALUE strings (what --clearenv, --setenv and --unsetenv change),
 * and the parser of docker's --env-file format. Functions return 0 or
 * -errno and never print. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct envlist {
	char **v;		/* NULL-terminated, each entry malloc'd */
	size_t n, cap;
};

/* E becomes a copy of FROM (NULL: empty). -ENOMEM. */
int envlist_init(struct envlist *e, char *const *from);
/* Set NAME (its first NAMELEN bytes) to VALUE, replacing any entry of
 * that name. -ENOMEM. */
int envlist_set(struct envlist *e, const char *name, size_t namelen, const char *value);
/* Remove every entry named NAME. */
void envlist_unset(struct envlist *e, const char *name);
/* NAME's value, or NULL. */
const char *envlist_get(const struct envlist *e, const char *name);
void envlist_free(struct envlist *e);

/* Whether NAME is a name --setenv and --unsetenv take: not empty, no
 * '=' (the environment could not hold it). */
bool env_name_ok(const char *name, size_t len);

/* One entry of an env file: VALUE is NULL for a line holding only NAME
 * (docker: the caller's value, or nothing when it has none). NAME is
 * NUL-terminated only for the call. Returns 0 or -errno, which stops the
 * parse. */
typedef int (*envfile_fn)(void *arg, const char *name, const char *value);

/* BUF (LEN bytes) in docker's --env-file format: one NAME=VALUE per line,
 * the value taken literally to the end of the line (no quotes, no
 * escapes; a trailing \r dropped); leading whitespace skipped; blank lines
 * and lines whose first non-blank is '#' ignored; NAME without '=' takes
 * the caller's value. -EINVAL on a bad line: *LINE is its number and *WHY
 * says what is wrong. */
int envfile_parse(const char *buf, size_t len, envfile_fn fn, void *arg, size_t *line,
		  const char **why);
