/* pins.c - a jail's namespaces pinned under one name, beside the netns
 * directory. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netnsdir.h"
#include "ns.h"
#include "pins.h"
#include "util.h"

char *pins_dir(void)
{
	const char *d = getenv("NSKIT_PIN_DIR");
	_cleanup_free_ char *copy = NULL;
	char *r;

	if (d && *d)
		return strdup(d);
	d = getenv("NSKIT_NETNS_DIR");
	if (!d || !*d)
		return strdup(PIN_RUN_DIR);
	copy = strdup(d);
	if (!copy || asprintf(&r, "%s/nskit", dirname(copy)) < 0)
		return NULL;
	return r;
}

/* The directory is a private mount point of its own: a mount namespace
 * can only be pinned on a mount that does not propagate into that
 * namespace (the kernel refuses the loop), so it must not be shared the
 * way the netns directory is. */
static int prepare(const char *dir)
{
	_cleanup_close_ int fd = -1;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("", dir, "none", MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0)
		return -errno;
	if (mount("", dir, "none", MS_PRIVATE, NULL) == 0)
		return 0;
	if (mount(dir, dir, "none", MS_BIND, NULL) < 0)
		return -errno;
	if (mount("", dir, "none", MS_PRIVATE, NULL) < 0) {
		int e = -errno;

		umount2(dir, MNT_DETACH);
		return e;
	}
	return 0;
}

static int remove_dir(const char *path)
{
	bool any = false;

	/* Most names have no pins (no --pin-all): one lookup, not 17 calls
	 * (nsname del --all of 1000 names). */
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return -ENOENT;
	for (const struct ns_type *t = ns_types; t->name; t++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "%s/%s", path, t->name) < 0)
			return -ENOMEM;
		umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW);
		if (unlink(p) == 0)
			any = true;
	}
	if (rmdir(path) < 0)
		return errno == ENOENT && !any ? -ENOENT : -errno;
	return 0;
}

int pins_add(const char *name, pid_t pid, int types)
{
	_cleanup_free_ char *dir = pins_dir(), *path = NULL;
	int r = netns_name_check(name);

	if (r < 0)
		return r;
	if (!dir || asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	r = prepare(dir);
	if (r < 0)
		return r;
	if (mkdir(path, 0755) < 0)
		return -errno;
	for (const struct ns_type *t = ns_types; t->name; t++) {
		_cleanup_free_ char *p = NULL;
		char src[64];
		int fd;

		if (!(types & t->flag) || t->flag == CLONE_NEWNET)
			continue;
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid, t->name);
		if (asprintf(&p, "%s/%s", path, t->name) < 0) {
			r = -ENOMEM;
			goto fail;
		}
		fd = open(p, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0) {
			r = -errno;
			goto fail;
		}
		close(fd);
		if (mount(src, p, "none", MS_BIND, NULL) == 0)
			continue;
		r = -errno;
		/* The kernel refuses to pin a mount namespace it does not
		 * take for newer than the caller's (a loop check by namespace
		 * id; ids are handed out in per-CPU batches, so a newer
		 * namespace can carry a smaller id). Then the pin is a
		 * symlink to the process's, valid while the jail runs, as
		 * the netns directory's old hand-made entries are. */
		if (r != -EINVAL || t->flag != CLONE_NEWNS || unlink(p) < 0 || symlink(src, p) < 0)
			goto fail;
		r = 0;
	}
	return 0;
fail:
	remove_dir(path);
	return r;
}

int pins_open(const char *name, int *fds, int nfds)
{
	_cleanup_free_ char *dir = pins_dir(), *path = NULL;
	struct stat st;
	int r = netns_name_check(name);

	for (int i = 0; i < nfds; i++)
		fds[i] = -1;
	if (r < 0)
		return r;
	if (!dir || asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	if (stat(path, &st) < 0)
		return -errno;
	for (int i = 0; i < nfds && ns_types[i].name; i++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "%s/%s", path, ns_types[i].name) < 0)
			return -ENOMEM;
		if (access(p, F_OK) < 0)
			continue;
		fds[i] = ns_open_path(p, ns_types[i].flag);
		if (fds[i] < 0) {
			r = fds[i];
			for (int k = 0; k < i; k++)
				if (fds[k] >= 0)
					close(fds[k]), fds[k] = -1;
			fds[i] = -1;
			return r;
		}
	}
	return 0;
}

int pins_remove(const char *name)
{
	_cleanup_free_ char *dir = pins_dir(), *path = NULL;
	int r = netns_name_check(name);

	if (r < 0)
		return r;
	if (!dir || asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	return remove_dir(path);
}
