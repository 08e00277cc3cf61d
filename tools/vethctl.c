/* vethctl - veth pairs and bridges over netlink: a pair with its peer born
 * inside a network namespace, addresses, a default route, bridges.
 *   vethctl add NAME [-n NS] [--addr CIDR] [--peer-addr CIDR] [--gateway] ...
 *   vethctl del [NAME...] [--group N] | list [-j] | bridge add|del BR | connect NS1 NS2
 *   vethctl vxlan add|del|list NAME ... | vxlan peer add|del NAME ... (several hosts)
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
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "batch.h"
#include "json.h"
#include "link.h"
#include "msg.h"
#include "netnsdir.h"
#include "nl.h"
#include "ns.h"
#include "nsref.h"
#include "rtnl.h"
#include "undo.h"
#include "util.h"
#include "vethargs.h"

struct cmd;
static void cmd_add(const struct cmd *c);
static void cmd_bridge(const struct cmd *c);
static void cmd_connect(const struct cmd *c);
static void cmd_del(const struct cmd *c);
static void cmd_list(const struct cmd *c);
static void cmd_vxlan(const struct cmd *c);

static void (*const run[])(const struct cmd *) = {
	[VETH_ADD] = cmd_add,
	[VETH_BRIDGE] = cmd_bridge,
	[VETH_CONNECT] = cmd_connect,
	[VETH_DEL] = cmd_del,
	[VETH_LIST] = cmd_list,
	[VETH_VXLAN] = cmd_vxlan,
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
	"  vxlan add NAME      a VXLAN device, up, without learning (port 4789);\n"
	"                      each --remote a default destination (L2 floods)\n"
	"  vxlan peer add NAME one forwarding entry (--mac to --remote), with\n"
	"                      --addr a neighbour entry, with --route a route\n"
	"                      via --addr onlink: a flannel-style peer\n"
	"  vxlan peer del NAME those same entries removed; vxlan del, vxlan list\n"
	"Commands may be shortened to a unique prefix; delete, ls and show work too.\n"
	"\n"
	"Examples:\n"
	"  nsname add jail && vethctl add veth-jail -n jail --addr 10.8.8.1/24 \\\n"
	"      --peer-addr 10.8.8.2/24 --gateway\n"
	"  vethctl bridge add br0 --addr 10.9.0.1/24 &&\n"
	"      vethctl add v1 -n j1 --master br0 --peer-addr 10.9.0.2/24 --gateway\n"
	"  seq 1000 | sed 's/.*/add v& --peer p& --group 7/' | vethctl -b -\n"
	"  vethctl del --group 7\n"
	"  vethctl vxlan add vx0 --vni 42 --local 192.0.2.1 --dev eth0 &&\n"
	"      vethctl vxlan peer add vx0 --remote 192.0.2.2 --mac 02:42:00:00:00:02 \\\n"
	"      --addr 10.244.2.0 --route 10.244.2.0/24\n"
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
	"vxlan add NAME --vni N --local ADDR [--remote ADDR]... [--port P] [--dev IFACE] [--master BR] [--mtu N] [--mac MAC] [-n NS]\n"
	"vxlan peer add|del NAME --remote ADDR --mac MAC [--addr IP [--route CIDR]] [-n NS]\n"
	"vxlan del NAME [-n NS]\n"
	"vxlan list [-j] [-n NS]\n"
	"-b FILE|-",
	doc, NULL, NULL, NULL,
};

/* The tool's state, owned by main(): its socket in this namespace, a few
 * sockets in other namespaces kept for a batch's next lines, and the undo
 * stack every command's plan pushes what it made onto. */
struct ns_sock {
	dev_t dev;
	ino_t ino;
	int fd;
	struct nl_sock *sk;	/* NULL: a free slot */
	bool lo_up;		/* lo brought up through it (or planned to be) */
	bool pinned;		/* in the plan being built: kept */
};

struct vethctl {
	struct nl_sock *host;
	struct ns_sock ns[16];
	unsigned next;
	struct undo undo;
};

/* One command: the command line, or one line of a batch. */
struct cmd {
	struct vethctl *t;
	const struct veth_args *o;
	const char *where;	/* "FILE:LINE" of a batch line, or NULL */
};

/* Take back what the command made, then the message (with the batch
 * line it came from), exit 1. */
__attribute__((format(printf, 3, 4)))
static noreturn void fail(const struct cmd *c, int errnum, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	xundo(&c->t->undo, EXIT_FAIL, errnum, "%s%s%s", c->where ? c->where : "",
	      c->where ? ": " : "", msg ? msg : fmt);
}

/* The socket in the network namespace REF (and the fd the plan gives the
 * kernel for it), pinned until unpin_all(); opened on first use. NULL
 * when QUIET and that fails; else the message and exit. */
static struct ns_sock *ns_get(const struct cmd *c, const char *ref, bool quiet)
{
	struct vethctl *t = c->t;
	int fd = ns_open_ref(ref, CLONE_NEWNET), e;
	struct ns_sock *s;
	struct stat st;
	unsigned i;

	if (fd < 0 && quiet)
		return NULL;
	if (fd == -EINVAL)
		fail(c, 0, "'%s': not a namespace name, pid or path", ref);
	if (fd < 0)
		fail(c, 0, "%s: %s%s", ref, ns_open_strerror(fd, CLONE_NEWNET), nskit_priv_hint_for(fd));
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		if (quiet)
			return NULL;
		fail(c, e, "%s", ref);
	}
	for (i = 0; i < ARRAY_SIZE(t->ns); i++)
		if (t->ns[i].sk && t->ns[i].dev == st.st_dev && t->ns[i].ino == st.st_ino) {
			close(fd);
			t->ns[i].pinned = true;
			return &t->ns[i];
		}
	/* Evict round robin, never a pinned one (a plan pins at most half). */
	do
		s = &t->ns[t->next++ % ARRAY_SIZE(t->ns)];
	while (s->pinned);
	if (s->sk) {
		nl_route_close(s->sk);
		close(s->fd);
	}
	*s = (struct ns_sock){ st.st_dev, st.st_ino, fd, link_sock_open_ns(fd), false, true };
	if (s->sk)
		return s;
	e = errno;
	close(fd);
	s->pinned = false;
	if (quiet)
		return NULL;
	/* Entering NS for the socket is what needs CAP_SYS_ADMIN. */
	if (e == EPERM || e == EACCES)
		nskit_priv_hint(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
	fail(c, e, "%s: netlink socket in namespace", ref);
}

static void unpin_all(struct vethctl *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(t->ns); i++)
		t->ns[i].pinned = false;
}

/* The bridge BR's ifindex; 0 when QUIET and it is not one. */
static int resolve_bridge(const struct cmd *c, const char *br, bool quiet)
{
	struct link_info i;
	int r = link_get(c->t->host, 0, br, &i);

	if (quiet && (r < 0 || !streq(i.kind, "bridge")))
		return 0;
	if (r == -ENODEV)
		fail(c, 0, "%s: no such bridge", br);
	if (r < 0)
		fail(c, r, "%s", br);
	if (!streq(i.kind, "bridge"))
		fail(c, 0, "%s: not a bridge", br);
	return i.ifindex;
}

/* --- add, connect, bridge add: plans ------------------------------------------ */

/* What a request of a plan is for, to word its failure. */
enum what { W_MAKE, W_ADDR, W_LO, W_UP, W_ROUTE, W_FDB, W_NEIGH, W_PROUTE };

static struct rtnl_req *req(struct rtnl_plan *p, enum rtnl_op op, size_t unit, unsigned ns,
			    const char *link, enum what what)
{
	struct rtnl_req *r = rtnl_add(p, op, unit, ns, link);

	r->what = what;
	return r;
}

static unsigned xplan_ns(const struct cmd *c, struct rtnl_plan *p, struct ns_sock *s)
{
	int i = s ? rtnl_plan_ns(p, s->sk) : 0;

	if (i < 0)
		fail(c, -i, "plan");
	return (unsigned)i;
}

/* Bring lo up in namespace S (once per namespace and batch). */
static void plan_lo(const struct cmd *c, struct rtnl_plan *p, size_t unit, struct ns_sock *s)
{
	if (!s->lo_up)
		req(p, RTNL_UP, unit, xplan_ns(c, p, s), "lo", W_LO);
	s->lo_up = true;
}

static void plan_addrs(const struct cmd *c, struct rtnl_plan *p, size_t unit, unsigned ns,
		       const char *link, const struct cidr *v, int n)
{
	for (int k = 0; k < n; k++) {
		struct rtnl_req *r = req(p, RTNL_ADDR, unit, ns, link, W_ADDR);

		r->addr.a = v[k];
		r->k = k;
	}
}

/* A default route in the peer's namespace for each family of the peer's
 * addresses, via the host end's address of that family, or the bridge's
 * when the host end is a bridge port. */
static void plan_gateways(const struct cmd *c, struct rtnl_plan *p, size_t unit, unsigned ns,
			  const char *peer, int master)
{
	const struct veth_args *o = c->o;
	bool done[2] = { false, false };

	for (int k = 0; k < o->npeer_addr; k++) {
		int fam = o->peer_addr[k].family;
		struct cidr gw;
		struct rtnl_req *r;

		if (done[fam == AF_INET6])
			continue;
		done[fam == AF_INET6] = true;
		if (rtnl_gateway_for(c->t->host, o->addr, (size_t)o->naddr, fam, master, &gw) < 0) {
			r = req(p, RTNL_FAILED, unit, ns, peer, W_ROUTE);
			r->err = 0;
		} else {
			r = req(p, RTNL_ROUTE, unit, ns, peer, W_ROUTE);
			r->route.dst = (struct cidr){ .family = fam };
			r->route.gw = gw;
		}
		r->k = k;
	}
}

/* An add line, what its plan needs: the peer's namespace, the bridge. */
struct add_line {
	struct cmd c;
	struct ns_sock *ns;	/* NULL: the peer stays here */
	int master;
};

/* Open what line C needs: false when QUIET and that fails. A namespace or
 * bridge named as on the line before (PREV, or NULL) is not looked up
 * again. */
static bool add_prepare(const struct cmd *c, struct add_line *a, const struct add_line *prev, bool quiet)
{
	const char *ns = c->o->netns, *br = c->o->master;

	*a = (struct add_line){ .c = *c };
	if (ns && prev && prev->ns && streq(prev->c.o->netns, ns))
		a->ns = prev->ns;
	else if (ns && !(a->ns = ns_get(c, ns, quiet)))
		return false;
	if (br && prev && prev->master && streq(prev->c.o->master, br))
		a->master = prev->master;
	else if (br)
		a->master = resolve_bridge(c, br, quiet);
	return !br || a->master > 0;
}

/* The requests of add line A as unit UNIT of P, in the order the line
 * alone would fail: the pair, the host end's addresses, lo and the peer
 * up, the peer's addresses and default routes. */
static void plan_add(struct rtnl_plan *p, const struct add_line *a, size_t unit)
{
	const struct cmd *c = &a->c;
	const struct veth_args *o = c->o;
	const char *name = o->args[0], *peer = o->peer ? o->peer : "eth0";
	unsigned pn = xplan_ns(c, p, a->ns);
	struct rtnl_req *r = req(p, RTNL_VETH, unit, 0, name, W_MAKE);

	r->veth = (struct link_veth){
		.name = name, .peer = peer, .netns_fd = -1, .peer_netns_fd = a->ns ? a->ns->fd : -1,
		.mtu = o->mtu, .master = a->master, .group = o->group, .up = true,
	};
	plan_addrs(c, p, unit, 0, name, o->addr, o->naddr);
	if (a->ns)
		plan_lo(c, p, unit, a->ns);
	req(p, RTNL_UP, unit, pn, peer, W_UP);
	plan_addrs(c, p, unit, pn, peer, o->peer_addr, o->npeer_addr);
	if (o->gateway)
		plan_gateways(c, p, unit, pn, peer, a->master);
}

/* Why a make got EEXIST: which of the two names is taken, and where. */
static noreturn void fail_exists(const struct cmd *c, const char *cmd, const char *name, struct nl_sock *sk,
				 const char *peer, struct nl_sock *peer_sk, const char *ns)
{
	if (link_index(sk, name) > 0)
		fail(c, 0, "%s %s: link %s already exists", cmd, name, name);
	if (link_index(peer_sk, peer) > 0)
		fail(c, 0, "%s %s: link %s already exists%s%s", cmd, name, peer,
		     ns ? " in network namespace " : "", ns ? ns : "");
	fail(c, EEXIST, "%s %s", cmd, name);
}

/* The words every plan's address failures share; false for others. */
static void fail_common(const struct cmd *c, const struct rtnl_req *r, const struct rtnl_error *e)
{
	char buf[CIDR_STRLEN];

	if (e->resolve)
		fail(c, e->err, "%s", r->link);
	if (r->what == W_ADDR)
		fail(c, e->err, "%s: %s", r->link, cidr_format(&r->addr.a, true, buf, sizeof(buf)));
}

/* The failure of add line A (its plan P had it as request E->req). */
static noreturn void fail_add(const struct add_line *a, const struct rtnl_plan *p, const struct rtnl_error *e)
{
	const struct cmd *c = &a->c;
	const struct veth_args *o = c->o;
	const char *name = o->args[0], *peer = o->peer ? o->peer : "eth0";
	const struct rtnl_req *r = &p->v[e->req];

	if (e->req == p->n)
		fail(c, e->err, "add %s", name);
	fail_common(c, r, e);
	switch ((enum what)r->what) {
	case W_MAKE:
		if (e->err == -EEXIST)
			fail_exists(c, "add", name, c->t->host, peer, a->ns ? a->ns->sk : c->t->host, o->netns);
		fail(c, e->err, "add %s", name);
	case W_LO:
		fail(c, e->err, "add %s: lo in %s", name, o->netns);
	case W_UP:
		fail(c, e->err, "add %s: %s up", name, peer);
	default:
		if (r->op == RTNL_FAILED)
			fail(c, 0, "add %s: --gateway: no IPv%c address on %s to route via", name,
			     o->peer_addr[r->k].family == AF_INET ? '4' : '6', a->master ? o->master : name);
		fail(c, e->err, "add %s: default route", name);
	}
}

static void cmd_add(const struct cmd *c)
{
	struct rtnl_plan p;
	struct rtnl_error e;
	struct add_line a;

	add_prepare(c, &a, NULL, false);
	rtnl_plan_init(&p, c->t->host);
	plan_add(&p, &a, 0);
	if (rtnl_run(&p, &c->t->undo, &e) < 0)
		fail_add(&a, &p, &e);
	rtnl_plan_free(&p);
	unpin_all(c->t);
}

static void cmd_connect(const struct cmd *c)
{
	const struct veth_args *o = c->o;
	const char *ns1 = o->args[0], *ns2 = o->args[1];
	const char *name = o->name ? o->name : "eth0", *peer = o->peer ? o->peer : "eth0";
	struct ns_sock *s1 = ns_get(c, ns1, false), *s2 = ns_get(c, ns2, false);
	struct rtnl_plan p;
	struct rtnl_error e;
	struct rtnl_req *r;
	unsigned n1, n2;

	if (s1 == s2)
		fail(c, 0, "connect: %s and %s are the same namespace", ns1, ns2);
	rtnl_plan_init(&p, c->t->host);
	n1 = xplan_ns(c, &p, s1);
	n2 = xplan_ns(c, &p, s2);
	r = req(&p, RTNL_VETH, 0, n1, name, W_MAKE);
	r->veth = (struct link_veth){ .name = name, .peer = peer, .netns_fd = s1->fd,
				      .peer_netns_fd = s2->fd, .mtu = o->mtu, .up = true };
	plan_lo(c, &p, 0, s1);
	plan_lo(c, &p, 0, s2);
	req(&p, RTNL_UP, 0, n2, peer, W_UP);
	plan_addrs(c, &p, 0, n1, name, o->addr, o->naddr);
	plan_addrs(c, &p, 0, n2, peer, o->peer_addr, o->npeer_addr);
	if (rtnl_run(&p, &c->t->undo, &e) == 0) {
		rtnl_plan_free(&p);
		unpin_all(c->t);
		return;
	}
	if (e.req < p.n)
		fail_common(c, &p.v[e.req], &e);
	if (e.req == p.n || p.v[e.req].what != W_MAKE)
		fail(c, e.err, "connect %s %s: up", ns1, ns2);
	if (e.err != -EEXIST)
		fail(c, e.err, "connect %s %s", ns1, ns2);
	if (link_index(s1->sk, name) > 0)
		fail(c, 0, "connect: link %s already exists in network namespace %s", name, ns1);
	fail_exists(c, "connect", ns1, s1->sk, peer, s2->sk, ns2);
}

static void bridge_add(const struct cmd *c)
{
	const char *br = c->o->args[1];
	struct rtnl_plan p;
	struct rtnl_error e;
	struct rtnl_req *r;

	rtnl_plan_init(&p, c->t->host);
	r = req(&p, RTNL_BRIDGE, 0, 0, br, W_MAKE);
	r->bridge.mtu = c->o->mtu;
	r->bridge.group = c->o->group;
	plan_addrs(c, &p, 0, 0, br, c->o->addr, c->o->naddr);
	if (rtnl_run(&p, &c->t->undo, &e) == 0) {
		rtnl_plan_free(&p);
		return;
	}
	if (e.req < p.n)
		fail_common(c, &p.v[e.req], &e);
	if (e.err == -EEXIST)
		fail(c, 0, "bridge add %s: link %s already exists", br, br);
	fail(c, e.err, "bridge add %s", br);
}

static void cmd_bridge(const struct cmd *c)
{
	const char *br = c->o->args[1];
	struct link_info i;
	int r;

	if (streq(c->o->args[0], "add")) {
		bridge_add(c);
		return;
	}
	r = link_get(c->t->host, 0, br, &i);
	if (r == -ENODEV)
		fail(c, 0, "%s: no such bridge", br);
	if (r < 0)
		fail(c, r, "bridge del %s", br);
	if (!streq(i.kind, "bridge"))
		fail(c, 0, "%s: not a bridge", br);
	r = link_del(c->t->host, i.ifindex, NULL);
	if (r < 0)
		fail(c, r, "bridge del %s", br);
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

/* A failure of a pending deletion: worded for its batch line. */
static const struct cmd *at_line(struct cmd *c, struct vethctl *t, const struct pending_del *p)
{
	*c = (struct cmd){ .t = t, .where = p ? p->where : NULL };
	return c;
}

static void delete_gathered(struct vethctl *t, struct pending_del *v, size_t n)
{
	int *idx = calloc(n ? n : 1, sizeof(*idx));
	struct cmd c;
	size_t gone;
	int r;

	if (!idx)
		fail(at_line(&c, t, NULL), ENOMEM, "del");
	for (size_t i = 0; i < n; i++)
		idx[i] = v[i].ifindex;
	r = rtnl_links_del(t->host, idx, n, &gone);
	free(idx);
	if (r < 0 && n == 1)
		fail(at_line(&c, t, NULL), r, "del %s", v[0].name);
	if (r < 0)
		fail(at_line(&c, t, NULL), r, "del");
	/* A link that vanished since the lookup was deleted by someone
	 * else: that del failed, as it would have a moment later. */
	if (gone < n)
		fail(at_line(&c, t, &v[gone]), 0, "%s: no such link", v[gone].name);
}

/* Look every name up (one dump): the position of the first that is
 * missing or not a veth, or N. */
static size_t lookup_pending(struct vethctl *t, struct pending_del *v, size_t n, const char **kind)
{
	struct del_lookup d = { v, n, kind };
	size_t bad = n;
	int r = link_foreach(t->host, match_pending, &d);
	struct cmd c;

	if (r < 0)
		fail(at_line(&c, t, NULL), r, "del");
	for (size_t i = 0; i < n && bad == n; i++)
		if (!v[i].ifindex || !streq(kind[i], "veth"))
			bad = i;
	return bad;
}

static noreturn void fail_pending(struct vethctl *t, const struct pending_del *p)
{
	struct cmd c;

	if (!p->ifindex)
		fail(at_line(&c, t, p), 0, "%s: no such link", p->name);
	fail(at_line(&c, t, p), 0, "%s: not a veth link", p->name);
}

/* Look every name up, delete the ones before the first that is missing
 * or not a veth (all of them, or with PARTIAL_OK none when one is bad),
 * then report that one. */
static void delete_pending(struct vethctl *t, struct pending_del *v, size_t n, bool partial_ok)
{
	_cleanup_free_ const char **kind = calloc(n ? n : 1, sizeof(*kind));
	struct cmd c;
	size_t bad;

	if (n == 0)
		return;
	if (!kind)
		fail(at_line(&c, t, NULL), ENOMEM, "del");
	bad = lookup_pending(t, v, n, kind);
	if (bad == n || partial_ok)
		delete_gathered(t, v, bad);
	if (bad < n)
		fail_pending(t, &v[bad]);
}

static void delete_group(const struct cmd *c, uint32_t group)
{
	int r = link_del_group(c->t->host, group);

	if (r == -ENODEV)
		fail(c, 0, "group %u: no such link", group);
	if (r == -EOPNOTSUPP)
		fail(c, 0, "group %u: holds a link that cannot be deleted", group);
	if (r < 0)
		fail(c, r, "del --group %u", group);
}

/* NAME... and --group N together: every name is checked first, then the
 * group goes (failing as it would alone, nothing deleted yet), then the
 * named pairs that were not in it, gathered as ever. */
static void cmd_del(const struct cmd *c)
{
	const struct veth_args *o = c->o;
	size_t n = (size_t)o->nargs, left = 0, bad;
	_cleanup_free_ struct pending_del *v = calloc(n ? n : 1, sizeof(*v));
	_cleanup_free_ const char **kind = calloc(n ? n : 1, sizeof(*kind));

	if (!v || !kind)
		fail(c, ENOMEM, "del");
	for (size_t i = 0; i < n; i++)
		v[i] = (struct pending_del){ .name = o->args[i], .where = c->where };
	if (!o->group) {
		delete_pending(c->t, v, n, false);
		return;
	}
	bad = n ? lookup_pending(c->t, v, n, kind) : 0;
	if (bad < n)
		fail_pending(c->t, &v[bad]);
	delete_group(c, o->group);
	for (size_t i = 0; i < n; i++)
		if (v[i].group != o->group)
			v[left++] = v[i];
	delete_gathered(c->t, v, left);
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

static void cmd_list(const struct cmd *c)
{
	struct list_state s = { .here.nsid = -1, .arr = c->o->json ? json_object_new_array() : NULL };
	int r = read_view(&s.here, c->t->host);

	if (r < 0)
		fail(c, r, "list");
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

/* --- vxlan: a VXLAN device and its peers, flannel-style ----------------------- */

/* A vxlan line (add, peer add, peer del), what its plan needs: the
 * namespace it works in, the underlay and the bridge there, and the
 * device's underlay family (a peer's --remote must be of it). */
struct vx_line {
	struct cmd c;
	struct ns_sock *ns;	/* NULL: this namespace */
	int dev, master;
	int family;		/* the device's --local's; 0: not known */
	int ifindex;		/* the device's, once looked up */
};

static struct nl_sock *vx_sock(const struct vx_line *a)
{
	return a->ns ? a->ns->sk : a->c.t->host;
}

static const char *vx_word(const struct veth_args *o)
{
	return o->vx == VX_ADD ? "vxlan add" : o->vx == VX_DEL ? "vxlan del" :
	       o->vx == VX_PEER_ADD ? "vxlan peer add" : o->vx == VX_PEER_DEL ? "vxlan peer del" : "vxlan list";
}

/* Where a name was looked for, for a message: " in network namespace NS". */
static const char *vx_where(const struct veth_args *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", o->netns ? " in network namespace " : "", o->netns ? o->netns : "");
	return buf;
}

/* The ifindex of link NAME (--OPT) in A's namespace, a bridge when BRIDGE;
 * 0 when QUIET and it is not there. */
static int vx_link(const struct vx_line *a, const char *opt, const char *name, bool bridge, bool quiet)
{
	const struct cmd *c = &a->c;
	char where[NAME_MAX + 32];
	struct link_info i;
	int r = link_get(vx_sock(a), 0, name, &i);

	if (quiet && (r < 0 || (bridge && !streq(i.kind, "bridge"))))
		return 0;
	if (r == -ENODEV)
		fail(c, 0, "%s %s: --%s %s: no such link%s", vx_word(c->o), c->o->args[0], opt, name,
		     vx_where(c->o, where, sizeof(where)));
	if (r < 0)
		fail(c, r, "%s %s: --%s %s", vx_word(c->o), c->o->args[0], opt, name);
	if (bridge && !streq(i.kind, "bridge"))
		fail(c, 0, "%s %s: --%s %s: not a bridge", vx_word(c->o), c->o->args[0], opt, name);
	return i.ifindex;
}

/* What vx_peer_there looks for: the forwarding entry MAC to REMOTE and
 * the neighbour ADDR on the device. */
struct peer_probe {
	const struct vx_line *a;
	bool fdb, neigh_other;	/* found; the neighbour has another MAC */
};

static int probe_fdb(const struct link_neigh *n, void *d)
{
	struct peer_probe *p = d;
	const struct veth_args *o = p->a->c.o;

	if (n->ifindex == p->a->ifindex && !memcmp(n->mac, o->mac, 6) && n->ip.family == o->remote[0].family &&
	    !memcmp(n->ip.addr.b, o->remote[0].addr.b, cidr_addr_len(&n->ip)))
		p->fdb = true;
	return 0;
}

static int probe_neigh(const struct link_neigh *n, void *d)
{
	struct peer_probe *p = d;
	const struct veth_args *o = p->a->c.o;

	if (n->ifindex == p->a->ifindex && n->ip.family == o->addr[0].family &&
	    !memcmp(n->ip.addr.b, o->addr[0].addr.b, cidr_addr_len(&n->ip)) && memcmp(n->mac, o->mac, 6))
		p->neigh_other = true;
	return 0;
}

/* Whether peer del line A names entries that are there: the kernel
 * deletes a MAC's forwarding entry whatever remote is asked for, and a
 * neighbour whatever its MAC, so "exactly those" is checked first. */
static bool vx_peer_there(const struct vx_line *a, bool quiet)
{
	const struct cmd *c = &a->c;
	const struct veth_args *o = c->o;
	struct peer_probe p = { .a = a };
	char mac[MAC_STRLEN], buf[CIDR_STRLEN];
	int r = link_neigh_foreach(vx_sock(a), AF_BRIDGE, probe_fdb, &p);

	if (r == 0 && o->naddr)
		r = link_neigh_foreach(vx_sock(a), o->addr[0].family, probe_neigh, &p);
	if (quiet && (r < 0 || !p.fdb || p.neigh_other))
		return false;
	if (r < 0)
		fail(c, r, "vxlan peer del %s", o->args[0]);
	mac_format(o->mac, mac, sizeof(mac));
	if (!p.fdb)
		fail(c, 0, "vxlan peer del %s: no peer %s at %s", o->args[0], mac,
		     cidr_format(&o->remote[0], false, buf, sizeof(buf)));
	if (p.neigh_other)
		fail(c, 0, "vxlan peer del %s: neighbour %s is not %s's", o->args[0],
		     cidr_format(&o->addr[0], false, buf, sizeof(buf)), mac);
	return true;
}

/* Open what line C needs: false when QUIET and that fails. A line on the
 * device the line before (PREV) made or looked up takes what it knew. */
static bool vx_prepare(const struct cmd *c, struct vx_line *a, const struct vx_line *prev, bool quiet)
{
	const struct veth_args *o = c->o;
	const char *name = o->args[0];
	bool same_ns = prev && (o->netns ? prev->c.o->netns && streq(prev->c.o->netns, o->netns) : !prev->c.o->netns);
	char where[NAME_MAX + 32], buf[CIDR_STRLEN];
	struct link_vxlan v;
	int r;

	*a = (struct vx_line){ .c = *c };
	if (same_ns)
		a->ns = prev->ns;
	else if (o->netns && !(a->ns = ns_get(c, o->netns, quiet)))
		return false;
	if (o->vx == VX_ADD) {
		a->family = o->local.family;
		if (o->dev && !(a->dev = vx_link(a, "dev", o->dev, false, quiet)))
			return false;
		return !o->master || (a->master = vx_link(a, "master", o->master, true, quiet)) > 0;
	}
	/* A peer of the device the line before made or looked up: known,
	 * unless a del must look its entries up (then the device must be
	 * there already). */
	if (same_ns && streq(prev->c.o->args[0], name) && prev->family &&
	    (prev->ifindex || o->vx != VX_PEER_DEL)) {
		a->family = prev->family;
		a->ifindex = prev->ifindex;
	} else {
		r = link_vxlan_get(vx_sock(a), name, &v);
		if (r < 0 && quiet)
			return false;
		if (r == -ENODEV)
			fail(c, 0, "%s %s: no such link%s", vx_word(o), name, vx_where(o, where, sizeof(where)));
		if (r == -EMEDIUMTYPE)
			fail(c, 0, "%s %s: not a vxlan device", vx_word(o), name);
		if (r < 0)
			fail(c, r, "%s %s", vx_word(o), name);
		a->family = v.local.family;
		a->ifindex = v.link.ifindex;
	}
	/* A peer's VTEP is reached over the device's underlay. */
	if (a->family && o->remote[0].family != a->family)
		fail(c, 0, "%s %s: --remote %s: the device's underlay is IPv%c", vx_word(o), name,
		     cidr_format(&o->remote[0], false, buf, sizeof(buf)), a->family == AF_INET ? '4' : '6');
	return o->vx != VX_PEER_DEL || vx_peer_there(a, quiet);
}

/* The requests of vxlan line A as unit UNIT of P. A peer is one
 * forwarding entry (its MAC to its underlay address), and with --addr one
 * neighbour entry (its VTEP address to that MAC), and with --route one
 * route (its subnet via that address, onlink): flannel's three per node.
 * They are on a link the plan does not make, so each is taken back on
 * its own when the line fails (RTNL_UNDO); a del deletes them in reverse. */
static void plan_vxlan(struct rtnl_plan *p, const struct vx_line *a, size_t unit)
{
	const struct veth_args *o = a->c.o;
	const char *name = o->args[0];
	unsigned ns = xplan_ns(&a->c, p, a->ns);
	bool del = o->vx == VX_PEER_DEL;
	unsigned flags = RTNL_UNDO | (del ? RTNL_DELETE : 0);
	struct rtnl_req *r;

	if (o->vx == VX_ADD) {
		r = req(p, RTNL_VXLAN, unit, ns, name, W_MAKE);
		r->vxlan = (struct rtnl_vxlan){ .vni = o->vni, .port = o->port, .local = o->local,
						.dev = a->dev, .master = a->master, .mtu = o->mtu };
		if (o->has_mac)
			memcpy(r->vxlan.mac, o->mac, 6);
		/* Default destinations: the all-zeros MAC, one entry per
		 * remote, where unknown and broadcast frames go (L2 mode). */
		for (int k = 0; k < o->nremote; k++) {
			r = req(p, RTNL_FDB, unit, ns, name, W_FDB);
			r->flags = RTNL_APPEND;
			r->fdb.dst = o->remote[k];
			r->k = k;
		}
		return;
	}
	for (int step = 0; step < 3; step++) {
		int which = del ? 2 - step : step;	/* fdb, neigh, route; del: reversed */

		if (which == 0) {
			r = req(p, RTNL_FDB, unit, ns, name, W_FDB);
			memcpy(r->fdb.mac, o->mac, 6);
			r->fdb.dst = o->remote[0];
		} else if (which == 1 && o->naddr) {
			r = req(p, RTNL_NEIGH, unit, ns, name, W_NEIGH);
			memcpy(r->neigh.mac, o->mac, 6);
			r->neigh.ip = o->addr[0];
		} else if (which == 2 && o->has_route) {
			r = req(p, RTNL_ROUTE, unit, ns, name, W_PROUTE);
			r->route.dst = o->route;
			r->route.gw = o->addr[0];
			r->route.onlink = true;
		} else {
			continue;
		}
		r->flags |= flags;
	}
}

/* The failure of vxlan line A (its plan P had it as request E->req). */
static noreturn void fail_vxlan(const struct vx_line *a, const struct rtnl_plan *p, const struct rtnl_error *e)
{
	const struct cmd *c = &a->c;
	const struct veth_args *o = c->o;
	const char *name = o->args[0], *cmd = vx_word(o);
	const struct rtnl_req *r = &p->v[e->req];
	bool del = o->vx == VX_PEER_DEL, gone = e->err == -ENOENT || e->err == -ESRCH;
	char buf[CIDR_STRLEN], gw[CIDR_STRLEN], mac[MAC_STRLEN], where[NAME_MAX + 32];

	if (e->req == p->n)
		fail(c, e->err, "%s %s", cmd, name);
	if (e->resolve && e->err == -ENODEV)
		fail(c, 0, "%s %s: no such link%s", cmd, name, vx_where(o, where, sizeof(where)));
	if (e->resolve)
		fail(c, e->err, "%s %s", cmd, name);
	mac_format(o->mac, mac, sizeof(mac));
	switch (r->what) {
	case W_MAKE:
		if (e->err != -EEXIST)
			fail(c, e->err, "%s %s", cmd, name);
		if (link_index(vx_sock(a), name) > 0)
			fail(c, 0, "%s %s: link %s already exists%s", cmd, name, name, vx_where(o, where, sizeof(where)));
		/* The kernel refuses a second device with the same VNI,
		 * port and local address the same way. */
		fail(c, 0, "%s %s: VNI %u on port %u is another device's", cmd, name, o->vni, o->port);
	case W_FDB:
		cidr_format(&r->fdb.dst, false, buf, sizeof(buf));
		if (o->vx == VX_ADD)
			fail(c, e->err, "%s %s: --remote %s", cmd, name, buf);
		if (!del && e->err == -EEXIST)
			fail(c, 0, "%s %s: a peer with MAC %s is there already", cmd, name, mac);
		if (del && gone)
			fail(c, 0, "%s %s: no peer %s at %s", cmd, name, mac, buf);
		fail(c, e->err, "%s %s: forwarding entry %s dst %s", cmd, name, mac, buf);
	case W_NEIGH:
		cidr_format(&r->neigh.ip, false, buf, sizeof(buf));
		if (!del && e->err == -EEXIST)
			fail(c, 0, "%s %s: a neighbour %s is there already", cmd, name, buf);
		if (del && gone)
			fail(c, 0, "%s %s: no neighbour %s", cmd, name, buf);
		fail(c, e->err, "%s %s: neighbour %s", cmd, name, buf);
	default:
		cidr_format(&r->route.dst, true, buf, sizeof(buf));
		cidr_format(&r->route.gw, false, gw, sizeof(gw));
		if (!del && e->err == -EEXIST)
			fail(c, 0, "%s %s: a route to %s is there already", cmd, name, buf);
		if (del && gone)
			fail(c, 0, "%s %s: no route to %s via %s", cmd, name, buf, gw);
		fail(c, e->err, "%s %s: route to %s via %s", cmd, name, buf, gw);
	}
}

static void vxlan_plan_run(const struct cmd *c)
{
	struct rtnl_plan p;
	struct rtnl_error e;
	struct vx_line a;

	vx_prepare(c, &a, NULL, false);
	rtnl_plan_init(&p, c->t->host);
	plan_vxlan(&p, &a, 0);
	if (rtnl_run(&p, &c->t->undo, &e) < 0)
		fail_vxlan(&a, &p, &e);
	rtnl_plan_free(&p);
	unpin_all(c->t);
}

/* Deleting the device takes its forwarding and neighbour entries and
 * its routes with it. */
static void vxlan_del(const struct cmd *c)
{
	const struct veth_args *o = c->o;
	struct vx_line a = { .c = *c };
	struct link_vxlan v;
	char where[NAME_MAX + 32];
	int r;

	a.ns = o->netns ? ns_get(c, o->netns, false) : NULL;
	r = link_vxlan_get(vx_sock(&a), o->args[0], &v);
	if (r == -ENODEV)
		fail(c, 0, "vxlan del %s: no such link%s", o->args[0], vx_where(o, where, sizeof(where)));
	if (r == -EMEDIUMTYPE)
		fail(c, 0, "vxlan del %s: not a vxlan device", o->args[0]);
	if (r == 0)
		r = link_del(vx_sock(&a), v.link.ifindex, NULL);
	if (r < 0)
		fail(c, r, "vxlan del %s", o->args[0]);
	unpin_all(c->t);
}

/* vxlan list: each device with its peers, read in four dumps (links,
 * forwarding entries, neighbours, routes) of its namespace. */
struct vx_list {
	struct link_vxlan *vx;
	size_t nvx;
	struct link_info *links;
	size_t nlinks;
	struct link_neigh *fdb, *neigh;
	size_t nfdb, nneigh;
	struct link_route *routes;
	size_t nroutes;
};

/* Append *ITEM of SIZE bytes to the array *V of *N. */
static int grow(void *v, size_t *n, const void *item, size_t size)
{
	char *nv = reallocarray(*(void **)v, *n + 1, size);

	if (!nv)
		return -ENOMEM;
	memcpy(nv + *n * size, item, size);
	*(void **)v = nv;
	(*n)++;
	return 0;
}

static int vx_collect(const struct link_vxlan *v, void *d)
{
	struct vx_list *l = d;

	return grow(&l->vx, &l->nvx, v, sizeof(*v));
}

static int link_collect(const struct link_info *i, void *d)
{
	struct vx_list *l = d;

	return grow(&l->links, &l->nlinks, i, sizeof(*i));
}

static bool on_vxlan(const struct vx_list *l, int ifindex)
{
	for (size_t i = 0; i < l->nvx; i++)
		if (l->vx[i].link.ifindex == ifindex)
			return true;
	return false;
}

static int fdb_collect(const struct link_neigh *n, void *d)
{
	struct vx_list *l = d;

	/* The device's own entries with a remote (not a bridge's). */
	if (!(n->flags & NTF_SELF) || !n->ip.family || !on_vxlan(l, n->ifindex))
		return 0;
	return grow(&l->fdb, &l->nfdb, n, sizeof(*n));
}

static int neigh_collect(const struct link_neigh *n, void *d)
{
	struct vx_list *l = d;

	if ((n->family != AF_INET && n->family != AF_INET6) || !on_vxlan(l, n->ifindex))
		return 0;
	return grow(&l->neigh, &l->nneigh, n, sizeof(*n));
}

static int route_collect(const struct link_route *r, void *d)
{
	struct vx_list *l = d;

	if (!r->gw.family || !on_vxlan(l, r->ifindex))
		return 0;
	return grow(&l->routes, &l->nroutes, r, sizeof(*r));
}

static const char *link_name_of(const struct vx_list *l, int ifindex)
{
	for (size_t i = 0; ifindex && i < l->nlinks; i++)
		if (l->links[i].ifindex == ifindex)
			return l->links[i].name;
	return NULL;
}

static struct json_object *json_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* The peer of forwarding entry F on device V: its neighbour (the first
 * entry with F's MAC on V) and the route via that neighbour's address. */
static void vx_peer_of(const struct vx_list *l, const struct link_neigh *f, char *addr, char *route, size_t size)
{
	const struct link_neigh *nb = NULL;

	snprintf(addr, size, "-");
	snprintf(route, size, "-");
	for (size_t i = 0; i < l->nneigh && !nb; i++)
		if (l->neigh[i].ifindex == f->ifindex && !memcmp(l->neigh[i].mac, f->mac, 6))
			nb = &l->neigh[i];
	if (!nb)
		return;
	cidr_format(&nb->ip, false, addr, size);
	for (size_t i = 0; i < l->nroutes; i++)
		if (l->routes[i].ifindex == f->ifindex && l->routes[i].gw.family == nb->ip.family &&
		    !memcmp(l->routes[i].gw.addr.b, nb->ip.addr.b, cidr_addr_len(&nb->ip))) {
			cidr_format(&l->routes[i].dst, true, route, size);
			return;
		}
}

static void vx_print(const struct vx_list *l, const struct link_vxlan *v, struct json_object *arr)
{
	const char *dev = link_name_of(l, v->dev), *master = link_name_of(l, v->link.master);
	struct json_object *o = arr ? json_object_new_object() : NULL;
	struct json_object *remotes = arr ? json_object_new_array() : NULL;
	struct json_object *peers = arr ? json_object_new_array() : NULL;
	char local[CIDR_STRLEN] = "-", buf[CIDR_STRLEN], addr[CIDR_STRLEN], route[CIDR_STRLEN], mac[MAC_STRLEN];
	char rlist[256] = "";
	size_t len = 0;

	if (v->local.family)
		cidr_format(&v->local, false, local, sizeof(local));
	/* Default destinations first: the all-zeros MAC's remotes. */
	for (size_t i = 0; i < l->nfdb; i++) {
		const struct link_neigh *f = &l->fdb[i];
		int w;

		if (f->ifindex != v->link.ifindex || !mac_is_zero(f->mac))
			continue;
		cidr_format(&f->ip, false, buf, sizeof(buf));
		if (remotes)
			json_object_array_add(remotes, json_object_new_string(buf));
		w = snprintf(rlist + len, sizeof(rlist) - len, "%s%s", len ? "," : "", buf);
		if (w > 0 && (size_t)w < sizeof(rlist) - len)
			len += (size_t)w;
	}
	if (!arr)
		printf("%-16s %-8u %-24s %-5u %-16s %-16s %-5u %-5s %s\n", v->link.name, v->vni, local, v->port,
		       dev ? dev : "-", master ? master : "-", v->link.mtu, v->link.up ? "up" : "down",
		       len ? rlist : "-");
	for (size_t i = 0; i < l->nfdb; i++) {
		const struct link_neigh *f = &l->fdb[i];

		if (f->ifindex != v->link.ifindex || mac_is_zero(f->mac))
			continue;
		mac_format(f->mac, mac, sizeof(mac));
		cidr_format(&f->ip, false, buf, sizeof(buf));
		vx_peer_of(l, f, addr, route, sizeof(addr));
		if (!arr) {
			printf("  peer %s remote %s addr %s route %s\n", mac, buf, addr, route);
			continue;
		}
		struct json_object *pj = json_object_new_object();

		json_object_object_add(pj, "mac", json_object_new_string(mac));
		json_object_object_add(pj, "remote", json_object_new_string(buf));
		json_object_object_add(pj, "addr", json_str_or_null(streq(addr, "-") ? NULL : addr));
		json_object_object_add(pj, "route", json_str_or_null(streq(route, "-") ? NULL : route));
		json_object_array_add(peers, pj);
	}
	if (!arr)
		return;
	json_object_object_add(o, "name", json_object_new_string(v->link.name));
	json_object_object_add(o, "mac", json_object_new_string(mac_format(v->mac, mac, sizeof(mac))));
	json_object_object_add(o, "vni", json_object_new_uint64(v->vni));
	json_object_object_add(o, "local", json_str_or_null(v->local.family ? local : NULL));
	json_object_object_add(o, "port", json_object_new_uint64(v->port));
	json_object_object_add(o, "dev", json_str_or_null(dev));
	json_object_object_add(o, "master", json_str_or_null(master));
	json_object_object_add(o, "mtu", json_object_new_uint64(v->link.mtu));
	json_object_object_add(o, "up", json_object_new_boolean(v->link.up));
	json_object_object_add(o, "learning", json_object_new_boolean(v->learning));
	json_object_object_add(o, "remotes", remotes);
	json_object_object_add(o, "peers", peers);
	json_object_array_add(arr, o);
}

static void vxlan_list(const struct cmd *c)
{
	const struct veth_args *o = c->o;
	struct vx_line a = { .c = *c };
	struct vx_list l = { 0 };
	struct json_object *arr = o->json ? json_object_new_array() : NULL;
	struct nl_sock *sk;
	int r;

	a.ns = o->netns ? ns_get(c, o->netns, false) : NULL;
	sk = vx_sock(&a);
	r = link_vxlan_foreach(sk, vx_collect, &l);
	if (r == 0 && l.nvx)
		r = link_foreach(sk, link_collect, &l);
	if (r == 0 && l.nvx)
		r = link_neigh_foreach(sk, AF_BRIDGE, fdb_collect, &l);
	if (r == 0 && l.nvx)
		r = link_neigh_foreach(sk, AF_UNSPEC, neigh_collect, &l);
	if (r == 0 && l.nvx)
		r = link_route_foreach(sk, AF_UNSPEC, route_collect, &l);
	if (r < 0) {
		json_object_put(arr);
		fail(c, r, "vxlan list");
	}
	if (!arr)
		printf("%-16s %-8s %-24s %-5s %-16s %-16s %-5s %-5s %s\n", "NAME", "VNI", "LOCAL", "PORT", "DEV",
		       "MASTER", "MTU", "STATE", "REMOTES");
	for (size_t i = 0; i < l.nvx; i++)
		vx_print(&l, &l.vx[i], arr);
	if (arr)
		json_print(arr);
	free(l.vx);
	free(l.links);
	free(l.fdb);
	free(l.neigh);
	free(l.routes);
	unpin_all(c->t);
}

static void cmd_vxlan(const struct cmd *c)
{
	switch (c->o->vx) {
	case VX_DEL:
		vxlan_del(c);
		break;
	case VX_LIST:
		vxlan_list(c);
		break;
	default:
		vxlan_plan_run(c);
		break;
	}
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

/* Consecutive add lines of a batch, gathered into one plan, a unit a
 * line. The kernel runs each request while it is sent, but a link coming
 * up leaves work to kernel workers (link state events, IPv6 address
 * configuration) that take the rtnl lock the next request needs: bringing
 * each peer up right after its pair is made had every later request wait
 * on that work (perf: 10% of the time spinning on the lock's owner,
 * against 3% this way). The executor makes all the group's pairs first,
 * then brings the peers up, addresses and routes them, as `ip -batch` then
 * `ip -n NS -batch` do. A line still fails as it would alone: the first
 * failing line is reported with its FILE:LINE after the pairs it and the
 * group's later lines made are removed; the earlier lines stay. */
#define GROUP_NS_MAX 8		/* namespaces of one group: half the sockets */

/* Which lines gather with their neighbours into one plan: consecutive
 * add lines, and consecutive vxlan add and peer lines (a device and its
 * fifty peers are one pipelined run, the device made first, then 150
 * entries back to back). Either way a line fails as it would alone, its
 * own entries taken back. */
enum gather { GATHER_NONE, GATHER_ADD, GATHER_VXLAN };

static enum gather gathers(const struct veth_args *o)
{
	if (o->cmd == VETH_ADD)
		return GATHER_ADD;
	if (o->cmd == VETH_VXLAN && (o->vx == VX_ADD || o->vx == VX_PEER_ADD || o->vx == VX_PEER_DEL))
		return GATHER_VXLAN;
	return GATHER_NONE;
}

union prepared {
	struct add_line add;
	struct vx_line vx;
};

static bool group_prepare(const struct cmd *c, enum gather kind, union prepared *a, size_t g)
{
	if (kind == GATHER_ADD)
		return add_prepare(c, &a[g].add, g ? &a[g - 1].add : NULL, true);
	return vx_prepare(c, &a[g].vx, g ? &a[g - 1].vx : NULL, true);
}

static void run_group(struct vethctl *t, const struct line *l, size_t n, enum gather kind)
{
	while (n > 0) {
		_cleanup_free_ union prepared *a = calloc(n, sizeof(*a));
		struct rtnl_plan p;
		struct rtnl_error e;
		struct cmd c = { .t = t };
		size_t g = 0;

		if (!a)
			fail(&c, ENOMEM, "batch");
		rtnl_plan_init(&p, t->host);
		for (; g < n && p.nsk <= GROUP_NS_MAX; g++) {
			c = (struct cmd){ t, &l[g].o, l[g].where };
			if (!group_prepare(&c, kind, a, g))
				break;
			if (kind == GATHER_ADD)
				plan_add(&p, &a[g].add, g);
			else
				plan_vxlan(&p, &a[g].vx, g);
		}
		if (g == 0) {
			/* What it names (a namespace, a bridge, a device) is not
			 * there: alone, the line says so (or, if it came
			 * meanwhile, runs). */
			if (kind == GATHER_ADD)
				cmd_add(&c);
			else
				vxlan_plan_run(&c);
		} else if (rtnl_run(&p, &t->undo, &e) < 0) {
			undo_commit(&t->undo, 0);	/* the lines before stay */
			if (kind == GATHER_ADD)
				fail_add(&a[e.unit].add, &p, &e);
			fail_vxlan(&a[e.unit].vx, &p, &e);
		}
		undo_commit(&t->undo, 0);
		rtnl_plan_free(&p);
		unpin_all(t);
		g = g ? g : 1;
		l += g, n -= g;
	}
}

static void run_batch(struct vethctl *t, const char *file)
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
		delete_pending(t, dels, ndel, true);
		ndel = 0;
		if (gathers(o)) {
			size_t k = i;

			while (k < n && gathers(&lines[k].o) == gathers(o))
				k++;
			run_group(t, &lines[i], k - i, gathers(o));
			i = k - 1;
			continue;
		}
		run[o->cmd](&(struct cmd){ t, o, lines[i].where });
		undo_commit(&t->undo, 0);
	}
	delete_pending(t, dels, ndel, true);
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
	struct vethctl t = { .undo = UNDO_INIT };

	nskit_init(EXIT_USAGE);
	nskit_priv_hint(CAP_NET_ADMIN, "CAP_NET_ADMIN");
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	t.host = nl_route_open();
	if (!t.host)
		xerrc(EXIT_FAIL, errno, "netlink socket");
	if (o.batch)
		run_batch(&t, o.batch);
	else
		run[o.cmd](&(struct cmd){ &t, &o, NULL });
	undo_free(&t.undo);
	vethargs_free(&o);
	for (size_t i = 0; i < ARRAY_SIZE(t.ns); i++)
		if (t.ns[i].sk) {
			nl_route_close(t.ns[i].sk);
			close(t.ns[i].fd);
		}
	nl_route_close(t.host);
	return EXIT_OK;
}
