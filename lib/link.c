/* link.c - links, addresses and routes over libnl-route-3. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
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

int link_veth_add(struct nl_sock *sk, const struct link_veth *v)
{
	struct rtnl_link *l = veth_object(v);
	int r;

	if (!l)
		return -ENOMEM;
	r = rtnl_link_add(track(sk), l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	return nl_result(r);
}

int link_veth_add_msg(const struct link_veth *v, struct nl_msg **m)
{
	struct rtnl_link *l = veth_object(v);
	int r = l ? rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, m) : -NLE_NOMEM;

	rtnl_link_put(l);
	return r < 0 ? nl_to_errno(r) : 0;
}

int link_bridge_add(struct nl_sock *sk, const char *name, uint32_t mtu, uint32_t group)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int r;

	if (!l)
		return -ENOMEM;
	r = rtnl_link_set_type(l, "bridge");
	if (r == 0) {
		rtnl_link_set_name(l, name);
		if (mtu)
			rtnl_link_set_mtu(l, mtu);
		if (group)
			rtnl_link_set_group(l, group);
		rtnl_link_set_flags(l, IFF_UP);
		r = rtnl_link_add(track(sk), l, NLM_F_CREATE | NLM_F_EXCL);
	}
	rtnl_link_put(l);
	return nl_result(r);
}

/* RTM_NEWLINK without NLM_F_CREATE changes an existing link. */
static int link_change(struct nl_sock *sk, struct rtnl_link *l)
{
	int r = rtnl_link_add(track(sk), l, 0);

	rtnl_link_put(l);
	return nl_result(r);
}


/* A link object naming a link by IFINDEX when it is known, else by NAME;
 * NULL: no memory. */
static struct rtnl_link *link_named(int ifindex, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (l && ifindex > 0)
		rtnl_link_set_ifindex(l, ifindex);
	else if (l)
		rtnl_link_set_name(l, name);
	return l;
}

int link_set_up(struct nl_sock *sk, int ifindex, const char *name)
{
	struct rtnl_link *l = link_named(ifindex, name);

	if (!l)
		return -ENOMEM;
	rtnl_link_set_flags(l, IFF_UP);
	return link_change(sk, l);
}

int link_set_up_msg(int ifindex, const char *name, struct nl_msg **m)
{
	struct rtnl_link *l = link_named(ifindex, name);
	int r;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_flags(l, IFF_UP);
	r = rtnl_link_build_add_request(l, 0, m);
	rtnl_link_put(l);
	return r < 0 ? nl_to_errno(r) : 0;
}

int link_set_alias(struct nl_sock *sk, int ifindex, const char *alias)
{
	struct rtnl_link *l;

	/* IFALIASZ (256) counts the NUL */
	if (strlen(alias) > 255)
		return -ENAMETOOLONG;
	if (!(l = link_named(ifindex, NULL)))
		return -ENOMEM;
	rtnl_link_set_ifalias(l, alias);
	return link_change(sk, l);
}

/* One RTM_SETLINK of link_set_group_many: ifindex and IFLA_GROUP. */
struct setgroup_req {
	struct nlmsghdr h;
	struct ifinfomsg i;
	struct nlattr a;
	uint32_t group;
};

/* Acks queue in the socket's receive buffer until read, each in an skb of
 * its own: 64 of them stay well below the default buffer. */
#define GROUP_CHUNK 64
/* Sequence numbers of our own, far from libnl's (which start at time(0)),
 * so its bookkeeping for the socket is left as it was. */
#define GROUP_SEQ 1u

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

int link_set_group_many(struct nl_sock *sk, const int *ifindex, size_t n, uint32_t group,
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

int link_del(struct nl_sock *sk, int ifindex, const char *name)
{
	struct rtnl_link *l = link_named(ifindex, name);
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

/* The address as a libnl object, or NULL on ENOMEM. */
static struct rtnl_addr *addr_object(int ifindex, const struct cidr *c, unsigned flags)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = cidr_nl_addr(c, c->prefix);

	if (a && local && rtnl_addr_set_local(a, local) == 0) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_family(a, c->family);
		rtnl_addr_set_prefixlen(a, c->prefix);
		/* No duplicate address detection: the address is usable at
		 * once instead of after a second or more of DAD. */
		rtnl_addr_set_flags(a, IFA_F_NODAD | flags);
	} else {
		rtnl_addr_put(a);
		a = NULL;
	}
	nl_addr_put(local);
	return a;
}

int link_addr_add_flags(struct nl_sock *sk, int ifindex, const struct cidr *c, unsigned flags)
{
	struct rtnl_addr *a = addr_object(ifindex, c, flags);
	int r = a ? rtnl_addr_add(track(sk), a, NLM_F_EXCL) : -NLE_NOMEM;

	rtnl_addr_put(a);
	return nl_result(r);
}

int link_addr_add_msg(int ifindex, const struct cidr *c, struct nl_msg **m)
{
	struct rtnl_addr *a = addr_object(ifindex, c, 0);
	int r = a ? rtnl_addr_build_add_request(a, NLM_F_EXCL, m) : -NLE_NOMEM;

	rtnl_addr_put(a);
	return r < 0 ? nl_to_errno(r) : 0;
}

int link_addr_add(struct nl_sock *sk, int ifindex, const struct cidr *c)
{
	return link_addr_add_flags(sk, ifindex, c, 0);
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

/* A default route via GW out of IFINDEX as a libnl object, or NULL. */
static struct rtnl_route *route_object(int ifindex, const struct cidr *gw)
{
	static const struct cidr any4 = { .family = AF_INET }, any6 = { .family = AF_INET6 };
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = cidr_nl_addr(gw->family == AF_INET ? &any4 : &any6, 0);
	struct nl_addr *via = cidr_nl_addr(gw, (int)cidr_addr_len(gw) * 8);
	int r = -NLE_NOMEM;

	if (rt && nh && dst && via) {
		rtnl_route_set_family(rt, (uint8_t)gw->family);
		rtnl_route_set_table(rt, RT_TABLE_MAIN);
		rtnl_route_set_protocol(rt, RTPROT_BOOT);
		r = rtnl_route_set_dst(rt, dst);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(rt, nh);
		nh = NULL;	/* the route owns it now */
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(via);
	if (r < 0) {
		rtnl_route_put(rt);
		return NULL;
	}
	return rt;
}

int link_route_default(struct nl_sock *sk, int ifindex, const struct cidr *gw)
{
	struct rtnl_route *rt = route_object(ifindex, gw);
	int r = rt ? rtnl_route_add(track(sk), rt, NLM_F_EXCL) : -NLE_NOMEM;

	rtnl_route_put(rt);
	return nl_result(r);
}

int link_route_default_msg(int ifindex, const struct cidr *gw, struct nl_msg **m)
{
	struct rtnl_route *rt = route_object(ifindex, gw);
	int r = rt ? rtnl_route_build_add_request(rt, NLM_F_EXCL, m) : -NLE_NOMEM;

	rtnl_route_put(rt);
	return r < 0 ? nl_to_errno(r) : 0;
}

/* Requests of link_send_many: numbered from a base of their own, far
 * from libnl's (time(0)) and from link_set_group_many's, and sent in
 * chunks whose acks (an error ack carries the request back) stay well
 * below the socket's default receive buffer. */
#define MANY_SEQ 0x40000000u
#define MANY_CHUNK 32

int link_send_many(struct nl_sock *sk, struct nl_msg *const *msgs, size_t n, int *err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd = nl_socket_get_fd(sk);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;

	int r = 0;

	for (size_t i = 0; i < n; i++)
		err[i] = 1;	/* no ack read yet */
	for (size_t base = 0; base < n; base += MANY_CHUNK) {
		size_t m = n - base < MANY_CHUNK ? n - base : MANY_CHUNK, len = 0;

		for (size_t k = 0; k < m; k++) {
			struct nlmsghdr *h = nlmsg_hdr(msgs[base + k]);
			size_t sz = NLMSG_ALIGN(h->nlmsg_len);

			if (len + sz > cap) {
				char *nb = realloc(buf, cap = 2 * (len + sz) + 4096);

				if (!nb) {
					r = -ENOMEM;
					goto out;
				}
				buf = nb;
			}
			h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			h->nlmsg_seq = (uint32_t)(MANY_SEQ + base + k);
			h->nlmsg_pid = 0;
			memset(buf + len, 0, sz);
			memcpy(buf + len, h, h->nlmsg_len);
			len += sz;
		}
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
			r = -errno;
			goto out;
		}
		r = read_acks(fd, MANY_SEQ, base, m, err + base);
		if (r < 0)
			goto out;
	}
out:
	for (size_t i = 0; i < n; i++)
		if (err[i] == 1)
			err[i] = r;
	return r;
}
