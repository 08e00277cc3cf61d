/* natctl - NAT for namespaces' subnets: masquerade them out through the
 * host, publish ports into them; all in nftables table `inet nskit`.
 *   natctl masq add|del SUBNET... [-o IFACE] | publish add|del ... | list [-j] | flush
 * Siblings: vethctl(8) wires the jail's link and addresses; nsname(8),
 * nsjoin(8). The table and its rules are described in lib/nat.h. */
#include <argp.h>
#include <errno.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "json.h"
#include "msg.h"
#include "nat.h"
#include "parse.h"
#include "undo.h"
#include "util.h"

struct opts {
	const struct cmd *cmd;
	char **args;
	int nargs;
	const char *out;
	const char *group;	/* "masq" or "publish" seen, "add|del" next */
	bool json;
};

struct cmd {
	const char *group, *verb;
	int min, max;		/* operands after the command words */
	int (*run)(struct opts *, struct undo *);
};

static int cmd_masq_add(struct opts *o, struct undo *u);
static int cmd_masq_del(struct opts *o, struct undo *u);
static int cmd_publish_add(struct opts *o, struct undo *u);
static int cmd_publish_del(struct opts *o, struct undo *u);
static int cmd_list(struct opts *o, struct undo *u);
static int cmd_flush(struct opts *o, struct undo *u);

static const struct cmd cmds[] = {
	{ "flush", NULL, 0, 0, cmd_flush },
	{ "list", NULL, 0, 0, cmd_list },
	{ "masq", "add", 1, -1, cmd_masq_add },
	{ "masq", "del", 1, -1, cmd_masq_del },
	{ "publish", "add", 2, 2, cmd_publish_add },
	{ "publish", "del", 1, 2, cmd_publish_del },
};

static const struct argp_option options[] = {
	{ "json", 'j', NULL, 0, "list: print JSON", 0 },
	{ "out", 'o', "IFACE", 0, "masq: only traffic leaving through IFACE", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char doc[] =
	"NAT for namespaces' subnets, in nftables table `" NAT_FAMILY " " NAT_TABLE "`.\v"
	"Commands:\n"
	"  masq add SUBNET... [-o IFACE]  masquerade SUBNETs (ADDR/PREFIX) leaving the\n"
	"                      host (through IFACE only with -o), accept their\n"
	"                      forwarding both ways, turn IP forwarding on\n"
	"  masq del SUBNET... [-o IFACE]  stop masquerading SUBNETs\n"
	"  publish add [ADDR:]PORT[/tcp|/udp] TO_IP:PORT\n"
	"                      DNAT PORT on the host's addresses (or only ADDR) to\n"
	"                      TO_IP:PORT, from outside and from the host itself;\n"
	"                      IPv6 addresses in brackets: [fd00::1]:80\n"
	"  publish del [ADDR:]PORT[/tcp|/udp] [TO_IP:PORT]  remove a published port\n"
	"  list [-j]           what is masqueraded and published\n"
	"  flush               remove nskit's table, and nothing else\n"
	"Commands may be shortened to a unique prefix; delete, ls and show work too.\n"
	"\n"
	"Examples:\n"
	"  natctl masq add 10.8.8.0/24 && nsjoin ns0 ping -c1 192.0.2.1\n"
	"  natctl publish add 8080/tcp 10.8.8.2:80\n"
	"  natctl list -j | jq -r '.masq[].subnet'\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.";

static void check_operands(struct argp_state *state, struct opts *o)
{
	const struct cmd *c = o->cmd;

	if (o->nargs < c->min || (c->max >= 0 && o->nargs > c->max))
		argp_error(state, "%s%s%s: wrong number of operands", c->group, c->verb ? " " : "",
			   c->verb ? c->verb : "");
	/* TO_IP:PORT always has an address; a second operand without one
	 * after a first with one is the pair given the wrong way round. */
	if (streq(c->group, "publish") && o->nargs == 2 && !strchr(o->args[1], ':') &&
	    strchr(o->args[0], ':'))
		argp_error(state, "publish %s %s %s: the published port comes first: publish %s [ADDR:]PORT[/tcp|/udp] TO_IP:PORT",
			   c->verb, o->args[0], o->args[1], c->verb);
	if (o->out && !streq(c->group, "masq"))
		argp_error(state, "--out is for masq add and masq del");
	if (o->json && !streq(c->group, "list"))
		argp_error(state, "--json is for list");
}

/* Command words: "list", "flush", or "masq"/"publish" then "add"/"del";
 * unique prefixes and nft's and iproute2's spellings (delete, ls, show). */
static const struct word groups[] = {
	{ "flush", 0 }, { "list", 1 }, { "masq", 2 }, { "publish", 3 },
	{ "ls", 1 }, { "lst", 1 }, { "masquerade", 2 }, { "show", 1 },
};
static const struct word verbs[] = { { "add", 0 }, { "del", 1 }, { "delete", 1 } };

static void take_word(struct argp_state *state, struct opts *o, const char *arg)
{
	const struct word *t = o->group ? verbs : groups;
	size_t n = o->group ? ARRAY_SIZE(verbs) : ARRAY_SIZE(groups);
	int r = word_lookup(t, n, arg);
	char why[256];

	if (r < 0 && o->group)
		argp_error(state, "%s: %s", o->group, word_error(t, n, arg, r, "command", why, sizeof(why)));
	if (r < 0)
		argp_error(state, "%s", word_error(t, n, arg, r, "command", why, sizeof(why)));
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (o->group ? streq(o->group, cmds[i].group) && streq(verbs[r].name, cmds[i].verb)
			     : streq(groups[r].name, cmds[i].group) && !cmds[i].verb)
			o->cmd = &cmds[i];
	if (!o->cmd)
		o->group = groups[r].name;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case 'j': o->json = true; break;
	case 'o': o->out = arg; break;
	case ARGP_KEY_INIT:
		o->args = calloc(state->argc, sizeof(char *));
		if (!o->args)
			xerrc(EXIT_FAIL, ENOMEM, "parse");
		break;
	case ARGP_KEY_ARG:
		if (o->cmd)
			o->args[o->nargs++] = arg;
		else
			take_word(state, o, arg);
		break;
	case ARGP_KEY_END:
		if (o->group && !o->cmd)
			argp_error(state, "%s: add or del is required", o->group);
		if (!o->cmd)
			argp_error(state, "a command is required");
		check_operands(state, o);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options, parse_opt,
	"masq add|del SUBNET... [-o IFACE]\n"
	"publish add [ADDR:]PORT[/tcp|/udp] TO_IP:PORT\n"
	"publish del [ADDR:]PORT[/tcp|/udp] [TO_IP:PORT]\n"
	"list [-j]\n"
	"flush",
	doc, NULL, NULL, NULL,
};

/* Resolving operands: bad values are failures (exit 1) named by the
 * operand, found before anything changes. */

static void parse_subnet(const char *s, struct cidr *c)
{
	char net[CIDR_STRLEN];
	int r = cidr_parse(s, c, true);

	if (r == -ERANGE)
		xerrc(EXIT_FAIL, 0, "%s: prefix length out of range", s);
	if (r < 0)
		xerrc(EXIT_FAIL, 0, "'%s': not a subnet (ADDR/PREFIX)", s);
	/* Host bits are refused rather than cleared: 10.8.8.1/24 is usually
	 * an interface address given by mistake, and del must name exactly
	 * what add stored. */
	if (!cidr_is_network(c)) {
		struct cidr n = *c;

		cidr_to_network(&n);
		xerrc(EXIT_FAIL, 0, "%s: host bits set (the subnet is %s)", s,
		      cidr_format(&n, true, net, sizeof(net)));
	}
}

static void check_out(const char *out)
{
	if (strlen(out) >= IF_NAMESIZE)
		xerrc(EXIT_FAIL, 0, "'%s': interface name longer than %d bytes", out, IF_NAMESIZE - 1);
	if (if_nametoindex(out) == 0)
		xerrc(EXIT_FAIL, 0, "%s: %s", out, errno == ENODEV ? "no such interface" : strerror(errno));
}

/* SUBNET operands, with -o's interface. */
static struct nat_masq *parse_masq(struct opts *o)
{
	struct nat_masq *m = calloc((size_t)o->nargs, sizeof(*m));

	if (!m)
		xerrc(EXIT_FAIL, ENOMEM, "masq");
	if (o->out)
		check_out(o->out);
	for (int i = 0; i < o->nargs; i++) {
		parse_subnet(o->args[i], &m[i].subnet);
		if (o->out)
			strcpy(m[i].out, o->out);
	}
	return m;
}

/* "ADDR:PORT", "[ADDR6]:PORT" or (NEED_ADDR false) "PORT" into its parts;
 * S is modified. */
static void split_host_port(char *s, const char *whole, bool need_addr, char **addr, char **port)
{
	char *c;

	*addr = NULL;
	*port = s;
	if (*s == '[') {
		c = strchr(s, ']');
		if (!c || c[1] != ':')
			xerrc(EXIT_FAIL, 0, "'%s': expected [ADDR]:PORT", whole);
		*c = 0;
		*addr = s + 1;
		*port = c + 2;
	} else if ((c = strrchr(s, ':'))) {
		if (strchr(s, ':') != c)
			xerrc(EXIT_FAIL, 0, "'%s': IPv6 addresses go in brackets, [ADDR]:PORT", whole);
		*c = 0;
		*addr = s;
		*port = c + 1;
	}
	if (need_addr && !*addr)
		xerrc(EXIT_FAIL, 0, "'%s': expected ADDR:PORT", whole);
}

/* "'8080/x': 'x' is not ..." naming the part only when it is not the whole. */
static noreturn void bad_part(const char *whole, const char *part, const char *what)
{
	if (streq(whole, part))
		xerrc(EXIT_FAIL, 0, "'%s': %s", whole, what);
	xerrc(EXIT_FAIL, 0, "'%s': '%s' %s", whole, part, what);
}

static void parse_host(const char *s, const char *whole, struct cidr *c)
{
	if (strchr(s, '/') || cidr_parse(s, c, false) < 0)
		bad_part(whole, s, "is not an IP address");
}

static void parse_port(const char *s, const char *whole, uint16_t *port)
{
	if (port_parse(s, port) < 0)
		bad_part(whole, s, "is not a port (1-65535)");
}

static bool is_loopback(const struct cidr *c)
{
	return c->family == AF_INET ? c->addr.b[0] == 127 : IN6_IS_ADDR_LOOPBACK(&c->addr.v6);
}

static bool is_unspecified(const struct cidr *c)
{
	static const uint8_t zero[16];

	return memcmp(c->addr.b, zero, cidr_addr_len(c)) == 0;
}

/* [ADDR:]PORT[/tcp|/udp] */
static void parse_key(const char *arg, struct nat_publish *p)
{
	_cleanup_free_ char *s = strdup(arg);
	char *slash, *addr, *port;

	if (!s)
		xerrc(EXIT_FAIL, ENOMEM, "publish");
	p->proto = IPPROTO_TCP;
	if ((slash = strrchr(s, '/'))) {
		*slash++ = 0;
		if (streq(slash, "udp"))
			p->proto = IPPROTO_UDP;
		else if (!streq(slash, "tcp"))
			xerrc(EXIT_FAIL, 0, "'%s': unknown protocol '%s' (tcp or udp)", arg, slash);
	}
	split_host_port(s, arg, false, &addr, &port);
	parse_port(port, arg, &p->port);
	if (!addr)
		return;
	parse_host(addr, arg, &p->addr);
	if (is_loopback(&p->addr))
		xerrc(EXIT_FAIL, 0, "'%s': loopback addresses are not published (see CAVEATS)", arg);
	/* 0.0.0.0 and :: mean every local address of their family. */
	if (is_unspecified(&p->addr))
		p->to.family = p->addr.family, p->addr.family = 0;
}

/* TO_IP:PORT */
static void parse_target(const char *arg, struct nat_publish *p)
{
	_cleanup_free_ char *s = strdup(arg);
	int want = p->addr.family ? p->addr.family : p->to.family;
	char *addr, *port;

	if (!s)
		xerrc(EXIT_FAIL, ENOMEM, "publish");
	split_host_port(s, arg, true, &addr, &port);
	parse_host(addr, arg, &p->to);
	parse_port(port, arg, &p->to_port);
	if (is_loopback(&p->to) || is_unspecified(&p->to))
		xerrc(EXIT_FAIL, 0, "'%s': not a forwardable address", arg);
	if (want && want != p->to.family)
		xerrc(EXIT_FAIL, 0, "'%s': not the address family of the published address", arg);
}

/* "8080/tcp", "192.0.2.1:53/udp", "[fd00::1]:80/tcp" - what parse_key reads. */
static char *format_key(const struct nat_publish *p, char *buf, size_t size)
{
	char a[CIDR_STRLEN];
	const char *proto = p->proto == IPPROTO_UDP ? "udp" : "tcp";

	if (!p->addr.family)
		snprintf(buf, size, "%u/%s", p->port, proto);
	else
		snprintf(buf, size, p->addr.family == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s",
			 cidr_format(&p->addr, false, a, sizeof(a)), p->port, proto);
	return buf;
}

static char *format_target(const struct nat_publish *p, char *buf, size_t size)
{
	char a[CIDR_STRLEN];

	snprintf(buf, size, p->to.family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 cidr_format(&p->to, false, a, sizeof(a)), p->to_port);
	return buf;
}

#define KEY_STRLEN (CIDR_STRLEN + 16)

/* Acting. */

static struct nat *xnat_open(void)
{
	struct nat *n = nat_open();

	if (!n)
		xerrc(EXIT_FAIL, errno, "nftables");
	return n;
}

/* The table's own words for a refused transaction, else errno's; U (what
 * the command changed outside the transaction) is taken back first. */
static noreturn void xnat_fail(struct undo *u, struct nat *n, int r, const char *what)
{
	if (*nat_strerror(n))
		xundo(u, EXIT_FAIL, 0, "%s: %s", what, nat_strerror(n));
	xundo(u, EXIT_FAIL, r, "%s", what);
}

static void xnat_read(struct undo *u, struct nat *n, struct nat_state *st)
{
	int r = nat_read(n, st);

	if (r < 0)
		xnat_fail(u, n, r, "table " NAT_FAMILY " " NAT_TABLE);
}

static int forwarding_off(void *family)
{
	return nat_forwarding_off((int)(intptr_t)family);
}

/* Forwarding on for FAMILY, before the transaction that needs it (a rule
 * that forwards nothing would be a lie). The sysctl is outside nftables'
 * transaction, so turning it on goes on U: a failed command turns it off
 * again, and leaves it alone when it was on already. */
static void forwarding_on(struct undo *u, int family)
{
	const char *what = family == AF_INET ? "IPv4 forwarding" : "IPv6 forwarding";
	bool was;
	int r = nat_forwarding_on(family, &was);

	if (r < 0)
		xundo(u, EXIT_FAIL, r, "%s", what);
	if (!was && (r = undo_push(u, forwarding_off, (void *)(intptr_t)family, NULL)) < 0)
		xundo(u, EXIT_FAIL, r, "%s", what);
}

/* masq add was refused as overlapping (-EEXIST): say with what, from the
 * table or from the operands themselves. Only on this failure path is the
 * table read, so a big add costs one transaction and nothing else. */
static noreturn void masq_overlap_fail(struct undo *u, struct nat *nat, const struct nat_masq *m, size_t n)
{
	char a[CIDR_STRLEN], b[CIDR_STRLEN];
	struct nat_state st;

	xnat_read(u, nat, &st);
	for (size_t i = 0; i < n; i++) {
		const struct nat_masq *e = nat_masq_overlap(&st, &m[i]);

		if (!e)
			e = nat_masq_overlap(&(struct nat_state){ .masq = (struct nat_masq *)m, .nmasq = i }, &m[i]);
		if (e)
			xundo(u, EXIT_FAIL, 0, "%s: overlaps %s%s%s", cidr_format(&m[i].subnet, true, a, sizeof(a)),
			      cidr_format(&e->subnet, true, b, sizeof(b)), e->out[0] ? " out " : "", e->out);
	}
	xnat_fail(u, nat, -EEXIST, "masq add");
}

static int cmd_masq_add(struct opts *o, struct undo *u)
{
	size_t n = (size_t)o->nargs;
	_cleanup_free_ struct nat_masq *m = parse_masq(o);
	struct nat *nat = xnat_open();
	bool v4 = false, v6 = false;
	int r;

	for (size_t i = 0; i < n; i++)
		*(m[i].subnet.family == AF_INET ? &v4 : &v6) = true;
	if (v4)
		forwarding_on(u, AF_INET);
	if (v6)
		forwarding_on(u, AF_INET6);
	r = nat_masq_add(nat, m, n);
	if (r == -EEXIST)
		masq_overlap_fail(u, nat, m, n);
	if (r < 0)
		xnat_fail(u, nat, r, "masq add");
	undo_commit(u, 0);	/* the rules are in: forwarding is theirs */
	nat_close(nat);
	return EXIT_OK;
}

static int cmd_masq_del(struct opts *o, struct undo *u)
{
	size_t n = (size_t)o->nargs, ndel = 0;
	_cleanup_free_ struct nat_masq *m = parse_masq(o);
	_cleanup_free_ struct nat_masq *del = NULL;
	_cleanup_free_ bool *taken = NULL;
	struct nat *nat = xnat_open();
	struct nat_state st;
	char a[CIDR_STRLEN];
	int r;

	xnat_read(u, nat, &st);
	del = calloc(st.nmasq + 1, sizeof(*del));
	taken = calloc(st.nmasq + 1, sizeof(*taken));
	if (!del || !taken)
		xerrc(EXIT_FAIL, ENOMEM, "masq del");
	/* Without -o a subnet goes whatever interface it was added with. Each
	 * entry is deleted once, however often the operands name it. */
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < st.nmasq; k++) {
			struct nat_masq e = st.masq[k];

			if (!o->out)
				e.out[0] = 0;
			if (!nat_masq_equal(&e, &m[i]))
				continue;
			found = true;
			if (!taken[k])
				del[ndel++] = st.masq[k];
			taken[k] = true;
		}
		if (!found)
			xerrc(EXIT_FAIL, 0, "%s: not masqueraded%s%s", cidr_format(&m[i].subnet, true, a, sizeof(a)),
			      o->out ? " out " : "", o->out ? o->out : "");
	}
	r = nat_masq_del(nat, del, ndel);
	if (r < 0)
		xnat_fail(u, nat, r, "masq del");
	nat_state_free(&st);
	nat_close(nat);
	return EXIT_OK;
}

static int cmd_publish_add(struct opts *o, struct undo *u)
{
	struct nat_publish p = { 0 };
	const struct nat_publish *e;
	struct nat *nat;
	struct nat_state st;
	char key[KEY_STRLEN], to[KEY_STRLEN];
	int r;

	parse_key(o->args[0], &p);
	parse_target(o->args[1], &p);
	nat = xnat_open();
	forwarding_on(u, p.to.family);
	r = nat_publish_add(nat, &p, 1);
	/* The kernel refuses a key mapped to another target: say which. */
	if (r == -EEXIST) {
		xnat_read(u, nat, &st);
		if ((e = nat_publish_find(&st, &p)))
			xundo(u, EXIT_FAIL, 0, "%s: already published to %s", format_key(&p, key, sizeof(key)),
			      format_target(e, to, sizeof(to)));
	}
	if (r < 0)
		xnat_fail(u, nat, r, "publish add");
	undo_commit(u, 0);
	nat_close(nat);
	return EXIT_OK;
}

static int cmd_publish_del(struct opts *o, struct undo *u)
{
	struct nat_publish p = { 0 }, want;
	const struct nat_publish *e;
	struct nat *nat;
	struct nat_state st;
	char key[KEY_STRLEN], to[KEY_STRLEN];
	int r;

	parse_key(o->args[0], &p);
	if (o->nargs > 1)
		parse_target(o->args[1], &p);
	nat = xnat_open();
	xnat_read(u, nat, &st);
	/* Without TO (or an address in KEY) the family is not known yet:
	 * take whichever family has the port published. */
	want = p;
	e = nat_publish_find(&st, &want);
	if (!e && !p.to.family) {
		want.to.family = AF_INET;
		if (!(e = nat_publish_find(&st, &want))) {
			want.to.family = AF_INET6;
			e = nat_publish_find(&st, &want);
		}
	}
	if (!e)
		xerrc(EXIT_FAIL, 0, "%s: not published", format_key(&p, key, sizeof(key)));
	if (o->nargs > 1 && !nat_publish_same_target(e, &p))
		xerrc(EXIT_FAIL, 0, "%s: published to %s, not %s", format_key(&p, key, sizeof(key)),
		      format_target(e, to, sizeof(to)), o->args[1]);
	r = nat_publish_del(nat, e, 1);
	if (r < 0)
		xnat_fail(u, nat, r, "publish del");
	nat_state_free(&st);
	nat_close(nat);
	return EXIT_OK;
}

static void print_json(const struct nat_state *st)
{
	struct json_object *top = json_object_new_object();
	struct json_object *masq = json_object_new_array(), *pub = json_object_new_array();
	char a[CIDR_STRLEN];

	for (size_t i = 0; i < st->nmasq; i++) {
		struct json_object *e = json_object_new_object();
		const struct nat_masq *m = &st->masq[i];

		json_object_object_add(e, "subnet", json_object_new_string(cidr_format(&m->subnet, true, a, sizeof(a))));
		json_object_object_add(e, "out", m->out[0] ? json_object_new_string(m->out) : NULL);
		json_object_array_add(masq, e);
	}
	for (size_t i = 0; i < st->npublish; i++) {
		struct json_object *e = json_object_new_object();
		const struct nat_publish *p = &st->publish[i];

		json_object_object_add(e, "addr", p->addr.family ?
			json_object_new_string(cidr_format(&p->addr, false, a, sizeof(a))) : NULL);
		json_object_object_add(e, "port", json_object_new_int(p->port));
		json_object_object_add(e, "proto", json_object_new_string(p->proto == IPPROTO_UDP ? "udp" : "tcp"));
		json_object_object_add(e, "to", json_object_new_string(cidr_format(&p->to, false, a, sizeof(a))));
		json_object_object_add(e, "to_port", json_object_new_int(p->to_port));
		json_object_array_add(pub, e);
	}
	json_object_object_add(top, "masq", masq);
	json_object_object_add(top, "publish", pub);
	json_print(top);
}

static void print_table(const struct nat_state *st)
{
	char a[KEY_STRLEN], b[KEY_STRLEN];

	printf("%-8s %-44s %s\n", "TYPE", "MATCH", "OUT/TO");
	for (size_t i = 0; i < st->nmasq; i++)
		printf("%-8s %-44s %s\n", "masq", cidr_format(&st->masq[i].subnet, true, a, sizeof(a)),
		       st->masq[i].out[0] ? st->masq[i].out : "*");
	for (size_t i = 0; i < st->npublish; i++)
		printf("%-8s %-44s %s\n", "publish", format_key(&st->publish[i], a, sizeof(a)),
		       format_target(&st->publish[i], b, sizeof(b)));
}

static int cmd_list(struct opts *o, struct undo *u)
{
	struct nat *nat = xnat_open();
	struct nat_state st;

	xnat_read(u, nat, &st);
	if (o->json)
		print_json(&st);
	else
		print_table(&st);
	nat_state_free(&st);
	nat_close(nat);
	return EXIT_OK;
}

static int cmd_flush(struct opts *o, struct undo *u)
{
	struct nat *nat = xnat_open();
	int r = nat_flush(nat);

	(void)o;
	if (r < 0)
		xnat_fail(u, nat, r, "flush");
	nat_close(nat);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct undo u = UNDO_INIT;	/* what a failing command takes back */
	int status;

	nskit_init(EXIT_USAGE);
	nskit_priv_hint(CAP_NET_ADMIN, "CAP_NET_ADMIN");
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	status = o.cmd->run(&o, &u);
	undo_free(&u);
	free(o.args);
	return status;
}
