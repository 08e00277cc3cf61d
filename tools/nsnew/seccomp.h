/* seccomp.h - nsnew's system call filters, through libseccomp: the
 * default profile (nsnew(1) SECCOMP), a text profile (profile.h), or a
 * compiled BPF program read from a file descriptor as bwrap --seccomp
 * reads one. Filters are built before the jail is made, so every bad
 * value is refused before anything exists, and loaded by the jail's
 * process last, just before exec. Nothing here prints or exits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

/* What the jail was given, which the default profile then allows. */
struct sc_jail {
	bool admin;	/* --keep-caps names sys_admin: mount and new namespaces */
	bool pidns;	/* a PID namespace of its own: ptrace reaches only the jail */
};

struct sc_prog {
	void *ins;		/* struct sock_filter[n] */
	size_t n;
};

struct sc_filter {
	void *ctx;		/* a libseccomp filter, or NULL */
	struct sc_prog prog[2];	/* compiled: --seccomp-fd's, the default profile */
	size_t nprog;
};

#define SC_FILTER_INIT { NULL, { { NULL, 0 }, { NULL, 0 } }, 0 }

/* The default profile for J into F. 0 or -errno. */
int sc_build_default(const struct sc_jail *j, struct sc_filter *f);

/* The same, as compiled when nsnew was built (seccomp-default.c): no
 * compiler, nor libseccomp, at start. 0 or -errno. */
int sc_default_compiled(const struct sc_jail *j, struct sc_filter *f);

/* Profile P into F. -ENOENT when a rule names a system call this
 * architecture does not have: *BAD is then that rule. */
int sc_build_profile(const struct sc_profile *p, struct sc_filter *f, const struct sc_rule **bad);

/* The text profile in PATH (a regular file of at most 1 MiB) into F.
 * -EINVAL with E saying which line and why (a system call this
 * architecture lacks included), -EMEDIUMTYPE when PATH is not such a
 * file, or -errno. */
int sc_build_file(const char *path, struct sc_filter *f, struct sc_error *e);

/* Read a compiled filter from FD (all of it, then FD is closed) into F
 * (room for two): -EINVAL when it is empty, not whole instructions or longer than the
 * kernel takes. */
int sc_read_bpf(int fd, struct sc_filter *f);

/* Load F's filters into this thread: without no_new_privs where we hold
 * CAP_SYS_ADMIN (set-uid programs of a root jail keep working), else
 * with it, as the kernel demands. 0 or -errno. */
int sc_load(struct sc_filter *f);

void sc_free(struct sc_filter *f);
