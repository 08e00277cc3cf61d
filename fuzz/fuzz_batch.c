/* fuzz_batch - vethctl batch files (tools/vethctl/batch.h, vethargs.h): the
 * input is a whole file, cut into lines and each line parsed as `vethctl
 * -b` parses it, before anything runs. Lines are numbered one by one and
 * named "FILE:LINE"; a line either parses into a command that satisfies
 * what vethctl's commands rely on (operand counts, valid interface names,
 * options only where the command takes them, numbers in range), or is a
 * blank or comment line, or is refused with a one-line message; parsing
 * the same line again gives the same answer; nothing leaks on any path. */
#include <errno.h>

#include "batch.h"
#include "fuzz.h"
#include "link.h"
#include "util.h"
#include "vethargs.h"

static bool blank_or_comment(const char *line)
{
	line += strspn(line, " \t\r\n");
	return !*line || *line == '#';
}

/* What each command takes, read from the man page, not from vethargs. */
static void check_command(const struct veth_args *a)
{
	const char *bridge_op = a->cmd == VETH_BRIDGE ? a->args[0] : "";
	bool bridge_add = streq(bridge_op, "add");

	FUZZ_ASSERT(!a->err && !a->batch);
	FUZZ_ASSERT(a->naddr >= 0 && a->naddr <= VETH_MAX_ADDRS);
	FUZZ_ASSERT(a->npeer_addr >= 0 && a->npeer_addr <= VETH_MAX_ADDRS);
	FUZZ_ASSERT(a->mtu == 0 || (a->mtu >= 68 && a->mtu <= 65535));
	for (int i = 0; i < a->nargs; i++)
		FUZZ_ASSERT(a->args[i] && *a->args[i] && !strpbrk(a->args[i], " \t\r\n"));
	for (int i = 0; i < a->naddr; i++)
		FUZZ_ASSERT(a->addr[i].family == AF_INET ? a->addr[i].prefix <= 32 :
			    a->addr[i].family == AF_INET6 && a->addr[i].prefix <= 128);
	for (int i = 0; i < a->npeer_addr; i++)
		FUZZ_ASSERT(a->peer_addr[i].family == AF_INET ? a->peer_addr[i].prefix <= 32 :
			    a->peer_addr[i].family == AF_INET6 && a->peer_addr[i].prefix <= 128);
	FUZZ_ASSERT(!a->master || link_name_check(a->master) == 0);
	FUZZ_ASSERT(!a->peer || link_name_check(a->peer) == 0);
	FUZZ_ASSERT(!a->name || link_name_check(a->name) == 0);
	bool vx = a->cmd == VETH_VXLAN, vx_add = vx && a->vx == VX_ADD;
	bool vx_peer = vx && (a->vx == VX_PEER_ADD || a->vx == VX_PEER_DEL);

	FUZZ_ASSERT(!a->json || a->cmd == VETH_LIST || (vx && a->vx == VX_LIST));
	FUZZ_ASSERT(!a->netns || a->cmd == VETH_ADD || vx);
	/* vxlan's own options only on its commands that take them. */
	FUZZ_ASSERT(!(a->has_vni || a->local.family || a->dev || a->port) || vx_add);
	FUZZ_ASSERT(!a->has_vni || a->vni <= 16777215);
	FUZZ_ASSERT(!(a->nremote || a->has_mac) || vx_add || vx_peer);
	FUZZ_ASSERT(!a->has_route || (vx_peer && a->naddr == 1 && a->route.family == a->addr[0].family));
	FUZZ_ASSERT(!a->has_mac || (!(a->mac[0] & 1) && (a->mac[0] | a->mac[1] | a->mac[2] | a->mac[3] |
							  a->mac[4] | a->mac[5])));
	for (int i = 0; vx_add && i < a->nremote; i++)
		FUZZ_ASSERT(a->remote[i].family == a->local.family);
	FUZZ_ASSERT(!vx_peer || (a->nremote == 1 && a->has_mac && a->naddr <= 1));
	FUZZ_ASSERT(!vx_add || (a->has_vni && a->local.family && a->port));
	FUZZ_ASSERT(!a->gateway || (a->cmd == VETH_ADD && a->netns && a->npeer_addr &&
				    (a->naddr || a->master)));
	FUZZ_ASSERT(!a->master || a->cmd == VETH_ADD || vx_add);
	FUZZ_ASSERT(!a->name || a->cmd == VETH_CONNECT);
	FUZZ_ASSERT((!a->peer && !a->npeer_addr) || a->cmd == VETH_ADD || a->cmd == VETH_CONNECT);
	FUZZ_ASSERT(!a->naddr || a->cmd == VETH_ADD || a->cmd == VETH_CONNECT || bridge_add || vx_peer);
	FUZZ_ASSERT(!a->mtu || a->cmd == VETH_ADD || a->cmd == VETH_CONNECT || bridge_add || vx_add);
	FUZZ_ASSERT(!a->group || a->cmd == VETH_ADD || a->cmd == VETH_DEL || bridge_add);
	switch (a->cmd) {
	case VETH_ADD:
		FUZZ_ASSERT(a->nargs == 1 && link_name_check(a->args[0]) == 0);
		FUZZ_ASSERT(a->netns || (a->peer && !streq(a->peer, a->args[0])));
		break;
	case VETH_BRIDGE:
		FUZZ_ASSERT(a->nargs == 2 && (bridge_add || streq(bridge_op, "del")));
		FUZZ_ASSERT(link_name_check(a->args[1]) == 0);
		break;
	case VETH_CONNECT:
		FUZZ_ASSERT(a->nargs == 2);
		break;
	case VETH_DEL:
		FUZZ_ASSERT(a->group != 0 || a->nargs > 0);	/* names, a group, or both */
		for (int i = 0; i < a->nargs; i++)
			FUZZ_ASSERT(link_name_check(a->args[i]) == 0);
		break;
	case VETH_LIST:
		FUZZ_ASSERT(a->nargs == 0);
		break;
	case VETH_VXLAN:
		FUZZ_ASSERT(a->vx == VX_LIST ? a->nargs == 0 :
			    a->nargs == 1 && link_name_check(a->args[0]) == 0 && a->vx != VX_NONE && a->vx != VX_PEER);
		break;
	default:
		FUZZ_ASSERT(!"a command out of range");
	}
}

static void check_line(char *line, const char *where, size_t lineno)
{
	char *again = strdup(line), *orig = strdup(line);
	struct veth_args a, b;
	char num[32];
	int r, r2;

	FUZZ_ASSERT(again && orig);
	snprintf(num, sizeof(num), ":%zu", lineno);
	FUZZ_ASSERT(strncmp(where, "fuzz:", 5) == 0 && streq(where + 4, num));
	FUZZ_ASSERT(!strchr(line, '\n'));
	r = vethargs_parse_line(line, &a);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r == 0 && a.cmd == VETH_NONE)
		FUZZ_ASSERT(blank_or_comment(orig) && !a.err);
	else if (r == 0)
		check_command(&a);
	else if (r == -EINVAL)
		FUZZ_ASSERT(a.err && *a.err && !strchr(a.err, '\n'));
	/* No state carried from one line to the next. */
	r2 = vethargs_parse_line(again, &b);
	FUZZ_ASSERT(r2 == r && b.cmd == a.cmd && b.nargs == a.nargs);
	FUZZ_ASSERT(!a.err == !b.err && (!a.err || streq(a.err, b.err)));
	for (int i = 0; i < a.nargs; i++)
		FUZZ_ASSERT(streq(a.args[i], b.args[i]));
	vethargs_free(&a);
	vethargs_free(&b);
	free(again);
	free(orig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch b;
	size_t n = 0;

	batch_init(&b, "fuzz", fuzz_str(data, size));
	for (char *line; (line = batch_next_line(&b));) {
		char *where = batch_where(&b);

		FUZZ_ASSERT(where && b.lineno == ++n);
		check_line(line, where, n);
		free(where);
	}
	/* Every line up to the first NUL byte was seen. */
	{
		size_t len = strnlen((const char *)data, size), nl = 0;

		for (size_t i = 0; i < len; i++)
			nl += data[i] == '\n';
		FUZZ_ASSERT(n == (len == 0 ? 0 : nl + (data[len - 1] != '\n')));
	}
	batch_free(&b);
	return 0;
}
