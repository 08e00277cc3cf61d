/* jailrec.c - rootless names: records of running jails (jailrec.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "jailrec.h"
#include "netnsdir.h"
#include "ns.h"
#include "parse.h"
#include "util.h"


static int check_dir(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* Anyone else who could write here could plant a record that sends
	 * the caller's nsjoin into their namespaces. */
	if (st.st_uid != geteuid() || (st.st_mode & 077))
		return -EPERM;
	return 0;
}

int jailrec_dir(bool create)
{
	const char *dir = netns_dir();
	_cleanup_close_ int fd = -1;
	int r;

	if (create) {
		_cleanup_free_ char *copy = strdup(dir);

		if (!copy)
			return -ENOMEM;
		/* $XDG_RUNTIME_DIR/nskit or /tmp/nskit-UID: ours and closed
		 * too when we make it; a taken one is judged by its leaf. */
		if (mkdir(dirname(copy), 0700) < 0 && errno != EEXIST)
			return -errno;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES ? -EPERM : -errno;	/* someone else's */
	r = check_dir(fd);
	return r < 0 ? r : steal_fd(&fd);
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks
 * since boot. A pid reused later belongs to a process started later. */
static int proc_start(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p, *save = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	buf[n] = '\0';
	/* The command name may hold spaces and ')': fields follow its last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	p = strtok_r(p + 1, " ", &save);
	for (int field = 3; p && field < 22; field++)
		p = strtok_r(NULL, " ", &save);
	if (!p || sscanf(p, "%llu", start) != 1)
		return -EBADMSG;
	return 0;
}

static int ns_stat(pid_t pid, const char *type, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
	if (stat(path, st) == 0)
		return 0;
	return errno == ENOENT ? -ESRCH : -errno;
}

int jailrec_of(pid_t pid, struct jailrec *r)
{
	struct stat u, n;
	int e;

	if (pid <= 0)
		return -EINVAL;
	if ((e = proc_start(pid, &r->start)) < 0 || (e = ns_stat(pid, "user", &u)) < 0 ||
	    (e = ns_stat(pid, "net", &n)) < 0)
		return e;
	r->pid = pid;
	r->user_dev = u.st_dev, r->user_ino = u.st_ino;
	r->net_dev = n.st_dev, r->net_ino = n.st_ino;
	return 0;
}

int jailrec_read(int dir, const char *name, struct jailrec *r)
{
	_cleanup_close_ int fd = -1;
	char buf[RECORD_MAX + 1];
	struct stat st, was;
	ssize_t n;

	/* Judged before it is opened (a file of another's may not open at
	 * all), then opened with NOFOLLOW and NONBLOCK: a link planted here
	 * is never followed, a fifo never waited on, a file swapped in
	 * between is noticed. */
	if (fstatat(dir, name, &was, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(was.st_mode))
		return -ENOTNAM;
	if (was.st_uid != geteuid())
		return -EPERM;
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -ENOTNAM : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_dev != was.st_dev || st.st_ino != was.st_ino)
		return -ENOENT;
	n = read(fd, buf, RECORD_MAX + 1);
	if (n < 0)
		return -errno;
	return jailrec_parse(buf, (size_t)n, r);
}

int jailrec_format(const struct jailrec *r, char *buf, size_t size)
{
	int n = snprintf(buf, size, "nskit-jail 1\npid %d\nstart %llu\nuser %ju %ju\nnet %ju %ju\n",
			 (int)r->pid, r->start, (uintmax_t)r->user_dev, (uintmax_t)r->user_ino,
			 (uintmax_t)r->net_dev, (uintmax_t)r->net_ino);

	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

/* LINE is KEY followed by N numbers, each after one space, each in
 * [MIN, MAX]. */
static bool parse_line(char *line, const char *key, int n, uint64_t min, uint64_t max, uint64_t *out)
{
	size_t k = strlen(key);
	char *tok, *save = NULL;

	if (strncmp(line, key, k) != 0 || line[k] != ' ')
		return false;
	line += k + 1;
	/* strtok_r would take runs of spaces for one: count them instead. */
	for (char *c = line; *c; c++)
		if (*c == ' ' && (c[1] == ' ' || c[1] == '\0' || c == line))
			return false;
	for (int i = 0; i < n; i++) {
		tok = strtok_r(i ? NULL : line, " ", &save);
		/* One spelling per number: no leading zeros. */
		if (!tok || (tok[0] == '0' && tok[1]) || parse_u64(tok, min, max, &out[i]) < 0)
			return false;
	}
	return !strtok_r(NULL, " ", &save);
}

int jailrec_parse(const char *text, size_t len, struct jailrec *r)
{
	char buf[RECORD_MAX + 1], *p = buf, *line[5];
	uint64_t pid, start, user[2], net[2];

	if (len > RECORD_MAX || memchr(text, '\0', len) || len == 0 || text[len - 1] != '\n')
		return -EBADMSG;
	memcpy(buf, text, len);
	buf[len - 1] = '\0';
	for (int i = 0; i < 5; i++)
		if (!(line[i] = strsep(&p, "\n")))
			return -EBADMSG;
	if (p || strcmp(line[0], "nskit-jail 1") != 0 ||
	    !parse_line(line[1], "pid", 1, 1, INT_MAX, &pid) ||
	    !parse_line(line[2], "start", 1, 0, UINT64_MAX, &start) ||
	    !parse_line(line[3], "user", 2, 0, UINT64_MAX, user) ||
	    !parse_line(line[4], "net", 2, 0, UINT64_MAX, net))
		return -EBADMSG;
	if ((uint64_t)(dev_t)user[0] != user[0] || (uint64_t)(ino_t)user[1] != user[1] ||
	    (uint64_t)(dev_t)net[0] != net[0] || (uint64_t)(ino_t)net[1] != net[1])
		return -EBADMSG;
	r->pid = (pid_t)pid;
	r->start = start;
	r->user_dev = (dev_t)user[0], r->user_ino = (ino_t)user[1];
	r->net_dev = (dev_t)net[0], r->net_ino = (ino_t)net[1];
	return 0;
}

static bool same_ns(const struct stat *st, dev_t dev, ino_t ino)
{
	return st->st_dev == dev && st->st_ino == ino;
}

/* The user namespace at FD was made by the caller (its owner). */
static int owned(int fd)
{
	uid_t owner;

	if (ioctl(fd, NS_GET_OWNER_UID, &owner) < 0)
		return -errno;
	return owner == geteuid() ? 0 : -EACCES;
}

/* The checks of jailrec_check(), opening the namespaces into FDS when
 * given. A pidfd holds the process: while it is alive after the checks
 * and the opens, its pid was never reused in between. */
static int verify(const struct jailrec *r, int *fds, int nfds)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	_cleanup_close_ int user = -1;
	unsigned long long start;
	struct stat st;
	int e;

	/* ENOSYS: no pidfds (valgrind); the start time still tells reuse. */
	if (pidfd < 0 && errno != ENOSYS)
		return errno == ESRCH || errno == EINVAL ? -ESRCH : -errno;
	if ((e = proc_start(r->pid, &start)) < 0)
		return e;
	if (start != r->start)
		return -ESTALE;
	user = ns_open_pid(r->pid, CLONE_NEWUSER);
	if (user < 0)
		return user == -EPERM ? -EACCES : user;
	if (fstat(user, &st) < 0)
		return -errno;
	if (!same_ns(&st, r->user_dev, r->user_ino))
		return -ESTALE;
	/* A record can only be the caller's own (jailrec_read): this is for
	 * one that names a process whose user namespace is another's. */
	if ((e = owned(user)) < 0)
		return e;
	if ((e = ns_stat(r->pid, "net", &st)) < 0)
		return e == -EPERM ? -EACCES : e;
	if (!same_ns(&st, r->net_dev, r->net_ino))
		return -ESTALE;
	for (int i = 0; fds && i < nfds && ns_types[i].name; i++) {
		fds[i] = ns_open_pid(r->pid, ns_types[i].flag);
		if (fds[i] == -ENOENT)
			fds[i] = -1;	/* a type this kernel lacks */
		else if (fds[i] < 0)
			return fds[i] == -EPERM ? -EACCES : fds[i];
		else if (ns_types[i].flag == CLONE_NEWUSER || ns_types[i].flag == CLONE_NEWNET) {
			if (fstat(fds[i], &st) < 0)
				return -errno;
			if (ns_types[i].flag == CLONE_NEWUSER ? !same_ns(&st, r->user_dev, r->user_ino)
							      : !same_ns(&st, r->net_dev, r->net_ino))
				return -ESTALE;
		}
	}
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return -ESRCH;
	return 0;
}

int jailrec_check(const struct jailrec *r)
{
	return verify(r, NULL, 0);
}

int jailrec_open(const struct jailrec *r, int *fds, int nfds)
{
	int e;

	for (int i = 0; i < nfds; i++)
		fds[i] = -1;
	e = verify(r, fds, nfds);
	if (e < 0)
		for (int i = 0; i < nfds; i++)
			if (fds[i] >= 0)
				close(fds[i]), fds[i] = -1;
	return e;
}

static int lock(int dir)
{
	return flock(dir, LOCK_EX) < 0 ? -errno : 0;
}

/* The record's text into a new file DIR/NAME, whole or not at all: made
 * unnamed (O_TMPFILE) and linked in, which fails on an existing name. */
static int write_record(int dir, const char *name, const struct jailrec *r)
{
	_cleanup_close_ int fd = openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	char buf[RECORD_MAX], proc[64];
	bool named = false;
	int len;

	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR)
		return -errno;
	if (fd < 0) {
		/* A filesystem without O_TMPFILE: made under its name. */
		fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		named = true;
	}
	if ((len = jailrec_format(r, buf, sizeof(buf))) < 0)
		return len;
	if (write(fd, buf, (size_t)len) != len) {
		int e = errno ? -errno : -EIO;

		if (named)
			unlinkat(dir, name, 0);
		return e;
	}
	if (named)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dir, name, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

int jailrec_add(const char *name, pid_t pid, struct jailrec *r)
{
	_cleanup_close_ int dir = -1;
	struct jailrec old;
	int e = netns_name_check_new(name);

	if (e < 0)
		return e;
	if ((dir = jailrec_dir(true)) < 0)
		return dir;
	if ((e = lock(dir)) < 0 || (e = jailrec_of(pid, r)) < 0)
		return e;
	e = write_record(dir, name, r);
	if (e != -EEXIST)
		return e;
	/* A name left by a jail whose nsnew was killed: taken over. What is
	 * not a record of ours is left alone. */
	if (jailrec_read(dir, name, &old) < 0)
		return -EEXIST;
	e = jailrec_check(&old);
	if (e != -ESRCH && e != -ESTALE)
		return -EEXIST;
	if (unlinkat(dir, name, 0) < 0)
		return -errno;
	return write_record(dir, name, r);
}

int jailrec_remove(const char *name, const struct jailrec *only)
{
	_cleanup_close_ int dir = -1;
	struct jailrec cur;
	int e = netns_name_check(name);

	if (e < 0)
		return e;
	if ((dir = jailrec_dir(false)) < 0)
		return dir;
	if ((e = lock(dir)) < 0)
		return e;
	if (only) {
		if ((e = jailrec_read(dir, name, &cur)) < 0)
			return e == -ENOENT ? e : -ESTALE;
		if (cur.pid != only->pid || cur.start != only->start || cur.net_ino != only->net_ino ||
		    cur.net_dev != only->net_dev)
			return -ESTALE;
	}
	return unlinkat(dir, name, 0) < 0 ? -errno : 0;
}

const char *jailrec_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case ENOENT:
		return "no such network namespace";
	case ESRCH:
		return "stale name: its jail has ended";
	case ESTALE:
		return "stale name: its process id now belongs to another process";
	case ENOTNAM:
		return "not a name record (a symbolic link or special file): refused";
	case EPERM:
		return "the record is not yours: refused";
	case EACCES:
		return "the jail's namespaces are not yours: refused";
	case EBADMSG:
		return "not a valid name record";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
