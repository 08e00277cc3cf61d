/* usernet.h - nsnew --user-net: a user-mode network for the jail. An
 * external helper (pasta of the passt package, or slirp4netns) attaches to
 * the child's network namespace from outside, gives it an interface,
 * address, default route and DNS as rootless Podman does, and forwards
 * the --publish ports of the caller's network into it. nsnew starts it
 * after the child's id maps are written and before the child is released,
 * and stops it when the child ends; the kernel kills it when nsnew dies. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "publish.h"

enum usernet_helper { USERNET_NONE, USERNET_PASTA, USERNET_SLIRP4NETNS };

struct usernet {
	enum usernet_helper helper;
	struct publish *pub;
	size_t npub;
	pid_t pid;		/* the helper's process, while it runs */
	int exit_fd;		/* slirp4netns exits once this closes */
	int log;		/* a memfd holding the helper's stderr */
	char path[PATH_MAX];	/* the helper, found on PATH (last: nsnew's
				   opts.net is in .bss, see main) */
};

#define USERNET_INIT { .exit_fd = -1, .log = -1 }

/* "pasta" or "slirp4netns" to a helper; -EINVAL for anything else. */
int usernet_parse(const char *s, enum usernet_helper *h);
/* A --publish value added; -EINVAL if malformed, -ENOMEM. */
int usernet_add_publish(struct usernet *u, const char *s);

const char *usernet_name(enum usernet_helper h);
/* The Debian package that has the helper. */
const char *usernet_package(enum usernet_helper h);

/* The helper looked up on PATH (u->path): 0 or -ENOENT. */
int usernet_find(struct usernet *u);

/* Start the helper against the network namespace (and user namespace) of
 * process TARGET and wait until the namespace's interface is configured
 * and the published ports are forwarded. On failure returns -errno, the
 * helper stopped, and WHY holds the helper's own last message, if any. */
int usernet_start(struct usernet *u, pid_t target, char *why, size_t size);

/* Stop the helper, if it runs (SIGKILL, for a process about to exit: the
 * dying helper is left to be reaped by whoever reaps nsnew's orphans). */
void usernet_stop(struct usernet *u);

/* The jail's resolv.conf from the caller's (HOST, an fd, or -1 when it has
 * none): an fd to copy it from, HOST itself when the helper needs no
 * change, or -errno. Takes HOST over. */
int usernet_resolv_conf(const struct usernet *u, int host);
