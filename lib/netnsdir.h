/* netnsdir.h - the iproute2-compatible directory of named network
 * namespaces (/var/run/netns, or $NSKIT_NETNS_DIR): a namespace is named by
 * bind-mounting it onto an empty file in that directory, which is itself a
 * shared mount point so that every mount namespace sees the names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/var/run/netns"

/* Whether the caller's names are rootless ones (jailrec.h): records of
 * running jails, not bind mounts. True for any caller but root in a tool
 * that called netns_user_names() (nsnew, nsjoin, nsname: the tools an
 * ordinary user can name and enter jails with); the others, which need
 * root for what they do with a name, always use NETNS_RUN_DIR. */
void netns_user_names(void);
bool netns_rootless(void);
/* $NSKIT_NETNS_DIR, else for root NETNS_RUN_DIR, else the caller's own:
 * $XDG_RUNTIME_DIR/nskit/netns, /run/user/UID/nskit/netns, or
 * /tmp/nskit-UID/netns. */
const char *netns_dir(void);
/* 0, or -EINVAL (empty, ".", "..", contains '/') or -ENAMETOOLONG. */
int netns_name_check(const char *name);
/* For a name nskit makes, on top of netns_name_check(): -EILSEQ when NAME
 * is not UTF-8 or holds a control character (C0, DEL, C1, or an invisible
 * or bidirectional format character) or whitespace (Unicode's White_Space),
 * so that a listing of names stays one name per line, one word each. */
int netns_name_check_new(const char *name);
/* NAME for a terminal or a line-per-name listing: what netns_name_check_new()
 * refuses, a backslash, and bytes that are not UTF-8 written as C escapes
 * (\a \b \t \n \v \f \r \\, else \ooo per byte), as `ls -b` does; other
 * names unchanged. Malloc'd, or NULL with errno set. */
char *netns_name_escape(const char *name);
/* DIR/NAME in a malloc'd string, or NULL with errno set. */
char *netns_path(const char *name);

/* Open the named network namespace (O_CLOEXEC). Errors as ns_open_path(). */
int netns_open(const char *name);

/* Make the directory exist as a shared mount point, as `ip netns add` does. */
int netns_dir_prepare(void);

/* Name the network namespace at NSPATH (e.g. /proc/PID/ns/net) as NAME.
 * -EEXIST when the name is taken; nothing is left behind on failure. */
int netns_pin(const char *name, const char *nspath);
/* Unshare a new network namespace and name it. On success the calling
 * thread is left inside it. -EEXIST when the name is taken. */
int netns_create(const char *name);
/* Create a name of the form PREFIX-XXXXXX that did not exist, as above;
 * the chosen name is written to NAME (at least 64 bytes). */
int netns_create_unique(const char *prefix, char *name, size_t size);
/* Remove a name: detach the mount (if any) and unlink. -ENOENT if absent. */
int netns_unpin(const char *name);

/* The names in the directory, in directory order. *NAMES is a malloc'd
 * NULL-terminated array of malloc'd strings; free with netns_names_free(). */
int netns_names(char ***names, size_t *count);
void netns_names_free(char **names);
