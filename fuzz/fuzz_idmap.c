/* fuzz_idmap - id-map specs (lib/idmap.h): the input is one or more
 * "IN:OUT:N" specs, one per line, as -u/-g/--map options give them. Each
 * accepted range keeps (uid_t)-1 unmappable; the ranges idmap_add() accepts
 * never overlap inside or outside; the kernel text idmap_format() makes
 * fits one write and reads back as the same ranges. */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "idmap.h"

static bool overlap(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
	return (uint64_t)a < (uint64_t)b + bn && (uint64_t)b < (uint64_t)a + an;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *p = text, *line;
	static struct idmap m;
	static char buf[IDMAP_MAX_BYTES + 1];
	int len;

	m.n = 0;
	while ((line = strsep(&p, "\n"))) {
		struct idmap_range r;

		if (idmap_parse_range(line, &r) < 0)
			continue;
		FUZZ_ASSERT(r.count > 0);
		FUZZ_ASSERT((uint64_t)r.in + r.count <= UINT32_MAX);
		FUZZ_ASSERT((uint64_t)r.out + r.count <= UINT32_MAX);
		if (idmap_add(&m, &r) < 0)
			continue;
		FUZZ_ASSERT(m.n <= IDMAP_MAX_RANGES);
	}
	for (size_t i = 0; i < m.n; i++)
		for (size_t j = i + 1; j < m.n; j++) {
			FUZZ_ASSERT(!overlap(m.r[i].in, m.r[i].count, m.r[j].in, m.r[j].count));
			FUZZ_ASSERT(!overlap(m.r[i].out, m.r[i].count, m.r[j].out, m.r[j].count));
		}
	len = idmap_format(&m, buf, sizeof(buf));
	FUZZ_ASSERT(len >= 0 && len <= IDMAP_MAX_BYTES && (size_t)len == strlen(buf));
	/* Read the text back the way the kernel does. */
	{
		char *q = buf;
		size_t k = 0;
		uint32_t in, out, count;
		int used;

		while (sscanf(q, "%" SCNu32 " %" SCNu32 " %" SCNu32 "\n%n", &in, &out, &count, &used) == 3) {
			FUZZ_ASSERT(k < m.n);
			FUZZ_ASSERT(in == m.r[k].in && out == m.r[k].out && count == m.r[k].count);
			k++;
			q += used;
		}
		FUZZ_ASSERT(k == m.n && *q == '\0');
	}
	free(text);
	return 0;
}
