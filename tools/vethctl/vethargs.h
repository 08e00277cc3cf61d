/* vethargs.h - vethctl's command line: its options, its commands and
 * which options each takes, and the checks on interface names, addresses
 * and numbers. One parser serves the process's argv (through the tool's
 * argp) and every line of a batch (vethargs_parse_line), so a batch line
 * means what the same words mean on the command line, and a bad line is
 * refused with the message the command line would give. Nothing here
 * prints or exits; part of vethctl's own library (no ABI promise). */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

enum veth_cmd {
	VETH_NONE,		/* a blank or comment batch line; -b alone */
	VETH_ADD,
	VETH_BRIDGE,		/* args[0] is "add" or "del", args[1] the bridge */
	VETH_CONNECT,
	VETH_DEL,
	VETH_LIST,
	VETH_VXLAN,		/* .vx says which */
};

enum vxlan_cmd {
	VX_NONE,		/* `vxlan` alone: a usage error */
	VX_ADD,
	VX_DEL,
	VX_LIST,
	VX_PEER,		/* `vxlan peer` alone: a usage error */
	VX_PEER_ADD,
	VX_PEER_DEL,
};

#define VETH_MAX_ADDRS 4
#define VETH_MAX_REMOTES 16
#define VXLAN_PORT 4789		/* IANA's; the kernel's default, 8472, is Linux's older one */

struct veth_args {
	enum veth_cmd cmd;
	enum vxlan_cmd vx;
	char **args;		/* the operands after the command */
	int nargs;
	const char *batch, *dev, *master, *name, *netns, *peer;
	struct cidr addr[VETH_MAX_ADDRS], peer_addr[VETH_MAX_ADDRS];
	const char *addr_bare;	/* the first --addr given without a prefix */
	int naddr, npeer_addr;
	uint32_t mtu, group;	/* 0: not given */
	/* vxlan: --vni, --local, --remote..., --port, --mac; peer's --route */
	uint32_t vni;
	bool has_vni, has_mac, has_route;
	uint16_t port;		/* VXLAN_PORT unless given */
	struct cidr local, route, remote[VETH_MAX_REMOTES];
	int nremote;
	uint8_t mac[6];
	bool gateway, json;
	bool in_batch;		/* a batch line: --batch is refused */
	char *err;		/* why parsing failed: one line, no program name */
};

/* The option table, sorted; what vethctl --help lists. */
extern const struct argp_option vethargs_options[];

/* argp's parser over vethargs_options, STATE->input a zeroed struct
 * veth_args. A usage error returns EINVAL with the message in ->err and
 * prints nothing: the tool's parser hands it to argp_error. ENOMEM comes
 * without a message. */
error_t vethargs_parse_opt(int key, char *arg, struct argp_state *state);

/* Parse one batch line, LINE cut into words in place (the strings in *A
 * point into it), into *A: 0 with A->cmd set (VETH_NONE for a blank or
 * comment line), -EINVAL with A->err saying why ("'--frob': unknown
 * option"), or -ENOMEM. Free *A with vethargs_free in every case. */
int vethargs_parse_line(char *line, struct veth_args *a);

/* Free what parsing allocated; *A is zeroed. */
void vethargs_free(struct veth_args *a);
