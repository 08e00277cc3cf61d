/* test_imagecfg - the image run configuration kept by mkrootfs and
 * applied by nsnew (lib/imagecfg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "imagecfg.h"
#include "unit.h"

#define S(x) x, strlen(x)

static void test_extract_keeps_only_what_nsnew_applies(void)
{
	char *out = NULL;

	CHECK(imagecfg_extract(S("{\"config\":{\"Env\":[\"A=1\"],\"User\":\"app\",\"Labels\":{\"x\":\"y\"},"
				 "\"Cmd\":[\"sh\"],\"WorkingDir\":\"/w\",\"Entrypoint\":null}}"), &out) == 0);
	CHECK(out && strstr(out, "\"Env\":[\"A=1\"]") && strstr(out, "\"User\":\"app\"") &&
	      strstr(out, "\"WorkingDir\":\"/w\"") && !strstr(out, "Labels") && !strstr(out, "Entrypoint"));
	free(out);
	out = NULL;
	CHECK(imagecfg_extract(S("{\"architecture\":\"amd64\"}"), &out) == 0);
	CHECK(out && !strcmp(out, "{}"));
	free(out);
	CHECK(imagecfg_extract(S("[1]"), &out) == -EINVAL);
	CHECK(imagecfg_extract(S("{\"config\":"), &out) == -EINVAL);
}

static void test_parse(void)
{
	struct imagecfg c;

	CHECK(imagecfg_parse(S("{\"Env\":[\"A=1\",\"B=x=y\"],\"Entrypoint\":[\"/e\",\"-c\"],\"Cmd\":[\"x\"],"
			       "\"WorkingDir\":\"/w\",\"User\":\"1:2\"}"), &c) == 0);
	CHECK(c.env && !strcmp(c.env[1], "B=x=y") && !c.env[2]);
	CHECK(c.entrypoint && !strcmp(c.entrypoint[1], "-c") && !c.entrypoint[2]);
	CHECK(c.cmd && !strcmp(c.cmd[0], "x"));
	CHECK(c.workdir && !strcmp(c.workdir, "/w") && c.user && !strcmp(c.user, "1:2"));
	imagecfg_free(&c);
	/* null, empty and absent are all "unset" */
	CHECK(imagecfg_parse(S("{\"Env\":null,\"Cmd\":[],\"User\":\"\"}"), &c) == 0);
	CHECK(!c.env && !c.cmd && !c.entrypoint && !c.user && !c.workdir);
	imagecfg_free(&c);
	CHECK(imagecfg_parse(S("{\"Env\":[\"NOEQUALS\"]}"), &c) == -EINVAL);
	CHECK(imagecfg_parse(S("{\"Env\":[\"=x\"]}"), &c) == -EINVAL);
	CHECK(imagecfg_parse(S("{\"Cmd\":[1]}"), &c) == -EINVAL);
	CHECK(imagecfg_parse(S("{} trailing"), &c) == -EINVAL);
	CHECK(imagecfg_parse(S("\"str\""), &c) == -EINVAL);
}

int main(void)
{
	test_extract_keeps_only_what_nsnew_applies();
	test_parse();
	return UNIT_REPORT();
}
