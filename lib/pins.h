/* pins.h - every namespace of a jail pinned under one name (nsnew
 * --pin-all): the network namespace in the netns directory as iproute2
 * pins it, the others as PINDIR/NAME/TYPE (user, cgroup, ipc, uts, pid,
 * mnt, time). PINDIR is $NSKIT_PIN_DIR, else "nskit" beside the netns
 * directory: /var/run/nskit by default. */
#pragma once

#include <sys/types.h>

#define PIN_RUN_DIR "/var/run/nskit"

/* The pin directory; a malloc'd string, or NULL with errno set. */
char *pins_dir(void);

/* Pin each namespace of PID whose CLONE_NEW* flag is in TYPES (the
 * network namespace excepted) under NAME. -EEXIST when NAME has pins
 * already; nothing is left behind on failure. */
int pins_add(const char *name, pid_t pid, int types);

/* Open NAME's pins: FDS is indexed like ns_types (NS_NTYPES entries), -1
 * where a type is not pinned. -ENOENT when NAME has no pins. */
int pins_open(const char *name, int *fds, int nfds);

/* Detach and remove NAME's pins and their directory. -ENOENT if none. */
int pins_remove(const char *name);
