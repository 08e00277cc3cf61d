/* idmap - write or show the uid/gid maps of a process's user namespace.
 *   idmap [-u IN:OUT:N]... [-g IN:OUT:N]... [--map-root] [--subids]
 *         [--setgroups allow|deny] PID
 *   idmap show PID [-j]
 * Safe with file capabilities cap_setuid,cap_setgid+ep, as newuidmap is.
 * Siblings: nsnew(1) makes the user namespace, nsjoin(8) enters it. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idmap.h"
#include "json.h"
#include "msg.h"
#include "parse.h"
#include "util.h"

#define SUBUID_FILE "/etc/subuid"
#define SUBGID_FILE "/etc/subgid"

struct opts {
	bool show, json, map_root, subids;
	int setgroups;		/* -1 unset, 0 deny, 1 allow */
	struct idmap uid, gid;
	pid_t pid;
};

enum { OPT_MAP_ROOT = 0x100, OPT_SETGROUPS, OPT_SUBIDS };

static const struct argp_option options[] = {
	{ "gid", 'g', "IN:OUT:N", 0, "map N gids from OUT outside to IN inside (repeatable)", 0 },
	{ "json", 'j', NULL, 0, "show: print JSON", 0 },
	{ "map-root", OPT_MAP_ROOT, NULL, 0, "map uid and gid 0 inside to the caller's own", 0 },
	{ "setgroups", OPT_SETGROUPS, "allow|deny", 0, "write setgroups first", 0 },
	{ "subids", OPT_SUBIDS, NULL, 0, "map 0 to the caller and 1.. to its " SUBUID_FILE " and " SUBGID_FILE " ranges", 0 },
	{ "uid", 'u', "IN:OUT:N", 0, "map N uids from OUT outside to IN inside (repeatable)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char doc[] =
	"Write the uid and gid maps of PID's user namespace, or show them.\v"
	"Every map is checked before anything is written: ranges must not\n"
	"overlap inside or outside, counts must not be 0, no range may pass\n"
	"4294967294, and a map holds at most 340 ranges.\n"
	"Run by a user other than root (idmap installed with file capabilities\n"
	"cap_setuid,cap_setgid+ep), idmap maps only the caller's own uid (its real\n"
	"uid) and gid (the primary group of its passwd entry, as newgidmap takes it)\n"
	"and the ranges " SUBUID_FILE " and " SUBGID_FILE " give the caller's real\n"
	"uid, only for a process the caller owns, and writes deny to setgroups\n"
	"unless --setgroups allow is given and every gid comes from " SUBGID_FILE ".\n"
	"\n"
	"Examples:\n"
	"  unshare -U sleep 60 & idmap --map-root $!\n"
	"  idmap -u 0:100000:65536 -g 0:100000:65536 \"$pid\" && idmap show \"$pid\"\n"
	"  idmap show -j self\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.";

static void add_map(struct argp_state *state, struct idmap *m, const char *arg, const char *what)
{
	int e = idmap_add_spec(m, arg);

	if (e < 0)
		argp_error(state, "%s '%s': %s", what, arg, idmap_strerror(e));
}

/* The caller's own gid (idmap_own_gid()), -1 without a passwd entry. */
static int64_t own_gid(void)
{
	uint32_t g;

	return idmap_own_gid(&g) == 0 ? (int64_t)g : -1;
}

/* own_gid(), or exit when the caller has none to map; root (who may map
 * anything) without a passwd entry gets its real gid. */
static uint32_t xown_gid(void)
{
	int64_t g = own_gid();

	if (g < 0 && getuid() == 0)
		return getgid();
	if (g < 0)
		xerrc(EXIT_FAIL, 0, "uid %u: no passwd entry, so no own gid to map", (unsigned)getuid());
	return (uint32_t)g;
}

static void check_options(struct argp_state *state, struct opts *o)
{
	bool maps = o->uid.n || o->gid.n || o->map_root || o->subids;

	if (!o->pid)
		argp_error(state, "a PID is required");
	if (o->show && (maps || o->setgroups >= 0))
		argp_error(state, "show takes no map options");
	if (!o->show && o->json)
		argp_error(state, "--json is for show");
	if (!o->show && !maps && o->setgroups < 0)
		argp_error(state, "nothing to write: give -u, -g, --map-root, --subids or --setgroups");
	if (o->subids && (o->uid.n || o->gid.n || o->map_root))
		argp_error(state, "--subids cannot be combined with -u, -g or --map-root");
	if (o->map_root) {
		struct idmap_range u = { 0, getuid(), 1 }, g = { 0, xown_gid(), 1 };

		if (idmap_add(&o->uid, &u) < 0 || idmap_add(&o->gid, &g) < 0)
			argp_error(state, "--map-root: inside id 0 is mapped already");
	}
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case 'g': add_map(state, &o->gid, arg, "--gid"); break;
	case 'j': o->json = true; break;
	case 'u': add_map(state, &o->uid, arg, "--uid"); break;
	case OPT_MAP_ROOT: o->map_root = true; break;
	case OPT_SUBIDS: o->subids = true; break;
	case OPT_SETGROUPS:
		if (!streq(arg, "allow") && !streq(arg, "deny"))
			argp_error(state, "--setgroups '%s': give allow or deny", arg);
		o->setgroups = streq(arg, "allow");
		break;
	case ARGP_KEY_INIT: o->setgroups = -1; break;
	case ARGP_KEY_ARG:
		if (streq(arg, "show") && !o->show && !o->pid && state->arg_num == 0) {
			o->show = true;
			break;
		}
		if (o->pid)
			argp_error(state, "'%s': one PID only", arg);
		if (o->show && streq(arg, "self"))
			o->pid = getpid();
		else if (parse_pid(arg, &o->pid) < 0)
			argp_error(state, "'%s': not a process id", arg);
		break;
	case ARGP_KEY_END: check_options(state, o); break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options, parse_opt,
	"[-u IN:OUT:N]... [-g IN:OUT:N]... [--map-root] [--subids] [--setgroups allow|deny] PID\n"
	"show PID [-j]",
	doc, NULL, NULL, NULL,
};

/* /proc/PID held open: the checks and the writes then reach the same
 * process even if PID is reused meanwhile. */
static int open_process(pid_t pid)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		xerrc(EXIT_FAIL, 0, "%d: %s", (int)pid, errno == ENOENT ? "no such process" : strerror(errno));
	return fd;
}

/* The outside ids an unprivileged caller may grant: its own (OWN, none
 * when negative), and the ranges FILE gives its real uid (by name or
 * number): subuid(5) and subgid(5) both name the user, never a group. */
static size_t allowed_ranges(const char *file, int64_t own, struct idmap_range *v, size_t max)
{
	struct passwd *pw = getpwuid(getuid());
	size_t n = 0;
	int r = idmap_subids(file, pw ? pw->pw_name : NULL, getuid(), v + 1, max - 1, &n);

	if (r < 0)
		xerrc(EXIT_FAIL, r, "%s", file);
	v[0] = (struct idmap_range){ 0, own < 0 ? 0 : (uint32_t)own, own < 0 ? 0 : 1 };
	return n + 1;
}

static void check_map(const struct idmap *m, const char *file, int64_t own, const char *what)
{
	struct idmap_range allowed[IDMAP_MAX_RANGES + 1];
	size_t n = allowed_ranges(file, own, allowed, ARRAY_SIZE(allowed));

	for (size_t i = 0; i < m->n; i++) {
		const struct idmap_range *r = &m->r[i];

		if (r->out == 0)
			xerrc(EXIT_FAIL, 0, "%s %u:%u:%u: host %s 0 is not yours to map", what,
			      r->in, r->out, r->count, what);
		if (!idmap_range_allowed(r, allowed, n))
			xerrc(EXIT_FAIL, 0, "%s %u:%u:%u: not your own %s nor inside your %s ranges", what,
			      r->in, r->out, r->count, what, file);
	}
}

/* Whether every gid range comes from /etc/subgid (then the caller may
 * let the namespace call setgroups, as newgidmap does). */
static bool gids_all_subordinate(const struct idmap *m)
{
	struct idmap_range allowed[IDMAP_MAX_RANGES + 1];
	size_t n = allowed_ranges(SUBGID_FILE, -1, allowed, ARRAY_SIZE(allowed));

	for (size_t i = 0; i < m->n; i++)
		if (!idmap_range_allowed(&m->r[i], allowed + 1, n - 1))
			return false;
	return true;
}

/* Run by anyone but root, idmap may hold capabilities it was installed
 * with: grant only what the caller owns. */
static void check_unprivileged(struct opts *o, int dir)
{
	struct stat st;

	if (fstat(dir, &st) < 0)
		xerrc(EXIT_FAIL, errno, "%d", (int)o->pid);
	if (st.st_uid != getuid())
		xerrc(EXIT_FAIL, 0, "%d: not your process", (int)o->pid);
	check_map(&o->uid, SUBUID_FILE, getuid(), "uid");
	check_map(&o->gid, SUBGID_FILE, own_gid(), "gid");
	if (o->setgroups == 1 && !gids_all_subordinate(&o->gid))
		xerrc(EXIT_FAIL, 0, "setgroups allow: only when every gid comes from " SUBGID_FILE);
	if (o->setgroups < 0 && o->gid.n)
		o->setgroups = 0;
}

static void build_subid_maps(struct opts *o)
{
	struct passwd *pw = getpwuid(getuid());
	struct idmap_range sub[IDMAP_MAX_RANGES];
	size_t n = 0;
	int r;

	r = idmap_subids(SUBUID_FILE, pw ? pw->pw_name : NULL, getuid(), sub, ARRAY_SIZE(sub), &n);
	if (r == 0)
		r = idmap_from_subids(&o->uid, getuid(), sub, n);
	if (r == -ENOENT)
		xerrc(EXIT_FAIL, 0, "uid %u: no ranges in " SUBUID_FILE, (unsigned)getuid());
	if (r < 0)
		xerrc(EXIT_FAIL, r, SUBUID_FILE);
	n = 0;
	r = idmap_subids(SUBGID_FILE, pw ? pw->pw_name : NULL, getuid(), sub, ARRAY_SIZE(sub), &n);
	if (r == 0)
		r = idmap_from_subids(&o->gid, xown_gid(), sub, n);
	if (r == -ENOENT)
		xerrc(EXIT_FAIL, 0, "uid %u: no ranges in " SUBGID_FILE, (unsigned)getuid());
	if (r < 0)
		xerrc(EXIT_FAIL, r, SUBGID_FILE);
}

static const char *write_error(int r)
{
	if (r == -EPERM)
		return "not permitted (map written already, or not a user namespace we may map)";
	return strerror(-r);
}

/* A map to write that is written already: refused now, as the kernel
 * would refuse it, rather than after the files before it are written. */
static void check_unwritten(int dir, pid_t pid, const char *file, const struct idmap *want)
{
	struct idmap m;

	if (want->n && idmap_read(dir, file, &m) == 0 && m.n)
		xerrc(EXIT_FAIL, 0, "%d: %s: %s", (int)pid, file, write_error(-EPERM));
}

/* There is no undo stack here, as there is nothing to push: the kernel
 * takes each of these files once and never back (setgroups deny is for
 * good, a map can be neither rewritten nor cleared). So everything that
 * can fail is checked before the first write; a failure after it (the
 * kernel refusing, or a map written meanwhile by another process) leaves
 * the files before it written, and the message names the one that failed. */
static int write_maps(struct opts *o)
{
	_cleanup_close_ int dir = open_process(o->pid);
	int r;

	if (o->subids)
		build_subid_maps(o);
	if (getuid() != 0)
		check_unprivileged(o, dir);
	check_unwritten(dir, o->pid, "gid_map", &o->gid);
	check_unwritten(dir, o->pid, "uid_map", &o->uid);
	/* setgroups before gid_map: the kernel takes a gid_map from an
	 * unprivileged writer only once setgroups is denied, and setgroups
	 * cannot change after gid_map is written. */
	if (o->setgroups >= 0 && (r = idmap_setgroups(dir, o->setgroups)) < 0)
		xerrc(EXIT_FAIL, 0, "%d: setgroups: %s", (int)o->pid, write_error(r));
	if (o->gid.n && (r = idmap_write(dir, "gid_map", &o->gid)) < 0)
		xerrc(EXIT_FAIL, 0, "%d: gid_map: %s", (int)o->pid, write_error(r));
	if (o->uid.n && (r = idmap_write(dir, "uid_map", &o->uid)) < 0)
		xerrc(EXIT_FAIL, 0, "%d: uid_map: %s", (int)o->pid, write_error(r));
	return EXIT_OK;
}

static struct json_object *map_json(const struct idmap *m)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < m->n; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "inside", json_object_new_int64(m->r[i].in));
		json_object_object_add(e, "outside", json_object_new_int64(m->r[i].out));
		json_object_object_add(e, "count", json_object_new_int64(m->r[i].count));
		json_object_array_add(a, e);
	}
	return a;
}

static int show_maps(struct opts *o)
{
	_cleanup_close_ int dir = open_process(o->pid);
	char sg[16] = "";
	int fd, r;

	if ((r = idmap_read(dir, "uid_map", &o->uid)) < 0 || (r = idmap_read(dir, "gid_map", &o->gid)) < 0)
		xerrc(EXIT_FAIL, r, "%d: read maps", (int)o->pid);
	fd = openat(dir, "setgroups", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, sg, sizeof(sg) - 1);

		sg[n > 0 ? n : 0] = '\0';
		sg[strcspn(sg, "\n")] = '\0';
		close(fd);
	}
	if (o->json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "pid", json_object_new_int(o->pid));
		json_object_object_add(j, "uid_map", map_json(&o->uid));
		json_object_object_add(j, "gid_map", map_json(&o->gid));
		json_object_object_add(j, "setgroups", *sg ? json_object_new_string(sg) : NULL);
		json_print(j);
		return EXIT_OK;
	}
	printf("%-4s %10s %10s %10s\n", "MAP", "INSIDE", "OUTSIDE", "COUNT");
	for (int k = 0; k < 2; k++) {
		const struct idmap *m = k ? &o->gid : &o->uid;

		for (size_t i = 0; i < m->n; i++)
			printf("%-4s %10u %10u %10u\n", k ? "gid" : "uid", m->r[i].in, m->r[i].out, m->r[i].count);
	}
	if (*sg)
		printf("setgroups %s\n", sg);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };

	nskit_init(EXIT_USAGE);
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	return o.show ? show_maps(&o) : write_maps(&o);
}
