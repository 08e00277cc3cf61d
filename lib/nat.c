/* nat.c - nskit's nftables table over libnftables: one buffer, one
 * transaction per call; state read back as JSON with json-c. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>	/* before the linux/ headers, which then defer to it */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nat.h"
#include "util.h"

struct nat {
	struct nft_ctx *ctx;
	int table;		/* whether nskit's table exists: 1, 0, or -errno */
	char err[256];
};

#define T NAT_FAMILY " " NAT_TABLE

/* The whole table but its elements, in three parts. A first add creates
 * the table (`create`, which fails should another command have made it
 * meanwhile); a repair of a table that lost a set or a chain re-adds them
 * (`add` of what exists is no change), then flushes the chains and refills
 * them in the same transaction, so the rules end up there once.
 * Priorities: -100 is dstnat (prerouting, output), 100 srcnat, 0 filter.
 * The `inet` family (kernel 5.2+) carries IPv4 and IPv6 NAT in one table.
 *
 * Loopback: the output chain DNATs 127.0.0.0/8 too (the host's own
 * clients of 127.0.0.1:PORT). The kernel routes such a packet out of a
 * real interface only where net.ipv4.conf.IFACE.route_localnet is 1, and
 * the source 127.0.0.1 must not leave the host, so postrouting
 * masquerades DNATed connections from 127.0.0.0/8. The interfaces nskit
 * turned route_localnet on for are the set `localnet`; the input chain
 * drops what arrives on them for 127.0.0.0/8 unless it belongs to a DNATed
 * connection (a reply), which is all route_localnet should let in. IPv6
 * has no route_localnet: ::1 is never DNATed.
 * Hairpin: a DNATed connection that leaves through the interface it came
 * in by (a jail reaching its own published port, or a sibling on the same
 * bridge) would be answered directly, past the NAT; forward marks it
 * (conntrack mark bit NAT_CT_HAIRPIN) and postrouting masquerades it, so
 * the answer comes back through the host. */
enum { MASQ4, MASQ6, MASQ4_OUT, MASQ6_OUT, PUB4, PUB6, PUB4_ADDR, PUB6_ADDR, LOCALNET, NSETS };
static const struct {
	const char *kind, *name, *decl;
} sets[NSETS] = {
	[MASQ4] = { "set", "masq4", "type ipv4_addr; flags interval;" },
	[MASQ6] = { "set", "masq6", "type ipv6_addr; flags interval;" },
	[MASQ4_OUT] = { "set", "masq4_out", "type ipv4_addr . ifname; flags interval;" },
	[MASQ6_OUT] = { "set", "masq6_out", "type ipv6_addr . ifname; flags interval;" },
	[PUB4] = { "map", "publish4", "type inet_proto . inet_service : ipv4_addr . inet_service;" },
	[PUB6] = { "map", "publish6", "type inet_proto . inet_service : ipv6_addr . inet_service;" },
	[PUB4_ADDR] = { "map", "publish4_addr",
			"type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service;" },
	[PUB6_ADDR] = { "map", "publish6_addr",
			"type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service;" },
	[LOCALNET] = { "set", "localnet", "type ifname;" },
};
static const char skeleton_chains[] =
	"add chain " T " postrouting { type nat hook postrouting priority 100; policy accept; }\n"
	"add chain " T " prerouting { type nat hook prerouting priority -100; policy accept; }\n"
	"add chain " T " output { type nat hook output priority -100; policy accept; }\n"
	"add chain " T " forward { type filter hook forward priority 0; policy accept; }\n"
	"add chain " T " input { type filter hook input priority 0; policy accept; }\n"
	"add chain " T " publish\n";
static const char skeleton_flush[] =
	"flush chain " T " postrouting\n"
	"flush chain " T " prerouting\n"
	"flush chain " T " output\n"
	"flush chain " T " forward\n"
	"flush chain " T " input\n"
	"flush chain " T " publish\n";
static const char skeleton_rules[] =
	"add rule " T " postrouting ip saddr @masq4 ip daddr != @masq4 masquerade\n"
	"add rule " T " postrouting ip6 saddr @masq6 ip6 daddr != @masq6 masquerade\n"
	"add rule " T " postrouting ip saddr . oifname @masq4_out masquerade\n"
	"add rule " T " postrouting ip6 saddr . oifname @masq6_out masquerade\n"
	"add rule " T " postrouting ct status dnat ip saddr 127.0.0.0/8 masquerade\n"
	"add rule " T " postrouting ct mark & " NAT_CT_HAIRPIN " != 0 masquerade\n"
	"add rule " T " prerouting jump publish\n"
	"add rule " T " output meta nfproto ipv4 jump publish\n"
	"add rule " T " output ip6 daddr != ::1 jump publish\n"
	/* A given address wins over "any local address": it comes first. */
	"add rule " T " publish meta l4proto { tcp, udp } dnat ip to ip daddr . meta l4proto . th dport map @publish4_addr\n"
	"add rule " T " publish meta l4proto { tcp, udp } dnat ip6 to ip6 daddr . meta l4proto . th dport map @publish6_addr\n"
	"add rule " T " publish meta l4proto { tcp, udp } fib daddr type local dnat ip to meta l4proto . th dport map @publish4\n"
	"add rule " T " publish meta l4proto { tcp, udp } fib daddr type local dnat ip6 to meta l4proto . th dport map @publish6\n"
	"add rule " T " forward ct state new ct status dnat fib daddr . iif oif exists"
		" ct mark set ct mark | " NAT_CT_HAIRPIN "\n"
	"add rule " T " forward ip saddr @masq4 accept\n"
	"add rule " T " forward ip daddr @masq4 ct state established,related accept\n"
	"add rule " T " forward ip6 saddr @masq6 accept\n"
	"add rule " T " forward ip6 daddr @masq6 ct state established,related accept\n"
	"add rule " T " forward ip saddr . oifname @masq4_out accept\n"
	"add rule " T " forward ip daddr . iifname @masq4_out ct state established,related accept\n"
	"add rule " T " forward ip6 saddr . oifname @masq6_out accept\n"
	"add rule " T " forward ip6 daddr . iifname @masq6_out ct state established,related accept\n"
	"add rule " T " forward ct status dnat accept\n"
	"add rule " T " input iifname @localnet ip daddr 127.0.0.0/8 ct status ! dnat drop\n";

static int table_exists(void);

struct nat *nat_open(void)
{
	struct nat *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!n->ctx || nft_ctx_buffer_output(n->ctx) < 0 || nft_ctx_buffer_error(n->ctx) < 0) {
		nat_close(n);
		errno = ENOMEM;
		return NULL;
	}
	/* JSON only shapes what `list` prints; transactions print nothing. */
	nft_ctx_output_set_flags(n->ctx, NFT_CTX_OUTPUT_JSON);
	/* Without CAP_NET_ADMIN libnftables writes its complaint straight to
	 * stderr; ask the kernel first so the caller can word it once. */
	n->table = table_exists();
	if (n->table == -EPERM) {
		nat_close(n);
		errno = EPERM;
		return NULL;
	}
	return n;
}

void nat_close(struct nat *n)
{
	if (!n)
		return;
	if (n->ctx)
		nft_ctx_free(n->ctx);
	free(n);
}

const char *nat_strerror(const struct nat *n)
{
	return n->err;
}

/* libnftables words errors, it does not return them: keep its first line
 * and recover the errno the kernel gave where the text shows it. */
static int last_error(struct nat *n)
{
	static const int known[] = { EEXIST, ENOENT, EPERM, EBUSY, ENOMEM, EOPNOTSUPP, ENOSPC, EINVAL };
	const char *e = nft_ctx_get_error_buffer(n->ctx);
	const char *s = e ? e : "";
	size_t len;

	if (strncmp(s, "netlink: ", 9) == 0)
		s += 9;
	if (strncmp(s, "Error: ", 7) == 0)
		s += 7;
	if (strncmp(s, "Could not process rule: ", 24) == 0)
		s += 24;
	len = strcspn(s, "\n");
	if (len >= sizeof(n->err))
		len = sizeof(n->err) - 1;
	memcpy(n->err, s, len);
	n->err[len] = 0;
	if (strstr(n->err, "overlaps") || strstr(n->err, "conflicting intervals"))
		return -EEXIST;
	if (strstr(n->err, "does not exist"))
		return -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (strstr(n->err, strerror(known[i])))
			return -known[i];
	return -EIO;
}

static int run(struct nat *n, const char *buf)
{
	n->err[0] = 0;
	if (nft_run_cmd_from_buffer(n->ctx, buf) != 0)
		return last_error(n);
	return 0;
}

/* A transaction being written: the elements of each set (or map) as
 * nft's list "a, b, c", each in a memstream; then one run. */
struct txn {
	FILE *f[NSETS];
	char *buf[NSETS];
	size_t len[NSETS];
};

static void txn_free(struct txn *t)
{
	for (size_t i = 0; i < NSETS; i++) {
		if (t->f[i])
			fclose(t->f[i]);
		free(t->buf[i]);
	}
}

static int txn_begin(struct txn *t)
{
	*t = (struct txn){ 0 };
	for (size_t i = 0; i < NSETS; i++)
		if (!(t->f[i] = open_memstream(&t->buf[i], &t->len[i]))) {
			int e = -errno;

			txn_free(t);
			return e;
		}
	return 0;
}

/* One element into set I, comma-separated from the one before. */
static FILE *txn_elem(struct txn *t, int i)
{
	if (ftell(t->f[i]) > 0)
		fputs(", ", t->f[i]);
	return t->f[i];
}

/* Whether nskit's table exists: 1, 0 or -errno, from one NFT_MSG_GETTABLE
 * on an nfnetlink socket of our own. Asking libnftables would cost a whole
 * run (parse, cache fetch) on the path of every add; this is one round
 * trip, and only reads. */
static int table_exists(void)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg g;
		struct nlattr a;
		char name[8];
	} req = {
		.nh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
			.nlmsg_seq = 1,
		},
		.g = { .nfgen_family = NFPROTO_INET, .version = NFNETLINK_V0 },
		.a = { .nla_len = NLA_HDRLEN + sizeof(NAT_TABLE), .nla_type = NFTA_TABLE_NAME },
		.name = NAT_TABLE,
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int found = 0;

	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)len;) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + off);

			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (size_t)len - off)
				return -EPROTO;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error == 0)
					return found;
				return e->error == -ENOENT ? 0 : e->error;
			}
			if (NFNL_MSG_TYPE(h->nlmsg_type) == NFT_MSG_NEWTABLE)
				found = 1;
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
	}
}

/* Each set's elements as `VERB element` commands, into OUT. */
static void put_elements(FILE *out, const struct txn *t, const char *verb)
{
	for (size_t i = 0; i < NSETS; i++)
		if (t->len[i])
			fprintf(out, "%s element " T " %s { %s }\n", verb, sets[i].name, t->buf[i]);
}

/* The table with its sets, chains and rules. CREATE: a new table, the
 * elements declared with their sets. Else a repair of a table that lost a
 * set or a chain: `add` of what exists is no change, the chains are
 * flushed and refilled, and the elements added after. */
static void put_table(FILE *out, const struct txn *t, bool create)
{
	fprintf(out, "%s table " T "\n", create ? "create" : "add");
	for (size_t i = 0; i < NSETS; i++) {
		fprintf(out, "add %s " T " %s { %s", sets[i].kind, sets[i].name, sets[i].decl);
		if (create && t->len[i])
			fprintf(out, " elements = { %s };", t->buf[i]);
		fputs(" }\n", out);
	}
	fputs(skeleton_chains, out);
	if (!create)
		fputs(skeleton_flush, out);
	fputs(skeleton_rules, out);
	if (!create)
		put_elements(out, t, "add");
}

enum txn_form { ELEMENTS, CREATE, REPAIR };

static int txn_run(struct nat *n, const struct txn *t, const char *verb, enum txn_form form)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int r;

	if (!out)
		return -errno;
	if (form == ELEMENTS)
		put_elements(out, t, verb);
	else
		put_table(out, t, form == CREATE);
	r = fclose(out) == 0 ? run(n, text) : -ENOMEM;
	free(text);
	return r;
}

/* Run the transaction. An add carries the table only when the table was
 * missing when nat_open looked: asserting it costs more than the elements
 * (libnftables fetches the sets the re-added rules name, the kernel
 * replaces the rules). The probe may be stale, so: a create that finds
 * the table made meanwhile (-EEXIST) runs again as elements only, and
 * elements that find a set missing (-ENOENT: the table was deleted, or
 * damaged by hand) run again with the repairing table. Each run is one
 * transaction. */
static int txn_commit(struct nat *n, struct txn *t, bool add)
{
	int r = 0;

	for (size_t i = 0; i < NSETS; i++) {
		if (fclose(t->f[i]) != 0)
			r = -ENOMEM;
		t->f[i] = NULL;
	}
	if (r < 0)
		goto out;
	if (!add) {
		r = txn_run(n, t, "delete", ELEMENTS);
		goto out;
	}
	r = -EEXIST;
	if (n->table == 0)
		r = txn_run(n, t, "add", CREATE);
	if (r == -EEXIST && (r = txn_run(n, t, "add", ELEMENTS)) == -ENOENT)
		r = txn_run(n, t, "add", REPAIR);
	if (r == 0)
		n->table = 1;
out:
	txn_free(t);
	return r;
}

static const char *proto_name(int proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* Each subnet into its set: by family, and whether it names an interface. */
static void put_masq(struct txn *t, const struct nat_masq *m, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		bool v4 = m[i].subnet.family == AF_INET, out = m[i].out[0];
		FILE *f = txn_elem(t, out ? (v4 ? MASQ4_OUT : MASQ6_OUT) : (v4 ? MASQ4 : MASQ6));
		char s[CIDR_STRLEN];

		fputs(cidr_format(&m[i].subnet, true, s, sizeof(s)), f);
		if (out)
			fprintf(f, " . \"%s\"", m[i].out);
	}
}

static int masq_txn(struct nat *n, const char *verb, const struct nat_masq *m, size_t count)
{
	struct txn t;
	int r;

	for (size_t i = 0; i < count; i++)
		if (m[i].subnet.family != AF_INET && m[i].subnet.family != AF_INET6)
			return -EAFNOSUPPORT;
		else if (strpbrk(m[i].out, "\"\\"))
			return -EINVAL;	/* cannot be quoted for nft */
	r = txn_begin(&t);
	if (r < 0)
		return r;
	put_masq(&t, m, count);
	return txn_commit(n, &t, streq(verb, "add"));
}

int nat_masq_add(struct nat *n, const struct nat_masq *m, size_t count)
{
	return masq_txn(n, "add", m, count);
}

int nat_masq_del(struct nat *n, const struct nat_masq *m, size_t count)
{
	return count ? masq_txn(n, "delete", m, count) : 0;
}

/* Each port into its map: by family, and whether it names an address; a
 * delete gives keys only. */
static void put_publish(struct txn *t, bool add, const struct nat_publish *p, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		bool v4 = p[i].to.family == AF_INET, addr = p[i].addr.family;
		FILE *f = txn_elem(t, addr ? (v4 ? PUB4_ADDR : PUB6_ADDR) : (v4 ? PUB4 : PUB6));
		char a[CIDR_STRLEN], to[CIDR_STRLEN];

		if (addr)
			fprintf(f, "%s . ", cidr_format(&p[i].addr, false, a, sizeof(a)));
		fprintf(f, "%s . %u", proto_name(p[i].proto), p[i].port);
		if (add)
			fprintf(f, " : %s . %u", cidr_format(&p[i].to, false, to, sizeof(to)), p[i].to_port);
	}
}

bool nat_publish_on_loopback(const struct nat_publish *p)
{
	return p->to.family == AF_INET && (!p->addr.family || p->addr.addr.b[0] == 127);
}

/* The lock around the route_localnet bookkeeping: an fd to close, or -1
 * when /run cannot hold it (a read-only or foreign /run: then unlocked). */
static int nat_lock(void)
{
	int fd = open(NAT_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

static void localnet_path(const char *ifname, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/sys/net/ipv4/conf/%s/route_localnet", ifname);
}

/* IFNAME's route_localnet: 1, 0 or -errno. */
static int localnet_get(const char *ifname)
{
	char path[80], c = 0;
	_cleanup_close_ int fd = -1;

	localnet_path(ifname, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (read(fd, &c, 1) != 1)
		return -EIO;
	return c != '0';
}

static int sysctl_write(const char *path, const char *val);

static int localnet_set(const char *ifname, bool on)
{
	char path[80];

	localnet_path(ifname, path, sizeof(path));
	return sysctl_write(path, on ? "1" : "0");
}

/* The interface the host routes TO through, from one RTM_GETROUTE: 1 with
 * its name in NAME, 0 when TO has no route or is local, or -errno. */
static int route_ifname(const struct cidr *to, char name[IF_NAMESIZE])
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		struct rtattr a;
		uint8_t addr[16];
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)) + RTA_LENGTH(cidr_addr_len(to)),
			.nlmsg_type = RTM_GETROUTE,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 1,
		},
		.rt = { .rtm_family = (unsigned char)to->family, .rtm_dst_len = (unsigned char)(cidr_addr_len(to) * 8) },
		.a = { .rta_len = (unsigned short)RTA_LENGTH(cidr_addr_len(to)), .rta_type = RTA_DST },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	ssize_t len;

	memcpy(req.addr, to->addr.b, cidr_addr_len(to));
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	while ((len = recv(fd, buf, sizeof(buf), 0)) < 0)
		if (errno != EINTR)
			return -errno;
	if ((size_t)len < sizeof(*h) || h->nlmsg_len > (size_t)len || h->nlmsg_len < sizeof(*h))
		return -EPROTO;
	if (h->nlmsg_type == NLMSG_ERROR)
		return 0;	/* unreachable, no route: nothing to turn on */
	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -EPROTO;
	const struct rtmsg *rt = NLMSG_DATA(h);
	int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rt)));

	if (rt->rtm_type != RTN_UNICAST)
		return 0;
	for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == sizeof(int))
			return if_indextoname(*(const unsigned *)RTA_DATA(a), name) ? 1 : -errno;
	return 0;
}

/* Interface names, a small list without repeats. */
struct ifnames {
	char (*v)[IF_NAMESIZE];
	size_t n;
};

static bool ifnames_has(const struct ifnames *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (streq(l->v[i], name))
			return true;
	return false;
}

/* The interfaces the loopback publications of P route through (those
 * SKIP does not veto), into L, which has room for COUNT. */
static int ifnames_of(const struct nat_publish *p, size_t count, const struct nat_publish *skip,
		      size_t nskip, struct ifnames *l)
{
	for (size_t i = 0; i < count; i++) {
		char name[IF_NAMESIZE];
		bool skipped = false;
		int r;

		for (size_t k = 0; k < nskip && !skipped; k++)
			skipped = nat_publish_same_key(&p[i], &skip[k]);
		if (skipped || !nat_publish_on_loopback(&p[i]))
			continue;
		if ((r = route_ifname(&p[i].to, name)) < 0)
			return r;
		if (r == 1 && !streq(name, "lo") && !ifnames_has(l, name))
			strcpy(l->v[l->n++], name);
	}
	return 0;
}

static int publish_check(const struct nat_publish *p, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if ((p[i].to.family != AF_INET && p[i].to.family != AF_INET6) ||
		    (p[i].addr.family && p[i].addr.family != p[i].to.family))
			return -EAFNOSUPPORT;
		else if (p[i].proto != IPPROTO_TCP && p[i].proto != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
	return 0;
}

/* Take back what a publish add committed: P's elements, and the
 * interfaces of ON (none turned on yet, or turned off again first). */
static void publish_undo(struct nat *n, const struct nat_publish *p, size_t count, const struct ifnames *on)
{
	struct txn t;

	if (txn_begin(&t) < 0)
		return;
	put_publish(&t, false, p, count);
	for (size_t i = 0; i < on->n; i++)
		fprintf(txn_elem(&t, LOCALNET), "\"%s\"", on->v[i]);
	txn_commit(n, &t, false);
}

int nat_publish_add(struct nat *n, const struct nat_publish *p, size_t count)
{
	struct ifnames want = { 0 }, on = { 0 };
	_cleanup_close_ int lock = -1;
	struct txn t;
	int r;

	if ((r = publish_check(p, count)) < 0)
		return r;
	want.v = calloc(count + 1, sizeof(*want.v));
	on.v = calloc(count + 1, sizeof(*on.v));
	if (!want.v || !on.v) {
		r = -ENOMEM;
		goto out;
	}
	lock = nat_lock();
	if ((r = ifnames_of(p, count, NULL, 0, &want)) < 0 || (r = txn_begin(&t)) < 0)
		goto out;
	put_publish(&t, true, p, count);
	/* Those still off join localnet in the transaction and are turned
	 * on after it: a command killed in between leaves an interface that
	 * is in the set (so guarded by the input chain) but off, never one
	 * that is on and unknown to nskit. ENOENT: the interface went. */
	for (size_t i = 0; i < want.n && r == 0; i++) {
		if ((r = localnet_get(want.v[i])) == 0) {
			strcpy(on.v[on.n++], want.v[i]);
			fprintf(txn_elem(&t, LOCALNET), "\"%s\"", want.v[i]);
		}
		r = r < 0 && r != -ENOENT ? r : 0;
	}
	if (r < 0) {
		txn_free(&t);
		goto out;
	}
	if ((r = txn_commit(n, &t, true)) < 0)
		goto out;
	for (size_t i = 0; i < on.n && r == 0; i++)
		if ((r = localnet_set(on.v[i], true)) < 0) {
			for (size_t k = 0; k < i; k++)
				localnet_set(on.v[k], false);
			publish_undo(n, p, count, &on);
		}
out:
	free(want.v);
	free(on.v);
	return r;
}

/* Delete P, and take the interfaces of localnet that no publication left
 * is routed through out of the set (same transaction) and their
 * route_localnet off (after it). */
int nat_publish_del(struct nat *n, const struct nat_publish *p, size_t count)
{
	struct ifnames still = { 0 }, off = { 0 };
	_cleanup_close_ int lock = -1;
	struct nat_state st = { 0 };
	struct txn t;
	int r;

	if (!count)
		return 0;
	if ((r = publish_check(p, count)) < 0)
		return r;
	lock = nat_lock();
	if ((r = nat_read(n, &st)) < 0)
		return r;
	still.v = calloc(st.npublish + 1, sizeof(*still.v));
	off.v = calloc(st.nlocalnet + 1, sizeof(*off.v));
	if (!still.v || !off.v)
		r = -ENOMEM;
	else if (st.nlocalnet)
		r = ifnames_of(st.publish, st.npublish, p, count, &still);
	if (r < 0 || (r = txn_begin(&t)) < 0)
		goto out;
	put_publish(&t, false, p, count);
	for (size_t i = 0; i < st.nlocalnet; i++)
		if (!ifnames_has(&still, st.localnet[i])) {
			strcpy(off.v[off.n++], st.localnet[i]);
			fprintf(txn_elem(&t, LOCALNET), "\"%s\"", st.localnet[i]);
		}
	r = txn_commit(n, &t, false);
	/* An interface gone meanwhile (a jail's veth) took its sysctl along. */
	for (size_t i = 0; i < off.n && r == 0; i++)
		localnet_set(off.v[i], false);
out:
	free(still.v);
	free(off.v);
	nat_state_free(&st);
	return r;
}

int nat_flush(struct nat *n)
{
	_cleanup_close_ int lock = -1;
	struct nat_state st;
	int r;

	lock = nat_lock();
	if ((r = nat_read(n, &st)) < 0)
		return r;
	/* `add` first makes `delete` succeed when there is no table; both in
	 * one transaction, so a table never appears for a moment. */
	r = run(n, "add table " T "\ndelete table " T "\n");
	if (r == 0)
		n->table = 0;
	for (size_t i = 0; i < st.nlocalnet && r == 0; i++)
		localnet_set(st.localnet[i], false);
	nat_state_free(&st);
	return r;
}

/* Reading the state back. Elements come as JSON values: an address is
 * "10.1.1.1" or {"prefix": {"addr": "10.8.8.0", "len": 24}}, a concatenation
 * {"concat": [...]}, a map element [key, value]. Shapes nskit never writes
 * (ranges someone added by hand) are skipped. */
static int json_cidr(struct json_object *v, int family, struct cidr *c)
{
	struct json_object *p, *a, *l;
	const char *s;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (cidr_parse(s, c, false) < 0)
			return -EINVAL;
	} else if (json_object_object_get_ex(v, "prefix", &p) &&
		   json_object_object_get_ex(p, "addr", &a) && json_object_object_get_ex(p, "len", &l)) {
		if (cidr_parse(json_object_get_string(a), c, false) < 0)
			return -EINVAL;
		c->prefix = json_object_get_int(l);
		if (c->prefix < 0 || c->prefix > (c->family == AF_INET ? 32 : 128))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return c->family == family ? 0 : -EINVAL;
}

static int json_proto(struct json_object *v)
{
	const char *s = json_object_get_string(v);

	if (json_object_is_type(v, json_type_int))
		return json_object_get_int(v);
	if (s && streq(s, "tcp"))
		return IPPROTO_TCP;
	if (s && streq(s, "udp"))
		return IPPROTO_UDP;
	return -1;
}

static int json_port(struct json_object *v, uint16_t *port)
{
	int p;

	if (!json_object_is_type(v, json_type_int))
		return port_parse(json_object_get_string(v), port);
	p = json_object_get_int(v);
	if (p < 1 || p > 65535)
		return -ERANGE;
	*port = (uint16_t)p;
	return 0;
}

/* The members of a {"concat": [...]}, checked to number N. */
static struct json_object *concat(struct json_object *v, size_t n)
{
	struct json_object *c;

	if (!json_object_object_get_ex(v, "concat", &c) || !json_object_is_type(c, json_type_array) ||
	    json_object_array_length(c) != n)
		return NULL;
	return c;
}

static int grow(void *pv, size_t n, size_t *cap, size_t size)
{
	void **p = pv;
	void *nv;

	if (n < *cap)
		return 0;
	nv = reallocarray(*p, *cap ? *cap * 2 : 16, size);
	if (!nv)
		return -ENOMEM;
	*p = nv;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

static int read_masq(struct nat_state *st, size_t *cap, struct json_object *elem, int family, bool out)
{
	for (size_t i = 0; i < json_object_array_length(elem); i++) {
		struct json_object *e = json_object_array_get_idx(elem, i), *c = NULL;
		struct nat_masq m = { 0 };
		const char *ifname;

		if (out) {
			if (!(c = concat(e, 2)))
				continue;
			e = json_object_array_get_idx(c, 0);
			ifname = json_object_get_string(json_object_array_get_idx(c, 1));
			if (!ifname || strlen(ifname) >= sizeof(m.out))
				continue;
			strcpy(m.out, ifname);
		}
		if (json_cidr(e, family, &m.subnet) < 0)
			continue;
		if (grow(&st->masq, st->nmasq, cap, sizeof(m)) < 0)
			return -ENOMEM;
		st->masq[st->nmasq++] = m;
	}
	return 0;
}

static int read_publish(struct nat_state *st, size_t *cap, struct json_object *elem, int family, bool addr)
{
	for (size_t i = 0; i < json_object_array_length(elem); i++) {
		struct json_object *e = json_object_array_get_idx(elem, i);
		struct json_object *k = concat(json_object_array_get_idx(e, 0), addr ? 3 : 2);
		struct json_object *v = concat(json_object_array_get_idx(e, 1), 2);
		struct nat_publish p = { 0 };
		size_t at = 0;

		if (!json_object_is_type(e, json_type_array) || !k || !v)
			continue;
		if (addr && json_cidr(json_object_array_get_idx(k, at++), family, &p.addr) < 0)
			continue;
		p.proto = json_proto(json_object_array_get_idx(k, at++));
		if ((p.proto != IPPROTO_TCP && p.proto != IPPROTO_UDP) ||
		    json_port(json_object_array_get_idx(k, at), &p.port) < 0 ||
		    json_cidr(json_object_array_get_idx(v, 0), family, &p.to) < 0 ||
		    json_port(json_object_array_get_idx(v, 1), &p.to_port) < 0)
			continue;
		if (grow(&st->publish, st->npublish, cap, sizeof(p)) < 0)
			return -ENOMEM;
		st->publish[st->npublish++] = p;
	}
	return 0;
}

static int read_localnet(struct nat_state *st, struct json_object *elem)
{
	size_t n = json_object_array_length(elem);

	free(st->localnet);
	st->nlocalnet = 0;
	if (!(st->localnet = calloc(n + 1, sizeof(*st->localnet))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(elem, i));

		if (s && strlen(s) < IF_NAMESIZE)
			strcpy(st->localnet[st->nlocalnet++], s);
	}
	return 0;
}

/* One entry of the listing: {"set": {...}} or {"map": {...}}. */
static int read_set(struct nat_state *st, size_t *mcap, size_t *pcap, struct json_object *o)
{
	struct json_object *s, *name, *elem;
	const char *nm;

	if (!json_object_object_get_ex(o, "set", &s) && !json_object_object_get_ex(o, "map", &s))
		return 0;
	if (!json_object_object_get_ex(s, "name", &name) || !json_object_object_get_ex(s, "elem", &elem) ||
	    !json_object_is_type(elem, json_type_array))
		return 0;
	nm = json_object_get_string(name);
	if (streq(nm, "localnet"))
		return read_localnet(st, elem);
	if (streq(nm, "masq4") || streq(nm, "masq4_out"))
		return read_masq(st, mcap, elem, AF_INET, nm[5]);
	if (streq(nm, "masq6") || streq(nm, "masq6_out"))
		return read_masq(st, mcap, elem, AF_INET6, nm[5]);
	if (streq(nm, "publish4") || streq(nm, "publish4_addr"))
		return read_publish(st, pcap, elem, AF_INET, nm[8]);
	if (streq(nm, "publish6") || streq(nm, "publish6_addr"))
		return read_publish(st, pcap, elem, AF_INET6, nm[8]);
	return 0;
}

int nat_read(struct nat *n, struct nat_state *st)
{
	struct json_object *doc, *arr;
	size_t mcap = 0, pcap = 0;
	int r = run(n, "list table " T "\n");

	*st = (struct nat_state){ 0 };
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	doc = json_tokener_parse(nft_ctx_get_output_buffer(n->ctx));
	if (!doc)
		return -EPROTO;
	if (json_object_object_get_ex(doc, "nftables", &arr) && json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr) && r == 0; i++)
			r = read_set(st, &mcap, &pcap, json_object_array_get_idx(arr, i));
	json_object_put(doc);
	if (r < 0)
		nat_state_free(st);
	return r;
}

void nat_state_free(struct nat_state *st)
{
	free(st->masq);
	free(st->publish);
	free(st->localnet);
	*st = (struct nat_state){ 0 };
}

bool nat_masq_equal(const struct nat_masq *a, const struct nat_masq *b)
{
	return a->subnet.family == b->subnet.family && a->subnet.prefix == b->subnet.prefix &&
	       memcmp(a->subnet.addr.b, b->subnet.addr.b, cidr_addr_len(&a->subnet)) == 0 &&
	       streq(a->out, b->out);
}

const struct nat_masq *nat_masq_overlap(const struct nat_state *st, const struct nat_masq *m)
{
	for (size_t i = 0; i < st->nmasq; i++) {
		const struct nat_masq *e = &st->masq[i];

		if (!streq(e->out, m->out) || nat_masq_equal(e, m))
			continue;
		if (cidr_contains(&e->subnet, &m->subnet) || cidr_contains(&m->subnet, &e->subnet))
			return e;
	}
	return NULL;
}

static bool same_addr(const struct cidr *a, const struct cidr *b)
{
	return a->family == b->family &&
	       (!a->family || memcmp(a->addr.b, b->addr.b, cidr_addr_len(a)) == 0);
}

bool nat_publish_same_key(const struct nat_publish *a, const struct nat_publish *b)
{
	return a->proto == b->proto && a->port == b->port && a->to.family == b->to.family &&
	       same_addr(&a->addr, &b->addr);
}

bool nat_publish_same_target(const struct nat_publish *a, const struct nat_publish *b)
{
	return same_addr(&a->to, &b->to) && a->to_port == b->to_port;
}

const struct nat_publish *nat_publish_find(const struct nat_state *st, const struct nat_publish *p)
{
	for (size_t i = 0; i < st->npublish; i++)
		if (nat_publish_same_key(&st->publish[i], p))
			return &st->publish[i];
	return NULL;
}

static const char *forwarding_path(int family)
{
	return family == AF_INET ? "/proc/sys/net/ipv4/ip_forward" : "/proc/sys/net/ipv6/conf/all/forwarding";
}

static int sysctl_write(const char *path, const char *val)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(val);

	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, val, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

int nat_forwarding_on(int family, bool *was)
{
	_cleanup_close_ int fd = open(forwarding_path(family), O_RDONLY | O_CLOEXEC);
	char c = 0;

	if (fd < 0)
		return -errno;
	if (read(fd, &c, 1) != 1)
		return -EIO;
	*was = c != '0';
	return *was ? 0 : sysctl_write(forwarding_path(family), "1");
}

int nat_forwarding_off(int family)
{
	return sysctl_write(forwarding_path(family), "0");
}
