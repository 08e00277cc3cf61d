/* seccomp.c - building and loading nsnew's system call filters. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* What container runtimes deny by default, each for a reason a jail
 * should not have: the kernel itself (kexec, modules, reboot, swap,
 * accounting, the clock, raw I/O ports, the log), the kernel keyring
 * (not namespaced), programs run in the kernel or observing it (bpf,
 * perf_event_open), userfaultfd (stalls kernel paths to win races),
 * open_by_handle_at (opens files by handle past any mount, the
 * "shocker" escape) and io_uring (its operations are not filtered). */
static const char *const denied[] = {
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"create_module", "reboot", "swapon", "swapoff", "acct", "settimeofday",
	"clock_settime", "stime", "iopl", "ioperm", "syslog", "quotactl", "lookup_dcookie",
	"nfsservctl", "uselib", "ustat", "sysfs", "_sysctl", "vm86", "vm86old",
	"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
	"open_by_handle_at", "fanotify_init", "io_uring_setup", "io_uring_enter",
	"io_uring_register",
};

/* Mounts and new namespaces, unless the jail keeps CAP_SYS_ADMIN by
 * name: the kernel's own checks are all a jail with a user namespace
 * would otherwise meet. */
static const char *const admin[] = {
	"mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
	"fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns",
};

/* Reaching into other processes, unless every process the jail can
 * see is its own (a PID namespace of its own). */
static const char *const tracing[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	"process_madvise",
};

/* A new filter whose every failure says its own errno, not ECANCELED.
 * Its rules are compiled as a binary tree of system call numbers, not a
 * list: each call the jail makes runs a few comparisons, and so does the
 * kernel, which runs the filter for every number once when it is loaded
 * (to cache the calls it always allows). */
static scmp_filter_ctx new_filter(uint32_t def)
{
	scmp_filter_ctx ctx = seccomp_init(def);

	if (ctx && (seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1) < 0 ||
		    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

static int deny_names(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		int r;

		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0)) < 0)
			return r;
	}
	return 0;
}

static int deny_new_namespaces(scmp_filter_ctx ctx)
{
	static const uint64_t ns[] = {
		CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
		CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
	};
	int r;

	/* clone's flags are its first argument on every architecture
	 * libseccomp knows but s390; clone3's are behind a pointer a filter
	 * cannot read, so it says ENOSYS and the C library falls back to
	 * clone, as docker's profile makes it do. */
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
					  SCMP_A0(SCMP_CMP_MASKED_EQ, ns[i], ns[i]))) < 0)
			return r;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
}

int sc_build_default(const struct sc_jail *j, struct sc_filter *f)
{
	scmp_filter_ctx ctx = new_filter(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	/* Pushing input into a terminal (TIOCSTI) or driving the console
	 * (TIOCLINUX) reaches past the jail through a shared terminal. */
	if ((r = deny_names(ctx, denied, ARRAY_SIZE(denied))) < 0 ||
	    (!j->admin && (r = deny_names(ctx, admin, ARRAY_SIZE(admin))) < 0) ||
	    (!j->admin && (r = deny_new_namespaces(ctx)) < 0) ||
	    (!j->pidns && (r = deny_names(ctx, tracing, ARRAY_SIZE(tracing))) < 0) ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX))) < 0) {
		seccomp_release(ctx);
		return r;
	}
	f->ctx = ctx;
	return 0;
}

static uint32_t action(enum sc_action a, int err)
{
	return a == SC_ALLOW ? SCMP_ACT_ALLOW : a == SC_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO((uint32_t)err);
}

int sc_build_profile(const struct sc_profile *p, struct sc_filter *f, const struct sc_rule **bad)
{
	uint32_t def = action(p->def, p->def_err);
	scmp_filter_ctx ctx = new_filter(def);
	int r = 0;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < p->n && r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(p->rule[i].name);
		uint32_t a = action(p->rule[i].action, p->rule[i].err);

		if (nr == __NR_SCMP_ERROR) {
			*bad = &p->rule[i];
			r = -ENOENT;
		} else if (a != def) {	/* libseccomp refuses a rule that repeats the default */
			r = seccomp_rule_add(ctx, a, nr, 0);
		}
	}
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	f->ctx = ctx;
	return 0;
}

#define PROFILE_MAX (1024 * 1024)

static int read_profile(const char *path, char **buf, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t n = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size > PROFILE_MAX)
		return -EMEDIUMTYPE;
	if (!(*buf = malloc((size_t)st.st_size + 1)))
		return -ENOMEM;
	*len = 0;
	while (*len < (size_t)st.st_size && (n = read(fd, *buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)n;
	return n < 0 ? -errno : 0;
}

int sc_build_file(const char *path, struct sc_filter *f, struct sc_error *e)
{
	_cleanup_free_ char *buf = NULL;
	const struct sc_rule *bad = NULL;
	struct sc_profile p;
	size_t len = 0;
	int r;

	*e = (struct sc_error){ 0, "" };
	if ((r = read_profile(path, &buf, &len)) < 0)
		return r;
	if ((r = profile_parse(buf, len, &p, e)) == 0 && (r = sc_build_profile(&p, f, &bad)) == -ENOENT) {
		e->line = bad->line;
		snprintf(e->msg, sizeof(e->msg), "'%s': no such system call on this architecture", bad->name);
		r = -EINVAL;
	}
	profile_free(&p);
	return r;
}

int sc_read_bpf(int fd, struct sc_filter *f)
{
	size_t max = BPF_MAXINSNS * sizeof(struct sock_filter), len = 0;
	_cleanup_free_ char *buf = malloc(max + 1);
	ssize_t n = 1;

	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0 && errno == EINTR)
		n = 0;
	if (n < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	if (len == 0 || len > max || len % sizeof(struct sock_filter))
		return -EINVAL;
	if (f->nprog == ARRAY_SIZE(f->prog))
		return -E2BIG;
	f->prog[f->nprog].ins = steal_pointer(&buf);
	f->prog[f->nprog++].n = len / sizeof(struct sock_filter);
	return 0;
}

static int load_bpf(const struct sc_prog *p)
{
	struct sock_fprog prog = { (unsigned short)p->n, p->ins };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0L, 0L) < 0 ? -errno : 0;
}

/* The filters stack: every one applies, the strictest answer wins. */
static int load(struct sc_filter *f)
{
	int r = 0;

	for (size_t i = 0; i < f->nprog; i++)
		if ((r = load_bpf(&f->prog[i])) < 0)
			return r;
	if (f->ctx && (r = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0)) == 0)
		r = seccomp_load(f->ctx);
	return r;
}

int sc_load(struct sc_filter *f)
{
	int r = load(f);

	/* EACCES: no CAP_SYS_ADMIN in our user namespace; the kernel takes
	 * a filter then only under no_new_privs. */
	if (r == -EACCES) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
			return -errno;
		r = load(f);
	}
	return r;
}

void sc_free(struct sc_filter *f)
{
	if (f->ctx)
		seccomp_release(f->ctx);
	for (size_t i = 0; i < f->nprog; i++)
		free(f->prog[i].ins);
	*f = (struct sc_filter)SC_FILTER_INIT;
}
