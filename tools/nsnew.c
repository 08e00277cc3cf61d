/* nsnew - run a command in new namespaces, from one to a whole container.
 *   nsnew [-a | -CimnpTUu] [--rootfs DIR] [--map-root] [--name NAME]
 *         [OPTIONS] [--] [COMMAND [ARG...]]
 * Siblings: nsjoin(8) enters the jail later, nsname(8) names and releases
 * it, idmap(1) writes the id maps of a user namespace. */
#include <argp.h>
#include <dirent.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "idmap.h"
#include "imagecfg.h"
#include "msg.h"
#include "netnsdir.h"
#include "ns.h"
#include "parse.h"
#include "jailrec.h"
#include "pins.h"
#include "nsnew/cgroup.h"
#include "nsnew/env.h"
#include "nsnew/lazylib.h"
#include "nsnew/rlimits.h"
#include "nsnew/seccomp.h"
#include "nsnew/tty.h"
#include "nsnew/usernet.h"
#include "undo.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct volume {
	const char *src, *dst;
	bool ro, dir;
	int tree;		/* the source, detached, until it is placed */
};

/* --tmpfs DIR[:SIZE] */
struct tmpfs {
	const char *dir;
	uint64_t size;			/* 0: the kernel's default, half of RAM */
};

/* --clearenv, --env-file, --setenv, --unsetenv, kept in command-line order */
struct env_op {
	int key;
	const char *arg;
};

/* --overlay-dir DIR, opened before any namespace: the upper and work
 * directories of the jail's overlay, and what nsnew made there (taken
 * back by main()'s undo stack when the jail never started; --ephemeral's
 * also when the command exits). */
struct overlay_dir {
	int dir, upper, work;		/* O_PATH fds, -1 when none */
	bool made_upper, made_work;
	char eph[32];			/* --ephemeral: DIR's "ephemeral.XXXXXX", else "" */
	bool started;			/* the command ran: its layers stay (unless eph) */
};

struct opts {
	int flags;			/* CLONE_NEW* */
	const char *hostname, *hosts, *rootfs, *name;
	bool mount_proc, pin_all, init, die_with_parent, no_new_privs;
	bool map_root, subids;
	struct volume *vol;
	size_t nvol;
	bool set_uid, set_gid, set_groups;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	bool caps, keep_given;
	uint64_t keep, drop;		/* capability masks */
	char **cmd;
	bool lo_down;
	const char *chdir;		/* --chdir, else the image's WorkingDir */
	struct imagecfg img;		/* of --rootfs, where mkrootfs kept one */
	bool have_img;
	char **env;			/* the command's environment, if not ours */
	struct envlist envl;		/* what env points into */
	struct tty_relay tty;		/* not an option: the jail's own terminal */
	const char *seccomp;		/* --seccomp default|none|FILE */
	struct sc_filter filter;	/* built from --seccomp and --seccomp-fd */
	struct rlimit_set rlimits;
	struct cgroup_limits cglimits;	/* --memory --pids --cpus */
	struct env_op *envop;
	size_t nenvop;
	bool clearenv;
	bool home_inherited;		/* HOME is the caller's: replaced if not a directory inside */
	bool ro_rootfs, overlay, ephemeral;
	const char *overlay_dir;
	struct overlay_dir ovl;
	struct tmpfs *tmpfs;
	size_t ntmpfs;
	int small;			/* nsnew-init, O_PATH; -1 when not found */
	struct jailrec rec;		/* --name when rootless: the record written */
	/* Last, as each ends in a buffer of a page or more that most runs
	 * never write: main() keeps opts in .bss, where a page never
	 * written is never resident. */
	struct usernet net;		/* --user-net, --publish */
	struct jail_cgroup cgroup;	/* made for --memory --pids --cpus */
	struct idmap uidmap, gidmap;
};

enum {
	OPT_DIE_WITH_PARENT = 0x100, OPT_DROP_CAPS, OPT_GID, OPT_GROUPS, OPT_HOSTNAME,
	OPT_HOSTS, OPT_INIT, OPT_KEEP_CAPS, OPT_MAP_GROUP, OPT_MAP_ROOT, OPT_MAP_USER,
	OPT_MOUNT_PROC, OPT_NAME, OPT_NO_NEW_PRIVS, OPT_PIN_ALL, OPT_ROOTFS, OPT_SUBIDS,
	OPT_UID, OPT_VOLUME,
};
enum { OPT_CHDIR = 0x200, OPT_LO_DOWN };
enum { OPT_CPUS = 0x300, OPT_MEMORY, OPT_PIDS, OPT_RLIMIT, OPT_SECCOMP, OPT_SECCOMP_FD };
enum {
	OPT_CLEARENV = 0x400, OPT_ENV_FILE, OPT_EPHEMERAL, OPT_OVERLAY, OPT_OVERLAY_DIR,
	OPT_RO_ROOTFS, OPT_SETENV, OPT_TMPFS, OPT_UNSETENV,
};
enum { OPT_PUBLISH = 0x500, OPT_USER_NET };

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Which namespaces (implied by the options that need them):", 1 },
	{ "all", 'a', NULL, 0, "every type this kernel has", 1 },
	{ "cgroup", 'C', NULL, 0, "cgroup namespace", 1 },
	{ "ipc", 'i', NULL, 0, "IPC namespace", 1 },
	{ "mount", 'm', NULL, 0, "mount namespace (propagation made private)", 1 },
	{ "net", 'n', NULL, 0, "network namespace (only lo, brought up)", 1 },
	{ "lo-down", OPT_LO_DOWN, NULL, 0, "leave the new network namespace's lo down", 1 },
	{ "pid", 'p', NULL, 0, "PID namespace (the command is its PID 1)", 1 },
	{ "publish", OPT_PUBLISH, "[ADDR:]HOSTPORT:PORT[/udp]", 0, "with --user-net: forward HOSTPORT of the caller's network to PORT inside (repeatable)", 1 },
	{ "time", 'T', NULL, 0, "time namespace", 1 },
	{ "user", 'U', NULL, 0, "user namespace", 1 },
	{ "user-net", OPT_USER_NET, "HELPER", 0, "a network for the jail through pasta or slirp4netns (implies -n)", 1 },
	{ "uts", 'u', NULL, 0, "UTS namespace (hostname)", 1 },
	{ NULL, 0, NULL, 0, "The jail's files (imply -m; --hostname implies -u):", 2 },
	{ "ephemeral", OPT_EPHEMERAL, NULL, 0, "--overlay whose upper layer is discarded at exit (implies --overlay)", 2 },
	{ "hostname", OPT_HOSTNAME, "NAME", 0, "the hostname inside", 2 },
	{ "hosts", OPT_HOSTS, "FILE", 0, "with --rootfs: a copy of FILE as /etc/hosts (default: the host's)", 2 },
	{ "mount-proc", OPT_MOUNT_PROC, NULL, 0, "a /proc of a new PID namespace (implies -p)", 2 },
	{ "overlay", OPT_OVERLAY, NULL, 0, "with --rootfs: the image stays untouched, writes go to a tmpfs", 2 },
	{ "overlay-dir", OPT_OVERLAY_DIR, "DIR", 0, "--overlay writing to DIR/upper (kept; DIR mode 0700)", 2 },
	{ "ro-rootfs", OPT_RO_ROOTFS, NULL, 0, "with --rootfs: / read-only (/dev /tmp /run stay writable)", 2 },
	{ "rootfs", OPT_ROOTFS, "DIR", 0, "DIR becomes / with /proc /sys /dev /tmp /run (pivot_root)", 2 },
	{ "tmpfs", OPT_TMPFS, "DIR[:SIZE]", 0, "a tmpfs on DIR inside, SIZE bytes or K M G (repeatable)", 2 },
	{ "volume", 'v', "SRC:DST[:ro]", 0, "bind SRC on DST inside (repeatable)", 2 },
	{ NULL, 0, NULL, 0, "Ids (imply -U; as root, -U alone maps every id to itself):", 3 },
	{ "map-group", OPT_MAP_GROUP, "IN:OUT:N", 0, "map N gids from OUT outside to IN inside (repeatable)", 3 },
	{ "map-root", 'r', NULL, 0, "map uid and gid 0 inside to the caller's own", 3 },
	{ "map-user", OPT_MAP_USER, "IN:OUT:N", 0, "map N uids from OUT outside to IN inside (repeatable)", 3 },
	{ "subids", OPT_SUBIDS, NULL, 0, "map 0 to the caller and 1.. to its /etc/subuid and /etc/subgid ranges", 3 },
	{ NULL, 0, NULL, 0, "Names (imply -n):", 4 },
	{ "name", OPT_NAME, "NAME", 0, "pin the new network namespace as NAME in the netns directory", 4 },
	{ "pin-all", OPT_PIN_ALL, NULL, 0, "with --name: pin every new namespace under NAME", 4 },
	{ NULL, 0, NULL, 0, "The command's process:", 5 },
	{ "chdir", OPT_CHDIR, "DIR", 0, "run the command in DIR (default: the image's WorkingDir)", 5 },
	{ "die-with-parent", OPT_DIE_WITH_PARENT, NULL, 0, "kill the command when nsnew's parent dies", 5 },
	{ "drop-caps", OPT_DROP_CAPS, "LIST", 0, "drop these capabilities (bounding set too)", 5 },
	{ "gid", OPT_GID, "GID", 0, "group id inside", 5 },
	{ "setgid", 'G', "GID", OPTION_ALIAS, NULL, 5 },
	{ "groups", OPT_GROUPS, "LIST", 0, "supplementary group ids inside, comma-separated", 5 },
	{ "init", OPT_INIT, NULL, 0, "run a PID 1 that reaps zombies and forwards signals", 5 },
	{ "keep-caps", OPT_KEEP_CAPS, "LIST", 0, "keep only these capabilities (bounding set too)", 5 },
	{ "no-new-privs", OPT_NO_NEW_PRIVS, NULL, 0, "set no_new_privs before exec", 5 },
	{ "uid", OPT_UID, "UID", 0, "user id inside", 5 },
	{ "setuid", 'S', "UID", OPTION_ALIAS, NULL, 5 },
	{ NULL, 0, NULL, 0, "Limits and system call filters (cgroups need root or a delegated cgroup):", 6 },
	{ "cpus", OPT_CPUS, "N", 0, "CPU time of at most N CPUs (0.01-4096, e.g. 0.5)", 6 },
	{ "memory", OPT_MEMORY, "SIZE", 0, "memory of at most SIZE bytes (K, M, G, T; at least 1M)", 6 },
	{ "pids", OPT_PIDS, "N", 0, "at most N processes and threads", 6 },
	{ "rlimit", OPT_RLIMIT, "NAME=SOFT[:HARD]", 0, "a resource limit, named as prlimit names them (repeatable)", 6 },
	{ "seccomp", OPT_SECCOMP, "default|none|FILE", 0, "a system call filter: nsnew's default profile, none (the default), or a text profile", 6 },
	{ "seccomp-fd", OPT_SECCOMP_FD, "FD", 0, "also load the compiled BPF filter read from FD (as bwrap --seccomp)", 6 },
	{ NULL, 0, NULL, 0, "The command's environment (the caller's, or the image's Env; --clearenv "
	  "empties it, then the others apply in command-line order):", 7 },
	{ "clearenv", OPT_CLEARENV, NULL, 0, "start from an empty environment", 7 },
	{ "env-file", OPT_ENV_FILE, "FILE", 0, "set the variables of FILE (docker's format) (repeatable)", 7 },
	{ "setenv", OPT_SETENV, "NAME=VALUE", 0, "set NAME (repeatable)", 7 },
	{ "unsetenv", OPT_UNSETENV, "NAME", 0, "unset NAME (repeatable)", 7 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char doc[] =
	"Run COMMAND in new namespaces (default: $SHELL; with --rootfs the image's\n"
	"Entrypoint and Cmd, else /bin/sh inside it).\v"
	"nsnew execs COMMAND in place unless a new PID or time namespace, --init,\n"
	"--name or a uid/gid map written from outside needs a child; then it\n"
	"waits, forwards signals and exits with the command's status (after the\n"
	"jail's first 0.1 s, as the few pages of nsnew-init where nothing else\n"
	"is left to do: an idle jail keeps no copy of nsnew).\n"
	"The command never holds the caller's terminal: nsnew or its child lets\n"
	"go of it first, and when fd 0, 1 or 2 is a terminal the command gets a\n"
	"pseudo-terminal (in a child, a new session) that nsnew relays.\n"
	"--name pins stay until `nsname del NAME` (which releases --pin-all pins too).\n"
	"As an ordinary user --name is a rootless name (no pin): a record of the\n"
	"jail in $XDG_RUNTIME_DIR/nskit/netns that `nsjoin NAME` enters, gone\n"
	"when the jail ends.\n"
	"--rootfs DIR applies the image configuration mkrootfs kept in\n"
	"DIR/.nskit/image.json as podman run does: its Env and WorkingDir, its\n"
	"Entrypoint and Cmd when no COMMAND is given, its User unless --uid.\n"
	"\n"
	"Examples:\n"
	"  nsnew -a --hostname box --rootfs ./rootfs --mount-proc -- /bin/sh\n"
	"  nsnew -U -r --mount-proc --rootfs ./rootfs -- ps\n"
	"  nsnew -U -r --rootfs ./rootfs --overlay --clearenv --setenv A=1 -- /bin/sh\n"
	"  nsnew -n -- ping -c1 127.0.0.1\n"
	"  nsnew -n --name j1 --pin-all -u --hostname j1 -- sleep infinity &\n"
	"  nsnew -U --map-root --user-net=pasta --name web -- sleep infinity &\n"
	"\n"
	"Exit status: the command's own; 125 nsnew failed; 126 COMMAND could not\n"
	"be run; 127 COMMAND not found; 128+N COMMAND died of signal N.";

static uint32_t parse_id(struct argp_state *state, const char *arg, const char *what)
{
	uint32_t v;

	if (parse_u32(arg, &v) < 0 || v == (uint32_t)-1)
		argp_error(state, "'%s': not a valid %s", arg, what);
	return v;
}

static void add_map(struct argp_state *state, struct idmap *m, const char *arg, const char *what)
{
	int e = idmap_add_spec(m, arg);

	if (e < 0)
		argp_error(state, "%s '%s': %s", what, arg, idmap_strerror(e));
}

/* "net_admin,cap_sys_time" (or "all") to a mask. */
static uint64_t parse_caps(struct argp_state *state, const char *list)
{
	_cleanup_free_ char *buf = strdup(list);
	char *save = NULL;
	uint64_t mask = 0;

	if (!buf)
		xerrc(EXIT_TOOL, ENOMEM, "parse");
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char name[64];
		cap_value_t c;

		if (streq(w, "all")) {
			mask = ~0ULL;
			continue;
		}
		snprintf(name, sizeof(name), "%s%s", strncasecmp(w, "cap_", 4) ? "cap_" : "", w);
		if (cap_from_name(name, &c) < 0 || c < 0 || c > 63)
			argp_error(state, "'%s': unknown capability", w);
		mask |= 1ULL << c;
	}
	return mask;
}

static void parse_groups(struct argp_state *state, struct opts *o, const char *list)
{
	_cleanup_free_ char *buf = strdup(list);
	char *save = NULL;

	o->groups = calloc(strlen(list) / 2 + 1, sizeof(gid_t));
	if (!buf || !o->groups)
		xerrc(EXIT_TOOL, ENOMEM, "parse");
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
		o->groups[o->ngroups++] = parse_id(state, w, "group id");
	o->set_groups = true;
}

static void parse_volume(struct argp_state *state, struct opts *o, char *arg)
{
	struct volume *v;
	char *dst = strchr(arg, ':'), *mode;

	if (!dst || dst == arg)
		argp_error(state, "--volume '%s': not SRC:DST[:ro]", arg);
	*dst++ = '\0';
	mode = strchr(dst, ':');
	if (mode)
		*mode++ = '\0';
	if (*dst != '/' || (mode && !streq(mode, "ro") && !streq(mode, "rw")))
		argp_error(state, "--volume '%s:%s': not SRC:DST[:ro] with an absolute DST", arg, dst);
	v = reallocarray(o->vol, o->nvol + 1, sizeof(*v));
	if (!v)
		xerrc(EXIT_TOOL, ENOMEM, "parse");
	o->vol = v;
	o->vol[o->nvol++] = (struct volume){ arg, dst, mode && streq(mode, "ro"), false, -1 };
}

/* A bad value of the options below is one line, as a failure of the
 * jail is, not argp's two: nothing has been made yet. */
static void add_env_op(struct opts *o, int key, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct env_op *v;

	if (key == OPT_SETENV && (!eq || !env_name_ok(arg, (size_t)(eq - arg))))
		xerrc(EXIT_TOOL, 0, "--setenv '%s': not NAME=VALUE", arg);
	if (key == OPT_UNSETENV && !env_name_ok(arg, strlen(arg)))
		xerrc(EXIT_TOOL, 0, "--unsetenv '%s': not a variable name", arg);
	if (!(v = reallocarray(o->envop, o->nenvop + 1, sizeof(*v))))
		xerrc(EXIT_TOOL, ENOMEM, "parse");
	o->envop = v;
	o->envop[o->nenvop++] = (struct env_op){ key, arg };
}

/* DIR[:SIZE]: SIZE after the last colon, so DIR may hold colons when a
 * size is given. */
static void parse_tmpfs(struct opts *o, char *arg)
{
	char *colon = strrchr(arg, ':');
	uint64_t size = 0;
	struct tmpfs *v;

	if (colon && parse_size(colon + 1, 4096, UINT64_MAX / 2, &size) < 0)
		xerrc(EXIT_TOOL, 0, "--tmpfs '%s': SIZE '%s' is not a size of at least 4K (like 64M)", arg, colon + 1);
	if (colon)
		*colon = '\0';
	if (*arg != '/' || !arg[1])
		xerrc(EXIT_TOOL, 0, "--tmpfs '%s': DIR must be an absolute path other than /", arg);
	if (!(v = reallocarray(o->tmpfs, o->ntmpfs + 1, sizeof(*v))))
		xerrc(EXIT_TOOL, ENOMEM, "parse");
	o->tmpfs = v;
	o->tmpfs[o->ntmpfs++] = (struct tmpfs){ arg, size };
}

/* Root's user namespace with no map given maps every id to itself
 * (unshare --map-users=all): files of any owner in the root filesystem
 * stay readable and chownable inside. */
static void map_identity(struct argp_state *state, struct opts *o)
{
	struct idmap_range all = { 0, 0, UINT32_MAX };

	if (idmap_add(&o->uidmap, &all) < 0 || idmap_add(&o->gidmap, &all) < 0)
		argp_error(state, "cannot map every id");
}

/* What options imply, and the checks that need all of them. */
static void finish_options(struct argp_state *state, struct opts *o)
{
	if (o->overlay_dir || o->ephemeral)
		o->overlay = true;
	if (!o->rootfs && (o->overlay || o->ro_rootfs))
		xerrc(EXIT_TOOL, 0, "%s needs --rootfs", o->ro_rootfs ? "--ro-rootfs" :
		      o->overlay_dir ? "--overlay-dir" : o->ephemeral ? "--ephemeral" : "--overlay");
	if (o->rootfs || o->nvol || o->mount_proc || o->ntmpfs)
		o->flags |= CLONE_NEWNS;
	if (o->mount_proc)
		o->flags |= CLONE_NEWPID;	/* else it would show the host's processes */
	if (o->hostname)
		o->flags |= CLONE_NEWUTS;
	if (o->map_root || o->subids || o->uidmap.n || o->gidmap.n)
		o->flags |= CLONE_NEWUSER;
	if (o->name || o->net.helper)
		o->flags |= CLONE_NEWNET;
	if (o->net.npub && !o->net.helper)
		argp_error(state, "--publish needs --user-net");
	if (o->pin_all && !o->name)
		argp_error(state, "--pin-all needs --name");
	if (o->subids && (o->uidmap.n || o->gidmap.n))
		argp_error(state, "--subids cannot be combined with --map-user or --map-group");
	if (o->hostname && strlen(o->hostname) > 64)
		argp_error(state, "--hostname '%s': longer than 64 bytes", o->hostname);
	if ((o->flags & CLONE_NEWUSER) && geteuid() == 0 && !o->map_root && !o->uidmap.n &&
	    !o->gidmap.n && !o->subids)
		map_identity(state, o);
	/* A user namespace with no map would leave root unmapped and unable
	 * to make the jail's files: -U alone maps root to the caller. */
	if ((o->flags & CLONE_NEWUSER) && !o->uidmap.n && !o->gidmap.n && !o->subids)
		o->map_root = true;
	if (o->map_root) {
		struct idmap_range u = { 0, geteuid(), 1 }, g = { 0, getegid(), 1 };

		if (idmap_add(&o->uidmap, &u) < 0 || idmap_add(&o->gidmap, &g) < 0)
			argp_error(state, "--map-root: inside id 0 is mapped already");
	}
	if (o->caps)
		o->keep = (o->keep_given ? o->keep : ~0ULL) & ~o->drop;
}

/* --name NAME: iproute2's rules, and for a name nsnew makes, no control
 * character or whitespace (so `nsname list` shows it as one word). */
static void check_name(struct argp_state *state, const char *name)
{
	static char *s;		/* kept, so the exit below leaks nothing */
	int r = netns_name_check_new(name);

	if (r < 0)
		s = netns_name_escape(name);
	if (r == -EILSEQ)
		xerrc(EXIT_TOOL, 0, "--name '%s': a new name must be UTF-8 without control characters or whitespace",
		      s ? s : "?");
	if (r < 0)
		argp_error(state, "--name '%s': invalid namespace name", s ? s : "?");
}

/* The limits and filters: values checked here, before anything is made. */
static void parse_depth(struct argp_state *state, struct opts *o, int key, char *arg)
{
	uint64_t v;
	int fd, r;

	switch (key) {
	case OPT_CPUS:
		if (cgroup_parse_cpus(arg, &o->cglimits.cpu_quota) < 0)
			argp_error(state, "--cpus '%s': not a number of CPUs from 0.01 to 4096", arg);
		break;
	case OPT_MEMORY:
		if (parse_size(arg, 1 << 20, INT64_MAX, &o->cglimits.memory) < 0)
			argp_error(state, "--memory '%s': not a size of at least 1M", arg);
		break;
	case OPT_PIDS:
		if (parse_u64(arg, 1, 4194304, &o->cglimits.pids) < 0)
			argp_error(state, "--pids '%s': not a number from 1 to 4194304", arg);
		break;
	case OPT_RLIMIT:
		if ((r = rlimit_parse(&o->rlimits, arg)) == -ERANGE)
			argp_error(state, "--rlimit '%s': the soft limit exceeds the hard one", arg);
		if (r < 0)
			argp_error(state, "--rlimit '%s': not NAME=SOFT[:HARD] with NAME one of %s", arg, rlimit_names);
		break;
	case OPT_SECCOMP:
		if (o->seccomp)
			argp_error(state, "--seccomp given twice");
		o->seccomp = arg;
		break;
	case OPT_SECCOMP_FD:
		if (o->filter.nprog)
			argp_error(state, "--seccomp-fd given twice");
		if (parse_u64(arg, 0, INT32_MAX, &v) < 0)
			argp_error(state, "--seccomp-fd '%s': not a file descriptor", arg);
		fd = (int)v;
		if ((r = sc_read_bpf(fd, &o->filter)) == -EINVAL)
			xerrc(EXIT_TOOL, 0, "--seccomp-fd %d: not a compiled seccomp filter (whole sock_filter instructions, at most 4096)", fd);
		if (r < 0)
			xerrc(EXIT_TOOL, r, "--seccomp-fd %d", fd);
		break;
	}
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	const struct ns_type *t;

	for (t = ns_types; t->name; t++)
		if (t->opt == key) {
			o->flags |= t->flag;
			return 0;
		}
	switch (key) {
	case 'a':
		for (t = ns_types; t->name; t++) {
			char p[32];

			snprintf(p, sizeof(p), "/proc/self/ns/%s", t->name);
			if (access(p, F_OK) == 0)
				o->flags |= t->flag;
		}
		break;
	case OPT_DIE_WITH_PARENT: o->die_with_parent = true; break;
	case OPT_DROP_CAPS: o->drop |= parse_caps(state, arg); o->caps = true; break;
	case 'G':
	case OPT_GID: o->gid = parse_id(state, arg, "group id"); o->set_gid = true; break;
	case OPT_GROUPS: parse_groups(state, o, arg); break;
	case OPT_HOSTNAME: o->hostname = arg; break;
	case OPT_HOSTS: o->hosts = arg; break;
	case OPT_INIT: o->init = true; break;
	case OPT_KEEP_CAPS:
		o->keep |= parse_caps(state, arg);
		o->caps = o->keep_given = true;
		break;
	case OPT_MAP_GROUP: add_map(state, &o->gidmap, arg, "--map-group"); break;
	case 'r': o->map_root = true; break;
	case OPT_MAP_USER: add_map(state, &o->uidmap, arg, "--map-user"); break;
	case OPT_MOUNT_PROC: o->mount_proc = true; break;
	case OPT_NAME:
		check_name(state, arg);
		o->name = arg;
		break;
	case OPT_NO_NEW_PRIVS: o->no_new_privs = true; break;
	case OPT_PIN_ALL: o->pin_all = true; break;
	case OPT_ROOTFS: o->rootfs = arg; break;
	case OPT_SUBIDS: o->subids = true; break;
	case 'S':
	case OPT_UID: o->uid = parse_id(state, arg, "user id"); o->set_uid = true; break;
	case 'v': parse_volume(state, o, arg); break;
	case OPT_CHDIR: o->chdir = arg; break;
	case OPT_LO_DOWN: o->lo_down = true; break;
	case OPT_CPUS:
	case OPT_MEMORY:
	case OPT_PIDS:
	case OPT_RLIMIT:
	case OPT_SECCOMP:
	case OPT_SECCOMP_FD:
		parse_depth(state, o, key, arg);
		break;
	case OPT_CLEARENV: o->clearenv = true; break;
	case OPT_ENV_FILE: case OPT_SETENV: case OPT_UNSETENV: add_env_op(o, key, arg); break;
	case OPT_EPHEMERAL: o->ephemeral = true; break;
	case OPT_OVERLAY: o->overlay = true; break;
	case OPT_OVERLAY_DIR: o->overlay_dir = arg; break;
	case OPT_RO_ROOTFS: o->ro_rootfs = true; break;
	case OPT_TMPFS: parse_tmpfs(o, arg); break;
	case OPT_PUBLISH:
		if (usernet_add_publish(&o->net, arg) < 0)
			argp_error(state, "--publish '%s': not [ADDR:]HOSTPORT:PORT[/tcp|/udp]", arg);
		break;
	case OPT_USER_NET:
		if (usernet_parse(arg, &o->net.helper) < 0)
			argp_error(state, "--user-net '%s': not pasta or slirp4netns", arg);
		break;
	case ARGP_KEY_ARG:
		o->cmd = state->argv + state->next - 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		finish_options(state, o);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options, parse_opt, "[-a | -CimnpTUu] [OPTIONS] [--] [COMMAND [ARG...]]", doc, NULL, NULL, NULL,
};

/* --name as an ordinary user: the directory must be its own (made now if
 * absent), and the name free or held by a jail that has ended. */
static void check_rootless_name(const char *name)
{
	_cleanup_close_ int dir = jailrec_dir(true);
	struct jailrec rec;
	int r;

	if (dir == -EPERM || dir == -ENOTDIR || dir == -ELOOP)
		xerrc(EXIT_TOOL, 0, "%s: must be a directory of yours with mode 0700: refused", netns_dir());
	if (dir < 0)
		xerrc(EXIT_TOOL, dir, "%s", netns_dir());
	r = jailrec_read(dir, name, &rec);
	if (r == 0)
		r = jailrec_check(&rec);
	if (r != -ENOENT && r != -ESRCH && r != -ESTALE)
		xerrc(EXIT_TOOL, 0, "%s: name already exists", name);
}

/* Everything the user named must exist before anything is created. */
static void check_inputs(struct opts *o)
{
	struct stat st;
	int fd;

	if (o->rootfs) {
		if (stat(o->rootfs, &st) < 0)
			xerrc(EXIT_TOOL, errno, "rootfs %s", o->rootfs);
		if (!S_ISDIR(st.st_mode))
			xerrc(EXIT_TOOL, 0, "rootfs %s: not a directory", o->rootfs);
	}
	if (o->hosts && stat(o->hosts, &st) < 0)
		xerrc(EXIT_TOOL, errno, "hosts %s", o->hosts);
	if (o->net.helper == USERNET_SLIRP4NETNS && o->net.npub)
		lazylib_need_jsonc();	/* its replies, once the jail runs */
	for (size_t i = 0; i < o->nvol; i++) {
		if (stat(o->vol[i].src, &st) < 0)
			xerrc(EXIT_TOOL, errno, "volume %s", o->vol[i].src);
		o->vol[i].dir = S_ISDIR(st.st_mode);
	}
	if (o->net.helper && usernet_find(&o->net) < 0)
		xerrc(EXIT_TOOL, 0, "--user-net=%s: %s not found in PATH: install the Debian package %s",
		      usernet_name(o->net.helper), usernet_name(o->net.helper), usernet_package(o->net.helper));
	for (size_t i = 0; !o->rootfs && i < o->ntmpfs; i++) {
		if (stat(o->tmpfs[i].dir, &st) < 0)
			xerrc(EXIT_TOOL, errno, "--tmpfs %s", o->tmpfs[i].dir);
		if (!S_ISDIR(st.st_mode))
			xerrc(EXIT_TOOL, 0, "--tmpfs %s: not a directory", o->tmpfs[i].dir);
	}
	if (o->overlay_dir) {
		if (stat(o->overlay_dir, &st) < 0)
			xerrc(EXIT_TOOL, errno, "--overlay-dir %s", o->overlay_dir);
		if (!S_ISDIR(st.st_mode))
			xerrc(EXIT_TOOL, 0, "--overlay-dir %s: not a directory", o->overlay_dir);
		/* The upper layer holds the jail's files as the jail made them,
		 * setuid ones too: only their owner may reach them. */
		if (st.st_uid != geteuid() || (st.st_mode & 077))
			xerrc(EXIT_TOOL, 0, "--overlay-dir %s: must be yours with mode 0700 (chmod 700 it)",
			      o->overlay_dir);
	}
	if (o->name && netns_rootless())
		check_rootless_name(o->name);
	else if (o->name) {
		int pins[8];

		fd = netns_open(o->name);
		if (fd >= 0 || pins_open(o->name, pins, 8) == 0)
			xerrc(EXIT_TOOL, 0, "%s: name already exists", o->name);
	}
}

/* Whether we lead a session that has a controlling terminal: only a
 * child of a new session can run the command away from it (TIOCNOTTY by
 * a session leader would hang up the caller's whole session). */
static bool leads_terminal_session(void)
{
	int fd;

	if (getsid(0) != getpid())
		return false;
	fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* A child is needed for a new PID or time namespace (they apply to
 * children only), for a PID 1, for names pinned from outside, for
 * id maps beyond our own id (written by a parent that keeps its
 * privilege in the parent user namespace), for a terminal of the
 * jail's own (relayed by the parent), and for --overlay-dir (the parent
 * takes back the layers of a jail that never started, or --ephemeral's). */
static bool needs_child(const struct opts *o)
{
	bool own_ids_only = o->uidmap.n <= 1 && o->gidmap.n <= 1 && !o->subids &&
			    (!o->uidmap.n || (o->uidmap.r[0].out == geteuid() && o->uidmap.r[0].count == 1)) &&
			    (!o->gidmap.n || (o->gidmap.r[0].out == getegid() && o->gidmap.r[0].count == 1));

	return (o->flags & (CLONE_NEWPID | CLONE_NEWTIME)) || o->init || o->name || o->net.helper || cgroup_wanted(&o->cglimits) ||
	       o->overlay_dir ||
	       ((o->flags & CLONE_NEWUSER) && !own_ids_only) || o->tty.master >= 0 ||
	       leads_terminal_session();
}

/* ---- in the new namespaces ---- */

static void xmount(const char *src, const char *dst, const char *type, unsigned long flags,
		   const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		xerrc(EXIT_TOOL, errno, "mount %s on %s", type ? type : src, dst);
}

static void make_dirs(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		xerrc(EXIT_TOOL, ENOMEM, "setup");
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				xerrc(EXIT_TOOL, errno, "mkdir %s", p);
			*s = '/';
		}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		xerrc(EXIT_TOOL, errno, "mkdir %s", p);
}

/* A file or directory to mount on, made when missing. */
static void make_target(const char *path, bool dir)
{
	_cleanup_free_ char *parent = NULL;
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0)
		return;
	if (dir) {
		make_dirs(path, 0755);
		return;
	}
	parent = strdup(path);
	if (!parent)
		xerrc(EXIT_TOOL, ENOMEM, "setup");
	*strrchr(parent, '/') = '\0';
	if (*parent)
		make_dirs(parent, 0755);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno != EISDIR && errno != ELOOP)
		xerrc(EXIT_TOOL, errno, "create %s", path);
	if (fd >= 0)
		close(fd);
}

/* SRC as a detached mount, made before pivot_root while SRC is still
 * reachable and placed after it, so the target resolves inside the new
 * root whatever symlinks the root filesystem holds. */
static int open_tree_of(const char *src, bool recursive, bool ro)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src,
			      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));

	if (fd < 0)
		xerrc(EXIT_TOOL, errno, "bind %s", src);
	if (ro && mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		xerrc(EXIT_TOOL, errno, "%s: make read-only", src);
	return fd;
}

static void place_tree(int *fd, const char *dst, bool dir)
{
	make_target(dst, dir);
	if (syscall(SYS_move_mount, *fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		xerrc(EXIT_TOOL, errno, "mount on %s", dst);
	close(*fd);
	*fd = -1;
}

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

struct trees {
	int dev[ARRAY_SIZE(dev_nodes)];
	int hosts, resolv, proc, sys;
};

/* A new proc or sysfs, made detached before pivot_root: in a user
 * namespace the kernel allows one only while a fully visible instance is
 * still in the mount namespace (the host's, gone after pivot_root). Where
 * it cannot be made at all (a user namespace without its own PID or
 * network namespace), the host's is bound instead, sysfs read-only. */
static int new_fs_tree(const char *type, unsigned int attrs, const char *host)
{
	_cleanup_close_ int fs = fsopen(type, FSOPEN_CLOEXEC);
	int fd;

	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return errno == EPERM ? open_tree_of(host, true, attrs & MOUNT_ATTR_RDONLY) : -errno;
	fd = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	if (fd < 0 && errno == EPERM)
		return open_tree_of(host, true, attrs & MOUNT_ATTR_RDONLY);
	return fd < 0 ? -errno : fd;
}

/* Whether the root filesystem has an /etc directory, resolved as it will
 * be once it is / (its symlinks inside it): the host's /etc files are
 * opened for binding only then. */
static bool rootfs_has_etc(const char *rootfs)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int etc = root < 0 ? -1 : (int)syscall(SYS_openat2, root, "etc", &how, sizeof(how));

	return etc >= 0;
}

/* A host file the jail gets a copy of, opened before pivot_root while it
 * is reachable and copied after it. Not bound: a root jail could write
 * through a bind, and one keeping CAP_SYS_ADMIN could remount a read-only
 * bind read-write. NONBLOCK: a fifo given as --hosts must not hang. */
static int open_etc_source(const char *path, bool optional)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 && optional && errno == ENOENT)
		return -1;
	if (fd < 0)
		xerrc(EXIT_TOOL, errno, "%s", path);
	if (fstat(fd, &st) < 0)
		xerrc(EXIT_TOOL, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		xerrc(EXIT_TOOL, 0, "%s: not a regular file", path);
	return fd;
}

static void open_trees(struct opts *o, struct trees *t)
{
	const unsigned int safe = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	bool etc = rootfs_has_etc(o->rootfs);

	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		char p[32];

		snprintf(p, sizeof(p), "/dev/%s", dev_nodes[i]);
		t->dev[i] = open_tree_of(p, false, false);
	}
	t->hosts = etc ? open_etc_source(o->hosts ? o->hosts : "/etc/hosts", false) : -1;
	t->resolv = etc ? open_etc_source("/etc/resolv.conf", true) : -1;
	if (etc && o->net.helper && (t->resolv = usernet_resolv_conf(&o->net, t->resolv)) < 0)
		xerrc(EXIT_TOOL, t->resolv, "resolv.conf for --user-net");
	if ((t->proc = new_fs_tree("proc", safe, "/proc")) < 0)
		xerrc(EXIT_TOOL, t->proc, "mount proc");
	if ((t->sys = new_fs_tree("sysfs", safe | MOUNT_ATTR_RDONLY, "/sys")) < 0)
		xerrc(EXIT_TOOL, t->sys, "mount sysfs");
	for (size_t i = 0; i < o->nvol; i++)
		o->vol[i].tree = open_tree_of(o->vol[i].src, true, o->vol[i].ro);
}

/* Whether GID exists inside: always without a new user namespace. */
static bool gid_mapped(const struct opts *o, uint32_t gid)
{
	if (!(o->flags & CLONE_NEWUSER))
		return true;
	for (size_t i = 0; i < o->gidmap.n; i++)
		if (gid >= o->gidmap.r[i].in && (uint64_t)gid < (uint64_t)o->gidmap.r[i].in + o->gidmap.r[i].count)
			return true;
	return false;
}

static void mount_dev(const struct opts *o, struct trees *t)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "/dev/ptmx" }, { "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" }, { "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};

	make_dirs("/dev", 0755);
	xmount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755");
	/* A fresh tmpfs: the nodes' mount points are made here directly. */
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		char p[32];
		int fd;

		snprintf(p, sizeof(p), "/dev/%s", dev_nodes[i]);
		if ((fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
			xerrc(EXIT_TOOL, errno, "create %s", p);
		close(fd);
		place_tree(&t->dev[i], p, false);
	}
	make_dirs("/dev/pts", 0755);
	/* Terminals belong to group tty (5) where that group is mapped. */
	xmount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	       gid_mapped(o, 5) ? "newinstance,ptmxmode=0666,mode=0620,gid=5" : "newinstance,ptmxmode=0666,mode=0620");
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			xerrc(EXIT_TOOL, errno, "symlink %s", links[i][1]);
	make_dirs("/dev/shm", 01777);
	xmount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
}

static void mount_proc_sys(struct trees *t)
{
	place_tree(&t->proc, "/proc", true);
	place_tree(&t->sys, "/sys", true);
}

/* The jail's own copy of a host file (its fd *SRC) at /run/nskit/NAME,
 * on the jail's /run tmpfs, bound over DST: the jail reads what the host
 * has and its writes change only the copy. */
static void place_copy(int *src, const char *name, const char *dst)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/nskit/%s", name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || fchmod(fd, 0644) < 0)
		xerrc(EXIT_TOOL, errno, "%s", path);
	for (ssize_t n = 1; n > 0;)
		if ((n = sendfile(fd, *src, NULL, 1 << 20)) < 0)
			xerrc(EXIT_TOOL, errno, "copy %s", dst);
	close(fd);
	close(*src);
	*src = -1;
	make_target(dst, false);
	xmount(path, dst, NULL, MS_BIND, NULL);
}

/* /etc/hosts, /etc/resolv.conf and /etc/hostname, where the root
 * filesystem has an /etc: copies of the host's files (hostname:
 * --hostname), each the jail's own, as docker and podman give them. */
static void bind_etc(struct opts *o, struct trees *t)
{
	struct stat st;

	if (t->hosts < 0 || stat("/etc", &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (t->hosts >= 0)
			close(t->hosts);
		if (t->resolv >= 0)
			close(t->resolv);
		return;
	}
	make_dirs("/run/nskit", 0755);
	place_copy(&t->hosts, "hosts", "/etc/hosts");
	if (t->resolv >= 0)
		place_copy(&t->resolv, "resolv.conf", "/etc/resolv.conf");
	if (o->hostname) {
		FILE *f = fopen("/run/nskit/hostname", "we");

		if (!f || fprintf(f, "%s\n", o->hostname) < 0 || fclose(f) != 0)
			xerrc(EXIT_TOOL, errno, "/run/nskit/hostname");
		make_target("/etc/hostname", false);
		xmount("/run/nskit/hostname", "/etc/hostname", NULL, MS_BIND, NULL);
	}
}

/* A layer directory nsnew made or found in --overlay-dir, opened again
 * by its path in the jail's mount namespace (overlayfs takes layers only
 * from the mount namespace it is mounted in) and checked to be the one
 * opened before. */
static int reopen_layer(const struct opts *o, const char *name, int was)
{
	char path[PATH_MAX];
	struct stat a, b;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s%s%s", o->overlay_dir, o->ovl.eph, o->ovl.eph[0] ? "/" : "",
		     name) >= (int)sizeof(path))
		xerrc(EXIT_TOOL, ENAMETOOLONG, "--overlay-dir %s", o->overlay_dir);
	fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &a) < 0 || fstat(was, &b) < 0)
		xerrc(EXIT_TOOL, errno, "%s", path);
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		xerrc(EXIT_TOOL, 0, "%s: replaced while nsnew started", path);
	return fd;
}

/* --overlay: DIR, untouched, under the jail's upper layer, mounted on DIR
 * itself (pivot_root wants a mount point). The layers are named by fds
 * (through /proc/self/fd), opened before the mounts cover DIR. Without
 * --overlay-dir the upper layer is on a tmpfs made for the jail, mounted
 * on DIR below the overlay: it goes with the jail's mount namespace. In
 * a user namespace the overlay keeps its metadata in user.* xattrs
 * (userxattr), trusted.* being the host root's. */
static void mount_overlay(struct opts *o)
{
	_cleanup_close_ int lower = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), tmp = -1;
	int upper = -1, work = -1;
	char data[160];
	struct stat st;

	if (lower < 0 || fstat(lower, &st) < 0)
		xerrc(EXIT_TOOL, errno, "%s", o->rootfs);
	if (o->overlay_dir) {
		upper = reopen_layer(o, "upper", o->ovl.upper);
		work = reopen_layer(o, "work", o->ovl.work);
	} else {
		xmount("tmpfs", o->rootfs, "tmpfs", 0, "mode=0700");
		tmp = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		/* The upper directory is the jail's /: DIR's mode and owner. */
		if (tmp < 0 || mkdirat(tmp, "upper", 0700) < 0 || mkdirat(tmp, "work", 0700) < 0 ||
		    fchmodat(tmp, "upper", st.st_mode & 07777, 0) < 0)
			xerrc(EXIT_TOOL, errno, "overlay upper layer");
		if (fchownat(tmp, "upper", st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
			xerrc(EXIT_TOOL, errno, "overlay upper layer");
		upper = openat(tmp, "upper", O_PATH | O_DIRECTORY | O_CLOEXEC);
		work = openat(tmp, "work", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (upper < 0 || work < 0)
			xerrc(EXIT_TOOL, errno, "overlay upper layer");
	}
	snprintf(data, sizeof(data), "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d%s",
		 lower, upper, work, (o->flags & CLONE_NEWUSER) ? ",userxattr" : "");
	if (mount("overlay", o->rootfs, "overlay", 0, data) < 0)
		xerrc(EXIT_TOOL, errno, "mount overlay on %s%s", o->rootfs,
		      errno == EINVAL && (o->flags & CLONE_NEWUSER) ? " (overlayfs in a user namespace needs Linux 5.11)" : "");
	close(upper);
	close(work);
}

/* --tmpfs: inside a root filesystem DIR is made while / is writable. */
static void mount_tmpfs(const struct opts *o)
{
	for (size_t i = 0; i < o->ntmpfs; i++) {
		char data[64] = "mode=1777";

		if (o->tmpfs[i].size)
			snprintf(data, sizeof(data), "mode=1777,size=%" PRIu64, o->tmpfs[i].size);
		if (o->rootfs)
			make_dirs(o->tmpfs[i].dir, 0755);
		xmount("tmpfs", o->tmpfs[i].dir, "tmpfs", MS_NOSUID | MS_NODEV, data);
	}
}

/* --ro-rootfs: / alone, not recursively, once everything is in place, so
 * /dev /tmp /run, --tmpfs and --volume keep their own modes. */
static void make_root_readonly(void)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0)
		xerrc(EXIT_TOOL, errno, "make / read-only");
}

/* DIR becomes /: bound on itself (pivot_root wants a mount point), the
 * host's pieces opened as detached trees, pivot_root into it and the old
 * root detached; then the jail's own /proc /sys /dev /tmp /run. */
static void enter_rootfs(struct opts *o)
{
	struct trees t;

	if (o->overlay)
		mount_overlay(o);
	else
		xmount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL);
	open_trees(o, &t);
	if (chdir(o->rootfs) < 0)
		xerrc(EXIT_TOOL, errno, "%s", o->rootfs);
	/* pivot_root(".", "."): the old root is stacked on the new one and
	 * detached at once, so no directory inside DIR is needed for it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		xerrc(EXIT_TOOL, errno, "pivot_root %s", o->rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		xerrc(EXIT_TOOL, errno, "detach the old root");
	if (chdir("/") < 0)
		xerrc(EXIT_TOOL, errno, "chdir /");
	mount_proc_sys(&t);
	mount_dev(o, &t);
	make_dirs("/tmp", 01777);
	xmount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	make_dirs("/run", 0755);
	xmount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	bind_etc(o, &t);
	mount_tmpfs(o);
	for (size_t i = 0; i < o->nvol; i++)
		place_tree(&o->vol[i].tree, o->vol[i].dst, o->vol[i].dir);
}

static void bind_volumes_in_place(struct opts *o)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	for (size_t i = 0; i < o->nvol; i++) {
		struct volume *v = &o->vol[i];

		make_target(v->dst, v->dir);
		xmount(v->src, v->dst, NULL, MS_BIND | MS_REC, NULL);
		if (v->ro && mount_setattr(AT_FDCWD, v->dst, AT_RECURSIVE, &ro, sizeof(ro)) < 0)
			xerrc(EXIT_TOOL, errno, "%s: make read-only", v->dst);
	}
}

static void setup_mounts(struct opts *o)
{
	if (!(o->flags & CLONE_NEWNS))
		return;
	/* Private before anything is mounted: with a shared / (systemd's
	 * default) our mounts would propagate back to the host, and
	 * pivot_root refuses a shared root (debian bug 739593). */
	xmount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (o->rootfs) {
		enter_rootfs(o);
		return;
	}
	if (o->mount_proc)
		xmount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_tmpfs(o);
	bind_volumes_in_place(o);
}

/* Bounding set first (needs CAP_SETPCAP, so before the uid changes). */
static void drop_bounding(const struct opts *o)
{
	for (cap_value_t c = 0; c < cap_max_bits() && c < 64; c++)
		if (!(o->keep & (1ULL << c)) && cap_drop_bound(c) < 0 && errno != EINVAL)
			xerrc(EXIT_TOOL, errno, "drop capability %d from the bounding set", c);
}

/* The kept capabilities that we hold, in the permitted, effective and
 * inheritable sets, and ambient when the command runs as non-root so
 * they survive exec. */
static void set_caps(const struct opts *o)
{
	cap_t cur = cap_get_proc(), want = cap_init();

	if (!cur || !want)
		xerrc(EXIT_TOOL, errno, "capabilities");
	for (cap_value_t c = 0; c < cap_max_bits() && c < 64; c++) {
		cap_flag_value_t have;

		if (!(o->keep & (1ULL << c)) || cap_get_flag(cur, c, CAP_PERMITTED, &have) < 0 || !have)
			continue;
		cap_set_flag(want, CAP_PERMITTED, 1, &c, CAP_SET);
		cap_set_flag(want, CAP_EFFECTIVE, 1, &c, CAP_SET);
		cap_set_flag(want, CAP_INHERITABLE, 1, &c, CAP_SET);
	}
	if (cap_set_proc(want) < 0)
		xerrc(EXIT_TOOL, errno, "set capabilities");
	if (geteuid() != 0)
		for (cap_value_t c = 0; c < cap_max_bits() && c < 64; c++) {
			cap_flag_value_t have;

			if (cap_get_flag(want, c, CAP_PERMITTED, &have) == 0 && have &&
			    cap_set_ambient(c, CAP_SET) < 0)
				xerrc(EXIT_TOOL, errno, "raise ambient capability %d", c);
		}
	cap_free(cur);
	cap_free(want);
}

/* Groups, then gid, then uid: each step needs the privilege the next
 * one gives up. */
static void set_credentials(const struct opts *o)
{
	if (o->caps)
		drop_bounding(o);
	if (o->caps && o->set_uid && o->uid != 0 && prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
		xerrc(EXIT_TOOL, errno, "keep capabilities");
	if (o->set_groups && setgroups(o->ngroups, o->groups) < 0)
		xerrc(EXIT_TOOL, errno, "setgroups");
	if (!o->set_groups && (o->set_uid || o->set_gid) && setgroups(0, NULL) < 0 && errno != EPERM)
		xerrc(EXIT_TOOL, errno, "setgroups");
	if (o->set_gid && setresgid(o->gid, o->gid, o->gid) < 0)
		xerrc(EXIT_TOOL, errno, "setgid %u", (unsigned)o->gid);
	if (o->set_uid && setresuid(o->uid, o->uid, o->uid) < 0)
		xerrc(EXIT_TOOL, errno, "setuid %u", (unsigned)o->uid);
	if (o->caps)
		set_caps(o);
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		xerrc(EXIT_TOOL, errno, "no_new_privs");
}

static int stop_fd = -1;	/* tells the relay the command stopped */

static void tell_stopped(void)
{
	if (write(stop_fd, "s", 1) < 0)
		stop_fd = -1;
}

static const char *exec_root;	/* --rootfs, named when the command fails */

/* REPORT (or -1) tells a parent that pinned names whether the jail
 * started: 'e' just before exec, 'x' when exec failed; the pipe closes
 * without 'e' when the set-up failed first (jail_started). */
static noreturn void exec_command(char *const *cmd, int report)
{
	int e;

	child_unblock();
	if (report >= 0 && write(report, "e", 1) != 1)
		xerrc(EXIT_TOOL, errno, "tell nsnew the command starts");
	execvp(cmd[0], cmd);
	e = errno;
	if (report >= 0 && write(report, "x", 1) < 0)
		_exit(EXIT_TOOL);
	errno = e;
	if (exec_root && (errno == ENOENT || errno == ENOTDIR) && strchr(cmd[0], '/') &&
	    access(cmd[0], F_OK) == 0)
		xerrc(EXIT_NOTFOUND, 0, "%s: its interpreter (ELF loader or #!) is not found in %s",
		      cmd[0], exec_root);
	if (exec_root && (errno == ENOENT || errno == ENOTDIR))
		xerrc(EXIT_NOTFOUND, 0, "%s: not found in %s", cmd[0], exec_root);
	if (exec_root)
		xerrc(exec_fail_status(errno), errno, "%s in %s", cmd[0], exec_root);
	xerrc(exec_fail_status(errno), errno, "%s", cmd[0]);
}

/* --init on the jail's terminal: the command gets a process group of its
 * own in the foreground, so ^C and ^Z from the terminal reach it and not
 * the init (which would pass them on a second time). SIGTTOU is blocked
 * until exec: we are not in the foreground yet. */
static void take_foreground(void)
{
	sigset_t ttou;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	if (setpgid(0, 0) < 0 || sigprocmask(SIG_BLOCK, &ttou, NULL) < 0)
		xerrc(EXIT_TOOL, errno, "process group");
	for (int fd = 0; fd < 3; fd++)
		if (tcsetpgrp(fd, getpid()) == 0)
			return;
}

/* nsnew-init beside this nsnew (the build tree), else where it is
 * installed; opened now, while the host's files are in reach, as the
 * jail's init execs it by fd from inside its root. */
static int open_small(void)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - sizeof("nsnew-init"));
	int fd = -1;

	if (n > 0 && (self[n] = '\0', slash = strrchr(self, '/'))) {
		strcpy(slash + 1, "nsnew-init");
		fd = open(self, O_PATH | O_CLOEXEC);
	}
	if (fd < 0)
		fd = open(NSKIT_PKGLIBEXECDIR "/nsnew-init", O_PATH | O_CLOEXEC);
	return fd;
}

/* Hand the waiting for PID over to nsnew-init (MODE "wait" or "init",
 * STOPS the terminal relay's pipe or -1): its few pages stay while the
 * jail runs, where nsnew would keep its own and its libraries'. The
 * signals to pass on stay blocked, and pending, across exec; so does the
 * environment (an init's is the command's, as /proc/1/environ showed).
 * Returns only when it could not be run (not installed, refused by a
 * seccomp profile): then the caller waits itself, as before. */
static void become_small(const struct opts *o, const char *mode, pid_t pid, int stops)
{
	char p[16], f[16];
	char *argv[] = { "nsnew", (char *)mode, p, stops >= 0 ? f : NULL, NULL };

	if (o->small < 0)
		return;
	snprintf(p, sizeof(p), "%d", (int)pid);
	snprintf(f, sizeof(f), "%d", stops);
	if (stops >= 0 && fcntl(stops, F_SETFD, 0) < 0)
		return;
	fexecve(o->small, argv, environ);
	if (stops >= 0)
		fcntl(stops, F_SETFD, FD_CLOEXEC);
}

/* --init: a PID 1 that reaps every orphan and passes signals on; it
 * exits with the command's status. Outside a new PID namespace it is a
 * subreaper (before the fork, so even the command's first orphans come
 * to it). Once the command is on its way, nsnew-init takes over. */
static noreturn void run_init(const struct opts *o, char *const *cmd, int report)
{
	pid_t pid;
	int r;

	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
	pid = fork();
	if (pid < 0)
		xerrc(EXIT_TOOL, errno, "fork");
	if (pid == 0) {
		if (o->tty.master >= 0)
			take_foreground();
		exec_command(cmd, report);
	}
	if (report >= 0)
		close(report);	/* the command reports, not its init */
	stop_fd = o->tty.stops[1];
	become_small(o, "init", pid, stop_fd);
	r = child_wait(pid, true, stop_fd >= 0 ? tell_stopped : NULL);
	if (r < 0)
		xerrc(EXIT_TOOL, r, "wait");
	_exit(r);
}

/* A new network namespace has lo down; most programs expect 127.0.0.1
 * to work (bwrap and docker bring it up too). An ioctl costs less than
 * a netlink socket. */
static void bring_lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		xerrc(EXIT_TOOL, errno, "lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		xerrc(EXIT_TOOL, errno, "bring lo up");
}

static bool id_mapped(const struct idmap *m, uint32_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (id >= m->r[i].in && (uint64_t)id < (uint64_t)m->r[i].in + m->r[i].count)
			return true;
	return false;
}

static bool id_number(const char *s, uint32_t *v)
{
	return parse_u32(s, v) == 0 && *v != (uint32_t)-1;
}

/* The image's User, "user[:group]" by name or number, resolved in the
 * jail's own /etc/passwd and /etc/group, read as files: through NSS,
 * nsnew would load the jail's own modules while it is still privileged. */
static void apply_image_user(struct opts *o)
{
	_cleanup_free_ char *spec = strdup(o->img.user);
	char *group = spec ? strchr(spec, ':') : NULL;
	struct passwd *pw = NULL;
	bool set_gid = o->set_gid;	/* --gid wins over the image's group */
	gid_t gid = o->gid;
	uint32_t id;
	FILE *f;

	if (!spec)
		xerrc(EXIT_TOOL, ENOMEM, "user");
	if (group)
		*group++ = '\0';
	if ((f = fopen("/etc/passwd", "re"))) {
		bool num = id_number(spec, &id);

		while ((pw = fgetpwent(f)) && !(num ? pw->pw_uid == id : streq(pw->pw_name, spec)))
			;
		if (pw)
			o->uid = pw->pw_uid, o->gid = pw->pw_gid;
		fclose(f);
	}
	if (!pw && !id_number(spec, &o->uid))
		xerrc(EXIT_TOOL, 0, "image user '%s': not in %s/etc/passwd", spec, o->rootfs);
	if (!pw)
		o->gid = 0;
	if (group && !id_number(group, &o->gid)) {
		struct group *gr = NULL;

		if ((f = fopen("/etc/group", "re"))) {
			while ((gr = fgetgrent(f)) && !streq(gr->gr_name, group))
				;
			if (gr)
				o->gid = gr->gr_gid;
			fclose(f);
		}
		if (!gr)
			xerrc(EXIT_TOOL, 0, "image group '%s': not in %s/etc/group", group, o->rootfs);
	}
	if (set_gid)
		o->gid = gid;
	if ((o->flags & CLONE_NEWUSER) && !o->subids && !id_mapped(&o->uidmap, o->uid))
		xerrc(EXIT_TOOL, 0, "image user '%s' (uid %u): not mapped in the new user namespace "
		      "(map it, e.g. --subids, or give --uid)", o->img.user, (unsigned)o->uid);
	o->set_uid = true;
	o->set_gid = true;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return *path == '/' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether a PATH names at least one directory that exists here. */
static bool path_usable(const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	char *save = NULL;

	for (char *d = p ? strtok_r(p, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save))
		if (is_dir(d))
			return true;
	return false;
}

/* In a root filesystem, once its files are in place: PATH, when unset
 * or the caller's names no directory inside, becomes the usual one; HOME,
 * when unset or the caller's is no directory inside, the home of the
 * command's user in the jail's /etc/passwd, else / (as podman does). */
static void jail_defaults(struct opts *o)
{
	static const char path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	const char *cur, *caller;
	uid_t uid = o->set_uid ? o->uid : geteuid();
	struct passwd *pw = NULL;
	_cleanup_free_ char *home = NULL;
	FILE *f;
	int r = 0;

	if (!o->rootfs)
		return;
	cur = envlist_get(&o->envl, "PATH");
	caller = getenv("PATH");
	if (!cur || (!o->have_img && caller && streq(cur, caller) && !path_usable(cur)))
		r = envlist_set(&o->envl, "PATH", 4, path);
	cur = envlist_get(&o->envl, "HOME");
	caller = getenv("HOME");
	if (r == 0 && (!cur || (!o->have_img && caller && streq(cur, caller) && !is_dir(cur)))) {
		if ((f = fopen("/etc/passwd", "re"))) {
			while ((pw = fgetpwent(f)) && pw->pw_uid != uid)
				;
			if (pw && *pw->pw_dir && !(home = strdup(pw->pw_dir)))
				r = -ENOMEM;
			fclose(f);
		}
		if (r == 0)
			r = envlist_set(&o->envl, "HOME", 4, home ? home : "/");
	}
	if (r < 0)
		xerrc(EXIT_TOOL, r, "environment");
	o->env = o->envl.v;
}

/* --chdir, else the image's WorkingDir (made when missing, as podman
 * does), once the jail's files are in place. */
static void enter_workdir(const struct opts *o)
{
	const char *wd = o->chdir ? o->chdir : o->img.workdir;

	if (!wd)
		return;
	if (!o->chdir && *wd == '/')
		make_dirs(wd, 0755);
	if (chdir(wd) < 0)
		xerrc(EXIT_TOOL, errno, "chdir %s", wd);
}

/* Before the credentials change: raising a hard limit needs
 * CAP_SYS_RESOURCE, which --drop-caps or --uid may take away. */
static void apply_rlimits(const struct opts *o)
{
	const char *name = "?";
	int r;

	if ((r = rlimit_apply(&o->rlimits, &name)) < 0)
		xerrc(EXIT_TOOL, r, "--rlimit %s", name);
}

/* Last before exec, so nothing of the set-up is filtered and everything
 * of the command is (sc_load sets no_new_privs where the kernel demands). */
static void load_filters(struct opts *o)
{
	int r;

	if ((r = sc_load(&o->filter)) < 0)
		xerrc(EXIT_TOOL, r, "load the seccomp filter");
}

static noreturn void setup_and_exec(struct opts *o, char *const *cmd, int report)
{
	if ((o->flags & CLONE_NEWNET) && !o->lo_down)
		bring_lo_up();
	if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0)
		xerrc(EXIT_TOOL, errno, "sethostname %s", o->hostname);
	setup_mounts(o);
	enter_workdir(o);
	if (o->ro_rootfs)
		make_root_readonly();
	if (o->img.user && !o->set_uid)
		apply_image_user(o);
	jail_defaults(o);
	apply_rlimits(o);
	set_credentials(o);
	load_filters(o);
	if (o->env)
		environ = o->env;	/* execvp looks the command up in the image's PATH */
	if (o->init)
		run_init(o, cmd, report);
	exec_command(cmd, report);
}

/* unshare or clone failed. Without a user namespace, new namespaces need
 * CAP_SYS_ADMIN: say so rather than only "Operation not permitted". */
static noreturn void ns_failed(struct undo *u, const struct opts *o, const char *what, int e)
{
	if (e == EPERM && geteuid() != 0 && !(o->flags & CLONE_NEWUSER))
		xundo(u, EXIT_TOOL, 0, "%s: %s (needs root or CAP_SYS_ADMIN; unprivileged: add -U --map-root)",
		      what, strerror(e));
	xundo(u, EXIT_TOOL, e, "%s", what);
}

/* ---- no child: unshare and exec in place ---- */

static void write_self_maps(const struct opts *o)
{
	_cleanup_close_ int dir = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dir < 0)
		xerrc(EXIT_TOOL, errno, "/proc/self");
	/* Our own single id needs no privilege, but gid_map only once
	 * setgroups is denied (else dropping groups could grant access). */
	if (o->gidmap.n && ((r = idmap_setgroups(dir, false)) < 0 || (r = idmap_write(dir, "gid_map", &o->gidmap)) < 0))
		xerrc(EXIT_TOOL, r, "write gid_map");
	if (o->uidmap.n && (r = idmap_write(dir, "uid_map", &o->uidmap)) < 0)
		xerrc(EXIT_TOOL, r, "write uid_map");
}

/* In place the command keeps the caller's session and process group but
 * not its controlling terminal, which it could open as /dev/tty to push
 * input into the caller's shell (TIOCSTI) or take the foreground. None of
 * fds 0-2 is a terminal here, and we do not lead the session. */
static noreturn void run_in_place(struct opts *o, char *const *cmd, struct undo *u)
{
	int r;

	if ((r = tty_leave()) < 0)
		xundo(u, EXIT_TOOL, r, "leave the controlling terminal");
	if (o->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) < 0)
		xundo(u, EXIT_TOOL, errno, "die-with-parent");
	if (o->flags && unshare(o->flags) < 0)
		ns_failed(u, o, "unshare", errno);
	/* From here we are the jail, whose set-up fails with xerrc as in a
	 * child: what the stack holds is the jail's now. */
	undo_free(u);
	if (o->flags & CLONE_NEWUSER)
		write_self_maps(o);
	setup_and_exec(o, cmd, -1);
}

/* ---- --overlay-dir, on the host's side ---- */

/* NAME in DFD and all below it, through no symlink; what cannot be
 * removed (files another id made in a rootless jail) is left. */
static void remove_tree_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (fd < 0 && errno == EACCES) {
		/* a directory of mode 0 (overlayfs's work/work): made
		 * readable through its own fd, never through a path */
		_cleanup_close_ int p = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		char self[32];

		snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
		if (p >= 0 && chmod(self, 0700) == 0)
			fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		unlinkat(dfd, name, 0);
		return;
	}
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, "..") &&
		    unlinkat(fd, e->d_name, 0) < 0 && errno == EISDIR)
			remove_tree_at(fd, e->d_name);
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Undo of --overlay-dir, run when nsnew fails or the jail ends (it stays
 * on main()'s stack, as the cgroup does): --ephemeral's directory goes
 * with all in it; upper and work directories nsnew made go only when the
 * command never ran (holding only mount points the set-up made). By fds:
 * the parent may run this from anywhere. */
static int take_back_layers(void *arg)
{
	struct overlay_dir *d = arg;

	if (d->eph[0])
		remove_tree_at(d->dir, d->eph);
	if (!d->eph[0] && !d->started && d->made_upper)
		remove_tree_at(d->dir, "upper");
	if (!d->eph[0] && !d->started && d->made_work)
		remove_tree_at(d->dir, "work");
	return 0;
}

/* A directory in BASE, made when missing: whether it was made. */
static bool make_layer_dir(struct undo *u, int base, const char *name, mode_t mode, const struct stat *like)
{
	if (mkdirat(base, name, 0700) < 0) {
		if (errno != EEXIST)
			xundo(u, EXIT_TOOL, errno, "--overlay-dir: mkdir %s", name);
		return false;
	}
	/* fchmodat follows a symlink, but NAME was made just now, in a
	 * directory only we may write */
	if (fchmodat(base, name, mode, 0) < 0 ||
	    (like && geteuid() == 0 && fchownat(base, name, like->st_uid, like->st_gid, AT_SYMLINK_NOFOLLOW) < 0)) {
		int e = errno;

		unlinkat(base, name, AT_REMOVEDIR);
		xundo(u, EXIT_TOOL, e, "--overlay-dir: %s", name);
	}
	return true;
}

/* --overlay-dir DIR, on the host's side as the caller, before any
 * namespace: DIR/upper and DIR/work, kept between runs; with --ephemeral
 * a fresh DIR/ephemeral.XXXXXX holding both, removed at exit. The
 * upper directory is the jail's /: it gets the image's mode and owner. */
static void prepare_overlay_dir(struct opts *o, struct undo *u)
{
	struct overlay_dir *d = &o->ovl;
	_cleanup_close_ int eph = -1;
	struct stat root;
	int base, r;

	if (!o->overlay_dir)
		return;
	if (stat(o->rootfs, &root) < 0)
		xerrc(EXIT_TOOL, errno, "rootfs %s", o->rootfs);
	if ((d->dir = open(o->overlay_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		xerrc(EXIT_TOOL, errno, "--overlay-dir %s", o->overlay_dir);
	base = d->dir;
	if (o->ephemeral) {
		char name[sizeof(d->eph)];

		for (int i = 0; !d->eph[0]; i++) {
			snprintf(name, sizeof(name), "ephemeral.%06x", (unsigned)(random() ^ getpid() ^ i) & 0xffffff);
			if (mkdirat(d->dir, name, 0700) == 0)
				memcpy(d->eph, name, sizeof(name));
			else if (errno != EEXIST || i > 100)
				xerrc(EXIT_TOOL, errno, "--overlay-dir %s: mkdir %s", o->overlay_dir, name);
		}
		if ((r = undo_push(u, take_back_layers, d, NULL)) < 0)
			xundo(u, EXIT_TOOL, r, "--overlay-dir %s", o->overlay_dir);
		if ((eph = openat(d->dir, d->eph, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			xundo(u, EXIT_TOOL, errno, "--overlay-dir %s: %s", o->overlay_dir, d->eph);
		base = eph;
	}
	if (!d->eph[0] && (r = undo_push(u, take_back_layers, d, NULL)) < 0)
		xundo(u, EXIT_TOOL, r, "--overlay-dir %s", o->overlay_dir);
	d->made_upper = make_layer_dir(u, base, "upper", root.st_mode & 07777, &root);
	d->made_work = make_layer_dir(u, base, "work", 0700, NULL);
	d->upper = openat(base, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d->work = openat(base, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->upper < 0 || d->work < 0)
		xundo(u, EXIT_TOOL, errno, "--overlay-dir %s: upper and work must be directories", o->overlay_dir);
}

/* ---- a child: clone, then maps and names from outside ---- */

struct clone_args_ {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* Whether the child must wait for its parent: to have its id maps
 * written, its names pinned, or its network set up before it runs
 * anything. */
static bool needs_sync(const struct opts *o)
{
	return (o->flags & CLONE_NEWUSER) || o->name || o->net.helper || cgroup_wanted(&o->cglimits);
}

/* The child waits on SYNC until the parent has written its maps and
 * pinned its names; EOF without the go byte means the parent failed.
 * Then, whatever the mode, the caller's terminal stops being its
 * controlling terminal (tty.h). It fails with xerrc, never xundo: the
 * parent's undo stack is the parent's to unwind. FAIL[1] reports to a
 * parent that pinned names whether the jail started (exec_command). */
static noreturn void child_main(struct opts *o, char *const *cmd, int sync[2], int fail[2])
{
	char c;
	int r;

	if (sync[1] >= 0)
		close(sync[1]);
	if (o->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) < 0)
		_exit(EXIT_TOOL);
	if (sync[0] >= 0 && read(sync[0], &c, 1) != 1)
		_exit(EXIT_TOOL);
	if (sync[0] >= 0)
		close(sync[0]);
	if (fail[0] >= 0)
		close(fail[0]);
	/* Moved into the jail's cgroup while it waited: its cgroup namespace,
	 * made at clone, is rooted where it was; root it there instead. */
	if ((o->flags & CLONE_NEWCGROUP) && cgroup_wanted(&o->cglimits) && unshare(CLONE_NEWCGROUP) < 0)
		xerrc(EXIT_TOOL, errno, "cgroup namespace");
	if ((r = tty_relay_attach(&o->tty)) < 0)
		xerrc(EXIT_TOOL, r, "terminal");
	setup_and_exec(o, cmd, fail[1]);
}

/* A child with nothing to wait for runs vfork-style (CLONE_VM |
 * CLONE_VFORK) on a stack of its own: nsnew's memory is lent to it until
 * it execs, not copied, and the parent sleeps until then. Not for --init,
 * whose PID 1 never execs while the parent must forward signals; not for
 * a time namespace, which clone(2) cannot ask for; not under
 * AddressSanitizer, which cannot follow a stack it did not make. */
struct lent {
	struct opts *o;
	char *const *cmd;
	int *sync, *fail;
};

static int lent_main(void *arg)
{
	struct lent *l = arg;

	nskit_exit_at_once();
	child_main(l->o, l->cmd, l->sync, l->fail);
}

static bool can_lend(const struct opts *o)
{
#if defined(__SANITIZE_ADDRESS__)
	return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return false;
#endif
#endif
	return !needs_sync(o) && !o->init && !(o->flags & CLONE_NEWTIME) && !o->overlay_dir;
}

#define LENT_STACK (256 * 1024)

static pid_t start_lent(struct opts *o, char *const *cmd, int sync[2], int fail[2], struct undo *u)
{
	struct lent l = { o, cmd, sync, fail };
	char **env = environ;	/* the child sets the command's, in our memory */
	char *stack = mmap(NULL, LENT_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;

	if (stack == MAP_FAILED)
		xundo(u, EXIT_TOOL, errno, "child stack");
	pid = clone(lent_main, stack + LENT_STACK, o->flags | CLONE_VM | CLONE_VFORK | SIGCHLD, &l);
	environ = env;
	if (pid < 0)
		ns_failed(u, o, "clone", errno);
	munmap(stack, LENT_STACK);	/* the child has exec'd or exited */
	return pid;
}

static pid_t start_child(struct opts *o, char *const *cmd, int sync[2], int fail[2], struct undo *u)
{
	struct clone_args_ args = { .flags = (uint64_t)o->flags, .exit_signal = SIGCHLD };
	pid_t pid;

	if ((needs_sync(o) && pipe2(sync, O_CLOEXEC) < 0) || ((o->name || o->overlay_dir) && pipe2(fail, O_CLOEXEC) < 0) ||
	    (o->init && o->tty.master >= 0 && pipe2(o->tty.stops, O_CLOEXEC) < 0))
		xundo(u, EXIT_TOOL, errno, "pipe");
	if (child_block() < 0)
		xundo(u, EXIT_TOOL, errno, "block signals");
	if (can_lend(o))
		return start_lent(o, cmd, sync, fail, u);
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		ns_failed(u, o, "clone", errno);
	if (pid == 0)
		child_main(o, cmd, sync, fail);
	if (sync[0] >= 0)
		close(sync[0]);
	if (fail[1] >= 0)
		close(fail[1]);
	if (o->tty.stops[1] >= 0)
		close(o->tty.stops[1]);
	return pid;
}

/* --subids for an unprivileged caller: the ranges need CAP_SETUID and
 * CAP_SETGID outside, which only idmap installed with file capabilities
 * has, so exec it (from nsnew's own directory first, then PATH). As root
 * the library writes the maps directly, without a process. */
static int run_idmap(pid_t target)
{
	char self[PATH_MAX], pidstr[16], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 8);
	pid_t pid;
	int ws;

	snprintf(pidstr, sizeof(pidstr), "%d", (int)target);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		child_unblock();
		if (n > 0 && (self[n] = '\0', slash = strrchr(self, '/'))) {
			strcpy(slash + 1, "idmap");
			execl(self, "idmap", "--subids", pidstr, (char *)NULL);
		}
		execlp("idmap", "idmap", "--subids", pidstr, (char *)NULL);
		xerrc(EXIT_FAIL, errno, "idmap");
	}
	if (waitpid(pid, &ws, 0) < 0)
		return -errno;
	return ws == 0 ? 0 : -EPERM;
}

static int subid_maps(struct opts *o, struct undo *u)
{
	struct idmap_range sub[IDMAP_MAX_RANGES];
	size_t n = 0;
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : NULL;
	uint32_t gid;
	int r;

	r = idmap_subids("/etc/subuid", name, getuid(), sub, ARRAY_SIZE(sub), &n);
	if (r == 0 && (r = idmap_from_subids(&o->uidmap, getuid(), sub, n)) == -ENOENT)
		xundo(u, EXIT_TOOL, 0, "uid %u: no ranges in /etc/subuid", (unsigned)getuid());
	if (r < 0)
		return r;
	n = 0;
	/* subgid(5) names the user, not a group; the own gid is the passwd
	 * entry's, as newgidmap (and idmap, which the unprivileged take) map. */
	r = idmap_subids("/etc/subgid", name, getuid(), sub, ARRAY_SIZE(sub), &n);
	if (idmap_own_gid(&gid) < 0)
		gid = getgid();
	if (r == 0 && (r = idmap_from_subids(&o->gidmap, gid, sub, n)) == -ENOENT)
		xundo(u, EXIT_TOOL, 0, "uid %u: no ranges in /etc/subgid", (unsigned)getuid());
	return r;
}

static void write_child_maps(struct opts *o, pid_t pid, struct undo *u)
{
	_cleanup_close_ int dir = -1;
	char path[32];
	int r;

	if (!(o->flags & CLONE_NEWUSER))
		return;
	if (o->subids && geteuid() != 0) {
		if (run_idmap(pid) < 0)
			xundo(u, EXIT_TOOL, 0, "%d: id maps not written", (int)pid);
		return;
	}
	if (o->subids && (r = subid_maps(o, u)) < 0)
		xundo(u, EXIT_TOOL, r, "subordinate ids");
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		xundo(u, EXIT_TOOL, errno, "%s", path);
	/* Without CAP_SETGID outside, gid_map is only accepted once
	 * setgroups is denied. */
	if (o->gidmap.n && geteuid() != 0 && (r = idmap_setgroups(dir, false)) < 0)
		xundo(u, EXIT_TOOL, r, "write setgroups");
	if (o->gidmap.n && (r = idmap_write(dir, "gid_map", &o->gidmap)) < 0)
		xundo(u, EXIT_TOOL, r, "write gid_map");
	if (o->uidmap.n && (r = idmap_write(dir, "uid_map", &o->uidmap)) < 0)
		xundo(u, EXIT_TOOL, r, "write uid_map");
}

static int unpin_net(void *name)
{
	return netns_unpin(name);
}

static int unpin_all(void *name)
{
	return pins_remove(name);
}

static int unrecord(void *o)
{
	return jailrec_remove(((struct opts *)o)->name, &((struct opts *)o)->rec);
}

/* Rootless: a record of the jail's first process and its namespaces, which
 * reaches all of them (--pin-all or not) and goes when the jail ends. */
static void record_name(struct opts *o, pid_t pid, struct undo *u)
{
	int r = jailrec_add(o->name, pid, &o->rec);

	if (r == -EEXIST)
		xundo(u, EXIT_TOOL, 0, "%s: name already exists", o->name);
	if (r == -EPERM)
		xundo(u, EXIT_TOOL, 0, "%s: must be a directory of yours with mode 0700: refused", netns_dir());
	if (r < 0 || (r = undo_push(u, unrecord, o, NULL)) < 0)
		xundo(u, EXIT_TOOL, r, "name %s", o->name);
}

/* The names stay once the jail runs (nsname del releases them), as an
 * `ip netns add` name does. */
static void pin_names(const struct opts *o, pid_t pid, struct undo *u)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	r = netns_pin(o->name, path);
	if (r == -EEXIST)
		xundo(u, EXIT_TOOL, 0, "%s: name already exists", o->name);
	if (r < 0 || (r = undo_push(u, unpin_net, (void *)o->name, NULL)) < 0)
		xundo(u, EXIT_TOOL, r, "pin %s", o->name);
	if (o->pin_all && ((r = pins_add(o->name, pid, o->flags)) < 0 ||
			   (r = undo_push(u, unpin_all, (void *)o->name, NULL)) < 0))
		xundo(u, EXIT_TOOL, r, "pin %s", o->name);
}

/* A failure of ours while the child waits for its go: it must not run. */
static int kill_child(void *pid)
{
	if (kill((pid_t)(intptr_t)pid, SIGKILL) < 0 || waitpid((pid_t)(intptr_t)pid, NULL, 0) < 0)
		return -errno;
	return 0;
}

/* What the child reported on FD (exec_command): EOF before 'e' (its
 * set-up failed, or it died) or 'x' after it (exec failed) is a jail
 * that never started. */
static bool jail_started(int fd)
{
	char c = 0;
	ssize_t n = read(fd, &c, 1);
	bool started = n != 0;	/* a read error: as if it started */

	if (n == 1 && c == 'e')
		started = read(fd, &c, 1) != 1 || c != 'x';
	close(fd);
	return started;
}

/* The helper attaches to the child's namespaces once its id maps are
 * written (it joins the user namespace as the caller's own id) and before
 * the child is released, so the command starts with its network up; U
 * stops it if nsnew fails before that. */
static int stop_user_net(void *net)
{
	usernet_stop(net);
	return 0;
}

static void start_user_net(struct opts *o, pid_t pid, struct undo *u)
{
	const char *h = usernet_name(o->net.helper);
	char why[512];
	int r = usernet_start(&o->net, pid, why, sizeof(why));

	if (r == 0 && (r = undo_push(u, stop_user_net, &o->net, NULL)) == 0)
		return;
	if (*why)
		xundo(u, EXIT_TOOL, 0, "--user-net=%s: %s", h, why);
	xundo(u, EXIT_TOOL, r == -ECHILD ? 0 : r, "--user-net=%s: %s%s", h, h,
	      r == -ECHILD ? " exited before the network was up" : "");
}

/* The jail has ended: what is left on U (its cgroup) goes. */
static void end_jail(struct opts *o, struct undo *u)
{
	int r = undo_unwind(u, 0);

	if (r < 0)
		xwarnc(-r, "cgroup %s: not removed", o->cgroup.where);
	undo_free(u);
}

/* --memory, --pids, --cpus: the jail's cgroup, made before the child
 * exists (so nothing is left to kill when this fails) and pushed on U; the
 * child is moved in while it waits to be released. */
static void make_cgroup(struct opts *o, struct undo *u)
{
	int r;

	if (!cgroup_wanted(&o->cglimits))
		return;
	r = cgroup_make(&o->cglimits, &o->cgroup);
	if (r == -ENOTSUP)
		xundo(u, EXIT_TOOL, 0, "cgroup: no writable hierarchy has the %s controller "
		      "(neither cgroup2 with it enabled nor a v1 mount of it)", o->cgroup.where);
	if ((r == -EACCES || r == -EPERM || r == -EROFS) && geteuid() != 0)
		xundo(u, EXIT_TOOL, 0, "cgroup %s: %s (limits need root, or a cgroup delegated to you as NSKIT_CGROUP_ROOT)",
		      o->cgroup.where, strerror(-r));
	if (r < 0 || (r = undo_push(u, cgroup_remove, &o->cgroup, NULL)) < 0)
		xundo(u, EXIT_TOOL, r, "cgroup %s", o->cgroup.where);
}

/* Start the child, write its maps and pin its names (each pushed on U,
 * so a failure kills the child and takes the names back), then let it
 * go: from then on they are the command's result. The cgroup is not: it
 * stays on U, under them, and goes when the jail ends. */
static noreturn void run_in_child(struct opts *o, char *const *cmd, struct undo *u)
{
	int sync[2] = { -1, -1 }, fail[2] = { -1, -1 };
	size_t started, names;
	pid_t pid;
	int r;

	if (o->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L) < 0)
		xundo(u, EXIT_TOOL, errno, "die-with-parent");
	make_cgroup(o, u);
	started = undo_mark(u);
	pid = start_child(o, cmd, sync, fail, u);
	if ((r = undo_push(u, kill_child, (void *)(intptr_t)pid, NULL)) < 0)
		xundo(u, EXIT_TOOL, r, "start the child");
	if (cgroup_wanted(&o->cglimits) && (r = cgroup_join(&o->cgroup, pid)) < 0)
		xundo(u, EXIT_TOOL, r, "cgroup %s", o->cgroup.where);
	write_child_maps(o, pid, u);
	names = undo_mark(u);
	if (o->name && netns_rootless())
		record_name(o, pid, u);
	else if (o->name)
		pin_names(o, pid, u);
	if (o->net.helper)
		start_user_net(o, pid, u);
	if (sync[1] >= 0 && write(sync[1], "g", 1) != 1)
		xundo(u, EXIT_TOOL, errno, "start the child");
	if (sync[1] >= 0)
		close(sync[1]);
	/* Names made for a jail that never started are taken back now;
	 * --overlay-dir's layers made for it when it ends (end_jail). */
	o->ovl.started = fail[0] < 0 || jail_started(fail[0]);
	if (!o->ovl.started)
		undo_unwind(u, names);
	undo_commit(u, started);
	if (o->tty.master >= 0) {
		close(o->tty.slave);
		o->tty.slave = -1;
		r = tty_relay_run(&o->tty, pid);	/* restores the caller's terminal as it returns */
	} else {
		/* Nothing left for us when the jail ends (no helper to stop,
		 * no rootless name to remove, no cgroup or layers to take
		 * back): only the wait stays, and
		 * it goes to nsnew-init once the jail has outlived a short
		 * command (an exec is not worth it for `true`). */
		static const struct timespec short_cmd = { 0, 100 * 1000 * 1000 };
		bool small = o->small >= 0 && !o->net.helper && !(o->name && netns_rootless()) &&
			     undo_mark(u) == 0;

		r = small ? child_wait_timed(pid, false, NULL, &short_cmd) : -ETIMEDOUT;
		if (r == -ETIMEDOUT) {
			if (small) {
				child_check_leaks_now();
				become_small(o, "wait", pid, -1);
			}
			r = child_wait(pid, false, NULL);
		}
	}
	usernet_stop(&o->net);	/* the jail has ended */
	if (o->name && netns_rootless())
		jailrec_remove(o->name, &o->rec);	/* gone already, or another's now: fine */
	if (r < 0)
		xundo(u, EXIT_TOOL, r, "wait");
	end_jail(o, u);
	exit(r);
}

#define IMAGECFG_MAX (1024 * 1024)

/* DIR/.nskit/image.json, as mkrootfs kept it: opened inside DIR and
 * through no symlink, so the root filesystem cannot point nsnew at a
 * file of the host. Absent: a plain root filesystem. */
static void load_image(struct opts *o)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int root = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n = 0;
	size_t len = 0;
	int r;

	if (root < 0)
		return;		/* check_inputs says why */
	fd = (int)syscall(SYS_openat2, root, IMAGECFG_PATH, &how, sizeof(how));
	if (fd < 0 && errno == ENOENT)
		return;
	if (fd < 0 && errno == ELOOP)
		xerrc(EXIT_TOOL, 0, "%s%s: a symbolic link on the way: refused", o->rootfs, IMAGECFG_PATH);
	if (fd < 0 || fstat(fd, &st) < 0)
		xerrc(EXIT_TOOL, errno, "%s%s", o->rootfs, IMAGECFG_PATH);
	if (!S_ISREG(st.st_mode) || st.st_size > IMAGECFG_MAX)
		xerrc(EXIT_TOOL, 0, "%s%s: not a regular file of at most 1 MiB", o->rootfs, IMAGECFG_PATH);
	if (!(buf = malloc((size_t)st.st_size + 1)))
		xerrc(EXIT_TOOL, ENOMEM, "%s%s", o->rootfs, IMAGECFG_PATH);
	while (len < (size_t)st.st_size && (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		xerrc(EXIT_TOOL, errno, "%s%s", o->rootfs, IMAGECFG_PATH);
	if ((r = imagecfg_parse(buf, len, &o->img)) < 0)
		xerrc(EXIT_TOOL, r == -EINVAL ? 0 : r, "%s%s: not a valid image configuration", o->rootfs, IMAGECFG_PATH);
	o->have_img = true;
}

/* The command's environment in an image's jail, as podman builds it: the
 * image's Env, HOSTNAME, and TERM passed on since the jail shares our
 * terminal; PATH and HOME when still unset at the end (jail_defaults). */
static void image_environment(struct opts *o)
{
	const char *term = getenv("TERM");

	if (envlist_init(&o->envl, o->img.env) < 0 ||
	    (o->hostname && !envlist_get(&o->envl, "HOSTNAME") &&
	     envlist_set(&o->envl, "HOSTNAME", 8, o->hostname) < 0) ||
	    (term && !envlist_get(&o->envl, "TERM") && envlist_set(&o->envl, "TERM", 4, term) < 0))
		xerrc(EXIT_TOOL, ENOMEM, "environment");
	o->env = o->envl.v;
}

#define ENVFILE_MAX (1024 * 1024)

/* A line "NAME" alone takes the caller's value, and nothing when it has none. */
static int set_from_file(void *arg, const char *name, const char *value)
{
	if (!value)
		value = getenv(name);
	return value ? envlist_set(arg, name, strlen(name), value) : 0;
}

/* --env-file FILE, read whole before any namespace is made. */
static void apply_env_file(struct envlist *e, const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	_cleanup_free_ char *buf = malloc(ENVFILE_MAX + 1);
	const char *why = NULL;
	size_t len = 0, line = 0;
	ssize_t n = 1;
	int r;

	if (fd < 0)
		xerrc(EXIT_TOOL, errno, "--env-file %s", path);
	if (!buf)
		xerrc(EXIT_TOOL, ENOMEM, "--env-file %s", path);
	while (len <= ENVFILE_MAX && (n = read(fd, buf + len, ENVFILE_MAX + 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		xerrc(EXIT_TOOL, errno, "--env-file %s", path);
	if (len > ENVFILE_MAX)
		xerrc(EXIT_TOOL, 0, "--env-file %s: larger than 1 MiB", path);
	r = envfile_parse(buf, len, set_from_file, e, &line, &why);
	if (r == -EINVAL)
		xerrc(EXIT_TOOL, 0, "%s:%zu: %s", path, line, why);
	if (r < 0)
		xerrc(EXIT_TOOL, r, "--env-file %s", path);
}

/* The base (the image's environment, else ours), emptied by --clearenv,
 * then --env-file, --setenv and --unsetenv in command-line order (as env(1)
 * and bwrap apply them). Untouched, without --rootfs, when none is given. */
static void build_environment(struct opts *o)
{
	if (!o->have_img && !o->rootfs && !o->clearenv && !o->nenvop)
		return;
	if (!o->have_img && envlist_init(&o->envl, environ) < 0)
		xerrc(EXIT_TOOL, ENOMEM, "environment");
	if (o->clearenv) {
		envlist_free(&o->envl);
		if (envlist_init(&o->envl, NULL) < 0)
			xerrc(EXIT_TOOL, ENOMEM, "environment");
	}
	for (size_t i = 0; i < o->nenvop; i++) {
		const char *arg = o->envop[i].arg;

		if (o->envop[i].key == OPT_ENV_FILE)
			apply_env_file(&o->envl, arg);
		else if (o->envop[i].key == OPT_UNSETENV)
			envlist_unset(&o->envl, arg);
		else if (envlist_set(&o->envl, arg, strcspn(arg, "="), strchr(arg, '=') + 1) < 0)
			xerrc(EXIT_TOOL, ENOMEM, "environment");
	}
	o->env = o->envl.v;
}

/* The command in a root filesystem: COMMAND, else the image's Entrypoint
 * and Cmd, else /bin/sh of the root filesystem (never the host's $SHELL,
 * which it may not have). */
static char *const *rootfs_command(struct opts *o, char **sh)
{
	size_t ne = 0, nc = 0;
	char **argv;

	exec_root = o->rootfs;
	load_image(o);
	if (o->have_img)
		image_environment(o);
	build_environment(o);
	if (o->cmd && o->cmd[0])
		return o->cmd;
	while (o->img.entrypoint && o->img.entrypoint[ne])
		ne++;
	while (o->img.cmd && o->img.cmd[nc])
		nc++;
	if (!ne && !nc) {
		sh[0] = (char *)"/bin/sh";
		sh[1] = NULL;
		return sh;
	}
	if (!(argv = calloc(ne + nc + 1, sizeof(char *))))
		xerrc(EXIT_TOOL, ENOMEM, "command");
	for (size_t i = 0; i < ne; i++)
		argv[i] = o->img.entrypoint[i];
	for (size_t i = 0; i < nc; i++)
		argv[ne + i] = o->img.cmd[i];
	return argv;
}

/* --subids as an ordinary user runs idmap, which needs file capabilities
 * (or to be setuid root): without them it could only fail, so say how to
 * give them instead. */
static void check_idmap_caps(void)
{
	char self[PATH_MAX], path[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 8);
	const char *found = NULL;
	struct stat st;
	cap_flag_value_t u = CAP_CLEAR, g = CAP_CLEAR;
	cap_t caps;

	if (n > 0 && (self[n] = '\0', slash = strrchr(self, '/'))) {
		strcpy(slash + 1, "idmap");
		if (access(self, X_OK) == 0)
			found = self;
	}
	for (const char *p = getenv("PATH"); !found && p && *p; p += strcspn(p, ":"), p += *p == ':') {
		int len = (int)strcspn(p, ":");

		if (len && snprintf(path, sizeof(path), "%.*s/idmap", len, p) < (int)sizeof(path) &&
		    access(path, X_OK) == 0)
			found = path;
	}
	if (!found || (stat(found, &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID)))
		return;		/* not found: run_idmap says so */
	if ((caps = cap_get_file(found))) {
		cap_get_flag(caps, CAP_SETUID, CAP_PERMITTED, &u);
		cap_get_flag(caps, CAP_SETGID, CAP_PERMITTED, &g);
		cap_free(caps);
	}
	if (u != CAP_SET || g != CAP_SET)
		xerrc(EXIT_TOOL, 0, "--subids: %s lacks the file capabilities cap_setuid,cap_setgid+ep: "
		      "install them with `make install-idmap-caps` as root, or install the nskit Debian package",
		      found);
}

/* --seccomp FILE: read and parsed, its names resolved, before anything
 * is made. */
static void build_profile(struct opts *o)
{
	struct sc_error e;
	int r = sc_build_file(o->seccomp, &o->filter, &e);

	if (r == -EINVAL)
		xerrc(EXIT_TOOL, 0, "%s:%u: %s", o->seccomp, e.line, e.msg);
	if (r == -EMEDIUMTYPE)
		xerrc(EXIT_TOOL, 0, "--seccomp %s: not a regular file of at most 1 MiB", o->seccomp);
	if (r < 0)
		xerrc(EXIT_TOOL, r, "--seccomp %s", o->seccomp);
}

/* The default profile allows what the jail was given: mounts and new
 * namespaces to a jail that keeps CAP_SYS_ADMIN by name, tracing to one
 * with a PID namespace of its own. */
static void build_filters(struct opts *o)
{
	struct sc_jail j = {
		.admin = o->caps && o->keep_given && (o->keep & (1ULL << CAP_SYS_ADMIN)),
		.pidns = o->flags & CLONE_NEWPID,
	};
	int r;

	if (!o->seccomp || streq(o->seccomp, "none"))
		return;
	if (!streq(o->seccomp, "default")) {
		build_profile(o);
		return;
	}
	/* As compiled at build time (seccomp-default.c). */
	if ((r = sc_default_compiled(&j, &o->filter)) < 0)
		xerrc(EXIT_TOOL, r, "seccomp default profile");
}

int main(int argc, char **argv)
{
	/* In .bss, not on main's stack: of its 17 KiB (id maps, paths) a
	 * run touches a page or two, while an initialised local is written
	 * whole and stays resident (DESIGN.md: peak memory). So only the
	 * fields that do not start at 0 are set. */
	static struct opts o;
	struct undo u = UNDO_INIT;	/* what the parent made, taken back on failure */
	char *sh[2];
	char *const *cmd;
	int r;

	o.net.exit_fd = o.net.log = -1;			/* USERNET_INIT */
	o.ovl.dir = o.ovl.upper = o.ovl.work = -1;
	o.small = -1;

	nskit_init(EXIT_TOOL);
	netns_user_names();
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &o);
	if (o.rootfs) {
		cmd = rootfs_command(&o, sh);
	} else {
		build_environment(&o);
		cmd = command_or_shell(o.cmd, sh);
	}
	check_inputs(&o);
	build_filters(&o);
	if (o.subids && geteuid() != 0)
		check_idmap_caps();
	prepare_overlay_dir(&o, &u);
	if ((r = tty_relay_open(&o.tty)) < 0)
		xundo(&u, EXIT_TOOL, r, "a terminal for the jail");
	if (needs_child(&o)) {
		o.small = open_small();
		run_in_child(&o, cmd, &u);
	}
	run_in_place(&o, cmd, &u);
}
