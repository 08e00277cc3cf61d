/* nsname - name, list and remove network namespaces, the way `ip netns`
 * does, so names made by either are seen by both.
 *   nsname add [NAME] | del [-k] NAME...|--all | list [-a] [-j|-q [-0]]
 *   nsname attach NAME PID|PATH | identify [PID] | pids NAME | exists NAME
 * Siblings: nsjoin(8) runs a command in a named namespace; nsnew(1). */
#include <argp.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "jailrec.h"
#include "json.h"
#include "msg.h"
#include "netnsdir.h"
#include "nl.h"
#include "ns.h"
#include "parse.h"
#include "pins.h"
#include "undo.h"
#include "util.h"

struct opts {
	const struct cmd *cmd;
	char **args;
	int nargs;
	bool all, json, kill, null, quiet;
};

struct cmd {
	const char *name;
	int min, max;		/* operands after the subcommand */
	int (*run)(struct opts *, struct undo *);
};

static int cmd_add(struct opts *o, struct undo *u);
static int cmd_del(struct opts *o, struct undo *u);
static int cmd_list(struct opts *o, struct undo *u);
static int cmd_attach(struct opts *o, struct undo *u);
static int cmd_identify(struct opts *o, struct undo *u);
static int cmd_pids(struct opts *o, struct undo *u);
static int cmd_exists(struct opts *o, struct undo *u);

static const struct cmd cmds[] = {
	{ "add", 0, 1, cmd_add },
	{ "attach", 2, 2, cmd_attach },
	{ "del", 0, -1, cmd_del },
	{ "exists", 1, 1, cmd_exists },
	{ "identify", 0, 1, cmd_identify },
	{ "list", 0, 0, cmd_list },
	{ "pids", 1, 1, cmd_pids },
};

/* The words `ip netns` takes too, prefixes included: index into cmds. */
static const struct word words[] = {
	{ "add", 0 }, { "attach", 1 }, { "del", 2 }, { "exists", 3 },
	{ "identify", 4 }, { "list", 5 }, { "pids", 6 },
	{ "delete", 2 }, { "ls", 5 }, { "lst", 5 }, { "show", 5 },
};

static const struct argp_option options[] = {
	{ "all", 'a', NULL, 0, "del: every name; list: every network namespace in use", 0 },
	{ "json", 'j', NULL, 0, "print JSON (list, identify, pids)", 0 },
	{ "kill", 'k', NULL, 0, "del: first kill (SIGKILL) every process in the namespace", 0 },
	{ "null", '0', NULL, 0, "list -q: end each name with a NUL, not a newline (for xargs -0)", 0 },
	{ "quiet", 'q', NULL, 0, "list: bare names, one per line", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char doc[] =
	"Name network namespaces the way `ip netns` does.\v"
	"Commands:\n"
	"  add [NAME]          make a new network namespace named NAME (or a\n"
	"                      unique name, printed)\n"
	"  attach NAME PID|PATH  name the network namespace of PID (or nsfs PATH)\n"
	"  del [-k] NAME...|--all  remove names (the namespace lives on while used;\n"
	"                      with --kill its processes are killed first)\n"
	"  exists NAME         exit 0 if NAME names a network namespace, else 1\n"
	"  identify [PID]      names of the network namespace of PID (default: self)\n"
	"  list [-a] [-j|-q [-0]]  named namespaces with their nsid, as `ip netns\n"
	"                      list`; -a: every network namespace in use, named or\n"
	"                      not. Names with control characters or whitespace\n"
	"                      (never made by nsname) are printed with C escapes\n"
	"                      (\\n, \\t, \\ooo), exactly with -j and -q -0\n"
	"  pids NAME           processes inside the named namespace\n"
	"As an ordinary user the names are your rootless jails' (nsnew --name):\n"
	"list shows the running ones and removes stale ones, del unnames (-k ends\n"
	"the jail), attach NAME PID names a jail of yours, add is refused.\n"
	"Commands may be shortened to a unique prefix; `ip netns` words work too\n"
	"(delete, ls, show).\n"
	"\n"
	"Examples:\n"
	"  nsname add ns0 && nsjoin ns0 ip link\n"
	"  ns=$(nsname add) && nsjoin \"$ns\" ip addr && nsname del \"$ns\"\n"
	"  nsname list -q -0 | xargs -0rn1 nsname del\n"
	"  nsname del --kill --all            # tear everything down\n"
	"\n"
	"Exit status: 0 success, 1 failure (exists: no such name), 2 usage error.\n"
	"Environment: NSKIT_NETNS_DIR overrides " NETNS_RUN_DIR " (root) or\n"
	"$XDG_RUNTIME_DIR/nskit/netns (an ordinary user).";

/* NAME as messages and listings show it: C escapes for control
 * characters and whitespace, so a name never writes to the terminal.
 * Valid until the next call; kept here, so a message printed on the way
 * to exit leaks nothing. */
static const char *shown(const char *name)
{
	static char *last;

	free(last);
	if (!(last = netns_name_escape(name)))
		xerrc(EXIT_FAIL, ENOMEM, "name");
	return last;
}

/* ---- rootless names (jailrec.h): an ordinary user's running jails ---- */

/* The caller's own netns directory, checked, opened once; -ENOENT when
 * it has none yet (no names). */
static int rootless_dir(void)
{
	static int dir = -2;

	if (dir == -2)
		dir = jailrec_dir(false);
	if (dir == -EPERM || dir == -ENOTDIR || dir == -ELOOP)
		xerrc(EXIT_FAIL, 0, "%s: must be a directory of yours with mode 0700: refused", netns_dir());
	if (dir < 0 && dir != -ENOENT)
		xerrc(EXIT_FAIL, dir, "%s", netns_dir());
	return dir;
}

/* NAME's record, read and checked against its jail: 0, or a jailrec error. */
static int rootless_lookup(const char *name, struct jailrec *rec)
{
	int dir = rootless_dir();
	int r = dir < 0 ? dir : jailrec_read(dir, name, rec);

	return r < 0 ? r : jailrec_check(rec);
}

/* The name's network namespace as a stat (device and inode): the pinned
 * file's for a root name, the jail's for a rootless one. */
static int name_ns_stat(const char *name, struct stat *st)
{
	_cleanup_free_ char *path = NULL;
	struct jailrec rec;
	int r;

	if (netns_rootless()) {
		if ((r = rootless_lookup(name, &rec)) < 0)
			return r;
		st->st_dev = rec.net_dev;
		st->st_ino = rec.net_ino;
		return 0;
	}
	if (!(path = netns_path(name)))
		return -ENOMEM;
	return stat(path, st) < 0 ? -errno : 0;
}

/* An fd of the name's network namespace (checked), or -errno. */
static int name_netns_open(const char *name)
{
	_cleanup_free_ char *path = NULL;
	int fds[NS_NTYPES], net = -1;
	struct jailrec rec;
	int r;

	if (!netns_rootless()) {
		if (!(path = netns_path(name)))
			return -ENOMEM;
		return ns_open_path(path, CLONE_NEWNET);
	}
	if ((r = rootless_lookup(name, &rec)) < 0 || (r = jailrec_open(&rec, fds, NS_NTYPES)) < 0)
		return r;
	for (int i = 0; i < NS_NTYPES; i++)
		if (ns_types[i].flag == CLONE_NEWNET)
			net = fds[i];
		else if (fds[i] >= 0)
			close(fds[i]);
	return net;
}

/* The one-line reason NAME cannot be used: for an ordinary user without
 * such a name of its own, whether root has one. */
static const char *rootless_strerror(const char *name, int err)
{
	char path[PATH_MAX];
	struct stat st;

	if (err == -ENOENT && (size_t)snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name) < sizeof(path) &&
	    stat(path, &st) == 0)
		return "no rootless name of yours; root has one in " NETNS_RUN_DIR " (needs root or CAP_SYS_ADMIN)";
	return jailrec_strerror(err);
}

static void check_name(struct argp_state *state, const char *name)
{
	int r = netns_name_check(name);

	if (r == -ENAMETOOLONG)
		argp_error(state, "%.32s...: name longer than %d bytes", shown(name), NAME_MAX);
	if (r < 0)
		argp_error(state, "'%s': invalid name (must not be empty, '.', '..' or contain '/')", shown(name));
}

/* Names nsname makes hold no control character or whitespace, so that
 * `list` prints each as one word on one line; others' names are kept. */
static void check_new_name(const char *name)
{
	if (netns_name_check_new(name) == -EILSEQ)
		xerrc(EXIT_FAIL, 0, "'%s': a new name must be UTF-8 without control characters or whitespace",
		      shown(name));
}

/* `attach 1234 ns1` (PID first) would name the namespace "1234" after a
 * file ns1 that does not exist: say the order instead. */
static void check_attach_order(struct argp_state *state, const char *name, const char *src)
{
	pid_t pid;

	if (parse_pid(name, &pid) == 0 && parse_pid(src, &pid) < 0 && !strchr(src, '/') &&
	    access(src, F_OK) < 0 && errno == ENOENT)
		argp_error(state, "attach %s %s: NAME comes first: attach NAME PID|PATH", name, src);
}

static void check_operands(struct argp_state *state, struct opts *o)
{
	const char *c = o->cmd->name;

	if (o->nargs < o->cmd->min || (o->cmd->max >= 0 && o->nargs > o->cmd->max))
		argp_error(state, "%s: wrong number of operands", c);
	if (o->all && !streq(c, "del") && !streq(c, "list"))
		argp_error(state, "%s: --all is for del and list", c);
	if (o->json && !streq(c, "list") && !streq(c, "identify") && !streq(c, "pids"))
		argp_error(state, "%s: --json is for list, identify and pids", c);
	if (o->kill && !streq(c, "del"))
		argp_error(state, "%s: --kill is for del", c);
	if (o->quiet && (!streq(c, "list") || o->json || o->all))
		argp_error(state, "--quiet is for list, without --json or --all");
	if (o->null && !o->quiet)
		argp_error(state, "--null is for list --quiet");
	if (streq(c, "del") && o->all == (o->nargs > 0))
		argp_error(state, "del: give NAME... or --all");
	/* Names are checked before anything changes. */
	if (!streq(c, "identify"))
		for (int i = 0; i < (streq(c, "attach") ? 1 : o->nargs); i++)
			check_name(state, o->args[i]);
	if (streq(c, "attach"))
		check_attach_order(state, o->args[0], o->args[1]);
	if ((streq(c, "add") || streq(c, "attach")) && o->nargs)
		check_new_name(o->args[0]);
	if (streq(c, "identify") && o->nargs) {
		pid_t pid;

		if (parse_pid(o->args[0], &pid) < 0)
			argp_error(state, "'%s': not a process id", o->args[0]);
	}
}

static void take_command(struct argp_state *state, struct opts *o, const char *arg)
{
	int r = word_lookup(words, ARRAY_SIZE(words), arg);
	char why[256];

	if (r >= 0) {
		o->cmd = &cmds[r];
		return;
	}
	if (streq(arg, "exec"))
		argp_error(state, "'exec': unknown command (to run a command in NAME: nsjoin NAME COMMAND)");
	argp_error(state, "%s", word_error(words, ARRAY_SIZE(words), arg, r, "command", why, sizeof(why)));
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case '0': o->null = true; break;
	case 'a': o->all = true; break;
	case 'j': o->json = true; break;
	case 'k': o->kill = true; break;
	case 'q': o->quiet = true; break;
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
		take_command(state, o, arg);
		break;
	case ARGP_KEY_END:
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
	"add [NAME]\n"
	"attach NAME PID|PATH\n"
	"del [-k] NAME...|--all\n"
	"exists NAME\n"
	"identify [PID]\n"
	"list [-a] [-j|-q [-0]]\n"
	"pids NAME",
	doc, NULL, NULL, NULL,
};

static int unpin(void *name)
{
	return netns_unpin(name);
}

/* netns_create() and netns_pin() leave nothing on failure: only a name
 * made up here has a later step, telling it, that may fail. */
static int cmd_add(struct opts *o, struct undo *u)
{
	char name[64];
	int r;

	if (netns_rootless())
		xerrc(EXIT_FAIL, 0, "add: needs root or CAP_SYS_ADMIN; an ordinary user names its jails "
		      "with `nsnew --name` or `nsname attach NAME PID`");
	if (o->nargs == 0) {
		r = netns_create_unique("ns", name, sizeof(name));
		if (r < 0)
			xerrc(EXIT_FAIL, r, "add");
		if ((r = undo_push(u, unpin, name, NULL)) < 0)
			xundo(u, EXIT_FAIL, r, "add");
		/* The name is the result once it is out: one nobody read
		 * would be a namespace nobody knows of. Written past stdio, so
		 * the exit-time check does not report the failure again; a
		 * reader gone away (EPIPE) is not told, as at exit. */
		if (dprintf(STDOUT_FILENO, "%s\n", name) < 0) {
			if (errno == EPIPE) {
				undo_unwind(u, 0);
				exit(EXIT_FAIL);
			}
			xundo(u, EXIT_FAIL, errno, "write error");
		}
		undo_commit(u, 0);
		return EXIT_OK;
	}
	r = netns_create(o->args[0]);
	if (r == -EEXIST)
		xerrc(EXIT_FAIL, 0, "%s: name already exists", o->args[0]);
	if (r < 0)
		xerrc(EXIT_FAIL, r, "add %s", o->args[0]);
	return EXIT_OK;
}

/* A rootless name goes; its jail runs on, unnamed (nsnew, when the jail
 * ends, removes only the record it wrote). */
static int del_rootless(const char *name, bool killed)
{
	int dir = rootless_dir();
	int r = dir < 0 ? dir : jailrec_remove(name, NULL);

	/* The nsnew of a jail just killed may have removed its name first. */
	if (r == -ENOENT && killed)
		return 0;
	if (r == -ENOENT)
		xwarnc(0, "%s: %s", shown(name), rootless_strerror(name, r));
	else if (r < 0)
		xwarnc(r, "del %s", shown(name));
	return r;
}

static int del_one(const char *name, bool killed)
{
	int r;

	if (netns_rootless())
		return del_rootless(name, killed);
	r = netns_unpin(name);

	/* The other namespaces `nsnew --pin-all` pinned go with the name. */
	if (pins_remove(name) == 0 && r == -ENOENT)
		r = 0;
	if (r < 0) {
		if (r == -ENOENT)
			xwarnc(0, "%s: no such network namespace", shown(name));
		else
			xwarnc(r, "del %s", shown(name));
	}
	return r;
}

/* The nsid this namespace has for NAME's namespace, or -1: the number
 * `ip netns list` shows as "(id: N)". */
static int name_nsid(struct nl_sock *sk, const char *name)
{
	_cleanup_close_ int fd = name_netns_open(name);
	int id;

	if (fd < 0 || !sk)
		return -1;
	id = nl_netns_nsid(sk, fd);
	return id < 0 ? -1 : id;
}

static void print_names(char **names, size_t n, struct nl_sock *sk, const struct opts *o)
{
	struct json_object *arr = o->json ? json_object_new_array() : NULL;

	for (size_t i = 0; i < n; i++) {
		int id = o->quiet ? -1 : name_nsid(sk, names[i]);

		if (o->json) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "name", json_object_new_string(names[i]));
			json_object_object_add(e, "id", id >= 0 ? json_object_new_int(id) : NULL);
			if (netns_rootless()) {
				struct jailrec rec;

				json_object_object_add(e, "pid", rootless_lookup(names[i], &rec) == 0 ?
						       json_object_new_int(rec.pid) : NULL);
			}
			json_object_array_add(arr, e);
		} else if (o->null) {
			fwrite(names[i], strlen(names[i]) + 1, 1, stdout);
		} else if (id >= 0) {
			printf("%s (id: %d)\n", shown(names[i]), id);
		} else {
			puts(shown(names[i]));
		}
	}
	if (o->json)
		json_print(arr);
}

/* One network namespace in use, for list --all. */
struct netns_use {
	dev_t dev;
	ino_t ino;
	int nsid;
	char **names;		/* its names, exactly */
	size_t nnames;
	pid_t *pids;
	size_t npids, cap;
};

struct use_table {
	struct netns_use *v;
	size_t n, cap;
};

static struct netns_use *use_find(struct use_table *t, const struct stat *st, bool add)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].dev == st->st_dev && t->v[i].ino == st->st_ino)
			return &t->v[i];
	if (!add)
		return NULL;
	if (t->n == t->cap) {
		struct netns_use *nv = reallocarray(t->v, t->cap = t->cap ? t->cap * 2 : 16, sizeof(*nv));

		if (!nv)
			xerrc(EXIT_FAIL, ENOMEM, "list");
		t->v = nv;
	}
	t->v[t->n] = (struct netns_use){ .dev = st->st_dev, .ino = st->st_ino, .nsid = -1 };
	return &t->v[t->n++];
}

static void use_add_pid(struct netns_use *u, pid_t pid)
{
	if (u->npids == u->cap) {
		pid_t *nv = reallocarray(u->pids, u->cap = u->cap ? u->cap * 2 : 8, sizeof(*nv));

		if (!nv)
			xerrc(EXIT_FAIL, ENOMEM, "list");
		u->pids = nv;
	}
	u->pids[u->npids++] = pid;
}

static void use_add_name(struct netns_use *u, const char *name)
{
	char **nv = reallocarray(u->names, u->nnames + 1, sizeof(*nv));

	if (!nv || !(nv[u->nnames] = strdup(name)))
		xerrc(EXIT_FAIL, ENOMEM, "list");
	u->names = nv;
	u->nnames++;
}

/* The names comma-separated and escaped, for the table; "-" for none. */
static char *names_shown(const struct netns_use *u)
{
	char *all = strdup(u->nnames ? "" : "-");

	for (size_t k = 0; all && k < u->nnames; k++) {
		char *next;

		if (asprintf(&next, "%s%s%s", all, k ? "," : "", shown(u->names[k])) < 0)
			next = NULL;
		free(all);
		all = next;
	}
	if (!all)
		xerrc(EXIT_FAIL, ENOMEM, "list");
	return all;
}

/* Call FN for each process whose network namespace could be read. */
static void for_each_process_netns(void (*fn)(pid_t, const struct stat *, void *), void *data)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		xerrc(EXIT_FAIL, errno, "/proc");
	while ((e = readdir(d))) {
		char path[64];
		struct stat st;
		pid_t pid;

		if (parse_pid(e->d_name, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		if (stat(path, &st) == 0)	/* gone, or a kernel thread: skip */
			fn(pid, &st, data);
	}
	closedir(d);
}

/* del --kill: end every process whose network namespace is NAME's, as
 * `docker rm -f` does: SIGKILL, through a pidfd so a pid reused meanwhile
 * is never hit, then wait (bounded) until they are gone. */
#define KILL_WAIT_MS 10000

struct proc_ns {
	pid_t pid;
	dev_t dev;
	ino_t ino;
};

struct proc_table {
	struct proc_ns *v;
	size_t n, cap;
};

static void collect_proc(pid_t pid, const struct stat *st, void *data)
{
	struct proc_table *t = data;

	if (pid == getpid())
		return;		/* `nsjoin NAME nsname del --kill NAME` ends the rest */
	if (t->n == t->cap) {
		struct proc_ns *nv = reallocarray(t->v, t->cap = t->cap ? 2 * t->cap : 256, sizeof(*nv));

		if (!nv)
			xerrc(EXIT_FAIL, ENOMEM, "del");
		t->v = nv;
	}
	t->v[t->n++] = (struct proc_ns){ pid, st->st_dev, st->st_ino };
}

/* Wait until the N processes behind FDS have exited (each pidfd turns
 * readable), at most KILL_WAIT_MS; FDS are closed. NAME: the one name
 * they were killed for, or NULL for several. */
static void wait_gone(const char *name, struct pollfd *fds, size_t n)
{
	struct timespec start, now;
	size_t left = n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (left) {
		long ms;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = KILL_WAIT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
				     (now.tv_nsec - start.tv_nsec) / 1000000);
		if (ms <= 0) {
			if (name)
				xwarnc(0, "del %s: %zu killed processes still exiting", name, left);
			else
				xwarnc(0, "del: %zu killed processes still exiting", left);
			break;
		}
		r = poll(fds, n, (int)ms);
		if (r < 0 && errno != EINTR)
			break;
		for (size_t i = 0; r > 0 && i < n; i++)
			if (fds[i].fd >= 0 && fds[i].revents) {
				close(fds[i].fd);
				fds[i].fd = -1;	/* poll skips it from now on */
				left--;
			}
	}
	for (size_t i = 0; i < n; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
}

static bool same_netns(pid_t pid, dev_t dev, ino_t ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return stat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/* Kill the processes of T in NAME's namespace, adding a pidfd for each
 * to FDS (room for all of T) to wait on: 1, 0 when NAME names no
 * namespace, or -errno after a warning naming the process that could not
 * be killed. */
static int kill_inside(const char *name, const struct proc_table *t, struct pollfd *fds, size_t *nfds)
{
	struct stat want;
	size_t n = *nfds;
	int r = 0;

	if (name_ns_stat(name, &want) < 0)
		return 0;	/* del itself reports a missing name */
	r = 1;
	for (size_t i = 0; i < t->n; i++) {
		const struct proc_ns *p = &t->v[i];
		int fd;

		if (p->dev != want.st_dev || p->ino != want.st_ino)
			continue;
		fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
		if (fd < 0 && errno != ENOSYS)
			continue;	/* exited already */
		/* Checked again through the pidfd's process: the pid may
		 * have been reused since the scan. Without pidfds (before
		 * Linux 5.3, or under valgrind) kill(2) right after the check
		 * is the best there is, and nothing to wait on. */
		if (!same_netns(p->pid, want.st_dev, want.st_ino)) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		if ((fd >= 0 ? syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) : kill(p->pid, SIGKILL)) < 0 &&
		    errno != ESRCH) {
			r = -errno;
			xwarnc(errno, "del %s: kill %d", name, (int)p->pid);
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (fd >= 0)
			fds[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	*nfds = n;
	return r;
}

static void collect_use(pid_t pid, const struct stat *st, void *data)
{
	use_add_pid(use_find(data, st, true), pid);
}

#define PIDS_SHOWN 4

static void print_use_table(struct use_table *t, bool json)
{
	struct json_object *arr = json ? json_object_new_array() : NULL;

	if (!json)
		printf("%-10s %-5s %-16s %6s %s\n", "NS", "NSID", "NAME", "NPROCS", "PIDS");
	for (size_t i = 0; i < t->n; i++) {
		struct netns_use *u = &t->v[i];

		if (json) {
			struct json_object *e = json_object_new_object();
			struct json_object *names = json_object_new_array();
			struct json_object *pids = json_object_new_array();

			for (size_t k = 0; k < u->nnames; k++)
				json_object_array_add(names, json_object_new_string(u->names[k]));
			for (size_t k = 0; k < u->npids; k++)
				json_object_array_add(pids, json_object_new_int(u->pids[k]));
			json_object_object_add(e, "ns", json_object_new_uint64(u->ino));
			json_object_object_add(e, "nsid", u->nsid >= 0 ? json_object_new_int(u->nsid) : NULL);
			json_object_object_add(e, "names", names);
			json_object_object_add(e, "pids", pids);
			json_object_array_add(arr, e);
			continue;
		}
		_cleanup_free_ char *names = names_shown(u);
		char nsid[16];

		snprintf(nsid, sizeof(nsid), u->nsid >= 0 ? "%d" : "-", u->nsid);
		printf("%-10ju %-5s %-16s %6zu ", (uintmax_t)u->ino, nsid, names, u->npids);
		/* The first few; every one of them is in -j and `pids NAME`. */
		for (size_t k = 0; k < u->npids && k < PIDS_SHOWN; k++)
			printf("%s%d", k ? "," : "", (int)u->pids[k]);
		if (u->npids > PIDS_SHOWN)
			printf(",+%zu", u->npids - PIDS_SHOWN);
		putchar('\n');
	}
	if (json)
		json_print(arr);
}

/* Every network namespace in use: those processes are in, and those
 * pinned by a name; each with its names, nsid and pids. */
static void list_all(char **names, size_t n, struct nl_sock *sk, bool json)
{
	struct use_table t = { 0 };

	for_each_process_netns(collect_use, &t);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (name_ns_stat(names[i], &st) == 0)
			use_add_name(use_find(&t, &st, true), names[i]);
	}
	for (size_t i = 0; i < t.n; i++) {
		char path[64];
		_cleanup_close_ int fd = -1;

		if (t.v[i].npids)
			snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)t.v[i].pids[0]);
		else
			continue;	/* named only: nsid below via its name */
		fd = ns_open_path(path, CLONE_NEWNET);
		if (fd >= 0 && sk) {
			int id = nl_netns_nsid(sk, fd);
			t.v[i].nsid = id < 0 ? -1 : id;
		}
	}
	for (size_t i = 0; i < t.n; i++)
		if (!t.v[i].npids && t.v[i].nnames)
			t.v[i].nsid = name_nsid(sk, t.v[i].names[0]);
	print_use_table(&t, json);
	for (size_t i = 0; i < t.n; i++) {
		for (size_t k = 0; k < t.v[i].nnames; k++)
			free(t.v[i].names[k]);
		free(t.v[i].names);
		free(t.v[i].pids);
	}
	free(t.v);
}

static int cmd_del(struct opts *o, struct undo *u)
{
	struct proc_table procs = { 0 };
	_cleanup_free_ struct pollfd *fds = NULL;
	_cleanup_free_ int *killed = NULL;
	char **names = o->args;
	size_t n = o->nargs, nfds = 0;
	int status = EXIT_OK;
	int r;

	/* Nothing goes on U: a name removed cannot be put back (its
	 * namespace may be gone with it), and each name is removed or kept
	 * on its own, as rm(1) treats files; a failure is reported per name. */
	(void)u;
	if (o->all) {
		r = netns_names(&names, &n);
		if (r < 0)
			xerrc(EXIT_FAIL, r, "%s", netns_dir());
	}
	/* One scan of /proc serves every name; every name's processes are
	 * killed before any is waited for, so their exits overlap (a lab of
	 * 1000 jails is not 1000 waits in a row). A name whose processes
	 * could not all be killed is kept, so the command can be run again. */
	if (o->kill) {
		for_each_process_netns(collect_proc, &procs);
		fds = calloc(procs.n ? procs.n : 1, sizeof(*fds));
		killed = calloc(n ? n : 1, sizeof(*killed));
		if (!fds || !killed)
			xerrc(EXIT_FAIL, ENOMEM, "del");
		for (size_t i = 0; i < n; i++)
			killed[i] = kill_inside(names[i], &procs, fds, &nfds);
		wait_gone(n == 1 ? names[0] : NULL, fds, nfds);
	}
	for (size_t i = 0; i < n; i++)
		if ((killed && killed[i] < 0) || del_one(names[i], killed && killed[i] > 0) < 0)
			status = EXIT_FAIL;
	if (o->all)
		netns_names_free(names);
	free(procs.v);
	return status;
}

/* An ordinary user's names: the running jails'. A stale record (its jail
 * ended without its nsnew removing it, e.g. killed) is removed, saying
 * so; what is not a record of the caller's is reported and left. */
static void keep_live_names(char **names, size_t *count)
{
	size_t k = 0;

	for (size_t i = 0; i < *count; i++) {
		struct jailrec rec;
		int r = rootless_lookup(names[i], &rec);

		if (r == 0) {
			names[k++] = names[i];
			continue;
		}
		if ((r == -ESRCH || r == -ESTALE) && jailrec_remove(names[i], &rec) == 0)
			xwarnc(0, "%s: %s (removed)", shown(names[i]), jailrec_strerror(r));
		else if (r != -ENOENT)
			xwarnc(0, "%s: %s", shown(names[i]), jailrec_strerror(r));
		free(names[i]);
	}
	names[k] = NULL;
	*count = k;
}

static int cmd_list(struct opts *o, struct undo *u)
{
	struct nl_sock *sk = NULL;
	char **names;
	size_t n;
	int r;

	(void)u;
	if (netns_rootless())
		rootless_dir();		/* refused unless the caller's own */
	r = netns_names(&names, &n);
	if (r < 0)
		xerrc(EXIT_FAIL, r, "%s", netns_dir());
	if (netns_rootless())
		keep_live_names(names, &n);
	/* Without a socket the ids are left out, as `ip netns list` does. */
	if (!o->quiet)
		sk = nl_route_open();
	if (o->all)
		list_all(names, n, sk, o->json);
	else
		print_names(names, n, sk, o);
	nl_route_close(sk);
	netns_names_free(names);
	return EXIT_OK;
}

/* PID or PATH to the path of a network namespace file, checked. */
static char *resolve_ns_source(const char *ref)
{
	pid_t pid;
	char *path;
	int fd;

	if (parse_pid(ref, &pid) == 0) {
		fd = ns_open_pid(pid, CLONE_NEWNET);
		if (asprintf(&path, "/proc/%d/ns/net", (int)pid) < 0)
			xerrc(EXIT_FAIL, ENOMEM, "attach");
	} else {
		fd = ns_open_path(ref, CLONE_NEWNET);
		if (!(path = strdup(ref)))
			xerrc(EXIT_FAIL, ENOMEM, "attach");
	}
	if (fd < 0)
		xerrc(EXIT_FAIL, 0, "%s: %s%s", ref, ns_open_strerror(fd, CLONE_NEWNET),
		      nskit_priv_hint_for(fd));
	close(fd);
	return path;
}

/* An ordinary user names a running jail of its own by its first
 * process, as nsnew --name does; the name goes when that process ends. */
static int attach_rootless(const char *name, const char *ref)
{
	struct jailrec rec;
	pid_t pid;
	int r;

	if (parse_pid(ref, &pid) < 0)
		xerrc(EXIT_FAIL, 0, "attach %s %s: an ordinary user's names take a PID (of a jail of yours)",
		      shown(name), ref);
	r = jailrec_add(name, pid, &rec);
	if (r == -EEXIST)
		xerrc(EXIT_FAIL, 0, "%s: name already exists", name);
	if (r < 0)
		xerrc(EXIT_FAIL, 0, "attach %s: %s", name, r == -ESRCH ? "no such process" : jailrec_strerror(r));
	/* Only a jail of the caller's: its user namespace is the caller's. */
	if ((r = jailrec_check(&rec)) < 0) {
		jailrec_remove(name, &rec);
		xerrc(EXIT_FAIL, 0, "attach %s %d: %s", name, (int)pid,
		      r == -EACCES ? "not in a user namespace of yours: refused" : jailrec_strerror(r));
	}
	return EXIT_OK;
}

static int cmd_attach(struct opts *o, struct undo *u)
{
	_cleanup_free_ char *src = resolve_ns_source(o->args[1]);
	int r;

	(void)u;
	if (netns_rootless())
		return attach_rootless(o->args[0], o->args[1]);
	r = netns_pin(o->args[0], src);

	if (r == -EEXIST)
		xerrc(EXIT_FAIL, 0, "%s: name already exists", o->args[0]);
	if (r < 0)
		xerrc(EXIT_FAIL, r, "attach %s", o->args[0]);
	return EXIT_OK;
}

static int cmd_identify(struct opts *o, struct undo *u)
{
	const char *pid = o->nargs ? o->args[0] : "self";
	struct json_object *arr = o->json ? json_object_new_array() : NULL;
	char path[64];
	struct stat want;
	char **names;
	size_t n;
	int r;

	(void)u;
	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	if (stat(path, &want) < 0)
		xerrc(EXIT_FAIL, 0, "%s: %s", pid, errno == ENOENT ? "no such process" : strerror(errno));
	r = netns_names(&names, &n);
	if (r < 0)
		xerrc(EXIT_FAIL, r, "%s", netns_dir());
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (name_ns_stat(names[i], &st) < 0 || st.st_dev != want.st_dev || st.st_ino != want.st_ino)
			continue;
		if (arr) {
			json_object_array_add(arr, json_object_new_string(names[i]));
		} else {
			puts(shown(names[i]));
		}
	}
	if (arr)
		json_print(arr);
	netns_names_free(names);
	return EXIT_OK;
}

struct pid_match {
	struct stat want;
	struct json_object *arr;
};

static void print_if_inside(pid_t pid, const struct stat *st, void *data)
{
	struct pid_match *m = data;

	if (st->st_dev != m->want.st_dev || st->st_ino != m->want.st_ino)
		return;
	if (m->arr)
		json_object_array_add(m->arr, json_object_new_int(pid));
	else
		printf("%d\n", (int)pid);
}

static int cmd_pids(struct opts *o, struct undo *u)
{
	_cleanup_close_ int fd = name_netns_open(o->args[0]);
	struct pid_match m = { .arr = o->json ? json_object_new_array() : NULL };

	(void)u;
	if (fd < 0)
		xerrc(EXIT_FAIL, 0, "%s: %s", shown(o->args[0]), netns_rootless() ?
		      rootless_strerror(o->args[0], fd) : ns_open_strerror(fd, CLONE_NEWNET));
	if (fstat(fd, &m.want) < 0)
		xerrc(EXIT_FAIL, errno, "%s", shown(o->args[0]));
	for_each_process_netns(print_if_inside, &m);
	if (m.arr)
		json_print(m.arr);
	return EXIT_OK;
}

static int cmd_exists(struct opts *o, struct undo *u)
{
	struct jailrec rec;
	int fd;

	(void)u;
	if (netns_rootless())
		return rootless_lookup(o->args[0], &rec) == 0 ? EXIT_OK : EXIT_FAIL;
	fd = netns_open(o->args[0]);
	if (fd < 0)
		return EXIT_FAIL;
	close(fd);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct undo u = UNDO_INIT;	/* what a failing command takes back */
	int status;

	nskit_init(EXIT_USAGE);
	netns_user_names();
	nskit_priv_hint(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	status = o.cmd->run(&o, &u);
	undo_free(&u);
	free(o.args);
	return status;
}
