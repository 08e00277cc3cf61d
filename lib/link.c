/* link.c - links, addresses and routes over libnl-route-3. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>
#include <netlink/cache.h>

#include "link.h"
#include "nl.h"
#include "util.h"

/* libnl folds the kernel's errno into its own NLE_* codes and loses many
 * on the way (ENETUNREACH becomes NLE_FAILURE, printed as an I/O error);
 * an error callback keeps the kernel's own. */
static __thread int kernel_errno;

static int keep_errno(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	(void)nla;
	(void)arg;
	kernel_errno = e->error;
	return NL_STOP;
}

static struct nl_sock *track(struct nl_sock *sk)
{
	kernel_errno = 0;
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, keep_errno, NULL);
	return sk;
}

static int nl_result(int r)
{
	if (r >= 0)
		return 0;
	return kernel_errno < 0 ? kernel_errno : nl_to_errno(r);
}

int link_name_check(const char *name)
{
	if (!name || !*name || streq(name, ".") || streq(name, ".."))
		return -EINVAL;
	if (strlen(name) > LINK_NAME_MAX)
		return -ENAMETOOLONG;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
			return -EINVAL;
	return 0;
}

struct nl_sock *link_sock_open_ns(int nsfd)
{
	_cleanup_close_ int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nl_sock *sk;
	int e;

	if (home < 0)
		return NULL;
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return NULL;
	/* A socket belongs to the namespace it was made in for its whole
	 * life, so the thread can go home right away. */
	sk = nl_route_open();
	e = errno;
	if (setns(home, CLONE_NEWNET) < 0) {
		e = errno;
		nl_route_close(sk);
		sk = NULL;
	}
	errno = e;
	return sk;
}

static void link_info_fill(struct rtnl_link *l, struct link_info *i)
{
	const char *name = rtnl_link_get_name(l);
	const char *kind = rtnl_link_get_type(l);
	int32_t nsid;

	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name ? name : "");
	snprintf(i->kind, sizeof(i->kind), "%s", kind ? kind : "");
	i->ifindex = rtnl_link_get_ifindex(l);
	i->peer_ifindex = rtnl_link_get_link(l);
	i->peer_nsid = rtnl_link_get_link_netnsid(l, &nsid) == 0 ? nsid : -1;
	i->master = rtnl_link_get_master(l);
	i->group = rtnl_link_get_group(l);
	i->mtu = rtnl_link_get_mtu(l);
	i->up = rtnl_link_get_flags(l) & IFF_UP;
}

int link_get_alias(struct nl_sock *sk, int ifindex, const char *name, struct link_info *info,
		   char *alias, size_t size)
{
	struct rtnl_link *l = NULL;
	int r = rtnl_link_get_kernel(track(sk), ifindex, ifindex > 0 ? NULL : name, &l);
	const char *a;

	if (r < 0) {
		r = nl_result(r);
		return r == -ENOENT ? -ENODEV : r;
	}
	link_info_fill(l, info);
	if (alias && size) {
		a = rtnl_link_get_ifalias(l);
		snprintf(alias, size, "%s", a ? a : "");
	}
	rtnl_link_put(l);
	return 0;
}

int link_get(struct nl_sock *sk, int ifindex, const char *name, struct link_info *info)
{
	return link_get_alias(sk, ifindex, name, info, NULL, 0);
}

int link_index(struct nl_sock *sk, const char *name)
{
	struct link_info i;
	int r = link_get(sk, 0, name, &i);

	return r < 0 ? r : i.ifindex;
}

/* A dump of the socket's namespace into a new cache of the libnl type
 * NAME ("route/link"). libnl's own refill (rtnl_link_alloc_cache) goes
 * on to wait for the answer when the request could not be sent, and
 * waits for ever: the request is sent here and its error kept. */
static int dump_cache(struct nl_sock *sk, const char *name, int type, struct nl_cache **cache)
{
	int r = nl_cache_alloc_name(name, cache);

	if (r < 0)
		return nl_result(r);
	r = nl_rtgen_request(track(sk), type, AF_UNSPEC, NLM_F_DUMP);
	if (r >= 0)
		r = nl_cache_pickup(sk, *cache);
	if (r < 0) {
		nl_cache_free(*cache);
		*cache = NULL;
		return nl_result(r);
	}
	return 0;
}

int link_foreach(struct nl_sock *sk, int (*fn)(const struct link_info *, void *), void *data)
{
	struct nl_cache *cache = NULL;
	int r = dump_cache(sk, "route/link", RTM_GETLINK, &cache);

	if (r < 0)
		return r;
	for (struct nl_object *o = nl_cache_get_first(cache); o && !r; o = nl_cache_get_next(o)) {
		struct link_info i;

		link_info_fill((struct rtnl_link *)o, &i);
		r = fn(&i, data);
	}
	nl_cache_free(cache);
	return r;
}

struct rtnl_link *link_object(int ifindex, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (l && ifindex > 0)
		rtnl_link_set_ifindex(l, ifindex);
	else if (l)
		rtnl_link_set_name(l, name);
	return l;
}

int link_del(struct nl_sock *sk, int ifindex, const char *name)
{
	struct rtnl_link *l = link_object(ifindex, name);
	int r;

	if (!l)
		return -ENOMEM;
	r = rtnl_link_delete(track(sk), l);
	rtnl_link_put(l);
	return nl_result(r);
}

int link_del_group(struct nl_sock *sk, uint32_t group)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_DELLINK, 0);
	int r;

	/* libnl's link object insists on a name or an index; a bare
	 * IFLA_GROUP with index 0 is the kernel's delete-by-group. */
	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(m, IFLA_GROUP, group) < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	r = nl_send_sync(track(sk), m);
	return nl_result(r);
}

struct group_probe {
	uint32_t want;
	bool used;
};

static int group_used(const struct link_info *i, void *data)
{
	struct group_probe *p = data;

	if (i->group == p->want)
		p->used = true;
	return 0;
}

int link_group_unused(struct nl_sock *sk, uint32_t *group)
{
	struct group_probe p = { .want = (1u << 30) | ((uint32_t)getpid() << 4) };

	for (int tries = 0; tries < 64; tries++, p.want++) {
		int r;

		p.used = false;
		r = link_foreach(sk, group_used, &p);
		if (r < 0)
			return r;
		if (!p.used) {
			*group = p.want;
			return 0;
		}
	}
	return -EAGAIN;
}

struct nl_addr *cidr_nl_addr(const struct cidr *c, int prefix)
{
	struct nl_addr *a = nl_addr_build(c->family, c->addr.b, cidr_addr_len(c));

	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

int link_addr_first(struct nl_sock *sk, int ifindex, int family, struct cidr *c)
{
	struct nl_cache *cache = NULL;
	int r = dump_cache(sk, "route/addr", RTM_GETADDR, &cache);

	if (r < 0)
		return r;
	r = -EADDRNOTAVAIL;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);

		if (rtnl_addr_get_ifindex(a) != ifindex || rtnl_addr_get_family(a) != family || !local)
			continue;
		if (nl_addr_get_len(local) > sizeof(c->addr))
			continue;
		/* Link-local IPv6 addresses make poor gateways for others. */
		if (family == AF_INET6 && rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE)
			continue;
		memset(c, 0, sizeof(*c));
		c->family = family;
		memcpy(c->addr.b, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
		c->prefix = rtnl_addr_get_prefixlen(a);
		r = 0;
		break;
	}
	nl_cache_free(cache);
	return r;
}

int link_addr_foreach(struct nl_sock *sk, int (*fn)(const struct link_addr *, void *), void *data)
{
	struct nl_cache *cache = NULL;
	int r = dump_cache(sk, "route/addr", RTM_GETADDR, &cache);

	if (r < 0)
		return r;
	for (struct nl_object *o = nl_cache_get_first(cache); o && !r; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		struct link_addr la = { .ifindex = rtnl_addr_get_ifindex(a),
					.scope = rtnl_addr_get_scope(a) };

		if (!local || nl_addr_get_len(local) > sizeof(la.addr.addr))
			continue;
		la.addr.family = rtnl_addr_get_family(a);
		memcpy(la.addr.addr.b, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
		la.addr.prefix = rtnl_addr_get_prefixlen(a);
		r = fn(&la, data);
	}
	nl_cache_free(cache);
	return r;
}

/* nl_addr A (of at most 16 bytes) into *C with its prefix; false when it
 * is not an IP address. */
static bool cidr_from_nl(const struct nl_addr *a, struct cidr *c)
{
	memset(c, 0, sizeof(*c));
	if (!a || (nl_addr_get_family(a) != AF_INET && nl_addr_get_family(a) != AF_INET6) ||
	    nl_addr_get_len(a) != (nl_addr_get_family(a) == AF_INET ? 4u : 16u))
		return false;
	c->family = nl_addr_get_family(a);
	memcpy(c->addr.b, nl_addr_get_binary_addr(a), nl_addr_get_len(a));
	c->prefix = (int)nl_addr_get_prefixlen(a);
	return true;
}

static void vxlan_fill(struct rtnl_link *l, struct link_vxlan *v)
{
	struct nl_addr *local = NULL;
	uint32_t u = 0;

	memset(v, 0, sizeof(*v));
	link_info_fill(l, &v->link);
	if (rtnl_link_vxlan_get_id(l, &u) == 0)
		v->vni = u;
	if (rtnl_link_vxlan_get_port(l, &u) == 0)
		v->port = (uint16_t)u;
	if (rtnl_link_vxlan_get_link(l, &u) == 0)
		v->dev = (int)u;
	if (rtnl_link_vxlan_get_local(l, &local) == 0) {
		cidr_from_nl(local, &v->local);
		nl_addr_put(local);
	}
	v->learning = rtnl_link_vxlan_get_learning(l) > 0;
	if (rtnl_link_get_addr(l) && nl_addr_get_len(rtnl_link_get_addr(l)) == 6)
		memcpy(v->mac, nl_addr_get_binary_addr(rtnl_link_get_addr(l)), 6);
}

int link_vxlan_get(struct nl_sock *sk, const char *name, struct link_vxlan *v)
{
	struct rtnl_link *l = NULL;
	int r = rtnl_link_get_kernel(track(sk), 0, name, &l);

	if (r < 0) {
		r = nl_result(r);
		return r == -ENOENT ? -ENODEV : r;
	}
	if (rtnl_link_is_vxlan(l)) {
		vxlan_fill(l, v);
	} else {
		memset(v, 0, sizeof(*v));
		link_info_fill(l, &v->link);
		r = -EMEDIUMTYPE;
	}
	rtnl_link_put(l);
	return r;
}

int link_vxlan_foreach(struct nl_sock *sk, int (*fn)(const struct link_vxlan *, void *), void *data)
{
	struct nl_cache *cache = NULL;
	int r = dump_cache(sk, "route/link", RTM_GETLINK, &cache);

	if (r < 0)
		return r;
	for (struct nl_object *o = nl_cache_get_first(cache); o && !r; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct link_vxlan v;

		if (!rtnl_link_is_vxlan(l))
			continue;
		vxlan_fill(l, &v);
		r = fn(&v, data);
	}
	nl_cache_free(cache);
	return r;
}

/* A dump of TYPE for FAMILY, each message handed to PARSE: raw, as
 * libnl's caches keep one object per key, and a default destination has
 * several entries under one key (one per remote). */
struct raw_dump {
	int (*parse)(struct nlmsghdr *h, struct raw_dump *d);
	union {
		int (*neigh)(const struct link_neigh *, void *);
		int (*route)(const struct link_route *, void *);
	} fn;
	void *data;
	int err;
};

static int raw_valid(struct nl_msg *m, void *arg)
{
	struct raw_dump *d = arg;

	d->err = d->parse(nlmsg_hdr(m), d);
	return d->err ? NL_STOP : NL_OK;
}

/* The request carries the full header of its type (HDRLEN bytes, the
 * family first): the kernel refuses an FDB dump asked with a bare
 * rtgenmsg (EINVAL). */
static int raw_dump(struct nl_sock *sk, int type, int family, size_t hdrlen, struct raw_dump *d)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_DUMP);
	unsigned char hdr[sizeof(struct rtmsg) > sizeof(struct ndmsg) ? sizeof(struct rtmsg) : sizeof(struct ndmsg)] = {
		(unsigned char)family };
	struct nl_cb *cb, *sock_cb;
	int r;

	if (!m)
		return -ENOMEM;
	r = nlmsg_append(m, hdr, hdrlen, NLMSG_ALIGNTO);
	if (r == 0)
		r = nl_send_auto(track(sk), m);
	nlmsg_free(m);
	if (r < 0)
		return nl_result(r);
	sock_cb = nl_socket_get_cb(sk);
	cb = nl_cb_clone(sock_cb);
	nl_cb_put(sock_cb);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, raw_valid, d);
	r = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (d->err)
		return d->err;
	return nl_result(r);
}

/* An address attribute of FAMILY into *C (a host prefix); false when it
 * is not one. */
static bool cidr_from_attr(const struct nlattr *a, int family, struct cidr *c)
{
	size_t len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	memset(c, 0, sizeof(*c));
	if (!a || !len || (size_t)nla_len(a) != len)
		return false;
	c->family = family;
	memcpy(c->addr.b, nla_data(a), len);
	c->prefix = (int)len * 8;
	return true;
}

static int parse_neigh(struct nlmsghdr *h, struct raw_dump *d)
{
	struct nlattr *tb[NDA_MAX + 1];
	struct ndmsg *nd = nlmsg_data(h);
	struct link_neigh n = { 0 };

	if (h->nlmsg_type != RTM_NEWNEIGH || nlmsg_parse(h, sizeof(*nd), tb, NDA_MAX, NULL) < 0)
		return 0;
	n.ifindex = nd->ndm_ifindex;
	n.family = nd->ndm_family;
	n.flags = nd->ndm_flags;
	n.state = nd->ndm_state;
	if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) == 6)
		memcpy(n.mac, nla_data(tb[NDA_LLADDR]), 6);
	/* An FDB entry's remote is IPv4 or IPv6 by its length. */
	if (tb[NDA_DST])
		cidr_from_attr(tb[NDA_DST], nla_len(tb[NDA_DST]) == 4 ? AF_INET : AF_INET6, &n.ip);
	return d->fn.neigh(&n, d->data);
}

int link_neigh_foreach(struct nl_sock *sk, int family, int (*fn)(const struct link_neigh *, void *), void *data)
{
	struct raw_dump d = { .parse = parse_neigh, .fn.neigh = fn, .data = data };

	return raw_dump(sk, RTM_GETNEIGH, family, sizeof(struct ndmsg), &d);
}

static int parse_route(struct nlmsghdr *h, struct raw_dump *d)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rt = nlmsg_data(h);
	struct link_route r = { 0 };
	uint32_t table;

	if (h->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(h, sizeof(*rt), tb, RTA_MAX, NULL) < 0)
		return 0;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	if (table != RT_TABLE_MAIN || !tb[RTA_OIF] || rt->rtm_type != RTN_UNICAST)
		return 0;
	r.ifindex = (int)nla_get_u32(tb[RTA_OIF]);
	r.nhflags = rt->rtm_flags;
	if (tb[RTA_DST])
		cidr_from_attr(tb[RTA_DST], rt->rtm_family, &r.dst);
	else
		r.dst.family = rt->rtm_family;
	r.dst.prefix = rt->rtm_dst_len;
	cidr_from_attr(tb[RTA_GATEWAY], rt->rtm_family, &r.gw);
	return d->fn.route(&r, d->data);
}

int link_route_foreach(struct nl_sock *sk, int family, int (*fn)(const struct link_route *, void *), void *data)
{
	struct raw_dump d = { .parse = parse_route, .fn.route = fn, .data = data };

	return raw_dump(sk, RTM_GETROUTE, family, sizeof(struct rtmsg), &d);
}
