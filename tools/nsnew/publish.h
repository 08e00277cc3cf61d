/* publish.h - nsnew --publish [ADDR:]HOSTPORT:PORT[/tcp|/udp]: a port of
 * the caller's network forwarded into the jail by its user-mode network
 * helper (usernet.h). Parsing only: no output, no exit. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

struct publish {
	int family;		/* AF_INET, AF_INET6, or AF_UNSPEC: every address */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t host_port;	/* on the caller's side */
	uint16_t port;		/* in the jail */
	bool udp;
};

/* 0, or -EINVAL when S is not [ADDR:]HOSTPORT:PORT[/tcp|/udp] with ports
 * 1..65535 and ADDR a literal IPv4 address or a bracketed IPv6 one. */
int publish_parse(const char *s, struct publish *p);

/* "ADDR" as text ("" for every address), IPv6 without brackets. */
const char *publish_addr(const struct publish *p, char *buf, size_t size);
