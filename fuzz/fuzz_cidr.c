/* fuzz_cidr - addresses, prefixes and ports (lib/addr.h): an accepted
 * "ADDR/PREFIX" has a prefix in range for its family, formats to text that
 * parses back to the same thing, and its network contains it; a port is
 * accepted exactly when it is a plain decimal 1..65535. */
#include <errno.h>
#include <arpa/inet.h>

#include "addr.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char buf[CIDR_STRLEN];
	struct cidr c, back, net;
	uint16_t port;

	for (int need = 0; need < 2; need++) {
		if (cidr_parse(s, &c, need) < 0)
			continue;
		FUZZ_ASSERT(c.family == AF_INET || c.family == AF_INET6);
		FUZZ_ASSERT(c.prefix >= 0 && c.prefix <= (c.family == AF_INET ? 32 : 128));
		FUZZ_ASSERT(cidr_addr_len(&c) == (c.family == AF_INET ? 4u : 16u));
		if (need)
			FUZZ_ASSERT(strchr(s, '/'));
		FUZZ_ASSERT(cidr_format(&c, true, buf, sizeof(buf)));
		FUZZ_ASSERT(cidr_parse(buf, &back, true) == 0);
		FUZZ_ASSERT(back.family == c.family && back.prefix == c.prefix);
		FUZZ_ASSERT(!memcmp(back.addr.b, c.addr.b, cidr_addr_len(&c)));
		net = c;
		cidr_to_network(&net);
		FUZZ_ASSERT(cidr_is_network(&net));
		FUZZ_ASSERT(cidr_contains(&net, &c));
	}

	if (port_parse(s, &port) == 0) {
		unsigned long v = 0;

		FUZZ_ASSERT(*s >= '0' && *s <= '9');
		for (const char *p = s; *p; p++) {
			FUZZ_ASSERT(*p >= '0' && *p <= '9');
			v = v * 10 + (unsigned long)(*p - '0');
			FUZZ_ASSERT(v <= 65535);
		}
		FUZZ_ASSERT(v == port && port >= 1);
	}
	free(s);
	return 0;
}
