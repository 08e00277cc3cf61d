/* ns.c - namespace types and references. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#include "ns.h"
#include "parse.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct ns_type ns_types[NS_NTYPES + 1] = {
	{ "user", CLONE_NEWUSER, 'U' },
	{ "cgroup", CLONE_NEWCGROUP, 'C' },
	{ "ipc", CLONE_NEWIPC, 'i' },
	{ "uts", CLONE_NEWUTS, 'u' },
	{ "net", CLONE_NEWNET, 'n' },
	{ "pid", CLONE_NEWPID, 'p' },
	{ "mnt", CLONE_NEWNS, 'm' },
	{ "time", CLONE_NEWTIME, 'T' },
	{ NULL, 0, 0 },
};

const struct ns_type *ns_type_by_flag(int flag)
{
	for (const struct ns_type *t = ns_types; t->name; t++)
		if (t->flag == flag)
			return t;
	return NULL;
}

int ns_fd_type(int fd)
{
	struct statfs sfs;
	int t;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != NSFS_MAGIC)
		return -ENOTNAM;
	t = ioctl(fd, NS_GET_NSTYPE);
	if (t < 0)
		return -errno;
	return t;
}

int ns_open_path(const char *path, int type)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int t;

	/* Namespace files are regular files; opening a fifo or a device
	 * just to find out it is not one could block or have effects. */
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOTNAM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	t = ns_fd_type(fd);
	if (t < 0)
		return t == -ENOTTY ? -ENOTNAM : t;
	if (type && t != type)
		return -EMEDIUMTYPE;
	return steal_fd(&fd);
}

int ns_open_pid(pid_t pid, int type)
{
	const struct ns_type *t = ns_type_by_flag(type);
	char path[64];
	int fd;

	if (!t || pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, t->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		char dir[32];

		/* Tell a dead process from a kernel without this namespace type. */
		snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
		return e == ENOENT && access(dir, F_OK) < 0 ? -ESRCH : -e;
	}
	return fd;
}

int ns_same(int fd1, int fd2)
{
	struct stat a, b;

	if (fstat(fd1, &a) < 0 || fstat(fd2, &b) < 0)
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

const char *ns_open_strerror(int err, int type)
{
	static char buf[64];
	const struct ns_type *t = ns_type_by_flag(type);
	const char *tn = !t ? "" : type == CLONE_NEWNET ? "network" : type == CLONE_NEWNS ? "mount" : t->name;

	if (err < 0)
		err = -err;
	switch (err) {
	case ENOENT:
		snprintf(buf, sizeof(buf), "no such %s%snamespace", tn, *tn ? " " : "");
		return buf;
	case ESRCH:
		return "no such process";
	case ENOTNAM:
		return "not a namespace file";
	case EMEDIUMTYPE:
		snprintf(buf, sizeof(buf), "not a %s namespace", tn);
		return buf;
	default:
		return strerror(err);
	}
}
