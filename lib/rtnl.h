/* rtnl.h - network changes as plans: typed requests (a veth pair, a
 * bridge, a VXLAN device, a link up, a master, an alias, an address, a
 * route, a forwarding or neighbour entry), each
 * tagged with the unit it belongs to (a command, a batch line) and the
 * caller's words for it, run by one executor. It makes the links first,
 * resolves the names the other requests need (one dump per namespace),
 * sends each namespace's requests back to back with their acks matched
 * afterwards, and at the first failure (in unit order, then plan order:
 * the failure a unit run alone would meet first) takes back, through
 * main()'s undo stack, what the failing unit and the later ones made.
 * What the earlier units made is pushed onto that stack too, so a later
 * failure of the command unwinds it. vethctl and the CNI plugin only build
 * plans. Nothing here prints or exits. Part of libnskit, which makes no
 * ABI promise. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>

#include "addr.h"
#include "link.h"

struct undo;

enum rtnl_op {
	RTNL_VETH,	/* make a veth pair (.veth); its link is NAME */
	RTNL_BRIDGE,	/* make a bridge, up (.bridge) */
	RTNL_UP,	/* bring the link up */
	RTNL_MASTER,	/* put the link into bridge .master (an ifindex) */
	RTNL_ALIAS,	/* set the link's alias (.alias, at most 255 bytes) */
	RTNL_ADDR,	/* add an address (.addr), without DAD */
	RTNL_ROUTE,	/* add a route (.route) out of the link, main table */
	RTNL_VXLAN,	/* make a VXLAN device, up (.vxlan); unlike a veth it is
			 * made over NS's own socket: the kernel opens its UDP
			 * socket in the namespace that asks, not the one the
			 * device is born in */
	RTNL_FDB,	/* a forwarding entry of the link (.fdb): frames for MAC
			 * go to the VTEP at .fdb.dst; permanent, the device's
			 * own (NTF_SELF) */
	RTNL_NEIGH,	/* a permanent neighbour entry (.neigh) on the link */
	RTNL_FAILED,	/* not sent: fails with .err at its place (a request
			 * the caller could not build, e.g. a gateway that has no
			 * address to route via) */
};

/* Request flags. */
enum {
	RTNL_KEEP = 1,		/* EEXIST is success, and a link made is
				 * shared (a CNI bridge): never taken back */
	RTNL_NOPREFIXROUTE = 2,	/* RTNL_ADDR: no route for its prefix */
	RTNL_DELETE = 4,	/* RTNL_FDB, RTNL_NEIGH, RTNL_ROUTE: delete the
				 * entry the request describes, not add it */
	RTNL_UNDO = 8,		/* RTNL_FDB, RTNL_NEIGH, RTNL_ROUTE: taken back on
				 * its own, by the inverse request, when its unit
				 * fails (an entry on a link the plan does not
				 * make, which would not go with it) */
	RTNL_APPEND = 16,	/* RTNL_FDB: one more destination for MAC (the
				 * all-zeros default destination), not refused
				 * when MAC has one */
};

struct rtnl_vxlan {
	uint32_t vni;		/* 0..16777215 */
	uint16_t port;		/* UDP destination port */
	struct cidr local;	/* the source address of the tunnel */
	int dev;		/* the underlay link's ifindex in NS, or 0 */
	int master;		/* a bridge's ifindex in NS, or 0 */
	uint32_t mtu;		/* 0: the kernel's */
	uint8_t mac[6];		/* all zeros: the kernel's random one */
};

struct rtnl_req {
	enum rtnl_op op;
	unsigned flags;
	size_t unit;		/* the batch line (or 0): failures order by it */
	int what, k;		/* the caller's: which step, which address */
	unsigned ns;		/* the namespace of the link: plan->sk[ns] */
	const char *link;	/* the link by name (a make: the name it gets) */
	int ifindex;		/* or by index, when > 0 */
	int result;		/* rtnl_run leaves the kernel's answer here: 0,
				 * -errno (-EEXIST even when RTNL_KEEP), or 1
				 * when it was not sent */
	union {
		struct link_veth veth;	/* .name is LINK; .netns_fd is NS's */
		struct { uint32_t mtu, group; } bridge;
		int master;
		const char *alias;
		struct { struct cidr a; } addr;
		/* to .dst via .gw (family 0: on-link, with .scope); with
		 * .onlink the gateway need not be in a prefix of the link */
		struct { struct cidr dst, gw; int scope; bool onlink; } route;
		struct rtnl_vxlan vxlan;
		struct { uint8_t mac[6]; struct cidr dst; } fdb;
		struct { struct cidr ip; uint8_t mac[6]; } neigh;
		int err;		/* RTNL_FAILED: -errno, or 0 */
	};
};

#define RTNL_NS_MAX 17		/* the caller's namespace and 16 others */

struct rtnl_plan {
	/* [0]: the caller's namespace, which makes every link (a veth's ends
	 * are born in theirs); the others as rtnl_plan_ns() added them. The
	 * sockets are the caller's, and must outlive the undo stack. */
	struct nl_sock *sk[RTNL_NS_MAX];
	unsigned nsk;
	struct rtnl_req *v;
	size_t n, cap;
	bool nomem;		/* a request could not be added */
	struct rtnl_req spare;	/* handed out then, to be filled in vain */
};

/* An empty plan whose makes go over HOST (the caller's namespace). */
void rtnl_plan_init(struct rtnl_plan *p, struct nl_sock *host);
void rtnl_plan_free(struct rtnl_plan *p);
/* SK's index in P->sk (added when new), or -ENOSPC. */
int rtnl_plan_ns(struct rtnl_plan *p, struct nl_sock *sk);
/* A new request OP of UNIT on the link LINK (by name) in namespace NS,
 * zeroed but for those: fill in the rest. Never NULL: with no memory
 * left, a spare that rtnl_run refuses the plan for (-ENOMEM), so a plan
 * is built without a check at each step. The pointer lasts until the
 * next rtnl_add. */
struct rtnl_req *rtnl_add(struct rtnl_plan *p, enum rtnl_op op, size_t unit, unsigned ns,
			  const char *link);

/* Why a plan failed: the request (P->v[req]) with its unit and the
 * caller's words for it, and its error; RESOLVE when its link's name was
 * what could not be found (ERR is then -ENODEV, or the dump's error).
 * REQ is P->n (WHAT -1) when the run itself failed: no memory. */
struct rtnl_error {
	size_t req, unit;
	int what, k;
	int err;
	bool resolve;
};

/* Run P. Each link it made is pushed onto U (one entry per unit: a batch
 * line's pair); 0 when every request succeeded. Else -1 with *E: the
 * first failure in unit order, then plan order, after the links its
 * unit and the later units made were taken back (those of the earlier
 * units stay pushed on U). A make that failed with EEXIST made nothing;
 * one that failed otherwise may have (a lost ack) and is taken back by
 * name. Addresses, routes and states go with the links they are on;
 * requests flagged RTNL_UNDO that succeeded are pushed (after the links
 * of their unit) as their inverse. */
int rtnl_run(struct rtnl_plan *p, struct undo *u, struct rtnl_error *e);

/* Delete the N links IFINDEX[] of SK's namespace together: one request
 * when N is 1, else moved into a group of their own and deleted in one
 * pass (the kernel spends a grace period on each single deletion). *GONE
 * is set to the position of the first that was gone already, or N. 0 or
 * the first other -errno. */
int rtnl_links_del(struct nl_sock *sk, const int *ifindex, size_t n, size_t *gone);

/* The gateway of family FAM for a link with the addresses ADDR[N]: the
 * first of that family, else the first of bridge MASTER's (0: none, or
 * SK NULL) read over SK. 0, or -EADDRNOTAVAIL. */
int rtnl_gateway_for(struct nl_sock *sk, const struct cidr *addr, size_t n, int fam, int master,
		     struct cidr *gw);

/* Whether what request R (an RTNL_ADDR or RTNL_ROUTE on link R->ifindex)
 * makes is there in SK's namespace: 1, 0 or -errno. An address must have
 * R's prefix; a route must leave by the link, via R's gateway when it has
 * one (else by any). For CHECK, which reads the plan ADD would make. */
int rtnl_has(struct nl_sock *sk, const struct rtnl_req *r);
