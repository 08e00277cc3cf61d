/* jailrec.h - rootless names. An ordinary user cannot bind-mount a
 * namespace onto a file of the host, so for a caller that is not root
 * (netns_rootless()) a name in its own netns directory is a record of a
 * running jail: the pid of the jail's first process, its start time and
 * the identity (device and inode) of its user and network namespaces.
 * The name lives as long as that process: nsnew writes the record once
 * the jail's namespaces exist and removes it when the jail ends; a record
 * whose process has gone, or whose pid now belongs to another process, is
 * stale and never joined. The directory must be the caller's with mode
 * 0700, each record a regular file of the caller's (never followed through
 * a symbolic link), and the jail's user namespace owned by the caller.
 * Part of libnskit, which makes no ABI promise. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct jailrec {
	pid_t pid;
	unsigned long long start;	/* /proc/PID/stat starttime, clock ticks */
	dev_t user_dev, net_dev;
	ino_t user_ino, net_ino;
};

/* The largest record read. */
#define RECORD_MAX 512

/* A record's text: "nskit-jail 1\npid P\nstart S\nuser DEV INO\nnet DEV
 * INO\n", nothing else (single spaces, decimal numbers without leading
 * zeros, pid > 0).
 * jailrec_parse returns 0 or -EBADMSG; jailrec_format the length written
 * (at most RECORD_MAX) or -ENOSPC. */
int jailrec_parse(const char *text, size_t len, struct jailrec *r);
int jailrec_format(const struct jailrec *r, char *buf, size_t size);

/* The netns directory, opened (O_CLOEXEC) and checked: a directory, not a
 * symbolic link, owned by the caller, mode 0700 (no access for others).
 * CREATE makes it (and the one above it) with mode 0700 when absent.
 * -ENOENT when absent, -ENOTDIR or -ELOOP, -EPERM when not the caller's
 * or not 0700. */
int jailrec_dir(bool create);

/* The identity of the live process PID now. -ESRCH when there is none. */
int jailrec_of(pid_t pid, struct jailrec *r);

/* Read NAME's record in DIR (an fd from jailrec_dir()). -ENOENT; -ENOTNAM
 * when the entry is a symbolic link or not a regular file; -EPERM when the
 * file is not the caller's; -EBADMSG when it is not a record. */
int jailrec_read(int dir, const char *name, struct jailrec *r);

/* Whether the record still names its jail: 0; -ESRCH when its process has
 * gone; -ESTALE when the pid belongs to another process now (another start
 * time or other namespaces); -EACCES when the process or its user
 * namespace is not the caller's. */
int jailrec_check(const struct jailrec *r);

/* Open every namespace of the jail (FDS indexed like ns_types, -1 where
 * the kernel lacks a type), checked as jailrec_check() does and checked
 * again once open, so a pid reused meanwhile is never joined. On failure
 * every fd is closed and FDS hold -1. */
int jailrec_open(const struct jailrec *r, int *fds, int nfds);

/* Name the jail whose first process is PID as NAME (a name nskit makes:
 * netns_name_check_new()). A stale record of the same name is replaced;
 * -EEXIST when a live one holds it; nothing is left behind on failure.
 * The identity written is returned in R. */
int jailrec_add(const char *name, pid_t pid, struct jailrec *r);

/* Remove NAME's record. With ONLY, only while the record is still that
 * one (a jail that ends never removes a name given to another since).
 * -ENOENT if absent, -ESTALE when it is another record. */
int jailrec_remove(const char *name, const struct jailrec *only);

/* Words for the errors above, for the tool to print after "NAME: ". */
const char *jailrec_strerror(int err);
