/* ipcfg.c - the CNI plugin's own lookups and sysctls (see ipcfg.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_addr.h>
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
