/* fuzz_parse_num - parse_u64/parse_u32/parse_pid/parse_size (lib/parse.h)
 * against an independent reading of the same contract: the input is
 * accepted exactly when it is a plain decimal number within range (for
 * parse_size, with an optional K, M, G or T of either case, times 1024^n),
 * and then means that number. The first 16 bytes (when there are more) are
 * parse_u64's and parse_size's bounds. */
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

static int size_oracle(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	size_t len = strlen(s);
	const char *units = "kKmMgGtT", *u = len ? strchr(units, s[len - 1]) : NULL;
	unsigned shift = u ? 10 * (unsigned)((u - units) / 2 + 1) : 0;
	char *num = strndup(s, len - (u ? 1 : 0));
	uint64_t n = 0;
	int r;

	FUZZ_ASSERT(num);
	r = oracle(num, 0, UINT64_MAX, &n);
	free(num);
	if (r < 0)
		return r;
	if (n > UINT64_MAX >> shift || n << shift < min || n << shift > max)
		return -ERANGE;
	*v = n << shift;
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

	r = parse_size(s, min, max, &v);
	FUZZ_ASSERT(r == size_oracle(s, min, max, &want));
	if (r == 0)
		FUZZ_ASSERT(v == want && v >= min && v <= max);

	free(s);
	return 0;
}
