/* Unit tests for lib/nat.c's pure helpers: overlap and key checks (the
 * nftables side is tested with real traffic in tests/test_natctl.sh). */
#include <netinet/in.h>
#include <string.h>

#include "nat.h"
#include "unit.h"

static struct nat_masq masq(const char *cidr, const char *out)
{
	struct nat_masq m = { 0 };

	CHECK(cidr_parse(cidr, &m.subnet, true) == 0);
	strcpy(m.out, out);
	return m;
}

static struct nat_publish pub(const char *addr, int proto, uint16_t port, const char *to, uint16_t to_port)
{
	struct nat_publish p = { .proto = proto, .port = port, .to_port = to_port };

	if (addr)
		CHECK(cidr_parse(addr, &p.addr, false) == 0);
	CHECK(cidr_parse(to, &p.to, false) == 0);
	return p;
}

static void test_masq_overlap(void)
{
	struct nat_masq have[] = { masq("10.8.8.0/24", ""), masq("10.9.0.0/16", "eth0"), masq("fd00::/64", "") };
	struct nat_state st = { .masq = have, .nmasq = 3 };
	struct nat_masq m;

	m = masq("10.8.8.0/24", "");
	CHECK(nat_masq_overlap(&st, &m) == NULL);		/* equal: no clash */
	m = masq("10.8.0.0/16", "");
	CHECK(nat_masq_overlap(&st, &m) == &have[0]);		/* contains it */
	m = masq("10.8.8.128/25", "");
	CHECK(nat_masq_overlap(&st, &m) == &have[0]);		/* inside it */
	m = masq("10.8.9.0/24", "");
	CHECK(nat_masq_overlap(&st, &m) == NULL);		/* beside it */
	m = masq("10.9.1.0/24", "");
	CHECK(nat_masq_overlap(&st, &m) == NULL);		/* another set (no -o) */
	m = masq("10.9.1.0/24", "eth0");
	CHECK(nat_masq_overlap(&st, &m) == &have[1]);		/* same set */
	m = masq("10.9.1.0/24", "eth1");
	CHECK(nat_masq_overlap(&st, &m) == NULL);		/* other interface */
	m = masq("fd00::/48", "");
	CHECK(nat_masq_overlap(&st, &m) == &have[2]);
	m = masq("0.0.0.0/0", "");
	CHECK(nat_masq_overlap(&st, &m) == &have[0]);		/* everything */
}

static void test_masq_equal(void)
{
	struct nat_masq a = masq("10.8.8.0/24", ""), b = masq("10.8.8.0/24", "");

	CHECK(nat_masq_equal(&a, &b));
	b = masq("10.8.8.0/25", "");
	CHECK(!nat_masq_equal(&a, &b));
	b = masq("10.8.8.0/24", "eth0");
	CHECK(!nat_masq_equal(&a, &b));
}

static void test_publish_keys(void)
{
	struct nat_publish have[] = {
		pub(NULL, IPPROTO_TCP, 8080, "10.8.8.2", 80),
		pub("192.0.2.1", IPPROTO_UDP, 53, "10.8.8.3", 53),
		pub(NULL, IPPROTO_TCP, 8080, "fd00::2", 80),
	};
	struct nat_state st = { .publish = have, .npublish = 3 };
	struct nat_publish p;

	p = pub(NULL, IPPROTO_TCP, 8080, "10.8.8.9", 81);
	CHECK(nat_publish_find(&st, &p) == &have[0]);		/* same key */
	CHECK(!nat_publish_same_target(&have[0], &p));
	p = pub(NULL, IPPROTO_UDP, 8080, "10.8.8.2", 80);
	CHECK(nat_publish_find(&st, &p) == NULL);		/* other protocol */
	p = pub("192.0.2.1", IPPROTO_UDP, 53, "10.8.8.3", 53);
	CHECK(nat_publish_find(&st, &p) == &have[1]);
	CHECK(nat_publish_same_target(&have[1], &p));
	p = pub("192.0.2.2", IPPROTO_UDP, 53, "10.8.8.3", 53);
	CHECK(nat_publish_find(&st, &p) == NULL);		/* other address */
	p = pub(NULL, IPPROTO_UDP, 53, "10.8.8.3", 53);
	CHECK(nat_publish_find(&st, &p) == NULL);		/* any vs one address */
	p = pub(NULL, IPPROTO_TCP, 8080, "fd00::3", 80);
	CHECK(nat_publish_find(&st, &p) == &have[2]);		/* IPv6 map */
}

/* Which publications answer on 127.0.0.0/8, and so need route_localnet. */
static void test_publish_on_loopback(void)
{
	struct nat_publish p;

	p = pub(NULL, IPPROTO_TCP, 8080, "10.8.8.2", 80);
	CHECK(nat_publish_on_loopback(&p));			/* any IPv4 address */
	p = pub("127.0.0.1", IPPROTO_TCP, 8080, "10.8.8.2", 80);
	CHECK(nat_publish_on_loopback(&p));
	p = pub("127.9.9.9", IPPROTO_UDP, 53, "10.8.8.2", 53);
	CHECK(nat_publish_on_loopback(&p));			/* all of 127/8 */
	p = pub("192.0.2.1", IPPROTO_TCP, 8080, "10.8.8.2", 80);
	CHECK(!nat_publish_on_loopback(&p));			/* one other address */
	p = pub(NULL, IPPROTO_TCP, 8080, "fd00::2", 80);
	CHECK(!nat_publish_on_loopback(&p));			/* IPv6: never */
}

int main(void)
{
	test_masq_overlap();
	test_masq_equal();
	test_publish_keys();
	test_publish_on_loopback();
	return UNIT_REPORT();
}
