/* blob.c - confined opening and digest checks of image files (blob.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "blob.h"
#include "oci.h"
#include "util.h"

#define CHUNK (128 << 10)

/* Where openat2 is missing (Linux before 5.6, or a seccomp filter that
 * says ENOSYS): one component at a time, never following a symlink. PATH
 * holds no ".." (checked by the caller), so this is all RESOLVE_BENEATH
 * and RESOLVE_NO_SYMLINKS would do. */
static int walk_beneath(int dirfd, const char *path, int flags)
{
	_cleanup_close_ int cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char name[NAME_MAX + 1];

	if (cur < 0)
		return -errno;
	for (const char *p = path;;) {
		size_t len = strcspn(p, "/");
		bool last = !p[len + strspn(p + len, "/")];
		struct stat st;
		int fd;

		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = '\0';
		fd = openat(cur, name, last ? flags : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		/* A symlink met on the way is ENOTDIR here, ELOOP at the end. */
		if (fd < 0 && errno == ENOTDIR && fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			errno = ELOOP;
		if (fd < 0)
			return -errno;
		close(cur);
		cur = fd;
		if (last)
			return steal_fd(&cur);
		p += len;
		p += strspn(p, "/");
	}
}

int blob_open(int dirfd, const char *path)
{
	static int have_openat2 = -1;
	const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct open_how how = {
		.flags = flags,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!*path || *path == '/')
		return -EXDEV;
	for (const char *p = path; *p; p += strcspn(p, "/"), p += strspn(p, "/"))
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return -EXDEV;
	/* NSKIT_NO_OPENAT2 makes the tests walk the fallback on any kernel. */
	if (have_openat2 < 0)
		have_openat2 = !getenv("NSKIT_NO_OPENAT2");
	/* EAGAIN: a rename or mount raced the lookup; the kernel asks us to retry. */
	for (int tries = 0; have_openat2 && tries < 16; tries++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (have_openat2 && fd < 0 && errno == ENOSYS)
		have_openat2 = 0;
	if (!have_openat2)
		fd = walk_beneath(dirfd, path, flags);
	else if (fd < 0)
		fd = -errno;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (fcntl(fd, F_SETFL, 0) < 0)
		return -errno;
	return steal_fd(&fd);
}

static int unhex(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

int blob_hash_init(struct blob_hash *h, const char *digest)
{
	const char *hex;
	int alg = oci_digest_parse(digest, &hex);

	if (alg < 0)
		return alg;
	h->alg = alg == OCI_SHA256 ? &nettle_sha256 : &nettle_sha512;
	for (size_t i = 0; i < h->alg->digest_size; i++)
		h->want[i] = (uint8_t)(unhex(hex[2 * i]) << 4 | unhex(hex[2 * i + 1]));
	h->alg->init(&h->ctx);
	return 0;
}

void blob_hash_update(struct blob_hash *h, const void *buf, size_t len)
{
	h->alg->update(&h->ctx, len, buf);
}

int blob_hash_check(struct blob_hash *h)
{
	uint8_t got[SHA512_DIGEST_SIZE];

	h->alg->digest(&h->ctx, h->alg->digest_size, got);
	return memcmp(got, h->want, h->alg->digest_size) ? -EBADMSG : 0;
}

int blob_verify(int fd, const char *digest)
{
	struct blob_hash h;
	char *buf;
	off_t off = 0;
	ssize_t n;
	int r = blob_hash_init(&h, digest);

	if (r < 0)
		return r;
	if (!(buf = malloc(CHUNK)))
		return -ENOMEM;
	while ((n = pread(fd, buf, CHUNK, off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		blob_hash_update(&h, buf, (size_t)n);
		off += n;
	}
	free(buf);
	return r < 0 ? r : blob_hash_check(&h);
}

int blob_read(int fd, const char *digest, size_t max, char **buf, size_t *len)
{
	struct blob_hash h;
	size_t cap = 0, n = 0;
	char *b = NULL;
	int r = digest ? blob_hash_init(&h, digest) : 0;

	while (r == 0) {
		ssize_t k;

		if (cap - n < 2) {
			size_t ncap = cap ? 2 * cap : 4096;
			char *nb = realloc(b, ncap);

			if (!nb) {
				r = -ENOMEM;
				break;
			}
			b = nb, cap = ncap;
		}
		k = read(fd, b + n, cap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : 0;
			break;
		}
		n += (size_t)k;
		if (n > max)
			r = -EFBIG;
	}
	if (r == 0 && digest) {
		blob_hash_update(&h, b, n);
		r = blob_hash_check(&h);
	}
	if (r < 0) {
		free(b);
		return r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
