/* fuzz_jailrec - jailrec_parse and jailrec_format (lib/jailrec.h): a
 * rootless name's record is accepted only in its exact format, and what
 * is accepted formats back to the same text. */
#include <errno.h>

#include "fuzz.h"
#include "jailrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jailrec r;
	char out[RECORD_MAX];
	int r1 = jailrec_parse((const char *)data, size, &r), n;

	FUZZ_ASSERT(r1 == 0 || r1 == -EBADMSG);
	if (r1 < 0)
		return 0;
	FUZZ_ASSERT(r.pid > 0);
	n = jailrec_format(&r, out, sizeof(out));
	FUZZ_ASSERT(n > 0 && (size_t)n == size && memcmp(out, data, size) == 0);
	return 0;
}
