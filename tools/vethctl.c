/* vethctl - veth pairs and bridges over netlink: a pair with its peer born
 * inside a network namespace, addresses, a default route, bridges.
 *   vethctl add NAME [-n NS] [--addr CIDR] [--peer-addr CIDR] [--gateway] ...
 *   vethctl del NAME...|--group N | list [-j] | bridge add|del BR | connect NS1 NS2
 *   vethctl -b FILE|-   (many commands over one netlink socket)
 * Siblings: nsname(8) names namespaces, nsjoin(8) runs commands in them,
 * natctl(8) NATs their subnets. */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/stat.h>

#include "addr.h"
#include "jsonout.h"
#include "link.h"
#include "msg.h"
#include "netnsdir.h"
#include "nl.h"
#include "ns.h"
#include "parse.h"
#include "util.h"

#define MAX_ADDRS 4

struct opts {
	const struct cmd *cmd;
	char **args;
	int nargs;
	const char *batch, *master, *name, *netns, *peer;
	struct cidr addr[MAX_ADDRS], peer_addr[MAX_ADDRS];
	int naddr, npeer_addr;
	uint32_t mtu, group;
	bool gateway, json;
	/* Batch lines: where the line came from, and the usage message. */
	bool in_batch;
	char *err;
};

struct cmd {
	const char *name;
	int min, max;		/* operands after the command; -1: any */
	void (*run)(struct opts *);
};

static void cmd_add(struct opts *o);
static void cmd_bridge(struct opts *o);
static void cmd_connect(struct opts *o);
static void cmd_del(struct opts *o);
static void cmd_list(struct opts *o);

static const struct cmd cmds[] = {
	{ "add", 1, 1, cmd_add },
	{ "bridge", 2, 2, cmd_bridge },
	{ "connect", 2, 2, cmd_connect },
	{ "del", 0, -1, cmd_del },
	{ "list", 0, 0, cmd_list },
};

enum {
	OPT_ADDR = 0x100, OPT_GATEWAY, OPT_GROUP, OPT_MASTER, OPT_MTU,
	OPT_NAME, OPT_PEER, OPT_PEER_ADDR,
};

static const struct argp_option options[] = {
	{ "addr", OPT_ADDR, "CIDR", 0, "address of NAME (or BR, or NS1's end); repeat for IPv4 and IPv6", 0 },
	{ "batch", 'b', "FILE", 0, "run the commands in FILE (- for stdin), one per line", 0 },
	{ "gateway", OPT_GATEWAY, NULL, 0, "add: default route in NS via the host end's (or BR's) address", 0 },
	{ "group", OPT_GROUP, "N", 0, "add, bridge add: put the link in group N; del: delete group N", 0 },
	{ "json", 'j', NULL, 0, "list: print JSON", 0 },
	{ "master", OPT_MASTER, "BR", 0, "add: enslave the host end to bridge BR", 0 },
	{ "mtu", OPT_MTU, "N", 0, "MTU of both ends (68-65535)", 0 },
	{ "name", OPT_NAME, "NAME", 0, "connect: name of NS1's end (default eth0)", 0 },
	{ "netns", 'n', "NS", 0, "add: create the peer in NS (a name, PID or path)", 0 },
	{ "peer", OPT_PEER, "PEER", 0, "name of the peer end (default eth0)", 0 },
	{ "peer-addr", OPT_PEER_ADDR, "CIDR", 0, "address of the peer (or NS2's end); repeatable", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
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
	"  list [-j]           veth pairs with their peer's namespace name\n"
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

/* A usage error: argp's message and exit, or, on a batch line, the text
 * kept for the caller to print with the line's number. */
__attribute__((format(printf, 2, 3)))
static error_t usage(struct argp_state *state, const char *fmt, ...)
{
	struct opts *o = state->input;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		xerrc(EXIT_FAIL, ENOMEM, "parse");
	va_end(ap);
	if (!o->in_batch)
		argp_error(state, "%s", msg);
	free(o->err);
	o->err = msg;
	return EINVAL;
}

static error_t check_ifname(struct argp_state *state, const char *name)
{
	int r = link_name_check(name);

	if (r == -ENAMETOOLONG)
		return usage(state, "%s: interface name longer than %d bytes", name, LINK_NAME_MAX);
	if (r < 0)
		return usage(state, "'%s': invalid interface name", name);
	return 0;
}

static error_t add_cidr(struct argp_state *state, const char *arg, struct cidr *v, int *n)
{
	int r;

	if (*n == MAX_ADDRS)
		return usage(state, "%s: at most %d addresses per end", arg, MAX_ADDRS);
	r = cidr_parse(arg, &v[*n], true);
	if (r == -ERANGE)
		return usage(state, "%s: prefix length out of range", arg);
	if (r < 0)
		return usage(state, "'%s': not an address with a prefix (ADDR/LEN)", arg);
	(*n)++;
	return 0;
}

static bool is(const struct opts *o, const char *c)
{
	return streq(o->cmd->name, c);
}

/* Which options each command takes, and its operands. */
static error_t check_operands(struct argp_state *state, struct opts *o)
{
	const char *c = o->cmd->name;
	bool bridge_add = is(o, "bridge") && o->nargs && streq(o->args[0], "add");
	error_t e = 0;

	if (o->nargs < o->cmd->min || (o->cmd->max >= 0 && o->nargs > o->cmd->max))
		return usage(state, "%s: wrong number of operands", c);
	if (is(o, "bridge") && !bridge_add && !streq(o->args[0], "del"))
		return usage(state, "bridge: '%s': expected add or del", o->args[0]);
	if (o->json && !is(o, "list"))
		return usage(state, "%s: --json is for list", c);
	if (o->netns && !is(o, "add"))
		return usage(state, "%s: --netns is for add", c);
	if ((o->gateway || o->master) && !is(o, "add"))
		return usage(state, "%s: --gateway and --master are for add", c);
	if (o->peer && !is(o, "add") && !is(o, "connect"))
		return usage(state, "%s: --peer is for add and connect", c);
	if (o->name && !is(o, "connect"))
		return usage(state, "%s: --name is for connect", c);
	if (o->npeer_addr && !is(o, "add") && !is(o, "connect"))
		return usage(state, "%s: --peer-addr is for add and connect", c);
	if ((o->naddr || o->mtu) && !is(o, "add") && !is(o, "connect") && !bridge_add)
		return usage(state, "%s: --addr and --mtu are for add, connect and bridge add", c);
	if (o->group && !is(o, "add") && !is(o, "del") && !bridge_add)
		return usage(state, "%s: --group is for add, bridge add and del", c);
	if (is(o, "del") && (o->group != 0) == (o->nargs > 0))
		return usage(state, "del: give NAME... or --group N");
	if (is(o, "add") && !o->netns && !o->peer)
		return usage(state, "add: --peer PEER is needed without --netns (eth0 is for a namespace)");
	if (is(o, "add") && !o->netns && streq(o->peer, o->args[0]))
		return usage(state, "add: %s: NAME and PEER are the same", o->peer);
	if (o->gateway && (!o->netns || !o->npeer_addr || (!o->naddr && !o->master)))
		return usage(state, "add: --gateway needs --netns, --peer-addr and --addr or --master");
	for (int i = 0; i < o->nargs && !e; i++)
		if (!is(o, "connect") && !(is(o, "bridge") && i == 0))
			e = check_ifname(state, o->args[i]);
	if (!e && o->master)
		e = check_ifname(state, o->master);
	if (!e && o->peer)
		e = check_ifname(state, o->peer);
	if (!e && o->name)
		e = check_ifname(state, o->name);
	return e;
}

static error_t parse_number(struct argp_state *state, const char *opt, const char *arg,
			    uint64_t min, uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(arg, min, max, &v) < 0)
		return usage(state, "--%s: '%s': not a number in %ju-%ju", opt, arg,
			     (uintmax_t)min, (uintmax_t)max);
	*out = (uint32_t)v;
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case OPT_ADDR: return add_cidr(state, arg, o->addr, &o->naddr);
	case 'b': o->batch = arg; break;
	case OPT_GATEWAY: o->gateway = true; break;
	case OPT_GROUP: return parse_number(state, "group", arg, 1, UINT32_MAX, &o->group);
	case 'j': o->json = true; break;
	case OPT_MASTER: o->master = arg; break;
	case OPT_MTU: return parse_number(state, "mtu", arg, 68, 65535, &o->mtu);
	case OPT_NAME: o->name = arg; break;
	case 'n': o->netns = arg; break;
	case OPT_PEER: o->peer = arg; break;
	case OPT_PEER_ADDR: return add_cidr(state, arg, o->peer_addr, &o->npeer_addr);
	case ARGP_KEY_INIT:
		o->args = calloc(state->argc, sizeof(char *));
		if (!o->args)
			xerrc(EXIT_FAIL, ENOMEM, "parse");
		break;
	case ARGP_KEY_ARG:
		if (o->cmd) {
			o->args[o->nargs++] = arg;
			break;
		}
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			if (streq(arg, cmds[i].name))
				o->cmd = &cmds[i];
		if (!o->cmd)
			return usage(state, "'%s': unknown command", arg);
		break;
	case ARGP_KEY_END:
		if (o->batch && (o->cmd || o->in_batch || o->json || o->naddr || o->npeer_addr ||
				 o->mtu || o->group || o->gateway || o->master || o->name ||
				 o->netns || o->peer))
			return usage(state, o->in_batch ? "--batch inside a batch" :
				     "--batch takes no command and no other option");
		if (o->batch)
			break;
		if (!o->cmd)
			return usage(state, "a command is required");
		return check_operands(state, o);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options, parse_opt,
	"add NAME [-n NS] [--peer PEER] [--addr CIDR]... [--peer-addr CIDR]... [--gateway] [--master BR] [--mtu N] [--group N]\n"
	"bridge add BR [--addr CIDR]... [--mtu N] [--group N]\n"
	"bridge del BR\n"
	"connect NS1 NS2 [--name NAME] [--peer PEER] [--addr CIDR]... [--peer-addr CIDR]... [--mtu N]\n"
	"del NAME...|--group N\n"
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
	/* Evict round robin, never the socket handed out last: connect
	 * holds two at once. */
	i = ns_socks_next++ % ARRAY_SIZE(ns_socks);
	if (last && ns_socks[i].sk == last)
		i = ns_socks_next++ % ARRAY_SIZE(ns_socks);
	nl_route_close(ns_socks[i].sk);
	ns_socks[i].sk = link_sock_open_ns(nsfd);
	if (!ns_socks[i].sk)
		return NULL;
	ns_socks[i].dev = st.st_dev;
	ns_socks[i].ino = st.st_ino;
	ns_socks[i].lo_up = false;
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
		fail(0, "%s: %s", ref, ns_open_strerror(fd, CLONE_NEWNET));
	return fd;
}

static struct nl_sock *xns_sock(int nsfd, const char *ref)
{
	struct nl_sock *sk = ns_sock(nsfd, ref);

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
static bool gateway_for(const struct opts *o, int fam, int master, struct cidr *gw)
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
static void set_gateway(const struct undo *u, const struct opts *o, int master,
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

static void cmd_add(struct opts *o)
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

static void cmd_connect(struct opts *o)
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

static void cmd_bridge(struct opts *o)
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

/* Look every name up (one dump), delete the ones before the first that
 * is missing or not a veth (all of them, or with PARTIAL_OK none when one
 * is bad), then report that one. */
static void delete_pending(struct pending_del *v, size_t n, bool partial_ok)
{
	_cleanup_free_ const char **kind = calloc(n ? n : 1, sizeof(*kind));
	struct del_lookup d = { v, n, kind };
	size_t bad = n;
	int r;

	if (n == 0)
		return;
	if (!kind)
		fail(ENOMEM, "del");
	r = link_foreach(host_sk, match_pending, &d);
	if (r < 0)
		fail(r, "del");
	for (size_t i = 0; i < n && bad == n; i++)
		if (!v[i].ifindex || !streq(kind[i], "veth"))
			bad = i;
	if (bad == n || partial_ok)
		delete_gathered(v, bad);
	if (bad == n)
		return;
	where = v[bad].where;
	if (!v[bad].ifindex)
		fail(0, "%s: no such link", v[bad].name);
	fail(0, "%s: not a veth link", v[bad].name);
}

static void cmd_del(struct opts *o)
{
	struct pending_del *v;
	int r;

	if (o->group) {
		r = link_del_group(host_sk, o->group);
		if (r == -ENODEV)
			fail(0, "group %u: no such link", o->group);
		if (r == -EOPNOTSUPP)
			fail(0, "group %u: holds a link that cannot be deleted", o->group);
		if (r < 0)
			fail(r, "del --group %u", o->group);
		return;
	}
	v = calloc(o->nargs, sizeof(*v));
	if (!v)
		fail(ENOMEM, "del");
	for (int i = 0; i < o->nargs; i++)
		v[i].name = o->args[i];
	delete_pending(v, o->nargs, false);
	free(v);
}

/* list: the namespaces' names by the nsid this namespace has for them. */
struct nsid_name {
	int nsid;
	char *name;
};

struct list_state {
	struct link_info *links;
	size_t n, cap;
	struct nsid_name *ids;
	size_t nids;
};

static int collect_link(const struct link_info *li, void *data)
{
	struct list_state *s = data;

	if (s->n == s->cap) {
		struct link_info *nv = reallocarray(s->links, s->cap = s->cap ? 2 * s->cap : 64,
						    sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->links = nv;
	}
	s->links[s->n++] = *li;
	return 0;
}

static void collect_nsids(struct list_state *s)
{
	/* A socket of its own: nl_netns_nsid() leaves libnl's expected
	 * sequence number behind, and the batch's next request on the main
	 * socket would be refused as out of sequence. */
	struct nl_sock *sk = nl_route_open();
	char **names;
	size_t n;

	if (!sk || netns_names(&names, &n) < 0) {
		nl_route_close(sk);
		return;		/* no directory: no names, ids shown bare */
	}
	s->ids = calloc(n ? n : 1, sizeof(*s->ids));
	for (size_t i = 0; s->ids && i < n; i++) {
		_cleanup_close_ int fd = netns_open(names[i]);
		int id = fd >= 0 ? nl_netns_nsid(sk, fd) : -1;

		if (id >= 0) {
			s->ids[s->nids].nsid = id;
			s->ids[s->nids++].name = steal_pointer(&names[i]);
		}
	}
	netns_names_free(names);
	nl_route_close(sk);
}

static const char *nsid_name(const struct list_state *s, int nsid)
{
	for (size_t i = 0; i < s->nids; i++)
		if (s->ids[i].nsid == nsid)
			return s->ids[i].name;
	return NULL;
}

static const struct link_info *by_index(const struct list_state *s, int ifindex)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->links[i].ifindex == ifindex)
			return &s->links[i];
	return NULL;
}

/* The peer's name: from this namespace's dump, or asked of its own. */
static void peer_name(const struct list_state *s, const struct link_info *li, const char *ns,
		      char *buf, size_t size)
{
	struct link_info pi;

	snprintf(buf, size, "if%d", li->peer_ifindex);
	if (li->peer_nsid < 0) {
		const struct link_info *p = by_index(s, li->peer_ifindex);

		if (p)
			snprintf(buf, size, "%s", p->name);
	} else if (ns) {
		_cleanup_close_ int fd = netns_open(ns);
		struct nl_sock *sk = fd >= 0 ? ns_sock(fd, ns) : NULL;

		if (sk && link_get(sk, li->peer_ifindex, NULL, &pi) == 0)
			snprintf(buf, size, "%s", pi.name);
	}
}

static void print_pair(const struct list_state *s, const struct link_info *li,
		       struct json_object *arr)
{
	const char *ns = li->peer_nsid >= 0 ? nsid_name(s, li->peer_nsid) : NULL;
	const struct link_info *m = li->master ? by_index(s, li->master) : NULL;
	char peer[32];

	peer_name(s, li, ns, peer, sizeof(peer));
	if (arr) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "name", json_object_new_string(li->name));
		json_object_object_add(e, "ifindex", json_object_new_int(li->ifindex));
		json_object_object_add(e, "peer", json_object_new_string(peer));
		json_object_object_add(e, "peer_ifindex", json_object_new_int(li->peer_ifindex));
		json_object_object_add(e, "netns", ns ? json_object_new_string(ns) : NULL);
		json_object_object_add(e, "nsid", li->peer_nsid >= 0 ? json_object_new_int(li->peer_nsid) : NULL);
		json_object_object_add(e, "master", m ? json_object_new_string(m->name) : NULL);
		json_object_object_add(e, "group", json_object_new_uint64(li->group));
		json_object_object_add(e, "mtu", json_object_new_uint64(li->mtu));
		json_object_object_add(e, "up", json_object_new_boolean(li->up));
		json_object_array_add(arr, e);
		return;
	}
	char nsbuf[32];

	if (!ns && li->peer_nsid >= 0)
		snprintf(nsbuf, sizeof(nsbuf), "nsid:%d", li->peer_nsid);
	printf("%-16s %-16s %-16s %-16s %s\n", li->name, peer,
	       ns ? ns : li->peer_nsid >= 0 ? nsbuf : "-", m ? m->name : "-", li->up ? "up" : "down");
}

static void cmd_list(struct opts *o)
{
	struct list_state s = { 0 };
	struct json_object *arr = o->json ? json_object_new_array() : NULL;
	int r = link_foreach(host_sk, collect_link, &s);

	if (r < 0)
		fail(r, "list");
	collect_nsids(&s);
	if (!arr)
		printf("%-16s %-16s %-16s %-16s %s\n", "NAME", "PEER", "NETNS", "MASTER", "STATE");
	for (size_t i = 0; i < s.n; i++) {
		const struct link_info *li = &s.links[i];

		if (!streq(li->kind, "veth"))
			continue;
		/* Both ends here: show the pair once. */
		if (li->peer_nsid < 0 && li->peer_ifindex && li->peer_ifindex < li->ifindex &&
		    by_index(&s, li->peer_ifindex))
			continue;
		print_pair(&s, li, arr);
	}
	if (arr)
		json_print(arr);
	for (size_t i = 0; i < s.nids; i++)
		free(s.ids[i].name);
	free(s.ids);
	free(s.links);
}

/* Batch mode. Every line is parsed before any runs, so a usage error
 * anywhere changes nothing; then the lines run in order over the one
 * socket, consecutive del lines gathered into one deletion, and the
 * first failure stops the batch with its line in the message. */
struct line {
	struct opts o;
	char *where;
};

static const char *unknown_option(char **argv)
{
	for (char **a = argv + 1; *a; a++) {
		bool known = false;

		if ((*a)[0] != '-' || !(*a)[1])
			continue;
		if (streq(*a, "--"))
			return NULL;
		for (const struct argp_option *p = options; p->name; p++)
			if ((*a)[1] == '-' ? !strncmp(*a + 2, p->name, strcspn(*a + 2, "=")) &&
					     strlen(p->name) == strcspn(*a + 2, "=")
					   : (*a)[1] == p->key)
				known = true;
		if (!known)
			return *a;
	}
	return NULL;
}

static void parse_line(char *text, const char *where_, struct opts *o)
{
	size_t cap = 8, n = 1;
	char **argv = malloc(cap * sizeof(*argv));
	char *save = NULL;
	const char *bad;

	if (!argv)
		xerrc(EXIT_FAIL, ENOMEM, "batch");
	argv[0] = (char *)program_invocation_short_name;
	for (char *w = strtok_r(text, " \t\r\n", &save); w && *w != '#';
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n + 2 > cap && !(argv = reallocarray(argv, cap *= 2, sizeof(*argv))))
			xerrc(EXIT_FAIL, ENOMEM, "batch");
		argv[n++] = w;
	}
	argv[n] = NULL;
	*o = (struct opts){ .in_batch = true };
	if (n == 1) {
		free(argv);
		return;		/* blank or comment */
	}
	if (argp_parse(&argp, (int)n, argv, ARGP_NO_ERRS | ARGP_NO_EXIT | ARGP_NO_HELP, NULL, o) == 0) {
		free(argv);
		return;
	}
	bad = unknown_option(argv);
	free(argv);	/* the words live in TEXT; only the array goes */
	if (o->err)
		xerrc(EXIT_USAGE, 0, "%s: %s", where_, o->err);
	if (bad)
		xerrc(EXIT_USAGE, 0, "%s: '%s': unknown option", where_, bad);
	xerrc(EXIT_USAGE, 0, "%s: an option is missing its argument", where_);
}

static char *read_all(const char *file)
{
	FILE *f = streq(file, "-") ? stdin : fopen(file, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;

	if (!f)
		xerrc(EXIT_FAIL, errno, "%s", file);
	do {
		if (cap - len < 65536 && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
			xerrc(EXIT_FAIL, ENOMEM, "%s", file);
		r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
	} while (r > 0);
	if (ferror(f))
		xerrc(EXIT_FAIL, errno, "%s", file);
	if (f != stdin)
		fclose(f);
	buf[len] = 0;
	return buf;
}

static void run_batch(const char *file)
{
	char *text = read_all(file);
	struct line *lines = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	struct pending_del *dels = NULL;
	size_t ndel = 0, capdel = 0;

	for (char *p = text; *p;) {
		char *eol = strchr(p, '\n');

		if (eol)
			*eol = 0;
		lineno++;
		if (n == cap && !(lines = reallocarray(lines, cap = cap ? 2 * cap : 256, sizeof(*lines))))
			xerrc(EXIT_FAIL, ENOMEM, "batch");
		if (asprintf(&lines[n].where, "%s:%zu", streq(file, "-") ? "stdin" : file, lineno) < 0)
			xerrc(EXIT_FAIL, ENOMEM, "batch");
		parse_line(p, lines[n].where, &lines[n].o);
		if (lines[n].o.cmd) {
			n++;
		} else {
			free(lines[n].where);
			free(lines[n].o.args);
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct opts *o = &lines[i].o;

		if (o->cmd->run == cmd_del && !o->group) {
			for (int k = 0; k < o->nargs; k++) {
				if (ndel == capdel &&
				    !(dels = reallocarray(dels, capdel = capdel ? 2 * capdel : 256, sizeof(*dels))))
					xerrc(EXIT_FAIL, ENOMEM, "batch");
				dels[ndel++] = (struct pending_del){ o->args[k], lines[i].where, 0 };
			}
			continue;
		}
		delete_pending(dels, ndel, true);
		ndel = 0;
		where = lines[i].where;
		o->cmd->run(o);
		where = NULL;
	}
	delete_pending(dels, ndel, true);
	for (size_t i = 0; i < n; i++) {
		free(lines[i].o.args);
		free(lines[i].where);
	}
	free(lines);
	free(dels);
	free(text);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };

	nskit_init(EXIT_USAGE);
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	host_sk = nl_route_open();
	if (!host_sk)
		xerrc(EXIT_FAIL, errno, "netlink socket");
	if (o.batch)
		run_batch(o.batch);
	else
		o.cmd->run(&o);
	free(o.args);
	for (size_t i = 0; i < ARRAY_SIZE(ns_socks); i++)
		nl_route_close(ns_socks[i].sk);
	nl_route_close(host_sk);
	return EXIT_OK;
}
