/* fuzz_envfile - docker's --env-file format as nsnew reads it
 * (tools/nsnew/env.h): every entry handed on has a name that is not
 * empty and holds no '=', no whitespace and no NUL, and setting it in an
 * environment list keeps the list well formed. */
#include <errno.h>
#include <stdlib.h>

#include "nsnew/env.h"
#include "fuzz.h"

static int check_entry(void *arg, const char *name, const char *value)
{
	struct envlist *e = arg;

	FUZZ_ASSERT(*name && !strpbrk(name, "= \t\v\f\r\n"));
	FUZZ_ASSERT(!value || !strchr(value, '\n'));
	if (value && envlist_set(e, name, strlen(name), value) == 0)
		FUZZ_ASSERT(!strcmp(envlist_get(e, name), value) && !e->v[e->n]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envlist e;
	const char *why = NULL;
	size_t line = 0;
	int r;

	if (envlist_init(&e, NULL) < 0)
		return 0;
	r = envfile_parse((const char *)data, size, check_entry, &e, &line, &why);
	FUZZ_ASSERT(r == 0 || (r == -EINVAL && why && line >= 1) || r == -ENOMEM);
	envlist_unset(&e, "A");
	FUZZ_ASSERT(!envlist_get(&e, "A") && !e.v[e.n]);
	envlist_free(&e);
	return 0;
}
