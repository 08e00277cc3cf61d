/* rlimits.c - --rlimit (rlimits.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rlimits.h"
#include "parse.h"
#include "util.h"

static const struct {
	const char *name;
	int resource;
} table[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE }, { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC }, { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME }, { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

const char rlimit_names[] = "as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, "
			    "nproc, rss, rtprio, rttime, sigpending, stack";

static int value(const char *s, rlim_t *v)
{
	uint64_t n;

	if (streq(s, "unlimited") || streq(s, "infinity")) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (parse_u64(s, 0, (uint64_t)RLIM_INFINITY - 1, &n) < 0)
		return -EINVAL;
	*v = (rlim_t)n;
	return 0;
}

int rlimit_parse(struct rlimit_set *s, const char *spec)
{
	const char *eq = strchr(spec, '='), *colon;
	char soft[32];
	struct rlimit lim;
	size_t i, k;

	if (!eq)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(table); i++)
		if (strlen(table[i].name) == (size_t)(eq - spec) && !strncmp(spec, table[i].name, (size_t)(eq - spec)))
			break;
	if (i == ARRAY_SIZE(table))
		return -EINVAL;
	colon = strchr(eq + 1, ':');
	if ((size_t)((colon ? colon : eq + 1 + strlen(eq + 1)) - (eq + 1)) >= sizeof(soft))
		return -EINVAL;
	snprintf(soft, sizeof(soft), "%.*s", (int)((colon ? colon : eq + 1 + strlen(eq + 1)) - (eq + 1)), eq + 1);
	if (value(soft, &lim.rlim_cur) < 0 || value(colon ? colon + 1 : soft, &lim.rlim_max) < 0)
		return -EINVAL;
	if (lim.rlim_cur > lim.rlim_max)
		return -ERANGE;
	for (k = 0; k < s->n && s->v[k].resource != table[i].resource; k++)
		;
	s->v[k].resource = table[i].resource;
	s->v[k].lim = lim;
	if (k == s->n)
		s->n++;
	return 0;
}

int rlimit_apply(const struct rlimit_set *s, const char **name)
{
	for (size_t k = 0; k < s->n; k++)
		if (setrlimit(s->v[k].resource, &s->v[k].lim) < 0) {
			for (size_t i = 0; i < ARRAY_SIZE(table); i++)
				if (table[i].resource == s->v[k].resource)
					*name = table[i].name;
			return -errno;
		}
	return 0;
}
