/* ipcfg.h - what the CNI plugin needs beyond lib/rtnl.h's requests: a
 * link's hardware address for the result, and sysctls written inside a
 * network namespace. Every function returns 0 or -errno; none prints.
 * Part of nskit-cni's own library, which makes no ABI promise. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>

#include "addr.h"

/* The link's hardware address as "aa:bb:cc:dd:ee:ff" into BUF (at least
 * IPCFG_MACSTRLEN bytes); -ENODEV, -ENODATA when it has none. */
#define IPCFG_MACSTRLEN 18
int ipcfg_link_mac(struct nl_sock *sk, int ifindex, char *buf, size_t size);

/* Write VALUE to /proc/sys/PATH (e.g. "net/ipv6/conf/eth0/accept_dad") as
 * seen from the network namespace NSFD (-1: the caller's): the calling
 * thread enters it to open the file and comes back before writing. */
int ipcfg_sysctl_write(int nsfd, const char *path, const char *value);

/* Set the link's hardware address to MAC (6 bytes), or with MAC NULL to
 * the one it has: a bridge whose address nobody set takes the lowest of
 * its ports' and changes as ports come and go (the containers' neighbour
 * entries for the gateway go stale each time); one set explicitly stays. */
int ipcfg_link_set_mac(struct nl_sock *sk, int ifindex, const uint8_t *mac);

/* Take the link IFINDEX down (undoing an ADD that brought it up). */
int ipcfg_link_down(struct nl_sock *sk, int ifindex);

/* The bridge port IFINDEX's hairpin mode (IFLA_BRPORT_MODE): whether the
 * bridge may send a frame back out of the port it came in by. */
int ipcfg_brport_hairpin(struct nl_sock *sk, int ifindex, bool on);
