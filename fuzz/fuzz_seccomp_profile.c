/* fuzz_seccomp_profile - nsnew's seccomp text profile
 * (tools/nsnew/profile.h). A parsed profile holds only valid names, each
 * once, and errnos in range; a refusal names a line of the input. */
#include <errno.h>

#include "fuzz.h"
#include "nsnew/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_profile p;
	struct sc_error e;
	unsigned lines = 1;
	int r = profile_parse((const char *)data, size, &p, &e);

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r == -EINVAL)
		FUZZ_ASSERT(e.line <= lines && e.msg[0]);
	for (size_t i = 0; r == 0 && i < p.n; i++) {
		FUZZ_ASSERT(p.rule[i].name[0] && strlen(p.rule[i].name) <= SC_NAME_MAX);
		FUZZ_ASSERT(p.rule[i].action != SC_DENY || (p.rule[i].err >= 1 && p.rule[i].err <= 4095));
		for (size_t k = 0; k < i; k++)
			FUZZ_ASSERT(strcmp(p.rule[i].name, p.rule[k].name) != 0);
	}
	profile_free(&p);
	return 0;
}
