/* ipcfg.c - routes, prefix-route-less addresses and lookups over
 * libnl-route-3 (see ipcfg.h). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "ipcfg.h"
#include "link.h"
#include "nl.h"
#include "util.h"

int ipcfg_route_add(struct nl_sock *sk, int ifindex, const struct cidr *dst,
		    const struct cidr *gw, int scope)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = cidr_nl_addr(dst, dst->prefix);
	struct nl_addr *via = gw ? cidr_nl_addr(gw, (int)cidr_addr_len(gw) * 8) : NULL;
	int r = -NLE_NOMEM;

	if (rt && nh && d && (via || !gw)) {
		rtnl_route_set_family(rt, (uint8_t)dst->family);
		rtnl_route_set_table(rt, RT_TABLE_MAIN);
		rtnl_route_set_protocol(rt, RTPROT_BOOT);
		rtnl_route_set_scope(rt, (uint8_t)(gw ? RT_SCOPE_UNIVERSE : scope));
		r = rtnl_route_set_dst(rt, d);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		if (via)
			rtnl_route_nh_set_gateway(nh, via);
		rtnl_route_add_nexthop(rt, nh);
		nh = NULL;	/* the route owns it now */
		if (r == 0)
			r = rtnl_route_add(sk, rt, NLM_F_EXCL);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(d);
	nl_addr_put(via);
	rtnl_route_put(rt);
	return r < 0 ? nl_to_errno(r) : 0;
}

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

int ipcfg_route_has(struct nl_sock *sk, int ifindex, const struct cidr *dst, const struct cidr *gw)
{
	struct route_probe p = { .ifindex = ifindex };
	struct nl_cache *cache = NULL;
	int r = -ENOMEM;

	p.dst = cidr_nl_addr(dst, dst->prefix);
	p.gw = gw ? cidr_nl_addr(gw, (int)cidr_addr_len(gw) * 8) : NULL;
	if (p.dst && (p.gw || !gw)) {
		r = rtnl_route_alloc_cache(sk, dst->family, 0, &cache);
		if (r < 0) {
			r = nl_to_errno(r);
		} else {
			nl_cache_foreach(cache, route_match, &p);
			nl_cache_free(cache);
			r = p.found;
		}
	}
	nl_addr_put(p.dst);
	nl_addr_put(p.gw);
	return r;
}

int ipcfg_addr_add(struct nl_sock *sk, int ifindex, const struct cidr *c, bool noprefixroute)
{
	return link_addr_add_flags(sk, ifindex, c, noprefixroute ? IFA_F_NOPREFIXROUTE : 0);
}

int ipcfg_addr_has(struct nl_sock *sk, int ifindex, const struct cidr *c)
{
	struct nl_cache *cache = NULL;
	int r = rtnl_addr_alloc_cache(sk, &cache);

	if (r < 0)
		return nl_to_errno(r);
	for (struct nl_object *o = nl_cache_get_first(cache); o && !r; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);

		r = rtnl_addr_get_ifindex(a) == ifindex && rtnl_addr_get_family(a) == c->family && local &&
		    nl_addr_get_len(local) == cidr_addr_len(c) && rtnl_addr_get_prefixlen(a) == c->prefix &&
		    memcmp(nl_addr_get_binary_addr(local), c->addr.b, cidr_addr_len(c)) == 0;
	}
	nl_cache_free(cache);
	return r;
}

int ipcfg_link_mac(struct nl_sock *sk, int ifindex, char *buf, size_t size)
{
	struct rtnl_link *l = NULL;
	struct nl_addr *a;
	const unsigned char *b;
	int r = rtnl_link_get_kernel(sk, ifindex, NULL, &l);

	if (r < 0) {
		r = nl_to_errno(r);
		return r == -ENOENT ? -ENODEV : r;
	}
	a = rtnl_link_get_addr(l);
	if (!a || nl_addr_get_len(a) != 6 || size < IPCFG_MACSTRLEN) {
		rtnl_link_put(l);
		return a ? -EINVAL : -ENODATA;
	}
	b = nl_addr_get_binary_addr(a);
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	rtnl_link_put(l);
	return 0;
}

/* A /proc/sys/net file belongs to the namespace of the task that opens it,
 * so it is opened inside NSFD and written from home. */
static int sysctl_open(int nsfd, const char *file)
{
	_cleanup_close_ int home = -1;
	int fd, e;

	if (nsfd < 0) {
		fd = open(file, O_WRONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	fd = open(file, O_WRONLY | O_CLOEXEC);
	e = fd < 0 ? -errno : 0;
	if (setns(home, CLONE_NEWNET) < 0) {
		e = -errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	return fd < 0 ? e : fd;
}

int ipcfg_sysctl_write(int nsfd, const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;
	char file[256];
	size_t len = strlen(value);

	if ((size_t)snprintf(file, sizeof(file), "/proc/sys/%s", path) >= sizeof(file) || strstr(path, ".."))
		return -EINVAL;
	fd = sysctl_open(nsfd, file);
	if (fd < 0)
		return fd;
	errno = 0;
	if (write(fd, value, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

int ipcfg_link_down(struct nl_sock *sk, int ifindex)
{
	struct rtnl_link *l = rtnl_link_alloc(), *change = rtnl_link_alloc();
	int r = -NLE_NOMEM;

	if (l && change) {
		rtnl_link_set_ifindex(l, ifindex);
		rtnl_link_unset_flags(change, IFF_UP);
		r = rtnl_link_change(sk, l, change, 0);
	}
	rtnl_link_put(l);
	rtnl_link_put(change);
	return r < 0 ? nl_to_errno(r) : 0;
}

/* RTM_SETLINK for the bridge (family AF_BRIDGE) with the port attribute
 * nested in IFLA_PROTINFO, as `bridge link set hairpin` sends it; libnl's
 * bridge objects would fetch the port's whole state first. */
int ipcfg_brport_hairpin(struct nl_sock *sk, int ifindex, bool on)
{
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
	struct nlattr *pi;
	int r = -NLE_NOMEM;

	if (m && nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 &&
	    (pi = nla_nest_start(m, IFLA_PROTINFO | NLA_F_NESTED)) &&
	    nla_put_u8(m, IFLA_BRPORT_MODE, on) == 0 && nla_nest_end(m, pi) == 0)
		r = nl_send_sync(sk, steal_pointer(&m));	/* frees the message */
	nlmsg_free(m);
	return r < 0 ? nl_to_errno(r) : 0;
}
