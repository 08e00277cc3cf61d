/* idmap.h - user namespace id maps: parse "IN:OUT:N", validate a map the
 * way the kernel will (before anything is written), read the caller's
 * ranges from /etc/subuid and /etc/subgid, and write uid_map, gid_map and
 * setgroups of a process. Shared by nsnew and idmap. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel takes at most this many lines per map (UID_GID_MAP_MAX_EXTENTS)
 * and one write shorter than a page. */
#define IDMAP_MAX_RANGES 340
#define IDMAP_MAX_BYTES 4095

struct idmap_range {
	uint32_t in, out, count;
};

struct idmap {
	struct idmap_range r[IDMAP_MAX_RANGES];
	size_t n;
};

/* "IN:OUT:N" in decimal. -EINVAL when malformed, -ERANGE when a number
 * does not fit, N is 0, or a range runs past 2^32-1 (the kernel keeps
 * (uid_t)-1 unmappable: IN+N and OUT+N must stay below 2^32). */
int idmap_parse_range(const char *s, struct idmap_range *r);

/* Append R to M after checking it: -ERANGE as above, -EEXIST when it
 * overlaps a range already in M inside or outside, -E2BIG when M is full
 * or its text would exceed one kernel write. */
int idmap_add(struct idmap *m, const struct idmap_range *r);

/* Parse "IN:OUT:N" and add it to M: the two above in one step. */
int idmap_add_spec(struct idmap *m, const char *spec);
/* Words for the errors of idmap_parse_range() and idmap_add(). */
const char *idmap_strerror(int err);

/* M as the kernel reads it, "IN OUT N\n" per range; returns the length,
 * or -E2BIG when it does not fit SIZE. */
int idmap_format(const struct idmap *m, char *buf, size_t size);

/* The subordinate ranges FILE (/etc/subuid or /etc/subgid) gives the user
 * NAME or numeric id ID, in file order, appended to OUT as outside ranges
 * (their inside ids left 0). A missing file gives none. -E2BIG when they
 * do not fit; other -errno from reading. */
int idmap_subids(const char *file, const char *name, uint32_t id, struct idmap_range *out,
		 size_t max, size_t *n);

/* The caller's own gid as newgidmap decides it: the primary group of the
 * passwd entry of its real uid, not its real gid of the moment (which
 * newgrp, sg or a setgid program may have changed). 0, or -ENOENT when
 * the real uid has no passwd entry. */
int idmap_own_gid(uint32_t *gid);

/* The map --subids makes: 0 to OWN, then 1.. to each subordinate range
 * in turn. Errors as idmap_add(); -ENOENT when SUB is empty. */
int idmap_from_subids(struct idmap *m, uint32_t own, const struct idmap_range *sub, size_t nsub);

/* Whether the outside range of R lies inside one of ALLOWED[0..N). */
bool idmap_range_allowed(const struct idmap_range *r, const struct idmap_range *allowed, size_t n);

/* Write M to FILE ("uid_map" or "gid_map") under the /proc/PID directory
 * open as DIRFD, in one write as the kernel requires. */
int idmap_write(int dirfd, const char *file, const struct idmap *m);
/* Write "allow" or "deny" to DIRFD's setgroups. */
int idmap_setgroups(int dirfd, bool allow);

/* Read FILE ("uid_map" or "gid_map") of DIRFD back into M. */
int idmap_read(int dirfd, const char *file, struct idmap *m);
