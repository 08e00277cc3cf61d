/* profile.c - the seccomp text profile parser (profile.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "profile.h"
#include "util.h"

#define ERRNO_MAX 4095	/* what SECCOMP_RET_ERRNO carries */

int profile_errno(const char *s)
{
	uint32_t v;

	if (parse_u32(s, &v) == 0)
		return v >= 1 && v <= ERRNO_MAX ? (int)v : -EINVAL;
	for (int i = 1; i <= ERRNO_MAX; i++) {
		const char *name = strerrorname_np(i);

		if (name && streq(name, s))
			return i;
	}
	return -EINVAL;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct sc_error *e, unsigned line, const char *fmt, ...)
{
	va_list ap;

	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool valid_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n > 0 && n <= SC_NAME_MAX && !s[n];
}

/* One line's words, split on blanks, at most MAX of them. */
static size_t split(char *s, char **w, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *t = strtok_r(s, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static int parse_action(const char *verb, enum sc_action *a)
{
	if (streq(verb, "allow"))
		*a = SC_ALLOW;
	else if (streq(verb, "deny"))
		*a = SC_DENY;
	else if (streq(verb, "kill"))
		*a = SC_KILL;
	else
		return -EINVAL;
	return 0;
}

/* WORDS after the verb: [ERRNO] for deny, nothing for the others. */
static int parse_err(enum sc_action a, char **w, size_t n, int *err, struct sc_error *e, unsigned line)
{
	*err = EPERM;
	if (n > (a == SC_DENY ? 1u : 0u))
		return fail(e, line, "'%s': unexpected word", w[n - 1]);
	if (n && (*err = profile_errno(w[0])) < 0)
		return fail(e, line, "'%s': not an errno name or number (1-4095)", w[0]);
	return 0;
}

static int parse_line(char *s, unsigned line, struct sc_profile *p, struct sc_error *e, bool *have_def)
{
	char *w[4];
	size_t n;
	enum sc_action a;
	struct sc_rule *r;

	s[strcspn(s, "#")] = '\0';
	n = split(s, w, 3);
	if (n == 0)
		return 0;
	if (n > 3)
		return fail(e, line, "too many words");
	if (streq(w[0], "default")) {
		if (*have_def)
			return fail(e, line, "a second default");
		if (n < 2 || parse_action(w[1], &a) < 0)
			return fail(e, line, "default: not allow, deny [ERRNO] or kill");
		*have_def = true;
		p->def = a;
		return parse_err(a, w + 2, n - 2, &p->def_err, e, line);
	}
	if (parse_action(w[0], &a) < 0)
		return fail(e, line, "'%.40s': not allow, deny, kill or default", w[0]);
	if (n < 2 || !valid_name(w[1]))
		return fail(e, line, "%s: a system call name is expected", w[0]);
	for (size_t i = 0; i < p->n; i++)
		if (streq(p->rule[i].name, w[1]))
			return fail(e, line, "'%s' named twice (first on line %u)", w[1], p->rule[i].line);
	if (p->n == SC_RULES_MAX)
		return fail(e, line, "more than %d rules", SC_RULES_MAX);
	if (!(r = reallocarray(p->rule, p->n + 1, sizeof(*r))))
		return -ENOMEM;
	p->rule = r;
	r += p->n;
	memset(r, 0, sizeof(*r));
	strcpy(r->name, w[1]);
	r->action = a;
	r->line = line;
	if (parse_err(a, w + 2, n - 2, &r->err, e, line) < 0)
		return -EINVAL;
	p->n++;
	return 0;
}

int profile_parse(const char *buf, size_t len, struct sc_profile *p, struct sc_error *e)
{
	_cleanup_free_ char *text = malloc(len + 1);
	bool have_def = false;
	unsigned line = 0;
	char *s, *nl;
	int r;

	*p = (struct sc_profile){ SC_ALLOW, EPERM, NULL, 0 };
	*e = (struct sc_error){ 0, "" };
	if (!text)
		return -ENOMEM;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (strlen(text) != len)
		return fail(e, 0, "a NUL byte in the text");
	for (s = text; s; s = nl) {
		if ((nl = strchr(s, '\n')))
			*nl++ = '\0';
		if ((r = parse_line(s, ++line, p, e, &have_def)) < 0)
			return r;
	}
	return 0;
}

void profile_free(struct sc_profile *p)
{
	free(p->rule);
	p->rule = NULL;
	p->n = 0;
}
