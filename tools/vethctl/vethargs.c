/* vethargs.c - vethctl's command line, for argv and for batch lines. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "batch.h"
#include "link.h"
#include "msg.h"
#include "parse.h"
#include "util.h"
#include "vethargs.h"

static const struct {
	const char *name;
	int min, max;		/* operands after the command; -1: any */
} cmds[] = {
	[VETH_ADD] = { "add", 1, 1 },
	[VETH_BRIDGE] = { "bridge", 2, 2 },
	[VETH_CONNECT] = { "connect", 2, 2 },
	[VETH_DEL] = { "del", 0, -1 },
	[VETH_LIST] = { "list", 0, 0 },
	[VETH_VXLAN] = { "vxlan", 0, 1 },	/* checked by .vx */
};

enum {
	OPT_ADDR = 0x100, OPT_DEV, OPT_GATEWAY, OPT_GROUP, OPT_LOCAL, OPT_MAC, OPT_MASTER, OPT_MTU,
	OPT_NAME, OPT_PEER, OPT_PEER_ADDR, OPT_PORT, OPT_REMOTE, OPT_ROUTE, OPT_VNI,
};

const struct argp_option vethargs_options[] = {
	{ "addr", OPT_ADDR, "CIDR", 0, "address of NAME (or BR, or NS1's end); repeat for IPv4 and IPv6;"
	  " vxlan peer: the peer's VTEP address (no prefix), a neighbour entry", 0 },
	{ "batch", 'b', "FILE", 0, "run the commands in FILE (- for stdin), one per line", 0 },
	{ "dev", OPT_DEV, "IFACE", 0, "vxlan add: the underlay link", 0 },
	{ "gateway", OPT_GATEWAY, NULL, 0, "add: default route in NS via the host end's (or BR's) address", 0 },
	{ "group", OPT_GROUP, "N", 0, "add, bridge add: put the link in group N; del: delete group N", 0 },
	{ "json", 'j', NULL, 0, "list, vxlan list: print JSON", 0 },
	{ "local", OPT_LOCAL, "ADDR", 0, "vxlan add: the tunnel's source address (IPv4 or IPv6)", 0 },
	{ "mac", OPT_MAC, "MAC", 0, "vxlan peer: the peer's VTEP MAC; vxlan add: the device's own", 0 },
	{ "master", OPT_MASTER, "BR", 0, "add, vxlan add: enslave the host end (the device) to bridge BR", 0 },
	{ "mtu", OPT_MTU, "N", 0, "MTU of both ends (or the device) (68-65535)", 0 },
	{ "name", OPT_NAME, "NAME", 0, "connect: name of NS1's end (default eth0)", 0 },
	{ "netns", 'n', "NS", 0, "add: create the peer in NS (a name, PID or path); vxlan: work in NS", 0 },
	{ "peer", OPT_PEER, "PEER", 0, "name of the peer end (default eth0)", 0 },
	{ "peer-addr", OPT_PEER_ADDR, "CIDR", 0, "address of the peer (or NS2's end); repeatable", 0 },
	{ "port", OPT_PORT, "P", 0, "vxlan add: UDP destination port (default 4789)", 0 },
	{ "remote", OPT_REMOTE, "ADDR", 0, "vxlan add: a default destination, repeatable; vxlan peer: the peer's"
	  " underlay address", 0 },
	{ "route", OPT_ROUTE, "CIDR", 0, "vxlan peer: route CIDR via the peer's --addr, onlink", 0 },
	{ "vni", OPT_VNI, "N", 0, "vxlan add: the VXLAN network identifier (0-16777215)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

/* A usage error: the message kept for the caller, EINVAL returned. */
__attribute__((format(printf, 2, 3)))
static error_t usage(struct veth_args *a, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return ENOMEM;
	free(a->err);
	a->err = nskit_oneline(msg);
	free(msg);
	return a->err ? EINVAL : ENOMEM;
}

static error_t check_ifname(struct veth_args *a, const char *name)
{
	int r = link_name_check(name);

	if (r == -ENAMETOOLONG)
		return usage(a, "%s: interface name longer than %d bytes", name, LINK_NAME_MAX);
	if (r < 0)
		return usage(a, "'%s': invalid interface name", name);
	return 0;
}

/* A bare address (ADDR, no prefix) into *C. */
static error_t parse_ip(struct veth_args *a, const char *opt, const char *arg, struct cidr *c)
{
	static const uint8_t any[16];

	if (strchr(arg, '/') || cidr_parse(arg, c, false) < 0)
		return usage(a, "--%s: '%s': not an IPv4 or IPv6 address", opt, arg);
	if (!memcmp(c->addr.b, any, cidr_addr_len(c)))
		return usage(a, "--%s: %s: the unspecified address", opt, arg);
	return 0;
}

static error_t parse_mac(struct veth_args *a, const char *arg)
{
	if (mac_parse(arg, a->mac) < 0)
		return usage(a, "--mac: '%s': not a MAC address (six hex pairs: 02:00:0a:01:02:03)", arg);
	if (!mac_is_unicast(a->mac))
		return usage(a, "--mac: %s: not a unicast address (multicast or all zeros)", arg);
	a->has_mac = true;
	return 0;
}

static error_t add_remote(struct veth_args *a, const char *arg)
{
	error_t e;

	if (a->nremote == VETH_MAX_REMOTES)
		return usage(a, "--remote: at most %d", VETH_MAX_REMOTES);
	if ((e = parse_ip(a, "remote", arg, &a->remote[a->nremote])) != 0)
		return e;
	for (int i = 0; i < a->nremote; i++)
		if (!memcmp(&a->remote[i], &a->remote[a->nremote], sizeof(a->remote[i])))
			return usage(a, "--remote: %s given twice", arg);
	a->nremote++;
	return 0;
}

static error_t add_cidr(struct veth_args *a, const char *arg, struct cidr *v, int *n)
{
	int r;

	if (*n == VETH_MAX_ADDRS)
		return usage(a, "%s: at most %d addresses per end", arg, VETH_MAX_ADDRS);
	/* vxlan peer's --addr is a bare address, known only once the
	 * command is: a bare one is refused for the others at the end. */
	r = cidr_parse(arg, &v[*n], v != a->addr);
	if (r == 0 && !strchr(arg, '/') && !a->addr_bare)
		a->addr_bare = arg;
	if (r == -ERANGE)
		return usage(a, "%s: prefix length out of range", arg);
	if (r < 0)
		return usage(a, "'%s': not an address with a prefix (ADDR/LEN)", arg);
	(*n)++;
	return 0;
}

static const char *const vx_names[] = {
	[VX_ADD] = "vxlan add", [VX_DEL] = "vxlan del", [VX_LIST] = "vxlan list",
	[VX_PEER_ADD] = "vxlan peer add", [VX_PEER_DEL] = "vxlan peer del",
};

/* vxlan's subcommands: which options each takes, and the checks a user
 * meets most (VNI range, families, the peer's words) before any change. */
static error_t check_vxlan(struct veth_args *a)
{
	bool add = a->vx == VX_ADD, peer = a->vx == VX_PEER_ADD || a->vx == VX_PEER_DEL;
	const char *c = vx_names[a->vx];
	char buf[CIDR_STRLEN];

	if (a->vx == VX_NONE)
		return usage(a, "vxlan: a command is required (add, del, list, peer)");
	if (a->vx == VX_PEER)
		return usage(a, "vxlan peer: a command is required (add, del)");
	if (a->nargs != (a->vx == VX_LIST ? 0 : 1))
		return usage(a, "%s: wrong number of operands", c);
	if (a->gateway || a->group || a->name || a->peer || a->npeer_addr)
		return usage(a, "%s: --gateway, --group, --name, --peer and --peer-addr are not for vxlan", c);
	if (a->json && a->vx != VX_LIST)
		return usage(a, "%s: --json is for list", c);
	if (!add && (a->has_vni || a->local.family || a->port || a->dev || a->master || a->mtu))
		return usage(a, "%s: --vni, --local, --port, --dev, --master and --mtu are for vxlan add", c);
	if (!peer && (a->naddr || a->has_route))
		return usage(a, "%s: --addr and --route are for vxlan peer", c);
	if (!add && !peer && (a->nremote || a->has_mac))
		return usage(a, "%s: --remote and --mac are for vxlan add and vxlan peer", c);
	if (a->nargs && check_ifname(a, a->args[0]))
		return EINVAL;
	if (add) {
		if (!a->has_vni || !a->local.family)
			return usage(a, "vxlan add: --vni and --local are needed");
		for (int i = 0; i < a->nremote; i++)
			if (a->remote[i].family != a->local.family)
				return usage(a, "vxlan add: --remote %s: not of --local's family (IPv%c)",
					     cidr_format(&a->remote[i], false, buf, sizeof(buf)),
					     a->local.family == AF_INET ? '4' : '6');
		if (a->dev && check_ifname(a, a->dev))
			return EINVAL;
		if (a->master && check_ifname(a, a->master))
			return EINVAL;
		if (!a->port)
			a->port = VXLAN_PORT;
		return 0;
	}
	if (!peer)
		return 0;
	if (a->nremote != 1 || !a->has_mac)
		return usage(a, "%s: --remote ADDR and --mac MAC are needed, once each", c);
	if (a->naddr > 1)
		return usage(a, "%s: one --addr", c);
	if (a->naddr && !a->addr_bare)
		return usage(a, "%s: --addr: an address without a prefix (the peer's VTEP address)", c);
	if (a->has_route && !a->naddr)
		return usage(a, "%s: --route needs --addr (the next hop)", c);
	if (a->has_route && a->route.family != a->addr[0].family)
		return usage(a, "%s: --route %s: not of --addr's family", c,
			     cidr_format(&a->route, true, buf, sizeof(buf)));
	return 0;
}

/* Which options each command takes, and its operands. */
static error_t check_operands(struct veth_args *a)
{
	enum veth_cmd cmd = a->cmd;
	const char *c = cmds[cmd].name;
	bool bridge_add = cmd == VETH_BRIDGE && a->nargs && streq(a->args[0], "add");
	bool add = cmd == VETH_ADD, connect = cmd == VETH_CONNECT;
	error_t e = 0;

	if (cmd == VETH_VXLAN)
		return check_vxlan(a);
	if (a->dev || a->has_vni || a->local.family || a->nremote || a->has_mac || a->has_route || a->port)
		return usage(a, "%s: --dev, --local, --mac, --port, --remote, --route and --vni are for vxlan", c);
	if (a->addr_bare)
		return usage(a, "'%s': not an address with a prefix (ADDR/LEN)", a->addr_bare);
	if (a->nargs < cmds[cmd].min || (cmds[cmd].max >= 0 && a->nargs > cmds[cmd].max))
		return usage(a, "%s: wrong number of operands", c);
	if (a->json && cmd != VETH_LIST)
		return usage(a, "%s: --json is for list", c);
	if (a->netns && !add)
		return usage(a, "%s: --netns is for add and vxlan", c);
	if ((a->gateway || a->master) && !add)
		return usage(a, "%s: --gateway and --master are for add", c);
	if (a->peer && !add && !connect)
		return usage(a, "%s: --peer is for add and connect", c);
	if (a->name && !connect)
		return usage(a, "%s: --name is for connect", c);
	if (a->npeer_addr && !add && !connect)
		return usage(a, "%s: --peer-addr is for add and connect", c);
	if ((a->naddr || a->mtu) && !add && !connect && !bridge_add)
		return usage(a, "%s: --addr and --mtu are for add, connect and bridge add", c);
	if (a->group && !add && cmd != VETH_DEL && !bridge_add)
		return usage(a, "%s: --group is for add, bridge add and del", c);
	if (cmd == VETH_DEL && !a->group && !a->nargs)
		return usage(a, "del: give NAME..., --group N or both");
	if (add && !a->netns && !a->peer)
		return usage(a, "add: --peer PEER is needed without --netns (eth0 is for a namespace)");
	if (add && !a->netns && streq(a->peer, a->args[0]))
		return usage(a, "add: %s: NAME and PEER are the same", a->peer);
	if (a->gateway && (!a->netns || !a->npeer_addr || (!a->naddr && !a->master)))
		return usage(a, "add: --gateway needs --netns, --peer-addr and --addr or --master");
	/* connect's operands are namespaces, bridge's first is add|del. */
	for (int i = 0; i < a->nargs && !e; i++)
		if (!connect && !(cmd == VETH_BRIDGE && i == 0))
			e = check_ifname(a, a->args[i]);
	if (!e && a->master)
		e = check_ifname(a, a->master);
	if (!e && a->peer)
		e = check_ifname(a, a->peer);
	if (!e && a->name)
		e = check_ifname(a, a->name);
	return e;
}

static error_t parse_number(struct veth_args *a, const char *opt, const char *arg,
			    uint64_t min, uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(arg, min, max, &v) < 0)
		return usage(a, "--%s: '%s': not a number in %ju-%ju", opt, arg,
			     (uintmax_t)min, (uintmax_t)max);
	*out = (uint32_t)v;
	return 0;
}

/* Command words as iproute2 takes them: unique prefixes, and its
 * spellings delete, ls, lst and show. */
static const struct word words[] = {
	{ "add", VETH_ADD }, { "bridge", VETH_BRIDGE }, { "connect", VETH_CONNECT },
	{ "del", VETH_DEL }, { "list", VETH_LIST }, { "vxlan", VETH_VXLAN },
	{ "delete", VETH_DEL }, { "ls", VETH_LIST }, { "lst", VETH_LIST }, { "show", VETH_LIST },
};
static const struct word bridge_words[] = { { "add", 0 }, { "del", 1 }, { "delete", 1 } };
static const struct word vxlan_words[] = {
	{ "add", VX_ADD }, { "del", VX_DEL }, { "list", VX_LIST }, { "peer", VX_PEER },
	{ "delete", VX_DEL }, { "ls", VX_LIST }, { "lst", VX_LIST }, { "show", VX_LIST },
};
static const struct word peer_words[] = { { "add", VX_PEER_ADD }, { "del", VX_PEER_DEL }, { "delete", VX_PEER_DEL } };

static error_t command(struct veth_args *a, char *arg)
{
	char why[256];
	int r;

	if (a->cmd == VETH_BRIDGE && a->nargs == 0) {
		/* bridge's own add|del, kept as its canonical word. */
		r = word_lookup(bridge_words, ARRAY_SIZE(bridge_words), arg);
		if (r < 0)
			return usage(a, "bridge: %s", word_error(bridge_words, ARRAY_SIZE(bridge_words),
								 arg, r, "command", why, sizeof(why)));
		a->args[a->nargs++] = (char *)bridge_words[r].name;
		return 0;
	}
	if (a->cmd == VETH_VXLAN && (a->vx == VX_NONE || a->vx == VX_PEER)) {
		bool p = a->vx == VX_PEER;
		const struct word *t = p ? peer_words : vxlan_words;
		size_t n = p ? ARRAY_SIZE(peer_words) : ARRAY_SIZE(vxlan_words);

		r = word_lookup(t, n, arg);
		if (r < 0)
			return usage(a, "%s: %s", p ? "vxlan peer" : "vxlan",
				     word_error(t, n, arg, r, "command", why, sizeof(why)));
		a->vx = (enum vxlan_cmd)r;
		return 0;
	}
	if (a->cmd) {
		a->args[a->nargs++] = arg;
		return 0;
	}
	r = word_lookup(words, ARRAY_SIZE(words), arg);
	if (r < 0)
		return usage(a, "%s", word_error(words, ARRAY_SIZE(words), arg, r, "command", why, sizeof(why)));
	a->cmd = (enum veth_cmd)r;
	return 0;
}

error_t vethargs_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct veth_args *a = state->input;

	switch (key) {
	case OPT_ADDR: return add_cidr(a, arg, a->addr, &a->naddr);
	case 'b': a->batch = arg; break;
	case OPT_DEV: a->dev = arg; break;
	case OPT_GATEWAY: a->gateway = true; break;
	case OPT_GROUP: return parse_number(a, "group", arg, 1, UINT32_MAX, &a->group);
	case 'j': a->json = true; break;
	case OPT_LOCAL: return parse_ip(a, "local", arg, &a->local);
	case OPT_MAC: return parse_mac(a, arg);
	case OPT_MASTER: a->master = arg; break;
	case OPT_MTU: return parse_number(a, "mtu", arg, 68, 65535, &a->mtu);
	case OPT_NAME: a->name = arg; break;
	case 'n': a->netns = arg; break;
	case OPT_PEER: a->peer = arg; break;
	case OPT_PEER_ADDR: return add_cidr(a, arg, a->peer_addr, &a->npeer_addr);
	case OPT_PORT: return port_parse(arg, &a->port) < 0 ? usage(a, "--port: '%s': not a number in 1-65535", arg) : 0;
	case OPT_REMOTE: return add_remote(a, arg);
	case OPT_ROUTE:
		if (cidr_parse(arg, &a->route, true) < 0 || !cidr_is_network(&a->route))
			return usage(a, "--route: '%s': not a network (ADDR/LEN, host bits zero)", arg);
		a->has_route = true;
		break;
	case OPT_VNI:
		a->has_vni = true;
		return parse_number(a, "vni", arg, 0, 16777215, &a->vni);
	case ARGP_KEY_INIT:
		free(a->args);
		a->args = calloc(state->argc ? state->argc : 1, sizeof(char *));
		return a->args ? 0 : ENOMEM;
	case ARGP_KEY_ARG:
		return command(a, arg);
	case ARGP_KEY_END:
		if (a->batch && (a->cmd || a->in_batch || a->json || a->naddr || a->npeer_addr ||
				 a->mtu || a->group || a->gateway || a->master || a->name ||
				 a->netns || a->peer || a->dev || a->has_vni || a->local.family ||
				 a->nremote || a->has_mac || a->has_route || a->port))
			return usage(a, a->in_batch ? "--batch inside a batch" :
				     "--batch takes no command and no other option");
		if (a->batch)
			break;
		if (!a->cmd)
			return usage(a, "a command is required");
		return check_operands(a);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp line_argp = { vethargs_options, vethargs_parse_opt, NULL, NULL, NULL, NULL, NULL };

/* The first word that looks like an option and is none of ours: argp
 * refuses it without saying which. */
static const char *unknown_option(char **argv)
{
	for (char **w = argv + 1; *w; w++) {
		const char *s = *w;
		bool known = false;

		if (s[0] != '-' || !s[1])
			continue;
		if (streq(s, "--"))
			return NULL;
		for (const struct argp_option *p = vethargs_options; p->name; p++)
			if (s[1] == '-' ? !strncmp(s + 2, p->name, strcspn(s + 2, "=")) &&
					  strlen(p->name) == strcspn(s + 2, "=")
					: s[1] == p->key)
				known = true;
		if (!known)
			return s;
	}
	return NULL;
}

int vethargs_parse_line(char *line, struct veth_args *a)
{
	char **argv;
	const char *bad;
	int argc = batch_split(line, "vethctl", &argv);
	error_t e;

	*a = (struct veth_args){ .in_batch = true };
	if (argc < 0)
		return argc;
	if (argc == 1) {
		free(argv);
		return 0;	/* blank or comment */
	}
	e = argp_parse(&line_argp, argc, argv, ARGP_NO_ERRS | ARGP_NO_EXIT | ARGP_NO_HELP, NULL, a);
	if (e == 0 || e == ENOMEM) {
		free(argv);
		return -(int)e;
	}
	bad = unknown_option(argv);
	e = 0;
	if (!a->err && bad)
		e = usage(a, "'%s': unknown option", bad);
	else if (!a->err)
		e = usage(a, "an option is missing its argument");
	free(argv);	/* the words live in LINE; only the array goes */
	return e == ENOMEM ? -ENOMEM : -EINVAL;
}

void vethargs_free(struct veth_args *a)
{
	free(a->args);
	free(a->err);
	*a = (struct veth_args){ 0 };
}
