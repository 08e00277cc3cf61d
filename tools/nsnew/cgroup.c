/* cgroup.c - the jail's own cgroup (cgroup.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "parse.h"
#include "util.h"

#define CPUS_MAX 4096

int cgroup_parse_cpus(const char *s, uint64_t *quota)
{
	const char *dot = strchr(s, '.');
	char whole[8], frac[6] = "00000";
	uint64_t w, f;
	size_t nw = dot ? (size_t)(dot - s) : strlen(s), nf = dot ? strlen(dot + 1) : 0;

	if (nw == 0 || nw >= sizeof(whole) || (dot && (nf == 0 || nf > 5)))
		return -EINVAL;
	memcpy(whole, s, nw);
	whole[nw] = '\0';
	if (dot)
		memcpy(frac, dot + 1, nf);
	if (parse_u64(whole, 0, CPUS_MAX, &w) < 0 || parse_u64(frac, 0, 99999, &f) < 0)
		return -EINVAL;
	*quota = w * CGROUP_PERIOD + f;	/* five decimals: µs of a 100000 µs period */
	return *quota >= 1000 && *quota <= (uint64_t)CPUS_MAX * CGROUP_PERIOD ? 0 : -EINVAL;
}

/* DIR/FILE into BUF; false when it does not fit. */
static bool join(char *buf, size_t size, const char *dir, const char *file)
{
	int n = snprintf(buf, size, "%s/%s", dir, file);

	return n >= 0 && (size_t)n < size;
}

static int failed(struct jail_cgroup *cg, int e, const char *dir, const char *file)
{
	if (snprintf(cg->where, sizeof(cg->where), "%s%s%s", dir, file ? "/" : "", file ? file : "") < 0)
		cg->where[0] = '\0';
	return -e;
}

/* A plain directory's files are appended to, so a test sees each write. */
static int write_file(struct jail_cgroup *cg, const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX], val[32];
	int fd;
	size_t len;

	if (!join(path, sizeof(path), dir, file))
		return failed(cg, ENAMETOOLONG, dir, file);
	len = (size_t)snprintf(val, sizeof(val), "%s\n", value);
	fd = open(path, O_WRONLY | O_CLOEXEC | (cg->plain ? O_CREAT | O_APPEND : 0), 0644);
	if (fd < 0)
		return failed(cg, errno, dir, file);
	if (write(fd, val, len) != (ssize_t)len) {
		int e = errno ? errno : EIO;

		close(fd);
		return failed(cg, e, dir, file);
	}
	return close(fd) < 0 && errno != EINTR ? failed(cg, errno, dir, file) : 0;
}

/* Whether the whitespace-separated words of DIR/FILE include WORD. */
static bool file_has(const char *dir, const char *file, const char *word)
{
	char path[PATH_MAX], buf[4096], *save = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!join(path, sizeof(path), dir, file))
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || (n = read(fd, buf, sizeof(buf) - 1)) < 0)
		return false;
	buf[n] = '\0';
	for (char *w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (streq(w, word))
			return true;
	return false;
}

static bool exists(const char *dir, const char *file)
{
	char path[PATH_MAX];

	if (!join(path, sizeof(path), dir, file))
		return false;
	return access(path, F_OK) == 0;
}

struct ctl {
	const char *name;
	bool want;
};

/* The hierarchy to use: ROOT if it is v2 (has cgroup.controllers) or,
 * when no root was given, the unified one of a hybrid machine if it has
 * every controller; else v1. */
static int find_hierarchy(struct jail_cgroup *cg, const char *root, bool given, const struct ctl *c,
			  char *v2, size_t size)
{
	static const char unified[] = "/sys/fs/cgroup/unified";
	const char *cands[2] = { root, given ? NULL : unified };

	for (size_t k = 0; k < 2 && cands[k]; k++) {
		bool all = true;

		if (!exists(cands[k], "cgroup.controllers"))
			continue;
		for (size_t i = 0; i < 3; i++)
			if (c[i].want && !file_has(cands[k], "cgroup.controllers", c[i].name))
				all = false;
		if (all) {
			if (snprintf(v2, size, "%s", cands[k]) >= (int)size)
				return failed(cg, ENAMETOOLONG, cands[k], NULL);
			return 2;
		}
		if (k == 0 && given) {
			for (size_t i = 0; i < 3; i++)
				if (c[i].want && !file_has(cands[k], "cgroup.controllers", c[i].name))
					return failed(cg, ENOTSUP, c[i].name, NULL);
		}
	}
	for (size_t i = 0; i < 3; i++) {
		char dir[PATH_MAX];

		if (!join(dir, sizeof(dir), root, c[i].name))
			return failed(cg, ENAMETOOLONG, root, NULL);
		if (c[i].want && !exists(dir, "cgroup.procs"))
			return failed(cg, ENOTSUP, c[i].name, NULL);
	}
	return 1;
}

static int add_dir(struct jail_cgroup *cg, const char *parent, const char *name)
{
	char *d;

	if (asprintf(&d, "%s/%s", parent, name) < 0)
		return -ENOMEM;
	if (mkdir(d, 0755) < 0) {
		int r = failed(cg, errno, d, NULL);

		free(d);
		return r;
	}
	cg->dir[cg->n++] = d;
	return 0;
}

static int write_limits(struct jail_cgroup *cg, const struct cgroup_limits *l)
{
	char v[64];
	size_t k = 0;
	int r;

	if (l->memory) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->memory);
		if ((r = write_file(cg, cg->dir[k], cg->version == 2 ? "memory.max" : "memory.limit_in_bytes", v)) < 0)
			return r;
		k += cg->version == 1;
	}
	if (l->pids) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->pids);
		if ((r = write_file(cg, cg->dir[k], "pids.max", v)) < 0)
			return r;
		k += cg->version == 1;
	}
	if (l->cpu_quota && cg->version == 2) {
		snprintf(v, sizeof(v), "%llu %d", (unsigned long long)l->cpu_quota, CGROUP_PERIOD);
		return write_file(cg, cg->dir[k], "cpu.max", v);
	}
	if (l->cpu_quota) {
		snprintf(v, sizeof(v), "%d", CGROUP_PERIOD);
		if ((r = write_file(cg, cg->dir[k], "cpu.cfs_period_us", v)) < 0)
			return r;
		snprintf(v, sizeof(v), "%llu", (unsigned long long)l->cpu_quota);
		return write_file(cg, cg->dir[k], "cpu.cfs_quota_us", v);
	}
	return 0;
}

int cgroup_make(const struct cgroup_limits *l, struct jail_cgroup *cg)
{
	const struct ctl c[3] = { { "memory", l->memory > 0 }, { "pids", l->pids > 0 }, { "cpu", l->cpu_quota > 0 } };
	const char *env = getenv("NSKIT_CGROUP_ROOT");
	const char *root = env && *env ? env : "/sys/fs/cgroup";
	char v2[PATH_MAX], name[64];
	struct statfs sf;
	uint32_t rnd;
	int r;

	*cg = (struct jail_cgroup)JAIL_CGROUP_INIT;
	if ((r = find_hierarchy(cg, root, root == env, c, v2, sizeof(v2))) < 0)
		return r;
	cg->version = r;
	/* Random, as nsnew processes of other PID namespaces share the tree. */
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		return failed(cg, errno, "getrandom", NULL);
	snprintf(name, sizeof(name), "nsnew-%d-%08x", (int)getpid(), rnd);
	if (cg->version == 2) {
		cg->plain = statfs(v2, &sf) == 0 && sf.f_type != CGROUP2_SUPER_MAGIC;
		/* A controller acts in a child only once the parent enables it. */
		for (size_t i = 0; i < 3; i++) {
			char plus[16];

			snprintf(plus, sizeof(plus), "+%s", c[i].name);
			if (c[i].want && !file_has(v2, "cgroup.subtree_control", c[i].name) &&
			    (r = write_file(cg, v2, "cgroup.subtree_control", plus)) < 0)
				return r;
		}
		r = add_dir(cg, v2, name);
	} else {
		for (size_t i = 0; i < 3 && r >= 0; i++) {
			char dir[PATH_MAX];

			if (!join(dir, sizeof(dir), root, c[i].name))
				r = failed(cg, ENAMETOOLONG, root, NULL);
			else if (c[i].want)
				r = add_dir(cg, dir, name);
		}
	}
	if (r >= 0)
		r = write_limits(cg, l);
	if (r < 0) {
		char where[PATH_MAX];

		memcpy(where, cg->where, sizeof(where));
		cgroup_remove(cg);
		memcpy(cg->where, where, sizeof(where));
	}
	return r;
}

int cgroup_join(struct jail_cgroup *cg, pid_t pid)
{
	char v[24];
	int r;

	snprintf(v, sizeof(v), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++)
		if ((r = write_file(cg, cg->dir[i], "cgroup.procs", v)) < 0)
			return r;
	return 0;
}

/* What nsnew wrote into a plain directory, unlinked before rmdir. */
static void unlink_plain(const char *dir)
{
	static const char *const files[] = {
		"cgroup.procs", "memory.max", "pids.max", "cpu.max", "memory.limit_in_bytes",
		"cpu.cfs_period_us", "cpu.cfs_quota_us",
	};
	_cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; fd >= 0 && i < ARRAY_SIZE(files); i++)
		unlinkat(fd, files[i], 0);
}

/* Everything still in DIR: cgroup.kill where the kernel has it (it
 * catches a process forking meanwhile), else each listed process. */
static void kill_members(struct jail_cgroup *cg, const char *dir)
{
	char path[PATH_MAX], line[32];
	FILE *f;

	if (cg->version == 2 && exists(dir, "cgroup.kill") && write_file(cg, dir, "cgroup.kill", "1") == 0)
		return;
	if (!join(path, sizeof(path), dir, "cgroup.procs"))
		return;
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		pid_t pid;

		if (parse_pid(strtok(line, "\n") ? line : "", &pid) == 0)
			kill(pid, SIGKILL);
	}
	fclose(f);
}

/* rmdir, killing what is left first; killed processes leave the cgroup
 * a moment later, so EBUSY is retried for a bounded time (2 s). */
static int remove_dir(struct jail_cgroup *cg, const char *dir)
{
	const struct timespec ms = { 0, 1000 * 1000 };

	if (cg->plain) {
		unlink_plain(dir);
		return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
	}
	for (int i = 0; i < 2000; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		kill_members(cg, dir);
		nanosleep(&ms, NULL);
	}
	return -EBUSY;
}

int cgroup_remove(void *arg)
{
	struct jail_cgroup *cg = arg;
	int first = 0;

	while (cg->n > 0) {
		char *d = cg->dir[--cg->n];
		int r = remove_dir(cg, d);

		if (r < 0 && !first) {
			first = r;
			if (snprintf(cg->where, sizeof(cg->where), "%s", d) < 0)
				cg->where[0] = '\0';
		}
		free(d);
	}
	cg->version = 0;
	return first;
}
