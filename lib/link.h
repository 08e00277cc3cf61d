/* link.h - reading links and addresses over libnl-route-3, deleting
 * links (one, or a group in one pass), and a socket opened inside another
 * namespace to configure it; changes are made through rtnl.h's plans.
 * Shared by vethctl and the CNI plugin. Every function returns 0 (or an index) or
 * -errno; none prints. Part of libnskit, which makes no ABI promise. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>

#include "addr.h"

/* 0, or -EINVAL (empty, ".", "..", '/', ':' or whitespace, as the kernel's
 * dev_valid_name) or -ENAMETOOLONG (more than LINK_NAME_MAX bytes). */
#define LINK_NAME_MAX 15
int link_name_check(const char *name);

/* A NETLINK_ROUTE socket inside the network namespace NSFD: the calling
 * thread enters it, opens the socket and returns to where it was (the
 * socket stays bound to NSFD's namespace). NULL with errno set. */
struct nl_sock *link_sock_open_ns(int nsfd);

struct link_veth {
	const char *name;	/* this end */
	const char *peer;	/* the other end */
	int netns_fd;		/* namespace of NAME; -1: the socket's */
	int peer_netns_fd;	/* namespace of PEER; -1: the socket's */
	uint32_t mtu;		/* both ends; 0: the kernel's default */
	int master;		/* bridge ifindex for NAME; 0: none */
	uint32_t group;		/* link group of NAME; 0: the default */
	bool up;		/* NAME born up (PEER cannot be: rtnl.h's RTNL_UP) */
};

/* What a dump or a lookup says about one link. */
struct link_info {
	char name[LINK_NAME_MAX + 1];
	char kind[16];		/* "veth", "bridge"...; "" for none */
	int ifindex;
	int peer_ifindex;	/* IFLA_LINK, 0 when none */
	int peer_nsid;		/* IFLA_LINK_NETNSID, -1 when in the same ns */
	int master;		/* 0 when none */
	uint32_t group, mtu;
	bool up;
};

/* Look a link up by IFINDEX, or by NAME when IFINDEX is 0: 0 and *INFO
 * filled, -ENODEV when there is no such link. */
int link_get(struct nl_sock *sk, int ifindex, const char *name, struct link_info *info);
/* The same with the link's alias (IFLA_IFALIAS, "" when it has none)
 * into ALIAS of SIZE bytes, cut short when longer. */
int link_get_alias(struct nl_sock *sk, int ifindex, const char *name, struct link_info *info,
		   char *alias, size_t size);
/* A libnl link object naming a link by IFINDEX when > 0, else by NAME;
 * NULL: no memory. */
struct rtnl_link;
struct rtnl_link *link_object(int ifindex, const char *name);
/* The ifindex of NAME, or -ENODEV. */
int link_index(struct nl_sock *sk, const char *name);
/* Call FN for each link of the socket's namespace; FN returning non-zero
 * stops the walk and is returned. */
int link_foreach(struct nl_sock *sk, int (*fn)(const struct link_info *, void *), void *data);

/* Delete one link, by IFINDEX or by NAME when IFINDEX is 0 (a veth
 * peer goes with it). */
int link_del(struct nl_sock *sk, int ifindex, const char *name);
/* Delete every link of GROUP in one request: the kernel tears them down
 * in one pass instead of one grace period per link. -ENODEV when the
 * group is empty, -EOPNOTSUPP when it holds a link that cannot be
 * deleted (a physical one, lo). */
int link_del_group(struct nl_sock *sk, uint32_t group);
/* A group number no link of the socket's namespace is in, above 2^30. */
int link_group_unused(struct nl_sock *sk, uint32_t *group);

/* C's address with PREFIX as a libnl address; NULL on ENOMEM. */
struct nl_addr *cidr_nl_addr(const struct cidr *c, int prefix);
/* The first address of FAMILY on the link into *C; -EADDRNOTAVAIL. */
int link_addr_first(struct nl_sock *sk, int ifindex, int family, struct cidr *c);
/* One address of a link, as a dump gives it. */
struct link_addr {
	int ifindex;
	struct cidr addr;	/* the local address, with its prefix */
	int scope;		/* RT_SCOPE_*: link-local IPv6 is RT_SCOPE_LINK */
};
/* Call FN for each address of the socket's namespace (one dump); FN
 * returning non-zero stops the walk and is returned. */
int link_addr_foreach(struct nl_sock *sk, int (*fn)(const struct link_addr *, void *), void *data);

/* A VXLAN device, as a dump gives it. */
struct link_vxlan {
	struct link_info link;
	uint32_t vni;
	uint16_t port;		/* UDP destination port */
	struct cidr local;	/* family 0: none */
	int dev;		/* the underlay link's ifindex, 0: none */
	uint8_t mac[6];		/* the device's own */
	bool learning;
};
/* Look link NAME up: 0 with *V filled, -ENODEV when there is none,
 * -EMEDIUMTYPE when it is not a VXLAN device (V->link filled). */
int link_vxlan_get(struct nl_sock *sk, const char *name, struct link_vxlan *v);
/* Call FN for each VXLAN device of the socket's namespace (one dump). */
int link_vxlan_foreach(struct nl_sock *sk, int (*fn)(const struct link_vxlan *, void *), void *data);

/* One neighbour entry: a forwarding (FDB) entry when FAMILY is AF_BRIDGE,
 * else an ARP or NDP one. */
struct link_neigh {
	int ifindex, family;
	uint8_t mac[6];		/* all zeros: none given */
	struct cidr ip;		/* NDA_DST (an FDB entry's remote); family 0: none */
	unsigned flags, state;	/* NTF_*, NUD_* */
};
/* Call FN for each entry of FAMILY (AF_BRIDGE, or AF_UNSPEC for both IP
 * families) in one dump. */
int link_neigh_foreach(struct nl_sock *sk, int family, int (*fn)(const struct link_neigh *, void *), void *data);

/* One route of the main table with a single next hop. */
struct link_route {
	int ifindex;		/* where it leaves */
	struct cidr dst, gw;	/* gw family 0: none */
	unsigned nhflags;	/* RTNH_F_* */
};
/* Call FN for each route of the main table (AF_UNSPEC: both families). */
int link_route_foreach(struct nl_sock *sk, int family, int (*fn)(const struct link_route *, void *), void *data);
