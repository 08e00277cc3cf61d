/* mkrootfs - make a root filesystem for a jail: host programs with their
 * shared libraries, or an image (tarball, OCI layout, docker save archive)
 * unpacked without ever writing outside DIR.
 *   mkrootfs DIR --from-host PROG... | --from-tar FILE | --from-oci DIR[:TAG]
 *   [--max-size SIZE]
 * Siblings: nsnew(1) runs a command with --rootfs DIR; nsjoin(8). */
#include <archive.h>
#include <archive_entry.h>
#include <argp.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blob.h"
#include "elfdeps.h"
#include "extract.h"
#include "imagecfg.h"
#include "msg.h"
#include "oci.h"
#include "parse.h"
#include "undo.h"
#include "util.h"

#define MAX_JSON (16 << 20)
/* Bytes read from an archive at a time: large enough that reads cost
 * nothing next to the files written, small enough to keep memory low. */
#define READ_BLOCK (128 << 10)

struct opts {
	const char *dir;
	char **progs;
	int nprogs;
	char **copies;
	int ncopies;
	const char *tar, *oci, *docker, *hostname;
	const char *max_size;	/* as given, for messages */
	uint64_t max_bytes;
	bool force, from_host, keep_setuid, with_nss;
};

enum {
	OPT_COPY = 'c', OPT_FORCE = 'f', OPT_VERBOSE = 'v',
	OPT_DOCKER = 0x100, OPT_HOST, OPT_OCI, OPT_TAR, OPT_HOSTNAME, OPT_SETUID, OPT_NSS,
	OPT_MAX_SIZE,
};

static const struct argp_option options[] = {
	{ "copy", OPT_COPY, "FILE", 0, "also copy FILE from the host (same path inside)", 0 },
	{ "force", OPT_FORCE, NULL, 0, "write into DIR even when it is not empty", 0 },
	{ "from-docker-archive", OPT_DOCKER, "FILE[:TAG]", 0, "unpack the image of a `docker save` archive", 0 },
	{ "from-host", OPT_HOST, NULL, 0, "copy PROGs (names in PATH, or paths), their loader and libraries, and a skeleton", 0 },
	{ "from-oci", OPT_OCI, "DIR[:TAG]", 0, "unpack an OCI image layout, layer by layer", 0 },
	{ "from-tar", OPT_TAR, "FILE|-", 0, "unpack a root filesystem tarball (.tar, .gz, .xz, .zst, .bz2)", 0 },
	{ "hostname", OPT_HOSTNAME, "NAME", 0, "etc/hostname and etc/hosts name (default: localhost)", 0 },
	{ "keep-setuid", OPT_SETUID, NULL, 0, "keep setuid/setgid bits and file capabilities", 0 },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0, "write at most SIZE bytes of file content into DIR (K, M, G, T: KiB...)", 0 },
	{ "verbose", OPT_VERBOSE, NULL, 0, "print each host file copied", 0 },
	{ "with-nss", OPT_NSS, NULL, 0, "add the NSS modules etc/nsswitch.conf names", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const char doc[] =
	"Make a root filesystem for a jail in DIR.\v"
	"With --from-host each PROG is copied with its ELF interpreter and the\n"
	"closure of its DT_NEEDED libraries, found the way ld.so finds them, plus\n"
	"a skeleton (proc sys dev tmp run etc, with hosts, hostname, resolv.conf,\n"
	"passwd, group, nsswitch.conf). An image is unpacked with every path\n"
	"resolved inside DIR, symlinks as if DIR were /: entries with absolute\n"
	"names or '..', links out of DIR, device nodes when not root are refused\n"
	"with the entry's name; setuid bits are cleared unless --keep-setuid.\n"
	"An image's Env, WorkingDir, Entrypoint, Cmd and User are kept in\n"
	"DIR/.nskit/image.json, which nsnew --rootfs DIR applies.\n"
	"An image's blobs are read only from inside it (no symlinks) and each is\n"
	"checked against its sha256/sha512 digest before DIR gets a byte.\n"
	"\n"
	"Examples:\n"
	"  mkrootfs /tmp/r --from-host sh ls ps && chroot /tmp/r /bin/sh -c 'ls /'\n"
	"  docker export c1 | zstd | mkrootfs /tmp/c1 --from-tar -\n"
	"  mkrootfs /tmp/a --from-oci ./oci:latest && nsnew -a --rootfs /tmp/a\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.";

/* `mkrootfs --from-host sh DIR`: the first operand is not a directory,
 * and it names a program on PATH or the last operand is a directory. */
static bool looks_swapped(const struct opts *o)
{
	const char *path = getenv("PATH"), *last = o->progs[o->nprogs - 1];
	struct stat st;

	if (stat(o->dir, &st) == 0 && S_ISDIR(st.st_mode))
		return false;
	if (stat(last, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	for (const char *p = path; !strchr(o->dir, '/') && p && *p; p += strcspn(p, ":"), p += *p == ':') {
		char prog[PATH_MAX];
		int len = (int)strcspn(p, ":");

		if (len && snprintf(prog, sizeof(prog), "%.*s/%s", len, p, o->dir) < (int)sizeof(prog) &&
		    access(prog, X_OK) == 0)
			return true;
	}
	return false;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case OPT_COPY: o->copies[o->ncopies++] = arg; break;
	case OPT_FORCE: o->force = true; break;
	case OPT_DOCKER: o->docker = arg; break;
	case OPT_HOST: o->from_host = true; break;
	case OPT_OCI: o->oci = arg; break;
	case OPT_TAR: o->tar = arg; break;
	case OPT_HOSTNAME:
		if (!*arg || strlen(arg) > 64 || strpbrk(arg, "/ \t\n"))
			argp_error(state, "'%s': not a host name", arg);
		o->hostname = arg;
		break;
	case OPT_SETUID: o->keep_setuid = true; break;
	case OPT_MAX_SIZE:
		if (parse_size(arg, 1, UINT64_MAX, &o->max_bytes) < 0)
			argp_error(state, "'%s': not a size (bytes, or with a K, M, G or T suffix)", arg);
		o->max_size = arg;
		break;
	case OPT_VERBOSE: nskit_verbose++; break;
	case OPT_NSS: o->with_nss = true; break;
	case ARGP_KEY_INIT:
		o->progs = calloc(state->argc, sizeof(char *));
		o->copies = calloc(state->argc, sizeof(char *));
		if (!o->progs || !o->copies)
			xerrc(EXIT_FAIL, ENOMEM, "parse");
		break;
	case ARGP_KEY_ARG:
		if (!o->dir)
			o->dir = arg;
		else
			o->progs[o->nprogs++] = arg;
		break;
	case ARGP_KEY_END:
		if (!o->dir)
			argp_error(state, "DIR is required");
		if (!!o->tar + !!o->oci + !!o->docker > 1)
			argp_error(state, "give one of --from-tar, --from-oci, --from-docker-archive");
		if (o->nprogs && !o->from_host)
			argp_error(state, "'%s': PROG operands need --from-host", o->progs[0]);
		if (o->from_host && !o->nprogs)
			argp_error(state, "--from-host needs at least one PROG");
		if (o->from_host && looks_swapped(o)) {
			fprintf(stderr, "%s: '%s' looks like a PROG and '%s' like DIR: DIR comes first\n",
				program_invocation_short_name, o->dir, o->progs[o->nprogs - 1]);
			argp_state_help(state, stderr, ARGP_HELP_USAGE | ARGP_HELP_SEE | ARGP_HELP_EXIT_ERR);
		}
		if (!o->from_host && !o->ncopies && !o->tar && !o->oci && !o->docker)
			argp_error(state, "nothing to put in DIR: give --from-host, --from-tar, --from-oci, --from-docker-archive or --copy");
		if (o->docker && streq(o->docker, "-"))
			argp_error(state, "--from-docker-archive reads FILE once per layer: not from standard input");
		if (o->with_nss && !o->from_host)
			argp_error(state, "--with-nss is for --from-host");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	options, parse_opt,
	"DIR --from-host PROG... [--with-nss] [--copy FILE]...\n"
	"DIR --from-tar FILE|-\n"
	"DIR --from-oci DIR[:TAG]\n"
	"DIR --from-docker-archive FILE[:TAG]",
	doc, NULL, NULL, NULL,
};

/* The root being made, handed to every step: where it is, the bytes of
 * file content written so far (for --max-size), and main()'s undo stack,
 * which a failure unwinds: a DIR we made goes, a DIR that was empty is
 * emptied again. */
struct job {
	const struct opts *o;
	const char *path;
	int fd;
	uint64_t written;
	struct undo *u;
};

static bool fsize_limited(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
}

/* The command failed: take back what it made (J's undo stack), say why, exit 1. */
__attribute__((format(printf, 3, 4)))
static noreturn void die(const struct job *j, int errnum, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* SIGXFSZ is ignored (main): a write past `ulimit -f` is EFBIG, said so. */
	if ((errnum == EFBIG || errnum == -EFBIG) && fsize_limited())
		xundo(j->u, EXIT_FAIL, 0, "%s: file size limit exceeded (ulimit -f)", msg ? msg : fmt);
	xundo(j->u, EXIT_FAIL, errnum, "%s", msg ? msg : fmt);
}

/* N more bytes of file content, for WHAT, go into DIR: within --max-size. */
static void charge(struct job *j, uint64_t n, const char *what)
{
	uint64_t limit = j->o->max_bytes;

	if (limit && (n > limit || j->written > limit - n))
		die(j, 0, "%s: over the size limit (--max-size %s)", what, j->o->max_size);
	j->written += n;
}

/* Undo steps of the root, whose job is ARG. */
static int undo_mkdir(void *arg)
{
	const struct job *j = arg;

	return rmdir(j->path) < 0 ? -errno : 0;
}

static int undo_fill(void *arg)
{
	const struct job *j = arg;

	return remove_contents(j->fd);
}

/* Open DIR as J's root, made if missing; one that is not empty only with
 * --force. What a failure is to take back is pushed on J's stack. */
static void open_root(struct job *j)
{
	const char *dir = j->o->dir;
	bool was_empty = true;
	struct dirent *e;
	DIR *d;
	int fd;

	j->path = dir;
	if (mkdir(dir, 0755) == 0) {
		if (undo_push(j->u, undo_mkdir, j, NULL) < 0)
			xundo(j->u, EXIT_FAIL, ENOMEM, "%s", dir);
	} else if (errno != EEXIST) {
		xundo(j->u, EXIT_FAIL, errno, "%s", dir);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 0));
	if (!d)
		xundo(j->u, EXIT_FAIL, errno, "%s", dir);
	while ((e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
			was_empty = false;
	closedir(d);
	if (!was_empty && !j->o->force)
		xundo(j->u, EXIT_FAIL, 0, "%s: directory not empty (--force writes into it)", dir);
	j->fd = fd;
	if (was_empty && undo_push(j->u, undo_fill, j, NULL) < 0)
		xundo(j->u, EXIT_FAIL, ENOMEM, "%s", dir);
}

/* --- images ------------------------------------------------------------ */

struct progress {
	const char *label;
	int64_t total;		/* bytes of the source, or 0 when unknown */
	struct timespec last;
	bool shown;
};

static void show_progress(void *arg, uint64_t entries, int64_t bytes)
{
	struct progress *p = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - p->last.tv_sec + (now.tv_nsec - p->last.tv_nsec) / 1e9 < 0.25)
		return;
	p->last = now;
	p->shown = true;
	if (p->total > 0)
		fprintf(stderr, "\r%s: %s: %ju entries, %jd%%\033[K", program_invocation_short_name,
			p->label, (uintmax_t)entries, (intmax_t)(100 * bytes / p->total));
	else
		fprintf(stderr, "\r%s: %s: %ju entries, %jd MiB\033[K", program_invocation_short_name,
			p->label, (uintmax_t)entries, (intmax_t)(bytes >> 20));
}

static struct archive *new_reader(const struct job *j)
{
	struct archive *a = archive_read_new();

	if (!a)
		die(j, ENOMEM, "archive");
	/* The filters Debian's libarchive has built in, by name: "all" would
	 * add ones that run external programs (lzop, lrzip, grzip...). */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_format_tar(a);
	return a;
}

static unsigned extract_flags(const struct opts *o)
{
	unsigned f = 0;

	if (geteuid() == 0)
		f |= EXTRACT_OWNERS | EXTRACT_DEVICES;
	if (o->keep_setuid)
		f |= EXTRACT_SETUID;
	return f;
}

/* S as it may be shown on one line: control characters (a newline in an
 * entry name could forge a second message) become '?', and a long S is
 * cut with "...". */
static char *printable(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; s && *s && n + 4 < size; s++)
		out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	if (s && *s)
		strcpy(out + n, "...");
	else
		out[n] = '\0';
	return out;
}

/* Unpack the archive A into the root; LABEL names it in messages. */
static void unpack(struct job *j, struct archive *a, const char *label, unsigned flags, int64_t total)
{
	struct progress p = { .label = label, .total = total };
	struct extract x = { .flags = extract_flags(j->o) | flags, .limit = j->o->max_bytes, .written = j->written };
	int r;

	if (isatty(STDERR_FILENO)) {
		x.progress = show_progress;
		x.progress_arg = &p;
		clock_gettime(CLOCK_MONOTONIC, &p.last);
	}
	r = extract_archive(a, j->fd, &x);
	if (p.shown)
		fprintf(stderr, "\r\033[K");
	if (r < 0) {
		char name[128], why[sizeof(x.why)];

		printable(x.entry, name, sizeof(name));
		printable(x.why, why, sizeof(why));
		if (r == -EDQUOT && x.entry && *why)
			die(j, 0, "%s: %s: %s (--max-size %s)", label, name, why, j->o->max_size);
		if (x.entry && *why)
			die(j, 0, "%s: %s: %s", label, name, why);
		if (x.entry)
			die(j, r, "%s: %s", label, name);
		die(j, *why ? 0 : r, "%s: %s", label, *why ? why : "bad archive");
	}
	j->written = x.written;
	extract_free(&x);
}

static int open_input(const struct job *j, const char *label, const char *path, int dirfd, int64_t *size)
{
	struct stat st;
	int fd = streq(path, "-") ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0) : openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && label)
		die(j, errno, "%s: %s", label, path);
	if (fd < 0)
		die(j, errno, "%s", path);
	*size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
	return fd;
}

static void from_tar(struct job *j)
{
	const struct opts *o = j->o;
	int64_t size;
	int fd = open_input(j, NULL, o->tar, AT_FDCWD, &size);
	struct archive *a = new_reader(j);

	if (archive_read_open_fd(a, fd, READ_BLOCK) != ARCHIVE_OK)
		die(j, 0, "%s: %s", o->tar, archive_error_string(a));
	unpack(j, a, streq(o->tar, "-") ? "stdin" : o->tar, 0, size);
	archive_read_free(a);
	close(fd);
}

/* REF is SOURCE or SOURCE:TAG, where TAG may hold ':' itself (repo:tag):
 * the split is at the first ':' whose left side exists; a REF that exists
 * as given has no tag. */
static char *split_tag(const struct job *j, const char *ref, const char **tag)
{
	char *src = strdup(ref), *colon;

	if (!src)
		die(j, ENOMEM, "%s", ref);
	*tag = NULL;
	if (access(src, F_OK) == 0)
		return src;
	for (colon = strchr(src, ':'); colon; colon = strchr(colon + 1, ':')) {
		*colon = '\0';
		if (access(src, F_OK) == 0) {
			*tag = ref + (colon - src) + 1;
			return src;
		}
		*colon = ':';
	}
	colon = strrchr(src, ':');	/* SOURCE is missing: say so by its name */
	if (colon) {
		*colon = '\0';
		*tag = ref + (colon - src) + 1;
	}
	return src;
}

/* A file of the layout, opened confined to it (blob_open): a symlink,
 * fifo or device there is refused, so a layout one user made never has
 * mkrootfs, run by another, read what it points to. */
static int layout_open(const struct job *j, int dfd, const char *dir, const char *what, const char *path)
{
	int fd = blob_open(dfd, path);
	const char *sp = *what ? " " : "";

	if (fd == -ELOOP)
		die(j, 0, "%s: %s%s%s: a symlink: refused (a layout is read only from inside it)", dir, what, sp, path);
	if (fd == -EINVAL)
		die(j, 0, "%s: %s%s%s: not a regular file", dir, what, sp, path);
	if (fd < 0)
		die(j, fd, "%s: %s%s%s", dir, what, sp, path);
	return fd;
}

/* A layout's file that names no digest, read whole. */
static char *read_layout_file(const struct job *j, int dfd, const char *dir, const char *path, size_t *len)
{
	_cleanup_close_ int fd = layout_open(j, dfd, dir, "", path);
	char *buf;
	int r = blob_read(fd, NULL, MAX_JSON, &buf, len);

	if (r == -EFBIG)
		die(j, 0, "%s: %s: larger than %d MiB", dir, path, MAX_JSON >> 20);
	if (r < 0)
		die(j, r, "%s: %s", dir, path);
	return buf;
}

static noreturn void blob_error(const struct job *j, int r, const char *dir, const char *what, const char *digest)
{
	if (r == -EBADMSG)
		die(j, 0, "%s: %s %s: content does not match its digest", dir, what, digest);
	if (r == -EFBIG)
		die(j, 0, "%s: %s %s: larger than %d MiB", dir, what, digest, MAX_JSON >> 20);
	die(j, r, "%s: %s %s", dir, what, digest);
}

/* Blob DIGEST of the layout, opened; WHAT names it in messages. */
static int open_blob(const struct job *j, int dfd, const char *dir, const char *what, const char *digest)
{
	_cleanup_free_ char *path = NULL;
	char msg[128];

	if (oci_blob_path(digest, &path) < 0)
		die(j, 0, "%s: %s '%s': not a valid digest", dir, what, printable(digest, msg, sizeof(msg)));
	return layout_open(j, dfd, dir, what, path);
}

/* A JSON blob (image index, manifest, config), read whole and checked
 * against its digest before a byte of it is parsed. */
static char *read_blob(const struct job *j, int dfd, const char *dir, const char *what, const char *digest, size_t *len)
{
	_cleanup_close_ int fd = open_blob(j, dfd, dir, what, digest);
	char *buf;
	int r = blob_read(fd, digest, MAX_JSON, &buf, len);

	if (r < 0)
		blob_error(j, r, dir, what, digest);
	return buf;
}

/* A layer fed to libarchive and hashed on the way. */
struct hashed {
	int fd;
	struct blob_hash h;
	char buf[READ_BLOCK];
};

static la_ssize_t hashed_read(struct archive *a, void *data, const void **buf)
{
	struct hashed *in = data;
	ssize_t n;

	do
		n = read(in->fd, in->buf, sizeof(in->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	blob_hash_update(&in->h, in->buf, (size_t)n);
	*buf = in->buf;
	return n;
}

/* Unpack layer FD, whose digest was checked before any layer was
 * unpacked, from its start. It is hashed again as it is read, to its end
 * (past the end of the tar, which libarchive does not read): a blob
 * changed since the check fails the run like any other error. */
static void unpack_layer(struct job *j, int fd, const char *digest, const char *label)
{
	struct hashed *in = malloc(sizeof(*in));
	struct archive *a = new_reader(j);
	struct stat st;
	ssize_t n;

	if (!in)
		die(j, ENOMEM, "%s", label);
	in->fd = fd;
	if (blob_hash_init(&in->h, digest) < 0 || fstat(fd, &st) < 0)
		die(j, errno, "%s", label);
	if (archive_read_open(a, in, NULL, hashed_read, NULL) != ARCHIVE_OK)
		die(j, 0, "%s: %s", label, archive_error_string(a));
	unpack(j, a, label, EXTRACT_WHITEOUTS, st.st_size);
	archive_read_free(a);
	while ((n = read(fd, in->buf, sizeof(in->buf))) != 0) {
		if (n < 0 && errno != EINTR)
			die(j, errno, "%s", label);
		if (n > 0)
			blob_hash_update(&in->h, in->buf, (size_t)n);
	}
	if (blob_hash_check(&in->h) < 0)
		die(j, 0, "%s %s: changed while it was read: content no longer matches its digest", label, digest);
	free(in);
}

static void oci_pick_error(const struct job *j, int r, const char *label, const char *tag, const char *what)
{
	if (r == -ENOENT && tag)
		die(j, 0, "%s: no image tagged '%s'", label, tag);
	if (r == -ENOENT)
		die(j, 0, "%s: no image for linux/%s in %s", label, oci_host_arch(), what);
	if (r == -ENOTUNIQ)
		die(j, 0, "%s: several images in %s: give one as %s:TAG", label, what, label);
	if (r == -EINVAL)
		die(j, 0, "%s: %s: not a valid OCI index", label, what);
	die(j, r, "%s: %s", label, what);
}

static void keep_image_config(struct job *j, const char *text);

/* The run configuration in the image's config blob DIGEST (read confined
 * and checked like every blob), as it is to be kept (see imagecfg.h). */
static char *oci_config(const struct job *j, int dfd, const char *dir, const char *digest)
{
	size_t n;
	_cleanup_free_ char *cfg = read_blob(j, dfd, dir, "config", digest, &n);
	char *text;
	int r = imagecfg_extract(cfg, n, &text);

	if (r < 0)
		die(j, r == -EINVAL ? 0 : r, "%s: config %s: not a valid image configuration", dir, digest);
	return text;
}

/* The image manifest the layout DFD (at DIR) names for TAG: index.json,
 * then nested image indexes (multi-platform), to a manifest, each blob
 * confined and checked. */
static char *oci_manifest(const struct job *j, int dfd, const char *dir, const char *tag, size_t *len)
{
	char *json, *digest = NULL;
	bool is_index = true;
	int r;

	/* oci-layout is not needed to find the image; one that is there must
	 * be a regular file of a layout of version 1. */
	if (faccessat(dfd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		json = read_layout_file(j, dfd, dir, "oci-layout", len);
		r = oci_layout_check(json, *len);
		free(json);
		if (r < 0)
			die(j, 0, "%s: oci-layout: %s", dir, r == -ENOTSUP ? "not an image layout of version 1" : "not valid");
	}
	if (faccessat(dfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		die(j, 0, "%s: not an OCI image layout (no index.json)", dir);
	json = read_layout_file(j, dfd, dir, "index.json", len);
	for (int depth = 0; is_index; depth++) {
		r = depth > 4 ? -ELOOP : oci_index_pick(json, *len, depth ? NULL : tag, "linux",
							oci_host_arch(), &digest, &is_index);
		if (r < 0)
			oci_pick_error(j, r, dir, depth ? NULL : tag, depth ? "an image index" : "index.json");
		free(json);
		json = read_blob(j, dfd, dir, is_index ? "image index" : "manifest", digest, len);
		free(digest);
	}
	return json;
}

static void from_oci(struct job *j)
{
	const struct opts *o = j->o;
	const char *tag;
	_cleanup_free_ char *dir = split_tag(j, o->oci, &tag);
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *json, **layers, *config = NULL;
	size_t len, n;
	int *fds, r;

	if (dfd < 0)
		die(j, errno, "%s", dir);
	json = oci_manifest(j, dfd, dir, tag, &len);
	r = oci_manifest_layers(json, len, &layers, &n);
	if (r == 0)
		r = oci_manifest_config(json, len, &config);
	if (r < 0 && r != -ENOENT)
		die(j, r == -EINVAL ? 0 : r, "%s: not a valid image manifest", dir);
	free(json);
	if (!config)
		die(j, 0, "%s: image manifest: no config", dir);
	_cleanup_free_ char *run_config = oci_config(j, dfd, dir, config);
	free(config);
	/* Every layer is checked before DIR gets a byte of the image: a layout
	 * with one bad blob leaves DIR as it was. Each is then read again to
	 * unpack it (from the same open file). */
	fds = calloc(n + 1, sizeof(int));
	if (!fds)
		die(j, ENOMEM, "%s", dir);
	for (size_t i = 0; i < n; i++) {
		char what[64];

		snprintf(what, sizeof(what), "layer %zu/%zu", i + 1, n);
		fds[i] = open_blob(j, dfd, dir, what, layers[i]);
		r = blob_verify(fds[i], layers[i]);
		if (r < 0)
			blob_error(j, r, dir, what, layers[i]);
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *label = NULL;

		if (asprintf(&label, "%s: layer %zu/%zu", dir, i + 1, n) < 0)
			die(j, ENOMEM, "%s", dir);
		unpack_layer(j, fds[i], layers[i], label);
		close(fds[i]);
	}
	free(fds);
	oci_strv_free(layers);
	keep_image_config(j, run_config);
}

/* A member of an outer (docker save) archive read as an inner archive,
 * hashed on the way when its name states a digest. */
struct member {
	struct archive *outer;
	struct blob_hash *h;
};

static la_ssize_t member_read(struct archive *a, void *data, const void **buf)
{
	struct member *m = data;
	size_t len;
	la_int64_t off;
	int r = archive_read_data_block(m->outer, buf, &len, &off);

	(void)a;
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK)
		return -1;
	if (m->h)
		blob_hash_update(m->h, *buf, len);
	return (la_ssize_t)len;
}

/* A member name with "." and ".." worked out as text (members are only
 * compared, never opened): 0, or -1 when it climbs above the top. */
static int member_path(const char *in, char *out)
{
	size_t n = 0;

	for (const char *p = in; *(p += strspn(p, "/"));) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2)) {
			if (!n)
				return -1;
			while (n && out[--n] != '/')
				;
		} else if (!(len == 1 && *p == '.')) {
			if (n + len + 2 > PATH_MAX)
				return -1;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return 0;
}

/* Open FILE and read up to member NAME; symlinked and hardlinked members
 * (docker save shares identical layers that way) are followed. Returns the
 * outer archive positioned at the member's data. */
static struct archive *seek_member(const struct job *j, const char *file, const char *want, int64_t *size)
{
	char name[PATH_MAX], cur[PATH_MAX];
	struct archive_entry *e;
	struct archive *a;
	const char *why;

	if (extract_clean_name(want, cur, &why) < 0)
		die(j, 0, "%s: '%s': bad member name", file, printable(want, name, sizeof(name)));
	for (int hops = 0; hops < 8; hops++) {
		a = new_reader(j);
		if (archive_read_open_filename(a, file, READ_BLOCK) != ARCHIVE_OK)
			die(j, 0, "%s: %s", file, archive_error_string(a));
		for (;;) {
			int r = archive_read_next_header(a, &e);
			const char *link;

			if (r == ARCHIVE_EOF)
				die(j, 0, "%s: %s: no such member", file, printable(cur, name, sizeof(name)));
			if (r < ARCHIVE_WARN)
				die(j, 0, "%s: %s", file, archive_error_string(a));
			if (extract_clean_name(archive_entry_pathname(e) ? archive_entry_pathname(e) : "",
					       name, &why) < 0 || !streq(name, cur))
				continue;
			link = archive_entry_hardlink(e);
			if (!link && archive_entry_filetype(e) == AE_IFLNK) {
				/* relative to the member's directory */
				char *slash = strrchr(name, '/');

				snprintf(cur, sizeof(cur), "%.*s%s%s", slash ? (int)(slash - name) : 0, name,
					 slash ? "/" : "", archive_entry_symlink(e));
				link = cur;
			}
			if (!link) {
				*size = archive_entry_size(e);
				return a;
			}
			if (member_path(link, name) < 0)
				die(j, 0, "%s: %s: bad link", file, printable(cur, name, sizeof(name)));
			strcpy(cur, name);
			break;
		}
		archive_read_free(a);
	}
	die(j, ELOOP, "%s: %s", file, want);
}

/* The digest member NAME of FILE states (docker_member_digest), or NULL. */
static char *member_digest(const struct job *j, const char *file, const char *name, bool config)
{
	char *digest = NULL, msg[128];
	int r = docker_member_digest(name, config, &digest);

	if (r == -EINVAL)
		die(j, 0, "%s: '%s': not a valid digest", file, printable(name, msg, sizeof(msg)));
	if (r < 0 && r != -ENOENT)
		die(j, r, "%s", file);
	return digest;
}

/* Read member NAME of FILE to its end, checking it against DIGEST. */
static void verify_member(const struct job *j, const char *file, const char *what, const char *name, const char *digest)
{
	int64_t size;
	struct archive *a = seek_member(j, file, name, &size);
	struct blob_hash h;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	if (blob_hash_init(&h, digest) < 0)
		die(j, EINVAL, "%s: %s", file, name);
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
		blob_hash_update(&h, buf, len);
	if (r != ARCHIVE_EOF)
		die(j, 0, "%s: %s: %s", file, name, archive_error_string(a));
	archive_read_free(a);
	if (blob_hash_check(&h) < 0)
		die(j, 0, "%s: %s %s: content does not match its digest", file, what, name);
}

/* Member NAME of FILE read whole (at most MAX_JSON bytes, NUL-ended),
 * checked against DIGEST when there is one; WHAT names it in messages. */
static char *read_member(const struct job *j, const char *file, const char *what, const char *name,
			 const char *digest, size_t *len)
{
	int64_t size;
	struct archive *a = seek_member(j, file, name, &size);
	struct blob_hash h;
	char *buf;

	if (size > MAX_JSON)
		die(j, 0, "%s: %s: larger than %d MiB", file, name, MAX_JSON >> 20);
	if (!(buf = malloc((size_t)size + 1)))
		die(j, ENOMEM, "%s: %s", file, name);
	if (digest && blob_hash_init(&h, digest) < 0)
		die(j, EINVAL, "%s: %s", file, name);
	for (*len = 0; *len < (size_t)size;) {
		la_ssize_t k = archive_read_data(a, buf + *len, (size_t)size - *len);

		if (k <= 0)
			die(j, 0, "%s: %s: %s", file, name, archive_error_string(a));
		*len += (size_t)k;
	}
	buf[*len] = '\0';
	archive_read_free(a);
	if (digest) {
		blob_hash_update(&h, buf, *len);
		if (blob_hash_check(&h) < 0)
			die(j, 0, "%s: %s %s: content does not match its digest", file, what, name);
	}
	return buf;
}

/* The run configuration in member NAME of FILE, read once and checked
 * against DIGEST when NAME states one, as it is to be kept (imagecfg.h). */
static char *docker_config(const struct job *j, const char *file, const char *name, const char *digest)
{
	size_t len;
	_cleanup_free_ char *json = read_member(j, file, "config", name, digest, &len);
	char *text;
	int r = imagecfg_extract(json, len, &text);

	if (r < 0)
		die(j, r == -EINVAL ? 0 : r, "%s: %s: not a valid image configuration", file, name);
	return text;
}

/* Unpack layer member NAME of FILE, hashed to its very end when DIGEST
 * (checked before any layer was unpacked) is known: a member changed
 * since the check fails the run like any other error. */
static void unpack_member(struct job *j, const char *file, const char *name, const char *digest,
			  const char *label)
{
	int64_t size;
	struct blob_hash h;
	struct member m = { .outer = seek_member(j, file, name, &size) };
	struct archive *inner = new_reader(j);
	const void *buf;
	size_t len;
	la_int64_t off;
	int r = ARCHIVE_EOF;

	if (digest && blob_hash_init(&h, digest) == 0)
		m.h = &h;
	if (archive_read_open(inner, &m, NULL, member_read, NULL) != ARCHIVE_OK)
		die(j, 0, "%s: %s", label, archive_error_string(inner));
	unpack(j, inner, label, EXTRACT_WHITEOUTS, size);
	archive_read_free(inner);
	/* the rest of the member, which the inner archive did not need */
	while (m.h && (r = archive_read_data_block(m.outer, &buf, &len, &off)) == ARCHIVE_OK)
		blob_hash_update(m.h, buf, len);
	if (m.h && r != ARCHIVE_EOF)
		die(j, 0, "%s: %s", label, archive_error_string(m.outer));
	if (m.h && blob_hash_check(m.h) < 0)
		die(j, 0, "%s %s: changed while it was read: content no longer matches its digest", label, name);
	archive_read_free(m.outer);
}

static void from_docker(struct job *j)
{
	const struct opts *o = j->o;
	const char *tag;
	_cleanup_free_ char *file = split_tag(j, o->docker, &tag);
	char *json, **layers, **digests, *config = NULL, *cdigest;
	size_t len, n;
	int64_t size;
	int r;

	close(open_input(j, NULL, file, AT_FDCWD, &size));	/* a plain message for a missing FILE */
	json = read_member(j, file, "", "manifest.json", NULL, &len);
	r = docker_manifest_layers(json, len, tag, &layers, &n);
	if (r == -ENOENT && tag)
		die(j, 0, "%s: no image tagged '%s'", file, tag);
	if (r == -ENOTUNIQ || r == -ENOENT)
		die(j, 0, "%s: %s images in manifest.json: give one as %s:TAG", file, r == -ENOENT ? "no" : "several", file);
	if (r == 0)
		r = docker_manifest_config(json, len, tag, &config);
	if (r < 0 && r != -ENOENT)
		die(j, r == -EINVAL ? 0 : r, "%s: manifest.json: not a valid docker save manifest", file);
	free(json);
	if (!config)
		die(j, 0, "%s: manifest.json: no Config for the image", file);
	/* Where a member's name states its digest (blobs/sha256/HEX, or a
	 * config's HEX.json) it is checked, every one before DIR gets a byte
	 * of the image, and a layer again as it is unpacked. */
	cdigest = member_digest(j, file, config, true);
	_cleanup_free_ char *run_config = docker_config(j, file, config, cdigest);
	free(cdigest);
	free(config);
	digests = calloc(n + 1, sizeof(char *));
	if (!digests)
		die(j, ENOMEM, "%s", file);
	for (size_t i = 0; i < n; i++) {
		char what[64];

		snprintf(what, sizeof(what), "layer %zu/%zu", i + 1, n);
		digests[i] = member_digest(j, file, layers[i], false);
		if (digests[i])
			verify_member(j, file, what, layers[i], digests[i]);
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *label = NULL;

		if (asprintf(&label, "%s: layer %zu/%zu", file, i + 1, n) < 0)
			die(j, ENOMEM, "%s", file);
		unpack_member(j, file, layers[i], digests[i], label);
		free(digests[i]);
	}
	free(digests);
	oci_strv_free(layers);
	keep_image_config(j, run_config);
}

/* --- host programs ------------------------------------------------------ */

#include <search.h>

struct host {
	struct job *j;
	char **ldconf;		/* ld.so.conf directories, searched before the defaults */
	size_t nldconf;
	void *copied, *elfs, *needed;	/* tsearch sets of strings */
	int elfclass, machine;	/* of the first program: NSS modules must match it */
};

/* The directories ld.so searches last (its built-in trusted directories). */
static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* True when S was in SET already; else S is added. */
static bool seen(const struct job *j, void **set, const char *s)
{
	char *dup = strdup(s);
	char **hit;

	if (!dup)
		die(j, ENOMEM, "%s", s);
	hit = tsearch(dup, set, cmp_str);
	if (!hit)
		die(j, ENOMEM, "%s", s);
	if (*hit != dup) {
		free(dup);
		return true;
	}
	return false;
}

/* The parent directory of host path PATH inside the root, made if missing;
 * *BASE is PATH's last component. */
static int root_parent(const struct job *j, const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	int fd;

	*base = slash ? slash + 1 : path;
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - path) : 0, path);
	fd = root_open_dir(j->fd, parent + strspn(parent, "/"), true);
	if (fd < 0)
		die(j, fd, "%s: cannot be placed inside %s", path, j->path);
	return fd;
}

static void mirror_symlink(const struct job *j, const char *path, const char *target)
{
	const char *base;
	_cleanup_close_ int pfd = root_parent(j, path, &base);

	/* Something already there (an image's own file) is left alone. */
	if (symlinkat(target, pfd, base) < 0 && errno != EEXIST)
		die(j, errno, "%s/%s", j->path, path + 1);
}

/* Copy SRC to DST, charging what is copied against --max-size: SIZE
 * bytes were charged before; a file grown since is charged the rest. */
static void copy_data(struct job *j, int src, int dst, const char *path, uint64_t size)
{
	uint64_t done = 0;
	ssize_t n;

	for (;;) {
		n = copy_file_range(src, NULL, dst, NULL, 1 << 30, 0);
		if (n > 0) {
			done += (uint64_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			die(j, errno, "%s", path);
		while ((n = sendfile(dst, src, NULL, 1 << 30)) > 0)
			done += (uint64_t)n;
		if (n < 0)
			die(j, errno, "%s", path);
		break;
	}
	if (done > size)
		charge(j, done - size, path);
}

static void copy_regular(const struct host *h, const char *path, const struct stat *st)
{
	struct job *j = h->j;
	const char *base;
	_cleanup_close_ int pfd = root_parent(j, path, &base);
	_cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int dst = -1;
	mode_t mode = st->st_mode & 07777;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (src < 0)
		die(j, errno, "%s", path);
	charge(j, (uint64_t)st->st_size, path);
	for (int tries = 0; dst < 0; tries++) {
		dst = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (dst < 0 && (errno != EEXIST || tries || remove_tree(pfd, base) < 0))
			die(j, errno, "%s/%s", j->path, path + 1);
	}
	copy_data(j, src, dst, path, (uint64_t)st->st_size);
	if (!j->o->keep_setuid)
		mode &= ~(mode_t)(S_ISUID | S_ISGID);
	if (fchmod(dst, mode) < 0 || futimens(dst, ts) < 0)
		die(j, errno, "%s/%s", j->path, path + 1);
	if (nskit_verbose)
		printf("%s\n", path);
}

/* Copy host PATH into the root at the same place, walking it one component
 * at a time: each symlink met is recreated as a symlink and then followed,
 * so /bin -> usr/bin and libc.so.6 -> libc-2.36.so look alike inside.
 * REAL receives the path with every symlink resolved. */
static int copy_path(struct host *h, const char *path, char *real)
{
	struct job *j = h->j;
	char todo[PATH_MAX], next[PATH_MAX], target[PATH_MAX], tmp[2 * PATH_MAX];
	const char *p;
	int links = 0;

	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return -ENAMETOOLONG;
	real[0] = '\0';
	if (path[0] != '/' && !getcwd(real, PATH_MAX))
		return -errno;
	if (streq(real, "/"))
		real[0] = '\0';
	p = todo;
	while (*(p += strspn(p, "/"))) {
		size_t len = strcspn(p, "/");
		struct stat st;
		ssize_t tl;

		if (len == 1 && p[0] == '.') {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(real, '/');

			if (slash)
				*slash = '\0';
			p += len;
			continue;
		}
		if (snprintf(next, sizeof(next), "%s/%.*s", real, (int)len, p) >= (int)sizeof(next))
			return -ENAMETOOLONG;
		p += len;
		if (lstat(next, &st) < 0)
			return -errno;
		if (S_ISLNK(st.st_mode)) {
			if (++links > 40)
				return -ELOOP;
			tl = readlink(next, target, sizeof(target) - 1);
			if (tl < 0)
				return -errno;
			target[tl] = '\0';
			if (!seen(h->j, &h->copied, next))
				mirror_symlink(h->j, next, target);
			if (snprintf(tmp, sizeof(tmp), "%s/%s", target, p) >= (int)sizeof(todo))
				return -ENAMETOOLONG;
			strcpy(todo, tmp);
			p = todo;
			if (target[0] == '/')
				real[0] = '\0';
			continue;
		}
		strcpy(real, next);
		if (S_ISDIR(st.st_mode)) {
			if (!seen(h->j, &h->copied, real)) {
				int fd = root_open_dir(j->fd, real + 1, true);

				if (fd < 0)
					die(j, fd, "%s: cannot be placed inside %s", real, j->path);
				close(fd);
			}
		} else if (*(p + strspn(p, "/"))) {
			return -ENOTDIR;
		} else if (!S_ISREG(st.st_mode)) {
			return -EINVAL;
		} else if (!seen(h->j, &h->copied, real)) {
			copy_regular(h, real, &st);
		}
	}
	if (!real[0])
		strcpy(real, "/");
	return 0;
}

static void xcopy_path(struct host *h, const char *path, char *real)
{
	struct job *j = h->j;
	int r = copy_path(h, path, real);

	if (r == -EINVAL)
		die(j, 0, "%s: not a regular file, directory or symlink", path);
	if (r < 0)
		die(j, r, "%s", path);
}

/* Is PATH an ELF file of this class and machine? ld.so skips ones that are not. */
static bool elf_fits(const char *path, int elfclass, int machine)
{
	unsigned char h[20];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	int m;

	if (fd < 0 || read(fd, h, sizeof(h)) != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG))
		return false;
	m = h[EI_DATA] == ELFDATA2MSB ? h[18] << 8 | h[19] : h[19] << 8 | h[18];
	return h[EI_CLASS] == elfclass && m == machine;
}

/* Search a colon-separated LIST (DT_RPATH/DT_RUNPATH) for NAME, $ORIGIN
 * expanded to ORIGIN. Entries with other $tokens are skipped. */
static bool search_list(const struct job *j, const char *list, const char *origin, const char *name,
			const struct elf_deps *d, char *out)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL, dir[PATH_MAX];

	if (!copy)
		die(j, ENOMEM, "%s", name);
	for (char *w = strtok_r(copy, ":", &save); w; w = strtok_r(NULL, ":", &save)) {
		const char *rest = w;

		if (!strncmp(w, "$ORIGIN", 7))
			rest = w + 7;
		else if (!strncmp(w, "${ORIGIN}", 9))
			rest = w + 9;
		if (strchr(rest, '$') || (rest == w && *w != '/'))
			continue;
		snprintf(dir, sizeof(dir), "%s%s", rest == w ? "" : origin, rest);
		if (snprintf(out, PATH_MAX, "%s/%s", dir, name) < PATH_MAX &&
		    elf_fits(out, d->elfclass, d->machine))
			return true;
	}
	return false;
}

struct chain {
	const char *rpath, *origin;
	const struct chain *up;
};

/* Where ld.so finds NAME for an object with deps D: DT_RPATH of the object
 * and of those that loaded it (only when the object has no DT_RUNPATH),
 * then its DT_RUNPATH, then the ld.so.conf directories (this stands in for
 * ld.so.cache, which is built from them), then the default directories.
 * LD_LIBRARY_PATH is ignored: it is the caller's, not the jail's. */
static bool find_lib(const struct host *h, const char *name, const struct elf_deps *d,
		     const struct chain *self, char *out)
{
	if (strchr(name, '/')) {
		snprintf(out, PATH_MAX, "%s", name);
		return access(out, F_OK) == 0;
	}
	for (const struct chain *c = self; !d->runpath && c; c = c->up)
		if (c->rpath && search_list(h->j, c->rpath, c->origin, name, d, out))
			return true;
	if (d->runpath && search_list(h->j, d->runpath, self->origin, name, d, out))
		return true;
	for (size_t i = 0; i < h->nldconf; i++)
		if (snprintf(out, PATH_MAX, "%s/%s", h->ldconf[i], name) < PATH_MAX &&
		    elf_fits(out, d->elfclass, d->machine))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(default_dirs); i++)
		if (snprintf(out, PATH_MAX, "%s/%s", default_dirs[i], name) < PATH_MAX &&
		    elf_fits(out, d->elfclass, d->machine))
			return true;
	return false;
}

/* Copy the ELF file at PATH, its interpreter and, depth first, every library it needs. */
static void add_elf(struct host *h, const char *path, const struct chain *up, bool program)
{
	struct job *j = h->j;
	char real[PATH_MAX], lib[PATH_MAX];
	_cleanup_free_ char *origin = NULL;
	struct elf_deps d;
	int fd, r;

	xcopy_path(h, path, real);
	if (seen(h->j, &h->elfs, real))
		return;
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(j, errno, "%s", path);
	r = elf_deps_read(fd, &d);
	close(fd);
	if (r == -ENOEXEC)
		die(j, 0, "%s: not an ELF file", path);
	if (r < 0)
		die(j, r, "%s", path);
	if (!h->elfclass)
		h->elfclass = d.elfclass, h->machine = d.machine;
	if (d.interp)
		add_elf(h, d.interp, NULL, false);
	/* $ORIGIN: the program's real directory; a library's as it was found. */
	origin = strdup(program ? real : path);
	if (!origin)
		die(j, ENOMEM, "%s", path);
	*(strrchr(origin, '/') ? strrchr(origin, '/') : origin) = '\0';
	struct chain self = { d.rpath, origin, up };

	for (size_t i = 0; i < d.nneeded; i++) {
		if (seen(h->j, &h->needed, d.needed[i]))
			continue;
		if (!find_lib(h, d.needed[i], &d, &self, lib))
			die(j, 0, "%s: library not found (needed by %s)", d.needed[i], path);
		add_elf(h, lib, &self, false);
	}
	elf_deps_free(&d);
}

/* A PROG operand as a path: as given when it holds a '/', else from PATH. */
static void find_program(const struct job *j, const char *name, char *out)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;
	struct stat st;

	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			die(j, errno, "%s", name);
		snprintf(out, PATH_MAX, "%s", name);
		return;
	}
	copy = strdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!copy)
		die(j, ENOMEM, "%s", name);
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		if (snprintf(out, PATH_MAX, "%s/%s", dir, name) < PATH_MAX &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return;
	die(j, 0, "%s: command not found in PATH", name);
}

/* NSS modules named in the root's own etc/nsswitch.conf: the ones name
 * lookups inside it will load. Names without a module on the host
 * (built into libc, or not installed) are skipped. */
static void add_nss(struct host *h)
{
	struct job *j = h->j;
	_cleanup_close_ int etc = root_open_dir(j->fd, "etc", false);
	int fd = etc < 0 ? -1 : openat(etc, "nsswitch.conf", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	struct elf_deps want = { .elfclass = h->elfclass, .machine = h->machine };
	struct chain none = { NULL, "", NULL };
	char *line = NULL, lib[PATH_MAX], name[NAME_MAX];
	size_t cap = 0;

	if (!f)
		die(j, errno, "%s/etc/nsswitch.conf", j->path);
	while (getline(&line, &cap, f) >= 0) {
		char *p = strchr(line, ':'), *save = NULL;

		line[strcspn(line, "#\n")] = '\0';
		if (!p || strchr(line, '#'))
			continue;
		for (char *w = strtok_r(p + 1, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			if (*w == '[' || strchr(w, ']') || strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(w))
				continue;
			snprintf(name, sizeof(name), "libnss_%.64s.so.2", w);
			if (seen(h->j, &h->needed, name))
				continue;
			if (find_lib(h, name, &want, &none, lib))
				add_elf(h, lib, NULL, false);
			else if (nskit_verbose)
				xwarnc(0, "%s: no NSS module %s on the host, skipped", w, name);
		}
	}
	free(line);
	fclose(f);
}

/* Write file REL (inside the root) unless it exists; REPLACE overwrites.
 * The content goes to a temporary name first and is linked (or renamed)
 * into place whole: a run killed part-way never leaves a short file that
 * the rerun with --force would then keep. */
static void write_root_file(struct job *j, const char *rel, const char *content, mode_t mode, bool replace)
{
	const char *base;
	_cleanup_close_ int pfd = root_parent(j, rel, &base);
	_cleanup_close_ int fd = -1;
	size_t len = strlen(content);
	char tmp[NAME_MAX + 1];
	int r;

	charge(j, len, rel);
	snprintf(tmp, sizeof(tmp), ".%.200s.mkrootfs-tmp", base);
	if ((unlinkat(pfd, tmp, 0) < 0 && errno != ENOENT) ||
	    (fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) < 0)
		die(j, errno, "%s/%s", j->path, rel);
	errno = EIO;	/* a short write sets none */
	r = write(fd, content, len) == (ssize_t)len && fchmod(fd, mode) == 0 ? 0 : -1;
	for (int tries = 0; r == 0; tries++) {
		r = replace ? renameat(pfd, tmp, pfd, base) : linkat(pfd, tmp, pfd, base, 0);
		if (r == 0 || (errno == EEXIST && !replace))
			break;	/* placed, or there already and kept */
		if (tries || (errno != EEXIST && errno != EISDIR && errno != ENOTEMPTY) || remove_tree(pfd, base) < 0)
			break;
		r = 0;
	}
	if (r < 0 && !(errno == EEXIST && !replace)) {
		int e = errno;

		unlinkat(pfd, tmp, 0);
		die(j, e, "%s/%s", j->path, rel);
	}
	if (!replace && unlinkat(pfd, tmp, 0) < 0)
		die(j, errno, "%s/%s", j->path, rel);
}

static char *host_resolv_conf(void)
{
	static char buf[16384];
	_cleanup_close_ int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n < 0)
		return "# the host had no /etc/resolv.conf\n";
	buf[n] = '\0';
	return buf;
}

/* Mount points and the few files every jail expects. No device nodes:
 * nsnew mounts a fresh /dev. Existing files (an image's) are kept. */
static void make_skeleton(struct job *j)
{
	const struct opts *o = j->o;
	static const struct { const char *path; mode_t mode; } dirs[] = {
		{ "dev", 0755 }, { "dev/pts", 0755 }, { "dev/shm", 01777 }, { "etc", 0755 },
		{ "proc", 0555 }, { "root", 0700 }, { "run", 0755 }, { "sys", 0555 },
		{ "tmp", 01777 },
	};
	static const char *const merged[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" };
	const char *name = o->hostname ? o->hostname : "localhost";
	char hosts[256], hostname[80];

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		const char *base;
		_cleanup_close_ int pfd = root_parent(j, dirs[i].path, &base);
		mode_t mask = umask(0);
		int r;

		/* Born with its mode (umask off for the sticky and group/other
		 * bits): a run killed here leaves no directory that the rerun,
		 * which keeps existing ones, would keep with a wrong mode. */
		r = mkdirat(pfd, base, dirs[i].mode);
		umask(mask);
		if (r < 0 && errno != EEXIST)
			die(j, errno, "%s/%s", j->path, dirs[i].path);
	}
	/* A merged-/usr host's /bin -> usr/bin and the like, so /bin/sh works inside. */
	for (size_t i = 0; i < ARRAY_SIZE(merged); i++) {
		char target[PATH_MAX];
		ssize_t n = readlink(merged[i], target, sizeof(target) - 1);

		if (n < 0 && errno != ENOENT && errno != EINVAL)
			die(j, errno, "%s", merged[i]);	/* EINVAL: not a symlink */
		if (n > 0) {
			target[n] = '\0';
			mirror_symlink(j, merged[i], target);
		}
	}
	snprintf(hosts, sizeof(hosts), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s%s%s",
		 streq(name, "localhost") ? "" : "127.0.1.1\t", streq(name, "localhost") ? "" : name,
		 streq(name, "localhost") ? "" : "\n");
	snprintf(hostname, sizeof(hostname), "%s\n", name);
	write_root_file(j, "etc/hostname", hostname, 0644, o->hostname != NULL);
	write_root_file(j, "etc/hosts", hosts, 0644, o->hostname != NULL);
	write_root_file(j, "etc/resolv.conf", host_resolv_conf(), 0644, false);
	write_root_file(j, "etc/passwd",
			"root:x:0:0:root:/root:/bin/sh\n"
			"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", 0644, false);
	write_root_file(j, "etc/group", "root:x:0:\nnobody:x:65534:\n", 0644, false);
	write_root_file(j, "etc/nsswitch.conf",
			"passwd:\tfiles\ngroup:\tfiles\nshadow:\tfiles\nhosts:\tfiles dns\n"
			"networks:\tfiles\nprotocols:\tfiles\nservices:\tfiles\n", 0644, false);
}

static void from_host(struct job *j)
{
	const struct opts *o = j->o;
	struct host h = { .j = j };
	char path[PATH_MAX], real[PATH_MAX];
	int r;

	r = ldconf_dirs("/etc/ld.so.conf", &h.ldconf, &h.nldconf);
	if (r < 0)
		die(j, r, "/etc/ld.so.conf");
	if (o->from_host)
		make_skeleton(j);
	for (int i = 0; i < o->nprogs; i++) {
		find_program(j, o->progs[i], path);
		add_elf(&h, path, NULL, true);
	}
	for (int i = 0; i < o->ncopies; i++)
		xcopy_path(&h, o->copies[i], real);
	if (o->with_nss)
		add_nss(&h);
	tdestroy(h.copied, free);
	tdestroy(h.elfs, free);
	tdestroy(h.needed, free);
	oci_strv_free(h.ldconf);
}

/* The image's Env, WorkingDir, Entrypoint, Cmd and User, for nsnew
 * --rootfs to apply; written after the layers, so an image's own file of
 * that name never stands in for its configuration. */
static void keep_image_config(struct job *j, const char *text)
{
	write_root_file(j, &IMAGECFG_PATH[1], text, 0644, true);
}

/* --hostname without --from-host (whose skeleton writes it): the image's
 * own etc/hostname is replaced. */
static void name_root(struct job *j)
{
	char line[80];

	snprintf(line, sizeof(line), "%s\n", j->o->hostname);
	write_root_file(j, "etc/hostname", line, 0644, true);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct undo u = UNDO_INIT;
	struct job j = { .o = &o, .fd = -1, .u = &u };

	nskit_init(EXIT_USAGE);
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	/* A write past `ulimit -f` then fails with EFBIG, which die() words,
	 * instead of SIGXFSZ killing us without a word or a cleanup. */
	signal(SIGXFSZ, SIG_IGN);
	open_root(&j);
	if (o.tar)
		from_tar(&j);
	else if (o.oci)
		from_oci(&j);
	else if (o.docker)
		from_docker(&j);
	if (o.from_host || o.ncopies)
		from_host(&j);
	if (o.hostname && !o.from_host)
		name_root(&j);
	undo_free(&u);	/* DIR is the command's result now: it stays */
	close(j.fd);
	free(o.progs);
	free(o.copies);
	return EXIT_OK;
}
