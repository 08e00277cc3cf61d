/* rtnl.c - plans of network changes and the one executor (see rtnl.h). */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "link.h"
#include "nl.h"
#include "rtnl.h"
#include "undo.h"
#include "util.h"

/* --- one builder per request type ------------------------------------------ */

/* The pair as a libnl object (NULL on ENOMEM); putting it puts the peer. */
static struct rtnl_link *veth_object(const struct link_veth *v)
{
	struct rtnl_link *l = rtnl_link_veth_alloc();
	struct rtnl_link *peer;

	if (!l)
		return NULL;
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, v->name);
	rtnl_link_set_name(peer, v->peer);
	/* IFLA_NET_NS_FD on each end's own attributes: the kernel creates
	 * it there. Moving an end afterwards costs four times as much. */
	if (v->netns_fd >= 0)
		rtnl_link_set_ns_fd(l, v->netns_fd);
	if (v->peer_netns_fd >= 0)
		rtnl_link_set_ns_fd(peer, v->peer_netns_fd);
	if (v->mtu) {
		rtnl_link_set_mtu(l, v->mtu);
		rtnl_link_set_mtu(peer, v->mtu);
	}
	if (v->master)
		rtnl_link_set_master(l, v->master);
	if (v->group)
		rtnl_link_set_group(l, v->group);
	/* Only NAME can be born up: the kernel opens the peer before the
	 * two ends are linked, and a veth without its peer refuses to open
	 * (ENOTCONN). */
	if (v->up)
		rtnl_link_set_flags(l, IFF_UP);
	rtnl_link_put(peer);	/* L holds its own reference */
	return l;
}

/* The VXLAN device NAME as a libnl object (NULL on ENOMEM), or *E. */
static struct rtnl_link *vxlan_object(const char *name, const struct rtnl_vxlan *v, int *e)
{
	struct rtnl_link *l = rtnl_link_vxlan_alloc();
	struct nl_addr *local = cidr_nl_addr(&v->local, (int)cidr_addr_len(&v->local) * 8);
	struct nl_addr *mac = NULL;
	static const uint8_t zero[6];

	if (!l || !local) {
		rtnl_link_put(l);
		nl_addr_put(local);
		return NULL;
	}
	rtnl_link_set_name(l, name);
	*e = rtnl_link_vxlan_set_id(l, v->vni);
	if (*e == 0)
		*e = rtnl_link_vxlan_set_local(l, local);
	/* libnl takes the port in host order and sends it in network order. */
	if (*e == 0)
		*e = rtnl_link_vxlan_set_port(l, v->port);
	/* No learning, and no default destination of its own: the peers
	 * are told (static forwarding and neighbour entries), as flannel's
	 * VXLAN backend runs it, so nothing floods to addresses learnt off
	 * the wire. */
	if (*e == 0)
		*e = rtnl_link_vxlan_set_learning(l, 0);
	if (*e == 0 && v->dev)
		*e = rtnl_link_vxlan_set_link(l, (uint32_t)v->dev);
	if (*e == 0 && memcmp(v->mac, zero, 6) != 0 && !(mac = nl_addr_build(AF_LLC, v->mac, 6)))
		*e = -NLE_NOMEM;
	if (mac)
		rtnl_link_set_addr(l, mac);
	nl_addr_put(mac);
	nl_addr_put(local);
	if (v->master)
		rtnl_link_set_master(l, v->master);
	if (v->mtu)
		rtnl_link_set_mtu(l, v->mtu);
	rtnl_link_set_flags(l, IFF_UP);
	return l;
}

static int build_link(const struct rtnl_req *r, int ifindex, struct nl_msg **m)
{
	struct rtnl_link *l;
	int flags = 0, e = 0;

	switch (r->op) {
	case RTNL_VETH:
		l = veth_object(&r->veth);
		flags = NLM_F_CREATE | NLM_F_EXCL;
		break;
	case RTNL_VXLAN:
		l = vxlan_object(r->link, &r->vxlan, &e);
		flags = NLM_F_CREATE | NLM_F_EXCL;
		break;
	case RTNL_BRIDGE:
		l = link_object(0, r->link);
		if (l && (e = rtnl_link_set_type(l, "bridge")) == 0) {
			if (r->bridge.mtu)
				rtnl_link_set_mtu(l, r->bridge.mtu);
			if (r->bridge.group)
				rtnl_link_set_group(l, r->bridge.group);
			rtnl_link_set_flags(l, IFF_UP);
		}
		flags = NLM_F_CREATE | NLM_F_EXCL;
		break;
	default:
		/* RTM_NEWLINK without NLM_F_CREATE changes an existing link. */
		l = link_object(ifindex, r->link);
		if (l && r->op == RTNL_UP)
			rtnl_link_set_flags(l, IFF_UP);
		else if (l && r->op == RTNL_MASTER)
			rtnl_link_set_master(l, r->master);
		else if (l && strlen(r->alias) > 255)	/* IFALIASZ counts the NUL */
			e = -ENAMETOOLONG;
		else if (l)
			rtnl_link_set_ifalias(l, r->alias);
		break;
	}
	if (!l)
		return -ENOMEM;
	if (e == 0)
		e = rtnl_link_build_add_request(l, flags, m);
	rtnl_link_put(l);
	return e == -ENAMETOOLONG ? e : e < 0 ? nl_to_errno(e) : 0;
}

static int build_addr(const struct rtnl_req *r, int ifindex, struct nl_msg **m)
{
	const struct cidr *c = &r->addr.a;
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = cidr_nl_addr(c, c->prefix);
	int e = -NLE_NOMEM;

	if (a && local && rtnl_addr_set_local(a, local) == 0) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_family(a, c->family);
		rtnl_addr_set_prefixlen(a, c->prefix);
		/* No duplicate address detection: both ends of the wire are
		 * ours, and the address is usable at once, not after DAD. */
		rtnl_addr_set_flags(a, IFA_F_NODAD |
				    (r->flags & RTNL_NOPREFIXROUTE ? IFA_F_NOPREFIXROUTE : 0));
		e = rtnl_addr_build_add_request(a, NLM_F_EXCL, m);
	}
	rtnl_addr_put(a);
	nl_addr_put(local);
	return e < 0 ? nl_to_errno(e) : 0;
}

static int build_route(const struct rtnl_req *r, int ifindex, struct nl_msg **m)
{
	const struct cidr *gw = r->route.gw.family ? &r->route.gw : NULL;
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = cidr_nl_addr(&r->route.dst, r->route.dst.prefix);
	struct nl_addr *via = gw ? cidr_nl_addr(gw, (int)cidr_addr_len(gw) * 8) : NULL;
	int e = -NLE_NOMEM;

	if (rt && nh && dst && (via || !gw)) {
		if (r->route.onlink)
			rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
		rtnl_route_set_family(rt, (uint8_t)r->route.dst.family);
		rtnl_route_set_table(rt, RT_TABLE_MAIN);
		rtnl_route_set_protocol(rt, RTPROT_BOOT);
		rtnl_route_set_scope(rt, (uint8_t)(gw ? RT_SCOPE_UNIVERSE : r->route.scope));
		e = rtnl_route_set_dst(rt, dst);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		if (via)
			rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(rt, nh);
		nh = NULL;	/* the route owns it now */
		if (e == 0 && (r->flags & RTNL_DELETE))
			e = rtnl_route_build_del_request(rt, 0, m);
		else if (e == 0)
			e = rtnl_route_build_add_request(rt, NLM_F_EXCL, m);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(via);
	rtnl_route_put(rt);
	return e < 0 ? nl_to_errno(e) : 0;
}

/* A forwarding entry (family AF_BRIDGE, the device's own: NTF_SELF) or
 * a neighbour entry, both permanent. */
static int build_neigh(const struct rtnl_req *r, int ifindex, struct nl_msg **m)
{
	bool fdb = r->op == RTNL_FDB;
	const struct cidr *c = fdb ? &r->fdb.dst : &r->neigh.ip;
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *ip = cidr_nl_addr(c, (int)cidr_addr_len(c) * 8);
	struct nl_addr *ll = nl_addr_build(AF_LLC, fdb ? r->fdb.mac : r->neigh.mac, 6);
	int e = -NLE_NOMEM;

	if (n && ip && ll) {
		rtnl_neigh_set_ifindex(n, ifindex);
		/* The address first: libnl takes its family for the entry's,
		 * and an FDB entry's family is then set over it. */
		e = rtnl_neigh_set_dst(n, ip);
		rtnl_neigh_set_lladdr(n, ll);
		rtnl_neigh_set_state(n, NUD_PERMANENT);
		if (fdb) {
			rtnl_neigh_set_family(n, AF_BRIDGE);
			rtnl_neigh_set_flags(n, NTF_SELF);
		}
		if (e == 0 && (r->flags & RTNL_DELETE))
			e = rtnl_neigh_build_delete_request(n, 0, m);
		else if (e == 0)
			e = rtnl_neigh_build_add_request(n, NLM_F_CREATE | (r->flags & RTNL_APPEND ? NLM_F_APPEND : NLM_F_EXCL), m);
	}
	rtnl_neigh_put(n);
	nl_addr_put(ip);
	nl_addr_put(ll);
	return e < 0 ? nl_to_errno(e) : 0;
}

/* The request R, on link IFINDEX (0: by name), into *M. */
static int build(const struct rtnl_req *r, int ifindex, struct nl_msg **m)
{
	switch (r->op) {
	case RTNL_FDB:
	case RTNL_NEIGH:
		return build_neigh(r, ifindex, m);
	case RTNL_ADDR:
		return build_addr(r, ifindex, m);
	case RTNL_ROUTE:
		return build_route(r, ifindex, m);
	case RTNL_FAILED:
		return r->err;
	default:
		return build_link(r, ifindex, m);
	}
}

/* --- sending back to back ---------------------------------------------------- */

/* Read the acks of requests BASE..BASE+M-1 sent with sequence numbers
 * from SEQ0 on: each one's error (0 for success) into ERR[0..M-1]. Acks of
 * other requests on the socket are passed over. 0, or -errno when the
 * socket fails (ERR's unread entries are then left as they were). */
static int read_acks(int fd, uint32_t seq0, size_t base, size_t m, int *err)
{
	union {
		char b[65536];
		struct nlmsghdr align;
	} buf;
	size_t got = 0;

	while (got < m) {
		ssize_t len = recv(fd, buf.b, sizeof(buf.b), 0);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *h = &buf.align; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			size_t k = h->nlmsg_seq - seq0;

			if (h->nlmsg_type != NLMSG_ERROR || k < base || k >= base + m ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				continue;
			err[k - base] = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			got++;
		}
	}
	return 0;
}

/* Requests sent back to back: numbered from a base of their own, far from
 * libnl's (time(0)), so its bookkeeping for the socket is left as it was,
 * and sent in chunks whose acks (an error ack carries the request back)
 * stay well below the socket's default receive buffer. */
#define MANY_SEQ 0x40000000u
#define MANY_CHUNK 32

/* Send the N requests MSGS[] back to back, then match the acks by
 * sequence number: ERR[i] is 0 or the kernel's -errno for MSGS[i]; the
 * kernel runs them in order and goes on after a failing one. Returns 0,
 * or -errno when the socket failed: the requests whose ack was not read
 * get that -errno in ERR[] too (they may or may not have been done). */
static int send_many(struct nl_sock *sk, struct nl_msg *const *msgs, size_t n, int *err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd = nl_socket_get_fd(sk);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		err[i] = 1;	/* no ack read yet */
	for (size_t base = 0; base < n && r == 0; base += MANY_CHUNK) {
		size_t m = n - base < MANY_CHUNK ? n - base : MANY_CHUNK, len = 0;

		for (size_t k = 0; k < m && r == 0; k++) {
			struct nlmsghdr *h = nlmsg_hdr(msgs[base + k]);
			size_t sz = NLMSG_ALIGN(h->nlmsg_len);

			if (len + sz > cap) {
				char *nb = realloc(buf, 2 * (len + sz) + 4096);

				if (!nb) {
					r = -ENOMEM;
					break;
				}
				buf = nb;
				cap = 2 * (len + sz) + 4096;
			}
			h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			h->nlmsg_seq = (uint32_t)(MANY_SEQ + base + k);
			h->nlmsg_pid = 0;
			memset(buf + len, 0, sz);
			memcpy(buf + len, h, h->nlmsg_len);
			len += sz;
		}
		if (r == 0 && sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
			r = -errno;
		if (r == 0)
			r = read_acks(fd, MANY_SEQ, base, m, err + base);
	}
	for (size_t i = 0; i < n; i++)
		if (err[i] == 1)
			err[i] = r;
	return r;
}

/* --- plans --------------------------------------------------------------------- */

void rtnl_plan_init(struct rtnl_plan *p, struct nl_sock *host)
{
	*p = (struct rtnl_plan){ .sk = { host }, .nsk = 1 };
}

void rtnl_plan_free(struct rtnl_plan *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

int rtnl_plan_ns(struct rtnl_plan *p, struct nl_sock *sk)
{
	for (unsigned i = 0; i < p->nsk; i++)
		if (p->sk[i] == sk)
			return (int)i;
	if (p->nsk == RTNL_NS_MAX)
		return -ENOSPC;
	p->sk[p->nsk] = sk;
	return (int)p->nsk++;
}

struct rtnl_req *rtnl_add(struct rtnl_plan *p, enum rtnl_op op, size_t unit, unsigned ns,
			  const char *link)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct rtnl_req *v = reallocarray(p->v, cap, sizeof(*v));

		if (!v) {
			p->nomem = true;
			p->spare = (struct rtnl_req){ .op = op, .link = link };
			return &p->spare;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n] = (struct rtnl_req){ .op = op, .unit = unit, .ns = ns, .link = link };
	return &p->v[p->n++];
}

static bool makes_link(const struct rtnl_req *r)
{
	return r->op == RTNL_VETH || r->op == RTNL_BRIDGE || r->op == RTNL_VXLAN;
}

/* The namespace whose socket makes R: the caller's for a veth (its ends
 * are born where they belong) and a bridge, R's own for a VXLAN device. */
static unsigned make_ns(const struct rtnl_req *r)
{
	return r->op == RTNL_VXLAN ? r->ns : 0;
}

/* Requests on a link named by the plan, which need its ifindex. */
static bool needs_index(const struct rtnl_req *r)
{
	return r->op == RTNL_ADDR || r->op == RTNL_ROUTE || r->op == RTNL_FDB || r->op == RTNL_NEIGH;
}

/* --- names to ifindexes -------------------------------------------------------- */

struct name_index {
	struct link_info *v;
	size_t n, cap;
	bool dumped;
	int err;		/* the dump's */
};

static int collect_name(const struct link_info *li, void *data)
{
	struct name_index *x = data;

	if (x->n == x->cap) {
		struct link_info *nv = reallocarray(x->v, x->cap ? 2 * x->cap : 256, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		x->v = nv;
		x->cap = x->cap ? 2 * x->cap : 256;
	}
	x->v[x->n++] = *li;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct link_info *)a)->name, ((const struct link_info *)b)->name);
}

/* NAME's ifindex in SK's namespace, from one dump of it into X (the first
 * call makes it). -ENODEV, or the dump's -errno. */
static int dump_index(struct nl_sock *sk, struct name_index *x, const char *name)
{
	struct link_info key;
	const struct link_info *li;

	if (!x->dumped) {
		x->dumped = true;
		x->err = link_foreach(sk, collect_name, x);
		if (x->err == 0)
			qsort(x->v, x->n, sizeof(*x->v), by_name);
	}
	if (x->err < 0)
		return x->err;
	snprintf(key.name, sizeof(key.name), "%s", name);
	li = x->n ? bsearch(&key, x->v, x->n, sizeof(*x->v), by_name) : NULL;
	return li ? li->ifindex : -ENODEV;
}

/* The ifindex of R's link: its own, the one looked up for the request
 * before it when that named the same link, else one lookup (a plan that
 * makes one or two links) or one dump of the namespace (more). */
static int resolve(const struct rtnl_plan *p, const struct rtnl_req *r, const struct rtnl_req *prev,
		   int prev_index, size_t makes, struct name_index *x)
{
	if (r->ifindex > 0)
		return r->ifindex;
	if (prev && prev->ns == r->ns && prev->ifindex <= 0 && prev->link && streq(prev->link, r->link))
		return prev_index;
	if (makes <= 2)
		return link_index(p->sk[r->ns], r->link);
	return dump_index(p->sk[r->ns], x, r->link);
}

/* --- taking links back ---------------------------------------------------------- */

static int set_group_many(struct nl_sock *sk, const int *ifindex, size_t n, uint32_t group,
			  size_t *gone);

int rtnl_links_del(struct nl_sock *sk, const int *ifindex, size_t n, size_t *gone)
{
	uint32_t group;
	int r;

	*gone = n;
	if (n == 0)
		return 0;
	if (n == 1) {
		r = link_del(sk, ifindex[0], NULL);
		if (r == -ENODEV)
			*gone = 0;
		return r == -ENODEV ? 0 : r;
	}
	r = link_group_unused(sk, &group);
	if (r == 0)
		r = set_group_many(sk, ifindex, n, group, gone);
	if (r == 0)
		r = link_del_group(sk, group);
	return r == -ENODEV ? 0 : r;
}

/* What one undo entry takes back: links by name, in one namespace. */
struct made {
	struct nl_sock *sk;
	bool home;		/* the caller's namespace: a fresh socket there */
	size_t n;
	char name[][LINK_NAME_MAX + 1];
};

/* Delete link NAME over SK by a request of our own numbering: a socket
 * whose libnl request failed to go out has libnl's sequence numbers out
 * of step, and libnl's next request there would fail. */
static int del_by_name(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = link_object(0, name);
	struct nl_msg *m = NULL;
	int r = l ? rtnl_link_build_delete_request(l, &m) : -NLE_NOMEM, err = 0;

	rtnl_link_put(l);
	if (r < 0)
		return nl_to_errno(r);
	r = send_many(sk, &m, 1, &err);
	nlmsg_free(m);
	return r < 0 ? r : err;
}

/* Take back the links of one entry; one gone already (with its
 * namespace, or as a peer) is taken back. One link goes over the plan's
 * socket (a thread that failed to come home from another namespace would
 * open a new one there); several, in the caller's namespace (a batch),
 * are looked up and deleted as one group over a socket of their own,
 * for libnl's sequence numbers. */
static int unmake(void *arg)
{
	struct made *m = arg;
	struct nl_sock *sk = m->n > 1 && m->home ? nl_route_open() : m->sk;
	struct name_index x = { 0 };
	_cleanup_free_ int *idx = calloc(m->n, sizeof(*idx));
	size_t k = 0, gone;
	int r = 0;

	if (!sk || !idx)
		r = -errno;
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		int e = m->n == 1 ? 0 : dump_index(sk, &x, m->name[i]);

		if (m->n == 1)
			r = del_by_name(sk, m->name[0]);
		else if (e > 0)
			idx[k++] = e;
		else if (e != -ENODEV)
			r = e;
	}
	if (r == 0 && k)
		r = rtnl_links_del(sk, idx, k, &gone);
	free(x.v);
	if (sk != m->sk)
		nl_route_close(sk);
	return r == -ENODEV ? 0 : r;
}

/* Whether R (of units [FROM, TO), namespace NS) may have made a link:
 * it was sent, and not refused with EEXIST (the name is someone else's);
 * any other error may hide a pair the kernel made (a lost ack). */
static bool undoable(const struct rtnl_req *r, bool sent, size_t from, size_t to, unsigned ns)
{
	return makes_link(r) && sent && r->result != -EEXIST && r->unit >= from && r->unit < to &&
	       r->ns == ns && !(r->flags & RTNL_KEEP);
}

/* What one undo entry of an RTNL_UNDO request takes back: the request
 * with its link's ifindex, sent inverted over SK. */
struct entry {
	struct nl_sock *sk;
	struct rtnl_req r;
};

static int unmake_entry(void *arg)
{
	struct entry *x = arg;
	struct nl_msg *m = NULL;
	int err = 0, r;

	x->r.flags ^= RTNL_DELETE;
	/* Taking back a deleted default destination adds it back beside
	 * the others. */
	if (x->r.op == RTNL_FDB && !(x->r.flags & RTNL_DELETE))
		x->r.flags |= RTNL_APPEND;
	r = build(&x->r, x->r.ifindex, &m);
	x->r.flags ^= RTNL_DELETE;
	if (r == 0)
		r = send_many(x->sk, &m, 1, &err);
	nlmsg_free(m);
	r = r < 0 ? r : err;
	/* Gone already (with its link, say), or back already. */
	return r == -ENOENT || r == -ESRCH || r == -ENODEV || r == -EEXIST ? 0 : r;
}

/* Push onto U what takes back the links the requests of units [FROM, TO)
 * made (SENT: which went out): one entry per namespace they are in; then
 * the RTNL_UNDO requests of those units that succeeded, in plan order
 * (so they are taken back newest first, before the links). */
static int push_links(struct undo *u, const struct rtnl_plan *p, const bool *sent, size_t from, size_t to);

static int push_made(struct undo *u, const struct rtnl_plan *p, const bool *sent, const int *index,
		     size_t from, size_t to)
{
	int e = push_links(u, p, sent, from, to);

	for (size_t i = 0; e == 0 && i < p->n; i++) {
		const struct rtnl_req *r = &p->v[i];
		struct entry *x;

		if (!(r->flags & RTNL_UNDO) || !sent[i] || r->result != 0 || r->unit < from || r->unit >= to)
			continue;
		if (!(x = calloc(1, sizeof(*x))))
			return -ENOMEM;
		*x = (struct entry){ .sk = p->sk[r->ns], .r = *r };
		x->r.link = NULL;
		x->r.ifindex = index[i];
		e = undo_push(u, unmake_entry, x, free);
	}
	return e;
}

static int push_links(struct undo *u, const struct rtnl_plan *p, const bool *sent, size_t from, size_t to)
{
	for (unsigned ns = 0; ns < p->nsk; ns++) {
		struct made *m;
		size_t n = 0;

		for (size_t i = 0; i < p->n; i++)
			n += undoable(&p->v[i], sent[i], from, to, ns);
		if (n == 0)
			continue;
		if (!(m = calloc(1, sizeof(*m) + n * sizeof(m->name[0]))))
			return -ENOMEM;
		m->sk = p->sk[ns];
		m->home = ns == 0;
		for (size_t i = 0; i < p->n; i++)
			if (undoable(&p->v[i], sent[i], from, to, ns))
				snprintf(m->name[m->n++], sizeof(m->name[0]), "%s", p->v[i].link);
		if (undo_push(u, unmake, m, free) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One RTM_SETLINK of set_group_many: ifindex and IFLA_GROUP. */
struct setgroup_req {
	struct nlmsghdr h;
	struct ifinfomsg i;
	struct nlattr a;
	uint32_t group;
};

/* Acks queue in the socket's receive buffer until read, each in an skb of
 * its own: 64 of them stay well below the default buffer. */
#define GROUP_CHUNK 64
/* Sequence numbers of our own, far from libnl's and send_many's. */
#define GROUP_SEQ 1u

/* Put the N links IFINDEX[] into GROUP, back to back. *GONE: the position
 * of the first that no longer exists, or N (not an error). */
static int set_group_many(struct nl_sock *sk, const int *ifindex, size_t n, uint32_t group,
			  size_t *gone)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct setgroup_req req[GROUP_CHUNK];
	int acks[GROUP_CHUNK];
	int fd = nl_socket_get_fd(sk);
	int err = 0;

	*gone = n;
	for (size_t base = 0; base < n; base += GROUP_CHUNK) {
		size_t m = n - base < GROUP_CHUNK ? n - base : GROUP_CHUNK;
		int r;

		for (size_t k = 0; k < m; k++)
			req[k] = (struct setgroup_req){
				.h = { .nlmsg_len = sizeof(req[k]), .nlmsg_type = RTM_SETLINK,
				       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				       .nlmsg_seq = (uint32_t)(GROUP_SEQ + base + k) },
				.i = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex[base + k] },
				.a = { .nla_len = NLA_HDRLEN + sizeof(uint32_t), .nla_type = IFLA_GROUP },
				.group = group,
			};
		if (sendto(fd, req, m * sizeof(req[0]), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
			return -errno;
		if ((r = read_acks(fd, GROUP_SEQ, base, m, acks)) < 0)
			return r;
		/* A link gone meanwhile (ENODEV) is reported by its place. */
		for (size_t k = 0; k < m; k++)
			if (acks[k] == -ENODEV && base + k < *gone)
				*gone = base + k;
			else if (acks[k] && acks[k] != -ENODEV && !err)
				err = acks[k];
	}
	return err;
}

/* --- the executor ------------------------------------------------------------------ */

/* A run of a plan: each request's result. */
struct run {
	struct rtnl_plan *p;
	int *err;		/* 0, -errno, or NOT_RUN */
	bool *bad;		/* failed (a RTNL_FAILED one with ERR 0 too) */
	bool *unresolved;	/* its link's name could not be resolved */
	bool *sent;		/* it went out */
	int *index;		/* the ifindex it went out for */
	size_t makes;		/* links the plan makes */
};

#define NOT_RUN 1

/* Send the requests of namespace NS of one stage (the makes, or the rest
 * of the units before STOP) back to back, and note their results. */
static int send_stage(struct run *x, unsigned ns, bool makes, size_t stop)
{
	struct rtnl_plan *p = x->p;
	_cleanup_free_ struct nl_msg **m = calloc(p->n, sizeof(*m));
	_cleanup_free_ size_t *at = calloc(p->n, sizeof(*at));
	_cleanup_free_ int *res = calloc(p->n, sizeof(*res));
	struct name_index names = { 0 };
	const struct rtnl_req *prev = NULL;
	int prev_index = 0;
	size_t k = 0;

	if (!m || !at || !res)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		const struct rtnl_req *r = &p->v[i];
		int idx = r->ifindex, e;

		if (r->op == RTNL_FAILED || makes_link(r) != makes || r->unit >= stop ||
		    (makes ? make_ns(r) : r->ns) != ns)
			continue;
		if (needs_index(r)) {
			idx = resolve(p, r, prev, prev_index, x->makes, &names);
			prev = r;
			prev_index = idx;
		}
		if (idx < 0)
			x->unresolved[i] = true;
		x->index[i] = idx;
		if ((e = idx < 0 ? idx : build(r, idx, &m[k])) < 0)
			p->v[i].result = x->err[i] = e, x->bad[i] = true;
		else
			at[k++] = i;
	}
	free(names.v);
	send_many(p->sk[ns], m, k, res);
	for (size_t j = 0; j < k; j++) {
		size_t i = at[j];

		p->v[i].result = res[j];
		/* a shared link made by someone else first is as good */
		x->err[i] = res[j] == -EEXIST && (p->v[i].flags & RTNL_KEEP) ? 0 : res[j];
		x->sent[i] = true;
		x->bad[i] = x->err[i] < 0;
		nlmsg_free(m[j]);
	}
	return 0;
}

/* The first failure in unit order, then plan order; P->n when none. */
static size_t first_bad(const struct run *x)
{
	size_t f = x->p->n;

	for (size_t i = 0; i < x->p->n; i++)
		if (x->bad[i] && (f == x->p->n || x->p->v[i].unit < x->p->v[f].unit))
			f = i;
	return f;
}

int rtnl_run(struct rtnl_plan *p, struct undo *u, struct rtnl_error *e)
{
	struct run x = { .p = p };
	size_t stop = SIZE_MAX, f, mark;
	int r = -ENOMEM;

	if (p->nomem)
		goto out;
	x.err = calloc(p->n + 1, sizeof(*x.err));
	x.bad = calloc(p->n + 1, sizeof(*x.bad));
	x.unresolved = calloc(p->n + 1, sizeof(*x.unresolved));
	x.sent = calloc(p->n + 1, sizeof(*x.sent));
	x.index = calloc(p->n + 1, sizeof(*x.index));
	if (!x.err || !x.bad || !x.unresolved || !x.sent || !x.index)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		x.err[i] = p->v[i].op == RTNL_FAILED ? p->v[i].err : NOT_RUN;
		p->v[i].result = x.err[i];
		x.bad[i] = p->v[i].op == RTNL_FAILED;
		x.makes += makes_link(&p->v[i]);
	}
	/* The links first: the other requests name them. A unit whose make
	 * failed and the later ones are not configured (they are taken back). */
	for (unsigned ns = 0; ns < p->nsk; ns++)
		if ((r = send_stage(&x, ns, true, stop)) < 0) {
			push_made(u, p, x.sent, x.index, 0, SIZE_MAX);
			goto out;
		}
	for (size_t i = 0; i < p->n; i++)
		if (makes_link(&p->v[i]) && x.bad[i] && p->v[i].unit < stop)
			stop = p->v[i].unit;
	for (unsigned ns = 0; ns < p->nsk; ns++)
		if ((r = send_stage(&x, ns, false, stop)) < 0) {
			/* no memory: what was made goes with the command */
			push_made(u, p, x.sent, x.index, 0, SIZE_MAX);
			goto out;
		}
	f = first_bad(&x);
	if (f == p->n) {
		r = push_made(u, p, x.sent, x.index, 0, SIZE_MAX);
		goto out;
	}
	*e = (struct rtnl_error){ .req = f, .unit = p->v[f].unit, .what = p->v[f].what, .k = p->v[f].k,
				  .err = x.err[f], .resolve = x.unresolved[f] };
	/* The earlier units stay the caller's to keep or take back. */
	r = push_made(u, p, x.sent, x.index, 0, p->v[f].unit);
	mark = undo_mark(u);
	if (r == 0)
		r = push_made(u, p, x.sent, x.index, p->v[f].unit, SIZE_MAX);
	undo_unwind(u, mark);
	if (r == 0)
		r = -1;
out:
	if (r < -1)
		*e = (struct rtnl_error){ .req = p->n, .what = -1, .err = r };
	free(x.err);
	free(x.bad);
	free(x.unresolved);
	free(x.sent);
	free(x.index);
	return r < 0 ? -1 : 0;
}

int rtnl_gateway_for(struct nl_sock *sk, const struct cidr *addr, size_t n, int fam, int master,
		     struct cidr *gw)
{
	for (size_t k = 0; k < n; k++)
		if (addr[k].family == fam) {
			*gw = addr[k];
			return 0;
		}
	if (master && sk && link_addr_first(sk, master, fam, gw) == 0)
		return 0;
	return -EADDRNOTAVAIL;
}

/* --- what is there ------------------------------------------------------------------ */

struct route_probe {
	int ifindex;
	struct nl_addr *dst, *gw;
	bool found;
};

static void route_match(struct nl_object *o, void *data)
{
	struct rtnl_route *rt = (struct rtnl_route *)o;
	struct route_probe *p = data;
	struct rtnl_nexthop *nh;

	if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || rtnl_route_get_nnexthops(rt) != 1 ||
	    nl_addr_cmp_prefix(rtnl_route_get_dst(rt), p->dst) != 0 ||
	    nl_addr_get_prefixlen(rtnl_route_get_dst(rt)) != nl_addr_get_prefixlen(p->dst))
		return;
	nh = rtnl_route_nexthop_n(rt, 0);
	if (rtnl_route_nh_get_ifindex(nh) != p->ifindex)
		return;
	if (p->gw && (!rtnl_route_nh_get_gateway(nh) ||
		      nl_addr_cmp(rtnl_route_nh_get_gateway(nh), p->gw) != 0))
		return;
	p->found = true;
}

static int route_has(struct nl_sock *sk, const struct rtnl_req *r)
{
	const struct cidr *dst = &r->route.dst, *gw = r->route.gw.family ? &r->route.gw : NULL;
	struct route_probe p = { .ifindex = r->ifindex };
	struct nl_cache *cache = NULL;
	int e = -ENOMEM;

	p.dst = cidr_nl_addr(dst, dst->prefix);
	p.gw = gw ? cidr_nl_addr(gw, (int)cidr_addr_len(gw) * 8) : NULL;
	if (p.dst && (p.gw || !gw)) {
		e = rtnl_route_alloc_cache(sk, dst->family, 0, &cache);
		if (e < 0) {
			e = nl_to_errno(e);
		} else {
			nl_cache_foreach(cache, route_match, &p);
			nl_cache_free(cache);
			e = p.found;
		}
	}
	nl_addr_put(p.dst);
	nl_addr_put(p.gw);
	return e;
}

static int addr_has(struct nl_sock *sk, const struct rtnl_req *r)
{
	const struct cidr *c = &r->addr.a;
	struct nl_cache *cache = NULL;
	int e = rtnl_addr_alloc_cache(sk, &cache);

	if (e < 0)
		return nl_to_errno(e);
	for (struct nl_object *o = nl_cache_get_first(cache); o && !e; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);

		e = rtnl_addr_get_ifindex(a) == r->ifindex && rtnl_addr_get_family(a) == c->family && local &&
		    nl_addr_get_len(local) == cidr_addr_len(c) && rtnl_addr_get_prefixlen(a) == c->prefix &&
		    memcmp(nl_addr_get_binary_addr(local), c->addr.b, cidr_addr_len(c)) == 0;
	}
	nl_cache_free(cache);
	return e;
}

int rtnl_has(struct nl_sock *sk, const struct rtnl_req *r)
{
	if (r->op == RTNL_ADDR)
		return addr_has(sk, r);
	if (r->op == RTNL_ROUTE)
		return route_has(sk, r);
	return -EOPNOTSUPP;
}
