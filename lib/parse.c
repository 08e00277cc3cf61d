/* parse.c - strict number parsing. strtoull alone accepts " -1" and
 * "12abc"; every nskit number goes through here instead. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int r = parse_u64(s, 0, UINT32_MAX, &v);

	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

int parse_pid(const char *s, pid_t *out)
{
	uint64_t v;
	int r = parse_u64(s, 1, INT_MAX, &v);

	if (r == 0)
		*out = (pid_t)v;
	return r;
}

int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	static const char units[] = "kmgt";
	size_t len = s ? strlen(s) : 0;
	const char *u = len ? strchr(units, s[len - 1] | 0x20) : NULL;
	unsigned shift = u ? 10 * (unsigned)(u - units + 1) : 0;
	char *num;
	uint64_t v;
	int r;

	if (!len)
		return -EINVAL;
	if (!(num = strndup(s, len - !!shift)))
		return -ENOMEM;
	r = parse_u64(num, 0, UINT64_MAX, &v);
	free(num);
	if (r < 0)
		return r;
	if (v > UINT64_MAX >> shift || v << shift < min || v << shift > max)
		return -ERANGE;
	*out = v << shift;
	return 0;
}
