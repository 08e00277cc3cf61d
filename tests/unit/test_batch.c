/* test_batch - batch files (lib/batch.h) and vethctl's command line as a
 * batch line parses it (lib/vethargs.h): lines, words, comments,
 * "FILE:LINE", and the command or the one-line message each line gives. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "unit.h"
#include "util.h"
#include "vethargs.h"

static void test_lines_and_where(void)
{
	struct batch b;
	char *line, *where;

	batch_init(&b, "jails.txt", strdup("add a\n\n# c\nlist\r\nlast"));
	CHECK(streq(batch_next_line(&b), "add a") && b.lineno == 1);
	CHECK(streq(batch_next_line(&b), "") && b.lineno == 2);
	CHECK(streq(batch_next_line(&b), "# c"));
	CHECK(streq(batch_next_line(&b), "list\r"));
	line = batch_next_line(&b);
	where = batch_where(&b);
	CHECK(line && streq(line, "last") && streq(where, "jails.txt:5"));
	CHECK(batch_next_line(&b) == NULL && batch_next_line(&b) == NULL);
	free(where);
	batch_free(&b);

	/* A final newline ends the last line, it does not start one; stdin
	 * is named so. */
	batch_init(&b, "-", strdup("a\n"));
	CHECK(batch_next_line(&b) && batch_next_line(&b) == NULL);
	where = batch_where(&b);
	CHECK(streq(where, "stdin:1"));
	free(where);
	batch_free(&b);

	batch_init(&b, "-", strdup(""));
	CHECK(batch_next_line(&b) == NULL);
	batch_free(&b);
}

static void test_split(void)
{
	char line[] = " add\tv1  --peer p1 #x y\r";
	char hash[] = "add v#1 # gone";
	char blank[] = " \t # only a comment";
	char **argv;
	int argc = batch_split(line, "vethctl", &argv);

	CHECK(argc == 5 && streq(argv[0], "vethctl") && streq(argv[1], "add") &&
	      streq(argv[2], "v1") && streq(argv[3], "--peer") && streq(argv[4], "p1") &&
	      argv[5] == NULL);
	free(argv);
	/* '#' starts a comment only as a word's first byte. */
	argc = batch_split(hash, "x", &argv);
	CHECK(argc == 3 && streq(argv[2], "v#1") && argv[3] == NULL);
	free(argv);
	argc = batch_split(blank, "x", &argv);
	CHECK(argc == 1 && argv[1] == NULL);
	free(argv);
}

/* Parse TEXT into *A; *LINE keeps the words *A points to (free it after
 * vethargs_free). */
static int parse(const char *text, struct veth_args *a, char **line)
{
	*line = strdup(text);
	return vethargs_parse_line(*line, a);
}

static void done(struct veth_args *a, char *line)
{
	vethargs_free(a);
	free(line);
}

static void test_parse_good_lines(void)
{
	struct veth_args a;
	char *l;

	CHECK(parse("add veth-jail -n jail --addr 10.8.8.1/24 --peer-addr 10.8.8.2/24 --gateway", &a, &l) == 0);
	CHECK(a.cmd == VETH_ADD && a.nargs == 1 && streq(a.args[0], "veth-jail") &&
	      streq(a.netns, "jail") && a.naddr == 1 && a.npeer_addr == 1 && a.gateway && !a.err);
	done(&a, l);
	CHECK(parse("bridge add br0 --addr 10.9.0.1/24 --mtu 1400 --group 7", &a, &l) == 0);
	CHECK(a.cmd == VETH_BRIDGE && a.nargs == 2 && a.mtu == 1400 && a.group == 7);
	done(&a, l);
	CHECK(parse("del v1 v2 v3", &a, &l) == 0 && a.cmd == VETH_DEL && a.nargs == 3);
	done(&a, l);
	CHECK(parse("list -j", &a, &l) == 0 && a.cmd == VETH_LIST && a.json);
	done(&a, l);
	/* iproute2's words and unique prefixes; names and a group at once. */
	CHECK(parse("delete v1 --group 7", &a, &l) == 0 && a.cmd == VETH_DEL && a.nargs == 1 && a.group == 7);
	done(&a, l);
	CHECK(parse("sh", &a, &l) == 0 && a.cmd == VETH_LIST);
	done(&a, l);
	CHECK(parse("b delete br0", &a, &l) == 0 && a.cmd == VETH_BRIDGE && streq(a.args[0], "del"));
	done(&a, l);
	CHECK(parse("vxlan add vx0 --vni 42 --local 10.0.0.1 --remote 10.0.0.2 --remote 10.0.0.3", &a, &l) == 0 &&
	      a.cmd == VETH_VXLAN && a.vx == VX_ADD && a.vni == 42 && a.port == 4789 && a.nremote == 2 &&
	      streq(a.args[0], "vx0"));
	done(&a, l);
	CHECK(parse("vx pe a vx0 --remote 10.0.0.2 --mac 02:00:00:00:00:02 --addr 10.1.2.0 --route 10.1.2.0/24",
		    &a, &l) == 0 && a.vx == VX_PEER_ADD && a.has_mac && a.has_route && a.naddr == 1);
	done(&a, l);
	CHECK(parse("vxlan ls -n ns -j", &a, &l) == 0 && a.vx == VX_LIST && a.json && streq(a.netns, "ns"));
	done(&a, l);
	CHECK(parse("   # nothing here", &a, &l) == 0 && a.cmd == VETH_NONE);
	done(&a, l);
	CHECK(parse("", &a, &l) == 0 && a.cmd == VETH_NONE);
	done(&a, l);
}

static void test_parse_bad_lines(void)
{
	static const struct {
		const char *line, *err;
	} cases[] = {
		{ "add b2 --peer bp2 --addr 300.1.1.1/24", "'300.1.1.1/24': not an address with a prefix (ADDR/LEN)" },
		{ "add b2 --frob", "'--frob': unknown option" },
		{ "add x -n ns --mtu", "an option is missing its argument" },
		{ "add x -n ns --mtu 67", "--mtu: '67': not a number in 68-65535" },
		{ "add x --peer x", "add: x: NAME and PEER are the same" },
		{ "add x", "add: --peer PEER is needed without --netns (eth0 is for a namespace)" },
		{ "-b other", "--batch inside a batch" },
		{ "frobnicate", "'frobnicate': unknown command (add, bridge, connect, del, list, vxlan)" },
		{ "conect a b", "'conect': unknown command (did you mean 'connect'?)" },
		{ "--mtu 1400", "a command is required" },
		{ "del", "del: give NAME..., --group N or both" },
		{ "list x", "list: wrong number of operands" },
		{ "list -n ns", "list: --netns is for add and vxlan" },
		{ "vxlan add vx0 --vni 16777216 --local 10.0.0.1", "--vni: '16777216': not a number in 0-16777215" },
		{ "vxlan add vx0 --vni 1 --local 10.0.0.1 --remote fd00::1",
		  "vxlan add: --remote fd00::1: not of --local's family (IPv4)" },
		{ "vxlan add vx0 --vni 1", "vxlan add: --vni and --local are needed" },
		{ "vxlan peer add vx0 --remote 10.0.0.2 --mac 01:00:5e:00:00:01",
		  "--mac: 01:00:5e:00:00:01: not a unicast address (multicast or all zeros)" },
		{ "vxlan peer add vx0 --remote 10.0.0.2 --mac 02:00:00:00:00:02 --route 10.1.0.0/24",
		  "vxlan peer add: --route needs --addr (the next hop)" },
		{ "vxlan peer frob vx0", "vxlan peer: 'frob': unknown command (add, del)" },
		{ "vxlan list vx0", "vxlan list: wrong number of operands" },
		{ "vxlan del vx0 --remote 10.0.0.1", "vxlan del: --remote and --mac are for vxlan add and vxlan peer" },
		{ "add waytoolonginterfacename -n ns", "waytoolonginterfacename: interface name longer than 15 bytes" },
		{ "bridge frob br0", "bridge: 'frob': unknown command (add, del)" },
		{ "add x -n ns --gateway", "add: --gateway needs --netns, --peer-addr and --addr or --master" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct veth_args a;
		char *l;
		int r = parse(cases[i].line, &a, &l);

		CHECK(r == -EINVAL && a.err && streq(a.err, cases[i].err));
		if (r != -EINVAL || !a.err || !streq(a.err, cases[i].err))
			fprintf(stderr, "  %s -> %d %s\n", cases[i].line, r, a.err ? a.err : "(none)");
		done(&a, l);
	}
}

int main(void)
{
	test_lines_and_where();
	test_split();
	test_parse_good_lines();
	test_parse_bad_lines();
	return UNIT_REPORT();
}
