/* cgroup.h - the jail's own cgroup for --memory, --pids and --cpus:
 * in the unified (v2) hierarchy where it has the controllers, else in
 * the v1 hierarchies that have them; made before the jail starts, its
 * process moved in before it runs, and removed (what is left in it
 * killed) when the jail ends. NSKIT_CGROUP_ROOT names another mount
 * point (for tests; a plain directory laid out like a cgroup v2 root
 * works too, its files created and unlinked). Nothing here prints or
 * exits. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROUP_PERIOD 100000	/* µs: the CPU quota's period, the kernel's default */

struct cgroup_limits {
	uint64_t memory;	/* bytes; 0: not limited */
	uint64_t pids;		/* 0: not limited */
	uint64_t cpu_quota;	/* µs per CGROUP_PERIOD; 0: not limited */
};

struct jail_cgroup {
	int version;		/* 1 or 2 once made; 0: nothing made */
	bool plain;		/* NSKIT_CGROUP_ROOT is not a cgroup file system */
	size_t n;
	char *dir[3];		/* v2: one directory; v1: one per controller */
	char where[PATH_MAX];	/* the file or directory a failure concerns */
};

#define JAIL_CGROUP_INIT { 0, false, 0, { NULL, NULL, NULL }, "" }

static inline bool cgroup_wanted(const struct cgroup_limits *l)
{
	return l->memory || l->pids || l->cpu_quota;
}

/* --cpus: "2", "0.5", "1.25" (at most five decimals) to a quota; at least
 * 0.01 CPU (the kernel's smallest quota), at most 4096. 0 or -EINVAL. */
int cgroup_parse_cpus(const char *s, uint64_t *quota);

/* Make the cgroup for L, limits written. On failure nothing is left and
 * CG->where says what failed: -ENOTSUP (no hierarchy has a controller:
 * CG->where names it), -EACCES/-EPERM (not ours to write), -errno. */
int cgroup_make(const struct cgroup_limits *l, struct jail_cgroup *cg);

/* Move PID into it. */
int cgroup_join(struct jail_cgroup *cg, pid_t pid);

/* Kill what is left in it and remove it; an undo_fn (undo.h). Then CG
 * is empty again. 0, or the first -errno. */
int cgroup_remove(void *cg);
