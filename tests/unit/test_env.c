/* test_env - the command's environment and docker's --env-file format
 * (tools/nsnew/env.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsnew/env.h"
#include "unit.h"

#define S(x) x, strlen(x)

static int collect(void *arg, const char *name, const char *value)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "[%s%s%s]", name, value ? "=" : "", value ? value : "");
	return 0;
}

static int parse(const char *text, char *out, size_t *line, const char **why)
{
	out[0] = '\0';
	return envfile_parse(text, strlen(text), collect, out, line, why);
}

static void test_envfile_good(void)
{
	char out[256];
	const char *why;
	size_t line;

	CHECK(parse("A=1\n# comment\n\n   \n  B=two words \nC\r\nD=x=y\n  #x=1\nE=", out, &line, &why) == 0);
	CHECK(!strcmp(out, "[A=1][B=two words ][C][D=x=y][E=]"));
	CHECK(line == 9);
	/* a BOM, CRLF line ends, quotes kept as they are */
	CHECK(parse("\xef\xbb\xbfQ=\"q\"\r\nR='r'", out, &line, &why) == 0);
	CHECK(!strcmp(out, "[Q=\"q\"][R='r']"));
	CHECK(parse("", out, &line, &why) == 0 && !out[0] && line == 0);
}

static void test_envfile_bad(void)
{
	char out[256];
	const char *why;
	size_t line;

	CHECK(parse("A=1\n=x\n", out, &line, &why) == -EINVAL && line == 2 && strstr(why, "no variable name"));
	CHECK(parse("A B=1", out, &line, &why) == -EINVAL && line == 1 && strstr(why, "whitespace"));
	CHECK(parse("A\tB", out, &line, &why) == -EINVAL && line == 1);
	CHECK(envfile_parse("A=1\nB\0=2\n", 10, collect, out, &line, &why) == -EINVAL && line == 2 &&
	      strstr(why, "NUL"));
}

static void test_envlist(void)
{
	char *base[] = { (char *)"A=1", (char *)"B=2", (char *)"A=3", NULL };
	struct envlist e;

	CHECK(envlist_init(&e, base) == 0 && e.n == 3);
	CHECK(!strcmp(envlist_get(&e, "A"), "1") && !envlist_get(&e, "AB") && !envlist_get(&e, ""));
	envlist_unset(&e, "A");
	CHECK(e.n == 1 && !envlist_get(&e, "A") && !e.v[1]);
	CHECK(envlist_set(&e, S("B"), "x") == 0 && e.n == 1 && !strcmp(e.v[0], "B=x"));
	CHECK(envlist_set(&e, "C=ignored", 1, "") == 0 && e.n == 2 && !strcmp(e.v[1], "C="));
	for (int i = 0; i < 100; i++)
		CHECK(envlist_set(&e, "V", 1, "v") == 0);
	CHECK(e.n == 3 && !e.v[3]);
	envlist_free(&e);
	CHECK(envlist_init(&e, NULL) == 0 && e.n == 0 && e.v && !e.v[0]);
	envlist_free(&e);
	CHECK(env_name_ok(S("PATH")) && !env_name_ok(S("")) && !env_name_ok(S("A=B")));
}

int main(void)
{
	test_envfile_good();
	test_envfile_bad();
	test_envlist();
	return UNIT_REPORT();
}
