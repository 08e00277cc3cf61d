/* addr.c - strict address/prefix parsing over inet_pton. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "parse.h"

int cidr_parse(const char *s, struct cidr *c, bool need_prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t alen;
	uint64_t p;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= INET6_ADDRSTRLEN || (!slash && need_prefix))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, &c->addr.v4) == 1)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &c->addr.v6) == 1)
		c->family = AF_INET6;
	else
		return -EINVAL;
	c->prefix = c->family == AF_INET ? 32 : 128;
	if (slash) {
		int r = parse_u64(slash + 1, 0, (uint64_t)c->prefix, &p);

		if (r < 0)
			return r;
		c->prefix = (int)p;
	}
	return 0;
}

size_t cidr_addr_len(const struct cidr *c)
{
	return c->family == AF_INET ? 4 : 16;
}

bool cidr_is_network(const struct cidr *c)
{
	struct cidr n = *c;

	cidr_to_network(&n);
	return memcmp(n.addr.b, c->addr.b, cidr_addr_len(c)) == 0;
}

void cidr_to_network(struct cidr *c)
{
	size_t len = cidr_addr_len(c);

	for (size_t i = 0; i < len; i++) {
		int bits = c->prefix - (int)i * 8;

		if (bits <= 0)
			c->addr.b[i] = 0;
		else if (bits < 8)
			c->addr.b[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

bool cidr_contains(const struct cidr *a, const struct cidr *b)
{
	struct cidr na = *a, nb = *b;

	if (a->family != b->family || b->prefix < a->prefix)
		return false;
	nb.prefix = a->prefix;
	cidr_to_network(&na);
	cidr_to_network(&nb);
	return memcmp(na.addr.b, nb.addr.b, cidr_addr_len(a)) == 0;
}

char *cidr_format(const struct cidr *c, bool with_prefix, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, c->addr.b, a, sizeof(a)))
		return NULL;
	if (with_prefix)
		snprintf(buf, size, "%s/%d", a, c->prefix);
	else
		snprintf(buf, size, "%s", a);
	return buf;
}

int port_parse(const char *s, uint16_t *port)
{
	uint64_t v;
	int r = parse_u64(s, 1, 65535, &v);

	if (r == 0)
		*port = (uint16_t)v;
	return r;
}

int mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int v = 0;

		for (int k = 0; k < 2; k++, s++) {
			int c = *s, d = c >= '0' && c <= '9' ? c - '0' :
					c >= 'a' && c <= 'f' ? c - 'a' + 10 :
					c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

			if (d < 0)
				return -EINVAL;
			v = v * 16 + d;
		}
		mac[i] = (uint8_t)v;
		if (*s != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		s++;
	}
	return 0;
}

bool mac_is_zero(const uint8_t mac[6])
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

bool mac_is_unicast(const uint8_t mac[6])
{
	/* The group bit is the lowest bit of the first byte. */
	return !(mac[0] & 1) && !mac_is_zero(mac);
}

char *mac_format(const uint8_t mac[6], char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
