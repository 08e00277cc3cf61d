/* ns.h - namespace types and references: a type's names and CLONE_* flag,
 * and opening a namespace from a process id or an nsfs path. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct ns_type {
	const char *name;	/* /proc/PID/ns/NAME, lsns's TYPE, --NAME=PATH */
	int flag;		/* CLONE_NEW* */
	char opt;		/* nsenter's short option */
};

/* In the order namespaces are joined (user first, mount late), as nsenter
 * does: NS_NTYPES entries, then one with name == NULL. */
#define NS_NTYPES 8
extern const struct ns_type ns_types[NS_NTYPES + 1];

const struct ns_type *ns_type_by_flag(int flag);

/* Open an nsfs file and check it is a namespace of TYPE (a CLONE_NEW* flag,
 * or 0 for any type). Returns an O_CLOEXEC fd, or -ENOENT, -EACCES...,
 * -ENOTNAM when the file is not a namespace, -EMEDIUMTYPE when it is one
 * of another type. */
int ns_open_path(const char *path, int type);
/* /proc/PID/ns/TYPE; -ESRCH when there is no such process. */
int ns_open_pid(pid_t pid, int type);
/* The CLONE_NEW* type of an nsfs fd, or -errno. */
int ns_fd_type(int fd);
/* Whether two namespace fds name the same namespace (1), not (0), -errno. */
int ns_same(int fd1, int fd2);

/* Words for the open errors above, for the tool to print. */
const char *ns_open_strerror(int err, int type);
