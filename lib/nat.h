/* nat.h - NAT for namespaces' subnets in nskit's own nftables table,
 * `inet nskit`, over libnftables (natctl, and the CNI plugin's ipMasq and
 * portMappings). Part of libnskit, which makes no ABI promise.
 *
 * The table holds a fixed set of rules; what grows is the content of its
 * sets and maps, so the rule count stays constant with 1 or 10000 subnets:
 *   masq4, masq6          interval sets of subnets masqueraded on any
 *                         interface (except towards another listed subnet)
 *   masq4_out, masq6_out  SUBNET . OUT-IFNAME, masqueraded leaving OUT only
 *   publish4, publish6    PROTO . PORT : TO-ADDR . TO-PORT, DNAT of any
 *                         local address (from outside and from the host)
 *   publish4_addr, ...6_addr  ADDR . PROTO . PORT : TO-ADDR . TO-PORT
 *   localnet              IFNAMEs whose net.ipv4.conf.IFNAME.route_localnet
 *                         nskit turned on, so that 127.0.0.0/8 publications
 *                         reach targets routed through them
 * Every call that changes the table is one nftables transaction. An add
 * that finds the table or a set missing creates the whole table in the
 * same transaction (flush chain + the same rules, so two racing first adds
 * leave the rules once); adding an element that is there is no change. No
 * other table is ever named. Functions return 0 or -errno and never print; after a
 * failure nat_strerror() gives libnftables' own one-line reason. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define NAT_FAMILY "inet"
#define NAT_TABLE "nskit"
/* The conntrack mark bit that flags a hairpin connection for masquerade. */
#define NAT_CT_HAIRPIN "0x10000000"
/* Serialises the route_localnet bookkeeping of concurrent commands. */
#define NAT_LOCK_PATH "/run/nskit-nat.lock"

struct nat_masq {
	struct cidr subnet;	/* a network: host bits clear */
	char out[IF_NAMESIZE];	/* out interface, "" for any */
};

struct nat_publish {
	int proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	struct cidr addr;	/* local address to match; family 0: any local
				 * (127.0.0.0/8 included for IPv4, ::1 never) */
	uint16_t port;
	struct cidr to;		/* the target host (a full-length prefix) */
	uint16_t to_port;
};

struct nat_state {
	struct nat_masq *masq;
	size_t nmasq;
	struct nat_publish *publish;
	size_t npublish;
	char (*localnet)[IF_NAMESIZE];	/* the set localnet */
	size_t nlocalnet;
};

struct nat;

/* A libnftables context. NULL with errno set on failure: EPERM without
 * CAP_NET_ADMIN (asked of the kernel first, so libnftables prints nothing). */
struct nat *nat_open(void);
void nat_close(struct nat *n);
/* Why the last call failed, as libnftables said it (one line, no
 * "Error: " prefix), or "" when it did not say. */
const char *nat_strerror(const struct nat *n);

/* Read the table's sets and maps; no table is an empty state. */
int nat_read(struct nat *n, struct nat_state *st);
void nat_state_free(struct nat_state *st);

/* Each is one transaction over all N entries. Adding an entry that is
 * already there is no change; one that clashes with an entry there (see
 * nat_masq_overlap, nat_publish_find) fails with -EEXIST and adds nothing;
 * deleting one that is not there fails (-ENOENT) and deletes nothing. */
int nat_masq_add(struct nat *n, const struct nat_masq *m, size_t count);
int nat_masq_del(struct nat *n, const struct nat_masq *m, size_t count);
/* Publishing answers on 127.0.0.0/8 too (an ADDR there, or any address of
 * IPv4): the interface the host routes TO through gets route_localnet=1
 * when it had 0, and joins the set localnet in the same transaction (undone
 * if it fails). A delete turns it off again, and takes it out of the set,
 * once no publication left in the table is routed through it; so the
 * count of publications per interface is derived from the table and the
 * routes, under the lock NAT_LOCK_PATH, whatever process added them.
 * An interface whose route_localnet was 1 already is not nskit's to touch. */
int nat_publish_add(struct nat *n, const struct nat_publish *p, size_t count);
int nat_publish_del(struct nat *n, const struct nat_publish *p, size_t count);
/* Remove the whole table (nothing else), turning route_localnet off on the
 * interfaces of the set localnet; no table is no error. */
int nat_flush(struct nat *n);
/* Whether P is served on loopback addresses (and needs route_localnet). */
bool nat_publish_on_loopback(const struct nat_publish *p);

/* Entries of ST an entry would clash with in the kernel: a subnet in the
 * same set that overlaps M without being equal to it, or (for publish) the
 * same key mapped to another target. NULL when there is none. */
const struct nat_masq *nat_masq_overlap(const struct nat_state *st, const struct nat_masq *m);
const struct nat_publish *nat_publish_find(const struct nat_state *st, const struct nat_publish *p);
bool nat_masq_equal(const struct nat_masq *a, const struct nat_masq *b);
bool nat_publish_same_key(const struct nat_publish *a, const struct nat_publish *b);
bool nat_publish_same_target(const struct nat_publish *a, const struct nat_publish *b);

/* Turn forwarding for FAMILY on (net.ipv4.ip_forward, or
 * net.ipv6.conf.all.forwarding) through /proc/sys; *WAS tells whether it
 * already was, so a failed command can put it back with nat_forwarding_off. */
int nat_forwarding_on(int family, bool *was);
int nat_forwarding_off(int family);
