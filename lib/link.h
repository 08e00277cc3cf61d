/* link.h - links, addresses and routes over libnl-route-3: veth pairs
 * born with their peer inside a network namespace, bridges, link groups,
 * and a socket opened inside another namespace to configure it. Shared by
 * vethctl and the CNI plugin. Every function returns 0 (or an index) or
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
	bool up;		/* NAME born up; bring PEER up with link_set_up */
};

/* Create the pair in one RTM_NEWLINK request: each end is created
 * directly in its namespace (IFLA_NET_NS_FD), never moved afterwards. */
int link_veth_add(struct nl_sock *sk, const struct link_veth *v);
/* A bridge, up, in GROUP (0: default) with MTU (0: default). */
int link_bridge_add(struct nl_sock *sk, const char *name, uint32_t mtu, uint32_t group);

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
/* Set the alias of link IFINDEX (at most 255 bytes: -ENAMETOOLONG). */
int link_set_alias(struct nl_sock *sk, int ifindex, const char *alias);
/* The ifindex of NAME, or -ENODEV. */
int link_index(struct nl_sock *sk, const char *name);
/* Call FN for each link of the socket's namespace; FN returning non-zero
 * stops the walk and is returned. */
int link_foreach(struct nl_sock *sk, int (*fn)(const struct link_info *, void *), void *data);

/* Bring the link up (by IFINDEX, or by NAME when IFINDEX is 0). */
int link_set_up(struct nl_sock *sk, int ifindex, const char *name);
/* Put the N links IFINDEX[] into GROUP, requests sent back to back in
 * chunks and their acks read afterwards, not one round trip per link.
 * *GONE is set to the position of the first link that no longer exists,
 * or to N; that is not an error. Returns 0 or the first other -errno. */
int link_set_group_many(struct nl_sock *sk, const int *ifindex, size_t n, uint32_t group,
			size_t *gone);

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

/* Add the address C/prefix to the link (without duplicate address
 * detection: both ends of the wire are ours). */
int link_addr_add(struct nl_sock *sk, int ifindex, const struct cidr *c);
/* The same with extra IFA_F_* FLAGS (e.g. IFA_F_NOPREFIXROUTE). */
int link_addr_add_flags(struct nl_sock *sk, int ifindex, const struct cidr *c, unsigned flags);
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
/* A default route of GW's family via GW out of IFINDEX, main table. */
int link_route_default(struct nl_sock *sk, int ifindex, const struct cidr *gw);

/* The requests link_veth_add, link_set_up, link_addr_add and
 * link_route_default send (one round trip each), built into *M for
 * link_send_many instead: 0 (nlmsg_free *M after), or the -errno the
 * one-trip function would return for a request it cannot build. */
int link_veth_add_msg(const struct link_veth *v, struct nl_msg **m);
int link_set_up_msg(int ifindex, const char *name, struct nl_msg **m);
int link_addr_add_msg(int ifindex, const struct cidr *c, struct nl_msg **m);
int link_route_default_msg(int ifindex, const struct cidr *gw, struct nl_msg **m);
/* Send the N requests MSGS[] back to back, in chunks, without waiting for
 * each ack, then match the acks by sequence number: ERR[i] is 0 or the
 * kernel's -errno for MSGS[i]; the kernel runs them in order and goes on
 * after a failing one. Returns 0, or -errno when the socket failed: the
 * requests whose ack was not read get that -errno in ERR[] too (they may
 * or may not have been done). */
int link_send_many(struct nl_sock *sk, struct nl_msg *const *msgs, size_t n, int *err);
