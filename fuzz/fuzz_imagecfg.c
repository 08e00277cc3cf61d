/* fuzz_imagecfg - an image's run configuration (lib/imagecfg.h): the
 * input is a configuration blob or a kept image.json. What
 * imagecfg_extract keeps parses back; a kept Env entry always holds a
 * name and "=". */
#include <errno.h>

#include "fuzz.h"
#include "imagecfg.h"

static void check_parsed(const struct imagecfg *c)
{
	for (size_t i = 0; c->env && c->env[i]; i++)
		FUZZ_ASSERT(c->env[i][0] != '=' && strchr(c->env[i], '='));
	FUZZ_ASSERT(!c->user || *c->user);
	FUZZ_ASSERT(!c->workdir || *c->workdir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = fuzz_str(data, size), *out = NULL;
	size_t len = strlen(json);
	struct imagecfg c;

	if (imagecfg_parse(json, len, &c) == 0) {
		check_parsed(&c);
		imagecfg_free(&c);
	}
	if (imagecfg_extract(json, len, &out) == 0) {
		int r = imagecfg_parse(out, strlen(out), &c);

		/* kept text is JSON of the kept keys; only their values may be refused */
		FUZZ_ASSERT(r == 0 || r == -EINVAL);
		if (r == 0)
			imagecfg_free(&c);
		free(out);
	}
	free(json);
	return 0;
}
