/* vethargs.c - vethctl's command line, for argv and for batch lines. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "link.h"
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
};

enum {
	OPT_ADDR = 0x100, OPT_GATEWAY, OPT_GROUP, OPT_MASTER, OPT_MTU,
	OPT_NAME, OPT_PEER, OPT_PEER_ADDR,
};

const struct argp_option vethargs_options[] = {
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
	a->err = msg;
	return EINVAL;
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

static error_t add_cidr(struct veth_args *a, const char *arg, struct cidr *v, int *n)
{
	int r;

	if (*n == VETH_MAX_ADDRS)
		return usage(a, "%s: at most %d addresses per end", arg, VETH_MAX_ADDRS);
	r = cidr_parse(arg, &v[*n], true);
	if (r == -ERANGE)
		return usage(a, "%s: prefix length out of range", arg);
	if (r < 0)
		return usage(a, "'%s': not an address with a prefix (ADDR/LEN)", arg);
	(*n)++;
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

	if (a->nargs < cmds[cmd].min || (cmds[cmd].max >= 0 && a->nargs > cmds[cmd].max))
		return usage(a, "%s: wrong number of operands", c);
	if (a->json && cmd != VETH_LIST)
		return usage(a, "%s: --json is for list", c);
	if (a->netns && !add)
		return usage(a, "%s: --netns is for add", c);
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
	{ "del", VETH_DEL }, { "list", VETH_LIST },
	{ "delete", VETH_DEL }, { "ls", VETH_LIST }, { "lst", VETH_LIST }, { "show", VETH_LIST },
};
static const struct word bridge_words[] = { { "add", 0 }, { "del", 1 }, { "delete", 1 } };

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
	case OPT_GATEWAY: a->gateway = true; break;
	case OPT_GROUP: return parse_number(a, "group", arg, 1, UINT32_MAX, &a->group);
	case 'j': a->json = true; break;
	case OPT_MASTER: a->master = arg; break;
	case OPT_MTU: return parse_number(a, "mtu", arg, 68, 65535, &a->mtu);
	case OPT_NAME: a->name = arg; break;
	case 'n': a->netns = arg; break;
	case OPT_PEER: a->peer = arg; break;
	case OPT_PEER_ADDR: return add_cidr(a, arg, a->peer_addr, &a->npeer_addr);
	case ARGP_KEY_INIT:
		free(a->args);
		a->args = calloc(state->argc ? state->argc : 1, sizeof(char *));
		return a->args ? 0 : ENOMEM;
	case ARGP_KEY_ARG:
		return command(a, arg);
	case ARGP_KEY_END:
		if (a->batch && (a->cmd || a->in_batch || a->json || a->naddr || a->npeer_addr ||
				 a->mtu || a->group || a->gateway || a->master || a->name ||
				 a->netns || a->peer))
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
