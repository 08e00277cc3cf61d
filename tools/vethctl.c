/* vethctl - veth pairs and bridges over netlink: a pair with its peer born
 * inside a network namespace, addresses, a default route, bridges.
 *   vethctl add NAME [-n NS] [--addr CIDR] [--peer-addr CIDR] [--gateway] ...
 *   vethctl del [NAME...] [--group N] | list [-j] | bridge add|del BR | connect NS1 NS2
 *   vethctl -b FILE|-   (many commands over one netlink socket)
 * Siblings: nsname(8) names namespaces, nsjoin(8) runs commands in them,
 * natctl(8) NATs their subnets. */
#include <argp.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "addr.h"
#include "batch.h"
#include "json.h"
#include "link.h"
#include "msg.h"
#include "netnsdir.h"
#include "nl.h"
#include "ns.h"
#include "nsref.h"
#include "util.h"
#include "vethargs.h"

static void cmd_add(const struct veth_args *o);
static void cmd_bridge(const struct veth_args *o);
static void cmd_connect(const struct veth_args *o);
static void cmd_del(const struct veth_args *o);
static void cmd_list(const struct veth_args *o);

static void (*const run[])(const struct veth_args *) = {
	[VETH_ADD] = cmd_add,
	[VETH_BRIDGE] = cmd_bridge,
	[VETH_CONNECT] = cmd_connect,
	[VETH_DEL] = cmd_del,
	[VETH_LIST] = cmd_list,
};

static const char doc[] =
	"Create veth pairs and bridges, with the peer born in a network namespace.\v"
	"Commands:\n"
	"  add NAME            a veth pair NAME <-> PEER, PEER created inside NS;\n"
	"                      both ends and NS's lo up, addresses set\n"
	"  bridge add BR       a bridge, up (bridge del BR removes it)\n"
	"  connect NS1 NS2     a veth pair joining two namespaces directly\n"
	"  del NAME...         delete pairs (gathered into one kernel request)\n"
	"  del --group N       delete every link in group N in one request\n"
	"                      (with NAMEs too: the names are checked first)\n"
	"  list [-j]           veth pairs with their peer's namespace name and\n"
	"                      both ends' addresses, and pairs connect made\n"
	"                      between named namespaces (NS/NAME)\n"
	"Commands may be shortened to a unique prefix; delete, ls and show work too.\n"
	"\n"
	"Examples:\n"
	"  nsname add jail && vethctl add veth-jail -n jail --addr 10.8.8.1/24 \\\n"
	"      --peer-addr 10.8.8.2/24 --gateway\n"
	"  vethctl bridge add br0 --addr 10.9.0.1/24 &&\n"
	"      vethctl add v1 -n j1 --master br0 --peer-addr 10.9.0.2/24 --gateway\n"
	"  seq 1000 | sed 's/.*/add v& --peer p& --group 7/' | vethctl -b -\n"
	"  vethctl del --group 7\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n"
	"Environment: NSKIT_NETNS_DIR overrides " NETNS_RUN_DIR ".";

/* The options and their checks are vethargs' (a batch line shares them);
 * a usage error is worded there and printed here. */
static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct veth_args *o = state->input;
	error_t e = vethargs_parse_opt(key, arg, state);

	if (e == ENOMEM)
		xerrc(EXIT_FAIL, ENOMEM, "parse");
	if (e && e != ARGP_ERR_UNKNOWN)
		argp_error(state, "%s", o->err);
	return e;
}

static const struct argp argp = {
	vethargs_options, parse_opt,
	"add NAME [-n NS] [--peer PEER] [--addr CIDR]... [--peer-addr CIDR]... [--gateway] [--master BR] [--mtu N] [--group N]\n"
	"bridge add BR [--addr CIDR]... [--mtu N] [--group N]\n"
	"bridge del BR\n"
	"connect NS1 NS2 [--name NAME] [--peer PEER] [--addr CIDR]... [--peer-addr CIDR]... [--mtu N]\n"
	"del [NAME...] [--group N]\n"
	"list [-j]\n"
	"-b FILE|-",
	doc, NULL, NULL, NULL,
};

/* The process's one socket in its own namespace, and a few sockets in
 * other namespaces, kept for the batch's next lines. */
static struct nl_sock *host_sk;

static struct {
	dev_t dev;
	ino_t ino;
	struct nl_sock *sk;
	bool lo_up;		/* lo brought up through it already */
	bool pinned;		/* in use by gathered batch lines: kept */
} ns_socks[16];
static unsigned ns_socks_next;

/* Where a failing batch line came from ("FILE:LINE"), or NULL. */
static const char *where;

__attribute__((format(printf, 2, 3)))
static noreturn void fail(int errnum, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	xerrc(EXIT_FAIL, errnum, "%s%s%s", where ? where : "", where ? ": " : "",
	      msg ? msg : fmt);
}

static struct nl_sock *ns_sock(int nsfd, const char *ref)
{
	static struct nl_sock *last;
	struct stat st;
	unsigned i;

	if (fstat(nsfd, &st) < 0)
		fail(errno, "%s", ref);
	for (i = 0; i < ARRAY_SIZE(ns_socks); i++)
		if (ns_socks[i].sk && ns_socks[i].dev == st.st_dev && ns_socks[i].ino == st.st_ino)
			return last = ns_socks[i].sk;
	/* Evict round robin, never the socket handed out last (connect
	 * holds two at once) nor a pinned one (fewer than half are). */
	do
		i = ns_socks_next++ % ARRAY_SIZE(ns_socks);
	while ((last && ns_socks[i].sk == last) || ns_socks[i].pinned);
	nl_route_close(ns_socks[i].sk);
	ns_socks[i].sk = link_sock_open_ns(nsfd);
	if (!ns_socks[i].sk)
		return NULL;
	ns_socks[i].dev = st.st_dev;
	ns_socks[i].ino = st.st_ino;
	ns_socks[i].lo_up = false;
	ns_socks[i].pinned = false;
	return last = ns_socks[i].sk;
}

/* Bring lo up in SK's namespace, once per namespace in a batch. */
static int lo_up(struct nl_sock *sk)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_socks); i++)
		if (ns_socks[i].sk == sk) {
			int r = ns_socks[i].lo_up ? 0 : link_set_up(sk, 0, "lo");

			ns_socks[i].lo_up = r == 0;
			return r;
		}
	return link_set_up(sk, 0, "lo");
}

static int open_netns(const char *ref)
{
	int fd = ns_open_ref(ref, CLONE_NEWNET);

	if (fd == -EINVAL)
		fail(0, "'%s': not a namespace name, pid or path", ref);
	if (fd < 0)
		fail(0, "%s: %s%s", ref, ns_open_strerror(fd, CLONE_NEWNET), nskit_priv_hint_for(fd));
	return fd;
}

static struct nl_sock *xns_sock(int nsfd, const char *ref)
{
	struct nl_sock *sk = ns_sock(nsfd, ref);

	/* Entering NS for the socket is what needs CAP_SYS_ADMIN. */
	if (!sk && (errno == EPERM || errno == EACCES))
		nskit_priv_hint(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
	if (!sk)
		fail(errno, "%s: netlink socket in namespace", ref);
	return sk;
}

static int resolve_bridge(const char *br)
{
	struct link_info i;
	int r = link_get(host_sk, 0, br, &i);

	if (r == -ENODEV)
		fail(0, "%s: no such bridge", br);
	if (r < 0)
		fail(r, "%s", br);
	if (!streq(i.kind, "bridge"))
		fail(0, "%s: not a bridge", br);
	return i.ifindex;
}

/* Why an add got EEXIST: which of the two names is taken, and where. */
static noreturn void fail_exists(const char *cmd, const char *name, struct nl_sock *sk,
				 const char *peer, struct nl_sock *peer_sk, const char *ns)
{
	if (link_index(sk, name) > 0)
		fail(0, "%s %s: link %s already exists", cmd, name, name);
	if (link_index(peer_sk, peer) > 0)
		fail(0, "%s %s: link %s already exists%s%s", cmd, name, peer,
		     ns ? " in network namespace " : "", ns ? ns : "");
	fail(EEXIST, "%s %s", cmd, name);
}

/* Undo what add/connect/bridge made, then fail with the message. */
struct undo {
	struct nl_sock *sk;
	const char *link;
};

__attribute__((format(printf, 3, 4)))
static noreturn void undo_fail(const struct undo *u, int errnum, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	link_del(u->sk, 0, u->link);
	fail(errnum, "%s", msg ? msg : fmt);
}

static int xindex(const struct undo *u, struct nl_sock *sk, const char *name)
{
	int i = link_index(sk, name);

	if (i < 0)
		undo_fail(u, i, "%s", name);
	return i;
}

static void set_addrs(const struct undo *u, struct nl_sock *sk, const char *name, int ifindex,
		      const struct cidr *v, int n)
{
	for (int i = 0; i < n; i++) {
		char buf[CIDR_STRLEN];
		int r = link_addr_add(sk, ifindex, &v[i]);

		if (r < 0)
			undo_fail(u, r, "%s: %s", name, cidr_format(&v[i], true, buf, sizeof(buf)));
	}
}

/* The gateway for family FAM: the host end's address of that family, or
 * the bridge's when the host end is a bridge port. */
static bool gateway_for(const struct veth_args *o, int fam, int master, struct cidr *gw)
{
	for (int k = 0; k < o->naddr; k++)
		if (o->addr[k].family == fam) {
			*gw = o->addr[k];
			return true;
		}
	return master && link_addr_first(host_sk, master, fam, gw) == 0;
}

/* A default route in the peer's namespace for each family of the peer's
 * addresses. */
static void set_gateway(const struct undo *u, const struct veth_args *o, int master,
			struct nl_sock *psk, int peer_index)
{
	bool done[2] = { false, false };

	for (int i = 0; i < o->npeer_addr; i++) {
		int fam = o->peer_addr[i].family;
		struct cidr gw;
		int r;

		if (done[fam == AF_INET6])
			continue;
		done[fam == AF_INET6] = true;
		if (!gateway_for(o, fam, master, &gw))
			undo_fail(u, 0, "add %s: --gateway: no IPv%c address on %s to route via",
				  u->link, fam == AF_INET ? '4' : '6', master ? o->master : u->link);
		r = link_route_default(psk, peer_index, &gw);
		if (r < 0)
			undo_fail(u, r, "add %s: default route", u->link);
	}
}

static void cmd_add(const struct veth_args *o)
{
	const char *name = o->args[0], *peer = o->peer ? o->peer : "eth0";
	_cleanup_close_ int nsfd = o->netns ? open_netns(o->netns) : -1;
	struct nl_sock *psk = nsfd >= 0 ? xns_sock(nsfd, o->netns) : host_sk;
	int master = o->master ? resolve_bridge(o->master) : 0;
	struct link_veth v = {
		.name = name, .peer = peer, .netns_fd = -1, .peer_netns_fd = nsfd,
		.mtu = o->mtu, .master = master, .group = o->group, .up = true,
	};
	struct undo u = { host_sk, name };
	int r = link_veth_add(host_sk, &v);
	int peer_index;

	if (r == -EEXIST)
		fail_exists("add", name, host_sk, peer, psk, o->netns);
	/* Any other error may come after the kernel made the pair (a lost
	 * reply): undo, which is a no-op when there is no pair. */
	if (r < 0)
		undo_fail(&u, r, "add %s", name);
	if (o->naddr)
		set_addrs(&u, host_sk, name, xindex(&u, host_sk, name), o->addr, o->naddr);
	if (nsfd >= 0 && (r = lo_up(psk)) < 0)
		undo_fail(&u, r, "add %s: lo in %s", name, o->netns);
	if ((r = link_set_up(psk, 0, peer)) < 0)
		undo_fail(&u, r, "add %s: %s up", name, peer);
	if (!o->npeer_addr)
		return;
	peer_index = xindex(&u, psk, peer);
	set_addrs(&u, psk, peer, peer_index, o->peer_addr, o->npeer_addr);
	if (o->gateway)
		set_gateway(&u, o, master, psk, peer_index);
}

static void cmd_connect(const struct veth_args *o)
{
	const char *ns1 = o->args[0], *ns2 = o->args[1];
	const char *name = o->name ? o->name : "eth0", *peer = o->peer ? o->peer : "eth0";
	_cleanup_close_ int fd1 = open_netns(ns1);
	_cleanup_close_ int fd2 = open_netns(ns2);
	struct nl_sock *s1 = xns_sock(fd1, ns1), *s2 = xns_sock(fd2, ns2);
	struct link_veth v = {
		.name = name, .peer = peer, .netns_fd = fd1, .peer_netns_fd = fd2,
		.mtu = o->mtu, .up = true,
	};
	struct undo u = { s1, name };
	int r;

	if (ns_same(fd1, fd2) == 1)
		fail(0, "connect: %s and %s are the same namespace", ns1, ns2);
	r = link_veth_add(host_sk, &v);
	if (r == -EEXIST) {
		if (link_index(s1, name) > 0)
			fail(0, "connect: link %s already exists in network namespace %s", name, ns1);
		fail_exists("connect", ns1, s1, peer, s2, ns2);
	}
	if (r < 0)
		undo_fail(&u, r, "connect %s %s", ns1, ns2);
	if ((r = lo_up(s1)) < 0 || (r = lo_up(s2)) < 0 ||
	    (r = link_set_up(s2, 0, peer)) < 0)
		undo_fail(&u, r, "connect %s %s: up", ns1, ns2);
	if (o->naddr)
		set_addrs(&u, s1, name, xindex(&u, s1, name), o->addr, o->naddr);
	if (o->npeer_addr)
		set_addrs(&u, s2, peer, xindex(&u, s2, peer), o->peer_addr, o->npeer_addr);
}

static void cmd_bridge(const struct veth_args *o)
{
	const char *br = o->args[1];
	struct undo u = { host_sk, br };
	struct link_info i;
	int r;

	if (streq(o->args[0], "add")) {
		r = link_bridge_add(host_sk, br, o->mtu, o->group);
		if (r == -EEXIST)
			fail(0, "bridge add %s: link %s already exists", br, br);
		if (r < 0)
			fail(r, "bridge add %s", br);
		if (o->naddr)
			set_addrs(&u, host_sk, br, xindex(&u, host_sk, br), o->addr, o->naddr);
		return;
	}
	r = link_get(host_sk, 0, br, &i);
	if (r == -ENODEV)
		fail(0, "%s: no such bridge", br);
	if (r < 0)
		fail(r, "bridge del %s", br);
	if (!streq(i.kind, "bridge"))
		fail(0, "%s: not a bridge", br);
	r = link_del(host_sk, i.ifindex, NULL);
	if (r < 0)
		fail(r, "bridge del %s", br);
}

/* Deletions gathered from `del NAME...` and from consecutive batch lines:
 * the kernel spends a grace period (~20 ms) on each single deletion but
 * tears a whole link group down in one pass. So each link is moved into a
 * group no other link is in, and the group is deleted in one request. */
struct pending_del {
	const char *name;
	const char *where;	/* batch line, or NULL */
	int ifindex;
	uint32_t group;		/* the link's group, once looked up */
};

struct del_lookup {
	struct pending_del *v;
	size_t n;
	const char **kind;
};

static int match_pending(const struct link_info *li, void *data)
{
	struct del_lookup *d = data;

	for (size_t i = 0; i < d->n; i++)
		if (!d->v[i].ifindex && streq(d->v[i].name, li->name)) {
			d->v[i].ifindex = li->ifindex;
			d->v[i].group = li->group;
			d->kind[i] = streq(li->kind, "veth") ? "veth" : "other";
		}
	return 0;
}

static void delete_gathered(struct pending_del *v, size_t n)
{
	const struct pending_del *gone = NULL;
	uint32_t group;
	int r;

	if (n == 0)
		return;
	/* A link that vanished since the lookup was deleted by someone
	 * else: that del failed, as it would have a moment later. */
	if (n == 1) {
		r = link_del(host_sk, v[0].ifindex, NULL);
		if (r == -ENODEV)
			gone = &v[0];
		else if (r < 0)
			fail(r, "del %s", v[0].name);
	} else {
		_cleanup_free_ int *idx = calloc(n, sizeof(*idx));
		size_t k;

		if (!idx)
			fail(ENOMEM, "del");
		for (size_t i = 0; i < n; i++)
			idx[i] = v[i].ifindex;
		r = link_group_unused(host_sk, &group);
		if (r < 0)
			fail(r, "del");
		r = link_set_group_many(host_sk, idx, n, group, &k);
		if (k < n)
			gone = &v[k];
		if (r == 0)
			r = link_del_group(host_sk, group);
		if (r < 0 && r != -ENODEV)
			fail(r, "del");
	}
	if (gone) {
		where = gone->where;
		fail(0, "%s: no such link", gone->name);
	}
}

/* Look every name up (one dump): the position of the first that is
 * missing or not a veth, or N. */
static size_t lookup_pending(struct pending_del *v, size_t n, const char **kind)
{
	struct del_lookup d = { v, n, kind };
	size_t bad = n;
	int r = link_foreach(host_sk, match_pending, &d);

	if (r < 0)
		fail(r, "del");
	for (size_t i = 0; i < n && bad == n; i++)
		if (!v[i].ifindex || !streq(kind[i], "veth"))
			bad = i;
	return bad;
}

static noreturn void fail_pending(const struct pending_del *p)
{
	where = p->where;
	if (!p->ifindex)
		fail(0, "%s: no such link", p->name);
	fail(0, "%s: not a veth link", p->name);
}

/* Look every name up, delete the ones before the first that is missing
 * or not a veth (all of them, or with PARTIAL_OK none when one is bad),
 * then report that one. */
static void delete_pending(struct pending_del *v, size_t n, bool partial_ok)
{
	_cleanup_free_ const char **kind = calloc(n ? n : 1, sizeof(*kind));
	size_t bad;

	if (n == 0)
		return;
	if (!kind)
		fail(ENOMEM, "del");
	bad = lookup_pending(v, n, kind);
	if (bad == n || partial_ok)
		delete_gathered(v, bad);
	if (bad < n)
		fail_pending(&v[bad]);
}

static void delete_group(uint32_t group)
{
	int r = link_del_group(host_sk, group);

	if (r == -ENODEV)
		fail(0, "group %u: no such link", group);
	if (r == -EOPNOTSUPP)
		fail(0, "group %u: holds a link that cannot be deleted", group);
	if (r < 0)
		fail(r, "del --group %u", group);
}

/* NAME... and --group N together: every name is checked first, then the
 * group goes (failing as it would alone, nothing deleted yet), then the
 * named pairs that were not in it, gathered as ever. */
static void cmd_del(const struct veth_args *o)
{
	size_t n = (size_t)o->nargs, left = 0, bad;
	_cleanup_free_ struct pending_del *v = calloc(n ? n : 1, sizeof(*v));
	_cleanup_free_ const char **kind = calloc(n ? n : 1, sizeof(*kind));

	if (!v || !kind)
		fail(ENOMEM, "del");
	for (size_t i = 0; i < n; i++)
		v[i].name = o->args[i];
	if (!o->group) {
		delete_pending(v, n, false);
		return;
	}
	bad = n ? lookup_pending(v, n, kind) : 0;
	if (bad < n)
		fail_pending(&v[bad]);
	delete_group(o->group);
	for (size_t i = 0; i < n; i++)
		if (v[i].group != o->group)
			v[left++] = v[i];
	delete_gathered(v, left);
}

/* list: every veth pair with an end in this namespace, and the pairs
 * `connect` made between two named namespaces (no end here), each with
 * the addresses of both ends. Each named namespace is read once, its links
 * and addresses in one dump each over a socket opened inside it: a few
 * syscalls per name, nothing changed. */
struct addr_list {
	struct link_addr *v;
	size_t n, cap;
};

struct ns_view {
	char *name;		/* the first name pinning it; NULL: this namespace */
	dev_t dev;
	ino_t ino;
	int nsid;		/* this namespace's id for it, or -1 */
	struct link_info *links;
	size_t nlinks, cap;
	struct addr_list addrs;
};

struct list_state {
	struct ns_view here;
	struct ns_view *ns;	/* the named namespaces other than this one */
	size_t nns;
	struct json_object *arr;	/* -j, or NULL */
};

static int collect_link(const struct link_info *li, void *data)
{
	struct ns_view *v = data;

	if (v->nlinks == v->cap) {
		struct link_info *nv = reallocarray(v->links, v->cap = v->cap ? 2 * v->cap : 16,
						    sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->links = nv;
	}
	v->links[v->nlinks++] = *li;
	return 0;
}

static int collect_addr(const struct link_addr *a, void *data)
{
	struct addr_list *l = data;

	/* The link-local IPv6 address the kernel gives every link is noise. */
	if (a->addr.family == AF_INET6 && a->scope == RT_SCOPE_LINK)
		return 0;
	if (l->n == l->cap) {
		struct link_addr *nv = reallocarray(l->v, l->cap = l->cap ? 2 * l->cap : 16,
						    sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
	}
	l->v[l->n++] = *a;
	return 0;
}

static int read_view(struct ns_view *v, struct nl_sock *sk)
{
	int r = link_foreach(sk, collect_link, v);

	return r < 0 ? r : link_addr_foreach(sk, collect_addr, &v->addrs);
}

static void free_view(struct ns_view *v)
{
	free(v->name);
	free(v->links);
	free(v->addrs.v);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The named namespaces, each once (a namespace may have several names),
 * read; this namespace is `here`, not among them. One that cannot be
 * read is left out: its pairs show as an nsid. */
static void collect_views(struct list_state *s)
{
	/* A socket of its own: nl_netns_nsid() leaves libnl's expected
	 * sequence number behind, and the batch's next request on the main
	 * socket would be refused as out of sequence. */
	struct nl_sock *sk = nl_route_open();
	struct stat self;
	char **names;
	size_t n;

	if (!sk || stat("/proc/self/ns/net", &self) < 0 || netns_names(&names, &n) < 0) {
		nl_route_close(sk);
		return;		/* no directory: no names, ids shown bare */
	}
	/* In name order: a namespace is shown by its first name, a connect
	 * pair from the namespace whose name sorts first. */
	qsort(names, n, sizeof(*names), by_string);
	s->ns = calloc(n ? n : 1, sizeof(*s->ns));
	for (size_t i = 0; s->ns && i < n; i++) {
		_cleanup_close_ int fd = netns_open(names[i]);
		struct ns_view *v = &s->ns[s->nns];
		struct nl_sock *vs;
		struct stat st;
		bool seen = false;

		if (fd < 0 || fstat(fd, &st) < 0 || (st.st_dev == self.st_dev && st.st_ino == self.st_ino))
			continue;
		for (size_t k = 0; k < s->nns; k++)
			seen |= s->ns[k].dev == st.st_dev && s->ns[k].ino == st.st_ino;
		if (seen || !(vs = link_sock_open_ns(fd)))
			continue;
		*v = (struct ns_view){ .dev = st.st_dev, .ino = st.st_ino, .nsid = nl_netns_nsid(sk, fd) };
		if (v->nsid < 0)
			v->nsid = -1;
		/* A copy: netns_names_free stops at the first NULL. */
		if (read_view(v, vs) == 0 && (v->name = strdup(names[i]))) {
			s->nns++;
		} else {
			free_view(v);
		}
		nl_route_close(vs);
	}
	/* Not netns_names_free(): it stops at the first name stolen above. */
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	nl_route_close(sk);
}

static const struct link_info *by_index(const struct ns_view *v, int ifindex)
{
	for (size_t i = 0; i < v->nlinks; i++)
		if (v->links[i].ifindex == ifindex)
			return &v->links[i];
	return NULL;
}

static const struct ns_view *by_nsid(const struct list_state *s, int nsid)
{
	for (size_t i = 0; nsid >= 0 && i < s->nns; i++)
		if (s->ns[i].nsid == nsid)
			return &s->ns[i];
	return NULL;
}

/* The addresses of link IFINDEX in V: a JSON array, or appended to BUF
 * comma-separated ("-" for none). */
static struct json_object *addrs_of(const struct ns_view *v, int ifindex, char *buf, size_t size)
{
	struct json_object *arr = json_object_new_array();
	size_t len = 0;

	snprintf(buf, size, "-");
	for (size_t i = 0; i < v->addrs.n; i++) {
		char a[CIDR_STRLEN];
		int w;

		if (v->addrs.v[i].ifindex != ifindex)
			continue;
		cidr_format(&v->addrs.v[i].addr, true, a, sizeof(a));
		json_object_array_add(arr, json_object_new_string(a));
		w = snprintf(buf + len, size - len, "%s%s", len ? "," : "", a);
		if (w > 0 && (size_t)w < size - len)
			len += (size_t)w;
	}
	return arr;
}

/* One pair: LI in namespace AT (here, or a named one for a connect
 * pair), its peer PEER (NULL: not known) in PEER_NS (NULL: not named). */
static void print_pair(struct list_state *s, const struct ns_view *at, const struct link_info *li,
		       const struct ns_view *peer_ns, const struct link_info *peer)
{
	const struct link_info *m = li->master ? by_index(at, li->master) : NULL;
	const char *ns = peer_ns && peer_ns != &s->here ? peer_ns->name : NULL;
	_cleanup_free_ char *ns_shown = NULL, *at_shown = NULL;
	char peer_name[32], name[4 * NAME_MAX + LINK_NAME_MAX + 2], nsbuf[32];
	char addr[256], peer_addr[256] = "?";
	struct json_object *addrs = addrs_of(at, li->ifindex, addr, sizeof(addr));
	struct json_object *peer_addrs = peer ? addrs_of(peer_ns, peer->ifindex, peer_addr, sizeof(peer_addr)) : NULL;

	if (peer)
		snprintf(peer_name, sizeof(peer_name), "%s", peer->name);
	else
		snprintf(peer_name, sizeof(peer_name), "if%d", li->peer_ifindex);
	if (s->arr) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "name", json_object_new_string(li->name));
		json_object_object_add(e, "name_netns", at->name ? json_object_new_string(at->name) : NULL);
		json_object_object_add(e, "ifindex", json_object_new_int(li->ifindex));
		json_object_object_add(e, "peer", json_object_new_string(peer_name));
		json_object_object_add(e, "peer_ifindex", json_object_new_int(li->peer_ifindex));
		json_object_object_add(e, "netns", ns ? json_object_new_string(ns) : NULL);
		json_object_object_add(e, "nsid", li->peer_nsid >= 0 ? json_object_new_int(li->peer_nsid) : NULL);
		json_object_object_add(e, "master", m ? json_object_new_string(m->name) : NULL);
		json_object_object_add(e, "group", json_object_new_uint64(li->group));
		json_object_object_add(e, "mtu", json_object_new_uint64(li->mtu));
		json_object_object_add(e, "up", json_object_new_boolean(li->up));
		json_object_object_add(e, "addrs", addrs);
		json_object_object_add(e, "peer_addrs", peer_addrs);
		json_object_array_add(s->arr, e);
		return;
	}
	json_object_put(addrs);
	json_object_put(peer_addrs);
	/* A name others made may hold control characters: escaped here,
	 * exact in JSON. */
	ns_shown = ns ? netns_name_escape(ns) : NULL;
	at_shown = at->name ? netns_name_escape(at->name) : NULL;
	snprintf(name, sizeof(name), "%s%s%s", at_shown ? at_shown : "", at_shown ? "/" : "", li->name);
	snprintf(nsbuf, sizeof(nsbuf), "nsid:%d", li->peer_nsid);
	printf("%-16s %-16s %-16s %-16s %-5s %-18s %s\n", name, peer_name,
	       ns_shown ? ns_shown : li->peer_nsid >= 0 ? nsbuf : "-", m ? m->name : "-", li->up ? "up" : "down",
	       addr, peer_addr);
}

/* Whether L, a link of the named namespace A, has its peer here: a link
 * here names L as its peer in A. */
static bool peer_is_here(const struct list_state *s, const struct ns_view *a, const struct link_info *l)
{
	for (size_t i = 0; a->nsid >= 0 && i < s->here.nlinks; i++) {
		const struct link_info *h = &s->here.links[i];

		if (h->ifindex == l->peer_ifindex && h->peer_ifindex == l->ifindex && h->peer_nsid == a->nsid)
			return true;
	}
	return false;
}

/* Whether A's id for B's namespace is NSID, asked of A over *SK (opened
 * on first use). */
static bool nsid_in(const struct ns_view *a, struct nl_sock **sk, const struct ns_view *b, int nsid)
{
	_cleanup_close_ int fb = netns_open(b->name);

	if (!*sk) {
		_cleanup_close_ int fa = netns_open(a->name);

		*sk = fa >= 0 ? link_sock_open_ns(fa) : NULL;
	}
	return *sk && fb >= 0 && nl_netns_nsid(*sk, fb) == nsid;
}

/* Pairs between two named namespaces. A link of A whose peer is not here
 * is looked for in the namespaces listed after A by its pair of ifindexes
 * (so a pair is shown once), and the match confirmed by asking A which id
 * it has for that namespace: ifindexes are numbered per namespace, so
 * two namespaces may hold the same pair of numbers. */
static void print_connected(struct list_state *s)
{
	for (size_t i = 0; i < s->nns; i++) {
		const struct ns_view *a = &s->ns[i];
		struct nl_sock *sk = NULL;

		for (size_t j = 0; j < a->nlinks; j++) {
			const struct link_info *l = &a->links[j];
			bool done = false;

			if (!streq(l->kind, "veth") || l->peer_nsid < 0 || peer_is_here(s, a, l))
				continue;
			for (size_t k = i + 1; k < s->nns && !done; k++) {
				const struct link_info *p = by_index(&s->ns[k], l->peer_ifindex);

				if (p && streq(p->kind, "veth") && p->peer_ifindex == l->ifindex &&
				    p->peer_nsid >= 0 && nsid_in(a, &sk, &s->ns[k], l->peer_nsid)) {
					print_pair(s, a, l, &s->ns[k], p);
					done = true;
				}
			}
		}
		nl_route_close(sk);
	}
}

static void cmd_list(const struct veth_args *o)
{
	struct list_state s = { .here.nsid = -1, .arr = o->json ? json_object_new_array() : NULL };
	int r = read_view(&s.here, host_sk);

	if (r < 0)
		fail(r, "list");
	collect_views(&s);
	if (!s.arr)
		printf("%-16s %-16s %-16s %-16s %-5s %-18s %s\n", "NAME", "PEER", "NETNS", "MASTER", "STATE",
		       "ADDR", "PEER-ADDR");
	for (size_t i = 0; i < s.here.nlinks; i++) {
		const struct link_info *li = &s.here.links[i];
		const struct ns_view *pns;

		if (!streq(li->kind, "veth"))
			continue;
		if (li->peer_nsid < 0) {
			/* Both ends here: show the pair once. */
			if (li->peer_ifindex && li->peer_ifindex < li->ifindex &&
			    by_index(&s.here, li->peer_ifindex))
				continue;
			print_pair(&s, &s.here, li, &s.here, by_index(&s.here, li->peer_ifindex));
			continue;
		}
		pns = by_nsid(&s, li->peer_nsid);
		print_pair(&s, &s.here, li, pns, pns ? by_index(pns, li->peer_ifindex) : NULL);
	}
	print_connected(&s);
	if (s.arr)
		json_print(s.arr);
	for (size_t i = 0; i < s.nns; i++)
		free_view(&s.ns[i]);
	free(s.ns);
	free_view(&s.here);
}

/* Batch mode. Every line is parsed before any runs, so a usage error
 * anywhere changes nothing; then the lines run in order over the one
 * socket, consecutive del lines gathered into one deletion, and the
 * first failure stops the batch with its line in the message. */
struct line {
	struct veth_args o;
	char *where;
};

/* Parse every line of B into *LINES (blank and comment lines left out):
 * their count, or exit 2 naming the first bad line. */
static size_t parse_batch(struct batch *b, struct line **lines)
{
	struct line *v = NULL;
	size_t n = 0, cap = 0;

	for (char *text; (text = batch_next_line(b));) {
		int r;

		if (n == cap && !(v = reallocarray(v, cap = cap ? 2 * cap : 256, sizeof(*v))))
			xerrc(EXIT_FAIL, ENOMEM, "batch");
		v[n].where = batch_where(b);
		if (!v[n].where)
			xerrc(EXIT_FAIL, ENOMEM, "batch");
		r = vethargs_parse_line(text, &v[n].o);
		if (r == -EINVAL)
			xerrc(EXIT_USAGE, 0, "%s: %s", v[n].where, v[n].o.err);
		if (r < 0)
			xerrc(EXIT_FAIL, -r, "batch");
		if (v[n].o.cmd) {
			n++;
		} else {
			free(v[n].where);
			vethargs_free(&v[n].o);
		}
	}
	*lines = v;
	return n;
}

/* Consecutive add lines of a batch, gathered. The kernel runs each
 * request while it is sent, but a link coming up leaves work to kernel
 * workers (link state events, IPv6 address configuration) that take the
 * rtnl lock the next request needs: bringing each peer up right after its
 * pair is made had every later request wait on that work (perf: 10% of
 * the time spinning on the lock's owner, against 3% this way). So, as
 * `ip -batch` then `ip -n NS -batch` do, a group of lines makes all its
 * pairs first, then brings the peers up, addresses and routes them; each
 * step's requests go out back to back, their acks matched afterwards
 * (link_send_many), and the ifindexes addresses need come from one dump
 * per namespace, not a lookup per line. A line still fails as it would
 * alone: the first failing line (in file order, then step order) is
 * reported with its FILE:LINE after the pairs it and the group's later
 * lines made are removed. */
#define GROUP_NS_MAX 8		/* namespaces of one group: half the sockets */

struct add_line {
	const struct veth_args *o;
	const char *where;
	const char *peer;
	int nsfd;		/* the group's fd for o->netns, or -1 */
	struct nl_sock *psk;	/* the peer's namespace */
	int master;
	int made;		/* the create's result: 0 (or ack lost), or -errno */
};

struct group_ns {
	const char *ref;
	int fd;
	struct nl_sock *sk;
};

struct group_bridge {
	const char *name;
	int ifindex;
};

struct add_group {
	struct add_line *v;
	size_t n;
	struct group_ns ns[GROUP_NS_MAX];
	size_t nns;
	struct group_bridge br[GROUP_NS_MAX];
	size_t nbr;
};

/* Steps of an add, in the order one line does them alone. */
enum add_step { STEP_CREATE, STEP_HOST_INDEX, STEP_HOST_ADDR, STEP_LO, STEP_PEER_UP,
		STEP_PEER_INDEX, STEP_PEER_ADDR, STEP_ROUTE };

/* The first failure: line, step and which address (K), and the error (0
 * for a gateway with no address to route via). */
struct add_fail {
	size_t line;
	enum add_step step;
	int k;
	int err;
	bool set;
};

static void add_failed(struct add_fail *f, size_t line, enum add_step step, int k, int err)
{
	if (!f->set || line < f->line || (line == f->line && step < f->step) ||
	    (line == f->line && step == f->step && k < f->k))
		*f = (struct add_fail){ line, step, k, err, true };
}

/* What a line needs before its requests can be built: its namespace's fd
 * and socket, its bridge. False when that fails (the line then runs
 * alone, which words the error) or the group has no room for it. */
static bool add_prepare(struct add_group *g, struct add_line *a, const struct veth_args *o)
{
	*a = (struct add_line){ .o = o, .peer = o->peer ? o->peer : "eth0", .nsfd = -1,
				.psk = host_sk };
	if (o->netns) {
		size_t i;

		for (i = 0; i < g->nns && !streq(g->ns[i].ref, o->netns); i++)
			;
		if (i == g->nns) {
			int fd;
			struct nl_sock *sk;

			if (g->nns == GROUP_NS_MAX || (fd = ns_open_ref(o->netns, CLONE_NEWNET)) < 0)
				return false;
			sk = ns_sock(fd, o->netns);
			if (!sk) {
				close(fd);
				return false;
			}
			for (size_t s = 0; s < ARRAY_SIZE(ns_socks); s++)
				if (ns_socks[s].sk == sk)
					ns_socks[s].pinned = true;
			g->ns[g->nns++] = (struct group_ns){ o->netns, fd, sk };
		}
		a->nsfd = g->ns[i].fd;
		a->psk = g->ns[i].sk;
	}
	if (o->master) {
		size_t i;
		struct link_info li;

		for (i = 0; i < g->nbr && !streq(g->br[i].name, o->master); i++)
			;
		if (i == g->nbr) {
			if (g->nbr == GROUP_NS_MAX || link_get(host_sk, 0, o->master, &li) < 0 ||
			    !streq(li.kind, "bridge"))
				return false;
			g->br[g->nbr++] = (struct group_bridge){ o->master, li.ifindex };
		}
		a->master = g->br[i].ifindex;
	}
	return true;
}

/* Requests for one socket, each tagged with its line and step. */
struct add_reqs {
	struct nl_sock *sk;
	struct nl_msg **m;
	struct { size_t line; enum add_step step; int k; } *tag;
	size_t n, cap;
};

/* Queue the request BUILT made into M, or note why it could not be. */
static void add_req(struct add_reqs *r, struct add_fail *f, int built, struct nl_msg **m,
		    size_t line, enum add_step step, int k)
{
	if (built < 0) {
		add_failed(f, line, step, k, built);
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->m = reallocarray(r->m, r->cap, sizeof(*r->m));
		r->tag = reallocarray(r->tag, r->cap, sizeof(*r->tag));
		if (!r->m || !r->tag)
			fail(ENOMEM, "batch");
	}
	r->m[r->n] = *m;
	r->tag[r->n].line = line;
	r->tag[r->n].step = step;
	r->tag[r->n++].k = k;
}

/* Send R's requests, note the first failure (and, given G, which pairs
 * were made), free them. */
static void add_send(struct add_reqs *r, struct add_fail *f, struct add_group *g)
{
	int *err = calloc(r->n ? r->n : 1, sizeof(*err));

	if (!err)
		fail(ENOMEM, "batch");
	int lost = link_send_many(r->sk, r->m, r->n, err);

	for (size_t i = 0; i < r->n; i++) {
		if (err[i])
			add_failed(f, r->tag[i].line, r->tag[i].step, r->tag[i].k, err[i]);
		/* A create whose ack was lost may have been done: undone
		 * by name, as a line alone undoes it. */
		if (g && r->tag[i].step == STEP_CREATE)
			g->v[r->tag[i].line].made = lost < 0 && err[i] == lost ? 0 : err[i];
		nlmsg_free(r->m[i]);
	}
	free(err);
	free(r->m);
	free(r->tag);
	*r = (struct add_reqs){ 0 };
}

/* Make every pair of G, back to back. */
static void add_create(struct add_group *g, struct add_fail *f)
{
	struct add_reqs r = { .sk = host_sk };

	for (size_t j = 0; j < g->n; j++) {
		const struct add_line *a = &g->v[j];
		struct link_veth v = {
			.name = a->o->args[0], .peer = a->peer, .netns_fd = -1,
			.peer_netns_fd = a->nsfd, .mtu = a->o->mtu, .master = a->master,
			.group = a->o->group, .up = true,
		};
		struct nl_msg *msg;

		g->v[j].made = -ECANCELED;	/* until its ack says otherwise */
		add_req(&r, f, link_veth_add_msg(&v, &msg), &msg, j, STEP_CREATE, 0);
	}
	add_send(&r, f, g);
}

/* Names to ifindexes, from one dump of a namespace. */
struct name_index {
	struct link_info *v;
	size_t n, cap;
};

static int collect_name(const struct link_info *li, void *data)
{
	struct name_index *x = data;

	if (x->n == x->cap) {
		struct link_info *nv = reallocarray(x->v, x->cap = x->cap ? 2 * x->cap : 256, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		x->v = nv;
	}
	x->v[x->n++] = *li;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct link_info *)a)->name, ((const struct link_info *)b)->name);
}

static int dump_names(struct nl_sock *sk, struct name_index *x)
{
	int r = link_foreach(sk, collect_name, x);

	if (r == 0)
		qsort(x->v, x->n, sizeof(*x->v), by_name);
	return r;
}

static int name_to_index(const struct name_index *x, const char *name)
{
	struct link_info key;
	const struct link_info *li;

	snprintf(key.name, sizeof(key.name), "%s", name);
	li = x->n ? bsearch(&key, x->v, x->n, sizeof(*x->v), by_name) : NULL;
	return li ? li->ifindex : -ENODEV;
}

/* A default route for each family of line J's peer addresses, as
 * set_gateway makes them. */
static void add_gateways(struct add_reqs *r, struct add_fail *f, const struct add_line *a,
			 int peer_index, size_t j)
{
	const struct veth_args *o = a->o;
	bool done[2] = { false, false };

	for (int k = 0; k < o->npeer_addr; k++) {
		int fam = o->peer_addr[k].family;
		struct nl_msg *msg;
		struct cidr gw;

		if (done[fam == AF_INET6])
			continue;
		done[fam == AF_INET6] = true;
		if (!gateway_for(o, fam, a->master, &gw))
			add_failed(f, j, STEP_ROUTE, k, 0);
		else
			add_req(r, f, link_route_default_msg(peer_index, &gw, &msg), &msg,
				j, STEP_ROUTE, k);
	}
}

/* Every request after the creates, for lines [0, N) of G. */
static void add_configure(struct add_group *g, size_t n, struct add_fail *f)
{
	struct add_reqs reqs[1 + GROUP_NS_MAX] = { { .sk = host_sk } };
	struct name_index names[1 + GROUP_NS_MAX] = { { 0 } };
	bool dumped[1 + GROUP_NS_MAX] = { false }, lo_sent[1 + GROUP_NS_MAX] = { false };

	for (size_t i = 0; i < g->nns; i++)
		reqs[1 + i].sk = g->ns[i].sk;
	for (size_t j = 0; j < n; j++) {
		const struct add_line *a = &g->v[j];
		const struct veth_args *o = a->o;
		size_t p = 0;	/* the peer's socket among reqs[] */
		struct nl_msg *msg;
		int idx;

		while (reqs[p].sk != a->psk)
			p++;
		if (o->naddr) {
			int r = dumped[0] ? 0 : dump_names(host_sk, &names[0]);

			dumped[0] = true;
			idx = r < 0 ? r : name_to_index(&names[0], o->args[0]);
			if (idx < 0)
				add_failed(f, j, STEP_HOST_INDEX, 0, idx);
			for (int k = 0; idx > 0 && k < o->naddr; k++)
				add_req(&reqs[0], f, link_addr_add_msg(idx, &o->addr[k], &msg), &msg,
					j, STEP_HOST_ADDR, k);
		}
		if (a->nsfd >= 0 && !lo_sent[p]) {
			bool up = false;

			for (size_t s = 0; s < ARRAY_SIZE(ns_socks); s++)
				if (ns_socks[s].sk == a->psk)
					up = ns_socks[s].lo_up;
			if (!up)
				add_req(&reqs[p], f, link_set_up_msg(0, "lo", &msg), &msg, j, STEP_LO, 0);
			lo_sent[p] = true;
		}
		add_req(&reqs[p], f, link_set_up_msg(0, a->peer, &msg), &msg, j, STEP_PEER_UP, 0);
		if (!o->npeer_addr)
			continue;
		/* The peers' ifindexes: from a dump after the creates. */
		idx = dumped[p] ? 0 : dump_names(a->psk, &names[p]);
		dumped[p] = true;
		if (idx == 0)
			idx = name_to_index(&names[p], a->peer);
		if (idx < 0) {
			add_failed(f, j, STEP_PEER_INDEX, 0, idx);
			continue;
		}
		for (int k = 0; k < o->npeer_addr; k++)
			add_req(&reqs[p], f, link_addr_add_msg(idx, &o->peer_addr[k], &msg), &msg,
				j, STEP_PEER_ADDR, k);
		if (o->gateway)
			add_gateways(&reqs[p], f, a, idx, j);
	}
	for (size_t i = 0; i <= g->nns; i++) {
		add_send(&reqs[i], f, NULL);
		free(names[i].v);
	}
	/* lo is up where its request went through. */
	for (size_t i = 0; i < g->nns; i++)
		for (size_t s = 0; s < ARRAY_SIZE(ns_socks); s++)
			if (lo_sent[1 + i] && ns_socks[s].sk == g->ns[i].sk)
				ns_socks[s].lo_up = true;
}

/* Remove the pairs lines [FROM, N) of G made (and FROM's own when
 * FIRST_TOO), in one group deletion. Over a socket of its own: a request
 * that failed to go out leaves libnl's sequence numbers on host_sk out of
 * step, and every later dump there would fail. */
static void add_undo(struct add_group *g, size_t from, bool first_too)
{
	struct nl_sock *sk = nl_route_open();
	struct name_index x = { 0 };
	_cleanup_free_ int *idx = calloc(g->n + 1, sizeof(*idx));
	size_t m = 0, k;
	uint32_t group;

	if (!sk || !idx || dump_names(sk, &x) < 0)
		goto out;	/* best effort: the error to report comes next */
	for (size_t j = from; j < g->n; j++) {
		int i;

		if (g->v[j].made != 0 && !(j == from && first_too))
			continue;
		i = name_to_index(&x, g->v[j].o->args[0]);
		if (i > 0)
			idx[m++] = i;
	}
	if (m == 1)
		link_del(sk, idx[0], NULL);
	else if (m > 1 && link_group_unused(sk, &group) == 0 &&
		 link_set_group_many(sk, idx, m, group, &k) == 0)
		link_del_group(sk, group);
out:
	free(x.v);
	nl_route_close(sk);
}

static noreturn void add_report(struct add_group *g, const struct add_fail *f)
{
	const struct add_line *a = &g->v[f->line];
	const struct veth_args *o = a->o;
	const char *name = o->args[0];
	char buf[CIDR_STRLEN];

	/* The failing line's own pair goes too, unless the name was
	 * someone else's; an unread ack may hide a pair that was made. */
	add_undo(g, f->line, f->step != STEP_CREATE || f->err != -EEXIST);
	where = a->where;
	switch (f->step) {
	case STEP_CREATE:
		if (f->err == -EEXIST)
			fail_exists("add", name, host_sk, a->peer, a->psk, o->netns);
		fail(f->err, "add %s", name);
	case STEP_HOST_INDEX:
		fail(f->err, "%s", name);
	case STEP_HOST_ADDR:
		fail(f->err, "%s: %s", name, cidr_format(&o->addr[f->k], true, buf, sizeof(buf)));
	case STEP_LO:
		fail(f->err, "add %s: lo in %s", name, o->netns);
	case STEP_PEER_UP:
		fail(f->err, "add %s: %s up", name, a->peer);
	case STEP_PEER_INDEX:
		fail(f->err, "%s", a->peer);
	case STEP_PEER_ADDR:
		fail(f->err, "%s: %s", a->peer, cidr_format(&o->peer_addr[f->k], true, buf, sizeof(buf)));
	case STEP_ROUTE:
	default:
		if (f->err == 0)
			fail(0, "add %s: --gateway: no IPv%c address on %s to route via", name,
			     o->peer_addr[f->k].family == AF_INET ? '4' : '6',
			     a->master ? o->master : name);
		fail(f->err, "add %s: default route", name);
	}
}

/* Run the add lines L[0..N) (N > 0) as one group or more. */
static void run_adds(const struct line *l, size_t n)
{
	while (n > 0) {
		struct add_group g = { .v = calloc(n, sizeof(*g.v)) };
		struct add_fail f = { 0 };
		size_t made_ok;

		if (!g.v)
			fail(ENOMEM, "batch");
		while (g.n < n && (where = l[g.n].where) && add_prepare(&g, &g.v[g.n], &l[g.n].o))
			g.v[g.n].where = l[g.n].where, g.n++;
		where = NULL;
		if (g.n == 0) {
			/* Its namespace or bridge is not there: alone, the line
			 * says so (or, if it came meanwhile, runs). */
			where = l[0].where;
			cmd_add(&l[0].o);
			where = NULL;
			free(g.v);
			l++, n--;
			continue;
		}
		add_create(&g, &f);
		made_ok = f.set ? f.line : g.n;
		add_configure(&g, made_ok, &f);
		if (f.set)
			add_report(&g, &f);
		for (size_t i = 0; i < g.nns; i++) {
			close(g.ns[i].fd);
			for (size_t s = 0; s < ARRAY_SIZE(ns_socks); s++)
				if (ns_socks[s].sk == g.ns[i].sk)
					ns_socks[s].pinned = false;
		}
		l += g.n, n -= g.n;
		free(g.v);
	}
}

static void run_batch(const char *file)
{
	struct batch b;
	struct line *lines;
	size_t n;
	struct pending_del *dels = NULL;
	size_t ndel = 0, capdel = 0;
	int r = batch_read(&b, file);

	if (r < 0)
		xerrc(EXIT_FAIL, r, "%s", file);
	n = parse_batch(&b, &lines);
	for (size_t i = 0; i < n; i++) {
		const struct veth_args *o = &lines[i].o;

		if (o->cmd == VETH_DEL && !o->group) {
			for (int k = 0; k < o->nargs; k++) {
				if (ndel == capdel &&
				    !(dels = reallocarray(dels, capdel = capdel ? 2 * capdel : 256, sizeof(*dels))))
					xerrc(EXIT_FAIL, ENOMEM, "batch");
				dels[ndel++] = (struct pending_del){ .name = o->args[k], .where = lines[i].where };
			}
			continue;
		}
		delete_pending(dels, ndel, true);
		ndel = 0;
		if (o->cmd == VETH_ADD) {
			size_t k = i;

			while (k < n && lines[k].o.cmd == VETH_ADD)
				k++;
			run_adds(&lines[i], k - i);
			i = k - 1;
			continue;
		}
		where = lines[i].where;
		run[o->cmd](o);
		where = NULL;
	}
	delete_pending(dels, ndel, true);
	for (size_t i = 0; i < n; i++) {
		vethargs_free(&lines[i].o);
		free(lines[i].where);
	}
	free(lines);
	free(dels);
	batch_free(&b);
}

int main(int argc, char **argv)
{
	struct veth_args o = { 0 };

	nskit_init(EXIT_USAGE);
	nskit_priv_hint(CAP_NET_ADMIN, "CAP_NET_ADMIN");
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	host_sk = nl_route_open();
	if (!host_sk)
		xerrc(EXIT_FAIL, errno, "netlink socket");
	if (o.batch)
		run_batch(o.batch);
	else
		run[o.cmd](&o);
	vethargs_free(&o);
	for (size_t i = 0; i < ARRAY_SIZE(ns_socks); i++)
		nl_route_close(ns_socks[i].sk);
	nl_route_close(host_sk);
	return EXIT_OK;
}
