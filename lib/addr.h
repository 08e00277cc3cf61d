/* addr.h - IPv4/IPv6 addresses with prefixes ("10.8.8.1/24", "fd00::1/64")
 * and ports, parsed strictly for vethctl, natctl and the CNI plugin. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cidr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} addr;
	int prefix;		/* 0..32 or 0..128 */
};

/* "ADDR/PREFIX", or a bare ADDR (a host: /32 or /128) unless
 * NEED_PREFIX. Returns 0, -EINVAL (malformed) or -ERANGE (prefix). */
int cidr_parse(const char *s, struct cidr *c, bool need_prefix);
/* Address length in bytes for the family: 4 or 16. */
size_t cidr_addr_len(const struct cidr *c);
/* Whether the host bits below the prefix are all zero. */
bool cidr_is_network(const struct cidr *c);
/* Clear the host bits: 10.8.8.1/24 -> 10.8.8.0/24. */
void cidr_to_network(struct cidr *c);
/* Whether A's network contains B's address. */
bool cidr_contains(const struct cidr *a, const struct cidr *b);
/* "ADDR/PREFIX" (or just ADDR when WITH_PREFIX is false) into BUF;
 * needs at most CIDR_STRLEN bytes. */
#define CIDR_STRLEN (INET6_ADDRSTRLEN + 4)
char *cidr_format(const struct cidr *c, bool with_prefix, char *buf, size_t size);

/* An Ethernet address "02:ab:..:ff" (six colon-separated pairs of hex
 * digits, either case) into MAC[6]: 0 or -EINVAL. A unicast, non-zero
 * one (what a peer's VTEP has) is checked by mac_is_unicast. */
#define MAC_STRLEN 18
int mac_parse(const char *s, uint8_t mac[6]);
bool mac_is_unicast(const uint8_t mac[6]);
bool mac_is_zero(const uint8_t mac[6]);
char *mac_format(const uint8_t mac[6], char *buf, size_t size);

/* A port number 1..65535. */
int port_parse(const char *s, uint16_t *port);
