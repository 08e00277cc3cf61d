/* nsjoin - run a command inside existing namespaces.
 *   nsjoin [-c] NAME [--] [COMMAND...]      as `ip netns exec NAME`
 *   nsjoin -t PID [-a | -nmuipUCT] [--] [COMMAND...]   as nsenter
 *   nsjoin --net=PATH ... [--] [COMMAND...]  any nsfs file
 * Siblings: nsname(8) names namespaces, nsnew(1) makes new ones. */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"
#include "jailrec.h"
#include "msg.h"
#include "netnsdir.h"
#include "ns.h"
#include "parse.h"
#include "pins.h"
#include "undo.h"
#include "util.h"

#define ETC_NETNS_DIR "/etc/netns"

struct opts {
	const char *name;		/* NAME mode: the ip netns exec environment */
	bool create;
	pid_t target;
	bool all, no_fork;
	int want;			/* CLONE_NEW* types to join */
	const char *path[NS_NTYPES];	/* --TYPE=PATH, by index in ns_types */
	bool root_set, wd_set;
	const char *root, *wd;		/* NULL with -t: the target's */
	bool set_uid, set_gid;
	uid_t uid;
	gid_t gid;
	char **cmd;
};

enum { OPT_NO_FORK = 'F' };

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Which namespaces:", 1 },
	{ "all", 'a', NULL, 0, "with -t: every namespace of PID that differs from ours", 1 },
	{ "cgroup", 'C', "PATH", OPTION_ARG_OPTIONAL, "cgroup namespace (of PID, or at PATH)", 1 },
	{ "create", 'c', NULL, 0, "NAME mode: make the namespace NAME first if it does not exist", 1 },
	{ "ipc", 'i', "PATH", OPTION_ARG_OPTIONAL, "IPC namespace", 1 },
	{ "mount", 'm', "PATH", OPTION_ARG_OPTIONAL, "mount namespace", 1 },
	{ "net", 'n', "PATH", OPTION_ARG_OPTIONAL, "network namespace", 1 },
	{ "pid", 'p', "PATH", OPTION_ARG_OPTIONAL, "PID namespace (the command runs in a child)", 1 },
	{ "target", 't', "PID", 0, "the process whose namespaces to join", 1 },
	{ "time", 'T', "PATH", OPTION_ARG_OPTIONAL, "time namespace", 1 },
	{ "user", 'U', "PATH", OPTION_ARG_OPTIONAL, "user namespace (uid and gid become 0 unless -S/-G)", 1 },
	{ "uts", 'u', "PATH", OPTION_ARG_OPTIONAL, "UTS namespace (hostname)", 1 },
	{ NULL, 0, NULL, 0, "The command's process:", 2 },
	{ "no-fork", OPT_NO_FORK, NULL, 0, "do not fork after joining a PID namespace", 2 },
	{ "root", 'r', "DIR", OPTION_ARG_OPTIONAL, "root directory (default with -t: the target's)", 2 },
	{ "setgid", 'G', "GID", 0, "group id to run as", 2 },
	{ "setuid", 'S', "UID", 0, "user id to run as (also clears supplementary groups)", 2 },
	{ "wd", 'w', "DIR", OPTION_ARG_OPTIONAL, "working directory (default with -t: the target's)", 2 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char doc[] =
	"Run COMMAND (default: $SHELL) inside existing namespaces.\v"
	"With NAME, enter the network namespace NAME with what `ip netns exec`\n"
	"gives: a mount namespace of the command's own, /sys for NAME's network,\n"
	"and each file of " ETC_NETNS_DIR "/NAME/ bound over the same name in /etc.\n"
	"As an ordinary user, NAME is one of your rootless jails (nsnew --name):\n"
	"checked, then every namespace of it joined, its user namespace first.\n"
	"With -t PID or --TYPE=PATH, join namespaces as nsenter does.\n"
	"\n"
	"Examples:\n"
	"  nsjoin ns0 ip -4 addr\n"
	"  nsjoin -c ns1 ping -c1 127.0.0.1\n"
	"  nsjoin -t \"$(pgrep -n sleep)\" -a ps -e\n"
	"  nsjoin --net=/proc/1234/ns/net --uts=/proc/1234/ns/uts hostname\n"
	"\n"
	"Exit status: the command's own; 125 nsjoin failed; 126 COMMAND could not\n"
	"be run; 127 COMMAND not found; 128+N COMMAND died of signal N.";

static int type_index(int flag)
{
	for (int i = 0; ns_types[i].name; i++)
		if (ns_types[i].flag == flag)
			return i;
	return -1;
}

static int type_of_key(int key)
{
	for (int i = 0; ns_types[i].name; i++)
		if (ns_types[i].opt == key)
			return ns_types[i].flag;
	return 0;
}

static unsigned long parse_id(struct argp_state *state, const char *arg, const char *what)
{
	uint32_t v;

	if (parse_u32(arg, &v) < 0 || v == (uint32_t)-1)
		argp_error(state, "'%s': not a valid %s", arg, what);
	return v;
}

static void check_combination(struct argp_state *state, struct opts *o)
{
	if (o->name && (o->target || o->want || o->all))
		argp_error(state, "NAME cannot be combined with -t or namespace options");
	if (o->create && !o->name)
		argp_error(state, "--create needs a NAME");
	if (o->all && !o->target)
		argp_error(state, "--all needs --target");
	if (!o->name && !o->want && !o->all)
		argp_error(state, "give a NAME, or -t PID with namespaces, or --TYPE=PATH");
	for (int i = 0; i < NS_NTYPES; i++)
		if ((o->want & ns_types[i].flag) && !o->path[i] && !o->target)
			argp_error(state, "--%s needs a PATH or --target", ns_types[i].name);
	if (!o->target && ((o->root_set && !o->root) || (o->wd_set && !o->wd)))
		argp_error(state, "--root and --wd need a DIR without --target");
}

/* NAME for a message: C escapes for control characters and whitespace
 * (names others made may hold them), so it never writes to the terminal.
 * Kept here, so a message printed on the way to exit leaks nothing. */
static const char *shown(const char *name)
{
	static char *last;

	free(last);
	last = netns_name_escape(name);
	return last ? last : "?";
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	int type = type_of_key(key);

	if (type) {
		o->want |= type;
		o->path[type_index(type)] = arg;
		return 0;
	}
	switch (key) {
	case 'a': o->all = true; break;
	case 'c': o->create = true; break;
	case 'G': o->gid = parse_id(state, arg, "group id"); o->set_gid = true; break;
	case 'r': o->root_set = true; o->root = arg; break;
	case 'S': o->uid = parse_id(state, arg, "user id"); o->set_uid = true; break;
	case 'w': o->wd_set = true; o->wd = arg; break;
	case OPT_NO_FORK: o->no_fork = true; break;
	case 't':
		if (parse_pid(arg, &o->target) < 0)
			argp_error(state, "'%s': not a process id", arg);
		break;
	case ARGP_KEY_ARG:
		/* The first operand is NAME unless namespaces were chosen by
		 * option; the command follows, its options left alone. */
		if (!o->name && !o->want && !o->all && !o->target) {
			int r = netns_name_check(arg);

			if (r < 0)
				argp_error(state, "'%s': invalid namespace name", shown(arg));
			o->name = arg;
			if (state->next < state->argc && streq(state->argv[state->next], "--"))
				state->next++;
			o->cmd = state->argv + state->next;
		} else {
			o->cmd = state->argv + state->next - 1;
		}
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		check_combination(state, o);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options, parse_opt,
	"[-c] NAME [--] [COMMAND [ARG...]]\n"
	"-t PID [-a | -nmuipUCT] [OPTIONS] [--] [COMMAND [ARG...]]\n"
	"--TYPE=PATH... [OPTIONS] [--] [COMMAND [ARG...]]",
	doc, NULL, NULL, NULL,
};

static int unpin(void *name)
{
	return netns_unpin(name);
}

/* NAME's namespace, made first with --create. Two callers creating the
 * same name race safely: netns_create() holds the directory lock while the
 * name is half-made, so the loser gets EEXIST and opens the winner's. A
 * name made here goes on U: removed again if nsjoin fails before exec. */
static int open_named(const struct opts *o, struct undo *u)
{
	int fd = netns_open(o->name);

	/* ENOTNAM: another creator's name file, not yet bound. */
	if ((fd == -ENOENT || fd == -ENOTNAM) && o->create) {
		int r = netns_create(o->name);

		if (r == -EILSEQ)
			xundo(u, EXIT_TOOL, 0, "'%s': a new name must be UTF-8 without control characters or whitespace",
			      shown(o->name));
		if (r < 0 && r != -EEXIST)
			xundo(u, EXIT_TOOL, r, "create %s", shown(o->name));
		if (r == 0 && (r = undo_push(u, unpin, (void *)o->name, NULL)) < 0)
			xundo(u, EXIT_TOOL, r, "create %s", shown(o->name));
		fd = netns_open(o->name);
	}
	if (fd < 0)
		xundo(u, EXIT_TOOL, 0, "%s: %s%s", shown(o->name), ns_open_strerror(fd, CLONE_NEWNET),
		      nskit_priv_hint_for(fd));
	return fd;
}

/* Bind each file of /etc/netns/NAME over /etc, as `ip netns exec` does:
 * a failure is reported and the rest still bound. */
static void bind_etc(const char *name, struct undo *u)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *e;

	if ((size_t)snprintf(dir, sizeof(dir), ETC_NETNS_DIR "/%s", name) >= sizeof(dir))
		return;
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			xwarnc(errno, "%s", dir);
		return;
	}
	while ((e = readdir(d))) {
		_cleanup_free_ char *src = NULL, *dst = NULL;

		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		if (asprintf(&src, "%s/%s", dir, e->d_name) < 0 ||
		    asprintf(&dst, "/etc/%s", e->d_name) < 0)
			xundo(u, EXIT_TOOL, ENOMEM, "bind");
		if (mount(src, dst, "none", MS_BIND, NULL) < 0)
			xwarnc(errno, "bind %s on %s", src, dst);
	}
	closedir(d);
}

/* What `ip netns exec` gives after joining NAME's network namespace. */
static void netns_exec_environment(const struct opts *o, struct undo *u)
{
	unsigned long ro = 0;
	struct statvfs sv;

	/* A mount namespace of our own for the /sys and /etc changes, with /
	 * made slave so none of them propagates back to the host. */
	if (unshare(CLONE_NEWNS) < 0)
		xundo(u, EXIT_TOOL, errno, "new mount namespace");
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		xundo(u, EXIT_TOOL, errno, "make / slave");
	/* /sys shows the network of whoever mounted it: mount it anew. Where
	 * the old one cannot go, cover it (read-only if it was). */
	if (umount2("/sys", MNT_DETACH) < 0 && statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		ro = MS_RDONLY;
	if (mount(o->name, "/sys", "sysfs", ro, NULL) < 0)
		xundo(u, EXIT_TOOL, errno, "mount /sys");
	bind_etc(o->name, u);
}

static void enter_named(const struct opts *o, struct undo *u)
{
	int fd = open_named(o, u);

	if (setns(fd, CLONE_NEWNET) < 0)
		xundo(u, EXIT_TOOL, errno, "%s: enter", shown(o->name));
	close(fd);
	netns_exec_environment(o, u);
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* -a skips what we share already: joining our own user namespace
 * fails, our own mount namespace moves us to /. */
static void drop_if_ours(int *fd, const struct ns_type *t)
{
	char self[32];
	_cleanup_close_ int mine = -1;

	snprintf(self, sizeof(self), "/proc/self/ns/%s", t->name);
	mine = open(self, O_RDONLY | O_CLOEXEC);
	if (mine >= 0 && ns_same(mine, *fd) == 1) {
		close(*fd);
		*fd = -1;
	}
}

/* Open every namespace to join before joining any: once inside a mount
 * namespace, /proc and the paths given may mean something else. */
static void open_namespaces(const struct opts *o, int fds[NS_NTYPES])
{
	int pidfd = -1;

	if (o->target) {
		pidfd = pidfd_open_(o->target);
		if (pidfd < 0)
			xerrc(EXIT_TOOL, 0, "%d: %s", (int)o->target,
			      errno == ESRCH ? "no such process" : strerror(errno));
	}
	for (int i = 0; i < NS_NTYPES; i++) {
		const struct ns_type *t = &ns_types[i];
		bool asked = o->want & t->flag;

		fds[i] = -1;
		if (!asked && !o->all)
			continue;
		fds[i] = o->path[i] ? ns_open_path(o->path[i], t->flag) : ns_open_pid(o->target, t->flag);
		if (fds[i] == -ENOENT && !asked)
			continue;	/* -a: a type this kernel lacks */
		if (fds[i] < 0)
			xerrc(EXIT_TOOL, 0, "%s: %s", o->path[i] ? o->path[i] : t->name,
			      ns_open_strerror(fds[i], t->flag));
		if (!asked)
			drop_if_ours(&fds[i], t);
	}
	/* The pid may have been reused while we opened its files. */
	if (pidfd >= 0) {
		if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
			xerrc(EXIT_TOOL, 0, "%d: process exited", (int)o->target);
		close(pidfd);
	}
}

/* --root and --wd: DIR, or with -t and no DIR the target's, opened in
 * the namespaces we start from, as nsenter does. */
static int open_dir(bool set, const char *dir, pid_t target, const char *which)
{
	char p[64];
	int fd;

	if (!set)
		return -1;
	if (!dir) {
		snprintf(p, sizeof(p), "/proc/%d/%s", (int)target, which);
		dir = p;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		xerrc(EXIT_TOOL, errno, "%s", dir);
	return fd;
}

/* Two passes, as nsenter does: the user namespace is left for the second
 * pass so a privileged caller joins the others while it still may; an
 * unprivileged caller fails those in the first pass, gains the right by
 * joining the user namespace, and joins them in the second. USER_FIRST
 * (a caller known to be unprivileged) goes straight to the second. */
static int enter_namespaces(int fds[NS_NTYPES], bool user_first, struct undo *u)
{
	int joined = 0;

	for (int pass = user_first; pass < 2; pass++)
		for (int i = pass ? 0 : 1; i < NS_NTYPES; i++) {
			if (fds[i] < 0)
				continue;
			if (ns_types[i].flag == CLONE_NEWPID)
				child_check_leaks_now();
			if (setns(fds[i], ns_types[i].flag) < 0) {
				if (pass == 0)
					continue;
				xundo(u, EXIT_TOOL, errno, "enter %s namespace", ns_types[i].name);
			}
			joined |= ns_types[i].flag;
			close(fds[i]);
			fds[i] = -1;
		}
	return joined;
}

/* NAME pinned whole by `nsnew --pin-all`: enter every namespace of the
 * jail (the user namespace first when unprivileged, as above), its own
 * mount namespace instead of a fresh one. 0 when NAME has no such pins. */
static int enter_pinned(const struct opts *o, int fds[NS_NTYPES], struct undo *u)
{
	int r = pins_open(o->name, fds, NS_NTYPES);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		xundo(u, EXIT_TOOL, r, "%s: pinned namespaces", shown(o->name));
	fds[type_index(CLONE_NEWNET)] = open_named(o, u);
	return enter_namespaces(fds, false, u);
}

/* An ordinary user's NAME not found among its own: say so, and when root
 * has that name, what joining root's would need. */
static noreturn void no_rootless_name(const struct opts *o)
{
	_cleanup_free_ char *root = NULL;
	struct stat st;

	if (asprintf(&root, NETNS_RUN_DIR "/%s", o->name) >= 0 && stat(root, &st) == 0)
		xerrc(EXIT_TOOL, 0, "%s: no rootless name of yours; root has one in " NETNS_RUN_DIR
		      " (needs root or CAP_SYS_ADMIN)", shown(o->name));
	xerrc(EXIT_TOOL, 0, "%s: %s", shown(o->name), jailrec_strerror(ENOENT));
}

/* A rootless NAME (jailrec.h), checked to be the caller's running jail:
 * every namespace of its first process that we do not share, the user
 * namespace first (the caller owns it, and joining it gives the right to
 * join the others). A jail without a mount namespace of its own gets the
 * `ip netns exec` environment, as a root name does. */
static int enter_rootless(const struct opts *o, int fds[NS_NTYPES], struct undo *u)
{
	_cleanup_close_ int dir = -1;
	struct jailrec rec;
	int r, joined;

	if (o->create)
		xerrc(EXIT_TOOL, 0, "%s: --create needs root or CAP_SYS_ADMIN (rootless names are made by `nsnew --name`)",
		      shown(o->name));
	dir = jailrec_dir(false);
	if (dir == -ENOENT)
		no_rootless_name(o);
	if (dir == -EPERM || dir == -ENOTDIR || dir == -ELOOP)
		xerrc(EXIT_TOOL, 0, "%s: must be a directory of yours with mode 0700: refused", netns_dir());
	if (dir < 0)
		xerrc(EXIT_TOOL, dir, "%s", netns_dir());
	r = jailrec_read(dir, o->name, &rec);
	if (r == -ENOENT)
		no_rootless_name(o);
	if (r == 0)
		r = jailrec_open(&rec, fds, NS_NTYPES);
	if (r < 0)
		xerrc(EXIT_TOOL, 0, "%s: %s", shown(o->name), jailrec_strerror(r));
	for (int i = 0; i < NS_NTYPES; i++)
		if (fds[i] >= 0)
			drop_if_ours(&fds[i], &ns_types[i]);
	joined = enter_namespaces(fds, true, u);
	if (!(joined & CLONE_NEWNS))
		netns_exec_environment(o, u);
	return joined | CLONE_NEWNET;
}

/* NAME: a whole pinned jail, else the `ip netns exec` environment; for
 * an ordinary user, its rootless jail. Returns the CLONE_NEW* types joined. */
static int enter_name(const struct opts *o, int fds[NS_NTYPES], struct undo *u)
{
	int joined;

	if (netns_rootless())
		return enter_rootless(o, fds, u);
	joined = enter_pinned(o, fds, u);

	if (joined)
		return joined;
	enter_named(o, u);
	return CLONE_NEWNET;
}

static void change_dirs(int root_fd, int wd_fd, struct undo *u)
{
	if (root_fd >= 0) {
		if (wd_fd < 0 && (wd_fd = open(".", O_PATH | O_CLOEXEC)) < 0)
			xundo(u, EXIT_TOOL, errno, "getcwd");
		if (fchdir(root_fd) < 0 || chroot(".") < 0)
			xundo(u, EXIT_TOOL, errno, "change root");
		close(root_fd);
	}
	if (wd_fd >= 0) {
		if (fchdir(wd_fd) < 0)
			xundo(u, EXIT_TOOL, errno, "change directory");
		close(wd_fd);
	}
}

/* Joining a user namespace makes us uid 0 there unless told otherwise,
 * as nsenter does; groups are dropped whenever the uid or gid changes. */
static void set_credentials(struct opts *o, bool joined_user, struct undo *u)
{
	if (joined_user) {
		if (!o->set_uid)
			o->uid = 0, o->set_uid = true;
		if (!o->set_gid)
			o->gid = 0, o->set_gid = true;
	}
	if ((o->set_uid || o->set_gid) && setgroups(0, NULL) < 0 && !(joined_user && errno == EPERM))
		xundo(u, EXIT_TOOL, errno, "setgroups");
	if (o->set_gid && setgid(o->gid) < 0)
		xundo(u, EXIT_TOOL, errno, "setgid %u", (unsigned)o->gid);
	if (o->set_uid && setuid(o->uid) < 0)
		xundo(u, EXIT_TOOL, errno, "setuid %u", (unsigned)o->uid);
}

/* A new PID namespace applies to children only: fork so the command is
 * inside it, and pass its status and our signals through. */
static void fork_into_pid_namespace(void)
{
	pid_t pid;
	int r;

	if (child_block() < 0)
		xerrc(EXIT_TOOL, errno, "block signals");
	pid = fork();
	if (pid < 0)
		xerrc(EXIT_TOOL, errno, "fork");
	if (pid == 0) {
		child_unblock();
		return;
	}
	r = child_wait(pid, false, NULL);
	if (r < 0)
		xerrc(EXIT_TOOL, r, "wait");
	exit(r);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct undo u = UNDO_INIT;	/* what a failure before exec takes back */
	char *sh[2];
	char *const *cmd;
	int fds[NS_NTYPES], root_fd, wd_fd, joined;

	nskit_init(EXIT_TOOL);
	netns_user_names();
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &o);
	/* NAME mode's setns, unshare and mounts are what an ordinary user
	 * cannot do; with -t or --TYPE=PATH a user namespace may allow them. */
	if (o.name && !netns_rootless())
		nskit_priv_hint(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
	cmd = command_or_shell(o.cmd, sh);
	root_fd = open_dir(o.root_set, o.root, o.target, "root");
	wd_fd = open_dir(o.wd_set, o.wd, o.target, "cwd");

	if (o.name) {
		joined = enter_name(&o, fds, &u);
	} else {
		open_namespaces(&o, fds);
		joined = enter_namespaces(fds, false, &u);
	}
	change_dirs(root_fd, wd_fd, &u);
	set_credentials(&o, joined & CLONE_NEWUSER, &u);
	undo_free(&u);	/* made and entered: the name is the result; commit */
	if ((joined & CLONE_NEWPID) && !o.no_fork)
		fork_into_pid_namespace();

	execvp(cmd[0], cmd);
	xerrc(exec_fail_status(errno), errno, "%s", cmd[0]);
}
