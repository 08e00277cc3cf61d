/* extract.c - safe archive extraction: libarchive reads, we write each
 * entry ourselves relative to a directory fd (see extract.h). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "extract.h"
#include "util.h"

#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"

/* The lookup openat2 does, done by hand where it is missing (Linux before
 * 5.6, or a seccomp filter that says ENOSYS): one component at a time with
 * O_NOFOLLOW; a symlink's target is walked on from the root when absolute,
 * else from its directory; ".." never climbs above the root. Only for
 * directories (O_PATH), which is all this file looks up. */
static int walk_in_root(int rootfd, const char *path)
{
	char *todo = malloc(2 * PATH_MAX), *tmp = malloc(3 * PATH_MAX), target[PATH_MAX];
	int *fds = malloc(sizeof(int) * (PATH_MAX / 2 + 2));
	size_t depth = 0;
	int links = 0, r = 0;
	const char *p;

	if (!todo || !tmp || !fds) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(todo, 2 * PATH_MAX, "%s", path);
	fds[0] = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fds[0] < 0) {
		r = -errno;
		goto out;
	}
	p = todo;
	while (*(p += strspn(p, "/"))) {
		size_t len = strcspn(p, "/");
		char name[NAME_MAX + 1];
		struct stat st;
		int fd;

		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (streq(name, "."))
			continue;
		if (streq(name, "..")) {
			if (depth)
				close(fds[depth--]);
			continue;
		}
		fd = openat(fds[depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			r = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);

			close(fd);
			if (n < 0 || ++links > 40) {
				r = n < 0 ? -errno : -ELOOP;
				break;
			}
			target[n] = '\0';
			if ((size_t)snprintf(tmp, 3 * PATH_MAX, "%s/%s", target, p) >= 2 * PATH_MAX) {
				r = -ENAMETOOLONG;
				break;
			}
			strcpy(todo, tmp);
			p = todo;
			if (target[0] == '/')
				while (depth)
					close(fds[depth--]);
			continue;
		}
		if (!S_ISDIR(st.st_mode) || depth + 1 >= PATH_MAX / 2 + 2) {
			close(fd);
			r = S_ISDIR(st.st_mode) ? -ENAMETOOLONG : -ENOTDIR;
			break;
		}
		fds[++depth] = fd;
	}
	if (!r) {
		r = fds[depth];
		fds[depth] = -1;
	}
	for (size_t i = 0; i <= depth; i++)
		if (fds[i] >= 0)
			close(fds[i]);
out:
	free(todo);
	free(tmp);
	free(fds);
	return r;
}

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	static int have_openat2 = -1;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = -1;

	/* NSKIT_NO_OPENAT2 makes the tests walk the fallback on any kernel. */
	if (have_openat2 < 0)
		have_openat2 = !getenv("NSKIT_NO_OPENAT2");
	/* EAGAIN: a rename or mount raced the lookup; the kernel asks us to retry. */
	for (int tries = 0; have_openat2 && tries < 16; tries++) {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (have_openat2 && fd < 0 && errno == ENOSYS)
		have_openat2 = 0;
	if (!have_openat2)
		return walk_in_root(rootfd, path);
	return fd < 0 ? -errno : fd;
}

int root_open_dir(int rootfd, const char *path, bool create)
{
	char *slash, *parent;
	int pfd, fd, r;

	if (!*path || streq(path, "."))
		return openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
	fd = openat2_in_root(rootfd, path, O_PATH | O_DIRECTORY);
	if (fd != -ENOENT || !create)
		return fd;
	/* Make the parent first, then this one inside it: mkdirat never
	 * follows a symlink in its last component, so a dangling link here
	 * is EEXIST and the lookup below fails inside the root. */
	parent = strdup(path);
	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	pfd = root_open_dir(rootfd, slash ? parent : "", true);
	if (pfd < 0) {
		free(parent);
		return pfd;
	}
	r = mkdirat(pfd, slash ? slash + 1 : parent, 0755);
	r = r < 0 && errno != EEXIST ? -errno : 0;
	close(pfd);
	free(parent);
	if (r < 0)
		return r;
	return openat2_in_root(rootfd, path, O_PATH | O_DIRECTORY);
}

int remove_contents(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((errno = 0, e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		int q = remove_tree(fd, e->d_name);
		if (q < 0 && q != -ENOENT && !r)
			r = q;
	}
	if (errno && !r)
		r = -errno;
	closedir(d);
	return r;
}

int remove_tree(int dirfd, const char *name)
{
	struct stat st;
	int fd, r;

	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -EPERM;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = remove_contents(fd);
	close(fd);
	if (r < 0)
		return r;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int extract_clean_name(const char *in, char *out, const char **why)
{
	size_t n = 0;
	const char *p = in;

	*why = NULL;
	if (*p == '/') {
		*why = "absolute name refused";
		return -EINVAL;
	}
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			*why = "'..' in name refused";
			return -EINVAL;
		}
		if (len > NAME_MAX) {
			*why = "name component longer than 255 bytes refused";
			return -ENAMETOOLONG;
		}
		if (len && !(len == 1 && p[0] == '.')) {
			if (n + len + 2 > PATH_MAX) {
				*why = "name longer than PATH_MAX refused";
				return -ENAMETOOLONG;
			}
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[n] = '\0';
	return 0;
}

/* The paths one layer wrote, so an opaque marker that comes after some of
 * its own siblings removes only what lower layers left (as containerd does). */
struct pathset {
	char **v;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int pathset_add(struct pathset *s, const char *p)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 1024;
		char **nv = calloc(ncap, sizeof(char *));

		if (!nv)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i])
				for (size_t j = hash_str(s->v[i]) & (ncap - 1);; j = (j + 1) & (ncap - 1))
					if (!nv[j]) {
						nv[j] = s->v[i];
						break;
					}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	for (size_t j = hash_str(p) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
		if (!s->v[j]) {
			if (!(s->v[j] = strdup(p)))
				return -ENOMEM;
			s->n++;
			return 0;
		}
		if (streq(s->v[j], p))
			return 0;
	}
}

static bool pathset_has(const struct pathset *s, const char *p)
{
	if (!s->cap)
		return false;
	for (size_t j = hash_str(p) & (s->cap - 1); s->v[j]; j = (j + 1) & (s->cap - 1))
		if (streq(s->v[j], p))
			return true;
	return false;
}

static void pathset_free(struct pathset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->v[i]);
	free(s->v);
}

/* Directory modes and times, set after every entry is in place. */
struct dirmeta {
	char *path;
	mode_t mode;
	struct timespec ts[2];
};

struct state {
	struct archive *a;
	int rootfd;
	struct extract *x;
	/* The parent directory of the last entry: consecutive entries in one
	 * directory are placed without resolving it again. Making a new name
	 * cannot change where an existing path leads; removing one can (a
	 * directory replaced by a symlink), so every removal marks the cache
	 * stale and the next entry resolves its parent afresh. */
	char key[PATH_MAX];
	int keyfd;
	bool stale;
	struct dirmeta *dirs;
	size_t ndirs, capdirs;
	struct pathset layer;
	char name[PATH_MAX], target[PATH_MAX];
};

static int fail(struct state *s, int r, const char *name, const char *why)
{
	free(s->x->entry);
	s->x->entry = name ? strdup(name) : NULL;
	snprintf(s->x->why, sizeof(s->x->why), "%s", why ? why : "");
	return r;
}

/* The parent of clean path PATH as an fd (borrowed: do not close) and its
 * last component. */
static int parent_of(struct state *s, char *path, const char **base, bool create)
{
	char *slash = strrchr(path, '/');
	const char *dir = "";
	int fd;

	if (slash) {
		*slash = '\0';
		dir = path;
		*base = slash + 1;
	} else {
		*base = path;
		return s->rootfd;
	}
	if (s->keyfd >= 0 && !s->stale && streq(s->key, dir)) {
		*slash = '/';
		return s->keyfd;
	}
	fd = root_open_dir(s->rootfd, dir, create);
	if (fd >= 0) {
		if (s->keyfd >= 0)
			close(s->keyfd);
		s->keyfd = fd;
		s->stale = false;
		strcpy(s->key, dir);
	}
	*slash = '/';
	return fd;
}

static void forget_parent(struct state *s)
{
	if (s->keyfd >= 0)
		close(s->keyfd);
	s->keyfd = -1;
}

/* Make room for a new entry at BASE: whatever is there goes, unless both
 * are directories. Returns 1 when a directory is already there to keep. */
static int clear_slot(struct state *s, int pfd, const char *base, bool want_dir)
{
	struct stat st;

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (want_dir && S_ISDIR(st.st_mode))
		return 1;
	s->stale = true;
	return remove_tree(pfd, base);
}

static mode_t entry_mode(struct state *s, struct archive_entry *e)
{
	mode_t m = archive_entry_perm(e) & 07777;

	if (!(s->x->flags & EXTRACT_SETUID))
		m &= ~(mode_t)(S_ISUID | S_ISGID);
	return m;
}

static int set_xattrs(struct state *s, struct archive_entry *e, int fd, bool path_fd)
{
	const char *name;
	const void *val;
	size_t size;
	char proc[64];

	if (archive_entry_xattr_reset(e) == 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		int r;

		/* File capabilities are privileges, like setuid bits. */
		if (streq(name, "security.capability") && !(s->x->flags & EXTRACT_SETUID))
			continue;
		r = path_fd ? setxattr(proc, name, val, size, 0) : fsetxattr(fd, name, val, size, 0);
		/* Filesystems without xattrs, and names only root (or no one,
		 * e.g. user.* on a fifo) may set, are skipped as tar does. */
		if (r < 0 && errno != EOPNOTSUPP && errno != EPERM && errno != EACCES)
			return -errno;
	}
	return 0;
}

static int set_times_fd(struct archive_entry *e, int fd)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT },
	};

	if (archive_entry_atime_is_set(e))
		ts[0] = (struct timespec){ archive_entry_atime(e), archive_entry_atime_nsec(e) };
	if (archive_entry_mtime_is_set(e))
		ts[1] = (struct timespec){ archive_entry_mtime(e), archive_entry_mtime_nsec(e) };
	return futimens(fd, ts) < 0 ? -errno : 0;
}

static int write_data(struct state *s, int fd, int64_t size)
{
	const void *buf;
	size_t len;
	int64_t off, end = 0;
	int r;

	while ((r = archive_read_data_block(s->a, &buf, &len, &off)) == ARCHIVE_OK) {
		const char *p = buf;

		if (s->x->limit && (len > s->x->limit || s->x->written > s->x->limit - len))
			return fail(s, -EDQUOT, s->name, "over the size limit");
		while (len) {
			ssize_t w = pwrite(fd, p, len, off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			p += w, off += w, len -= (size_t)w;
			s->x->written += (uint64_t)w;
		}
		if (off > end)
			end = off;
	}
	if (r != ARCHIVE_EOF)
		return -EIO;
	/* A sparse file may end in a hole. */
	if (size > end && ftruncate(fd, size) < 0)
		return -errno;
	return 0;
}

static int make_file(struct state *s, struct archive_entry *e, int pfd, const char *base)
{
	mode_t mode = entry_mode(s, e);
	int fd, r;

	for (int tries = 0;; tries++) {
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST || tries)
			break;
		if ((r = clear_slot(s, pfd, base, false)) < 0)
			return r;
	}
	if (fd < 0)
		return -errno;
	r = write_data(s, fd, archive_entry_size(e));
	if (r == -EIO)
		r = fail(s, r, s->name, archive_error_string(s->a));
	/* Owner before mode: chown clears setuid bits. */
	if (!r && (s->x->flags & EXTRACT_OWNERS) &&
	    fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
		r = -errno;
	if (!r && fchmod(fd, mode) < 0)
		r = -errno;
	if (!r)
		r = set_xattrs(s, e, fd, false);
	if (!r)
		r = set_times_fd(e, fd);
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

static int add_dirmeta(struct state *s, struct archive_entry *e, const char *path)
{
	struct dirmeta *d;

	if (s->ndirs == s->capdirs) {
		size_t ncap = s->capdirs ? 2 * s->capdirs : 256;
		struct dirmeta *nv = reallocarray(s->dirs, ncap, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->dirs = nv;
		s->capdirs = ncap;
	}
	d = &s->dirs[s->ndirs];
	if (!(d->path = strdup(path)))
		return -ENOMEM;
	d->mode = entry_mode(s, e);
	d->ts[0] = archive_entry_atime_is_set(e)
		? (struct timespec){ archive_entry_atime(e), archive_entry_atime_nsec(e) }
		: (struct timespec){ .tv_nsec = UTIME_OMIT };
	d->ts[1] = archive_entry_mtime_is_set(e)
		? (struct timespec){ archive_entry_mtime(e), archive_entry_mtime_nsec(e) }
		: (struct timespec){ .tv_nsec = UTIME_OMIT };
	s->ndirs++;
	return 0;
}

static int make_dir(struct state *s, struct archive_entry *e, int pfd, const char *base)
{
	int r = clear_slot(s, pfd, base, true);
	int fd;

	if (r < 0)
		return r;
	/* Owner-writable until the end, so entries below it can be written. */
	if (r == 0 && mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
		return -errno;
	if ((s->x->flags & EXTRACT_OWNERS) &&
	    fchownat(pfd, base, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (archive_entry_xattr_count(e)) {
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = set_xattrs(s, e, fd, false);
		close(fd);
		if (r < 0)
			return r;
	}
	return add_dirmeta(s, e, s->name);
}

/* Owner, mode, xattrs and times of a node made by path (symlink, fifo, device). */
static int finish_node(struct state *s, struct archive_entry *e, int pfd, const char *base, bool link)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT },
	};
	int fd, r = 0;

	if ((s->x->flags & EXTRACT_OWNERS) &&
	    fchownat(pfd, base, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!link || archive_entry_xattr_count(e)) {
		fd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		/* fchmod does not take an O_PATH fd; the /proc link names exactly
		 * this inode, never what a path might be swapped to. */
		if (!link) {
			char proc[64];

			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
			if (chmod(proc, entry_mode(s, e)) < 0)
				r = -errno;
			/* No /proc: by name, on the node made just above. */
			if (r == -ENOENT && fchmodat(pfd, base, entry_mode(s, e), 0) == 0)
				r = 0;
		}
		if (!r)
			r = set_xattrs(s, e, fd, true);
		close(fd);
		if (r < 0)
			return r;
	}
	if (archive_entry_atime_is_set(e))
		ts[0] = (struct timespec){ archive_entry_atime(e), archive_entry_atime_nsec(e) };
	if (archive_entry_mtime_is_set(e))
		ts[1] = (struct timespec){ archive_entry_mtime(e), archive_entry_mtime_nsec(e) };
	return utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int make_symlink(struct state *s, struct archive_entry *e, int pfd, const char *base)
{
	const char *target = archive_entry_symlink(e);
	int r;

	if (!target)
		return fail(s, -EINVAL, s->name, "symlink without a target");
	for (int tries = 0;; tries++) {
		if (symlinkat(target, pfd, base) == 0)
			break;
		if (errno != EEXIST || tries)
			return -errno;
		if ((r = clear_slot(s, pfd, base, false)) < 0)
			return r;
	}
	return finish_node(s, e, pfd, base, true);
}

static int make_node(struct state *s, struct archive_entry *e, int pfd, const char *base)
{
	mode_t type = archive_entry_filetype(e);
	dev_t dev = 0;
	int r;

	if (type != AE_IFIFO) {
		if (!(s->x->flags & EXTRACT_DEVICES))
			return fail(s, -EPERM, s->name, "device node refused (only root makes them)");
		dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	}
	for (int tries = 0;; tries++) {
		if (mknodat(pfd, base, type | 0600, dev) == 0)
			break;
		if (errno != EEXIST || tries)
			return -errno;
		if ((r = clear_slot(s, pfd, base, false)) < 0)
			return r;
	}
	return finish_node(s, e, pfd, base, false);
}

static int make_hardlink(struct state *s, struct archive_entry *e, int pfd, const char *base)
{
	const char *why;
	char *tbase;
	int tpfd, r;
	struct stat a, b;

	r = extract_clean_name(archive_entry_hardlink(e), s->target, &why);
	if (r < 0) {
		char msg[160];

		snprintf(msg, sizeof(msg), "hardlink target '%.64s': %s", archive_entry_hardlink(e), why);
		return fail(s, r, s->name, msg);
	}
	if (!*s->target)
		return fail(s, -EINVAL, s->name, "hardlink to the root directory refused");
	tbase = strrchr(s->target, '/');
	if (tbase) {
		*tbase++ = '\0';
		tpfd = root_open_dir(s->rootfd, s->target, false);
	} else {
		tbase = s->target;
		tpfd = dup(s->rootfd);
		if (tpfd < 0)
			tpfd = -errno;
	}
	if (tpfd < 0)
		return fail(s, tpfd, s->name, "hardlink target not found inside the root");
	for (int tries = 0;; tries++) {
		/* No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself. */
		if (linkat(tpfd, tbase, pfd, base, 0) == 0) {
			r = 0;
			break;
		}
		r = -errno;
		if (r != -EEXIST || tries)
			break;
		if (fstatat(tpfd, tbase, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
		    fstatat(pfd, base, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			r = 0;
			break;
		}
		if ((r = clear_slot(s, pfd, base, false)) < 0)
			break;
	}
	close(tpfd);
	if (r == -ENOENT)
		return fail(s, r, s->name, "hardlink target not found inside the root");
	return r;
}

/* .wh.NAME removes NAME from lower layers; .wh..wh..opq empties its
 * directory of everything lower layers put there. */
static int apply_whiteout(struct state *s, int pfd, const char *base)
{
	const char *victim = base + strlen(WHITEOUT);
	char *dir = s->name;
	size_t dlen;
	int fd, r = 0;

	if (streq(base, OPAQUE)) {
		struct dirent *de;
		DIR *d;

		dlen = (size_t)(base - s->name);	/* "dir/" or "" */
		fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return -ENOMEM;
		}
		while ((errno = 0, de = readdir(d))) {
			if (streq(de->d_name, ".") || streq(de->d_name, ".."))
				continue;
			if (dlen + strlen(de->d_name) >= PATH_MAX)
				continue;
			strcpy(s->target, dir);
			strcpy(s->target + dlen, de->d_name);
			if (pathset_has(&s->layer, s->target))
				continue;
			s->stale = true;
			r = remove_tree(fd, de->d_name);
			if (r < 0 && r != -ENOENT)
				break;
			r = 0;
		}
		closedir(d);
		return r;
	}
	if (!strncmp(base, WHITEOUT WHITEOUT, 2 * strlen(WHITEOUT)))
		return 0;	/* other aufs metadata (.wh..wh.plnk...): nothing to apply */
	if (!*victim || streq(victim, ".") || streq(victim, ".."))
		return fail(s, -EINVAL, s->name, "bad whiteout name");
	s->stale = true;
	r = remove_tree(pfd, victim);
	return r == -ENOENT ? 0 : r;
}

static int extract_entry(struct state *s, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e), *why, *base;
	int pfd, r;

	if (!raw)
		return fail(s, -EINVAL, NULL, "entry without a name");
	r = extract_clean_name(raw, s->name, &why);
	if (r < 0)
		return fail(s, r, raw, why);
	if (!*s->name)
		return 0;	/* "./": the root itself is the caller's */
	pfd = parent_of(s, s->name, &base, true);
	if (pfd < 0)
		return fail(s, pfd, s->name, pfd == -ENOENT || pfd == -ENOTDIR
			    ? "parent directory cannot be placed inside the root" : NULL);
	if ((s->x->flags & EXTRACT_WHITEOUTS) && !strncmp(base, WHITEOUT, strlen(WHITEOUT)))
		r = apply_whiteout(s, pfd, base);
	else if (archive_entry_hardlink(e))
		r = make_hardlink(s, e, pfd, base);
	else switch (archive_entry_filetype(e)) {
	case AE_IFREG: r = make_file(s, e, pfd, base); break;
	case AE_IFDIR: r = make_dir(s, e, pfd, base); break;
	case AE_IFLNK: r = make_symlink(s, e, pfd, base); break;
	case AE_IFIFO:
	case AE_IFCHR:
	case AE_IFBLK: r = make_node(s, e, pfd, base); break;
	default: return 0;	/* sockets, as tar does, are skipped */
	}
	if (r < 0)
		return s->x->entry ? r : fail(s, r, s->name, NULL);
	if (s->x->flags & EXTRACT_WHITEOUTS)
		r = pathset_add(&s->layer, s->name);
	return r;
}

/* Modes and times of directories, now that nothing more is written below them. */
static int finish_dirs(struct state *s)
{
	int r = 0;

	forget_parent(s);
	for (size_t i = s->ndirs; i-- > 0;) {
		struct dirmeta *d = &s->dirs[i];
		const char *base;
		int pfd, fd;

		if (r < 0)
			continue;
		strcpy(s->name, d->path);
		pfd = parent_of(s, s->name, &base, false);
		if (pfd == -ENOENT || pfd == -ENOTDIR || pfd == -ELOOP)
			continue;	/* removed by a later whiteout */
		if (pfd < 0) {
			r = fail(s, pfd, d->path, NULL);
			continue;
		}
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			continue;	/* replaced by a later entry */
		if (fd < 0) {
			r = fail(s, -errno, d->path, NULL);
			continue;
		}
		if (fchmod(fd, d->mode) < 0 || futimens(fd, d->ts) < 0)
			r = fail(s, -errno, d->path, NULL);
		close(fd);
	}
	return r;
}

int extract_archive(struct archive *a, int rootfd, struct extract *x)
{
	struct state *s = calloc(1, sizeof(*s));
	struct archive_entry *e;
	int r = 0, ar;

	if (!s)
		return -ENOMEM;
	*s = (struct state){ .a = a, .rootfd = rootfd, .x = x, .keyfd = -1 };
	x->entry = NULL;
	x->why[0] = '\0';
	x->entries = 0;
	while ((ar = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (ar < ARCHIVE_WARN) {
			r = fail(s, -EIO, NULL, archive_error_string(a));
			break;
		}
		x->entries++;
		if ((r = extract_entry(s, e)) < 0)
			break;
		if (x->progress && !(x->entries & 255))
			x->progress(x->progress_arg, x->entries, archive_filter_bytes(a, -1));
	}
	if (!r)
		r = finish_dirs(s);
	forget_parent(s);
	for (size_t i = 0; i < s->ndirs; i++)
		free(s->dirs[i].path);
	free(s->dirs);
	pathset_free(&s->layer);
	free(s);
	return r;
}

void extract_free(struct extract *x)
{
	free(x->entry);
	x->entry = NULL;
}
