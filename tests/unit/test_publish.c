/* test_publish.c - unit tests for nsnew's --publish values
 * (tools/nsnew/publish.h): [ADDR:]HOSTPORT:PORT[/tcp|/udp]. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "nsnew/publish.h"
#include "unit.h"

/* S parses to FAMILY, ADDR (as text), HOST, PORT, UDP. */
static int parses(const char *s, int family, const char *addr, unsigned host, unsigned port, bool udp)
{
	struct publish p;
	char buf[INET6_ADDRSTRLEN];

	return publish_parse(s, &p) == 0 && p.family == family && p.host_port == host && p.port == port &&
	       p.udp == udp && strcmp(publish_addr(&p, buf, sizeof(buf)), addr) == 0;
}

static void test_good(void)
{
	CHECK(parses("8080:80", AF_UNSPEC, "", 8080, 80, false));
	CHECK(parses("8080:80/tcp", AF_UNSPEC, "", 8080, 80, false));
	CHECK(parses("53:53/udp", AF_UNSPEC, "", 53, 53, true));
	CHECK(parses("1:65535", AF_UNSPEC, "", 1, 65535, false));
	CHECK(parses("127.0.0.1:8080:80", AF_INET, "127.0.0.1", 8080, 80, false));
	CHECK(parses("0.0.0.0:8080:80/udp", AF_INET, "0.0.0.0", 8080, 80, true));
	CHECK(parses("[::1]:8080:80", AF_INET6, "::1", 8080, 80, false));
	CHECK(parses("[2001:db8::1]:443:8443/tcp", AF_INET6, "2001:db8::1", 443, 8443, false));
}

static void test_bad(void)
{
	static const char *const bad[] = {
		"", "80", ":80", "8080:", "0:80", "8080:0", "65536:80", "8080:65536", "8080:80/",
		"8080:80/sctp", "8080:80/TCP", "8080:80/udp/tcp", "+8080:80", " 8080:80", "8080:80 ",
		"8080:-80", "0x50:80", "1.2.3:8080:80", "1.2.3.4.5:1:2", "localhost:8080:80",
		"::1:8080:80", "[::1:8080:80", "[::1]8080:80", "[::1]:8080", "[]:1:2", "[1.2.3.4]:1:2",
		"1.2.3.4:1:2:3", "a:b", "1:2:3", "127.0.0.1::80", "[::1]:8080:80:1",
		"99999999999999999999:1",
	};
	struct publish p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = publish_parse(bad[i], &p);

		CHECK(r == -EINVAL);
		if (r != -EINVAL)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
	}
}

int main(void)
{
	test_good();
	test_bad();
	return UNIT_REPORT();
}
