/* blob.h - the files of an image read as an untrusted user left them:
 * each opened confined to the image's directory, each content-addressed
 * blob checked against its digest (SHA-2 from nettle). Part of libnskit
 * (no ABI promise). All return 0 (or an fd) or -errno. */
#pragma once

#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

/* Open PATH below the directory DIRFD for reading, confined to it: no
 * symlink (nor /proc magic link) anywhere on the way, no "..", no
 * absolute PATH, and a regular file at the end (a fifo or a device is
 * never read: it is opened O_NONBLOCK, checked, then put back to
 * blocking). Returns an O_CLOEXEC fd, or -ELOOP (a symlink on the way),
 * -EXDEV (a PATH that would leave DIRFD), -EINVAL (not a regular file),
 * -ENOENT... */
int blob_open(int dirfd, const char *path);

/* A running hash of a blob, against the digest it must have. */
struct blob_hash {
	const struct nettle_hash *alg;
	union {
		struct sha256_ctx sha256;
		struct sha512_ctx sha512;
	} ctx;
	uint8_t want[SHA512_DIGEST_SIZE];
};

/* Start hashing for DIGEST ("sha256:HEX" or "sha512:HEX", checked as
 * oci_digest_parse does): -EINVAL for any other. */
int blob_hash_init(struct blob_hash *h, const char *digest);
void blob_hash_update(struct blob_hash *h, const void *buf, size_t len);
/* 0 when what was hashed has the digest, -EBADMSG when not. */
int blob_hash_check(struct blob_hash *h);

/* Read FD from offset 0 to its end and check it against DIGEST. */
int blob_verify(int fd, const char *digest);

/* Read FD from its offset to its end into a malloc'd, NUL-terminated *BUF
 * (-EFBIG past MAX bytes), checked against DIGEST unless that is NULL. */
int blob_read(int fd, const char *digest, size_t max, char **buf, size_t *len);
