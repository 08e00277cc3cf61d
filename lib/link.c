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
