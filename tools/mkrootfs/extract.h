/* extract.h - unpack an archive into a directory without ever writing
 * outside it, whatever the archive holds. Part of mkrootfs's own library (no ABI promise).
 *
 * Every path is resolved by the kernel inside the root directory
 * (openat2 RESOLVE_IN_ROOT: symlinks resolve as if the root were "/", the
 * way container runtimes do), and each entry is then made with an *at()
 * call on its last component that never follows a symlink. Names that are
 * absolute or hold ".." are refused outright, before any syscall. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct archive;

enum {
	EXTRACT_OWNERS = 1 << 0,	/* set the entries' numeric owners */
	EXTRACT_DEVICES = 1 << 1,	/* make device nodes (else refuse them) */
	EXTRACT_SETUID = 1 << 2,	/* keep setuid/setgid bits and file capabilities */
	EXTRACT_WHITEOUTS = 1 << 3,	/* an image layer: apply .wh.NAME and .wh..wh..opq */
};

struct extract {
	unsigned flags;
	/* Called every few hundred entries; bytes_in is what the archive has
	 * read from its source so far. May be NULL. */
	void (*progress)(void *arg, uint64_t entries, int64_t bytes_in);
	void *progress_arg;
	/* In: a cap on the bytes of file content written, WRITTEN included
	 * (0: none); an entry that would pass it fails with -EDQUOT before
	 * any byte over is written. In and out: WRITTEN, bytes of file
	 * content written so far (a caller unpacking several archives into
	 * one root carries it from one to the next). */
	uint64_t limit, written;
	/* Out, on failure: the entry at fault (malloc'd, or NULL when the
	 * archive itself is bad) and, when the returned -errno alone does not
	 * say it, why (else empty). */
	char *entry;
	char why[256];
	uint64_t entries;	/* out: entries read */
};

/* Read every entry of A (opened by the caller) into the directory ROOTFD.
 * Directories get their modes and times after all entries. Returns 0 or
 * -errno with X->entry / X->why set. Call extract_free(X) afterwards. */
int extract_archive(struct archive *a, int rootfd, struct extract *x);
void extract_free(struct extract *x);

/* Check and tidy an entry name: leading "./" and "//" dropped; absolute
 * names, ".." components, names of PATH_MAX bytes or more and components
 * over NAME_MAX are refused (-EINVAL / -ENAMETOOLONG, *why set). OUT has
 * room for PATH_MAX bytes; "" is the root itself. */
int extract_clean_name(const char *in, char *out, const char **why);

/* An O_PATH fd of directory PATH resolved inside ROOTFD (PATH "" or "."
 * is ROOTFD itself, dup'ed). With CREATE, missing directories are made
 * (mode 0755), each inside the root. Returns the fd or -errno. */
int root_open_dir(int rootfd, const char *path, bool create);

/* Remove NAME in DIRFD and, when a directory, all below it, never
 * following a symlink. Returns 0 or -errno (-ENOENT when NAME is absent). */
int remove_tree(int dirfd, const char *name);

/* Remove everything inside directory DIRFD (it stays). */
int remove_contents(int dirfd);
