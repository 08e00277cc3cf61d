/* publish.c - nsnew --publish values (publish.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "publish.h"
#include "util.h"

/* A decimal port 1..65535 of LEN bytes at S. */
static int port_of(const char *s, size_t len, uint16_t *port)
{
	char buf[8];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return port_parse(buf, port);
}

int publish_parse(const char *s, struct publish *p)
{
	const char *proto = strchr(s, '/'), *end, *colon, *ports = s;
	char addr[INET6_ADDRSTRLEN];

	memset(p, 0, sizeof(*p));
	p->family = AF_UNSPEC;
	end = proto ? proto : s + strlen(s);
	if (proto && streq(proto, "/udp"))
		p->udp = true;
	else if (proto && !streq(proto, "/tcp"))
		return -EINVAL;
	if (*s == '[') {	/* [IPv6]:HOSTPORT:PORT */
		const char *close = memchr(s, ']', (size_t)(end - s));

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(addr))
			return -EINVAL;
		memcpy(addr, s + 1, (size_t)(close - s - 1));
		addr[close - s - 1] = '\0';
		if (inet_pton(AF_INET6, addr, &p->addr.v6) != 1)
			return -EINVAL;
		p->family = AF_INET6;
		ports = close + 2;
	} else {
		const char *first = memchr(s, ':', (size_t)(end - s));
		const char *second = first ? memchr(first + 1, ':', (size_t)(end - first - 1)) : NULL;

		if (second) {	/* IPv4:HOSTPORT:PORT */
			if ((size_t)(first - s) >= sizeof(addr))
				return -EINVAL;
			memcpy(addr, s, (size_t)(first - s));
			addr[first - s] = '\0';
			if (inet_pton(AF_INET, addr, &p->addr.v4) != 1)
				return -EINVAL;
			p->family = AF_INET;
			ports = first + 1;
		}
	}
	colon = memchr(ports, ':', (size_t)(end - ports));
	if (!colon || port_of(ports, (size_t)(colon - ports), &p->host_port) < 0 ||
	    port_of(colon + 1, (size_t)(end - colon - 1), &p->port) < 0)
		return -EINVAL;
	return 0;
}

const char *publish_addr(const struct publish *p, char *buf, size_t size)
{
	if (p->family == AF_UNSPEC || !inet_ntop(p->family, &p->addr, buf, (socklen_t)size)) {
		if (size)
			*buf = '\0';
	}
	return buf;
}
