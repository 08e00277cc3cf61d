/* fuzz_parse_num - parse_u64/parse_u32/parse_pid (lib/parse.h) against an
 * independent reading of the same contract: the input is accepted exactly
 * when it is a plain decimal number within range, and then means that
 * number. The first 16 bytes (when there are more) are parse_u64's bounds. */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "parse.h"

/* What the contract says S is: -EINVAL, -ERANGE or 0 with *V. */
static int oracle(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;
	bool over = false;

	if (!*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			over = true;
		else
			n = n * 10 + (uint64_t)(*p - '0');
	}
	if (over || n < min || n > max)
		return -ERANGE;
	*v = n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t min = 0, max = UINT64_MAX, v = 0, want = 0;
	uint32_t u;
	pid_t pid;
	char *s;
	int r;

	if (size > 16) {
		memcpy(&min, data, 8);
		memcpy(&max, data + 8, 8);
		data += 16, size -= 16;
	}
	s = fuzz_str(data, size);

	r = parse_u64(s, min, max, &v);
	FUZZ_ASSERT(r == oracle(s, min, max, &want));
	if (r == 0)
		FUZZ_ASSERT(v == want && v >= min && v <= max);

	r = parse_u32(s, &u);
	FUZZ_ASSERT(r == oracle(s, 0, UINT32_MAX, &want));
	if (r == 0)
		FUZZ_ASSERT(u == want);

	r = parse_pid(s, &pid);
	FUZZ_ASSERT(r == oracle(s, 1, INT_MAX, &want));
	if (r == 0)
		FUZZ_ASSERT(pid > 0 && (uint64_t)pid == want);

	free(s);
	return 0;
}
