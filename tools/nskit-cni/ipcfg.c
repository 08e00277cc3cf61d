/* ipcfg.c - the CNI plugin's own lookups and sysctls (see ipcfg.h). */
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

int ipcfg_link_set_mac(struct nl_sock *sk, int ifindex, const uint8_t *mac)
{
	struct rtnl_link *l = NULL, *change = rtnl_link_alloc();
	struct nl_addr *a = mac ? nl_addr_build(AF_LLC, mac, 6) : NULL;
	int r = rtnl_link_get_kernel(sk, ifindex, NULL, &l);

	if (r == 0 && (!change || (mac && !a)))
		r = -NLE_NOMEM;
	else if (r == 0 && !mac && !rtnl_link_get_addr(l))
		r = -NLE_NOADDR;
	else if (r == 0) {
		rtnl_link_set_addr(change, mac ? a : rtnl_link_get_addr(l));
		r = rtnl_link_change(sk, l, change, 0);
	}
	nl_addr_put(a);
	rtnl_link_put(l);
	rtnl_link_put(change);
	return r < 0 ? nl_to_errno(r) : 0;
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
