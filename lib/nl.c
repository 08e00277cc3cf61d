/* nl.c - rtnetlink helpers over libnl. */
#include <errno.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/socket.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include "nl.h"

struct nl_sock *nl_route_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk) {
		errno = ENOMEM;
		return NULL;
	}
	/* libnl opens it SOCK_CLOEXEC. */
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		errno = -nl_to_errno(r);
		return NULL;
	}
	return sk;
}

void nl_route_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

int nl_to_errno(int nlerr)
{
	static const struct { int nle, e; } map[] = {
		{ NLE_EXIST, EEXIST }, { NLE_OBJ_NOTFOUND, ENOENT },
		{ NLE_NODEV, ENODEV }, { NLE_PERM, EPERM },
		{ NLE_NOACCESS, EACCES }, { NLE_INVAL, EINVAL },
		{ NLE_RANGE, ERANGE }, { NLE_NOMEM, ENOMEM },
		{ NLE_BUSY, EBUSY }, { NLE_AGAIN, EAGAIN },
		{ NLE_OPNOTSUPP, EOPNOTSUPP }, { NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_NOADDR, EADDRNOTAVAIL },
		{ NLE_MSGSIZE, EMSGSIZE }, { NLE_BAD_SOCK, EBADF },
		{ NLE_INTR, EINTR }, { NLE_MSG_TOOSHORT, EBADMSG },
		{ NLE_PROTO_MISMATCH, EPROTONOSUPPORT }, { NLE_NOATTR, ENODATA },
	};

	if (nlerr < 0)
		nlerr = -nlerr;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nle == nlerr)
			return -map[i].e;
	return -EIO;
}

static int nsid_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[NETNSA_NSID])
		*(int *)arg = (int)nla_get_s32(tb[NETNSA_NSID]);
	return NL_OK;
}

int nl_netns_nsid(struct nl_sock *sk, int nsfd)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST);
	struct nl_cb *cb = NULL, *scb;
	int id = NETNSA_NSID_NOT_ASSIGNED;
	int r = -NLE_NOMEM;

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &g, sizeof(g), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(m, NETNSA_FD, (uint32_t)nsfd) < 0)
		goto out;
	/* nl_socket_get_cb() hands out a reference: drop it once cloned, or
	 * the socket's callbacks outlive nl_socket_free() (a leak per socket). */
	scb = nl_socket_get_cb(sk);
	cb = nl_cb_clone(scb);
	nl_cb_put(scb);
	if (!cb)
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nsid_reply, &id);
	/* The reply, then the ack: libnl advances the sequence number it
	 * expects only on the ack, so it must be read too, or the socket's
	 * next request is taken for out of sequence. An error comes alone. */
	r = nl_send_auto(sk, m);
	if (r >= 0)
		r = nl_recvmsgs(sk, cb);
	if (r >= 0)
		r = nl_wait_for_ack(sk);
out:
	nl_cb_put(cb);
	nlmsg_free(m);
	if (r < 0)
		return nl_to_errno(r);
	return id < 0 ? -ENOENT : id;
}
