/* fuzz_publish - nsnew --publish values (tools/nsnew/publish.h): an
 * accepted value has ports 1..65535, a known family, and formats back to
 * a value that parses to the same thing. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"
#include "nsnew/publish.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), addr[INET6_ADDRSTRLEN], again[128];
	struct publish p, back;
	int r = publish_parse(s, &p);

	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (r == 0) {
		FUZZ_ASSERT(p.host_port >= 1 && p.port >= 1);
		FUZZ_ASSERT(p.family == AF_UNSPEC || p.family == AF_INET || p.family == AF_INET6);
		publish_addr(&p, addr, sizeof(addr));
		FUZZ_ASSERT((p.family == AF_UNSPEC) == (*addr == '\0'));
		snprintf(again, sizeof(again), "%s%s%s%s%u:%u/%s", p.family == AF_INET6 ? "[" : "", addr,
			 p.family == AF_INET6 ? "]" : "", *addr ? ":" : "", p.host_port, p.port,
			 p.udp ? "udp" : "tcp");
		FUZZ_ASSERT(publish_parse(again, &back) == 0);
		FUZZ_ASSERT(back.family == p.family && back.host_port == p.host_port &&
			    back.port == p.port && back.udp == p.udp);
		FUZZ_ASSERT(!memcmp(&back.addr, &p.addr, sizeof(p.addr)));
	}
	free(s);
	return 0;
}
