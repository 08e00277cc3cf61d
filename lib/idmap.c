/* idmap.c - user namespace id maps: parse, validate, subordinate ids,
 * write. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idmap.h"
#include "parse.h"
#include "util.h"

/* IN+N and OUT+N must not reach 2^32: the kernel refuses an extent whose
 * end wraps, which keeps (uid_t)-1 out of every map. */
static bool range_fits(const struct idmap_range *r)
{
	return r->count > 0 && (uint64_t)r->in + r->count <= UINT32_MAX &&
	       (uint64_t)r->out + r->count <= UINT32_MAX;
}

int idmap_parse_range(const char *s, struct idmap_range *r)
{
	char buf[64];
	char *f[3], *p;
	uint32_t v[3];

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	p = buf;
	for (int i = 0; i < 3; i++) {
		f[i] = p;
		p = strchr(p, ':');
		if (i < 2) {
			if (!p)
				return -EINVAL;
			*p++ = '\0';
		} else if (p) {
			return -EINVAL;
		}
	}
	for (int i = 0; i < 3; i++) {
		int e = parse_u32(f[i], &v[i]);

		if (e < 0)
			return e;
	}
	*r = (struct idmap_range){ .in = v[0], .out = v[1], .count = v[2] };
	return range_fits(r) ? 0 : -ERANGE;
}

static bool overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
	return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

int idmap_format(const struct idmap *m, char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		int k = snprintf(buf + len, size - len, "%u %u %u\n", m->r[i].in, m->r[i].out, m->r[i].count);

		if (k < 0 || (size_t)k >= size - len)
			return -E2BIG;
		len += k;
	}
	return (int)len;
}

int idmap_add(struct idmap *m, const struct idmap_range *r)
{
	char buf[IDMAP_MAX_BYTES + 1];

	if (!range_fits(r))
		return -ERANGE;
	if (m->n >= IDMAP_MAX_RANGES)
		return -E2BIG;
	for (size_t i = 0; i < m->n; i++)
		if (overlap(m->r[i].in, m->r[i].count, r->in, r->count) ||
		    overlap(m->r[i].out, m->r[i].count, r->out, r->count))
			return -EEXIST;
	m->r[m->n++] = *r;
	if (idmap_format(m, buf, sizeof(buf)) < 0) {
		m->n--;
		return -E2BIG;
	}
	return 0;
}

int idmap_subids(const char *file, const char *name, uint32_t id, struct idmap_range *out,
		 size_t max, size_t *n)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;
	char idstr[16];
	int r = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	snprintf(idstr, sizeof(idstr), "%u", id);
	while (getline(&line, &cap, f) > 0) {
		char *owner = line, *start, *count;
		uint32_t s, c;

		line[strcspn(line, "\n")] = '\0';
		/* owner:start:count; comments and malformed lines are skipped,
		 * as shadow's subordinate id code skips them. */
		if (!(start = strchr(owner, ':')))
			continue;
		*start++ = '\0';
		if (!(count = strchr(start, ':')))
			continue;
		*count++ = '\0';
		if (!((name && streq(owner, name)) || streq(owner, idstr)))
			continue;
		if (parse_u32(start, &s) < 0 || parse_u32(count, &c) < 0 || c == 0 ||
		    (uint64_t)s + c > UINT32_MAX)
			continue;
		if (*n >= max) {
			r = -E2BIG;
			break;
		}
		out[(*n)++] = (struct idmap_range){ .in = 0, .out = s, .count = c };
	}
	free(line);
	fclose(f);
	return r;
}

int idmap_own_gid(uint32_t *gid)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwuid(getuid());
	if (!pw)
		return errno ? -errno : -ENOENT;
	*gid = pw->pw_gid;
	return 0;
}

int idmap_from_subids(struct idmap *m, uint32_t own, const struct idmap_range *sub, size_t nsub)
{
	struct idmap_range r = { 0, own, 1 };
	uint64_t next = 1;
	int e;

	if (nsub == 0)
		return -ENOENT;
	m->n = 0;
	e = idmap_add(m, &r);
	for (size_t i = 0; e == 0 && i < nsub; i++) {
		if (next + sub[i].count > UINT32_MAX)
			return -ERANGE;
		r = (struct idmap_range){ (uint32_t)next, sub[i].out, sub[i].count };
		e = idmap_add(m, &r);
		next += sub[i].count;
	}
	return e;
}

bool idmap_range_allowed(const struct idmap_range *r, const struct idmap_range *allowed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r->out >= allowed[i].out &&
		    (uint64_t)r->out + r->count <= (uint64_t)allowed[i].out + allowed[i].count)
			return true;
	return false;
}

static int write_file(int dirfd, const char *file, const char *text, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, text, len);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

int idmap_write(int dirfd, const char *file, const struct idmap *m)
{
	char buf[IDMAP_MAX_BYTES + 1];
	int len = idmap_format(m, buf, sizeof(buf));

	if (len < 0)
		return len;
	if (len == 0)
		return -EINVAL;
	return write_file(dirfd, file, buf, len);
}

int idmap_setgroups(int dirfd, bool allow)
{
	const char *s = allow ? "allow" : "deny";

	return write_file(dirfd, "setgroups", s, strlen(s));
}

int idmap_read(int dirfd, const char *file, struct idmap *m)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	FILE *f;
	unsigned a, b, c;
	int r = 0;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "re");
	if (!f)
		return -errno;
	steal_fd(&fd);
	m->n = 0;
	while (fscanf(f, "%u %u %u", &a, &b, &c) == 3) {
		if (m->n >= IDMAP_MAX_RANGES) {
			r = -E2BIG;
			break;
		}
		m->r[m->n++] = (struct idmap_range){ a, b, c };
	}
	if (ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

int idmap_add_spec(struct idmap *m, const char *spec)
{
	struct idmap_range r;
	int e = idmap_parse_range(spec, &r);

	return e < 0 ? e : idmap_add(m, &r);
}

const char *idmap_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case EINVAL:
		return "not IN:OUT:COUNT";
	case ERANGE:
		return "count is 0 or the range passes 4294967294";
	case EEXIST:
		return "overlaps an earlier range";
	case E2BIG:
		return "more ranges than the kernel takes (340)";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
