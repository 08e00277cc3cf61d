/* nl.h - rtnetlink over libnl-route-3: one socket per command, and the
 * requests libnl has no object for (network namespace ids). */
#pragma once

#include <netlink/netlink.h>

/* A connected NETLINK_ROUTE socket (close-on-exec), or NULL with errno. */
struct nl_sock *nl_route_open(void);
void nl_route_close(struct nl_sock *sk);

/* libnl's NLE_* codes back to the errno they came from, negated. */
int nl_to_errno(int nlerr);

/* The id the current network namespace has for the namespace at NSFD:
 * >= 0, -ENOENT when none is assigned, or -errno. */
int nl_netns_nsid(struct nl_sock *sk, int nsfd);
