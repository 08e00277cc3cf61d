/* rlimits.h - nsnew's --rlimit NAME=SOFT[:HARD], with prlimit(1)'s names,
 * applied by the jail's process just before exec. Nothing here prints
 * or exits. */
#pragma once

#include <stddef.h>
#include <sys/resource.h>

struct rlimit_set {
	struct {
		int resource;
		struct rlimit lim;
	} v[RLIM_NLIMITS];
	size_t n;
};

/* Add SPEC ("nofile=1024:4096", "core=0", "as=unlimited"); a later one
 * for the same NAME replaces the earlier. SOFT alone sets both limits, as
 * prlimit does. -EINVAL for an unknown name or a bad number, -ERANGE when
 * SOFT exceeds HARD. */
int rlimit_parse(struct rlimit_set *s, const char *spec);

/* setrlimit each; on failure the failing NAME in *NAME. 0 or -errno. */
int rlimit_apply(const struct rlimit_set *s, const char **name);

/* The names, for messages and --help. */
extern const char rlimit_names[];
