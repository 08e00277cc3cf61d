/* netnsdir.c - named network namespaces, pinned the way iproute2 pins them
 * so that `ip netns`, nsenter and lsns see nskit's names and nskit sees
 * theirs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netnsdir.h"
#include "ns.h"
#include "util.h"

static bool user_names;

void netns_user_names(void)
{
	user_names = true;
}

bool netns_rootless(void)
{
	return user_names && geteuid() != 0;
}

/* An ordinary user's names live where its other runtime files do, as
 * rootless Podman keeps its netns directory: $XDG_RUNTIME_DIR, else
 * /run/user/UID where a login made one, else a directory of its own in
 * /tmp (refused when someone else made it first: jailrec_dir()). */
static const char *user_dir(void)
{
	static char dir[PATH_MAX];
	char run[64];
	const char *base[] = { getenv("XDG_RUNTIME_DIR"), run };
	struct stat st;

	if (*dir)
		return dir;
	snprintf(run, sizeof(run), "/run/user/%u", (unsigned)geteuid());
	/* Only a runtime directory of the caller's own: `su` and setpriv
	 * keep the XDG_RUNTIME_DIR of whoever ran them. */
	for (size_t i = 0; i < ARRAY_SIZE(base); i++)
		if (base[i] && *base[i] == '/' && strlen(base[i]) < sizeof(dir) - 16 &&
		    stat(base[i], &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
			snprintf(dir, sizeof(dir), "%s/nskit/netns", base[i]);
			return dir;
		}
	snprintf(dir, sizeof(dir), "/tmp/nskit-%u/netns", (unsigned)geteuid());
	return dir;
}

const char *netns_dir(void)
{
	const char *d = getenv("NSKIT_NETNS_DIR");

	if (d && *d)
		return d;
	return netns_rootless() ? user_dir() : NETNS_RUN_DIR;
}

int netns_name_check(const char *name)
{
	if (!name || !*name || streq(name, ".") || streq(name, "..") || strchr(name, '/'))
		return -EINVAL;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* The code point at S and its length, or 0 when S does not start a
 * well-formed UTF-8 sequence (overlong forms and surrogates included). */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t c = s[0];
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		len = 2, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, c &= 0x07;
	else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Control characters and whitespace: C0, space, DEL, C1 and no-break
 * space, Unicode's other White_Space, and the invisible and bidirectional
 * format characters that make a listed name read as another. */
static bool unsafe_char(uint32_t c)
{
	return c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	       (c >= 0x205f && c <= 0x206f) || c == 0x3000 || c == 0xfeff;
}

int netns_name_check_new(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	int r = netns_name_check(name);

	if (r < 0)
		return r;
	while (*s) {
		uint32_t c;
		size_t n = utf8_char(s, &c);

		if (n == 0 || unsafe_char(c))
			return -EILSEQ;
		s += n;
	}
	return 0;
}

/* The letter of BYTE's C escape (\n for a newline), or 0. */
static char c_escape(unsigned char byte)
{
	static const char from[] = "\a\b\t\n\v\f\r\\", to[] = "abtnvfr\\";
	const char *k = byte ? strchr(from, byte) : NULL;

	return k ? to[k - from] : 0;
}

char *netns_name_escape(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	char *out = malloc(4 * strlen(name) + 1), *o = out;

	if (!out)
		return NULL;
	while (*s) {
		uint32_t c;
		size_t n = utf8_char(s, &c);
		bool esc = n == 0 || unsafe_char(c) || c == '\\';

		for (size_t i = 0; i < (n ? n : 1); i++, s++) {
			if (!esc)
				*o++ = (char)*s;
			else if (c_escape(*s))
				*o++ = '\\', *o++ = c_escape(*s);
			else
				o += sprintf(o, "\\%03o", *s);
		}
	}
	*o = '\0';
	return out;
}

char *netns_path(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", netns_dir(), name) < 0)
		return NULL;
	return p;
}

static int lock_dir(void);

int netns_open(const char *name)
{
	_cleanup_free_ char *path = NULL;
	int r = netns_name_check(name);

	if (r < 0)
		return r;
	path = netns_path(name);
	if (!path)
		return -ENOMEM;
	r = ns_open_path(path, CLONE_NEWNET);
	if (r == -ENOTNAM) {
		/* A name file with no namespace on it yet may be a creator's
		 * half-way state: wait for its lock, then look again. */
		_cleanup_close_ int lock = lock_dir();

		if (lock >= 0)
			r = ns_open_path(path, CLONE_NEWNET);
	}
	return r;
}

static int make_shared(const char *dir)
{
	return mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0 ? -errno : 0;
}

int netns_dir_prepare(void)
{
	const char *dir = netns_dir();
	_cleanup_close_ int fd = -1;
	int r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* Common case: already a mount point, and this is one syscall. */
	r = make_shared(dir);
	if (r != -EINVAL)
		return r;
	/* Not a mount point yet: bind it onto itself so it can be made
	 * shared. Serialised, or concurrent callers stack bind mounts. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0)
		return -errno;
	r = make_shared(dir);
	if (r != -EINVAL)
		return r;
	if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	r = make_shared(dir);
	if (r < 0)
		umount2(dir, MNT_DETACH);
	return r;
}

/* Held while a name file exists but has no namespace on it yet, so a
 * concurrent creator of the same name waits and then finds it whole. */
static int lock_dir(void)
{
	int fd = open(netns_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Create DIR/NAME empty, exclusively; mode 0 as iproute2 makes it. */
static int create_name_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int pin_locked(const char *name, const char *nspath, bool create)
{
	_cleanup_free_ char *path = netns_path(name);
	int r;

	if (!path)
		return -ENOMEM;
	r = create_name_file(path);
	if (r < 0)
		return r;
	if (create && unshare(CLONE_NEWNET) < 0)
		goto fail;
	if (mount(nspath, path, "none", MS_BIND, NULL) < 0)
		goto fail;
	return 0;
fail:
	r = -errno;
	unlink(path);
	return r;
}

static int pin(const char *name, const char *nspath, bool create)
{
	_cleanup_close_ int lock = -1;
	int r = netns_name_check_new(name);

	if (r < 0)
		return r;
	r = netns_dir_prepare();
	if (r < 0)
		return r;
	lock = lock_dir();
	if (lock < 0)
		return lock;
	return pin_locked(name, nspath, create);
}

int netns_pin(const char *name, const char *nspath)
{
	return pin(name, nspath, false);
}

int netns_create(const char *name)
{
	/* thread-self: the namespace this thread just unshared. */
	return pin(name, "/proc/thread-self/ns/net", true);
}

int netns_create_unique(const char *prefix, char *name, size_t size)
{
	_cleanup_close_ int lock = -1;
	int r;

	r = netns_dir_prepare();
	if (r < 0)
		return r;
	lock = lock_dir();
	if (lock < 0)
		return lock;
	for (int tries = 0; tries < 100; tries++) {
		unsigned char rnd[3];

		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -errno;
		if (snprintf(name, size, "%s-%02x%02x%02x", prefix, rnd[0], rnd[1], rnd[2]) >= (int)size)
			return -ENAMETOOLONG;
		r = netns_name_check(name);
		if (r < 0)
			return r;
		r = pin_locked(name, "/proc/thread-self/ns/net", true);
		if (r != -EEXIST)
			return r;
	}
	return -EEXIST;
}

int netns_unpin(const char *name)
{
	_cleanup_free_ char *path = NULL;
	int r = netns_name_check(name);

	if (r < 0)
		return r;
	path = netns_path(name);
	if (!path)
		return -ENOMEM;
	/* NOFOLLOW: an entry may be a symlink to /proc/PID/ns/net (the old
	 * hand-made way); unmounting through it would hit the wrong thing.
	 * Loop: a name attached twice by hand carries stacked mounts. */
	for (int i = 0; i < 16; i++)
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			break;
	if (errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

int netns_names(char ***names, size_t *count)
{
	DIR *d = opendir(netns_dir());
	char **v = calloc(1, sizeof(*v));
	size_t n = 0, cap = 1;
	struct dirent *e;
	int r = 0;

	if (!v) {
		r = -ENOMEM;
		goto out;
	}
	if (!d) {
		/* No directory yet means no names, as for `ip netns list`. */
		r = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	while ((errno = 0, e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		if (n + 1 >= cap) {
			char **nv = reallocarray(v, cap *= 2, sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		if (!(v[n] = strdup(e->d_name))) {
			r = -ENOMEM;
			goto out;
		}
		v[++n] = NULL;
	}
	if (errno)
		r = -errno;
out:
	if (d)
		closedir(d);
	if (r < 0) {
		netns_names_free(v);
		return r;
	}
	*names = v;
	*count = n;
	return 0;
}

void netns_names_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}
