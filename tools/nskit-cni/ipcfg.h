/* ipcfg.h - the address and route requests link.h does not make, for the
 * CNI plugin: routes to any destination with a scope, addresses without
 * their prefix route (point-to-point wiring), and the lookups CHECK needs.
 * Every function returns 0 (or a boolean 1/0) or -errno; none prints.
 * Part of nskit-cni's own library, which makes no ABI promise. */
#pragma once

#include <stdbool.h>
#include <netlink/netlink.h>

#include "addr.h"

/* A route to DST (network, prefix) out of IFINDEX in the main table, via
 * GW when GW is not NULL, else on-link with SCOPE (RT_SCOPE_LINK for a
 * destination reached directly, RT_SCOPE_UNIVERSE otherwise). -EEXIST
 * when the same route is there. */
int ipcfg_route_add(struct nl_sock *sk, int ifindex, const struct cidr *dst,
		    const struct cidr *gw, int scope);
/* Whether the main table has a route to DST out of IFINDEX (via GW when
 * GW is not NULL): 1, 0, or -errno. */
int ipcfg_route_has(struct nl_sock *sk, int ifindex, const struct cidr *dst, const struct cidr *gw);

/* Add C to the link without DAD; with NOPREFIXROUTE the kernel adds no
 * route for C's prefix (the caller routes it). -EEXIST when present. */
int ipcfg_addr_add(struct nl_sock *sk, int ifindex, const struct cidr *c, bool noprefixroute);
/* Whether the link has the address C with C's prefix: 1, 0 or -errno. */
int ipcfg_addr_has(struct nl_sock *sk, int ifindex, const struct cidr *c);

/* The link's hardware address as "aa:bb:cc:dd:ee:ff" into BUF (at least
 * IPCFG_MACSTRLEN bytes); -ENODEV, -ENODATA when it has none. */
#define IPCFG_MACSTRLEN 18
int ipcfg_link_mac(struct nl_sock *sk, int ifindex, char *buf, size_t size);

/* Write VALUE to /proc/sys/PATH (e.g. "net/ipv6/conf/eth0/accept_dad") as
 * seen from the network namespace NSFD (-1: the caller's): the calling
 * thread enters it to open the file and comes back before writing. */
int ipcfg_sysctl_write(int nsfd, const char *path, const char *value);

/* Take the link IFINDEX down (undoing an ADD that brought it up). */
int ipcfg_link_down(struct nl_sock *sk, int ifindex);

/* The bridge port IFINDEX's hairpin mode (IFLA_BRPORT_MODE): whether the
 * bridge may send a frame back out of the port it came in by. */
int ipcfg_brport_hairpin(struct nl_sock *sk, int ifindex, bool on);
